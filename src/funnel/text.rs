//! Funnels and plans as text for the terminal: a summary line and an aligned table.

use super::plan::{Funnel, FunnelPlan};
use crate::render::{format_grouped, render_table};
use crate::units::format_percent;

/// One line per funnel: `Funnel acquisition 15% -> activation 40% -> ... (overall
/// 3.78%, aov 150)`.
pub fn describe(f: &Funnel) -> String {
    let chain: Vec<String> = f
        .stages()
        .iter()
        .map(|s| format!("{} {}", s.name, s.rate))
        .collect();
    let aov = f
        .aov()
        .map(|a| format!(", aov {}", format_grouped(a, 2).trim_end_matches(".00")))
        .unwrap_or_default();
    format!(
        "Funnel {} (overall {}{aov})",
        chain.join(" -> "),
        format_percent(f.overall_rate())
    )
}

/// A summary line (entering, conversions, revenue) and the stage table.
pub fn describe_plan(p: &FunnelPlan) -> String {
    let revenue = if p.funnel.aov().is_some() {
        format!(", revenue {}", format_grouped(p.revenue, 1))
    } else {
        String::new()
    };
    format!(
        "Funnel plan: {} entering, {} conversions{revenue}\n{}",
        format_grouped(p.entering, 1),
        format_grouped(p.conversions, 1),
        render_table(&p.to_table())
    )
}
