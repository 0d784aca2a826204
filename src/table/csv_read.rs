//! Reading CSV files into tables: strict parsing, honest type inference, forced types,
//! and errors that name the file, the line and the column.
//!
//! The file is cut into chunks on record boundaries, the chunks are parsed in parallel
//! by the shared tokenizer (`csv_tokenize`) straight into typed column builders, and
//! the chunks' columns are joined. A column is typed by the rules in `cell`: it is
//! numeric only when every non-missing cell is a number; when a few cells stop a
//! mostly-numeric (or mostly-date) column from being typed, the reader says so once in
//! a note with the first offending line and the options that fix it.

use super::cell::{looks_grouped, parse_bool, parse_int, trim_cell, Rules};
use super::column::{date_to_days, datetime_to_micros, Column};
use super::csv_tokenize::{
    parse_quoted, record_boundary_quoted, scan_plain, tokenize_known, BlockError, Field, RecordSink,
};
use super::error::{CellRef, TableError};
use super::source::Compression;
use super::table::Table;
use super::value::{DType, Value};
use arrow_array::{
    BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Options for reading a CSV file.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Columns whose type is forced instead of inferred (by their name in the file).
    pub types: BTreeMap<String, DType>,
    /// Accept `1,200` as twelve hundred (thousands separators) in numeric columns.
    pub thousands: bool,
    /// A `strftime` format for dates in an order the built-in forms do not guess
    /// (`%d/%m/%Y`); checked by [`check_date_format`].
    pub date_format: Option<String>,
    /// The field delimiter (default `,`).
    pub delimiter: Option<u8>,
    /// Cell texts that mean "missing" besides the empty cell (e.g. `n/a`, `-`),
    /// compared after trimming spaces.
    pub na: Vec<String>,
    /// New names for columns: (name in the file, new name).
    pub rename: Vec<(String, String)>,
    /// Read only these columns (by their name in the file), in this order.
    pub columns: Option<Vec<String>>,
    /// The file has no header line: columns are named `column_1`, `column_2`, ...
    pub no_header: bool,
    /// The text encoding when it is not UTF-8: `gb18030` (or `gbk`, read as GB18030,
    /// its superset), `utf-16` (`utf-16le`, `utf-16be`), `latin1`; `None` is UTF-8
    /// (a UTF-16 byte-order mark is recognised by itself).
    pub encoding: Option<String>,
}

/// Reads the CSV file at `path` with default options.
pub fn read_csv_path(path: &Path) -> Result<Table, TableError> {
    read_csv_path_with(path, &CsvOptions::default())
}

/// Reads the CSV file at `path`; `path` as displayed names the table in messages.
pub fn read_csv_path_with(path: &Path, options: &CsvOptions) -> Result<Table, TableError> {
    read_csv_path_noted(path, options).map(|(t, _)| t)
}

/// [`read_csv_path_with`], also returning the notes on what inference decided that the
/// user may not expect (a mostly-numeric column read as text, and why).
pub fn read_csv_path_noted(
    path: &Path,
    options: &CsvOptions,
) -> Result<(Table, Vec<String>), TableError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| TableError::Io {
        path: name.clone(),
        reason: io_reason(&e),
    };
    let bytes = super::file_bytes::read_whole(path).map_err(io)?;
    match Compression::sniff(&bytes) {
        Compression::None => read_csv_bytes_noted(&name, &bytes, options),
        kind => read_csv_bytes_noted(&name, &kind.decode_all(&bytes).map_err(io)?, options),
    }
}

/// Reads CSV from `reader` (standard input, for example), named `name` in messages:
/// the same rules as a file, gzip recognised by its content.
pub fn read_csv_reader_noted(
    name: &str,
    mut reader: impl std::io::Read,
    options: &CsvOptions,
) -> Result<(Table, Vec<String>), TableError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| TableError::Io {
        path: name.to_string(),
        reason: io_reason(&e),
    })?;
    let bytes = decompress(name, bytes)?;
    read_csv_bytes_noted(name, &bytes, options)
}

/// The file's bytes, decompressed when it is gzip (by its magic bytes, whatever its
/// name); a `.zst` file is refused with what to do.
fn decompress(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, TableError> {
    super::source::decompress_bytes(bytes).map_err(|e| TableError::Io {
        path: name.to_string(),
        reason: io_reason(&e),
    })
}

/// The bytes as UTF-8: decoded from `encoding` when given, or from UTF-16 when a
/// UTF-16 byte-order mark says so; UTF-8 is checked later, cell by cell.
fn decode<'a>(
    source: &str,
    bytes: &'a [u8],
    encoding: Option<&str>,
) -> Result<std::borrow::Cow<'a, [u8]>, TableError> {
    let label = match encoding.map(|e| e.trim().to_ascii_lowercase()) {
        Some(e) => Some(e),
        None if bytes.starts_with(&[0xff, 0xfe]) => Some("utf-16le".to_string()),
        None if bytes.starts_with(&[0xfe, 0xff]) => Some("utf-16be".to_string()),
        None => None,
    };
    let Some(label) = label else {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    };
    let enc = match label.as_str() {
        "utf-8" | "utf8" => return Ok(std::borrow::Cow::Borrowed(bytes)),
        "gb18030" | "gbk" | "gb2312" => encoding_rs::GB18030,
        "utf-16" | "utf-16le" | "utf16" => encoding_rs::UTF_16LE,
        "utf-16be" => encoding_rs::UTF_16BE,
        "latin1" | "latin-1" | "iso-8859-1" | "windows-1252" => encoding_rs::WINDOWS_1252,
        other => {
            return Err(TableError::Invalid(format!(
            "{source}: encoding {} is not one of utf-8, gb18030 (gbk), utf-16, utf-16be, latin1",
            super::value::quote_text(other)
        )))
        }
    };
    // UTF-16 without a byte-order mark defaults to little-endian (Excel's "Unicode text").
    let (text, _, bad) = enc.decode(bytes);
    if bad {
        let line = first_bad_line(bytes, enc);
        return Err(TableError::Utf8 {
            file: source.to_string(),
            line,
            hint: format!(
                "; the file is not valid {} either from line {line}",
                enc.name()
            ),
        });
    }
    Ok(std::borrow::Cow::Owned(text.into_owned().into_bytes()))
}

/// The line of the first byte sequence `enc` cannot decode (counting `\n` before it).
fn first_bad_line(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> u64 {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut consumed = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[consumed..], &mut out, true);
        consumed += read;
        match result {
            encoding_rs::DecoderResult::Malformed(_, _) => break,
            encoding_rs::DecoderResult::OutputFull => out.reserve(bytes.len()),
            encoding_rs::DecoderResult::InputEmpty => break,
        }
    }
    1 + memchr::memchr_iter(b'\n', &bytes[..consumed.min(bytes.len())]).count() as u64
}

/// What invalid UTF-8 looks like: GBK/GB18030 (Chinese Excel's default) when that
/// decodes the whole file cleanly, else the generic advice.
fn utf8_hint(bytes: &[u8]) -> String {
    let (_, _, bad) = encoding_rs::GB18030.decode(bytes);
    if !bad {
        "; it looks like GBK/GB18030 (Chinese Excel's default): pass encoding: \"gb18030\"".into()
    } else {
        " (save the file as UTF-8, or pass encoding: \"latin1\" or \"utf-16\")".into()
    }
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
pub fn read_csv_bytes(
    source: &str,
    bytes: &[u8],
    options: &CsvOptions,
) -> Result<Table, TableError> {
    read_csv_bytes_noted(source, bytes, options).map(|(t, _)| t)
}

/// How one column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Infer,
    Forced(DType),
}

/// Reads CSV text held in memory, with the inference notes.
///
/// Rules: the first record is the header (unless `no_header`); a UTF-8 byte-order mark
/// is skipped; quoted fields may hold delimiters, quotes (`""`) and line breaks; every
/// record must have as many fields as the header (blank lines are skipped when there
/// is more than one column); an unquoted empty cell (or one of `na`) is missing, while
/// `""` is an empty text. Types follow the rules in the `cell` module.
pub fn read_csv_bytes_noted(
    source: &str,
    bytes: &[u8],
    options: &CsvOptions,
) -> Result<(Table, Vec<String>), TableError> {
    use rayon::prelude::*;
    let decoded = decode(source, bytes, options.encoding.as_deref())?;
    let bytes: &[u8] = &decoded;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = options.delimiter.unwrap_or(b',');
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TableError::Empty {
            file: source.to_string(),
        });
    }
    let (names, body_start, header_lines) = header(source, bytes, delimiter, options)?;
    let mut notes = Vec::new();
    if names.len() == 1 {
        for (c, name) in [(';', "\";\""), ('\t', "\"\\t\""), ('|', "\"|\"")] {
            if names[0].contains(c) && char::from(delimiter) != c {
                notes.push(format!(
                    "the header was read as one column, '{}', which holds {}: pass delimiter: {name}",
                    names[0],
                    if c == '\t' { "tabs".to_string() } else { format!("'{c}'") }
                ));
                break;
            }
        }
    }
    let body = &bytes[body_start..];
    let n_fields = names.len();
    // The columns to read: their position in the file, and how.
    let wanted: Vec<usize> = match &options.columns {
        None => (0..n_fields).collect(),
        Some(cols) => cols
            .iter()
            .map(|c| {
                names
                    .iter()
                    .position(|n| n == c)
                    .ok_or_else(|| TableError::missing_column(source, c, &names))
            })
            .collect::<Result<_, _>>()?,
    };
    for name in options.types.keys() {
        if !names.contains(name) {
            return Err(option_names_missing(source, "types", name, &names));
        }
    }
    for (old, _) in &options.rename {
        if !names.contains(old) {
            return Err(option_names_missing(source, "rename", old, &names));
        }
    }
    let modes: Vec<Mode> = wanted
        .iter()
        .map(|&i| {
            options
                .types
                .get(&names[i])
                .map_or(Mode::Infer, |&d| Mode::Forced(d))
        })
        .collect();
    let na: Vec<Vec<u8>> = options
        .na
        .iter()
        .map(|s| s.trim().as_bytes().to_vec())
        .collect();
    let rules = Rules {
        thousands: options.thousands,
        date_format: options.date_format.clone(),
    };
    let ctx = ChunkCtx {
        delimiter,
        n_fields,
        wanted: &wanted,
        na: &na,
        rules: &rules,
    };
    let chunks = cut_chunks(body);
    // Parse every chunk; a chunk whose column turned out to need text is parsed again
    // with that column read as text (rare: a late non-number in a numeric column).
    let mut outs: Vec<Option<ChunkOut>> = (0..chunks.len()).map(|_| None).collect();
    let mut forced_text: Vec<Vec<bool>> = vec![vec![false; wanted.len()]; chunks.len()];
    loop {
        let todo: Vec<usize> = (0..chunks.len()).filter(|&k| outs[k].is_none()).collect();
        if todo.is_empty() {
            break;
        }
        let results: Vec<(usize, Result<ChunkOut, ChunkError>)> = todo
            .par_iter()
            .map(|&k| {
                let c = chunks[k];
                let text = &body[c.start..c.end];
                (
                    k,
                    parse_chunk(text, c.quoted, &ctx, &modes, &forced_text[k]),
                )
            })
            .collect();
        for (k, r) in results {
            match r {
                Ok(out) => outs[k] = Some(out),
                Err(ChunkError::Retry { column }) => forced_text[k][column] = true,
                Err(e) => {
                    // The file's first error is reported, with its row: while an
                    // earlier chunk is read again (a column it must read as text), its
                    // rows are unknown and it may hold an earlier error, so this chunk
                    // is read again after it.
                    let Some(before) = rows_before(&outs, k) else {
                        continue;
                    };
                    return Err(chunk_error(
                        source,
                        body,
                        &names,
                        &wanted,
                        e,
                        base_line(body, chunks[k].start, header_lines),
                        before,
                    ));
                }
            }
        }
        // A column that is text in one chunk must be text in all.
        if outs.iter().all(Option::is_some) {
            let to_text: Vec<usize> = (0..wanted.len())
                .filter(|&c| {
                    let kinds: Vec<Kind> =
                        outs.iter().flatten().map(|o| o.columns[c].kind()).collect();
                    join_kinds(&kinds) == Kind::Text
                })
                .collect();
            for c in to_text {
                for (k, o) in outs.iter_mut().enumerate() {
                    if o.as_ref()
                        .is_some_and(|o| o.columns[c].kind() != Kind::Text)
                    {
                        *o = None;
                        forced_text[k][c] = true;
                    }
                }
            }
        }
    }
    let outs: Vec<ChunkOut> = outs.into_iter().flatten().collect();
    let rows: usize = outs.iter().map(|o| o.rows).sum();
    // Each row's line, stored only when some row is not on `row + first line`.
    let first_line = header_lines + 1;
    let mut lines: Option<Vec<u64>> = None;
    let mut base = header_lines;
    let mut row0 = 0u64;
    for o in &outs {
        let simple = o.lines.is_none() && base == header_lines + row0;
        if !simple && lines.is_none() {
            lines = Some((0..row0).map(|r| r + first_line).collect());
        }
        if let Some(l) = &mut lines {
            match &o.lines {
                Some(ls) => l.extend(ls.iter().map(|x| x + base)),
                None => l.extend((1..=o.rows as u64).map(|x| x + base)),
            }
        }
        base += o.line_count;
        row0 += o.rows as u64;
    }
    // Each column's chunk builders, moved (not copied) out of the chunks, then the
    // columns finished in parallel.
    let mut per_column: Vec<Vec<Builder>> = (0..wanted.len())
        .map(|_| Vec::with_capacity(outs.len()))
        .collect();
    for o in outs {
        for (c, b) in o.columns.into_iter().enumerate() {
            per_column[c].push(b);
        }
    }
    let finished: Vec<Result<Finished, TableError>> = per_column
        .into_par_iter()
        .zip(wanted.par_iter())
        .enumerate()
        .map(|(c, (parts, &i))| {
            let column = finish_column(parts, rows).map_err(|reason| {
                TableError::Invalid(format!("{source}: column '{}': {reason}", names[i]))
            })?;
            let note = if modes[c] == Mode::Infer && column.dtype() == DType::Str {
                fallback_note(&names[i], &column, &rules, |row| {
                    lines.as_ref().map_or(row as u64 + first_line, |l| l[row])
                })
            } else {
                None
            };
            let mut name = names[i].clone();
            if let Some((_, new)) = options.rename.iter().find(|(old, _)| *old == name) {
                name = new.clone();
            }
            Ok((name, column, note))
        })
        .collect();
    let mut columns = Vec::with_capacity(wanted.len());
    for f in finished {
        let (name, column, note) = f?;
        notes.extend(note);
        columns.push((name, column));
    }
    let table = Table::new(source, columns)?;
    let table = if first_line == 2 && lines.is_none() {
        table.with_file_lines(None)
    } else {
        table.with_file_lines(Some(
            lines.unwrap_or_else(|| (0..rows as u64).map(|r| r + first_line).collect()),
        ))
    };
    Ok((table, notes))
}

/// A finished column: its name, the column, and the note on how it was read.
type Finished = (String, Column, Option<String>);

/// The error for an option naming a column the file does not have.
fn option_names_missing(source: &str, option: &str, name: &str, names: &[String]) -> TableError {
    let suggestion = crate::suggest::closest(name, names.iter().map(String::as_str))
        .map(|s| format!(", did you mean '{s}'?"))
        .unwrap_or_default();
    TableError::Invalid(format!(
        "{source}: the {option} option names a column '{name}' that the file does not have{suggestion} (columns: {})",
        names.join(", ")
    ))
}

/// The header: column names, where the body starts, and the number of lines the header
/// spans (0 without a header).
fn header(
    source: &str,
    bytes: &[u8],
    delimiter: u8,
    options: &CsvOptions,
) -> Result<(Vec<String>, usize, u64), TableError> {
    let mut unq = Vec::new();
    let mut fields = Vec::new();
    let (end, lines) =
        parse_quoted(bytes, 0, delimiter, &mut unq, &mut fields).map_err(|reason| {
            TableError::Syntax {
                file: source.to_string(),
                line: 1,
                reason,
            }
        })?;
    let lines = lines.max(1);
    // Lines ended by `\r` alone (classic Mac) would read as one header line holding the
    // whole file and no rows: refused instead. A `\r` with only white space after it in
    // its field is trimmed like any white space (lines ended by `\r\r\n`, as some
    // Windows tools write them, read as their cells).
    if fields
        .iter()
        .any(|f| !f.quoted && memchr::memchr(b'\r', unq[f.start..f.end].trim_ascii_end()).is_some())
    {
        return Err(TableError::Syntax {
            file: source.to_string(),
            line: 1,
            reason: "a carriage return (\\r) inside an unquoted field of the first line: the lines seem to end in \\r alone (old Mac line ends); save the file with \\n or \\r\\n line ends, or quote the field".into(),
        });
    }
    let cells: Vec<String> = fields
        .iter()
        .map(|f| std::str::from_utf8(&unq[f.start..f.end]).map(|s| s.trim().to_string()))
        .collect::<Result<_, _>>()
        .map_err(|_| TableError::Utf8 {
            file: source.to_string(),
            line: 1,
            hint: utf8_hint(bytes),
        })?;
    if options.no_header {
        let names = (1..=cells.len()).map(|i| format!("column_{i}")).collect();
        return Ok((names, 0, 0));
    }
    check_header(source, 1, &cells)?;
    Ok((cells, end, lines))
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

/// Cuts the body into chunks that start and end on record boundaries: about four per
/// thread, at least 1 MB and at most 64 MB each. Each chunk comes with whether it holds
/// a quote character (found while looking for its boundary, so never scanned twice).
fn cut_chunks(body: &[u8]) -> Vec<Chunk> {
    let threads = rayon::current_num_threads().max(1);
    let target = (body.len() / (threads * 4)).clamp(1 << 20, 64 << 20);
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        let mut end = (pos + target).min(body.len());
        let mut quoted = None;
        while end < body.len() {
            match record_boundary_quoted(&body[pos..end]) {
                Some((cut, q)) => {
                    end = pos + cut;
                    quoted = Some(q);
                    break;
                }
                None => end = (end + target).min(body.len()),
            }
        }
        let quoted = quoted.unwrap_or_else(|| memchr::memchr(b'"', &body[pos..end]).is_some());
        out.push(Chunk {
            start: pos,
            end,
            quoted,
        });
        pos = end;
    }
    out
}

/// A part of the body that starts and ends on record boundaries.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
    /// Whether it holds a quote character.
    quoted: bool,
}

/// The line before the first line of the chunk starting at `start`.
fn base_line(body: &[u8], start: usize, header_lines: u64) -> u64 {
    header_lines + memchr::memchr_iter(b'\n', &body[..start]).count() as u64
}

fn rows_before(outs: &[Option<ChunkOut>], k: usize) -> Option<usize> {
    outs[..k]
        .iter()
        .map(|o| o.as_ref().map(|o| o.rows))
        .sum::<Option<usize>>()
}

fn chunk_error(
    source: &str,
    body: &[u8],
    names: &[String],
    wanted: &[usize],
    e: ChunkError,
    base: u64,
    rows_before: usize,
) -> TableError {
    let file = source.to_string();
    match e {
        ChunkError::Syntax { line, reason } => TableError::Syntax {
            file,
            line: base + line,
            reason,
        },
        ChunkError::Ragged { line, found } => TableError::Ragged {
            file,
            line: base + line,
            expected: names.len(),
            found,
        },
        ChunkError::Utf8 { line } => TableError::Utf8 {
            file,
            line: base + line,
            hint: utf8_hint(body),
        },
        ChunkError::Cell {
            line,
            row,
            column,
            expected,
            text,
            hint,
        } => TableError::BadCell {
            at: CellRef {
                file,
                line: Some(base + line),
                row: rows_before + row,
                column: names[wanted[column]].clone(),
            },
            expected: expected.to_string(),
            found: text,
            hint,
        },
        ChunkError::TooLarge => TableError::Invalid(format!(
            "{source}: a text column holds more than 2 GiB in one part of the file"
        )),
        ChunkError::Retry { .. } => TableError::Invalid(format!("{source}: internal retry")),
    }
}

/// What a chunk's parse can fail with (lines relative to the chunk, 1-based).
#[derive(Debug)]
enum ChunkError {
    Syntax {
        line: u64,
        reason: String,
    },
    Ragged {
        line: u64,
        found: usize,
    },
    Utf8 {
        line: u64,
    },
    Cell {
        line: u64,
        row: usize,
        column: usize,
        expected: &'static str,
        text: String,
        hint: String,
    },
    TooLarge,
    /// Column `column` must be read as text from the start of the chunk.
    Retry {
        column: usize,
    },
}

struct ChunkCtx<'a> {
    delimiter: u8,
    n_fields: usize,
    wanted: &'a [usize],
    na: &'a [Vec<u8>],
    rules: &'a Rules,
}

/// One chunk's columns, rows, and lines.
struct ChunkOut {
    columns: Vec<Builder>,
    rows: usize,
    /// Each row's line within the chunk, when some row is not on the line after the
    /// previous one (blank lines, quoted line breaks).
    lines: Option<Vec<u64>>,
    /// The number of lines the chunk spans.
    line_count: u64,
}

fn parse_chunk(
    chunk: &[u8],
    quoted: bool,
    ctx: &ChunkCtx,
    modes: &[Mode],
    forced_text: &[bool],
) -> Result<ChunkOut, ChunkError> {
    let fresh = |c: usize| match (modes[c], forced_text[c]) {
        (Mode::Forced(d), _) => Builder::forced(d),
        (Mode::Infer, true) => Builder::Text(TextBuilder::default()),
        (Mode::Infer, false) => Builder::Unknown {
            quoted_empty: None,
            n: 0,
        },
    };
    if !quoted && chunk.len() < u32::MAX as usize {
        return parse_plain_chunk(chunk, ctx, modes, &fresh);
    }
    let columns = (0..modes.len()).map(fresh).collect();
    let mut sink = ChunkSink {
        ctx,
        columns,
        inferred: modes.iter().map(|&m| m == Mode::Infer).collect(),
        rows: 0,
        lines: None,
    };
    let line_count = match tokenize_known(chunk, ctx.delimiter, &mut sink, quoted) {
        Ok(l) => l,
        Err(BlockError::Syntax { line, reason }) => {
            return Err(ChunkError::Syntax { line, reason })
        }
        Err(BlockError::Sink(e)) => return Err(e),
    };
    Ok(ChunkOut {
        columns: sink.columns,
        rows: sink.rows,
        lines: sink.lines,
        line_count,
    })
}

/// Whether a record is a row: false for a blank line (one unquoted empty field when the
/// header has more), an error for a row with the wrong number of fields. Keeps each
/// row's line in `lines` once some row is not on the line after the one before.
#[inline]
fn admit(
    ctx: &ChunkCtx,
    rows: usize,
    lines: &mut Option<Vec<u64>>,
    fields: &[Field],
    line: u64,
) -> Result<bool, ChunkError> {
    if fields.len() != ctx.n_fields {
        if fields.len() == 1 && fields[0].start == fields[0].end && !fields[0].quoted {
            skip_line(lines, rows);
            return Ok(false);
        }
        return Err(ChunkError::Ragged {
            line,
            found: fields.len(),
        });
    }
    keep_line(lines, rows, line);
    Ok(true)
}

/// A line skipped after `rows` rows (a blank line): from now on each row's line is
/// kept, since rows are no longer on `row + 1`.
fn skip_line(lines: &mut Option<Vec<u64>>, rows: usize) {
    if lines.is_none() {
        *lines = Some((1..=rows as u64).collect());
    }
}

/// Row number `rows` (0-based) is on `line`: kept once some row is not on the line
/// after the one before.
fn keep_line(lines: &mut Option<Vec<u64>>, rows: usize, line: u64) {
    if let Some(l) = lines {
        l.push(line);
    } else if line != rows as u64 + 1 {
        let mut l: Vec<u64> = (1..=rows as u64).collect();
        l.push(line);
        *lines = Some(l);
    }
}

/// The fields of a quote-free chunk, cut in one pass straight into one flat vector:
/// per row, where the row starts, then where each of its fields ends (the position of
/// the delimiter or line break after it). Field `j` of a row then runs from just after
/// entry `j` (or from entry 0 itself for the first field) to entry `j + 1`.
struct PlainSplit {
    ends: Vec<u32>,
    rows: usize,
    lines: Option<Vec<u64>>,
    line_count: u64,
}

/// Cuts a quote-free chunk (shorter than 4 GiB) into rows of `n` fields, eight bytes at
/// a time: the same records, blank lines and errors as [`tokenize_known`] with
/// [`admit`], without a record callback or a vector of fields per record.
fn split_plain(chunk: &[u8], delimiter: u8, n: usize) -> Result<PlainSplit, ChunkError> {
    let stride = n + 1;
    // Room for the rows the first 64 KB suggest, and a little more; never more than
    // half an entry per byte of the chunk (blank lines at the start of a wide file
    // would otherwise suggest a huge number of rows), the vector grows past that.
    let sample = &chunk[..chunk.len().min(1 << 16)];
    let sample_rows = memchr::memchr_iter(b'\n', sample).count().max(1);
    let guess = chunk.len() / sample.len().max(1) * sample_rows + sample_rows + 16;
    let room = guess.saturating_mul(stride).min(chunk.len() / 2 + 1024);
    let mut ends: Vec<u32> = Vec::with_capacity(room);
    let mut rows = 0usize;
    let mut lines: Option<Vec<u64>> = None;
    let mut line = 0u64;
    let mut row_at = 0usize;
    ends.push(0);
    // A record ends at `at` (a line break, or the chunk's end): keep it as a row, skip
    // it as a blank line, or refuse it.
    let mut close = |ends: &mut Vec<u32>, row_at: &mut usize, at: usize, line: u64| {
        ends.push(at as u32);
        let got = ends.len() - *row_at;
        if got != stride {
            let start = ends[*row_at] as usize;
            let blank = got == 2 && (at == start || (at == start + 1 && chunk[start] == b'\r'));
            if !blank {
                return Err(ChunkError::Ragged {
                    line,
                    found: got - 1,
                });
            }
            skip_line(&mut lines, rows);
            ends.truncate(*row_at);
        } else {
            keep_line(&mut lines, rows, line);
            rows += 1;
            *row_at = ends.len();
        }
        ends.push(at as u32 + 1);
        Ok(())
    };
    scan_plain(chunk, delimiter, |at, line_break| {
        if line_break {
            line += 1;
            close(&mut ends, &mut row_at, at, line)
        } else {
            ends.push(at as u32);
            Ok(())
        }
    })?;
    // A last record without a line break.
    let start = ends[row_at] as usize;
    if start < chunk.len() || ends.len() - row_at > 1 {
        line += 1;
        close(&mut ends, &mut row_at, chunk.len(), line)?;
    }
    ends.truncate(row_at);
    Ok(PlainSplit {
        ends,
        rows,
        lines,
        line_count: line,
    })
}

/// One column's cells in a [`PlainSplit`].
#[derive(Clone, Copy)]
struct Spans<'a> {
    chunk: &'a [u8],
    ends: &'a [u32],
    stride: usize,
    /// The field's position in the record.
    field: usize,
    /// Whether it is the record's last field (which loses a `\r` before the line break).
    last: bool,
}

impl<'a> Spans<'a> {
    fn len(&self) -> usize {
        self.ends.len() / self.stride
    }

    /// The text of row `r`'s cell.
    #[inline(always)]
    fn cell(&self, r: usize) -> &'a [u8] {
        let i = r * self.stride + self.field;
        let s = self.ends[i] as usize + usize::from(self.field > 0);
        let mut e = self.ends[i + 1] as usize;
        if self.last && e > s && self.chunk[e - 1] == b'\r' {
            e -= 1;
        }
        &self.chunk[s..e]
    }
}

/// Rows parsed column by column at a time in a quote-free chunk: few enough that their
/// field positions stay in the core's cache while each column's loop reads them.
const BLOCK_ROWS: usize = 8192;

/// A chunk without quotes: fields are cut first, then, a block of rows at a time, each
/// column is parsed in one loop of its own (one type at a time, so the loop stays
/// predictable); a column that turns out to be text is re-read from its spans, without
/// cutting the chunk again.
fn parse_plain_chunk(
    chunk: &[u8],
    ctx: &ChunkCtx,
    modes: &[Mode],
    fresh: &dyn Fn(usize) -> Builder,
) -> Result<ChunkOut, ChunkError> {
    let split = split_plain(chunk, ctx.delimiter, ctx.n_fields)?;
    let rows = split.rows;
    let stride = ctx.n_fields + 1;
    let line_of = |r: usize| split.lines.as_ref().map_or(r as u64 + 1, |l| l[r]);
    let mut columns: Vec<Builder> = (0..modes.len()).map(fresh).collect();
    // The next row each column takes.
    let mut next = vec![0usize; modes.len()];
    let mut upto = 0;
    while upto < rows {
        upto = (upto + BLOCK_ROWS).min(rows);
        for (c, &mode) in modes.iter().enumerate() {
            let spans = Spans {
                chunk,
                ends: &split.ends[..upto * stride],
                stride,
                field: ctx.wanted[c],
                last: ctx.wanted[c] + 1 == ctx.n_fields,
            };
            let b = &mut columns[c];
            let mut r = next[c];
            while r < upto {
                if ctx.na.is_empty() {
                    r = b.run(spans, r, rows, ctx.rules);
                    if r == upto {
                        break;
                    }
                }
                let raw = spans.cell(r);
                let cell = Cell { raw, quoted: false };
                let missing = is_missing(&cell, ctx.na);
                match b.push(cell, missing, ctx.rules) {
                    Ok(()) => r += 1,
                    Err(Push::Widen) if mode == Mode::Infer => {
                        *b = Builder::Text(TextBuilder::default());
                        r = 0;
                    }
                    Err(e) => {
                        return Err(push_error(
                            e,
                            b,
                            raw,
                            (line_of(r), r, c),
                            ctx.rules.thousands,
                        ))
                    }
                }
            }
            next[c] = r;
        }
    }
    Ok(ChunkOut {
        columns,
        rows,
        lines: split.lines,
        line_count: split.line_count,
    })
}

struct ChunkSink<'a> {
    ctx: &'a ChunkCtx<'a>,
    columns: Vec<Builder>,
    inferred: Vec<bool>,
    rows: usize,
    lines: Option<Vec<u64>>,
}

impl RecordSink for ChunkSink<'_> {
    type Error = ChunkError;

    #[inline]
    fn record(&mut self, base: &[u8], fields: &[Field], line: u64) -> Result<(), ChunkError> {
        let ctx = self.ctx;
        if !admit(ctx, self.rows, &mut self.lines, fields, line)? {
            return Ok(());
        }
        let row = self.rows;
        for (c, &i) in ctx.wanted.iter().enumerate() {
            let f = fields[i];
            let raw = &base[f.start..f.end];
            let cell = Cell {
                raw,
                quoted: f.quoted,
            };
            let missing = is_missing(&cell, ctx.na);
            match self.columns[c].push(cell, missing, ctx.rules) {
                Ok(()) => {}
                Err(Push::Widen) if self.inferred[c] => {
                    return Err(ChunkError::Retry { column: c })
                }
                Err(e) => {
                    let b = &self.columns[c];
                    return Err(push_error(e, b, raw, (line, row, c), ctx.rules.thousands));
                }
            }
        }
        self.rows += 1;
        Ok(())
    }
}

/// The chunk error for a cell `raw` that `b` refused, at (line in the chunk, row in the
/// chunk, column).
fn push_error(
    e: Push,
    b: &Builder,
    raw: &[u8],
    (line, row, column): (u64, usize, usize),
    thousands: bool,
) -> ChunkError {
    match e {
        Push::Widen | Push::Bad => ChunkError::Cell {
            line,
            row,
            column,
            expected: b.expected(),
            text: String::from_utf8_lossy(raw).into_owned(),
            hint: if looks_grouped(trim_cell(raw)) && !thousands {
                THOUSANDS_HINT.to_string()
            } else {
                String::new()
            },
        },
        Push::Utf8 => ChunkError::Utf8 { line },
        Push::TooLarge => ChunkError::TooLarge,
    }
}

const THOUSANDS_HINT: &str = "; it looks like a thousands separator: remove the commas (1200, not 1,200) or load with #{ thousands: true }";

#[derive(Clone, Copy)]
struct Cell<'a> {
    raw: &'a [u8],
    quoted: bool,
}

/// Missing: an unquoted empty cell, or one whose trimmed text is in `na`.
#[inline]
fn is_missing(c: &Cell, na: &[Vec<u8>]) -> bool {
    if c.raw.is_empty() {
        return !c.quoted;
    }
    !na.is_empty() && {
        let t = trim_cell(c.raw);
        na.iter().any(|n| n.as_slice() == t)
    }
}

enum Push {
    /// The cell does not fit the column's inferred type (read the column as text).
    Widen,
    /// The cell does not fit the forced type.
    Bad,
    Utf8,
    TooLarge,
}

/// Which type a builder holds, for joining the chunks' decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    /// No typed cell yet, but some `""` (empty texts).
    EmptyTexts,
    Int,
    Float,
    Bool,
    Date,
    Datetime,
    Text,
}

/// The column's type from its chunks' types, in file order, by the rules of one chunk:
/// a `""` before the column's first typed cell makes it text, a `""` after it is a
/// missing value (so the table does not depend on where the file is cut).
fn join_kinds(kinds: &[Kind]) -> Kind {
    let mut out = Kind::Unknown;
    for &k in kinds {
        out = match (out, k) {
            (a, Kind::Unknown) => a,
            (Kind::Unknown, b) => b,
            (a, b) if a == b => a,
            (a, Kind::EmptyTexts) => a,
            (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Kind::Float,
            (Kind::Date, Kind::Datetime) | (Kind::Datetime, Kind::Date) => Kind::Datetime,
            _ => Kind::Text,
        };
    }
    out
}

/// Validity bits, materialized at the first missing cell.
#[derive(Debug, Clone, Default)]
struct Validity {
    bits: Option<Vec<bool>>,
    len: usize,
}

impl Validity {
    #[inline]
    fn push(&mut self, valid: bool) {
        if !valid && self.bits.is_none() {
            self.bits = Some(vec![true; self.len]);
        }
        if let Some(b) = &mut self.bits {
            b.push(valid);
        }
        self.len += 1;
    }

    fn nulls(parts: &[&Validity]) -> Option<NullBuffer> {
        if parts.iter().all(|p| p.bits.is_none()) {
            return None;
        }
        let total: usize = parts.iter().map(|p| p.len).sum();
        let mut all = Vec::with_capacity(total);
        for p in parts {
            match &p.bits {
                Some(b) => all.extend_from_slice(b),
                None => all.extend(std::iter::repeat_n(true, p.len)),
            }
        }
        Some(NullBuffer::new(BooleanBuffer::from(all)))
    }
}

/// A column of one chunk being built.
#[derive(Debug, Clone)]
enum Builder {
    /// Every cell so far missing (`quoted_empty` marks the `""` cells, which are
    /// empty texts if the column turns out to be text).
    Unknown {
        quoted_empty: Option<Vec<bool>>,
        n: usize,
    },
    Int(Vec<i64>, Validity, bool),
    Float(Vec<f64>, Validity, bool),
    Bool(Vec<bool>, Validity, bool),
    Date(Vec<i32>, Validity, bool),
    Datetime(Vec<i64>, Validity, bool),
    Text(TextBuilder),
}

/// The most distinct values a chunk's text column keeps in a dictionary before it
/// stores each cell's text instead.
pub(crate) const DICT_LIMIT: usize = 4096;

/// Text cells: a dictionary (each distinct value once, a key per cell) while there are
/// few distinct values, else every cell's bytes.
#[derive(Debug, Clone, Default)]
struct TextBuilder {
    /// The dictionary's values of at most 15 bytes, each packed into one integer (see
    /// [`pack_short`]): found without hashing or comparing bytes.
    short: HashMap<u128, i32, super::hash::FxBuild>,
    /// The dictionary's longer values.
    dict: HashMap<Box<[u8]>, i32, super::hash::FxBuild>,
    plain: bool,
    keys: Vec<i32>,
    bytes: Vec<u8>,
    offsets: Vec<i32>,
    valid: Validity,
}

/// A text of at most 15 bytes as one integer, its length in the top byte (so that texts
/// of different lengths never share an integer). Read with fixed-size loads that may
/// overlap (the first and the last 8, or 4, bytes), never through a buffer in memory.
#[inline]
fn pack_short(raw: &[u8]) -> Option<u128> {
    let n = raw.len();
    let u64_at = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&raw[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let u32_at = |i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&raw[i..i + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    let (lo, hi) = match n {
        // The last eight bytes overlap the first eight from the first byte on: the
        // byte dropped by the shift is one the first eight hold.
        8..=15 => (u64_at(0), u64_at(n - 8) >> 8),
        4..=7 => (u32_at(0) | (u32_at(n - 4) << 32), 0),
        1..=3 => (
            u64::from(raw[0]) | (u64::from(raw[n / 2]) << 8) | (u64::from(raw[n - 1]) << 16),
            0,
        ),
        0 => (0, 0),
        _ => return None,
    };
    Some(u128::from(lo) | (u128::from(hi) << 64) | ((n as u128) << 120))
}

impl TextBuilder {
    #[inline]
    fn push(&mut self, cell: Option<&[u8]>) -> Result<(), Push> {
        let Some(raw) = cell else {
            self.valid.push(false);
            if self.plain {
                self.offsets.push(self.bytes.len() as i32);
            } else {
                self.keys.push(0);
            }
            return Ok(());
        };
        if self.plain {
            if std::str::from_utf8(raw).is_err() {
                return Err(Push::Utf8);
            }
            self.valid.push(true);
            return self.push_plain(raw);
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let packed = pack_short(raw);
        let found = match packed {
            Some(p) => self.short.get(&p),
            None => self.dict.get(raw),
        };
        if let Some(&k) = found {
            // Validated when it entered the dictionary.
            self.valid.push(true);
            self.keys.push(k);
            return Ok(());
        }
        if std::str::from_utf8(raw).is_err() {
            return Err(Push::Utf8);
        }
        self.valid.push(true);
        let k = self.offsets.len() - 1;
        if k >= DICT_LIMIT {
            self.spell_out();
            return self.push_plain(raw);
        }
        let k = k as i32;
        match packed {
            Some(p) => self.short.insert(p, k),
            None => self.dict.insert(raw.into(), k),
        };
        self.bytes.extend_from_slice(raw);
        self.offsets.push(self.bytes.len() as i32);
        self.keys.push(k);
        Ok(())
    }

    #[inline]
    fn push_plain(&mut self, raw: &[u8]) -> Result<(), Push> {
        if self.bytes.len() + raw.len() > i32::MAX as usize {
            return Err(Push::TooLarge);
        }
        self.bytes.extend_from_slice(raw);
        self.offsets.push(self.bytes.len() as i32);
        Ok(())
    }

    /// Spells out every cell (leaving the dictionary).
    fn spell_out(&mut self) {
        let (bytes, offsets) = (
            std::mem::take(&mut self.bytes),
            std::mem::take(&mut self.offsets),
        );
        let mut nb = Vec::with_capacity(bytes.len() * 4);
        let mut no = Vec::with_capacity(self.keys.len() + 1);
        no.push(0i32);
        for (row, &k) in self.keys.iter().enumerate() {
            let valid = self.valid.bits.as_ref().is_none_or(|b| b[row]);
            if valid {
                let k = k as usize;
                nb.extend_from_slice(&bytes[offsets[k] as usize..offsets[k + 1] as usize]);
            }
            no.push(nb.len() as i32);
        }
        self.bytes = nb;
        self.offsets = no;
        self.keys = Vec::new();
        self.short = HashMap::default();
        self.dict = HashMap::default();
        self.plain = true;
    }

    fn len(&self) -> usize {
        self.valid.len
    }
}

impl Builder {
    fn forced(d: DType) -> Builder {
        let v = Validity::default();
        match d {
            DType::Int => Builder::Int(Vec::new(), v, true),
            DType::Float => Builder::Float(Vec::new(), v, true),
            DType::Bool => Builder::Bool(Vec::new(), v, true),
            DType::Date => Builder::Date(Vec::new(), v, true),
            DType::Datetime => Builder::Datetime(Vec::new(), v, true),
            DType::Str => Builder::Text(TextBuilder::default()),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Builder::Unknown {
                quoted_empty: Some(_),
                ..
            } => Kind::EmptyTexts,
            Builder::Unknown { .. } => Kind::Unknown,
            Builder::Int(..) => Kind::Int,
            Builder::Float(..) => Kind::Float,
            Builder::Bool(..) => Kind::Bool,
            Builder::Date(..) => Kind::Date,
            Builder::Datetime(..) => Kind::Datetime,
            Builder::Text(_) => Kind::Text,
        }
    }

    fn expected(&self) -> &'static str {
        match self {
            Builder::Int(..) => "an integer",
            Builder::Float(..) => "a number (like 1200, 0.05 or 5%)",
            Builder::Bool(..) => "true or false",
            Builder::Date(..) => "a date written YYYY-MM-DD",
            Builder::Datetime(..) => "a date and time written YYYY-MM-DD HH:MM:SS",
            _ => "a value",
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Unknown { n, .. } => *n,
            Builder::Int(_, v, _)
            | Builder::Float(_, v, _)
            | Builder::Bool(_, v, _)
            | Builder::Date(_, v, _)
            | Builder::Datetime(_, v, _) => v.len,
            Builder::Text(t) => t.len(),
        }
    }

    /// Adds unquoted cells from row `from` in a loop specialised to the builder's type
    /// (an empty cell is missing), while they fit; returns the first row it did not
    /// take (`spans.len()` when it took them all), which the caller passes to
    /// [`Builder::push`]. `total` is the number of rows the column will have.
    #[inline(never)]
    fn run<'a>(&mut self, spans: Spans<'a>, from: usize, total: usize, rules: &Rules) -> usize {
        let rows = spans.len();
        let cell = |r: usize| spans.cell(r);
        macro_rules! typed {
            ($v:expr, $n:expr, $zero:expr, $parse:expr) => {{
                $v.reserve(total.saturating_sub($v.len()));
                for r in from..rows {
                    let raw = cell(r);
                    if raw.is_empty() {
                        $v.push($zero);
                        $n.push(false);
                        continue;
                    }
                    match $parse(trim_cell(raw)) {
                        Some(x) => {
                            $v.push(x);
                            $n.push(true);
                        }
                        None => return r,
                    }
                }
                rows
            }};
        }
        match self {
            Builder::Int(v, n, _) => typed!(v, n, 0, parse_int),
            Builder::Float(v, n, _) => typed!(v, n, 0.0, |t| rules.float(t)),
            Builder::Date(v, n, _) => {
                // Exports are mostly sorted by day: the last date read is kept, and a
                // cell with the same text reuses it.
                let mut last: Option<(&[u8], i32)> = None;
                typed!(v, n, 0, |t: &'a [u8]| {
                    if let Some((text, days)) = last {
                        if text == t {
                            return Some(days);
                        }
                    }
                    let d = date_to_days(rules.date(t)?);
                    last = Some((t, d));
                    Some(d)
                })
            }
            Builder::Text(t) => {
                for r in from..rows {
                    let raw = cell(r);
                    if t.push((!raw.is_empty()).then_some(raw)).is_err() {
                        return r;
                    }
                }
                rows
            }
            _ => from,
        }
    }

    /// Adds one cell. An inferred column starts typed by its first non-missing cell and
    /// widens int to float and date to date-time; any other misfit asks for text.
    #[inline]
    fn push(&mut self, cell: Cell, missing: bool, rules: &Rules) -> Result<(), Push> {
        match self {
            Builder::Text(t) => {
                return t.push((!missing).then_some(cell.raw));
            }
            Builder::Unknown { quoted_empty, n } => {
                if missing || cell.raw.is_empty() {
                    // `""` is missing for every type but text.
                    if cell.quoted && cell.raw.is_empty() {
                        quoted_empty
                            .get_or_insert_with(|| vec![false; *n])
                            .push(true);
                    } else if let Some(q) = quoted_empty {
                        q.push(false);
                    }
                    *n += 1;
                    return Ok(());
                }
                let n = *n;
                if quoted_empty.is_some() {
                    // Empty texts seen: this column can only be text.
                    return Err(Push::Widen);
                }
                let t = trim_cell(cell.raw);
                let mut nulls = Validity::default();
                for _ in 0..n {
                    nulls.push(false);
                }
                *self = if parse_int(t).is_some() {
                    Builder::Int(vec![0; n], nulls, false)
                } else if rules.float(t).is_some() {
                    Builder::Float(vec![0.0; n], nulls, false)
                } else if rules.date(t).is_some() {
                    Builder::Date(vec![0; n], nulls, false)
                } else if rules.datetime(t).is_some() {
                    Builder::Datetime(vec![0; n], nulls, false)
                } else if parse_bool(t).is_some() {
                    Builder::Bool(vec![false; n], nulls, false)
                } else {
                    return Err(Push::Widen);
                };
                return self.push(cell, false, rules);
            }
            _ => {}
        }
        let misfit = |forced: bool| if forced { Push::Bad } else { Push::Widen };
        if missing || cell.raw.is_empty() {
            match self {
                Builder::Int(v, n, _) => {
                    v.push(0);
                    n.push(false)
                }
                Builder::Float(v, n, _) => {
                    v.push(0.0);
                    n.push(false)
                }
                Builder::Bool(v, n, _) => {
                    v.push(false);
                    n.push(false)
                }
                Builder::Date(v, n, _) => {
                    v.push(0);
                    n.push(false)
                }
                Builder::Datetime(v, n, _) => {
                    v.push(0);
                    n.push(false)
                }
                _ => {}
            }
            return Ok(());
        }
        let t = trim_cell(cell.raw);
        match self {
            Builder::Int(v, n, forced) => match parse_int(t) {
                Some(x) => {
                    v.push(x);
                    n.push(true);
                }
                None if !*forced && rules.float(t).is_some() => {
                    let floats: Vec<f64> = v.iter().map(|&x| x as f64).collect();
                    let valid = std::mem::take(n);
                    *self = Builder::Float(floats, valid, false);
                    return self.push(cell, false, rules);
                }
                None => return Err(misfit(*forced)),
            },
            Builder::Float(v, n, forced) => match rules.float(t) {
                Some(x) => {
                    v.push(x);
                    n.push(true);
                }
                None => return Err(misfit(*forced)),
            },
            Builder::Bool(v, n, forced) => match parse_bool(t) {
                Some(x) => {
                    v.push(x);
                    n.push(true);
                }
                None => return Err(misfit(*forced)),
            },
            Builder::Date(v, n, forced) => match rules.date(t) {
                Some(x) => {
                    v.push(date_to_days(x));
                    n.push(true);
                }
                None if !*forced && rules.datetime(t).is_some() => {
                    let micros: Vec<i64> =
                        v.iter().map(|&d| i64::from(d) * 86_400_000_000).collect();
                    let valid = std::mem::take(n);
                    *self = Builder::Datetime(micros, valid, false);
                    return self.push(cell, false, rules);
                }
                None => return Err(misfit(*forced)),
            },
            Builder::Datetime(v, n, forced) => {
                match rules
                    .datetime(t)
                    .or_else(|| rules.date(t).map(|d| d.and_time(chrono::NaiveTime::MIN)))
                {
                    Some(x) => {
                        v.push(datetime_to_micros(x));
                        n.push(true);
                    }
                    None => return Err(misfit(*forced)),
                }
            }
            Builder::Unknown { .. } | Builder::Text(_) => {}
        }
        Ok(())
    }
}

/// Joins a column's chunk builders (all of one kind, or unknown, or int and float,
/// or date and date-time) into one column of `rows` cells.
fn finish_column(parts: Vec<Builder>, rows: usize) -> Result<Column, String> {
    let kind = join_kinds(&parts.iter().map(Builder::kind).collect::<Vec<_>>());
    debug_assert_eq!(parts.iter().map(Builder::len).sum::<usize>(), rows);
    let unknown_validity = |n: usize| {
        let mut v = Validity::default();
        for _ in 0..n {
            v.push(false);
        }
        v
    };
    macro_rules! numeric {
        ($ty:ty, $arr:ty, $conv:expr) => {{
            let mut values: Vec<$ty> = Vec::with_capacity(rows);
            let mut valids: Vec<Validity> = Vec::with_capacity(parts.len());
            for p in parts {
                let (v, n) = $conv(p);
                values.extend(v);
                valids.push(n);
            }
            let refs: Vec<&Validity> = valids.iter().collect();
            <$arr>::new(ScalarBuffer::from(values), Validity::nulls(&refs))
        }};
    }
    Ok(match kind {
        Kind::Int => Column::from_arrow(
            &(std::sync::Arc::new(numeric!(i64, Int64Array, |p| match p {
                Builder::Int(v, n, _) => (v, n),
                other => (vec![0; other.len()], unknown_validity(other.len())),
            })) as arrow_array::ArrayRef),
        )?,
        Kind::Float => Column::from_arrow(
            &(std::sync::Arc::new(numeric!(f64, Float64Array, |p| match p {
                Builder::Float(v, n, _) => (v, n),
                Builder::Int(v, n, _) => (v.into_iter().map(|x| x as f64).collect(), n),
                other => (vec![0.0; other.len()], unknown_validity(other.len())),
            })) as arrow_array::ArrayRef),
        )?,
        Kind::Date => Column::from_arrow(
            &(std::sync::Arc::new(numeric!(i32, Date32Array, |p| match p {
                Builder::Date(v, n, _) => (v, n),
                other => (vec![0; other.len()], unknown_validity(other.len())),
            })) as arrow_array::ArrayRef),
        )?,
        Kind::Datetime => Column::from_arrow(
            &(std::sync::Arc::new(numeric!(i64, TimestampMicrosecondArray, |p| match p {
                Builder::Datetime(v, n, _) => (v, n),
                Builder::Date(v, n, _) => (
                    v.into_iter()
                        .map(|d| i64::from(d) * 86_400_000_000)
                        .collect(),
                    n
                ),
                other => (vec![0; other.len()], unknown_validity(other.len())),
            })) as arrow_array::ArrayRef),
        )?,
        Kind::Bool => {
            let mut values: Vec<bool> = Vec::with_capacity(rows);
            let mut valids = Vec::new();
            for p in parts {
                match p {
                    Builder::Bool(v, n, _) => {
                        values.extend(v);
                        valids.push(n);
                    }
                    other => {
                        values.extend(std::iter::repeat_n(false, other.len()));
                        valids.push(unknown_validity(other.len()));
                    }
                }
            }
            let refs: Vec<&Validity> = valids.iter().collect();
            Column::from_arrow(
                &(std::sync::Arc::new(BooleanArray::new(
                    BooleanBuffer::from(values),
                    Validity::nulls(&refs),
                )) as arrow_array::ArrayRef),
            )?
        }
        Kind::Text | Kind::Unknown | Kind::EmptyTexts => finish_text(parts, rows)?,
    })
}

/// Text chunks joined: one dictionary when every chunk kept one, else plain text.
fn finish_text(parts: Vec<Builder>, rows: usize) -> Result<Column, String> {
    let texts: Vec<TextBuilder> = parts
        .into_iter()
        .map(|p| match p {
            Builder::Text(t) => t,
            Builder::Unknown { quoted_empty, n } => {
                let mut t = TextBuilder::default();
                for i in 0..n {
                    let empty = quoted_empty.as_ref().is_some_and(|q| q[i]);
                    // Cannot fail: empty cells are valid UTF-8 and tiny.
                    let _ = t.push(empty.then_some(&b""[..]));
                }
                t
            }
            _ => TextBuilder::default(),
        })
        .collect();
    let valids: Vec<&Validity> = texts.iter().map(|t| &t.valid).collect();
    let nulls = Validity::nulls(&valids);
    if texts.iter().all(|t| !t.plain) {
        // One dictionary: each chunk's distinct values mapped to merged keys.
        let mut map: HashMap<&[u8], i32, super::hash::FxBuild> = HashMap::default();
        let mut bytes = Vec::new();
        let mut offsets = vec![0i32];
        let mut keys: Vec<i32> = Vec::with_capacity(rows);
        for t in &texts {
            let n_values = t.offsets.len().saturating_sub(1);
            let remap: Vec<i32> = (0..n_values)
                .map(|k| {
                    let s = &t.bytes[t.offsets[k] as usize..t.offsets[k + 1] as usize];
                    *map.entry(s).or_insert_with(|| {
                        bytes.extend_from_slice(s);
                        offsets.push(bytes.len() as i32);
                        (offsets.len() - 2) as i32
                    })
                })
                .collect();
            keys.extend(
                t.keys
                    .iter()
                    .map(|&k| remap.get(k as usize).copied().unwrap_or(0)),
            );
        }
        let values = StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            bytes.into(),
            None,
        )
        .map_err(|e| e.to_string())?;
        return Column::dictionary(Int32Array::new(ScalarBuffer::from(keys), nulls), values);
    }
    let mut texts = texts;
    let total: usize = texts
        .iter_mut()
        .map(|t| {
            if !t.plain {
                t.spell_out();
            }
            t.bytes.len()
        })
        .sum();
    if total > i32::MAX as usize {
        return Err("more than 2 GiB of text in one column".into());
    }
    let mut bytes = Vec::with_capacity(total);
    let mut offsets: Vec<i32> = Vec::with_capacity(rows + 1);
    offsets.push(0);
    for t in &texts {
        let base = bytes.len() as i32;
        bytes.extend_from_slice(&t.bytes);
        // A plain builder's offsets start with 0 only if its first push set it.
        let start = usize::from(t.offsets.len() > t.len());
        offsets.extend(t.offsets[start..].iter().map(|&o| o + base));
    }
    let array = StringArray::try_new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        bytes.into(),
        nulls,
    )
    .map_err(|e| e.to_string())?;
    Column::from_arrow(&(std::sync::Arc::new(array) as arrow_array::ArrayRef))
}

/// The note for an inferred column read as text when all but a few of its cells (at
/// most one in ten) are numbers (or dates): how many cells are not, the first of them, and the options that fix it.
fn fallback_note(
    name: &str,
    col: &Column,
    rules: &Rules,
    line_of: impl Fn(usize) -> u64,
) -> Option<String> {
    let thousands = rules.thousands;
    let n = col.len();
    let first = (0..n).find_map(|r| col.str_at(r))?;
    let t = trim_cell(first.as_bytes());
    let numeric = rules.float(t).is_some();
    let dated = !numeric && (rules.date(t).is_some() || rules.datetime(t).is_some());
    if !numeric && !dated {
        return day_or_month_first(t).map(|sep| {
            let sep = char::from(sep);
            format!(
                "{name}: {} looks like a date with the day or the month first, which is never guessed; read as text; pass date_format: \"%d{sep}%m{sep}%Y\" (day first) or \"%m{sep}%d{sep}%Y\" (month first)",
                super::value::quote_text(first)
            )
        });
    }
    let fits = |s: &str| {
        let t = trim_cell(s.as_bytes());
        if numeric {
            rules.float(t).is_some()
        } else {
            rules.datetime(t).is_some() || rules.date(t).is_some()
        }
    };
    let mut bad = 0usize;
    let mut present = 0usize;
    let mut first_bad: Option<(usize, String)> = None;
    let mut grouped = false;
    for r in 0..n {
        let Some(s) = col.str_at(r) else { continue };
        present += 1;
        if !fits(s) {
            bad += 1;
            grouped |= numeric && looks_grouped(trim_cell(s.as_bytes()));
            if first_bad.is_none() {
                first_bad = Some((r, s.to_string()));
            }
        }
    }
    let (row, text) = first_bad?;
    // Only a few misfits in a typed column deserve a note; a column of mixed values
    // (dates and `L-1` deadlines, say) is text on purpose.
    if bad > (present / 10).max(1) {
        return None;
    }
    let what = if numeric {
        "a number"
    } else {
        "a date (YYYY-MM-DD)"
    };
    let ty = if numeric { "float" } else { "date" };
    let fix = if grouped && !thousands {
        "pass thousands: true".to_string()
    } else {
        format!("pass na: [{text:?}] or types: #{{ {name}: \"{ty}\" }}")
    };
    Some(format!(
        "{name}: {} of {} cells {} not {what} (line {}: {}); read as text; {fix}",
        group(bad),
        group(present),
        if bad == 1 { "is" } else { "are" },
        line_of(row),
        super::value::quote_text(&text)
    ))
}

/// The separator of a text shaped like a date whose year comes last (`10/08/2024`,
/// `8.10.2024`): day and month of one or two digits, then a four-digit year.
fn day_or_month_first(t: &[u8]) -> Option<u8> {
    let sep = *t.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let parts: Vec<&[u8]> = t.split(|&c| c == sep).collect();
    let short = |p: &[u8]| (1..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit);
    (parts.len() == 3
        && short(parts[0])
        && short(parts[1])
        && parts[2].len() == 4
        && parts[2].iter().all(u8::is_ascii_digit))
    .then_some(sep)
}

/// Checks a `date_format` option: a `strftime` format naming a day, a month and a year.
pub fn check_date_format(f: &str) -> Result<(), String> {
    Rules::check_date_format(f)
}

/// An integer with thousands separators (`1,000,000`).
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses one cell's text as `dtype` by the reader's rules (used for `cast` and
/// forced types on derived data); `None` when it does not parse. An empty text is a
/// missing value.
pub fn parse_cell(text: &str, dtype: DType) -> Option<Value> {
    let t = trim_cell(text.as_bytes());
    if t.is_empty() {
        return Some(Value::Null);
    }
    let rules = Rules::default();
    match dtype {
        DType::Int => parse_int(t).map(Value::Int),
        DType::Float => rules.float(t).map(Value::Float),
        DType::Bool => parse_bool(t).map(Value::Bool),
        DType::Date => rules.date(t).map(Value::Date),
        DType::Datetime => rules
            .datetime(t)
            .or_else(|| rules.date(t).map(|d| d.and_time(chrono::NaiveTime::MIN)))
            .map(Value::Datetime),
        DType::Str => Some(Value::Str(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The records of a quote-free `block` as the general tokenizer and [`admit`] see
    /// them: each row's cells, each row's line, the line count, or the error's line.
    /// Each row's cells, each row's line, and the chunk's line count.
    type Split = (Vec<Vec<Vec<u8>>>, Vec<u64>, u64);

    fn reference(block: &[u8], n: usize) -> Result<Split, u64> {
        struct Rows<'a> {
            ctx: &'a ChunkCtx<'a>,
            cells: Vec<Vec<Vec<u8>>>,
            lines: Option<Vec<u64>>,
        }
        impl RecordSink for Rows<'_> {
            type Error = ChunkError;
            fn record(&mut self, base: &[u8], f: &[Field], line: u64) -> Result<(), ChunkError> {
                if admit(self.ctx, self.cells.len(), &mut self.lines, f, line)? {
                    self.cells
                        .push(f.iter().map(|f| base[f.start..f.end].to_vec()).collect());
                }
                Ok(())
            }
        }
        let wanted: Vec<usize> = (0..n).collect();
        let rules = Rules::default();
        let ctx = ChunkCtx {
            delimiter: b',',
            n_fields: n,
            wanted: &wanted,
            na: &[],
            rules: &rules,
        };
        let mut sink = Rows {
            ctx: &ctx,
            cells: Vec::new(),
            lines: None,
        };
        match tokenize_known(block, b',', &mut sink, false) {
            Ok(count) => {
                let rows = sink.cells.len() as u64;
                let lines = sink.lines.unwrap_or_else(|| (1..=rows).collect());
                Ok((sink.cells, lines, count))
            }
            Err(BlockError::Sink(ChunkError::Ragged { line, .. })) => Err(line),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    /// The date column's one-entry cache: repeated, changed and blank-looking cells.
    #[test]
    fn repeated_dates_reuse_the_last_one_and_nothing_else() {
        let read = |text: &str| read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default());
        let t = read("d\n2024-07-01\n2024-07-01\n2024-07-02\n2024-07-01\n").expect("read");
        let d = t.column("d").expect("d");
        assert_eq!(d.dtype(), DType::Date);
        let days: Vec<Value> = (0..4).map(|r| d.get(r)).collect();
        let date =
            |s: &str| Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"));
        assert_eq!(
            days,
            vec![
                date("2024-07-01"),
                date("2024-07-01"),
                date("2024-07-02"),
                date("2024-07-01")
            ]
        );
        // A cell of spaces is not the date before it: the column is text.
        let t = read("d,x\n2024-07-01,1\n ,2\n").expect("read");
        assert_eq!(t.column("d").expect("d").dtype(), DType::Str);
    }

    /// A `""` before a column's first typed cell makes it text, one after it is a
    /// missing value, also when the `""` cells and the typed ones fall in different
    /// chunks (the first chunk here ends exactly at 1 MB, after the last `""`).
    #[test]
    fn empty_texts_type_a_column_the_same_in_one_chunk_or_several() {
        let read = |text: &str| read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default());
        let mut empties = String::new();
        let mut i = 0;
        while empties.len() < (1 << 20) - 40 {
            empties.push_str(&format!("{i},\"\"\n"));
            i += 1;
        }
        let need = (1 << 20) - empties.len();
        empties.push_str(&format!("{},\"\"\n", "9".repeat(need - 4)));
        assert_eq!(empties.len(), 1 << 20);
        let numbers: String = (0..200_000).map(|i| format!("{i},5\n")).collect();
        for (body, want) in [
            (format!("{empties}{numbers}"), DType::Str),
            (format!("{numbers}{empties}"), DType::Int),
        ] {
            let t = read(&format!("a,b\n{body}")).expect("read");
            let b = t.column("b").expect("b");
            assert_eq!(b.dtype(), want);
            let small = read(&format!("a,b\n{}", &body[..40]))
                .and_then(|s| s.column("b").map(|c| c.dtype()));
            assert_eq!(small.expect("small"), want);
            let first = b.get(0);
            let last = b.get(t.n_rows() - 1);
            if want == DType::Str {
                assert_eq!(
                    (first, last),
                    (Value::Str(String::new()), Value::Str("5".into()))
                );
            } else {
                assert_eq!((first, last), (Value::Int(5), Value::Null));
            }
        }
    }

    /// A chunk read again because a column turned out to be text holds the file's
    /// first error, or, when it holds none, precedes the error's row: either way the
    /// error reported is the first in the file, with its row counted from the start.
    #[test]
    fn errors_after_a_chunk_read_again_name_the_first_bad_cell_and_its_row() {
        // The first chunk has a quote (so the full parser reads it) and a column that
        // turns to text at its row 100; a cell of the integer column `a` is bad at row
        // 250,000, in a later chunk, and maybe also at row 500.
        for early in [false, true] {
            let mut text = String::from("a,c\n0,\"1\"\n");
            for i in 1..300_000 {
                let a = if i == 250_000 || (early && i == 500) {
                    "bad".to_string()
                } else {
                    i.to_string()
                };
                let c = if i == 100 { "x" } else { "1" };
                text.push_str(&format!("{a},{c}\n"));
            }
            let options = CsvOptions {
                types: BTreeMap::from([("a".to_string(), DType::Int)]),
                ..CsvOptions::default()
            };
            let err = read_csv_bytes("t.csv", text.as_bytes(), &options).expect_err("bad cell");
            let TableError::BadCell { at, .. } = err else {
                panic!("{err}");
            };
            let row = if early { 500 } else { 250_000 };
            assert_eq!((at.row, at.line), (row, Some(row as u64 + 2)));
        }
    }

    /// A file whose lines end in `\r` alone is refused, not read as a header holding
    /// every line and no rows; a `\r` ending the file or inside quotes is fine.
    #[test]
    fn lines_ended_by_a_lone_carriage_return_are_refused() {
        for no_header in [false, true] {
            let options = CsvOptions {
                no_header,
                ..CsvOptions::default()
            };
            for text in ["a,b\r1,2\r3,4\r", "a\r1\r2\r"] {
                let err = read_csv_bytes("t.csv", text.as_bytes(), &options).expect_err(text);
                assert!(
                    err.to_string()
                        .starts_with("t.csv:1: a carriage return (\\r) inside an unquoted field"),
                    "{err}"
                );
            }
        }
        // Lines ended by `\r\r\n`: the extra `\r` is trailing white space.
        let t = read_csv_bytes(
            "t.csv",
            b"a,b\r\r\n1,2\r\r\n3,4\r\r\n",
            &CsvOptions::default(),
        )
        .expect("read");
        assert_eq!(t.names(), ["a".to_string(), "b".to_string()]);
        assert_eq!(t.value(1, "b").expect("cell"), Value::Int(4));
        let t =
            read_csv_bytes("t.csv", b"a,\"b\rc\"\r\n1,2\r", &CsvOptions::default()).expect("read");
        assert_eq!(t.names(), ["a".to_string(), "b\rc".to_string()]);
        assert_eq!(t.value(0, "b\rc").expect("cell"), Value::Int(2));
    }

    /// Blank lines before the rows of a wide file: skipped, the rows' lines kept, and
    /// the room reserved for field positions bounded by the chunk's size.
    #[test]
    fn blank_lines_before_a_wide_files_rows() {
        let n = 60;
        let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let row: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        let mut text = header.join(",") + "\n";
        text.push_str(&"\n".repeat(200_000));
        text.push_str(&(row.join(",") + "\r\n"));
        text.push_str(&row.join(","));
        let t = read_csv_bytes("t.csv", text.as_bytes(), &CsvOptions::default()).expect("read");
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.line_of(0), Some(200_002));
        assert_eq!(t.line_of(1), Some(200_003));
        assert_eq!(t.value(1, "c59").expect("cell"), Value::Int(59));
        let split = split_plain(
            &text.as_bytes()[text.find('\n').expect("header") + 1..],
            b',',
            n,
        )
        .expect("split");
        assert!(split.ends.capacity() <= text.len() / 2 + 1024 + split.ends.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The one-pass splitter keeps the same rows, cells and lines as the general
        /// tokenizer, and refuses the same record, for blank lines, `\r\n`, ragged
        /// rows and a last record without a line break.
        #[test]
        fn split_plain_agrees_with_the_tokenizer(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b'\r'), Just(b'a'), Just(b'7'), Just(b' ')],
                0..120,
            ),
            n in 1usize..4,
        ) {
            let want = reference(&bytes, n);
            let got = split_plain(&bytes, b',', n).map(|s| {
                let stride = n + 1;
                let cells: Vec<Vec<Vec<u8>>> = (0..s.rows)
                    .map(|r| {
                        (0..n)
                            .map(|j| {
                                Spans { chunk: &bytes, ends: &s.ends, stride, field: j, last: j + 1 == n }
                                    .cell(r)
                                    .to_vec()
                            })
                            .collect()
                    })
                    .collect();
                let lines = s.lines.clone().unwrap_or_else(|| (1..=s.rows as u64).collect());
                (cells, lines, s.line_count)
            });
            let got = got.map_err(|e| match e {
                ChunkError::Ragged { line, .. } => line,
                other => panic!("unexpected {other:?}"),
            });
            prop_assert_eq!(got, want);
        }
    }

    /// Every text of up to 15 bytes over a small alphabet (every length, so that the
    /// overlapping loads and the length byte are all exercised) packs to its own integer.
    #[test]
    fn short_texts_pack_to_distinct_integers() {
        let alphabet = [b'a', b'b', 0u8, 0xff];
        let mut seen: HashMap<u128, Vec<u8>> = HashMap::new();
        for len in 0..=15usize {
            // All texts of this length for lengths up to 6, else a sample that varies
            // every position.
            let count = if len <= 6 {
                4usize.pow(len as u32)
            } else {
                4096
            };
            for n in 0..count {
                let mut x = n.wrapping_mul(0x9E37_79B9) ^ (n >> 3);
                let text: Vec<u8> = (0..len)
                    .map(|i| {
                        let d = if len <= 6 { (n >> (2 * i)) & 3 } else { x & 3 };
                        x = x.rotate_left(7) ^ i;
                        alphabet[d]
                    })
                    .collect();
                let p = pack_short(&text).expect("short");
                if let Some(other) = seen.insert(p, text.clone()) {
                    assert_eq!(other, text, "two texts share {p:#x}");
                }
            }
        }
        assert_eq!(pack_short(&[b'x'; 16]), None);
    }
}
