//! The time-series line chart: one or more series over the same days (actual against
//! plan, daily or cumulative; cumulative conversion per arm; a p-value by day), with a
//! value axis formatted by the series' meaning and optional horizontal reference lines.

use super::format::format_kind;
use super::svg::{palette, x_axis_labels, y_axis, Anchor, Scale, Svg};
use crate::table::Kind;

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's label.
    pub name: String,
    /// One value per x position (`None` leaves a gap).
    pub values: Vec<Option<f64>>,
    /// Dashed (a plan, a pace line) rather than solid (what happened).
    pub dashed: bool,
}

impl Series {
    /// A solid series.
    pub fn solid(name: &str, values: Vec<Option<f64>>) -> Series {
        Series {
            name: name.to_string(),
            values,
            dashed: false,
        }
    }

    /// A dashed series (plans, pace lines).
    pub fn dashed(name: &str, values: Vec<Option<f64>>) -> Series {
        Series {
            name: name.to_string(),
            values,
            dashed: true,
        }
    }
}

/// A line chart over labelled x positions (usually dates).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// The title above the chart.
    pub title: String,
    /// The label of each x position, e.g. `2024-07-01`.
    pub x_labels: Vec<String>,
    /// The lines, drawn in palette order.
    pub series: Vec<Series>,
    /// What the values mean (the value axis is formatted by it).
    pub kind: Kind,
    /// Horizontal reference lines: (value, label), e.g. (0.05, "α = 5%").
    pub references: Vec<(f64, String)>,
    /// Whether the value axis starts at zero (counts, money) or fits the data.
    pub from_zero: bool,
}

impl LineChart {
    /// The chart as an SVG document.
    pub fn to_svg(&self) -> String {
        let (w, h) = (720.0, 380.0);
        let (left, right, top, bottom) = (80.0, 24.0, 56.0, 44.0);
        let mut svg = Svg::new(w, h);
        svg.title(&self.title);
        let values = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(self.references.iter().map(|r| r.0))
            .filter(|v| v.is_finite());
        let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if self.from_zero {
            lo = lo.min(0.0);
        }
        let y = Scale::nice(lo, hi, h - bottom, top);
        let n = self.x_labels.len().max(1);
        let x = |i: usize| {
            if n == 1 {
                (left + w - right) / 2.0
            } else {
                left + i as f64 * (w - left - right) / (n - 1) as f64
            }
        };
        let kind = self.kind;
        y_axis(&mut svg, &y, left, w - right, |v| format_kind(v, kind));
        let xs: Vec<(f64, String)> = self
            .x_labels
            .iter()
            .enumerate()
            .map(|(i, l)| (x(i), l.clone()))
            .collect();
        let every = n.div_ceil(8);
        x_axis_labels(&mut svg, &xs, h - bottom, every);
        for (value, label) in &self.references {
            let yy = y.map(*value);
            svg.raw(&format!(
                "<line x1=\"{left:.1}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"{}\" stroke-dasharray=\"2 3\"/>\n",
                w - right,
                palette::RED
            ));
            svg.text_colored(w - right, yy - 4.0, label, Anchor::End, palette::MUTED);
        }
        let mut legend = Vec::new();
        for (i, s) in self.series.iter().enumerate() {
            let color = palette::SERIES[i % palette::SERIES.len()];
            let pts: Vec<Option<(f64, f64)>> = s
                .values
                .iter()
                .enumerate()
                .map(|(j, v)| v.filter(|v| v.is_finite()).map(|v| (x(j), y.map(v))))
                .collect();
            svg.polyline(&pts, color, s.dashed);
            legend.push((s.name.as_str(), color, s.dashed));
        }
        svg.legend(left, 44.0, &legend);
        svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_axes_and_legend() {
        let c = LineChart {
            title: "Spend against plan".into(),
            x_labels: vec![
                "2024-07-01".into(),
                "2024-07-02".into(),
                "2024-07-03".into(),
            ],
            series: vec![
                Series::solid("actual", vec![Some(100.0), None, Some(300.0)]),
                Series::dashed("plan", vec![Some(100.0), Some(200.0), Some(300.0)]),
            ],
            kind: Kind::Money,
            references: vec![(250.0, "cap".into())],
            from_zero: true,
        };
        let svg = c.to_svg();
        // the actual line has a gap: two single points, no polyline
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("stroke-dasharray=\"6 4\""));
        assert!(svg.contains(">2024-07-01</text>") && svg.contains(">2024-07-03</text>"));
        assert!(svg.contains(">300</text>") && svg.contains(">0</text>"));
        assert!(svg.contains(">cap</text>") && svg.contains(">plan</text>"));
    }

    #[test]
    fn rates_axis_in_percent() {
        let c = LineChart {
            title: "p".into(),
            x_labels: vec!["d1".into(), "d2".into()],
            series: vec![Series::solid("A", vec![Some(0.031), Some(0.034)])],
            kind: Kind::Rate,
            references: Vec::new(),
            from_zero: false,
        };
        assert!(c.to_svg().contains("%</text>"));
    }
}
