//! Whole-table operations, all native: select, head, filter, sort, group_by/agg, join,
//! adding columns, building from records, and JSON.

use super::column::Column;
use super::error::TableError;
use super::table::Table;
use super::value::{DType, Value};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A comparison used by [`Table::filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`: the cell's text contains the value's text.
    Contains,
}

impl CmpOp {
    /// Parses `==`, `!=`, `<`, `<=`, `>`, `>=`, `contains` (also `=`).
    pub fn parse(op: &str) -> Result<CmpOp, TableError> {
        Ok(match op.trim() {
            "==" | "=" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "contains" => CmpOp::Contains,
            other => {
                return Err(TableError::Invalid(format!(
                    "unknown comparison {}: use one of ==, !=, <, <=, >, >=, contains",
                    super::value::quote_text(other)
                )))
            }
        })
    }
}

/// An aggregate function for [`Table::group_by`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Sum of the non-missing numeric cells: integers exactly (an overflow of the
    /// 64-bit range is an error naming the column), floats compensated (Neumaier).
    Sum,
    /// Mean of the non-missing numeric cells (missing when there are none), computed
    /// without overflow (`[1e308, 1e308]` gives 1e308).
    Mean,
    /// Smallest value (numbers, dates or text); NaN is skipped unless every value is NaN.
    Min,
    /// Largest value; NaN is skipped unless every value is NaN.
    Max,
    /// Number of non-empty cells.
    Count,
    /// Number of distinct non-empty values.
    CountDistinct,
}

impl Agg {
    /// Parses `sum`, `mean`, `min`, `max`, `count`, `count_distinct`.
    pub fn parse(name: &str) -> Result<Agg, TableError> {
        Ok(match name {
            "sum" => Agg::Sum,
            "mean" | "avg" => Agg::Mean,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "count" => Agg::Count,
            "count_distinct" => Agg::CountDistinct,
            other => {
                return Err(TableError::Invalid(format!(
                    "unknown aggregate {}: use one of sum, mean, min, max, count, count_distinct",
                    super::value::quote_text(other)
                )))
            }
        })
    }
}

/// One output column of an aggregation: `out = agg(column)`.
#[derive(Debug, Clone)]
pub struct AggSpec {
    /// The output column's name.
    pub out: String,
    /// The function.
    pub agg: Agg,
    /// The input column.
    pub column: String,
}

/// Orders two cells: numbers numerically (ints and floats together), dates and
/// date-times in time, text by its bytes, then by type. NaN sorts after every number
/// and missing cells after everything.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Datetime(x), Value::Datetime(y)) => x.cmp(y),
        (Value::Date(x), Value::Datetime(y)) => x.and_time(chrono::NaiveTime::MIN).cmp(y),
        (Value::Datetime(x), Value::Date(y)) => x.cmp(&y.and_time(chrono::NaiveTime::MIN)),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => cmp_f64(x, y),
            _ => a.to_string().cmp(&b.to_string()),
        },
    }
}

/// Floats in order with NaN after every number (and equal to itself).
#[inline]
pub(crate) fn cmp_f64(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

impl Table {
    /// The first `n` rows.
    pub fn head(&self, n: usize) -> Table {
        let rows: Vec<usize> = (0..n.min(self.n_rows())).collect();
        self.take_rows(&rows)
    }

    /// The rows at the given indices, in that order (file lines kept for messages).
    pub fn take_rows(&self, rows: &[usize]) -> Table {
        let cols = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.take(rows)))
            .collect();
        // Names are unique and lengths equal by construction.
        self.derive_rows(cols, rows)
            .unwrap_or_else(|_| self.clone())
    }

    /// The named columns, in the order given.
    pub fn select(&self, names: &[String]) -> Result<Table, TableError> {
        let mut cols = Vec::with_capacity(names.len());
        for n in names {
            cols.push((n.clone(), self.column(n)?.clone()));
        }
        self.derive_same_rows(cols)
    }

    /// The rows whose cell in `column` compares to `value` as `op` says. Numbers compare
    /// numerically, dates as dates (a string value is read as a date in a date column),
    /// text as text; empty cells never match except `!=`.
    pub fn filter(&self, column: &str, op: CmpOp, value: &Value) -> Result<Table, TableError> {
        let col = self.column(column)?;
        let value = match (col.dtype(), value) {
            (DType::Date, Value::Str(s)) => crate::units::parse_date(s)
                .map(Value::Date)
                .map_err(|e| TableError::Invalid(format!("filter on '{column}': {e}")))?,
            (DType::Datetime, Value::Str(s)) => super::csv_read::parse_cell(s, DType::Datetime)
                .filter(|v| !v.is_null())
                .ok_or_else(|| {
                    TableError::Invalid(format!(
                        "filter on '{column}': {s:?} is not a date and time (YYYY-MM-DD HH:MM:SS)"
                    ))
                })?,
            _ => value.clone(),
        };
        let numeric_col = matches!(col.dtype(), DType::Int | DType::Float);
        if op != CmpOp::Contains && numeric_col && value.as_f64().is_none() && !value.is_null() {
            return Err(TableError::Invalid(format!(
                "filter on '{column}': the column holds numbers but the value {} is not a number",
                super::value::quoted(&value)
            )));
        }
        let needle = value.to_string();
        let keep: Vec<bool> = (0..self.n_rows())
            .map(|r| {
                if op == CmpOp::Contains {
                    return match col.str_at(r) {
                        Some(s) => s.contains(needle.as_str()),
                        None => col.text_at(r).is_some_and(|s| s.contains(needle.as_str())),
                    };
                }
                let cell = col.get(r);
                if cell.is_null() {
                    return op == CmpOp::Ne && !value.is_null();
                }
                let ord = compare_values(&cell, &value);
                match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                    CmpOp::Contains => false,
                }
            })
            .collect();
        Ok(self.filter_mask(&keep))
    }

    /// The rows where `keep` is true.
    pub fn filter_mask(&self, keep: &[bool]) -> Table {
        let mask = arrow_array::BooleanArray::from(keep.to_vec());
        self.filter_bools(&mask)
    }

    /// The rows where `mask` is true (missing counts as false).
    pub(crate) fn filter_bools(&self, mask: &arrow_array::BooleanArray) -> Table {
        let rows: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter_map(|(i, k)| (k == Some(true)).then_some(i))
            .collect();
        let cols = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.filter(mask)))
            .collect();
        self.derive_rows(cols, &rows)
            .unwrap_or_else(|_| self.clone())
    }

    /// The rows sorted by `column` (stable). Missing cells come last in either
    /// direction, and NaN after every number (before missing cells) in either direction.
    pub fn sort(&self, column: &str, descending: bool) -> Result<Table, TableError> {
        let col = self.column(column)?;
        let rows = sort_indices(col, descending);
        Ok(self.take_rows(&rows))
    }

    /// Groups rows by the `keys` columns (groups in order of first appearance) and
    /// computes each aggregate per group. Output: the key columns, then one column per
    /// spec; the rules of each aggregate are in [`Agg`].
    pub fn group_by(&self, keys: &[String], specs: &[AggSpec]) -> Result<Table, TableError> {
        let key_cols: Vec<&Column> = keys
            .iter()
            .map(|k| self.column(k))
            .collect::<Result<_, _>>()?;
        let (ids, firsts) = super::keys::group_ids(&key_cols, self.n_rows());
        let n_groups = firsts.len();
        let mut out: Vec<(String, Column)> = keys
            .iter()
            .zip(&key_cols)
            .map(|(k, c)| (k.clone(), c.take(&firsts)))
            .collect();
        for spec in specs {
            let col = self.column(&spec.column)?;
            let numeric = matches!(col.dtype(), DType::Int | DType::Float);
            if matches!(spec.agg, Agg::Sum | Agg::Mean) && !numeric {
                return Err(TableError::WrongType {
                    file: self.source().to_string(),
                    name: spec.column.clone(),
                    found: col.dtype().name().to_string(),
                    expected: "numbers".to_string(),
                    operation: format!("{:?}", spec.agg).to_lowercase(),
                });
            }
            let column =
                super::aggregate::aggregate(col, &ids, n_groups, spec.agg).map_err(|e| {
                    TableError::Invalid(format!("{}: column '{}': {e}", self.source(), spec.column))
                })?;
            out.push((spec.out.clone(), column));
        }
        self.derive(out)
    }

    /// Joins with `other` on the `on` columns (equal keys; empty keys never match; keys
    /// compare as they read: text `007` never equals the number 7).
    /// `left: false` keeps matching rows only (inner join); `left: true` keeps every row
    /// of `self`, with empty cells where `other` has no match. Columns of `other` whose
    /// names clash get the suffix `_right`. The output's size is counted before it is
    /// built: more than `JOIN_MAX_CELLS` cells is an error.
    pub fn join(&self, other: &Table, on: &[String], left: bool) -> Result<Table, TableError> {
        let lk: Vec<&Column> = on
            .iter()
            .map(|k| self.column(k))
            .collect::<Result<_, _>>()?;
        let rk: Vec<&Column> = on
            .iter()
            .map(|k| other.column(k))
            .collect::<Result<_, _>>()?;
        let (lrows, rrows) = super::keys::join_rows(&lk, &rk, left, |rows| {
            let cells = rows.saturating_mul((self.n_cols() + other.n_cols()) as u64);
            if cells > JOIN_MAX_CELLS {
                Err(TableError::Invalid(format!(
                    "join on {}: the result would have {rows} rows ({cells} cells), more than the limit of {JOIN_MAX_CELLS} cells; join on more columns or filter first",
                    on.join(", ")
                )))
            } else {
                Ok(())
            }
        })?;
        let mut out: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.take(&lrows)))
            .collect();
        let ridx: arrow_array::UInt32Array = rrows.iter().map(|r| r.map(|r| r as u32)).collect();
        for (name, col) in other.names().iter().zip(other.column_arcs()) {
            if on.contains(name) {
                continue;
            }
            let column = col.take_indices(&ridx);
            let mut n = name.clone();
            while out.iter().any(|(o, _)| *o == n) {
                n.push_str("_right");
            }
            out.push((n, column));
        }
        self.derive_rows(out, &lrows)
    }

    /// A copy with column `name` set to `values` (replaced if it exists, else appended);
    /// the column's type is inferred from the values.
    pub fn with_column(&self, name: &str, values: Vec<Value>) -> Result<Table, TableError> {
        if values.len() != self.n_rows() {
            return Err(TableError::Invalid(format!(
                "with_column '{name}': {} values for {} rows",
                values.len(),
                self.n_rows()
            )));
        }
        self.with_column_data(name, Column::infer(values))
    }

    /// A copy with column `name` set to `column` (replaced if it exists, else appended).
    pub fn with_column_data(&self, name: &str, column: Column) -> Result<Table, TableError> {
        if column.len() != self.n_rows() {
            return Err(TableError::Invalid(format!(
                "with_column '{name}': {} values for {} rows",
                column.len(),
                self.n_rows()
            )));
        }
        let mut cols: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.as_ref().clone()))
            .collect();
        match cols.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = column,
            None => cols.push((name.to_string(), column)),
        }
        self.derive_same_rows(cols)
    }

    /// Builds a table from records (one map of column → value per row). Columns appear
    /// in order of first appearance; a key missing from a record is an empty cell; each
    /// column's type is inferred.
    pub fn from_records(
        source: &str,
        records: &[Vec<(String, Value)>],
    ) -> Result<Table, TableError> {
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for rec in records {
            for (k, _) in rec {
                if !index.contains_key(k) {
                    index.insert(k.clone(), names.len());
                    names.push(k.clone());
                }
            }
        }
        let mut values: Vec<Vec<Value>> = vec![vec![Value::Null; records.len()]; names.len()];
        for (r, rec) in records.iter().enumerate() {
            for (k, v) in rec {
                if let Some(&c) = index.get(k) {
                    values[c][r] = v.clone();
                }
            }
        }
        let cols = names
            .into_iter()
            .zip(values)
            .map(|(n, v)| (n, Column::infer(v)))
            .collect();
        Table::new(source, cols)
    }

    /// One row as (column, value) pairs.
    pub fn row(&self, row: usize) -> Vec<(String, Value)> {
        self.names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.get(row)))
            .collect()
    }

    /// The table as a JSON array of objects (dates as `YYYY-MM-DD` strings, empty cells
    /// and non-finite floats as null).
    pub fn to_json(&self) -> serde_json::Value {
        let rows = (0..self.n_rows())
            .map(|r| {
                let obj = self
                    .row(r)
                    .into_iter()
                    .map(|(k, v)| (k, value_to_json(&v)))
                    .collect::<serde_json::Map<_, _>>();
                serde_json::Value::Object(obj)
            })
            .collect();
        serde_json::Value::Array(rows)
    }
}

impl Table {
    /// The table as JSON text (an array of objects) of at most `limit` bytes, written row
    /// by row: `Err(rows)` with the rows that fit when it would be longer, so that a
    /// huge table is refused before it is all built.
    pub fn to_json_limited(&self, limit: usize) -> Result<String, usize> {
        let mut out: Vec<u8> = Vec::with_capacity(limit.min(1 << 20));
        out.push(b'[');
        for r in 0..self.n_rows() {
            if r > 0 {
                out.push(b',');
            }
            let obj: serde_json::Map<String, serde_json::Value> = self
                .row(r)
                .into_iter()
                .map(|(k, v)| (k, value_to_json(&v)))
                .collect();
            if serde_json::to_writer(&mut out, &obj).is_err() || out.len() + 1 > limit {
                return Err(r);
            }
        }
        out.push(b']');
        String::from_utf8(out).map_err(|_| 0)
    }
}

/// The most cells a join may produce (2^31, about 16 GiB of 8-byte cells).
pub const JOIN_MAX_CELLS: u64 = 1 << 31;

/// Row indices that sort `col` (stable): missing cells last, NaN after numbers.
pub(crate) fn sort_indices(col: &Column, descending: bool) -> Vec<usize> {
    let n = col.len();
    let mut rows: Vec<usize> = (0..n).collect();
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    // Missing cells, then NaN, go last whatever the direction.
    let rank = |r: usize| -> u8 {
        if col.is_null(r) {
            2
        } else if col.f64_at(r).is_some_and(f64::is_nan) {
            1
        } else {
            0
        }
    };
    match col.dtype() {
        DType::Int => {
            let a = col.ints().map(|a| a.values().to_vec()).unwrap_or_default();
            rows.sort_by(|&x, &y| rank(x).cmp(&rank(y)).then_with(|| dir(a[x].cmp(&a[y]))));
        }
        DType::Float => {
            let a = col
                .floats()
                .map(|a| a.values().to_vec())
                .unwrap_or_default();
            rows.sort_by(|&x, &y| rank(x).cmp(&rank(y)).then_with(|| dir(cmp_f64(a[x], a[y]))));
        }
        DType::Str => {
            rows.sort_by(|&x, &y| {
                rank(x)
                    .cmp(&rank(y))
                    .then_with(|| dir(col.str_at(x).cmp(&col.str_at(y))))
            });
        }
        _ => {
            let values: Vec<Value> = (0..n).map(|r| col.get(r)).collect();
            rows.sort_by(|&x, &y| {
                rank(x)
                    .cmp(&rank(y))
                    .then_with(|| dir(compare_values(&values[x], &values[y])))
            });
        }
    }
    rows
}

/// A cell as JSON (non-finite floats, which JSON cannot hold, as null).
pub fn value_to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => (*i).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Bool(b) => (*b).into(),
        Value::Str(s) => s.clone().into(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string().into(),
        Value::Datetime(t) => super::value::format_datetime(*t).into(),
    }
}

/// Compensated (Neumaier) summation: sums of money columns stay exact to the last
/// cent far longer than a naive loop.
pub fn neumaier_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for x in xs {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            c += (sum - t) + x;
        } else {
            c += (x - t) + sum;
        }
        sum = t;
    }
    if sum.is_finite() {
        sum + c
    } else {
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read_csv_bytes, CsvOptions};
    use super::*;

    fn t(text: &str) -> Table {
        read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default()).expect("valid csv")
    }

    fn col_text(t: &Table, name: &str) -> Vec<String> {
        let c = t.column(name).expect("column");
        (0..t.n_rows())
            .map(|r| c.text_at(r).unwrap_or_default())
            .collect()
    }

    const SALES: &str = "channel,day,orders,revenue\nwechat,1,10,1500.5\nweibo,1,4,600\nwechat,2,,900\ndouyin,2,7,1050.25\nweibo,2,6,\n";

    #[test]
    fn group_by_sums_means_counts() -> Result<(), TableError> {
        let spec = |out: &str, agg, column: &str| AggSpec {
            out: out.into(),
            agg,
            column: column.into(),
        };
        let g = t(SALES).group_by(
            &["channel".into()],
            &[
                spec("orders", Agg::Sum, "orders"),
                spec("revenue", Agg::Sum, "revenue"),
                spec("avg", Agg::Mean, "revenue"),
                spec("n", Agg::Count, "orders"),
                spec("days", Agg::CountDistinct, "day"),
                spec("first", Agg::Min, "day"),
            ],
        )?;
        assert_eq!(col_text(&g, "channel"), ["wechat", "weibo", "douyin"]);
        assert_eq!(col_text(&g, "orders"), ["10", "10", "7"]);
        assert_eq!(col_text(&g, "revenue"), ["2400.5", "600.0", "1050.25"]);
        assert_eq!(col_text(&g, "avg"), ["1200.25", "600.0", "1050.25"]);
        assert_eq!(col_text(&g, "n"), ["1", "2", "1"]);
        assert_eq!(col_text(&g, "days"), ["2", "2", "1"]);
        assert_eq!(col_text(&g, "first"), ["1", "1", "2"]);
        Ok(())
    }

    #[test]
    fn group_by_rejects_sum_of_text() {
        let e = t(SALES)
            .group_by(
                &["day".into()],
                &[AggSpec {
                    out: "x".into(),
                    agg: Agg::Sum,
                    column: "channel".into(),
                }],
            )
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("column 'channel' is string"), "{e}");
    }

    #[test]
    fn filter_sort_head_select() -> Result<(), TableError> {
        let s = t(SALES);
        let f = s.filter("revenue", CmpOp::Ge, &Value::Int(900))?;
        assert_eq!(col_text(&f, "channel"), ["wechat", "wechat", "douyin"]);
        assert_eq!(f.line_of(2), Some(5));
        let sorted = s.sort("revenue", true)?;
        assert_eq!(
            col_text(&sorted, "revenue"),
            ["1500.5", "1050.25", "900.0", "600.0", ""]
        );
        let asc = s.sort("orders", false)?;
        assert_eq!(col_text(&asc, "orders"), ["4", "6", "7", "10", ""]);
        assert_eq!(s.head(2).n_rows(), 2);
        let sel = s.select(&["revenue".into(), "channel".into()])?;
        assert_eq!(sel.names(), &["revenue".to_string(), "channel".to_string()]);
        assert!(s
            .select(&["revnue".into()])
            .map(|_| ())
            .unwrap_err()
            .to_string()
            .contains("did you mean 'revenue'"));
        let c = s.filter("channel", CmpOp::Contains, &Value::Str("we".into()))?;
        assert_eq!(c.n_rows(), 4);
        assert!(s
            .filter("orders", CmpOp::Gt, &Value::Str("x".into()))
            .is_err());
        Ok(())
    }

    #[test]
    fn joins() -> Result<(), TableError> {
        let s = t(SALES);
        let cost = t("channel,cpm,day\nwechat,50,x\nweibo,40,y\n");
        let j = s.join(&cost, &["channel".into()], false)?;
        assert_eq!(j.n_rows(), 4);
        assert_eq!(col_text(&j, "cpm"), ["50", "40", "50", "40"]);
        assert_eq!(col_text(&j, "day_right"), ["x", "y", "x", "y"]);
        let l = s.join(&cost, &["channel".into()], true)?;
        assert_eq!(l.n_rows(), 5);
        assert_eq!(col_text(&l, "cpm"), ["50", "40", "50", "", "40"]);
        Ok(())
    }

    #[test]
    fn records_and_json() -> Result<(), TableError> {
        let t = Table::from_records(
            "<script>",
            &[
                vec![
                    ("name".into(), Value::Str("a".into())),
                    ("x".into(), Value::Int(1)),
                ],
                vec![
                    ("name".into(), Value::Str("b".into())),
                    ("x".into(), Value::Float(2.5)),
                ],
            ],
        )?;
        assert_eq!(t.column("x")?.dtype(), DType::Float);
        assert_eq!(
            t.to_json().to_string(),
            r#"[{"name":"a","x":1.0},{"name":"b","x":2.5}]"#
        );
        Ok(())
    }

    #[test]
    fn text_forms_stop_at_their_size_limit() -> Result<(), TableError> {
        let s = t(SALES);
        let full = s
            .to_json_limited(1 << 20)
            .map_err(|_| TableError::Invalid("json".into()))?;
        assert_eq!(full, s.to_json().to_string());
        assert!(matches!(s.to_json_limited(100), Err(r) if r < 5));
        let csv = super::super::to_csv_string_limited(&s, 1 << 20)?;
        assert_eq!(csv, Ok(super::super::to_csv_string(&s)?));
        assert!(matches!(super::super::to_csv_string_limited(&s, 60)?, Err(r) if r < 5));
        Ok(())
    }

    #[test]
    fn a_join_too_large_is_refused_before_it_is_built() -> Result<(), TableError> {
        // 50,000 x 50,000 rows on one key: 2.5 billion rows, counted, never built.
        let side = |name: &str| {
            Table::new(
                "<script>",
                vec![
                    ("k".into(), Column::int(vec![Some(1); 50_000])),
                    (name.into(), Column::int(vec![Some(2); 50_000])),
                ],
            )
        };
        let e = side("a")?
            .join(&side("b")?, &["k".into()], false)
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("the result would have 2500000000 rows"),
            "{e}"
        );
        Ok(())
    }
}
