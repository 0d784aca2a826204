//! A flighting plan for people: the spend of each channel by period as a line chart,
//! and the one-line summary printed above its table.

use super::format::format_kind;
use super::line_chart::{LineChart, Series};
use super::number::format_display;
use crate::budget::Flighting;
use crate::table::Kind;

/// The spend of each channel by period of the horizon, one solid line per channel
/// (the outcomes are in the plan's tables).
pub fn flighting_svg(plan: &Flighting) -> String {
    let x_labels = (1..=plan.periods).map(|p| plan.period_name(p)).collect();
    let series = plan
        .spend_matrix()
        .into_iter()
        .map(|(name, spend)| Series::solid(&name, spend.into_iter().map(Some).collect()))
        .collect();
    LineChart {
        title: "Spend by channel and period".to_string(),
        x_labels,
        series,
        kind: Kind::Money,
        references: Vec::new(),
        from_zero: true,
    }
    .to_svg()
}

/// `Flighting of 120,000 over 4 periods: outcome 24,706; the last unit of spend
/// returns 0.0973`: the budget, the periods, the outcome counted, the tail's part of
/// it and the marginal return.
pub fn flighting_summary(plan: &Flighting) -> String {
    let mut s = format!(
        "Flighting of {} over {} periods: outcome {}",
        format_kind(plan.allocated, Kind::Money),
        plan.periods,
        format_kind(plan.result, plan.outcome)
    );
    if plan.reserve > 0.0 {
        s.push_str(&format!(
            ", {} held back (releasing it would add {})",
            format_kind(plan.reserve, Kind::Money),
            format_kind(plan.reserve_result, plan.outcome)
        ));
    }
    if plan.tail > 0 {
        s.push_str(&format!(
            " ({} of it in the {} periods after)",
            format_kind(plan.tail_result, plan.outcome),
            plan.tail
        ));
    }
    if !plan.held.is_empty() {
        s.push_str(&format!(
            "; held at their return floor: {}",
            plan.held.join(", ")
        ));
    }
    if let Some(m) = plan.marginal {
        s.push_str(&format!(
            "; the last unit of spend returns {}",
            format_display(m)
        ));
    }
    s
}
