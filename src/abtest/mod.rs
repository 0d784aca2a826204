//! The A/B test domain: significance of conversion-rate and mean differences,
//! intervals, power and sample size, sample-ratio mismatch, many arms, Bayesian
//! chance to beat control and safe (sequential) monitoring (domain.md sections 3
//! and 5; issue 8). A is the control, B the variant; every effect is B relative to A.
//!
//! Files: [`special`] (tails in log space), [`arm`] (checked counts), [`proportions`]
//! (z, chi-square, Fisher, k arms, SRM), [`intervals`] (Wilson, Newcombe, Wald, lift),
//! [`means`] (Welch), [`power`](mod@power) (sample size, MDE, power), [`multiple`] (Holm,
//! Bonferroni, BH), [`bayes`] (chance to beat control, expected loss), [`sequential`]
//! (mSPRT always-valid p-values and confidence sequences), [`report`] (the readout).
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
//! | `msprt(x_a, n_a, x_b, n_b[, #{ tau, alpha }])` (arrays of cumulative counts) | [`msprt`] | closed form; seeded peeking simulation |
//! | `ab_report(table, #{ ... })` | [`ab_report`] with [`ReportOptions`] ([`AbReport`]: `table`, `revenue`, `warnings`, `methods`) | pandas + statsmodels on the same CSV |
//!
//! Reference values live in `fixtures/abtest/reference.json` (generator and library
//! versions in `fixtures/abtest/`); `tests.rs` holds every primitive to 1e-6 relative.
//!
//! [`prob_beat`] sums a closed form when a posterior shape is whole (any whole-number
//! prior) and integrates by tanh-sinh quadrature when every shape is fractional
//! (Jeffreys [0.5, 0.5] on both arms); both are held to the scipy reference.

pub mod arm;
pub mod bayes;
pub mod error;
pub mod intervals;
pub mod means;
pub mod multiple;
pub mod power;
pub mod proportions;
pub mod report;
pub mod sequential;
pub mod special;

pub use arm::Arm;
pub use bayes::{prob_beat, Beat, BetaPrior};
pub use error::AbError;
pub use intervals::{diff_ci, lift_ci, wilson_ci, DiffMethod, Interval};
pub use means::{welch_t, Summary, Welch};
pub use multiple::{adjust_p, Adjust};
pub use power::{mde, power, power_at, sample_size, Design, Mde, PowerMethod, SampleSize};
pub use proportions::{
    chi2_2x2, chi2_arms, fisher_exact, srm_test, ztest_props, Alternative, ChiSquare, Fisher, ZTest,
};
pub use report::{
    ab_report, ab_report_from_sums, AbReport, ArmSums, ArmTotals, Daily, ReportOptions,
};
pub use sequential::{msprt, SeqLook, DEFAULT_TAU};

#[cfg(test)]
mod tests;
