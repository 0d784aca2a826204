//! The A/B test domain: significance of conversion-rate and mean differences,
//! intervals, power and sample size, sample-ratio mismatch, many arms, Bayesian
//! chance to beat control and safe (sequential) monitoring. A is the control, B the
//! variant; every effect is B relative to A.
//!
//! Files: [`special`] (tails in log space), [`arm`] (checked counts), [`proportions`]
//! (z, chi-square, Fisher, k arms, SRM), [`intervals`] (Wilson, Newcombe, Wald, lift),
//! [`means`] (Welch), [`power`](mod@power) (sample size, MDE, power), [`multiple`] (Holm,
//! Bonferroni, BH), [`bayes`] (chance to beat control, expected loss), [`best`]
//! (probability to be best across k arms), [`ratio`] (ratio metrics by the delta
//! method), [`sequential`]
//! (mSPRT always-valid p-values and confidence sequences), [`report`] (the readout's
//! options and aggregation), [`analysis`] (the readout's facts: tests, duration, the
//! figure to act on, warnings as [`AbWarning`]; its sentences, tables for display and
//! charts are written in `render/ab_readout.rs`).
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust | reference |
//! |---|---|---|
//! | `ztest_props(x_a, n_a, x_b, n_b[, #{ alternative }])` | [`ztest_props`] | statsmodels `proportions_ztest` |
//! | `chi2_2x2(x_a, n_a, x_b, n_b[, #{ yates }])` | [`chi2_2x2`] | scipy `chi2_contingency` |
//! | `fisher_exact(x_a, n_a, x_b, n_b)` | [`fisher_exact`] | scipy `fisher_exact` |
//! | `wilson_ci(x, n[, #{ level }])` | [`wilson_ci`] | statsmodels `proportion_confint` |
//! | `diff_ci(x_a, n_a, x_b, n_b[, #{ level, method }])` | [`diff_ci`] | statsmodels `confint_proportions_2indep` |
//! | `lift_ci(x_a, n_a, x_b, n_b[, #{ level }])` | [`lift_ci`] | statsmodels `confint_proportions_2indep(compare="ratio", method="log")` |
//! | `welch_t(mean_a, sd_a, n_a, mean_b, sd_b, n_b)`, `welch_t(table, #{ value, variant, control, treatment })` | [`welch_t`] with [`Summary::new`] / [`Summary::of`] | scipy `ttest_ind_from_stats`, `ttest_ind` |
//! | `sample_size(p_base, p_target[, #{ alpha, power, method }])` | [`sample_size`] | Fleiss closed form; statsmodels `NormalIndPower` |
//! | `mde(p_base, n_per_arm[, #{ alpha, power, method }])` | [`mde`] | brentq on the same power functions |
//! | `power(p_base, p_target, n_per_arm[, #{ alpha, method }])` | [`power()`](power::power) | statsmodels `NormalIndPower.power` |
//! | `srm_test(observed_counts, expected_weights)` | [`srm_test`] | scipy `chisquare` |
//! | `chi2_arms(conversions, totals)` | [`chi2_arms`] | scipy `chi2_contingency(correction=False)` |
//! | `adjust_p(p_values, method)` | [`adjust_p`] | statsmodels `multipletests` |
//! | `prob_beat(x_a, n_a, x_b, n_b[, #{ prior_a, prior_b }])` | [`prob_beat`] | scipy `quad` of Beta densities; mpmath closed form |
//! | `prob_best(conversions, totals)` | [`prob_best`] | mpmath `quad` over `betainc` at 30 digits |
//! | `sample_size_means(mean, sd, mde[, #{ alpha, power, ratio }])` | [`sample_size_means`] | statsmodels `NormalIndPower` |
//! | `msprt(x_a, n_a, x_b, n_b[, #{ tau, alpha }])` (arrays of cumulative counts) | [`msprt`] | closed form; seeded peeking simulation |
//! | `ab_report(table, #{ ... })` | [`ab_report`] with [`ReportOptions`] ([`AbReport`]: `table`, `revenue`, `act_on`, `basis`, `chart`, `warnings`, `methods`) | pandas + statsmodels on the same CSV |
//!
//! Reference values live in `fixtures/abtest/reference.json` (generator and library
//! versions in `fixtures/abtest/`); `tests.rs` holds every primitive to 1e-6 relative.
//!
//! [`prob_beat`] sums a closed form when a posterior shape is whole (any whole-number
//! prior) and short, integrates by tanh-sinh quadrature when every shape is fractional
//! (Jeffreys [0.5, 0.5] on both arms), and by Gauss-Legendre panels, at a cost that
//! does not grow with the counts, once every shape is at least
//! [`PANELS_FROM_SHAPE`](bayes::PANELS_FROM_SHAPE) (10,000); each result names its
//! method, and all three are held to the scipy and mpmath references.

pub mod analysis;
pub mod arm;
pub mod bayes;
pub mod best;
pub mod cuped;
pub mod error;
pub mod intervals;
pub mod means;
pub mod multiple;
pub mod power;
pub mod proportions;
pub mod ratio;
pub mod report;
pub mod sequential;
pub mod special;

pub use analysis::{
    AbReport, AbWarning, Basis, Duration, MetricTest, Need, RevenueTest, SegmentRow, SegmentTest,
    SegmentTests, SeqPath, VariantTest, SRM_THRESHOLD,
};
pub use arm::Arm;
pub use bayes::{
    never_stop, prob_beat, prob_beat_until, Beat, BeatMethod, BetaPrior, ShouldStop,
    PANELS_FROM_SHAPE,
};
pub use best::{prob_best, Best, BEST_METHOD};
pub use cuped::{cuped, Cuped, CupedArm};
pub use error::AbError;
pub use intervals::{diff_ci, lift_ci, wilson_ci, DiffMethod, Interval};
pub use means::{welch_t, Summary, Welch};
pub use multiple::{adjust_p, Adjust};
pub use power::{
    mde, power, power_at, sample_size, sample_size_means, Design, Mde, MeansSize, PowerMethod,
    SampleSize,
};
pub use proportions::{
    chi2_2x2, chi2_arms, fisher_exact, srm_test, ztest_props, Alternative, ChiSquare, Fisher, ZTest,
};
pub use ratio::{CoMoments, Ratio, RatioTest};
pub use report::{
    ab_report, ab_report_from_sums, ab_report_until, ArmSums, ArmTotals, Daily, Metric,
    ReportOptions,
};
pub use sequential::{msprt, SeqLook, DEFAULT_TAU};

#[cfg(test)]
mod tests;
