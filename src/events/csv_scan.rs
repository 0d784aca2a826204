//! A streaming CSV reader for event exports that reads only the columns a funnel
//! needs and keeps only the rows whose event is a funnel step.
//!
//! The file is read in blocks of [`BLOCK`] bytes that end on a record boundary: the
//! last newline of the block outside quotes, found from the parity of the quote
//! characters before it (each block starts on a boundary, so the parity is known).
//! Blocks are parsed in parallel (rayon); within a block a record without a quote is
//! split at commas with `memchr`, and a record with one goes through a full RFC 4180
//! parser (quoted fields, doubled quotes, commas and newlines inside quotes, CRLF).
//! A quote inside an unquoted field, or text after a closing quote, is an error
//! naming the line, so a stray quote can never silently shift the block boundaries.
//! Empty lines are skipped; every other record must have as many fields as the header.

use super::collect::{Batch, Collector};
use super::error::{missing_column, EventsError};
use super::time::parse_time;
use memchr::{memchr, memchr_iter, memrchr};
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

/// Bytes per block.
pub const BLOCK: usize = 4 << 20;

/// Which columns the funnel reads, by name.
#[derive(Debug, Clone)]
pub struct Columns<'a> {
    /// The user id column.
    pub user: &'a str,
    /// The event name column.
    pub event: &'a str,
    /// The timestamp column.
    pub time: &'a str,
    /// The breakdown columns (may be empty).
    pub by: &'a [String],
}

/// Column positions in the file.
#[derive(Debug, Clone)]
struct Layout {
    user: usize,
    event: usize,
    time: usize,
    by: Vec<usize>,
    n_fields: usize,
    time_name: String,
}

/// An error found inside a block, located relative to the block's start.
#[derive(Debug)]
enum LocalError {
    Time { row: u64, line: u64, text: String },
    Csv { line: u64, reason: String },
}

struct BlockOut {
    batch: Batch,
    lines: u64,
    error: Option<LocalError>,
}

/// Reads `path` (shown as `name` in messages) and collects its funnel-step events.
/// `steps` are the event names of the steps in order.
pub fn scan_file(
    path: &Path,
    name: &str,
    cols: &Columns,
    steps: &[String],
    deadline: Option<Instant>,
) -> Result<Collector, EventsError> {
    let io = |e: std::io::Error| EventsError::Io {
        file: name.to_string(),
        reason: crate::table::io_reason(&e),
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::with_capacity(BLOCK + (64 << 10));
    let mut eof = fill(&mut file, &mut buf, BLOCK).map_err(io)?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    // The header: grow the buffer until it holds the whole first record.
    let (header, header_end, header_lines) = loop {
        let mut unq = Vec::new();
        let mut bounds = Vec::new();
        match parse_quoted(&buf, 0, &mut unq, &mut bounds) {
            Ok((end, nl)) if end < buf.len() || eof => {
                let names: Vec<String> = bounds
                    .iter()
                    .map(|&(a, b)| String::from_utf8_lossy(&unq[a..b]).trim().to_string())
                    .collect();
                break (names, end, nl);
            }
            Err(reason) if eof => {
                return Err(EventsError::BadCsv {
                    file: name.to_string(),
                    line: 1,
                    reason,
                })
            }
            _ => {
                let want = buf.len() + BLOCK;
                eof = fill(&mut file, &mut buf, want).map_err(io)?;
            }
        }
    };
    if header.iter().all(String::is_empty) {
        return Err(EventsError::Invalid(format!(
            "{name}: the file is empty; an event export needs a header row with the columns {}, {} and {}",
            cols.user, cols.event, cols.time
        )));
    }
    let find = |c: &str| {
        header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| missing_column(name, c, &header))
    };
    let layout = Layout {
        user: find(cols.user)?,
        event: find(cols.event)?,
        time: find(cols.time)?,
        by: cols.by.iter().map(|b| find(b)).collect::<Result<_, _>>()?,
        n_fields: header.len(),
        time_name: cols.time.to_string(),
    };
    let steps: Vec<&[u8]> = steps.iter().map(|s| s.as_bytes()).collect();
    let mut carry = buf.split_off(header_end);
    drop(buf);
    let mut collector = Collector::default();
    let mut base_rows = 0u64;
    let mut base_line = header_lines;
    let per_batch = 2 * rayon::current_num_threads().max(1);
    let mut done = carry.is_empty() && eof;
    while !done {
        let mut blocks: Vec<Vec<u8>> = Vec::with_capacity(per_batch);
        while blocks.len() < per_batch && !done {
            let mut block = Vec::with_capacity(BLOCK + (64 << 10));
            block.append(&mut carry);
            let mut want = BLOCK;
            loop {
                if !eof && block.len() < want {
                    eof = fill(&mut file, &mut block, want).map_err(io)?;
                }
                if eof {
                    done = true;
                    break;
                }
                match record_boundary(&block) {
                    Some(cut) => {
                        carry = block.split_off(cut);
                        break;
                    }
                    None => want = block.len() + BLOCK,
                }
            }
            if !block.is_empty() {
                blocks.push(block);
            }
        }
        let outs: Vec<BlockOut> = blocks
            .par_iter()
            .map(|b| parse_block(b, &layout, &steps))
            .collect();
        drop(blocks);
        let mut batches = Vec::with_capacity(outs.len());
        for out in outs {
            if let Some(e) = out.error {
                return Err(match e {
                    LocalError::Time { row, line, text } => EventsError::BadTime {
                        file: name.to_string(),
                        line: base_line + line,
                        row: base_rows + row + 1,
                        column: layout.time_name.clone(),
                        text,
                    },
                    LocalError::Csv { line, reason } => EventsError::BadCsv {
                        file: name.to_string(),
                        line: base_line + line,
                        reason,
                    },
                });
            }
            base_rows += out.batch.rows;
            base_line += out.lines;
            batches.push(out.batch);
        }
        collector.absorb(batches);
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(EventsError::Timeout { rows: base_rows });
        }
    }
    Ok(collector)
}

/// Reads until `buf` holds `want` bytes or the file ends; true at the end of the file.
fn fill(file: &mut std::fs::File, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let need = (want - buf.len()) as u64;
        let got = file.by_ref().take(need).read_to_end(buf)?;
        if got == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn count_quotes(s: &[u8]) -> usize {
    s.iter().filter(|&&b| b == b'"').count()
}

/// The end (just past a newline) of the last complete record in `block`, which
/// starts on a record boundary; `None` when no newline lies outside quotes.
fn record_boundary(block: &[u8]) -> Option<usize> {
    let mut end = block.len();
    let mut nl = memrchr(b'\n', &block[..end])?;
    let mut quotes = count_quotes(&block[..nl]);
    loop {
        if quotes % 2 == 0 {
            return Some(nl + 1);
        }
        end = nl;
        nl = memrchr(b'\n', &block[..end])?;
        quotes -= count_quotes(&block[nl..end]);
    }
}

/// Parses one record that may contain quotes, starting at `pos`: fields unescaped
/// into `unq`, their bounds in `bounds`. Returns the position after the record's
/// newline (or the end) and the number of newlines consumed.
fn parse_quoted(
    s: &[u8],
    mut pos: usize,
    unq: &mut Vec<u8>,
    bounds: &mut Vec<(usize, usize)>,
) -> Result<(usize, u64), String> {
    unq.clear();
    bounds.clear();
    let mut newlines = 0u64;
    loop {
        let start = unq.len();
        if s.get(pos) == Some(&b'"') {
            pos += 1;
            loop {
                match s.get(pos) {
                    None => {
                        return Err("a quoted field is not closed before the end of the file".into())
                    }
                    Some(b'"') if s.get(pos + 1) == Some(&b'"') => {
                        unq.push(b'"');
                        pos += 2;
                    }
                    Some(b'"') => {
                        pos += 1;
                        break;
                    }
                    Some(&c) => {
                        if c == b'\n' {
                            newlines += 1;
                        }
                        unq.push(c);
                        pos += 1;
                    }
                }
            }
            bounds.push((start, unq.len()));
            match s.get(pos) {
                None => return Ok((pos, newlines)),
                Some(b',') => pos += 1,
                Some(b'\n') => return Ok((pos + 1, newlines + 1)),
                Some(b'\r') if matches!(s.get(pos + 1), None | Some(b'\n')) => {
                    return Ok(((pos + 2).min(s.len()), newlines + u64::from(pos + 1 < s.len())))
                }
                Some(_) => {
                    return Err(
                        "text after a closing quote; a quoted field must end at a comma or the end of the line"
                            .into(),
                    )
                }
            }
        } else {
            loop {
                match s.get(pos) {
                    None => {
                        bounds.push((start, unq.len()));
                        return Ok((pos, newlines));
                    }
                    Some(b',') => {
                        bounds.push((start, unq.len()));
                        pos += 1;
                        break;
                    }
                    Some(b'\n') => {
                        if unq.last() == Some(&b'\r') {
                            unq.pop();
                        }
                        bounds.push((start, unq.len()));
                        return Ok((pos + 1, newlines + 1));
                    }
                    Some(b'"') => {
                        return Err("a quote inside an unquoted field; quote the whole field and double the quotes inside (\"a \"\"b\"\"\")".into())
                    }
                    Some(&c) => {
                        unq.push(c);
                        pos += 1;
                    }
                }
            }
        }
    }
}

fn parse_block(block: &[u8], layout: &Layout, steps: &[&[u8]]) -> BlockOut {
    let mut batch = Batch::default();
    let mut lines = 0u64;
    let mut unq = Vec::new();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(layout.n_fields + 1);
    let mut key = Vec::new();
    let mut pos = 0;
    let len = block.len();
    let fail = |batch: Batch, lines: u64, error: LocalError| BlockOut {
        batch,
        lines,
        error: Some(error),
    };
    while pos < len {
        let nl = memchr(b'\n', &block[pos..]).map_or(len, |i| pos + i);
        let line = &block[pos..nl];
        let (base, next, used): (&[u8], usize, u64) = if memchr(b'"', line).is_none() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                lines += 1;
                pos = nl + 1;
                continue;
            }
            bounds.clear();
            let mut a = 0;
            for c in memchr_iter(b',', line) {
                bounds.push((pos + a, pos + c));
                a = c + 1;
            }
            bounds.push((pos + a, pos + line.len()));
            (block, nl + 1, 1)
        } else {
            match parse_quoted(block, pos, &mut unq, &mut bounds) {
                Ok((next, used)) => (&unq[..], next, used.max(1)),
                Err(reason) => {
                    return fail(
                        batch,
                        lines,
                        LocalError::Csv {
                            line: lines + 1,
                            reason,
                        },
                    )
                }
            }
        };
        if bounds.len() != layout.n_fields {
            let reason = format!(
                "this row has {} fields but the header has {}",
                bounds.len(),
                layout.n_fields
            );
            return fail(
                batch,
                lines,
                LocalError::Csv {
                    line: lines + 1,
                    reason,
                },
            );
        }
        let field = |i: usize| &base[bounds[i].0..bounds[i].1];
        let event = field(layout.event);
        if let Some(step) = steps.iter().position(|s| *s == event) {
            let cell = field(layout.time);
            let Some(t) = parse_time(cell) else {
                let text = String::from_utf8_lossy(cell).into_owned();
                let row = batch.rows;
                return fail(
                    batch,
                    lines,
                    LocalError::Time {
                        row,
                        line: lines + 1,
                        text,
                    },
                );
            };
            key.clear();
            for (i, &b) in layout.by.iter().enumerate() {
                if i > 0 {
                    key.push(0);
                }
                key.extend_from_slice(field(b));
            }
            batch.step_rows += 1;
            batch.push(field(layout.user), &key, step as u8, t);
        }
        batch.rows += 1;
        lines += used;
        pos = next;
    }
    BlockOut {
        batch,
        lines,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Result<(Vec<String>, usize, u64), String> {
        let mut unq = Vec::new();
        let mut b = Vec::new();
        let (end, nl) = parse_quoted(s.as_bytes(), 0, &mut unq, &mut b)?;
        Ok((
            b.iter()
                .map(|&(x, y)| String::from_utf8_lossy(&unq[x..y]).into_owned())
                .collect(),
            end,
            nl,
        ))
    }

    #[test]
    fn quoted_records() {
        assert_eq!(
            fields("a,\"b,c\",\"d \"\"q\"\"\"\nnext").expect("ok"),
            (vec!["a".into(), "b,c".into(), "d \"q\"".into()], 18, 1)
        );
        assert_eq!(
            fields("\"x\ny\",z\r\n").expect("ok"),
            (vec!["x\ny".into(), "z".into()], 9, 2)
        );
        assert_eq!(fields("\"a\"\r\n").expect("ok").0, vec!["a".to_string()]);
        assert_eq!(
            fields("a,").expect("ok").0,
            vec!["a".to_string(), String::new()]
        );
        assert!(fields("a\"b,c").is_err());
        assert!(fields("\"a\"b,c").is_err());
        assert!(fields("\"abc").is_err());
    }

    #[test]
    fn boundaries_skip_newlines_inside_quotes() {
        let s = b"a,b\nc,\"d\ne\"\nf,\"g\nh";
        assert_eq!(record_boundary(s), Some(12));
        assert_eq!(record_boundary(b"a,\"b\nc"), None);
        assert_eq!(record_boundary(b"abc"), None);
    }
}
