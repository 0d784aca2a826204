//! One formatter for every number a person reads: by the meaning of the value (its
//! [`Kind`]), the same in terminal tables, Markdown, HTML, spreadsheets and the `fmt`
//! and `pct` script functions.
//!
//! The rules (docs/formats.md, "How numbers are shown"):
//! - rates, shares and changes are percentages with three significant digits and at
//!   least one decimal, trailing zeros beyond the first decimal trimmed: 0.04 is
//!   `4.0%`, 0.0412 is `4.12%`, 0.123456 is `12.3%`, 0.000123 is `0.0123%`; changes
//!   carry their sign (`+12.3%`);
//! - a difference of rates is in percentage points with its sign: -0.01 is `-1.0 pt`;
//! - a value is never shown as a different number: a non-zero value never reads as
//!   zero and a value below one (100%) never reads as one; more decimals are added
//!   until it does not;
//! - counts are grouped integers (`12,345`), with one decimal when the count is an
//!   expectation that is not whole; money is grouped, with two decimals when a value
//!   below 1,000 has cents;
//! - ratios against one read `1:2.2`, durations `2.5 d`;
//! - plain floats keep up to four decimals, with scientific notation only outside
//!   1e-6 to 1e15 (`-0.0002674`, not `-2.674e-4`).
//!
//! In a column every value gets the decimals of the value that needs most (up to three
//! beyond what it needs itself), so the column aligns on the point.

use super::number::{format_display, format_grouped};
use crate::table::{Column, DType, Kind, Value};

/// How the cells of one column are shown: the column's kind and the decimals chosen
/// from its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellFormat {
    kind: Kind,
    dtype: DType,
    /// Decimals for every value of the column (percent kinds: decimals of the percent).
    decimals: Option<usize>,
}

/// The most decimals a column imposes on its values for alignment.
const MAX_ALIGN_DECIMALS: usize = 3;

impl CellFormat {
    /// The format of `column`, looking at its first `rows` values.
    pub fn for_column(column: &Column, rows: usize) -> CellFormat {
        let dtype = column.dtype();
        let kind = column.kind();
        let values: Vec<f64> = (0..rows.min(column.len()))
            .filter_map(|r| column.f64_at(r))
            .filter(|x| x.is_finite())
            .collect();
        CellFormat::for_values(kind, dtype, &values)
    }

    /// The format of a column of `kind` and `dtype` holding `values`.
    pub fn for_values(kind: Kind, dtype: DType, values: &[f64]) -> CellFormat {
        let numeric = matches!(dtype, DType::Int | DType::Float);
        let decimals = if !numeric {
            None
        } else {
            match kind {
                Kind::Rate | Kind::Share | Kind::Change | Kind::Points => values
                    .iter()
                    .map(|x| percent_decimals(x * 100.0, x.abs() < 1.0))
                    .max()
                    .map(|d| d.min(MAX_ALIGN_DECIMALS)),
                Kind::Money => Some(money_decimals(values)),
                Kind::Count => Some(usize::from(values.iter().any(|x| x.fract() != 0.0))),
                Kind::Plain if dtype == DType::Float => plain_grouping(values),
                Kind::Plain | Kind::Ratio | Kind::Days | Kind::PValue => None,
            }
        };
        CellFormat {
            kind,
            dtype,
            decimals,
        }
    }

    /// The format of a single value of `kind`.
    pub fn single(kind: Kind, value: f64) -> CellFormat {
        CellFormat::for_values(kind, DType::Float, &[value])
    }

    /// The kind this format shows.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the cells are numbers (right-aligned).
    pub fn is_numeric(&self) -> bool {
        matches!(self.dtype, DType::Int | DType::Float)
    }

    /// The text of one cell.
    pub fn text(&self, v: &Value) -> String {
        let x = match v {
            Value::Float(x) => *x,
            Value::Int(i) => {
                if self.kind == Kind::Plain {
                    return i.to_string();
                }
                if matches!(self.kind, Kind::Count | Kind::Money) {
                    return super::number::format_grouped_int(i128::from(*i), 0);
                }
                *i as f64
            }
            Value::Str(s) => return s.replace(['\n', '\r', '\t'], " "),
            other => return other.to_string(),
        };
        if !x.is_finite() {
            return format_display(x);
        }
        match self.kind {
            Kind::Plain => match self.decimals {
                // a small value in a column of large ones keeps its own digits: 0.45
                // next to 1,000,000 is `0.45`, not `0.5`
                Some(d) if x.abs() >= 10.0 || x.fract() == 0.0 => format_grouped(x, d),
                _ => format_display(x),
            },
            Kind::Rate | Kind::Share => percent_with(x, self.decimals, false, "%"),
            Kind::Change => percent_with(x, self.decimals, true, "%"),
            Kind::Points => percent_with(x, self.decimals, true, " pt"),
            Kind::Count => {
                let d = self.decimals.unwrap_or(0);
                let d = if x != 0.0 && x.abs() < 1.0 && d > 0 {
                    significant_decimals(x, 2).max(d)
                } else {
                    d
                };
                format_grouped(x, d)
            }
            Kind::Money => {
                let d = self.decimals.unwrap_or(0);
                let d = if x != 0.0 && x.abs() < 0.01 {
                    significant_decimals(x, 2)
                } else {
                    d
                };
                format_grouped(x, d)
            }
            Kind::Ratio => format!("1:{}", trimmed(x, 2)),
            Kind::Days => format!("{} d", trimmed(x, 1)),
            Kind::PValue => p_value(x),
        }
    }
}

/// A value of `kind` as a person reads it (`percent`-like kinds, counts, money, ...).
pub fn format_kind(x: f64, kind: Kind) -> String {
    CellFormat::single(kind, x).text(&Value::Float(x))
}

/// The significance levels a p-value is read against: a shown p-value never lands on
/// one of them unless it is exactly that level.
const LEVELS: [f64; 4] = [0.001, 0.01, 0.05, 0.1];

/// A p-value: four decimals (`0.0312`); below 0.0001 two significant digits in
/// scientific notation (`3.2e-6`), the convention of statistical output, so that a
/// tiny p never reads as 0. A value that would round onto a significance level it
/// is not (0.04996 is not `0.0500`) gets more decimals: `0.04996`.
fn p_value(p: f64) -> String {
    if p != 0.0 && p.abs() < 1e-4 {
        return format!("{p:.1e}");
    }
    let mut d = 4;
    while d < 12 && LEVELS.iter().any(|&a| round_to(p, d) == a && p != a) {
        d += 1;
    }
    let text = format!("{p:.d$}");
    if d > 4 {
        // the digits that tell it from the level, not the zeros after them
        let t = text.trim_end_matches('0');
        t.strip_suffix('.').unwrap_or(t).to_string()
    } else {
        text
    }
}

/// A fraction as a percentage by the rate rule: 0.04 is `4.0%`, 0.0412 is `4.12%`.
pub fn percent(x: f64) -> String {
    format_kind(x, Kind::Rate)
}

/// A difference of two rates in percentage points with its sign: -0.01 is `-1.0 pt`.
pub fn points(x: f64) -> String {
    format_kind(x, Kind::Points)
}

/// A relative change with its sign: 0.123 is `+12.3%`.
pub fn change(x: f64) -> String {
    format_kind(x, Kind::Change)
}

/// The decimals a percentage `p` needs: three significant digits, at least one
/// decimal, trailing zeros beyond the first trimmed; more while a non-zero value
/// would read as zero, or (when `below_one`, the fraction being below 1 in
/// magnitude) a value below 100% would read as 100%.
fn percent_decimals(p: f64, below_one: bool) -> usize {
    if p == 0.0 || !p.is_finite() {
        return 1;
    }
    let sig = significant_decimals(p, 3).max(1);
    let mut d = (1..=sig)
        .find(|&d| (round_to(p, d) - round_to(p, sig)).abs() < 0.5 * 10f64.powi(-(sig as i32)))
        .unwrap_or(sig);
    while d < 12 {
        let shown = round_to(p, d);
        let reads_zero = shown == 0.0;
        let reads_hundred = below_one && shown.abs() >= 100.0;
        if !reads_zero && !reads_hundred {
            break;
        }
        d += 1;
    }
    d
}

/// The decimals that show `x` with `digits` significant digits (0 for large values).
fn significant_decimals(x: f64, digits: i32) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    let magnitude = x.abs().log10().floor() as i32;
    (digits - 1 - magnitude).clamp(0, 15) as usize
}

/// `x` rounded to `d` decimals, as the formatter would show it.
fn round_to(x: f64, d: usize) -> f64 {
    format!("{x:.d$}").parse().unwrap_or(x)
}

/// Money's decimals for a column: none when every value is whole or every non-zero
/// value reaches 1,000; two otherwise.
fn money_decimals(values: &[f64]) -> usize {
    let whole = values.iter().all(|x| x.fract() == 0.0);
    let large = values.iter().all(|x| *x == 0.0 || x.abs() >= 1000.0);
    if whole || large {
        0
    } else {
        2
    }
}

/// A plain float column where some value reaches 1,000 is shown grouped, with one
/// decimal (none when every value is whole), so that volumes and money without a
/// declared kind read `5,000,000` and `85,573.5` rather than `5000000.0` and
/// `85573.5049`; values below 10 in such a column keep their own digits (a column of
/// mixed items, as a scenario table, shows 0.45 next to 1,000,000). `None` (each
/// value by `format_display`) otherwise.
fn plain_grouping(values: &[f64]) -> Option<usize> {
    if !values.iter().any(|x| x.abs() >= 1000.0) {
        return None;
    }
    Some(usize::from(values.iter().any(|x| x.fract() != 0.0)))
}

fn percent_with(x: f64, column: Option<usize>, signed: bool, suffix: &str) -> String {
    let p = x * 100.0;
    let own = percent_decimals(p, x.abs() < 1.0);
    let d = column.map_or(own, |c| c.max(own));
    let body = format!("{:.*}", d, p.abs());
    let zero = body.chars().all(|c| c == '0' || c == '.');
    let sign = if p < 0.0 && !zero {
        "-"
    } else if signed && p > 0.0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{body}{suffix}")
}

/// `x` with at most `max` decimals, trailing zeros trimmed (`2.20` → `2.2`, `3.0` → `3`).
fn trimmed(x: f64, max: usize) -> String {
    let d = significant_decimals(x, 2).max(max);
    let s = format!("{x:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_show_enough_digits() {
        assert_eq!(percent(0.04), "4.0%");
        assert_eq!(percent(0.0412), "4.12%");
        assert_eq!(percent(0.05), "5.0%");
        assert_eq!(percent(0.123456), "12.3%");
        assert_eq!(percent(0.5), "50.0%");
        assert_eq!(percent(0.000123), "0.0123%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(1.25), "125.0%");
    }

    #[test]
    fn a_value_never_reads_as_another() {
        assert_eq!(percent(0.999999), "99.9999%");
        assert_eq!(percent(0.99951), "99.95%");
        assert_eq!(percent(1e-9), "0.0000001%");
        assert_eq!(percent(0.000000012), "0.0000012%");
        assert_eq!(points(-0.0000004), "-0.00004 pt");
    }

    #[test]
    fn differences_of_rates_are_points() {
        assert_eq!(points(-0.01), "-1.0 pt");
        assert_eq!(points(0.05), "+5.0 pt");
        assert_eq!(points(0.0), "0.0 pt");
        assert_eq!(change(0.123), "+12.3%");
        assert_eq!(change(-0.5), "-50.0%");
    }

    #[test]
    fn a_column_aligns_on_its_most_precise_value() {
        let f = CellFormat::for_values(Kind::Rate, DType::Float, &[0.05, 0.0412]);
        assert_eq!(f.text(&Value::Float(0.05)), "5.00%");
        assert_eq!(f.text(&Value::Float(0.0412)), "4.12%");
        let f = CellFormat::for_values(Kind::Rate, DType::Float, &[0.45, 0.35]);
        assert_eq!(f.text(&Value::Float(0.45)), "45.0%");
    }

    #[test]
    fn counts_money_ratios_days() {
        let f = CellFormat::for_values(Kind::Count, DType::Int, &[299898474.0]);
        assert_eq!(f.text(&Value::Int(299898474)), "299,898,474");
        let f = CellFormat::for_values(Kind::Count, DType::Float, &[3734.6, 5000.0]);
        assert_eq!(f.text(&Value::Float(3734.6)), "3,734.6");
        let f = CellFormat::for_values(Kind::Money, DType::Float, &[277000.0, 527256.0]);
        assert_eq!(f.text(&Value::Float(277000.0)), "277,000");
        let f = CellFormat::for_values(Kind::Money, DType::Float, &[0.45, 12.0]);
        assert_eq!(f.text(&Value::Float(0.45)), "0.45");
        assert_eq!(f.text(&Value::Float(12.0)), "12.00");
        assert_eq!(format_kind(2.2, Kind::Ratio), "1:2.2");
        // the review template: sales 1,600,000 on cost 720,000; a break-even ROAS 2.5
        assert_eq!(format_kind(1_600_000.0 / 720_000.0, Kind::Ratio), "1:2.22");
        assert_eq!(format_kind(1.0 / 0.4, Kind::Ratio), "1:2.5");
        assert_eq!(format_kind(2.5, Kind::Days), "2.5 d");
        assert_eq!(format_kind(3.0, Kind::Days), "3 d");
        assert_eq!(format_kind(0.031234, Kind::PValue), "0.0312");
        assert_eq!(format_kind(1.0, Kind::PValue), "1.0000");
        assert_eq!(format_kind(0.0, Kind::PValue), "0.0000");
        assert_eq!(format_kind(3.2e-6, Kind::PValue), "3.2e-6");
        // next to a significance level, enough digits to tell which side it is on
        assert_eq!(format_kind(0.04996, Kind::PValue), "0.04996");
        assert_eq!(format_kind(0.050004, Kind::PValue), "0.050004");
        assert_eq!(format_kind(0.05, Kind::PValue), "0.0500");
    }

    #[test]
    fn small_values_in_a_column_of_large_ones_keep_their_digits() {
        let f = CellFormat::for_values(Kind::Plain, DType::Float, &[0.45, 0.35, 1e6, 0.05]);
        assert_eq!(f.text(&Value::Float(0.45)), "0.45");
        assert_eq!(f.text(&Value::Float(0.05)), "0.05");
        assert_eq!(f.text(&Value::Float(-0.01)), "-0.01");
        assert_eq!(f.text(&Value::Float(1e6)), "1,000,000.0");
        assert_eq!(f.text(&Value::Float(2.0)), "2.0");
    }

    #[test]
    fn plain_floats_avoid_scientific_notation_at_ordinary_magnitudes() {
        assert_eq!(format_kind(-2.674e-4, Kind::Plain), "-0.0002674");
        assert_eq!(format_kind(0.05, Kind::Plain), "0.05");
    }
}
