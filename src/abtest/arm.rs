//! One arm of a test as counts: conversions out of users, checked once so that every
//! primitive can trust `0 <= x <= n` and `n >= 1`.

use super::error::{out_of_range, AbError};

/// Conversions `x` out of `n` users in one arm (A = control, B = variant).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    x: f64,
    n: f64,
}

/// Largest count accepted (users, conversions, observed counts): counts stay exact
/// in an f64 far beyond any campaign, and sums and squares of them stay finite.
pub const MAX_COUNT: f64 = 1e15;

impl Arm {
    /// Checks that `n` is a whole number from 1 to 1e15 ([`MAX_COUNT`]) and `x` a whole number from 0
    /// to `n`. `function` and `arm` ("a" or "b") name the arguments in errors.
    pub fn new(x: f64, n: f64, function: &str, arm: &str) -> Result<Arm, AbError> {
        if !(n.is_finite() && n.fract() == 0.0 && (1.0..=MAX_COUNT).contains(&n)) {
            return Err(out_of_range(
                &format!("{function}: n_{arm} (users in arm {})", arm.to_uppercase()),
                "a whole number from 1 to 1e15",
                n,
            ));
        }
        if !(x.is_finite() && x.fract() == 0.0 && (0.0..=n).contains(&x)) {
            return Err(out_of_range(
                &format!(
                    "{function}: x_{arm} (conversions in arm {})",
                    arm.to_uppercase()
                ),
                &format!("a whole number from 0 to n_{arm} ({n})"),
                x,
            ));
        }
        Ok(Arm { x, n })
    }

    /// Conversions.
    pub fn x(self) -> f64 {
        self.x
    }

    /// Users.
    pub fn n(self) -> f64 {
        self.n
    }

    /// Non-converting users, n - x.
    pub fn misses(self) -> f64 {
        self.n - self.x
    }

    /// The observed rate x / n.
    pub fn rate(self) -> f64 {
        self.x / self.n
    }
}

/// Checks a confidence level in (0, 1) and returns the two-sided normal quantile
/// z with P(|Z| > z) = 1 - level.
pub fn z_for_level(level: f64, function: &str) -> Result<f64, AbError> {
    if !(level.is_finite() && level > 0.0 && level < 1.0) {
        return Err(out_of_range(
            &format!("{function}: level"),
            "between 0 and 1 (exclusive), like 0.95",
            level,
        ));
    }
    Ok(super::special::norm_isf((1.0 - level) / 2.0))
}

/// Checks a significance level alpha in (0, 1).
pub fn check_alpha(alpha: f64, function: &str) -> Result<f64, AbError> {
    if !(alpha.is_finite() && alpha > 0.0 && alpha < 1.0) {
        return Err(out_of_range(
            &format!("{function}: alpha"),
            "between 0 and 1 (exclusive), like 0.05",
            alpha,
        ));
    }
    Ok(alpha)
}

/// The `users`, `conversions` and `rate` columns of a table with one row per arm.
pub fn arm_count_columns(arms: &[Arm]) -> Vec<(String, crate::table::Column)> {
    use crate::table::Column;
    vec![
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
    ]
}
