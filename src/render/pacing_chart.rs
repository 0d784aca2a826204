//! The pacing chart: spend against plan by period, daily or cumulative, with the
//! tolerance band around the plan's pace line.

use super::line_chart::{LineChart, Series};
use crate::budget::PacingReport;
use crate::table::Kind;

/// Which view of the pacing to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacingView {
    /// Spend and plan per period.
    Daily,
    /// Spend and plan summed up to each period, with the plan's band of ± tolerance.
    Cumulative,
}

/// The pacing chart of `report` (an empty chart when nothing is dated).
pub fn pacing_svg(report: &PacingReport, view: PacingView) -> String {
    let p = &report.periods;
    let labels = p.iter().map(|r| r.start.to_string()).collect();
    let some = |f: &dyn Fn(&crate::budget::PeriodPacing) -> f64| -> Vec<Option<f64>> {
        p.iter().map(|r| Some(f(r))).collect()
    };
    let tol = report.tolerance;
    let (title, series) = match view {
        PacingView::Daily => (
            "Spend against plan by period",
            vec![
                Series::solid("actual", some(&|r| r.actual)),
                Series::dashed("plan", some(&|r| r.planned)),
            ],
        ),
        PacingView::Cumulative => (
            "Cumulative spend against the plan's pace",
            vec![
                Series::solid("actual", some(&|r| r.cum_actual)),
                Series::dashed("plan", some(&|r| r.cum_planned)),
                Series::dashed(
                    &format!("plan +{}", super::percent(tol)),
                    some(&|r| r.cum_planned * (1.0 + tol)),
                ),
                Series::dashed(
                    &format!("plan -{}", super::percent(tol)),
                    some(&|r| r.cum_planned * (1.0 - tol)),
                ),
            ],
        ),
    };
    LineChart {
        title: title.to_string(),
        x_labels: labels,
        series,
        kind: Kind::Money,
        references: Vec::new(),
        from_zero: true,
    }
    .to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::PeriodPacing;
    use chrono::NaiveDate;

    #[test]
    fn cumulative_view_draws_actual_plan_and_band() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 7, day).unwrap();
        let report = PacingReport {
            as_of: Some(d(2)),
            tolerance: 0.05,
            items: Vec::new(),
            total: crate::budget::ItemPacing {
                item: "total".into(),
                planned_total: 1000.0,
                planned_to_date: 200.0,
                actual_to_date: 220.0,
                deviation: 20.0,
                deviation_pct: Some(0.1),
                projected_end: 1100.0,
                flag: crate::budget::Flag::Ok,
            },
            periods: vec![
                PeriodPacing {
                    start: d(1),
                    planned: 100.0,
                    actual: 90.0,
                    cum_planned: 100.0,
                    cum_actual: 90.0,
                },
                PeriodPacing {
                    start: d(2),
                    planned: 100.0,
                    actual: 130.0,
                    cum_planned: 200.0,
                    cum_actual: 220.0,
                },
            ],
        };
        let svg = pacing_svg(&report, PacingView::Cumulative);
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.contains(">plan +5.0%</text>") && svg.contains(">2024-07-02</text>"));
        // the band's upper line ends at 200 x 1.05 = 210
        let daily = pacing_svg(&report, PacingView::Daily);
        assert!(daily.contains("Spend against plan by period"));
    }
}
