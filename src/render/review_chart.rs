//! The review's charts, drawn with the SVG kit:
//!
//! - [`waterfall_svg`]: the planned result, one floating bar per factor's
//!   contribution (green up, vermillion down), the actual result.
//! - [`achievement_svg`]: target-vs-actual as horizontal bars of `actual / target`
//!   per metric against a 100% line, coloured by status.
//!
//! Bars carry `class="bar"`, their values `class="value"` and their names
//! `class="label"`, so that a stylesheet (and the tests) can find them.

use super::review_text::percent1;
use super::svg::{palette, shorten, Anchor, Svg};
use crate::render::format_grouped;
use crate::review::attribution::Attribution;
use crate::review::metrics::{Review, Status};

/// A whole number with thousands separators and a sign (`+71,755`, `-400,000`).
pub fn signed_whole(x: f64) -> String {
    let s = format_grouped(x, 0);
    if s == "0" || s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// The colour of a status: met green, missed vermillion, over orange, else grey.
fn status_color(status: Status) -> &'static str {
    match status {
        Status::Met => palette::GREEN,
        Status::Missed => palette::RED,
        Status::Over => palette::ORANGE,
        Status::NoTarget | Status::NoActual => palette::MUTED,
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
    let mut svg = Svg::new(w, h);
    svg.title(title);
    svg.line(left, py(0.0), w - right, py(0.0), palette::AXIS);
    let mut bar = |i: usize, from: f64, to: f64, color: &str, label: &str, name: &str| {
        let x = left + bar_w * 1.25 * i as f64 + bar_w * 0.125;
        let (y0, y1) = (py(from.max(to)), py(from.min(to)));
        svg.rect_classed(x, y0, bar_w, y1 - y0, color, "bar");
        let mid = x + bar_w / 2.0;
        svg.text_classed(mid, y0 - 5.0, label, Anchor::Middle, "value", None);
        let ly = h - bottom + 16.0 + 13.0 * (i % 2) as f64;
        svg.text_classed(
            mid,
            ly,
            &shorten(name, 16),
            Anchor::Middle,
            "label",
            Some(11),
        );
    };
    let planned = format_grouped(a.planned, 0);
    bar(0, 0.0, a.planned, palette::BLUE, &planned, "planned");
    let mut run = a.planned;
    for (i, r) in a.rows.iter().enumerate() {
        let next = run + r.contribution;
        let color = if r.contribution >= 0.0 {
            palette::GREEN
        } else {
            palette::RED
        };
        let label = signed_whole(r.contribution);
        bar(i + 1, run, next, color, &label, &r.factor.name);
        run = next;
    }
    let actual = format_grouped(a.actual, 0);
    bar(n - 1, 0.0, a.actual, palette::BLUE, &actual, "actual");
    svg.finish()
}

/// Target-vs-actual bars: one row per metric with an achievement, the bar's length
/// `actual / target` on a scale to the largest value (at least 125%), a dashed line
/// at 100%, the colour by status (met green, missed vermillion, over orange) and the
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
    let mut svg = Svg::new(w, h);
    svg.title(title);
    for (i, (r, a)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let label = shorten(&r.metric, 24);
        svg.text_classed(left - 8.0, y + 15.0, &label, Anchor::End, "label", None);
        let class = format!("bar status-{}", r.status.name().replace(' ', "-"));
        let color = status_color(r.status);
        svg.rect_classed(left, y + 3.0, px(*a) - left, row_h - 6.0, color, &class);
        svg.text_classed(
            px(*a) + 4.0,
            y + 15.0,
            &percent1(*a),
            Anchor::Start,
            "value",
            None,
        );
    }
    let x100 = px(1.0);
    svg.dashed_line(x100, top - 4.0, x100, h - 22.0, palette::AXIS);
    svg.text_sized(x100, h - 8.0, "100% of target", Anchor::Middle, 11);
    svg.finish()
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
            svg.matches(palette::RED).count(),
            3,
            "impressions, visits_rate, signups_rate"
        );
        assert_eq!(
            svg.matches(palette::GREEN).count(),
            2,
            "impressions_rate, aov"
        );
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
