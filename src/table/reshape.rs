//! Reshaping whole tables: rename, drop, cast, distinct rows, long to wide (pivot),
//! stacking tables with the same columns (concat), and a summary per column
//! (describe).

use super::aggregate::aggregate;
use super::column::Column;
use super::error::TableError;
use super::keys::group_ids;
use super::ops::Agg;
use super::table::Table;
use super::value::{DType, Value};

impl Table {
    /// The table with columns renamed (`(old, new)` pairs); a name that does not exist,
    /// or a new name that clashes, is an error.
    pub fn rename(&self, pairs: &[(String, String)]) -> Result<Table, TableError> {
        for (old, _) in pairs {
            self.column(old)?;
        }
        let cols: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .map(|(n, c)| {
                let name = pairs
                    .iter()
                    .find(|(o, _)| o == n)
                    .map_or_else(|| n.clone(), |(_, new)| new.clone());
                (name, c.as_ref().clone())
            })
            .collect();
        self.derive_same_rows(cols)
    }

    /// The table without the named columns.
    pub fn drop_columns(&self, names: &[String]) -> Result<Table, TableError> {
        for n in names {
            self.column(n)?;
        }
        let cols: Vec<(String, Column)> = self
            .names()
            .iter()
            .zip(self.column_arcs())
            .filter(|(n, _)| !names.contains(n))
            .map(|(n, c)| (n.clone(), c.as_ref().clone()))
            .collect();
        self.derive_same_rows(cols)
    }

    /// The table with column `name` converted to `dtype` (see `expr::cast`).
    pub fn cast(&self, name: &str, dtype: DType) -> Result<Table, TableError> {
        let c = super::expr::cast(self.column(name)?, dtype).map_err(|e| match e {
            TableError::Invalid(m) => TableError::Invalid(format!("column '{name}': {m}")),
            other => other,
        })?;
        self.with_column_data(name, c)
    }

    /// The first row of each distinct combination of the `columns` (all columns when
    /// empty), in order of first appearance.
    pub fn distinct(&self, columns: &[String]) -> Result<Table, TableError> {
        let names: Vec<String> = if columns.is_empty() {
            self.names().to_vec()
        } else {
            columns.to_vec()
        };
        let keys: Vec<&Column> = names
            .iter()
            .map(|n| self.column(n))
            .collect::<Result<_, _>>()?;
        let (_, firsts) = group_ids(&keys, self.n_rows());
        Ok(self.take_rows(&firsts))
    }

    /// Long to wide: one row per distinct `index` combination, one column per distinct
    /// value of `columns` (named by its text, in order of first appearance), holding
    /// `agg` of `values` over the rows of that cell (missing where there are none).
    pub fn pivot(
        &self,
        index: &[String],
        columns: &str,
        values: &str,
        agg: Agg,
    ) -> Result<Table, TableError> {
        let idx: Vec<&Column> = index
            .iter()
            .map(|n| self.column(n))
            .collect::<Result<_, _>>()?;
        let key = self.column(columns)?;
        let val = self.column(values)?;
        let (row_ids, row_firsts) = group_ids(&idx, self.n_rows());
        let (col_ids, col_firsts) = group_ids(&[key], self.n_rows());
        let n_rows = row_firsts.len();
        let n_cols = col_firsts.len();
        if n_cols > 10_000 {
            return Err(TableError::Invalid(format!(
                "pivot: '{columns}' has {n_cols} distinct values; a table of more than 10,000 columns is refused"
            )));
        }
        let mut out: Vec<(String, Column)> = index
            .iter()
            .zip(&idx)
            .map(|(n, c)| (n.clone(), c.take(&row_firsts)))
            .collect();
        // Aggregate over cells: group id = row * n_cols + col.
        let cell_ids: Vec<u32> = row_ids
            .iter()
            .zip(&col_ids)
            .map(|(&r, &c)| r * n_cols as u32 + c)
            .collect();
        let n_cells = n_rows * n_cols;
        let agged = aggregate(val, &cell_ids, n_cells, agg)
            .map_err(|e| TableError::Invalid(format!("pivot: column '{values}': {e}")))?;
        let mut rows_in = vec![0u32; n_cells];
        for &c in &cell_ids {
            rows_in[c as usize] += 1;
        }
        for (c, &first) in col_firsts.iter().enumerate() {
            let name = key
                .text_at(first)
                .unwrap_or_else(|| "(missing)".to_string());
            if out.iter().any(|(n, _)| *n == name) {
                return Err(TableError::Invalid(format!(
                    "pivot: the value '{name}' of '{columns}' would repeat a column name"
                )));
            }
            let cells: Vec<usize> = (0..n_rows).map(|r| r * n_cols + c).collect();
            let picked = agged.take(&cells);
            // A cell with no rows is missing (not 0) for every aggregate but count.
            let values: Vec<Value> = cells
                .iter()
                .zip(0..)
                .map(|(&cell, i)| {
                    if rows_in[cell] == 0 && agg != Agg::Count {
                        Value::Null
                    } else {
                        picked.get(i)
                    }
                })
                .collect();
            let column = Column::from_values(picked.dtype(), &values).unwrap_or(picked);
            out.push((name, column));
        }
        self.derive(out)
    }

    /// The rows of `self` followed by those of each of `others`, which must have the
    /// same column names (in any order) and types (integers and floats stack as floats).
    pub fn concat(&self, others: &[Table]) -> Result<Table, TableError> {
        let mut cols = Vec::with_capacity(self.n_cols());
        for (name, c) in self.names().iter().zip(self.column_arcs()) {
            let mut parts: Vec<Column> = vec![c.as_ref().clone()];
            for (k, o) in others.iter().enumerate() {
                let oc = o.column(name).map_err(|_| {
                    TableError::Invalid(format!(
                        "concat: table {} has no column '{name}' (its columns: {})",
                        k + 2,
                        o.names().join(", ")
                    ))
                })?;
                parts.push(oc.clone());
            }
            for (k, o) in others.iter().enumerate() {
                if o.n_cols() != self.n_cols() {
                    return Err(TableError::Invalid(format!(
                        "concat: table {} has {} columns, the first has {} ({})",
                        k + 2,
                        o.n_cols(),
                        self.n_cols(),
                        self.names().join(", ")
                    )));
                }
            }
            let numeric = parts
                .iter()
                .all(|p| matches!(p.dtype(), DType::Int | DType::Float));
            if numeric && parts.iter().any(|p| p.dtype() == DType::Float) {
                parts = parts
                    .iter()
                    .map(|p| super::expr::cast(p, DType::Float))
                    .collect::<Result<_, _>>()?;
            }
            let refs: Vec<&Column> = parts.iter().collect();
            let joined = Column::concat(&refs)
                .map_err(|e| TableError::Invalid(format!("concat: column '{name}': {e}")))?;
            cols.push((name.clone(), joined));
        }
        self.derive(cols)
    }

    /// One row per column: its type, count of present cells, missing cells, mean (of
    /// numbers), min and max (numbers, dates and text), as a table.
    pub fn describe(&self) -> Result<Table, TableError> {
        let n = self.n_cols();
        let mut names = Vec::with_capacity(n);
        let mut types = Vec::with_capacity(n);
        let mut count = Vec::with_capacity(n);
        let mut missing = Vec::with_capacity(n);
        let mut mean = Vec::with_capacity(n);
        let mut min = Vec::with_capacity(n);
        let mut max = Vec::with_capacity(n);
        for (name, c) in self.names().iter().zip(self.column_arcs()) {
            let ids = vec![0u32; c.len()];
            let one = |agg| {
                aggregate(c, &ids, 1, agg)
                    .map(|col| col.get(0))
                    .map_err(|e| TableError::Invalid(format!("describe: column '{name}': {e}")))
            };
            names.push(Some(name.clone()));
            types.push(Some(c.dtype().name().to_string()));
            count.push(Some((c.len() - c.null_count()) as i64));
            missing.push(Some(c.null_count() as i64));
            mean.push(if matches!(c.dtype(), DType::Int | DType::Float) {
                one(Agg::Mean)?.as_f64()
            } else {
                None
            });
            let text = |v: Value| (!v.is_null()).then(|| v.to_string());
            min.push(text(one(Agg::Min)?));
            max.push(text(one(Agg::Max)?));
        }
        Table::new(
            self.source(),
            vec![
                ("column".into(), Column::text(names)),
                ("type".into(), Column::text(types)),
                ("count".into(), Column::int(count)),
                ("missing".into(), Column::int(missing)),
                ("mean".into(), Column::float(mean)),
                ("min".into(), Column::text(min)),
                ("max".into(), Column::text(max)),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read_csv_bytes, CsvOptions};
    use super::*;

    fn t(text: &str) -> Table {
        read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default()).expect("valid csv")
    }

    fn texts(t: &Table, name: &str) -> Vec<String> {
        let c = t.column(name).expect("column");
        (0..t.n_rows())
            .map(|r| c.text_at(r).unwrap_or_default())
            .collect()
    }

    #[test]
    fn pivot_long_to_wide() -> Result<(), TableError> {
        let long = t("day,ch,orders\n1,a,3\n1,b,4\n2,a,5\n1,a,1\n");
        let w = long.pivot(&["day".into()], "ch", "orders", Agg::Sum)?;
        assert_eq!(w.names(), ["day", "a", "b"]);
        assert_eq!(texts(&w, "a"), ["4", "5"]);
        assert_eq!(texts(&w, "b"), ["4", ""]);
        Ok(())
    }

    #[test]
    fn distinct_concat_rename_drop_describe() -> Result<(), TableError> {
        let a = t("id,x\n007,1\n7,2\n007,1\n");
        assert_eq!(a.distinct(&[])?.n_rows(), 2);
        assert_eq!(a.distinct(&["id".into()])?.n_rows(), 2);
        // Text ids never stack with numbers.
        assert!(a.concat(&[t("x,id\n2.5,9\n")]).is_err());
        let b = t("x,id\n2.5,x9\n");
        let c = a.concat(&[b])?;
        assert_eq!(c.n_rows(), 4);
        assert_eq!(c.column("x")?.dtype(), DType::Float);
        assert_eq!(texts(&c, "id"), ["007", "7", "007", "x9"]);
        let r = a.rename(&[("x".into(), "clicks".into())])?;
        assert_eq!(r.names(), ["id", "clicks"]);
        assert!(a.rename(&[("x".into(), "id".into())]).is_err());
        assert_eq!(a.drop_columns(&["x".into()])?.names(), ["id"]);
        let d = a.describe()?;
        assert_eq!(texts(&d, "mean"), ["", "1.3333333333333333"]);
        assert_eq!(texts(&d, "min"), ["007", "1"]);
        Ok(())
    }
}
