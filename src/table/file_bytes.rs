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
        use std::io::{Seek, SeekFrom};
        let threads = rayon::current_num_threads();
        let len = usize::try_from(meta.len()).unwrap_or(0);
        if meta.is_file() && len > (8 << 20) && threads > 1 {
            if let Some(mut bytes) = read_in_parts(&file, len, threads)? {
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

/// The first `len` bytes of `file` in a new buffer, read as `parts` slices at once
/// (positioned reads, one per thread); `None` when the file ends before `len` bytes.
///
/// The buffer is not zeroed before the reads fill it: for the 20 MB Parquet file of
/// docs/performance.md, zeroing it first (on one thread, before any read could start)
/// cost 5 to 9% of `load_parquet`'s time.
#[cfg(unix)]
fn read_in_parts(
    file: &std::fs::File,
    len: usize,
    parts: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    use rayon::prelude::*;
    use std::os::fd::AsRawFd;
    let mut bytes: Vec<u8> = Vec::with_capacity(len);
    let part = len.div_ceil(parts.max(1));
    // The buffer's address, as a number so that the threads can share it.
    let base = bytes.as_mut_ptr() as usize;
    let fd = file.as_raw_fd();
    let whole = (0..parts)
        .into_par_iter()
        .map(|i| -> std::io::Result<bool> {
            let end = ((i + 1) * part).min(len);
            let mut at = (i * part).min(end);
            while at < end {
                let offset = libc::off_t::try_from(at).map_err(std::io::Error::other)?;
                // SAFETY: `at..end` lies within the buffer's capacity (`len` bytes), the
                // parts' ranges do not overlap (so no byte is written by two threads),
                // the buffer outlives this call, and `pread` writes at most `end - at`
                // bytes from `base + at`.
                let n =
                    unsafe { libc::pread(fd, (base + at) as *mut libc::c_void, end - at, offset) };
                match n {
                    0 => return Ok(false),
                    n if n < 0 => {
                        let e = std::io::Error::last_os_error();
                        if e.kind() != std::io::ErrorKind::Interrupted {
                            return Err(e);
                        }
                    }
                    n => at += n as usize,
                }
            }
            Ok(true)
        })
        .collect::<std::io::Result<Vec<bool>>>()?;
    if !whole.iter().all(|&w| w) {
        return Ok(None);
    }
    // SAFETY: every part was read to its end, so each of the `len` bytes (within the
    // capacity) was written by a `pread` above.
    unsafe { bytes.set_len(len) };
    Ok(Some(bytes))
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

    #[cfg(unix)]
    #[test]
    fn reading_in_parts_gives_every_byte_or_nothing_when_the_file_is_short() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("parts.bin");
        let text: Vec<u8> = (0..1_000_003usize).map(|i| (i % 253) as u8).collect();
        std::fs::write(&path, &text).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        for parts in [1, 2, 3, 7] {
            let got = read_in_parts(&file, text.len(), parts).expect("read");
            assert_eq!(got.as_deref(), Some(&text[..]), "{parts} parts");
        }
        // Fewer bytes asked for than the file has: those bytes.
        let got = read_in_parts(&file, 999, 2).expect("read");
        assert_eq!(got.as_deref(), Some(&text[..999]));
        // More than the file has (it shrank after its size was taken): nothing.
        assert_eq!(
            read_in_parts(&file, text.len() + 10, 2).expect("read"),
            None
        );
        assert_eq!(read_in_parts(&file, 0, 2).expect("read"), Some(Vec::new()));
    }
}
