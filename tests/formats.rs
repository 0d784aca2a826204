//! Data in the forms users have: gzip, zstd, GBK/GB18030, UTF-16 and other delimiters, each
//! written by Python (fixtures/formats/make_formats.py) and compared with the CSV of the
//! same data, types included; and bad input, each a clear error.

mod common;
use common::*;

fn describe(path_and_options: &str) -> (Option<i32>, String, String) {
    run_at_root(&format!(
        "let t = load_csv({path_and_options}); print(t.describe().to_csv()); print(t.to_csv());"
    ))
}

#[test]
fn every_form_reads_as_the_utf8_csv() {
    let (code, reference, err) = describe("\"fixtures/formats/channels.csv\"");
    assert_eq!(code, Some(0), "{err}");
    assert!(reference.contains("channel,string,4,0"), "{reference}");
    assert!(reference.contains("ctr,float,3,1"), "{reference}");
    for form in [
        "\"fixtures/formats/channels.csv.gz\"",
        "\"fixtures/formats/channels.csv.zst\"",
        "\"fixtures/formats/channels_gbk.csv\", #{ encoding: \"gb18030\" }",
        "\"fixtures/formats/channels_gbk.csv\", #{ encoding: \"gbk\" }",
        "\"fixtures/formats/channels_utf16.csv\"",
        "\"fixtures/formats/channels_semicolon.csv\", #{ delimiter: \";\" }",
    ] {
        let (code, out, err) = describe(form);
        assert_eq!(code, Some(0), "{form}: {err}");
        assert_eq!(out, reference, "{form}");
        assert!(err.is_empty(), "{form}: {err}");
    }
}

#[test]
fn bad_input_gets_a_clear_error_or_hint() {
    // GBK read as UTF-8: the line and the option.
    let (code, _, err) = describe("\"fixtures/formats/channels_gbk.csv\"");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("channels_gbk.csv:2: invalid UTF-8; it looks like GBK/GB18030 (Chinese Excel's default): pass encoding: \"gb18030\""),
        "{err}"
    );
    // A semicolon file read with commas: a note on the delimiter.
    let (code, _, err) = describe("\"fixtures/formats/channels_semicolon.csv\"");
    assert_eq!(code, Some(0));
    assert!(err.contains("holds ';': pass delimiter: \";\""), "{err}");
    // A truncated gzip or zstd file.
    let dir = workdir();
    for (ext, format) in [("gz", "gzip"), ("zst", "zstd")] {
        let path = root().join(format!("fixtures/formats/channels.csv.{ext}"));
        let bytes = std::fs::read(path).expect("fixture");
        let cut = format!("cut.csv.{ext}");
        std::fs::write(dir.path().join(&cut), &bytes[..bytes.len() / 2]).expect("write");
        let (code, _, err) = run_in(dir.path(), &format!("load_csv(\"{cut}\")"));
        assert_eq!(code, Some(1));
        let want = format!("{cut}: cannot read the file: not a valid {format} file");
        assert!(err.contains(&want), "{err}");
    }
    // An encoding pacer does not know.
    let (code, _, err) = describe("\"fixtures/formats/channels.csv\", #{ encoding: \"ebcdic\" }");
    assert_eq!(code, Some(1));
    assert!(err.contains("encoding \"ebcdic\" is not one of"), "{err}");
}
