//! Lifecycle of active users per period (PostHog's lifecycle), streamed like the
//! funnel.
//!
//! A user is *active* in a period (calendar periods in UTC, see [`super::period`])
//! when they have the event in it. For every period P from the first to the last
//! period with the event in the data:
//! - *new*: active in P, and P is the user's first active period in the data;
//! - *returning*: active in P and in P-1;
//! - *resurrected*: active in P, not in P-1, and active before P-1;
//! - *dormant*: active in P-1 and not in P (counted in P as a positive number;
//!   PostHog draws it below the axis).
//!
//! `active = new + returning + resurrected`. "New" means new in the export: a user
//! first seen in the first period may have been active before the export starts.

use super::collect::{Collector, UserEvent};
use super::csv_scan::{scan_file, Columns};
use super::error::EventsError;
use super::observed::collect_table;
use super::period::Interval;
use crate::table::{Column, Kind, Table};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// What to compute.
#[derive(Debug, Clone)]
pub struct LifecycleSpec {
    /// The event that makes a user active.
    pub event_name: String,
    /// The period length.
    pub interval: Interval,
    /// The user id column.
    pub user: String,
    /// The event name column.
    pub event: String,
    /// The timestamp column.
    pub time: String,
    /// Stop reading when this instant passes.
    pub deadline: Option<Instant>,
}

impl LifecycleSpec {
    /// A spec with the default columns. Errors on an empty event name.
    pub fn new(event_name: &str, interval: Interval) -> Result<LifecycleSpec, EventsError> {
        if event_name.is_empty() {
            return Err(EventsError::Invalid(
                "lifecycle: option 'event' must be an event name".into(),
            ));
        }
        Ok(LifecycleSpec {
            event_name: event_name.to_string(),
            interval,
            user: "user_id".into(),
            event: "event".into(),
            time: "timestamp".into(),
            deadline: None,
        })
    }
}

/// One period's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LifecyclePeriod {
    /// First active period.
    pub new: u64,
    /// Active in this and the previous period.
    pub returning: u64,
    /// Active, not in the previous period, but before it.
    pub resurrected: u64,
    /// Active in the previous period and not in this one.
    pub dormant: u64,
}

/// The result: one entry per period from the first to the last active period.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    /// The file or table read.
    pub source: String,
    /// The event.
    pub event_name: String,
    /// The period length.
    pub interval: Interval,
    /// Rows read.
    pub rows_read: u64,
    /// Rows on the event.
    pub rows_used: u64,
    /// `(first day of the period, counts)`, in time order.
    pub periods: Vec<(String, LifecyclePeriod)>,
}

#[derive(Default)]
struct Acc {
    counts: HashMap<i64, LifecyclePeriod>,
    range: Option<(i64, i64)>,
    active: Vec<i64>,
}

impl Acc {
    fn user(&mut self, iv: Interval, evs: &[UserEvent]) {
        self.active.clear();
        for &(t, _) in evs {
            let p = iv.index(t);
            if self.active.last() != Some(&p) {
                self.active.push(p);
            }
        }
        let (Some(&lo), Some(&hi)) = (self.active.first(), self.active.last()) else {
            return;
        };
        self.range = Some(self.range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        for (i, &p) in self.active.iter().enumerate() {
            let c = self.counts.entry(p).or_default();
            if i == 0 {
                c.new += 1;
            } else if self.active[i - 1] == p - 1 {
                c.returning += 1;
            } else {
                c.resurrected += 1;
            }
            if self.active.get(i + 1) != Some(&(p + 1)) {
                self.counts.entry(p + 1).or_default().dormant += 1;
            }
        }
    }

    fn merge(mut self, other: Acc) -> Acc {
        for (p, c) in other.counts {
            let m = self.counts.entry(p).or_default();
            m.new += c.new;
            m.returning += c.returning;
            m.resurrected += c.resurrected;
            m.dormant += c.dormant;
        }
        self.range = match (self.range, other.range) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self
    }
}

fn compute(spec: &LifecycleSpec, source: &str, collector: Collector) -> Lifecycle {
    let (rows_read, rows_used) = (collector.rows, collector.step_rows);
    let iv = spec.interval;
    let acc = collector
        .visit_users(
            false,
            Acc::default,
            |acc: &mut Acc, _, evs| acc.user(iv, evs),
            Acc::merge,
        )
        .acc;
    let periods = match acc.range {
        None => Vec::new(),
        Some((lo, hi)) => (lo..=hi)
            .map(|p| {
                (
                    iv.start_text(p),
                    acc.counts.get(&p).copied().unwrap_or_default(),
                )
            })
            .collect(),
    };
    Lifecycle {
        source: source.to_string(),
        event_name: spec.event_name.clone(),
        interval: iv,
        rows_read,
        rows_used,
        periods,
    }
}

fn columns(spec: &LifecycleSpec) -> Columns<'_> {
    Columns {
        user: &spec.user,
        event: &spec.event,
        time: &spec.time,
        by: &[],
    }
}

/// Streams the CSV file at `path` (named `source`) and computes the lifecycle.
pub fn lifecycle_from_file(
    path: &Path,
    source: &str,
    spec: &LifecycleSpec,
) -> Result<Lifecycle, EventsError> {
    let names = [spec.event_name.clone()];
    let collector = scan_file(path, source, &columns(spec), &names, spec.deadline)?;
    Ok(compute(spec, source, collector))
}

/// The lifecycle of a loaded table.
pub fn lifecycle_from_table(table: &Table, spec: &LifecycleSpec) -> Result<Lifecycle, EventsError> {
    let names = [spec.event_name.clone()];
    let collector = collect_table(table, &columns(spec), &names)?;
    Ok(compute(spec, table.source(), collector))
}

impl Lifecycle {
    /// The table: `<interval>, new, returning, resurrected, dormant, active`.
    pub fn to_table(&self) -> Result<Table, crate::table::TableError> {
        let col = |f: &dyn Fn(&LifecyclePeriod) -> u64| {
            Column::int(
                self.periods
                    .iter()
                    .map(|(_, c)| Some(f(c) as i64))
                    .collect(),
            )
        };
        Table::new(
            &self.source,
            vec![
                (
                    self.interval.name().to_string(),
                    Column::text(self.periods.iter().map(|(p, _)| Some(p.clone())).collect()),
                ),
                ("new".into(), col(&|c| c.new)),
                ("returning".into(), col(&|c| c.returning)),
                ("resurrected".into(), col(&|c| c.resurrected)),
                ("dormant".into(), col(&|c| c.dormant)),
                (
                    "active".into(),
                    col(&|c| c.new + c.returning + c.resurrected),
                ),
            ],
        )
        .map(|t| {
            t.with_kinds(&[
                ("new", Kind::Count),
                ("returning", Kind::Count),
                ("resurrected", Kind::Count),
                ("dormant", Kind::Count),
                ("active", Kind::Count),
            ])
        })
    }
}
