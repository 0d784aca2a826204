//! The observed funnel: its specification, the two ways in (a file streamed natively,
//! or a table already loaded), and the result with the semantics it was computed
//! under. The rules of a user's funnel are in [`super::chain`]; this file counts
//! users by breakdown group, times to convert, trends by entry period, and the
//! users' deepest steps for drop-off lists.

use super::chain::{self, Exclusion, Order, Rules, Scratch, StepEvent};
use super::collect::{code, code_of, group, Batch, Collector, Interner, UserEvent, UserRef};
use super::csv_scan::{scan_file, Columns};
use super::error::EventsError;
use super::period::Interval;
use super::time::{days_from_civil, parse_time};
use super::window::Window;
use crate::table::{Column, Kind, Table};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// The most steps a funnel may have.
pub const MAX_STEPS: usize = 32;

/// The most distinct event names a computation may read (steps, excluded events,
/// and "any other event" for strict order): codes take 5 bits.
pub const MAX_NAMES: usize = 32;

/// Reads an `order` option: `"ordered"` (or its alias `"any"`), `"strict"` (or
/// `"strict_order"`), `"unordered"`.
pub fn parse_order(text: &str) -> Result<Order, EventsError> {
    match text {
        "ordered" | "any" => Ok(Order::Ordered),
        "strict" | "strict_order" => Ok(Order::Strict),
        "unordered" => Ok(Order::Unordered),
        other => Err(EventsError::Invalid(format!(
            "funnel_events: option 'order' must be \"ordered\", \"strict\" or \"unordered\", got {}",
            crate::table::quote_text(other)
        ))),
    }
}

/// Which breakdown value a user is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// The value on the user's earliest first-step event (ties on the same timestamp:
    /// the smallest value), for every step.
    FirstTouch,
    /// The value on the last event of the user's counted chain (their deepest step),
    /// for every step.
    LastTouch,
    /// At each step, the value on that step's own event in the counted chain.
    PerStep,
}

impl Attribution {
    /// Reads `"first_touch"`, `"last_touch"` or `"step"`.
    pub fn parse(text: &str) -> Result<Attribution, EventsError> {
        match text {
            "first_touch" | "first" => Ok(Attribution::FirstTouch),
            "last_touch" | "last" => Ok(Attribution::LastTouch),
            "step" | "per_step" => Ok(Attribution::PerStep),
            other => Err(EventsError::Invalid(format!(
                "funnel_events: option 'attribution' must be \"first_touch\", \"last_touch\" or \"step\", got {}",
                crate::table::quote_text(other)
            ))),
        }
    }
}

/// An exclusion step: users with `event` between step `from` and step `to` (1-based)
/// of their chain are removed from the funnel (see [`super::chain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeStep {
    /// The excluded event's name (not one of the steps).
    pub event: String,
    /// The step after which it excludes (1-based).
    pub from: usize,
    /// The step before which it excludes (1-based, greater than `from`).
    pub to: usize,
}

/// What to compute: steps, window, column names, breakdown.
#[derive(Debug, Clone)]
pub struct FunnelSpec {
    /// The event names of the steps, in order (1 to [`MAX_STEPS`]; a name may repeat).
    pub steps: Vec<String>,
    /// The window on `tk - t1`.
    pub window: Window,
    /// The order rule.
    pub order: Order,
    /// Exclusion steps.
    pub exclude: Vec<ExcludeStep>,
    /// The breakdown attribution.
    pub attribution: Attribution,
    /// Conversion by entry period, when set.
    pub interval: Option<Interval>,
    /// The user id column (default `user_id`).
    pub user: String,
    /// The event name column (default `event`).
    pub event: String,
    /// The timestamp column (default `timestamp`).
    pub time: String,
    /// Breakdown columns, possibly none.
    pub by: Vec<String>,
    /// Stop reading when this instant passes (the run's time limit).
    pub deadline: Option<Instant>,
}

impl FunnelSpec {
    /// A spec with the default column names, ordered steps, first-touch attribution
    /// and no breakdown. Errors when `steps` is empty, longer than [`MAX_STEPS`], or
    /// has an empty name.
    pub fn new(steps: Vec<String>, window: Window) -> Result<FunnelSpec, EventsError> {
        if steps.is_empty() || steps.len() > MAX_STEPS {
            return Err(EventsError::Invalid(format!(
                "funnel_events: steps must list 1 to {MAX_STEPS} event names, like [\"visit\", \"signup\", \"purchase\"]; got {}",
                steps.len()
            )));
        }
        for (i, s) in steps.iter().enumerate() {
            if s.is_empty() {
                return Err(EventsError::Invalid(format!(
                    "funnel_events: step {} is an empty event name",
                    i + 1
                )));
            }
        }
        Ok(FunnelSpec {
            steps,
            window,
            order: Order::Ordered,
            exclude: Vec::new(),
            attribution: Attribution::FirstTouch,
            interval: None,
            user: "user_id".into(),
            event: "event".into(),
            time: "timestamp".into(),
            by: Vec::new(),
            deadline: None,
        })
    }

    /// Checks the options together: exclusions name a non-step event and two steps
    /// `1 <= from < to <= steps`; unordered funnels take neither exclusions nor a
    /// chain-based attribution; at most [`MAX_NAMES`] names are read.
    pub fn check(&self) -> Result<(), EventsError> {
        let n = self.steps.len();
        for (i, e) in self.exclude.iter().enumerate() {
            let at = format!("funnel_events: exclusion {}", i + 1);
            if e.event.is_empty() {
                return Err(EventsError::Invalid(format!("{at}: 'event' is empty")));
            }
            if self.steps.contains(&e.event) {
                return Err(EventsError::Invalid(format!(
                    "{at}: {:?} is one of the steps; an excluded event must be another event",
                    e.event
                )));
            }
            if !(1 <= e.from && e.from < e.to && e.to <= n) {
                return Err(EventsError::Invalid(format!(
                    "{at}: 'between' must be two steps [a, b] with 1 <= a < b <= {n}, got [{}, {}]",
                    e.from, e.to
                )));
            }
        }
        if self.order == Order::Unordered {
            if !self.exclude.is_empty() {
                return Err(EventsError::Invalid(
                    "funnel_events: exclusions need an order between steps; they are not allowed with order \"unordered\"".into(),
                ));
            }
            if self.attribution != Attribution::FirstTouch {
                return Err(EventsError::Invalid(
                    "funnel_events: attribution \"last_touch\" and \"step\" follow a chain of steps; with order \"unordered\" only \"first_touch\" is allowed".into(),
                ));
            }
        }
        let names = self.names().len();
        if names > MAX_NAMES {
            return Err(EventsError::Invalid(format!(
                "funnel_events: the steps and exclusions name {names} distinct events (with \"any other event\" in strict order); at most {MAX_NAMES} are allowed"
            )));
        }
        Ok(())
    }

    /// The event names read, by code: the steps' distinct names in order of first
    /// appearance, the excluded events, then (strict order) [`super::collect::OTHER`]
    /// for every other event.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for s in self
            .steps
            .iter()
            .chain(self.exclude.iter().map(|e| &e.event))
        {
            if !names.contains(s) {
                names.push(s.clone());
            }
        }
        if self.order == Order::Strict {
            names.push(super::collect::OTHER.to_string());
        }
        names
    }

    fn rules(&self, names: &[String]) -> Rules {
        let code = |name: &str| names.iter().position(|n| n == name).unwrap_or(0) as u8;
        let steps: Vec<u8> = self.steps.iter().map(|s| code(s)).collect();
        let exclusions: Vec<Exclusion> = self
            .exclude
            .iter()
            .map(|e| Exclusion {
                code: code(&e.event),
                from: e.from - 1,
                to: e.to - 1,
            })
            .collect();
        Rules::new(self.order, self.window.millis(), &steps, &exclusions)
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            user: &self.user,
            event: &self.event,
            time: &self.time,
            by: &self.by,
        }
    }
}

/// One row of the result: a step within a breakdown group.
#[derive(Debug, Clone, PartialEq)]
pub struct StepStat {
    /// The step's event name.
    pub step: String,
    /// Users who reached this step (each counted once).
    pub users: u64,
    /// `users / users of the previous step`; `None` on the first step or when the
    /// previous step has no users.
    pub conversion_from_previous: Option<f64>,
    /// `users / users of the first step`.
    pub conversion_from_first: Option<f64>,
    /// The median over the users reaching this step of `t(k) - t(k-1)` in seconds, in
    /// the chain [`super::chain`] counts; `None` on the first step and in unordered
    /// order.
    pub median_time_from_previous: Option<f64>,
}

/// A breakdown group's funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFunnel {
    /// The breakdown values (one per `by` column; empty without a breakdown).
    pub key: Vec<String>,
    /// One entry per step.
    pub steps: Vec<StepStat>,
}

impl GroupFunnel {
    /// A group's funnel from the users reaching each step (`reached[k]`: users whose
    /// deepest step is at least k) and the median gap in milliseconds before each step
    /// (`None` for the first step or no users): conversions are `reached[k] /
    /// reached[k-1]` and `reached[k] / reached[0]`, medians are given in seconds.
    pub fn from_counts(
        steps: &[String],
        key: Vec<String>,
        reached: &[u64],
        median_gap_ms: &[Option<f64>],
    ) -> GroupFunnel {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let steps = (0..steps.len())
            .map(|k| StepStat {
                step: steps[k].clone(),
                users: reached[k],
                conversion_from_previous: if k == 0 {
                    None
                } else {
                    ratio(reached[k], reached[k - 1])
                },
                conversion_from_first: ratio(reached[k], reached[0]),
                median_time_from_previous: if k == 0 {
                    None
                } else {
                    median_gap_ms[k].map(|ms| ms / 1000.0)
                },
            })
            .collect();
        GroupFunnel { key, steps }
    }
}

/// The upper edges (seconds) of the time-to-convert histogram's buckets: under 1
/// minute, 5 minutes, 15 minutes, 1 hour, 6 hours, 1 day, 3 days, 7 days, 14 days,
/// 30 days, and the last bucket open-ended.
pub const BUCKET_EDGES_S: [i64; 10] = [
    60, 300, 900, 3_600, 21_600, 86_400, 259_200, 604_800, 1_209_600, 2_592_000,
];

/// The time from the previous step to a step, over the users reaching it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeStats {
    /// Users with a time (those reaching the step).
    pub users: u64,
    /// The mean, seconds.
    pub mean: f64,
    /// Percentiles 10, 25, 50, 75 and 90, seconds, by linear interpolation between
    /// the sorted values (numpy's default: position `(n - 1) x q`).
    pub percentiles: [f64; 5],
    /// Users per bucket of [`BUCKET_EDGES_S`] (`[0, 60)`, `[60, 300)`, ...,
    /// `[2592000, inf)`), one more bucket than edges.
    pub histogram: Vec<u64>,
}

/// The percentiles reported by [`TimeStats`].
pub const PERCENTILES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

impl TimeStats {
    /// The statistics of gaps in milliseconds (`None` when empty). Sorts `ms`.
    pub fn of(ms: &mut [i64]) -> Option<TimeStats> {
        let n = ms.len();
        if n == 0 {
            return None;
        }
        ms.sort_unstable();
        let q = |p: f64| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            (ms[lo] as f64 + (h - lo as f64) * (ms[hi] - ms[lo]) as f64) / 1000.0
        };
        let mut histogram = vec![0u64; BUCKET_EDGES_S.len() + 1];
        for &v in ms.iter() {
            let b = BUCKET_EDGES_S.partition_point(|&e| e * 1000 <= v);
            histogram[b] += 1;
        }
        let sum: i128 = ms.iter().map(|&v| i128::from(v)).sum();
        Some(TimeStats {
            users: n as u64,
            mean: sum as f64 / n as f64 / 1000.0,
            percentiles: PERCENTILES.map(q),
            histogram,
        })
    }
}

/// Conversion by the period users entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Trends {
    /// The period length.
    pub interval: Interval,
    /// One entry per period with entering users, in time order.
    pub periods: Vec<TrendPeriod>,
}

/// One entry period of [`Trends`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPeriod {
    /// The period's first day, `YYYY-MM-DD`.
    pub start: String,
    /// Users entering in the period who reached each step.
    pub reached: Vec<u64>,
}

/// Where a funnel was computed when its aggregation was pushed down to a warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct PushedDown {
    /// The engine and its version, like `ClickHouse 18.16.1`.
    pub engine: String,
    /// The server, without credentials.
    pub url: String,
    /// The one statement that computed the funnel.
    pub sql: String,
}

/// What the numbers mean and what they were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Semantics {
    /// The file or table read.
    pub source: String,
    /// The steps.
    pub steps: Vec<String>,
    /// The window.
    pub window: Window,
    /// The order rule.
    pub order: Order,
    /// Exclusion steps.
    pub exclude: Vec<ExcludeStep>,
    /// The breakdown attribution.
    pub attribution: Attribution,
    /// The breakdown columns.
    pub by: Vec<String>,
    /// Rows read.
    pub rows_read: u64,
    /// Rows whose event is a step or an excluded event (any row in strict order).
    pub rows_used: u64,
    /// Used rows skipped because their user cell is empty.
    pub rows_without_user: u64,
    /// Distinct users with a used row.
    pub users: u64,
    /// Users with a first-step event who were not excluded (those who enter).
    pub entering: u64,
    /// Users removed by the exclusions.
    pub excluded: u64,
    /// Set when a warehouse computed the funnel (`None`: computed natively).
    pub pushed_down: Option<PushedDown>,
}

impl Semantics {
    /// The semantics of `spec` over `source`, with every count at zero and computed
    /// natively (the counts are filled in by whoever computes the funnel).
    pub fn of(spec: &FunnelSpec, source: &str) -> Semantics {
        Semantics {
            source: source.to_string(),
            steps: spec.steps.clone(),
            window: spec.window.clone(),
            order: spec.order,
            exclude: spec.exclude.clone(),
            attribution: spec.attribution,
            by: spec.by.clone(),
            rows_read: 0,
            rows_used: 0,
            rows_without_user: 0,
            users: 0,
            entering: 0,
            excluded: 0,
            pushed_down: None,
        }
    }
}

/// The result of [`funnel_from_file`] or [`funnel_from_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFunnel {
    /// What the numbers mean.
    pub semantics: Semantics,
    /// One funnel per breakdown group, in order of the group's values (one group
    /// without a breakdown).
    pub groups: Vec<GroupFunnel>,
    /// Per group (as `groups`), per step: the time from the previous step (`None` on
    /// the first step, without users, in unordered order, or when pushed down).
    pub times: Vec<Vec<Option<TimeStats>>>,
    /// Conversion by entry period, when an interval was asked for.
    pub trends: Option<Trends>,
}

/// Each user's deepest step, for drop-off lists: the user names of each shard and,
/// in the same order, a level per user (0: no first step, 1..=n: steps reached,
/// [`UserLevels::EXCLUDED`]).
#[derive(Debug, Default)]
pub struct UserLevels {
    names: Vec<Interner>,
    levels: Vec<Vec<u8>>,
}

impl UserLevels {
    /// The level of an excluded user.
    pub const EXCLUDED: u8 = u8::MAX;

    /// Every user with a level, shard by shard: `(user id, level)`.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u8)> + '_ {
        self.names
            .iter()
            .zip(&self.levels)
            .flat_map(|(names, levels)| {
                levels
                    .iter()
                    .enumerate()
                    .map(move |(i, &l)| (names.get(i as u32), l))
            })
    }

    /// The number of users with a level.
    pub fn len(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// True without users.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the drop-off list as CSV, streamed: `user_id, reached, last_step,
    /// next_step, status` for every user with a first-step event, where `reached` is
    /// the number of steps reached, `next_step` the step they dropped before (empty
    /// for converters and excluded users) and `status` `converted`, `dropped` or
    /// `excluded` (`reached` empty). Users who reached step k and not k+1 are the
    /// rows with `reached == k`. Cells with a comma, quote or line break are quoted.
    pub fn write_csv(&self, steps: &[String], w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(b"user_id,reached,last_step,next_step,status\n")?;
        let n = steps.len();
        for (user, level) in self.iter() {
            if level == 0 {
                continue;
            }
            write_cell(w, user)?;
            if level == Self::EXCLUDED {
                w.write_all(b",,,,excluded\n")?;
                continue;
            }
            let k = level as usize;
            write!(w, ",{k},")?;
            write_cell(w, steps[k - 1].as_bytes())?;
            w.write_all(b",")?;
            if k < n {
                write_cell(w, steps[k].as_bytes())?;
                w.write_all(b",dropped\n")?;
            } else {
                w.write_all(b",converted\n")?;
            }
        }
        Ok(())
    }
}

/// One CSV cell, quoted (with doubled quotes) when it holds a comma, a quote or a
/// line break.
fn write_cell(w: &mut dyn std::io::Write, cell: &[u8]) -> std::io::Result<()> {
    if cell
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        w.write_all(b"\"")?;
        for part in cell.split(|&b| b == b'"').enumerate() {
            if part.0 > 0 {
                w.write_all(b"\"\"")?;
            }
            w.write_all(part.1)?;
        }
        w.write_all(b"\"")
    } else {
        w.write_all(cell)
    }
}

/// One fold accumulator: counts by group rank, gaps, trends, levels.
struct Tally {
    reached: Vec<Vec<u64>>,
    gaps: Vec<Vec<Vec<i64>>>,
    excluded: u64,
    trends: HashMap<i64, Vec<u64>>,
    levels: Vec<(usize, Vec<u8>)>,
    scratch: Scratch,
    events: Vec<StepEvent>,
}

impl Tally {
    fn new(groups: usize, n: usize) -> Tally {
        Tally {
            reached: vec![vec![0; n]; groups],
            gaps: vec![vec![Vec::new(); n]; groups],
            excluded: 0,
            trends: HashMap::new(),
            levels: Vec::new(),
            scratch: Scratch::default(),
            events: Vec::new(),
        }
    }

    fn user(&mut self, spec: &Ctx, u: UserRef, evs: &[UserEvent]) {
        let level = self.count(spec, evs);
        if spec.keep_users {
            if u.id == 0 || self.levels.last().is_none_or(|l| l.0 != u.shard) {
                self.levels.push((u.shard, Vec::new()));
            }
            if let Some(l) = self.levels.last_mut() {
                l.1.push(level);
            }
        }
    }

    /// Counts one user; returns their level for the drop-off list.
    fn count(&mut self, c: &Ctx, evs: &[UserEvent]) -> u8 {
        // First touch: the earliest first-step event; on a tie, the smallest value.
        let Some(first) = evs.iter().position(|&e| code(e) == 0) else {
            return 0;
        };
        self.events.clear();
        self.events.extend(evs.iter().map(|&(t, k)| StepEvent {
            t,
            code: (k >> 27) as u8,
        }));
        let out = chain::run(&c.rules, &self.events, &mut self.scratch);
        if out.excluded {
            self.excluded += 1;
            return UserLevels::EXCLUDED;
        }
        let level = out.level;
        let chain = self.scratch.chain();
        let group_at = |k: usize| match c.attribution {
            Attribution::FirstTouch => group(evs[first]),
            Attribution::LastTouch => group(evs[chain[level - 1] as usize]),
            Attribution::PerStep => group(evs[chain[k] as usize]),
        };
        for k in 0..level {
            let g = group_at(k);
            self.reached[g][k] += 1;
            if k > 0 && !chain.is_empty() {
                let gap = evs[chain[k] as usize].0 - evs[chain[k - 1] as usize].0;
                self.gaps[g][k].push(gap);
            }
        }
        if let Some(iv) = c.interval {
            let r = self
                .trends
                .entry(iv.index(evs[first].0))
                .or_insert_with(|| vec![0; c.rules.n_steps()]);
            for x in &mut r[..level] {
                *x += 1;
            }
        }
        level as u8
    }

    fn merge(mut self, other: Tally) -> Tally {
        for (g, (r, gp)) in other.reached.into_iter().zip(other.gaps).enumerate() {
            for (k, (x, mut v)) in r.into_iter().zip(gp).enumerate() {
                self.reached[g][k] += x;
                self.gaps[g][k].append(&mut v);
            }
        }
        self.excluded += other.excluded;
        for (p, r) in other.trends {
            let mine = self.trends.entry(p).or_insert_with(|| vec![0; r.len()]);
            for (a, b) in mine.iter_mut().zip(r) {
                *a += b;
            }
        }
        self.levels.extend(other.levels);
        self
    }
}

/// What every user's count needs.
struct Ctx {
    rules: Rules,
    attribution: Attribution,
    interval: Option<Interval>,
    keep_users: bool,
}

/// Runs the funnel over the collected events: the result and, with `keep_users`,
/// every user's level.
fn compute(
    spec: &FunnelSpec,
    source: &str,
    names: &[String],
    collector: Collector,
    keep_users: bool,
) -> (ObservedFunnel, UserLevels) {
    let (rows_read, rows_used, no_user) = (collector.rows, collector.step_rows, collector.no_user);
    let n = spec.steps.len();
    let ctx = Ctx {
        rules: spec.rules(names),
        attribution: spec.attribution,
        interval: spec.interval,
        keep_users,
    };
    let g = collector.groups();
    let mut visited = collector.visit_users(
        keep_users,
        || Tally::new(g, n),
        |acc: &mut Tally, u, evs| acc.user(&ctx, u, evs),
        Tally::merge,
    );
    let tally = std::mem::replace(&mut visited.acc, Tally::new(0, 0));
    let mut groups = Vec::new();
    let mut times = Vec::new();
    let mut entering = 0;
    for (r, (reached, mut gaps)) in tally.reached.into_iter().zip(tally.gaps).enumerate() {
        if reached.iter().all(|&x| x == 0) {
            continue;
        }
        entering += reached[0];
        let key = visited.key(r, !spec.by.is_empty());
        let stats: Vec<Option<TimeStats>> = gaps
            .iter_mut()
            .enumerate()
            .map(|(k, v)| if k == 0 { None } else { TimeStats::of(v) })
            .collect();
        let medians: Vec<Option<f64>> = stats
            .iter()
            .map(|s| s.as_ref().map(|s| s.percentiles[2] * 1000.0))
            .collect();
        groups.push(GroupFunnel::from_counts(
            &spec.steps,
            key,
            &reached,
            &medians,
        ));
        times.push(stats);
    }
    let trends = spec.interval.map(|interval| {
        let mut periods: Vec<(i64, Vec<u64>)> = tally.trends.into_iter().collect();
        periods.sort_by_key(|p| p.0);
        Trends {
            interval,
            periods: periods
                .into_iter()
                .map(|(p, reached)| TrendPeriod {
                    start: interval.start_text(p),
                    reached,
                })
                .collect(),
        }
    });
    let mut levels = vec![Vec::new(); visited.names.len()];
    for (s, l) in tally.levels {
        levels[s] = l;
    }
    let users = UserLevels {
        names: visited.names,
        levels,
    };
    let funnel = ObservedFunnel {
        semantics: Semantics {
            rows_read,
            rows_used,
            rows_without_user: no_user,
            users: visited.users,
            entering,
            excluded: tally.excluded,
            ..Semantics::of(spec, source)
        },
        groups,
        times,
        trends,
    };
    (funnel, users)
}

impl ObservedFunnel {
    /// The result table: the `by` columns, then `step, users,
    /// conversion_from_previous, conversion_from_first, median_time_from_previous`.
    /// Missing values (first step, empty previous step) are empty cells.
    pub fn to_table(&self) -> Result<Table, crate::table::TableError> {
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.semantics.by.len()];
        let (mut step, mut users, mut prev, mut first, mut med) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for g in &self.groups {
            for s in &g.steps {
                for (c, v) in by.iter_mut().zip(&g.key) {
                    c.push(Some(v.clone()));
                }
                step.push(Some(s.step.clone()));
                users.push(Some(s.users as i64));
                prev.push(s.conversion_from_previous);
                first.push(s.conversion_from_first);
                med.push(s.median_time_from_previous);
            }
        }
        let mut cols = self.by_columns(by);
        cols.push(("step".into(), Column::text(step)));
        cols.push(("users".into(), Column::int(users)));
        cols.push(("conversion_from_previous".into(), Column::float(prev)));
        cols.push(("conversion_from_first".into(), Column::float(first)));
        cols.push(("median_time_from_previous".into(), Column::float(med)));
        Ok(Table::new(&self.semantics.source, cols)?.with_kinds(&[
            ("users", Kind::Count),
            ("conversion_from_previous", Kind::Rate),
            ("conversion_from_first", Kind::Rate),
        ]))
    }

    fn by_columns(&self, by: Vec<Vec<Option<String>>>) -> Vec<(String, Column)> {
        by_columns(&self.semantics.by, by)
    }

    /// Time to convert: the `by` columns, then `step, users, mean, p10, p25, p50,
    /// p75, p90` (seconds from the previous step in the counted chain), one row per
    /// group and step after the first with users reaching it.
    pub fn times_table(&self) -> Result<Table, crate::table::TableError> {
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.semantics.by.len()];
        let mut step = Vec::new();
        let mut users = Vec::new();
        let mut mean = Vec::new();
        let mut ps: [Vec<Option<f64>>; 5] = Default::default();
        for (g, stats) in self.groups.iter().zip(&self.times) {
            for (s, st) in g.steps.iter().zip(stats) {
                let Some(st) = st else { continue };
                for (c, v) in by.iter_mut().zip(&g.key) {
                    c.push(Some(v.clone()));
                }
                step.push(Some(s.step.clone()));
                users.push(Some(st.users as i64));
                mean.push(Some(st.mean));
                for (col, v) in ps.iter_mut().zip(st.percentiles) {
                    col.push(Some(v));
                }
            }
        }
        let mut cols = self.by_columns(by);
        cols.push(("step".into(), Column::text(step)));
        cols.push(("users".into(), Column::int(users)));
        cols.push(("mean".into(), Column::float(mean)));
        for (name, col) in ["p10", "p25", "p50", "p75", "p90"].into_iter().zip(ps) {
            cols.push((name.into(), Column::float(col)));
        }
        Ok(Table::new(&self.semantics.source, cols)?.with_kind("users", Kind::Count))
    }

    /// The time-to-convert histogram: the `by` columns, then `step, bucket,
    /// from_seconds, to_seconds, users` (`to_seconds` empty for the open last
    /// bucket), every bucket of every step after the first with users reaching it.
    pub fn histogram_table(&self) -> Result<Table, crate::table::TableError> {
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.semantics.by.len()];
        let (mut step, mut bucket, mut from, mut to, mut users) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (g, stats) in self.groups.iter().zip(&self.times) {
            for (s, st) in g.steps.iter().zip(stats) {
                let Some(st) = st else { continue };
                for (b, &count) in st.histogram.iter().enumerate() {
                    for (c, v) in by.iter_mut().zip(&g.key) {
                        c.push(Some(v.clone()));
                    }
                    step.push(Some(s.step.clone()));
                    bucket.push(Some(b as i64 + 1));
                    from.push(Some(if b == 0 { 0 } else { BUCKET_EDGES_S[b - 1] }));
                    to.push(BUCKET_EDGES_S.get(b).copied());
                    users.push(Some(count as i64));
                }
            }
        }
        let mut cols = self.by_columns(by);
        cols.push(("step".into(), Column::text(step)));
        cols.push(("bucket".into(), Column::int(bucket)));
        cols.push(("from_seconds".into(), Column::int(from)));
        cols.push(("to_seconds".into(), Column::int(to)));
        cols.push(("users".into(), Column::int(users)));
        Ok(Table::new(&self.semantics.source, cols)?.with_kind("users", Kind::Count))
    }

    /// Conversion by entry period: `period, step, users, conversion_from_first`, one
    /// row per period and step (`None` without an interval).
    pub fn trends_table(&self) -> Option<Result<Table, crate::table::TableError>> {
        let tr = self.trends.as_ref()?;
        let (mut period, mut step, mut users, mut rate) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in &tr.periods {
            for (k, &r) in p.reached.iter().enumerate() {
                period.push(Some(p.start.clone()));
                step.push(Some(self.semantics.steps[k].clone()));
                users.push(Some(r as i64));
                rate.push((p.reached[0] > 0).then(|| r as f64 / p.reached[0] as f64));
            }
        }
        Some(
            Table::new(
                &self.semantics.source,
                vec![
                    (tr.interval.name().to_string(), Column::text(period)),
                    ("step".into(), Column::text(step)),
                    ("users".into(), Column::int(users)),
                    ("conversion_from_first".into(), Column::float(rate)),
                ],
            )
            .map(|t| {
                t.with_kinds(&[
                    ("users", Kind::Count),
                    ("conversion_from_first", Kind::Rate),
                ])
            }),
        )
    }

    /// The users at each step, over all groups together: `(step, users)`. Users are
    /// summed over the breakdown groups (each user belongs to one group per step).
    pub fn step_users(&self) -> Vec<(String, u64)> {
        let n = self.semantics.steps.len();
        (0..n)
            .map(|k| {
                (
                    self.semantics.steps[k].clone(),
                    self.groups.iter().map(|g| g.steps[k].users).sum(),
                )
            })
            .collect()
    }
}

/// The breakdown columns of a result table: one text column per `by` name.
pub(crate) fn by_columns(names: &[String], by: Vec<Vec<Option<String>>>) -> Vec<(String, Column)> {
    names
        .iter()
        .cloned()
        .zip(by.into_iter().map(Column::text))
        .collect()
}

/// Streams the CSV file at `path` (named `source` in messages and semantics) and
/// computes the funnel. Memory: the used rows' users (each stored once) and 16
/// bytes per used row; other rows are read and dropped.
pub fn funnel_from_file(
    path: &Path,
    source: &str,
    spec: &FunnelSpec,
) -> Result<ObservedFunnel, EventsError> {
    Ok(funnel_from_file_with(path, source, spec, false)?.0)
}

/// [`funnel_from_file`] and, with `keep_users`, every user's level for drop-off
/// lists (the user ids are held once, in the collector's interners).
pub fn funnel_from_file_with(
    path: &Path,
    source: &str,
    spec: &FunnelSpec,
    keep_users: bool,
) -> Result<(ObservedFunnel, UserLevels), EventsError> {
    spec.check()?;
    let names = spec.names();
    let collector = if crate::table::parquet::is_parquet(path) {
        super::parquet_scan::scan_parquet(path, source, &spec.columns(), &names, spec.deadline)?
    } else {
        scan_file(path, source, &spec.columns(), &names, spec.deadline)?
    };
    Ok(compute(spec, source, &names, collector, keep_users))
}

/// [`funnel_from_file`] reading blocks of `block` bytes (for tests of the block
/// boundaries).
#[cfg(test)]
fn funnel_from_file_in_blocks(
    path: &Path,
    source: &str,
    spec: &FunnelSpec,
    block: usize,
) -> Result<ObservedFunnel, EventsError> {
    spec.check()?;
    let names = spec.names();
    let collector = super::csv_scan::scan_file_in_blocks(
        path,
        source,
        &spec.columns(),
        &names,
        spec.deadline,
        block,
    )?;
    Ok(compute(spec, source, &names, collector, false).0)
}

/// Collects the rows of a loaded table whose event has a code among `names`
/// ([`code_of`]). The time column may hold integers or floats (epoch seconds),
/// text (epoch seconds or ISO-8601) or dates (midnight UTC).
pub(crate) fn collect_table(
    table: &Table,
    cols: &Columns,
    names: &[String],
) -> Result<Collector, EventsError> {
    let mut collector = Collector::default();
    let batches = collect_batches(table, cols, names, None)?;
    collector.absorb(batches)?;
    Ok(collector)
}

/// A cell as text, borrowed from text columns (plain or dictionary-encoded).
fn cell_text(c: &Column, row: usize) -> std::borrow::Cow<'_, str> {
    match c.str_at(row) {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(c.text_at(row).unwrap_or_default()),
    }
}

/// The step code of each row's event. A dictionary-encoded event column (a Parquet
/// export's, or a CSV's with few event names) is matched once per distinct name, and
/// each row then looks its name's code up; plain text is matched row by row.
struct EventSteps {
    /// Per row, the index of its distinct name (`None`: a missing cell); `None` for
    /// plain text.
    codes: Option<Vec<Option<u32>>>,
    /// Per distinct name, its step code.
    steps: Vec<Option<usize>>,
}

impl EventSteps {
    fn of(event: &Column, names: &[&[u8]]) -> EventSteps {
        let Some((codes, n)) = event.is_dictionary().then(|| event.text_codes()).flatten() else {
            return EventSteps {
                codes: None,
                steps: Vec::new(),
            };
        };
        let mut steps: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        for (row, c) in codes.iter().enumerate() {
            if let Some(c) = c.map(|c| c as usize).filter(|&c| c < n && !seen[c]) {
                seen[c] = true;
                steps[c] = code_of(names, cell_text(event, row).as_bytes());
            }
        }
        EventSteps {
            codes: Some(codes),
            steps,
        }
    }

    #[inline]
    fn step(&self, event: &Column, names: &[&[u8]], row: usize) -> Option<usize> {
        if let Some(Some(Some(c))) = self.codes.as_ref().map(|codes| codes.get(row)) {
            return self.steps.get(*c as usize).copied().flatten();
        }
        code_of(names, cell_text(event, row).as_bytes())
    }
}

/// The batches of the rows of `table` whose event has a code among `names`, for the
/// collector. `first_row`: the table is a part (a Parquet row group) whose first row
/// is data row `first_row + 1` of its file; messages then name data rows, not lines.
pub(crate) fn collect_batches(
    table: &Table,
    cols: &Columns,
    names: &[String],
    first_row: Option<u64>,
) -> Result<Vec<Batch>, EventsError> {
    let user = table.column(cols.user)?;
    let event = table.column(cols.event)?;
    let time = table.column(cols.time)?;
    let by: Vec<&Column> = cols
        .by
        .iter()
        .map(|b| table.column(b))
        .collect::<Result<_, _>>()?;
    let names: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
    let steps = EventSteps::of(event, &names);
    let mut done = Vec::new();
    let mut batch = Batch::default();
    let mut key = Vec::new();
    for row in 0..table.n_rows() {
        batch.rows += 1;
        let Some(c) = steps.step(event, &names, row) else {
            continue;
        };
        let t = time_at(time, row).ok_or_else(|| {
            let data_row = first_row.unwrap_or(0) + row as u64 + 1;
            EventsError::BadTime {
                file: table.source().to_string(),
                line: match first_row {
                    Some(_) => data_row,
                    None => table.line_of(row).unwrap_or(data_row),
                },
                row: data_row,
                column: cols.time.to_string(),
                text: time.text_at(row).unwrap_or_default(),
            }
        })?;
        key.clear();
        for (i, c) in by.iter().enumerate() {
            if i > 0 {
                key.push(0);
            }
            key.extend_from_slice(cell_text(c, row).as_bytes());
        }
        batch.step_rows += 1;
        let u = user.text_at(row).unwrap_or_default();
        batch.push(u.as_bytes(), &key, c as u8, t);
        if batch.is_full() {
            done.push(std::mem::take(&mut batch));
        }
    }
    done.push(batch);
    Ok(done)
}

/// Computes the funnel over a loaded table (see [`collect_table`] for the times).
pub fn funnel_from_table(table: &Table, spec: &FunnelSpec) -> Result<ObservedFunnel, EventsError> {
    Ok(funnel_from_table_with(table, spec, false)?.0)
}

/// [`funnel_from_table`] and, with `keep_users`, every user's level.
pub fn funnel_from_table_with(
    table: &Table,
    spec: &FunnelSpec,
    keep_users: bool,
) -> Result<(ObservedFunnel, UserLevels), EventsError> {
    spec.check()?;
    let names = spec.names();
    let collector = collect_table(table, &spec.columns(), &names)?;
    Ok(compute(spec, table.source(), &names, collector, keep_users))
}

fn time_at(c: &Column, row: usize) -> Option<i64> {
    use chrono::Datelike;
    match c.dtype() {
        crate::table::DType::Int => c.i64_at(row)?.checked_mul(1000),
        crate::table::DType::Float => {
            let x = c.f64_at(row)?;
            (x.is_finite() && x.abs() < 1e15).then(|| (x * 1000.0).trunc() as i64)
        }
        crate::table::DType::Str => parse_time(c.str_at(row)?.as_bytes()),
        crate::table::DType::Date => {
            let d = c.date_at(row)?;
            Some(
                days_from_civil(
                    i64::from(d.year()),
                    i64::from(d.month()),
                    i64::from(d.day()),
                ) * 86_400_000,
            )
        }
        crate::table::DType::Datetime => c
            .datetime_micros()
            .filter(|_| !c.is_null(row))
            .map(|a| a.value(row).div_euclid(1000)),
        crate::table::DType::Bool => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A random export: quoted and unquoted cells (commas, doubled quotes and
    /// newlines inside quotes), CRLF or LF, empty lines, with or without a final
    /// newline, ISO and epoch times.
    fn random_csv(rng: &mut rand_chacha::ChaCha8Rng) -> String {
        let crlf = rng.random_bool(0.5);
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut s = format!("user_id,event,timestamp,channel{nl}");
        let rows = rng.random_range(0..120);
        for _ in 0..rows {
            let u = rng.random_range(0..4);
            let user = match rng.random_range(0..4) {
                0 => format!("\"u,{u}\""),
                1 => format!("\"u\"\"{u}\""),
                2 => format!("\"u\n{u}\""),
                _ => format!("u{u}"),
            };
            let event = ["a", "b", "c", "x", "\"b\""][rng.random_range(0..5)];
            let t = rng.random_range(0..20);
            let time = if rng.random_bool(0.5) {
                format!("{t}")
            } else {
                format!("1970-01-01T00:00:{t:02}Z")
            };
            let ch = ["p", "q", "\"r,s\"", ""][rng.random_range(0..4)];
            s.push_str(&format!("{user},{event},{time},{ch}{nl}"));
            if rng.random_bool(0.05) {
                s.push_str(nl);
            }
        }
        if rng.random_bool(0.3) {
            s.truncate(s.len() - nl.len());
        }
        s
    }

    #[test]
    fn dictionary_and_plain_event_columns_give_the_same_funnel() {
        let text = "user_id,event,timestamp\nu1,a,1\nu1,,2\nu1,b,3\nu2,a,4\nu2,x,5\nu2,c,6\nu1,c,7\nu3,b,8\nu3,,9\n";
        let table = crate::table::read_csv_bytes(
            "ev.csv",
            text.as_bytes(),
            &crate::table::CsvOptions::default(),
        )
        .expect("table");
        let event = table.column("event").expect("event");
        assert!(event.is_dictionary());
        let plain = table
            .with_column_data("event", event.decoded())
            .expect("plain");
        assert!(!plain.column("event").expect("event").is_dictionary());
        let spec = FunnelSpec::new(
            vec!["a".into(), "b".into(), "c".into()],
            Window::parse("10s").expect("window"),
        )
        .expect("spec");
        let coded = funnel_from_table(&table, &spec).expect("coded");
        assert_eq!(coded, funnel_from_table(&plain, &spec).expect("plain"));
        // u1 reaches c, u2 stops at a (x breaks nothing, b never comes), u3 never starts.
        let steps: Vec<u64> = coded.groups[0].steps.iter().map(|s| s.users).collect();
        assert_eq!(steps, vec![2, 1, 1]);
    }

    #[test]
    fn an_early_error_in_a_long_file_stops_the_reader() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("long.csv");
        let mut text = String::from("user_id,event,timestamp\n");
        for i in 0..20_000 {
            let t = if i == 5 {
                "soon".to_string()
            } else {
                i.to_string()
            };
            text.push_str(&format!("u{},a,{t}\n", i % 100));
        }
        std::fs::write(&path, text).expect("write");
        let spec =
            FunnelSpec::new(vec!["a".into()], Window::parse("1d").expect("window")).expect("spec");
        let e = funnel_from_file_in_blocks(&path, "long.csv", &spec, 256)
            .expect_err("bad time on row 6");
        assert!(
            e.to_string().contains("long.csv:7") && e.to_string().contains("\"soon\""),
            "{e}"
        );
    }

    #[test]
    fn streaming_reader_agrees_with_the_table_reader_at_any_block_size() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ev.csv");
        let mut deep = 0;
        for case in 0..150 {
            let text = random_csv(&mut rng);
            std::fs::write(&path, &text).expect("write");
            let mut spec = FunnelSpec::new(
                vec!["a".into(), "b".into(), "c".into()],
                Window::parse("10s").expect("window"),
            )
            .expect("spec");
            if rng.random_bool(0.5) {
                spec.by = vec!["channel".into()];
            }
            let table = crate::table::read_csv_path_with(
                &path,
                &crate::table::CsvOptions {
                    types: [
                        ("user_id".to_string(), crate::table::DType::Str),
                        ("event".to_string(), crate::table::DType::Str),
                        ("timestamp".to_string(), crate::table::DType::Str),
                        ("channel".to_string(), crate::table::DType::Str),
                    ]
                    .into_iter()
                    .collect(),
                    ..Default::default()
                },
            )
            .expect("table reader");
            let want = funnel_from_table(&table, &spec).expect("from table");
            if want.groups.iter().any(|g| g.steps[2].users > 0) {
                deep += 1;
            }
            for block in [1, 7, 64, 1 << 20] {
                let got = funnel_from_file_in_blocks(&path, "ev.csv", &spec, block)
                    .unwrap_or_else(|e| panic!("case {case}, block {block}: {e}\n{text}"));
                assert_eq!(
                    got.groups, want.groups,
                    "case {case}, block {block}\n{text}"
                );
                assert_eq!(
                    (got.semantics.rows_read, got.semantics.rows_used),
                    (want.semantics.rows_read, want.semantics.rows_used),
                    "case {case}, block {block}"
                );
            }
        }
        assert!(deep > 75, "only {deep} cases reach the last step");
    }
}
