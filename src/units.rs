//! Units of the domain: rates in [0, 1], and the cell notations planners write
//! (`5%`, `0.05`, `1:2.2`, `2024-07-01`).
//!
//! Every domain module parses user-written quantities through this file so that
//! `5%` means the same thing everywhere.

use chrono::NaiveDate;
use std::fmt;
use thiserror::Error;

/// A quantity that could not be read, or a value outside its allowed range.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum UnitError {
    /// A rate outside [0, 1] (or not finite).
    #[error("{what} must be a rate between 0 and 1, got {value}{}", percent_hint(*.value))]
    RateOutOfRange {
        /// The parameter or column the rate was given for.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A cell that is not a number, percentage or ratio.
    #[error(
        "expected a number (like 1200, 0.05, 5% or 1:2.2), got {}{hint}",
        crate::table::quote_text(text)
    )]
    NotANumber {
        /// The text as written.
        text: String,
        /// A suggestion, starting with "; " when present.
        hint: String,
    },
    /// A cell that is not an ISO date.
    #[error(
        "expected a date written YYYY-MM-DD (like 2024-07-01), got {}",
        crate::table::quote_text(text)
    )]
    NotADate {
        /// The text as written.
        text: String,
    },
}

/// A parameter outside its allowed range: what it is, the range in words, the value
/// given. Every domain's errors carry it for their range checks, so the message reads
/// the same everywhere: `hill: half must be a positive number, got -5`.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{what} must be {allowed}, got {}", show_number(*value))]
pub struct RangeError {
    /// The parameter, e.g. `hill: half`.
    pub what: String,
    /// The allowed range in words, e.g. `a positive number`.
    pub allowed: String,
    /// The offending value.
    pub value: f64,
}

/// A number as a message shows it: whole numbers below 2^53 as integers (`120`),
/// others as Rust writes them (`0.25`), very large or very small magnitudes in
/// scientific notation (`1e308`, `5e-324`) rather than hundreds of digits.
pub fn show_number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The hint for a rate written as a percentage number (`5` meaning 5%).
fn percent_hint(value: f64) -> String {
    if value > 1.0 && value <= 100.0 {
        let (v, frac) = (value, value / 100.0);
        format!(" (if you meant {v}%, write {v}% or {frac})")
    } else {
        " (write a share such as 5% or 0.05)".to_string()
    }
}

/// A proportion in the closed interval [0, 1]: a conversion rate, a CTR, a share.
///
/// Constructed only through [`Rate::new`], so a `Rate` is never negative, above one or NaN.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct Rate(f64);

impl Rate {
    /// Checks that `value` lies in [0, 1]; `what` names the parameter in the error.
    pub fn new(value: f64, what: &str) -> Result<Rate, UnitError> {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            Ok(Rate(value))
        } else {
            Err(UnitError::RateOutOfRange {
                what: what.to_string(),
                value,
            })
        }
    }

    /// The rate as a fraction (0.05 for 5%).
    pub fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_percent(self.0))
    }
}

/// How a number was written in a cell; reports use it to speak in points for rates
/// and in the `1:2.2` style for ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Notation {
    /// A plain number such as `1200` or `0.05`.
    Plain,
    /// A percentage such as `5%` (stored as 0.05).
    Percent,
    /// A ratio such as `1:2.2` (stored as 2.2, the second term over the first).
    Ratio,
}

/// A number read from a cell, with the notation it was written in.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Quantity {
    /// The value: `5%` is 0.05, `1:2.2` is 2.2.
    pub value: f64,
    /// How the cell wrote it.
    pub notation: Notation,
}

/// Reads a plain number (`1200`, `-3.5`, `1e6`) with no percent or ratio notation.
pub fn parse_plain(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // Reject things Rust accepts but users never mean: "inf", "NaN", "+".
    let first = t.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads a percentage written with a trailing `%` (`5%`, `12.5 %`) as a fraction.
pub fn parse_percent(text: &str) -> Option<f64> {
    let t = text.trim();
    let body = t.strip_suffix('%')?;
    parse_plain(body).map(|v| v / 100.0)
}

/// Reads a ratio written `a:b` (`1:2.2`) as `b / a` (2.2), the handbook's ROI notation.
pub fn parse_ratio(text: &str) -> Option<f64> {
    let (a, b) = text.trim().split_once(':')?;
    let a = parse_plain(a)?;
    let b = parse_plain(b)?;
    if a == 0.0 {
        return None;
    }
    Some(b / a)
}

/// Reads a cell written as a plain number, a percentage or a ratio.
///
/// Thousands separators (`1,200`) are refused with a hint, never guessed: `1,200` could
/// be twelve hundred or one point two depending on the locale of the export.
pub fn parse_quantity(text: &str) -> Result<Quantity, UnitError> {
    if let Some(value) = parse_plain(text) {
        return Ok(Quantity {
            value,
            notation: Notation::Plain,
        });
    }
    if let Some(value) = parse_percent(text) {
        return Ok(Quantity {
            value,
            notation: Notation::Percent,
        });
    }
    if let Some(value) = parse_ratio(text) {
        return Ok(Quantity {
            value,
            notation: Notation::Ratio,
        });
    }
    Err(not_a_number(text))
}

/// The error for a cell that is not a number, with a hint for the usual causes.
pub fn not_a_number(text: &str) -> UnitError {
    let t = text.trim();
    let hint = if t.contains(',') && t.replace(',', "").parse::<f64>().is_ok() {
        "; it looks like a thousands separator: remove the commas (1200, not 1,200) or load with #{ thousands: true }".to_string()
    } else if t.is_empty() {
        "; the cell is empty".to_string()
    } else {
        String::new()
    };
    UnitError::NotANumber {
        text: text.to_string(),
        hint,
    }
}

/// Reads a calendar date written year first: ISO 8601 (`2024-07-01`) or the forms
/// Chinese sheets use (`2024.7.1`, `2024/7/1`, `2024年7月1日`); never a day- or
/// month-first date, whose order cannot be known.
pub fn parse_date(text: &str) -> Result<NaiveDate, UnitError> {
    crate::table::parse_date_cell(text.trim().as_bytes()).ok_or_else(|| UnitError::NotADate {
        text: text.to_string(),
    })
}

/// Formats a fraction as a percentage by the rate rule of `render::percent`
/// (`0.0525` → `5.25%`, `0.04` → `4.0%`).
pub fn format_percent(fraction: f64) -> String {
    crate::render::percent(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_checked() {
        assert_eq!(Rate::new(0.15, "rate").map(Rate::get), Ok(0.15));
        assert!(Rate::new(1.5, "rate").is_err());
        assert_eq!(
            Rate::new(5.0, "ctr").unwrap_err().to_string(),
            "ctr must be a rate between 0 and 1, got 5 (if you meant 5%, write 5% or 0.05)"
        );
        assert!(Rate::new(-0.1, "rate").is_err());
        assert!(Rate::new(f64::NAN, "rate").is_err());
    }

    #[test]
    fn cell_notations() {
        assert_eq!(parse_quantity("5%").map(|q| q.value), Ok(0.05));
        assert_eq!(
            parse_quantity("1:2.2").map(|q| (q.value, q.notation)),
            Ok((2.2, Notation::Ratio))
        );
        assert_eq!(parse_quantity(" 1200 ").map(|q| q.value), Ok(1200.0));
        assert!(parse_quantity("inf").is_err());
        let err = parse_quantity("1,200").unwrap_err().to_string();
        assert!(err.contains("thousands separator"), "{err}");
    }

    #[test]
    fn formats() {
        assert_eq!(format_percent(0.05), "5.0%");
        assert_eq!(format_percent(0.7333333), "73.3%");
    }

    #[test]
    fn dates() {
        assert!(parse_date("2024-07-01").is_ok());
        assert!(parse_date("07/01/2024").is_err());
    }
}
