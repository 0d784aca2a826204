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

/// The raw text of one column: all cells in one buffer, with each cell's end offset.
/// One allocation per column instead of one per cell.
struct RawColumn {
    text: String,
    ends: Vec<usize>,
}

impl RawColumn {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The cell's text, `None` when empty.
    fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        (end > start).then(|| &self.text[start..end])
    }

    fn iter(&self) -> impl Iterator<Item = (usize, Option<&str>)> + '_ {
        (0..self.len()).map(|r| (r, self.get(r)))
    }

    fn owned(&self, row: usize) -> String {
        self.get(row).unwrap_or_default().to_string()
    }
}

/// Reads CSV text held in memory; `source` names it in messages.
///
/// Rules: the first record is the header; a UTF-8 byte-order mark is skipped; quoted
/// fields may hold delimiters, quotes (`""`) and line breaks; every record must have as
/// many fields as the header; empty cells are nulls. Column types are inferred unless
/// forced: `int` when every non-empty cell is an integer, `float` when every cell is a
/// number or a percentage (`5%` is read as 0.05), `bool` for `true`/`false`, `date` for
/// `YYYY-MM-DD`, else `string`. Columns are typed in parallel.
pub fn read_csv_bytes(
    source: &str,
    bytes: &[u8],
    options: &CsvOptions,
) -> Result<Table, TableError> {
    use rayon::prelude::*;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The header: the first record.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter.unwrap_or(b','))
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let header: Option<Vec<String>> = match reader.read_byte_record(&mut record) {
        Ok(false) => None,
        Ok(true) => {
            let line = record.position().map_or(1, |p| p.line());
            let names: Vec<String> = record
                .iter()
                .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
                .collect::<Result<_, _>>()
                .map_err(|_| TableError::Utf8 {
                    file: source.to_string(),
                    line,
                })?;
            check_header(source, line, &names)?;
            Some(names)
        }
        Err(e) => {
            return Err(TableError::Syntax {
                file: source.to_string(),
                line: e.position().map_or(1, |p| p.line()),
                reason: e.to_string(),
            })
        }
    };
    let body_start = reader.position().byte() as usize;
    let (raw, lines, simple_lines) = match &header {
        None => (Vec::new(), Vec::new(), true),
        Some(names) => read_body(source, &bytes[body_start..], names.len(), options)?,
    };
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
    let columns = names
        .par_iter()
        .zip(raw.par_iter())
        .map(|(name, cells)| {
            let at = |row: usize| CellRef {
                file: source.to_string(),
                line: lines.get(row).copied(),
                row,
                column: name.clone(),
            };
            let column = match options.types.get(name) {
                Some(&dtype) => parse_forced(cells, dtype, options.thousands, &at)?,
                None => infer(cells, options.thousands, &at)?,
            };
            Ok((name.clone(), column))
        })
        .collect::<Result<Vec<_>, TableError>>()?;
    let table = Table::new(source, columns)?;
    Ok(table.with_file_lines((!simple_lines).then_some(lines)))
}

/// The records after the header, as raw columns, with each row's line and whether
/// every row sits on line `row + 2`. Files without quote characters are split at line
/// breaks into chunks parsed in parallel; quoted files (whose fields may span lines)
/// are parsed in one pass.
fn read_body(
    source: &str,
    body: &[u8],
    ncols: usize,
    options: &CsvOptions,
) -> Result<(Vec<RawColumn>, Vec<u64>, bool), TableError> {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads().max(1);
    let parallel = body.len() > (1 << 20) && threads > 1 && !body.contains(&b'"');
    if !parallel {
        return read_chunk(source, body, 2, ncols, options);
    }
    // Chunk boundaries just after a line break, so no record is cut in two.
    let target = body.len() / (threads * 4) + 1;
    let mut bounds = vec![0usize];
    let mut at = target;
    while at < body.len() {
        match body[at..].iter().position(|&b| b == b'\n') {
            Some(p) => {
                let next = at + p + 1;
                if next < body.len() {
                    bounds.push(next);
                }
                at = next + target;
            }
            None => break,
        }
    }
    bounds.push(body.len());
    // The first line of each chunk: 2 plus the line breaks before it.
    let mut first_lines = Vec::with_capacity(bounds.len());
    let mut line = 2u64;
    for w in bounds.windows(2) {
        first_lines.push(line);
        line += body[w[0]..w[1]].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let parts = bounds
        .par_windows(2)
        .zip(first_lines.par_iter())
        .map(|(w, &first)| read_chunk(source, &body[w[0]..w[1]], first, ncols, options))
        .collect::<Result<Vec<_>, TableError>>()?;
    let mut raw: Vec<RawColumn> = (0..ncols)
        .map(|c| {
            let len = parts.iter().map(|p| p.0[c].text.len()).sum();
            let rows = parts.iter().map(|p| p.0[c].ends.len()).sum();
            RawColumn {
                text: String::with_capacity(len),
                ends: Vec::with_capacity(rows),
            }
        })
        .collect();
    let mut lines = Vec::new();
    for (cols, part_lines, _) in parts {
        for (dst, src) in raw.iter_mut().zip(cols) {
            let offset = dst.text.len();
            dst.text.push_str(&src.text);
            dst.ends.extend(src.ends.iter().map(|e| e + offset));
        }
        lines.extend(part_lines);
    }
    let simple = lines.iter().enumerate().all(|(i, &l)| l == i as u64 + 2);
    Ok((raw, lines, simple))
}

/// Parses one chunk of records whose first line in the file is `first_line`.
fn read_chunk(
    source: &str,
    chunk: &[u8],
    first_line: u64,
    ncols: usize,
    options: &CsvOptions,
) -> Result<(Vec<RawColumn>, Vec<u64>, bool), TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter.unwrap_or(b','))
        .from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    let mut raw: Vec<RawColumn> = (0..ncols)
        .map(|_| RawColumn {
            text: String::with_capacity(chunk.len() / ncols.max(1)),
            ends: Vec::new(),
        })
        .collect();
    let mut lines: Vec<u64> = Vec::new();
    let mut simple = true;
    loop {
        let line_before = reader.position().line() + first_line - 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map_or(line_before, |p| p.line() + first_line - 1);
                return Err(TableError::Syntax {
                    file: source.to_string(),
                    line,
                    reason: e.to_string(),
                });
            }
        }
        let line = record
            .position()
            .map_or(line_before, |p| p.line() + first_line - 1);
        // A line holding nothing at all (a trailing blank line) is skipped.
        if record.len() == 1 && record[0].is_empty() && ncols > 1 {
            continue;
        }
        if record.len() != ncols {
            return Err(TableError::Ragged {
                file: source.to_string(),
                line,
                expected: ncols,
                found: record.len(),
            });
        }
        if line != lines.len() as u64 + first_line {
            simple = false;
        }
        lines.push(line);
        for (col, f) in raw.iter_mut().zip(record.iter()) {
            let text = std::str::from_utf8(f).map_err(|_| TableError::Utf8 {
                file: source.to_string(),
                line,
            })?;
            col.text.push_str(text);
            col.ends.push(col.text.len());
        }
    }
    Ok((raw, lines, simple))
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
    let t = t.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses `YYYY-MM-DD` by hand (chrono's format parser is ten times slower), checking
/// that the date exists.
fn parse_date(t: &str) -> Option<chrono::NaiveDate> {
    let b = t.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let y = num(&b[0..4])?;
    let m = num(&b[5..7])?;
    let d = num(&b[8..10])?;
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn looks_thousands(t: &str) -> bool {
    let t = t.trim();
    t.contains(',') && parse_number(&t.replace(',', ""), false).is_some()
}

const THOUSANDS_HINT: &str = "; it looks like a thousands separator: remove the commas (1200, not 1,200) or load with #{ thousands: true }";

/// Infers a column's type by trying the narrowest first: each attempt parses the
/// whole column and gives up at the first cell that does not fit, so a typical column
/// is parsed once.
fn infer(
    cells: &RawColumn,
    thousands: bool,
    at: &dyn Fn(usize) -> CellRef,
) -> Result<Column, TableError> {
    if cells.iter().all(|(_, c)| c.is_none()) {
        return Ok(Column::Str(vec![None; cells.len()]));
    }
    for dtype in [DType::Int, DType::Float] {
        if let Ok(c) = parse_forced(cells, dtype, thousands, at) {
            return Ok(c);
        }
    }
    // Every cell a number but some written with thousands separators: refuse to guess.
    let first_thousands = cells
        .iter()
        .find_map(|(r, c)| c.filter(|t| looks_thousands(t)).map(|_| r));
    if let Some(row) = first_thousands {
        let rest_numeric = cells
            .iter()
            .filter_map(|(_, c)| c)
            .all(|t| parse_number(t, false).is_some() || looks_thousands(t));
        if rest_numeric {
            return Err(TableError::BadCell {
                at: at(row),
                expected: "a number".to_string(),
                found: cells.owned(row),
                hint: THOUSANDS_HINT.to_string(),
            });
        }
    }
    for dtype in [DType::Bool, DType::Date] {
        if let Ok(c) = parse_forced(cells, dtype, thousands, at) {
            return Ok(c);
        }
    }
    parse_forced(cells, DType::Str, thousands, at)
}

fn parse_forced(
    cells: &RawColumn,
    dtype: DType,
    thousands: bool,
    at: &dyn Fn(usize) -> CellRef,
) -> Result<Column, TableError> {
    let bad = |row: usize, expected: &str, hint: String| TableError::BadCell {
        at: at(row),
        expected: expected.to_string(),
        found: cells.owned(row),
        hint,
    };
    macro_rules! parse_all {
        ($variant:ident, $parse:expr, $expected:expr, $hint:expr) => {{
            let mut out = Vec::with_capacity(cells.len());
            for (row, cell) in cells.iter() {
                match cell {
                    None => out.push(None),
                    Some(t) => match $parse(t.trim()) {
                        Some(v) => out.push(Some(v)),
                        None => return Err(bad(row, $expected, $hint(t))),
                    },
                }
            }
            Column::$variant(out)
        }};
    }
    let number_hint = |t: &str| {
        if looks_thousands(t) && !thousands {
            THOUSANDS_HINT.to_string()
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
        DType::Str => Column::Str(cells.iter().map(|(_, c)| c.map(str::to_string)).collect()),
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

    fn big_text(rows: usize) -> String {
        let mut t = String::from("ch,n,x,day\n");
        for i in 0..rows {
            t.push_str(&format!(
                "c{},{},{}.5,2024-07-{:02}\n",
                i % 7,
                i,
                i % 13,
                1 + i % 28
            ));
        }
        t
    }

    #[test]
    fn parallel_chunks_match_one_pass() -> Result<(), TableError> {
        let text = big_text(60_000);
        assert!(text.len() > 1 << 20);
        let t = read(&text)?;
        assert_eq!(t.n_rows(), 60_000);
        let body_start = text.find('\n').map_or(0, |i| i + 1);
        let (raw, lines, simple) = read_chunk(
            "t.csv",
            &text.as_bytes()[body_start..],
            2,
            4,
            &CsvOptions::default(),
        )?;
        assert!(simple);
        assert_eq!(lines.len(), 60_000);
        for (c, name) in ["ch", "n", "x", "day"].iter().enumerate() {
            let col = t.column(name)?;
            for r in [0, 1, 29_999, 30_000, 59_999] {
                assert_eq!(
                    col.text_at(r).as_deref().map(str::to_string),
                    raw[c].get(r).map(|s| {
                        if *name == "x" {
                            format!("{}", s.parse::<f64>().unwrap_or(0.0))
                        } else {
                            s.to_string()
                        }
                    })
                );
            }
        }
        assert_eq!(t.column("n")?.dtype(), DType::Int);
        assert_eq!(t.column("day")?.dtype(), DType::Date);
        assert_eq!(t.line_of(45_000), Some(45_002));
        Ok(())
    }

    #[test]
    fn parallel_chunks_report_the_right_line() {
        let mut text = big_text(60_000);
        let cut = text.match_indices('\n').nth(45_000).map_or(0, |(i, _)| i);
        text.insert_str(cut, ",extra");
        let e = read(&text).map(|_| ()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:45001: this row has 5 fields but the header has 4"
        );
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
