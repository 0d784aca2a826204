//! Aligned text tables for the terminal: numbers right-aligned, text left-aligned,
//! widths measured in terminal columns (CJK characters count two).

use super::format::CellFormat;
use crate::table::{Column, Table};
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
    let formats: Vec<CellFormat> = cols
        .iter()
        .map(|c| CellFormat::for_column(c, shown))
        .collect();
    for r in 0..shown {
        cells.push(
            cols.iter()
                .zip(&formats)
                .map(|(c, f)| f.text(&c.get(r)))
                .collect(),
        );
    }
    let right: Vec<bool> = formats.iter().map(|f| f.is_numeric()).collect();
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
