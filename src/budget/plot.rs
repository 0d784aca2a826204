//! SVG line charts as plain strings (no drawing library): response curves, budget
//! curves. The output is deterministic (fixed number formatting) so it can be
//! compared with golden files.

use crate::render::html_escape as escape;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A polyline through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// A named series of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend text.
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// Line or dots.
    pub style: Style,
}

impl Series {
    /// A series drawn as a line.
    pub fn line(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            style: Style::Line,
        }
    }

    /// A series drawn as dots.
    pub fn dots(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            style: Style::Dots,
        }
    }
}

const COLORS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
];

/// A "nice" tick step (1, 2 or 5 times a power of ten) for a range.
fn tick_step(range: f64) -> f64 {
    if range.is_nan() || range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * p
}

fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A 640x400 SVG line chart with axes from 0, ticks, a title and a legend.
/// Non-finite points are skipped.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    chart(title, "", x_label, y_label, series)
}

/// Legend text fits its 150-pixel column: longer names are cut with an ellipsis.
fn legend_text(name: &str) -> String {
    const MAX: usize = 22;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// [`line_chart`] with a subtitle under the title (empty for none).
pub fn chart(
    title: &str,
    subtitle: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> String {
    let (w, h) = (640.0, 400.0);
    let (left, right, top, bottom) = (70.0, 170.0, 48.0, 50.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let xmax = series
        .iter()
        .flat_map(|s| s.points.iter().filter(finite))
        .map(|p| p.0)
        .fold(0.0, f64::max);
    let ymax = series
        .iter()
        .flat_map(|s| s.points.iter().filter(finite))
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let xs = tick_step(xmax);
    let ys = tick_step(ymax);
    let xmax = if xmax > 0.0 {
        (xmax / xs).ceil() * xs
    } else {
        1.0
    };
    let ymax = if ymax > 0.0 {
        (ymax / ys).ceil() * ys
    } else {
        1.0
    };
    let px = |x: f64| left + pw * x / xmax;
    let py = |y: f64| top + ph * (1.0 - y / ymax);
    let mut o = String::new();
    o.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n"
    ));
    o.push_str(&format!(
        "<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        left + pw / 2.0,
        escape(title)
    ));
    if !subtitle.is_empty() {
        o.push_str(&format!(
            "<text x=\"{}\" y=\"36\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{}</text>\n",
            left + pw / 2.0,
            escape(subtitle)
        ));
    }
    // Grid and ticks.
    let mut t = 0.0;
    while t <= xmax * (1.0 + 1e-9) {
        o.push_str(&format!(
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#eee\"/><text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>\n",
            px(t),
            top,
            top + ph,
            top + ph + 16.0,
            tick_label(t)
        ));
        t += xs;
    }
    let mut t = 0.0;
    while t <= ymax * (1.0 + 1e-9) {
        o.push_str(&format!(
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{2:.1}\" y2=\"{1:.1}\" stroke=\"#eee\"/><text x=\"{3:.1}\" y=\"{4:.1}\" text-anchor=\"end\">{5}</text>\n",
            left,
            py(t),
            left + pw,
            left - 6.0,
            py(t) + 4.0,
            tick_label(t)
        ));
        t += ys;
    }
    o.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"black\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{0}\" stroke=\"black\"/>\n",
        top + ph,
        left + pw
    ));
    o.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n<text x=\"16\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">{}</text>\n",
        left + pw / 2.0,
        h - 12.0,
        escape(x_label),
        top + ph / 2.0,
        top + ph / 2.0,
        escape(y_label)
    ));
    for (k, s) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let pts: Vec<String> = s
            .points
            .iter()
            .filter(finite)
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        match s.style {
            Style::Line => o.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
                pts.join(" ")
            )),
            Style::Dots => {
                for p in &pts {
                    let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                    o.push_str(&format!(
                        "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{color}\"/>\n"
                    ));
                }
            }
        }
        let ly = top + 10.0 + 18.0 * k as f64;
        let lx = left + pw + 14.0;
        o.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            ly - 10.0,
            lx + 18.0,
            ly,
            escape(&legend_text(&s.name))
        ));
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_well_formed_and_escaped() {
        let svg = line_chart(
            "a <b> & c",
            "spend",
            "result",
            &[
                Series::line("l", vec![(0.0, 0.0), (10.0, 5.0), (f64::NAN, 1.0)]),
                Series::dots("d", vec![(5.0, 2.5)]),
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt; &amp; c"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(!svg.contains("NaN"));
        // Axis maximum rounds up to a nice tick: 10 -> ticks 0,2,..,10.
        assert!(svg.contains(">10<"));
        let svg = chart(
            "t",
            "sub <x>",
            "x",
            "y",
            &[Series::line(
                "a name far too long for the legend column",
                vec![(1.0, 1.0)],
            )],
        );
        assert!(svg.contains(">sub &lt;x&gt;<"));
        assert!(svg.contains(">a name far too long f…<"), "{svg}");
    }

    #[test]
    fn nice_ticks() {
        assert_eq!(tick_step(10.0), 2.0);
        assert_eq!(tick_step(1000.0), 200.0);
        assert_eq!(tick_step(70.0), 10.0);
        assert_eq!(tick_label(25_000.0), "25k");
        assert_eq!(tick_label(1_500_000.0), "1.5M");
    }
}
