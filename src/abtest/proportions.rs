//! Tests of two or more conversion rates: the pooled two-proportion z-test, Pearson's
//! chi-square on the 2x2 table (with or without Yates), Fisher's exact test, the k x 2
//! chi-square across several arms, and the sample-ratio-mismatch goodness-of-fit test.
//!
//! Conventions follow statsmodels 0.15 `proportions_ztest` and scipy 1.17
//! `chi2_contingency`, `fisher_exact` and `chisquare`; every effect is B relative to A.

use super::arm::{Arm, MAX_COUNT};
use super::error::{out_of_range, AbError};
use super::special::{chi2_sf, chi2_sf_1, ln_add, ln_dhyper, norm_sf};

/// The alternative hypothesis of a one-parameter test, about rate_b - rate_a.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// rate_b != rate_a.
    TwoSided,
    /// rate_b > rate_a.
    Larger,
    /// rate_b < rate_a.
    Smaller,
}

impl Alternative {
    /// Parses `two-sided`, `larger` or `smaller`.
    pub fn parse(s: &str, function: &str) -> Result<Alternative, AbError> {
        match s {
            "two-sided" => Ok(Alternative::TwoSided),
            "larger" => Ok(Alternative::Larger),
            "smaller" => Ok(Alternative::Smaller),
            _ => Err(out_of_range(
                &format!("{function}: alternative"),
                "\"two-sided\", \"larger\" (B above A) or \"smaller\" (B below A)",
                crate::table::quote_text(s),
            )),
        }
    }

    /// The name as written in options.
    pub fn name(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Larger => "larger",
            Alternative::Smaller => "smaller",
        }
    }

    /// The p-value of a standard normal statistic `z` under this alternative, from
    /// survival functions only.
    pub fn normal_p(self, z: f64) -> f64 {
        match self {
            Alternative::TwoSided => (2.0 * norm_sf(z.abs())).min(1.0),
            Alternative::Larger => norm_sf(z),
            Alternative::Smaller => norm_sf(-z),
        }
    }
}

/// The result of [`ztest_props`].
#[derive(Debug, Clone, PartialEq)]
pub struct ZTest {
    /// Control rate x_a / n_a.
    pub rate_a: f64,
    /// Variant rate x_b / n_b.
    pub rate_b: f64,
    /// rate_b - rate_a.
    pub diff: f64,
    /// rate_b / rate_a - 1 (infinite when rate_a is 0 and rate_b is not; 0 when both are 0).
    pub lift: f64,
    /// The z statistic.
    pub z: f64,
    /// The p-value under `alternative`.
    pub p_value: f64,
    /// The alternative tested.
    pub alternative: Alternative,
}

/// Relative lift rate_b / rate_a - 1.
pub(crate) fn lift(rate_a: f64, rate_b: f64) -> f64 {
    if rate_a == 0.0 {
        if rate_b == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        rate_b / rate_a - 1.0
    }
}

/// Pooled two-proportion z-test: z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b))
/// with the pooled rate p = (x_a + x_b) / (n_a + n_b) (statsmodels
/// `proportions_ztest([x_b, x_a], [n_b, n_a])`, the textbook test under H0: p_a = p_b).
/// Undefined when both arms convert 0% or both 100% (the standard error is 0).
pub fn ztest_props(a: Arm, b: Arm, alternative: Alternative) -> Result<ZTest, AbError> {
    let pooled = (a.x() + b.x()) / (a.n() + b.n());
    let var = pooled * (1.0 - pooled) * (1.0 / a.n() + 1.0 / b.n());
    if var <= 0.0 {
        return Err(undefined_all_same("ztest_props", "the z statistic", a, b));
    }
    let (rate_a, rate_b) = (a.rate(), b.rate());
    let z = (rate_b - rate_a) / var.sqrt();
    Ok(ZTest {
        rate_a,
        rate_b,
        diff: rate_b - rate_a,
        lift: lift(rate_a, rate_b),
        z,
        p_value: alternative.normal_p(z),
        alternative,
    })
}

fn undefined_all_same(function: &str, what: &str, a: Arm, b: Arm) -> AbError {
    let how = if a.x() + b.x() == 0.0 {
        "no user converted in either arm (both rates are 0%)"
    } else {
        "every user converted in both arms (both rates are 100%)"
    };
    AbError::Undefined(format!(
        "{function}: {what} is undefined because {how}, so the standard error is 0; there is no evidence either way"
    ))
}

/// A chi-square statistic with its degrees of freedom and p-value.
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquare {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// P(chi-square with df degrees of freedom > statistic).
    pub p_value: f64,
}

/// Pearson's chi-square on the 2x2 table [[x_a, n_a - x_a], [x_b, n_b - x_b]], one
/// degree of freedom, p = erfc(sqrt(statistic / 2)). With `yates`, each |O - E| is
/// reduced by min(0.5, |O - E|) as in scipy's `chi2_contingency(correction=True)`.
/// Undefined when a column total is 0 (both arms 0% or both 100%).
pub fn chi2_2x2(a: Arm, b: Arm, yates: bool) -> Result<ChiSquare, AbError> {
    let conv = a.x() + b.x();
    let total = a.n() + b.n();
    if conv == 0.0 || conv == total {
        return Err(undefined_all_same(
            "chi2_2x2",
            "the chi-square statistic",
            a,
            b,
        ));
    }
    let mut stat = 0.0;
    for arm in [a, b] {
        for (obs, col) in [(arm.x(), conv), (arm.misses(), total - conv)] {
            let exp = arm.n() * col / total;
            let mut dev = (obs - exp).abs();
            if yates {
                dev -= dev.min(0.5);
            }
            stat += dev * dev / exp;
        }
    }
    Ok(ChiSquare {
        statistic: stat,
        df: 1.0,
        p_value: chi2_sf_1(stat),
    })
}

/// The result of [`fisher_exact`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fisher {
    /// The two-sided exact p-value.
    pub p_value: f64,
    /// The sample odds ratio (x_b (n_a - x_a)) / ((n_b - x_b) x_a): infinite when the
    /// denominator is 0, `None` when a row or column of the table is empty.
    pub odds_ratio: Option<f64>,
}

/// Fisher's exact test, two-sided as scipy computes it: with the first column total
/// K = x_a + x_b and draws n_b, the p-value is the sum of the hypergeometric
/// probabilities P(k) of every table with P(k) <= P(x_b) (1 + 1e-14). Probabilities
/// are taken in log space (Loader's saddle point, [`ln_dhyper`]) and tails summed
/// outward from their largest term, so p-values down to 1e-300 keep their digits.
pub fn fisher_exact(a: Arm, b: Arm) -> Fisher {
    let (good, total, draws) = (a.x() + b.x(), a.n() + b.n(), b.n());
    let bad = total - good;
    if good == 0.0 || bad == 0.0 {
        return Fisher {
            p_value: 1.0,
            odds_ratio: None,
        };
    }
    let odds_ratio = if a.x() > 0.0 && b.misses() > 0.0 {
        b.x() * a.misses() / (b.misses() * a.x())
    } else {
        f64::INFINITY
    };
    let lo = (draws - bad).max(0.0);
    let hi = draws.min(good);
    let lp = |k: f64| ln_dhyper(k, good, bad, draws);
    let obs = b.x();
    let mode = ((draws + 1.0) * (good + 1.0) / (total + 2.0))
        .floor()
        .clamp(lo, hi);
    let l_obs = lp(obs);
    let l_mode = lp(mode);
    let gamma = (1e-14f64).ln_1p();
    if l_mode - l_obs <= gamma {
        // scipy: |p_exact - p_mode| / max <= 1e-14 gives p = 1
        return Fisher {
            p_value: 1.0,
            odds_ratio: Some(odds_ratio),
        };
    }
    let threshold = l_obs + gamma;
    // The tail on the observed side: every table from obs outward.
    let dir = if obs < mode { -1.0 } else { 1.0 };
    let mut log_p = tail_sum(obs, dir, lo, hi, good, bad, draws, l_obs);
    // The other side: the first table, moving away from the mode, whose probability is
    // at most the observed one's (probabilities decrease monotonically away from the mode).
    let (mut left, mut right) = if dir < 0.0 { (mode, hi) } else { (lo, mode) };
    // search the boundary in [mode, hi] (or [lo, mode]) by bisection
    if dir < 0.0 {
        if lp(hi) <= threshold {
            while right - left > 1.0 {
                let mid = ((left + right) / 2.0).floor();
                if lp(mid) <= threshold {
                    right = mid;
                } else {
                    left = mid;
                }
            }
            log_p = ln_add(
                log_p,
                tail_sum(right, 1.0, lo, hi, good, bad, draws, lp(right)),
            );
        }
    } else if lp(lo) <= threshold {
        while right - left > 1.0 {
            let mid = ((left + right) / 2.0).ceil();
            if lp(mid) <= threshold {
                left = mid;
            } else {
                right = mid;
            }
        }
        log_p = ln_add(
            log_p,
            tail_sum(left, -1.0, lo, hi, good, bad, draws, lp(left)),
        );
    }
    Fisher {
        p_value: log_p.exp().min(1.0),
        odds_ratio: Some(odds_ratio),
    }
}

/// ln of the sum of hypergeometric probabilities from `start` (whose log probability
/// is `l_start`) outward in direction `dir` to the end of the support, by the ratio
/// of consecutive probabilities; stops when terms no longer change the sum.
#[allow(clippy::too_many_arguments)]
fn tail_sum(
    start: f64,
    dir: f64,
    lo: f64,
    hi: f64,
    good: f64,
    bad: f64,
    draws: f64,
    l_start: f64,
) -> f64 {
    let mut k = start;
    let mut term = 1.0;
    let mut sum = 1.0;
    loop {
        let ratio = if dir > 0.0 {
            if k >= hi {
                break;
            }
            (good - k) * (draws - k) / ((k + 1.0) * (bad - draws + k + 1.0))
        } else {
            if k <= lo {
                break;
            }
            k * (bad - draws + k) / ((good - k + 1.0) * (draws - k + 1.0))
        };
        term *= ratio;
        k += dir;
        sum += term;
        if term < sum * 1e-18 {
            break;
        }
    }
    l_start + sum.ln()
}

/// Pearson's chi-square test of independence on the k x 2 table of conversions and
/// non-conversions of several arms, df = k - 1, no continuity correction (scipy
/// `chi2_contingency(table, correction=False)`).
pub fn chi2_arms(arms: &[Arm]) -> Result<ChiSquare, AbError> {
    if arms.len() < 2 {
        return Err(AbError::Invalid(format!(
            "chi2_arms: give at least 2 arms, got {}",
            arms.len()
        )));
    }
    let conv: f64 = arms.iter().map(|a| a.x()).sum();
    let total: f64 = arms.iter().map(|a| a.n()).sum();
    if conv == 0.0 || conv == total {
        let how = if conv == 0.0 { "0%" } else { "100%" };
        return Err(AbError::Undefined(format!(
            "chi2_arms: the statistic is undefined because every arm converted {how}, so an expected count is 0"
        )));
    }
    let mut stat = 0.0;
    for arm in arms {
        for (obs, col) in [(arm.x(), conv), (arm.misses(), total - conv)] {
            let exp = arm.n() * col / total;
            stat += (obs - exp) * (obs - exp) / exp;
        }
    }
    let df = (arms.len() - 1) as f64;
    Ok(ChiSquare {
        statistic: stat,
        df,
        p_value: chi2_sf(stat, df),
    })
}

/// Sample-ratio-mismatch test: Pearson's chi-square goodness of fit of the users seen
/// per arm to the planned split, expected_i = total * w_i / sum(w), df = k - 1
/// (scipy `chisquare(observed, f_exp)`).
pub fn srm_test(observed: &[f64], weights: &[f64]) -> Result<ChiSquare, AbError> {
    if observed.len() != weights.len() {
        return Err(AbError::Invalid(format!(
            "srm_test: give one expected weight per arm: {} counts but {} weights",
            observed.len(),
            weights.len()
        )));
    }
    if observed.len() < 2 {
        return Err(AbError::Invalid(format!(
            "srm_test: give at least 2 arms, got {}",
            observed.len()
        )));
    }
    for (i, &o) in observed.iter().enumerate() {
        if !(o.is_finite() && o >= 0.0 && o.fract() == 0.0 && o <= MAX_COUNT) {
            return Err(out_of_range(
                &format!("srm_test: observed count {}", i + 1),
                "a whole number from 0 to 1e15",
                o,
            ));
        }
    }
    for (i, &w) in weights.iter().enumerate() {
        if !(w.is_finite() && w > 0.0) {
            return Err(out_of_range(
                &format!("srm_test: expected weight {}", i + 1),
                "a positive number (like 50 for a 50/50 split)",
                w,
            ));
        }
    }
    let total: f64 = observed.iter().sum();
    if total == 0.0 {
        return Err(AbError::Undefined(
            "srm_test: no users were observed in any arm, so there is no split to test".into(),
        ));
    }
    let wsum: f64 = weights.iter().sum();
    let stat: f64 = observed
        .iter()
        .zip(weights)
        .map(|(&o, &w)| {
            let e = total * w / wsum;
            (o - e) * (o - e) / e
        })
        .sum();
    let df = (observed.len() - 1) as f64;
    Ok(ChiSquare {
        statistic: stat,
        df,
        p_value: chi2_sf(stat, df),
    })
}
