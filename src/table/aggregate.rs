//! Aggregates per group over whole columns: sums that cannot silently wrap, means that
//! cannot overflow, and one documented rule for missing values and NaN.
//!
//! - Missing cells are skipped by every aggregate (`count` counts the others).
//! - Integer sums are exact; a sum outside the 64-bit range is an error.
//! - Float sums are compensated (Neumaier), so money columns stay exact to the cent
//!   far longer than a naive loop; a mean is the compensated sum over the count, or,
//!   when that sum overflows, the compensated sum of `x / n` (so `[1e308, 1e308]` has
//!   mean 1e308, not inf).
//! - NaN propagates through `sum` and `mean` (it is a value, not a missing cell), is
//!   skipped by `min` and `max` unless every value of the group is NaN, and sorts after
//!   every number (see `sort`).

use super::column::Column;
use super::ops::{compare_values, Agg};
use super::value::{DType, Value};
use arrow_array::Array;
use std::cmp::Ordering;

/// Compensated running sum (Neumaier).
#[derive(Debug, Clone, Copy, Default)]
struct Neumaier {
    sum: f64,
    c: f64,
    n: usize,
}

impl Neumaier {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.c += (self.sum - t) + x;
        } else {
            self.c += (x - t) + self.sum;
        }
        self.sum = t;
        self.n += 1;
    }

    /// The sum; when the running sum overflowed, that infinity (the compensation
    /// would turn it into NaN).
    fn total(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.c
        } else {
            self.sum
        }
    }
}

/// One aggregate of `col` per group (`ids[row]` is the row's group).
pub(crate) fn aggregate(
    col: &Column,
    ids: &[u32],
    n_groups: usize,
    agg: Agg,
) -> Result<Column, String> {
    Ok(match agg {
        Agg::Count => {
            let mut counts = vec![0i64; n_groups];
            for (row, &g) in ids.iter().enumerate() {
                if !col.is_null(row) {
                    counts[g as usize] += 1;
                }
            }
            Column::int(counts.into_iter().map(Some).collect())
        }
        Agg::Sum if col.dtype() == DType::Int => {
            let mut sums = vec![0i64; n_groups];
            if let Some(a) = col.ints() {
                for (row, (&x, &g)) in a.values().iter().zip(ids).enumerate() {
                    if a.is_valid(row) {
                        let s = &mut sums[g as usize];
                        *s = s.checked_add(x).ok_or_else(|| {
                            "the integer sum leaves the 64-bit range (beyond ±9,223,372,036,854,775,807); cast the column to float to sum it approximately".to_string()
                        })?;
                    }
                }
            }
            Column::int(sums.into_iter().map(Some).collect())
        }
        Agg::Sum | Agg::Mean => {
            let mut acc = vec![Neumaier::default(); n_groups];
            match (col.floats(), col.ints()) {
                (Some(a), _) if a.null_count() == 0 => {
                    for (&x, &g) in a.values().iter().zip(ids) {
                        acc[g as usize].add(x);
                    }
                }
                (_, Some(a)) if a.null_count() == 0 => {
                    for (&x, &g) in a.values().iter().zip(ids) {
                        acc[g as usize].add(x as f64);
                    }
                }
                _ => {
                    for (row, &g) in ids.iter().enumerate() {
                        if let Some(x) = col.f64_at(row) {
                            acc[g as usize].add(x);
                        }
                    }
                }
            }
            let out: Vec<Option<f64>> = acc
                .iter()
                .enumerate()
                .map(|(g, a)| match agg {
                    Agg::Mean if a.n == 0 => None,
                    Agg::Mean => {
                        let m = a.total() / a.n as f64;
                        if m.is_finite() || a.total().is_nan() {
                            Some(m)
                        } else {
                            Some(scaled_mean(col, ids, g as u32, a.n))
                        }
                    }
                    _ => Some(a.total()),
                })
                .collect();
            Column::float(out)
        }
        Agg::CountDistinct => {
            let (codes, _) = super::keys::codes_of(col);
            let mut seen = std::collections::HashSet::new();
            let mut counts = vec![0i64; n_groups];
            for (&g, c) in ids.iter().zip(codes) {
                if let Some(c) = c {
                    if seen.insert((g, c)) {
                        counts[g as usize] += 1;
                    }
                }
            }
            Column::int(counts.into_iter().map(Some).collect())
        }
        Agg::Min | Agg::Max => {
            let want = if agg == Agg::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best: Vec<Value> = vec![Value::Null; n_groups];
            for (row, &g) in ids.iter().enumerate() {
                let v = col.get(row);
                if v.is_null() {
                    continue;
                }
                let slot = &mut best[g as usize];
                let is_nan = |v: &Value| matches!(v, Value::Float(x) if x.is_nan());
                let better = slot.is_null()
                    || (is_nan(slot) && !is_nan(&v))
                    || (!is_nan(&v) && compare_values(&v, slot) == want);
                if better {
                    *slot = v;
                }
            }
            Column::from_values(col.dtype(), &best).unwrap_or_else(|_| Column::infer(best))
        }
    })
}

/// The mean of group `g` as the compensated sum of `x / n` (no overflow).
fn scaled_mean(col: &Column, ids: &[u32], g: u32, n: usize) -> f64 {
    let mut acc = Neumaier::default();
    for (row, &id) in ids.iter().enumerate() {
        if id == g {
            if let Some(x) = col.f64_at(row) {
                acc.add(x / n as f64);
            }
        }
    }
    acc.total()
}

/// The sum of a whole numeric column by the rules above (`None` for text).
pub fn column_sum(col: &Column) -> Result<Option<Value>, String> {
    let ids = vec![0u32; col.len()];
    if !matches!(col.dtype(), DType::Int | DType::Float) {
        return Ok(None);
    }
    Ok(Some(aggregate(col, &ids, 1, Agg::Sum)?.get(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(col: Column, agg: Agg) -> Result<Value, String> {
        let ids = vec![0u32; col.len()];
        Ok(aggregate(&col, &ids, 1, agg)?.get(0))
    }

    #[test]
    fn integer_sums_never_wrap() {
        let c = Column::int(vec![Some(i64::MAX), Some(1)]);
        let e = one(c, Agg::Sum).map(|_| ()).unwrap_err();
        assert!(e.contains("64-bit range"), "{e}");
        assert_eq!(
            one(Column::int(vec![Some(i64::MAX), Some(-1), None]), Agg::Sum),
            Ok(Value::Int(i64::MAX - 1))
        );
    }

    #[test]
    fn means_do_not_overflow_and_sums_are_compensated() {
        assert_eq!(
            one(Column::float(vec![Some(1e308), Some(1e308)]), Agg::Mean),
            Ok(Value::Float(1e308))
        );
        assert_eq!(
            one(Column::float(vec![Some(1e308), Some(1e308)]), Agg::Sum),
            Ok(Value::Float(f64::INFINITY))
        );
        // 0.1 ten times is exactly the double nearest 1.0 with compensation.
        assert_eq!(
            one(Column::float(vec![Some(0.1); 10]), Agg::Sum),
            Ok(Value::Float(1.0))
        );
        assert_eq!(
            one(
                Column::float(vec![Some(1e16), Some(1.0), Some(-1e16)]),
                Agg::Sum
            ),
            Ok(Value::Float(1.0))
        );
    }

    #[test]
    fn nan_is_skipped_by_min_and_max() {
        let c = || Column::float(vec![Some(f64::NAN), Some(1.0), None, Some(3.0)]);
        assert_eq!(one(c(), Agg::Min), Ok(Value::Float(1.0)));
        assert_eq!(one(c(), Agg::Max), Ok(Value::Float(3.0)));
        assert_eq!(one(c(), Agg::Count), Ok(Value::Int(3)));
        let all_nan = one(Column::float(vec![Some(f64::NAN)]), Agg::Max);
        assert!(matches!(all_nan, Ok(Value::Float(x)) if x.is_nan()));
    }
}
