//! One cell's value, typed.

use chrono::{NaiveDate, NaiveDateTime};
use std::fmt;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// 64-bit signed integers.
    Int,
    /// 64-bit floats (percentages are stored as fractions).
    Float,
    /// `true` / `false`.
    Bool,
    /// Text.
    Str,
    /// Calendar dates (`YYYY-MM-DD`).
    Date,
    /// Date and time of day without a time zone (`YYYY-MM-DD HH:MM:SS[.ffffff]`),
    /// to the microsecond.
    Datetime,
}

impl DType {
    /// The name used in messages and `--types` options.
    pub fn name(self) -> &'static str {
        match self {
            DType::Int => "int",
            DType::Float => "float",
            DType::Bool => "bool",
            DType::Str => "string",
            DType::Date => "date",
            DType::Datetime => "datetime",
        }
    }

    /// Parses a type name as users write it (`int`, `float`, `bool`, `text`/`string`,
    /// `date`, `datetime`).
    pub fn parse(name: &str) -> Option<DType> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "int" | "integer" | "i64" => DType::Int,
            "float" | "number" | "f64" => DType::Float,
            "bool" | "boolean" => DType::Bool,
            "string" | "str" | "text" => DType::Str,
            "date" => DType::Date,
            "datetime" | "timestamp" => DType::Datetime,
            _ => return None,
        })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A single cell. `Null` is an empty cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An empty cell.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Str(String),
    /// A date.
    Date(NaiveDate),
    /// A date and time of day (no time zone).
    Datetime(NaiveDateTime),
}

impl Value {
    /// The value as a float when it is numeric (ints are widened).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// True for an empty cell.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl fmt::Display for Value {
    /// Renders the cell the way it would be written back to CSV (empty for null).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", format_float(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Datetime(t) => f.write_str(&format_datetime(*t)),
        }
    }
}

/// Formats a date-time as `YYYY-MM-DD HH:MM:SS`, with `.ffffff` (trailing zeros
/// dropped) only when there are fractions of a second, so it reads back unchanged.
pub fn format_datetime(t: NaiveDateTime) -> String {
    use chrono::Timelike;
    let base = t.format("%Y-%m-%d %H:%M:%S").to_string();
    let micros = t.nanosecond() / 1000;
    if micros == 0 {
        return base;
    }
    let frac = format!("{micros:06}");
    format!("{base}.{}", frac.trim_end_matches('0'))
}

/// Formats a float for CSV and JSON so that it reads back as the same float, and as a
/// float: the shortest digits that round-trip (Rust's `{}`), with `.0` added to an
/// integral value below 10^16 (`12.0`, so the column stays a float column) and the
/// exponent form for larger integral values (`1e20`, which would otherwise be read as
/// a digit string). `NaN`, `inf` and `-inf` are written as such.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x != 0.0 && (x.abs() < 1e-5 || x.abs() >= 1e16) {
        return format!("{x:e}");
    }
    let s = format!("{x}");
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        format!("{s}.0")
    } else {
        s
    }
}

/// A value as messages show it: text in double quotes with control characters
/// escaped readably (`"a\tb"`, `"\u{feff}x"` is shown as `"<U+FEFF>x"`), other
/// values as written in CSV.
pub fn quoted(v: &Value) -> String {
    match v {
        Value::Str(s) => quote_text(s),
        Value::Null => "(missing)".to_string(),
        other => other.to_string(),
    }
}

/// Text in double quotes for messages: `\n`, `\t`, `\r`, `\"` and `\\` escaped,
/// other control and invisible characters shown as `<U+XXXX>`.
pub fn quote_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}'
                ) =>
            {
                out.push_str(&format!("<U+{:04X}>", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
