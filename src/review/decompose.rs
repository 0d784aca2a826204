//! Splitting the change of a product into one contribution per factor, exactly and
//! independently of the factors' order.
//!
//! A funnel's result is a product, `revenue = entering x r1 x ... x rk x aov`, so the
//! gap `V1 - V0` between actual (`a_i`) and planned (`p_i`) factors has no unique
//! split: changing the factors one after another in a different order gives different
//! shares. Two order-free splits are provided:
//!
//! - **LMDI** (logarithmic mean Divisia index, additive form LMDI-I; Ang & Liu 2001,
//!   "A new energy decomposition method: perfect in decomposition and consistent in
//!   aggregation", *Energy* 26(6); Ang 2005, "The LMDI approach to decomposition
//!   analysis: a practical guide", *Energy Policy* 33(7)):
//!   `c_i = L(V1, V0) x ln(a_i / p_i)` with the logarithmic mean
//!   `L(x, y) = (x - y) / (ln x - ln y)`, `L(x, x) = x`. Since
//!   `sum ln(a_i/p_i) = ln(V1/V0)`, the contributions add up to `V1 - V0` exactly, and
//!   each depends only on its own factor's ratio: the order of the factors cannot
//!   matter. The default. Defined only when every factor is positive.
//! - **Shapley** (Shapley 1953; the "Shapley-Sun" decomposition of index analysis):
//!   `c_i = sum over S ⊆ N\{i} of |S|!(n-|S|-1)!/n! x (f(S ∪ {i}) - f(S))`, where
//!   `f(S)` is the product with the factors in `S` at their actual values and the
//!   others as planned: the average effect of switching factor `i` from planned to
//!   actual over every order of switching. Exact for any non-negative factors, so it
//!   is the fallback when a factor is zero (a stage that converted nobody), where the
//!   logarithms of LMDI do not exist.
//!
//! The two agree on the sign of each contribution for monotone changes and differ in
//! how they share the interaction terms; both sum to the gap.

use super::error::ReviewError;
use crate::table::neumaier_sum;

/// The most factors the Shapley split accepts (it visits all `2^n` subsets).
pub const MAX_SHAPLEY_FACTORS: usize = 20;

/// How a gap is split among factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Logarithmic mean Divisia index (LMDI-I), the default.
    Lmdi,
    /// Shapley value over the factors (the fallback for zero factors).
    Shapley,
}

impl Method {
    /// Reads `lmdi` or `shapley`.
    pub fn parse(text: &str) -> Result<Method, ReviewError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lmdi" => Ok(Method::Lmdi),
            "shapley" => Ok(Method::Shapley),
            other => Err(ReviewError::Invalid(format!(
                "method must be \"lmdi\" or \"shapley\", got {}",
                crate::table::quote_text(other)
            ))),
        }
    }

    /// The method's name as written in tables.
    pub fn name(self) -> &'static str {
        match self {
            Method::Lmdi => "lmdi",
            Method::Shapley => "shapley",
        }
    }
}

/// The logarithmic mean `L(x, y) = (x - y) / (ln x - ln y)`, with `L(x, x) = x`, for
/// positive `x` and `y`.
pub fn log_mean(x: f64, y: f64) -> f64 {
    let d = x.ln() - y.ln();
    if d.abs() < 1e-12 {
        // L(x, y) = sqrt(xy) (1 + O(d^2)) near the diagonal.
        (x * y).sqrt()
    } else {
        (x - y) / d
    }
}

fn check(planned: &[f64], actual: &[f64]) -> Result<(), ReviewError> {
    if planned.len() != actual.len() {
        return Err(ReviewError::Invalid(format!(
            "decomposition: {} planned factors but {} actual ones",
            planned.len(),
            actual.len()
        )));
    }
    if planned.is_empty() {
        return Err(ReviewError::Invalid(
            "decomposition: give at least one factor".to_string(),
        ));
    }
    for (i, &x) in planned.iter().chain(actual).enumerate() {
        if !(x.is_finite() && x >= 0.0) {
            let which = if i < planned.len() {
                "planned"
            } else {
                "actual"
            };
            return Err(ReviewError::OutOfRange(crate::units::RangeError {
                what: format!("decomposition: {which} factor {}", i % planned.len() + 1),
                allowed: "a finite number >= 0".to_string(),
                value: x,
            }));
        }
    }
    Ok(())
}

/// The LMDI-I split of `prod(actual) - prod(planned)`: one contribution per factor.
///
/// Computed as `c_i = w x ln(a_i/p_i)` with `w = (V1 - V0) / sum_j ln(a_j/p_j)`, which
/// equals `L(V1, V0)` and makes the sum exact up to rounding. Every factor must be
/// positive (use [`shapley`] otherwise).
pub fn lmdi(planned: &[f64], actual: &[f64]) -> Result<Vec<f64>, ReviewError> {
    check(planned, actual)?;
    if let Some(i) = planned.iter().chain(actual).position(|&x| x <= 0.0) {
        return Err(ReviewError::Invalid(format!(
            "LMDI needs positive factors, but factor {} is 0 (use the Shapley split)",
            i % planned.len() + 1
        )));
    }
    let logs: Vec<f64> = planned
        .iter()
        .zip(actual)
        .map(|(p, a)| a.ln() - p.ln())
        .collect();
    let v0: f64 = planned.iter().product();
    let v1: f64 = actual.iter().product();
    let s = neumaier_sum(logs.iter().copied());
    let w = if s.abs() < 1e-12 {
        log_mean(v1, v0)
    } else {
        (v1 - v0) / s
    };
    Ok(logs.iter().map(|l| w * l).collect())
}

/// The Shapley split of `prod(actual) - prod(planned)` (any non-negative factors, at
/// most [`MAX_SHAPLEY_FACTORS`]).
pub fn shapley(planned: &[f64], actual: &[f64]) -> Result<Vec<f64>, ReviewError> {
    check(planned, actual)?;
    let n = planned.len();
    if n > MAX_SHAPLEY_FACTORS {
        return Err(ReviewError::Invalid(format!(
            "the Shapley split takes at most {MAX_SHAPLEY_FACTORS} factors, got {n}"
        )));
    }
    // f(mask): factors in mask at actual, the others at planned. Built from the
    // products over the low and the high half of the factors: 2^n multiplications.
    let size = 1usize << n;
    let lo = n / 2;
    let half = |from: usize, bits: usize| -> Vec<f64> {
        (0..1usize << bits)
            .map(|m| {
                (0..bits)
                    .map(|j| {
                        if m & (1 << j) != 0 {
                            actual[from + j]
                        } else {
                            planned[from + j]
                        }
                    })
                    .product()
            })
            .collect()
    };
    let (low, high) = (half(0, lo), half(lo, n - lo));
    let low_mask = (1usize << lo) - 1;
    let f: Vec<f64> = (0..size)
        .map(|m| low[m & low_mask] * high[m >> lo])
        .collect();
    // w(s) = s! (n-s-1)! / n!, computed as a product to stay exact for n <= 20.
    let weight: Vec<f64> = (0..n)
        .map(|s| {
            let mut w = 1.0 / n as f64;
            // 1 / C(n-1, s)
            for k in 0..s {
                w *= (k + 1) as f64 / (n - 1 - k) as f64;
            }
            w
        })
        .collect();
    let mut out = vec![0.0; n];
    for (i, c) in out.iter_mut().enumerate() {
        let bit = 1usize << i;
        *c = neumaier_sum(
            (0..size)
                .filter(|m| m & bit == 0)
                .map(|m| weight[(m as u32).count_ones() as usize] * (f[m | bit] - f[m])),
        );
    }
    Ok(out)
}

/// Splits the gap with `method`; LMDI falls back to Shapley when a factor is zero.
/// Returns the contributions and the method actually used.
pub fn decompose(
    planned: &[f64],
    actual: &[f64],
    method: Method,
) -> Result<(Vec<f64>, Method), ReviewError> {
    check(planned, actual)?;
    let zero = planned.iter().chain(actual).any(|&x| x == 0.0);
    let (c, used) = match method {
        Method::Lmdi if !zero => (lmdi(planned, actual)?, Method::Lmdi),
        _ => (shapley(planned, actual)?, Method::Shapley),
    };
    // Mixed products of extreme factors (1e200 x 1e200) can overflow in Shapley.
    if let Some(x) = c.iter().find(|x| !x.is_finite()) {
        return Err(ReviewError::OutOfRange(crate::units::RangeError {
            what: format!("decomposition ({}): a contribution", used.name()),
            allowed: "finite (the factors are too large to combine)".to_string(),
            value: *x,
        }));
    }
    Ok((c, used))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
    }

    /// Two factors: closed forms. LMDI: c_i = L(V1,V0) ln(a_i/p_i); Shapley: the mean
    /// of the two one-at-a-time orders.
    #[test]
    fn two_factor_closed_forms() -> Result<(), ReviewError> {
        let (p, a) = ([100.0, 0.5], [80.0, 0.4]);
        let (v0, v1) = (50.0f64, 32.0f64);
        let l: f64 = (v1 - v0) / (v1 / v0).ln();
        let c = lmdi(&p, &a)?;
        assert!(close(c[0], l * 0.8f64.ln(), 1e-14));
        assert!(close(c[1], l * 0.8f64.ln(), 1e-14));
        let s = shapley(&p, &a)?;
        // order (x then y): x: (80-100)*0.5 = -10, y: 80*(0.4-0.5) = -8
        // order (y then x): y: 100*(-0.1) = -10, x: -20*0.4 = -8
        assert!(
            close(s[0], -9.0, 1e-14) && close(s[1], -9.0, 1e-14),
            "{s:?}"
        );
        Ok(())
    }

    /// Shapley by its definition: the average over all n! orders of switching factors
    /// from planned to actual (an independent implementation of the subset formula).
    fn shapley_by_orders(p: &[f64], a: &[f64]) -> Vec<f64> {
        fn perms(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for p in perms(n - 1) {
                for i in 0..=p.len() {
                    let mut q = p.clone();
                    q.insert(i, n - 1);
                    out.push(q);
                }
            }
            out
        }
        let n = p.len();
        let all = perms(n);
        let mut out = vec![0.0; n];
        for order in &all {
            let mut cur = p.to_vec();
            for &i in order {
                let before: f64 = cur.iter().product();
                cur[i] = a[i];
                let after: f64 = cur.iter().product();
                out[i] += (after - before) / all.len() as f64;
            }
        }
        out
    }

    #[test]
    fn shapley_matches_its_definition() -> Result<(), ReviewError> {
        let p = [5_000_000.0, 0.04, 0.05, 0.5, 400.0];
        let a = [4_500_000.0, 0.0444, 0.0, 0.4, 500.0];
        let s = shapley(&p, &a)?;
        let r = shapley_by_orders(&p, &a);
        for (x, y) in s.iter().zip(&r) {
            assert!(close(*x, *y, 1e-12), "{s:?} {r:?}");
        }
        let (c, m) = decompose(&p, &a, Method::Lmdi)?;
        assert_eq!(m, Method::Shapley, "a zero factor falls back to Shapley");
        assert_eq!(c, s);
        Ok(())
    }

    /// Against fixtures/review/decomposition_reference.json: LMDI by its textbook
    /// formula and Shapley by its definition (all n! orders, exact rationals), computed
    /// in Python by fixtures/review/gen_decomposition.py.
    #[test]
    fn matches_python_reference() -> Result<(), Box<dyn std::error::Error>> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/review/decomposition_reference.json"
        );
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let nums = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default()
        };
        let cases = doc["cases"].as_array().ok_or("no cases")?;
        assert_eq!(cases.len(), 24);
        let mut lmdi_checked = 0;
        for c in cases {
            let (p, a) = (nums(&c["planned"]), nums(&c["actual"]));
            let want = nums(&c["shapley"]);
            let got = shapley(&p, &a)?;
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-9 * scale, "shapley {g} vs {w}");
            }
            if c.get("lmdi").is_some() {
                let want = nums(&c["lmdi"]);
                let got = lmdi(&p, &a)?;
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() <= 1e-9 * scale.max(1.0), "lmdi {g} vs {w}");
                }
                lmdi_checked += 1;
            } else {
                assert_eq!(decompose(&p, &a, Method::Lmdi)?.1, Method::Shapley);
            }
        }
        assert_eq!(lmdi_checked, 18);
        Ok(())
    }

    #[test]
    fn bad_factors() {
        assert!(lmdi(&[1.0], &[1.0, 2.0]).is_err());
        assert!(lmdi(&[0.0, 1.0], &[1.0, 2.0]).is_err());
        let e = lmdi(&[1.0, f64::NAN], &[1.0, 2.0]).map(|_| ()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "decomposition: planned factor 2 must be a finite number >= 0, got NaN"
        );
        assert!(shapley(&[1.0; 21], &[1.0; 21]).is_err());
        let e = decompose(&[1e200, 1e-200], &[1e-200, 1e200], Method::Shapley)
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("too large to combine"), "{e}");
        assert!(Method::parse("chain").is_err());
    }

    fn funnel() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (2usize..8).prop_flat_map(|n| {
            let factor = (1e-3f64..1e6, 0.2f64..5.0);
            proptest::collection::vec(factor, n).prop_map(|v| {
                let p: Vec<f64> = v.iter().map(|x| x.0).collect();
                let a: Vec<f64> = v.iter().map(|x| x.0 * x.1).collect();
                (p, a)
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Contributions add up to the gap (to 1e-9 of the gap, or of the largest
        /// contribution when the gap is a near cancellation) and do not depend on the
        /// order of the factors.
        #[test]
        fn sums_to_gap_and_order_free((p, a) in funnel(), seed in any::<u64>()) {
            let gap = a.iter().product::<f64>() - p.iter().product::<f64>();
            // A permutation from the seed.
            let n = p.len();
            let mut order: Vec<usize> = (0..n).collect();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let pp: Vec<f64> = order.iter().map(|&i| p[i]).collect();
            let ap: Vec<f64> = order.iter().map(|&i| a[i]).collect();
            for method in [Method::Lmdi, Method::Shapley] {
                let (c, _) = decompose(&p, &a, method).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let scale = gap.abs().max(c.iter().fold(0.0f64, |m, x| m.max(x.abs())));
                let sum = neumaier_sum(c.iter().copied());
                prop_assert!((sum - gap).abs() <= 1e-9 * scale, "{method:?}: sum {sum} gap {gap}");
                let (cp, _) = decompose(&pp, &ap, method).map_err(|e| TestCaseError::fail(e.to_string()))?;
                for (k, &i) in order.iter().enumerate() {
                    prop_assert!((cp[k] - c[i]).abs() <= 1e-9 * scale, "{method:?}: factor {i} {} vs {}", cp[k], c[i]);
                }
            }
        }
    }
}
