//! Retention cohorts from an event export, streamed like the funnel: cohort tables,
//! N-period and unbounded retention, and the repeat rate.
//!
//! Rules (calendar periods in UTC, see [`super::period`]):
//! - A user's *start* is their earliest `start_event` (ties: the smallest breakdown
//!   value, which is the value the user is counted under: first touch). Their
//!   *cohort* is the period of the start. Users without a start event are not counted.
//! - The user is *retained in period p* (p = 0, 1, ...) when they have a
//!   `return_event` at or after their start time in the period `cohort + p`. When the
//!   two events are the same, the start itself is a return, so period 0 is 100%.
//! - *Unbounded* retention in period p: a return in period `cohort + p` or later.
//! - Period p of a cohort is *observed* when `cohort + p` is at most the period of
//!   the latest start or return event in the data; cohort rows and the N-period
//!   rates use observed periods only (a cohort that has not had time to return is not
//!   counted as lost).
//! - *Repeat rate*: among cohort users with at least one return at or after their
//!   start, the share with at least two (distinct rows; two on one timestamp count
//!   twice). With `start_event == return_event == "purchase"` this is the
//!   repeat-purchase rate.
//!
//! The same table as ClickHouse's `retention(cond1, cond2, ...)` per cohort: `r[0]`
//! is the start in the cohort's period, `r[p]` a return in period `cohort + p`
//! (tests/warehouse.rs checks it against the server).

use super::collect::{code, group, Collector, UserEvent};
use super::csv_scan::{scan_file, Columns};
use super::error::EventsError;
use super::observed::collect_table;
use super::period::Interval;
use crate::table::{Column, Kind, Table};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// The most periods a retention table may follow.
pub const MAX_PERIODS: usize = 400;

/// What to compute.
#[derive(Debug, Clone)]
pub struct RetentionSpec {
    /// The event that puts a user in a cohort.
    pub start_event: String,
    /// The event that counts as coming back.
    pub return_event: String,
    /// The period length.
    pub interval: Interval,
    /// The periods followed after the cohort's own (1 to [`MAX_PERIODS`]).
    pub periods: usize,
    /// Breakdown columns (first touch: the value on the start event).
    pub by: Vec<String>,
    /// The user id column.
    pub user: String,
    /// The event name column.
    pub event: String,
    /// The timestamp column.
    pub time: String,
    /// Stop reading when this instant passes.
    pub deadline: Option<Instant>,
}

impl RetentionSpec {
    /// A spec with the default columns (`user_id`, `event`, `timestamp`) and no
    /// breakdown. Errors on empty event names or periods out of range.
    pub fn new(
        start_event: &str,
        return_event: &str,
        interval: Interval,
        periods: usize,
    ) -> Result<RetentionSpec, EventsError> {
        if start_event.is_empty() || return_event.is_empty() {
            return Err(EventsError::Invalid(
                "retention: options 'start_event' and 'return_event' must be event names".into(),
            ));
        }
        if !(1..=MAX_PERIODS).contains(&periods) {
            return Err(EventsError::Invalid(format!(
                "retention: option 'periods' must be between 1 and {MAX_PERIODS}, got {periods}"
            )));
        }
        Ok(RetentionSpec {
            start_event: start_event.to_string(),
            return_event: return_event.to_string(),
            interval,
            periods,
            by: Vec::new(),
            user: "user_id".into(),
            event: "event".into(),
            time: "timestamp".into(),
            deadline: None,
        })
    }

    fn names(&self) -> Vec<String> {
        if self.start_event == self.return_event {
            vec![self.start_event.clone()]
        } else {
            vec![self.start_event.clone(), self.return_event.clone()]
        }
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

/// One cohort: the users who started in one period (within one breakdown group).
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The breakdown values.
    pub key: Vec<String>,
    /// The cohort's period, by its first day (`YYYY-MM-DD`).
    pub start: String,
    /// Users in the cohort.
    pub size: u64,
    /// Users retained in period p, for each observed p (`retained.len()` observed
    /// periods, at most `periods + 1`).
    pub retained: Vec<u64>,
    /// Users with a return in period p or later, for each observed p.
    pub unbounded: Vec<u64>,
}

/// A breakdown group's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRetention {
    /// The breakdown values.
    pub key: Vec<String>,
    /// Users in the group's cohorts.
    pub users: u64,
    /// Users with at least one return at or after their start.
    pub returning: u64,
    /// Users with at least two.
    pub repeat: u64,
}

/// The result of [`retention_from_file`] or [`retention_from_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Retention {
    /// The file or table read.
    pub source: String,
    /// The start event.
    pub start_event: String,
    /// The return event.
    pub return_event: String,
    /// The period length.
    pub interval: Interval,
    /// The periods followed.
    pub periods: usize,
    /// The breakdown columns.
    pub by: Vec<String>,
    /// Rows read.
    pub rows_read: u64,
    /// Rows on the start or return event.
    pub rows_used: u64,
    /// The latest period with a start or return event (`YYYY-MM-DD` of its first
    /// day), empty without events.
    pub last_period: String,
    /// Cohorts, by group then period.
    pub cohorts: Vec<Cohort>,
    /// Totals by group.
    pub groups: Vec<GroupRetention>,
}

#[derive(Default)]
struct CohortAcc {
    size: u64,
    retained: Vec<u64>,
    unbounded: Vec<u64>,
}

#[derive(Default)]
struct Acc {
    /// By (group rank, cohort period).
    cohorts: HashMap<(usize, i64), CohortAcc>,
    /// By group rank: users, returning, repeat.
    totals: HashMap<usize, [u64; 3]>,
    /// The latest period of any event.
    last: Option<i64>,
    marks: Vec<bool>,
}

impl Acc {
    fn user(&mut self, spec: &RetentionSpec, ret_code: u8, evs: &[UserEvent]) {
        let iv = spec.interval;
        if let Some(&(t, _)) = evs.last() {
            let p = iv.index(t);
            self.last = Some(self.last.map_or(p, |l| l.max(p)));
        }
        let Some(first) = evs.iter().position(|&e| code(e) == 0) else {
            return;
        };
        let (t0, g) = (evs[first].0, group(evs[first]));
        let cohort = iv.index(t0);
        let n = spec.periods + 1;
        self.marks.clear();
        self.marks.resize(n, false);
        let mut returns = 0u64;
        let mut latest: Option<usize> = None;
        for &e in &evs[first..] {
            if code(e) != ret_code || e.0 < t0 {
                continue;
            }
            returns += 1;
            let p = (iv.index(e.0) - cohort) as usize;
            if p < n {
                self.marks[p] = true;
            }
            latest = Some(latest.map_or(p, |l| l.max(p)));
        }
        let c = self
            .cohorts
            .entry((g, cohort))
            .or_insert_with(|| CohortAcc {
                size: 0,
                retained: vec![0; n],
                unbounded: vec![0; n],
            });
        c.size += 1;
        for p in 0..n {
            if self.marks[p] {
                c.retained[p] += 1;
            }
            if latest.is_some_and(|l| l >= p) {
                c.unbounded[p] += 1;
            }
        }
        let t = self.totals.entry(g).or_default();
        t[0] += 1;
        t[1] += u64::from(returns >= 1);
        t[2] += u64::from(returns >= 2);
    }

    fn merge(mut self, other: Acc) -> Acc {
        for (k, c) in other.cohorts {
            let m = self.cohorts.entry(k).or_insert_with(|| CohortAcc {
                size: 0,
                retained: vec![0; c.retained.len()],
                unbounded: vec![0; c.unbounded.len()],
            });
            m.size += c.size;
            for (a, b) in m.retained.iter_mut().zip(&c.retained) {
                *a += b;
            }
            for (a, b) in m.unbounded.iter_mut().zip(&c.unbounded) {
                *a += b;
            }
        }
        for (g, t) in other.totals {
            let m = self.totals.entry(g).or_default();
            for i in 0..3 {
                m[i] += t[i];
            }
        }
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self
    }
}

fn compute(spec: &RetentionSpec, source: &str, collector: Collector) -> Retention {
    let (rows_read, rows_used) = (collector.rows, collector.step_rows);
    let ret_code = u8::from(spec.start_event != spec.return_event);
    let visited = collector.visit_users(
        false,
        Acc::default,
        |acc: &mut Acc, _, evs| acc.user(spec, ret_code, evs),
        Acc::merge,
    );
    let key_of = |g: usize| visited.key(g, !spec.by.is_empty());
    let acc = &visited.acc;
    let last = acc.last.unwrap_or(i64::MIN);
    let mut cohorts: Vec<(&(usize, i64), &CohortAcc)> = acc.cohorts.iter().collect();
    cohorts.sort_by_key(|c| c.0);
    let cohorts = cohorts
        .into_iter()
        .map(|(&(g, c), a)| {
            let observed = usize::try_from(last - c + 1)
                .unwrap_or(0)
                .min(a.retained.len());
            Cohort {
                key: key_of(g),
                start: spec.interval.start_text(c),
                size: a.size,
                retained: a.retained[..observed].to_vec(),
                unbounded: a.unbounded[..observed].to_vec(),
            }
        })
        .collect();
    let mut totals: Vec<(usize, [u64; 3])> = acc.totals.iter().map(|(&g, &t)| (g, t)).collect();
    totals.sort_by_key(|t| t.0);
    Retention {
        source: source.to_string(),
        start_event: spec.start_event.clone(),
        return_event: spec.return_event.clone(),
        interval: spec.interval,
        periods: spec.periods,
        by: spec.by.clone(),
        rows_read,
        rows_used,
        last_period: acc
            .last
            .map(|l| spec.interval.start_text(l))
            .unwrap_or_default(),
        cohorts,
        groups: totals
            .into_iter()
            .map(|(g, t)| GroupRetention {
                key: key_of(g),
                users: t[0],
                returning: t[1],
                repeat: t[2],
            })
            .collect(),
    }
}

/// Streams the CSV file at `path` (named `source`) and computes the retention.
pub fn retention_from_file(
    path: &Path,
    source: &str,
    spec: &RetentionSpec,
) -> Result<Retention, EventsError> {
    let collector = scan_file(path, source, &spec.columns(), &spec.names(), spec.deadline)?;
    Ok(compute(spec, source, collector))
}

/// The retention of a loaded table.
pub fn retention_from_table(table: &Table, spec: &RetentionSpec) -> Result<Retention, EventsError> {
    let collector = collect_table(table, &spec.columns(), &spec.names())?;
    Ok(compute(spec, table.source(), collector))
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl Retention {
    fn by_columns(&self, by: Vec<Vec<Option<String>>>) -> Vec<(String, Column)> {
        super::observed::by_columns(&self.by, by)
    }

    /// The cohort table: the `by` columns, then `cohort, cohort_size, period,
    /// retained, rate, unbounded, unbounded_rate`, one row per cohort and observed
    /// period.
    pub fn cohort_table(&self) -> Result<Table, crate::table::TableError> {
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.by.len()];
        let mut cols: [Vec<Option<i64>>; 4] = Default::default();
        let (mut cohort, mut rate, mut urate) = (Vec::new(), Vec::new(), Vec::new());
        for c in &self.cohorts {
            for (p, (&r, &u)) in c.retained.iter().zip(&c.unbounded).enumerate() {
                for (col, v) in by.iter_mut().zip(&c.key) {
                    col.push(Some(v.clone()));
                }
                cohort.push(Some(c.start.clone()));
                cols[0].push(Some(c.size as i64));
                cols[1].push(Some(p as i64));
                cols[2].push(Some(r as i64));
                cols[3].push(Some(u as i64));
                rate.push(ratio(r, c.size));
                urate.push(ratio(u, c.size));
            }
        }
        let [size, period, retained, unbounded] = cols;
        let mut out = self.by_columns(by);
        out.push(("cohort".into(), Column::text(cohort)));
        out.push(("cohort_size".into(), Column::int(size)));
        out.push(("period".into(), Column::int(period)));
        out.push(("retained".into(), Column::int(retained)));
        out.push(("rate".into(), Column::float(rate)));
        out.push(("unbounded".into(), Column::int(unbounded)));
        out.push(("unbounded_rate".into(), Column::float(urate)));
        Ok(Table::new(&self.source, out)?.with_kinds(&[
            ("cohort_size", Kind::Count),
            ("retained", Kind::Count),
            ("rate", Kind::Rate),
            ("unbounded", Kind::Count),
            ("unbounded_rate", Kind::Rate),
        ]))
    }

    /// N-period retention over all cohorts of a group: the `by` columns, then
    /// `period, cohort_users, retained, rate, unbounded, unbounded_rate`, where
    /// `cohort_users` sums the sizes of the cohorts that have reached period p.
    pub fn summary_table(&self) -> Result<Table, crate::table::TableError> {
        let mut groups: Vec<(&Vec<String>, Vec<[u64; 3]>)> = Vec::new();
        for c in &self.cohorts {
            if groups.last().is_none_or(|g| g.0 != &c.key) {
                groups.push((&c.key, vec![[0; 3]; self.periods + 1]));
            }
            if let Some(g) = groups.last_mut() {
                for (p, (&r, &u)) in c.retained.iter().zip(&c.unbounded).enumerate() {
                    g.1[p][0] += c.size;
                    g.1[p][1] += r;
                    g.1[p][2] += u;
                }
            }
        }
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.by.len()];
        let mut ints: [Vec<Option<i64>>; 4] = Default::default();
        let (mut rate, mut urate) = (Vec::new(), Vec::new());
        for (key, per) in &groups {
            for (p, s) in per.iter().enumerate() {
                if s[0] == 0 {
                    continue;
                }
                for (col, v) in by.iter_mut().zip(key.iter()) {
                    col.push(Some(v.clone()));
                }
                ints[0].push(Some(p as i64));
                ints[1].push(Some(s[0] as i64));
                ints[2].push(Some(s[1] as i64));
                ints[3].push(Some(s[2] as i64));
                rate.push(ratio(s[1], s[0]));
                urate.push(ratio(s[2], s[0]));
            }
        }
        let [period, users, retained, unbounded] = ints;
        let mut out = self.by_columns(by);
        out.push(("period".into(), Column::int(period)));
        out.push(("cohort_users".into(), Column::int(users)));
        out.push(("retained".into(), Column::int(retained)));
        out.push(("rate".into(), Column::float(rate)));
        out.push(("unbounded".into(), Column::int(unbounded)));
        out.push(("unbounded_rate".into(), Column::float(urate)));
        Ok(Table::new(&self.source, out)?.with_kinds(&[
            ("cohort_users", Kind::Count),
            ("retained", Kind::Count),
            ("rate", Kind::Rate),
            ("unbounded", Kind::Count),
            ("unbounded_rate", Kind::Rate),
        ]))
    }

    /// The repeat rate by group: the `by` columns, then `users, returning,
    /// repeat, repeat_rate` (`repeat / returning`).
    pub fn repeat_table(&self) -> Result<Table, crate::table::TableError> {
        let mut by: Vec<Vec<Option<String>>> = vec![Vec::new(); self.by.len()];
        let mut ints: [Vec<Option<i64>>; 3] = Default::default();
        let mut rate = Vec::new();
        for g in &self.groups {
            for (col, v) in by.iter_mut().zip(&g.key) {
                col.push(Some(v.clone()));
            }
            ints[0].push(Some(g.users as i64));
            ints[1].push(Some(g.returning as i64));
            ints[2].push(Some(g.repeat as i64));
            rate.push(ratio(g.repeat, g.returning));
        }
        let [users, returning, repeat] = ints;
        let mut out = self.by_columns(by);
        out.push(("users".into(), Column::int(users)));
        out.push(("returning".into(), Column::int(returning)));
        out.push(("repeat".into(), Column::int(repeat)));
        out.push(("repeat_rate".into(), Column::float(rate)));
        Ok(Table::new(&self.source, out)?.with_kinds(&[
            ("users", Kind::Count),
            ("returning", Kind::Count),
            ("repeat", Kind::Count),
            ("repeat_rate", Kind::Rate),
        ]))
    }
}
