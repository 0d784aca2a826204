//! Every domain's main result as the terminal shows it, checked against the same
//! table's CSV (full precision): every number shown parses back to within half a unit
//! of its last digit of the true value (so a 4% rate can never show as 0.0), rates and
//! shares are shown as percentages, and no integer is shown in scientific notation.

mod common;
use common::*;

/// One table: name, the terminal text, the CSV text.
struct Shown {
    name: String,
    terminal: String,
    csv: String,
}

fn tables() -> Vec<Shown> {
    let o = pacer(&["run", "tests/presentation/all_tables.rhai"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let mut out = Vec::new();
    for block in text.split("=== ").skip(1) {
        let Some((name, rest)) = block.split_once('\n') else {
            continue;
        };
        if name == "end" {
            continue;
        }
        let (terminal, csv) = rest.split_once("--- csv\n").expect("csv part");
        out.push(Shown {
            name: name.to_string(),
            terminal: terminal.to_string(),
            csv: csv.trim_end().to_string(),
        });
    }
    assert!(out.len() >= 11, "{} tables", out.len());
    out
}

/// The cells of a terminal table: columns are where the rule line's dashes are.
fn terminal_cells(t: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let lines: Vec<Vec<char>> = t.lines().map(|l| l.chars().collect()).collect();
    let rule = &lines[1];
    let mut spans = Vec::new();
    let mut i = 0;
    while i < rule.len() {
        if rule[i] == '-' {
            let s = i;
            while i < rule.len() && rule[i] == '-' {
                i += 1;
            }
            spans.push((s, i));
        } else {
            i += 1;
        }
    }
    let cut = |l: &[char]| -> Vec<String> {
        spans
            .iter()
            .map(|&(a, b)| {
                l.get(a.min(l.len())..b.min(l.len()))
                    .map(|c| c.iter().collect::<String>().trim().to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    let header = cut(&lines[0]);
    let rows = lines[2..]
        .iter()
        .take_while(|l| !l.starts_with(&['('][..]) && !l.starts_with(&['.'][..]))
        .map(|l| cut(l))
        .collect();
    (header, rows)
}

/// A shown number: its value (percent and points divided by 100) and the size of its
/// last digit in the same units; `None` for text.
fn shown_number(s: &str) -> Option<(f64, f64)> {
    let (body, scale) = if let Some(b) = s.strip_suffix('%') {
        (b, 0.01)
    } else if let Some(b) = s.strip_suffix(" pt") {
        (b, 0.01)
    } else if let Some(b) = s.strip_suffix(" d") {
        (b, 1.0)
    } else if let Some(b) = s.strip_prefix("1:") {
        (b, 1.0)
    } else {
        (s, 1.0)
    };
    let plain = body.replace(',', "");
    let v: f64 = plain.parse().ok()?;
    if plain.contains(['e', 'E']) {
        return Some((v * scale, 0.0));
    }
    let decimals = plain.split_once('.').map_or(0, |(_, d)| d.len());
    Some((v * scale, 10f64.powi(-(decimals as i32)) * scale))
}

/// The fields of one CSV line (quoted fields hold no line breaks in these tables).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("field").push(c),
        }
    }
    out
}

fn is_rate_column(name: &str) -> bool {
    name == "rate"
        || name.ends_with("_rate")
        || name == "conversion"
        || name.starts_with("conversion_")
        || name == "share"
        || name.starts_with("lift")
        || name.starts_with("prob_")
        || name == "gap_pct"
        || name == "achievement"
}

#[test]
fn every_number_shown_reads_as_its_value() {
    let mut failures = Vec::new();
    for t in tables() {
        let (header, rows) = terminal_cells(&t.terminal);
        let mut csv = t.csv.lines();
        let names = csv_fields(csv.next().expect("csv header"));
        assert_eq!(header, names, "{}", t.name);
        let values: Vec<Vec<String>> = csv.map(csv_fields).collect();
        assert_eq!(rows.len(), values.len(), "{}: every row shown", t.name);
        for (r, (shown_row, true_row)) in rows.iter().zip(&values).enumerate() {
            for (c, name) in names.iter().map(String::as_str).enumerate() {
                let (Some(shown), Some(truth)) = (shown_row.get(c), true_row.get(c)) else {
                    continue;
                };
                let Ok(x) = truth.parse::<f64>() else {
                    continue;
                };
                let Some((v, unit)) = shown_number(shown) else {
                    failures.push(format!(
                        "{} row {r} {name}: {shown:?} is not a number for {truth}",
                        t.name
                    ));
                    continue;
                };
                if x.fract() == 0.0 && shown.contains(['e', 'E']) {
                    failures.push(format!(
                        "{} row {r} {name}: integer {truth} shown as {shown}",
                        t.name
                    ));
                }
                if x != 0.0 && v == 0.0 {
                    failures.push(format!(
                        "{} row {r} {name}: {truth} shown as zero ({shown})",
                        t.name
                    ));
                }
                let tol = if unit == 0.0 {
                    x.abs() * 5e-4
                } else {
                    unit / 2.0
                };
                if (v - x).abs() > tol * (1.0 + 1e-9) + 1e-12 {
                    failures.push(format!(
                        "{} row {r} {name}: shown {shown} but the value is {truth}",
                        t.name
                    ));
                }
                if is_rate_column(name) && !shown.ends_with('%') && !shown.ends_with(" pt") {
                    failures.push(format!(
                        "{} row {r} {name}: a rate shown as {shown}, not a percentage",
                        t.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_check_catches_a_rate_shown_as_another_number() {
    assert_eq!(shown_number("4.0%"), Some((0.04, 0.001)));
    assert_eq!(shown_number("-1.0 pt").map(|x| x.0), Some(-0.01));
    // 0.04 shown as 0.0 reads as zero, and a rate column shown without % is flagged
    assert_eq!(shown_number("0.0"), Some((0.0, 0.1)));
    assert!(is_rate_column("rate") && is_rate_column("conversion_from_first"));
    let (v, unit) = shown_number("0.0412").expect("number");
    assert!((v - 0.04).abs() > unit / 2.0, "0.0412 is not 0.04");
    assert_eq!(shown_number("1,234.5"), Some((1234.5, 0.1)));
    assert_eq!(shown_number("wechat"), None);
}
