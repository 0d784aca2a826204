//! Charts of the events domain as standalone SVG: the time-to-convert histogram, the
//! conversion trend by entry period, and the retention heat map.

use crate::events::observed::BUCKET_EDGES_S;
use crate::events::retention::Retention;
use crate::events::ObservedFunnel;
use crate::render::html_escape;
use std::fmt::Write;

const W: f64 = 720.0;
const H: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 70.0;
const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];

fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        w / 2.0,
        html_escape(title)
    )
}

/// A percentage with one decimal (0.0412 -> 4.1%).
fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

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
        .unwrap_or(1)
        .max(1) as f64;
    let mut s = open(W, H, "Time to convert from the previous step");
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let slot = pw / buckets as f64;
    let bar = slot * 0.8 / series.len() as f64;
    axes(&mut s, max, &|v| format!("{v:.0}"));
    for b in 0..buckets {
        let x0 = LEFT + slot * b as f64;
        for (i, &k) in series.iter().enumerate() {
            let v = counts[k][b] as f64;
            let h = ph * v / max;
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {} users</title></rect>",
                x0 + slot * 0.1 + bar * i as f64,
                TOP + ph - h,
                bar,
                h,
                COLORS[i % COLORS.len()],
                html_escape(&f.semantics.steps[k]),
                counts[k][b]
            );
        }
        let lo = if b == 0 { 0 } else { BUCKET_EDGES_S[b - 1] };
        let label = match BUCKET_EDGES_S.get(b) {
            Some(&hi) => format!("{}-{}", duration_label(lo), duration_label(hi)),
            None => format!("{}+", duration_label(lo)),
        };
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            x0 + slot / 2.0,
            TOP + ph + 16.0
        );
    }
    let names: Vec<String> = series
        .iter()
        .map(|&k| format!("to {}", f.semantics.steps[k]))
        .collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    Some(s)
}

/// Conversion from the first step by entry period: one line per step after the
/// first. `None` without trends or periods.
pub fn trends_svg(f: &ObservedFunnel) -> Option<String> {
    let tr = f.trends.as_ref()?;
    if tr.periods.is_empty() {
        return None;
    }
    let n = f.semantics.steps.len();
    let mut s = open(
        W,
        H,
        &format!(
            "Conversion from the first step by entry {}",
            tr.interval.name()
        ),
    );
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let m = tr.periods.len();
    let x = |i: usize| {
        if m == 1 {
            LEFT + pw / 2.0
        } else {
            LEFT + pw * i as f64 / (m - 1) as f64
        }
    };
    axes(&mut s, 1.0, &|v| pct(v));
    for k in 1..n {
        let mut points = Vec::new();
        for (i, p) in tr.periods.iter().enumerate() {
            if p.reached[0] > 0 {
                let r = p.reached[k] as f64 / p.reached[0] as f64;
                points.push(format!("{:.1},{:.1}", x(i), TOP + ph * (1.0 - r)));
            }
        }
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
            COLORS[(k - 1) % COLORS.len()],
            points.join(" ")
        );
    }
    let every = m.div_ceil(8).max(1);
    for (i, p) in tr.periods.iter().enumerate().step_by(every) {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            TOP + ph + 16.0,
            html_escape(&p.start)
        );
    }
    let names: Vec<String> = (1..n).map(|k| f.semantics.steps[k].clone()).collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    Some(s)
}

/// The retention heat map: one row per cohort (and breakdown group), one cell per
/// observed period, shaded by the retention rate and labelled with it.
pub fn retention_heatmap_svg(r: &Retention) -> String {
    let cell_w = 56.0;
    let cell_h = 24.0;
    let label_w = 170.0;
    let cols = r.periods + 1;
    let w = label_w + cell_w * (cols as f64 + 1.0) + RIGHT;
    let h = TOP + 30.0 + cell_h * r.cohorts.len().max(1) as f64 + 20.0;
    let mut s = open(
        w,
        h,
        &format!(
            "Retention by {} of first {}",
            r.interval.name(),
            r.start_event
        ),
    );
    let top = TOP + 20.0;
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{top:.1}\" text-anchor=\"middle\">users</text>",
        label_w + cell_w / 2.0
    );
    for p in 0..cols {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{top:.1}\" text-anchor=\"middle\">{p}</text>",
            label_w + cell_w * (p as f64 + 1.5)
        );
    }
    for (i, c) in r.cohorts.iter().enumerate() {
        let y = top + 8.0 + cell_h * i as f64;
        let mut label = c.start.clone();
        if !c.key.is_empty() {
            label = format!("{} {label}", c.key.join(" / "));
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + cell_h * 0.65,
            html_escape(&label)
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            label_w + cell_w / 2.0,
            y + cell_h * 0.65,
            crate::render::format_grouped_int(i128::from(c.size), 0)
        );
        for (p, &ret) in c.retained.iter().enumerate() {
            let rate = if c.size > 0 {
                ret as f64 / c.size as f64
            } else {
                0.0
            };
            // White (0%) to the series blue (100%).
            let mix = |a: f64, b: f64| (a + (b - a) * rate).round() as u8;
            let fill = format!(
                "#{:02x}{:02x}{:02x}",
                mix(255.0, 31.0),
                mix(255.0, 119.0),
                mix(255.0, 180.0)
            );
            let text = if rate > 0.55 { "white" } else { "black" };
            let x = label_w + cell_w * (p as f64 + 1.0);
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"{fill}\" stroke=\"white\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{text}\">{}</text>",
                x + cell_w / 2.0,
                y + cell_h * 0.65,
                pct(rate)
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The y axis from 0 to `max` with five ticks, and the x axis.
fn axes(s: &mut String, max: f64, label: &dyn Fn(f64) -> String) {
    let ph = H - TOP - BOTTOM;
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + ph * (1.0 - f64::from(i) / 4.0);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            label(v)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\"/>",
        W - RIGHT,
        TOP + ph,
        TOP + ph
    );
}

fn legend(s: &mut String, names: &[String]) {
    let y = H - 22.0;
    let mut x = LEFT;
    for (i, n) in names.iter().enumerate() {
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            y - 10.0,
            COLORS[i % COLORS.len()],
            x + 16.0,
            html_escape(n)
        );
        x += 24.0 + 7.0 * n.chars().count() as f64;
    }
}
