//! Tables read from paths: the reading options shared by `load_csv`, `load_xlsx` and
//! every domain function that takes a path, and the one function that reads a path (a
//! CSV file or a sheet of a workbook, by its extension) through the sandbox.

use super::{context, script_error, table_from_dynamic, Options};
use crate::table::{CsvOptions, DType, SheetOptions, Table};
use rhai::{Array, Dynamic, EvalAltResult, Map, NativeCallContext};

type R<T> = Result<T, Box<EvalAltResult>>;

/// The options every reader takes (CSV and workbooks).
pub const READ_KEYS: [&str; 7] = [
    "types",
    "thousands",
    "na",
    "rename",
    "columns",
    "header",
    "date_format",
];

/// The options only CSV files take.
pub const CSV_KEYS: [&str; 2] = ["delimiter", "encoding"];

/// The options only workbooks take.
pub const SHEET_KEYS: [&str; 2] = ["sheet", "range"];

/// One column name or an array of them.
pub fn column_names(v: &Dynamic, what: &str) -> R<Vec<String>> {
    if v.is_string() {
        return Ok(vec![v.to_string()]);
    }
    let arr = v.read_lock::<Array>().ok_or_else(|| {
        script_error(format!(
            "{what} must be a column name or an array of column names"
        ))
    })?;
    arr.iter()
        .map(|x| {
            if x.is_string() {
                Ok(x.to_string())
            } else {
                Err(script_error(format!(
                    "{what} must hold column names (strings), got {}",
                    super::type_label(x)
                )))
            }
        })
        .collect()
}

/// The reading options found in `o` (only the keys `o` allowed are looked at).
pub fn read_options(o: &Options, function: &str) -> R<(CsvOptions, SheetOptions)> {
    let thousands = match o.raw("thousands") {
        None => false,
        Some(v) if v.is_bool() => v.as_bool().unwrap_or(false),
        Some(v) if v.is_string() && v.to_string() == "," => true,
        Some(v) => {
            return Err(script_error(format!(
                "{function}: option 'thousands' must be true, false or \",\" (commas between groups of three digits: 1,234.5), got {}",
                super::describe_value(v)
            )))
        }
    };
    let mut out = CsvOptions {
        thousands,
        no_header: !o.bool("header")?.unwrap_or(true),
        ..CsvOptions::default()
    };
    if let Some(d) = o.str("delimiter")? {
        let b = d.as_bytes();
        if b.len() != 1 || matches!(b[0], b'"' | b'\n' | b'\r') {
            return Err(script_error(format!(
                "{function}: option 'delimiter' must be one ASCII character such as \";\" or \"\\t\" (not a quote or a line break), got {}",
                crate::table::quote_text(&d)
            )));
        }
        out.delimiter = Some(b[0]);
    }
    if let Some(t) = o.raw("types") {
        let map = t.read_lock::<Map>().ok_or_else(|| {
            script_error(format!(
                "{function}: option 'types' must be a map like #{{ users: \"int\" }}"
            ))
        })?;
        for (k, v) in map.iter() {
            let name = v.to_string();
            let dtype = DType::parse(&name).ok_or_else(|| {
                script_error(format!(
                    "{function}: type {} for column '{k}' is not one of text, int, float, date, datetime, bool",
                    crate::table::quote_text(&name)
                ))
            })?;
            out.types.insert(k.to_string(), dtype);
        }
    }
    out.encoding = o.str("encoding")?;
    if let Some(f) = o.str("date_format")? {
        crate::table::check_date_format(&f)
            .map_err(|e| script_error(format!("{function}: option 'date_format': {e}")))?;
        out.date_format = Some(f);
    }
    if let Some(v) = o.raw("na") {
        out.na = column_names(v, &format!("{function}: option 'na'"))?;
    }
    if let Some(v) = o.raw("columns") {
        out.columns = Some(column_names(v, &format!("{function}: option 'columns'"))?);
    }
    if let Some(t) = o.raw("rename") {
        let map = t.read_lock::<Map>().ok_or_else(|| {
            script_error(format!(
                "{function}: option 'rename' must be a map like #{{ old_name: \"new_name\" }}"
            ))
        })?;
        out.rename = map
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }
    let sheet = SheetOptions {
        sheet: o.str("sheet")?,
        range: o.str("range")?,
    };
    Ok((out, sheet))
}

/// Reads the table at `path` (a CSV file, or a sheet of a workbook by its extension)
/// through the sandbox; the inference notes go to standard error.
pub fn read_table(
    ctx: &NativeCallContext,
    path: &str,
    csv: &CsvOptions,
    sheet: &SheetOptions,
) -> R<Table> {
    let run = context(ctx)?;
    let resolved = run.sandbox.resolve_read(path).map_err(script_error)?;
    let (t, notes) =
        crate::table::read_table_path_noted(&resolved, csv, sheet).map_err(script_error)?;
    for n in notes {
        super::note(ctx, &format!("{path}: {n}"));
    }
    // A sheet's table is named `path[sheet]`.
    let source = t
        .source()
        .replacen(&resolved.display().to_string(), path, 1);
    let source = if crate::table::is_workbook(&resolved) {
        source
    } else {
        path.to_string()
    };
    Ok(t.with_source(&source))
}

/// A table argument: a path (read by [`read_table`] with default options and `sheet`),
/// a table, or an array of object maps.
pub fn table_arg(
    ctx: &NativeCallContext,
    v: Dynamic,
    what: &str,
    sheet: &SheetOptions,
) -> R<Table> {
    if v.is_string() {
        return read_table(ctx, &v.to_string(), &CsvOptions::default(), sheet);
    }
    table_from_dynamic(v, what)
}
