//! Parquet and streamed gzip: files written by pyarrow and polars
//! (fixtures/formats/make_formats.py) read as the CSV of the same data, types included;
//! `funnel_events` gives the same funnel from CSV, `.csv.gz` and Parquet; damaged files
//! are clear errors naming the file.

mod common;
use common::*;

/// The table's types and counts, then its cells, as CSV.
fn shown(load: &str) -> (Option<i32>, String, String) {
    run_at_root(&format!(
        "let t = {load}; print(t.describe().to_csv()); print(t.to_csv());"
    ))
}

#[test]
fn parquet_reads_as_the_csv_of_the_same_data() {
    let (code, csv, err) = shown("load_csv(\"fixtures/formats/channels.csv\")");
    assert_eq!(code, Some(0), "{err}");
    for file in ["channels.parquet", "channels_polars_zstd.parquet"] {
        let (code, parquet, err) = shown(&format!("load_parquet(\"fixtures/formats/{file}\")"));
        assert_eq!(code, Some(0), "{file}: {err}");
        assert_eq!(parquet, csv, "{file}");
    }
    assert!(csv.contains("spend,float,3,1"), "{csv}");
    assert!(csv.contains("clicks,int,4,0"), "{csv}");
}

#[test]
fn every_mapped_parquet_type_reads_as_its_csv() {
    let names = "[\"i8\", \"i16\", \"u32\", \"u64\", \"f32\", \"dec\", \"flag\", \"name\", \"city\", \"day\", \"ts_s\", \"ts_ms_utc\", \"ts_us_shanghai\", \"ts_ns\", \"empty\"]";
    let (code, parquet, err) = shown(&format!(
        "load_parquet(\"fixtures/formats/types.parquet\", #{{ columns: {names} }})"
    ));
    assert_eq!(code, Some(0), "{err}");
    let (code, csv, err) =
        shown("load_csv(\"fixtures/formats/types.csv\", #{ types: #{ empty: \"text\" } })");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(parquet, csv);
    // Types: the integer widths are int, decimals float, times datetime.
    for line in [
        "i8,int,",
        "u64,int,",
        "f32,float,",
        "dec,float,",
        "flag,bool,",
        "city,string,",
        "day,date,",
        "ts_ns,datetime,",
        "ts_us_shanghai,datetime,",
    ] {
        assert!(parquet.contains(line), "{line} in {parquet}");
    }
    // Nanoseconds truncate toward the past; a zone is read as the UTC instant.
    assert!(parquet.contains("1969-12-31 23:59:59.999999"), "{parquet}");
}

#[test]
fn columns_are_chosen_and_unsupported_types_named() {
    let (code, out, err) = run_at_root(
        "let t = load_parquet(\"fixtures/formats/channels.parquet\", #{ columns: [\"spend\", \"channel\"] }); print(t.columns); print(t.rows);",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "[\"spend\", \"channel\"]\n4\n");
    let (code, _, err) = run_at_root(
        "load_parquet(\"fixtures/formats/channels.parquet\", #{ columns: [\"chanel\"] })",
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no column named 'chanel', did you mean 'channel'?"),
        "{err}"
    );
    // A list column: its name and type, and what to do.
    let (code, _, err) = run_at_root("load_parquet(\"fixtures/formats/types.parquet\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("types.parquet: column 'tags' has the Parquet type List"),
        "{err}"
    );
    assert!(
        err.contains("leave it out with #{ columns: [...] }"),
        "{err}"
    );
    let (code, _, err) =
        run_at_root("load_parquet(\"fixtures/formats/channels.parquet\", #{ rows: 3 })");
    assert_eq!(code, Some(1));
    assert!(err.contains("rows"), "{err}");
}

#[test]
fn parquet_written_by_pacer_reads_back_the_same() {
    let dir = workdir();
    std::fs::copy(
        root().join("fixtures/formats/types.csv"),
        dir.path().join("types.csv"),
    )
    .expect("copy");
    let code = "let t = load_csv(\"types.csv\", #{ types: #{ empty: \"text\" } });\n\
                let p = write_parquet(t, \"t.parquet\");\n\
                let back = load_parquet(p);\n\
                print(back.to_csv() == t.to_csv());\n\
                print(back.describe().to_csv() == t.describe().to_csv());";
    let (status, out, err) = run_in(dir.path(), code);
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\n");
    let bytes = std::fs::read(dir.path().join("out/t.parquet")).expect("written");
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
}

/// The funnel of `path` as the table and its counts.
fn funnel(path: &str) -> (Option<i32>, String, String) {
    run_at_root(&format!(
        "let f = funnel_events(\"{path}\", [\"visit\", \"signup\", \"add_to_cart\", \"purchase\"], #{{ window: \"7d\", by: \"channel\" }});\n\
         print(f.table.to_csv()); print([f.rows_read, f.rows_used, f.users, f.entering]);"
    ))
}

#[test]
fn funnel_events_is_the_same_from_csv_gzip_zstd_and_parquet() {
    let (code, csv, err) = funnel("fixtures/events.csv");
    assert_eq!(code, Some(0), "{err}");
    assert!(csv.contains("[3587, "), "{csv}");
    for path in [
        "fixtures/formats/events.csv.gz",
        "fixtures/formats/events.csv.zst",
        "fixtures/formats/events.parquet",
    ] {
        let (code, out, err) = funnel(path);
        assert_eq!(code, Some(0), "{path}: {err}");
        assert_eq!(out, csv, "{path}");
    }
}

#[test]
fn damaged_files_are_clear_errors_naming_the_file() {
    let dir = workdir();
    let pq = std::fs::read(root().join("fixtures/formats/events.parquet")).expect("parquet");
    std::fs::write(dir.path().join("cut.parquet"), &pq[..pq.len() / 2]).expect("write");
    let gz = std::fs::read(root().join("fixtures/formats/events.csv.gz")).expect("gz");
    std::fs::write(dir.path().join("cut.csv.gz"), &gz[..gz.len() / 2]).expect("write");
    let steps = "[\"visit\", \"signup\"], #{ window: \"7d\" }";
    for (code, expected) in [
        (
            "load_parquet(\"cut.parquet\")".to_string(),
            "cut.parquet: cannot read the file: not a valid Parquet file",
        ),
        (
            format!("funnel_events(\"cut.parquet\", {steps})"),
            "cut.parquet: cannot read the file: not a valid Parquet file",
        ),
        (
            format!("funnel_events(\"cut.csv.gz\", {steps})"),
            "cut.csv.gz: cannot read the file: not a valid gzip file",
        ),
        (
            "load_parquet(\"cut.csv.gz\")".to_string(),
            "cut.csv.gz: cannot read the file: not a valid Parquet file",
        ),
    ] {
        let (status, _, err) = run_in(dir.path(), &code);
        assert_eq!(status, Some(1), "{code}: {err}");
        assert!(err.contains(expected), "{code}: {err}");
        assert!(!err.contains("panicked"), "{code}: {err}");
    }
}

#[test]
fn every_reader_of_delimited_text_takes_gzip() {
    // review(path) reads its metrics file through the same function as load_csv.
    let dir = workdir();
    let metrics = std::fs::read(root().join("fixtures/review/summer_metrics.csv")).expect("csv");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, &metrics).expect("gzip");
    std::fs::write(dir.path().join("m.csv.gz"), e.finish().expect("gzip")).expect("write");
    std::fs::write(dir.path().join("m.csv"), &metrics).expect("write");
    let (code, out, err) = run_in(
        dir.path(),
        "print(review(\"m.csv.gz\").table.to_csv() == review(\"m.csv\").table.to_csv());",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "true\n");
}
