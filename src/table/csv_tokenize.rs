//! The one strict CSV tokenizer behind `load_csv` and the streaming scan of event
//! exports (RFC 4180, with any one-byte delimiter).
//!
//! Rules:
//! - A record ends at `\n` or `\r\n` outside quotes (the file's last record also at a
//!   lone `\r` that ends the file); a field ends at the delimiter.
//! - A field that starts with `"` is quoted: it may hold delimiters, line breaks and
//!   doubled quotes (`""` is one `"`), and must be followed by the delimiter or the
//!   end of the record. Text after the closing quote is an error; so is a quote
//!   inside an unquoted field, and a quoted field still open at the end of the file.
//!   Each error names the line where the record started: a stray quote never
//!   silently swallows the rest of the file.
//! - A record with no bytes (a blank line) is reported to the sink as a record of one
//!   empty field; the sink decides (tables skip it unless they have one column).
//!
//! Speed: a block without any quote is cut in one pass that finds the delimiters and
//! line breaks eight bytes at a time (SWAR); in a block with quotes, only the records
//! holding a quote take the byte-by-byte parser.

use memchr::{memchr, memrchr};

/// One field of a record: `base[start..end]`, and whether it was quoted (so an empty
/// quoted field `""` can be told from an empty one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Start offset in the record's base buffer.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// True for a field written in quotes.
    pub quoted: bool,
}

/// Receives the records of a block.
pub trait RecordSink {
    /// The sink's own error (a cell that does not parse, for example).
    type Error;
    /// One record: its fields index into `base`; `line` is the line (1-based, within
    /// the block) where the record starts.
    fn record(&mut self, base: &[u8], fields: &[Field], line: u64) -> Result<(), Self::Error>;
}

/// An error while cutting a block: a CSV syntax error at a line of the block, or the
/// sink's own error.
#[derive(Debug)]
pub enum BlockError<E> {
    /// Malformed CSV: the line (within the block) where the record started, and why.
    Syntax {
        /// The line within the block (1-based).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The sink refused a record.
    Sink(E),
}

/// Cuts `block` (which starts on a record boundary and ends at one, or at the end of
/// the file) into records and hands each to `sink`. Returns the number of lines the
/// block spans.
pub fn tokenize<S: RecordSink>(
    block: &[u8],
    delimiter: u8,
    sink: &mut S,
) -> Result<u64, BlockError<S::Error>> {
    tokenize_known(block, delimiter, sink, memchr(b'"', block).is_some())
}

/// [`tokenize`] for a block already known to hold a quote character (`quoted`) or not,
/// which spares a scan of the block.
pub fn tokenize_known<S: RecordSink>(
    block: &[u8],
    delimiter: u8,
    sink: &mut S,
    quoted: bool,
) -> Result<u64, BlockError<S::Error>> {
    if quoted {
        tokenize_general(block, delimiter, sink)
    } else {
        tokenize_plain(block, delimiter, sink)
    }
}

/// One in every byte: `LO * b` broadcasts the byte `b` to all eight.
const LO: u64 = 0x0101_0101_0101_0101;
const HI7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit set in each byte of `w` that equals the byte broadcast in `pattern`
/// (exact: no false positives).
#[inline(always)]
fn eq_mask(w: u64, pattern: u64) -> u64 {
    let x = w ^ pattern;
    !(((x & HI7) + HI7) | x | HI7)
}

/// Every delimiter and line break of a block without quotes, in order, found eight
/// bytes at a time (a SWAR test for both bytes in each 64-bit word): `on(at, true)` for
/// a line break at `at`, `on(at, false)` for a delimiter. Stops at `on`'s first error.
#[inline(always)]
pub(crate) fn scan_plain<E>(
    block: &[u8],
    delimiter: u8,
    mut on: impl FnMut(usize, bool) -> Result<(), E>,
) -> Result<(), E> {
    let pd = LO * u64::from(delimiter);
    let pn = LO * u64::from(b'\n');
    let words = block.len() / 8 * 8;
    let mut i = 0usize;
    while i < words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&block[i..i + 8]);
        let w = u64::from_le_bytes(bytes);
        let mn = eq_mask(w, pn);
        let mut m = eq_mask(w, pd) | mn;
        while m != 0 {
            let bit = m.trailing_zeros();
            on(i + (bit / 8) as usize, mn & (1u64 << bit) != 0)?;
            m &= m - 1;
        }
        i += 8;
    }
    for (k, &b) in block[words..].iter().enumerate() {
        if b == b'\n' || b == delimiter {
            on(words + k, b == b'\n')?;
        }
    }
    Ok(())
}

/// A block without quotes: fields and records found by [`scan_plain`].
fn tokenize_plain<S: RecordSink>(
    block: &[u8],
    delimiter: u8,
    sink: &mut S,
) -> Result<u64, BlockError<S::Error>> {
    let mut fields: Vec<Field> = Vec::with_capacity(32);
    let mut lines = 0u64;
    let mut start = 0usize;
    let mut emit = |fields: &mut Vec<Field>, start: usize, at: usize, lines: u64| {
        let end = if at > start && block[at - 1] == b'\r' {
            at - 1
        } else {
            at
        };
        fields.push(Field {
            start,
            end,
            quoted: false,
        });
        let r = sink.record(block, fields, lines);
        fields.clear();
        r.map_err(BlockError::Sink)
    };
    scan_plain(block, delimiter, |at, line_break| {
        if line_break {
            lines += 1;
            emit(&mut fields, start, at, lines)?;
        } else {
            fields.push(Field {
                start,
                end: at,
                quoted: false,
            });
        }
        start = at + 1;
        Ok(())
    })?;
    if start < block.len() || !fields.is_empty() {
        lines += 1;
        emit(&mut fields, start, block.len(), lines)?;
    }
    Ok(lines)
}

/// A block with quotes somewhere: records without a quote are split directly, the
/// others go through [`parse_quoted`].
fn tokenize_general<S: RecordSink>(
    block: &[u8],
    delimiter: u8,
    sink: &mut S,
) -> Result<u64, BlockError<S::Error>> {
    let mut lines = 0u64;
    let mut unq = Vec::new();
    let mut fields: Vec<Field> = Vec::with_capacity(32);
    let mut pos = 0;
    let len = block.len();
    while pos < len {
        let nl = memchr(b'\n', &block[pos..]).map_or(len, |i| pos + i);
        let line = &block[pos..nl];
        if memchr(b'"', line).is_none() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            fields.clear();
            let mut a = 0;
            for (c, &b) in line.iter().enumerate() {
                if b == delimiter {
                    fields.push(Field {
                        start: pos + a,
                        end: pos + c,
                        quoted: false,
                    });
                    a = c + 1;
                }
            }
            fields.push(Field {
                start: pos + a,
                end: pos + line.len(),
                quoted: false,
            });
            sink.record(block, &fields, lines + 1)
                .map_err(BlockError::Sink)?;
            lines += 1;
            pos = nl + 1;
        } else {
            let (next, used) =
                parse_quoted(block, pos, delimiter, &mut unq, &mut fields).map_err(|reason| {
                    BlockError::Syntax {
                        line: lines + 1,
                        reason,
                    }
                })?;
            sink.record(&unq, &fields, lines + 1)
                .map_err(BlockError::Sink)?;
            lines += used.max(1);
            pos = next;
        }
    }
    Ok(lines)
}

/// The end (just past a line break) of the last complete record in `block`, which
/// starts on a record boundary; `None` when no line break lies outside quotes. A
/// line break is outside quotes when an even number of quote characters precede it.
pub fn record_boundary(block: &[u8]) -> Option<usize> {
    record_boundary_quoted(block).map(|(end, _)| end)
}

/// [`record_boundary`], also saying whether the records before it hold a quote
/// character.
pub fn record_boundary_quoted(block: &[u8]) -> Option<(usize, bool)> {
    let mut end = block.len();
    let mut nl = memrchr(b'\n', &block[..end])?;
    if memchr(b'"', &block[..nl]).is_none() {
        return Some((nl + 1, false));
    }
    let mut quotes = count_quotes(&block[..nl]);
    loop {
        if quotes.is_multiple_of(2) {
            return Some((nl + 1, true));
        }
        end = nl;
        nl = memrchr(b'\n', &block[..end])?;
        quotes -= count_quotes(&block[nl..end]);
    }
}

fn count_quotes(s: &[u8]) -> usize {
    memchr::memchr_iter(b'"', s).count()
}

/// Parses one record that may contain quotes, starting at `pos`: fields unescaped
/// into `unq`, their bounds (into `unq`) in `fields`. Returns the position after the
/// record's line break (or the end) and the number of line breaks consumed.
pub fn parse_quoted(
    s: &[u8],
    mut pos: usize,
    delimiter: u8,
    unq: &mut Vec<u8>,
    fields: &mut Vec<Field>,
) -> Result<(usize, u64), String> {
    unq.clear();
    fields.clear();
    let mut newlines = 0u64;
    let delim_name = if delimiter == b'\t' {
        "tab".to_string()
    } else {
        format!("'{}'", char::from(delimiter))
    };
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
            fields.push(Field {
                start,
                end: unq.len(),
                quoted: true,
            });
            match s.get(pos) {
                None => return Ok((pos, newlines)),
                Some(&c) if c == delimiter => pos += 1,
                Some(b'\n') => return Ok((pos + 1, newlines + 1)),
                Some(b'\r') if matches!(s.get(pos + 1), None | Some(b'\n')) => {
                    return Ok((
                        (pos + 2).min(s.len()),
                        newlines + u64::from(pos + 1 < s.len()),
                    ))
                }
                Some(_) => {
                    return Err(format!(
                        "text after a closing quote; a quoted field must end at a {delim_name} or the end of the line"
                    ))
                }
            }
        } else {
            loop {
                match s.get(pos) {
                    None => {
                        // A `\r` that ends the file ends the record, as `\r\n` would.
                        if unq.len() > start && unq.last() == Some(&b'\r') {
                            unq.pop();
                        }
                        fields.push(Field {
                            start,
                            end: unq.len(),
                            quoted: false,
                        });
                        return Ok((pos, newlines));
                    }
                    Some(&c) if c == delimiter => {
                        fields.push(Field {
                            start,
                            end: unq.len(),
                            quoted: false,
                        });
                        pos += 1;
                        break;
                    }
                    Some(b'\n') => {
                        if unq.len() > start && unq.last() == Some(&b'\r') {
                            unq.pop();
                        }
                        fields.push(Field {
                            start,
                            end: unq.len(),
                            quoted: false,
                        });
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<(Vec<String>, u64)>);

    impl RecordSink for Collect {
        type Error = ();
        fn record(&mut self, base: &[u8], fields: &[Field], line: u64) -> Result<(), ()> {
            let f = fields
                .iter()
                .map(|f| {
                    let s = String::from_utf8_lossy(&base[f.start..f.end]).into_owned();
                    if f.quoted {
                        format!("<{s}>")
                    } else {
                        s
                    }
                })
                .collect();
            self.0.push((f, line));
            Ok(())
        }
    }

    fn records(s: &str, delimiter: u8) -> Result<Vec<(Vec<String>, u64)>, String> {
        let mut c = Collect(Vec::new());
        match tokenize(s.as_bytes(), delimiter, &mut c) {
            Ok(_) => Ok(c.0),
            Err(BlockError::Syntax { line, reason }) => Err(format!("{line}: {reason}")),
            Err(BlockError::Sink(())) => Err("sink".into()),
        }
    }

    fn rec(v: &[&str], line: u64) -> (Vec<String>, u64) {
        (v.iter().map(|s| s.to_string()).collect(), line)
    }

    #[test]
    fn plain_blocks_every_length() -> Result<(), String> {
        // Lengths around the eight-byte words, with and without a final line break.
        for extra in 0..10 {
            let body = format!("ab,{}\r\nc,d", "x".repeat(extra));
            assert_eq!(
                records(&body, b',')?,
                vec![rec(&["ab", &"x".repeat(extra)], 1), rec(&["c", "d"], 2)]
            );
            let body = format!("{}\n\n;z\n", "y".repeat(extra));
            assert_eq!(
                records(&body, b';')?,
                vec![
                    rec(&[&"y".repeat(extra)], 1),
                    rec(&[""], 2),
                    rec(&["", "z"], 3)
                ]
            );
        }
        Ok(())
    }

    #[test]
    fn quoted_fields_and_their_lines() -> Result<(), String> {
        assert_eq!(
            records("a,\"b,c\",\"d \"\"q\"\"\"\n\"x\ny\",\"\"\r\nz,w", b',')?,
            vec![
                rec(&["a", "<b,c>", "<d \"q\">"], 1),
                rec(&["<x\ny>", "<>"], 2),
                rec(&["z", "w"], 4)
            ]
        );
        Ok(())
    }

    /// A file that ends in a lone `\r` (no `\n`): the last record loses it the same
    /// way whether or not the record holds a quote.
    #[test]
    fn a_final_carriage_return_ends_the_last_record() -> Result<(), String> {
        for body in ["a,b\n\"x\",y\r", "a,b\nx,y\r", "a,b\n\"x\",y\r\n"] {
            assert_eq!(
                records(body, b',')?,
                vec![
                    rec(&["a", "b"], 1),
                    rec(&[if body.contains('"') { "<x>" } else { "x" }, "y"], 2)
                ],
                "{body:?}"
            );
        }
        assert_eq!(records("\"x\",\r", b',')?, vec![rec(&["<x>", ""], 1)]);
        assert_eq!(records("\"x\",\r\r", b',')?, vec![rec(&["<x>", "\r"], 1)]);
        Ok(())
    }

    #[test]
    fn malformed_records_are_errors_at_their_line() {
        let e = |s: &str| records(s, b',').map(|_| ()).unwrap_err();
        assert!(e("a,b\n1,\"2\n3,4\n").starts_with("2: a quoted field is not closed"));
        assert!(e("a,b\n1,\"x\"y\n").starts_with("2: text after a closing quote"));
        assert!(e("a,b\n1,x\"y\"\n").starts_with("2: a quote inside an unquoted field"));
    }

    #[test]
    fn boundaries_skip_line_breaks_inside_quotes() {
        let s = b"a,b\nc,\"d\ne\"\nf,\"g\nh";
        assert_eq!(record_boundary(s), Some(12));
        assert_eq!(record_boundary(b"a,\"b\nc"), None);
        assert_eq!(record_boundary(b"abc"), None);
    }

    #[test]
    fn swar_mask_is_exact() {
        for b in 0u8..=255 {
            let w = u64::from_le_bytes([b, 0, 255, b',', 0x80, b'\n', 0x2c ^ 0x80, 1]);
            let m = eq_mask(w, LO * u64::from(b','));
            let expect: u64 = w
                .to_le_bytes()
                .iter()
                .enumerate()
                .filter(|(_, &x)| x == b',')
                .map(|(i, _)| 0x80u64 << (8 * i))
                .sum();
            assert_eq!(m, expect, "byte {b}");
        }
    }
}
