//! The end-to-end campaign: the README's main command, its report, the scaffold of
//! `pacer new`, and the error messages of a newcomer's five most likely mistakes.

mod common;
use common::*;
use std::path::Path;

/// Runs the README's main job into a fresh output folder: (exit code, stdout with the
/// folder written as OUT, stderr, the folder).
fn main_job() -> (Option<i32>, String, String, tempfile::TempDir) {
    let out = workdir();
    let o = pacer(&[
        "run",
        "scripts/campaign.rhai",
        "--out",
        out.path().to_str().expect("utf8"),
    ]);
    let text = stdout(&o).replace(out.path().to_str().expect("utf8"), "OUT");
    (o.status.code(), text, stderr(&o), out)
}

/// External references a page could make: anything it would fetch over the network.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut found = Vec::new();
    for pat in [
        "src=\"http",
        "src='http",
        "src=\"//",
        "href=\"http",
        "href='http",
        "href=\"//",
        "url(http",
        "url(\"http",
        "url('http",
        "url(//",
        "@import",
        "<link",
        "<script src",
        "<iframe",
    ] {
        if let Some(at) = lower.find(pat) {
            found.push(html[at..(at + 80).min(html.len())].to_string());
        }
    }
    found
}

#[test]
fn main_job_prints_the_summary_and_writes_the_report() {
    let (code, text, err, out) = main_job();
    assert_eq!(code, Some(0), "stderr: {err}");
    assert!(
        err.is_empty(),
        "the main job writes nothing to stderr: {err}"
    );
    golden("campaign.stdout", &text);

    let html = std::fs::read_to_string(out.path().join("campaign.html")).expect("campaign.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "a whole page");
    assert!(
        external_references(&html).is_empty(),
        "the report must open without a network: {:?}",
        external_references(&html)
    );
    assert!(html.matches("<table").count() >= 8, "the steps' tables");
    assert!(html.matches("<svg").count() >= 3, "charts inline");
    // The figures of the summary are the report's.
    for figure in ["2,000,000", "1,600,000", "5,000,000"] {
        assert!(text.contains(figure) && html.contains(figure), "{figure}");
    }
    for csv in [
        "campaign_funnel_plan.csv",
        "campaign_media.csv",
        "campaign_budget.csv",
        "campaign_sop.csv",
        "campaign_ab_test.csv",
        "campaign_ab_segments.csv",
        "campaign_observed_funnel.csv",
        "campaign_review.csv",
        "campaign_actions.csv",
    ] {
        let t = std::fs::read_to_string(out.path().join(csv)).expect(csv);
        assert!(t.lines().count() > 1, "{csv} has rows");
    }
    // Nothing half-written is left behind.
    for e in std::fs::read_dir(out.path()).expect("out").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "temporary file left: {name}");
    }
}

#[test]
fn new_scaffolds_a_campaign_folder_that_runs() {
    let dir = workdir();
    let o = pacer_in(dir.path(), &["new", "autumn"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let folder = dir.path().join("autumn");
    for f in [
        "campaign.rhai",
        "README.md",
        "data/targets.csv",
        "data/tasks.csv",
        "data/owners.csv",
        "data/calendar.csv",
        "data/metrics.csv",
    ] {
        assert!(folder.join(f).is_file(), "{f}");
    }
    let script = std::fs::read_to_string(folder.join("campaign.rhai")).expect("script");
    assert!(
        !script.contains("fixtures/"),
        "the scaffold reads its own data/"
    );

    // Run from inside the folder, as its README says: the same summary as the main job.
    let o = pacer_in(&folder, &["run", "campaign.rhai", "--out", "out"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, main, _, _) = main_job();
    // The report's path is printed as the script got it: `out/campaign.html`.
    let scaffolded = stdout(&o).replace("Report: out/", "Report: OUT/");
    assert_eq!(scaffolded, main);
    assert!(folder.join("out/campaign.html").is_file());

    // An existing folder is never touched.
    let o = pacer_in(dir.path(), &["new", "autumn"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

/// Runs `code` as a script in a folder holding the campaign's targets as `targets.csv`.
fn newcomer(code: &str) -> String {
    let dir = workdir();
    std::fs::create_dir(dir.path().join("data")).expect("data");
    std::fs::copy(
        root().join("fixtures/campaign/targets.csv"),
        dir.path().join("data/targets.csv"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("mine.rhai"), code).expect("script");
    let o = pacer_in(dir.path(), &["run", "mine.rhai"], "");
    assert_eq!(o.status.code(), Some(1), "the mistake is an error: {code}");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: mine.rhai:"),
        "the error names the script and its position: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn newcomer_mistake_wrong_path() {
    let err = newcomer("let t = load_csv(\"date/target.csv\");\n");
    assert!(err.contains("date/target.csv: no such file"), "{err}");
    assert!(err.contains("did you mean data/targets.csv?"), "{err}");
}

#[test]
fn newcomer_mistake_wrong_column_name() {
    let err = newcomer("let t = load_csv(\"data/targets.csv\");\nprint(t.sort(\"volumes\"));\n");
    assert!(err.contains("no column named 'volumes'"), "{err}");
    assert!(err.contains("did you mean 'volume'?"), "{err}");
}

#[test]
fn newcomer_mistake_percent_written_as_a_whole_number() {
    let err = newcomer("let f = funnel([#{ name: \"visits\", rate: 5 }]);\n");
    assert!(err.contains("if you meant 5%, write 5% or 0.05"), "{err}");
}

#[test]
fn newcomer_mistake_misspelled_function() {
    let err = newcomer("let f = funel([#{ name: \"visits\", rate: 0.05 }]);\n");
    assert!(err.contains("did you mean 'funnel'"), "{err}");
}

#[test]
fn newcomer_mistake_date_in_the_wrong_format() {
    let err = newcomer(
        "let tasks = table([#{ id: \"brief\", name: \"Brief\", owner: \"planner\", duration: 1 }]);\n\
         let plan = schedule(tasks, #{ start: \"07/01/2024\" });\n",
    );
    assert!(err.contains("07/01/2024"), "{err}");
    assert!(err.contains("YYYY-MM-DD"), "{err}");
}

#[test]
fn the_readme_commands_are_the_tested_ones() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let first_block: String = readme
        .split("```sh")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        first_block.contains("cargo run --release -- run scripts/campaign.rhai"),
        "{first_block}"
    );
    assert!(first_block.contains("cargo test"), "{first_block}");
    assert!(Path::new(&root().join("scripts/campaign.rhai")).is_file());
}

/// With a browser on the machine (`.ci/run` installs Debian's chromium when it can), the
/// report renders headless with the network cut off (every request goes to a closed
/// local port) and its tables and charts are in the rendered page.
#[test]
fn report_renders_in_a_headless_browser_without_network() {
    let (code, _, err, out) = main_job();
    assert_eq!(code, Some(0), "{err}");
    let Some(dom) = headless_dom(&out.path().join("campaign.html")) else {
        eprintln!("no chromium on this machine: the headless rendering check is skipped");
        return;
    };
    assert!(
        dom.matches("<table").count() >= 8,
        "rendered tables: {dom:.300}"
    );
    assert!(dom.matches("<svg").count() >= 3, "rendered charts");
    assert!(dom.contains("1,600,000"));
}

/// The report leads with the answer: in the browser's layout the headline box is there
/// and no table cell's text overflows it (dates and numbers stay on one line inside
/// their cells); a screenshot of the page is taken and is a real picture.
#[test]
fn report_layout_in_a_headless_browser() {
    let (code, _, err, out) = main_job();
    assert_eq!(code, Some(0), "{err}");
    let page = out.path().join("campaign.html");
    let Some(layout) = headless_layout(&page) else {
        return;
    };
    let headline = layout
        .iter()
        .find(|l| l.starts_with("headline "))
        .unwrap_or_else(|| panic!("the headline box is laid out: {layout:?}"));
    let size: Vec<f64> = headline
        .split(' ')
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!(size[0] > 400.0 && size[1] > 60.0, "{headline}");
    let overflow: Vec<&String> = layout
        .iter()
        .filter(|l| l.starts_with("overflow"))
        .collect();
    assert!(overflow.is_empty(), "text overflows its cell: {overflow:?}");
    let shot = out.path().join("campaign.png");
    let o = headless(&page, &[&format!("--screenshot={}", shot.display())]).expect("browser");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert!(png.len() > 50_000, "a page with content, not a blank one");
}

/// The HTML report's structure: headline box, contents, a summary under each section,
/// headers in words, statuses as coloured words, and the provenance footer naming
/// pacer's version, the script and each input with its rows and SHA-256.
#[test]
fn report_leads_with_the_answer_and_says_where_it_came_from() {
    let (code, _, err, out) = main_job();
    assert_eq!(code, Some(0), "{err}");
    let html = std::fs::read_to_string(out.path().join("campaign.html")).expect("report");
    let headline = html
        .find("<section class=\"headline\"")
        .expect("headline box");
    let contents = html.find("<nav class=\"toc\"").expect("contents");
    assert!(headline < contents, "the headline comes first");
    assert!(html.contains("<dt>Shortfall</dt><dd class=\"short\">400,000 in sales</dd>"));
    assert!(
        html.contains("1,265 short"),
        "the budget's shortfall in orders"
    );
    assert!(html.contains("<p class=\"summary\">"));
    assert!(html.contains("<th>next volume</th>"), "headers in words");
    assert!(!html.contains(">true<") && !html.contains(">false<"));
    assert!(html.contains("@media print"));
    let footer = &html[html.find("<footer class=\"provenance\">").expect("footer")..];
    assert!(footer.contains(&format!("pacer {}", env!("CARGO_PKG_VERSION"))));
    assert!(footer.contains("Script: scripts/campaign.rhai"), "{footer}");
    // fixtures/ab_landing_pages.csv: its data rows and its SHA-256, computed here
    // independently of the report's code.
    let ab = std::fs::read(root().join("fixtures/ab_landing_pages.csv")).expect("fixture");
    let rows = String::from_utf8_lossy(&ab).lines().count() - 1;
    let sha = String::from_utf8_lossy(
        &std::process::Command::new("sha256sum")
            .arg(root().join("fixtures/ab_landing_pages.csv"))
            .output()
            .expect("sha256sum")
            .stdout,
    )
    .split(' ')
    .next()
    .unwrap_or_default()
    .to_string();
    assert!(
        footer.contains(&format!(
            "Input: fixtures/ab_landing_pages.csv ({} rows",
            pacer::render::group_int(rows as u64)
        )),
        "{footer}"
    );
    assert!(footer.contains(&format!(
        "<!-- sha256 {sha} fixtures/ab_landing_pages.csv -->"
    )));
}

/// The layout probe can fail: a cell too narrow for its text is reported.
#[test]
fn layout_probe_reports_text_overflowing_its_cell() {
    let dir = workdir();
    let page = dir.path().join("narrow.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><table><tr><td style=\"max-width:20px;overflow:hidden;white-space:nowrap\">2024-06-03 to 2024-06-21</td></tr></table></body></html>",
    )
    .expect("write page");
    let Some(layout) = headless_layout(&page) else {
        return;
    };
    assert_eq!(
        layout,
        vec!["overflow 2024-06-03 to 2024-06-21".to_string()]
    );
}
