//! A whole file's bytes in memory, for the readers that parse a file at once (CSV and
//! Parquet): for CSV, a large regular file is mapped from the page cache instead of
//! copied.
//!
//! Why: copying a file into a fresh buffer costs three things per 4 KiB page: a page
//! fault, the kernel zeroing the page, and the copy itself. For a 53 MB export that was
//! about a tenth of `load_csv`'s time. A mapping shares the pages the kernel already
//! holds: no zeroing, no copy (polars, DuckDB and ripgrep read large files the same way).
//!
//! The one risk of a mapping: if another program truncates the file while pacer reads
//! it, the system stops pacer (SIGBUS) instead of returning an error. Files are mapped
//! only when they are regular files of at least [`MAP_FROM`] bytes; `PACER_NO_MMAP=1`
//! in the environment reads every file by copying instead (docs/formats.md).

use std::ops::Deref;
use std::path::Path;

/// The smallest file that is mapped rather than read (below it, a mapping's setup costs
/// more than the copy it saves).
pub const MAP_FROM: u64 = 1 << 20;

/// A file's bytes: mapped, or read into a buffer.
#[derive(Debug)]
pub enum FileBytes {
    /// Read into memory (small files, pipes, or mapping turned off).
    Read(Vec<u8>),
    /// Mapped read-only from the page cache.
    Mapped(memmap2::Mmap),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Read(v) => v,
            FileBytes::Mapped(m) => m,
        }
    }
}

impl AsRef<[u8]> for FileBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// Whether mapping is turned off by `PACER_NO_MMAP` (any value but empty or `0`).
fn mapping_off() -> bool {
    std::env::var_os("PACER_NO_MMAP").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The whole file at `path`: mapped when it is a regular file of at least [`MAP_FROM`]
/// bytes (and mapping is not turned off), else read.
pub fn read_whole(path: &Path) -> std::io::Result<FileBytes> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() >= MAP_FROM && !mapping_off() {
        // SAFETY: the mapping is read-only and private to this process; pacer never
        // writes the file it reads. What the type system cannot rule out is another
        // program changing or truncating the file meanwhile: changed bytes are read as
        // they are (as a copy taken at that moment would be), and truncation stops the
        // process, as the module's documentation says.
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(FileBytes::Mapped(map));
        }
        // A file system that cannot map (some network mounts): read it instead.
    }
    read_copy(file, &meta)
}

/// The whole file at `path`, always read into a buffer (never mapped): for the Parquet
/// reader, whose pages are decoded by several threads from the file's bytes. Measured on
/// the 20 MB channels table (2-core VM, alternating builds): 18.4-19.5 ms read, 25-27 ms
/// mapped (with or without populating the mapping at once).
pub fn read_copied(path: &Path) -> std::io::Result<FileBytes> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    read_copy(file, &meta)
}

/// Reads the open `file` into a buffer: a regular file over 8 MB in slices in parallel
/// (positioned reads into one buffer, so that the copy from the page cache splits across
/// cores), anything else at once.
fn read_copy(file: std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<FileBytes> {
    use std::io::Read;
    #[cfg(unix)]
    {
        use rayon::prelude::*;
        use std::io::{Seek, SeekFrom};
        use std::os::unix::fs::FileExt;
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
                return Ok(FileBytes::Read(bytes));
            }
            // The file shrank meanwhile: read it again from the start.
            let mut again = &file;
            again.seek(SeekFrom::Start(0))?;
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    let mut file = file;
    file.read_to_end(&mut bytes)?;
    Ok(FileBytes::Read(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_read_and_large_ones_mapped_with_the_same_bytes() {
        let dir = tempfile::tempdir().expect("dir");
        let small = dir.path().join("small.csv");
        std::fs::write(&small, b"a,b\n1,2\n").expect("write");
        let got = read_whole(&small).expect("read");
        assert!(matches!(got, FileBytes::Read(_)));
        assert_eq!(&*got, b"a,b\n1,2\n");
        let large = dir.path().join("large.csv");
        let text: Vec<u8> = (0..(MAP_FROM as usize + 4097))
            .map(|i| b"0123456789,\n"[i % 12])
            .collect();
        std::fs::write(&large, &text).expect("write");
        let got = read_whole(&large).expect("read");
        if !mapping_off() {
            assert!(matches!(got, FileBytes::Mapped(_)));
        }
        assert_eq!(&*got, &text[..]);
        let err = read_whole(&dir.path().join("none.csv")).expect_err("missing");
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn reading_by_copy_in_parallel_slices_gives_every_byte() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("big.csv");
        let text: Vec<u8> = (0..(9usize << 20) + 13).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &text).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let meta = file.metadata().expect("meta");
        let got = read_copy(file, &meta).expect("read");
        assert!(matches!(got, FileBytes::Read(_)));
        assert_eq!(&*got, &text[..]);
    }
}
