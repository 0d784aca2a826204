//! The A/B readout for people, written from the facts of [`AbReport`]: the terminal
//! text (one aligned table per section, the figure to act on, the duration, the
//! methods and the warnings), the warnings as sentences, the report section for HTML
//! and Markdown, and the two line charts (cumulative conversion per arm by day, and
//! the always-valid p-value by day against the significance level).
//!
//! Numbers are shown by their meaning with the one formatter (`format.rs`): rates and
//! chances as percentages, lifts as signed changes, counts grouped, money with cents;
//! p-values with four decimals (scientific below 0.0001, where four decimals would
//! read as zero).

use super::format::{change, percent, points, CellFormat};
use super::html::Block;
use super::line_chart::{LineChart, Series};
use super::number::format_grouped;
use crate::abtest::{AbReport, AbWarning, Basis, BeatMethod, BEST_METHOD, SRM_THRESHOLD};
use crate::table::{DType, Kind, Value};

/// A count of users or days, grouped, rounded to a whole number.
fn count(x: f64) -> String {
    format_grouped(x.round(), 0)
}

/// A p-value by the formatter's p-value rule: four decimals, or two significant digits
/// in scientific notation below 0.0001.
pub fn p_text(p: f64) -> String {
    super::format_kind(p, crate::table::Kind::PValue)
}

/// The significance level as a percentage (0.05 is `5%`).
fn level_text(alpha: f64) -> String {
    format!("{}%", alpha * 100.0)
}

/// A lift and its interval, "n/a" when the control's rate (or value) is 0.
fn lift_text(l: f64, low: f64, high: f64) -> String {
    if l.is_finite() {
        format!("{} [{}, {}]", change(l), change(low), change(high))
    } else {
        "n/a (control is 0)".into()
    }
}

/// A change, or "n/a" when undefined.
fn change_or_na(x: f64) -> String {
    if x.is_finite() {
        change(x)
    } else {
        "n/a".into()
    }
}

/// Rates of one column, aligned on the same decimals.
fn rate_cells(rates: &[f64]) -> Vec<String> {
    let finite: Vec<f64> = rates.iter().copied().filter(|r| r.is_finite()).collect();
    let f = CellFormat::for_values(Kind::Rate, DType::Float, &finite);
    rates
        .iter()
        .map(|&r| {
            if r.is_finite() {
                f.text(&Value::Float(r))
            } else {
                "n/a".into()
            }
        })
        .collect()
}

/// Aligns rows of cells: first column left, the others right.
fn render_rows(rows: &[Vec<String>]) -> String {
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..ncols)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - c.chars().count());
            if i == 0 {
                line.push_str(c);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(c);
            }
        }
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The readout as terminal text.
pub fn ab_text(r: &AbReport) -> String {
    if !r.ran {
        return "ab_report: not run (--explain)\n".into();
    }
    let mut text = conversion_text(r);
    text.push('\n');
    text.push_str(&act_on(r));
    text.push('\n');
    if r.revenue_test.is_some() {
        text.push_str(&revenue_text(r));
    }
    if r.cuped_fit.is_some() {
        text.push_str(&cuped_text(r));
    }
    if !r.metric_tests.is_empty() {
        text.push_str(&metrics_text(r));
    }
    if r.segment_tests.is_some() {
        text.push_str(&segments_text(r));
    }
    text.push('\n');
    for line in duration_lines(r) {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("\nMethods:\n");
    for m in ab_methods(r) {
        text.push_str(&format!("  - {m}\n"));
    }
    let warnings = ab_warnings(r);
    if warnings.is_empty() {
        text.push_str("\nWarnings: none\n");
    } else {
        text.push_str("\nWarnings:\n");
        for w in &warnings {
            text.push_str(&format!("  ! {w}\n"));
        }
    }
    text
}

/// The conversion section: one row per arm.
fn conversion_text(r: &AbReport) -> String {
    let o = &r.options;
    let k = r.arms.len();
    let several = r.variants.iter().any(|v| v.p_adjusted.is_some());
    let sequential = r.sequential.is_some();
    let mut head = vec![
        "arm".to_string(),
        "users".into(),
        "conversions".into(),
        "rate".into(),
        format!("lift [{}% CI]", (1.0 - o.alpha) * 100.0),
        if several {
            format!("p ({})", o.adjust.name())
        } else {
            "p".into()
        },
    ];
    if sequential {
        head.push("p always-valid".into());
    }
    head.push("P(beat control)".into());
    if k > 2 {
        head.push("P(best)".into());
        head.push("expected loss".into());
    }
    let rates: Vec<f64> = r.arms.iter().map(|a| a.conversions / a.users).collect();
    let rates = rate_cells(&rates);
    let mut rows = vec![head];
    for (i, a) in r.arms.iter().enumerate() {
        let mut row = vec![
            a.name.clone(),
            count(a.users),
            count(a.conversions),
            rates[i].clone(),
        ];
        if i == 0 {
            row.extend(["(control)".to_string(), String::new()]);
            if sequential {
                row.push(String::new());
            }
            row.push(String::new());
        } else {
            let v = &r.variants[i - 1];
            row.push(match v.ci {
                Some(c) => lift_text(v.lift, c.low, c.high),
                None => format!(
                    "{} [undefined: an arm has 0 conversions]",
                    change_or_na(v.lift)
                ),
            });
            row.push(p_text(v.p()));
            if let Some(p) = v.p_always_valid {
                row.push(p_text(p));
            }
            row.push(percent(v.prob_beat));
        }
        if k > 2 {
            row.push(percent(r.best.prob_best[i]));
            row.push(points(r.best.loss[i]).trim_start_matches('+').to_string());
        }
        rows.push(row);
    }
    format!(
        "Conversion ({} users, control arm '{}')\n{}",
        count(r.arms.iter().map(|a| a.users).sum()),
        r.arms[0].name,
        render_rows(&rows)
    )
}

/// The sentence saying which figure to act on and why, with the numbers (the rule is
/// [`Basis`]; docs/guide.md, "Which figure to act on").
pub fn act_on(r: &AbReport) -> String {
    if !r.ran {
        return String::new();
    }
    let o = &r.options;
    let level = level_text(o.alpha);
    let control = &r.arms[0].name;
    let d = &r.duration;
    let size = d.conversion.map(|n| {
        format!(
            "{} of the {} users its planned size needs ({} per arm for a {} lift at {}% power)",
            count(d.users),
            count(n.total),
            count(n.per_arm),
            change(o.mde),
            o.power * 100.0
        )
    });
    let beats = r
        .arms
        .iter()
        .skip(1)
        .zip(&r.variants)
        .map(|(a, v)| format!("P({} beats {control}) = {}", a.name, percent(v.prob_beat)))
        .collect::<Vec<_>>()
        .join(", ");
    let bayes = format!("{beats} summarises the evidence but is not a decision rule");
    let verdict = |p: f64, lift: f64, arm: &str| {
        if p < o.alpha {
            format!(
                "significant at {level}: {arm} is {} than {control}",
                if lift > 0.0 { "better" } else { "worse" }
            )
        } else {
            format!("not significant at {level}")
        }
    };
    let names = r.arms.iter().skip(1).map(|a| a.name.as_str());
    match r.basis {
        Basis::FixedHorizon => {
            let why = match &size {
                Some(_) => format!(
                    "the test has reached its planned size ({} users, {} per arm needed for a {} lift)",
                    count(d.users),
                    count(d.conversion.map_or(0.0, |n| n.per_arm)),
                    change(o.mde)
                ),
                None => "it is read once, at a fixed sample size".to_string(),
            };
            let each = names
                .zip(&r.variants)
                .map(|(arm, v)| {
                    let interval =
                        v.ci.map(|c| format!(" [{}, {}]", change(c.low), change(c.high)))
                            .unwrap_or_default();
                    format!(
                        "{arm} vs {control} p = {}, lift {}{interval}, {}",
                        p_text(v.p()),
                        change_or_na(v.lift),
                        verdict(v.p(), v.lift, arm)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            format!(
                "Act on the fixed-horizon p-value and interval, because {why}: {each}. {bayes}."
            )
        }
        Basis::AlwaysValid => {
            let each = names
                .zip(&r.variants)
                .map(|(arm, v)| {
                    let p = v.p_always_valid.unwrap_or(1.0);
                    format!(
                        "{arm} vs {control} always-valid p = {}, {}",
                        p_text(p),
                        if p < o.alpha {
                            format!(
                                "below {level}, so the test can stop: {arm} is {} than {control}",
                                if v.lift > 0.0 { "better" } else { "worse" }
                            )
                        } else {
                            format!("not below {level}, so keep the test running")
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let fixed = r
                .variants
                .iter()
                .map(|v| p_text(v.p()))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "Act on the always-valid p-value, because the test has {} and may stop at any look: {each}. The fixed-horizon p = {fixed} is valid only at the planned size; {bayes}.",
                size.unwrap_or_else(|| "no planned size".into())
            )
        }
        Basis::NotYet => {
            let each = names
                .zip(&r.variants)
                .map(|(arm, v)| format!("{arm} vs {control} p = {}", p_text(v.p())))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "Act on nothing yet, because the test has {} and no always-valid p-value (use #{{ sequential: true }} to read it at any look): the fixed-horizon {each} is valid only at the planned size, so keep the test running; {bayes}.",
                size.unwrap_or_else(|| "no planned size and several looks".into())
            )
        }
    }
}

/// The revenue-per-user section.
fn revenue_text(r: &AbReport) -> String {
    let Some(rev) = &r.revenue_test else {
        return String::new();
    };
    let o = &r.options;
    let money: Vec<f64> = rev.arms.iter().flat_map(|s| [s.mean, s.sd]).collect();
    let f = CellFormat::for_values(Kind::Money, DType::Float, &money);
    let m = |x: f64| f.text(&Value::Float(x));
    let mut rows = vec![vec![
        "arm".to_string(),
        "users".into(),
        "mean".into(),
        "sd".into(),
        "lift".into(),
        if rev.p_adjusted.is_some() {
            format!("p ({})", o.adjust.name())
        } else {
            "p".into()
        },
        "P(beat control)".into(),
    ]];
    for (i, s) in rev.arms.iter().enumerate() {
        let mut row = vec![r.arms[i].name.clone(), count(s.n), m(s.mean), m(s.sd)];
        if i == 0 {
            row.extend(["(control)".to_string(), String::new()]);
        } else {
            let w = rev.tests[i - 1];
            row.push(change_or_na(if rev.arms[0].mean != 0.0 {
                s.mean / rev.arms[0].mean - 1.0
            } else {
                f64::NAN
            }));
            row.push(p_text(
                rev.p_adjusted.as_ref().map_or(w.p_value, |a| a[i - 1]),
            ));
            row.push(percent(rev.beat[i - 1].0));
        }
        rows.push(row);
    }
    format!(
        "\nRevenue per user (control arm '{}')\n{}",
        r.arms[0].name,
        render_rows(&rows)
    )
}

/// The CUPED section.
fn cuped_text(r: &AbReport) -> String {
    let Some((cov, c)) = &r.cuped_fit else {
        return String::new();
    };
    let mut rows = vec![vec![
        "arm".to_string(),
        "users".into(),
        "mean".into(),
        "adjusted".into(),
        format!("difference [{}% CI]", (1.0 - r.options.alpha) * 100.0),
        "p".into(),
    ]];
    for (i, a) in c.arms.iter().enumerate() {
        let mut row = vec![
            r.arms[i].name.clone(),
            count(a.n),
            format!("{:.2}", a.mean),
            format!("{:.2}", a.adjusted),
        ];
        if i == 0 {
            row.extend(["(control)".to_string(), String::new()]);
        } else {
            row.push(format!("{:+.2} [{:+.2}, {:+.2}]", a.diff, a.low, a.high));
            row.push(p_text(a.p_value));
        }
        rows.push(row);
    }
    format!(
        "\nRevenue per user, CUPED on {cov} (theta = {:.4}; variance reduced by {})\n{}",
        c.theta,
        percent(c.variance_reduction),
        render_rows(&rows)
    )
}

/// The metrics' section.
fn metrics_text(r: &AbReport) -> String {
    let o = &r.options;
    let k = r.arms.len();
    let mut rows: Vec<Vec<String>> = vec![vec![
        "metric".into(),
        "arm".into(),
        "users".into(),
        "value".into(),
        format!("lift [{}% CI]", (1.0 - o.alpha) * 100.0),
        if k > 2 {
            format!("p ({})", o.adjust.name())
        } else {
            "p".into()
        },
    ]];
    for m in &r.metric_tests {
        let label = if m.guardrail {
            format!("{} (guardrail)", m.name)
        } else {
            m.name.clone()
        };
        for (i, v) in m.values.iter().enumerate() {
            let mut row = vec![
                if i == 0 { label.clone() } else { String::new() },
                r.arms[i].name.clone(),
                count(v.n),
                format!("{:.4}", v.value),
            ];
            if i == 0 {
                row.extend(["(control)".to_string(), String::new()]);
            } else {
                let t = m.tests[i - 1];
                row.push(lift_text(t.lift, t.lift_low, t.lift_high));
                row.push(p_text(m.p[i - 1]));
            }
            rows.push(row);
        }
    }
    format!(
        "\nMetrics (control arm '{}')\n{}",
        r.arms[0].name,
        render_rows(&rows)
    )
}

/// The segments' section.
fn segments_text(r: &AbReport) -> String {
    let Some(s) = &r.segment_tests else {
        return String::new();
    };
    let o = &r.options;
    let by = &s.by;
    let mut rows = vec![vec![
        by.to_string(),
        "arm".into(),
        "users".into(),
        "conversions".into(),
        "rate".into(),
        format!("lift [{}% CI]", (1.0 - o.alpha) * 100.0),
        format!("p ({})", o.adjust.name()),
        String::new(),
    ]];
    let rates = rate_cells(&s.rows.iter().map(|row| row.rate).collect::<Vec<_>>());
    for (row, rate) in s.rows.iter().zip(rates) {
        let mut cells = vec![
            if row.arm == 0 {
                row.segment.clone()
            } else {
                String::new()
            },
            r.arms[row.arm].name.clone(),
            count(row.users),
            count(row.conversions),
            rate,
        ];
        match &row.test {
            Some(t) => {
                cells.push(match t.ci {
                    Some(i) => lift_text(t.lift, i.low, i.high),
                    None => format!("{} [undefined]", change_or_na(t.lift)),
                });
                cells.push(p_text(t.p_adjusted));
                cells.push(if t.differs {
                    "direction differs from the total".into()
                } else {
                    String::new()
                });
            }
            None => {
                cells.push(if row.arm == 0 {
                    "(control)".into()
                } else {
                    "no test (an arm has no users or no arm converts)".into()
                });
                cells.push(String::new());
                cells.push(String::new());
            }
        }
        rows.push(cells);
    }
    format!(
        "\nConversion by {by} (exploratory: p adjusted by {} across {} segment comparisons)\n{}",
        o.adjust.name(),
        s.comparisons,
        render_rows(&rows)
    )
}

/// "At the current N users a day, the test reaches P power for the chosen minimum
/// effect in D more days", for conversion and (with revenue) revenue per user.
fn duration_lines(r: &AbReport) -> Vec<String> {
    let o = &r.options;
    let d = &r.duration;
    let effect = change(o.mde);
    let power = format!("{}%", o.power * 100.0);
    let line = |what: &str, need: crate::abtest::Need| -> String {
        match d.days_left(need) {
            Some(0.0) => format!(
                "Duration ({what}): the test already has {power} power for a {effect} lift ({} users per arm needed, {} users so far).",
                count(need.per_arm),
                count(d.users)
            ),
            Some(left) => format!(
                "Duration ({what}): at the current {} users a day, the test reaches {power} power for a {effect} lift in {} more days ({} users per arm needed, {} users so far).",
                count(d.per_day.unwrap_or(0.0)),
                count(left),
                count(need.per_arm),
                count(d.users)
            ),
            None => format!(
                "Duration ({what}): {} users per arm are needed for {power} power for a {effect} lift ({} users so far); give the day column or daily_users for the days left.",
                count(need.per_arm),
                count(d.users)
            ),
        }
    };
    let mut lines = Vec::new();
    match d.conversion {
        Some(n) => lines.push(line("conversion", n)),
        None => lines.push(format!(
            "Duration (conversion): not planned: a {effect} lift on the control's {} is not a rate between 0% and 100%.",
            percent(r.arms[0].conversions / r.arms[0].users)
        )),
    }
    if let Some(n) = d.revenue {
        lines.push(line("revenue per user", n));
    }
    lines
}

/// The methods used, one sentence each.
pub fn ab_methods(r: &AbReport) -> Vec<String> {
    if !r.ran {
        return Vec::new();
    }
    let o = &r.options;
    let k = r.arms.len();
    let level = format!("{}%", (1.0 - o.alpha) * 100.0);
    let mut methods = vec![
        "p: pooled two-proportion z-test, two-sided".to_string(),
        "lift CI: delta method on the log rate ratio".to_string(),
    ];
    methods.push(if r.beat_method == BeatMethod::ClosedForm {
        "P(beat control): exact Beta-Binomial with uniform Beta(1, 1) priors".to_string()
    } else {
        format!(
            "P(beat control): {} with uniform Beta(1, 1) priors",
            BeatMethod::Panels.name()
        )
    });
    methods.push(format!(
        "{}: {BEST_METHOD}",
        if k > 2 {
            "P(best) and expected loss (the rate given up by choosing the arm)"
        } else {
            "prob_best and expected_loss (table columns: each arm's chance to have the higher rate, and the rate given up by choosing it)"
        }
    ));
    if r.variants.iter().any(|v| v.p_adjusted.is_some()) {
        methods.push(format!(
            "p adjusted for {} variants by {}",
            k - 1,
            o.adjust.name()
        ));
    }
    if r.sequential.is_some() {
        methods.push(format!(
            "p always-valid: mSPRT with a normal mixture, tau = {} on the rate difference{}",
            o.tau,
            if r.days.is_empty() {
                ", at the final totals".to_string()
            } else {
                format!(", over {} daily looks", r.days.len())
            }
        ));
    }
    methods.push(format!(
        "SRM: chi-square goodness of fit to the planned split (p = {}), warning below {SRM_THRESHOLD}",
        p_text(r.srm_p)
    ));
    methods.push(
        "power and MDE: Fleiss normal approximation, pooled, no continuity correction".into(),
    );
    if r.revenue_test.is_some() {
        methods.push("revenue p: Welch's t-test, two-sided".into());
        methods.push("revenue P(beat control): normal approximation with a flat prior on each arm's mean per user (posterior normal with the sample mean and its standard error sd/sqrt(n), as GrowthBook); expected loss of choosing the variant = s phi(d/s) - d Phi(-d/s)".into());
    }
    if let Some((cov, _)) = &r.cuped_fit {
        methods.push(format!(
            "CUPED on {cov}: the treatment coefficients of least squares revenue ~ arm + {cov} (theta the pooled within-arm slope), t-test and interval on N - k - 1 degrees of freedom"
        ));
    }
    if !r.metric_tests.is_empty() {
        methods.push(format!(
            "metrics: ratio of per-user means, variance by the delta method; z-test on the difference, lift interval by the delta method at {level}{}",
            if k > 2 {
                format!(", p adjusted for {} variants by {}", k - 1, o.adjust.name())
            } else {
                String::new()
            }
        ));
    }
    if let Some(s) = &r.segment_tests {
        methods.push(format!(
            "segments by {}: pooled z-test within each segment, p adjusted by {} across the {} segment comparisons; a segment is flagged when its lift has the opposite sign to the total's. Segments are exploratory.",
            s.by,
            o.adjust.name(),
            s.comparisons
        ));
    }
    methods.push(format!(
        "duration: users per arm for {}% power at alpha {} to detect a {} lift (conversion: Fleiss pooled; revenue: two-sided normal approximation), over the users a day {}",
        o.power * 100.0,
        o.alpha,
        change(o.mde),
        match (o.daily_users, r.duration.data_days) {
            (Some(_), _) => "given".to_string(),
            (None, Some(d)) => format!("seen over the data's {d} days"),
            (None, None) => "(unknown: give day or daily_users)".to_string(),
        }
    ));
    methods.push(
        "which figure to act on: the fixed-horizon p-value and interval once the test reaches its planned size (or when it is read once without a plan); before that the always-valid p-value with the sequential option, otherwise nothing yet; the chance to beat control is a summary, not a decision rule".into(),
    );
    methods
}

/// The warnings as sentences, most serious first.
pub fn ab_warnings(r: &AbReport) -> Vec<String> {
    r.warnings.iter().map(ab_warning).collect()
}

/// One warning as a sentence.
pub fn ab_warning(w: &AbWarning) -> String {
    match w {
        AbWarning::GuardrailHarmed {
            metric,
            arm,
            control,
            lift,
            value,
            control_value,
            p,
        } => format!(
            "Guardrail harmed: {metric} of {arm} is {} against {control} ({value:.4} vs {control_value:.4}, p = {}), whatever the primary result; do not ship {arm} before this is understood.",
            change_or_na(*lift),
            p_text(*p)
        ),
        AbWarning::SampleRatioMismatch { observed, planned, p } => format!(
            "Sample-ratio mismatch: users split {} where {} was planned (chi-square p = {}). Assignment or tracking is broken; do not trust the results until it is explained.",
            observed
                .iter()
                .map(|(n, u)| format!("{n} {}", count(*u)))
                .collect::<Vec<_>>()
                .join(" / "),
            planned
                .iter()
                .map(|s| format!("{}", (s * 100.0 * 10.0).round() / 10.0))
                .collect::<Vec<_>>()
                .join("/"),
            p_text(*p)
        ),
        AbWarning::Underpowered {
            arm,
            control,
            lift,
            users_per_arm,
            power,
            mde,
            needed_per_arm,
        } => {
            let mde_text = match mde {
                Some((relative, target)) => format!(
                    "at this size it can only detect a lift of {} (a rate of {})",
                    change_or_na(*relative),
                    percent(*target)
                ),
                None => "at this size no lift is detectable".into(),
            };
            let need = needed_per_arm
                .map(|n| {
                    format!(
                        "; about {} users per arm would be needed for the observed lift",
                        count(n)
                    )
                })
                .unwrap_or_default();
            format!(
                "Too few users for {arm} vs {control}: the observed lift of {} is not significant, and with {} users per arm the test had only {} power to detect it; {mde_text}{need}.",
                change_or_na(*lift),
                count(*users_per_arm),
                percent(*power)
            )
        }
        AbWarning::Peeking { looks, alpha } => format!(
            "Peeking: the results have been looked at {looks} times, but these p-values assume a single look at a fixed sample size; checking daily and stopping at the first p < {alpha} makes false positives several times likelier. Use #{{ sequential: true }} for always-valid p-values."
        ),
        AbWarning::SimpsonsParadox { arm, by, total_lift } => format!(
            "Simpson's paradox: {arm} moves opposite to the total ({}) in every segment of {by}; the arms' mix of segments differs, so the total mostly reflects the mix. Compare within segments, and find out why the mix differs.",
            change_or_na(*total_lift)
        ),
        AbWarning::SegmentDiffers {
            by,
            segment,
            arm,
            control,
            lift,
            total_lift,
            p_adjusted,
        } => format!(
            "Segment {by} = {segment}: {arm} vs {control} moves {} where the total moves {} (p adjusted = {}); segments are exploratory, so read this as a question, not a finding.",
            change_or_na(*lift),
            change_or_na(*total_lift),
            p_text(*p_adjusted)
        ),
    }
}

/// The charts of a readout, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbChart {
    /// Cumulative conversion rate per arm by day.
    Cumulative,
    /// The always-valid p-value of each variant by day, with the significance level.
    PValue,
}

impl AbChart {
    /// Every chart, in the order a report shows them.
    pub const ALL: [AbChart; 2] = [AbChart::Cumulative, AbChart::PValue];

    /// The chart's name in scripts.
    pub fn name(self) -> &'static str {
        match self {
            AbChart::Cumulative => "cumulative",
            AbChart::PValue => "pvalue",
        }
    }

    /// The chart named `name`, or an error listing the names.
    pub fn parse(name: &str) -> Result<AbChart, String> {
        AbChart::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                format!("ab_report chart: unknown chart '{name}'; the charts are \"cumulative\" and \"pvalue\"")
            })
    }
}

/// The chart `which` of a readout as a line chart, or why it cannot be drawn (it needs
/// the day column; the p-value chart also the sequential option).
pub fn ab_line_chart(r: &AbReport, which: AbChart) -> Result<LineChart, String> {
    if r.days.is_empty() {
        return Err(format!(
            "ab_report chart \"{}\": the readout has no days; give the day column, like #{{ day: \"day\" }}",
            which.name()
        ));
    }
    let x_labels: Vec<String> = r.days.iter().map(|(label, _)| label.clone()).collect();
    match which {
        AbChart::Cumulative => {
            let series = r
                .arms
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let (mut users, mut conv) = (0.0, 0.0);
                    let values = r
                        .days
                        .iter()
                        .map(|(_, cells)| {
                            let (u, x) = cells.get(i).copied().unwrap_or((0.0, 0.0));
                            users += u;
                            conv += x;
                            (users > 0.0).then(|| conv / users)
                        })
                        .collect();
                    Series::solid(&a.name, values)
                })
                .collect();
            Ok(LineChart {
                title: "Cumulative conversion rate by day".into(),
                x_labels,
                series,
                kind: Kind::Rate,
                references: Vec::new(),
                from_zero: false,
            })
        }
        AbChart::PValue => {
            let Some(paths) = &r.sequential else {
                return Err(
                    "ab_report chart \"pvalue\": the always-valid p-value needs the sequential option, like #{ sequential: true, day: \"day\" }".into(),
                );
            };
            let control = &r.arms[0].name;
            let series = r
                .arms
                .iter()
                .skip(1)
                .zip(paths)
                .map(|(a, path)| {
                    let mut values = vec![None; x_labels.len()];
                    for (day, p) in path {
                        if let Some(d) = day {
                            values[*d] = Some(*p);
                        }
                    }
                    Series::solid(&format!("{} vs {control}", a.name), values)
                })
                .collect();
            Ok(LineChart {
                title: "Always-valid p-value by day".into(),
                x_labels,
                series,
                kind: Kind::Plain,
                references: vec![(
                    r.options.alpha,
                    format!("significance level {}", level_text(r.options.alpha)),
                )],
                from_zero: true,
            })
        }
    }
}

/// The chart `which` as an SVG document.
pub fn ab_chart(r: &AbReport, which: AbChart) -> Result<String, String> {
    ab_line_chart(r, which).map(|c| c.to_svg())
}

/// The answer in one line, for a report section's summary: what the figure to act on
/// says for each variant.
pub fn ab_summary(r: &AbReport) -> String {
    if !r.ran {
        return String::new();
    }
    let o = &r.options;
    let level = level_text(o.alpha);
    let control = &r.arms[0].name;
    let each = r.arms.iter().skip(1).zip(&r.variants).map(|(a, v)| {
        let arm = &a.name;
        let direction = if v.lift > 0.0 { "better" } else { "worse" };
        match r.basis {
            Basis::FixedHorizon if v.p() < o.alpha => format!(
                "{arm} is {direction} than {control} ({}, p = {}, significant at {level})",
                change_or_na(v.lift),
                p_text(v.p())
            ),
            Basis::FixedHorizon => format!(
                "{arm} vs {control}: {}, p = {}, not significant at {level}",
                change_or_na(v.lift),
                p_text(v.p())
            ),
            Basis::AlwaysValid => {
                let p = v.p_always_valid.unwrap_or(1.0);
                if p < o.alpha {
                    format!("{arm} is {direction} than {control} (always-valid p = {}): the test can stop", p_text(p))
                } else {
                    format!("{arm} vs {control}: always-valid p = {}, keep the test running", p_text(p))
                }
            }
            Basis::NotYet => format!(
                "{arm} vs {control}: {}, not yet conclusive, keep the test running",
                change_or_na(v.lift)
            ),
        }
    });
    each.collect::<Vec<_>>().join("; ")
}

/// The readout as report blocks: the figure to act on, the conversion table, revenue
/// and segments when present, the charts the data allows, and the warnings.
pub fn ab_blocks(r: &AbReport, title: &str) -> Vec<Block> {
    if !r.ran {
        return vec![Block::Heading(title.to_string()), Block::Text(ab_text(r))];
    }
    let mut blocks = vec![Block::Section {
        title: title.to_string(),
        summary: ab_summary(r),
    }];
    blocks.push(Block::Text(act_on(r)));
    blocks.push(Block::Table {
        caption: format!("Conversion (control arm '{}')", r.arms[0].name),
        table: r.conversion.clone(),
    });
    if let Some(t) = &r.revenue {
        blocks.push(Block::Table {
            caption: "Revenue per user".into(),
            table: t.clone(),
        });
    }
    if let Some(t) = &r.metrics {
        blocks.push(Block::Table {
            caption: "Metrics and guardrails".into(),
            table: t.clone(),
        });
    }
    if let Some(t) = &r.segments {
        blocks.push(Block::Table {
            caption: "Conversion by segment (exploratory)".into(),
            table: t.clone(),
        });
    }
    for which in AbChart::ALL {
        if let Ok(chart) = ab_line_chart(r, which) {
            blocks.push(Block::Svg {
                caption: chart.title.clone(),
                svg: chart.to_svg(),
            });
        }
    }
    let lines = duration_lines(r);
    blocks.push(Block::Text(lines.join("\n\n")));
    let warnings = ab_warnings(r);
    if !warnings.is_empty() {
        blocks.push(Block::Text(format!(
            "Warnings:\n\n{}",
            warnings.join("\n\n")
        )));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abtest::{ab_report, ReportOptions};
    use crate::table::Table;

    fn landing_pages() -> Table {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ab_landing_pages.csv");
        crate::table::read_csv_path(std::path::Path::new(path)).expect("landing pages")
    }

    fn options() -> ReportOptions {
        ReportOptions {
            control: Some("A".into()),
            revenue: Some("revenue".into()),
            by: Some("device".into()),
            ..ReportOptions::default()
        }
    }

    /// `text` (`4.12%`, `+15.0%`, `-0.5 pt`) as a fraction and half a unit of its last
    /// digit, as a fraction.
    fn parse_percent(text: &str) -> (f64, f64) {
        let body = text.trim_end_matches('%').trim_end_matches(" pt");
        let value: f64 = body
            .parse()
            .unwrap_or_else(|_| panic!("a percentage: {text:?}"));
        let decimals = body.split('.').nth(1).map_or(0, str::len);
        (value / 100.0, 0.5 * 10f64.powi(-(decimals as i32)) / 100.0)
    }

    /// Each shown cell of a terminal table, by the column spans its dashed line marks.
    fn shown_cells(rendered: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let lines: Vec<&str> = rendered.lines().collect();
        let dashes = lines[1];
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in dashes.char_indices().chain([(dashes.len(), ' ')]) {
            match (c, start) {
                ('-', None) => start = Some(i),
                (' ', Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        let cut = |line: &str| -> Vec<String> {
            spans
                .iter()
                .map(|&(s, e)| {
                    line.get(s..e.min(line.len()))
                        .unwrap_or("")
                        .trim()
                        .to_string()
                })
                .collect()
        };
        let rows = lines[2..]
            .iter()
            .take_while(|l| !l.starts_with('('))
            .map(|l| cut(l))
            .collect();
        (cut(lines[0]), rows)
    }

    /// Every rate, share, change and points value the A/B tables show in a terminal
    /// parses back within half a unit of its last digit of the true value; counts are
    /// grouped whole numbers, never scientific.
    #[test]
    fn shown_rates_read_back_as_the_true_values() {
        let three = ab_report(
            &Table::new(
                "three.csv",
                vec![
                    (
                        "variant".into(),
                        crate::table::Column::text(
                            ["A", "B", "C"]
                                .iter()
                                .map(|s| Some(s.to_string()))
                                .collect(),
                        ),
                    ),
                    (
                        "users".into(),
                        crate::table::Column::int(vec![Some(10_000), Some(10_400), Some(9_500)]),
                    ),
                    (
                        "conversions".into(),
                        crate::table::Column::int(vec![Some(412), Some(468), Some(371)]),
                    ),
                ],
            )
            .expect("table"),
            &ReportOptions::default(),
        )
        .expect("three arms");
        let rep = ab_report(&landing_pages(), &options()).expect("report");
        let tables: Vec<&Table> = [
            Some(&rep.conversion),
            rep.revenue.as_ref(),
            rep.segments.as_ref(),
            Some(&three.conversion),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut checked = 0;
        for t in tables {
            let (names, rows) = shown_cells(&crate::render::render_table(t));
            for (ci, name) in names.iter().enumerate() {
                let kind = t.kind(name);
                let col = t.column(name).expect("column");
                for (r, row) in rows.iter().enumerate() {
                    let Some(truth) = col.f64_at(r) else { continue };
                    let shown = &row[ci];
                    match kind {
                        Kind::Rate | Kind::Share | Kind::Change | Kind::Points => {
                            let (value, half) = parse_percent(shown);
                            assert!(
                                (value - truth).abs() <= half * (1.0 + 1e-9),
                                "{name} row {r}: {shown} for {truth}"
                            );
                            checked += 1;
                        }
                        Kind::Count => {
                            assert!(!shown.contains('e'), "{name}: {shown}");
                            assert_eq!(shown.replace(',', "").parse::<f64>().ok(), Some(truth));
                        }
                        _ => {}
                    }
                }
            }
        }
        assert!(checked > 30, "{checked} values checked");
        // the readout's own conversion table
        let text = ab_text(&rep);
        for (line, arm) in text.lines().skip(2).zip(&rep.arms) {
            let shown = line.split_whitespace().nth(3).expect("rate cell");
            let (value, half) = parse_percent(shown);
            let truth = arm.conversions / arm.users;
            assert!((value - truth).abs() <= half, "{shown} for {truth}");
        }
    }

    #[test]
    fn readout_sentences_carry_the_facts() {
        let o = ReportOptions {
            day: Some("day".into()),
            sequential: true,
            ..options()
        };
        let rep = ab_report(&landing_pages(), &o).expect("report");
        let text = ab_text(&rep);
        let left = rep.days_left.expect("days left");
        for want in [
            format!("at the current 930 users a day, the test reaches 80% power for a +10.0% lift in {left} more days"),
            "over 14 daily looks".to_string(),
            "Conversion by device (exploratory: p adjusted by Holm across 2 segment comparisons)".to_string(),
            format!("(p = {}), warning below 0.001", p_text(rep.srm_p)),
        ] {
            assert!(text.contains(&want), "{want}\n{text}");
        }
        let summary = crate::table::read_csv_path(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/abtest/cuped_users.csv"
        )))
        .expect("cuped users");
        let c = ab_report(
            &summary,
            &ReportOptions {
                control: Some("A".into()),
                revenue: Some("revenue".into()),
                covariate: Some("pre_revenue".into()),
                ..ReportOptions::default()
            },
        )
        .expect("cuped");
        let fit = &c.cuped_fit.as_ref().expect("fit").1;
        assert!(ab_text(&c).contains(&format!(
            "CUPED on pre_revenue (theta = {:.4}; variance reduced by {})",
            fit.theta,
            percent(fit.variance_reduction)
        )));
        assert!(ab_methods(&c)
            .iter()
            .any(|m| m.contains("flat prior on each arm's mean")));
    }

    #[test]
    fn warnings_read_as_sentences() {
        let srm = AbWarning::SampleRatioMismatch {
            observed: vec![
                ("A".into(), 10_000.0),
                ("B".into(), 10_400.0),
                ("C".into(), 9_500.0),
            ],
            planned: vec![1.0 / 3.0; 3],
            p: 2.5e-9,
        };
        assert_eq!(
            ab_warning(&srm),
            "Sample-ratio mismatch: users split A 10,000 / B 10,400 / C 9,500 where 33.3/33.3/33.3 was planned (chi-square p = 2.5e-9). Assignment or tracking is broken; do not trust the results until it is explained."
        );
        let harm = AbWarning::GuardrailHarmed {
            metric: "refund rate".into(),
            arm: "B".into(),
            control: "A".into(),
            lift: 1.5,
            value: 0.25,
            control_value: 0.1,
            p: 0.00012,
        };
        assert!(ab_warning(&harm).starts_with(
            "Guardrail harmed: refund rate of B is +150.0% against A (0.2500 vs 0.1000, p = 0.0001)"
        ));
        let simpson = AbWarning::SimpsonsParadox {
            arm: "B".into(),
            by: "segment".into(),
            total_lift: 0.0588,
        };
        assert!(ab_warning(&simpson).starts_with(
            "Simpson's paradox: B moves opposite to the total (+5.88%) in every segment of segment"
        ));
    }

    /// The figure to act on follows the rule: before the planned size, the
    /// always-valid p with the sequential option, nothing without it; at the planned
    /// size, the fixed-horizon p and interval.
    #[test]
    fn act_on_names_the_figure_and_the_numbers() {
        let t = landing_pages();
        let peek = ReportOptions {
            control: Some("A".into()),
            looks: 14,
            ..ReportOptions::default()
        };
        let rep = ab_report(&t, &peek).expect("report");
        assert_eq!(rep.basis, Basis::NotYet);
        let s = act_on(&rep);
        assert!(s.starts_with("Act on nothing yet"), "{s}");
        assert!(
            s.contains(&format!("p = {}", p_text(rep.variants[0].p_value))),
            "{s}"
        );
        assert!(s.contains("P(B beats A) = 93.7%"), "{s}");

        let seq = ReportOptions {
            sequential: true,
            day: Some("day".into()),
            ..peek.clone()
        };
        let rep = ab_report(&t, &seq).expect("report");
        assert_eq!(rep.basis, Basis::AlwaysValid);
        let s = act_on(&rep);
        let p = rep.variants[0].p_always_valid.expect("always-valid");
        assert!(s.starts_with("Act on the always-valid p-value"), "{s}");
        assert!(
            s.contains(&format!(
                "always-valid p = {}, not below 5%, so keep the test running",
                p_text(p)
            )),
            "{s}"
        );

        // a +50% planned lift needs fewer users than the test has
        let done = ReportOptions { mde: 0.5, ..seq };
        let rep = ab_report(&t, &done).expect("report");
        assert_eq!(rep.basis, Basis::FixedHorizon);
        let s = act_on(&rep);
        let v = rep.variants[0];
        let ci = v.ci.expect("interval");
        assert!(s.starts_with("Act on the fixed-horizon p-value and interval, because the test has reached its planned size"), "{s}");
        assert!(
            s.contains(&format!(
                "B vs A p = {}, lift {} [{}, {}], not significant at 5%",
                p_text(v.p_value),
                change(v.lift),
                change(ci.low),
                change(ci.high)
            )),
            "{s}"
        );
    }

    #[test]
    fn charts_draw_cumulative_rates_and_the_p_value_path() {
        let t = landing_pages();
        let o = ReportOptions {
            control: Some("A".into()),
            sequential: true,
            day: Some("day".into()),
            ..ReportOptions::default()
        };
        let rep = ab_report(&t, &o).expect("report");
        let c = ab_line_chart(&rep, AbChart::Cumulative).expect("cumulative");
        assert_eq!(c.x_labels.len(), 14);
        for (s, a) in c.series.iter().zip(&rep.arms) {
            assert_eq!(s.name, a.name);
            let last = s.values.last().copied().flatten().expect("last day");
            assert!((last - a.conversions / a.users).abs() < 1e-15);
        }
        let p = ab_line_chart(&rep, AbChart::PValue).expect("p-value");
        assert_eq!(p.series.len(), 1);
        assert_eq!(p.series[0].name, "B vs A");
        assert_eq!(
            p.series[0].values.last().copied().flatten(),
            rep.variants[0].p_always_valid
        );
        assert_eq!(
            p.references,
            vec![(0.05, "significance level 5%".to_string())]
        );
        let svg = ab_chart(&rep, AbChart::PValue).expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("significance level 5%"));

        let fixed = ReportOptions {
            sequential: false,
            ..o.clone()
        };
        let rep = ab_report(&t, &fixed).expect("report");
        assert!(ab_chart(&rep, AbChart::PValue)
            .expect_err("needs sequential")
            .contains("sequential: true"));
        let no_days = ReportOptions { day: None, ..o };
        let rep = ab_report(&t, &no_days).expect("report");
        assert!(ab_chart(&rep, AbChart::Cumulative)
            .expect_err("needs days")
            .contains("day column"));
        assert!(AbChart::parse("lift").is_err());
    }

    #[test]
    fn report_section_leads_with_the_answer() {
        let o = ReportOptions {
            control: Some("A".into()),
            sequential: true,
            day: Some("day".into()),
            ..ReportOptions::default()
        };
        let rep = ab_report(&landing_pages(), &o).expect("report");
        let blocks = ab_blocks(&rep, "Landing pages");
        let Block::Section { title, summary } = &blocks[0] else {
            panic!("a section first: {:?}", blocks[0])
        };
        assert_eq!(title, "Landing pages");
        assert_eq!(
            summary,
            &format!(
                "B vs A: always-valid p = {}, keep the test running",
                p_text(rep.variants[0].p_always_valid.expect("p"))
            )
        );
        assert!(matches!(&blocks[1], Block::Text(t) if t == &act_on(&rep)));
        let charts = blocks
            .iter()
            .filter(|b| matches!(b, Block::Svg { .. }))
            .count();
        assert_eq!(charts, 2);
    }
}
