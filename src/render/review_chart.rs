//! SVG charts of a review as plain strings, in the conventions of
//! `crate::budget::plot` (white background, sans-serif 12px, a title at the top,
//! fixed number formatting so the output is deterministic):
//!
//! - [`waterfall_svg`]: the planned result, one floating bar per factor's
//!   contribution (green up, red down), the actual result.
//! - [`achievement_svg`]: target-vs-actual as horizontal bars of `actual / target`
//!   per metric against a 100% line, coloured by status.

use super::review_text::percent1;
use crate::render::{format_grouped, html_escape};
use crate::review::attribution::Attribution;
use crate::review::metrics::{Review, Status};

/// Colours by meaning.
const UP: &str = "#2ca02c";
const DOWN: &str = "#d62728";
const TOTAL: &str = "#1f77b4";
const OVER: &str = "#ff9f0e";
const NEUTRAL: &str = "#9e9e9e";

/// A whole number with thousands separators and a sign (`+71,755`, `-400,000`).
pub fn signed_whole(x: f64) -> String {
    let s = format_grouped(x, 0);
    if s == "0" || s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

fn header(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{:.1}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        w / 2.0,
        html_escape(title)
    )
}

/// Labels longer than `max` characters are cut with an ellipsis.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// The waterfall of an attribution: `planned`, one bar per factor from the running
/// total to the running total plus its contribution, `actual`. Each bar is labelled
/// with its value (`signed_whole` for contributions, grouped for the totals); the
/// y axis starts at 0 so that the bars' heights compare honestly.
pub fn waterfall_svg(a: &Attribution, title: &str) -> String {
    let n = a.rows.len() + 2;
    let (left, right, top, bottom) = (80.0, 20.0, 48.0, 70.0);
    let bar_w = 70.0;
    let w = left + right + bar_w * n as f64 * 1.25;
    let h = 400.0;
    let ph = h - top - bottom;
    // Running totals to size the axis.
    let mut run = a.planned;
    let mut hi = a.planned.max(a.actual).max(0.0);
    let mut lo = a.planned.min(a.actual).min(0.0);
    for r in &a.rows {
        run += r.contribution;
        hi = hi.max(run);
        lo = lo.min(run);
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let py = |v: f64| top + ph * (hi - v) / span;
    let mut o = header(w, h, title);
    o.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"black\"/>\n",
        py(0.0),
        w - right
    ));
    let mut bar = |i: usize, from: f64, to: f64, color: &str, label: &str, name: &str| {
        let x = left + bar_w * 1.25 * i as f64 + bar_w * 0.125;
        let (y0, y1) = (py(from.max(to)), py(from.min(to)));
        o.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y0:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\n",
            (y1 - y0).max(1.0)
        ));
        o.push_str(&format!(
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x + bar_w / 2.0,
            y0 - 5.0,
            html_escape(label)
        ));
        o.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>\n",
            x + bar_w / 2.0,
            h - bottom + 16.0 + 13.0 * (i % 2) as f64,
            html_escape(&short(name, 16))
        ));
    };
    bar(
        0,
        0.0,
        a.planned,
        TOTAL,
        &format_grouped(a.planned, 0),
        "planned",
    );
    let mut run = a.planned;
    for (i, r) in a.rows.iter().enumerate() {
        let next = run + r.contribution;
        let color = if r.contribution >= 0.0 { UP } else { DOWN };
        bar(
            i + 1,
            run,
            next,
            color,
            &signed_whole(r.contribution),
            &r.factor.name,
        );
        run = next;
    }
    bar(
        n - 1,
        0.0,
        a.actual,
        TOTAL,
        &format_grouped(a.actual, 0),
        "actual",
    );
    o.push_str("</svg>\n");
    o
}

/// Target-vs-actual bars: one row per metric with an achievement, the bar's length
/// `actual / target` on a scale to the largest value (at least 125%), a dashed line
/// at 100%, the colour by status (met green, missed red, over amber) and the
/// achievement written at the bar's end (`percent1`, as in the review's table).
pub fn achievement_svg(review: &Review, title: &str) -> String {
    let rows: Vec<_> = review
        .rows
        .iter()
        .filter_map(|r| r.achievement.map(|a| (r, a)))
        .collect();
    let (left, right, top, row_h) = (170.0, 70.0, 44.0, 24.0);
    let w = 640.0;
    let h = top + row_h * rows.len() as f64 + 30.0;
    let pw = w - left - right;
    let max = rows
        .iter()
        .map(|(_, a)| *a)
        .fold(1.25f64, f64::max)
        .min(10.0);
    let px = |v: f64| left + pw * v.clamp(0.0, max) / max;
    let mut o = header(w, h, title);
    for (i, (r, a)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let color = match r.status {
            Status::Met => UP,
            Status::Missed => DOWN,
            Status::Over => OVER,
            _ => NEUTRAL,
        };
        o.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            left - 8.0,
            y + 15.0,
            html_escape(&short(&r.metric, 24))
        ));
        o.push_str(&format!(
            "<rect class=\"bar status-{}\" x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\n",
            r.status.name().replace(' ', "-"),
            y + 3.0,
            (px(*a) - left).max(1.0),
            row_h - 6.0
        ));
        o.push_str(&format!(
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            px(*a) + 4.0,
            y + 15.0,
            percent1(*a)
        ));
    }
    let x100 = px(1.0);
    o.push_str(&format!(
        "<line x1=\"{x100:.1}\" y1=\"{:.1}\" x2=\"{x100:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n<text x=\"{x100:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">100% of target</text>\n",
        top - 4.0,
        h - 22.0,
        h - 8.0
    ));
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::attribution::tests::summer;
    use crate::review::{attribute, Method};
    use crate::table::{read_csv_bytes, CsvOptions};

    fn values(svg: &str) -> Vec<String> {
        svg.split("<text class=\"value\"")
            .skip(1)
            .filter_map(|s| s.split_once('>').map(|x| x.1))
            .filter_map(|s| s.split_once("</text>").map(|x| x.0.to_string()))
            .collect()
    }

    #[test]
    fn waterfall_bars_and_labels() -> Result<(), crate::review::ReviewError> {
        let (p, a) = summer()?;
        let at = attribute(&p, &a, Method::Lmdi)?;
        let svg = waterfall_svg(&at, "Sales gap <by factor>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("Sales gap &lt;by factor&gt;"));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 7);
        let want: Vec<String> = std::iter::once("2,000,000".to_string())
            .chain(at.rows.iter().map(|r| signed_whole(r.contribution)))
            .chain(std::iter::once("1,600,000".to_string()))
            .collect();
        assert_eq!(values(&svg), want);
        assert_eq!(want[1], "-188,866");
        assert_eq!(
            svg.matches(DOWN).count(),
            3,
            "impressions, visits_rate, signups_rate"
        );
        assert_eq!(svg.matches(UP).count(), 2, "impressions_rate, aov");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        Ok(())
    }

    #[test]
    fn achievement_bars_follow_the_table() -> Result<(), crate::review::ReviewError> {
        let t = read_csv_bytes(
            "m.csv",
            b"dimension,metric,target,actual,better\ntraffic,impressions,5000000,4500000,\ncost,total cost,60,72,lower\nx,zero,0,5,\nrevenue,ROI,1:3,1:2.2,\n",
            &CsvOptions::default(),
        )?;
        let r = Review::from_table(&t)?;
        let svg = achievement_svg(&r, "Achievement");
        assert_eq!(
            values(&svg),
            vec!["90.0%", "120.0%", "73.3%"],
            "no bar for a zero target"
        );
        assert_eq!(svg.matches("status-missed").count(), 2);
        assert_eq!(svg.matches("status-over").count(), 1);
        // 90% of a 125% scale over 400 px: 288 px wide.
        assert!(svg.contains("width=\"288.0\""), "{svg}");
        Ok(())
    }
}
