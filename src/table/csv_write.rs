//! Writing tables as CSV, so that `load_csv` reads back the same table.
//!
//! Rules: a header, then one record per row; a missing cell is an empty field; an
//! empty text is `""` (so it reads back as text, not as missing); a field holding the
//! delimiter, a quote or a line break is quoted with its quotes doubled; integers are
//! written exactly, floats in their shortest round-trip form (`format_float`), dates
//! `YYYY-MM-DD`, date-times `YYYY-MM-DD HH:MM:SS[.ffffff]`. Nothing is rounded: a value
//! that was computed as 0.7999999999999999 is written so.

use super::error::TableError;
use super::table::Table;
use super::value::{format_datetime, format_float, DType};
use std::io::Write;

/// Writes `table` as CSV to `out`.
pub fn write_csv<W: Write>(table: &Table, out: W) -> Result<(), TableError> {
    let err = |e: std::io::Error| TableError::Invalid(format!("writing CSV: {e}"));
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut line: Vec<u8> = Vec::with_capacity(256);
    for (i, name) in table.names().iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_text(&mut line, name);
    }
    line.push(b'\n');
    w.write_all(&line).map_err(err)?;
    let cols: Vec<_> = (0..table.n_cols())
        .filter_map(|i| table.column_at(i))
        .collect();
    let mut itoa_buf = itoa::Buffer::new();
    for r in 0..table.n_rows() {
        line.clear();
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            if c.is_null(r) {
                continue;
            }
            match c.dtype() {
                DType::Int => {
                    if let Some(x) = c.i64_at(r) {
                        line.extend_from_slice(itoa_buf.format(x).as_bytes());
                    }
                }
                DType::Float => {
                    if let Some(x) = c.f64_at(r) {
                        line.extend_from_slice(format_float(x).as_bytes());
                    }
                }
                DType::Str => {
                    if let Some(s) = c.str_at(r) {
                        if s.is_empty() {
                            line.extend_from_slice(b"\"\"");
                        } else {
                            push_text(&mut line, s);
                        }
                    }
                }
                DType::Datetime => {
                    if let Some(t) = c.datetime_at(r) {
                        line.extend_from_slice(format_datetime(t).as_bytes());
                    }
                }
                _ => {
                    if let Some(t) = c.text_at(r) {
                        line.extend_from_slice(t.as_bytes());
                    }
                }
            }
        }
        line.push(b'\n');
        w.write_all(&line).map_err(err)?;
    }
    w.flush().map_err(err)
}

/// A text field, quoted when it holds a comma, a quote or a line break.
fn push_text(line: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        line.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                line.push(b'"');
            }
            line.push(b);
        }
        line.push(b'"');
    } else {
        line.extend_from_slice(s.as_bytes());
    }
}

/// The table as CSV text.
pub fn to_csv_string(table: &Table) -> Result<String, TableError> {
    let mut buf = Vec::new();
    write_csv(table, &mut buf)?;
    String::from_utf8(buf).map_err(|e| TableError::Invalid(e.to_string()))
}

/// The table as CSV text of at most `limit` bytes: `Err(rows)` when it would be longer
/// (the rows that fit), so that a huge table is refused before it is all built.
pub fn to_csv_string_limited(
    table: &Table,
    limit: usize,
) -> Result<Result<String, usize>, TableError> {
    let mut w = Limited {
        buf: Vec::new(),
        limit,
        exceeded: false,
    };
    match write_csv(table, &mut w) {
        Ok(()) => String::from_utf8(w.buf)
            .map(Ok)
            .map_err(|e| TableError::Invalid(e.to_string())),
        Err(_) if w.exceeded => {
            let rows = memchr::memchr_iter(b'\n', &w.buf).count().saturating_sub(1);
            Ok(Err(rows))
        }
        Err(e) => Err(e),
    }
}

/// A writer into memory that fails past `limit` bytes (keeping what fits).
struct Limited {
    buf: Vec<u8>,
    limit: usize,
    exceeded: bool,
}

impl Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            let fits = self.limit.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&data[..fits.min(data.len())]);
            self.exceeded = true;
            return Err(std::io::Error::other("past the size limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
