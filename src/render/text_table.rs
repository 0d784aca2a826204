//! Aligned text tables for the terminal: numbers right-aligned, text left-aligned,
//! widths measured in terminal columns (CJK characters count two).

use super::number::{format_display, format_grouped};
use crate::table::{Column, DType, Table, Value};
use unicode_width::UnicodeWidthStr;

/// Renders every row of `table`.
pub fn render_table(table: &Table) -> String {
    render_table_limited(table, usize::MAX)
}

/// Renders at most `max_rows` rows (the first ones), followed by a line saying how
/// many were left out, and a last line with the table's shape.
pub fn render_table_limited(table: &Table, max_rows: usize) -> String {
    let shown = table.n_rows().min(max_rows);
    let ncols = table.n_cols();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(shown + 1);
    cells.push(table.names().to_vec());
    let cols: Vec<&Column> = (0..ncols).filter_map(|i| table.column_at(i)).collect();
    let formats: Vec<FloatFormat> = cols.iter().map(|c| FloatFormat::of(c, shown)).collect();
    for r in 0..shown {
        cells.push(
            cols.iter()
                .zip(&formats)
                .map(|(c, f)| display_cell(&c.get(r), *f))
                .collect(),
        );
    }
    let right: Vec<bool> = cols
        .iter()
        .map(|c| matches!(c.dtype(), DType::Int | DType::Float))
        .collect();
    let widths: Vec<usize> = (0..ncols)
        .map(|i| cells.iter().map(|row| row[i].width()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (ri, row) in cells.iter().enumerate() {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = widths[i] - cell.width();
            if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if i + 1 < ncols {
                    line.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if ri == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    if shown < table.n_rows() {
        out.push_str(&format!("... {} more rows\n", table.n_rows() - shown));
    }
    out.push_str(&format!(
        "({} row{}, {} column{})",
        table.n_rows(),
        if table.n_rows() == 1 { "" } else { "s" },
        ncols,
        if ncols == 1 { "" } else { "s" }
    ));
    out
}

/// How a float column is shown: as `format_display` gives each value (rates, p-values,
/// small figures), or, when some value reaches 1,000, every value with thousands
/// separators and one decimal (none when every value is whole), so that a column of
/// volumes or money reads `5,000,000` and `85,573.5` rather than `5000000.0` and
/// `85573.5049`. Integer columns (counts, years, ids) are shown as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FloatFormat {
    Plain,
    Grouped { decimals: usize },
}

impl FloatFormat {
    fn of(column: &Column, shown: usize) -> FloatFormat {
        if column.dtype() != DType::Float {
            return FloatFormat::Plain;
        }
        let values: Vec<f64> = (0..shown)
            .filter_map(|r| match column.get(r) {
                Value::Float(x) if x.is_finite() => Some(x),
                _ => None,
            })
            .collect();
        if !values.iter().any(|x| x.abs() >= 1000.0) {
            return FloatFormat::Plain;
        }
        let whole = values.iter().all(|x| x.fract() == 0.0);
        FloatFormat::Grouped {
            decimals: if whole { 0 } else { 1 },
        }
    }
}

fn display_cell(v: &Value, format: FloatFormat) -> String {
    match v {
        Value::Float(x) if x.is_finite() => match format {
            FloatFormat::Plain => format_display(*x),
            FloatFormat::Grouped { decimals } => format_grouped(*x, decimals),
        },
        Value::Float(x) => format_display(*x),
        Value::Str(s) => s.replace(['\n', '\r', '\t'], " "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    #[test]
    fn aligns_numbers_right_and_cjk_by_width() {
        let t = read_csv_bytes(
            "t.csv",
            "stage,users,rate\n获客,25000,15%\nactivation,3750,0.4\n".as_bytes(),
            &CsvOptions::default(),
        )
        .expect("csv");
        let s = render_table(&t);
        assert_eq!(
            s,
            "stage       users  rate\n----------  -----  ----\n获客        25000  0.15\nactivation   3750   0.4\n(2 rows, 3 columns)"
        );
    }

    #[test]
    fn float_columns_of_large_values_group_thousands() {
        let t = read_csv_bytes(
            "t.csv",
            "stage,volume,spend,rate\nvisit,5000000.0,85573.5049,0.04\nbuy,200000.0,546.14,0.5\n"
                .as_bytes(),
            &CsvOptions::default(),
        )
        .expect("csv");
        assert_eq!(
            render_table(&t),
            "stage     volume     spend  rate\n-----  ---------  --------  ----\nvisit  5,000,000  85,573.5  0.04\nbuy      200,000     546.1   0.5\n(2 rows, 4 columns)"
        );
    }
}
