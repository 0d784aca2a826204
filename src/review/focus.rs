//! Focus (docs/handbook.md, the review, step 4): "focus on the 2-3 gaps with
//! the largest impact". The gaps of the review are ranked by their effect on the
//! headline result (sales by default).
//!
//! The headline is taken as the product of its drivers (impressions x click rate x
//! sign-up rate x order rate x order value = sales), so the effect of driver `i` is its
//! LMDI contribution to the headline's gap ([`super::decompose`](mod@super::decompose)):
//! `effect_i = L(H1, H0) x ln(actual_i / target_i)`, with `H0, H1` the headline's target
//! and actual and `L` the logarithmic mean. When the drivers in the table are the
//! headline's complete factors the effects add up exactly to its gap; otherwise the
//! rest is reported as `not explained by these metrics`.
//!
//! Drivers by default: every higher-is-better metric of the `traffic` and
//! `conversion` dimensions with a positive target and actual (ratios excluded).

use super::decompose::log_mean;
use super::error::ReviewError;
use super::metrics::{Better, MetricResult, Review};
use crate::table::{Column, Kind, Table};
use crate::units::Notation;

/// The name of the row holding what the drivers do not explain.
pub const UNEXPLAINED: &str = "not explained by these metrics";

/// One ranked gap.
#[derive(Debug, Clone, PartialEq)]
pub struct FocusRow {
    /// The metric.
    pub metric: String,
    /// Its dimension.
    pub dimension: String,
    /// Its achievement (`actual / target`).
    pub achievement: f64,
    /// Its effect on the headline, in the headline's unit.
    pub effect: f64,
}

/// The gaps ranked by their effect on the headline.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    /// The headline metric.
    pub headline: String,
    /// Its target.
    pub target: f64,
    /// Its actual.
    pub actual: f64,
    /// The drivers, largest effect (in absolute value) first; a shortfall before a gain
    /// of the same size; ties otherwise in the review's order.
    pub rows: Vec<FocusRow>,
    /// `actual - target - sum of effects`.
    pub unexplained: f64,
}

fn is_default_driver(r: &MetricResult) -> bool {
    let dim = r.dimension.to_ascii_lowercase();
    (dim == "traffic" || dim == "conversion")
        && r.better == Better::Higher
        && r.notation() != Notation::Ratio
        && r.target.is_some_and(|q| q.value > 0.0)
        && r.actual.is_some_and(|q| q.value > 0.0)
}

/// Ranks the drivers of `headline` in `review` by their effect on it. `drivers`
/// names them (all must have a positive target and actual); `None` takes the default
/// drivers. The headline must have a positive target and actual.
pub fn focus(
    review: &Review,
    headline: &str,
    drivers: Option<&[String]>,
) -> Result<Focus, ReviewError> {
    let h = review.get(headline, "focus: headline")?;
    let (Some(t), Some(a)) = (h.target, h.actual) else {
        return Err(ReviewError::Invalid(format!(
            "focus: the headline '{}' needs both a target and an actual",
            h.metric
        )));
    };
    let (h0, h1) = (t.value, a.value);
    if !(h0 > 0.0 && h1 > 0.0) {
        return Err(ReviewError::Invalid(format!(
            "focus: the headline '{}' needs a positive target and actual, got {h0} and {h1}",
            h.metric
        )));
    }
    let chosen: Vec<&MetricResult> = match drivers {
        None => review
            .rows
            .iter()
            .filter(|r| is_default_driver(r) && !r.metric.eq_ignore_ascii_case(&h.metric))
            .collect(),
        Some(names) => names
            .iter()
            .map(|n| {
                let r = review.get(n, "focus: drivers")?;
                match (r.target, r.actual) {
                    (Some(t), Some(a)) if t.value > 0.0 && a.value > 0.0 => Ok(r),
                    _ => Err(ReviewError::Invalid(format!(
                        "focus: driver '{n}' needs a positive target and actual"
                    ))),
                }
            })
            .collect::<Result<_, _>>()?,
    };
    let l = log_mean(h1, h0);
    let mut rows: Vec<FocusRow> = chosen
        .iter()
        .filter_map(|r| {
            let (t, a) = (r.target?.value, r.actual?.value);
            Some(FocusRow {
                metric: r.metric.clone(),
                dimension: r.dimension.clone(),
                achievement: a / t,
                effect: l * (a / t).ln(),
            })
        })
        .collect();
    // Largest effect first; effects equal to 9 significant digits (a -20% and a +25%
    // change cancel exactly in LMDI) put the shortfall first. A key, so the order is total.
    let key = |e: f64| {
        if e == 0.0 || !e.is_finite() {
            0.0
        } else {
            let k = 10f64.powf(e.abs().log10().floor() - 8.0);
            (e.abs() / k).round() * k
        }
    };
    rows.sort_by(|x, y| {
        key(y.effect)
            .total_cmp(&key(x.effect))
            .then(x.effect.total_cmp(&y.effect))
    });
    let explained: f64 = rows.iter().map(|r| r.effect).sum();
    let mut unexplained = (h1 - h0) - explained;
    if unexplained.abs() <= 1e-9 * h0.max(h1) {
        unexplained = 0.0;
    }
    Ok(Focus {
        headline: h.metric.clone(),
        target: h0,
        actual: h1,
        rows,
        unexplained,
    })
}

impl Focus {
    /// `actual - target` of the headline.
    pub fn gap(&self) -> f64 {
        self.actual - self.target
    }

    /// The table `rank, metric, dimension, achievement, effect, share`: the first
    /// `top` drivers, then the unexplained rest. `share` is the effect over the
    /// headline's gap.
    pub fn table(&self, top: usize) -> Result<Table, ReviewError> {
        let gap = self.gap();
        let mut rank = Vec::new();
        let mut metric = Vec::new();
        let mut dim = Vec::new();
        let mut ach = Vec::new();
        let mut effect = Vec::new();
        let mut share = Vec::new();
        for (i, r) in self.rows.iter().take(top).enumerate() {
            rank.push(Some(i as i64 + 1));
            metric.push(Some(r.metric.clone()));
            dim.push(Some(r.dimension.clone()));
            ach.push(Some(r.achievement));
            effect.push(Some(r.effect));
            share.push((gap != 0.0).then(|| r.effect / gap + 0.0));
        }
        let mut rest: f64 =
            self.rows.iter().skip(top).map(|r| r.effect).sum::<f64>() + self.unexplained;
        if rest.abs() <= 1e-9 * self.target.max(self.actual) {
            rest = 0.0;
        }
        let others = self.rows.len().saturating_sub(top);
        if others > 0 || self.unexplained != 0.0 {
            rank.push(None);
            metric.push(Some(if others == 1 {
                "1 other metric and the rest".to_string()
            } else if others > 1 {
                format!("{others} other metrics and the rest")
            } else {
                UNEXPLAINED.to_string()
            }));
            dim.push(None);
            ach.push(None);
            effect.push(Some(rest));
            // `+ 0.0` turns a -0 share into 0.
            share.push((gap != 0.0).then(|| rest / gap + 0.0));
        }
        Ok(Table::new(
            "<focus>",
            vec![
                ("rank".into(), Column::int(rank)),
                ("metric".into(), Column::text(metric)),
                ("dimension".into(), Column::text(dim)),
                ("achievement".into(), Column::float(ach)),
                ("effect".into(), Column::float(effect)),
                ("share".into(), Column::float(share)),
            ],
        )?
        .with_kinds(&[("achievement", Kind::Rate), ("share", Kind::Share)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    const SUMMER: &str = "dimension,metric,target,actual,better\n\
        traffic,impressions,5000000,4500000,\n\
        traffic,click-through rate,4%,4.4444444444444%,\n\
        conversion,sign-up conversion,5%,4%,\n\
        conversion,order rate,50%,40%,\n\
        conversion,average order value,400,500,\n\
        revenue,ROI,1:3,1:2.2,\n\
        cost,total cost,60,72,lower\n\
        headline,sales,2000000,1600000,\n";

    #[test]
    fn ranks_drivers_by_effect_on_sales() -> Result<(), ReviewError> {
        let t = read_csv_bytes("m.csv", SUMMER.as_bytes(), &CsvOptions::default())?;
        let r = Review::from_table(&t)?;
        let f = focus(&r, "sales", None)?;
        let names: Vec<&str> = f.rows.iter().map(|r| r.metric.as_str()).collect();
        // |ln 0.8| = 0.223 (twice), |ln 1.25| = 0.223, |ln 0.9| = 0.105, |ln 1.111| = 0.105 (approx.)
        assert_eq!(names.len(), 5);
        let l = -400_000.0 / 0.8f64.ln();
        for row in &f.rows {
            assert!((row.effect - l * row.achievement.ln()).abs() < 1e-6);
        }
        assert!(f.rows[0].effect.abs() >= f.rows[4].effect.abs());
        assert!(f.unexplained.abs() < 1e-3, "{}", f.unexplained);
        let tab = f.table(3)?;
        assert_eq!(tab.n_rows(), 4);
        let effects = tab.column("effect")?;
        let total: f64 = (0..4).filter_map(|i| effects.f64_at(i)).sum();
        assert!((total + 400_000.0).abs() < 1e-6);
        // Only two drivers: the rest is unexplained.
        let f = focus(
            &r,
            "sales",
            Some(&["impressions".to_string(), "order rate".to_string()]),
        )?;
        let want = -400_000.0 - l * (0.9f64.ln() + 0.8f64.ln());
        assert!((f.unexplained - want).abs() < 1e-6);
        assert!(focus(&r, "revenue", None).is_err());
        assert!(focus(&r, "sales", Some(&["ROI".to_string(), "nope".to_string()])).is_err());
        Ok(())
    }
}
