//! A streaming CSV reader for event exports that reads only the columns a funnel
//! needs and keeps only the rows whose event is a funnel step.
//!
//! The file is read in blocks of [`BLOCK`] bytes that end on a record boundary: the
//! last newline of the block outside quotes, found from the parity of the quote
//! characters before it (each block starts on a boundary, so the parity is known).
//! A reader thread fills the blocks while rayon parses the previous batch in
//! parallel. Records are cut by the same strict tokenizer as `load_csv`
//! (`table::csv_tokenize`), so both read a file the same way: a stray quote is an error
//! naming the line. Empty lines are skipped; every other record must have as many
//! fields as the header. A gzip file (recognised by its content) is decoded by the
//! reader thread as it goes (`table::source::open_text`), so it is never whole in memory.

use super::collect::{code_of, Batch, Collector};
use super::error::{missing_column, EventsError};
use super::time::parse_time;
use crate::table::csv_tokenize::{
    parse_quoted, record_boundary, tokenize, BlockError, Field, RecordSink,
};
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
/// `steps` are the event names to keep, by code (see `collect::code_of`).
pub fn scan_file(
    path: &Path,
    name: &str,
    cols: &Columns,
    steps: &[String],
    deadline: Option<Instant>,
) -> Result<Collector, EventsError> {
    scan_file_in_blocks(path, name, cols, steps, deadline, BLOCK)
}

/// [`scan_file`] with blocks of `block` bytes (tests use tiny blocks to exercise
/// the boundaries).
pub fn scan_file_in_blocks(
    path: &Path,
    name: &str,
    cols: &Columns,
    steps: &[String],
    deadline: Option<Instant>,
    block_size: usize,
) -> Result<Collector, EventsError> {
    let block_size = block_size.max(1);
    let io = |e: std::io::Error| EventsError::Io {
        file: name.to_string(),
        reason: crate::table::io_reason(&e),
    };
    // A gzip export is decoded as it is read, by the reader thread: never whole in memory.
    let (mut file, _) = crate::table::source::open_text(path).map_err(io)?;
    let mut buf = Vec::with_capacity(block_size + (64 << 10));
    let mut eof = fill(&mut file, &mut buf, block_size).map_err(io)?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    // The header: grow the buffer until it holds the whole first record.
    let (header, header_end, header_lines) = loop {
        let mut unq = Vec::new();
        let mut bounds = Vec::new();
        match parse_quoted(&buf, 0, b',', &mut unq, &mut bounds) {
            Ok((end, nl)) if end < buf.len() || eof => {
                let names: Vec<String> = bounds
                    .iter()
                    .map(|f| {
                        String::from_utf8_lossy(&unq[f.start..f.end])
                            .trim()
                            .to_string()
                    })
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
                let want = buf.len() + block_size;
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
    let carry = buf.split_off(header_end);
    drop(buf);
    let per_batch = 2 * rayon::current_num_threads().max(1);
    // A reader thread fills blocks while the pool parses the previous batch; used
    // buffers come back through `pool` so that memory stays at a few batches.
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(per_batch);
    let (pool_tx, pool_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || read_blocks(file, carry, eof, block_size, &tx, &pool_rx));
        // Owned here, so that an early return (an error, the time limit) drops the
        // receiver and the reader's next send fails instead of blocking the scope.
        let rx = rx;
        let mut collector = Collector::default();
        let mut base_rows = 0u64;
        let mut base_line = header_lines;
        let mut open = true;
        while open {
            let mut blocks: Vec<Vec<u8>> = Vec::with_capacity(per_batch);
            while blocks.len() < per_batch {
                match rx.recv() {
                    Ok(block) => blocks.push(block.map_err(io)?),
                    Err(_) => {
                        open = false;
                        break;
                    }
                }
            }
            let outs: Vec<BlockOut> = blocks
                .par_iter()
                .map(|b| parse_block(b, &layout, &steps))
                .collect();
            for b in blocks {
                let _ = pool_tx.send(b);
            }
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
            collector.absorb(batches)?;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(EventsError::Timeout { rows: base_rows });
            }
        }
        Ok(collector)
    })
}

/// The reader thread: sends record-aligned blocks of about `block_size` bytes until
/// the end of the file, an error, or the receiver hanging up.
fn read_blocks(
    mut file: Box<dyn Read + Send>,
    mut carry: Vec<u8>,
    mut eof: bool,
    block_size: usize,
    tx: &std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>,
    pool: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let mut done = carry.is_empty() && eof;
    while !done {
        let mut block = pool
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(block_size + (64 << 10)));
        block.clear();
        block.append(&mut carry);
        let mut want = block_size;
        loop {
            if !eof && block.len() < want {
                match fill(&mut file, &mut block, want) {
                    Ok(e) => eof = e,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            if eof {
                done = true;
                break;
            }
            match record_boundary(&block) {
                Some(cut) => {
                    carry.extend_from_slice(&block[cut..]);
                    block.truncate(cut);
                    break;
                }
                None => want = block.len() + block_size,
            }
        }
        if !block.is_empty() && tx.send(Ok(block)).is_err() {
            return;
        }
    }
}

/// Reads until `buf` holds `want` bytes or the file ends; true at the end of the file.
fn fill(file: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let need = (want - buf.len()) as u64;
        let got = (&mut *file).take(need).read_to_end(buf)?;
        if got == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Turns records into funnel-step events.
struct Sink<'a> {
    layout: &'a Layout,
    steps: &'a [&'a [u8]],
    batch: Batch,
    key: Vec<u8>,
}

impl Sink<'_> {
    /// The step whose event name is `event`.
    #[inline]
    fn step_of(&self, event: &[u8]) -> Option<usize> {
        code_of(self.steps, event)
    }

    /// Handles one record (`bounds` index into `base`); `line` is the record's line
    /// within the block (1-based) for errors.
    #[inline]
    fn on_record(&mut self, base: &[u8], bounds: &[Field], line: u64) -> Result<(), LocalError> {
        let layout = self.layout;
        if bounds.len() != layout.n_fields {
            let reason = format!(
                "this row has {} fields but the header has {}",
                bounds.len(),
                layout.n_fields
            );
            return Err(LocalError::Csv { line, reason });
        }
        let field = |i: usize| &base[bounds[i].start..bounds[i].end];
        if let Some(step) = self.step_of(field(layout.event)) {
            let cell = field(layout.time);
            let Some(t) = parse_time(cell) else {
                let text = String::from_utf8_lossy(cell).into_owned();
                let row = self.batch.rows;
                return Err(LocalError::Time { row, line, text });
            };
            self.key.clear();
            for (i, &b) in layout.by.iter().enumerate() {
                if i > 0 {
                    self.key.push(0);
                }
                self.key.extend_from_slice(field(b));
            }
            self.batch.step_rows += 1;
            self.batch
                .push(field(layout.user), &self.key, step as u8, t);
        }
        self.batch.rows += 1;
        Ok(())
    }
}

fn parse_block(block: &[u8], layout: &Layout, steps: &[&[u8]]) -> BlockOut {
    let mut sink = Sink {
        layout,
        steps,
        // About one funnel-step row per 64 bytes of input.
        batch: Batch::with_capacity(block.len() / 64),
        key: Vec::new(),
    };
    let result = match tokenize(block, b',', &mut sink) {
        Ok(lines) => Ok(lines),
        Err(BlockError::Syntax { line, reason }) => Err(LocalError::Csv { line, reason }),
        Err(BlockError::Sink(e)) => Err(e),
    };
    let (lines, error) = match result {
        Ok(lines) => (lines, None),
        Err(e) => (0, Some(e)),
    };
    BlockOut {
        batch: sink.batch,
        lines,
        error,
    }
}

impl RecordSink for Sink<'_> {
    type Error = LocalError;

    #[inline]
    fn record(&mut self, base: &[u8], fields: &[Field], line: u64) -> Result<(), LocalError> {
        // A blank line is no record.
        if fields.len() == 1 && fields[0].start == fields[0].end && !fields[0].quoted {
            return Ok(());
        }
        self.on_record(base, fields, line)
    }
}
