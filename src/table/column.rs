//! A typed column, held as an Apache Arrow array.
//!
//! Arrow is the columnar format that polars, DuckDB, DataFusion and Parquet share: one
//! contiguous buffer of values per column and a validity bitmap for missing cells.
//! Text with few distinct values (channels, campaigns) is dictionary-encoded: each
//! distinct string is stored once and each cell is a 4-byte key.
//!
//! Domains never see Arrow: they read cells through the typed accessors (`f64_at`,
//! `str_at`, `date_at`, ...) or the whole-column views, and build columns with the
//! constructors (`Column::float(values)`).

use super::kind::Kind;
use super::value::{DType, Value};
use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array,
    Int64Array, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use chrono::{NaiveDate, NaiveDateTime};
use std::sync::Arc;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01, Arrow's
/// day 0 for dates.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A date as Arrow stores it: days since 1970-01-01.
pub fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date `days` after 1970-01-01 (`None` outside chrono's range).
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

/// A date-time as Arrow stores it: microseconds since 1970-01-01 00:00:00.
pub fn datetime_to_micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

/// The date-time `us` microseconds after 1970-01-01 00:00:00.
pub fn micros_to_datetime(us: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(us).map(|t| t.naive_utc())
}

#[derive(Debug, Clone)]
enum Data {
    Int(Int64Array),
    Float(Float64Array),
    Bool(BooleanArray),
    Str(StringArray),
    /// Dictionary-encoded text: `values[keys[row]]`.
    Dict {
        keys: Int32Array,
        values: StringArray,
    },
    Date(Date32Array),
    Datetime(TimestampMicrosecondArray),
}

/// A column of a [`super::Table`]: an Arrow array of one type; missing cells are
/// null. Cloning is cheap (the buffers are shared).
#[derive(Debug, Clone)]
pub struct Column {
    data: Data,
    /// What the values mean, for presentation only (see [`Kind`]).
    kind: Kind,
}

impl PartialEq for Column {
    /// Same type, same length and the same cell in every row (dictionary-encoded and
    /// plain text compare by their text).
    fn eq(&self, other: &Column) -> bool {
        self.dtype() == other.dtype()
            && self.len() == other.len()
            && (0..self.len()).all(|r| self.get(r) == other.get(r))
    }
}

impl Column {
    /// An integer column (`None` is a missing cell).
    pub fn int(values: Vec<Option<i64>>) -> Column {
        Column::from_data(Data::Int(Int64Array::from(values)))
    }

    /// A float column (`None` is a missing cell).
    pub fn float(values: Vec<Option<f64>>) -> Column {
        Column::from_data(Data::Float(Float64Array::from(values)))
    }

    /// A text column (`None` is a missing cell).
    pub fn text(values: Vec<Option<String>>) -> Column {
        Column::from_data(Data::Str(StringArray::from(values)))
    }

    /// A text column from borrowed strings.
    pub fn text_from<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Column {
        let mut b = StringBuilder::new();
        for v in values {
            b.append_option(v);
        }
        Column::from_data(Data::Str(b.finish()))
    }

    /// A boolean column (`None` is a missing cell).
    pub fn boolean(values: Vec<Option<bool>>) -> Column {
        Column::from_data(Data::Bool(BooleanArray::from(values)))
    }

    /// A date column (`None` is a missing cell).
    pub fn date(values: Vec<Option<NaiveDate>>) -> Column {
        Column::from_data(Data::Date(Date32Array::from(
            values
                .into_iter()
                .map(|d| d.map(date_to_days))
                .collect::<Vec<_>>(),
        )))
    }

    /// A date-time column (`None` is a missing cell).
    pub fn datetime(values: Vec<Option<NaiveDateTime>>) -> Column {
        Column::from_data(Data::Datetime(TimestampMicrosecondArray::from(
            values
                .into_iter()
                .map(|d| d.map(datetime_to_micros))
                .collect::<Vec<_>>(),
        )))
    }

    /// A dictionary-encoded text column: cell `r` is `values[keys[r]]` (a null key is
    /// a missing cell). Errors when a key is out of range.
    pub(crate) fn dictionary(keys: Int32Array, values: StringArray) -> Result<Column, String> {
        let n = values.len() as u64;
        // Fast path over the raw keys (a loop the compiler vectorises; a negative key
        // wraps to a huge unsigned one); only when one fails are the keys under missing
        // cells, which mean nothing, set aside.
        let in_range = |k: i32| u64::from(k as u32) < n;
        let all = keys.values().iter().fold(true, |ok, &k| ok & in_range(k));
        if !all && keys.iter().flatten().any(|k| !in_range(k)) {
            return Err("a dictionary key is out of range".into());
        }
        Ok(Column::from_data(Data::Dict { keys, values }))
    }

    /// A float column from an Arrow array.
    pub(crate) fn from_floats(a: Float64Array) -> Column {
        Column::from_data(Data::Float(a))
    }

    /// An integer column from an Arrow array.
    pub(crate) fn from_ints(a: Int64Array) -> Column {
        Column::from_data(Data::Int(a))
    }

    fn from_data(data: Data) -> Column {
        Column {
            data,
            kind: Kind::Plain,
        }
    }

    /// The same column with its values' meaning declared (presentation only).
    pub fn with_kind(mut self, kind: Kind) -> Column {
        self.kind = kind;
        self
    }

    /// What the values mean ([`Kind::Plain`] unless declared).
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The column from an Arrow array of a supported type: Int64, Float64, Boolean,
    /// Utf8, Dictionary(Int32, Utf8), Date32, Timestamp(Microsecond). Other integer and
    /// float widths are widened; other types are an error naming the type.
    pub fn from_arrow(array: &ArrayRef) -> Result<Column, String> {
        use arrow_array::cast::AsArray;
        use arrow_schema::{DataType as A, TimeUnit};
        let a = array.as_ref();
        Ok(Column::from_data(match a.data_type() {
            A::Int64 => Data::Int(a.as_primitive::<arrow_array::types::Int64Type>().clone()),
            A::Int32 => Data::Int(
                a.as_primitive::<Int32Type>()
                    .iter()
                    .map(|v| v.map(i64::from))
                    .collect(),
            ),
            A::Float64 => Data::Float(a.as_primitive::<arrow_array::types::Float64Type>().clone()),
            A::Boolean => Data::Bool(a.as_boolean().clone()),
            A::Utf8 => Data::Str(a.as_string::<i32>().clone()),
            A::Date32 => Data::Date(a.as_primitive::<arrow_array::types::Date32Type>().clone()),
            A::Timestamp(TimeUnit::Microsecond, None) => Data::Datetime(
                a.as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                    .clone(),
            ),
            A::Dictionary(k, v) if **k == A::Int32 && **v == A::Utf8 => {
                let d = a.as_dictionary::<Int32Type>();
                Data::Dict {
                    keys: d.keys().clone(),
                    values: d.values().as_string::<i32>().clone(),
                }
            }
            other => return Err(format!("the Arrow type {other} is not supported")),
        }))
    }

    /// The column as an Arrow array (shares the buffers).
    pub fn to_arrow(&self) -> ArrayRef {
        match &self.data {
            Data::Int(a) => Arc::new(a.clone()),
            Data::Float(a) => Arc::new(a.clone()),
            Data::Bool(a) => Arc::new(a.clone()),
            Data::Str(a) => Arc::new(a.clone()),
            Data::Dict { keys, values } => Arc::new(DictionaryArray::<Int32Type>::new(
                keys.clone(),
                Arc::new(values.clone()),
            )),
            Data::Date(a) => Arc::new(a.clone()),
            Data::Datetime(a) => Arc::new(a.clone()),
        }
    }

    fn array(&self) -> &dyn Array {
        match &self.data {
            Data::Int(a) => a,
            Data::Float(a) => a,
            Data::Bool(a) => a,
            Data::Str(a) => a,
            Data::Dict { keys, .. } => keys,
            Data::Date(a) => a,
            Data::Datetime(a) => a,
        }
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.array().len()
    }

    /// True when the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of missing cells.
    pub fn null_count(&self) -> usize {
        self.array().null_count()
    }

    /// The column's type.
    pub fn dtype(&self) -> DType {
        match &self.data {
            Data::Int(_) => DType::Int,
            Data::Float(_) => DType::Float,
            Data::Bool(_) => DType::Bool,
            Data::Str(_) | Data::Dict { .. } => DType::Str,
            Data::Date(_) => DType::Date,
            Data::Datetime(_) => DType::Datetime,
        }
    }

    /// True when the text column stores each distinct value once (dictionary-encoded).
    pub fn is_dictionary(&self) -> bool {
        matches!(self.data, Data::Dict { .. })
    }

    /// True when the cell at `row` is missing (or `row` is out of range).
    #[inline]
    pub fn is_null(&self, row: usize) -> bool {
        let a = self.array();
        row >= a.len() || a.is_null(row)
    }

    /// The cell at `row` (out of range is `Null`, never a panic).
    pub fn get(&self, row: usize) -> Value {
        if self.is_null(row) {
            return Value::Null;
        }
        match &self.data {
            Data::Int(a) => Value::Int(a.value(row)),
            Data::Float(a) => Value::Float(a.value(row)),
            Data::Bool(a) => Value::Bool(a.value(row)),
            Data::Str(_) | Data::Dict { .. } => self
                .str_at(row)
                .map_or(Value::Null, |s| Value::Str(s.into())),
            Data::Date(a) => days_to_date(a.value(row)).map_or(Value::Null, Value::Date),
            Data::Datetime(a) => {
                micros_to_datetime(a.value(row)).map_or(Value::Null, Value::Datetime)
            }
        }
    }

    /// The cell as a float when the column is numeric and the cell is not missing.
    #[inline]
    pub fn f64_at(&self, row: usize) -> Option<f64> {
        if self.is_null(row) {
            return None;
        }
        match &self.data {
            Data::Int(a) => Some(a.value(row) as f64),
            Data::Float(a) => Some(a.value(row)),
            _ => None,
        }
    }

    /// The integer at `row` (`None` when missing or the column is not integer).
    #[inline]
    pub fn i64_at(&self, row: usize) -> Option<i64> {
        match &self.data {
            Data::Int(a) if !self.is_null(row) => Some(a.value(row)),
            _ => None,
        }
    }

    /// The boolean at `row` (`None` when missing or the column is not boolean).
    #[inline]
    pub fn bool_at(&self, row: usize) -> Option<bool> {
        match &self.data {
            Data::Bool(a) if !self.is_null(row) => Some(a.value(row)),
            _ => None,
        }
    }

    /// The text at `row` without copying (`None` when missing or not a text column).
    #[inline]
    pub fn str_at(&self, row: usize) -> Option<&str> {
        if self.is_null(row) {
            return None;
        }
        match &self.data {
            Data::Str(a) => Some(a.value(row)),
            Data::Dict { keys, values } => {
                let k = usize::try_from(keys.value(row)).ok()?;
                (k < values.len()).then(|| values.value(k))
            }
            _ => None,
        }
    }

    /// The date at `row` (`None` when missing or not a date column).
    #[inline]
    pub fn date_at(&self, row: usize) -> Option<NaiveDate> {
        match &self.data {
            Data::Date(a) if !self.is_null(row) => days_to_date(a.value(row)),
            _ => None,
        }
    }

    /// The date-time at `row` (`None` when missing or not a date-time column).
    #[inline]
    pub fn datetime_at(&self, row: usize) -> Option<NaiveDateTime> {
        match &self.data {
            Data::Datetime(a) if !self.is_null(row) => micros_to_datetime(a.value(row)),
            _ => None,
        }
    }

    /// The cell as text (any type rendered as in CSV); `None` for a missing cell.
    pub fn text_at(&self, row: usize) -> Option<String> {
        match self.get(row) {
            Value::Null => None,
            Value::Str(s) => Some(s),
            v => Some(v.to_string()),
        }
    }

    /// The integer values and validity, for whole-column loops.
    pub fn ints(&self) -> Option<&Int64Array> {
        match &self.data {
            Data::Int(a) => Some(a),
            _ => None,
        }
    }

    /// The float values and validity, for whole-column loops.
    pub fn floats(&self) -> Option<&Float64Array> {
        match &self.data {
            Data::Float(a) => Some(a),
            _ => None,
        }
    }

    /// The booleans and validity, for whole-column loops.
    pub fn bools(&self) -> Option<&BooleanArray> {
        match &self.data {
            Data::Bool(a) => Some(a),
            _ => None,
        }
    }

    /// Dates as days since 1970-01-01, for whole-column loops.
    pub fn date_days(&self) -> Option<&Date32Array> {
        match &self.data {
            Data::Date(a) => Some(a),
            _ => None,
        }
    }

    /// Date-times as microseconds since 1970-01-01, for whole-column loops.
    pub fn datetime_micros(&self) -> Option<&TimestampMicrosecondArray> {
        match &self.data {
            Data::Datetime(a) => Some(a),
            _ => None,
        }
    }

    /// A text column's codes: each row's index into the distinct values (first
    /// appearance order is not guaranteed), `None` for a missing cell, and the number
    /// of codes. Dictionary columns answer without hashing.
    pub fn text_codes(&self) -> Option<(Vec<Option<u32>>, usize)> {
        match &self.data {
            Data::Dict { keys, values } => Some((
                keys.iter().map(|k| k.map(|k| k as u32)).collect(),
                values.len(),
            )),
            Data::Str(a) => {
                let mut map: std::collections::HashMap<&str, u32, super::hash::FxBuild> =
                    std::collections::HashMap::default();
                let codes = a
                    .iter()
                    .map(|v| {
                        v.map(|s| {
                            let n = map.len() as u32;
                            *map.entry(s).or_insert(n)
                        })
                    })
                    .collect();
                Some((codes, map.len()))
            }
            _ => None,
        }
    }

    /// A new column holding the cells at `rows`, in that order (a row out of range
    /// gives a missing cell).
    pub fn take(&self, rows: &[usize]) -> Column {
        let n = self.len();
        let idx: UInt32Array = rows.iter().map(|&r| (r < n).then_some(r as u32)).collect();
        self.take_indices(&idx)
    }

    /// The cells at `idx` (a null index gives a missing cell).
    pub(crate) fn take_indices(&self, idx: &UInt32Array) -> Column {
        fn pick<T: Array + Clone + 'static>(a: &T, idx: &UInt32Array) -> T {
            arrow_select::take::take(a, idx, None)
                .ok()
                .and_then(|x| x.as_any().downcast_ref::<T>().cloned())
                .unwrap_or_else(|| a.slice_clone(0, 0))
        }
        let kind = self.kind;
        Column::from_data(match &self.data {
            Data::Int(a) => Data::Int(pick(a, idx)),
            Data::Float(a) => Data::Float(pick(a, idx)),
            Data::Bool(a) => Data::Bool(pick(a, idx)),
            Data::Str(a) => Data::Str(pick(a, idx)),
            Data::Dict { keys, values } => Data::Dict {
                keys: pick(keys, idx),
                values: values.clone(),
            },
            Data::Date(a) => Data::Date(pick(a, idx)),
            Data::Datetime(a) => Data::Datetime(pick(a, idx)),
        })
        .with_kind(kind)
    }

    /// The rows where `mask` is true (a null in the mask drops the row).
    pub(crate) fn filter(&self, mask: &BooleanArray) -> Column {
        fn keep<T: Array + Clone + 'static>(a: &T, mask: &BooleanArray) -> T {
            arrow_select::filter::filter(a, mask)
                .ok()
                .and_then(|x| x.as_any().downcast_ref::<T>().cloned())
                .unwrap_or_else(|| a.slice_clone(0, 0))
        }
        let kind = self.kind;
        Column::from_data(match &self.data {
            Data::Int(a) => Data::Int(keep(a, mask)),
            Data::Float(a) => Data::Float(keep(a, mask)),
            Data::Bool(a) => Data::Bool(keep(a, mask)),
            Data::Str(a) => Data::Str(keep(a, mask)),
            Data::Dict { keys, values } => Data::Dict {
                keys: keep(keys, mask),
                values: values.clone(),
            },
            Data::Date(a) => Data::Date(keep(a, mask)),
            Data::Datetime(a) => Data::Datetime(keep(a, mask)),
        })
        .with_kind(kind)
    }

    /// The column with every dictionary-encoded cell spelled out (plain text).
    pub fn decoded(&self) -> Column {
        match &self.data {
            Data::Dict { .. } => {
                Column::text_from((0..self.len()).map(|r| self.str_at(r))).with_kind(self.kind)
            }
            _ => self.clone(),
        }
    }

    /// Builds a column of type `dtype` from values; a value of another type is an error
    /// naming the first offending index (ints are accepted in float columns, dates in
    /// date-time columns).
    pub fn from_values(dtype: DType, values: &[Value]) -> Result<Column, usize> {
        macro_rules! collect {
            ($ctor:ident, $($pat:pat => $out:expr),+) => {{
                let mut out = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Null => out.push(None),
                        $($pat => out.push(Some($out)),)+
                        _ => return Err(i),
                    }
                }
                Column::$ctor(out)
            }};
        }
        Ok(match dtype {
            DType::Int => collect!(int, Value::Int(x) => *x),
            DType::Float => collect!(float, Value::Float(x) => *x, Value::Int(x) => *x as f64),
            DType::Bool => collect!(boolean, Value::Bool(x) => *x),
            DType::Str => {
                let mut out = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match v {
                        Value::Null => out.push(None),
                        Value::Str(s) => out.push(Some(s.as_str())),
                        _ => return Err(i),
                    }
                }
                Column::text_from(out)
            }
            DType::Date => collect!(date, Value::Date(x) => *x),
            DType::Datetime => collect!(datetime,
                Value::Datetime(x) => *x,
                Value::Date(d) => d.and_time(chrono::NaiveTime::MIN)),
        })
    }

    /// Infers the narrowest type holding every non-null value (int < float; date <
    /// date-time; anything else mixed becomes text) and builds the column.
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
                Value::Datetime(_) => DType::Datetime,
            };
            dtype = Some(match (dtype, t) {
                (None, t) => t,
                (Some(a), b) if a == b => a,
                (Some(DType::Int), DType::Float) | (Some(DType::Float), DType::Int) => DType::Float,
                (Some(DType::Date), DType::Datetime) | (Some(DType::Datetime), DType::Date) => {
                    DType::Datetime
                }
                _ => DType::Str,
            });
        }
        let dtype = dtype.unwrap_or(DType::Str);
        match Column::from_values(dtype, &values) {
            Ok(c) => c,
            Err(_) => Column::text(
                values
                    .iter()
                    .map(|v| (!v.is_null()).then(|| v.to_string()))
                    .collect(),
            ),
        }
    }

    /// Several columns of the same type, one after another. Dictionary-encoded text
    /// stays encoded when every part is (the dictionaries are merged). Errors naming
    /// the two types when they differ.
    pub fn concat(parts: &[&Column]) -> Result<Column, String> {
        let Some(first) = parts.first() else {
            return Ok(Column::text(Vec::new()));
        };
        let dtype = first.dtype();
        if let Some(p) = parts.iter().find(|p| p.dtype() != dtype) {
            return Err(format!("{} and {} cannot be stacked", dtype, p.dtype()));
        }
        let kind = if parts.iter().all(|p| p.kind == first.kind) {
            first.kind
        } else {
            Kind::Plain
        };
        if parts.iter().all(|p| p.is_dictionary()) {
            return Ok(concat_dictionaries(parts).with_kind(kind));
        }
        let arrays: Vec<ArrayRef> = parts
            .iter()
            .map(|p| match p.data {
                Data::Dict { .. } => p.decoded().to_arrow(),
                _ => p.to_arrow(),
            })
            .collect();
        let refs: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
        let joined = arrow_select::concat::concat(&refs).map_err(|e| e.to_string())?;
        Ok(Column::from_arrow(&joined)?.with_kind(kind))
    }
}

fn concat_dictionaries(parts: &[&Column]) -> Column {
    let mut map: std::collections::HashMap<String, i32> = std::collections::HashMap::new();
    let mut values: Vec<String> = Vec::new();
    let mut keys: Vec<Option<i32>> = Vec::new();
    for p in parts {
        if let Data::Dict { keys: k, values: v } = &p.data {
            let remap: Vec<i32> = (0..v.len())
                .map(|i| {
                    let s = v.value(i);
                    *map.entry(s.to_string()).or_insert_with(|| {
                        values.push(s.to_string());
                        (values.len() - 1) as i32
                    })
                })
                .collect();
            keys.extend(
                k.iter()
                    .map(|x| x.and_then(|x| remap.get(x as usize).copied())),
            );
        }
    }
    Column::from_data(Data::Dict {
        keys: Int32Array::from(keys),
        values: StringArray::from(values),
    })
}

/// `slice` for any concrete array type, as a value of that type.
trait SliceClone: Sized {
    fn slice_clone(&self, offset: usize, len: usize) -> Self;
}

impl<T: Array + Clone + 'static> SliceClone for T {
    fn slice_clone(&self, offset: usize, len: usize) -> T {
        self.slice(offset, len)
            .as_any()
            .downcast_ref::<T>()
            .cloned()
            .unwrap_or_else(|| self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_and_missing_cells() {
        let c = Column::int(vec![Some(1), None, Some(i64::MAX)]);
        assert_eq!(c.dtype(), DType::Int);
        assert_eq!(c.len(), 3);
        assert_eq!(c.null_count(), 1);
        assert_eq!(c.i64_at(2), Some(i64::MAX));
        assert!(c.is_null(1));
        assert!(c.is_null(99));
        assert_eq!(c.get(99), Value::Null);
        let d = Column::date(vec![NaiveDate::from_ymd_opt(2024, 7, 1), None]);
        assert_eq!(d.date_at(0), NaiveDate::from_ymd_opt(2024, 7, 1));
        assert_eq!(d.text_at(0).as_deref(), Some("2024-07-01"));
    }

    #[test]
    fn dictionary_keys_are_checked_except_under_missing_cells() {
        let values = || StringArray::from(vec!["a", "b"]);
        for bad in [vec![Some(0), Some(2)], vec![Some(-1), Some(1)]] {
            let e = Column::dictionary(Int32Array::from(bad), values()).unwrap_err();
            assert!(e.contains("out of range"), "{e}");
        }
        // A key under a missing cell means nothing, whatever it holds.
        let keys = Int32Array::new(
            arrow_buffer::ScalarBuffer::from(vec![1, -7, 99]),
            Some(arrow_buffer::NullBuffer::from(vec![true, false, false])),
        );
        let c = Column::dictionary(keys, values()).expect("keys under missing cells ignored");
        assert_eq!(c.str_at(0), Some("b"));
        assert!(c.is_null(1) && c.is_null(2));
    }

    #[test]
    fn dictionary_text_reads_like_plain_text() -> Result<(), String> {
        let d = Column::dictionary(
            Int32Array::from(vec![Some(1), Some(0), None, Some(1)]),
            StringArray::from(vec!["wechat", "weibo"]),
        )?;
        let plain = Column::text_from([Some("weibo"), Some("wechat"), None, Some("weibo")]);
        assert_eq!(d, plain);
        assert_eq!(d.str_at(3), Some("weibo"));
        let t = d.take(&[3, 2, 0]);
        assert!(t.is_dictionary());
        assert_eq!(t.str_at(0), Some("weibo"));
        assert!(t.is_null(1));
        let both = Column::concat(&[&d, &t])?;
        assert!(both.is_dictionary());
        assert_eq!(both.len(), 7);
        assert_eq!(both.str_at(4), Some("weibo"));
        assert!(
            Column::dictionary(Int32Array::from(vec![5]), StringArray::from(vec!["a"])).is_err()
        );
        Ok(())
    }

    #[test]
    fn arrow_round_trip() -> Result<(), String> {
        let c = Column::datetime(vec![
            NaiveDate::from_ymd_opt(2024, 7, 1).and_then(|d| d.and_hms_micro_opt(8, 30, 0, 5)),
            None,
        ]);
        assert_eq!(Column::from_arrow(&c.to_arrow())?, c);
        Ok(())
    }
}
