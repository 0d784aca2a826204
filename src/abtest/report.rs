//! The readout analysts want: per metric, each arm's users and rate (or mean), the lift
//! against control with its interval, the p-value (adjusted for several variants), the
//! chance to beat control, and warnings in words (sample-ratio mismatch, too few users
//! for the observed effect, peeking without the sequential option).
//!
//! Two input layouts (docs/formats.md): per-user rows (`variant`, `converted` 0/1 or
//! true/false, optional revenue and day columns) or per-variant summary rows
//! (`variant, users, conversions[, revenue_sum, revenue_sumsq]`). Aggregation is one
//! native pass over the columns.
//!
//! Methods: conversion p-values by the pooled two-proportion z-test ([`ztest_props`]),
//! lift intervals by the delta method on the log ratio ([`lift_ci`]), chance to beat
//! control exactly ([`prob_beat`], Beta(1, 1) priors), revenue per user by Welch's t
//! ([`welch_t`]), several variants adjusted by [`adjust_p`], SRM by [`srm_test`] at
//! p < 0.001, achieved power and MDE by the Fleiss method ([`power_at`], [`mde`]),
//! always-valid p-values by [`msprt`].

use super::arm::Arm;
use super::bayes::{prob_beat, BetaPrior};
use super::error::{out_of_range, AbError};
use super::intervals::lift_ci;
use super::means::{welch_t, Summary};
use super::multiple::{adjust_p, Adjust};
use super::power::{mde, power_at, sample_size, Design, PowerMethod};
use super::proportions::{srm_test, ztest_props, Alternative};
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
    /// The correction when there are several variants.
    pub adjust: Adjust,
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

fn label(col: &Column, row: usize) -> Option<String> {
    col.text_at(row)
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

/// Totals per arm from per-user rows, and per-day users and conversions per arm
/// (days in order) when `day` is set. One pass over the columns.
fn per_user(t: &Table, o: &ReportOptions) -> Result<(Vec<String>, Vec<Acc>, Daily), AbError> {
    let vcol = t.column(&o.variant)?;
    let ccol = t.column(&o.converted)?;
    let rcol = o.revenue.as_deref().map(|r| t.column(r)).transpose()?;
    let (names, _, arm_of) = keys(vcol);
    let mut accs = vec![Acc::default(); names.len()];
    let day_keys = o.day.as_deref().map(|d| t.column(d)).transpose()?.map(keys);
    let n_days = day_keys.as_ref().map_or(0, |k| k.0.len());
    let mut daily = vec![vec![(0.0, 0.0); names.len()]; n_days];
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
        }
        if let (Some((_, _, day_of)), Some(dname)) = (&day_keys, o.day.as_deref()) {
            let d = day_of[row].ok_or_else(|| t.bad_cell(row, dname, "a day or date", ""))?;
            let cell = &mut daily[d as usize][i];
            cell.0 += 1.0;
            cell.1 += conv;
        }
    }
    let by_day = match (day_keys, o.day.as_deref()) {
        (Some((labels, first_row, _)), Some(dname)) => {
            let dcol = t.column(dname)?;
            let mut order: Vec<usize> = (0..labels.len()).collect();
            order.sort_by(|&a, &b| {
                crate::table::compare_values(&dcol.get(first_row[a]), &dcol.get(first_row[b]))
            });
            order
                .into_iter()
                .map(|d| (labels[d].clone(), std::mem::take(&mut daily[d])))
                .collect()
        }
        _ => Vec::new(),
    };
    Ok((names, accs, by_day))
}

/// Totals per arm from summary rows `variant, users, conversions[, revenue_sum, revenue_sumsq]`.
fn summary_rows(t: &Table, o: &ReportOptions) -> Result<(Vec<String>, Vec<Acc>), AbError> {
    t.require(&[&o.variant, "users", "conversions"])?;
    let vcol = t.column(&o.variant)?;
    let has_rev = t.has_column("revenue_sum") && t.has_column("revenue_sumsq");
    let mut names = Vec::new();
    let mut accs = Vec::new();
    for row in 0..t.n_rows() {
        let name =
            label(vcol, row).ok_or_else(|| t.bad_cell(row, &o.variant, "the arm's label", ""))?;
        if names.contains(&name) {
            return Err(AbError::Invalid(format!(
                "ab_report: arm '{name}' appears on two summary rows of {}; give one row per arm",
                t.source()
            )));
        }
        let whole = |c: &str| -> Result<f64, AbError> {
            t.column(c)?
                .f64_at(row)
                .filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0)
                .ok_or_else(|| {
                    t.bad_cell(row, c, "a whole number of at least 0", "")
                        .into()
                })
        };
        let users = whole("users")?;
        let conv = whole("conversions")?;
        let revenue = if has_rev {
            let num = |c: &str| -> Result<f64, AbError> {
                t.column(c)?
                    .f64_at(row)
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| t.bad_cell(row, c, "a number", "").into())
            };
            Some((num("revenue_sum")?, num("revenue_sumsq")?))
        } else {
            None
        };
        let acc = Acc::from_sums(users, conv, revenue);
        names.push(name);
        accs.push(acc);
    }
    Ok((names, accs))
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
    super::arm::check_alpha(o.alpha, "ab_report")?;
    let summary_layout = table.has_column("users") && !table.has_column(&o.converted);
    let (names, accs, by_day) = if summary_layout {
        let (n, a) = summary_rows(table, o)?;
        (n, a, Vec::new())
    } else {
        per_user(table, o)?
    };
    let has_revenue = o.revenue.is_some() || (summary_layout && table.has_column("revenue_sum"));
    readout(table.source(), names, accs, by_day, has_revenue, o)
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
/// names the data in messages.
pub fn ab_report_from_sums(
    source: &str,
    arms: &[ArmSums],
    daily: Daily,
    o: &ReportOptions,
) -> Result<AbReport, AbError> {
    let names = arms.iter().map(|a| a.name.clone()).collect();
    let accs = arms
        .iter()
        .map(|a| Acc::from_sums(a.users, a.conversions, a.revenue))
        .collect();
    let has_revenue = arms.iter().any(|a| a.revenue.is_some());
    readout(source, names, accs, daily, has_revenue, o)
}

fn readout(
    source: &str,
    mut names: Vec<String>,
    mut accs: Vec<Acc>,
    by_day: Daily,
    has_revenue: bool,
    o: &ReportOptions,
) -> Result<AbReport, AbError> {
    super::arm::check_alpha(o.alpha, "ab_report")?;
    let design = Design::new(o.alpha, o.power, PowerMethod::Pooled, "ab_report")?;
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
                format!("{c:?}"),
            )
        })?,
        None => 0,
    };
    let c_name = names.remove(ci);
    names.insert(0, c_name);
    let c_acc = accs.remove(ci);
    accs.insert(0, c_acc);
    let day_perm: Vec<usize> = {
        let mut p: Vec<usize> = (0..names.len()).collect();
        let c = p.remove(ci);
        p.insert(0, c);
        p
    };

    let arms: Vec<Arm> = names
        .iter()
        .zip(&accs)
        .map(|(n, a)| {
            if a.users < 1.0 {
                return Err(AbError::Invalid(format!(
                    "ab_report: arm '{n}' has no users"
                )));
            }
            Arm::new(a.conv, a.users, &format!("ab_report: arm '{n}'"), "x")
        })
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
    for (i, &b) in arms.iter().enumerate().skip(1) {
        let z = ztest_props(control, b, Alternative::TwoSided)?;
        p_raw.push(z.p_value);
        lifts.push((z.lift, lift_ci(control, b, 1.0 - o.alpha).ok()));
        beats.push(prob_beat(control, b, BetaPrior::uniform(), BetaPrior::uniform())?.prob);
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
    let mut cols: Vec<(String, Column)> = vec![
        (
            "arm".into(),
            Column::text(names.iter().map(|n| Some(n.clone())).collect()),
        ),
        (
            "users".into(),
            Column::int(arms.iter().map(|a| Some(a.n() as i64)).collect()),
        ),
        (
            "conversions".into(),
            Column::int(arms.iter().map(|a| Some(a.x() as i64)).collect()),
        ),
        (
            "rate".into(),
            Column::float(arms.iter().map(|a| Some(a.rate())).collect()),
        ),
    ];
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
    let conversion = Table::new("ab_report", cols)?;

    // text
    let level = format!("{}%", (1.0 - o.alpha) * 100.0);
    let mut text = String::new();
    text.push_str(&format!(
        "Conversion ({} users, control {})\n",
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
        rows.push(r);
    }
    text.push_str(&render_rows(&rows));

    // revenue
    let mut methods = vec![
        "p: pooled two-proportion z-test, two-sided".to_string(),
        "lift CI: delta method on the log rate ratio".to_string(),
        "P(beat control): exact Beta-Binomial with uniform Beta(1, 1) priors".to_string(),
    ];
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
        for s in sums.iter().skip(1) {
            pr.push(welch_t(sums[0], *s)?);
        }
        let adj = if k > 2 {
            Some(adjust_p(
                &pr.iter().map(|w| w.p_value).collect::<Vec<_>>(),
                o.adjust,
            )?)
        } else {
            None
        };
        text.push_str(&format!("\nRevenue per user (control {})\n", names[0]));
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
            }
            rows.push(r);
        }
        text.push_str(&render_rows(&rows));
        methods.push("revenue p: Welch's t-test, two-sided".into());
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
            ],
        )?;
        Some(t)
    } else {
        None
    };
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
        warnings,
        methods,
        text,
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
