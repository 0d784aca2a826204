//! The readout analysts want: per metric, each arm's users and rate (or mean), the lift
//! against control with its interval, the p-value (adjusted for several variants), the
//! chance to beat control, and warnings in words (guardrail harm first, sample-ratio
//! mismatch, too few users for the observed effect, peeking without the sequential
//! option, segments moving against the total).
//!
//! Two input layouts (docs/formats.md): per-user rows (`variant`, `converted` 0/1 or
//! true/false, optional revenue, day, segment and metric columns) or summary rows
//! (`variant, users, conversions[, revenue, revenue_sq]`, one per arm or per arm and
//! day, added up per arm), under the table's own column names when mapped. Aggregation
//! is one native pass over the columns.
//!
//! Methods: conversion p-values by the pooled two-proportion z-test ([`ztest_props`]),
//! lift intervals by the delta method on the log ratio ([`lift_ci`]), chance to beat
//! control ([`prob_beat_until`], Beta(1, 1) priors), revenue per user by Welch's t
//! ([`welch_t`]), ratio metrics and guardrails by the delta method
//! ([`super::ratio`]), several variants and segments adjusted by [`adjust_p`], SRM by
//! [`srm_test`] at p < 0.001, achieved power and MDE by the Fleiss method
//! ([`power_at`], [`mde`]), always-valid p-values by [`msprt`].

use super::arm::Arm;
use super::arm::MAX_COUNT;
use super::bayes::{never_stop, prob_beat_until, BeatMethod, BetaPrior, ShouldStop};
use super::best::prob_best;
use super::error::{out_of_range, AbError};
use super::intervals::lift_ci;
use super::means::{welch_t, Summary};
use super::multiple::{adjust_p, Adjust};
use super::power::{mde, power_at, sample_size, Design, PowerMethod};
use super::proportions::{srm_test, ztest_props, Alternative};
use super::ratio::{compare, CoMoments};
use super::sequential::msprt;
use crate::table::{Column, Table};
use crate::units::Rate;
use std::collections::HashMap;

/// The SRM warning threshold on the goodness-of-fit p-value (a common industry choice:
/// a true 50/50 split falls below it once in a thousand tests).
pub const SRM_THRESHOLD: f64 = 0.001;

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

/// The readout.
#[derive(Debug, Clone)]
pub struct AbReport {
    /// Arms, control first.
    pub arms: Vec<ArmTotals>,
    /// Conversion: one row per arm (numbers, for CSV and further work).
    pub conversion: Table,
    /// Revenue per user, when a revenue column was given.
    pub revenue: Option<Table>,
    /// One row per metric (and guardrail) and variant, when metrics were given.
    pub metrics: Option<Table>,
    /// One row per segment and arm, when `by` was given.
    pub segments: Option<Table>,
    /// More days until the conversion test reaches the target power for the planned
    /// minimum effect (0 when it already has); `None` when the traffic per day is
    /// unknown or the effect cannot be planned.
    pub days_left: Option<f64>,
    /// Revenue per user adjusted by the covariate (CUPED), when one was given.
    pub cuped: Option<Table>,
    /// Warnings in words.
    pub warnings: Vec<String>,
    /// The methods used, one line each.
    pub methods: Vec<String>,
    /// The same readout formatted for a terminal.
    pub text: String,
}

#[derive(Default, Clone)]
struct Acc {
    users: f64,
    conv: f64,
    mean: f64,
    m2: f64,
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
struct Agg {
    names: Vec<String>,
    accs: Vec<Acc>,
    /// Per day (in order) the users and conversions of each arm.
    by_day: Daily,
    /// Per segment (in order of appearance) each arm's users and conversions.
    segments: Vec<(String, Vec<Acc>)>,
    /// Per metric (the options' metrics, then guardrails) each arm's co-moments.
    metrics: Vec<Vec<CoMoments>>,
    /// Each arm's co-moments of (covariate, revenue), with a covariate.
    cuped: Vec<CoMoments>,
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
                    &format!("at most the row's users ({})", grouped(users)),
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

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn signed_pct(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.1}%", x * 100.0);
    if x >= 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

fn p_text(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn grouped(x: f64) -> String {
    crate::render::format_grouped(x, 0)
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
    readout(table.source(), agg, has_revenue, o, stop)
}

/// The options' checks that need no data: alpha, power, mde and daily users.
fn check_options(o: &ReportOptions) -> Result<(), AbError> {
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
    readout(source, agg, has_revenue, o, &never_stop)
}

/// The readout of aggregated arms (what both the per-row and the sums paths end in).
fn readout(
    source: &str,
    agg: Agg,
    has_revenue: bool,
    o: &ReportOptions,
    stop: ShouldStop,
) -> Result<AbReport, AbError> {
    let design = Design::new(o.alpha, o.power, PowerMethod::Pooled, "ab_report")?;
    let Agg {
        mut names,
        mut accs,
        by_day,
        mut segments,
        mut metrics,
        mut cuped,
    } = agg;
    if names.len() < 2 {
        return Err(AbError::Invalid(format!(
            "ab_report: {} has {} arm(s) in column '{}'; a test needs a control and at least one variant",
            source,
            names.len(),
            o.variant
        )));
    }
    let weights = match &o.weights {
        Some(w) if w.len() != names.len() => {
            return Err(AbError::Invalid(format!(
                "ab_report: weights has {} entries but the table has {} arms ({})",
                w.len(),
                names.len(),
                names.join(", ")
            )))
        }
        Some(w) => w.clone(),
        None => vec![1.0; names.len()],
    };
    let srm = srm_test(&accs.iter().map(|a| a.users).collect::<Vec<_>>(), &weights)?;
    let planned: Vec<String> = {
        let s: f64 = weights.iter().sum();
        weights
            .iter()
            .map(|w| format!("{}", (w / s * 100.0 * 10.0).round() / 10.0))
            .collect()
    };
    let observed: Vec<String> = names
        .iter()
        .zip(&accs)
        .map(|(n, a)| format!("{n} {}", grouped(a.users)))
        .collect();
    // control first
    let ci = match &o.control {
        Some(c) => names.iter().position(|n| n == c).ok_or_else(|| {
            out_of_range(
                "ab_report: control",
                &format!(
                    "one of the arms in column '{}': {}",
                    o.variant,
                    names.join(", ")
                ),
                crate::table::quote_text(c),
            )
        })?,
        None => 0,
    };
    to_front(&mut names, ci);
    to_front(&mut accs, ci);
    for (_, seg) in &mut segments {
        to_front(seg, ci);
    }
    for m in &mut metrics {
        to_front(m, ci);
    }
    if !cuped.is_empty() {
        to_front(&mut cuped, ci);
    }
    let day_perm: Vec<usize> = {
        let mut p: Vec<usize> = (0..names.len()).collect();
        let c = p.remove(ci);
        p.insert(0, c);
        p
    };

    let arms: Vec<Arm> = names
        .iter()
        .zip(&accs)
        .map(|(n, a)| arm_of(n, a))
        .collect::<Result<_, _>>()?;
    let control = arms[0];
    let k = arms.len();
    let mut warnings = Vec::new();
    if srm.p_value < SRM_THRESHOLD {
        warnings.push(format!(
            "Sample-ratio mismatch: users split {} where {} was planned (chi-square p = {}). Assignment or tracking is broken; do not trust the results until it is explained.",
            observed.join(" / "),
            planned.join("/"),
            p_text(srm.p_value)
        ));
    }

    // conversion per variant
    let mut p_raw = Vec::new();
    let mut lifts = Vec::new();
    let mut beats = Vec::new();
    let mut beat_methods = Vec::new();
    for (i, &b) in arms.iter().enumerate().skip(1) {
        let z = ztest_props(control, b, Alternative::TwoSided)?;
        p_raw.push(z.p_value);
        lifts.push((z.lift, lift_ci(control, b, 1.0 - o.alpha).ok()));
        let beat = prob_beat_until(control, b, BetaPrior::uniform(), BetaPrior::uniform(), stop)?;
        beat_methods.push(beat.method);
        beats.push(beat.prob);
        // underpowered: not significant and the design could not have seen this effect
        let n = control.n().min(b.n());
        let pw = power_at(control.rate(), b.rate(), n, o.alpha, PowerMethod::Pooled);
        if z.p_value >= o.alpha && pw < o.power {
            let m = mde(Rate::new(control.rate(), "control rate")?, n, design);
            let mde_text = match m {
                Ok(m) => format!(
                    "at this size it can only detect a lift of {} (a rate of {})",
                    signed_pct(m.relative),
                    pct(m.p_target)
                ),
                Err(_) => "at this size no lift is detectable".into(),
            };
            let need = if b.rate() != control.rate() {
                sample_size(
                    Rate::new(control.rate(), "control rate")?,
                    Rate::new(b.rate(), "variant rate")?,
                    design,
                )
                .map(|s| {
                    format!(
                        "; about {} users per arm would be needed for the observed lift",
                        grouped(s.n_per_arm)
                    )
                })
                .unwrap_or_default()
            } else {
                String::new()
            };
            warnings.push(format!(
                "Too few users for {} vs {}: the observed lift of {} is not significant, and with {} users per arm the test had only {} power to detect it; {}{}.",
                names[i],
                names[0],
                signed_pct(z.lift),
                grouped(n),
                pct(pw),
                mde_text,
                need
            ));
        }
    }
    let p_adj = if k > 2 {
        Some(adjust_p(&p_raw, o.adjust)?)
    } else {
        None
    };

    // sequential
    let seq_p: Option<Vec<f64>> = if o.sequential {
        let mut out = Vec::new();
        for j in 1..k {
            let looks: Vec<(Arm, Arm)> = if by_day.is_empty() {
                vec![(control, arms[j])]
            } else {
                let (mut ua, mut xa, mut ub, mut xb) = (0.0, 0.0, 0.0, 0.0);
                let mut v = Vec::new();
                for (_, cells) in &by_day {
                    let ca = cells.get(day_perm[0]).copied().unwrap_or((0.0, 0.0));
                    let cb = cells.get(day_perm[j]).copied().unwrap_or((0.0, 0.0));
                    ua += ca.0;
                    xa += ca.1;
                    ub += cb.0;
                    xb += cb.1;
                    if ua >= 1.0 && ub >= 1.0 {
                        v.push((
                            Arm::new(xa, ua, "ab_report", "a")?,
                            Arm::new(xb, ub, "ab_report", "b")?,
                        ));
                    }
                }
                v
            };
            let s = msprt(&looks, o.tau, o.alpha)?;
            out.push(s.last().map_or(1.0, |l| l.p_value));
        }
        Some(out)
    } else {
        if o.looks > 1 {
            warnings.push(format!(
                "Peeking: the results have been looked at {} times, but these p-values assume a single look at a fixed sample size; checking daily and stopping at the first p < {} makes false positives several times likelier. Use #{{ sequential: true }} for always-valid p-values.",
                o.looks, o.alpha
            ));
        }
        None
    };

    // numeric conversion table
    let mut cols: Vec<(String, Column)> = vec![(
        "arm".into(),
        Column::text(names.iter().map(|n| Some(n.clone())).collect()),
    )];
    cols.extend(super::arm::arm_count_columns(&arms));
    let with_none = |v: Vec<Option<f64>>| -> Column {
        let mut c = vec![None];
        c.extend(v);
        Column::float(c)
    };
    cols.push((
        "lift".into(),
        with_none(
            lifts
                .iter()
                .map(|l| Some(l.0).filter(|v| v.is_finite()))
                .collect(),
        ),
    ));
    cols.push((
        "lift_low".into(),
        with_none(lifts.iter().map(|l| l.1.map(|i| i.low)).collect()),
    ));
    cols.push((
        "lift_high".into(),
        with_none(lifts.iter().map(|l| l.1.map(|i| i.high)).collect()),
    ));
    cols.push((
        "p_value".into(),
        with_none(p_raw.iter().map(|&p| Some(p)).collect()),
    ));
    if let Some(adj) = &p_adj {
        cols.push((
            "p_adjusted".into(),
            with_none(adj.iter().map(|&p| Some(p)).collect()),
        ));
    }
    if let Some(sp) = &seq_p {
        cols.push((
            "p_always_valid".into(),
            with_none(sp.iter().map(|&p| Some(p)).collect()),
        ));
    }
    cols.push((
        "prob_beat".into(),
        with_none(beats.iter().map(|&p| Some(p)).collect()),
    ));
    let best = prob_best(&arms, stop)?;
    cols.push((
        "prob_best".into(),
        Column::float(best.prob_best.iter().map(|&p| Some(p)).collect()),
    ));
    cols.push((
        "expected_loss".into(),
        Column::float(best.loss.iter().map(|&p| Some(p)).collect()),
    ));
    let conversion = Table::new("ab_report", cols)?;

    // text
    let level = format!("{}%", (1.0 - o.alpha) * 100.0);
    let mut text = String::new();
    text.push_str(&format!(
        "Conversion ({} users, control arm '{}')\n",
        grouped(arms.iter().map(|a| a.n()).sum()),
        names[0]
    ));
    let mut rows: Vec<Vec<String>> = vec![vec![
        "arm".into(),
        "users".into(),
        "conversions".into(),
        "rate".into(),
        format!("lift [{level} CI]"),
        if p_adj.is_some() {
            format!("p ({})", o.adjust.name())
        } else {
            "p".into()
        },
    ]];
    if seq_p.is_some() {
        rows[0].push("p always-valid".into());
    }
    rows[0].push("P(beat control)".into());
    if k > 2 {
        rows[0].push("P(best)".into());
        rows[0].push("expected loss".into());
    }
    for (i, a) in arms.iter().enumerate() {
        let mut r = vec![
            names[i].clone(),
            grouped(a.n()),
            grouped(a.x()),
            pct(a.rate()),
        ];
        if i == 0 {
            r.extend(["(control)".to_string(), String::new()]);
            if seq_p.is_some() {
                r.push(String::new());
            }
            r.push(String::new());
        } else {
            let (l, ci) = lifts[i - 1];
            r.push(match ci {
                Some(c) => format!(
                    "{} [{}, {}]",
                    signed_pct(l),
                    signed_pct(c.low),
                    signed_pct(c.high)
                ),
                None => format!("{} [undefined: an arm has 0 conversions]", signed_pct(l)),
            });
            let p = p_adj.as_ref().map_or(p_raw[i - 1], |adj| adj[i - 1]);
            r.push(p_text(p));
            if let Some(sp) = &seq_p {
                r.push(p_text(sp[i - 1]));
            }
            r.push(pct(beats[i - 1]));
        }
        if k > 2 {
            r.push(pct(best.prob_best[i]));
            r.push(format!("{:.3} pts", best.loss[i] * 100.0));
        }
        rows.push(r);
    }
    text.push_str(&render_rows(&rows));

    // revenue
    let mut methods = vec![
        "p: pooled two-proportion z-test, two-sided".to_string(),
        "lift CI: delta method on the log rate ratio".to_string(),
    ];
    methods.push(
        if beat_methods.iter().all(|m| *m == BeatMethod::ClosedForm) {
            "P(beat control): exact Beta-Binomial with uniform Beta(1, 1) priors".to_string()
        } else {
            format!(
                "P(beat control): {} with uniform Beta(1, 1) priors",
                BeatMethod::Panels.name()
            )
        },
    );
    methods.push(format!(
        "{}: {}",
        if k > 2 {
            "P(best) and expected loss (the rate given up by choosing the arm)"
        } else {
            "prob_best and expected_loss (table columns: each arm's chance to have the higher rate, and the rate given up by choosing it)"
        },
        super::best::BEST_METHOD
    ));
    if p_adj.is_some() {
        methods.push(format!(
            "p adjusted for {} variants by {}",
            k - 1,
            o.adjust.name()
        ));
    }
    if seq_p.is_some() {
        methods.push(format!(
            "p always-valid: mSPRT with a normal mixture, tau = {} on the rate difference{}",
            o.tau,
            if by_day.is_empty() {
                ", at the final totals".to_string()
            } else {
                format!(", over {} daily looks", by_day.len())
            }
        ));
    }
    methods.push(format!(
        "SRM: chi-square goodness of fit to the planned split (p = {}), warning below {SRM_THRESHOLD}",
        p_text(srm.p_value)
    ));
    methods.push(
        "power and MDE: Fleiss normal approximation, pooled, no continuity correction".into(),
    );
    let revenue = if has_revenue {
        let sums: Vec<Summary> = names
            .iter()
            .zip(&accs)
            .map(|(n, a)| {
                if a.users < 2.0 {
                    return Err(AbError::Invalid(format!(
                        "ab_report: arm '{n}' has {} user; revenue per user needs at least 2 users in every arm (a standard deviation needs two values)",
                        grouped(a.users)
                    )));
                }
                let sd = if a.users > 1.0 {
                    (a.m2 / (a.users - 1.0)).sqrt()
                } else {
                    0.0
                };
                Summary::new(
                    a.mean,
                    sd,
                    a.users,
                    &format!("ab_report: revenue of arm '{n}'"),
                    "x",
                )
            })
            .collect::<Result<_, _>>()?;
        let mut pr = Vec::new();
        let mut bayes = Vec::new();
        for s in sums.iter().skip(1) {
            pr.push(welch_t(sums[0], *s)?);
            bayes.push(normal_beat(sums[0], *s));
        }
        let adj = if k > 2 {
            Some(adjust_p(
                &pr.iter().map(|w| w.p_value).collect::<Vec<_>>(),
                o.adjust,
            )?)
        } else {
            None
        };
        text.push_str(&format!(
            "\nRevenue per user (control arm '{}')\n",
            names[0]
        ));
        let mut rows = vec![vec![
            "arm".to_string(),
            "users".into(),
            "mean".into(),
            "sd".into(),
            "lift".into(),
            if adj.is_some() {
                format!("p ({})", o.adjust.name())
            } else {
                "p".into()
            },
            "P(beat control)".into(),
        ]];
        for (i, s) in sums.iter().enumerate() {
            let mut r = vec![
                names[i].clone(),
                grouped(s.n),
                format!("{:.2}", s.mean),
                format!("{:.2}", s.sd),
            ];
            if i == 0 {
                r.extend(["(control)".to_string(), String::new()]);
            } else {
                let w = pr[i - 1];
                r.push(signed_pct(if sums[0].mean != 0.0 {
                    s.mean / sums[0].mean - 1.0
                } else {
                    f64::NAN
                }));
                r.push(p_text(adj.as_ref().map_or(w.p_value, |a| a[i - 1])));
                r.push(pct(bayes[i - 1].0));
            }
            rows.push(r);
        }
        text.push_str(&render_rows(&rows));
        methods.push("revenue p: Welch's t-test, two-sided".into());
        methods.push("revenue P(beat control): normal approximation with a flat prior on each arm's mean per user (posterior normal with the sample mean and its standard error sd/sqrt(n), as GrowthBook); expected loss of choosing the variant = s phi(d/s) - d Phi(-d/s)".into());
        let t = Table::new(
            "ab_report",
            vec![
                (
                    "arm".into(),
                    Column::text(names.iter().map(|n| Some(n.clone())).collect()),
                ),
                (
                    "users".into(),
                    Column::int(sums.iter().map(|s| Some(s.n as i64)).collect()),
                ),
                (
                    "mean".into(),
                    Column::float(sums.iter().map(|s| Some(s.mean)).collect()),
                ),
                (
                    "sd".into(),
                    Column::float(sums.iter().map(|s| Some(s.sd)).collect()),
                ),
                (
                    "t".into(),
                    with_none(pr.iter().map(|w| Some(w.t)).collect()),
                ),
                (
                    "df".into(),
                    with_none(pr.iter().map(|w| Some(w.df)).collect()),
                ),
                (
                    "p_value".into(),
                    with_none(pr.iter().map(|w| Some(w.p_value)).collect()),
                ),
                (
                    "prob_beat".into(),
                    with_none(bayes.iter().map(|b| Some(b.0)).collect()),
                ),
                (
                    "expected_loss".into(),
                    with_none(bayes.iter().map(|b| Some(b.1)).collect()),
                ),
            ],
        )?;
        Some(t)
    } else {
        None
    };
    let cuped_table = match o.covariate.as_deref() {
        Some(cov) if !cuped.is_empty() => {
            let (t, body) = cuped_section(cov, &cuped, &names, o)?;
            text.push_str(&body);
            methods.push(format!(
                "CUPED on {cov}: the treatment coefficients of least squares revenue ~ arm + {cov} (theta the pooled within-arm slope), t-test and interval on N - k - 1 degrees of freedom"
            ));
            Some(t)
        }
        _ => None,
    };
    let metric_table = if metrics.is_empty() {
        None
    } else {
        let specs: Vec<&Metric> = o.metrics.iter().chain(&o.guardrails).collect();
        let (t, body, harms) = metric_section(&specs, o.metrics.len(), &metrics, &names, o)?;
        text.push_str(&body);
        for h in harms.into_iter().rev() {
            warnings.insert(0, h);
        }
        methods.push(format!(
            "metrics: ratio of per-user means, variance by the delta method; z-test on the difference, lift interval by the delta method at {level}{}",
            if k > 2 {
                format!(", p adjusted for {} variants by {}", k - 1, o.adjust.name())
            } else {
                String::new()
            }
        ));
        Some(t)
    };
    let segment_table = match o.by.as_deref() {
        Some(by) => {
            let (t, body, notes, method) = segment_section(by, &segments, &names, &lifts, o)?;
            text.push_str(&body);
            warnings.extend(notes);
            methods.push(method);
            Some(t)
        }
        None => None,
    };
    let days = if by_day.is_empty() {
        None
    } else {
        Some(by_day.len() as f64)
    };
    let (duration, days_left) = duration_lines(&arms, &accs, &weights, days, design, o)?;
    text.push('\n');
    for line in &duration {
        text.push_str(line);
        text.push('\n');
    }
    methods.push(format!(
        "duration: users per arm for {}% power at alpha {} to detect a {} lift (conversion: Fleiss pooled; revenue: two-sided normal approximation), over the users a day {}",
        o.power * 100.0,
        o.alpha,
        signed_pct(o.mde),
        match (o.daily_users, days) {
            (Some(_), _) => "given".to_string(),
            (None, Some(d)) => format!("seen over the data's {d} days"),
            (None, None) => "(unknown: give day or daily_users)".to_string(),
        }
    ));
    text.push_str("\nMethods:\n");
    for m in &methods {
        text.push_str(&format!("  - {m}\n"));
    }
    if warnings.is_empty() {
        text.push_str("\nWarnings: none\n");
    } else {
        text.push_str("\nWarnings:\n");
        for w in &warnings {
            text.push_str(&format!("  ! {w}\n"));
        }
    }
    let arms_out = names
        .iter()
        .zip(&accs)
        .map(|(n, a)| ArmTotals {
            name: n.clone(),
            users: a.users,
            conversions: a.conv,
        })
        .collect();
    Ok(AbReport {
        arms: arms_out,
        conversion,
        revenue,
        metrics: metric_table,
        segments: segment_table,
        days_left,
        cuped: cuped_table,
        warnings,
        methods,
        text,
    })
}

/// "At the current N users a day, the test reaches P power for the chosen minimum
/// effect in D more days": users needed per arm (conversion by Fleiss, revenue per
/// user by the normal approximation for means when the arms carry revenue), scaled by
/// the planned split (the arm with the smallest share sets the total), against the
/// users so far and the users a day (`daily_users`, else all users over the data's
/// days). Returns the lines and the conversion's days left.
fn duration_lines(
    arms: &[Arm],
    accs: &[Acc],
    weights: &[f64],
    days: Option<f64>,
    design: Design,
    o: &ReportOptions,
) -> Result<(Vec<String>, Option<f64>), AbError> {
    let total: f64 = arms.iter().map(|a| a.n()).sum();
    let per_day = match (o.daily_users, days) {
        (Some(u), _) => Some(u),
        (None, Some(d)) if d > 0.0 => Some(total / d),
        _ => None,
    };
    let wsum: f64 = weights.iter().sum();
    let min_share = weights.iter().fold(f64::INFINITY, |m, w| m.min(w / wsum));
    let effect = signed_pct(o.mde);
    let power = format!("{}%", o.power * 100.0);
    let line = |what: &str, need_per_arm: f64| -> (String, Option<f64>) {
        let need_total = need_per_arm / min_share;
        let have = total;
        if have >= need_total {
            return (
                format!(
                    "Duration ({what}): the test already has {power} power for a {effect} lift ({} users per arm needed, {} users so far).",
                    grouped(need_per_arm),
                    grouped(have)
                ),
                Some(0.0),
            );
        }
        match per_day {
            Some(u) if u > 0.0 => {
                let d = ((need_total - have) / u).ceil();
                (
                    format!(
                        "Duration ({what}): at the current {} users a day, the test reaches {power} power for a {effect} lift in {} more days ({} users per arm needed, {} users so far).",
                        grouped(u),
                        grouped(d),
                        grouped(need_per_arm),
                        grouped(have)
                    ),
                    Some(d),
                )
            }
            _ => (
                format!(
                    "Duration ({what}): {} users per arm are needed for {power} power for a {effect} lift ({} users so far); give the day column or daily_users for the days left.",
                    grouped(need_per_arm),
                    grouped(have)
                ),
                None,
            ),
        }
    };
    let mut lines = Vec::new();
    let p_c = arms[0].rate();
    let target = p_c * (1.0 + o.mde);
    let conv_left = if p_c > 0.0 && target > 0.0 && target < 1.0 {
        let n = sample_size(
            Rate::new(p_c, "control rate")?,
            Rate::new(target, "planned rate")?,
            design,
        )?;
        let (text, left) = line("conversion", n.n_per_arm);
        lines.push(text);
        left
    } else {
        lines.push(format!(
            "Duration (conversion): not planned: a {effect} lift on the control's {} is not a rate between 0% and 100%.",
            pct(p_c)
        ));
        None
    };
    if accs[0].mean != 0.0 && accs[0].m2 > 0.0 && accs[0].users >= 2.0 {
        let sd = (accs[0].m2 / (accs[0].users - 1.0)).sqrt();
        if let Ok(n) = super::power::sample_size_means(accs[0].mean, sd, o.mde, 1.0, design) {
            lines.push(line("revenue per user", n.n_control).0);
        }
    }
    Ok((lines, conv_left))
}

/// Bayesian revenue per user by the normal approximation: with a flat prior on each
/// arm's mean the posterior of mean_b - mean_a is N(d, s²), d = mean_b - mean_a,
/// s² = sd_a²/n_a + sd_b²/n_b. Returns (P(mean_b > mean_a) = Φ(d/s), the expected loss
/// of choosing B, E[max(mean_a - mean_b, 0)] = s φ(d/s) - d Φ(-d/s)); with s = 0 the
/// difference is certain.
fn normal_beat(a: Summary, b: Summary) -> (f64, f64) {
    let d = b.mean - a.mean;
    let s = (a.sd * a.sd / a.n + b.sd * b.sd / b.n).sqrt();
    if !(s > 0.0 && s.is_finite()) {
        return (
            if d > 0.0 {
                1.0
            } else if d < 0.0 {
                0.0
            } else {
                0.5
            },
            (-d).max(0.0),
        );
    }
    let z = d / s;
    let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (
        super::special::norm_cdf(z),
        (s * phi - d * super::special::norm_cdf(-z)).max(0.0),
    )
}

/// The CUPED section: each arm's mean and adjusted mean, the adjusted difference with
/// its interval and p-value, theta and the variance reduction.
fn cuped_section(
    cov: &str,
    data: &[CoMoments],
    names: &[String],
    o: &ReportOptions,
) -> Result<(Table, String), AbError> {
    let c = super::cuped::cuped(data, 1.0 - o.alpha)?;
    let mut rows = vec![vec![
        "arm".to_string(),
        "users".into(),
        "mean".into(),
        "adjusted".into(),
        format!("difference [{}% CI]", (1.0 - o.alpha) * 100.0),
        "p".into(),
    ]];
    for (i, a) in c.arms.iter().enumerate() {
        let mut r = vec![
            names[i].clone(),
            grouped(a.n),
            format!("{:.2}", a.mean),
            format!("{:.2}", a.adjusted),
        ];
        if i == 0 {
            r.extend(["(control)".to_string(), String::new()]);
        } else {
            r.push(format!("{:+.2} [{:+.2}, {:+.2}]", a.diff, a.low, a.high));
            r.push(p_text(a.p_value));
        }
        rows.push(r);
    }
    let text = format!(
        "\nRevenue per user, CUPED on {cov} (theta = {:.4}; variance reduced by {})\n{}",
        c.theta,
        pct(c.variance_reduction),
        render_rows(&rows)
    );
    let col = |f: &dyn Fn(&super::cuped::CupedArm) -> f64| cells(c.arms.iter().map(f));
    let table = Table::new(
        "ab_report",
        vec![
            (
                "arm".into(),
                Column::text(names.iter().map(|n| Some(n.clone())).collect()),
            ),
            (
                "users".into(),
                Column::int(c.arms.iter().map(|a| Some(a.n as i64)).collect()),
            ),
            ("mean".into(), col(&|a| a.mean)),
            ("adjusted_mean".into(), col(&|a| a.adjusted)),
            ("diff".into(), col(&|a| a.diff)),
            ("low".into(), col(&|a| a.low)),
            ("high".into(), col(&|a| a.high)),
            ("se".into(), col(&|a| a.se)),
            ("p_value".into(), col(&|a| a.p_value)),
            (
                "theta".into(),
                Column::float(vec![Some(c.theta); c.arms.len()]),
            ),
            (
                "variance_reduction".into(),
                Column::float(vec![Some(c.variance_reduction); c.arms.len()]),
            ),
        ],
    )?;
    Ok((table, text))
}

/// A lift as text, "n/a" when undefined.
fn lift_text(l: f64, low: f64, high: f64) -> String {
    if l.is_finite() {
        format!(
            "{} [{}, {}]",
            signed_pct(l),
            signed_pct(low),
            signed_pct(high)
        )
    } else {
        "n/a (control is 0)".into()
    }
}

/// Float cells, `None` where undefined.
fn cells(v: impl Iterator<Item = f64>) -> Column {
    Column::float(v.map(|x| Some(x).filter(|x| x.is_finite())).collect())
}

/// The metrics' table, text and guardrail harms. `specs` are the metrics then the
/// guardrails (`n_primary` of the first kind); `data[m][arm]` their co-moments,
/// control first.
fn metric_section(
    specs: &[&Metric],
    n_primary: usize,
    data: &[Vec<CoMoments>],
    names: &[String],
    o: &ReportOptions,
) -> Result<(Table, String, Vec<String>), AbError> {
    let level = 1.0 - o.alpha;
    let k = names.len();
    let mut rows: Vec<Vec<String>> = vec![vec![
        "metric".into(),
        "arm".into(),
        "users".into(),
        "value".into(),
        format!("lift [{}% CI]", level * 100.0),
        if k > 2 {
            format!("p ({})", o.adjust.name())
        } else {
            "p".into()
        },
    ]];
    let (mut c_metric, mut c_kind, mut c_arm, mut c_users) = (vec![], vec![], vec![], vec![]);
    let (mut c_value, mut c_lift, mut c_low, mut c_high, mut c_p) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut harms = Vec::new();
    for (mi, (spec, arms)) in specs.iter().zip(data).enumerate() {
        let guard = mi >= n_primary;
        let ratios = names
            .iter()
            .zip(arms)
            .map(|(n, c)| c.ratio(&spec.name, n))
            .collect::<Result<Vec<_>, _>>()?;
        let tests = ratios[1..]
            .iter()
            .map(|r| compare(ratios[0], *r, level, &spec.name))
            .collect::<Result<Vec<_>, _>>()?;
        let raw: Vec<f64> = tests.iter().map(|t| t.p_value).collect();
        let p = if k > 2 {
            adjust_p(&raw, o.adjust)?
        } else {
            raw
        };
        let label = if guard {
            format!("{} (guardrail)", spec.name)
        } else {
            spec.name.clone()
        };
        for (i, r) in ratios.iter().enumerate() {
            c_metric.push(Some(spec.name.clone()));
            c_kind.push(Some(if guard { "guardrail" } else { "metric" }.to_string()));
            c_arm.push(Some(names[i].clone()));
            c_users.push(Some(r.n as i64));
            c_value.push(Some(r.value));
            let mut row = vec![
                if i == 0 { label.clone() } else { String::new() },
                names[i].clone(),
                grouped(r.n),
                format!("{:.4}", r.value),
            ];
            if i == 0 {
                c_lift.push(None);
                c_low.push(None);
                c_high.push(None);
                c_p.push(None);
                row.extend(["(control)".to_string(), String::new()]);
            } else {
                let t = tests[i - 1];
                c_lift.push(Some(t.lift).filter(|v| v.is_finite()));
                c_low.push(Some(t.lift_low).filter(|v| v.is_finite()));
                c_high.push(Some(t.lift_high).filter(|v| v.is_finite()));
                c_p.push(Some(p[i - 1]));
                row.push(lift_text(t.lift, t.lift_low, t.lift_high));
                row.push(p_text(p[i - 1]));
                let worse = if spec.lower_is_better {
                    t.diff > 0.0
                } else {
                    t.diff < 0.0
                };
                if guard && worse && p[i - 1] < o.alpha {
                    harms.push(format!(
                        "Guardrail harmed: {} of {} is {} against {} ({:.4} vs {:.4}, p = {}), whatever the primary result; do not ship {} before this is understood.",
                        spec.name,
                        names[i],
                        signed_pct(t.lift),
                        names[0],
                        r.value,
                        ratios[0].value,
                        p_text(p[i - 1]),
                        names[i]
                    ));
                }
            }
            rows.push(row);
        }
    }
    let table = Table::new(
        "ab_report",
        vec![
            ("metric".into(), Column::text(c_metric)),
            ("kind".into(), Column::text(c_kind)),
            ("arm".into(), Column::text(c_arm)),
            ("users".into(), Column::int(c_users)),
            ("value".into(), Column::float(c_value)),
            ("lift".into(), Column::float(c_lift)),
            ("lift_low".into(), Column::float(c_low)),
            ("lift_high".into(), Column::float(c_high)),
            (
                if k > 2 { "p_adjusted" } else { "p_value" }.into(),
                Column::float(c_p),
            ),
        ],
    )?;
    let text = format!(
        "\nMetrics (control arm '{}')\n{}",
        names[0],
        render_rows(&rows)
    );
    Ok((table, text, harms))
}

/// The conversion readout per segment of `by`: each variant against the control
/// within the segment (pooled z, lift interval by the delta method on the log ratio),
/// p-values adjusted across every segment and variant, and a flag where a segment's
/// direction differs from the total's (`total_lifts`, one per variant). Segments where
/// an arm has no users, or no arm converts, are listed without a test.
fn segment_section(
    by: &str,
    segments: &[(String, Vec<Acc>)],
    names: &[String],
    total_lifts: &[(f64, Option<super::intervals::Interval>)],
    o: &ReportOptions,
) -> Result<(Table, String, Vec<String>, String), AbError> {
    struct Cmp {
        seg: usize,
        arm: usize,
        lift: f64,
        ci: Option<super::intervals::Interval>,
        p: f64,
    }
    let mut cmps = Vec::new();
    for (si, (_, accs)) in segments.iter().enumerate() {
        if accs.iter().any(|a| a.users < 1.0) {
            continue;
        }
        let arms = names
            .iter()
            .zip(accs)
            .map(|(n, a)| arm_of(n, a))
            .collect::<Result<Vec<_>, _>>()?;
        for (j, &b) in arms.iter().enumerate().skip(1) {
            if let Ok(z) = ztest_props(arms[0], b, Alternative::TwoSided) {
                cmps.push(Cmp {
                    seg: si,
                    arm: j,
                    lift: z.lift,
                    ci: lift_ci(arms[0], b, 1.0 - o.alpha).ok(),
                    p: z.p_value,
                });
            }
        }
    }
    let adjusted = if cmps.is_empty() {
        Vec::new()
    } else {
        adjust_p(&cmps.iter().map(|c| c.p).collect::<Vec<_>>(), o.adjust)?
    };
    let differs = |c: &Cmp| {
        let total = total_lifts[c.arm - 1].0;
        c.lift.is_finite() && total.is_finite() && c.lift * total < 0.0
    };
    let mut rows = vec![vec![
        by.to_string(),
        "arm".into(),
        "users".into(),
        "conversions".into(),
        "rate".into(),
        format!("lift [{}% CI]", (1.0 - o.alpha) * 100.0),
        format!("p ({})", o.adjust.name()),
        String::new(),
    ]];
    let (mut c_seg, mut c_arm, mut c_users, mut c_conv, mut c_rate) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut c_lift, mut c_low, mut c_high, mut c_p, mut c_adj, mut c_flag) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut notes = Vec::new();
    for (si, (seg, accs)) in segments.iter().enumerate() {
        for (j, a) in accs.iter().enumerate() {
            let found = cmps
                .iter()
                .enumerate()
                .find(|(_, c)| c.seg == si && c.arm == j);
            let rate = if a.users > 0.0 {
                a.conv / a.users
            } else {
                f64::NAN
            };
            c_seg.push(Some(seg.clone()));
            c_arm.push(Some(names[j].clone()));
            c_users.push(Some(a.users as i64));
            c_conv.push(Some(a.conv as i64));
            c_rate.push(rate);
            let mut row = vec![
                if j == 0 { seg.clone() } else { String::new() },
                names[j].clone(),
                grouped(a.users),
                grouped(a.conv),
                if rate.is_finite() {
                    pct(rate)
                } else {
                    "n/a".into()
                },
            ];
            match found {
                Some((ci, c)) => {
                    let flag = differs(c);
                    c_lift.push(c.lift);
                    c_low.push(c.ci.map_or(f64::NAN, |i| i.low));
                    c_high.push(c.ci.map_or(f64::NAN, |i| i.high));
                    c_p.push(c.p);
                    c_adj.push(adjusted[ci]);
                    c_flag.push(Some(flag));
                    row.push(match c.ci {
                        Some(i) => lift_text(c.lift, i.low, i.high),
                        None => format!("{} [undefined]", signed_pct(c.lift)),
                    });
                    row.push(p_text(adjusted[ci]));
                    row.push(if flag {
                        "direction differs from the total".into()
                    } else {
                        String::new()
                    });
                    if flag {
                        notes.push(format!(
                            "Segment {by} = {seg}: {} vs {} moves {} where the total moves {} (p adjusted = {}); segments are exploratory, so read this as a question, not a finding.",
                            names[j],
                            names[0],
                            signed_pct(c.lift),
                            signed_pct(total_lifts[j - 1].0),
                            p_text(adjusted[ci])
                        ));
                    }
                }
                None => {
                    for v in [&mut c_lift, &mut c_low, &mut c_high, &mut c_p, &mut c_adj] {
                        v.push(f64::NAN);
                    }
                    c_flag.push(None);
                    row.push(if j == 0 {
                        "(control)".into()
                    } else {
                        "no test (an arm has no users or no arm converts)".into()
                    });
                    row.push(String::new());
                    row.push(String::new());
                }
            }
            rows.push(row);
        }
    }
    for j in 1..names.len() {
        let mine: Vec<&Cmp> = cmps.iter().filter(|c| c.arm == j).collect();
        if mine.len() >= 2 && mine.iter().all(|c| differs(c)) {
            notes.insert(
                0,
                format!(
                    "Simpson's paradox: {} moves opposite to the total ({}) in every segment of {by}; the arms' mix of segments differs, so the total mostly reflects the mix. Compare within segments, and find out why the mix differs.",
                    names[j],
                    signed_pct(total_lifts[j - 1].0)
                ),
            );
        }
    }
    let table = Table::new(
        "ab_report",
        vec![
            (by.to_string(), Column::text(c_seg)),
            ("arm".into(), Column::text(c_arm)),
            ("users".into(), Column::int(c_users)),
            ("conversions".into(), Column::int(c_conv)),
            ("rate".into(), cells(c_rate.into_iter())),
            ("lift".into(), cells(c_lift.into_iter())),
            ("lift_low".into(), cells(c_low.into_iter())),
            ("lift_high".into(), cells(c_high.into_iter())),
            ("p_value".into(), cells(c_p.into_iter())),
            ("p_adjusted".into(), cells(c_adj.into_iter())),
            ("direction_differs".into(), Column::boolean(c_flag)),
        ],
    )?;
    let text = format!(
        "\nConversion by {by} (exploratory: p adjusted by {} across {} segment comparisons)\n{}",
        o.adjust.name(),
        cmps.len(),
        render_rows(&rows)
    );
    let method = format!(
        "segments by {by}: pooled z-test within each segment, p adjusted by {} across the {} segment comparisons; a segment is flagged when its lift has the opposite sign to the total's. Segments are exploratory.",
        o.adjust.name(),
        cmps.len()
    );
    Ok((table, text, notes, method))
}

/// Moves item `i` to the front, keeping the others' order.
fn to_front<T>(v: &mut Vec<T>, i: usize) {
    let x = v.remove(i);
    v.insert(0, x);
}

/// One arm's counts, checked, with errors in the readout's words.
fn arm_of(name: &str, a: &Acc) -> Result<Arm, AbError> {
    if a.users < 1.0 {
        return Err(AbError::Invalid(format!(
            "ab_report: arm '{name}' has no users"
        )));
    }
    Arm::new(a.conv, a.users, "ab_report", "a").map_err(|_| {
        AbError::Invalid(format!(
            "ab_report: arm '{name}' has {} conversions out of {} users; conversions must be a whole number from 0 to the users, and users at most 1e15",
            grouped(a.conv),
            grouped(a.users)
        ))
    })
}

/// Aligns rows of cells: first column left, the others right.
fn render_rows(rows: &[Vec<String>]) -> String {
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..ncols).map(width).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = widths[i] - c.chars().count();
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
        }
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
