//! Tables as an Excel workbook (`.xlsx`, written by rust_xlsxwriter): one sheet per
//! table, a bold frozen header row with filters, columns sized to their contents, and
//! every cell a real Excel value (numbers, dates, booleans) under a number format chosen
//! by what the column means: its declared kind (`Table::kind`) when it has one (count
//! `#,##0`, money `#,##0.00`, rate and share `0.0#%`, change and points
//! `+0.0#%;-0.0#%` (Excel shows a percentage-point difference with a % sign: its formats
//! scale by 100 only with %), ratio `"1:"0.0#`, days `0.0# d`), else by its type and
//! name:
//!
//! | column | Excel number format | shows |
//! |---|---|---|
//! | rate or share (a float named `rate`, `ctr`, `cvr`, `share`, `achievement`, `lift`, ..., or ending `_rate`/`_share`) | `0.0#%` | 4.0%, 4.12% |
//! | money (a float named `spend`, `cost`, `revenue`, `budget`, `price`, `cpm`, `cpc`, `cac`, `aov`, `gmv`, `amount`, ...) | `#,##0.00` | 12,345.60 |
//! | whole numbers (int) | `#,##0` | 12,345 |
//! | other floats | General | as computed |
//! | date / date-time | `yyyy-mm-dd` / `yyyy-mm-dd hh:mm:ss` | real Excel dates |
//!
//! Rows that mean something in pacer's own result tables are marked: a plan's tasks
//! (a `critical` column) fill critical rows light red, and a `late` above zero is red
//! and bold; a review (a `status` column of `met`/`missed`/`over`) colors the status
//! cell with Excel's good/bad/neutral colors (green met, red missed, amber over).
//! A review's `target`, `actual` and `difference` are percentages on the rows whose
//! `notation` is `percent`. A NaN or infinite float, which Excel cannot store, is written as the text `NaN`,
//! `inf` or `-inf`, never silently blank.

use crate::table::{DType, Kind, Table};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

/// What a column's numbers mean, for its number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Rate,
    PValue,
    Change,
    Ratio,
    Days,
    Money,
    Count,
    Number,
    Date,
    Datetime,
    Other,
}

const RATE_NAMES: &[&str] = &[
    "rate",
    "ctr",
    "cvr",
    "share",
    "achievement",
    "lift",
    "conversion",
    "pct",
    "percent",
    "margin",
];
const MONEY_NAMES: &[&str] = &[
    "spend", "spent", "cost", "revenue", "budget", "price", "cpm", "cpc", "cpa", "cac", "aov",
    "gmv", "amount", "planned", "sales",
];

/// The meaning of a numeric column from its declared kind; without one, from its type
/// and, for floats, its name.
fn meaning(name: &str, dtype: DType, kind: Kind) -> Meaning {
    if matches!(dtype, DType::Int | DType::Float) {
        match kind {
            Kind::Plain => {}
            Kind::Count => return Meaning::Count,
            Kind::Money => return Meaning::Money,
            Kind::Rate | Kind::Share => return Meaning::Rate,
            Kind::Points | Kind::Change => return Meaning::Change,
            Kind::Ratio => return Meaning::Ratio,
            Kind::Days => return Meaning::Days,
            Kind::PValue => return Meaning::PValue,
        }
    }
    let n = name.to_ascii_lowercase();
    let named = |list: &[&str]| {
        list.iter()
            .any(|w| n == *w || n.ends_with(&format!("_{w}")) || n.starts_with(&format!("{w}_")))
    };
    match dtype {
        DType::Int => Meaning::Count,
        DType::Float if named(RATE_NAMES) => Meaning::Rate,
        DType::Float if named(MONEY_NAMES) => Meaning::Money,
        DType::Float => Meaning::Number,
        DType::Date => Meaning::Date,
        DType::Datetime => Meaning::Datetime,
        DType::Bool | DType::Str => Meaning::Other,
    }
}

/// How a row or a cell is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    Critical,
    Late,
    Met,
    Missed,
    Over,
}

fn format_for(meaning: Meaning, mark: Mark) -> Format {
    let f = Format::new();
    let f = match meaning {
        Meaning::Rate => f.set_num_format("0.0#%"),
        Meaning::Change => f.set_num_format("+0.0#%;-0.0#%;0.0%"),
        Meaning::Ratio => f.set_num_format("\"1:\"0.0#"),
        Meaning::Days => f.set_num_format("0.0#\" d\""),
        Meaning::PValue => f.set_num_format("0.0000"),
        Meaning::Money => f.set_num_format("#,##0.00"),
        Meaning::Count => f.set_num_format("#,##0"),
        Meaning::Date => f.set_num_format("yyyy-mm-dd"),
        Meaning::Datetime => f.set_num_format("yyyy-mm-dd hh:mm:ss"),
        Meaning::Number | Meaning::Other => f,
    };
    match mark {
        Mark::None => f,
        Mark::Critical => f.set_background_color(Color::RGB(0xFDE2E1)),
        Mark::Late => f
            .set_background_color(Color::RGB(0xFDE2E1))
            .set_font_color(Color::RGB(0x9C0006))
            .set_bold(),
        Mark::Met => f
            .set_background_color(Color::RGB(0xC6EFCE))
            .set_font_color(Color::RGB(0x006100)),
        Mark::Missed => f
            .set_background_color(Color::RGB(0xFFC7CE))
            .set_font_color(Color::RGB(0x9C0006)),
        Mark::Over => f
            .set_background_color(Color::RGB(0xFFEB9C))
            .set_font_color(Color::RGB(0x9C5700)),
    }
}

/// The most data rows a sheet holds below its header.
const MAX_ROWS: usize = 1_048_575;
/// The most columns a sheet holds.
const MAX_COLS: usize = 16_384;

/// The workbook's bytes: one sheet per `(name, table)`, in order. Errors name the sheet
/// (an invalid sheet name, a table too large for a sheet, a text too long for a cell).
pub fn workbook_bytes(sheets: &[(String, Table)]) -> Result<Vec<u8>, String> {
    if sheets.is_empty() {
        return Err("no sheets: give at least one table".into());
    }
    let mut wb = Workbook::new();
    for (name, table) in sheets {
        if table.n_rows() > MAX_ROWS || table.n_cols() > MAX_COLS {
            return Err(format!(
                "sheet '{name}': {} rows and {} columns do not fit a sheet (at most {MAX_ROWS} rows below the header and {MAX_COLS} columns); write CSV instead",
                table.n_rows(),
                table.n_cols()
            ));
        }
        let ws = wb.add_worksheet();
        ws.set_name(name)
            .map_err(|e| format!("sheet name '{name}': {}", sheet_name_reason(&e)))?;
        write_sheet(ws, table).map_err(|e| format!("sheet '{name}': {e}"))?;
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

fn sheet_name_reason(e: &XlsxError) -> String {
    match e {
        XlsxError::SheetnameLengthExceeded(_) => "longer than 31 characters".into(),
        XlsxError::SheetnameCannotBeBlank(_) => "empty".into(),
        XlsxError::SheetnameContainsInvalidCharacter(_) => {
            "holds one of [ ] : * ? / \\, which Excel forbids".into()
        }
        XlsxError::SheetnameStartsOrEndsWithApostrophe(_) => {
            "starts or ends with an apostrophe, which Excel forbids".into()
        }
        XlsxError::SheetnameReused(_) => "used twice (Excel ignores case)".into(),
        other => other.to_string(),
    }
}

/// The row marks of a table: critical tasks (and late ones), review statuses.
fn row_marks(t: &Table) -> (Vec<Mark>, Option<usize>, Option<usize>) {
    let n = t.n_rows();
    let mut rows = vec![Mark::None; n];
    if let Some(c) = t
        .column("critical")
        .ok()
        .filter(|c| c.dtype() == DType::Bool)
    {
        for (r, m) in rows.iter_mut().enumerate() {
            if c.bool_at(r) == Some(true) {
                *m = Mark::Critical;
            }
        }
    }
    let late = t.index_of("late").filter(|&i| {
        t.column_at(i)
            .is_some_and(|c| matches!(c.dtype(), DType::Float | DType::Int))
    });
    let status = t.index_of("status").filter(|&i| {
        t.column_at(i).is_some_and(|c| {
            c.dtype() == DType::Str
                && (0..n).all(|r| matches!(c.str_at(r), None | Some("met" | "missed" | "over")))
        })
    });
    (rows, late, status)
}

fn write_sheet(ws: &mut Worksheet, t: &Table) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border_bottom(FormatBorder::Thin);
    for (c, name) in t.names().iter().enumerate() {
        ws.write_string_with_format(0, c as u16, name, &header)?;
    }
    let (rows, late, status) = row_marks(t);
    let notation = t
        .column("notation")
        .ok()
        .filter(|c| c.dtype() == DType::Str);
    for (c, name) in t.names().iter().enumerate() {
        let Some(col) = t.column_at(c) else { continue };
        let column_meaning = meaning(name, col.dtype(), t.kind(name));
        // A review's quantities are percentages on the rows whose notation says so.
        let by_notation = notation.filter(|_| {
            col.dtype() == DType::Float
                && ["target", "actual", "difference"].contains(&name.as_str())
        });
        let mut formats: Vec<((Meaning, Mark), Format)> = Vec::new();
        let mut format = |key: (Meaning, Mark)| -> Format {
            if let Some((_, f)) = formats.iter().find(|(k, _)| *k == key) {
                return f.clone();
            }
            let f = format_for(key.0, key.1);
            formats.push((key, f.clone()));
            f
        };
        let xc = c as u16;
        for (r, &row_mark) in rows.iter().enumerate() {
            let xr = (r + 1) as u32;
            let mark = if Some(c) == status {
                match col.str_at(r) {
                    Some("met") => Mark::Met,
                    Some("missed") => Mark::Missed,
                    Some("over") => Mark::Over,
                    _ => row_mark,
                }
            } else if Some(c) == late && col.f64_at(r).is_some_and(|x| x > 0.0) {
                Mark::Late
            } else {
                row_mark
            };
            let meaning = match by_notation.and_then(|n| n.str_at(r)) {
                Some("percent") => Meaning::Rate,
                _ => column_meaning,
            };
            let f = format((meaning, mark));
            if col.is_null(r) {
                if mark != Mark::None {
                    ws.write_blank(xr, xc, &f)?;
                }
                continue;
            }
            match col.dtype() {
                DType::Int | DType::Float => match col.f64_at(r) {
                    Some(x) if x.is_finite() => {
                        ws.write_number_with_format(xr, xc, x, &f)?;
                    }
                    Some(x) => {
                        ws.write_string_with_format(xr, xc, crate::table::format_float(x), &f)?;
                    }
                    None => {}
                },
                DType::Bool => {
                    if let Some(b) = col.bool_at(r) {
                        ws.write_boolean_with_format(xr, xc, b, &f)?;
                    }
                }
                DType::Date => {
                    if let Some(d) = col.date_at(r) {
                        ws.write_datetime_with_format(xr, xc, d, &f)?;
                    }
                }
                DType::Datetime => {
                    if let Some(d) = col.datetime_at(r) {
                        ws.write_datetime_with_format(xr, xc, d, &f)?;
                    }
                }
                DType::Str => {
                    if let Some(s) = col.str_at(r) {
                        ws.write_string_with_format(xr, xc, s, &f)?;
                    }
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if t.n_cols() > 0 {
        ws.autofilter(0, 0, t.n_rows() as u32, (t.n_cols() - 1) as u16)?;
    }
    ws.autofit();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings_by_type_and_name() {
        let p = Kind::Plain;
        assert_eq!(meaning("ctr", DType::Float, p), Meaning::Rate);
        assert_eq!(meaning("open_rate", DType::Float, p), Meaning::Rate);
        assert_eq!(meaning("share", DType::Float, p), Meaning::Rate);
        assert_eq!(meaning("spend", DType::Float, p), Meaning::Money);
        assert_eq!(meaning("clicks", DType::Int, p), Meaning::Count);
        assert_eq!(meaning("slack", DType::Float, p), Meaning::Number);
        assert_eq!(meaning("rates_note", DType::Str, p), Meaning::Other);
        assert_eq!(meaning("day", DType::Date, p), Meaning::Date);
        // A declared kind wins over the name.
        assert_eq!(meaning("spend", DType::Float, Kind::Rate), Meaning::Rate);
        assert_eq!(meaning("x", DType::Float, Kind::Money), Meaning::Money);
        assert_eq!(meaning("x", DType::Float, Kind::Points), Meaning::Change);
        assert_eq!(meaning("x", DType::Float, Kind::Days), Meaning::Days);
    }
}
