//! A typed column: one vector of optional values per type.

use super::value::{DType, Value};
use chrono::NaiveDate;

/// A column of a [`super::Table`]. Empty cells are `None`.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Floats.
    Float(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Text.
    Str(Vec<Option<String>>),
    /// Dates.
    Date(Vec<Option<NaiveDate>>),
}

impl Column {
    /// An integer column (`None` is a missing cell).
    pub fn int(values: Vec<Option<i64>>) -> Column {
        Column::Int(values)
    }

    /// A float column (`None` is a missing cell).
    pub fn float(values: Vec<Option<f64>>) -> Column {
        Column::Float(values)
    }

    /// A text column (`None` is a missing cell).
    pub fn text(values: Vec<Option<String>>) -> Column {
        Column::Str(values)
    }

    /// A boolean column (`None` is a missing cell).
    pub fn boolean(values: Vec<Option<bool>>) -> Column {
        Column::Bool(values)
    }

    /// A date column (`None` is a missing cell).
    pub fn date(values: Vec<Option<NaiveDate>>) -> Column {
        Column::Date(values)
    }

    /// The integer at `row` (`None` when missing or the column is not integer).
    pub fn i64_at(&self, row: usize) -> Option<i64> {
        match self {
            Column::Int(v) => v.get(row).copied().flatten(),
            _ => None,
        }
    }

    /// The boolean at `row` (`None` when missing or the column is not boolean).
    pub fn bool_at(&self, row: usize) -> Option<bool> {
        match self {
            Column::Bool(v) => v.get(row).copied().flatten(),
            _ => None,
        }
    }

    /// The text at `row` without copying (`None` when missing or not a text column).
    pub fn str_at(&self, row: usize) -> Option<&str> {
        match self {
            Column::Str(v) => v.get(row).and_then(|s| s.as_deref()),
            _ => None,
        }
    }

    /// The date at `row` (`None` when missing or not a date column).
    pub fn date_at(&self, row: usize) -> Option<NaiveDate> {
        match self {
            Column::Date(v) => v.get(row).copied().flatten(),
            _ => None,
        }
    }
    /// The number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Str(v) => v.len(),
            Column::Date(v) => v.len(),
        }
    }

    /// True when the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column's type.
    pub fn dtype(&self) -> DType {
        match self {
            Column::Int(_) => DType::Int,
            Column::Float(_) => DType::Float,
            Column::Bool(_) => DType::Bool,
            Column::Str(_) => DType::Str,
            Column::Date(_) => DType::Date,
        }
    }

    /// The cell at `row` (panics never: out of range is `Null`).
    pub fn get(&self, row: usize) -> Value {
        match self {
            Column::Int(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::Int),
            Column::Float(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::Float),
            Column::Bool(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::Bool),
            Column::Str(v) => v
                .get(row)
                .and_then(|s| s.clone())
                .map_or(Value::Null, Value::Str),
            Column::Date(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or(Value::Null, Value::Date),
        }
    }

    /// The cell as a float when the column is numeric and the cell is not empty.
    pub fn f64_at(&self, row: usize) -> Option<f64> {
        match self {
            Column::Int(v) => v.get(row).copied().flatten().map(|i| i as f64),
            Column::Float(v) => v.get(row).copied().flatten(),
            _ => None,
        }
    }

    /// The cell as text (any type rendered as in CSV); `None` for an empty cell.
    pub fn text_at(&self, row: usize) -> Option<String> {
        match self.get(row) {
            Value::Null => None,
            Value::Str(s) => Some(s),
            v => Some(v.to_string()),
        }
    }

    /// True when the cell at `row` is empty.
    pub fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Int(v) => v.get(row).is_none_or(|c| c.is_none()),
            Column::Float(v) => v.get(row).is_none_or(|c| c.is_none()),
            Column::Bool(v) => v.get(row).is_none_or(|c| c.is_none()),
            Column::Str(v) => v.get(row).is_none_or(|c| c.is_none()),
            Column::Date(v) => v.get(row).is_none_or(|c| c.is_none()),
        }
    }

    /// A new column holding the cells at `rows`, in that order.
    pub fn take(&self, rows: &[usize]) -> Column {
        fn pick<T: Clone>(v: &[Option<T>], rows: &[usize]) -> Vec<Option<T>> {
            rows.iter().map(|&r| v.get(r).cloned().flatten()).collect()
        }
        match self {
            Column::Int(v) => Column::Int(pick(v, rows)),
            Column::Float(v) => Column::Float(pick(v, rows)),
            Column::Bool(v) => Column::Bool(pick(v, rows)),
            Column::Str(v) => Column::Str(pick(v, rows)),
            Column::Date(v) => Column::Date(pick(v, rows)),
        }
    }

    /// Builds a column of type `dtype` from values; a value of another type is an error
    /// naming the first offending index (ints are accepted in float columns).
    pub fn from_values(dtype: DType, values: &[Value]) -> Result<Column, usize> {
        macro_rules! collect {
            ($variant:ident, $pat:pat => $out:expr) => {{
                let mut out = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Null => out.push(None),
                        $pat => out.push(Some($out)),
                        _ => return Err(i),
                    }
                }
                Column::$variant(out)
            }};
        }
        Ok(match dtype {
            DType::Int => collect!(Int, Value::Int(x) => *x),
            DType::Float => {
                let mut out = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Null => out.push(None),
                        Value::Float(x) => out.push(Some(*x)),
                        Value::Int(x) => out.push(Some(*x as f64)),
                        _ => return Err(i),
                    }
                }
                Column::Float(out)
            }
            DType::Bool => collect!(Bool, Value::Bool(x) => *x),
            DType::Str => collect!(Str, Value::Str(x) => x.clone()),
            DType::Date => collect!(Date, Value::Date(x) => *x),
        })
    }

    /// Infers the narrowest type holding every non-null value (int < float; anything
    /// mixed with text becomes text) and builds the column.
    pub fn infer(values: Vec<Value>) -> Column {
        let mut dtype: Option<DType> = None;
        for v in &values {
            let t = match v {
                Value::Null => continue,
                Value::Int(_) => DType::Int,
                Value::Float(_) => DType::Float,
                Value::Bool(_) => DType::Bool,
                Value::Str(_) => DType::Str,
                Value::Date(_) => DType::Date,
            };
            dtype = Some(match (dtype, t) {
                (None, t) => t,
                (Some(a), b) if a == b => a,
                (Some(DType::Int), DType::Float) | (Some(DType::Float), DType::Int) => DType::Float,
                _ => DType::Str,
            });
        }
        let dtype = dtype.unwrap_or(DType::Str);
        match Column::from_values(dtype, &values) {
            Ok(c) => c,
            Err(_) => Column::Str(
                values
                    .iter()
                    .map(|v| (!v.is_null()).then(|| v.to_string()))
                    .collect(),
            ),
        }
    }
}
