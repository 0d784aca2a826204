//! The scenario domain's results for people, as plain strings: SVG charts (the
//! one-at-a-time tornado, a simulation's histogram, and its rank-correlation
//! sensitivity as a tornado) and the one-line summaries scripts print. Deterministic
//! number formatting so outputs can be compared with golden files.

use super::html_escape as escape;
use super::{format_display, render_table};
use crate::scenario::{DistFit, Sensitivity, Summary, Tornado};

/// A compact label: 4 significant digits, with k or M for thousands and millions.
fn short(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if x.abs() >= 100.0 {
        1
    } else if x.abs() >= 10.0 {
        2
    } else if x.abs() >= 1.0 || x == 0.0 {
        3
    } else {
        4
    };
    let t = format!("{x:.digits$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    };
    format!("{t}{suffix}")
}

/// A tornado chart: one bar per input from its result at the low end to its result
/// at the high end, widest swing on top, a vertical line at the base result.
pub fn tornado_svg(title: &str, t: &Tornado) -> String {
    let (w, left, right, top, row) = (640.0, 150.0, 110.0, 50.0, 28.0);
    let h = top + row * t.rows.len() as f64 + 40.0;
    let lo = t
        .rows
        .iter()
        .map(|r| r.at_low.min(r.at_high))
        .fold(t.base, f64::min);
    let hi = t
        .rows
        .iter()
        .map(|r| r.at_low.max(r.at_high))
        .fold(t.base, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pw = w - left - right;
    let x = |v: f64| left + (v - lo) / span * pw;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        w / 2.0,
        escape(title)
    );
    for (i, r) in t.rows.iter().enumerate() {
        let y = top + i as f64 * row;
        let (a, b) = (x(r.at_low.min(r.at_high)), x(r.at_low.max(r.at_high)));
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            left - 8.0,
            y + row / 2.0 + 4.0,
            escape(&r.input)
        ));
        // the low end's part in blue, the high end's part in orange
        let xb = x(t.base);
        let (xl, xh) = (x(r.at_low), x(r.at_high));
        for (from, to, color) in [(xl, xb, "#1f77b4"), (xh, xb, "#ff7f0e")] {
            let (p, q) = (from.min(to), from.max(to));
            s.push_str(&format!(
                "<rect x=\"{p:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\n",
                y + 4.0,
                (q - p).max(0.5),
                row - 8.0
            ));
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">swing {}</text>\n",
            b.max(a) + 4.0,
            y + row / 2.0 + 4.0,
            escape(&short(r.swing))
        ));
    }
    let xb = x(t.base);
    let bottom = top + row * t.rows.len() as f64;
    s.push_str(&format!(
        "<line x1=\"{xb:.1}\" y1=\"{:.1}\" x2=\"{xb:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n<text x=\"{xb:.1}\" y=\"{:.1}\" text-anchor=\"middle\">base {}</text>\n",
        top - 4.0,
        bottom + 4.0,
        bottom + 20.0,
        escape(&short(t.base))
    ));
    s.push_str("<text x=\"150\" y=\"44\" font-size=\"10\" fill=\"#1f77b4\">low end</text>\n<text x=\"210\" y=\"44\" font-size=\"10\" fill=\"#ff7f0e\">high end</text>\n</svg>\n");
    s
}

/// A histogram of a simulation: `bins` bars, with the mean and p5/p95 marked.
pub fn histogram_svg(title: &str, summary: &Summary, bins: &[(f64, f64, usize)]) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 400.0, 60.0, 20.0, 50.0, 50.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let lo = bins.first().map_or(0.0, |b| b.0);
    let hi = bins.last().map_or(1.0, |b| b.1);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let cmax = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
    let x = |v: f64| left + (v - lo) / span * pw;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        w / 2.0,
        escape(title)
    );
    for &(a, b, c) in bins {
        let bh = c as f64 / cmax * ph;
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#1f77b4\" stroke=\"white\" stroke-width=\"0.5\"/>\n",
            x(a),
            top + ph - bh,
            (x(b) - x(a)).max(0.5)
        ));
    }
    let marks = [
        ("p5", summary.percentile(5.0).unwrap_or(f64::NAN)),
        ("mean", summary.mean()),
        ("p95", summary.percentile(95.0).unwrap_or(f64::NAN)),
    ];
    for (k, (name, v)) in marks.into_iter().enumerate() {
        if v.is_finite() {
            let xv = x(v);
            // the mean's label above the bars, the percentiles' below, so they never overlap
            let ty = if k == 1 { top - 4.0 } else { top + ph + 16.0 };
            s.push_str(&format!(
                "<line x1=\"{xv:.1}\" y1=\"{top:.1}\" x2=\"{xv:.1}\" y2=\"{:.1}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n<text x=\"{xv:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"10\">{name} {}</text>\n",
                top + ph,
                escape(&short(v))
            ));
        }
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n<text x=\"{left}\" y=\"{:.1}\" font-size=\"10\">{}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>\n</svg>\n",
        top + ph,
        left + pw,
        top + ph,
        top + ph + 34.0,
        escape(&short(lo)),
        left + pw,
        top + ph + 34.0,
        escape(&short(hi))
    ));
    s
}

/// The sensitivity of a simulation as a tornado: one bar per uncertain input from 0
/// to its rank correlation with the output (right for a positive correlation, left
/// for a negative one), strongest on top, each labelled with its rank correlation and
/// its contribution to variance.
pub fn sensitivity_svg(title: &str, s: &Sensitivity) -> String {
    let (w, left, right, top, row) = (640.0, 150.0, 150.0, 56.0, 28.0);
    let h = top + row * s.rows.len() as f64 + 44.0;
    let pw = w - left - right;
    let zero = left + pw / 2.0;
    let x = |r: f64| zero + r * pw / 2.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n<text x=\"{}\" y=\"42\" text-anchor=\"middle\" font-size=\"10\">rank correlation with the output (contribution to variance)</text>\n",
        w / 2.0,
        escape(title),
        w / 2.0
    );
    for (i, r) in s.rows.iter().enumerate() {
        let y = top + i as f64 * row;
        let (a, b) = (
            x(r.rank_correlation.min(0.0)),
            x(r.rank_correlation.max(0.0)),
        );
        let color = if r.rank_correlation < 0.0 {
            "#1f77b4"
        } else {
            "#ff7f0e"
        };
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{} ({})</text>\n",
            left - 8.0,
            y + row / 2.0 + 4.0,
            escape(&r.input),
            y + 4.0,
            (b - a).max(0.5),
            row - 8.0,
            left + pw + 6.0,
            y + row / 2.0 + 4.0,
            signed(r.rank_correlation),
            percent(r.contribution)
        ));
    }
    let bottom = top + row * s.rows.len() as f64;
    out.push_str(&format!(
        "<line x1=\"{zero:.1}\" y1=\"{:.1}\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n",
        top - 4.0,
        bottom + 4.0
    ));
    for (v, label) in [(-1.0, "-1"), (0.0, "0"), (1.0, "+1")] {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{label}</text>\n",
            x(v),
            bottom + 20.0
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// A rank correlation with its sign and two decimals: `+0.83`, `-0.41`.
fn signed(r: f64) -> String {
    format!("{r:+.2}")
}

/// A share as a percentage with one decimal: `68.2%`.
fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A simulation's summary in one line: trials, mean (and its standard error), sd,
/// p5, p50 and p95.
pub fn simulation_text(s: &Summary) -> String {
    let p = |q: f64| s.percentile(q).map(format_display).unwrap_or_default();
    format!(
        "Simulation of {} trials: mean {} (se {}), sd {}, p5 {}, p50 {}, p95 {}",
        s.n(),
        format_display(s.mean()),
        format_display(s.se()),
        format_display(s.sd()),
        p(5.0),
        p(50.0),
        p(95.0)
    )
}

/// A one-at-a-time tornado: its output, base result and table.
pub fn tornado_text(output: &str, t: &Tornado) -> String {
    let table = t.table().map(|t| render_table(&t)).unwrap_or_default();
    format!(
        "Tornado of {output} (base {})\n{table}",
        format_display(t.base)
    )
}

/// A simulation's sensitivity: its output and table.
pub fn sensitivity_text(s: &Sensitivity) -> String {
    let table = s.table().map(|t| render_table(&t)).unwrap_or_default();
    format!(
        "Sensitivity of {} (rank correlation, contribution to variance)\n{table}",
        s.output
    )
}

/// A fitted distribution: how to write it, its parameters, log-likelihood, AIC and
/// Kolmogorov-Smirnov figures.
pub fn fit_text(f: &DistFit) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|(k, v)| format!("{k} {}", format_display(*v)))
        .collect();
    format!(
        "{} fitted to {} values: {}; {}; log-likelihood {}, AIC {}, Kolmogorov-Smirnov D {} (p {})",
        f.family.name(),
        f.n,
        f.dist.describe(),
        params.join(", "),
        format_display(f.log_likelihood),
        format_display(f.aic),
        format_display(f.ks),
        format_display(f.ks_p)
    )
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn compact_labels() {
        assert_eq!(short(1013555.9), "1.014M");
        assert_eq!(short(259784.83), "259.8k");
        assert_eq!(short(0.03708), "0.0371");
        assert_eq!(short(150.0), "150");
        assert_eq!(short(-3000.0), "-3k");
    }
}
