//! Funnels and plans as text for the terminal: a summary line and an aligned table.

use super::format::percent;
use super::number::format_grouped;
use super::text_table::render_table;
use crate::funnel::check::{CheckIssue, PlanCheck};
use crate::funnel::{Funnel, FunnelPlan};

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
        percent(f.overall_rate())
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

/// A count as the check's sentences write it: grouped, one decimal unless whole.
fn n(x: f64) -> String {
    let s = format_grouped(x, 1);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// One sentence per issue of a funnel check:
/// `retention -> monetization: 1,500 x 70.0% = 1,050, not 1,000 (the plan is 50 below,
/// -4.76%)`; `revenue: 1,000 x 90.0% x 150 = 135,000 falls short of the 1,000,000 goal
/// by 865,000 (13.5% of the goal)`.
pub fn check_issue_text(issue: &CheckIssue) -> String {
    match issue {
        CheckIssue::Link {
            from,
            to,
            volume,
            rate,
            implied,
            planned,
        } => {
            let pct = if *implied > 0.0 {
                format!(", {}", super::change((planned - implied) / implied))
            } else {
                String::new()
            };
            format!(
                "{from} -> {to}: {} x {rate} = {}, not {} (the plan is {} {}{pct})",
                n(*volume),
                n(*implied),
                n(*planned),
                n((planned - implied).abs()),
                if planned > implied { "above" } else { "below" },
            )
        }
        CheckIssue::Goal {
            volume,
            rate,
            aov,
            revenue,
            goal,
        } => {
            let (word, by) = if revenue < goal {
                ("falls short of", goal - revenue)
            } else {
                ("exceeds", revenue - goal)
            };
            format!(
                "revenue: {} x {rate} x {} = {} {word} the {} goal by {} ({} of the goal)",
                n(*volume),
                n(*aov),
                n(*revenue),
                n(*goal),
                n(by),
                percent(if *goal > 0.0 {
                    revenue / goal
                } else {
                    f64::INFINITY
                })
            )
        }
    }
}

/// A check's summary: the implied conversions and revenue against the goal, then each
/// issue, then the entering volume the goal needs at these rates.
pub fn check_summary(c: &PlanCheck) -> String {
    let mut s = format!(
        "Funnel check ({} stages, tolerance {}): the plan implies {} conversions",
        c.links.len(),
        c.tolerance,
        n(c.implied_conversions)
    );
    if let Some(r) = c.implied_revenue {
        s.push_str(&format!(", revenue {}", n(r)));
    }
    if let Some(g) = c.goal {
        s.push_str(&format!(" against a goal of {}", n(g)));
    }
    if c.issues.is_empty() {
        s.push_str("; every stage chains");
    } else {
        s.push_str(&format!("; {} issue(s):", c.issues.len()));
        for i in &c.issues {
            s.push_str(&format!("\n- {}", check_issue_text(i)));
        }
    }
    if let Some(e) = c.needed_entering {
        if c.goal_flagged {
            s.push_str(&format!(
                "\nAt these rates the goal needs {} entering the first stage.",
                n(e)
            ));
        }
    }
    s
}

#[cfg(test)]
mod check_text_tests {
    use super::*;
    use crate::units::Rate;

    /// The handbook's two inconsistencies (docs/handbook.md, the funnel).
    #[test]
    fn handbook_issues_read_as_sentences() {
        let rate = |r: f64| Rate::new(r, "r").unwrap();
        assert_eq!(
            check_issue_text(&CheckIssue::Link {
                from: "retention".into(),
                to: "monetization".into(),
                volume: 1500.0,
                rate: rate(0.7),
                implied: 1050.0,
                planned: 1000.0,
            }),
            "retention -> monetization: 1,500 x 70.0% = 1,050, not 1,000 (the plan is 50 below, -4.76%)"
        );
        assert_eq!(
            check_issue_text(&CheckIssue::Goal {
                volume: 1000.0,
                rate: rate(0.9),
                aov: 150.0,
                revenue: 135_000.0,
                goal: 1_000_000.0,
            }),
            "revenue: 1,000 x 90.0% x 150 = 135,000 falls short of the 1,000,000 goal by 865,000 (13.5% of the goal)"
        );
        assert_eq!(
            check_issue_text(&CheckIssue::Link {
                from: "a".into(),
                to: "b".into(),
                volume: 0.0,
                rate: rate(0.5),
                implied: 0.0,
                planned: 10.0,
            }),
            "a -> b: 0 x 50.0% = 0, not 10 (the plan is 10 above)"
        );
    }
}
