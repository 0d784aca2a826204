//! One cell's value, typed.

use chrono::NaiveDate;
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
        }
    }

    /// Parses a type name as users write it (`int`, `float`, `bool`, `string`/`str`, `date`).
    pub fn parse(name: &str) -> Option<DType> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "int" | "integer" | "i64" => DType::Int,
            "float" | "number" | "f64" => DType::Float,
            "bool" | "boolean" => DType::Bool,
            "string" | "str" | "text" => DType::Str,
            "date" => DType::Date,
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
        }
    }
}

/// Formats a float for CSV and JSON: the shortest text that reads back to the same
/// value (Rust's `{}`), so no precision is lost on a round trip.
pub fn format_float(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}
