//! What a channel's outcome is worth, and the return a channel must keep: a value per
//! unit of outcome (an order worth 120) turns a response curve into a curve of value,
//! and a floor on the return (a minimum ROAS, a maximum CPA) turns into a ceiling on
//! the channel's spend, because the average return of a response curve falls as spend
//! grows past its peak.
//!
//! Rules:
//! - `value x curve`: a Hill curve's `top` times the value, a capped line's slope and cap
//!   times the value.
//! - The average return at spend `x` is `curve(x) / x`. For a Hill curve with shape
//!   `s <= 1` it falls from the first unit; for `s > 1` it rises to its peak at
//!   `x = half (s - 1)^(1/s)` and falls after (set the derivative of
//!   `x^(s-1) / (half^s + x^s)` to 0). For a capped line it is the slope up to the cap,
//!   then `cap / x`. The ceiling is the largest spend whose average return is at least
//!   the floor (0 when no spend reaches it); past the peak the average is decreasing,
//!   so the ceiling is found by bisection to 1e-12 relative.
//! - ROAS = value of outcome / spend, so `min_roas r` is the floor `r` on the value
//!   curve; CPA = spend / outcome, so `max_cpa c` is the floor `1 / c` on the outcome
//!   curve.

use super::error::{positive, BudgetError};
use super::response::Curve;

/// The curve of the value of a channel's outcome: `value x curve(spend)`.
pub fn value_curve(curve: &Curve, value: f64) -> Result<Curve, BudgetError> {
    let v = positive("value", value)?;
    match curve {
        Curve::Hill(h) => Curve::hill(h.top() * v, h.half(), h.shape()),
        Curve::Linear(l) => Curve::linear(l.slope() * v, l.cap() * v),
    }
}

/// The largest spend whose average return `curve(x) / x` is at least `floor` (`> 0`):
/// `f64::INFINITY` when every spend meets it, 0 when none does.
pub fn max_spend_for_return(curve: &Curve, floor: f64) -> Result<f64, BudgetError> {
    let r = positive("the return floor", floor)?;
    let avg = |x: f64| curve.value(x) / x;
    match curve {
        Curve::Linear(l) => {
            if l.slope() < r {
                Ok(0.0)
            } else {
                Ok(l.cap() / r)
            }
        }
        Curve::Hill(h) => {
            let (top, half, s) = (h.top(), h.half(), h.shape());
            // The spend where the average return peaks, and the peak.
            let (peak_x, peak) = if s > 1.0 {
                let x = half * (s - 1.0).powf(1.0 / s);
                (x, avg(x))
            } else if s == 1.0 {
                (0.0, top / half)
            } else {
                (0.0, f64::INFINITY)
            };
            if peak < r {
                return Ok(0.0);
            }
            // avg(x) <= top / x, so avg(top / r) <= r: the ceiling lies below top / r.
            let (mut lo, mut hi) = (peak_x, top / r);
            if avg(hi) >= r {
                return Ok(hi);
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi || hi - lo <= 1e-12 * hi {
                    break;
                }
                if mid > 0.0 && avg(mid) >= r {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Ok(lo)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shape 1: the average return `top / (half + x)` meets `r` up to `top / r - half`.
    #[test]
    fn hill_shape_one_closed_form() -> Result<(), BudgetError> {
        let c = Curve::hill(5000.0, 20000.0, 1.0)?;
        let x = max_spend_for_return(&c, 0.05)?;
        assert!((x - (5000.0 / 0.05 - 20000.0)).abs() < 1e-6, "{x}");
        // A floor above the first unit's return: no spend.
        assert_eq!(max_spend_for_return(&c, 0.3)?, 0.0);
        Ok(())
    }

    /// S-shaped: the ceiling lies past the peak of the average return, and there the
    /// average equals the floor.
    #[test]
    fn s_shaped_ceiling_past_the_peak() -> Result<(), BudgetError> {
        let c = Curve::hill(8000.0, 30000.0, 2.0)?;
        // Peak at half (s-1)^(1/s) = 30000; average there 8000 / 2 / 30000.
        let peak = 8000.0 / 2.0 / 30000.0;
        let x = max_spend_for_return(&c, 0.1)?;
        assert!(x > 30000.0);
        assert!((c.value(x) / x - 0.1).abs() < 1e-9);
        assert_eq!(max_spend_for_return(&c, peak * 1.001)?, 0.0);
        Ok(())
    }

    #[test]
    fn lines_and_values() -> Result<(), BudgetError> {
        let l = Curve::linear(0.05, 1000.0)?;
        assert_eq!(max_spend_for_return(&l, 0.04)?, 25000.0);
        assert_eq!(max_spend_for_return(&l, 0.06)?, 0.0);
        assert_eq!(
            max_spend_for_return(&Curve::linear(0.05, f64::INFINITY)?, 0.04)?,
            f64::INFINITY
        );
        let v = value_curve(&Curve::hill(100.0, 10.0, 1.5)?, 120.0)?;
        assert!((v.value(7.0) - 120.0 * Curve::hill(100.0, 10.0, 1.5)?.value(7.0)).abs() < 1e-9);
        assert!(value_curve(&l, 0.0).is_err());
        assert!(max_spend_for_return(&l, -1.0).is_err());
        Ok(())
    }
}
