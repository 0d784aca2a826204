//! Conversions between Rhai values and domain values.

use super::error::script_error;
use crate::table::{Column, Table, Value};
use rhai::{Array, Dynamic, EvalAltResult, Map};

/// A number from a script value: ints are accepted wherever floats are meant;
/// `what` names the argument in the error.
pub fn num(v: &Dynamic, what: &str) -> Result<f64, Box<EvalAltResult>> {
    if let Ok(f) = v.as_float() {
        return Ok(f);
    }
    if let Ok(i) = v.as_int() {
        return Ok(i as f64);
    }
    Err(script_error(format!(
        "{what} must be a number, got {} {}",
        v.type_name(),
        if v.is_string() {
            format!("{:?}", v.to_string())
        } else {
            v.to_string()
        }
    )))
}

/// A table cell as a script value: empty cells are `()`, dates are `"YYYY-MM-DD"`.
pub fn value_to_dynamic(v: Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Int(i) => Dynamic::from_int(i),
        Value::Float(f) => Dynamic::from_float(f),
        Value::Bool(b) => Dynamic::from_bool(b),
        Value::Str(s) => Dynamic::from(s),
        Value::Date(d) => Dynamic::from(d.format("%Y-%m-%d").to_string()),
        Value::Datetime(t) => Dynamic::from(crate::table::format_datetime(t)),
    }
}

/// A script value as a table cell: `()` is empty; strings written `YYYY-MM-DD` are
/// dates; anything else that is not a scalar is an error naming `what`.
pub fn dynamic_to_value(v: &Dynamic, what: &str) -> Result<Value, Box<EvalAltResult>> {
    if v.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(i) = v.as_int() {
        return Ok(Value::Int(i));
    }
    if let Ok(f) = v.as_float() {
        return Ok(Value::Float(f));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_string() || v.is_char() {
        let s = v.to_string();
        if s.len() == 10 {
            if let Ok(d) = crate::units::parse_date(&s) {
                return Ok(Value::Date(d));
            }
        }
        return Ok(Value::Str(s));
    }
    Err(script_error(format!(
        "{what} must be a number, string, boolean or (), got {}",
        v.type_name()
    )))
}

/// A table from a script value: a `Table`, or an array of object maps (one per row).
pub fn table_from_dynamic(v: Dynamic, what: &str) -> Result<Table, Box<EvalAltResult>> {
    if v.is::<Table>() {
        return v
            .try_cast::<Table>()
            .ok_or_else(|| script_error("internal error: table cast"));
    }
    if v.is_array() {
        let arr: Array = v.cast();
        return table_from_records(&arr, what);
    }
    Err(script_error(format!(
        "{what} must be a table or an array of object maps, got {}",
        v.type_name()
    )))
}

/// A table from an array of object maps.
pub fn table_from_records(arr: &Array, what: &str) -> Result<Table, Box<EvalAltResult>> {
    let mut records = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        let map = item.read_lock::<Map>().ok_or_else(|| {
            script_error(format!(
                "{what}: element {i} must be an object map like #{{ name: \"x\", value: 1 }}, got {}",
                item.type_name()
            ))
        })?;
        let rec = map
            .iter()
            .map(|(k, v)| {
                Ok((
                    k.to_string(),
                    dynamic_to_value(v, &format!("{what}: element {i}, field '{k}'"))?,
                ))
            })
            .collect::<Result<Vec<_>, Box<EvalAltResult>>>()?;
        records.push(rec);
    }
    Table::from_records("<script>", &records).map_err(script_error)
}

/// A column as a script array.
pub fn column_to_array(c: &Column) -> Array {
    (0..c.len()).map(|r| value_to_dynamic(c.get(r))).collect()
}

/// A row as an object map.
pub fn row_to_map(t: &Table, row: usize) -> Map {
    t.row(row)
        .into_iter()
        .map(|(k, v)| (k.into(), value_to_dynamic(v)))
        .collect()
}
