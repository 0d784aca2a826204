//! CUPED (Deng, Xu, Kohavi and Walker, *Improving the Sensitivity of Online Controlled
//! Experiments by Utilizing Pre-Experiment Data*, WSDM 2013): revenue per user adjusted
//! by a pre-period value per user, in its regression form, which gives exactly the
//! treatment coefficients of the ordinary least squares fit
//! revenue ~ arm indicators + covariate (statsmodels `ols("y ~ C(arm) + x")`).
//!
//! Per arm a: users n_a, means x̄_a (covariate) and ȳ_a (revenue), sums of squares and
//! products S_xx,a, S_yy,a, S_xy,a about the arm's means. Then
//! θ = Σ S_xy,a / Σ S_xx,a (the pooled within-arm slope), the adjusted means
//! ȳ_a - θ (x̄_a - x̄) with x̄ the mean over all users, and for a variant j against the
//! control 0: diff = (ȳ_j - ȳ_0) - θ (x̄_j - x̄_0),
//! se² = σ² (1/n_0 + 1/n_j + (x̄_j - x̄_0)² / Σ S_xx,a), σ² = SSE / (N - k - 1),
//! SSE = Σ S_yy,a - θ Σ S_xy,a; two-sided t p-values and intervals on N - k - 1
//! degrees of freedom. The variance reduction is 1 - SSE / Σ S_yy,a: the share of the
//! within-arm variance of revenue the covariate explains.

use super::error::AbError;
use super::ratio::CoMoments;
use super::special::t_sf_two_sided;

/// One arm of a CUPED readout (the control's `diff` and test fields are NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CupedArm {
    /// Users.
    pub n: f64,
    /// The unadjusted mean per user.
    pub mean: f64,
    /// The adjusted mean per user.
    pub adjusted: f64,
    /// Adjusted mean minus the control's.
    pub diff: f64,
    /// Its standard error.
    pub se: f64,
    /// Two-sided p-value of the t statistic diff / se.
    pub p_value: f64,
    /// The interval for `diff` at the chosen level.
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
}

/// The CUPED readout.
#[derive(Debug, Clone, PartialEq)]
pub struct Cuped {
    /// The slope of revenue on the covariate within arms.
    pub theta: f64,
    /// 1 - SSE / SSE without the covariate.
    pub variance_reduction: f64,
    /// Residual degrees of freedom, N - k - 1.
    pub df: f64,
    /// The arms, control first.
    pub arms: Vec<CupedArm>,
}

/// CUPED over per-arm co-moments of (covariate, revenue), control first, at `level`
/// (formulas in the module doc).
pub fn cuped(data: &[CoMoments], level: f64) -> Result<Cuped, AbError> {
    let k = data.len() as f64;
    let n_all: f64 = data.iter().map(|d| d.n).sum();
    let df = n_all - k - 1.0;
    if df < 1.0 {
        return Err(AbError::Invalid(format!(
            "ab_report: CUPED needs more users than arms plus one (the regression has {k} arms and a slope), got {n_all} users"
        )));
    }
    let sxx: f64 = data.iter().map(|d| d.m2_x()).sum();
    let sxy: f64 = data.iter().map(|d| d.c_xy()).sum();
    let syy: f64 = data.iter().map(|d| d.m2_y()).sum();
    if sxx <= 0.0 {
        return Err(AbError::Undefined(
            "ab_report: CUPED is undefined: the covariate is the same for every user of each arm"
                .into(),
        ));
    }
    let theta = sxy / sxx;
    let sse = (syy - theta * sxy).max(0.0);
    let sigma2 = sse / df;
    let x_bar = data.iter().map(|d| d.n * d.mean_x()).sum::<f64>() / n_all;
    let q = t_quantile(1.0 - level, df);
    let c = data[0];
    let arms = data
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let adjusted = d.mean_y() - theta * (d.mean_x() - x_bar);
            if j == 0 {
                return CupedArm {
                    n: d.n,
                    mean: d.mean_y(),
                    adjusted,
                    diff: f64::NAN,
                    se: f64::NAN,
                    p_value: f64::NAN,
                    low: f64::NAN,
                    high: f64::NAN,
                };
            }
            let dx = d.mean_x() - c.mean_x();
            let diff = (d.mean_y() - c.mean_y()) - theta * dx;
            let se = (sigma2 * (1.0 / c.n + 1.0 / d.n + dx * dx / sxx)).sqrt();
            let p_value = if se > 0.0 {
                t_sf_two_sided(diff / se, df)
            } else if diff == 0.0 {
                1.0
            } else {
                0.0
            };
            CupedArm {
                n: d.n,
                mean: d.mean_y(),
                adjusted,
                diff,
                se,
                p_value,
                low: diff - q * se,
                high: diff + q * se,
            }
        })
        .collect();
    Ok(Cuped {
        theta,
        variance_reduction: if syy > 0.0 { 1.0 - sse / syy } else { 0.0 },
        df,
        arms,
    })
}

/// The t with P(|T_df| > t) = `alpha`, by bisection on the two-sided tail (1e-14).
fn t_quantile(alpha: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_sf_two_sided(hi, df) > alpha && hi < 1e300 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_sf_two_sided(mid, df) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}
