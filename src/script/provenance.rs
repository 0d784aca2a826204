//! Where a report came from: the program and its version, when it was written, the
//! script, and every file the run read, with its data rows and a SHA-256 of its bytes.

use crate::render::{InputFile, Provenance};
use crate::script::sandbox::Sandbox;
use std::io::Read;
use std::path::Path;

/// The provenance of a report written now by the run that owns `sandbox`. The date is
/// `SOURCE_DATE_EPOCH` when set (the reproducible-builds convention, so that reports
/// compare byte for byte), the current time otherwise.
pub fn provenance(sandbox: &Sandbox) -> Provenance {
    let written = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now)
        .format("%Y-%m-%d %H:%M UTC")
        .to_string();
    Provenance {
        program: format!("pacer {}", env!("CARGO_PKG_VERSION")),
        written,
        script: sandbox.script().map(|p| p.display().to_string()),
        inputs: sandbox
            .inputs()
            .iter()
            .filter_map(|p| input_file(p, &sandbox.display_path(p)))
            .collect(),
    }
}

/// One input's size, hash and (for uncompressed delimited text) data rows; `None` when
/// the file can no longer be read.
fn input_file(path: &Path, shown: &str) -> Option<InputFile> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let text = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("csv" | "tsv" | "txt")
    );
    let mut rows = RecordCounter::default();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
        if text {
            rows.feed(&buf[..n]);
        }
        bytes += n as u64;
    }
    let sha256 = ctx
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(InputFile {
        path: shown.to_string(),
        rows: text.then(|| rows.data_rows()),
        bytes,
        sha256,
    })
}

/// Counts the records of delimited text: line ends outside quoted fields (a doubled
/// quote inside a quoted field toggles twice, so it needs no special case), plus a
/// last record without a line end; the header is not a data row.
#[derive(Debug, Default)]
struct RecordCounter {
    in_quotes: bool,
    ends: u64,
    pending: bool,
}

impl RecordCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'"' => {
                    self.in_quotes = !self.in_quotes;
                    self.pending = true;
                }
                b'\n' if !self.in_quotes => {
                    self.ends += 1;
                    self.pending = false;
                }
                b'\r' => {}
                _ => self.pending = true,
            }
        }
    }

    fn data_rows(&self) -> u64 {
        (self.ends + u64::from(self.pending)).saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> u64 {
        let mut c = RecordCounter::default();
        c.feed(text.as_bytes());
        c.data_rows()
    }

    #[test]
    fn records_not_lines() {
        assert_eq!(rows("a,b\n1,2\n3,4\n"), 2);
        assert_eq!(rows("a,b\n1,2\n3,4"), 2);
        assert_eq!(rows("a,b\n1,\"two\nlines\"\n3,\"\"\"q\"\"\"\n"), 2);
        assert_eq!(rows("a,b\r\n1,2\r\n"), 1);
        assert_eq!(rows("a,b\n"), 0);
        assert_eq!(rows(""), 0);
    }

    /// SHA-256 of "abc" from FIPS 180-2, appendix B.1.
    #[test]
    fn hashes_are_sha256() {
        let dir = std::env::temp_dir().join(format!("pacer-prov-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("abc.txt");
        std::fs::write(&p, "abc").unwrap();
        let f = input_file(&p, "abc.txt").unwrap();
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(f.bytes, 3);
        std::fs::remove_dir_all(&dir).ok();
    }
}
