//! Confidence intervals for one rate (Wilson), for the difference of two rates
//! (Newcombe's hybrid score or Wald) and for the relative lift (delta method on the
//! log of the rate ratio). Conventions follow statsmodels 0.15 `proportion_confint`
//! and `confint_proportions_2indep`.

use super::arm::{z_for_level, Arm};
use super::error::AbError;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The Wilson score interval for x / n at confidence `level`:
/// (x + z²/2) / (n + z²) ± z / (n + z²) sqrt(x (n - x) / n + z²/4)
/// (Wilson 1927; statsmodels `proportion_confint(method="wilson")`).
pub fn wilson_ci(arm: Arm, level: f64) -> Result<Interval, AbError> {
    let z = z_for_level(level, "wilson_ci")?;
    Ok(wilson_z(arm, z))
}

fn wilson_z(arm: Arm, z: f64) -> Interval {
    let (x, n) = (arm.x(), arm.n());
    let z2 = z * z;
    let center = (x + z2 / 2.0) / (n + z2);
    let half = z / (n + z2) * (x * (n - x) / n + z2 / 4.0).sqrt();
    // At x = 0 (x = n) the bound is exactly 0 (1); computing it as a difference would
    // leave a rounding residue of about 1e-17 on the wrong side of the rate.
    Interval {
        low: if x == 0.0 {
            0.0
        } else {
            (center - half).max(0.0)
        },
        high: if x == n {
            1.0
        } else {
            (center + half).min(1.0)
        },
    }
}

/// How [`diff_ci`] builds its interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffMethod {
    /// Newcombe's hybrid score interval (method 10 of Newcombe 1998) from the two
    /// Wilson intervals: defined at 0% and 100%, good coverage for small samples.
    Newcombe,
    /// Wald: d ± z sqrt(p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b).
    Wald,
}

impl DiffMethod {
    /// Parses `newcombe` or `wald`.
    pub fn parse(s: &str) -> Result<DiffMethod, AbError> {
        match s {
            "newcombe" => Ok(DiffMethod::Newcombe),
            "wald" => Ok(DiffMethod::Wald),
            _ => Err(super::error::out_of_range(
                "diff_ci: method",
                "\"newcombe\" or \"wald\"",
                crate::table::quote_text(s),
            )),
        }
    }

    /// The method's name as printed with results.
    pub fn name(self) -> &'static str {
        match self {
            DiffMethod::Newcombe => "Newcombe hybrid score",
            DiffMethod::Wald => "Wald",
        }
    }
}

/// Interval for rate_b - rate_a at confidence `level`. Newcombe: with Wilson
/// intervals (l_a, u_a), (l_b, u_b), low = d - sqrt((p_b - l_b)² + (u_a - p_a)²) and
/// high = d + sqrt((u_b - p_b)² + (p_a - l_a)²). Wald is undefined (error) when both
/// arms are at 0% or 100% since its standard error is then 0.
pub fn diff_ci(a: Arm, b: Arm, level: f64, method: DiffMethod) -> Result<Interval, AbError> {
    let z = z_for_level(level, "diff_ci")?;
    let (pa, pb) = (a.rate(), b.rate());
    let d = pb - pa;
    match method {
        DiffMethod::Newcombe => {
            let wa = wilson_z(a, z);
            let wb = wilson_z(b, z);
            Ok(Interval {
                low: d - ((pb - wb.low).powi(2) + (wa.high - pa).powi(2)).sqrt(),
                high: d + ((wb.high - pb).powi(2) + (pa - wa.low).powi(2)).sqrt(),
            })
        }
        DiffMethod::Wald => {
            let se = (pa * (1.0 - pa) / a.n() + pb * (1.0 - pb) / b.n()).sqrt();
            if se == 0.0 {
                return Err(AbError::Undefined(format!(
                    "diff_ci: the Wald interval is undefined because both arms are at 0% or 100% (A {}, B {}), so its standard error is 0; use method \"newcombe\"",
                    pct(pa),
                    pct(pb)
                )));
            }
            Ok(Interval {
                low: d - z * se,
                high: d + z * se,
            })
        }
    }
}

fn pct(r: f64) -> String {
    crate::units::format_percent(r)
}

/// Interval for the relative lift rate_b / rate_a - 1 by the delta method on the log
/// of the ratio: ln(p_b / p_a) ± z sqrt(1/x_b - 1/n_b + 1/x_a - 1/n_a), then
/// exponentiated minus one (Katz et al. 1978; statsmodels
/// `confint_proportions_2indep(compare="ratio", method="log")`). Undefined (error)
/// when either arm has no conversions, since the log ratio is then infinite.
pub fn lift_ci(a: Arm, b: Arm, level: f64) -> Result<Interval, AbError> {
    let z = z_for_level(level, "lift_ci")?;
    for (arm, name) in [(a, "A"), (b, "B")] {
        if arm.x() == 0.0 {
            return Err(AbError::Undefined(format!(
                "lift_ci: the lift interval is undefined because arm {name} has no conversions (its rate is 0, so the log ratio is infinite); use diff_ci for the absolute difference"
            )));
        }
    }
    let log_ratio = (b.rate() / a.rate()).ln();
    let se = (1.0 / b.x() - 1.0 / b.n() + 1.0 / a.x() - 1.0 / a.n()).sqrt();
    Ok(Interval {
        low: (log_ratio - z * se).exp_m1(),
        high: (log_ratio + z * se).exp_m1(),
    })
}
