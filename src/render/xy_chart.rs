//! A chart over a numeric x axis (spend, budget): lines and dots from the origin, with
//! round ticks on both axes, drawn with the SVG kit. The response-curve and budget
//! charts are built on it.

use super::format::format_kind;
use super::svg::{nice_ticks, palette, shorten, Anchor, Scale, Svg};
use crate::table::Kind;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// A named series of `(x, y)` points; non-finite points are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct XySeries {
    /// The legend text.
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// Line or dots.
    pub mark: Mark,
}

impl XySeries {
    /// A series drawn as a line.
    pub fn line(name: &str, points: Vec<(f64, f64)>) -> XySeries {
        XySeries {
            name: name.to_string(),
            points,
            mark: Mark::Line,
        }
    }

    /// A series drawn as dots.
    pub fn dots(name: &str, points: Vec<(f64, f64)>) -> XySeries {
        XySeries {
            name: name.to_string(),
            points,
            mark: Mark::Dots,
        }
    }
}

/// A chart of series over a numeric x axis; both axes start at zero so that heights
/// and distances compare honestly.
#[derive(Debug, Clone, PartialEq)]
pub struct XyChart {
    /// The title above the chart.
    pub title: String,
    /// A line under the title (empty for none).
    pub subtitle: String,
    /// The x axis' name and the meaning of its values.
    pub x: (String, Kind),
    /// The y axis' name and the meaning of its values.
    pub y: (String, Kind),
    /// The series, drawn in palette order.
    pub series: Vec<XySeries>,
}

/// Legend text fits its place: names longer than 22 characters are cut.
fn legend_text(name: &str) -> String {
    shorten(name, 22)
}

/// A tick value by its axis' kind; a fractional tick of a count axis (0.5 orders) is
/// shown as the plain number it is.
fn tick_text(v: f64, kind: Kind) -> String {
    let kind = match kind {
        Kind::Count | Kind::Money if v.fract() != 0.0 => Kind::Plain,
        k => k,
    };
    format_kind(v, kind)
}

/// The width of a legend item in pixels, as [`Svg::legend`] lays it out.
fn legend_width(label: &str) -> f64 {
    32.0 + 6.5 * label.chars().count() as f64
}

impl XyChart {
    /// The chart as an SVG document, 720 × 420 pixels plus a row per extra legend row.
    pub fn to_svg(&self) -> String {
        let (w, left, right, bottom) = (720.0, 84.0, 24.0, 52.0);
        let colors: Vec<&str> = (0..self.series.len())
            .map(|i| palette::SERIES[i % palette::SERIES.len()])
            .collect();
        let labels: Vec<String> = self.series.iter().map(|s| legend_text(&s.name)).collect();
        // The legend in rows that fit the plot's width.
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 0.0;
        for (i, l) in labels.iter().enumerate() {
            let lw = legend_width(l);
            if used + lw > w - left - right && !rows.last().is_some_and(|r| r.is_empty()) {
                rows.push(Vec::new());
                used = 0.0;
            }
            used += lw;
            if let Some(r) = rows.last_mut() {
                r.push(i);
            }
        }
        let title_h = if self.subtitle.is_empty() { 30.0 } else { 44.0 };
        let top = title_h + 18.0 * rows.len() as f64 + 10.0;
        let h = top + 330.0 + bottom;
        let mut svg = Svg::new(w, h);
        svg.title(&self.title);
        if !self.subtitle.is_empty() {
            svg.text_colored(
                w / 2.0,
                38.0,
                &self.subtitle,
                Anchor::Middle,
                palette::MUTED,
            );
        }
        for (r, row) in rows.iter().enumerate() {
            let items: Vec<(&str, &str, bool)> = row
                .iter()
                .map(|&i| (labels[i].as_str(), colors[i], false))
                .collect();
            svg.legend(left, title_h + 14.0 + 18.0 * r as f64, &items);
        }
        let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let max = |f: fn(&(f64, f64)) -> f64| {
            self.series
                .iter()
                .flat_map(|s| s.points.iter().filter(finite))
                .map(f)
                .fold(0.0, f64::max)
        };
        let (x_hi, y_hi) = (max(|p| p.0), max(|p| p.1));
        let xs = Scale::nice(0.0, if x_hi > 0.0 { x_hi } else { 1.0 }, left, w - right);
        let ys = Scale::nice(0.0, if y_hi > 0.0 { y_hi } else { 1.0 }, h - bottom, top);
        let (x_name, x_kind) = (&self.x.0, self.x.1);
        let (y_name, y_kind) = (&self.y.0, self.y.1);
        super::svg::y_axis(&mut svg, &ys, left, w - right, |v| tick_text(v, y_kind));
        let (x0, x1) = xs.domain();
        for t in nice_ticks(x0, x1, 5) {
            let x = xs.map(t);
            svg.line(x, top, x, h - bottom, palette::GRID);
            let label = tick_text(t, x_kind);
            svg.text_colored(x, h - bottom + 16.0, &label, Anchor::Middle, palette::MUTED);
        }
        svg.line(left, h - bottom, w - right, h - bottom, palette::AXIS);
        svg.text((left + w - right) / 2.0, h - 12.0, x_name, Anchor::Middle);
        let mid = (top + h - bottom) / 2.0;
        svg.raw(&format!(
            "<text x=\"18\" y=\"{mid:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {mid:.1})\">{}</text>\n",
            super::html_escape(y_name)
        ));
        for (s, color) in self.series.iter().zip(&colors) {
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(finite)
                .map(|&(x, y)| (xs.map(x), ys.map(y)))
                .collect();
            match s.mark {
                Mark::Line => {
                    let pts: Vec<Option<(f64, f64)>> = pts.into_iter().map(Some).collect();
                    svg.polyline(&pts, color, false);
                }
                Mark::Dots => {
                    for (x, y) in pts {
                        svg.raw(&format!(
                            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{color}\" stroke=\"white\"/>\n"
                        ));
                    }
                }
            }
        }
        svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<XySeries>) -> XyChart {
        XyChart {
            title: "a <b> & c".into(),
            subtitle: String::new(),
            x: ("spend".into(), Kind::Money),
            y: ("result".into(), Kind::Count),
            series,
        }
    }

    #[test]
    fn well_formed_escaped_and_finite() {
        let svg = chart(vec![
            XySeries::line("l", vec![(0.0, 0.0), (10.0, 5.0), (f64::NAN, 1.0)]),
            XySeries::dots("d", vec![(5.0, 2.5)]),
        ])
        .to_svg();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt; &amp; c"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("r=\"4\"").count(), 1);
        assert!(!svg.contains("NaN"));
        // the axes end on round ticks: 10 on x, 5 on y; fractional count ticks plain
        assert!(
            svg.contains(">10</text>") && svg.contains(">5</text>"),
            "{svg}"
        );
    }

    #[test]
    fn money_ticks_are_grouped_and_long_legends_wrap() {
        let names: Vec<String> = (0..8).map(|i| format!("channel number {i}")).collect();
        let series = names
            .iter()
            .map(|n| XySeries::line(n, vec![(0.0, 0.0), (250_000.0, 1_200.0)]))
            .collect();
        let svg = chart(series).to_svg();
        assert!(svg.contains(">250,000</text>"), "{svg}");
        assert!(svg.contains(">1,200</text>") || svg.contains(">1,000</text>"));
        // eight 16-character names do not fit one 612-pixel row
        let rows: std::collections::BTreeSet<&str> = svg
            .lines()
            .filter(|l| l.contains("stroke-width=\"3\""))
            .filter_map(|l| l.split("y1=\"").nth(1)?.split('"').next())
            .collect();
        assert!(rows.len() >= 2, "{rows:?}");
    }

    #[test]
    fn legend_names_are_cut() {
        assert_eq!(legend_text("short"), "short");
        assert_eq!(
            legend_text("a name far too long for the legend"),
            "a name far too long f…"
        );
    }
}
