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
                    "unknown comparison {other:?}: use one of ==, !=, <, <=, >, >=, contains"
                )))
            }
        })
    }
}

/// An aggregate function for [`Table::group_by`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Sum of the non-empty numeric cells.
    Sum,
    /// Mean of the non-empty numeric cells (empty when there are none).
    Mean,
    /// Smallest value (numbers, dates or text).
    Min,
    /// Largest value.
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
                    "unknown aggregate {other:?}: use one of sum, mean, min, max, count, count_distinct"
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

/// Orders two cells: numbers numerically (ints and floats together), then by type;
/// nulls sort last.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.to_string().cmp(&b.to_string()),
        },
    }
}

/// A hashable key for grouping and joining (floats by their bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Int(i64),
    Float(u64),
    Bool(bool),
    Str(String),
    Date(i32),
}

fn key_of(v: Value) -> Key {
    use chrono::Datelike;
    match v {
        Value::Null => Key::Null,
        Value::Int(i) => Key::Int(i),
        Value::Float(f) if f == f.trunc() && f.abs() < 9e15 => Key::Int(f as i64),
        Value::Float(f) => Key::Float(f.to_bits()),
        Value::Bool(b) => Key::Bool(b),
        Value::Str(s) => Key::Str(s),
        Value::Date(d) => Key::Date(d.num_days_from_ce()),
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
        let all: Vec<usize> = (0..self.n_rows()).collect();
        self.derive_rows(cols, &all)
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
            _ => value.clone(),
        };
        let numeric_col = matches!(col.dtype(), DType::Int | DType::Float);
        if op != CmpOp::Contains && numeric_col && value.as_f64().is_none() && !value.is_null() {
            return Err(TableError::Invalid(format!(
                "filter on '{column}': the column holds numbers but the value {value:?} is not a number"
            )));
        }
        let keep: Vec<bool> = (0..self.n_rows())
            .map(|r| {
                let cell = col.get(r);
                match op {
                    CmpOp::Contains => cell.to_string().contains(&value.to_string()),
                    _ if cell.is_null() => op == CmpOp::Ne && !value.is_null(),
                    _ => {
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
                    }
                }
            })
            .collect();
        Ok(self.filter_mask(&keep))
    }

    /// The rows where `keep` is true.
    pub fn filter_mask(&self, keep: &[bool]) -> Table {
        let rows: Vec<usize> = keep
            .iter()
            .enumerate()
            .filter_map(|(i, &k)| k.then_some(i))
            .collect();
        self.take_rows(&rows)
    }

    /// The rows sorted by `column` (stable; nulls last in either direction).
    pub fn sort(&self, column: &str, descending: bool) -> Result<Table, TableError> {
        let col = self.column(column)?;
        let values: Vec<Value> = (0..self.n_rows()).map(|r| col.get(r)).collect();
        let mut rows: Vec<usize> = (0..self.n_rows()).collect();
        rows.sort_by(|&a, &b| {
            let (x, y) = (&values[a], &values[b]);
            match (x.is_null(), y.is_null()) {
                (false, false) if descending => compare_values(y, x),
                _ => compare_values(x, y),
            }
        });
        Ok(self.take_rows(&rows))
    }

    /// Groups rows by the `keys` columns (groups in order of first appearance) and
    /// computes each aggregate per group. Output: the key columns, then one column per
    /// spec. `sum` of an int column is int; `mean` is float; `count`s are ints. Sums of
    /// floats are compensated (Neumaier).
    pub fn group_by(&self, keys: &[String], specs: &[AggSpec]) -> Result<Table, TableError> {
        let key_cols: Vec<&Column> = keys
            .iter()
            .map(|k| self.column(k))
            .collect::<Result<_, _>>()?;
        let (ids, firsts) = group_ids(&key_cols, self.n_rows());
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
            let column = aggregate(col, &ids, n_groups, spec.agg);
            out.push((spec.out.clone(), column));
        }
        self.derive(out)
    }

    /// Joins with `other` on the `on` columns (equal keys; empty keys never match).
    /// `left: false` keeps matching rows only (inner join); `left: true` keeps every row
    /// of `self`, with empty cells where `other` has no match. Columns of `other` whose
    /// names clash get the suffix `_right`.
    pub fn join(&self, other: &Table, on: &[String], left: bool) -> Result<Table, TableError> {
        let lk: Vec<&Column> = on
            .iter()
            .map(|k| self.column(k))
            .collect::<Result<_, _>>()?;
        let rk: Vec<&Column> = on
            .iter()
            .map(|k| other.column(k))
            .collect::<Result<_, _>>()?;
        let mut index: HashMap<Vec<Key>, Vec<usize>> = HashMap::new();
        for r in 0..other.n_rows() {
            let k: Vec<Key> = rk.iter().map(|c| key_of(c.get(r))).collect();
            if k.contains(&Key::Null) {
                continue;
            }
            index.entry(k).or_default().push(r);
        }
        let mut lrows = Vec::new();
        let mut rrows: Vec<Option<usize>> = Vec::new();
        for r in 0..self.n_rows() {
            let k: Vec<Key> = lk.iter().map(|c| key_of(c.get(r))).collect();
            match index.get(&k) {
                Some(ms) => {
                    for &m in ms {
                        lrows.push(r);
                        rrows.push(Some(m));
                    }
                }
                None if left => {
                    lrows.push(r);
                    rrows.push(None);
                }
                None => {}
            }
        }
        let mut out: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.take(&lrows)))
            .collect();
        for (name, col) in other.names().iter().zip(other.column_arcs()) {
            if on.contains(name) {
                continue;
            }
            let values: Vec<Value> = rrows
                .iter()
                .map(|r| r.map_or(Value::Null, |r| col.get(r)))
                .collect();
            let column =
                Column::from_values(col.dtype(), &values).unwrap_or_else(|_| Column::infer(values));
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
        let new = Column::infer(values);
        let mut cols: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| (n.clone(), c.as_ref().clone()))
            .collect();
        match cols.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = new,
            None => cols.push((name.to_string(), new)),
        }
        let all: Vec<usize> = (0..self.n_rows()).collect();
        self.derive_rows(cols, &all)
    }

    /// Builds a table from records (one map of column → value per row). Columns appear
    /// in order of first appearance; a key missing from a record is an empty cell; each
    /// column's type is inferred.
    pub fn from_records(
        source: &str,
        records: &[Vec<(String, Value)>],
    ) -> Result<Table, TableError> {
        let mut names: Vec<String> = Vec::new();
        for rec in records {
            for (k, _) in rec {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        let cols = names
            .iter()
            .map(|n| {
                let values: Vec<Value> = records
                    .iter()
                    .map(|rec| {
                        rec.iter()
                            .find(|(k, _)| k == n)
                            .map_or(Value::Null, |(_, v)| v.clone())
                    })
                    .collect();
                (n.clone(), Column::infer(values))
            })
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
    /// as null).
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

/// A cell as JSON.
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
    }
}

/// Dense group ids (in order of first appearance) for the rows, and each group's
/// first row. One hash lookup per row and key column, on borrowed cells.
fn group_ids(cols: &[&Column], n: usize) -> (Vec<u32>, Vec<usize>) {
    use std::hash::Hash;
    fn codes<T: Hash + Eq>(cells: impl Iterator<Item = T>, n: usize) -> Vec<u32> {
        let mut map: HashMap<T, u32> = HashMap::new();
        let mut out = Vec::with_capacity(n);
        for c in cells {
            let next = map.len() as u32;
            out.push(*map.entry(c).or_insert(next));
        }
        out
    }
    let column_codes = |c: &Column| -> Vec<u32> {
        match c {
            Column::Int(v) => codes(v.iter().copied(), n),
            Column::Float(v) => codes(v.iter().map(|x| x.map(f64::to_bits)), n),
            Column::Bool(v) => codes(v.iter().copied(), n),
            Column::Str(v) => codes(v.iter().map(Option::as_deref), n),
            Column::Date(v) => codes(v.iter().copied(), n),
        }
    };
    let mut ids: Vec<u32> = vec![0; n];
    for c in cols {
        let cc = column_codes(c);
        ids = codes(ids.iter().zip(&cc).map(|(a, b)| (*a, *b)), n);
    }
    if cols.is_empty() {
        ids = codes(std::iter::repeat_n(0u32, n), n);
    }
    let mut firsts: Vec<usize> = Vec::new();
    for (row, &g) in ids.iter().enumerate() {
        if g as usize == firsts.len() {
            firsts.push(row);
        }
    }
    (ids, firsts)
}

fn aggregate(col: &Column, ids: &[u32], n_groups: usize, agg: Agg) -> Column {
    match (agg, col) {
        (Agg::Count, _) => {
            let mut counts = vec![0i64; n_groups];
            for (row, &g) in ids.iter().enumerate() {
                if !col.is_null(row) {
                    counts[g as usize] += 1;
                }
            }
            Column::Int(counts.into_iter().map(Some).collect())
        }
        (Agg::Sum, Column::Int(v)) => {
            let mut sums = vec![0i64; n_groups];
            for (x, &g) in v.iter().zip(ids) {
                if let Some(x) = x {
                    sums[g as usize] = sums[g as usize].wrapping_add(*x);
                }
            }
            Column::Int(sums.into_iter().map(Some).collect())
        }
        (Agg::Sum | Agg::Mean, _) => {
            let mut acc = vec![(0.0f64, 0.0f64, 0usize); n_groups];
            for (row, &g) in ids.iter().enumerate() {
                if let Some(x) = col.f64_at(row) {
                    let (sum, c, k) = &mut acc[g as usize];
                    let t = *sum + x;
                    if sum.abs() >= x.abs() {
                        *c += (*sum - t) + x;
                    } else {
                        *c += (x - t) + *sum;
                    }
                    *sum = t;
                    *k += 1;
                }
            }
            Column::Float(
                acc.into_iter()
                    .map(|(sum, c, k)| match agg {
                        Agg::Mean if k == 0 => None,
                        Agg::Mean => Some((sum + c) / k as f64),
                        _ => Some(sum + c),
                    })
                    .collect(),
            )
        }
        (Agg::CountDistinct, _) => {
            let mut sets: Vec<std::collections::HashSet<Key>> = vec![Default::default(); n_groups];
            for (row, &g) in ids.iter().enumerate() {
                let v = col.get(row);
                if !v.is_null() {
                    sets[g as usize].insert(key_of(v));
                }
            }
            Column::Int(sets.into_iter().map(|s| Some(s.len() as i64)).collect())
        }
        (Agg::Min | Agg::Max, _) => {
            let mut best: Vec<Value> = vec![Value::Null; n_groups];
            for (row, &g) in ids.iter().enumerate() {
                let v = col.get(row);
                if v.is_null() {
                    continue;
                }
                let slot = &mut best[g as usize];
                let better = slot.is_null()
                    || match agg {
                        Agg::Min => compare_values(&v, slot) == Ordering::Less,
                        _ => compare_values(&v, slot) == Ordering::Greater,
                    };
                if better {
                    *slot = v;
                }
            }
            Column::from_values(col.dtype(), &best).unwrap_or_else(|_| Column::infer(best))
        }
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
    sum + c
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
}
