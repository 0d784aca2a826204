//! `ab_report`'s options and aggregation: the arms' totals (users, conversions, revenue
//! moments), per-day and per-segment counts and each metric's co-moments, read in one
//! native pass over the columns; the analysis of them is in [`super::analysis`] and
//! the readout in words in `render/ab_readout.rs`.
//!
//! Two input layouts (docs/formats.md): per-user rows (`variant`, `converted` 0/1 or
//! true/false, optional revenue, day, segment and metric columns) or summary rows
//! (`variant, users, conversions[, revenue, revenue_sq]`, one per arm or per arm and
//! day, added up per arm), under the table's own column names when mapped.

use super::analysis::AbReport;
use super::arm::MAX_COUNT;
use super::bayes::{never_stop, ShouldStop};
use super::error::{out_of_range, AbError};
use super::multiple::Adjust;
use super::power::{Design, PowerMethod};
use super::ratio::CoMoments;
use crate::table::{Column, Table};
use std::collections::HashMap;

/// Options of [`ab_report`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The column naming each row's arm.
    pub variant: String,
    /// The control arm's label; `None` takes the first label in the table.
    pub control: Option<String>,
    /// Per-user rows: the 0/1 (or true/false) conversion column.
    pub converted: String,
    /// Per-user rows: an optional revenue-per-user column.
    pub revenue: Option<String>,
    /// Per-user rows: an optional day (or date) column giving the daily looks for the
    /// sequential test.
    pub day: Option<String>,
    /// Planned traffic weights per arm in the table's arm order; `None` is an equal split.
    pub weights: Option<Vec<f64>>,
    /// Significance level.
    pub alpha: f64,
    /// Target power for the underpowered warning.
    pub power: f64,
    /// How many times the results have been looked at so far.
    pub looks: u32,
    /// Report always-valid (mSPRT) p-values.
    pub sequential: bool,
    /// The mSPRT mixing parameter τ.
    pub tau: f64,
    /// The correction when there are several variants (and across segments).
    pub adjust: Adjust,
    /// Summary rows: the column of users per row.
    pub users: String,
    /// Summary rows: the column of conversions per row.
    pub conversions: String,
    /// Summary rows: the column of each row's sum of squared revenue per user
    /// (`None`: `revenue_sq` or `revenue_sumsq` when the table has one).
    pub revenue_sq: Option<String>,
    /// Metrics read beside conversion, each a ratio of per-user means.
    pub metrics: Vec<Metric>,
    /// Guardrail metrics: a significant harm is the first warning.
    pub guardrails: Vec<Metric>,
    /// A column whose values split the conversion readout into segments.
    pub by: Option<String>,
    /// The minimum relative effect the duration line plans for (0.1 = +10%).
    pub mde: f64,
    /// Users a day for the duration line; `None` takes them from the data's days.
    pub daily_users: Option<f64>,
    /// Per-user rows: a pre-period value per user for CUPED on revenue.
    pub covariate: Option<String>,
}

/// A metric as the ratio of two per-user columns' means (`numerator` / `denominator`),
/// or the mean of `numerator` per user without a denominator.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The name printed.
    pub name: String,
    /// The numerator column.
    pub numerator: String,
    /// The denominator column, if any.
    pub denominator: Option<String>,
    /// True when a fall is the good direction (refund rate, cost per order).
    pub lower_is_better: bool,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            variant: "variant".into(),
            control: None,
            converted: "converted".into(),
            revenue: None,
            day: None,
            weights: None,
            alpha: 0.05,
            power: 0.8,
            looks: 1,
            sequential: false,
            tau: super::sequential::DEFAULT_TAU,
            adjust: Adjust::Holm,
            users: "users".into(),
            conversions: "conversions".into(),
            revenue_sq: None,
            metrics: Vec::new(),
            guardrails: Vec::new(),
            by: None,
            mde: 0.1,
            daily_users: None,
            covariate: None,
        }
    }
}

/// One arm's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmTotals {
    /// The label.
    pub name: String,
    /// Users.
    pub users: f64,
    /// Conversions.
    pub conversions: f64,
}

/// One arm's running totals: users, conversions, and the revenue mean and sum of
/// squared deviations (Welford).
#[derive(Default, Clone)]
pub(super) struct Acc {
    pub(super) users: f64,
    pub(super) conv: f64,
    pub(super) mean: f64,
    pub(super) m2: f64,
}

impl Acc {
    /// From sums: `revenue` is `(sum, sum of squares)`; the sum of squares about the
    /// mean comes from the raw sums (the limit of sufficient statistics).
    fn from_sums(users: f64, conv: f64, revenue: Option<(f64, f64)>) -> Acc {
        let mut acc = Acc {
            users,
            conv,
            ..Acc::default()
        };
        if let (Some((s, ss)), true) = (revenue, users > 0.0) {
            acc.mean = s / users;
            acc.m2 = (ss - s * s / users).max(0.0);
        }
        acc
    }

    fn add_revenue(&mut self, v: f64) {
        // Welford's update (self.users already counts this user)
        let d = v - self.mean;
        self.mean += d / self.users;
        self.m2 += d * (v - self.mean);
    }
}

/// The distinct labels of a column in order of first appearance, and each row's
/// label index; `None` for an empty cell. Text and integer columns are keyed without
/// allocating per row.
fn keys(col: &Column) -> (Vec<String>, Vec<usize>, Vec<Option<u32>>) {
    let n = col.len();
    let mut labels = Vec::new();
    let mut first_row = Vec::new();
    let mut idx = Vec::with_capacity(n);
    match col.dtype() {
        crate::table::DType::Str => {
            let mut map: HashMap<&str, u32> = HashMap::new();
            for row in 0..n {
                idx.push(col.str_at(row).map(|s| {
                    *map.entry(s).or_insert_with(|| {
                        labels.push(s.to_string());
                        first_row.push(row);
                        (labels.len() - 1) as u32
                    })
                }));
            }
        }
        crate::table::DType::Int => {
            let mut map: HashMap<i64, u32> = HashMap::new();
            for row in 0..n {
                idx.push(col.i64_at(row).map(|k| {
                    *map.entry(k).or_insert_with(|| {
                        labels.push(k.to_string());
                        first_row.push(row);
                        (labels.len() - 1) as u32
                    })
                }));
            }
        }
        crate::table::DType::Date => {
            let mut map: HashMap<chrono::NaiveDate, u32> = HashMap::new();
            for row in 0..n {
                idx.push(col.date_at(row).map(|k| {
                    *map.entry(k).or_insert_with(|| {
                        labels.push(k.format("%Y-%m-%d").to_string());
                        first_row.push(row);
                        (labels.len() - 1) as u32
                    })
                }));
            }
        }
        _ => {
            let mut map: HashMap<String, u32> = HashMap::new();
            for row in 0..n {
                idx.push(col.text_at(row).map(|k| {
                    let len = map.len() as u32;
                    *map.entry(k.clone()).or_insert_with(|| {
                        labels.push(k);
                        first_row.push(row);
                        len
                    })
                }));
            }
        }
    }
    (labels, first_row, idx)
}

/// Per day (in time order): the day's label and `(users, conversions)` per arm.
pub type Daily = Vec<(String, Vec<(f64, f64)>)>;

/// Everything the readout needs from the table, per arm in the table's order.
pub(super) struct Agg {
    pub(super) names: Vec<String>,
    pub(super) accs: Vec<Acc>,
    /// Per day (in order) the users and conversions of each arm.
    pub(super) by_day: Daily,
    /// Per segment (in order of appearance) each arm's users and conversions.
    pub(super) segments: Vec<(String, Vec<Acc>)>,
    /// Per metric (the options' metrics, then guardrails) each arm's co-moments.
    pub(super) metrics: Vec<Vec<CoMoments>>,
    /// Each arm's co-moments of (covariate, revenue), with a covariate.
    pub(super) cuped: Vec<CoMoments>,
}

/// Labels, first rows and each row's label index (from [`keys`]).
type Keys = (Vec<String>, Vec<usize>, Vec<Option<u32>>);

impl Agg {
    /// Puts the days in order and labels the segments.
    fn assemble(
        t: &Table,
        o: &ReportOptions,
        (names, accs): (Vec<String>, Vec<Acc>),
        (day_keys, daily): (Option<Keys>, Vec<Vec<(f64, f64)>>),
        (seg_keys, seg_accs): (Option<Keys>, Vec<Vec<Acc>>),
        (metrics, cuped): (Vec<Vec<CoMoments>>, Vec<CoMoments>),
    ) -> Result<Agg, AbError> {
        let by_day = match (day_keys, o.day.as_deref()) {
            (Some((labels, first_row, _)), Some(dname)) => {
                ordered_days(t, dname, labels, &first_row, daily)?
            }
            _ => Vec::new(),
        };
        let segments = seg_keys
            .map(|(labels, _, _)| labels.into_iter().zip(seg_accs).collect())
            .unwrap_or_default();
        Ok(Agg {
            names,
            accs,
            by_day,
            segments,
            metrics,
            cuped,
        })
    }
}

/// Days in calendar (or numeric) order from their keys and first rows.
fn ordered_days(
    t: &Table,
    dname: &str,
    labels: Vec<String>,
    first_row: &[usize],
    mut daily: Vec<Vec<(f64, f64)>>,
) -> Result<Daily, AbError> {
    let dcol = t.column(dname)?;
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        crate::table::compare_values(&dcol.get(first_row[a]), &dcol.get(first_row[b]))
    });
    Ok(order
        .into_iter()
        .map(|d| (labels[d].clone(), std::mem::take(&mut daily[d])))
        .collect())
}

/// A number in a metric column; `what` says what the cell holds.
fn number(t: &Table, col: &Column, name: &str, row: usize, what: &str) -> Result<f64, AbError> {
    col.f64_at(row)
        .filter(|v| v.is_finite())
        .ok_or_else(|| t.bad_cell(row, name, what, "").into())
}

/// Totals per arm from per-user rows, per-day users and conversions per arm (days in
/// order) when `day` is set, per-segment counts when `by` is set, and each metric's
/// co-moments. One pass over the columns.
fn per_user(t: &Table, o: &ReportOptions) -> Result<Agg, AbError> {
    let vcol = t.column(&o.variant)?;
    let ccol = t.column(&o.converted)?;
    let rcol = o.revenue.as_deref().map(|r| t.column(r)).transpose()?;
    let (names, _, arm_of) = keys(vcol);
    let mut accs = vec![Acc::default(); names.len()];
    let day_keys = o.day.as_deref().map(|d| t.column(d)).transpose()?.map(keys);
    let n_days = day_keys.as_ref().map_or(0, |k| k.0.len());
    let mut daily = vec![vec![(0.0, 0.0); names.len()]; n_days];
    let seg_keys = o.by.as_deref().map(|d| t.column(d)).transpose()?.map(keys);
    let mut seg_accs =
        vec![vec![Acc::default(); names.len()]; seg_keys.as_ref().map_or(0, |k| k.0.len())];
    let specs: Vec<&Metric> = o.metrics.iter().chain(&o.guardrails).collect();
    let metric_cols = specs
        .iter()
        .map(|m| {
            Ok((
                t.column(&m.numerator)?,
                m.denominator.as_deref().map(|d| t.column(d)).transpose()?,
            ))
        })
        .collect::<Result<Vec<_>, AbError>>()?;
    let mut metrics = vec![vec![CoMoments::default(); names.len()]; specs.len()];
    let cov_col = match (&o.covariate, &o.revenue) {
        (Some(c), Some(_)) => Some(t.column(c)?),
        (Some(c), None) => {
            return Err(AbError::Invalid(format!(
                "ab_report: covariate '{c}' adjusts revenue per user (CUPED); give the revenue column too, like revenue: \"revenue\""
            )))
        }
        _ => None,
    };
    let mut cuped = if cov_col.is_some() {
        vec![CoMoments::default(); names.len()]
    } else {
        Vec::new()
    };
    let conv_at = |row: usize| -> Option<f64> {
        match ccol.dtype() {
            crate::table::DType::Int => match ccol.i64_at(row) {
                Some(0) => Some(0.0),
                Some(1) => Some(1.0),
                _ => None,
            },
            crate::table::DType::Bool => ccol.bool_at(row).map(|b| f64::from(u8::from(b))),
            crate::table::DType::Float => ccol.f64_at(row).filter(|f| *f == 0.0 || *f == 1.0),
            _ => None,
        }
    };
    for (row, arm) in arm_of.iter().enumerate() {
        let i = arm.ok_or_else(|| {
            t.bad_cell(
                row,
                &o.variant,
                "the arm's label",
                "every user needs an arm",
            )
        })? as usize;
        let conv = conv_at(row).ok_or_else(|| {
            t.bad_cell(
                row,
                &o.converted,
                "0 or 1 (or true/false)",
                "one row per user",
            )
        })?;
        let acc = &mut accs[i];
        acc.users += 1.0;
        acc.conv += conv;
        if let (Some(rc), Some(rname)) = (rcol, o.revenue.as_deref()) {
            let v = rc.f64_at(row).filter(|v| v.is_finite()).ok_or_else(|| {
                t.bad_cell(row, rname, "a number (revenue of this user, 0 if none)", "")
            })?;
            acc.add_revenue(v);
            if let (Some(cc), Some(cname)) = (cov_col, o.covariate.as_deref()) {
                let x = number(
                    t,
                    cc,
                    cname,
                    row,
                    "a number (the user's pre-period value, 0 if none)",
                )?;
                cuped[i].add(x, v);
            }
        }
        if let (Some((_, _, day_of)), Some(dname)) = (&day_keys, o.day.as_deref()) {
            let d = day_of[row].ok_or_else(|| t.bad_cell(row, dname, "a day or date", ""))?;
            let cell = &mut daily[d as usize][i];
            cell.0 += 1.0;
            cell.1 += conv;
        }
        if let (Some((_, _, seg_of)), Some(bname)) = (&seg_keys, o.by.as_deref()) {
            let g = seg_of[row].ok_or_else(|| t.bad_cell(row, bname, "the user's segment", ""))?;
            let cell = &mut seg_accs[g as usize][i];
            cell.users += 1.0;
            cell.conv += conv;
        }
        for ((spec, (num, den)), m) in specs.iter().zip(&metric_cols).zip(&mut metrics) {
            let x = number(t, num, &spec.numerator, row, "a number (0 if none)")?;
            let y = match (den, spec.denominator.as_deref()) {
                (Some(d), Some(dname)) => number(t, d, dname, row, "a number (0 if none)")?,
                _ => 1.0,
            };
            m[i].add(x, y);
        }
    }
    Agg::assemble(
        t,
        o,
        (names, accs),
        (day_keys, daily),
        (seg_keys, seg_accs),
        (metrics, cuped),
    )
}

/// The first of `candidates` that the table has (the default names of a summary
/// column), or the name given in the options.
fn summary_column(t: &Table, given: Option<&str>, candidates: &[&str]) -> Option<String> {
    match given {
        Some(g) => Some(g.to_string()),
        None => candidates
            .iter()
            .find(|c| t.has_column(c))
            .map(|c| c.to_string()),
    }
}

/// Totals per arm from summary rows `variant, users, conversions[, revenue,
/// revenue_sq]`, one row per arm or one per arm and day (or segment): rows of the
/// same arm are added up; with `day`, each day's rows are one look of the sequential
/// test; with `by`, each segment's rows are that segment's counts.
fn summary_rows(t: &Table, o: &ReportOptions) -> Result<Agg, AbError> {
    t.require(&[&o.variant, &o.users, &o.conversions])?;
    if let Some(c) = &o.covariate {
        return Err(AbError::Invalid(format!(
            "ab_report: covariate '{c}' (CUPED) needs one row per user, but {} has summary rows ('{}' column)",
            t.source(),
            o.users
        )));
    }
    if !o.metrics.is_empty() || !o.guardrails.is_empty() {
        return Err(AbError::Invalid(format!(
            "ab_report: metrics and guardrails need one row per user (a ratio's variance needs each user's numerator and denominator), but {} has summary rows ('{}' column)",
            t.source(),
            o.users
        )));
    }
    let vcol = t.column(&o.variant)?;
    let (names, _, arm_of) = keys(vcol);
    let rev = summary_column(t, o.revenue.as_deref(), &["revenue", "revenue_sum"]);
    let rev_sq = summary_column(t, o.revenue_sq.as_deref(), &["revenue_sq", "revenue_sumsq"]);
    let rev_cols = match (&rev, &rev_sq) {
        (Some(r), Some(q)) => Some((t.column(r)?, t.column(q)?)),
        (Some(r), None) => {
            return Err(AbError::Invalid(format!(
                "ab_report: summary rows with revenue ('{r}') need each row's sum of squared revenue per user too (a column 'revenue_sq', or name it with columns: #{{ revenue_sq: \"...\" }}) for the revenue test's variance"
            )))
        }
        _ => None,
    };
    let day_keys = o.day.as_deref().map(|d| t.column(d)).transpose()?.map(keys);
    let mut daily = vec![vec![(0.0, 0.0); names.len()]; day_keys.as_ref().map_or(0, |k| k.0.len())];
    let seg_keys = o.by.as_deref().map(|d| t.column(d)).transpose()?.map(keys);
    let mut seg_accs =
        vec![vec![Acc::default(); names.len()]; seg_keys.as_ref().map_or(0, |k| k.0.len())];
    let mut accs = vec![Acc::default(); names.len()];
    let mut sums = vec![(0.0f64, 0.0f64); names.len()];
    let users_col = t.column(&o.users)?;
    let conv_col = t.column(&o.conversions)?;
    for (row, arm) in arm_of.iter().enumerate() {
        let i = arm.ok_or_else(|| t.bad_cell(row, &o.variant, "the arm's label", ""))? as usize;
        let whole = |c: &Column, name: &str| -> Result<f64, AbError> {
            c.f64_at(row)
                .filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0 && *v <= MAX_COUNT)
                .ok_or_else(|| {
                    t.bad_cell(row, name, "a whole number from 0 to 1e15", "")
                        .into()
                })
        };
        let users = whole(users_col, &o.users)?;
        let conv = whole(conv_col, &o.conversions)?;
        if conv > users {
            return Err(t
                .bad_cell(
                    row,
                    &o.conversions,
                    &format!("at most the row's users ({users})"),
                    "",
                )
                .into());
        }
        accs[i].users += users;
        accs[i].conv += conv;
        if let (Some((rc, qc)), Some(r), Some(q)) = (rev_cols, &rev, &rev_sq) {
            sums[i].0 += number(t, rc, r, row, "a number (the revenue of the row's users)")?;
            sums[i].1 += number(
                t,
                qc,
                q,
                row,
                "a number (the sum of squared revenue per user)",
            )?;
        }
        if let (Some((_, _, day_of)), Some(dname)) = (&day_keys, o.day.as_deref()) {
            let d = day_of[row].ok_or_else(|| t.bad_cell(row, dname, "a day or date", ""))?;
            let cell = &mut daily[d as usize][i];
            cell.0 += users;
            cell.1 += conv;
        }
        if let (Some((_, _, seg_of)), Some(bname)) = (&seg_keys, o.by.as_deref()) {
            let g = seg_of[row].ok_or_else(|| t.bad_cell(row, bname, "the segment", ""))?;
            seg_accs[g as usize][i].users += users;
            seg_accs[g as usize][i].conv += conv;
        }
    }
    for (acc, (s, ss)) in accs.iter_mut().zip(sums) {
        if acc.users > 0.0 {
            acc.mean = s / acc.users;
            // sum of squares about the mean from raw sums (the summary format's limit)
            acc.m2 = (ss - s * s / acc.users).max(0.0);
        }
    }
    Agg::assemble(
        t,
        o,
        (names, accs),
        (day_keys, daily),
        (seg_keys, seg_accs),
        (Vec::new(), Vec::new()),
    )
}

/// Builds the readout of `table` (per-user or summary rows, detected by a `users`
/// column) under `o`.
pub fn ab_report(table: &Table, o: &ReportOptions) -> Result<AbReport, AbError> {
    ab_report_until(table, o, &never_stop)
}

/// [`ab_report`] that gives up with [`AbError::Stopped`] when `stop` returns true.
pub fn ab_report_until(
    table: &Table,
    o: &ReportOptions,
    stop: ShouldStop,
) -> Result<AbReport, AbError> {
    check_options(o)?;
    let summary_layout = table.has_column(&o.users) && !table.has_column(&o.converted);
    let agg = if summary_layout {
        summary_rows(table, o)?
    } else {
        per_user(table, o)?
    };
    let has_revenue = if summary_layout {
        summary_column(table, o.revenue.as_deref(), &["revenue", "revenue_sum"]).is_some()
    } else {
        o.revenue.is_some()
    };
    super::analysis::analyse(table.source(), agg, has_revenue, o, stop)
}

/// The options' checks that need no data: alpha, power, mde and daily users.
pub(super) fn check_options(o: &ReportOptions) -> Result<(), AbError> {
    super::arm::check_alpha(o.alpha, "ab_report")?;
    Design::new(o.alpha, o.power, PowerMethod::Pooled, "ab_report")?;
    if !(o.mde.is_finite() && o.mde != 0.0 && o.mde > -1.0) {
        return Err(out_of_range(
            "ab_report: mde",
            "a relative lift above -1 other than 0, like 0.1 for +10%",
            o.mde,
        ));
    }
    if let Some(u) = o.daily_users {
        if !(u.is_finite() && u > 0.0) {
            return Err(out_of_range(
                "ab_report: daily_users",
                "a positive number of users a day (all arms together)",
                u,
            ));
        }
    }
    Ok(())
}

/// One arm's sufficient statistics: sums over its users (from a warehouse, for example).
#[derive(Debug, Clone, PartialEq)]
pub struct ArmSums {
    /// The arm's label.
    pub name: String,
    /// Users.
    pub users: f64,
    /// Conversions.
    pub conversions: f64,
    /// The sum of revenue per user and the sum of its squares, when revenue is read.
    pub revenue: Option<(f64, f64)>,
}

/// The readout from per-arm sums (arms in this order, the control chosen by
/// `o.control` or else the first) and, for the sequential test, per-day `(users,
/// conversions)` per arm in the same order, days in time order. The revenue standard
/// deviation comes from the sums: `m2 = sumsq - sum^2 / n` (clamped at 0). `source`
/// names the data in messages. Segments, metrics and CUPED need per-user rows.
pub fn ab_report_from_sums(
    source: &str,
    arms: &[ArmSums],
    daily: Daily,
    o: &ReportOptions,
) -> Result<AbReport, AbError> {
    check_options(o)?;
    let agg = Agg {
        names: arms.iter().map(|a| a.name.clone()).collect(),
        accs: arms
            .iter()
            .map(|a| Acc::from_sums(a.users, a.conversions, a.revenue))
            .collect(),
        by_day: daily,
        segments: Vec::new(),
        metrics: Vec::new(),
        cuped: Vec::new(),
    };
    let has_revenue = arms.iter().any(|a| a.revenue.is_some());
    super::analysis::analyse(source, agg, has_revenue, o, &never_stop)
}
