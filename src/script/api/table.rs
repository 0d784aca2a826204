//! Script API of tables: `load_csv`, `write_csv`, and the table methods.

use crate::script::column_names as strings;
use crate::script::convert::{column_to_array, row_to_map, table_from_records};
use crate::script::{
    context, dynamic_to_value, read_options, read_table, script_error, value_to_dynamic, Calls,
    Options, CSV_KEYS, READ_KEYS, SHEET_KEYS,
};
use crate::table::{Agg, AggSpec, CmpOp, Column, DType, Table};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, FnPtr, Map, Module, NativeCallContext};

/// The module: functions plus the `Table` and `GroupBy` types.
pub fn module() -> Module {
    let mut m = exported_module!(table_api);
    m.set_custom_type::<Table>("Table");
    m.set_custom_type::<GroupBy>("GroupBy");
    m
}

/// A table grouped by key columns, waiting for `agg`.
#[derive(Debug, Clone)]
pub struct GroupBy {
    table: Table,
    keys: Vec<String>,
}

type R<T> = Result<T, Box<EvalAltResult>>;

/// A 0-based row index checked against the table: the message names the valid
/// range, or says the table is empty.
fn row_index(t: &Table, i: i64, function: &str) -> R<usize> {
    let n = t.n_rows();
    match usize::try_from(i) {
        Ok(r) if r < n => Ok(r),
        _ if n == 0 => Err(script_error(format!(
            "{function}: row {i} is out of range: the table is empty"
        ))),
        _ => Err(script_error(format!(
            "{function}: row {i} is out of range: the table has {} (0 to {})",
            if n == 1 {
                "1 row".to_string()
            } else {
                format!("{n} rows")
            },
            n - 1
        ))),
    }
}

/// The error for a table whose text would pass the string size limit.
fn too_long(f: &str, what: &str, t: &Table, rows: usize, limit: usize) -> Box<EvalAltResult> {
    script_error(format!(
        "{f}: the table's {what} text would pass the string size limit of {} MiB after {rows} of its {} rows; write it to a file with write_csv, or select fewer rows or columns",
        limit >> 20,
        t.n_rows()
    ))
}

fn mask_of(c: &Column) -> R<Vec<bool>> {
    if c.dtype() != DType::Bool {
        return Err(script_error(format!(
            "filter: the column must hold true/false (a comparison such as t[\"spend\"] > 100), got a {} column",
            c.dtype()
        )));
    }
    Ok((0..c.len()).map(|r| c.bool_at(r) == Some(true)).collect())
}

fn call_row(calls: &mut Calls, f: &FnPtr, t: &Table, row: usize) -> R<Dynamic> {
    calls.call(f, Dynamic::from_map(row_to_map(t, row)))
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod table_api {
    use super::*;

    /// Reads a CSV file into a table (strict: an unclosed quote or a row with the wrong
    /// number of fields is an error naming the line). Column types are inferred: a
    /// column is numeric only when every non-missing cell is a number (`007` and IDs
    /// too long for 64 bits stay text), `5%` reads as 0.05, dates `YYYY-MM-DD`,
    /// date-times `YYYY-MM-DD HH:MM:SS`, `true`/`false`; only the empty cell is
    /// missing. When a few cells keep a numeric column as text, a note on stderr says
    /// which and how to fix it. See docs/formats.md for every rule.
    /// Paths are relative to the current directory (or the script's) and must stay
    /// inside them or be named on the command line.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/channels.csv");
    /// print(t.rows);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn load_csv(ctx: NativeCallContext, path: &str) -> R<Table> {
        load_csv_with(ctx, path, Map::new())
    }

    /// Reads a CSV file with options: `types` forces column types
    /// (`#{ users: "int", day: "date" }`; `text`, `int`, `float`, `date`, `datetime`,
    /// `bool`), `na: ["n/a", "-"]` lists texts that mean missing, `rename: #{ old:
    /// "new" }`, `columns: ["a", "b"]` reads only those, `thousands: ","` (or `true`)
    /// accepts `1,200`, `date_format: "%d/%m/%Y"` reads dates written day first (or any
    /// strftime order; year-first forms such as `2024/8/10` and `2024年8月10日` need
    /// none), `delimiter: ";"` (or `"\t"`), `header: false` names the columns
    /// `column_1`, `column_2`, ..., `encoding: "gb18030"` (or `"utf-16"`, `"latin1"`)
    /// reads a file that is not UTF-8. `.gz` files are read transparently. A forced type
    /// that a cell does not parse is an error naming the file, line, column and value.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/channels.csv", #{ types: #{ spend: "float" }, na: ["n/a"] });
    /// ```
    #[rhai_fn(name = "load_csv", return_raw)]
    pub fn load_csv_with(ctx: NativeCallContext, path: &str, options: Map) -> R<Table> {
        let keys: Vec<&str> = READ_KEYS.iter().chain(&CSV_KEYS).copied().collect();
        let o = Options::new("load_csv", options, &keys)?;
        let (csv, _) = read_options(&o, "load_csv")?;
        let run = context(&ctx)?;
        let resolved = run.sandbox.resolve_read(path).map_err(script_error)?;
        let (t, notes) =
            crate::table::read_csv_path_noted(&resolved, &csv).map_err(script_error)?;
        for n in notes {
            crate::script::note(&ctx, &format!("{path}: {n}"));
        }
        Ok(t.with_source(path))
    }

    /// Reads the first sheet of a workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) as
    /// a table, by the same rules as a CSV file: the first row is the header, types are
    /// inferred (a whole-number column is int, a date-formatted cell a date, a
    /// percent-formatted cell its fraction). The table is named `path[sheet]`.
    ///
    /// ```rhai
    /// let t = load_xlsx("fixtures/formats/xlsx/channels.xlsx");
    /// print(t);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn load_xlsx(ctx: NativeCallContext, path: &str) -> R<Table> {
        load_xlsx_with(ctx, path, Map::new())
    }

    /// Reads a sheet of a workbook with options: `sheet: "tasks"` (default the first;
    /// an unknown name is an error listing the sheets), `range: "B3:F20"` (or whole
    /// columns `"A:F"`; the block's first row is the header), `header: false`, and the
    /// options of `load_csv` about cells: `types`, `na`, `rename`, `columns`,
    /// `thousands`, `date_format`. A password-protected workbook is refused with what
    /// to do; an Excel error value in a cell (`#DIV/0!`) is an error naming the cell.
    ///
    /// ```rhai
    /// let t = load_xlsx("fixtures/formats/xlsx/channels.xlsx", #{ sheet: "channels", types: #{ clicks: "float" } });
    /// print(t.columns);
    /// ```
    #[rhai_fn(name = "load_xlsx", return_raw)]
    pub fn load_xlsx_with(ctx: NativeCallContext, path: &str, options: Map) -> R<Table> {
        let keys: Vec<&str> = READ_KEYS.iter().chain(&SHEET_KEYS).copied().collect();
        let o = Options::new("load_xlsx", options, &keys)?;
        let (csv, sheet) = read_options(&o, "load_xlsx")?;
        let run = context(&ctx)?;
        let resolved = run.sandbox.resolve_read(path).map_err(script_error)?;
        if !crate::table::is_workbook(&resolved) {
            return Err(script_error(format!(
                "load_xlsx: {path} is not a workbook (.xlsx, .xlsm, .xls, .xlsb or .ods); read CSV with load_csv"
            )));
        }
        read_table(&ctx, path, &csv, &sheet)
    }

    /// Writes tables as an Excel workbook `name` (`.xlsx`) under the output directory
    /// (`--out`), atomically: one sheet per entry of `sheets` (sheet names in the map's
    /// order, which is by name), each with a bold frozen header row, filters, and real
    /// Excel numbers, dates and booleans under number formats by meaning (rates and
    /// shares as percentages, money with two decimals, whole numbers grouped, dates as
    /// dates; see docs/formats.md). A value may be a table, an array of object maps, a
    /// plan from `schedule` (its tasks, critical rows marked and late days in red) or a
    /// review (its numbers, status colored: met green, missed red, over amber). Returns
    /// the path written.
    ///
    /// ```rhai
    /// let plan = schedule(load_csv("fixtures/sop/tasks.csv"), #{ start: "2024-06-03", launch: "2024-07-01",
    ///     owners: load_csv("fixtures/sop/owners.csv") });
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// write_xlsx(#{ plan: plan, review: r, channels: load_csv("fixtures/channels.csv") }, "campaign.xlsx");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn write_xlsx(ctx: NativeCallContext, sheets: Map, name: &str) -> R<String> {
        if !name.to_ascii_lowercase().ends_with(".xlsx") {
            return Err(script_error(format!(
                "write_xlsx: the file name must end in .xlsx, got {}",
                crate::table::quote_text(name)
            )));
        }
        let mut tables = Vec::with_capacity(sheets.len());
        for (sheet, v) in sheets {
            let what = format!("write_xlsx: sheet '{sheet}'");
            let t = if let Some(plan) = v.clone().try_cast::<crate::sop::Plan>() {
                plan.tasks_table().map_err(script_error)?
            } else if let Some(r) = v.clone().try_cast::<crate::review::Review>() {
                r.table().map_err(script_error)?
            } else {
                crate::script::table_from_dynamic(v, &what).map_err(|_| {
                    script_error(format!(
                        "{what} must be a table, an array of object maps, a plan or a review"
                    ))
                })?
            };
            tables.push((sheet.to_string(), t));
        }
        let bytes = crate::render::xlsx::workbook_bytes(&tables)
            .map_err(|e| script_error(format!("write_xlsx: {e}")))?;
        crate::script::write_output(&ctx, name, &bytes)
    }

    /// Writes a table as CSV to `name` under the output directory (`--out`, default
    /// `out/`), atomically. Returns the path written. The name `"-"` writes to standard
    /// output instead (where `print` goes), for piping into another program.
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }]);
    /// write_csv(t, "example.csv");
    /// write_csv(t, "-");   // the same CSV on standard output
    /// ```
    #[rhai_fn(return_raw)]
    pub fn write_csv(ctx: NativeCallContext, table: Table, name: &str) -> R<String> {
        let text = crate::table::to_csv_string(&table).map_err(script_error)?;
        crate::script::write_output(&ctx, name, text.as_bytes())
    }

    /// Reads a Parquet file (a warehouse export, or what polars and pandas write):
    /// every column, row groups decoded in parallel. Types map as docs/formats.md
    /// says: integers to int, floats and decimals to float, strings (dictionary-encoded
    /// or not) to text, dates to date, timestamps of any unit or time zone to
    /// datetime (the UTC instant, to the microsecond), booleans to bool; a column of
    /// any other type (lists, structs, binary) is an error naming it and its type. A
    /// damaged or truncated file is an error naming the file.
    ///
    /// ```rhai
    /// let t = load_parquet("fixtures/formats/channels.parquet");
    /// print(t.describe());
    /// ```
    #[rhai_fn(name = "load_parquet", return_raw)]
    pub fn load_parquet(ctx: NativeCallContext, path: &str) -> R<Table> {
        load_parquet_with(ctx, path, Map::new())
    }

    /// Reads a Parquet file with options: `columns: ["a", "b"]` decodes only those
    /// columns, in that order (the others are never decompressed); an unknown name is
    /// an error listing the file's columns.
    ///
    /// ```rhai
    /// let t = load_parquet("fixtures/formats/channels.parquet", #{ columns: ["channel", "spend"] });
    /// print(t);
    /// ```
    #[rhai_fn(name = "load_parquet", return_raw)]
    pub fn load_parquet_with(ctx: NativeCallContext, path: &str, options: Map) -> R<Table> {
        let o = Options::new("load_parquet", options, &["columns"])?;
        let columns = o.strings("columns")?;
        let run = context(&ctx)?;
        let resolved = run.sandbox.resolve_read(path).map_err(script_error)?;
        crate::table::parquet::read_parquet(&resolved, path, columns.as_deref())
            .map_err(script_error)
    }

    /// Writes a table as a Parquet file (snappy-compressed; int, float, bool, text,
    /// date and datetime columns keep their types) to `name` under the output
    /// directory, atomically. Returns the path written. polars, pandas, DuckDB and
    /// warehouses read it back.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/channels.csv");
    /// write_parquet(t, "channels.parquet");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn write_parquet(ctx: NativeCallContext, table: Table, name: &str) -> R<String> {
        let bytes = crate::table::parquet::to_parquet_bytes(&table).map_err(script_error)?;
        crate::script::write_output(&ctx, name, &bytes)
    }

    /// Builds a table from an array of object maps, one per row; columns in order of
    /// first appearance, types inferred.
    ///
    /// ```rhai
    /// let t = table([#{ stage: "visit", users: 1000 }, #{ stage: "order", users: 30 }]);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn table(records: Array) -> R<Table> {
        table_from_records(&records, "table")
    }

    /// The number of rows.
    #[rhai_fn(get = "rows", pure)]
    pub fn rows(t: &mut Table) -> i64 {
        t.n_rows() as i64
    }

    /// The column names.
    #[rhai_fn(get = "columns", pure)]
    pub fn columns(t: &mut Table) -> Array {
        t.names().iter().map(|n| Dynamic::from(n.clone())).collect()
    }

    /// A column's values as an array.
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }, #{ a: 2 }]);
    /// print(t.col("a"));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn col(t: &mut Table, name: &str) -> R<Array> {
        t.column(name).map(column_to_array).map_err(script_error)
    }

    /// Row `i` (0-based) as an object map.
    #[rhai_fn(pure, return_raw)]
    pub fn row(t: &mut Table, i: i64) -> R<Map> {
        let i = row_index(t, i, "row")?;
        Ok(row_to_map(t, i))
    }

    /// Row `i` (0-based) as an object map: `t[i]`.
    #[rhai_fn(index_get, pure, return_raw)]
    pub fn index(t: &mut Table, i: i64) -> R<Map> {
        row(t, i)
    }

    /// Every row as an array of object maps (for `for row in t.records() { ... }`).
    #[rhai_fn(pure)]
    pub fn records(t: &mut Table) -> Array {
        (0..t.n_rows())
            .map(|r| Dynamic::from_map(row_to_map(t, r)))
            .collect()
    }

    /// The first `n` rows.
    #[rhai_fn(pure, return_raw)]
    pub fn head(t: &mut Table, n: i64) -> R<Table> {
        if n < 0 {
            return Err(script_error(format!("head: n must be 0 or more, got {n}")));
        }
        Ok(t.head(n as usize))
    }

    /// The named columns, in that order.
    ///
    /// ```rhai
    /// let t = table([#{ a: 1, b: 2 }]);
    /// print(t.select(["b"]));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn select(t: &mut Table, names: Array) -> R<Table> {
        let names = strings(&Dynamic::from_array(names), "select")?;
        t.select(&names).map_err(script_error)
    }

    /// The rows whose `column` compares to `value` with `op`: one of `==`, `!=`, `<`,
    /// `<=`, `>`, `>=`, `contains`. Runs natively over the whole column.
    ///
    /// ```rhai
    /// let t = table([#{ ch: "a", spend: 10 }, #{ ch: "b", spend: 30 }]);
    /// print(t.filter("spend", ">", 20).rows);
    /// ```
    #[rhai_fn(pure, return_raw, name = "filter")]
    pub fn filter(t: &mut Table, column: &str, op: &str, value: Dynamic) -> R<Table> {
        let op = CmpOp::parse(op).map_err(script_error)?;
        let v = dynamic_to_value(&value, "filter value")?;
        t.filter(column, op, &v).map_err(script_error)
    }

    /// The rows for which the closure returns true; it gets each row as an object map.
    /// Runs the closure once per row: prefer `filter(column, op, value)` on big tables.
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }, #{ a: 5 }]);
    /// print(t.filter(|r| r.a > 2).rows);
    /// ```
    #[rhai_fn(pure, return_raw, name = "filter")]
    pub fn filter_with(ctx: NativeCallContext, t: &mut Table, predicate: FnPtr) -> R<Table> {
        let mut keep = Vec::with_capacity(t.n_rows());
        let mut calls = Calls::new(&ctx)?;
        for r in 0..t.n_rows() {
            let v = call_row(&mut calls, &predicate, t, r)?;
            keep.push(v.as_bool().map_err(|ty| {
                script_error(format!(
                    "filter: the closure must return true or false, got {ty} for row {r}"
                ))
            })?);
        }
        Ok(t.filter_mask(&keep))
    }

    /// The rows sorted by `column`, ascending (stable; empty cells last).
    #[rhai_fn(pure, return_raw, name = "sort")]
    pub fn sort(t: &mut Table, column: &str) -> R<Table> {
        t.sort(column, false).map_err(script_error)
    }

    /// The rows sorted by `column`; `order` is `"asc"` or `"desc"`.
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }, #{ a: 5 }]);
    /// print(t.sort("a", "desc").col("a"));
    /// ```
    #[rhai_fn(pure, return_raw, name = "sort")]
    pub fn sort_order(t: &mut Table, column: &str, order: &str) -> R<Table> {
        let desc = match order {
            "asc" => false,
            "desc" => true,
            other => {
                return Err(script_error(format!(
                    "sort: order must be \"asc\" or \"desc\", got {}",
                    crate::table::quote_text(other)
                )))
            }
        };
        t.sort(column, desc).map_err(script_error)
    }

    /// Groups rows by one key column or an array of them; follow with `agg`.
    ///
    /// ```rhai
    /// let t = table([#{ ch: "a", spend: 10 }, #{ ch: "a", spend: 5 }, #{ ch: "b", spend: 1 }]);
    /// print(t.group_by("ch").agg(#{ total: ["sum", "spend"], n: ["count", "spend"] }));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn group_by(t: &mut Table, keys: Dynamic) -> R<GroupBy> {
        let keys = strings(&keys, "group_by")?;
        for k in &keys {
            t.column(k).map_err(script_error)?;
        }
        Ok(GroupBy {
            table: t.clone(),
            keys,
        })
    }

    /// Aggregates each group: `#{ out_col: ["sum"|"mean"|"min"|"max"|"count"|"count_distinct", column] }`.
    /// Groups appear in order of first appearance.
    #[rhai_fn(pure, return_raw)]
    pub fn agg(g: &mut GroupBy, spec: Map) -> R<Table> {
        let mut specs = Vec::with_capacity(spec.len());
        for (out, v) in spec.iter() {
            let pair = v
                .read_lock::<Array>()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| {
                    script_error(format!(
                        "agg: '{out}' must be [function, column], like [\"sum\", \"revenue\"]"
                    ))
                })?;
            let agg = Agg::parse(&pair[0].to_string()).map_err(script_error)?;
            specs.push(AggSpec {
                out: out.to_string(),
                agg,
                column: pair[1].to_string(),
            });
        }
        g.table.group_by(&g.keys, &specs).map_err(script_error)
    }

    /// Inner join with `other` on one column name or an array of them.
    ///
    /// ```rhai
    /// let a = table([#{ ch: "a", spend: 10 }]);
    /// let b = table([#{ ch: "a", cpm: 50 }]);
    /// print(a.join(b, "ch"));
    /// ```
    #[rhai_fn(pure, return_raw, name = "join")]
    pub fn join(t: &mut Table, other: Table, on: Dynamic) -> R<Table> {
        let on = strings(&on, "join")?;
        t.join(&other, &on, false).map_err(script_error)
    }

    /// Join with options: `#{ how: "inner" | "left" }`.
    #[rhai_fn(pure, return_raw, name = "join")]
    pub fn join_with(t: &mut Table, other: Table, on: Dynamic, options: Map) -> R<Table> {
        let o = Options::new("join", options, &["how"])?;
        let left = match o.str("how")?.as_deref() {
            None | Some("inner") => false,
            Some("left") => true,
            Some(other) => {
                return Err(script_error(format!(
                    "join: option 'how' must be \"inner\" or \"left\", got {}",
                    crate::table::quote_text(other)
                )))
            }
        };
        let on = strings(&on, "join")?;
        t.join(&other, &on, left).map_err(script_error)
    }

    /// A copy with column `name` set to a column expression (replaced if it exists),
    /// computed natively: prefer this to the closure form on big tables.
    ///
    /// ```rhai
    /// let t = table([#{ clicks: 30, impressions: 1000 }]);
    /// print(t.with_column("ctr", t["clicks"] / t["impressions"]));
    /// ```
    #[rhai_fn(pure, return_raw, name = "with_column")]
    pub fn with_column_expr(t: &mut Table, name: &str, column: Column) -> R<Table> {
        t.with_column_data(name, column).map_err(script_error)
    }

    /// The rows where a true/false column (a comparison) is true; missing counts as
    /// false.
    ///
    /// ```rhai
    /// let t = table([#{ ch: "a", spend: 10 }, #{ ch: "b", spend: 300 }]);
    /// print(t.filter(t["spend"] > 100));
    /// ```
    #[rhai_fn(pure, return_raw, name = "filter")]
    pub fn filter_expr(t: &mut Table, mask: Column) -> R<Table> {
        if mask.len() != t.n_rows() {
            return Err(script_error(format!(
                "filter: the condition has {} rows but the table has {}",
                mask.len(),
                t.n_rows()
            )));
        }
        Ok(t.filter_mask(&mask_of(&mask)?))
    }

    /// Column `name` as a column expression: `t["clicks"]`.
    #[rhai_fn(index_get, pure, return_raw)]
    pub fn column_expr(t: &mut Table, name: &str) -> R<Column> {
        t.column(name).cloned().map_err(script_error)
    }

    /// The table with columns renamed: `#{ old: "new" }`.
    ///
    /// ```rhai
    /// let t = table([#{ uv: 10 }]);
    /// print(t.rename(#{ uv: "visitors" }).columns);
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn rename(t: &mut Table, names: Map) -> R<Table> {
        let pairs: Vec<(String, String)> = names
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        t.rename(&pairs).map_err(script_error)
    }

    /// The table with columns converted: `#{ id: "text", spend: "float" }`, by the CSV
    /// reader's rules; a value that does not convert is an error naming its row.
    ///
    /// ```rhai
    /// let t = table([#{ id: 7, spend: "12.5" }]);
    /// print(t.cast(#{ id: "text", spend: "float" }));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn cast(t: &mut Table, types: Map) -> R<Table> {
        let mut out = t.clone();
        for (k, v) in types.iter() {
            let name = v.to_string();
            let dtype = DType::parse(&name).ok_or_else(|| {
                script_error(format!(
                    "cast: type {} for column '{k}' is not one of text, int, float, date, datetime, bool",
                    crate::table::quote_text(&name)
                ))
            })?;
            out = out.cast(k, dtype).map_err(script_error)?;
        }
        Ok(out)
    }

    /// The table without the named columns (one name or an array).
    #[rhai_fn(pure, return_raw)]
    pub fn drop(t: &mut Table, names: Dynamic) -> R<Table> {
        let names = strings(&names, "drop")?;
        t.drop_columns(&names).map_err(script_error)
    }

    /// The distinct rows (first of each, in order).
    ///
    /// ```rhai
    /// let t = table([#{ a: 1 }, #{ a: 1 }, #{ a: 2 }]);
    /// print(t.distinct().rows);
    /// ```
    #[rhai_fn(pure, return_raw, name = "distinct")]
    pub fn distinct(t: &mut Table) -> R<Table> {
        t.distinct(&[]).map_err(script_error)
    }

    /// The first row of each distinct combination of the named columns.
    #[rhai_fn(pure, return_raw, name = "distinct")]
    pub fn distinct_by(t: &mut Table, columns: Dynamic) -> R<Table> {
        let names = strings(&columns, "distinct")?;
        t.distinct(&names).map_err(script_error)
    }

    /// Long to wide: one row per `index` value (a name or an array), one column per
    /// distinct value of `columns`, holding `agg` (`sum`, `mean`, `min`, `max`,
    /// `count`, `count_distinct`) of `values`; missing where no row falls.
    ///
    /// ```rhai
    /// let t = table([#{ day: 1, ch: "a", orders: 3 }, #{ day: 1, ch: "b", orders: 4 }, #{ day: 2, ch: "a", orders: 5 }]);
    /// print(t.pivot("day", "ch", "orders", "sum"));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn pivot(
        t: &mut Table,
        index: Dynamic,
        columns: &str,
        values: &str,
        agg: &str,
    ) -> R<Table> {
        let index = strings(&index, "pivot")?;
        let agg = Agg::parse(agg).map_err(script_error)?;
        t.pivot(&index, columns, values, agg).map_err(script_error)
    }

    /// The rows of this table followed by those of `other` (same column names; ints and
    /// floats stack as floats).
    ///
    /// ```rhai
    /// let a = table([#{ ch: "a", spend: 1 }]);
    /// let b = table([#{ ch: "b", spend: 2.5 }]);
    /// print(a.concat(b));
    /// ```
    #[rhai_fn(pure, return_raw, name = "concat")]
    pub fn concat(t: &mut Table, other: Table) -> R<Table> {
        t.concat(&[other]).map_err(script_error)
    }

    /// The tables of an array, stacked (same column names).
    #[rhai_fn(return_raw, name = "concat")]
    pub fn concat_all(tables: Array) -> R<Table> {
        let mut ts = Vec::with_capacity(tables.len());
        for (i, v) in tables.into_iter().enumerate() {
            ts.push(v.try_cast::<Table>().ok_or_else(|| {
                script_error(format!("concat: element {i} of the array is not a table"))
            })?);
        }
        let Some((first, rest)) = ts.split_first() else {
            return Err(script_error("concat: the array of tables is empty"));
        };
        first.concat(rest).map_err(script_error)
    }

    /// One row per column: type, count, missing, mean, min and max.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/channels.csv");
    /// print(t.describe());
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn describe(t: &mut Table) -> R<Table> {
        t.describe().map_err(script_error)
    }

    /// A copy with a column computed by a closure from each row (replaced if it exists).
    ///
    /// ```rhai
    /// let t = table([#{ clicks: 30, visits: 1000 }]);
    /// print(t.with_column("ctr", |r| r.clicks / to_float(r.visits)));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_column(ctx: NativeCallContext, t: &mut Table, name: &str, f: FnPtr) -> R<Table> {
        let mut values = Vec::with_capacity(t.n_rows());
        let mut calls = Calls::new(&ctx)?;
        for r in 0..t.n_rows() {
            let v = call_row(&mut calls, &f, t, r)?;
            values.push(dynamic_to_value(
                &v,
                &format!("with_column '{name}': the closure's result for row {r}"),
            )?);
        }
        t.with_column(name, values).map_err(script_error)
    }

    /// The table as JSON text: an array of objects. A table whose text would pass the
    /// string size limit is refused before it is built (write it with `write_csv`).
    #[rhai_fn(pure, return_raw)]
    pub fn to_json(ctx: NativeCallContext, t: &mut Table) -> R<String> {
        let limit = context(&ctx)?.limits.max_string_size;
        t.to_json_limited(limit)
            .map_err(|rows| too_long("to_json", "JSON", t, rows, limit))
    }

    /// The table as CSV text. A table whose text would pass the string size limit is
    /// refused before it is built (write it with `write_csv`, which has no such limit).
    #[rhai_fn(pure, return_raw)]
    pub fn to_csv(ctx: NativeCallContext, t: &mut Table) -> R<String> {
        let limit = context(&ctx)?.limits.max_string_size;
        crate::table::to_csv_string_limited(t, limit)
            .map_err(script_error)?
            .map_err(|rows| too_long("to_csv", "CSV", t, rows, limit))
    }

    /// The table as aligned text (what `print` shows).
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn to_string(t: &mut Table) -> String {
        crate::render::render_table_limited(t, 200)
    }

    /// A row's cell from a map, for scripts that iterate: `value(row, "col")`.
    #[rhai_fn(pure, return_raw)]
    pub fn cell(t: &mut Table, row: i64, column: &str) -> R<Dynamic> {
        let row = row_index(t, row, "cell")?;
        t.value(row, column)
            .map(value_to_dynamic)
            .map_err(script_error)
    }

    /// Describes the grouping.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn group_to_string(g: &mut GroupBy) -> String {
        format!(
            "GroupBy({}) of {} rows: call .agg(#{{ out: [\"sum\", \"col\"] }})",
            g.keys.join(", "),
            g.table.n_rows()
        )
    }
}
