//! Writing tables as CSV.

use super::error::TableError;
use super::table::Table;
use std::io::Write;

/// Writes `table` as CSV (header, then one record per row; empty cells for nulls;
/// floats in their shortest round-trip form).
pub fn write_csv<W: Write>(table: &Table, out: W) -> Result<(), TableError> {
    let err = |e: csv::Error| TableError::Invalid(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(table.names()).map_err(err)?;
    let cols: Vec<_> = (0..table.n_cols())
        .filter_map(|i| table.column_at(i))
        .collect();
    let mut rec: Vec<String> = Vec::with_capacity(cols.len());
    for r in 0..table.n_rows() {
        rec.clear();
        rec.extend(cols.iter().map(|c| c.get(r).to_string()));
        w.write_record(&rec).map_err(err)?;
    }
    w.flush()
        .map_err(|e| TableError::Invalid(format!("writing CSV: {e}")))
}

/// The table as CSV text.
pub fn to_csv_string(table: &Table) -> Result<String, TableError> {
    let mut buf = Vec::new();
    write_csv(table, &mut buf)?;
    String::from_utf8(buf).map_err(|e| TableError::Invalid(e.to_string()))
}
