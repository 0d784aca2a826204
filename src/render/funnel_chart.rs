//! An SVG funnel chart of a plan: one centred bar per stage, its width proportional to
//! the stage's volume, labelled with the stage name and volume, the conversion rate to
//! the next stage between bars, and a last bar for the conversions (with revenue when
//! the funnel has an aov). Plain strings, deterministic, so golden tests can compare them.

use super::html::escape;
use super::number::format_grouped;
use super::svg::{palette, Svg};
use crate::funnel::FunnelPlan;

const WIDTH: f64 = 800.0;
const BAR_MAX: f64 = 480.0;
const BAR_H: f64 = 34.0;
const GAP: f64 = 26.0;
const TOP: f64 = 48.0;
const COLOR: &str = palette::BLUE;
const GOAL_COLOR: &str = palette::GREEN;

fn volume_text(x: f64) -> String {
    let s = format_grouped(x, 1);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The chart as an SVG document titled `title`. Every stage has a `<rect class="stage">`
/// carrying `data-stage`, `data-volume` and `data-rate`; the conversions bar has
/// `class="conversions"`. A stage with zero volume gets a 1-pixel bar so it stays visible.
pub fn funnel_svg(plan: &FunnelPlan, title: &str) -> String {
    let rows = &plan.rows;
    let max = rows
        .iter()
        .map(|r| r.volume)
        .chain([plan.conversions])
        .fold(0.0f64, f64::max);
    let width_of = |v: f64| {
        if max > 0.0 {
            (v / max * BAR_MAX).max(1.0)
        } else {
            1.0
        }
    };
    let bars = rows.len() + 1;
    let height = TOP + bars as f64 * BAR_H + (bars - 1) as f64 * GAP + 24.0;
    let cx = WIDTH / 2.0;
    let mut svg = Svg::with_font(WIDTH, height, 13);
    svg.raw(&format!("<title>{}</title>\n", escape(title)));
    svg.title(title);
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + i as f64 * (BAR_H + GAP);
        let w = width_of(r.volume);
        s.push_str(&format!(
            "<rect class=\"stage\" data-stage=\"{name}\" data-volume=\"{v}\" data-rate=\"{rate}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR_H:.1}\" fill=\"{COLOR}\" fill-opacity=\"{op:.2}\"/>\n\
             <text class=\"label\" x=\"{lx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\">{name}</text>\n\
             <text class=\"volume\" x=\"{vx:.1}\" y=\"{ty:.1}\">{vt}</text>\n\
             <text class=\"rate\" x=\"{cx:.1}\" y=\"{ry:.1}\" text-anchor=\"middle\" fill=\"{muted}\">\u{2193} {rt}</text>\n",
            name = escape(&r.stage),
            v = r.volume,
            rate = r.rate.get(),
            x = cx - w / 2.0,
            op = 0.95 - 0.5 * i as f64 / bars as f64,
            lx = cx - BAR_MAX / 2.0 - 8.0,
            vx = cx + BAR_MAX / 2.0 + 8.0,
            ty = y + BAR_H / 2.0 + 4.5,
            vt = volume_text(r.volume),
            ry = y + BAR_H + GAP / 2.0 + 4.5,
            rt = r.rate,
            muted = palette::MUTED,
        ));
    }
    let y = TOP + rows.len() as f64 * (BAR_H + GAP);
    let w = width_of(plan.conversions);
    let revenue = if plan.funnel.aov().is_some() {
        format!(" (revenue {})", volume_text(plan.revenue))
    } else {
        String::new()
    };
    s.push_str(&format!(
        "<rect class=\"conversions\" data-volume=\"{v}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR_H:.1}\" fill=\"{GOAL_COLOR}\"/>\n\
         <text class=\"label\" x=\"{lx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\">conversions</text>\n\
         <text class=\"volume\" x=\"{vx:.1}\" y=\"{ty:.1}\">{vt}{revenue}</text>\n",
        v = plan.conversions,
        x = cx - w / 2.0,
        lx = cx - BAR_MAX / 2.0 - 8.0,
        vx = cx + BAR_MAX / 2.0 + 8.0,
        ty = y + BAR_H / 2.0 + 4.5,
        vt = volume_text(plan.conversions),
    ));
    svg.raw(&s);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::{Funnel, Stage};
    use crate::units::Rate;

    #[test]
    fn bars_widths_and_labels() {
        let f = Funnel::new(
            vec![
                Stage::new("visit <web>", Rate::new(0.5, "r").unwrap()),
                Stage::new("buy", Rate::new(0.2, "r").unwrap()),
            ],
            Some(10.0),
        )
        .unwrap();
        let svg = funnel_svg(&f.forward(1000.0).unwrap(), "Plan & goal");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<rect class=\"stage\"").count(), 2);
        assert_eq!(svg.matches("<rect class=\"conversions\"").count(), 1);
        // widths proportional to volume: 1000 -> 480, 500 -> 240, 100 -> 48
        assert!(svg.contains(
            "data-volume=\"1000\" data-rate=\"0.5\" x=\"160.0\" y=\"48.0\" width=\"480.0\""
        ));
        assert!(svg.contains("data-stage=\"buy\" data-volume=\"500\" data-rate=\"0.2\" x=\"280.0\" y=\"108.0\" width=\"240.0\""));
        assert!(svg.contains("data-volume=\"100\" x=\"376.0\" y=\"168.0\" width=\"48.0\""));
        assert!(svg.contains("visit &lt;web&gt;") && svg.contains("Plan &amp; goal"));
        assert!(svg.contains("\u{2193} 50.0%") && svg.contains("100 (revenue 1,000)"));
        let zero = funnel_svg(&f.forward(0.0).unwrap(), "z");
        assert!(zero.contains("width=\"1.0\""));
    }
}
