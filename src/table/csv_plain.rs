//! The fast path for CSV text without quote characters: each field is a slice of the
//! file itself, so a chunk is validated as UTF-8 once and split by one `memchr3` scan
//! into per-column spans, without copying any cell.
//!
//! It accepts only what it can split exactly as the `csv` crate would: lines ended by
//! `\n` or `\r\n` (a lone `\r` is a record terminator for `csv`, so it is left to the
//! full parser), blank lines skipped, every record with as many fields as the header.
//! Anything else (invalid UTF-8, a ragged row, a lone `\r`) returns `None` and the
//! caller parses the chunk with the `csv` crate, which reports the error with its line.

/// One column of one chunk: each cell is `text[start..end]`.
pub(super) struct SpanColumn<'a> {
    text: &'a str,
    spans: Vec<(u32, u32)>,
}

impl SpanColumn<'_> {
    /// The number of cells.
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Every cell's text in order, `None` when empty.
    pub(super) fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.spans.iter().map(|&(start, end)| {
            if end > start {
                self.text.get(start as usize..end as usize)
            } else {
                None
            }
        })
    }

    /// The cell's text, `None` when empty.
    pub(super) fn get(&self, row: usize) -> Option<&str> {
        let &(start, end) = self.spans.get(row)?;
        if end > start {
            self.text.get(start as usize..end as usize)
        } else {
            None
        }
    }
}

/// True when `delimiter` can be split on without the full parser: an ASCII byte (so
/// every span falls on character boundaries) that is neither a quote nor a line break.
pub(super) fn plain_delimiter(delimiter: u8) -> bool {
    delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r')
}

/// Each record's line in the file, stored only when some record is not on the line
/// after the previous one (blank lines, or quoted fields spanning lines).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RecordLines {
    first: u64,
    rows: usize,
    /// `None` while record `i` is on line `first + i`.
    explicit: Option<Vec<u64>>,
}

impl RecordLines {
    /// No records yet; the first is expected on line `first`.
    pub(super) fn new(first: u64) -> Self {
        RecordLines {
            first,
            rows: 0,
            explicit: None,
        }
    }

    /// Adds the next record, on line `line`.
    pub(super) fn push(&mut self, line: u64) {
        match &mut self.explicit {
            Some(lines) => lines.push(line),
            None if line != self.first + self.rows as u64 => {
                let mut lines: Vec<u64> = (0..self.rows as u64).map(|i| self.first + i).collect();
                lines.push(line);
                self.explicit = Some(lines);
            }
            None => {}
        }
        self.rows += 1;
    }

    /// The number of records.
    pub(super) fn len(&self) -> usize {
        self.rows
    }

    /// The line of record `row`.
    pub(super) fn get(&self, row: usize) -> Option<u64> {
        match &self.explicit {
            _ if row >= self.rows => None,
            None => Some(self.first + row as u64),
            Some(lines) => lines.get(row).copied(),
        }
    }

    /// True when record `i` is on line `first + i` for every `i`.
    pub(super) fn consecutive_from(&self, first: u64) -> bool {
        self.rows == 0 || (self.explicit.is_none() && self.first == first)
    }

    /// Every record's line.
    pub(super) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.rows).filter_map(|r| self.get(r))
    }
}

/// The split records of one chunk: its columns, and each record's line in the file.
pub(super) type Split<'a> = (Vec<SpanColumn<'a>>, RecordLines);

/// Splits a chunk of whole lines holding no quote character, whose first line in the
/// file is `first_line`; `None` when the chunk needs the full parser (see the module
/// documentation). `delimiter` must pass [`plain_delimiter`]; `breaks`, the chunk's
/// number of `\n` when known, sizes the columns.
pub(super) fn split_plain(
    chunk: &[u8],
    first_line: u64,
    ncols: usize,
    delimiter: u8,
    breaks: Option<usize>,
) -> Option<Split<'_>> {
    if ncols == 0 || u32::try_from(chunk.len()).is_err() || !plain_delimiter(delimiter) {
        return None;
    }
    let text = std::str::from_utf8(chunk).ok()?;
    let rows = breaks.unwrap_or_else(|| memchr::memchr_iter(b'\n', chunk).count()) + 1;
    let mut spans: Vec<Vec<(u32, u32)>> = (0..ncols).map(|_| Vec::with_capacity(rows)).collect();
    // A chunk without `\r` (the usual `\n` file) is scanned for two bytes, not three.
    let lines = if memchr::memchr(b'\r', chunk).is_none() {
        split_at(
            chunk,
            memchr::memchr2_iter(delimiter, b'\n', chunk),
            &mut spans,
            first_line,
        )?
    } else {
        split_at(
            chunk,
            memchr::memchr3_iter(delimiter, b'\n', b'\r', chunk),
            &mut spans,
            first_line,
        )?
    };
    let columns = spans
        .into_iter()
        .map(|spans| SpanColumn { text, spans })
        .collect();
    Some((columns, lines))
}

/// Splits `chunk` at `hits`, the positions of its delimiters and line breaks (and `\r`
/// when it has any), into `spans`; the records' lines, or `None` as for [`split_plain`].
fn split_at(
    chunk: &[u8],
    hits: impl Iterator<Item = usize>,
    spans: &mut [Vec<(u32, u32)>],
    first_line: u64,
) -> Option<RecordLines> {
    let mut lines = RecordLines::new(first_line);
    let mut line = first_line;
    let mut row_start = 0usize;
    let mut field_start = 0usize;
    let mut field = 0usize;
    // Ends the record at `end` (the line break excluded); false when it is ragged.
    let ncols = spans.len();
    let mut end_record = |spans: &mut [Vec<(u32, u32)>],
                          field: usize,
                          field_start: usize,
                          row_start: usize,
                          end: usize,
                          line: u64|
     -> bool {
        if field == 0 && end == row_start {
            return true; // a blank line: skipped, as the csv crate does
        }
        if field + 1 != ncols {
            return false;
        }
        spans[field].push((field_start as u32, end as u32));
        lines.push(line);
        true
    };
    for pos in hits {
        match chunk[pos] {
            b'\r' => {
                if chunk.get(pos + 1) != Some(&b'\n') {
                    return None;
                }
            }
            b'\n' => {
                let end = if pos > 0 && chunk[pos - 1] == b'\r' {
                    pos - 1
                } else {
                    pos
                };
                if !end_record(spans, field, field_start, row_start, end, line) {
                    return None;
                }
                line += 1;
                row_start = pos + 1;
                field_start = pos + 1;
                field = 0;
            }
            _ => {
                if field + 1 >= ncols {
                    return None;
                }
                spans[field].push((field_start as u32, pos as u32));
                field += 1;
                field_start = pos + 1;
            }
        }
    }
    if row_start < chunk.len()
        && !end_record(spans, field, field_start, row_start, chunk.len(), line)
    {
        return None;
    }
    Some(lines)
}
