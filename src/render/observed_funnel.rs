//! The English readouts of the events domain: an observed funnel's semantics, a
//! plan-versus-observed summary, and the headers of retention and lifecycle tables.

use crate::events::lifecycle::Lifecycle;
use crate::events::retention::Retention;
use crate::events::{Attribution, Comparison, Order, Semantics};
use crate::render::format_display;

/// The order rule in words.
pub fn order_rule(order: Order) -> &'static str {
    match order {
        Order::Ordered => "ordered: steps in time order, t1 <= t2 <= ... <= tk (equal timestamps are taken in funnel order); other events may come in between (\"any\" is an alias)",
        Order::Strict => "strict: steps in time order with no other event of the user between two consecutive steps (ClickHouse windowFunnel 'strict_order'); an event that is not a step sorts after the steps of its timestamp",
        Order::Unordered => "unordered: step k is reached when one event of each of the first k steps lies within one window, in any order",
    }
}

/// The semantics as printed above every funnel.
pub fn describe_semantics(s: &Semantics) -> String {
    let mut out = format!(
        "Observed funnel from {}: {}\n",
        s.source,
        s.steps.join(" -> ")
    );
    out.push_str(&format!("  order: {}\n", order_rule(s.order)));
    let span = if s.order == Order::Unordered {
        "max t - min t"
    } else {
        "tk - t1"
    };
    out.push_str(&format!(
        "  window: {} on {span}; each user's best chain over all attempts; each user counted once per step; a repeated step needs its own event\n",
        s.window
    ));
    for e in &s.exclude {
        out.push_str(&format!(
            "  exclusion: users whose deepest step needs a chain with {:?} between step {} ({}) and step {} ({}) are removed from the funnel ({} removed)\n",
            e.event,
            e.from,
            s.steps.get(e.from - 1).map_or("", String::as_str),
            e.to,
            s.steps.get(e.to - 1).map_or("", String::as_str),
            s.excluded
        ));
    }
    if s.by.is_empty() {
        out.push_str("  attribution: none (all users in one funnel)\n");
    } else {
        let first = s.steps.first().map_or("", String::as_str);
        let rule = match s.attribution {
            Attribution::FirstTouch => format!(
                "first touch: the value on the user's earliest {first:?} event (ties on the same timestamp: the smallest value); the user's whole funnel counts under it"
            ),
            Attribution::LastTouch => "last touch: the value on the last event of the user's counted chain (their deepest step); the user's whole funnel counts under it".to_string(),
            Attribution::PerStep => "per step: each step counts the user under the value on that step's own event in the counted chain, so a user may move between groups and a group's rates can exceed 100%".to_string(),
        };
        out.push_str(&format!("  attribution: by {}, {rule}\n", s.by.join(", ")));
    }
    if s.order != Order::Unordered {
        out.push_str("  median_time_from_previous: seconds; median over the users reaching the step (even count: mean of the middle two) of t(k) - t(k-1) in the chain reaching their deepest step first, earlier steps as late as possible\n");
    }
    let mut rows = format!("  rows: {} read, {} used", s.rows_read, s.rows_used);
    if s.rows_without_user > 0 {
        rows.push_str(&format!(" ({} skipped: empty user)", s.rows_without_user));
    }
    rows.push_str(&format!(
        "; {} users with a used row, {} entering\n",
        s.users, s.entering
    ));
    out.push_str(&rows);
    if let Some(p) = &s.pushed_down {
        out.push_str(&format!(
            "  computed by {} at {} in one SQL statement (the same rules, in SQL; .sql shows it)\n",
            p.engine, p.url
        ));
    }
    out
}

/// A summary line: planned against observed-rate conversions and revenue.
pub fn comparison_summary(c: &Comparison) -> String {
    let money = |x: f64| match c.aov {
        Some(a) => format!(
            "{} conversions, revenue {}",
            format_display(x),
            format_display(x * a)
        ),
        None => format!("{} conversions", format_display(x)),
    };
    let obs = match c.observed_conversions {
        Some(x) => format!("at the observed rates {}", money(x)),
        None => "a stage has no observed users, so no observed total".to_string(),
    };
    let aov = c.aov.map_or("no aov".to_string(), |a| {
        format!("aov {}", format_display(a))
    });
    format!(
        "Plan vs observed for {} entering, {aov}: planned {}; {obs}\nGaps ranked by their effect (each stage alone at its observed rate):\n",
        format_display(c.entering),
        money(c.planned_conversions),
    )
}

/// The rules above a retention table.
pub fn describe_retention(r: &Retention) -> String {
    let by = if r.by.is_empty() {
        String::new()
    } else {
        format!(
            "  by {} on the start event (first touch)\n",
            r.by.join(", ")
        )
    };
    format!(
        "Retention from {}: cohorts by the {} of each user's first {:?}; retained in period p: a {:?} at or after the start in period cohort + p (unbounded: in p or later); periods observed up to the {} of {}\n{by}  repeat rate: users with two or more {:?} at or after their start / users with one or more\n  rows: {} read, {} used\n",
        r.source,
        r.interval.name(),
        r.start_event,
        r.return_event,
        r.interval.name(),
        if r.last_period.is_empty() { "(no events)" } else { &r.last_period },
        r.return_event,
        r.rows_read,
        r.rows_used
    )
}

/// The rules above a lifecycle table.
pub fn describe_lifecycle(l: &Lifecycle) -> String {
    format!(
        "Lifecycle of {:?} from {} by {}: new = first active {} in the data; returning = active in this and the previous {}; resurrected = active, not in the previous {} but before; dormant = active in the previous {} and not in this one\n  rows: {} read, {} used\n",
        l.event_name,
        l.source,
        l.interval.name(),
        l.interval.name(),
        l.interval.name(),
        l.interval.name(),
        l.interval.name(),
        l.rows_read,
        l.rows_used
    )
}
