//! Metrics of one arm as a ratio of per-user means (orders per user, average order
//! value = revenue / orders, revenue per user with a denominator of 1), their variance
//! by the delta method, and the comparison of a variant with the control, as the
//! experimentation platforms do it (GrowthBook's and Eppo's ratio metrics; Deng,
//! Knoblich and Lu, *Applying the Delta Method in Metric Analytics*, KDD 2018).
//!
//! For per-user numerators x and denominators y over n users, R = x̄ / ȳ and
//! Var(R) ≈ (s_x² / ȳ² - 2 x̄ s_xy / ȳ³ + x̄² s_y² / ȳ⁴) / n, with sample (n - 1)
//! variances and covariance. Between arms: diff = R_B - R_A, se = sqrt(V_A + V_B),
//! z = diff / se, two-sided normal p; the relative lift R_B / R_A - 1 has the delta
//! variance V_B / R_A² + R_B² V_A / R_A⁴.

use super::error::AbError;
use super::special::{norm_isf, norm_sf};

/// Running co-moments of (x, y) over users, by Welford's update (no cancellation of
/// large sums).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoMoments {
    /// Users.
    pub n: f64,
    mean_x: f64,
    mean_y: f64,
    m2_x: f64,
    m2_y: f64,
    c_xy: f64,
}

impl CoMoments {
    /// Adds one user's numerator `x` and denominator `y`.
    pub fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mean_x;
        let dy = y - self.mean_y;
        self.mean_x += dx / self.n;
        self.mean_y += dy / self.n;
        self.m2_x += dx * (x - self.mean_x);
        self.m2_y += dy * (y - self.mean_y);
        self.c_xy += dx * (y - self.mean_y);
    }

    /// Mean of x.
    pub fn mean_x(&self) -> f64 {
        self.mean_x
    }

    /// Mean of y.
    pub fn mean_y(&self) -> f64 {
        self.mean_y
    }

    /// Sum of squares of x about its mean.
    pub fn m2_x(&self) -> f64 {
        self.m2_x
    }

    /// Sum of squares of y about its mean.
    pub fn m2_y(&self) -> f64 {
        self.m2_y
    }

    /// Sum of products of x and y about their means.
    pub fn c_xy(&self) -> f64 {
        self.c_xy
    }

    /// The arm's metric and its delta-method variance; errors name the metric and
    /// arm when the denominator's mean is 0 or there are fewer than 2 users.
    pub fn ratio(&self, metric: &str, arm: &str) -> Result<Ratio, AbError> {
        if self.n < 2.0 {
            return Err(AbError::Invalid(format!(
                "ab_report: metric '{metric}' of arm '{arm}' has {} user(s); a variance needs at least 2",
                self.n
            )));
        }
        if self.mean_y == 0.0 {
            return Err(AbError::Undefined(format!(
                "ab_report: metric '{metric}' is undefined in arm '{arm}': its denominator is 0 for every user"
            )));
        }
        let d = self.n - 1.0;
        let (sxx, syy, sxy) = (self.m2_x / d, self.m2_y / d, self.c_xy / d);
        let (mx, my) = (self.mean_x, self.mean_y);
        let r = mx / my;
        let var = (sxx / (my * my) - 2.0 * mx * sxy / (my * my * my)
            + mx * mx * syy / (my * my * my * my))
            / self.n;
        Ok(Ratio {
            value: r,
            var: var.max(0.0),
            n: self.n,
        })
    }
}

/// One arm's metric value, its variance and its users.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// x̄ / ȳ.
    pub value: f64,
    /// The delta-method variance of the value.
    pub var: f64,
    /// Users.
    pub n: f64,
}

/// A variant against the control on one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioTest {
    /// R_B - R_A.
    pub diff: f64,
    /// R_B / R_A - 1 (NaN when R_A is 0; printed as n/a).
    pub lift: f64,
    /// The interval for the relative lift at the chosen level.
    pub lift_low: f64,
    /// Upper end of that interval.
    pub lift_high: f64,
    /// z = diff / se.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p_value: f64,
}

/// Compares `b` with the control `a` (formulas in the module doc) at `level`.
pub fn compare(a: Ratio, b: Ratio, level: f64, metric: &str) -> Result<RatioTest, AbError> {
    let se = (a.var + b.var).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return Err(AbError::Undefined(format!(
            "ab_report: metric '{metric}' has no variance in either arm (every user has the same value), so its test is undefined"
        )));
    }
    let diff = b.value - a.value;
    let z = diff / se;
    let q = norm_isf((1.0 - level) / 2.0);
    let (lift, half) = if a.value != 0.0 {
        let ratio = b.value / a.value;
        let a2 = a.value * a.value;
        let rel_var = b.var / a2 + ratio * ratio * a.var / a2;
        (ratio - 1.0, q * rel_var.sqrt())
    } else {
        (f64::NAN, f64::NAN)
    };
    Ok(RatioTest {
        diff,
        lift,
        lift_low: lift - half,
        lift_high: lift + half,
        z,
        p_value: (2.0 * norm_sf(z.abs())).min(1.0),
    })
}
