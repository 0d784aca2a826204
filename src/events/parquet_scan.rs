//! A Parquet event export, streamed row group by row group: only the user, event,
//! time and breakdown columns are decoded (the other columns' bytes are never
//! decompressed), a few row groups at a time in parallel, each turned into the same
//! [`Batch`]es as the CSV scan and absorbed in file order. Memory holds the row groups
//! being decoded, not the file.

use super::collect::{Batch, Collector};
use super::error::EventsError;
use super::observed::{bad_time, fill_batch, FillError, FunnelSpec};
use crate::table::parquet::ParquetScan;
use rayon::prelude::*;
use std::path::Path;

/// Reads the funnel-step events of the Parquet file at `path` (named `name` in
/// messages).
pub fn scan_parquet(path: &Path, name: &str, spec: &FunnelSpec) -> Result<Collector, EventsError> {
    let mut wanted: Vec<String> = Vec::new();
    for c in [&spec.user, &spec.event, &spec.time]
        .into_iter()
        .chain(&spec.by)
    {
        if !wanted.contains(c) {
            wanted.push(c.clone());
        }
    }
    // Event names and breakdown values are few: decoded as codes, compared once per
    // distinct value.
    let mut coded = vec![spec.event.clone()];
    coded.extend(spec.by.iter().filter(|b| **b != spec.user).cloned());
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
                let mut done = Vec::new();
                let mut batch = Batch::with_capacity(table.n_rows() / 2);
                fill_batch(&table, spec, &mut batch, &mut |b| {
                    done.push(std::mem::take(b));
                    Ok(())
                })
                .map_err(|e| match e {
                    FillError::Time(row) => {
                        let data_row = starts[g] + row as u64 + 1;
                        bad_time(&table, spec, row, data_row, data_row)
                    }
                    FillError::Other(e) => e,
                })?;
                done.push(batch);
                Ok(done)
            })
            .collect::<Result<Vec<Vec<Batch>>, EventsError>>()?;
        collector.absorb(batches.into_iter().flatten().collect())?;
        if spec
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            return Err(EventsError::Timeout {
                rows: collector.rows,
            });
        }
    }
    Ok(collector)
}
