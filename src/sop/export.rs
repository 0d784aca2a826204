//! A plan for other tools: Mermaid `gantt` text and an iCalendar file (RFC 5545) with one
//! all-day event per task, and the owner lanes both share with the Gantt chart
//! (`render::gantt`). All output is deterministic (no clock, no random ids) so it
//! can be compared with golden files.

use super::calendar::days_text;
use super::model::Status;
use super::plan::Plan;
use chrono::Duration;
use std::fmt::Write;

/// Task indices grouped into owner lanes (owners in order of their first start), each
/// lane's tasks by start.
pub fn lanes(plan: &Plan) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    let mut order: Vec<usize> = (0..plan.tasks.len()).collect();
    order.sort_by_key(|&k| (plan.tasks[k].start, k));
    for k in order {
        let owner = plan.tasks[k].owner.clone();
        match out.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, v)) => v.push(k),
            None => out.push((owner, vec![k])),
        }
    }
    out
}

fn mermaid_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ':' | ';' | '#' => ' ',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

/// Mermaid `gantt` text: a section per owner, each task with its dates (end exclusive,
/// the day after its finish date), `crit` on critical tasks, `done`/`active` by status,
/// milestones for zero-length tasks; the calendar's weekends and holidays as `excludes`.
pub fn mermaid(plan: &Plan) -> String {
    let mut s = String::from("gantt\n    title SOP plan\n    dateFormat YYYY-MM-DD\n");
    let mut ex: Vec<String> = plan
        .input
        .options
        .weekend
        .iter()
        .map(|w| {
            match w {
                chrono::Weekday::Mon => "monday",
                chrono::Weekday::Tue => "tuesday",
                chrono::Weekday::Wed => "wednesday",
                chrono::Weekday::Thu => "thursday",
                chrono::Weekday::Fri => "friday",
                chrono::Weekday::Sat => "saturday",
                chrono::Weekday::Sun => "sunday",
            }
            .to_string()
        })
        .collect();
    let mut holidays = plan.input.holidays.clone();
    holidays.sort();
    ex.extend(holidays.iter().map(|d| d.to_string()));
    if !ex.is_empty() {
        let _ = writeln!(s, "    excludes {}", ex.join(", "));
    }
    for (owner, ks) in lanes(plan) {
        let _ = writeln!(
            s,
            "    section {}",
            mermaid_text(if owner.is_empty() {
                "(no owner)"
            } else {
                &owner
            })
        );
        for k in ks {
            let t = &plan.tasks[k];
            let Some((a, b)) = t.dates else { continue };
            let mut tags = Vec::new();
            match t.status {
                Status::Done => tags.push("done"),
                Status::Doing => tags.push("active"),
                Status::Todo => {}
            }
            if t.critical {
                tags.push("crit");
            }
            let id = mermaid_id(&t.id);
            let timing = if t.finish == t.start {
                tags.push("milestone");
                format!("{a}, 0d")
            } else {
                format!("{a}, {}", b + Duration::days(1))
            };
            tags.push(&id);
            let _ = writeln!(
                s,
                "    {} :{}, {timing}",
                mermaid_text(&t.name),
                tags.join(", ")
            );
        }
    }
    s
}

fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn ics_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 section 3.1), never inside a UTF-8
/// character, with CRLF endings.
fn fold(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// An iCalendar file (RFC 5545) with one all-day event per dated task: `DTSTART` its
/// start date, `DTEND` the day after its finish date (exclusive, as the RFC requires for
/// all-day events), the owner in the summary, and owner, phase, status, working days,
/// slack and deadline in the description. `DTSTAMP` is the plan's start date so that the
/// file is reproducible.
pub fn ics(plan: &Plan, name: &str) -> String {
    let stamp = plan.model.calendar.start().format("%Y%m%dT000000Z");
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//pacer//SOP plan//EN",
        "CALSCALE:GREGORIAN",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", ics_text(name)), &mut out);
    for t in &plan.tasks {
        let Some((a, b)) = t.dates else { continue };
        let mut desc = format!(
            "Owner: {}\nPhase: {}\nStatus: {}\nWorking days: {}\nSlack: {} working days",
            t.owner,
            t.phase,
            t.status.name(),
            days_text(t.finish - t.start),
            days_text(t.slack)
        );
        if let Some(d) = t.deadline_date {
            let _ = write!(desc, "\nDeadline: {d}");
        }
        if t.late > 0 {
            let _ = write!(desc, " ({} working days late)", days_text(t.late));
        }
        let summary = if t.owner.is_empty() {
            t.name.clone()
        } else {
            format!("{} ({})", t.name, t.owner)
        };
        let lines = [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@pacer-sop", ics_text(&t.id)),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", a.format("%Y%m%d")),
            format!(
                "DTEND;VALUE=DATE:{}",
                (b + Duration::days(1)).format("%Y%m%d")
            ),
            format!("SUMMARY:{}", ics_text(&summary)),
            format!("DESCRIPTION:{}", ics_text(&desc)),
            format!(
                "CATEGORIES:{}",
                ics_text(if t.phase.is_empty() { "SOP" } else { &t.phase })
            ),
            "TRANSP:TRANSPARENT".to_string(),
            "END:VEVENT".to_string(),
        ];
        for l in lines {
            fold(&l, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_lines_fold_at_75_octets_and_escape_text() {
        let mut out = String::new();
        fold(&"x".repeat(80), &mut out);
        assert_eq!(out, format!("{}\r\n {}\r\n", "x".repeat(75), "x".repeat(5)));
        assert_eq!(ics_text("a,b;c\nd\\"), "a\\,b\\;c\\nd\\\\");
        let mut out = String::new();
        fold(&"设".repeat(30), &mut out); // 3 octets each: 25 per first line
        assert!(out.lines().all(|l| l.len() <= 75));
    }
}
