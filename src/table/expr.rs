//! Vectorised column expressions: arithmetic, comparisons, logic and date buckets over
//! whole columns, natively (a script writes `t["clicks"] / t["impressions"]` and no
//! closure runs per row).
//!
//! Rules:
//! - A missing cell on either side gives a missing cell.
//! - `+ - *` of two integer columns is an integer column (an overflow of the 64-bit
//!   range is an error naming the row); with a float on either side, a float column.
//! - `/` always gives floats; division by zero gives a missing cell, never an infinity
//!   in a rate column.
//! - Comparisons give a boolean column: numbers as numbers, text as text, dates as
//!   dates (a text value compared with a date column is read as a date).
//! - `&` and `|` follow three-valued logic: `false & missing` is false, `true |
//!   missing` is true, otherwise a missing side gives a missing cell.

use super::column::{date_to_days, days_to_date, Column};
use super::error::TableError;
use super::ops::{cmp_f64, CmpOp};
use super::value::{quoted, DType, Value};
use arrow_array::{Array, Float64Array, Int64Array};
use arrow_buffer::NullBuffer;
use chrono::Datelike;
use std::borrow::Cow;
use std::cmp::Ordering;

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl Arith {
    fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
        }
    }
}

/// One side of an expression: a column or a single value used for every row.
#[derive(Debug, Clone)]
pub enum Operand<'a> {
    /// A column (its length must match the other side's).
    Column(&'a Column),
    /// A value broadcast to every row.
    Scalar(Value),
}

impl Operand<'_> {
    fn len(&self) -> Option<usize> {
        match self {
            Operand::Column(c) => Some(c.len()),
            Operand::Scalar(_) => None,
        }
    }

    fn dtype(&self) -> Option<DType> {
        match self {
            Operand::Column(c) => Some(c.dtype()),
            Operand::Scalar(Value::Int(_)) => Some(DType::Int),
            Operand::Scalar(Value::Float(_)) => Some(DType::Float),
            Operand::Scalar(Value::Bool(_)) => Some(DType::Bool),
            Operand::Scalar(Value::Str(_)) => Some(DType::Str),
            Operand::Scalar(Value::Date(_)) => Some(DType::Date),
            Operand::Scalar(Value::Datetime(_)) => Some(DType::Datetime),
            Operand::Scalar(Value::Null) => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Operand::Column(c) => format!("a {} column", c.dtype()),
            Operand::Scalar(v) => quoted(v),
        }
    }

    #[inline]
    fn f64_at(&self, row: usize) -> Option<f64> {
        match self {
            Operand::Column(c) => c.f64_at(row),
            Operand::Scalar(v) => v.as_f64(),
        }
    }

    #[inline]
    fn str_at(&self, row: usize) -> Option<&str> {
        match self {
            Operand::Column(c) => c.str_at(row),
            Operand::Scalar(Value::Str(s)) => Some(s),
            Operand::Scalar(_) => None,
        }
    }

    fn value_at(&self, row: usize) -> Value {
        match self {
            Operand::Column(c) => c.get(row),
            Operand::Scalar(v) => v.clone(),
        }
    }
}

fn length(a: &Operand, b: &Operand) -> Result<usize, TableError> {
    match (a.len(), b.len()) {
        (Some(x), Some(y)) if x != y => Err(TableError::Invalid(format!(
            "the columns have different lengths ({x} and {y} rows)"
        ))),
        (Some(x), _) | (_, Some(x)) => Ok(x),
        (None, None) => Ok(1),
    }
}

/// `a op b`, row by row, by the rules above.
pub fn arith(a: &Operand, b: &Operand, op: Arith) -> Result<Column, TableError> {
    let n = length(a, b)?;
    let numeric = |o: &Operand| matches!(o.dtype(), Some(DType::Int | DType::Float) | None);
    if !numeric(a) || !numeric(b) {
        return Err(TableError::Invalid(format!(
            "{} {} {}: arithmetic needs numbers",
            a.describe(),
            op.symbol(),
            b.describe()
        )));
    }
    let ints = a.dtype() == Some(DType::Int) && b.dtype() == Some(DType::Int);
    if ints && op != Arith::Div {
        let (xi, xn) = integers(a, n);
        let (yi, yn) = integers(b, n);
        let nulls = NullBuffer::union(xn.as_ref(), yn.as_ref());
        let mut out = Vec::with_capacity(n);
        for (r, (&x, &y)) in xi.iter().zip(yi.iter()).enumerate() {
            let v = match op {
                Arith::Add => x.checked_add(y),
                Arith::Sub => x.checked_sub(y),
                _ => x.checked_mul(y),
            };
            match v {
                Some(v) => out.push(v),
                None if nulls.as_ref().is_some_and(|m| m.is_null(r)) => out.push(0),
                None => {
                    return Err(TableError::Invalid(format!(
                        "row {}: {x} {} {y} leaves the 64-bit integer range; cast the column to float first",
                        r + 1,
                        op.symbol()
                    )))
                }
            }
        }
        return Ok(Column::from_ints(Int64Array::new(out.into(), nulls)));
    }
    let (x, xn) = numbers(a, n);
    let (y, yn) = numbers(b, n);
    let mut nulls = NullBuffer::union(xn.as_ref(), yn.as_ref());
    let out: Vec<f64> = match op {
        Arith::Add => x.zip_map(&y, n, |p, q| p + q),
        Arith::Sub => x.zip_map(&y, n, |p, q| p - q),
        Arith::Mul => x.zip_map(&y, n, |p, q| p * q),
        Arith::Div => {
            if y.has_zero() {
                // Division by zero is missing: clear those rows' validity.
                let valid: Vec<bool> = (0..n)
                    .map(|r| y.at(r) != 0.0 && nulls.as_ref().is_none_or(|m| m.is_valid(r)))
                    .collect();
                nulls = Some(NullBuffer::from(valid));
            }
            x.zip_map(&y, n, |p, q| p / q)
        }
    };
    Ok(Column::from_floats(Float64Array::new(out.into(), nulls)))
}

/// An operand's numbers, borrowed as they are stored (integers are converted as they
/// are read, never into a vector of their own).
enum Numbers<'a> {
    Floats(&'a [f64]),
    Ints(&'a [i64]),
    Same(f64),
}

/// A number type read as a float.
trait AsFloat: Copy {
    fn float(self) -> f64;
}

impl AsFloat for f64 {
    #[inline(always)]
    fn float(self) -> f64 {
        self
    }
}

impl AsFloat for i64 {
    #[inline(always)]
    fn float(self) -> f64 {
        self as f64
    }
}

impl Numbers<'_> {
    fn at(&self, r: usize) -> f64 {
        match self {
            Numbers::Floats(v) => v[r],
            Numbers::Ints(v) => v[r] as f64,
            Numbers::Same(x) => *x,
        }
    }

    fn has_zero(&self) -> bool {
        match self {
            Numbers::Floats(v) => v.contains(&0.0),
            Numbers::Ints(v) => v.contains(&0),
            Numbers::Same(x) => *x == 0.0,
        }
    }

    /// `f(self[r], other[r])` for every row, in one loop per pair of storage types.
    fn zip_map(&self, other: &Numbers, n: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        fn both<X: AsFloat, Y: AsFloat>(x: &[X], y: &[Y], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
            x.iter()
                .zip(y)
                .map(|(&p, &q)| f(p.float(), q.float()))
                .collect()
        }
        fn left<X: AsFloat>(x: &[X], q: f64, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
            x.iter().map(|&p| f(p.float(), q)).collect()
        }
        fn right<Y: AsFloat>(p: f64, y: &[Y], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
            y.iter().map(|&q| f(p, q.float())).collect()
        }
        use Numbers::{Floats, Ints, Same};
        match (self, other) {
            (Floats(x), Floats(y)) => both(x, y, f),
            (Floats(x), Ints(y)) => both(x, y, f),
            (Ints(x), Floats(y)) => both(x, y, f),
            (Ints(x), Ints(y)) => both(x, y, f),
            (Floats(x), Same(q)) => left(x, *q, f),
            (Ints(x), Same(q)) => left(x, *q, f),
            (Same(p), Floats(y)) => right(*p, y, f),
            (Same(p), Ints(y)) => right(*p, y, f),
            (Same(p), Same(q)) => vec![f(*p, *q); n],
        }
    }
}

/// An operand's numbers (borrowed), and its missing cells.
fn numbers<'a>(o: &'a Operand, n: usize) -> (Numbers<'a>, Option<NullBuffer>) {
    match o {
        Operand::Column(c) => {
            if let Some(a) = c.floats() {
                return (Numbers::Floats(a.values()), a.nulls().cloned());
            }
            if let Some(a) = c.ints() {
                return (Numbers::Ints(a.values()), a.nulls().cloned());
            }
            (Numbers::Same(0.0), Some(NullBuffer::new_null(n)))
        }
        Operand::Scalar(v) => match v.as_f64() {
            Some(x) => (Numbers::Same(x), None),
            None => (Numbers::Same(0.0), Some(NullBuffer::new_null(n))),
        },
    }
}

/// An operand's integers (an integer column or value), and its missing cells.
fn integers<'a>(o: &'a Operand, n: usize) -> (Cow<'a, [i64]>, Option<NullBuffer>) {
    match o {
        Operand::Column(c) => match c.ints() {
            Some(a) => (Cow::Borrowed(a.values()), a.nulls().cloned()),
            None => (Cow::Owned(vec![0; n]), Some(NullBuffer::new_null(n))),
        },
        Operand::Scalar(Value::Int(x)) => (Cow::Owned(vec![*x; n]), None),
        Operand::Scalar(_) => (Cow::Owned(vec![0; n]), Some(NullBuffer::new_null(n))),
    }
}

/// `a op b` as a boolean column (`contains` is not a comparison here: see [`contains`]).
pub fn compare(a: &Operand, b: &Operand, op: CmpOp) -> Result<Column, TableError> {
    let n = length(a, b)?;
    // A text value compared with a date column is read as a date.
    let fix = |o: &Operand, other: &Operand| -> Result<Option<Value>, TableError> {
        match (o, other.dtype()) {
            (Operand::Scalar(Value::Str(s)), Some(d @ (DType::Date | DType::Datetime))) => {
                super::csv_read::parse_cell(s, d)
                    .filter(|v| !v.is_null())
                    .map(Some)
                    .ok_or_else(|| {
                        TableError::Invalid(format!(
                            "comparing a {d} column with {}: the text is not a {d} (write YYYY-MM-DD)",
                            quoted(&Value::Str(s.clone()))
                        ))
                    })
            }
            _ => Ok(None),
        }
    };
    let a_fixed = fix(a, b)?;
    let b_fixed = fix(b, a)?;
    let a = a_fixed.map_or_else(|| a.clone(), Operand::Scalar);
    let b = b_fixed.map_or_else(|| b.clone(), Operand::Scalar);
    let kind = |o: &Operand| match o.dtype() {
        Some(DType::Int | DType::Float) => 0,
        Some(DType::Str) => 1,
        Some(DType::Date | DType::Datetime) => 2,
        Some(DType::Bool) => 3,
        None => 4,
    };
    let (ka, kb) = (kind(&a), kind(&b));
    if ka != kb && ka != 4 && kb != 4 {
        return Err(TableError::Invalid(format!(
            "cannot compare {} with {}",
            a.describe(),
            b.describe()
        )));
    }
    let test = |o: Ordering| match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
        CmpOp::Contains => false,
    };
    let out: Vec<Option<bool>> = if ka == 0 {
        (0..n)
            .map(|r| match (a.f64_at(r), b.f64_at(r)) {
                (Some(x), Some(y)) => {
                    if x.is_nan() || y.is_nan() {
                        // NaN equals nothing, not even NaN; it is neither < nor >.
                        Some(op == CmpOp::Ne)
                    } else {
                        Some(test(cmp_f64(x, y)))
                    }
                }
                _ => None,
            })
            .collect()
    } else if ka == 1 && kb == 1 {
        // Text against text, compared in place (no copy of each cell).
        (0..n)
            .map(|r| match (a.str_at(r), b.str_at(r)) {
                (Some(x), Some(y)) => Some(test(x.cmp(y))),
                _ => None,
            })
            .collect()
    } else {
        (0..n)
            .map(|r| {
                let (x, y) = (a.value_at(r), b.value_at(r));
                if x.is_null() || y.is_null() {
                    None
                } else {
                    Some(test(super::ops::compare_values(&x, &y)))
                }
            })
            .collect()
    };
    Ok(Column::boolean(out))
}

fn bools<'a>(
    o: &'a Operand,
    what: &str,
) -> Result<Box<dyn Fn(usize) -> Option<bool> + 'a>, TableError> {
    match o {
        Operand::Column(c) if c.dtype() == DType::Bool => Ok(Box::new(move |r| c.bool_at(r))),
        Operand::Scalar(Value::Bool(b)) => {
            let b = *b;
            Ok(Box::new(move |_| Some(b)))
        }
        Operand::Scalar(Value::Null) => Ok(Box::new(|_| None)),
        other => Err(TableError::Invalid(format!(
            "{what} needs true/false values, got {}",
            other.describe()
        ))),
    }
}

/// `a & b` (three-valued).
pub fn and(a: &Operand, b: &Operand) -> Result<Column, TableError> {
    let n = length(a, b)?;
    let (x, y) = (bools(a, "&")?, bools(b, "&")?);
    Ok(Column::boolean(
        (0..n)
            .map(|r| match (x(r), y(r)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            })
            .collect(),
    ))
}

/// `a | b` (three-valued).
pub fn or(a: &Operand, b: &Operand) -> Result<Column, TableError> {
    let n = length(a, b)?;
    let (x, y) = (bools(a, "|")?, bools(b, "|")?);
    Ok(Column::boolean(
        (0..n)
            .map(|r| match (x(r), y(r)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            })
            .collect(),
    ))
}

/// `not(a)`: true for false, false for true, missing stays missing.
pub fn not(a: &Column) -> Result<Column, TableError> {
    let operand = Operand::Column(a);
    let x = bools(&operand, "not")?;
    Ok(Column::boolean(
        (0..a.len()).map(|r| x(r).map(|b| !b)).collect(),
    ))
}

/// `-a` for a numeric column.
pub fn negate(a: &Column) -> Result<Column, TableError> {
    arith(
        &Operand::Scalar(Value::Int(0)),
        &Operand::Column(a),
        Arith::Sub,
    )
}

fn numeric(a: &Column, what: &str) -> Result<(), TableError> {
    if matches!(a.dtype(), DType::Int | DType::Float) {
        Ok(())
    } else {
        Err(TableError::Invalid(format!(
            "{what} needs a numeric column, got a {} column",
            a.dtype()
        )))
    }
}

/// Rounds floats half away from zero to `digits` decimals (0 to 15); integers are
/// unchanged. The result is the double nearest the rounded decimal.
pub fn round(a: &Column, digits: i64) -> Result<Column, TableError> {
    numeric(a, "round")?;
    if !(0..=15).contains(&digits) {
        return Err(TableError::Invalid(format!(
            "round: digits must be from 0 to 15, got {digits}"
        )));
    }
    if a.dtype() == DType::Int {
        return Ok(a.clone());
    }
    let scale = 10f64.powi(digits as i32);
    Ok(Column::float(
        (0..a.len())
            .map(|r| {
                a.f64_at(r).map(|x| {
                    if !x.is_finite() || x.abs() * scale >= 1e17 {
                        return x;
                    }
                    // Round on the decimal text so that 2.675 (stored as 2.67499..)
                    // rounds as written to 17 significant digits would, then re-read.
                    let r = (x * scale).round() / scale;
                    format!("{r:.*}", digits as usize)
                        .parse::<f64>()
                        .unwrap_or(r)
                })
            })
            .collect(),
    ))
}

/// The absolute value of each number (an integer column stays integer; `abs` of the
/// smallest 64-bit integer is an error).
pub fn abs(a: &Column) -> Result<Column, TableError> {
    numeric(a, "abs")?;
    if let Some(ints) = a.ints() {
        let mut out = Vec::with_capacity(a.len());
        for (r, v) in ints.iter().enumerate() {
            out.push(match v {
                Some(x) => Some(x.checked_abs().ok_or_else(|| {
                    TableError::Invalid(format!("row {}: abs({x}) does not fit in 64 bits", r + 1))
                })?),
                None => None,
            });
        }
        return Ok(Column::int(out));
    }
    Ok(Column::float(
        (0..a.len()).map(|r| a.f64_at(r).map(f64::abs)).collect(),
    ))
}

/// True where the cell is missing.
pub fn is_missing(a: &Column) -> Column {
    Column::boolean((0..a.len()).map(|r| Some(a.is_null(r))).collect())
}

/// The column with missing cells replaced by `value` (an integer column filled with a
/// float becomes a float column; a value of another type is an error).
pub fn fill_missing(a: &Column, value: &Value) -> Result<Column, TableError> {
    let values: Vec<Value> = (0..a.len())
        .map(|r| {
            if a.is_null(r) {
                value.clone()
            } else {
                a.get(r)
            }
        })
        .collect();
    let dtype = match (a.dtype(), value) {
        (DType::Int, Value::Float(_)) => DType::Float,
        (d, _) => d,
    };
    Column::from_values(dtype, &values).map_err(|_| {
        TableError::Invalid(format!(
            "fill_missing: {} does not fit a {} column",
            quoted(value),
            a.dtype()
        ))
    })
}

fn dates(a: &Column, what: &str) -> Result<Vec<Option<chrono::NaiveDate>>, TableError> {
    match a.dtype() {
        DType::Date => Ok((0..a.len()).map(|r| a.date_at(r)).collect()),
        DType::Datetime => Ok((0..a.len())
            .map(|r| a.datetime_at(r).map(|t| t.date()))
            .collect()),
        d => Err(TableError::Invalid(format!(
            "{what} needs a date column, got a {d} column"
        ))),
    }
}

/// The Monday that starts each date's ISO week (a date column), for weekly buckets.
pub fn week(a: &Column) -> Result<Column, TableError> {
    let d = dates(a, "week")?;
    Ok(Column::date(
        d.into_iter()
            .map(|d| {
                d.and_then(|d| {
                    let back = i32::try_from(d.weekday().num_days_from_monday()).ok()?;
                    days_to_date(date_to_days(d) - back)
                })
            })
            .collect(),
    ))
}

/// The first day of each date's month (a date column), for monthly buckets.
pub fn month(a: &Column) -> Result<Column, TableError> {
    let d = dates(a, "month")?;
    Ok(Column::date(
        d.into_iter()
            .map(|d| d.and_then(|d| d.with_day(1)))
            .collect(),
    ))
}

/// The ISO day of the week: 1 for Monday to 7 for Sunday.
pub fn day_of_week(a: &Column) -> Result<Column, TableError> {
    let d = dates(a, "day_of_week")?;
    Ok(Column::int(
        d.into_iter()
            .map(|d| d.map(|d| i64::from(d.weekday().number_from_monday())))
            .collect(),
    ))
}

/// True where the text contains `needle` (missing stays missing).
pub fn contains(a: &Column, needle: &str) -> Result<Column, TableError> {
    if a.dtype() != DType::Str {
        return Err(TableError::Invalid(format!(
            "contains needs a text column, got a {} column",
            a.dtype()
        )));
    }
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    Ok(Column::boolean(
        (0..a.len())
            .map(|r| a.str_at(r).map(|s| finder.find(s.as_bytes()).is_some()))
            .collect(),
    ))
}

/// The column's values read as `dtype` by the CSV reader's rules (numbers to text are
/// written as in CSV; text to numbers parses; int to float widens; float to int only
/// when every value is a whole number in range). A value that does not convert is an
/// error naming the row and the value.
pub fn cast(a: &Column, dtype: DType) -> Result<Column, TableError> {
    if a.dtype() == dtype {
        return Ok(a.clone());
    }
    let mut out = Vec::with_capacity(a.len());
    for r in 0..a.len() {
        let v = a.get(r);
        let c = match (&v, dtype) {
            (Value::Null, _) => Some(Value::Null),
            (_, DType::Str) => Some(Value::Str(v.to_string())),
            (Value::Int(i), DType::Float) => Some(Value::Float(*i as f64)),
            (Value::Float(f), DType::Int) => {
                (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(Value::Int(*f as i64))
            }
            (Value::Date(d), DType::Datetime) => {
                Some(Value::Datetime(d.and_time(chrono::NaiveTime::MIN)))
            }
            (Value::Datetime(t), DType::Date) => Some(Value::Date(t.date())),
            (Value::Bool(b), DType::Int) => Some(Value::Int(i64::from(*b))),
            (Value::Str(s), d) => super::csv_read::parse_cell(s, d),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => {
                return Err(TableError::Invalid(format!(
                    "cast to {dtype}: row {} holds {}, which is not {}",
                    r + 1,
                    quoted(&v),
                    match dtype {
                        DType::Int => "a whole number",
                        DType::Float => "a number",
                        DType::Bool => "true or false",
                        DType::Date => "a date (YYYY-MM-DD)",
                        DType::Datetime => "a date and time",
                        DType::Str => "text",
                    }
                )))
            }
        }
    }
    Column::from_values(dtype, &out).map_err(|i| {
        TableError::Invalid(format!("cast to {dtype}: row {} does not convert", i + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(v: &[Option<i64>]) -> Column {
        Column::int(v.to_vec())
    }

    #[test]
    fn division_by_zero_is_missing_and_ints_divide_to_floats() -> Result<(), TableError> {
        let clicks = col(&[Some(30), Some(5), None, Some(1)]);
        let imps = col(&[Some(1000), Some(0), Some(10), Some(3)]);
        let ctr = arith(
            &Operand::Column(&clicks),
            &Operand::Column(&imps),
            Arith::Div,
        )?;
        assert_eq!(ctr.dtype(), DType::Float);
        assert_eq!(ctr.f64_at(0), Some(0.03));
        assert!(ctr.is_null(1) && ctr.is_null(2));
        assert_eq!(ctr.f64_at(3), Some(1.0 / 3.0));
        let sum = arith(
            &Operand::Column(&clicks),
            &Operand::Scalar(Value::Int(1)),
            Arith::Add,
        )?;
        assert_eq!(sum.dtype(), DType::Int);
        assert_eq!(sum.i64_at(0), Some(31));
        let big = col(&[Some(i64::MAX)]);
        let e = arith(
            &Operand::Column(&big),
            &Operand::Scalar(Value::Int(1)),
            Arith::Add,
        );
        assert!(e.is_err());
        Ok(())
    }

    /// Every pair of storage types (float and integer columns, a number on either
    /// side) gives the float arithmetic of the values.
    #[test]
    fn every_pair_of_number_kinds_combines() -> Result<(), TableError> {
        let ints = col(&[Some(3), Some(-4), Some(10)]);
        let floats = Column::float(vec![Some(0.5), Some(2.25), Some(-1.0)]);
        let xs = [3.0, -4.0, 10.0];
        let ys = [0.5, 2.25, -1.0];
        type Op = fn(f64, f64) -> f64;
        let ops: [(Arith, Op); 4] = [
            (Arith::Add, |p, q| p + q),
            (Arith::Sub, |p, q| p - q),
            (Arith::Mul, |p, q| p * q),
            (Arith::Div, |p, q| p / q),
        ];
        for (op, f) in ops {
            let cases: [(Operand, Operand, [f64; 3]); 6] = [
                (
                    Operand::Column(&floats),
                    Operand::Column(&ints),
                    [0, 1, 2].map(|r| f(ys[r], xs[r])),
                ),
                (
                    Operand::Column(&ints),
                    Operand::Column(&floats),
                    [0, 1, 2].map(|r| f(xs[r], ys[r])),
                ),
                (
                    Operand::Column(&floats),
                    Operand::Column(&floats),
                    [0, 1, 2].map(|r| f(ys[r], ys[r])),
                ),
                (
                    Operand::Column(&ints),
                    Operand::Scalar(Value::Float(0.5)),
                    [0, 1, 2].map(|r| f(xs[r], 0.5)),
                ),
                (
                    Operand::Scalar(Value::Int(7)),
                    Operand::Column(&floats),
                    [0, 1, 2].map(|r| f(7.0, ys[r])),
                ),
                (
                    Operand::Scalar(Value::Float(1.5)),
                    Operand::Column(&ints),
                    [0, 1, 2].map(|r| f(1.5, xs[r])),
                ),
            ];
            for (a, b, want) in cases {
                let got = arith(&a, &b, op)?;
                for (r, w) in want.iter().enumerate() {
                    assert_eq!(got.f64_at(r), Some(*w), "{op:?} row {r}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn comparisons_and_three_valued_logic() -> Result<(), TableError> {
        let spend = Column::float(vec![Some(50.0), Some(150.0), None, Some(f64::NAN)]);
        let gt = compare(
            &Operand::Column(&spend),
            &Operand::Scalar(Value::Int(100)),
            CmpOp::Gt,
        )?;
        assert_eq!(
            (0..4).map(|r| gt.bool_at(r)).collect::<Vec<_>>(),
            [Some(false), Some(true), None, Some(false)]
        );
        let f = Column::boolean(vec![Some(false), None, Some(true), None]);
        let t = Column::boolean(vec![None, Some(true), Some(true), None]);
        let a = and(&Operand::Column(&f), &Operand::Column(&t))?;
        assert_eq!(
            (0..4).map(|r| a.bool_at(r)).collect::<Vec<_>>(),
            [Some(false), None, Some(true), None]
        );
        let o = or(&Operand::Column(&f), &Operand::Column(&t))?;
        assert_eq!(
            (0..4).map(|r| o.bool_at(r)).collect::<Vec<_>>(),
            [None, Some(true), Some(true), None]
        );
        let days = Column::date(vec![chrono::NaiveDate::from_ymd_opt(2024, 7, 3)]);
        let after = compare(
            &Operand::Column(&days),
            &Operand::Scalar(Value::Str("2024-07-01".into())),
            CmpOp::Ge,
        )?;
        assert_eq!(after.bool_at(0), Some(true));
        assert!(compare(
            &Operand::Column(&days),
            &Operand::Scalar(Value::Int(3)),
            CmpOp::Eq
        )
        .is_err());
        Ok(())
    }

    #[test]
    fn date_buckets() -> Result<(), TableError> {
        // 2024-07-03 is a Wednesday; its ISO week starts Monday 2024-07-01.
        let d = Column::date(vec![chrono::NaiveDate::from_ymd_opt(2024, 7, 3), None]);
        assert_eq!(week(&d)?.text_at(0).as_deref(), Some("2024-07-01"));
        assert_eq!(month(&d)?.text_at(0).as_deref(), Some("2024-07-01"));
        assert_eq!(day_of_week(&d)?.i64_at(0), Some(3));
        assert!(week(&d)?.is_null(1));
        Ok(())
    }

    #[test]
    fn round_fill_cast() -> Result<(), TableError> {
        let x = Column::float(vec![Some(0.125), Some(2.5), None, Some(-1.005)]);
        let r = round(&x, 2)?;
        assert_eq!(r.f64_at(0), Some(0.13));
        assert_eq!(r.f64_at(3), Some(-1.0));
        let f = fill_missing(&x, &Value::Int(0))?;
        assert_eq!(f.f64_at(2), Some(0.0));
        let ids = Column::text_from([Some("007"), Some("12")]);
        assert!(cast(&ids, DType::Int).is_err());
        let n = cast(&Column::text_from([Some("12"), None]), DType::Int)?;
        assert_eq!(n.i64_at(0), Some(12));
        assert_eq!(
            cast(&Column::float(vec![Some(1.5)]), DType::Str)?
                .text_at(0)
                .as_deref(),
            Some("1.5")
        );
        Ok(())
    }
}
