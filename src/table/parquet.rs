//! Parquet files, the columnar format of warehouse exports (BigQuery, Snowflake,
//! Athena, ClickHouse) and of polars and pandas, read and written with the `parquet`
//! crate's Arrow reader and writer.
//!
//! Reading decodes only the columns asked for (a projection: the other columns' bytes
//! are never decompressed), columns and row groups in parallel, each piece from its own
//! file handle; text that the writer dictionary-encoded stays dictionary-encoded when
//! it has few distinct values (see [`read_parquet`]). Parquet types map to the table's
//! column types as follows:
//!
//! | Parquet / Arrow type | column |
//! |---|---|
//! | INT8..INT64, UINT8..UINT32 | int |
//! | UINT64 | int (a value above 2^63 - 1 is an error naming the column) |
//! | FLOAT, DOUBLE, HALF | float (widened exactly) |
//! | DECIMAL(p, s) | float: the double nearest to the decimal value |
//! | BOOLEAN | bool |
//! | STRING / BYTE_ARRAY UTF8 (dictionary-encoded or not), ENUM | text |
//! | DATE | date |
//! | TIMESTAMP (seconds, milli-, micro- or nanoseconds; with or without a time zone) | datetime: the UTC instant, to the microsecond (nanoseconds are truncated toward the past) |
//! | a column of nothing but nulls | text, every cell missing |
//!
//! Anything else (lists, structs, maps, binary, times of day, durations) is an error
//! naming the column and its type. A damaged file (a truncated download most often) is
//! an error naming the file, never a panic.

use super::{Column, Table, TableError};
use ::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use ::parquet::arrow::{ArrowWriter, ProjectionMask};
use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float16Type, Float32Type, Int16Type, Int32Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The largest file [`read_parquet`] reads into memory at once (256 MiB); larger
/// files are read piece by piece.
const WHOLE_FILE_LIMIT: u64 = 256 << 20;

/// The first bytes of every Parquet file.
pub const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

/// True when the file at `path` starts as a Parquet file does (`PAR1`); false when it
/// cannot be read (the reader that opens it then says why).
pub fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == PARQUET_MAGIC
}

/// An open Parquet file: its metadata, read once, and the columns to decode. Row groups
/// are decoded one at a time ([`ParquetScan::read_group`], each from its own file
/// handle, so that several threads can decode different groups at once).
#[derive(Debug, Clone)]
pub struct ParquetScan {
    path: PathBuf,
    name: String,
    metadata: ArrowReaderMetadata,
    /// The columns to decode: their positions among the file's top-level columns and
    /// their names, in the order asked for.
    columns: Vec<(usize, String)>,
    /// The whole file, when it was read into memory at once (else each piece reads
    /// its own bytes from the file).
    bytes: Option<bytes::Bytes>,
}

impl ParquetScan {
    /// Opens `path` (named `name` in messages) to decode the top-level columns named in
    /// `columns`, in that order (`None`: every column, in the file's order). A name the
    /// file does not have is an error listing the columns it has.
    pub fn open(path: &Path, name: &str, columns: Option<&[String]>) -> Result<Self, TableError> {
        ParquetScan::open_coded(path, name, columns, &[])
    }

    /// [`ParquetScan::open`], decoding the text columns named in `coded` as codes into
    /// the row group's dictionary (each distinct text once, a 4-byte key a row) instead
    /// of one string a row: for columns with few values (event names, channels) that a
    /// caller only compares. A coded column's dictionary may hold a text twice (when
    /// the writer stopped dictionary-encoding partway through a row group), so it is
    /// for comparisons, not for grouping.
    pub fn open_coded(
        path: &Path,
        name: &str,
        columns: Option<&[String]>,
        coded: &[String],
    ) -> Result<Self, TableError> {
        ParquetScan::open_with(path, name, columns, |_, field| {
            coded.iter().any(|c| c == field)
        })
    }

    /// Opens `path` with the text columns chosen by `coded(metadata, column name)`
    /// decoded as dictionary codes.
    fn open_with(
        path: &Path,
        name: &str,
        columns: Option<&[String]>,
        coded: impl Fn(&ArrowReaderMetadata, &str) -> bool,
    ) -> Result<Self, TableError> {
        let file = std::fs::File::open(path).map_err(|e| TableError::Io {
            path: name.to_string(),
            reason: super::io_reason(&e),
        })?;
        let bad = |e: ::parquet::errors::ParquetError| not_parquet(name, &e.to_string());
        let inferred = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(bad)?;
        // Text is decoded straight into the table's own text layout (UTF-8 with 32-bit
        // offsets, or codes into a dictionary of those), whatever layout the writer
        // recorded (large, view or dictionary).
        let text_type = |field: &str| {
            if coded(&inferred, field) {
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
            } else {
                DataType::Utf8
            }
        };
        let fields: Vec<Field> = inferred
            .schema()
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    f.as_ref().clone().with_data_type(text_type(f.name()))
                }
                DataType::Dictionary(_, v)
                    if matches!(
                        **v,
                        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                    ) =>
                {
                    f.as_ref().clone().with_data_type(text_type(f.name()))
                }
                _ => f.as_ref().clone(),
            })
            .collect();
        let hinted: SchemaRef = Arc::new(Schema::new(fields));
        let metadata = ArrowReaderMetadata::try_new(
            inferred.metadata().clone(),
            ArrowReaderOptions::new().with_schema(hinted),
        )
        .map_err(bad)?;
        let names: Vec<String> = metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let columns = match columns {
            None => names.iter().cloned().enumerate().collect(),
            Some(asked) => asked
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .position(|n| n == c)
                        .map(|i| (i, c.clone()))
                        .ok_or_else(|| TableError::missing_column(name, c, &names))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(ParquetScan {
            path: path.to_path_buf(),
            name: name.to_string(),
            metadata,
            columns,
            bytes: None,
        })
    }

    /// Holds the whole file in memory at once (see [`super::file_bytes::read_copied`]) when
    /// the asked columns are most of it and it is not large (at most
    /// [`WHOLE_FILE_LIMIT`] bytes): instead of a read and a buffer per page, the pages
    /// are then decoded from memory without copying.
    fn read_whole_file_if_most_is_asked(&mut self) -> Result<(), TableError> {
        let size = std::fs::metadata(&self.path)
            .map(|m| m.len())
            .unwrap_or(u64::MAX);
        let all = 0..self.n_groups();
        let asked: i64 = (0..self.columns.len())
            .map(|c| self.piece_bytes(c, &all))
            .sum();
        if size <= WHOLE_FILE_LIMIT && u64::try_from(asked).unwrap_or(0) * 2 >= size {
            // Read in a few parts at once; the pages are then decoded from it without
            // copying.
            let bytes = super::file_bytes::read_copied(&self.path).map_err(|e| TableError::Io {
                path: self.name.clone(),
                reason: super::io_reason(&e),
            })?;
            self.bytes = Some(bytes::Bytes::from_owner(bytes));
        }
        Ok(())
    }

    /// The number of row groups.
    pub fn n_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// The number of rows of row group `group`.
    pub fn group_rows(&self, group: usize) -> u64 {
        u64::try_from(self.metadata.metadata().row_group(group).num_rows()).unwrap_or(0)
    }

    /// Decodes row group `group` (the asked columns only) into a table named after
    /// the file.
    pub fn read_group(&self, group: usize) -> Result<Table, TableError> {
        if self.group_rows(group) == 0 {
            // A row group without rows: empty columns of the right types.
            return self.empty_table();
        }
        let columns = (0..self.columns.len())
            .map(|c| {
                let piece = self.read_piece(c, group..group + 1)?;
                let name = &self.columns[c].1;
                Ok((name.clone(), to_column(&self.name, name, &piece)?))
            })
            .collect::<Result<Vec<_>, TableError>>()?;
        Table::new(&self.name, columns)
    }

    /// Decodes the asked column `c` (its position in the asked columns) of the row
    /// groups in `groups` as one Arrow array, from the file's bytes in memory or from
    /// its own file handle.
    fn read_piece(&self, c: usize, groups: Range<usize>) -> Result<ArrayRef, TableError> {
        match &self.bytes {
            Some(b) => self.read_piece_from(b.clone(), c, groups),
            None => {
                let file = std::fs::File::open(&self.path).map_err(|e| TableError::Io {
                    path: self.name.clone(),
                    reason: super::io_reason(&e),
                })?;
                self.read_piece_from(file, c, groups)
            }
        }
    }

    /// [`ParquetScan::read_piece`] from `input`: the file, or the file's bytes.
    fn read_piece_from<R: ::parquet::file::reader::ChunkReader + 'static>(
        &self,
        input: R,
        c: usize,
        groups: Range<usize>,
    ) -> Result<ArrayRef, TableError> {
        let bad = |e: &dyn std::fmt::Display| not_parquet(&self.name, &e.to_string());
        let (root, col) = &self.columns[c];
        let rows: u64 = groups.clone().map(|g| self.group_rows(g)).sum();
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [*root]);
        let reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(input, self.metadata.clone())
                .with_projection(mask)
                .with_row_groups(groups.collect())
                // The declared row count only sizes the batch: a damaged file that
                // declares too many rows cannot make it reserve more than this.
                .with_batch_size(usize::try_from(rows).unwrap_or(1).clamp(1, 1 << 24))
                .build()
                .map_err(|e| bad(&e))?;
        let mut parts: Vec<ArrayRef> = Vec::with_capacity(1);
        for batch in reader {
            let batch = batch.map_err(|e| bad(&e))?;
            parts.push(batch.columns().first().cloned().ok_or_else(|| {
                not_parquet(
                    &self.name,
                    &format!("column '{col}' is missing from a row group"),
                )
            })?);
        }
        match parts.len() {
            0 => Ok(arrow_array::new_empty_array(
                self.metadata.schema().fields()[*root].data_type(),
            )),
            1 => Ok(parts.swap_remove(0)),
            _ => {
                let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
                arrow_select::concat::concat(&refs).map_err(|e| bad(&e))
            }
        }
    }

    /// The decoded pieces of the asked column `c`, in file order, stacked into one
    /// column: dictionary-encoded when every piece is a dictionary of at most
    /// `DICT_LIMIT` texts (the dictionaries merged), else plain.
    fn read_column(&self, c: usize, pieces: &[ArrayRef]) -> Result<Column, TableError> {
        let col = &self.columns[c].1;
        let dictionaries = pieces.iter().all(|p| {
            p.as_dictionary_opt::<Int32Type>().is_some_and(|d| {
                d.values().len() <= super::csv_read::DICT_LIMIT && d.values().null_count() == 0
            })
        });
        if dictionaries && !pieces.is_empty() {
            return merge_dictionaries(pieces)
                .map_err(|e| TableError::Invalid(format!("{}: column '{col}': {e}", self.name)));
        }
        // Plain: the pieces in the table's layout (codes spelled out), then one copy.
        let plain = pieces
            .iter()
            .map(|p| match p.as_dictionary_opt::<Int32Type>() {
                Some(d) => arrow_select::take::take(d.values(), d.keys(), None)
                    .map_err(|e| not_parquet(&self.name, &e.to_string())),
                None => Ok(p.clone()),
            })
            .collect::<Result<Vec<ArrayRef>, TableError>>()?;
        let joined = match plain.as_slice() {
            [] => self.empty_column(c)?,
            [one] => one.clone(),
            _ => {
                let refs: Vec<&dyn Array> = plain.iter().map(|a| a.as_ref()).collect();
                arrow_select::concat::concat(&refs)
                    .map_err(|e| not_parquet(&self.name, &e.to_string()))?
            }
        };
        to_column(&self.name, col, &joined)
    }

    /// The compressed bytes of the asked column `c` in the row groups `groups`.
    fn piece_bytes(&self, c: usize, groups: &Range<usize>) -> i64 {
        let schema = self.metadata.parquet_schema();
        let leaves: Vec<usize> = (0..schema.num_columns())
            .filter(|&l| schema.get_column_root_idx(l) == self.columns[c].0)
            .collect();
        groups
            .clone()
            .map(|g| {
                let g = self.metadata.metadata().row_group(g);
                leaves
                    .iter()
                    .map(|&l| g.column(l).compressed_size())
                    .sum::<i64>()
            })
            .sum()
    }

    /// True when the asked column `c` is decoded as dictionary codes.
    fn is_coded(&self, c: usize) -> bool {
        matches!(
            self.metadata.schema().fields()[self.columns[c].0].data_type(),
            DataType::Dictionary(..)
        )
    }

    /// The row groups cut into about `n` runs of consecutive groups with about the same
    /// number of rows each (never an empty run; at most one run per group).
    fn runs(&self, n: usize) -> Vec<Range<usize>> {
        let groups = self.n_groups();
        let total: u64 = (0..groups).map(|g| self.group_rows(g)).sum();
        let n = n.clamp(1, groups.max(1)) as u64;
        let mut runs = Vec::new();
        let (mut start, mut rows) = (0, 0u64);
        for g in 0..groups {
            rows += self.group_rows(g);
            // Close the run once it reaches its share of the rows.
            if u128::from(rows) * u128::from(n) >= u128::from(total) * (runs.len() as u128 + 1)
                || g + 1 == groups
            {
                runs.push(start..g + 1);
                start = g + 1;
            }
        }
        runs
    }

    /// The asked column `c` with no rows, as the file declares it.
    fn empty_column(&self, c: usize) -> Result<ArrayRef, TableError> {
        let field = &self.metadata.schema().fields()[self.columns[c].0];
        Ok(arrow_array::new_empty_array(field.data_type()))
    }

    /// The asked columns with no rows, of the types the file declares.
    fn empty_table(&self) -> Result<Table, TableError> {
        let columns = self
            .columns
            .iter()
            .map(|(i, col)| {
                let field = &self.metadata.schema().fields()[*i];
                let empty = arrow_array::new_empty_array(field.data_type());
                Ok((col.clone(), to_column(&self.name, col, &empty)?))
            })
            .collect::<Result<_, TableError>>()?;
        Table::new(&self.name, columns)
    }
}

/// The error for a file that the Parquet reader cannot decode.
fn not_parquet(name: &str, reason: &str) -> TableError {
    if reason.contains("Disabled feature at compile time") {
        return TableError::Io {
            path: name.to_string(),
            reason: format!(
                "the file is compressed with a codec pacer does not read ({reason}); pacer reads snappy, zstd, gzip and uncompressed Parquet: rewrite it with one of them (polars: compression=\"snappy\")"
            ),
        };
    }
    TableError::Io {
        path: name.to_string(),
        reason: format!(
            "not a valid Parquet file ({reason}); check that the file is complete (a download or copy may have been cut short)"
        ),
    }
}

/// Reads the Parquet file at `path` (named `name` in messages): only the columns in
/// `columns`, in that order (`None`: all).
///
/// Every (column, row group) piece is decoded as its own task, the tasks spread over
/// the threads, and each column is then stacked once in file order. A text column
/// that the writer dictionary-encoded in every row group is decoded as codes into the
/// Parquet dictionaries (each distinct text decoded once); when no row group's
/// dictionary holds more than 4,096 texts (the CSV reader's limit for a chunk of rows), the dictionaries are merged into
/// one (each text once, in order of first appearance, only the texts some row uses)
/// and the column stays dictionary-encoded, as the CSV reader keeps columns with few
/// distinct values; otherwise the codes are spelled out as plain text.
pub fn read_parquet(
    path: &Path,
    name: &str,
    columns: Option<&[String]>,
) -> Result<Table, TableError> {
    let mut scan = ParquetScan::open_with(path, name, columns, dictionary_everywhere)?;
    scan.read_whole_file_if_most_is_asked()?;
    let n_groups = scan.n_groups();
    if n_groups == 0 {
        // No row group at all: the columns, empty.
        return scan.empty_table();
    }
    // The pieces to decode: a coded text column one row group at a time (each group
    // has its own dictionary); any other column in as few runs of groups as keep every
    // thread busy, since stacking runs costs a copy.
    let threads = rayon::current_num_threads().max(1);
    let plain = (0..scan.columns.len())
        .filter(|&c| !scan.is_coded(c))
        .count();
    let per_column = threads.div_ceil(plain.max(1));
    let mut tasks: Vec<(usize, Range<usize>)> = Vec::new();
    for c in 0..scan.columns.len() {
        if scan.is_coded(c) {
            tasks.extend((0..n_groups).map(|g| (c, g..g + 1)));
        } else {
            tasks.extend(scan.runs(per_column).into_iter().map(|r| (c, r)));
        }
    }
    // Each thread takes the next piece in this order (as list scheduling does, so the
    // biggest go first and the last to finish are short): the other columns' runs by
    // their compressed bytes, then the coded text columns one column after another
    // (biggest first), so that each one's merge, done by the thread that decodes its
    // last piece, overlaps the decoding of the next. The first error stops the rest.
    let all = 0..n_groups;
    tasks.sort_by_cached_key(|(c, r)| {
        if scan.is_coded(*c) {
            (
                1,
                std::cmp::Reverse(scan.piece_bytes(*c, &all)),
                *c,
                r.start,
            )
        } else {
            (0, std::cmp::Reverse(scan.piece_bytes(*c, r)), *c, r.start)
        }
    });
    let slots: Vec<Mutex<ColumnSlot>> = (0..scan.columns.len())
        .map(|c| {
            Mutex::new(ColumnSlot {
                left: tasks.iter().filter(|(t, _)| *t == c).count(),
                pieces: Vec::new(),
                done: None,
            })
        })
        .collect();
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<TableError>> = Mutex::new(None);
    let work = || {
        while let Some((c, r)) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Err(e) = decode_piece(&scan, &slots[*c], *c, r) {
                locked(&failed).get_or_insert(e);
                next.store(tasks.len(), Ordering::Relaxed);
            }
        }
    };
    rayon::scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| work());
        }
    });
    if let Some(e) = locked(&failed).take() {
        return Err(e);
    }
    let mut columns = Vec::with_capacity(scan.columns.len());
    for (c, slot) in slots.into_iter().enumerate() {
        let column = match locked(&slot).done.take() {
            Some(column) => column,
            // A column with no piece (no row group has rows).
            None => scan.read_column(c, &[])?,
        };
        columns.push((scan.columns[c].1.clone(), column));
    }
    Table::new(name, columns)
}

/// One column being decoded by [`read_parquet`]'s threads: its pieces still to come,
/// those decoded, and the column once its last piece is in.
struct ColumnSlot {
    left: usize,
    pieces: Vec<(usize, ArrayRef)>,
    done: Option<Column>,
}

/// Decodes the piece `groups` of the asked column `c` into its slot; the thread that
/// decodes a column's last piece stacks the column there at once.
fn decode_piece(
    scan: &ParquetScan,
    slot: &Mutex<ColumnSlot>,
    c: usize,
    groups: &Range<usize>,
) -> Result<(), TableError> {
    let piece = scan.read_piece(c, groups.clone())?;
    let mut pieces = {
        let mut slot = locked(slot);
        slot.pieces.push((groups.start, piece));
        slot.left -= 1;
        if slot.left > 0 {
            return Ok(());
        }
        std::mem::take(&mut slot.pieces)
    };
    pieces.sort_by_key(|(start, _)| *start);
    let arrays: Vec<ArrayRef> = pieces.into_iter().map(|(_, a)| a).collect();
    let column = scan.read_column(c, &arrays)?;
    locked(slot).done = Some(column);
    Ok(())
}

/// The value behind `m`, also when a thread panicked while holding it (the values
/// guarded here stay whole: each update is one assignment or push).
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// True when the text column `field` has a dictionary page in every row group (the
/// writer dictionary-encoded it): then decoding its codes is cheaper than its texts.
fn dictionary_everywhere(metadata: &ArrowReaderMetadata, field: &str) -> bool {
    let Some(root) = metadata
        .schema()
        .fields()
        .iter()
        .position(|f| f.name() == field)
    else {
        return false;
    };
    let schema = metadata.parquet_schema();
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&l| schema.get_column_root_idx(l) == root)
        .collect();
    let [leaf] = leaves.as_slice() else {
        return false;
    };
    let groups = metadata.metadata().row_groups();
    !groups.is_empty()
        && groups
            .iter()
            .all(|g| g.column(*leaf).dictionary_page_offset().is_some())
}

/// Dictionary-encoded pieces of one text column stacked into one dictionary-encoded
/// column: each text once, in order of first appearance, and only the texts some row
/// uses (a missing cell uses none).
pub(super) fn merge_dictionaries(pieces: &[ArrayRef]) -> Result<Column, String> {
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let mut merged = Merged::default();
    let mut keys: Vec<i32> = Vec::with_capacity(total);
    let any_nulls = pieces.iter().any(|p| p.null_count() > 0);
    let mut valid = BooleanBufferBuilder::new(if any_nulls { total } else { 0 });
    for p in pieces {
        let Some(d) = p.as_dictionary_opt::<Int32Type>() else {
            return Err("a row group's text is not dictionary-encoded".into());
        };
        let values = d.values().as_string::<i32>();
        let nulls = d.keys().nulls().filter(|n| n.null_count() > 0);
        let known: Option<Vec<i32>> = values
            .iter()
            .map(|v| v.and_then(|v| merged.codes.get(v).copied()))
            .collect();
        if let Some(known) = known {
            // Every text of this piece is already in the merged dictionary (which
            // holds used texts only): its keys are translated without tracking first
            // use, or copied when the two dictionaries agree (row groups written alike
            // often have the same dictionary). A key out of range becomes -1, which
            // the column refuses unless the cell is missing.
            if known.iter().enumerate().all(|(i, &m)| m == i as i32) {
                keys.extend_from_slice(d.keys().values());
            } else {
                keys.extend(
                    d.keys()
                        .values()
                        .iter()
                        .map(|&k| known.get(k as usize).copied().unwrap_or(-1)),
                );
            }
            match nulls {
                Some(n) => valid.append_buffer(n.inner()),
                None if any_nulls => valid.append_n(p.len(), true),
                None => {}
            }
            continue;
        }
        // This piece's codes into the merged dictionary, given on first use (-1: not
        // used yet).
        let mut remap: Vec<i32> = vec![-1; values.len()];
        let mut code = |k: i32| -> Result<i32, String> {
            match remap.get(k as usize) {
                Some(&m) if m >= 0 => Ok(m),
                Some(_) => {
                    let m = merged.code(values.value(k as usize))?;
                    remap[k as usize] = m;
                    Ok(m)
                }
                None => Err("a dictionary key is out of range".into()),
            }
        };
        match nulls {
            None => {
                for &k in d.keys().values() {
                    keys.push(code(k)?);
                }
                if any_nulls {
                    valid.append_n(p.len(), true);
                }
            }
            Some(n) => {
                for (&k, ok) in d.keys().values().iter().zip(n.iter()) {
                    keys.push(if ok { code(k)? } else { 0 });
                }
                valid.append_buffer(n.inner());
            }
        }
    }
    let values = StringArray::try_new(
        OffsetBuffer::new(ScalarBuffer::from(merged.offsets)),
        merged.bytes.into(),
        None,
    )
    .map_err(|e| e.to_string())?;
    let nulls = any_nulls.then(|| NullBuffer::new(valid.finish()));
    Column::dictionary(Int32Array::new(ScalarBuffer::from(keys), nulls), values)
}

/// The merged dictionary being built: each distinct text once, as UTF-8 bytes and
/// offsets, and the code of each text.
struct Merged<'a> {
    codes: HashMap<&'a str, i32, super::hash::FxBuild>,
    bytes: Vec<u8>,
    offsets: Vec<i32>,
}

impl Default for Merged<'_> {
    fn default() -> Self {
        Merged {
            codes: HashMap::default(),
            bytes: Vec::new(),
            offsets: vec![0],
        }
    }
}

impl<'a> Merged<'a> {
    /// The code of `text`, added at the end when new.
    #[cold]
    fn code(&mut self, text: &'a str) -> Result<i32, String> {
        if let Some(&m) = self.codes.get(text) {
            return Ok(m);
        }
        self.bytes.extend_from_slice(text.as_bytes());
        let end = i32::try_from(self.bytes.len())
            .map_err(|_| "the column's distinct texts exceed 2 GB")?;
        self.offsets.push(end);
        let m = (self.offsets.len() - 2) as i32;
        self.codes.insert(text, m);
        Ok(m)
    }
}

/// The table as a Parquet file: snappy-compressed, one row group per million rows,
/// text dictionary-encoded by the writer where it pays; the column types are kept
/// (int as INT64, float as DOUBLE, dates as DATE, date-times as TIMESTAMP in
/// microseconds, text as UTF-8 strings).
pub fn to_parquet_bytes(table: &Table) -> Result<Vec<u8>, TableError> {
    let bad = |e: &dyn std::fmt::Display| {
        TableError::Invalid(format!("{}: cannot write Parquet: {e}", table.source()))
    };
    let mut fields = Vec::with_capacity(table.names().len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.names().len());
    for name in table.names() {
        let a = table.column(name)?.to_arrow();
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| bad(&e))?;
    let props = ::parquet::file::properties::WriterProperties::builder()
        .set_compression(::parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| bad(&e))?;
    writer.write(&batch).map_err(|e| bad(&e))?;
    writer.close().map_err(|e| bad(&e))?;
    Ok(out)
}

/// One decoded Arrow array as a column, by the table in the module documentation.
fn to_column(file: &str, name: &str, a: &ArrayRef) -> Result<Column, TableError> {
    let unsupported = |why: &str| {
        TableError::Invalid(format!(
            "{file}: column '{name}' has the Parquet type {}, which pacer does not read{why}; leave it out with #{{ columns: [...] }} or convert it in the export",
            a.data_type()
        ))
    };
    let ints = |v: arrow_array::Int64Array| -> ArrayRef { Arc::new(v) };
    let floats = |v: arrow_array::Float64Array| -> ArrayRef { Arc::new(v) };
    let micros = |v: arrow_array::TimestampMicrosecondArray| -> ArrayRef { Arc::new(v) };
    let out: ArrayRef = match a.data_type() {
        DataType::Int64
        | DataType::Float64
        | DataType::Boolean
        | DataType::Utf8
        | DataType::Date32 => a.clone(),
        DataType::Int8 => ints(a.as_primitive::<Int8Type>().unary(i64::from)),
        DataType::Int16 => ints(a.as_primitive::<Int16Type>().unary(i64::from)),
        DataType::Int32 => ints(a.as_primitive::<Int32Type>().unary(i64::from)),
        DataType::UInt8 => ints(a.as_primitive::<UInt8Type>().unary(i64::from)),
        DataType::UInt16 => ints(a.as_primitive::<UInt16Type>().unary(i64::from)),
        DataType::UInt32 => ints(a.as_primitive::<UInt32Type>().unary(i64::from)),
        DataType::UInt64 => {
            let u = a.as_primitive::<UInt64Type>();
            ints(u.try_unary(|v| i64::try_from(v).map_err(|e| arrow_schema::ArrowError::ComputeError(e.to_string()))).map_err(|_| {
                let (row, big) = u
                    .iter()
                    .enumerate()
                    .find_map(|(r, v)| v.filter(|v| *v > i64::MAX as u64).map(|v| (r, v)))
                    .unwrap_or((0, 0));
                TableError::Invalid(format!(
                    "{file}: column '{name}' (UINT64), row {}: {big} is above the largest integer pacer holds (9223372036854775807)",
                    row + 1
                ))
            })?)
        }
        DataType::Float32 => floats(a.as_primitive::<Float32Type>().unary(f64::from)),
        DataType::Float16 => floats(a.as_primitive::<Float16Type>().unary(f64::from)),
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => floats(decimals(a, *s)),
        DataType::Date64 => Arc::new(
            a.as_primitive::<Date64Type>()
                .unary::<_, Date32Type>(|ms| ms.div_euclid(86_400_000) as i32),
        ),
        DataType::Timestamp(unit, _) => {
            let overflow = |_| {
                TableError::Invalid(format!(
                    "{file}: column '{name}': a timestamp is outside the years pacer holds (about 290,000 years around 1970)"
                ))
            };
            let scale = |v: i64, k: i64| {
                v.checked_mul(k)
                    .ok_or(arrow_schema::ArrowError::ComputeError(String::new()))
            };
            match unit {
                TimeUnit::Second => micros(
                    a.as_primitive::<TimestampSecondType>()
                        .try_unary(|s| scale(s, 1_000_000))
                        .map_err(overflow)?,
                ),
                TimeUnit::Millisecond => micros(
                    a.as_primitive::<TimestampMillisecondType>()
                        .try_unary(|ms| scale(ms, 1000))
                        .map_err(overflow)?,
                ),
                TimeUnit::Microsecond => {
                    micros(a.as_primitive::<TimestampMicrosecondType>().unary(|us| us))
                }
                TimeUnit::Nanosecond => micros(
                    a.as_primitive::<TimestampNanosecondType>()
                        .unary(|ns| ns.div_euclid(1000)),
                ),
            }
        }
        DataType::LargeUtf8 | DataType::Utf8View => Arc::new(a.as_string_opt::<i64>().map_or_else(
            || a.as_string_view().iter().collect::<StringArray>(),
            |l| l.iter().collect::<StringArray>(),
        )),
        DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => a.clone(),
        DataType::Dictionary(_, v)
            if matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            let d = a.as_any_dictionary();
            let values = to_column(file, name, d.values())?;
            let keys = d.normalized_keys();
            let texts: Vec<Option<String>> = (0..a.len())
                .map(|r| {
                    if a.is_null(r) {
                        None
                    } else {
                        values.str_at(keys[r]).map(str::to_string)
                    }
                })
                .collect();
            return Ok(Column::text(texts));
        }
        DataType::Null => Arc::new(StringArray::new_null(a.len())),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => {
            return Err(unsupported(" (bytes that are not UTF-8 text)"))
        }
        _ => return Err(unsupported("")),
    };
    Column::from_arrow(&out)
        .map_err(|e| TableError::Invalid(format!("{file}: column '{name}': {e}")))
}

/// A decimal column as the doubles nearest to its values (each decimal's digits parsed
/// as a number, so rounding happens once).
fn decimals(a: &ArrayRef, scale: i8) -> arrow_array::Float64Array {
    let text = |digits: String| -> f64 {
        format!("{digits}e{}", -i32::from(scale))
            .parse()
            .unwrap_or(f64::NAN)
    };
    use arrow_array::types::{Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type};
    match a.data_type() {
        DataType::Decimal32(..) => a
            .as_primitive::<Decimal32Type>()
            .iter()
            .map(|v| v.map(|v| text(v.to_string())))
            .collect(),
        DataType::Decimal64(..) => a
            .as_primitive::<Decimal64Type>()
            .iter()
            .map(|v| v.map(|v| text(v.to_string())))
            .collect(),
        DataType::Decimal128(..) => a
            .as_primitive::<Decimal128Type>()
            .iter()
            .map(|v| v.map(|v| text(v.to_string())))
            .collect(),
        _ => a
            .as_primitive::<Decimal256Type>()
            .iter()
            .map(|v| v.map(|v| text(v.to_string())))
            .collect(),
    }
}
