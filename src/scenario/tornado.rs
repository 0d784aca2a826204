//! Sensitivity as a tornado: each input moved to the low and high end of its range
//! with every other input at its base value; inputs ranked by the swing
//! `|f(high) - f(low)|` (one-at-a-time sensitivity; Clemen and Reilly, *Making Hard
//! Decisions*, ch. 5). For an uncertain input the range is its distribution's
//! 10th to 90th percentile.

use super::error::{Failure, ScenarioError};
use crate::table::{Column, Table};

/// One input's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// The input's name.
    pub input: String,
    /// The low end of its range.
    pub low: f64,
    /// The high end.
    pub high: f64,
    /// The result with this input at `low`, others at base.
    pub at_low: f64,
    /// The result with this input at `high`, others at base.
    pub at_high: f64,
    /// `|at_high - at_low|`.
    pub swing: f64,
}

/// The tornado: the base result and the rows, widest swing first.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The result with every input at base.
    pub base: f64,
    /// One row per input with a range, by decreasing swing (ties keep input order).
    pub rows: Vec<TornadoRow>,
}

/// Builds the tornado of `f` around `base` (one value per name); `ranges[i]` is the
/// `(low, high)` of input `i`, or `None` to leave it out. `f` must return finite values.
pub fn tornado<E, F>(
    names: &[String],
    base: &[f64],
    ranges: &[Option<(f64, f64)>],
    mut f: F,
) -> Result<Tornado, Failure<E>>
where
    F: FnMut(&[f64]) -> Result<f64, E>,
{
    if ranges.iter().all(Option::is_none) {
        return Err(ScenarioError::Invalid(
            "tornado: no input has a range; give ranges like #{ ctr: [0.02, 0.04] } or uncertain inputs".into(),
        )
        .into());
    }
    let mut eval = |x: &[f64], at: f64| -> Result<f64, Failure<E>> {
        let v = f(x).map_err(Failure::Model)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ScenarioError::NotFinite {
                what: "tornado".into(),
                x: at,
                value: v,
            }
            .into())
        }
    };
    let b = eval(base, f64::NAN)?;
    let mut rows = Vec::new();
    let mut x = base.to_vec();
    for (i, r) in ranges.iter().enumerate() {
        let Some((low, high)) = *r else { continue };
        if !(low.is_finite() && high.is_finite() && low <= high) {
            return Err(ScenarioError::Invalid(format!(
                "tornado: the range of '{}' must be [low, high] with low <= high, got [{low}, {high}]",
                names[i]
            ))
            .into());
        }
        x[i] = low;
        let at_low = eval(&x, low)?;
        x[i] = high;
        let at_high = eval(&x, high)?;
        x[i] = base[i];
        rows.push(TornadoRow {
            input: names[i].clone(),
            low,
            high,
            at_low,
            at_high,
            swing: (at_high - at_low).abs(),
        });
    }
    rows.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(Tornado { base: b, rows })
}

impl Tornado {
    /// The table `input, low, high, result_low, result_high, swing`.
    pub fn table(&self) -> Result<Table, ScenarioError> {
        let col = |f: &dyn Fn(&TornadoRow) -> f64| {
            Column::float(self.rows.iter().map(|r| Some(f(r))).collect())
        };
        Ok(Table::new(
            "<tornado>",
            vec![
                (
                    "input".into(),
                    Column::text(self.rows.iter().map(|r| Some(r.input.clone())).collect()),
                ),
                ("low".into(), col(&|r| r.low)),
                ("high".into(), col(&|r| r.high)),
                ("result_low".into(), col(&|r| r.at_low)),
                ("result_high".into(), col(&|r| r.at_high)),
                ("swing".into(), col(&|r| r.swing)),
            ],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_swing_on_a_product() {
        // f = a * b * c around (2, 3, 4) = 24: a over [1, 3] swings 2*12 = 24,
        // b over [2.5, 3.5] swings 1*8 = 8, c is left out.
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let t = tornado::<(), _>(
            &names,
            &[2.0, 3.0, 4.0],
            &[Some((1.0, 3.0)), Some((2.5, 3.5)), None],
            |x| Ok(x[0] * x[1] * x[2]),
        )
        .unwrap();
        assert_eq!(t.base, 24.0);
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].input.as_str(), t.rows[0].swing), ("a", 24.0));
        assert_eq!((t.rows[1].input.as_str(), t.rows[1].swing), ("b", 8.0));
        assert_eq!((t.rows[1].at_low, t.rows[1].at_high), (20.0, 28.0));
    }
}
