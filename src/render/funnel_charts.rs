//! Charts of the events domain, drawn with the SVG kit: the time-to-convert
//! histogram, the conversion trend by entry period (a line chart), and the retention
//! heat map.

use super::format::format_kind;
use super::svg::{palette, x_axis_labels, y_axis, Anchor, Scale, Svg};
use super::{LineChart, Series};
use crate::events::observed::BUCKET_EDGES_S;
use crate::events::retention::Retention;
use crate::events::ObservedFunnel;
use crate::table::Kind;

/// The label of a histogram bucket's lower edge (`0`, `1m`, `1h`, `1d`).
fn duration_label(s: i64) -> String {
    match s {
        0 => "0".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}

/// Time to convert: one bar group per histogram bucket, one bar per step after the
/// first (users over all breakdown groups). `None` when no step has times.
pub fn time_histogram_svg(f: &ObservedFunnel) -> Option<String> {
    let n = f.semantics.steps.len();
    let buckets = BUCKET_EDGES_S.len() + 1;
    let mut counts = vec![vec![0u64; buckets]; n];
    for stats in &f.times {
        for (k, st) in stats.iter().enumerate() {
            if let Some(st) = st {
                for (b, c) in st.histogram.iter().enumerate() {
                    counts[k][b] += c;
                }
            }
        }
    }
    let series: Vec<usize> = (1..n)
        .filter(|&k| counts[k].iter().any(|&c| c > 0))
        .collect();
    if series.is_empty() {
        return None;
    }
    let max = series
        .iter()
        .flat_map(|&k| counts[k].iter().copied())
        .max()
        .unwrap_or(1) as f64;
    let (w, h) = (720.0, 380.0);
    let (left, right, top, bottom) = (80.0, 24.0, 56.0, 60.0);
    let mut svg = Svg::new(w, h);
    svg.title("Time to convert from the previous step (users)");
    let y = Scale::nice(0.0, max, h - bottom, top);
    y_axis(&mut svg, &y, left, w - right, |v| {
        format_kind(v, Kind::Count)
    });
    let slot = (w - left - right) / buckets as f64;
    let bar = slot * 0.8 / series.len() as f64;
    let mut labels = Vec::new();
    for b in 0..buckets {
        let x0 = left + slot * b as f64;
        for (i, &k) in series.iter().enumerate() {
            let top_y = y.map(counts[k][b] as f64);
            svg.rect(
                x0 + slot * 0.1 + bar * i as f64,
                top_y,
                bar,
                y.map(0.0) - top_y,
                palette::SERIES[i % palette::SERIES.len()],
            );
        }
        let lo = if b == 0 { 0 } else { BUCKET_EDGES_S[b - 1] };
        let label = match BUCKET_EDGES_S.get(b) {
            Some(&hi) => format!("{}-{}", duration_label(lo), duration_label(hi)),
            None => format!("{}+", duration_label(lo)),
        };
        labels.push((x0 + slot / 2.0, label));
    }
    svg.line(left, y.map(0.0), w - right, y.map(0.0), palette::AXIS);
    x_axis_labels(&mut svg, &labels, h - bottom, 1);
    let names: Vec<String> = series
        .iter()
        .map(|&k| format!("to {}", f.semantics.steps[k]))
        .collect();
    let items: Vec<(&str, &str, bool)> = names
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.as_str(),
                palette::SERIES[i % palette::SERIES.len()],
                false,
            )
        })
        .collect();
    svg.legend(left, h - 14.0, &items);
    Some(svg.finish())
}

/// Conversion from the first step by entry period: one line per step after the
/// first. `None` without trends or periods.
pub fn trends_svg(f: &ObservedFunnel) -> Option<String> {
    let tr = f.trends.as_ref()?;
    if tr.periods.is_empty() {
        return None;
    }
    let n = f.semantics.steps.len();
    let series = (1..n)
        .map(|k| {
            Series::solid(
                &f.semantics.steps[k],
                tr.periods
                    .iter()
                    .map(|p| (p.reached[0] > 0).then(|| p.reached[k] as f64 / p.reached[0] as f64))
                    .collect(),
            )
        })
        .collect();
    let chart = LineChart {
        title: format!(
            "Conversion from {} by entry {}",
            f.semantics.steps[0],
            tr.interval.name()
        ),
        x_labels: tr.periods.iter().map(|p| p.start.clone()).collect(),
        series,
        kind: Kind::Rate,
        references: Vec::new(),
        from_zero: true,
    };
    Some(chart.to_svg())
}

/// The retention heat map: one row per cohort (and breakdown group), one cell per
/// observed period, shaded by the retention rate and labelled with it.
pub fn retention_heatmap_svg(r: &Retention) -> String {
    let cell_w = 60.0;
    let cell_h = 24.0;
    let label_w = 180.0;
    let cols = r.periods + 1;
    let w = label_w + cell_w * (cols as f64 + 1.0) + 24.0;
    let top = 60.0;
    let h = top + 8.0 + cell_h * r.cohorts.len().max(1) as f64 + 24.0;
    let mut svg = Svg::new(w, h);
    svg.title(&format!(
        "Retention: {} by {} of first {}",
        r.return_event,
        r.interval.name(),
        r.start_event
    ));
    svg.text_colored(
        label_w + cell_w / 2.0,
        top,
        "users",
        Anchor::Middle,
        palette::MUTED,
    );
    for p in 0..cols {
        svg.text_colored(
            label_w + cell_w * (p as f64 + 1.5),
            top,
            &format!("{} {p}", r.interval.name()),
            Anchor::Middle,
            palette::MUTED,
        );
    }
    for (i, c) in r.cohorts.iter().enumerate() {
        let y = top + 8.0 + cell_h * i as f64;
        let mut label = c.start.clone();
        if !c.key.is_empty() {
            label = format!("{} {label}", c.key.join(" / "));
        }
        svg.text(label_w - 6.0, y + cell_h * 0.65, &label, Anchor::End);
        svg.text(
            label_w + cell_w / 2.0,
            y + cell_h * 0.65,
            &format_kind(c.size as f64, Kind::Count),
            Anchor::Middle,
        );
        for (p, &ret) in c.retained.iter().enumerate() {
            let rate = if c.size > 0 {
                ret as f64 / c.size as f64
            } else {
                0.0
            };
            // White (0%) to the first series colour (100%).
            let mix = |a: f64, b: f64| (a + (b - a) * rate).round() as u8;
            let fill = format!(
                "#{:02x}{:02x}{:02x}",
                mix(255.0, 0.0),
                mix(255.0, 114.0),
                mix(255.0, 178.0)
            );
            let x = label_w + cell_w * (p as f64 + 1.0);
            svg.rect(x + 1.0, y + 1.0, cell_w - 2.0, cell_h - 2.0, &fill);
            let text = if rate > 0.5 { "#ffffff" } else { palette::TEXT };
            svg.text_colored(
                x + cell_w / 2.0,
                y + cell_h * 0.65,
                &format_kind(rate, Kind::Rate),
                Anchor::Middle,
                text,
            );
        }
    }
    svg.finish()
}
