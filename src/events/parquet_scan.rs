//! A Parquet event export, streamed row group by row group: only the user, event,
//! time and breakdown columns are decoded (the other columns' bytes are never
//! decompressed), a few row groups at a time in parallel, each turned into the same
//! [`Batch`]es as the CSV scan and absorbed in file order. Memory holds the row groups
//! being decoded, not the file.

use super::collect::{Batch, Collector};
use super::csv_scan::Columns;
use super::error::EventsError;
use super::observed::collect_batches;
use crate::table::parquet::ParquetScan;
use rayon::prelude::*;
use std::path::Path;

/// Reads the events named in `names` (see `collect::code_of`) of the Parquet file at
/// `path` (named `name` in messages), decoding only the columns `cols` names.
pub fn scan_parquet(
    path: &Path,
    name: &str,
    cols: &Columns,
    names: &[String],
    deadline: Option<std::time::Instant>,
) -> Result<Collector, EventsError> {
    let mut wanted: Vec<String> = Vec::new();
    for c in [cols.user, cols.event, cols.time]
        .into_iter()
        .chain(cols.by.iter().map(String::as_str))
    {
        if !wanted.iter().any(|w| w == c) {
            wanted.push(c.to_string());
        }
    }
    // Event names and breakdown values are few: decoded as dictionaries.
    let mut coded = vec![cols.event.to_string()];
    coded.extend(cols.by.iter().filter(|b| b.as_str() != cols.user).cloned());
    let scan = ParquetScan::open_coded(path, name, Some(&wanted), &coded)?;
    // The first data row of each group, for messages.
    let mut starts = Vec::with_capacity(scan.n_groups());
    let mut at = 0u64;
    for g in 0..scan.n_groups() {
        starts.push(at);
        at += scan.group_rows(g);
    }
    let per_batch = rayon::current_num_threads().max(1);
    let groups: Vec<usize> = (0..scan.n_groups()).collect();
    let mut collector = Collector::default();
    for chunk in groups.chunks(per_batch) {
        let batches = chunk
            .par_iter()
            .map(|&g| -> Result<Vec<Batch>, EventsError> {
                let table = scan.read_group(g)?;
                collect_batches(&table, cols, names, Some(starts[g]))
            })
            .collect::<Result<Vec<Vec<Batch>>, EventsError>>()?;
        collector.absorb(batches.into_iter().flatten().collect())?;
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Err(EventsError::Timeout {
                rows: collector.rows,
            });
        }
    }
    Ok(collector)
}
