//! The A/B test domain: significance of conversion-rate and mean differences,
//! intervals, power and sample size, sample-ratio mismatch, many arms, Bayesian
//! chance to beat control and safe (sequential) monitoring (domain.md sections 3
//! and 5; issue 8). A is the control, B the variant; every effect is B relative to A.
//!
//! Files: [`special`] (tails in log space), [`arm`] (checked counts), [`proportions`]
//! (z, chi-square, Fisher, k arms, SRM), [`intervals`] (Wilson, Newcombe, Wald, lift),
//! [`means`] (Welch), [`power`] (sample size, MDE, power), [`multiple`] (Holm,
//! Bonferroni, BH), [`bayes`] (chance to beat control, expected loss), [`sequential`]
//! (mSPRT always-valid p-values and confidence sequences).

pub mod arm;
pub mod bayes;
pub mod error;
pub mod intervals;
pub mod means;
pub mod multiple;
pub mod power;
pub mod proportions;
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
pub use sequential::{msprt, SeqLook, DEFAULT_TAU};

#[cfg(test)]
mod tests;
