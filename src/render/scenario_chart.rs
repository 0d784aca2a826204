//! The scenario domain's results for people, as plain strings: SVG charts (the
//! one-at-a-time tornado, a simulation's histogram, and its rank-correlation
//! sensitivity as a tornado) and the one-line summaries scripts print. Deterministic
//! number formatting so outputs can be compared with golden files.

use super::svg::{palette, Anchor, Scale, Svg};
use super::{format_display, group_int, render_table};
use crate::scenario::{DistFit, Sensitivity, Summary, Tornado};
use crate::table::Table;

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
/// at the high end, widest swing on top, a vertical line at the base result; the part
/// below the base in blue, above it in orange, with a legend.
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
    let x = Scale::new(lo, hi, left, w - right);
    let mut svg = Svg::new(w, h);
    svg.title(title);
    svg.legend(
        left,
        42.0,
        &[
            ("low end", palette::BLUE, false),
            ("high end", palette::ORANGE, false),
        ],
    );
    let xb = x.map(t.base);
    for (i, r) in t.rows.iter().enumerate() {
        let y = top + i as f64 * row;
        svg.text(left - 8.0, y + row / 2.0 + 4.0, &r.input, Anchor::End);
        for (end, color) in [(r.at_low, palette::BLUE), (r.at_high, palette::ORANGE)] {
            let (p, q) = (x.map(end).min(xb), x.map(end).max(xb));
            svg.rect(p, y + 4.0, (q - p).max(0.5), row - 8.0, color);
        }
        let b = x.map(r.at_low.max(r.at_high));
        svg.text_sized(
            b + 4.0,
            y + row / 2.0 + 4.0,
            &format!("swing {}", short(r.swing)),
            Anchor::Start,
            10,
        );
    }
    let bottom = top + row * t.rows.len() as f64;
    svg.line(xb, top - 4.0, xb, bottom + 4.0, palette::AXIS);
    svg.text(
        xb,
        bottom + 20.0,
        &format!("base {}", short(t.base)),
        Anchor::Middle,
    );
    svg.finish()
}

/// A histogram of a simulation: `bins` bars, with the mean and p5/p95 marked, titled
/// with the number of trials.
pub fn histogram_svg(summary: &Summary, bins: &[(f64, f64, usize)]) -> String {
    let title = format!("Simulation of {} trials", trials(summary));
    let (w, h, left, right, top, bottom) = (640.0, 400.0, 60.0, 20.0, 50.0, 50.0);
    let ph = h - top - bottom;
    let lo = bins.first().map_or(0.0, |b| b.0);
    let hi = bins.last().map_or(1.0, |b| b.1);
    let cmax = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
    let x = Scale::new(lo, hi, left, w - right);
    let mut svg = Svg::new(w, h);
    svg.title(&title);
    for &(a, b, c) in bins {
        let bh = c as f64 / cmax * ph;
        svg.rect(
            x.map(a),
            top + ph - bh,
            (x.map(b) - x.map(a) - 0.5).max(0.5),
            bh,
            palette::BLUE,
        );
    }
    let marks = [
        ("p5", summary.percentile(5.0).unwrap_or(f64::NAN)),
        ("mean", summary.mean()),
        ("p95", summary.percentile(95.0).unwrap_or(f64::NAN)),
    ];
    for (k, (name, v)) in marks.into_iter().enumerate() {
        if v.is_finite() {
            let xv = x.map(v);
            // the mean's label above the bars, the percentiles' below, so they never overlap
            let ty = if k == 1 { top - 4.0 } else { top + ph + 16.0 };
            svg.raw(&format!(
                "<line x1=\"{xv:.1}\" y1=\"{top:.1}\" x2=\"{xv:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-dasharray=\"4 3\"/>\n",
                top + ph,
                palette::RED
            ));
            svg.text_sized(xv, ty, &format!("{name} {}", short(v)), Anchor::Middle, 10);
        }
    }
    svg.line(left, top + ph, w - right, top + ph, palette::AXIS);
    svg.text_sized(left, top + ph + 34.0, &short(lo), Anchor::Start, 10);
    svg.text_sized(w - right, top + ph + 34.0, &short(hi), Anchor::End, 10);
    svg.finish()
}

/// The sensitivity of a simulation as a tornado: one bar per uncertain input from 0
/// to its rank correlation with the output (right and orange for a positive
/// correlation, left and blue for a negative one), strongest on top, each labelled
/// with its rank correlation and its contribution to variance.
pub fn sensitivity_svg(title: &str, s: &Sensitivity) -> String {
    let (w, left, right, top, row) = (640.0, 150.0, 150.0, 56.0, 28.0);
    let h = top + row * s.rows.len() as f64 + 44.0;
    let x = Scale::new(-1.0, 1.0, left, w - right);
    let mut svg = Svg::new(w, h);
    svg.title(title);
    svg.text_sized(
        w / 2.0,
        40.0,
        "rank correlation with the output (contribution to variance)",
        Anchor::Middle,
        10,
    );
    for (i, r) in s.rows.iter().enumerate() {
        let y = top + i as f64 * row;
        let color = if r.rank_correlation < 0.0 {
            palette::BLUE
        } else {
            palette::ORANGE
        };
        let (a, b) = (
            x.map(r.rank_correlation.min(0.0)),
            x.map(r.rank_correlation.max(0.0)),
        );
        svg.text(left - 8.0, y + row / 2.0 + 4.0, &r.input, Anchor::End);
        svg.rect(a, y + 4.0, (b - a).max(0.5), row - 8.0, color);
        svg.text_sized(
            w - right + 6.0,
            y + row / 2.0 + 4.0,
            &format!(
                "{} ({})",
                signed(r.rank_correlation),
                super::percent(r.contribution)
            ),
            Anchor::Start,
            10,
        );
    }
    let bottom = top + row * s.rows.len() as f64;
    let zero = x.map(0.0);
    svg.line(zero, top - 4.0, zero, bottom + 4.0, palette::AXIS);
    for (v, label) in [(-1.0, "-1"), (0.0, "0"), (1.0, "+1")] {
        svg.text_colored(
            x.map(v),
            bottom + 20.0,
            label,
            Anchor::Middle,
            palette::MUTED,
        );
    }
    svg.finish()
}

/// The number of trials, grouped: `200,000`.
fn trials(s: &Summary) -> String {
    group_int(s.n() as u64)
}

/// A rank correlation with its sign and two decimals: `+0.83`, `-0.41`.
fn signed(r: f64) -> String {
    format!("{r:+.2}")
}

/// A simulation's summary in one line: trials, mean (and its standard error), sd,
/// p5, p50 and p95.
pub fn simulation_text(s: &Summary) -> String {
    let p = |q: f64| s.percentile(q).map(format_display).unwrap_or_default();
    format!(
        "Simulation of {} trials: mean {} (se {}), sd {}, p5 {}, p50 {}, p95 {}",
        trials(s),
        format_display(s.mean()),
        format_display(s.se()),
        format_display(s.sd()),
        p(5.0),
        p(50.0),
        p(95.0)
    )
}

/// A one-at-a-time tornado: its output, base result and table.
pub fn tornado_text(output: &str, base: f64, table: Option<&Table>) -> String {
    let table = table.map(render_table).unwrap_or_default();
    format!(
        "Tornado of {output} (base {})\n{table}",
        format_display(base)
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
