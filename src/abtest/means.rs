//! Welch's t-test for a difference in means (revenue per user, order value), from
//! summary statistics or from raw per-user values (scipy 1.17
//! `ttest_ind_from_stats(..., equal_var=False)` and `ttest_ind(..., equal_var=False)`).

use super::error::{out_of_range, AbError};
use super::special::t_sf_two_sided;

/// Mean, sample standard deviation (n - 1 denominator) and size of one arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation.
    pub sd: f64,
    /// The number of values.
    pub n: f64,
}

impl Summary {
    /// Checks a finite mean, sd >= 0 and a whole n >= 2; `arm` ("a" or "b") names
    /// the arguments in errors.
    pub fn new(mean: f64, sd: f64, n: f64, function: &str, arm: &str) -> Result<Summary, AbError> {
        if !mean.is_finite() {
            return Err(out_of_range(
                &format!("{function}: mean_{arm}"),
                "a finite number",
                mean,
            ));
        }
        if !(sd.is_finite() && sd >= 0.0) {
            return Err(out_of_range(
                &format!("{function}: sd_{arm}"),
                "a finite number of at least 0",
                sd,
            ));
        }
        if !(n.is_finite() && n.fract() == 0.0 && n >= 2.0) {
            return Err(out_of_range(
                &format!("{function}: n_{arm}"),
                "a whole number of at least 2 (a standard deviation needs two values)",
                n,
            ));
        }
        Ok(Summary { mean, sd, n })
    }

    /// Summary of raw values: mean, then the sum of squared deviations from it (two
    /// passes, so large means do not cancel the variance).
    pub fn of(values: &[f64], function: &str, arm: &str) -> Result<Summary, AbError> {
        let n = values.len() as f64;
        if values.len() < 2 {
            return Err(AbError::Invalid(format!(
                "{function}: arm {} has {} value(s); Welch's test needs at least 2 per arm",
                arm.to_uppercase(),
                values.len()
            )));
        }
        let mean = values.iter().sum::<f64>() / n;
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        Summary::new(mean, (ss / (n - 1.0)).sqrt(), n, function, arm)
    }
}

/// The result of [`welch_t`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    /// mean_b - mean_a.
    pub diff: f64,
    /// t = (mean_b - mean_a) / se, se = sqrt(sd_a²/n_a + sd_b²/n_b).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value P(|T_df| > |t|).
    pub p_value: f64,
    /// The standard error of the difference.
    pub se: f64,
}

/// Welch's unequal-variance t-test of mean_b - mean_a:
/// df = (v_a + v_b)² / (v_a² / (n_a - 1) + v_b² / (n_b - 1)) with v = sd² / n.
/// Undefined (error) when both standard deviations are 0. The variances are formed
/// from the standard deviations divided by the larger one (df and t are free of that
/// scale), so that standard deviations up to the largest double neither overflow
/// nor give a NaN df; a difference of means or a t beyond the largest double is an
/// error naming the means.
pub fn welch_t(a: Summary, b: Summary) -> Result<Welch, AbError> {
    let scale = a.sd.max(b.sd);
    if scale <= 0.0 {
        return Err(AbError::Undefined(
            "welch_t: the t statistic is undefined because both arms have standard deviation 0 (every value equal within each arm), so the standard error is 0".into(),
        ));
    }
    let va = (a.sd / scale).powi(2) / a.n;
    let vb = (b.sd / scale).powi(2) / b.n;
    let var = va + vb;
    let se = scale * var.sqrt();
    let diff = b.mean - a.mean;
    let t = diff / se;
    if !t.is_finite() {
        return Err(AbError::Undefined(format!(
            "welch_t: mean_b - mean_a ({} - {}) is too large against its standard error ({se:e}) to be represented; rescale the values (e.g. to thousands)",
            b.mean, a.mean
        )));
    }
    let df = var * var / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    Ok(Welch {
        diff,
        t,
        df,
        p_value: t_sf_two_sided(t, df),
        se,
    })
}
