//! The analysis behind `ab_report`, as plain data: per arm the totals, per variant the
//! conversion test against control (pooled z, lift interval, adjusted and always-valid
//! p-values, chance to beat control), the chance to be best, revenue per user (Welch and
//! a normal posterior), CUPED, ratio metrics and guardrails, segments, the duration to
//! the planned power, which figure the decision rests on ([`Basis`]) and the warnings
//! as [`AbWarning`] facts. The sentences, the readout's tables and the charts are
//! written from these facts in `render/ab_readout.rs`; the numeric tables here (one per
//! section, columns marked with their [`Kind`]) are for CSV and further work.

use super::arm::Arm;
use super::bayes::{prob_beat_until, BeatMethod, BetaPrior, ShouldStop};
use super::best::{prob_best, Best};
use super::cuped::Cuped;
use super::error::{out_of_range, AbError};
use super::intervals::{lift_ci, Interval};
use super::means::{welch_t, Summary, Welch};
use super::multiple::adjust_p;
use super::power::{mde, power_at, sample_size, Design, PowerMethod};
use super::proportions::{srm_test, ztest_props, Alternative};
use super::ratio::{compare, CoMoments, Ratio, RatioTest};
use super::report::{Acc, Agg, ArmTotals, Daily, Metric, ReportOptions};
use super::sequential::msprt;
use crate::table::{Column, Kind, Table};
use crate::units::Rate;

/// The SRM warning threshold on the goodness-of-fit p-value (a common industry choice:
/// a true 50/50 split falls below it once in a thousand tests).
pub const SRM_THRESHOLD: f64 = 0.001;

/// The readout's facts. Arms are control first everywhere (`arms`, `days`, each
/// section's per-arm vectors); per-variant vectors hold the variants in arm order
/// without the control.
#[derive(Debug, Clone)]
pub struct AbReport {
    /// False for a readout that was only explained (the warehouse's `--explain`): no
    /// facts, only the `conversion` table.
    pub ran: bool,
    /// The options the readout was made under.
    pub options: ReportOptions,
    /// Arms, control first.
    pub arms: Vec<ArmTotals>,
    /// The planned share of each arm (control first), from the weights.
    pub planned_shares: Vec<f64>,
    /// The sample-ratio test's p-value (chi-square goodness of fit to the planned split).
    pub srm_p: f64,
    /// Conversion: each variant against control.
    pub variants: Vec<VariantTest>,
    /// How the chances to beat control were computed (panels when any arm needed them).
    pub beat_method: BeatMethod,
    /// Each arm's chance to have the highest rate and the rate given up by choosing it.
    pub best: Best,
    /// Per day, in time order, each arm's users and conversions (control first);
    /// empty without a day column.
    pub days: Daily,
    /// The always-valid (mSPRT) p-value at each look, per variant, when the sequential
    /// option is on: `(day index into days, p)`, the index `None` for a single look at
    /// the totals (no day column).
    pub sequential: Option<Vec<SeqPath>>,
    /// Revenue per user, when revenue was read.
    pub revenue_test: Option<RevenueTest>,
    /// CUPED on revenue per user: the covariate and the fit.
    pub cuped_fit: Option<(String, Cuped)>,
    /// The metrics, then the guardrails.
    pub metric_tests: Vec<MetricTest>,
    /// The conversion readout by segment, with `by`.
    pub segment_tests: Option<SegmentTests>,
    /// What the duration rests on.
    pub duration: Duration,
    /// More days until the conversion test reaches the target power for the planned
    /// minimum effect (0 when it already has); `None` when the traffic per day is
    /// unknown or the effect cannot be planned.
    pub days_left: Option<f64>,
    /// Which figure the decision rests on.
    pub basis: Basis,
    /// Warnings, most serious first.
    pub warnings: Vec<AbWarning>,
    /// Conversion: one row per arm (numbers, for CSV and further work).
    pub conversion: Table,
    /// Revenue per user, when a revenue column was given.
    pub revenue: Option<Table>,
    /// One row per metric (and guardrail) and arm, when metrics were given.
    pub metrics: Option<Table>,
    /// One row per segment and arm, when `by` was given.
    pub segments: Option<Table>,
    /// Revenue per user adjusted by the covariate (CUPED), when one was given.
    pub cuped: Option<Table>,
}

/// One variant's always-valid p-value at each look: `(day index, p)`, the index `None`
/// for a single look at the totals.
pub type SeqPath = Vec<(Option<usize>, f64)>;

/// One variant's conversion against control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VariantTest {
    /// rate_b / rate_a - 1 (NaN when the control rate is 0).
    pub lift: f64,
    /// The lift's interval (delta method on the log ratio), `None` when an arm has no
    /// conversions.
    pub ci: Option<Interval>,
    /// The pooled two-proportion z-test's two-sided p-value.
    pub p_value: f64,
    /// The p-value adjusted for several variants (more than one variant).
    pub p_adjusted: Option<f64>,
    /// The always-valid p-value at the last look (sequential option).
    pub p_always_valid: Option<f64>,
    /// P(rate_b > rate_a) under Beta(1, 1) priors.
    pub prob_beat: f64,
}

impl VariantTest {
    /// The fixed-horizon p-value the readout shows: adjusted when there are several
    /// variants, raw otherwise.
    pub fn p(&self) -> f64 {
        self.p_adjusted.unwrap_or(self.p_value)
    }
}

/// Revenue per user, each variant against control.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueTest {
    /// Each arm's mean, sd and users, control first.
    pub arms: Vec<Summary>,
    /// Welch's t-test per variant.
    pub tests: Vec<Welch>,
    /// The p-values adjusted for several variants (more than one variant).
    pub p_adjusted: Option<Vec<f64>>,
    /// Per variant (P(mean_b > mean_a), expected loss of choosing the variant).
    pub beat: Vec<(f64, f64)>,
}

/// A metric (or guardrail) per arm and each variant's test against control.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricTest {
    /// The metric's name.
    pub name: String,
    /// A guardrail rather than a metric read for its own sake.
    pub guardrail: bool,
    /// A fall is the good direction.
    pub lower_is_better: bool,
    /// Each arm's value, control first.
    pub values: Vec<Ratio>,
    /// Per variant, the test against control.
    pub tests: Vec<RatioTest>,
    /// Per variant, the p-value shown (adjusted for several variants).
    pub p: Vec<f64>,
}

/// The conversion readout by segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTests {
    /// The segment column.
    pub by: String,
    /// One row per segment and arm, segments in order of appearance, control first.
    pub rows: Vec<SegmentRow>,
    /// How many comparisons the p-values were adjusted across.
    pub comparisons: usize,
}

/// One arm within one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRow {
    /// The segment's label.
    pub segment: String,
    /// The arm's index (0 is the control).
    pub arm: usize,
    /// Users.
    pub users: f64,
    /// Conversions.
    pub conversions: f64,
    /// Conversions / users (NaN without users).
    pub rate: f64,
    /// The variant's test against the segment's control; `None` for the control and
    /// where an arm has no users or no arm converts.
    pub test: Option<SegmentTest>,
}

/// A variant against control within a segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentTest {
    /// The relative lift.
    pub lift: f64,
    /// Its interval, when defined.
    pub ci: Option<Interval>,
    /// The raw p-value.
    pub p_value: f64,
    /// The p-value adjusted across every segment comparison.
    pub p_adjusted: f64,
    /// The lift has the opposite sign to the total's.
    pub differs: bool,
}

/// The users a test needs: per arm, and in total given the planned split (the arm with
/// the smallest share sets the total).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Need {
    /// Users per arm.
    pub per_arm: f64,
    /// Users in all arms together.
    pub total: f64,
}

/// What the duration rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Duration {
    /// Users so far, all arms.
    pub users: f64,
    /// Users a day (given, or all users over the data's days).
    pub per_day: Option<f64>,
    /// The data's days, with a day column.
    pub data_days: Option<f64>,
    /// The conversion test's need for the planned lift; `None` when the planned lift on
    /// the control's rate is not a rate.
    pub conversion: Option<Need>,
    /// Revenue per user's need (normal approximation for means), when revenue was read
    /// and its control has a non-zero mean and a spread.
    pub revenue: Option<Need>,
}

impl Duration {
    /// More days until `need` is met: 0 when it is, `None` without the users a day.
    pub fn days_left(&self, need: Need) -> Option<f64> {
        if self.users >= need.total {
            return Some(0.0);
        }
        self.per_day
            .filter(|u| *u > 0.0)
            .map(|u| ((need.total - self.users) / u).ceil())
    }
}

/// Which figure a decision on the conversion test rests on (docs/guide.md, "Which
/// figure to act on"):
/// - the test reached its planned size (the users the conversion test needs for the
///   planned lift at the target power), or no size was planned and the results are
///   read once: the fixed-horizon p-value and interval;
/// - before the planned size with the sequential option: the always-valid p-value,
///   the only one that stays valid when the test may stop at any look;
/// - before the planned size without it: nothing yet; the fixed-horizon p-value is
///   valid only at the planned size.
///
/// The chance to beat control is a summary of the evidence, never the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Act on the fixed-horizon p-value and interval.
    FixedHorizon,
    /// Act on the always-valid p-value.
    AlwaysValid,
    /// Keep the test running to its planned size.
    NotYet,
}

/// A warning, with the facts its sentence needs.
#[derive(Debug, Clone, PartialEq)]
pub enum AbWarning {
    /// A guardrail moved significantly in the bad direction.
    GuardrailHarmed {
        /// The guardrail's name.
        metric: String,
        /// The variant.
        arm: String,
        /// The control.
        control: String,
        /// The relative lift.
        lift: f64,
        /// The variant's value.
        value: f64,
        /// The control's value.
        control_value: f64,
        /// The p-value shown.
        p: f64,
    },
    /// The users did not split as planned.
    SampleRatioMismatch {
        /// Each arm and its users, control first.
        observed: Vec<(String, f64)>,
        /// The planned shares, control first.
        planned: Vec<f64>,
        /// The goodness-of-fit p-value.
        p: f64,
    },
    /// Not significant, and the test could not have seen the observed effect.
    Underpowered {
        /// The variant.
        arm: String,
        /// The control.
        control: String,
        /// The observed lift.
        lift: f64,
        /// Users per arm (the smaller arm).
        users_per_arm: f64,
        /// The power the test had against the observed rates.
        power: f64,
        /// The smallest detectable (relative lift, variant rate) at this size, if any.
        mde: Option<(f64, f64)>,
        /// Users per arm the observed lift would need, when the rates differ.
        needed_per_arm: Option<f64>,
    },
    /// Looked at several times without the sequential option.
    Peeking {
        /// How many looks.
        looks: u32,
        /// The significance level.
        alpha: f64,
    },
    /// A variant moves against the total in every segment.
    SimpsonsParadox {
        /// The variant.
        arm: String,
        /// The segment column.
        by: String,
        /// The total's lift.
        total_lift: f64,
    },
    /// A segment moves against the total.
    SegmentDiffers {
        /// The segment column.
        by: String,
        /// The segment.
        segment: String,
        /// The variant.
        arm: String,
        /// The control.
        control: String,
        /// The segment's lift.
        lift: f64,
        /// The total's lift.
        total_lift: f64,
        /// The adjusted p-value.
        p_adjusted: f64,
    },
}

impl AbReport {
    /// A readout that was not run (`--explain`): no facts, `conversion` holds what
    /// would have run.
    pub fn not_run(conversion: Table, options: ReportOptions) -> AbReport {
        AbReport {
            ran: false,
            options,
            arms: Vec::new(),
            planned_shares: Vec::new(),
            srm_p: f64::NAN,
            variants: Vec::new(),
            beat_method: BeatMethod::ClosedForm,
            best: Best {
                prob_best: Vec::new(),
                loss: Vec::new(),
            },
            days: Vec::new(),
            sequential: None,
            revenue_test: None,
            cuped_fit: None,
            metric_tests: Vec::new(),
            segment_tests: None,
            duration: Duration {
                users: 0.0,
                per_day: None,
                data_days: None,
                conversion: None,
                revenue: None,
            },
            days_left: None,
            basis: Basis::NotYet,
            warnings: Vec::new(),
            conversion,
            revenue: None,
            metrics: None,
            segments: None,
            cuped: None,
        }
    }

    /// The arms' labels, control first.
    pub fn names(&self) -> Vec<String> {
        self.arms.iter().map(|a| a.name.clone()).collect()
    }
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
            a.conv, a.users
        ))
    })
}

/// Float cells, `None` where undefined.
fn cells(v: impl Iterator<Item = f64>) -> Column {
    Column::float(v.map(|x| Some(x).filter(|x| x.is_finite())).collect())
}

/// A column with an empty control row, then one value per variant.
fn after_control(v: impl Iterator<Item = Option<f64>>) -> Column {
    Column::float(std::iter::once(None).chain(v).collect())
}

/// A text column of the arms' labels.
fn arm_column(names: &[String]) -> Column {
    Column::text(names.iter().map(|n| Some(n.clone())).collect())
}

/// The analysis of aggregated arms (what both the per-row and the sums paths end in).
pub(super) fn analyse(
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
        mut by_day,
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
    let mut weights = match &o.weights {
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
    to_front(&mut weights, ci);
    for (_, seg) in &mut segments {
        to_front(seg, ci);
    }
    for m in &mut metrics {
        to_front(m, ci);
    }
    if !cuped.is_empty() {
        to_front(&mut cuped, ci);
    }
    for (_, cells) in &mut by_day {
        if cells.len() == names.len() {
            to_front(cells, ci);
        }
    }
    let wsum: f64 = weights.iter().sum();
    let planned_shares: Vec<f64> = weights.iter().map(|w| w / wsum).collect();

    let arms: Vec<Arm> = names
        .iter()
        .zip(&accs)
        .map(|(n, a)| arm_of(n, a))
        .collect::<Result<_, _>>()?;
    let control = arms[0];
    let k = arms.len();
    let mut warnings = Vec::new();
    if srm.p_value < SRM_THRESHOLD {
        warnings.push(AbWarning::SampleRatioMismatch {
            observed: names
                .iter()
                .zip(&accs)
                .map(|(n, a)| (n.clone(), a.users))
                .collect(),
            planned: planned_shares.clone(),
            p: srm.p_value,
        });
    }

    // conversion per variant
    let mut variants = Vec::new();
    let mut beat_method = BeatMethod::ClosedForm;
    for (i, &b) in arms.iter().enumerate().skip(1) {
        let z = ztest_props(control, b, Alternative::TwoSided)?;
        let beat = prob_beat_until(control, b, BetaPrior::uniform(), BetaPrior::uniform(), stop)?;
        if beat.method != BeatMethod::ClosedForm {
            beat_method = beat.method;
        }
        variants.push(VariantTest {
            lift: z.lift,
            ci: lift_ci(control, b, 1.0 - o.alpha).ok(),
            p_value: z.p_value,
            p_adjusted: None,
            p_always_valid: None,
            prob_beat: beat.prob,
        });
        // underpowered: not significant and the design could not have seen this effect
        let n = control.n().min(b.n());
        let pw = power_at(control.rate(), b.rate(), n, o.alpha, PowerMethod::Pooled);
        if z.p_value >= o.alpha && pw < o.power {
            let m = mde(Rate::new(control.rate(), "control rate")?, n, design)
                .ok()
                .map(|m| (m.relative, m.p_target));
            let needed_per_arm = if b.rate() != control.rate() {
                sample_size(
                    Rate::new(control.rate(), "control rate")?,
                    Rate::new(b.rate(), "variant rate")?,
                    design,
                )
                .ok()
                .map(|s| s.n_per_arm)
            } else {
                None
            };
            warnings.push(AbWarning::Underpowered {
                arm: names[i].clone(),
                control: names[0].clone(),
                lift: z.lift,
                users_per_arm: n,
                power: pw,
                mde: m,
                needed_per_arm,
            });
        }
    }
    if k > 2 {
        let raw: Vec<f64> = variants.iter().map(|v| v.p_value).collect();
        for (v, p) in variants.iter_mut().zip(adjust_p(&raw, o.adjust)?) {
            v.p_adjusted = Some(p);
        }
    }

    // sequential
    let sequential = if o.sequential {
        let mut paths = Vec::new();
        for (j, v) in variants.iter_mut().enumerate() {
            let j = j + 1;
            let mut looks: Vec<(Arm, Arm)> = Vec::new();
            let mut at: Vec<Option<usize>> = Vec::new();
            if by_day.is_empty() {
                looks.push((control, arms[j]));
                at.push(None);
            } else {
                let (mut ua, mut xa, mut ub, mut xb) = (0.0, 0.0, 0.0, 0.0);
                for (d, (_, cells)) in by_day.iter().enumerate() {
                    let ca = cells.first().copied().unwrap_or((0.0, 0.0));
                    let cb = cells.get(j).copied().unwrap_or((0.0, 0.0));
                    ua += ca.0;
                    xa += ca.1;
                    ub += cb.0;
                    xb += cb.1;
                    if ua >= 1.0 && ub >= 1.0 {
                        looks.push((
                            Arm::new(xa, ua, "ab_report", "a")?,
                            Arm::new(xb, ub, "ab_report", "b")?,
                        ));
                        at.push(Some(d));
                    }
                }
            }
            let s = msprt(&looks, o.tau, o.alpha)?;
            v.p_always_valid = Some(s.last().map_or(1.0, |l| l.p_value));
            paths.push(at.into_iter().zip(s.iter().map(|l| l.p_value)).collect());
        }
        Some(paths)
    } else {
        if o.looks > 1 {
            warnings.push(AbWarning::Peeking {
                looks: o.looks,
                alpha: o.alpha,
            });
        }
        None
    };
    let best = prob_best(&arms, stop)?;
    let conversion = conversion_table(&names, &arms, &variants, &best)?;

    let (revenue_test, revenue) = if has_revenue {
        let (r, t) = revenue_section(&names, &accs, o)?;
        (Some(r), Some(t))
    } else {
        (None, None)
    };
    let (cuped_fit, cuped_table) = match o.covariate.as_deref() {
        Some(cov) if !cuped.is_empty() => {
            let fit = super::cuped::cuped(&cuped, 1.0 - o.alpha)?;
            let t = cuped_table(&fit, &names)?;
            (Some((cov.to_string(), fit)), Some(t))
        }
        _ => (None, None),
    };
    let (metric_tests, metric_table) = if metrics.is_empty() {
        (Vec::new(), None)
    } else {
        let specs: Vec<&Metric> = o.metrics.iter().chain(&o.guardrails).collect();
        let tests = metric_tests(&specs, o.metrics.len(), &metrics, &names, o)?;
        let mut harms = Vec::new();
        for m in tests.iter().filter(|m| m.guardrail) {
            for (i, t) in m.tests.iter().enumerate() {
                let worse = if m.lower_is_better {
                    t.diff > 0.0
                } else {
                    t.diff < 0.0
                };
                if worse && m.p[i] < o.alpha {
                    harms.push(AbWarning::GuardrailHarmed {
                        metric: m.name.clone(),
                        arm: names[i + 1].clone(),
                        control: names[0].clone(),
                        lift: t.lift,
                        value: m.values[i + 1].value,
                        control_value: m.values[0].value,
                        p: m.p[i],
                    });
                }
            }
        }
        for h in harms.into_iter().rev() {
            warnings.insert(0, h);
        }
        let table = metric_table(&tests, &names)?;
        (tests, Some(table))
    };
    let (segment_tests, segment_table) = match o.by.as_deref() {
        Some(by) => {
            let (s, notes) = segment_tests(by, &segments, &names, &variants, o)?;
            warnings.extend(notes);
            let t = segment_table(&s, &names)?;
            (Some(s), Some(t))
        }
        None => (None, None),
    };
    let duration = duration(&arms, &accs, &planned_shares, &by_day, design, o)?;
    let days_left = duration.conversion.and_then(|n| duration.days_left(n));
    let reached = duration.conversion.map(|n| duration.users >= n.total);
    let basis = match reached {
        Some(true) => Basis::FixedHorizon,
        _ if o.sequential => Basis::AlwaysValid,
        None if o.looks <= 1 => Basis::FixedHorizon,
        _ => Basis::NotYet,
    };
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
        ran: true,
        options: o.clone(),
        arms: arms_out,
        planned_shares,
        srm_p: srm.p_value,
        variants,
        beat_method,
        best,
        days: by_day,
        sequential,
        revenue_test,
        cuped_fit,
        metric_tests,
        segment_tests,
        duration,
        days_left,
        basis,
        warnings,
        conversion,
        revenue,
        metrics: metric_table,
        segments: segment_table,
        cuped: cuped_table,
    })
}

/// The p-value columns of the result tables, shown by the p-value rule.
const P_KINDS: &[(&str, Kind)] = &[
    ("p_value", Kind::PValue),
    ("p_adjusted", Kind::PValue),
    ("p_always_valid", Kind::PValue),
];

/// The conversion table: one row per arm.
fn conversion_table(
    names: &[String],
    arms: &[Arm],
    variants: &[VariantTest],
    best: &Best,
) -> Result<Table, AbError> {
    let mut cols: Vec<(String, Column)> = vec![("arm".into(), arm_column(names))];
    cols.extend(super::arm::arm_count_columns(arms));
    let per = |f: &dyn Fn(&VariantTest) -> Option<f64>| after_control(variants.iter().map(f));
    cols.push((
        "lift".into(),
        per(&|v| Some(v.lift).filter(|x| x.is_finite())),
    ));
    cols.push(("lift_low".into(), per(&|v| v.ci.map(|i| i.low))));
    cols.push(("lift_high".into(), per(&|v| v.ci.map(|i| i.high))));
    cols.push(("p_value".into(), per(&|v| Some(v.p_value))));
    if variants.iter().any(|v| v.p_adjusted.is_some()) {
        cols.push(("p_adjusted".into(), per(&|v| v.p_adjusted)));
    }
    if variants.iter().any(|v| v.p_always_valid.is_some()) {
        cols.push(("p_always_valid".into(), per(&|v| v.p_always_valid)));
    }
    cols.push(("prob_beat".into(), per(&|v| Some(v.prob_beat))));
    cols.push((
        "prob_best".into(),
        Column::float(best.prob_best.iter().map(|&p| Some(p)).collect()),
    ));
    cols.push((
        "expected_loss".into(),
        Column::float(best.loss.iter().map(|&p| Some(p)).collect()),
    ));
    Ok(Table::new("ab_report", cols)?
        .with_kinds(P_KINDS)
        .with_kinds(&[
            ("users", Kind::Count),
            ("conversions", Kind::Count),
            ("rate", Kind::Rate),
            ("lift", Kind::Change),
            ("lift_low", Kind::Change),
            ("lift_high", Kind::Change),
            ("prob_beat", Kind::Share),
            ("prob_best", Kind::Share),
            ("expected_loss", Kind::Points),
        ]))
}

/// Revenue per user: Welch per variant, adjusted for several variants, and the
/// normal-posterior chance to beat control.
fn revenue_section(
    names: &[String],
    accs: &[Acc],
    o: &ReportOptions,
) -> Result<(RevenueTest, Table), AbError> {
    let sums: Vec<Summary> = names
        .iter()
        .zip(accs)
        .map(|(n, a)| {
            if a.users < 2.0 {
                return Err(AbError::Invalid(format!(
                    "ab_report: arm '{n}' has {} user; revenue per user needs at least 2 users in every arm (a standard deviation needs two values)",
                    a.users
                )));
            }
            Summary::new(
                a.mean,
                (a.m2 / (a.users - 1.0)).sqrt(),
                a.users,
                &format!("ab_report: revenue of arm '{n}'"),
                "x",
            )
        })
        .collect::<Result<_, _>>()?;
    let mut tests = Vec::new();
    let mut beat = Vec::new();
    for s in sums.iter().skip(1) {
        tests.push(welch_t(sums[0], *s)?);
        beat.push(normal_beat(sums[0], *s));
    }
    let p_adjusted = if names.len() > 2 {
        Some(adjust_p(
            &tests.iter().map(|w| w.p_value).collect::<Vec<_>>(),
            o.adjust,
        )?)
    } else {
        None
    };
    let t = Table::new(
        "ab_report",
        vec![
            ("arm".into(), arm_column(names)),
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
            ("t".into(), after_control(tests.iter().map(|w| Some(w.t)))),
            ("df".into(), after_control(tests.iter().map(|w| Some(w.df)))),
            (
                "p_value".into(),
                after_control(tests.iter().map(|w| Some(w.p_value))),
            ),
            (
                "prob_beat".into(),
                after_control(beat.iter().map(|b| Some(b.0))),
            ),
            (
                "expected_loss".into(),
                after_control(beat.iter().map(|b| Some(b.1))),
            ),
        ],
    )?
    .with_kinds(P_KINDS)
    .with_kinds(&[
        ("users", Kind::Count),
        ("mean", Kind::Money),
        ("sd", Kind::Money),
        ("prob_beat", Kind::Share),
        ("expected_loss", Kind::Money),
    ]);
    Ok((
        RevenueTest {
            arms: sums,
            tests,
            p_adjusted,
            beat,
        },
        t,
    ))
}

/// The users needed for the planned lift and the users a day: conversion by Fleiss,
/// revenue per user by the normal approximation for means when the arms carry revenue;
/// totals scaled by the planned split (the arm with the smallest share sets the total);
/// users a day given, or all users over the data's days.
fn duration(
    arms: &[Arm],
    accs: &[Acc],
    shares: &[f64],
    days: &Daily,
    design: Design,
    o: &ReportOptions,
) -> Result<Duration, AbError> {
    let users: f64 = arms.iter().map(|a| a.n()).sum();
    let data_days = (!days.is_empty()).then_some(days.len() as f64);
    let per_day = match (o.daily_users, data_days) {
        (Some(u), _) => Some(u),
        (None, Some(d)) if d > 0.0 => Some(users / d),
        _ => None,
    };
    let min_share = shares.iter().fold(f64::INFINITY, |m, s| m.min(*s));
    let need = |per_arm: f64| Need {
        per_arm,
        total: per_arm / min_share,
    };
    let p_c = arms[0].rate();
    let target = p_c * (1.0 + o.mde);
    let conversion = if p_c > 0.0 && target > 0.0 && target < 1.0 {
        let n = sample_size(
            Rate::new(p_c, "control rate")?,
            Rate::new(target, "planned rate")?,
            design,
        )?;
        Some(need(n.n_per_arm))
    } else {
        None
    };
    let c = &accs[0];
    let revenue = if c.mean != 0.0 && c.m2 > 0.0 && c.users >= 2.0 {
        let sd = (c.m2 / (c.users - 1.0)).sqrt();
        super::power::sample_size_means(c.mean, sd, o.mde, 1.0, design)
            .ok()
            .map(|n| need(n.n_control))
    } else {
        None
    };
    Ok(Duration {
        users,
        per_day,
        data_days,
        conversion,
        revenue,
    })
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

/// The CUPED table: each arm's mean and adjusted mean, the adjusted difference with
/// its interval and p-value, theta and the variance reduction.
fn cuped_table(c: &Cuped, names: &[String]) -> Result<Table, AbError> {
    let col = |f: &dyn Fn(&super::cuped::CupedArm) -> f64| cells(c.arms.iter().map(f));
    Ok(Table::new(
        "ab_report",
        vec![
            ("arm".into(), arm_column(names)),
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
    )?
    .with_kinds(P_KINDS)
    .with_kinds(&[
        ("users", Kind::Count),
        ("mean", Kind::Money),
        ("adjusted_mean", Kind::Money),
        ("diff", Kind::Money),
        ("low", Kind::Money),
        ("high", Kind::Money),
        ("se", Kind::Money),
        ("variance_reduction", Kind::Share),
    ]))
}

/// The metrics' tests. `specs` are the metrics then the guardrails (`n_primary` of the
/// first kind); `data[m][arm]` their co-moments, control first.
fn metric_tests(
    specs: &[&Metric],
    n_primary: usize,
    data: &[Vec<CoMoments>],
    names: &[String],
    o: &ReportOptions,
) -> Result<Vec<MetricTest>, AbError> {
    let level = 1.0 - o.alpha;
    specs
        .iter()
        .zip(data)
        .enumerate()
        .map(|(mi, (spec, arms))| {
            let values = names
                .iter()
                .zip(arms)
                .map(|(n, c)| c.ratio(&spec.name, n))
                .collect::<Result<Vec<_>, _>>()?;
            let tests = values[1..]
                .iter()
                .map(|r| compare(values[0], *r, level, &spec.name))
                .collect::<Result<Vec<_>, _>>()?;
            let raw: Vec<f64> = tests.iter().map(|t| t.p_value).collect();
            let p = if names.len() > 2 {
                adjust_p(&raw, o.adjust)?
            } else {
                raw
            };
            Ok(MetricTest {
                name: spec.name.clone(),
                guardrail: mi >= n_primary,
                lower_is_better: spec.lower_is_better,
                values,
                tests,
                p,
            })
        })
        .collect()
}

/// The metrics' table: one row per metric and arm.
fn metric_table(tests: &[MetricTest], names: &[String]) -> Result<Table, AbError> {
    let (mut c_metric, mut c_kind, mut c_arm, mut c_users) = (vec![], vec![], vec![], vec![]);
    let (mut c_value, mut c_lift, mut c_low, mut c_high, mut c_p) =
        (vec![], vec![], vec![], vec![], vec![]);
    for m in tests {
        for (i, r) in m.values.iter().enumerate() {
            c_metric.push(Some(m.name.clone()));
            c_kind.push(Some(
                if m.guardrail { "guardrail" } else { "metric" }.to_string(),
            ));
            c_arm.push(Some(names[i].clone()));
            c_users.push(Some(r.n as i64));
            c_value.push(Some(r.value));
            if i == 0 {
                c_lift.push(None);
                c_low.push(None);
                c_high.push(None);
                c_p.push(None);
            } else {
                let t = m.tests[i - 1];
                c_lift.push(Some(t.lift).filter(|v| v.is_finite()));
                c_low.push(Some(t.lift_low).filter(|v| v.is_finite()));
                c_high.push(Some(t.lift_high).filter(|v| v.is_finite()));
                c_p.push(Some(m.p[i - 1]));
            }
        }
    }
    Ok(Table::new(
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
                if names.len() > 2 {
                    "p_adjusted"
                } else {
                    "p_value"
                }
                .into(),
                Column::float(c_p),
            ),
        ],
    )?
    .with_kinds(P_KINDS)
    .with_kinds(&[
        ("users", Kind::Count),
        ("lift", Kind::Change),
        ("lift_low", Kind::Change),
        ("lift_high", Kind::Change),
    ]))
}

/// The conversion readout per segment of `by`: each variant against the control
/// within the segment (pooled z, lift interval by the delta method on the log ratio),
/// p-values adjusted across every segment and variant, and a flag where a segment's
/// direction differs from the total's. Segments where an arm has no users, or no arm
/// converts, are listed without a test. Returns the tests and the warnings (Simpson's
/// paradox first).
fn segment_tests(
    by: &str,
    segments: &[(String, Vec<Acc>)],
    names: &[String],
    total: &[VariantTest],
    o: &ReportOptions,
) -> Result<(SegmentTests, Vec<AbWarning>), AbError> {
    // (segment, arm, lift, interval, p)
    let mut cmps: Vec<(usize, usize, f64, Option<Interval>, f64)> = Vec::new();
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
                cmps.push((
                    si,
                    j,
                    z.lift,
                    lift_ci(arms[0], b, 1.0 - o.alpha).ok(),
                    z.p_value,
                ));
            }
        }
    }
    let adjusted = if cmps.is_empty() {
        Vec::new()
    } else {
        adjust_p(&cmps.iter().map(|c| c.4).collect::<Vec<_>>(), o.adjust)?
    };
    let differs = |arm: usize, lift: f64| {
        let t = total[arm - 1].lift;
        lift.is_finite() && t.is_finite() && lift * t < 0.0
    };
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for (si, (seg, accs)) in segments.iter().enumerate() {
        for (j, a) in accs.iter().enumerate() {
            let test = cmps.iter().position(|c| c.0 == si && c.1 == j).map(|ci| {
                let (_, _, lift, interval, p) = cmps[ci];
                SegmentTest {
                    lift,
                    ci: interval,
                    p_value: p,
                    p_adjusted: adjusted[ci],
                    differs: differs(j, lift),
                }
            });
            if let Some(t) = test.filter(|t| t.differs) {
                notes.push(AbWarning::SegmentDiffers {
                    by: by.to_string(),
                    segment: seg.clone(),
                    arm: names[j].clone(),
                    control: names[0].clone(),
                    lift: t.lift,
                    total_lift: total[j - 1].lift,
                    p_adjusted: t.p_adjusted,
                });
            }
            rows.push(SegmentRow {
                segment: seg.clone(),
                arm: j,
                users: a.users,
                conversions: a.conv,
                rate: if a.users > 0.0 {
                    a.conv / a.users
                } else {
                    f64::NAN
                },
                test,
            });
        }
    }
    for (j, name) in names.iter().enumerate().skip(1) {
        let mine: Vec<_> = cmps.iter().filter(|c| c.1 == j).collect();
        if mine.len() >= 2 && mine.iter().all(|c| differs(j, c.2)) {
            notes.insert(
                0,
                AbWarning::SimpsonsParadox {
                    arm: name.clone(),
                    by: by.to_string(),
                    total_lift: total[j - 1].lift,
                },
            );
        }
    }
    Ok((
        SegmentTests {
            by: by.to_string(),
            rows,
            comparisons: cmps.len(),
        },
        notes,
    ))
}

/// The segments' table: one row per segment and arm.
fn segment_table(s: &SegmentTests, names: &[String]) -> Result<Table, AbError> {
    let f = |g: &dyn Fn(&SegmentTest) -> f64| {
        cells(s.rows.iter().map(|r| r.test.as_ref().map_or(f64::NAN, g)))
    };
    Ok(Table::new(
        "ab_report",
        vec![
            (
                s.by.clone(),
                Column::text(s.rows.iter().map(|r| Some(r.segment.clone())).collect()),
            ),
            (
                "arm".into(),
                Column::text(s.rows.iter().map(|r| Some(names[r.arm].clone())).collect()),
            ),
            (
                "users".into(),
                Column::int(s.rows.iter().map(|r| Some(r.users as i64)).collect()),
            ),
            (
                "conversions".into(),
                Column::int(s.rows.iter().map(|r| Some(r.conversions as i64)).collect()),
            ),
            ("rate".into(), cells(s.rows.iter().map(|r| r.rate))),
            ("lift".into(), f(&|t| t.lift)),
            ("lift_low".into(), f(&|t| t.ci.map_or(f64::NAN, |i| i.low))),
            (
                "lift_high".into(),
                f(&|t| t.ci.map_or(f64::NAN, |i| i.high)),
            ),
            ("p_value".into(), f(&|t| t.p_value)),
            ("p_adjusted".into(), f(&|t| t.p_adjusted)),
            (
                "direction_differs".into(),
                Column::boolean(s.rows.iter().map(|r| r.test.map(|t| t.differs)).collect()),
            ),
        ],
    )?
    .with_kinds(P_KINDS)
    .with_kinds(&[
        ("users", Kind::Count),
        ("conversions", Kind::Count),
        ("rate", Kind::Rate),
        ("lift", Kind::Change),
        ("lift_low", Kind::Change),
        ("lift_high", Kind::Change),
    ]))
}
