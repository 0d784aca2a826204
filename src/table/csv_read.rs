//! Reading CSV files into tables: type inference, forced types, and errors that name
//! the file, the line and the column.

use super::column::Column;
use super::csv_plain::{plain_delimiter, split_plain, RecordLines, SpanColumn};
use super::error::{CellRef, TableError};
use super::table::Table;
use super::value::{DType, Value};
use crate::units;
use std::collections::BTreeMap;
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
    let bytes = read_file(path).map_err(|e| TableError::Io {
        path: name.clone(),
        reason: io_reason(&e),
    })?;
    read_csv_bytes(&name, &bytes, options)
}

/// Reads a whole file. A regular file over 8 MB is read in slices in parallel
/// (positioned reads into one buffer): the copy from the page cache is a tenth of the
/// time of loading a large table, and it splits across cores like the rest.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use rayon::prelude::*;
        use std::io::{Read, Seek, SeekFrom};
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        let threads = rayon::current_num_threads();
        let len = usize::try_from(meta.len()).unwrap_or(0);
        if meta.is_file() && len > (8 << 20) && threads > 1 {
            let mut bytes = vec![0u8; len];
            let part = len.div_ceil(threads);
            let read = bytes
                .par_chunks_mut(part)
                .enumerate()
                .try_for_each(|(i, slice)| file.read_exact_at(slice, (i * part) as u64));
            if read.is_ok() {
                // Whatever was appended since the size was taken, as `fs::read` would.
                let mut rest = &file;
                rest.seek(SeekFrom::Start(len as u64))?;
                rest.read_to_end(&mut bytes)?;
                return Ok(bytes);
            }
            // The file shrank meanwhile: read it again from the start.
        }
    }
    std::fs::read(path)
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

    /// Every cell's text in order, `None` when empty.
    fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let cell = if end > start {
                self.text.get(start..end)
            } else {
                None
            };
            start = end;
            cell
        })
    }
}

/// The cells of one column in one chunk of the file: slices of the file (quote-free
/// chunks) or text unescaped by the `csv` crate.
#[derive(Clone, Copy)]
enum Cells<'a> {
    Plain(&'a SpanColumn<'a>),
    Raw(&'a RawColumn),
}

impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        match self {
            Cells::Plain(c) => c.len(),
            Cells::Raw(c) => c.len(),
        }
    }

    /// The cell's text, `None` when empty.
    fn get(&self, row: usize) -> Option<&'a str> {
        match *self {
            Cells::Plain(c) => c.get(row),
            Cells::Raw(c) => c.get(row),
        }
    }

    fn iter(self) -> impl Iterator<Item = (usize, Option<&'a str>)> + 'a {
        (0..self.len()).map(move |r| (r, self.get(r)))
    }

    fn owned(&self, row: usize) -> String {
        self.get(row).unwrap_or_default().to_string()
    }
}

/// One chunk of the file's records, split into columns.
struct Chunk<'a> {
    columns: ChunkColumns<'a>,
    /// Each record's line in the file.
    lines: RecordLines,
}

enum ChunkColumns<'a> {
    Plain(Vec<SpanColumn<'a>>),
    Raw(Vec<RawColumn>),
}

impl Chunk<'_> {
    fn rows(&self) -> usize {
        self.lines.len()
    }

    fn cells(&self, col: usize) -> Option<Cells<'_>> {
        match &self.columns {
            ChunkColumns::Plain(c) => c.get(col).map(Cells::Plain),
            ChunkColumns::Raw(c) => c.get(col).map(Cells::Raw),
        }
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
///
/// Speed: a file without quote characters is cut at line breaks into chunks split in
/// parallel (fields are slices of the file, no copy); then columns are typed in
/// parallel, each straight into its final vector, trying only the types that fit its
/// first non-empty cell, so a typical cell is parsed once.
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
    let names: Vec<String> = match reader.read_byte_record(&mut record) {
        Ok(false) => {
            return Err(TableError::Empty {
                file: source.to_string(),
            })
        }
        Ok(true) => {
            let line = record.position().map_or(1, |p| record_line(bytes, p));
            let names: Vec<String> = record
                .iter()
                .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
                .collect::<Result<_, _>>()
                .map_err(|_| TableError::Utf8 {
                    file: source.to_string(),
                    line,
                })?;
            check_header(source, line, &names)?;
            names
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
    let body = bytes.get(body_start..).unwrap_or_default();
    // The body's first line: 1 plus the line breaks up to it (the header's own may be
    // left for the body when it ends with `\r\n`).
    let first_line = 1 + memchr::memchr_iter(b'\n', &bytes[..bytes.len() - body.len()]).count();
    let chunks = read_body(source, body, first_line as u64, names.len(), options)?;
    for name in options.types.keys() {
        if !names.contains(name) {
            return Err(TableError::Invalid(format!(
                "{source}: the types option names a column '{name}' that the file does not have (columns: {})",
                names.join(", ")
            )));
        }
    }
    let mut offsets = Vec::with_capacity(chunks.len());
    let mut rows = 0usize;
    for c in &chunks {
        offsets.push(rows);
        rows += c.rows();
    }
    // Each column typed over all chunks into one vector, columns in parallel.
    let columns = names
        .par_iter()
        .enumerate()
        .map(|(col, name)| {
            let cells: Vec<(usize, Cells<'_>)> = chunks
                .iter()
                .enumerate()
                .filter_map(|(k, c)| c.cells(col).map(|cells| (k, cells)))
                .collect();
            let at = |k: usize, row: usize| CellRef {
                file: source.to_string(),
                line: chunks.get(k).and_then(|c| c.lines.get(row)),
                row: offsets.get(k).copied().unwrap_or(0) + row,
                column: name.clone(),
            };
            let column = match options.types.get(name) {
                Some(&dtype) => parse_column(&cells, dtype, options.thousands, &at)?,
                None => infer_column(&cells, options.thousands, &at)?,
            };
            Ok((name.clone(), column))
        })
        .collect::<Vec<Result<_, TableError>>>()
        .into_iter()
        .collect::<Result<Vec<_>, TableError>>()?;
    let simple = chunks
        .iter()
        .zip(&offsets)
        .all(|(c, &o)| c.lines.consecutive_from(o as u64 + 2));
    let lines = (!simple).then(|| chunks.iter().flat_map(|c| c.lines.iter()).collect());
    let table = Table::new(source, columns)?;
    Ok(table.with_file_lines(lines))
}

/// Where a cell is, from its chunk and its row in the chunk.
type At<'a> = &'a dyn Fn(usize, usize) -> CellRef;

/// A placeholder cell reference for inference attempts, whose errors only mean "not
/// this type".
fn no_ref(_chunk: usize, row: usize) -> CellRef {
    CellRef {
        file: String::new(),
        line: None,
        row,
        column: String::new(),
    }
}

/// Infers a column's type by trying the narrowest first (int, float, bool, date, else
/// string; all empty: string), skipping the types the first non-empty cell rules out.
/// Each attempt parses the whole column and gives up at the first cell that does not
/// fit, so a typical column is parsed once.
fn infer_column(
    cells: &[(usize, Cells<'_>)],
    thousands: bool,
    at: At<'_>,
) -> Result<Column, TableError> {
    let first = cells
        .iter()
        .find_map(|(_, c)| c.iter().find_map(|(_, t)| t));
    let Some(first) = first else {
        return Ok(Column::Str(vec![
            None;
            cells.iter().map(|(_, c)| c.len()).sum()
        ]));
    };
    let t = trim_cell(first);
    let fits = |dtype: DType| match dtype {
        DType::Int => parse_int(t).is_some(),
        DType::Float => parse_number(t, thousands).is_some(),
        DType::Bool => parse_bool(t).is_some(),
        DType::Date => parse_date(t).is_some(),
        DType::Str => true,
    };
    for dtype in [DType::Int, DType::Float] {
        if fits(dtype) {
            if let Ok(c) = parse_column(cells, dtype, thousands, &no_ref) {
                return Ok(c);
            }
        }
    }
    check_thousands(cells, at)?;
    for dtype in [DType::Bool, DType::Date] {
        if fits(dtype) {
            if let Ok(c) = parse_column(cells, dtype, thousands, &no_ref) {
                return Ok(c);
            }
        }
    }
    parse_column(cells, DType::Str, thousands, at)
}

/// Every cell a number but some written with thousands separators: refuse to guess.
fn check_thousands(cells: &[(usize, Cells<'_>)], at: At<'_>) -> Result<(), TableError> {
    let all_numeric = cells.iter().all(|(_, c)| {
        c.iter()
            .filter_map(|(_, t)| t)
            .all(|t| parse_number(t, false).is_some() || looks_thousands(t))
    });
    if !all_numeric {
        return Ok(());
    }
    for &(k, c) in cells {
        if let Some(row) = c
            .iter()
            .find_map(|(r, t)| t.filter(|t| looks_thousands(t)).map(|_| r))
        {
            return Err(TableError::BadCell {
                at: at(k, row),
                expected: "a number".to_string(),
                found: c.owned(row),
                hint: THOUSANDS_HINT.to_string(),
            });
        }
    }
    Ok(())
}

/// The records after the header (whose first line in the file is `first_line`), in
/// chunks. Files without quote characters are cut at
/// line breaks into chunks split in parallel (one chunk for small files); quoted files
/// (whose fields may span lines) are parsed in one pass by the `csv` crate. A chunk the
/// fast splitter refuses (a ragged row, invalid UTF-8...) is parsed by the `csv` crate,
/// which reports the error.
fn read_body<'a>(
    source: &str,
    body: &'a [u8],
    first_line: u64,
    ncols: usize,
    options: &CsvOptions,
) -> Result<Vec<Chunk<'a>>, TableError> {
    use rayon::prelude::*;
    let delimiter = options.delimiter.unwrap_or(b',');
    let threads = rayon::current_num_threads().max(1);
    let full = |chunk: &[u8], first: u64| -> Result<Chunk<'a>, TableError> {
        let (raw, full_lines, _) = read_chunk(source, chunk, first, ncols, options)?;
        let mut lines = RecordLines::new(first);
        for line in full_lines {
            lines.push(line);
        }
        Ok(Chunk {
            columns: ChunkColumns::Raw(raw),
            lines,
        })
    };
    if !plain_delimiter(delimiter) {
        return Ok(vec![full(body, first_line)?]);
    }
    // Chunk boundaries just after a line break, so no record is cut in two; at most
    // 256 MB a chunk so that offsets fit in 32 bits.
    const MIN_CHUNK: usize = 256 << 10;
    const MAX_CHUNK: usize = 256 << 20;
    let n = (body.len() / MIN_CHUNK)
        .clamp(1, threads * 4)
        .max(body.len() / MAX_CHUNK + 1);
    let target = body.len() / n + 1;
    let mut bounds = vec![0usize];
    let mut at = target;
    while at < body.len() {
        match memchr::memchr(b'\n', &body[at..]) {
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
    // Line breaks and quotes in each chunk, counted in parallel.
    let scans: Vec<(u64, bool)> = bounds
        .par_windows(2)
        .map(|w| {
            let chunk = &body[w[0]..w[1]];
            let breaks = count_breaks(chunk);
            (breaks, memchr::memchr(b'"', chunk).is_some())
        })
        .collect();
    if scans.iter().any(|s| s.1) {
        return Ok(vec![full(body, first_line)?]);
    }
    // The first line of each chunk: 2 plus the line breaks before it.
    let first_lines: Vec<u64> = scans
        .iter()
        .scan(first_line, |line, s| {
            let first = *line;
            *line += s.0;
            Some(first)
        })
        .collect();
    bounds
        .par_windows(2)
        .zip(first_lines.par_iter().zip(scans.par_iter()))
        .map(|(w, (&first, &(breaks, _)))| {
            let chunk = &body[w[0]..w[1]];
            match split_plain(chunk, first, ncols, delimiter, usize::try_from(breaks).ok()) {
                Some((columns, lines)) => Ok(Chunk {
                    columns: ChunkColumns::Plain(columns),
                    lines,
                }),
                None => full(chunk, first),
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The number of `\n` in `bytes`, counted in byte-wide lanes over runs of 255 bytes
/// (which the compiler vectorises; a plain `filter().count()` widens every byte to 64
/// bits and runs several times slower).
fn count_breaks(bytes: &[u8]) -> u64 {
    bytes
        .chunks(255)
        .map(|run| u64::from(run.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
        .sum()
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
            .map_or(line_before, |p| record_line(chunk, p) + first_line - 1);
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

/// The line (1-based in `text`) where a record read by the `csv` crate starts. The
/// crate's position is where its reading began, before the blank lines it skips and the
/// `\n` left over from the previous record's `\r\n`: those line breaks are counted here.
fn record_line(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped = text
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .filter(|&&b| b == b'\n')
        .count();
    position.line() + skipped as u64
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

/// An optional sign then ASCII digits, within `i64` (as `str::parse::<i64>`, in one pass).
fn parse_int(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: u64 = 0;
    if digits.len() <= 19 {
        // At most 19 digits: below 10^19 < 2^64, no overflow check needed.
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            magnitude = magnitude * 10 + u64::from(d);
        }
    } else {
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(d))?;
        }
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `t.trim()`, without the scan when `t` starts and ends with ASCII non-whitespace (a
/// byte of a multi-byte character, which may be Unicode whitespace, takes the scan).
fn trim_cell(t: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    if solid(t.as_bytes().first()) && solid(t.as_bytes().last()) {
        t
    } else {
        t.trim()
    }
}

/// Exact powers of ten as `f64` (10^22 is the largest exact one).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common case of `str::parse::<f64>` in one pass: `[+-]digits[.digits]` whose
/// digits, read as an integer `m`, stay below 2^53, with at most 22 decimals `k`. Then
/// `m` and `10^k` are exact doubles and IEEE division rounds `m / 10^k` correctly, so the
/// result is the one `str::parse` gives (Clinger's fast path, the first step of the
/// standard library's own algorithm). `None` for anything else.
fn parse_decimal(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    // At most 16 bytes, so `m` cannot overflow; more than 15 digits (which could pass
    // 2^53) are refused below.
    if rest.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut digits = rest.iter().map(|c| c.wrapping_sub(b'0'));
    let mut int_len = 0usize;
    let mut frac_len = 0usize;
    let mut point = false;
    for d in digits.by_ref() {
        if d <= 9 {
            m = m * 10 + u64::from(d);
            int_len += 1;
        } else if d == b'.'.wrapping_sub(b'0') {
            point = true;
            break;
        } else {
            return None;
        }
    }
    if point {
        for d in digits {
            if d > 9 {
                return None;
            }
            m = m * 10 + u64::from(d);
            frac_len += 1;
        }
    }
    if int_len == 0 || (point && frac_len == 0) || int_len + frac_len > 15 {
        return None;
    }
    let v = m as f64 / POW10.get(frac_len)?;
    Some(if negative { -v } else { v })
}

fn parse_number(t: &str, thousands: bool) -> Option<f64> {
    let t = trim_cell(t);
    if let Some(v) = parse_decimal(t) {
        return Some(v);
    }
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
    let t = trim_cell(t);
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
    let b = trim_cell(t).as_bytes();
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

/// Parses every cell of a column (its chunks in order) as `dtype`; the first cell that
/// does not fit is an error naming it through `at`.
fn parse_column(
    cells: &[(usize, Cells<'_>)],
    dtype: DType,
    thousands: bool,
    at: At<'_>,
) -> Result<Column, TableError> {
    let rows: usize = cells.iter().map(|(_, c)| c.len()).sum();
    let bad =
        |k: usize, c: Cells<'_>, row: usize, expected: &str, hint: String| TableError::BadCell {
            at: at(k, row),
            expected: expected.to_string(),
            found: c.owned(row),
            hint,
        };
    macro_rules! parse_all {
        ($variant:ident, $parse:expr, $expected:expr, $hint:expr) => {{
            let mut out = Vec::with_capacity(rows);
            for &(k, c) in cells {
                let parsed = match c {
                    Cells::Plain(p) => parse_into(p.iter(), &mut out, $parse),
                    Cells::Raw(r) => parse_into(r.iter(), &mut out, $parse),
                };
                if let Err(row) = parsed {
                    let t = c.get(row).unwrap_or_default();
                    return Err(bad(k, c, row, $expected, $hint(t)));
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
        DType::Str => {
            let own = |c: Option<&str>| c.map(str::to_string);
            let mut out = Vec::with_capacity(rows);
            for &(_, c) in cells {
                match c {
                    Cells::Plain(p) => out.extend(p.iter().map(own)),
                    Cells::Raw(r) => out.extend(r.iter().map(own)),
                }
            }
            Column::Str(out)
        }
    })
}

/// Appends each cell parsed with `parse` (after trimming; empty cells are `None`) to
/// `out`; the row of the first that does not parse is the error. Generic over the cells'
/// layout so the loop has no dispatch.
fn parse_into<'a, T>(
    cells: impl Iterator<Item = Option<&'a str>>,
    out: &mut Vec<Option<T>>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<(), usize> {
    for (row, cell) in cells.enumerate() {
        match cell {
            None => out.push(None),
            Some(t) => match parse(trim_cell(t)) {
                Some(v) => out.push(Some(v)),
                None => return Err(row),
            },
        }
    }
    Ok(())
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

    /// A 60 000-row file whose chunks disagree: `x` is integers then one float near the
    /// end, `s` numbers then one word, `e` empty but for one date, `b` booleans.
    fn mixed_text(rows: usize) -> String {
        let mut t = String::from("x,s,e,b\n");
        for i in 0..rows {
            let x = if i == rows - 3 {
                "2.5".to_string()
            } else {
                i.to_string()
            };
            let s = if i == rows - 2 {
                "word".to_string()
            } else {
                i.to_string()
            };
            let e = if i == rows - 1 { "2024-07-01" } else { "" };
            t.push_str(&format!("{x},{s},{e},{}\n", i % 2 == 0));
        }
        t
    }

    #[test]
    fn chunks_of_different_types_take_the_column_type() -> Result<(), TableError> {
        let text = mixed_text(60_000);
        assert!(text.len() > 1 << 20);
        let t = read(&text)?;
        assert_eq!(t.column("x")?.dtype(), DType::Float);
        assert_eq!(t.column("x")?.f64_at(12_345), Some(12_345.0));
        assert_eq!(t.column("x")?.f64_at(59_997), Some(2.5));
        assert_eq!(t.column("s")?.dtype(), DType::Str);
        assert_eq!(t.column("s")?.text_at(7).as_deref(), Some("7"));
        assert_eq!(t.column("s")?.text_at(59_998).as_deref(), Some("word"));
        assert_eq!(t.column("e")?.dtype(), DType::Date);
        assert!(t.column("e")?.is_null(0));
        assert_eq!(
            t.column("e")?.text_at(59_999).as_deref(),
            Some("2024-07-01")
        );
        assert_eq!(t.column("b")?.dtype(), DType::Bool);
        assert_eq!(t.n_rows(), 60_000);
        Ok(())
    }

    #[test]
    fn a_bad_cell_in_a_late_chunk_names_its_line() {
        let text = mixed_text(60_000);
        let mut o = CsvOptions::default();
        o.types.insert("s".into(), DType::Int);
        let e = read_csv_bytes("t.csv", text.as_bytes(), &o)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:60000: column 's': expected an integer, got \"word\""
        );
        // Thousands separators in a late chunk are refused with their line.
        let mut text = big_text(60_000).replace(',', ";");
        let cut = text.match_indices('\n').nth(50_000).map_or(0, |(i, _)| i);
        text.insert_str(cut + 1, "c1;9;1,300.5;2024-07-01\n");
        let o = CsvOptions {
            delimiter: Some(b';'),
            ..CsvOptions::default()
        };
        let e = read_csv_bytes("t.csv", text.as_bytes(), &o)
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv:50002: column 'x': expected a number"),
            "{e}"
        );
    }

    #[test]
    fn blank_and_crlf_lines_in_parallel_chunks_keep_file_lines() -> Result<(), TableError> {
        let mut text = big_text(60_000).replace('\n', "\r\n");
        let cut = text.match_indices('\n').nth(40_000).map_or(0, |(i, _)| i);
        text.insert_str(cut + 1, "\r\n\n");
        let t = read(&text)?;
        assert_eq!(t.n_rows(), 60_000);
        assert_eq!(t.line_of(39_999), Some(40_001));
        assert_eq!(t.line_of(40_000), Some(40_004));
        assert_eq!(
            t.column("day")?.text_at(59_999).as_deref(),
            Some("2024-07-24")
        );
        assert_eq!(t.column("n")?.dtype(), DType::Int);
        Ok(())
    }

    #[test]
    fn decimals_parse_as_std_does() {
        for t in [
            "0",
            "-0",
            "+0.0",
            "1234.56",
            "0.1",
            "0.3",
            "-17.25",
            "999999999999999",
            "99999999999999.9",
            "123456789012345",
            "1234567890123456",
            "0.0000000000000000000001",
            "1.",
            ".5",
            "-.5",
            "1e3",
            "1.2.3",
            "",
            "-",
            "+",
            "12a",
            "١٢",
            "9007199254740993",
            "0.1000000000000000055511151231257827",
        ] {
            if let Some(v) = parse_decimal(t) {
                let std = t.parse::<f64>().ok();
                assert_eq!(Some(v.to_bits()), std.map(f64::to_bits), "{t:?}");
            }
        }
        assert_eq!(parse_decimal("1."), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal("1234.56"), Some(1234.56));
    }

    #[test]
    fn cells_are_trimmed_as_str_trim_does() {
        for t in [
            "a",
            " a",
            "a ",
            "\u{a0}5\u{a0}",
            "5\u{3000}",
            "\t1\t",
            "é",
            "",
            " ",
        ] {
            assert_eq!(trim_cell(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn integers_parse_as_std_does() {
        for t in [
            "0",
            "-0",
            "+7",
            "007",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            "9999999999999999999",
            "-9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "0000000000000000000000000000042",
            "-",
            "+",
            "",
            "1.0",
            "1e3",
            "٣",
            "--1",
            "+-1",
        ] {
            assert_eq!(parse_int(t), t.parse::<i64>().ok(), "{t:?}");
        }
    }

    #[test]
    fn large_files_are_read_whole() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("big.csv");
        let text: Vec<u8> = (0..9_000_017u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text)?;
        assert_eq!(read_file(&path)?, text);
        Ok(())
    }

    #[test]
    fn line_breaks_are_counted() {
        let text: Vec<u8> = (0..10_000u32)
            .map(|i| if i % 7 == 0 { b'\n' } else { b'x' })
            .collect();
        assert_eq!(count_breaks(&text), 1429);
        assert_eq!(count_breaks(&[b'\n'; 600]), 600);
        assert_eq!(count_breaks(b""), 0);
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

        /// The quote-free splitter either declines a chunk or splits it exactly as the
        /// `csv` crate does: the same cells, the same lines.
        #[test]
        fn plain_split_matches_the_csv_crate(
            text in "[ab1.,;\t\n\r%-]{0,200}",
            ncols in 1usize..4,
            first in 2u64..5,
            semicolon in any::<bool>(),
        ) {
            let o = CsvOptions {
                delimiter: semicolon.then_some(b';'),
                ..CsvOptions::default()
            };
            let d = o.delimiter.unwrap_or(b',');
            if let Some((cols, lines)) = crate::table::csv_plain::split_plain(text.as_bytes(), first, ncols, d, None) {
                let (raw, full_lines, _) = read_chunk("p.csv", text.as_bytes(), first, ncols, &o)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(lines.iter().collect::<Vec<_>>(), full_lines);
                for (a, b) in cols.iter().zip(&raw) {
                    prop_assert_eq!(a.len(), b.len());
                    for r in 0..a.len() {
                        prop_assert_eq!(a.get(r), b.get(r));
                    }
                }
            }
        }

        /// Whole files read the same whichever path they take: quote-free text, and the
        /// same text with one quoted cell (which sends it to the `csv` crate).
        #[test]
        fn plain_and_quoted_files_read_alike(
            rows in proptest::collection::vec(("[a-c0-9.%-]{0,4}", "[0-9]{0,3}", "(true|false|2024-07-0[1-9]|)"), 1..40),
        ) {
            let mut plain = String::from("a,b,c\n");
            for (a, b, c) in &rows {
                plain.push_str(&format!("{a},{b},{c}\n"));
            }
            // The first cell quoted: the same text for the csv crate.
            let quoted = format!("a,b,c\n\"{}\"{}", rows[0].0, &plain[6 + rows[0].0.len()..]);
            let p = read_csv_bytes("f.csv", plain.as_bytes(), &CsvOptions::default());
            let q = read_csv_bytes("f.csv", quoted.as_bytes(), &CsvOptions::default());
            match (p, q) {
                (Ok(p), Ok(q)) => {
                    prop_assert_eq!(p.names(), q.names());
                    for n in p.names() {
                        prop_assert_eq!(p.column(n).ok(), q.column(n).ok());
                    }
                }
                (Err(p), Err(q)) => prop_assert_eq!(p.to_string(), q.to_string()),
                (p, q) => prop_assert!(false, "{:?} vs {:?}", p.map(|_| ()), q.map(|_| ())),
            }
        }

        /// The one-pass integer parser agrees with `str::parse::<i64>`.
        #[test]
        fn integers_agree_with_std(t in "[+-]?[0-9]{0,25}x?") {
            prop_assert_eq!(parse_int(&t), t.parse::<i64>().ok());
        }

        /// The one-pass decimal parser agrees bit for bit with `str::parse::<f64>`.
        #[test]
        fn decimals_agree_with_std(t in "[+-]?[0-9]{0,17}(\\.[0-9]{0,24})?") {
            if let Some(v) = parse_decimal(&t) {
                prop_assert_eq!(Some(v.to_bits()), t.parse::<f64>().ok().map(f64::to_bits));
            }
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
