//! The one SVG kit every chart is drawn with: the document header, the palette, text
//! with escaping, scales with round ticks, axes, legends. Charts are plain strings, with
//! coordinates written to one decimal so that outputs compare with golden files.

use super::html::escape;

/// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision
/// deficiencies (Okabe & Ito 2008, "Color Universal Design"), and the text colours
/// of the statuses, each with a contrast of at least 4.5:1 on white (WCAG 2.1 AA for
/// text; checked by a test below).
pub mod palette {
    /// Series colours in order of use.
    pub const SERIES: [&str; 7] = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    ];
    /// The first series (blue).
    pub const BLUE: &str = "#0072B2";
    /// The second series (orange).
    pub const ORANGE: &str = "#E69F00";
    /// The third series (green).
    pub const GREEN: &str = "#009E73";
    /// Vermillion, for what is short or at risk.
    pub const RED: &str = "#D55E00";
    /// Body text.
    pub const TEXT: &str = "#222222";
    /// Secondary text (axis labels, notes).
    pub const MUTED: &str = "#595959";
    /// Axis lines.
    pub const AXIS: &str = "#333333";
    /// Grid lines.
    pub const GRID: &str = "#e5e5e5";
    /// Text of a met target.
    pub const MET_TEXT: &str = "#1a6b2f";
    /// Background of a met target.
    pub const MET_FILL: &str = "#dff3e1";
    /// Text of a missed target.
    pub const MISSED_TEXT: &str = "#a4161a";
    /// Background of a missed target.
    pub const MISSED_FILL: &str = "#fde2e1";
    /// Text of a target overrun (a cost above its budget).
    pub const OVER_TEXT: &str = "#7a4a00";
    /// Background of an overrun.
    pub const OVER_FILL: &str = "#fff0cc";
}

/// Where a text's anchor point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The text starts at the point.
    Start,
    /// The text is centred on the point.
    Middle,
    /// The text ends at the point.
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document being drawn.
#[derive(Debug, Clone)]
pub struct Svg {
    out: String,
    width: f64,
    height: f64,
}

impl Svg {
    /// A document `width` × `height` pixels on a white background, sans-serif 12 px.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg::with_font(width, height, 12)
    }

    /// [`Svg::new`] with another base font size.
    pub fn with_font(width: f64, height: f64, font_size: u32) -> Svg {
        let out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"{font_size}\" fill=\"{}\">\n<rect width=\"{width:.0}\" height=\"{height:.0}\" fill=\"white\"/>\n",
            palette::TEXT
        );
        Svg { out, width, height }
    }

    /// The width in pixels.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The height in pixels.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// The chart's title, centred at the top, 15 px.
    pub fn title(&mut self, text: &str) {
        let x = self.width / 2.0;
        self.text_sized(x, 22.0, text, Anchor::Middle, 15);
    }

    /// Text at (x, y), escaped.
    pub fn text(&mut self, x: f64, y: f64, text: &str, anchor: Anchor) {
        self.out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{}\">{}</text>\n",
            anchor.attr(),
            escape(text)
        ));
    }

    /// Text at (x, y) in another size.
    pub fn text_sized(&mut self, x: f64, y: f64, text: &str, anchor: Anchor, size: u32) {
        self.out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{}\" font-size=\"{size}\">{}</text>\n",
            anchor.attr(),
            escape(text)
        ));
    }

    /// Text at (x, y) in a colour.
    pub fn text_colored(&mut self, x: f64, y: f64, text: &str, anchor: Anchor, color: &str) {
        self.out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{}\" fill=\"{color}\">{}</text>\n",
            anchor.attr(),
            escape(text)
        ));
    }

    /// Text at (x, y) with a `class` attribute (the report's stylesheet and tests find
    /// values and labels by it) and an optional font size.
    pub fn text_classed(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        anchor: Anchor,
        class: &str,
        size: Option<u32>,
    ) {
        let size = size
            .map(|s| format!(" font-size=\"{s}\""))
            .unwrap_or_default();
        self.out.push_str(&format!(
            "<text class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{}\"{size}>{}</text>\n",
            anchor.attr(),
            escape(text)
        ));
    }

    /// A filled rectangle with a `class` attribute; width and height as given (at
    /// least 1 pixel, so that a zero bar still shows).
    pub fn rect_classed(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, class: &str) {
        self.out.push_str(&format!(
            "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\n",
            w.max(1.0),
            h.max(1.0)
        ));
    }

    /// A dashed straight line.
    pub fn dashed_line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        self.out.push_str(&format!(
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-dasharray=\"4 3\"/>\n"
        ));
    }

    /// A filled rectangle (a negative width or height is drawn from the other side).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        self.out.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"/>\n"
        ));
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        self.out.push_str(&format!(
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\"/>\n"
        ));
    }

    /// A line through `points` (a gap where a point is `None`), optionally dashed.
    pub fn polyline(&mut self, points: &[Option<(f64, f64)>], stroke: &str, dashed: bool) {
        let dash = if dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        for run in points.split(|p| p.is_none()) {
            let pts: Vec<String> = run
                .iter()
                .flatten()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect();
            if pts.len() >= 2 {
                self.out.push_str(&format!(
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>\n",
                    pts.join(" ")
                ));
            } else if let Some(&(x, y)) = run.iter().flatten().next() {
                self.out.push_str(&format!(
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{stroke}\"/>\n"
                ));
            }
        }
    }

    /// A legend: a swatch and a label per item, in a row from (x, y).
    pub fn legend(&mut self, x: f64, y: f64, items: &[(&str, &str, bool)]) {
        let mut at = x;
        for (label, color, dashed) in items {
            let dash = if *dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            self.out.push_str(&format!(
                "<line x1=\"{at:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"3\"{dash}/>\n",
                y - 4.0,
                at + 18.0,
                y - 4.0
            ));
            self.text(at + 22.0, y, label, Anchor::Start);
            at += 32.0 + 6.5 * label.chars().count() as f64;
        }
    }

    /// Appends SVG markup as it is (for elements the kit does not draw).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A label that fits its place: longer than `max` characters, it is cut with an ellipsis.
pub fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let cut: String = label.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A linear map from data values to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps the data range [d0, d1] onto the pixel range [r0, r1] (an empty data range
    /// is widened by one on each side so that nothing divides by zero).
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 1.0, d0 + 1.0)
        };
        Scale { d0, d1, r0, r1 }
    }

    /// The scale over [lo, hi] widened to round tick values ([`nice_ticks`]).
    pub fn nice(lo: f64, hi: f64, r0: f64, r1: f64) -> Scale {
        let ticks = nice_ticks(lo, hi, 5);
        let (a, b) = (
            ticks.first().copied().unwrap_or(lo),
            ticks.last().copied().unwrap_or(hi),
        );
        Scale::new(a.min(lo), b.max(hi), r0, r1)
    }

    /// The pixel of data value `v`.
    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// The data range.
    pub fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }

    /// About five round tick values inside the data range.
    pub fn ticks(&self) -> Vec<f64> {
        nice_ticks(self.d0, self.d1, 5)
    }
}

/// Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about
/// `count` of them (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let raw = (hi - lo) / count.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let mut ticks = Vec::new();
    let mut i = 0.0;
    loop {
        // written to the step's decimals, so 3 x 0.1 is 0.3, not 0.30000000000000004
        let t: f64 = format!("{:.*}", decimals, first + i * step)
            .parse()
            .unwrap_or(first + i * step);
        ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        if t >= hi - step * 1e-9 || ticks.len() > 50 {
            break;
        }
        i += 1.0;
    }
    ticks
}

/// A left value axis: a grid line and a label (given by `label`) at each tick.
pub fn y_axis(svg: &mut Svg, scale: &Scale, x0: f64, x1: f64, label: impl Fn(f64) -> String) {
    for t in scale.ticks() {
        let y = scale.map(t);
        svg.line(x0, y, x1, y, palette::GRID);
        svg.text_colored(x0 - 6.0, y + 4.0, &label(t), Anchor::End, palette::MUTED);
    }
    let (a, b) = scale.domain();
    svg.line(x0, scale.map(a), x0, scale.map(b), palette::AXIS);
}

/// A bottom axis of categories (dates, days, stages): a label at every `every`-th
/// position and at the last one, centred on it; a regular label too close to the last
/// one (under two thirds of the step) gives way to it, so that labels never overlap.
pub fn x_axis_labels(svg: &mut Svg, xs: &[(f64, String)], y: f64, every: usize) {
    let every = every.max(1);
    let last = xs.len().saturating_sub(1);
    let crowded =
        |i: usize| i != last && last - i < (every * 2).div_ceil(3) && !last.is_multiple_of(every);
    for (i, (x, label)) in xs.iter().enumerate() {
        if (i % every == 0 && !crowded(i)) || i == last {
            svg.text_colored(*x, y + 16.0, label, Anchor::Middle, palette::MUTED);
        }
    }
}

/// The WCAG 2.1 contrast ratio of two `#rrggbb` colours (1 to 21).
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// The relative luminance of a `#rrggbb` colour (WCAG 2.1, definition of relative
/// luminance, sRGB).
fn luminance(hex: &str) -> Option<f64> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(h.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_escaped_and_closed() {
        let mut s = Svg::new(100.0, 50.0);
        s.title("A & B");
        s.rect(10.0, 10.0, -5.0, 20.0, palette::BLUE);
        let out = s.finish();
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\""));
        assert!(out.contains(">A &amp; B</text>"));
        assert!(out.contains("<rect x=\"5.0\" y=\"10.0\" width=\"5.0\""));
        assert!(out.ends_with("</svg>\n"));
    }

    #[test]
    fn the_last_label_never_overlaps_the_one_before() {
        let xs: Vec<(f64, String)> = (0..14)
            .map(|i| (i as f64 * 10.0, format!("d{i}")))
            .collect();
        let mut s = Svg::new(200.0, 50.0);
        x_axis_labels(&mut s, &xs, 10.0, 2);
        let out = s.finish();
        // every second label and the last; d12 is one step from d13 and gives way
        for shown in ["d0", "d2", "d10", "d13"] {
            assert!(out.contains(&format!(">{shown}<")), "{shown}");
        }
        assert!(!out.contains(">d12<") && !out.contains(">d11<"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(
            nice_ticks(3.0, 97.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 0.3, 3), vec![0.0, 0.1, 0.2, 0.3]);
        let s = Scale::new(0.0, 10.0, 100.0, 0.0);
        assert_eq!(s.map(5.0), 50.0);
    }

    /// WCAG 2.1 AA: text at least 4.5:1 against its background. The reference
    /// values: black on white is 21:1, #767676 on white 4.54:1 (the lightest grey
    /// that passes, as WebAIM's contrast checker reports).
    #[test]
    fn status_colours_meet_wcag_aa() {
        assert!((contrast_ratio("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#767676", "#ffffff").unwrap() - 4.54).abs() < 0.01);
        for (text, fill) in [
            (palette::MET_TEXT, palette::MET_FILL),
            (palette::MISSED_TEXT, palette::MISSED_FILL),
            (palette::OVER_TEXT, palette::OVER_FILL),
            (palette::MUTED, "#ffffff"),
            (palette::TEXT, "#ffffff"),
        ] {
            let r = contrast_ratio(text, fill).unwrap();
            assert!(r >= 4.5, "{text} on {fill}: {r:.2}");
        }
    }
}
