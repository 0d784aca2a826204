//! Baseline for docs/performance.md: the time the `csv` crate takes just to
//! read every record of a file (no parsing of fields, no computation), the way
//! xsv reads (`csv::ByteRecord`, one reused record).
//!
//! Run: `cargo run --release --example csv_read_baseline -- /tmp/pacer-bench/events_10m.csv`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: csv_read_baseline FILE.csv")?;
    let start = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_path(&path)?;
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        bytes += record.as_slice().len() as u64;
    }
    println!(
        "csv crate read {rows} records ({bytes} field bytes) in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
