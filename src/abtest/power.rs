//! Power and sample size for a two-sided two-proportion test: users per arm for a
//! target effect, the minimum detectable effect at a given size, and the power of a
//! given design.
//!
//! Two methods, printed with every result:
//! - `pooled` (Fleiss, *Statistical Methods for Rates and Proportions*, 2nd ed. 1981,
//!   eq. 3.14 without continuity correction; R's `power.prop.test`): pooled variance
//!   under the null, unpooled under the alternative,
//!   n = (z_{α/2} sqrt(2 p̄ q̄) + z_β sqrt(p1 q1 + p2 q2))² / (p2 - p1)², p̄ = (p1 + p2)/2,
//!   power = Φ((|p2 - p1| sqrt n - z_{α/2} sqrt(2 p̄ q̄)) / sqrt(p1 q1 + p2 q2)).
//! - `arcsine` (Cohen's h = 2 asin sqrt p2 - 2 asin sqrt p1, statsmodels 0.15
//!   `NormalIndPower` with ratio 1): power = Φ̄(z_{α/2} - |h| sqrt(n/2)) +
//!   Φ(-z_{α/2} - |h| sqrt(n/2)) (both rejection tails), n solved numerically.

use super::arm::check_alpha;
use super::error::{out_of_range, AbError};
use super::special::{norm_cdf, norm_isf, norm_sf};
use crate::units::Rate;

/// How power is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerMethod {
    /// Fleiss normal approximation, pooled null variance, no continuity correction.
    Pooled,
    /// Cohen's h on the arcsine scale, as statsmodels' `NormalIndPower`.
    Arcsine,
}

impl PowerMethod {
    /// Parses `pooled` or `arcsine`.
    pub fn parse(s: &str, function: &str) -> Result<PowerMethod, AbError> {
        match s {
            "pooled" => Ok(PowerMethod::Pooled),
            "arcsine" => Ok(PowerMethod::Arcsine),
            _ => Err(out_of_range(
                &format!("{function}: method"),
                "\"pooled\" or \"arcsine\"",
                crate::table::quote_text(s),
            )),
        }
    }

    /// The method's name as printed with results.
    pub fn name(self) -> &'static str {
        match self {
            PowerMethod::Pooled => "Fleiss pooled normal approximation (no continuity correction)",
            PowerMethod::Arcsine => "arcsine (Cohen's h, statsmodels NormalIndPower)",
        }
    }
}

/// Significance level (two-sided), target power and method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Two-sided significance level in (0, 1).
    pub alpha: f64,
    /// Target power in (0, 1).
    pub power: f64,
    /// The method.
    pub method: PowerMethod,
}

impl Design {
    /// Checks alpha and power, each in (0, 1), and power > alpha: at no effect the
    /// test already rejects with probability alpha, so a lower target is met by any
    /// sample (the closed form would return 1 user or a meaningless size).
    pub fn new(
        alpha: f64,
        power: f64,
        method: PowerMethod,
        function: &str,
    ) -> Result<Design, AbError> {
        check_alpha(alpha, function)?;
        if !(power.is_finite() && power > 0.0 && power < 1.0) {
            return Err(out_of_range(
                &format!("{function}: power"),
                "between 0 and 1 (exclusive), like 0.8",
                power,
            ));
        }
        if power <= alpha {
            return Err(out_of_range(
                &format!("{function}: power"),
                &format!(
                    "greater than alpha ({alpha}): a two-sided test at level alpha already rejects with probability alpha when there is no effect, so a power at or below it asks for nothing"
                ),
                power,
            ));
        }
        Ok(Design {
            alpha,
            power,
            method,
        })
    }
}

impl Default for Design {
    /// alpha 0.05, power 0.8, pooled.
    fn default() -> Design {
        Design {
            alpha: 0.05,
            power: 0.8,
            method: PowerMethod::Pooled,
        }
    }
}

/// The power of a two-sided test at level `alpha` with `n` users per arm when the
/// rates are `p1` (control) and `p2` (variant), by `method` (formulas in the module doc).
pub fn power_at(p1: f64, p2: f64, n: f64, alpha: f64, method: PowerMethod) -> f64 {
    let c = norm_isf(alpha / 2.0);
    match method {
        PowerMethod::Pooled => {
            let pbar = (p1 + p2) / 2.0;
            let null_sd = (2.0 * pbar * (1.0 - pbar)).sqrt();
            let alt_sd = (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
            let num = (p2 - p1).abs() * n.sqrt() - c * null_sd;
            if alt_sd == 0.0 {
                return if num > 0.0 { 1.0 } else { 0.0 };
            }
            norm_cdf(num / alt_sd)
        }
        PowerMethod::Arcsine => {
            let h = cohen_h(p1, p2).abs();
            let s = h * (n / 2.0).sqrt();
            norm_sf(c - s) + norm_cdf(-c - s)
        }
    }
}

/// Cohen's h = 2 asin sqrt p2 - 2 asin sqrt p1.
pub fn cohen_h(p1: f64, p2: f64) -> f64 {
    2.0 * p2.sqrt().asin() - 2.0 * p1.sqrt().asin()
}

/// Users per arm for a design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSize {
    /// Users per arm, rounded up.
    pub n_per_arm: f64,
    /// The unrounded solution.
    pub n_exact: f64,
}

fn distinct(p_base: Rate, p_target: Rate, function: &str) -> Result<(f64, f64), AbError> {
    let (p1, p2) = (p_base.get(), p_target.get());
    if p1 == p2 {
        return Err(AbError::Invalid(format!(
            "{function}: p_base and p_target are both {p1}; there is no difference to detect"
        )));
    }
    Ok((p1, p2))
}

/// Users per arm to detect `p_target` against `p_base` with the design's power at
/// its two-sided level. Pooled: the closed form above; arcsine: the n that solves
/// power(n) = target by bisection on a bracket (to 1e-12 relative).
pub fn sample_size(p_base: Rate, p_target: Rate, d: Design) -> Result<SampleSize, AbError> {
    let (p1, p2) = distinct(p_base, p_target, "sample_size")?;
    let n = match d.method {
        PowerMethod::Pooled => {
            let pbar = (p1 + p2) / 2.0;
            let a = norm_isf(d.alpha / 2.0) * (2.0 * pbar * (1.0 - pbar)).sqrt();
            let b = norm_isf(1.0 - d.power) * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
            (a + b).powi(2) / (p2 - p1).powi(2)
        }
        PowerMethod::Arcsine => {
            let f = |n: f64| power_at(p1, p2, n, d.alpha, d.method) - d.power;
            let mut lo = 1e-9;
            let mut hi = 1.0;
            while f(hi) < 0.0 {
                lo = hi;
                hi *= 2.0;
            }
            bisect(f, lo, hi)
        }
    };
    if !(n.is_finite() && n <= 1e15) {
        return Err(AbError::Invalid(format!(
            "sample_size: {} and {} differ by too little to detect: more than 1e15 users per arm would be needed",
            crate::units::show_number(p1),
            crate::units::show_number(p2)
        )));
    }
    Ok(SampleSize {
        n_per_arm: (n * (1.0 - 1e-12)).ceil().max(1.0),
        n_exact: n,
    })
}

/// Bisection of an increasing function with f(lo) < 0 <= f(hi), to 1e-13 relative.
fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..400 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The power of a design with `n_per_arm` users per arm.
pub fn power(
    p_base: Rate,
    p_target: Rate,
    n_per_arm: f64,
    alpha: f64,
    method: PowerMethod,
) -> Result<f64, AbError> {
    let (p1, p2) = distinct(p_base, p_target, "power")?;
    check_n(n_per_arm, "power")?;
    check_alpha(alpha, "power")?;
    Ok(power_at(p1, p2, n_per_arm, alpha, method))
}

fn check_n(n: f64, function: &str) -> Result<(), AbError> {
    if !(n.is_finite() && n >= 1.0) {
        return Err(out_of_range(
            &format!("{function}: n_per_arm"),
            "a number of users of at least 1",
            n,
        ));
    }
    Ok(())
}

/// The minimum detectable effect: the smallest rate above `p_base` detected with the
/// design's power at `n_per_arm` users per arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mde {
    /// The detectable variant rate.
    pub p_target: f64,
    /// p_target - p_base.
    pub abs: f64,
    /// p_target / p_base - 1 (infinite when p_base is 0).
    pub relative: f64,
}

/// Solves power(p_base, p_target, n) = target for p_target in (p_base, 1] by bisection
/// (power increases with p_target there). Errors when even p_target = 1 is not
/// detectable with this many users.
pub fn mde(p_base: Rate, n_per_arm: f64, d: Design) -> Result<Mde, AbError> {
    check_n(n_per_arm, "mde")?;
    let p1 = p_base.get();
    if p1 >= 1.0 {
        return Err(AbError::Invalid(
            "mde: p_base is 100%, so no higher rate can be detected".into(),
        ));
    }
    let f = |p2: f64| power_at(p1, p2, n_per_arm, d.alpha, d.method) - d.power;
    if f(1.0) < 0.0 {
        return Err(AbError::Invalid(format!(
            "mde: with {n_per_arm} users per arm no rate up to 100% reaches power {} at alpha {}; add users",
            d.power, d.alpha
        )));
    }
    let mut lo = p1;
    let mut hi = 1.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 {
            break;
        }
    }
    let p2 = 0.5 * (lo + hi);
    Ok(Mde {
        p_target: p2,
        abs: p2 - p1,
        relative: super::proportions::lift(p1, p2),
    })
}

/// Users needed to detect a relative change `mde` in a mean (revenue per user, order
/// value): control users `n_control` and variant users `n_variant = ratio * n_control`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeansSize {
    /// Control users, rounded up.
    pub n_control: f64,
    /// Variant users, rounded up.
    pub n_variant: f64,
    /// The unrounded control users.
    pub n_exact: f64,
}

/// Sample size for a two-sided test of a difference in means, by the normal
/// approximation as statsmodels' `NormalIndPower` (and the experimentation platforms):
/// with effect size d = mean * mde / sd and n = 1 / (1/n_control + 1/n_variant),
/// power = Φ̄(z_{α/2} - d sqrt n) + Φ(-z_{α/2} - d sqrt n) (both rejection tails);
/// n_control is solved by bisection (1e-13 relative). `mde` is relative (0.05 = +5%),
/// `ratio` the variant's users per control user; `d.method` is not used.
pub fn sample_size_means(
    mean: f64,
    sd: f64,
    mde: f64,
    ratio: f64,
    d: Design,
) -> Result<MeansSize, AbError> {
    let f = "sample_size_means";
    if !(mean.is_finite() && mean != 0.0) {
        return Err(out_of_range(
            &format!("{f}: mean"),
            "a finite number other than 0 (the control's mean per user)",
            mean,
        ));
    }
    if !(sd.is_finite() && sd > 0.0) {
        return Err(out_of_range(
            &format!("{f}: sd"),
            "a positive number (the standard deviation per user)",
            sd,
        ));
    }
    if !(mde.is_finite() && mde != 0.0 && mde > -1.0) {
        return Err(out_of_range(
            &format!("{f}: mde"),
            "a relative change above -1 other than 0, like 0.05 for +5%",
            mde,
        ));
    }
    if !(ratio.is_finite() && ratio > 0.0 && (1e-6..=1e6).contains(&ratio)) {
        return Err(out_of_range(
            &format!("{f}: ratio"),
            "a positive number of variant users per control user, from 1e-6 to 1e6, like 1",
            ratio,
        ));
    }
    let effect = (mean * mde / sd).abs();
    if !(effect.is_finite() && effect > 0.0) {
        return Err(AbError::Invalid(format!(
            "{f}: the effect mean * mde / sd = {effect} cannot be detected (it must be a finite number above 0)"
        )));
    }
    let c = norm_isf(d.alpha / 2.0);
    let power_of = |n1: f64| {
        let s = effect * (1.0 / (1.0 / n1 + 1.0 / (ratio * n1))).sqrt();
        norm_sf(c - s) + norm_cdf(-c - s)
    };
    let g = |n1: f64| power_of(n1) - d.power;
    let (mut lo, mut hi) = (1e-12, 1.0);
    while g(hi) < 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return Err(AbError::Invalid(format!(
                "{f}: no sample size reaches power {} for an effect of {effect:e} standard deviations",
                d.power
            )));
        }
    }
    let n = bisect(g, lo, hi);
    let up = |x: f64| (x * (1.0 - 1e-12)).ceil().max(1.0);
    Ok(MeansSize {
        n_control: up(n),
        n_variant: up(n * ratio),
        n_exact: n,
    })
}
