//! Reading CSV files into tables: type inference, forced types, and errors that name
//! the file, the line and the column.

use super::column::Column;
use super::error::{CellRef, TableError};
use super::table::Table;
use super::value::{DType, Value};
use crate::units;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Options for reading a CSV file.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Columns whose type is forced instead of inferred.
    pub types: BTreeMap<String, DType>,
    /// Accept `1,200` as twelve hundred (thousands separators) in numeric columns.
    pub thousands: bool,
    /// The field delimiter (default `,`).
    pub delimiter: Option<u8>,
}

/// Reads the CSV file at `path` with default options.
pub fn read_csv_path(path: &Path) -> Result<Table, TableError> {
    read_csv_path_with(path, &CsvOptions::default())
}

/// Reads the CSV file at `path`; `path` as displayed names the table in messages.
pub fn read_csv_path_with(path: &Path, options: &CsvOptions) -> Result<Table, TableError> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| TableError::Io {
            path: name.clone(),
            reason: io_reason(&e),
        })?;
    read_csv_bytes(&name, &bytes, options)
}

/// A short, user-facing reason for an I/O error.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Reads CSV text held in memory; `source` names it in messages.
///
/// Rules: the first record is the header; a UTF-8 byte-order mark is skipped; quoted
/// fields may hold delimiters, quotes (`""`) and line breaks; every record must have as
/// many fields as the header; empty cells are nulls. Column types are inferred unless
/// forced: `int` when every non-empty cell is an integer, `float` when every cell is a
/// number or a percentage (`5%` is read as 0.05), `bool` for `true`/`false`, `date` for
/// `YYYY-MM-DD`, else `string`.
pub fn read_csv_bytes(
    source: &str,
    bytes: &[u8],
    options: &CsvOptions,
) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter.unwrap_or(b','))
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut header: Option<Vec<String>> = None;
    let mut raw: Vec<Vec<Option<String>>> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut simple_lines = true;
    loop {
        let line_before = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_before, |p| p.line());
                return Err(TableError::Syntax {
                    file: source.to_string(),
                    line,
                    reason: e.to_string(),
                });
            }
        }
        let line = record.position().map_or(line_before, |p| p.line());
        let fields: Vec<&str> = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|_| TableError::Utf8 {
                file: source.to_string(),
                line,
            })?;
        match &header {
            None => {
                let names: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
                check_header(source, line, &names)?;
                raw = vec![Vec::new(); names.len()];
                header = Some(names);
            }
            Some(names) => {
                // A line holding nothing at all (a trailing blank line) is skipped.
                if fields.len() == 1 && fields[0].is_empty() && names.len() > 1 {
                    continue;
                }
                if fields.len() != names.len() {
                    return Err(TableError::Ragged {
                        file: source.to_string(),
                        line,
                        expected: names.len(),
                        found: fields.len(),
                    });
                }
                let row = lines.len() as u64;
                if line != row + 2 {
                    simple_lines = false;
                }
                lines.push(line);
                for (col, f) in raw.iter_mut().zip(&fields) {
                    col.push((!f.is_empty()).then(|| f.to_string()));
                }
            }
        }
    }
    let Some(names) = header else {
        return Err(TableError::Empty {
            file: source.to_string(),
        });
    };
    for name in options.types.keys() {
        if !names.contains(name) {
            return Err(TableError::Invalid(format!(
                "{source}: the types option names a column '{name}' that the file does not have (columns: {})",
                names.join(", ")
            )));
        }
    }
    let mut columns = Vec::with_capacity(names.len());
    for (name, cells) in names.iter().zip(raw) {
        let at = |row: usize| CellRef {
            file: source.to_string(),
            line: lines.get(row).copied(),
            row,
            column: name.clone(),
        };
        let column = match options.types.get(name) {
            Some(&dtype) => parse_forced(&cells, dtype, options.thousands, &at)?,
            None => infer(&cells, options.thousands, &at)?,
        };
        columns.push((name.clone(), column));
    }
    let table = Table::new(source, columns)?;
    Ok(table.with_file_lines((!simple_lines).then_some(lines)))
}

fn check_header(source: &str, line: u64, names: &[String]) -> Result<(), TableError> {
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(TableError::BadHeader {
                file: source.to_string(),
                line,
                reason: format!("column {} has no name", i + 1),
            });
        }
        if names[..i].contains(n) {
            return Err(TableError::BadHeader {
                file: source.to_string(),
                line,
                reason: format!("the column name '{n}' appears twice"),
            });
        }
    }
    Ok(())
}

/// What a single cell can be read as.
#[derive(Clone, Copy)]
struct Kinds {
    int: bool,
    float: bool,
    bool_: bool,
    date: bool,
}

fn parse_int(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let digits = b
        .strip_prefix(b"-")
        .or_else(|| b.strip_prefix(b"+"))
        .unwrap_or(b);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    t.parse().ok()
}

fn parse_number(t: &str, thousands: bool) -> Option<f64> {
    let t = t.trim();
    if let Some(v) = units::parse_plain(t).or_else(|| units::parse_percent(t)) {
        return Some(v);
    }
    if thousands && t.contains(',') {
        let cleaned = t.replace(',', "");
        return units::parse_plain(&cleaned).or_else(|| units::parse_percent(&cleaned));
    }
    None
}

fn parse_bool(t: &str) -> Option<bool> {
    match t.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn parse_date(t: &str) -> Option<chrono::NaiveDate> {
    let t = t.trim();
    // Cheap shape check before chrono: YYYY-MM-DD.
    if t.len() != 10 || t.as_bytes()[4] != b'-' || t.as_bytes()[7] != b'-' {
        return None;
    }
    units::parse_date(t).ok()
}

fn looks_thousands(t: &str) -> bool {
    let t = t.trim();
    t.contains(',') && parse_number(&t.replace(',', ""), false).is_some()
}

fn infer(
    cells: &[Option<String>],
    thousands: bool,
    at: &dyn Fn(usize) -> CellRef,
) -> Result<Column, TableError> {
    let mut k = Kinds {
        int: true,
        float: true,
        bool_: true,
        date: true,
    };
    let mut first_thousands: Option<usize> = None;
    let mut any = false;
    for (row, cell) in cells.iter().enumerate() {
        let Some(t) = cell else { continue };
        any = true;
        let t = t.trim();
        if k.int && parse_int(t).is_none() {
            k.int = false;
        }
        if k.float && parse_number(t, thousands).is_none() {
            if first_thousands.is_none() && looks_thousands(t) {
                first_thousands = Some(row);
            }
            k.float = false;
        }
        if k.bool_ && parse_bool(t).is_none() {
            k.bool_ = false;
        }
        if k.date && parse_date(t).is_none() {
            k.date = false;
        }
        if !(k.int || k.float || k.bool_ || k.date) && first_thousands.is_none() {
            break;
        }
    }
    if !any {
        return Ok(Column::Str(cells.to_vec()));
    }
    if k.int {
        return parse_forced(cells, DType::Int, thousands, at);
    }
    if k.float {
        return parse_forced(cells, DType::Float, thousands, at);
    }
    if let Some(row) = first_thousands {
        // Every other cell a number, this one with separators: refuse to guess.
        let rest_numeric = cells
            .iter()
            .flatten()
            .all(|t| parse_number(t, false).is_some() || looks_thousands(t));
        if rest_numeric {
            return Err(TableError::BadCell {
                at: at(row),
                expected: "a number".to_string(),
                found: cells[row].clone().unwrap_or_default(),
                hint: "; it looks like a thousands separator: remove the commas (1200, not 1,200) or load with #{ thousands: true }".to_string(),
            });
        }
    }
    if k.bool_ {
        return parse_forced(cells, DType::Bool, thousands, at);
    }
    if k.date {
        return parse_forced(cells, DType::Date, thousands, at);
    }
    Ok(Column::Str(cells.to_vec()))
}

fn parse_forced(
    cells: &[Option<String>],
    dtype: DType,
    thousands: bool,
    at: &dyn Fn(usize) -> CellRef,
) -> Result<Column, TableError> {
    let bad = |row: usize, expected: &str, hint: String| TableError::BadCell {
        at: at(row),
        expected: expected.to_string(),
        found: cells[row].clone().unwrap_or_default(),
        hint,
    };
    macro_rules! parse_all {
        ($variant:ident, $parse:expr, $expected:expr, $hint:expr) => {{
            let mut out = Vec::with_capacity(cells.len());
            for (row, cell) in cells.iter().enumerate() {
                match cell {
                    None => out.push(None),
                    Some(t) => match $parse(t.trim()) {
                        Some(v) => out.push(Some(v)),
                        None => return Err(bad(row, $expected, $hint(t.as_str()))),
                    },
                }
            }
            Column::$variant(out)
        }};
    }
    let number_hint = |t: &str| {
        if looks_thousands(t) && !thousands {
            "; it looks like a thousands separator: remove the commas (1200, not 1,200) or load with #{ thousands: true }".to_string()
        } else {
            String::new()
        }
    };
    Ok(match dtype {
        DType::Int => parse_all!(Int, parse_int, "an integer", number_hint),
        DType::Float => parse_all!(
            Float,
            |t| parse_number(t, thousands),
            "a number (like 1200, 0.05 or 5%)",
            number_hint
        ),
        DType::Bool => parse_all!(Bool, parse_bool, "true or false", |_| String::new()),
        DType::Date => parse_all!(Date, parse_date, "a date written YYYY-MM-DD", |_| {
            String::new()
        }),
        DType::Str => Column::Str(cells.to_vec()),
    })
}

/// Parses one cell's text as `dtype` (used for forced types on derived data).
pub fn parse_cell(text: &str, dtype: DType) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return Some(Value::Null);
    }
    match dtype {
        DType::Int => parse_int(t).map(Value::Int),
        DType::Float => parse_number(t, false).map(Value::Float),
        DType::Bool => parse_bool(t).map(Value::Bool),
        DType::Date => parse_date(t).map(Value::Date),
        DType::Str => Some(Value::Str(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table, TableError> {
        read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default())
    }

    #[test]
    fn infers_types() -> Result<(), TableError> {
        let t = read("a,b,c,d,e\n1,1.5,true,2024-07-01,x\n2,5%,false,2024-07-02,y\n")?;
        let types: Vec<DType> = (0..5)
            .filter_map(|i| t.column_at(i))
            .map(Column::dtype)
            .collect();
        assert_eq!(
            types,
            vec![
                DType::Int,
                DType::Float,
                DType::Bool,
                DType::Date,
                DType::Str
            ]
        );
        assert_eq!(t.column("b")?.f64_at(1), Some(0.05));
        Ok(())
    }

    #[test]
    fn bom_quotes_and_empty_cells() -> Result<(), TableError> {
        let t = read("\u{FEFF}name,note\n\"a, b\",\"say \"\"hi\"\"\nthere\"\nc,\n")?;
        assert_eq!(t.names(), &["name".to_string(), "note".to_string()]);
        assert_eq!(
            t.column("note")?.text_at(0).as_deref(),
            Some("say \"hi\"\nthere")
        );
        assert!(t.column("note")?.is_null(1));
        assert_eq!(t.line_of(1), Some(4));
        Ok(())
    }

    #[test]
    fn ragged_row_names_line() {
        let e = read("a,b\n1,2\n3\n").map(|_| ()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3: this row has 1 fields but the header has 2"
        );
    }

    #[test]
    fn empty_file() {
        let e = read("").map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("t.csv: the file is empty"), "{e}");
    }

    #[test]
    fn bad_utf8_names_line() {
        let e = read_csv_bytes("t.csv", b"a\nok\n\xff\xfe\n", &CsvOptions::default())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3: invalid UTF-8 (save the file as UTF-8)"
        );
    }

    #[test]
    fn text_in_forced_numeric_column() {
        let mut o = CsvOptions::default();
        o.types.insert("x".into(), DType::Float);
        let e = read_csv_bytes("t.csv", b"x\n1\nabc\n", &o)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3: column 'x': expected a number (like 1200, 0.05 or 5%), got \"abc\""
        );
    }

    #[test]
    fn thousands_are_not_guessed() -> Result<(), TableError> {
        let e = read("spend\n100\n\"1,200\"\n").map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("t.csv:3: column 'spend'"), "{e}");
        assert!(e.to_string().contains("thousands separator"), "{e}");
        let o = CsvOptions {
            thousands: true,
            ..CsvOptions::default()
        };
        let t = read_csv_bytes("t.csv", b"spend\n100\n\"1,200\"\n", &o)?;
        assert_eq!(t.column("spend")?.f64_at(1), Some(1200.0));
        Ok(())
    }

    #[test]
    fn duplicate_header() {
        let e = read("a,a\n1,2\n").map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random bytes never panic the loader: they give a table or an error.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_csv_bytes("fuzz.csv", &bytes, &CsvOptions::default());
        }

        /// CSV-like text (commas, quotes, newlines, digits, percent signs) never panics,
        /// and every error names the file.
        #[test]
        fn csv_like_text_never_panics(text in "[a-c0-9,\"%\\n\\r. :-]{0,200}") {
            if let Err(e) = read_csv_bytes("fuzz.csv", text.as_bytes(), &CsvOptions::default()) {
                prop_assert!(e.to_string().contains("fuzz.csv"), "{}", e);
            }
        }
    }
}
