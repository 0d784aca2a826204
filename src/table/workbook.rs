//! Reading a sheet of a spreadsheet workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`)
//! as a table, and reading any table file by its extension.
//!
//! The sheet's cells are turned into the text a CSV export of the sheet would hold and
//! read by the CSV reader, so a workbook follows exactly the CSV rules: the same type
//! inference, options (`types`, `na`, `rename`, `columns`, `thousands`, `date_format`,
//! `header`), notes and errors. Per cell:
//!
//! - a number is written in the shortest form that reads back to the same double, and
//!   a whole number below 2^53 as an integer (Excel stores every number as a double, so
//!   `12` and `12.0` are one value: a column of whole numbers is an int column);
//! - a date-formatted cell (Excel's serial date under a date number format, an ODS
//!   date) is a date, or a date-time when it has a time of day (to the millisecond);
//!   a duration-formatted cell (`[h]:mm:ss`) is its number of days;
//! - a percent-formatted cell holds the fraction (12.5% is stored as 0.125): in an
//!   `.xlsx` it is written as the percentage it shows (`12.5%`, read back as the same
//!   double, and kept as notation where a domain keeps it), and a column whose numbers
//!   are all percent-formatted is marked a rate; calamine does not expose percent
//!   formats, so they are read from the file's styles (`xlsx_percent`); other formats
//!   give the same fraction, unmarked;
//! - text is read as CSV text (`12.5%`, `500万`, `2024/8/10` typed by the same rules);
//! - a boolean is `true`/`false`; an empty cell is missing;
//! - an Excel error value (`#DIV/0!`, `#N/A`) is an error naming the cell.
//!
//! Entirely empty rows are skipped like blank lines, and empty columns after the last
//! one with a header or a value are dropped. Encrypted (password-protected) workbooks
//! are refused with what to do; a corrupt file is an error, never a panic.

use super::csv_read::{read_csv_bytes_noted, read_csv_path_noted, CsvOptions};
use super::error::TableError;
use super::table::Table;
use calamine::{Data, Range, Reader};
use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;

/// Which part of a workbook to read.
#[derive(Debug, Clone, Default)]
pub struct SheetOptions {
    /// The sheet's name (default: the first sheet).
    pub sheet: Option<String>,
    /// A block of cells in A1 notation: `B3:F20`, or whole columns `A:F`; the first row
    /// of the block is the header (default: the sheet's used cells).
    pub range: Option<String>,
}

/// The workbook formats, by file extension (any case).
const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// True when `path` names a workbook by its extension.
pub fn is_workbook(path: &Path) -> bool {
    extension(path).is_some_and(|e| WORKBOOK_EXTENSIONS.contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Reads the table at `path` by its extension: a sheet of a workbook (`.xlsx`, `.xls`,
/// `.ods`, ...) or else CSV (plain or gzip). `sheet` options on a CSV file are an error.
pub fn read_table_path_noted(
    path: &Path,
    csv: &CsvOptions,
    sheet: &SheetOptions,
) -> Result<(Table, Vec<String>), TableError> {
    if is_workbook(path) {
        return read_workbook_noted(path, csv, sheet);
    }
    if sheet.sheet.is_some() || sheet.range.is_some() {
        return Err(TableError::Invalid(format!(
            "{}: options 'sheet' and 'range' are for workbooks ({}), and this is read as CSV",
            path.display(),
            WORKBOOK_EXTENSIONS.map(|e| format!(".{e}")).join(", ")
        )));
    }
    read_csv_path_noted(path, csv)
}

/// Reads one sheet of the workbook at `path` (see the module's rules).
pub fn read_workbook_noted(
    path: &Path,
    csv: &CsvOptions,
    sheet: &SheetOptions,
) -> Result<(Table, Vec<String>), TableError> {
    let name = path.display().to_string();
    if csv.delimiter.is_some() || csv.encoding.is_some() {
        return Err(TableError::Invalid(format!(
            "{name}: options 'delimiter' and 'encoding' are for CSV files, not workbooks"
        )));
    }
    let (sheet_name, range, percent) = load_sheet(path, &name, sheet, true)?;
    let (text, first_row, rates) = sheet_csv(
        &name,
        &sheet_name,
        &range,
        sheet.range.as_deref(),
        &percent,
        csv.no_header,
    )?;
    let source = if first_row == 1 {
        format!("{name}[{sheet_name}]")
    } else {
        format!("{name}[{sheet_name}, line 1 = row {first_row}]")
    };
    let options = CsvOptions {
        delimiter: None,
        encoding: None,
        ..csv.clone()
    };
    let (mut t, notes) = read_csv_bytes_noted(&source, text.as_bytes(), &options)?;
    // Percent-formatted columns are rates (their cells hold the fractions).
    for rate in rates {
        let renamed = options
            .rename
            .iter()
            .find(|(old, _)| *old == rate)
            .map_or(rate, |(_, new)| new.clone());
        if t.column(&renamed)
            .is_ok_and(|c| c.dtype() == super::value::DType::Float)
        {
            t = t.with_kind(&renamed, super::kind::Kind::Rate);
        }
    }
    Ok((t.with_source(&format!("{name}[{sheet_name}]")), notes))
}

/// A sheet as read: its name, its cells, the cells formatted as percentages.
type LoadedSheet = (String, Range<Data>, HashSet<(u32, u32)>);

/// Rows of a sheet as text: the 1-based row number and each cell's text.
pub type SheetRows = Vec<(u32, Vec<String>)>;

/// The chosen sheet of the workbook at `path`: its name, its cells, and (for xlsx when
/// `styles` is set) the cells formatted as percentages.
fn load_sheet(
    path: &Path,
    name: &str,
    sheet: &SheetOptions,
    styles: bool,
) -> Result<LoadedSheet, TableError> {
    let bytes = std::fs::read(path).map_err(|e| TableError::Io {
        path: name.to_string(),
        reason: super::csv_read::io_reason(&e),
    })?;
    let ext = extension(path).unwrap_or_default();
    // The readers are not trusted never to panic on a malformed file.
    let read = std::panic::catch_unwind(|| {
        let (sheet_name, range) = open_sheet(name, &ext, &bytes, sheet)?;
        let percent = if styles && matches!(ext.as_str(), "xlsx" | "xlsm") {
            super::xlsx_percent::percent_cells(Cursor::new(bytes.as_slice()), &sheet_name)
                .unwrap_or_default()
        } else {
            HashSet::new()
        };
        Ok::<_, TableError>((sheet_name, range, percent))
    });
    match read {
        Ok(r) => r,
        Err(_) => Err(TableError::Invalid(format!(
            "{name}: the workbook is malformed and cannot be read; open it in a spreadsheet program and save it again"
        ))),
    }
}

/// The rows of a sheet as text, top to bottom: `(row, cells)` with the 1-based row
/// number and each cell as it reads (dates `YYYY-MM-DD`, numbers in their shortest
/// form, a spreadsheet error as empty), for blocks that are not a table (a review's
/// header above its metrics). Also returns the sheet's name.
pub fn sheet_rows(path: &Path, sheet: &SheetOptions) -> Result<(String, SheetRows), TableError> {
    let name = path.display().to_string();
    let (sheet_name, cells, _) = load_sheet(path, &name, sheet, false)?;
    let (Some((r0, c0)), Some((r1, c1))) = (cells.start(), cells.end()) else {
        return Ok((sheet_name, Vec::new()));
    };
    let text = |d: &Data| match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        other => {
            let mut out = String::new();
            let _ = write_cell(&mut out, other, String::new);
            out
        }
    };
    let rows = (0..=r1)
        .map(|r| {
            let cells: Vec<String> = (0..=c1)
                .map(|c| {
                    if r < r0 || c < c0 {
                        String::new()
                    } else {
                        cells.get_value((r, c)).map(text).unwrap_or_default()
                    }
                })
                .collect();
            (r + 1, cells)
        })
        .collect();
    Ok((sheet_name, rows))
}

/// The A1 range from the 1-based `row` to the last row and column of a sheet whose
/// rows are `rows` (as [`sheet_rows`] gives them): the block a table below a preamble
/// occupies.
pub fn range_from_row(row: u32, rows: &[(u32, Vec<String>)]) -> String {
    let last_row = rows.last().map_or(row, |r| r.0).max(row);
    let cols = rows.iter().map(|r| r.1.len()).max().unwrap_or(1).max(1) as u32;
    format!("{}:{}", a1(row - 1, 0), a1(last_row - 1, cols - 1))
}

/// Opens the workbook and reads the chosen sheet's cells.
fn open_sheet(
    name: &str,
    ext: &str,
    bytes: &[u8],
    options: &SheetOptions,
) -> Result<(String, Range<Data>), TableError> {
    let cursor = Cursor::new(bytes);
    let password = || {
        TableError::Invalid(format!(
            "{name}: the workbook is password-protected (encrypted), which pacer does not read; remove the password (in Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and save, or export the sheet as CSV"
        ))
    };
    let bad = |e: &dyn std::fmt::Display| {
        TableError::Invalid(format!(
            "{name}: not a readable .{ext} workbook ({e}); open it in a spreadsheet program and save it again, or export the sheet as CSV"
        ))
    };
    macro_rules! read {
        ($ty:ty, $password:pat) => {{
            let mut wb: $ty = match calamine::open_workbook_from_rs(cursor) {
                Ok(wb) => wb,
                Err($password) => return Err(password()),
                Err(e) => return Err(bad(&e)),
            };
            let names = wb.sheet_names();
            let chosen = choose_sheet(name, &names, options.sheet.as_deref())?;
            match wb.worksheet_range(&chosen) {
                Ok(r) => (chosen, r),
                Err($password) => return Err(password()),
                Err(e) => return Err(bad(&e)),
            }
        }};
    }
    Ok(match ext {
        "xls" => read!(calamine::Xls<_>, calamine::XlsError::Password),
        "xlsb" => read!(calamine::Xlsb<_>, calamine::XlsbError::Password),
        "ods" => read!(calamine::Ods<_>, calamine::OdsError::Password),
        _ => read!(calamine::Xlsx<_>, calamine::XlsxError::Password),
    })
}

/// The sheet to read: the one named, else the first; an unknown name lists the sheets.
fn choose_sheet(file: &str, names: &[String], wanted: Option<&str>) -> Result<String, TableError> {
    let list = || {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        None => names
            .first()
            .cloned()
            .ok_or_else(|| TableError::Invalid(format!("{file}: the workbook has no sheets"))),
        Some(w) => names.iter().find(|n| *n == w).cloned().ok_or_else(|| {
            let near = names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
                .map(|n| format!(" (did you mean '{n}'?)"))
                .unwrap_or_default();
            TableError::Invalid(format!(
                "{file}: no sheet named '{w}'{near}; the sheets are {}",
                list()
            ))
        }),
    }
}

/// A cell reference's 0-based (row, column); either part may be absent (`B`, `3`).
fn parse_cell_ref(s: &str) -> Option<(Option<u32>, Option<u32>)> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    let (letters, digits) = s.split_at(split);
    if !letters.chars().all(|c| c.is_ascii_alphabetic()) || letters.len() > 3 {
        return None;
    }
    let col = if letters.is_empty() {
        None
    } else {
        let n = letters.bytes().fold(0u32, |acc, c| {
            acc * 26 + u32::from(c.to_ascii_uppercase() - b'A' + 1)
        });
        Some(n - 1)
    };
    let row = if digits.is_empty() {
        None
    } else {
        let r: u32 = digits.parse().ok()?;
        Some(r.checked_sub(1)?)
    };
    (col.is_some() || row.is_some()).then_some((row, col))
}

/// The sheet's cells (within `range` when given) as CSV text, with the 1-based row of
/// the first line and the names of the columns whose numbers are all percent-formatted
/// (`percent` holds those cells; each is written as the percentage it shows, `12.5%`,
/// which the reader reads back as the same double).
fn sheet_csv(
    file: &str,
    sheet: &str,
    cells: &Range<Data>,
    range: Option<&str>,
    percent: &HashSet<(u32, u32)>,
    no_header: bool,
) -> Result<(String, u32, Vec<String>), TableError> {
    let (Some((r0, c0)), Some((r1, c1))) = (cells.start(), cells.end()) else {
        return Err(TableError::Empty {
            file: format!("{file}[{sheet}]"),
        });
    };
    let (mut top, mut left, mut bottom, mut right) = (r0, c0, r1, c1);
    if let Some(spec) = range {
        let bad = || {
            TableError::Invalid(format!(
                "{file}: range {spec:?} is not a block of cells like \"B3:F20\" or \"A:F\""
            ))
        };
        let (a, b) = spec.split_once(':').ok_or_else(bad)?;
        let (ar, ac) = parse_cell_ref(a).ok_or_else(bad)?;
        let (br, bc) = parse_cell_ref(b).ok_or_else(bad)?;
        top = ar.unwrap_or(0);
        left = ac.unwrap_or(0);
        bottom = br.unwrap_or(r1);
        right = bc.unwrap_or(c1);
        if bottom < top || right < left {
            return Err(bad());
        }
    }
    let get = |r: u32, c: u32| cells.get_value((r, c)).unwrap_or(&Data::Empty);
    // Drop empty columns at the right.
    while right > left && (top..=bottom.min(r1)).all(|r| is_empty(get(r, right))) {
        right -= 1;
    }
    let last = bottom.min(r1.max(top));
    let mut rates = Vec::new();
    if !percent.is_empty() {
        let first_data = if no_header { top } else { top + 1 };
        for c in left..=right {
            let numbers: Vec<u32> = (first_data..=last)
                .filter(|&r| matches!(get(r, c), Data::Float(_) | Data::Int(_)))
                .collect();
            if !numbers.is_empty() && numbers.iter().all(|&r| percent.contains(&(r, c))) {
                rates.push(if no_header {
                    format!("column_{}", c - left + 1)
                } else {
                    let mut h = String::new();
                    let _ = write_cell(&mut h, get(top, c), String::new);
                    h.trim_matches('"').trim().to_string()
                });
            }
        }
    }
    let mut out = String::new();
    for r in top..=last {
        if (left..=right).all(|c| is_empty(get(r, c))) {
            // A blank line: skipped by the reader, and the lines still count rows.
            out.push('\n');
            continue;
        }
        for c in left..=right {
            if c > left {
                out.push(',');
            }
            let cell = get(r, c);
            match cell {
                Data::Float(f) if percent.contains(&(r, c)) => out.push_str(&percent_text(*f)),
                Data::Int(i) if percent.contains(&(r, c)) => out.push_str(&percent_text(*i as f64)),
                _ => write_cell(&mut out, cell, || a1(r, c))
                    .map_err(|e| TableError::Invalid(format!("{file}[{sheet}]: {e}")))?,
            }
        }
        out.push('\n');
    }
    Ok((out, top + 1, rates))
}

fn is_empty(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The A1 name of a 0-based cell.
fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    format!("{}{}", letters.iter().rev().collect::<String>(), row + 1)
}

/// Appends one cell as a CSV field.
fn write_cell(out: &mut String, d: &Data, at: impl Fn() -> String) -> Result<(), String> {
    match d {
        Data::Empty => {}
        Data::String(s) if s.trim().is_empty() => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        }
        Data::Int(i) => out.push_str(&i.to_string()),
        Data::Float(f) => out.push_str(&number(*f)),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            out.push_str(&format!("{y:04}-{mo:02}-{d:02}"));
            if (h, mi, s, ms) != (0, 0, 0, 0) {
                out.push_str(&format!(" {h:02}:{mi:02}:{s:02}"));
                if ms > 0 {
                    out.push_str(&format!(".{ms:03}"));
                }
            }
        }
        Data::DateTime(dt) => out.push_str(&number(dt.as_f64())),
        Data::Error(e) => {
            return Err(format!(
                "cell {} holds the spreadsheet error {e}; fix the formula or clear the cell",
                at()
            ))
        }
    }
    Ok(())
}

/// A fraction as the percentage it shows, shifting the decimal point of its shortest
/// exact text by two places (0.125 -> `12.5%`), so that the reader's `12.5%` is the same
/// double; a value in exponent form is written as the number itself.
fn percent_text(f: f64) -> String {
    let s = super::value::format_float(f);
    if s.contains(['e', 'E', 'N', 'i']) {
        return number(f);
    }
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", s.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut digits = format!("{int}{frac}");
    let point = int.len() + 2;
    while digits.len() < point {
        digits.push('0');
    }
    let (i, fr) = digits.split_at(point);
    let i = i.trim_start_matches('0');
    let fr = fr.trim_end_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    if fr.is_empty() {
        format!("{sign}{i}%")
    } else {
        format!("{sign}{i}.{fr}%")
    }
}

/// A number as the CSV reader reads it back exactly: whole numbers below 2^53 as
/// integers, others in the shortest round-trip form.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        super::value::format_float(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(parse_cell_ref("B3"), Some((Some(2), Some(1))));
        assert_eq!(parse_cell_ref("AA10"), Some((Some(9), Some(26))));
        assert_eq!(parse_cell_ref("F"), Some((None, Some(5))));
        assert_eq!(parse_cell_ref("3x"), None);
        assert_eq!(parse_cell_ref(""), None);
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(9, 26), "AA10");
    }

    #[test]
    fn numbers_read_back_exactly() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-0.125), "-0.125");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(1e20), "1e20");
        assert_eq!(percent_text(0.125), "12.5%");
        assert_eq!(percent_text(0.03), "3%");
        assert_eq!(percent_text(1.0), "100%");
        assert_eq!(percent_text(-0.005), "-0.5%");
        assert_eq!(percent_text(12.0), "1200%");
        assert_eq!(percent_text(0.0), "0%");
        for f in [0.125, 0.03, 0.1 + 0.2, 1.0 / 3.0, 0.0412, 7.0, -0.005] {
            let t = percent_text(f);
            let back = super::super::cell::parse_float(t.as_bytes(), false);
            assert_eq!(back, Some(f), "{f} -> {t}");
        }
    }
}
