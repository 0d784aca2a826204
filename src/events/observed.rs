//! The observed funnel: its specification, the two ways in (a file streamed natively,
//! or a table already loaded), and the result with the semantics it was computed
//! under.

use super::collect::{median_ms, Collector, Counts};
use super::csv_scan::{scan_file, Columns};
use super::error::EventsError;
use super::time::{days_from_civil, parse_time};
use super::window::Window;
use crate::table::{Column, Table};
use std::path::Path;
use std::time::Instant;

/// The most steps a funnel may have.
pub const MAX_STEPS: usize = 32;

/// Which events may come between two steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Steps in time order (`t1 <= ... <= tk`); any other events, funnel steps
    /// included, may come in between. ClickHouse `windowFunnel` without modes.
    Any,
}

impl Order {
    /// Reads an `order` option: `"any"`; `"strict"` (no other funnel-step event in
    /// between) is recognised and refused as not supported yet.
    pub fn parse(text: &str) -> Result<Order, EventsError> {
        match text {
            "any" => Ok(Order::Any),
            "strict" | "strict_order" => Err(EventsError::Unsupported(
                "order: \"strict\" (no other funnel-step event between two steps)".into(),
            )),
            other => Err(EventsError::Invalid(format!(
                "funnel_events: option 'order' must be \"any\" (\"strict\" is planned), got {}",
                crate::table::quote_text(other)
            ))),
        }
    }

    /// The rule in words, as printed with every result.
    pub fn describe(self) -> &'static str {
        match self {
            Order::Any => "steps in time order, t1 <= t2 <= ... <= tk (equal timestamps allowed); other events may come in between",
        }
    }
}

/// What to compute: steps, window, column names, breakdown.
#[derive(Debug, Clone)]
pub struct FunnelSpec {
    /// The event names of the steps, in order (unique, 1 to [`MAX_STEPS`]).
    pub steps: Vec<String>,
    /// The window on `tk - t1`.
    pub window: Window,
    /// The order rule.
    pub order: Order,
    /// The user id column (default `user_id`).
    pub user: String,
    /// The event name column (default `event`).
    pub event: String,
    /// The timestamp column (default `timestamp`).
    pub time: String,
    /// Breakdown columns (first touch), possibly none.
    pub by: Vec<String>,
    /// Stop reading when this instant passes (the run's time limit).
    pub deadline: Option<Instant>,
}

impl FunnelSpec {
    /// A spec with the default column names and no breakdown. Errors when `steps` is
    /// empty, longer than [`MAX_STEPS`], or has an empty or repeated name.
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
            if steps[..i].contains(s) {
                return Err(EventsError::Invalid(format!(
                    "funnel_events: the step {s:?} appears twice; each step must be a different event"
                )));
            }
        }
        Ok(FunnelSpec {
            steps,
            window,
            order: Order::Any,
            user: "user_id".into(),
            event: "event".into(),
            time: "timestamp".into(),
            by: Vec::new(),
            deadline: None,
        })
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
    /// the chain [`super::chain::best_chain`] reports; `None` on the first step.
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
    /// The breakdown columns.
    pub by: Vec<String>,
    /// Rows read.
    pub rows_read: u64,
    /// Rows whose event is a funnel step (the rows used).
    pub rows_used: u64,
    /// Funnel-step rows skipped because their user cell is empty.
    pub rows_without_user: u64,
    /// Distinct users with a funnel-step event.
    pub users: u64,
    /// Users with a first-step event (those who enter the funnel).
    pub entering: u64,
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
            by: spec.by.clone(),
            rows_read: 0,
            rows_used: 0,
            rows_without_user: 0,
            users: 0,
            entering: 0,
            pushed_down: None,
        }
    }

    /// The semantics as printed above every result.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "Observed funnel from {}: {}\n",
            self.source,
            self.steps.join(" -> ")
        );
        s.push_str(&format!("  order: {}\n", self.order.describe()));
        s.push_str(&format!(
            "  window: {} on tk - t1; each user's best chain over all attempts (as ClickHouse windowFunnel); each user counted once per step\n",
            self.window
        ));
        if self.by.is_empty() {
            s.push_str("  attribution: none (all users in one funnel)\n");
        } else {
            s.push_str(&format!(
                "  attribution: by {}, first touch: the value on the user's earliest {:?} event (ties on the same timestamp: the smallest value); the user's whole funnel counts under it\n",
                self.by.join(", "),
                self.steps.first().map_or("", String::as_str)
            ));
        }
        s.push_str("  median_time_from_previous: seconds; median over the users reaching the step (even count: mean of the middle two) of t(k) - t(k-1) in the chain reaching their deepest step first, earlier steps as late as possible\n");
        let mut rows = format!(
            "  rows: {} read, {} on funnel steps used",
            self.rows_read, self.rows_used
        );
        if self.rows_without_user > 0 {
            rows.push_str(&format!(
                " ({} skipped: empty user)",
                self.rows_without_user
            ));
        }
        rows.push_str(&format!(
            "; {} users with a funnel step, {} entering\n",
            self.users, self.entering
        ));
        s.push_str(&rows);
        if let Some(p) = &self.pushed_down {
            s.push_str(&format!(
                "  computed by {} at {} in one SQL statement (the same rules, in SQL; .sql shows it)\n",
                p.engine, p.url
            ));
        }
        s
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
}

impl ObservedFunnel {
    fn build(spec: &FunnelSpec, source: &str, collector: Collector) -> ObservedFunnel {
        let (rows_read, rows_used, no_user) =
            (collector.rows, collector.step_rows, collector.no_user);
        let n = spec.steps.len();
        let Counts { groups, users } = collector.finish(n, spec.window.millis());
        let mut entering = 0;
        let mut out = Vec::with_capacity(groups.len());
        for mut g in groups {
            entering += g.reached[0];
            let key = if spec.by.is_empty() {
                Vec::new()
            } else {
                g.key
                    .split(|&b| b == 0)
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect()
            };
            let medians: Vec<Option<f64>> = (0..n)
                .map(|k| {
                    if k == 0 {
                        None
                    } else {
                        median_ms(&mut g.gaps[k])
                    }
                })
                .collect();
            out.push(GroupFunnel::from_counts(
                &spec.steps,
                key,
                &g.reached,
                &medians,
            ));
        }
        ObservedFunnel {
            semantics: Semantics {
                rows_read,
                rows_used,
                rows_without_user: no_user,
                users,
                entering,
                ..Semantics::of(spec, source)
            },
            groups: out,
        }
    }

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
        let mut cols: Vec<(String, Column)> = self
            .semantics
            .by
            .iter()
            .cloned()
            .zip(by.into_iter().map(Column::text))
            .collect();
        cols.push(("step".into(), Column::text(step)));
        cols.push(("users".into(), Column::int(users)));
        cols.push(("conversion_from_previous".into(), Column::float(prev)));
        cols.push(("conversion_from_first".into(), Column::float(first)));
        cols.push(("median_time_from_previous".into(), Column::float(med)));
        Table::new(&self.semantics.source, cols)
    }

    /// The observed rate from each step to the next, over all groups together:
    /// `(step, users at step, users at next step)` for steps 1..n-1. The users are
    /// summed over the breakdown groups (each user belongs to exactly one).
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

/// Streams the event export at `path` (named `source` in messages and semantics) and
/// computes the funnel: a Parquet file (recognised by its first bytes, `PAR1`) row
/// group by row group, anything else as CSV (gzip decoded as it is read). Memory: the funnel-step rows' users (each stored once) and
/// 16 bytes per funnel-step row; other rows are read and dropped.
pub fn funnel_from_file(
    path: &Path,
    source: &str,
    spec: &FunnelSpec,
) -> Result<ObservedFunnel, EventsError> {
    let collector = if crate::table::parquet::is_parquet(path) {
        super::parquet_scan::scan_parquet(path, source, spec)?
    } else {
        scan_file(path, source, &spec.columns(), &spec.steps, spec.deadline)?
    };
    Ok(ObservedFunnel::build(spec, source, collector))
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
    let collector = super::csv_scan::scan_file_in_blocks(
        path,
        source,
        &spec.columns(),
        &spec.steps,
        spec.deadline,
        block,
    )?;
    Ok(ObservedFunnel::build(spec, source, collector))
}

/// Computes the funnel over a loaded table. The time column may hold integers or
/// floats (epoch seconds), text (epoch seconds or ISO-8601) or dates (midnight UTC).
pub fn funnel_from_table(table: &Table, spec: &FunnelSpec) -> Result<ObservedFunnel, EventsError> {
    let mut collector = Collector::default();
    let mut batch = super::collect::Batch::default();
    fill_batch(table, spec, &mut batch, &mut |b| {
        collector.absorb(vec![std::mem::take(b)])
    })
    .map_err(|e| match e {
        FillError::Time(row) => {
            let line = table.line_of(row).unwrap_or(row as u64 + 1);
            bad_time(table, spec, row, line, row as u64 + 1)
        }
        FillError::Other(e) => e,
    })?;
    collector.absorb(vec![batch])?;
    Ok(ObservedFunnel::build(spec, table.source(), collector))
}

/// The error for the time cell at `row` of `table` that is not a time.
pub(crate) fn bad_time(
    table: &Table,
    spec: &FunnelSpec,
    row: usize,
    line: u64,
    data_row: u64,
) -> EventsError {
    let text = table
        .column(&spec.time)
        .ok()
        .and_then(|c| c.text_at(row))
        .unwrap_or_default();
    EventsError::BadTime {
        file: table.source().to_string(),
        line,
        row: data_row,
        column: spec.time.clone(),
        text,
    }
}

/// A cell as text: borrowed from a text column, written out for other types.
fn cell_text(c: &Column, row: usize) -> Option<std::borrow::Cow<'_, str>> {
    match c.str_at(row) {
        Some(s) => Some(std::borrow::Cow::Borrowed(s)),
        None => c.text_at(row).map(std::borrow::Cow::Owned),
    }
}

/// Why [`fill_batch`] stopped.
pub(crate) enum FillError {
    /// The time cell of this funnel-step row (0-based) is not a time.
    Time(usize),
    /// Anything else (a missing column, too many breakdown values).
    Other(EventsError),
}

impl From<EventsError> for FillError {
    fn from(e: EventsError) -> Self {
        FillError::Other(e)
    }
}

impl From<crate::table::TableError> for FillError {
    fn from(e: crate::table::TableError) -> Self {
        FillError::Other(e.into())
    }
}

/// Adds the funnel-step rows of `table` to `batch` (every row counted in `rows`),
/// calling `full` whenever the batch cannot take more. A user or event cell of any type is compared as
/// its text; a missing event is no step, a missing user an empty one.
pub(crate) fn fill_batch(
    table: &Table,
    spec: &FunnelSpec,
    batch: &mut super::collect::Batch,
    full: &mut dyn FnMut(&mut super::collect::Batch) -> Result<(), EventsError>,
) -> Result<(), FillError> {
    let user = table.column(&spec.user)?;
    let event = table.column(&spec.event)?;
    let time = table.column(&spec.time)?;
    let by: Vec<&Column> = spec
        .by
        .iter()
        .map(|b| table.column(b))
        .collect::<Result<_, _>>()?;
    // The step of each distinct event text, once per dictionary value when the column
    // is dictionary-encoded.
    // (each row's code, each code's step)
    type Codes = (Vec<Option<u32>>, Vec<Option<usize>>);
    let steps_of_codes: Option<Codes> = event.text_codes().map(|(codes, n)| {
        let mut of_code = vec![None; n];
        for (row, c) in codes.iter().enumerate() {
            if let Some(c) = c {
                let slot = &mut of_code[*c as usize];
                if slot.is_none() {
                    *slot = Some(
                        event
                            .str_at(row)
                            .and_then(|ev| spec.steps.iter().position(|s| s == ev)),
                    );
                }
            }
        }
        (codes, of_code.into_iter().map(Option::flatten).collect())
    });
    let mut key = Vec::new();
    for row in 0..table.n_rows() {
        batch.rows += 1;
        let step = match &steps_of_codes {
            Some((codes, of_code)) => codes[row].and_then(|c| of_code[c as usize]),
            None => cell_text(event, row).and_then(|ev| spec.steps.iter().position(|s| *s == *ev)),
        };
        let Some(step) = step else {
            continue;
        };
        let t = time_at(time, row).ok_or(FillError::Time(row))?;
        key.clear();
        for (i, c) in by.iter().enumerate() {
            if i > 0 {
                key.push(0);
            }
            key.extend_from_slice(cell_text(c, row).unwrap_or_default().as_bytes());
        }
        batch.step_rows += 1;
        let u = cell_text(user, row).unwrap_or_default();
        batch.push(u.as_bytes(), &key, step as u8, t);
        if batch.is_full() {
            full(batch)?;
        }
    }
    Ok(())
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
