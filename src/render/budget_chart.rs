//! The budget charts: a response curve with the observed points it was fitted to, each
//! channel's curve with its allocated spend marked, and the optimal result by total
//! budget. All drawn by [`XyChart`] (spend in money on x, the result as a count on y).

use super::xy_chart::{XyChart, XySeries};
use crate::budget::{Allocation, Channel};
use crate::budget::{BudgetCurve, Curve};
use crate::table::Kind;

fn spend_chart(title: &str, subtitle: &str, x_name: &str, series: Vec<XySeries>) -> String {
    XyChart {
        title: title.to_string(),
        subtitle: subtitle.to_string(),
        x: (x_name.to_string(), Kind::Money),
        y: ("result".to_string(), Kind::Count),
        series,
    }
    .to_svg()
}

/// `n + 1` points of `curve` evenly from spend 0 to `max`.
fn sampled(curve: &Curve, max: f64, n: usize) -> Vec<(f64, f64)> {
    (0..=n)
        .map(|k| {
            let x = max * k as f64 / n as f64;
            (x, curve.value(x))
        })
        .collect()
}

/// A curve from spend 0 to `max_spend` (default: twice the larger of the
/// half-saturation spend, the knee, and 1.1 times the largest observed spend), with
/// the observed `(spend, result)` points as dots and the curve's formula as subtitle.
pub fn curve_svg(
    name: &str,
    curve: &Curve,
    observed: &[(f64, f64)],
    max_spend: Option<f64>,
) -> String {
    let natural = match curve {
        Curve::Hill(h) => 2.0 * h.half(),
        Curve::Linear(l) if l.slope() > 0.0 && l.cap().is_finite() => 2.0 * l.cap() / l.slope(),
        Curve::Linear(_) => 1.0,
    };
    let seen = observed.iter().map(|p| p.0).fold(0.0, f64::max);
    let xmax = max_spend
        .filter(|m| m.is_finite() && *m > 0.0)
        .unwrap_or_else(|| natural.max(seen * 1.1));
    let mut series = vec![XySeries::line(
        &format!("{} curve", curve.kind().name()),
        sampled(curve, xmax, 200),
    )];
    if !observed.is_empty() {
        series.push(XySeries::dots("observed", observed.to_vec()));
    }
    spend_chart(
        &format!("Response curve: {name}"),
        &curve.describe(),
        "spend",
        series,
    )
}

/// Each channel's response curve up to twice the largest allocated spend, with the
/// allocated spend of every channel marked as a dot on its curve.
pub fn allocation_svg(channels: &[Channel], allocation: &Allocation) -> String {
    let xmax = allocation
        .rows
        .iter()
        .map(|r| r.spend)
        .fold(0.0, f64::max)
        .max(1.0)
        * 2.0;
    let mut series: Vec<XySeries> = channels
        .iter()
        .map(|c| XySeries::line(c.name(), sampled(c.curve(), xmax, 100)))
        .collect();
    let marks = allocation
        .rows
        .iter()
        .map(|r| (r.spend, r.result))
        .collect();
    series.push(XySeries::dots("allocated spend", marks));
    spend_chart("Response curves and allocation", "", "spend", series)
}

/// The optimal result against the total budget, one point per allocated total.
pub fn budget_curve_svg(curve: &BudgetCurve) -> String {
    let pts = curve
        .allocations
        .iter()
        .map(|a| (a.total, a.result))
        .collect();
    spend_chart(
        "Optimal result by total budget",
        "",
        "total budget",
        vec![XySeries::line("optimal result", pts)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_chart_samples_the_curve_and_marks_points() -> Result<(), crate::budget::BudgetError> {
        let c = Curve::hill(5000.0, 20000.0, 1.5)?;
        let svg = curve_svg(
            "wechat <1>",
            &c,
            &[(10000.0, 1300.0), (30000.0, 3200.0)],
            None,
        );
        assert!(svg.contains("Response curve: wechat &lt;1&gt;"));
        assert!(
            svg.contains("hill(top=5000, half=20000, shape=1.5)"),
            "{svg}"
        );
        assert_eq!(svg.matches("r=\"4\"").count(), 2);
        // x reaches twice the half-saturation spend: 40,000
        assert!(svg.contains(">40,000</text>"), "{svg}");
        let polyline = svg
            .lines()
            .find(|l| l.starts_with("<polyline"))
            .unwrap_or("");
        assert_eq!(polyline.split(' ').filter(|p| p.contains(',')).count(), 201);
        Ok(())
    }

    #[test]
    fn allocation_marks_each_channel_and_the_budget_curve_rises(
    ) -> Result<(), crate::budget::BudgetError> {
        use crate::budget::{allocate, budget_curve, AllocateOptions, Limits};
        let channels = vec![
            Channel::new("a", Curve::hill(2000.0, 10_000.0, 2.5)?, Limits::default())?,
            Channel::new("b", Curve::hill(3000.0, 20_000.0, 1.5)?, Limits::default())?,
        ];
        let options = AllocateOptions::default();
        let a = allocate(30_000.0, &channels, &options)?;
        let svg = allocation_svg(&channels, &a);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("r=\"4\"").count(), 2, "one mark per channel");
        assert!(svg.contains(">allocated spend</text>"));
        let totals: Vec<f64> = (0..=4).map(|k| k as f64 * 10_000.0).collect();
        let bc = budget_curve(&channels, &totals, &options)?;
        let svg = budget_curve_svg(&bc);
        assert!(svg.contains("Optimal result by total budget"));
        assert!(svg.contains(">40,000</text>"), "{svg}");
        Ok(())
    }
}
