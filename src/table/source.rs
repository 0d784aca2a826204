//! Opening a file of delimited text: the one place that decides, from the file's first
//! bytes (never its name), whether it is gzip or zstd (each read through a streaming
//! decoder) or plain. Every reader of delimited text goes through here:
//! `load_csv`, `--data`, the tables `review`, `actions` and `search_lessons` read, and the
//! streaming scan of `funnel_events`.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (RFC 1952): magic bytes `1f 8b`.
    Gzip,
    /// zstd: magic bytes `28 b5 2f fd`.
    Zstd,
}

impl Compression {
    /// The compression that `head` (the first bytes of a file) starts with.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

impl Compression {
    /// `reader`, which yields bytes compressed this way, decoded as it is read: itself
    /// when plain; gzip members or zstd frames one after the other (what `cat a.gz b.gz`
    /// and some exporters write) read as one stream.
    pub fn decode<'a, R: BufRead + Send + 'a>(
        self,
        reader: R,
    ) -> std::io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Compression::None => Box::new(reader),
            Compression::Gzip => Box::new(Decoded {
                inner: flate2::read::MultiGzDecoder::new(reader),
                format: "gzip",
            }),
            Compression::Zstd => Box::new(Decoded {
                inner: zstd::stream::read::Decoder::with_buffer(reader)?,
                format: "zstd",
            }),
        })
    }
}

/// A decoder whose errors say that the file is not valid `format` (a truncated
/// download, most often), whatever the decoder's own words.
struct Decoded<D> {
    inner: D,
    format: &'static str,
}

impl<D: Read> Read for Decoded<D> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not a valid {} file ({e}); check that the download is complete",
                    self.format
                ),
            )
        })
    }
}

/// Opens `path` for reading its text: a streaming decoder when the file is gzip or
/// zstd, the file itself when plain.
/// Also returns the compression found, so that callers can read plain files their own
/// faster way.
pub fn open_text(path: &Path) -> std::io::Result<(Box<dyn Read + Send>, Compression)> {
    let mut file = std::fs::File::open(path)?;
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        let n = file.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let kind = Compression::sniff(&head[..got]);
    let rest = std::io::Cursor::new(head[..got].to_vec()).chain(file);
    let reader: Box<dyn Read + Send> = match kind {
        Compression::None => Box::new(rest),
        _ => kind.decode(BufReader::with_capacity(1 << 16, rest))?,
    };
    Ok((reader, kind))
}

/// Bytes read whole (from a file or standard input), decompressed when they are gzip
/// or zstd.
pub fn decompress_bytes(bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    match Compression::sniff(&bytes) {
        Compression::None => Ok(bytes),
        kind => kind.decode_all(&bytes),
    }
}

impl Compression {
    /// `bytes`, compressed this way, decoded whole.
    pub fn decode_all(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
        self.decode(bytes)?.read_to_end(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("encode");
        e.finish().expect("finish")
    }

    #[test]
    fn gzip_is_recognised_by_content_and_streamed() {
        let dir = tempfile::tempdir().expect("dir");
        let text = b"a,b\n1,2\n".repeat(10_000);
        let path = dir.path().join("no_extension");
        std::fs::write(&path, gzip(&text)).expect("write");
        let (mut r, kind) = open_text(&path).expect("open");
        assert_eq!(kind, Compression::Gzip);
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, text);
        // Two members, one stream.
        let mut two = gzip(b"a\n1\n");
        two.extend(gzip(b"2\n"));
        assert_eq!(decompress_bytes(two).expect("two members"), b"a\n1\n2\n");
        // Plain files (even shorter than the magic) come back as they are.
        std::fs::write(&path, b"a").expect("write");
        let (mut r, kind) = open_text(&path).expect("open");
        assert_eq!(kind, Compression::None);
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"a");
    }

    #[test]
    fn corrupt_gzip_and_zstd_are_clear_errors() {
        let gz = gzip(&b"a,b\n1,2\n".repeat(1000));
        let cut = decompress_bytes(gz[..gz.len() / 2].to_vec()).expect_err("truncated");
        assert!(
            cut.to_string().starts_with("not a valid gzip file"),
            "{cut}"
        );
        let mut flipped = gz.clone();
        flipped[20] ^= 0xff;
        flipped[21] ^= 0xff;
        let bad = decompress_bytes(flipped).expect_err("corrupt");
        assert!(bad.to_string().contains("check that the download"), "{bad}");
        let z = decompress_bytes(vec![0x28, 0xb5, 0x2f, 0xfd, 0]).expect_err("zstd");
        assert!(z.to_string().starts_with("not a valid zstd file"), "{z}");
    }
}
