//! Workbooks: `.xlsx` written by openpyxl, `.xls` by xlwt and `.ods` by pandas with odfpy
//! (fixtures/formats/xlsx/make_workbooks.py) read as the same table as the CSV of the
//! same data, types included; bad workbooks, each a clear error and no panic.

mod common;
use common::*;

fn dump(call: &str) -> (Option<i32>, String, String) {
    run_at_root(&format!(
        "let t = {call}; print(t.describe().to_csv()); print(t.to_csv());"
    ))
}

#[test]
fn every_workbook_format_reads_as_the_csv() {
    let (code, reference, err) = dump("load_csv(\"fixtures/formats/channels.csv\")");
    assert_eq!(code, Some(0), "{err}");
    assert!(reference.contains("day,date,4,0"), "{reference}");
    assert!(reference.contains("impressions,int,3,1"), "{reference}");
    assert!(reference.contains("ctr,float,3,1"), "{reference}");
    for call in [
        "load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"channels\" })",
        "load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"offset\", range: \"C3:H7\" })",
        "load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"offset\", range: \"C3:Z\" })",
        "load_xlsx(\"fixtures/formats/xlsx/channels.xls\")",
        "load_xlsx(\"fixtures/formats/xlsx/channels.ods\")",
    ] {
        let (code, out, err) = dump(call);
        assert_eq!(code, Some(0), "{call}: {err}");
        assert_eq!(out, reference, "{call}");
        assert!(err.is_empty(), "{call}: {err}");
    }
}

#[test]
fn percent_formatted_cells_are_rates_and_keep_their_notation() {
    // The values are the CSV's (above); the column is shown as the rate it is.
    let (code, out, err) = run_at_root(
        "print(load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"channels\" }));
         print(load_csv(\"fixtures/formats/channels.csv\"));",
    );
    assert_eq!(code, Some(0), "{err}");
    let (xlsx, csv) = out.split_once("(4 rows, 6 columns)").unwrap_or_default();
    assert!(
        xlsx.contains("微信     2024-07-01       120000    3600  6,000.5  3.0%"),
        "{xlsx}"
    );
    assert!(csv.contains("6,000.5   0.03"), "{csv}");
    // A review typed in Excel (5% held as 0.05 under a percent format) reviews as its CSV.
    let (code, out, err) = run_at_root(
        "let a = review(\"fixtures/review/summer_metrics.csv\");
         let b = review(\"fixtures/formats/xlsx/review_percent.xlsx\");
         print(a.table.to_csv() == b.table.to_csv());
         print(a.formatted.to_csv() == b.formatted.to_csv());",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\n");
}

#[test]
fn text_cells_follow_the_csv_rules() {
    let (code, reference, err) = dump("load_csv(\"fixtures/formats/chinese_forms.csv\")");
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) =
        dump("load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"forms\" })");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, reference);
}

#[test]
fn the_first_sheet_by_default_and_options_of_csv() {
    let (code, out, err) = run_at_root(
        "let t = load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\"); print(t.columns);
         let c = load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"channels\",
             columns: [\"channel\", \"clicks\"], types: #{ clicks: \"float\" }, rename: #{ clicks: \"c\" } });
         print(c.describe().to_csv());
         let h = load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"channels\", header: false });
         print(h.rows);",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("[\"what\"]"), "{out}");
    assert!(out.contains("c,float,4,0"), "{out}");
    assert!(out.contains("\n5\n"), "{out}");
}

#[test]
fn bad_workbooks_get_clear_errors() {
    // A sheet that does not exist: the sheets are listed.
    let (code, _, err) = run_at_root(
        "load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ sheet: \"Channels \" })",
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("channels.xlsx: no sheet named 'Channels ' (did you mean 'channels'?); the sheets are 'notes', 'channels', 'offset', 'forms'"),
        "{err}"
    );
    // A password-protected workbook (encrypted by msoffcrypto-tool).
    let (code, _, err) = run_at_root("load_xlsx(\"fixtures/formats/xlsx/encrypted.xlsx\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("encrypted.xlsx: the workbook is password-protected (encrypted), which pacer does not read"),
        "{err}"
    );
    // An Excel error value names its cell.
    let (code, _, err) = run_at_root("load_xlsx(\"fixtures/formats/xlsx/error_cell.xlsx\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("error_cell.xlsx[data]: cell B3 holds the spreadsheet error #DIV/0!"),
        "{err}"
    );
    // A bad range.
    let (code, _, err) =
        run_at_root("load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ range: \"C3-H7\" })");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("range \"C3-H7\" is not a block of cells like \"B3:F20\" or \"A:F\""),
        "{err}"
    );
    // CSV options that do not apply, and a CSV file given to load_xlsx.
    let (code, _, err) =
        run_at_root("load_xlsx(\"fixtures/formats/xlsx/channels.xlsx\", #{ delimiter: \";\" })");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("load_xlsx: unknown option 'delimiter'"),
        "{err}"
    );
    let (code, _, err) = run_at_root("load_xlsx(\"fixtures/formats/channels.csv\")");
    assert_eq!(code, Some(1));
    assert!(err.contains("is not a workbook"), "{err}");
    // Corrupt files: cut in half, and garbage bytes, in every format.
    let dir = workdir();
    for name in ["channels.xlsx", "channels.xls", "channels.ods"] {
        let bytes = std::fs::read(root().join("fixtures/formats/xlsx").join(name)).expect("read");
        std::fs::write(
            dir.path().join(format!("cut_{name}")),
            &bytes[..bytes.len() / 2],
        )
        .expect("write");
        let ext = name.rsplit('.').next().unwrap_or_default();
        std::fs::write(
            dir.path().join(format!("junk.{ext}")),
            b"not a workbook at all",
        )
        .expect("write");
        for file in [format!("cut_{name}"), format!("junk.{ext}")] {
            let (code, _, err) = run_in(dir.path(), &format!("load_xlsx(\"{file}\")"));
            assert_eq!(code, Some(1), "{file}");
            assert!(err.contains(&format!("{file}: ")), "{file}: {err}");
            assert!(!err.contains("panicked"), "{file}: {err}");
        }
    }
}

/// The text of one part of the workbook at `path` (`xl/styles.xml`, ...).
fn part(path: &std::path::Path, name: &str) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("read");
    text
}

#[test]
fn write_xlsx_writes_sheets_that_read_back_with_formats_by_meaning() {
    let dir = workdir();
    let script = dir.path().join("s.rhai");
    std::fs::write(
        &script,
        "let plan = schedule(load_csv(\"fixtures/sop/tasks.csv\"), #{ start: \"2024-06-03\", launch: \"2024-07-01\",
             owners: load_csv(\"fixtures/sop/owners.csv\") });
         let r = review(\"fixtures/review/summer_metrics.csv\");
         let ch = load_csv(\"fixtures/formats/channels.csv\");
         let path = write_xlsx(#{ plan: plan, review: r, channels: ch }, \"campaign.xlsx\");
         let back = load_xlsx(path, #{ sheet: \"channels\" });
         print(back.to_csv() == ch.to_csv());
         print(back.describe().to_csv() == ch.describe().to_csv());
         let p = load_xlsx(path, #{ sheet: \"plan\" });
         print(p.select([\"id\", \"start\", \"finish\", \"critical\"]).to_csv() == plan.tasks.select([\"id\", \"start\", \"finish\", \"critical\"]).to_csv());
         let rv = load_xlsx(path, #{ sheet: \"review\" });
         print(rv.select([\"metric\", \"status\", \"achievement\"]).to_csv() == r.table.select([\"metric\", \"status\", \"achievement\"]).to_csv());",
    )
    .expect("script");
    let o = pacer(&[
        "run",
        &script.display().to_string(),
        "--out",
        &dir.path().display().to_string(),
    ]);
    let (code, out, err) = (o.status.code(), stdout(&o), stderr(&o));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\ntrue\ntrue\n", "{err}");
    let book = dir.path().join("campaign.xlsx");
    // Sheets in name order; each has a frozen header row and filters over its cells.
    let workbook = part(&book, "xl/workbook.xml");
    let names: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .collect();
    assert_eq!(names, ["channels", "plan", "review"]);
    let channels = part(&book, "xl/worksheets/sheet1.xml");
    assert!(channels.contains("state=\"frozen\""), "{channels}");
    assert!(channels.contains("<autoFilter ref=\"A1:F5\""), "{channels}");
    // Number formats by meaning, and the marks' colors.
    let styles = part(&book, "xl/styles.xml");
    for code in ["0.0#%", "#,##0.00", "#,##0", "yyyy-mm-dd"] {
        assert!(
            styles.contains(&format!("formatCode=\"{code}\"")),
            "{code}: {styles}"
        );
    }
    for color in ["FFFDE2E1", "FFC6EFCE", "FFFFC7CE", "FFFFEB9C"] {
        assert!(styles.contains(color), "{color}: {styles}");
    }
}

#[test]
fn write_xlsx_refuses_bad_names() {
    let (code, _, err) = run_snippet("write_xlsx(#{ a: table([#{ x: 1 }]) }, \"a.csv\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("write_xlsx: the file name must end in .xlsx"),
        "{err}"
    );
    let (code, _, err) = run_snippet("write_xlsx(#{ \"a/b\": table([#{ x: 1 }]) }, \"a.xlsx\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "write_xlsx: sheet name 'a/b': holds one of [ ] : * ? / \\, which Excel forbids"
        ),
        "{err}"
    );
    let (code, _, err) = run_snippet("write_xlsx(#{}, \"a.xlsx\")");
    assert_eq!(code, Some(1));
    assert!(err.contains("write_xlsx: no sheets"), "{err}");
    let (code, _, err) = run_snippet("write_xlsx(#{ a: 5 }, \"a.xlsx\")");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "write_xlsx: sheet 'a' must be a table, an array of object maps, a plan or a review"
        ),
        "{err}"
    );
}

#[test]
fn the_scaffolded_campaign_runs_from_its_workbooks_as_from_its_csvs() {
    let dir = workdir();
    let o = pacer_in(dir.path(), &["new", "autumn"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let folder = dir.path().join("autumn");
    let o = pacer_in(&folder, &["run", "campaign.rhai", "--out", "out_csv"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_csv = stdout(&o);

    let mut script = std::fs::read_to_string(folder.join("campaign.rhai")).expect("script");
    for (csv, xlsx) in [
        (
            "schedule(load_csv(\"data/tasks.csv\"), #{",
            "schedule(\"data/sop.xlsx\", #{ sheet: \"tasks\",",
        ),
        (
            "load_csv(\"data/owners.csv\")",
            "load_xlsx(\"data/sop.xlsx\", #{ sheet: \"owners\" })",
        ),
        (
            "load_csv(\"data/calendar.csv\")",
            "load_xlsx(\"data/sop.xlsx\", #{ sheet: \"calendar\" })",
        ),
        (
            "load_csv(\"data/unavailable.csv\")",
            "load_xlsx(\"data/sop.xlsx\", #{ sheet: \"unavailable\" })",
        ),
        (
            "review(\"data/metrics.csv\")",
            "review(\"data/review.xlsx\", #{ sheet: \"metrics\" })",
        ),
        (
            "load_csv(\"data/funnel_actuals.csv\")",
            "load_xlsx(\"data/review.xlsx\", #{ sheet: \"funnel\" })",
        ),
        (
            "actions(\"data/actions.csv\",",
            "actions(load_xlsx(\"data/review.xlsx\", #{ sheet: \"actions\" }),",
        ),
        (
            "lessons(\"data/lessons.csv\")",
            "lessons(load_xlsx(\"data/review.xlsx\", #{ sheet: \"lessons\" }))",
        ),
    ] {
        assert!(script.contains(csv), "{csv}");
        script = script.replace(csv, xlsx);
    }
    std::fs::write(folder.join("campaign.rhai"), script).expect("write");
    // The CSVs the workbooks replace are gone, so nothing can read them.
    for f in [
        "tasks",
        "owners",
        "calendar",
        "unavailable",
        "metrics",
        "funnel_actuals",
        "actions",
        "lessons",
    ] {
        std::fs::remove_file(folder.join(format!("data/{f}.csv"))).expect("remove");
    }
    let o = pacer_in(&folder, &["run", "campaign.rhai", "--out", "out_xlsx"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).replace("out_xlsx/", "OUT/"),
        from_csv.replace("out_csv/", "OUT/")
    );
    let mut compared = 0;
    for e in std::fs::read_dir(folder.join("out_csv"))
        .expect("out")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") {
            let a = std::fs::read(e.path()).expect("csv");
            let b = std::fs::read(folder.join("out_xlsx").join(&name)).expect("xlsx run's csv");
            assert!(a == b, "{name} differs");
            compared += 1;
        }
    }
    assert!(compared >= 5, "{compared}");
}

#[test]
fn data_tables_may_be_workbooks() {
    let dir = workdir();
    let script = dir.path().join("s.rhai");
    std::fs::write(&script, "print(t.describe().to_csv());").expect("script");
    let o = pacer(&[
        "run",
        &script.display().to_string(),
        "--data",
        "t=fixtures/formats/xlsx/channels.xls",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (code, reference, err) =
        run_at_root("print(load_csv(\"fixtures/formats/channels.csv\").describe().to_csv());");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(stdout(&o), reference);
}
