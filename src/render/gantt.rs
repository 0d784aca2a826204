//! The SOP plan's Gantt chart: SVG, or a self-contained HTML page around it. One row per
//! task in owner lanes; weekends and holidays shaded, owners' unavailability hatched,
//! critical tasks red, late tasks outlined, deadlines as red ticks, launches as dashed
//! lines, and, when the plan has a baseline, the baseline's bar as a thin grey bar under
//! the current one. Deterministic output (no clock, no random ids) for golden files.

use crate::render::html_escape as escape;
use crate::render::svg::{palette, Anchor, Svg};
use crate::sop::calendar::days_text;
use crate::sop::export::lanes;
use crate::sop::{Plan, PlannedTask, Status};
use chrono::{Datelike, Duration, NaiveDate};
use std::fmt::Write;

const LABEL: f64 = 300.0;
const DAY: f64 = 22.0;
const ROW: f64 = 22.0;
const TOP: f64 = 64.0;

fn x_of(first: NaiveDate, date: NaiveDate, frac: f64) -> f64 {
    LABEL + ((date - first).num_days() as f64 + frac) * DAY
}

/// The horizontal extent of a task: from its start half day to the end of its last.
fn span(first: NaiveDate, t: &PlannedTask) -> Option<(f64, f64)> {
    let (a, b) = t.dates?;
    let x0 = x_of(first, a, if t.start.rem_euclid(2) == 1 { 0.5 } else { 0.0 });
    if t.finish == t.start {
        return Some((x0, x0));
    }
    let x1 = x_of(
        first,
        b,
        if t.finish.rem_euclid(2) == 1 {
            0.5
        } else {
            1.0
        },
    );
    Some((x0, x1))
}

/// The Gantt chart as SVG: one row per task, grouped in owner lanes; weekends and
/// holidays shaded (make-up workdays are not), each owner's unavailability hatched on
/// their lane, critical tasks in red, late tasks outlined, deadlines as red ticks, the
/// launch date as a dashed line.
pub fn gantt_svg(plan: &Plan) -> String {
    let cal = &plan.model.calendar;
    let dated = plan.tasks.iter().filter_map(|t| t.dates);
    let first = dated
        .clone()
        .map(|d| d.0)
        .min()
        .unwrap_or(cal.start())
        .min(cal.start());
    let mut last = dated.map(|d| d.1).max().unwrap_or(first);
    let o = &plan.input.options;
    let launches: Vec<(String, NaiveDate)> = o
        .launch
        .map(|d| (String::new(), d))
        .into_iter()
        .chain(o.launches.iter().cloned())
        .collect();
    let baselines = plan.tasks.iter().filter_map(|t| t.baseline);
    let first = baselines.clone().map(|b| b.0).fold(first, NaiveDate::min);
    for d in plan
        .tasks
        .iter()
        .filter_map(|t| t.deadline_date)
        .chain(launches.iter().map(|l| l.1))
        .chain(baselines.map(|b| b.1))
    {
        last = last.max(d);
    }
    let has_baseline = plan.tasks.iter().any(|t| t.baseline.is_some());
    // With a baseline, the current bar is thinner and the baseline's bar sits under it.
    let (bar_y, bar_h) = if has_baseline {
        (3.0, 10.0)
    } else {
        (4.0, ROW - 8.0)
    };
    let days = (last - first).num_days() + 1;
    let lanes = lanes(plan);
    let rows = plan.tasks.len() as f64;
    let width = LABEL + days as f64 * DAY + 20.0;
    let height = TOP + rows * ROW + 40.0;
    let mut svg = Svg::with_font(width, height, 11);
    svg.text_sized(
        8.0,
        18.0,
        &format!(
            "SOP plan: {} tasks, finish {} ({} working days)",
            plan.tasks.len(),
            plan.finish_date,
            days_text(plan.finish)
        ),
        Anchor::Start,
        14,
    );
    svg.text_colored(
        8.0,
        34.0,
        &format!(
            "red: critical · outlined: late · dark line: work done · dark red tick: deadline · hatched: owner unavailable · grey columns: weekends and holidays{}",
            if has_baseline { " · thin grey bar: baseline" } else { "" }
        ),
        Anchor::Start,
        palette::MUTED,
    );
    // Shapes the kit does not draw (classed, rounded, outlined, hatched) as markup.
    let mut s = String::new();
    s.push_str("<defs><pattern id=\"away\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#c8c8c8\"/></pattern></defs>\n");
    // Day columns.
    for i in 0..days {
        let d = first + Duration::days(i);
        let x = x_of(first, d, 0.0);
        if !cal.is_working(d) {
            let fill = if cal.is_holiday(d) {
                "#f3d9d9"
            } else {
                "#ececec"
            };
            let _ = writeln!(
                s,
                "<rect class=\"off\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{DAY:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{d}{}</title></rect>",
                TOP - 14.0,
                rows * ROW + 14.0,
                if cal.is_holiday(d) { " holiday" } else { "" }
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x + DAY / 2.0,
            TOP - 4.0,
            d.day()
        );
        if d.day() == 1 || i == 0 {
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
                TOP - 18.0,
                d.format("%Y-%m")
            );
        }
    }
    // Lanes and rows.
    let mut row = 0.0;
    for (li, (owner, ks)) in lanes.iter().enumerate() {
        let y0 = TOP + row * ROW;
        let h = ks.len() as f64 * ROW;
        if li % 2 == 1 {
            let _ = writeln!(
                s,
                "<rect class=\"lane\" x=\"0\" y=\"{y0:.1}\" width=\"{width:.0}\" height=\"{h:.1}\" fill=\"#f6f8fb\" fill-opacity=\"0.6\"/>"
            );
        }
        if let Some(info) = plan.model.owners.iter().find(|o| o.name == *owner) {
            for &(_, _, from, to) in &info.blocked {
                let (a, b) = (from.max(first), to.min(last));
                if a <= b {
                    let _ = writeln!(
                        s,
                        "<rect class=\"away\" x=\"{:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"url(#away)\" fill-opacity=\"0.7\"><title>{} unavailable {from} to {to}</title></rect>",
                        x_of(first, a, 0.0),
                        ((b - a).num_days() + 1) as f64 * DAY,
                        escape(owner)
                    );
                }
            }
        }
        let _ = writeln!(
            s,
            "<text x=\"8\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            y0 + 15.0,
            escape(if owner.is_empty() {
                "(no owner)"
            } else {
                owner
            })
        );
        for &k in ks {
            let t = &plan.tasks[k];
            let y = TOP + row * ROW;
            let _ = writeln!(
                s,
                "<text x=\"100\" y=\"{:.1}\">{}</text>",
                y + 15.0,
                escape(&truncate(&t.name, 32))
            );
            if let Some((x0, x1)) = span(first, t) {
                let color = match (t.status, t.critical) {
                    (Status::Done, _) => "#9e9e9e",
                    (_, true) => palette::RED,
                    _ => palette::BLUE,
                };
                let stroke = if t.late > 0 {
                    " stroke=\"#222222\" stroke-width=\"2.5\""
                } else {
                    ""
                };
                let title = format!(
                    "{}: {} to {}, owner {}, slack {} days{}",
                    t.id,
                    t.dates.map(|d| d.0.to_string()).unwrap_or_default(),
                    t.dates.map(|d| d.1.to_string()).unwrap_or_default(),
                    t.owner,
                    days_text(t.slack),
                    if t.late > 0 {
                        format!(", {} days late", days_text(t.late))
                    } else {
                        String::new()
                    }
                );
                if x1 > x0 {
                    // One piece per run of consecutive working days: the bar breaks
                    // over weekends and holidays.
                    let _ = writeln!(
                        s,
                        "<g class=\"task{}\"><title>{}</title>",
                        if t.critical { " critical" } else { "" },
                        escape(&title)
                    );
                    for (a, b) in pieces(plan, first, t) {
                        let _ = writeln!(
                            s,
                            "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar_h:.1}\" rx=\"3\" fill=\"{color}\"{stroke}/>",
                            y + bar_y,
                            b - a,
                        );
                    }
                    // The work done of a task in progress: a dark line through the bar
                    // over its first duration x percent complete half days.
                    if t.status == Status::Doing && t.percent_complete > 0.0 {
                        let d = plan.input.tasks[k].duration as f64;
                        let done = (d * t.percent_complete).round() as i64;
                        for (a, b) in slot_pieces(plan, first, t.start, t.start + done) {
                            let _ = writeln!(
                                s,
                                "<rect class=\"done\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"3.0\" fill=\"{}\"/>",
                                y + bar_y + bar_h / 2.0 - 1.5,
                                b - a,
                                palette::TEXT,
                            );
                        }
                    }
                    s.push_str("</g>\n");
                } else {
                    let cy = y + ROW / 2.0;
                    let _ = writeln!(
                        s,
                        "<path class=\"milestone\" d=\"M{x0:.1} {:.1} L{:.1} {cy:.1} L{x0:.1} {:.1} L{:.1} {cy:.1} Z\" fill=\"{color}\"{stroke}><title>{}</title></path>",
                        cy - 7.0,
                        x0 + 7.0,
                        cy + 7.0,
                        x0 - 7.0,
                        escape(&title)
                    );
                }
            }
            if let Some((from, to)) = t.baseline {
                let _ = writeln!(
                    s,
                    "<g class=\"baseline\"><title>{} baseline: {from} to {to}</title>",
                    escape(&t.id)
                );
                for (a, b) in day_pieces(plan, first, from, to) {
                    let _ = writeln!(
                        s,
                        "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"4.0\" fill=\"{}\"/>",
                        y + 15.0,
                        b - a,
                        palette::MUTED,
                    );
                }
                s.push_str("</g>\n");
            }
            if let Some(d) = t.deadline_date {
                let x = x_of(first, d, 1.0);
                let _ = writeln!(
                    s,
                    "<path class=\"deadline\" d=\"M{x:.1} {:.1} L{x:.1} {:.1}\" stroke=\"{}\" stroke-width=\"2\"><title>deadline {d}</title></path>",
                    y + 1.0,
                    y + ROW - 1.0,
                    palette::MISSED_TEXT
                );
            }
            row += 1.0;
        }
    }
    for (name, l) in &launches {
        let x = x_of(first, *l, 0.0);
        let label = if name.is_empty() {
            format!("launch {l}")
        } else {
            format!("{} {l}", escape(name))
        };
        let _ = writeln!(
            s,
            "<path class=\"launch\" d=\"M{x:.1} {:.1} L{x:.1} {:.1}\" stroke=\"{green}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{green}\" font-weight=\"bold\">{label}</text>",
            TOP - 14.0,
            TOP + rows * ROW + 6.0,
            x + 3.0,
            TOP + rows * ROW + 20.0,
            green = palette::GREEN
        );
    }
    svg.raw(&s);
    svg.finish()
}

/// The horizontal pieces of a task's bar: its half-day slots placed on their calendar
/// days, merged while they touch.
fn pieces(plan: &Plan, first: NaiveDate, t: &PlannedTask) -> Vec<(f64, f64)> {
    slot_pieces(plan, first, t.start, t.finish)
}

/// The horizontal pieces of the half-day slots `from..to`, merged while they touch.
fn slot_pieces(plan: &Plan, first: NaiveDate, from: i64, to: i64) -> Vec<(f64, f64)> {
    let cal = &plan.model.calendar;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for slot in from..to {
        let Ok(d) = cal.date_of_slot(slot) else { break };
        let a = x_of(first, d, if slot.rem_euclid(2) == 1 { 0.5 } else { 0.0 });
        let b = a + DAY / 2.0;
        match out.last_mut() {
            Some(last) if (last.1 - a).abs() < 1e-9 => last.1 = b,
            _ => out.push((a, b)),
        }
    }
    out
}

/// The horizontal pieces of the whole working days from `from` to `to` (inclusive),
/// merged while they touch: a baseline bar breaks over weekends and holidays.
fn day_pieces(plan: &Plan, first: NaiveDate, from: NaiveDate, to: NaiveDate) -> Vec<(f64, f64)> {
    let cal = &plan.model.calendar;
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut d = from;
    while d <= to {
        if cal.is_working(d) {
            let a = x_of(first, d, 0.0);
            match out.last_mut() {
                Some(last) if (last.1 - a).abs() < 1e-9 => last.1 = a + DAY,
                _ => out.push((a, a + DAY)),
            }
        }
        d += Duration::days(1);
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The Gantt chart in a self-contained HTML page (no external resources).
pub fn gantt_html(plan: &Plan) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SOP plan</title>\n<style>body{{font-family:sans-serif;margin:16px}}</style></head>\n<body>\n{}</body></html>\n",
        gantt_svg(plan)
    )
}
