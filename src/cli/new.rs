//! `pacer new NAME`: scaffold a campaign folder a planner can start from: the main
//! campaign script and a `data/` folder of template CSVs (the bundled summer promotion),
//! rewired so that the script reads the folder's own files.
//!
//! The templates are the repository's fixtures, compiled into the binary, so the
//! scaffold always matches the formats the engine reads and the script that the tests
//! run; a test runs the scaffolded script.

use super::error::{failed, CliResult, Exit};
use std::path::Path;

/// One file of the scaffold: where the campaign script reads it in the repository, the
/// name it gets in the new folder, and its text.
struct Template {
    repo_path: &'static str,
    name: &'static str,
    text: &'static str,
}

macro_rules! template {
    ($repo:literal, $name:literal) => {
        Template {
            repo_path: $repo,
            name: $name,
            text: include_str!(concat!("../../", $repo)),
        }
    };
}

/// The data files, in the order the README of the scaffold lists them.
const DATA: &[Template] = &[
    template!("fixtures/campaign/targets.csv", "data/targets.csv"),
    template!("fixtures/campaign/channels.csv", "data/channels.csv"),
    template!(
        "fixtures/campaign/past_campaigns.csv",
        "data/past_campaigns.csv"
    ),
    template!("fixtures/sop/tasks.csv", "data/tasks.csv"),
    template!("fixtures/sop/owners.csv", "data/owners.csv"),
    template!("fixtures/sop/calendar.csv", "data/calendar.csv"),
    template!("fixtures/sop/unavailable.csv", "data/unavailable.csv"),
    template!("fixtures/ab_landing_pages.csv", "data/ab_landing_pages.csv"),
    template!("fixtures/events.csv", "data/events.csv"),
    template!("fixtures/review/summer_metrics.csv", "data/metrics.csv"),
    template!(
        "fixtures/review/summer_funnel.csv",
        "data/funnel_actuals.csv"
    ),
    template!("fixtures/review/summer_actions.csv", "data/actions.csv"),
    template!("fixtures/review/summer_lessons.csv", "data/lessons.csv"),
];

/// The workbook templates beside the CSVs (written by openpyxl from the same CSVs with
/// fixtures/formats/xlsx/make_templates.py): the SOP (sheets tasks, owners, calendar,
/// unavailable) and the review (sheets metrics, funnel, actions, lessons). The campaign
/// script runs from either form.
const WORKBOOKS: &[(&str, &[u8])] = &[
    (
        "data/sop.xlsx",
        include_bytes!("../../fixtures/sop/sop.xlsx"),
    ),
    (
        "data/review.xlsx",
        include_bytes!("../../fixtures/review/summer_review.xlsx"),
    ),
];

const SCRIPT: &str = include_str!("../../scripts/campaign.rhai");

const README: &str = "\
# A pacer campaign folder

Run the campaign (from this folder's parent or from inside it):

    pacer run campaign.rhai --out out

It prints a summary and writes `out/campaign.html` (open it in a browser) and CSVs.

The data files are templates filled with an example (a summer promotion): replace their
rows with your own, keep the header lines. Every column is described in pacer's
docs/formats.md.

- data/targets.csv: the funnel plan, one row per stage, with its target volume and rate
- data/channels.csv: the media channels, their share of the visits, CTR and price
- data/past_campaigns.csv: spend and orders of past campaigns per channel (response curves)
- data/tasks.csv, owners.csv, calendar.csv, unavailable.csv: the execution SOP
- data/ab_landing_pages.csv: the A/B test, one row per visitor (variant, converted, revenue, device, orders)
- data/events.csv: the tracking-point export (one row per event)
- data/metrics.csv, funnel_actuals.csv, actions.csv, lessons.csv: the review's targets and
  actuals, the planned and actual stage volumes, action items and lessons
- data/sop.xlsx and data/review.xlsx: the same SOP and review as Excel workbooks, one sheet
  per file above (tasks, owners, calendar, unavailable; metrics, funnel, actions,
  lessons). To plan from them, read them in campaign.rhai instead of the CSVs, e.g.
  `schedule(\"data/sop.xlsx\", #{ sheet: \"tasks\", owners: load_xlsx(\"data/sop.xlsx\", #{ sheet: \"owners\" }), .. })`
  and `review(\"data/review.xlsx\", #{ sheet: \"metrics\" })`
";

/// The campaign script with its data paths pointing into the scaffold's `data/`.
fn script() -> String {
    DATA.iter()
        .fold(SCRIPT.to_string(), |s, t| s.replace(t.repo_path, t.name))
}

/// Creates the folder `name` with the script, the README and the data templates; refuses
/// to touch an existing path. Everything is written into a temporary folder beside it
/// first and moved into place at the end, so a failure leaves nothing behind.
pub fn new(name: &Path) -> CliResult {
    scaffold(name).map_err(failed)?;
    let shown = name.display();
    println!(
        "created {shown}/ with campaign.rhai, README.md and data/ ({} template CSVs, {} workbooks)",
        DATA.len(),
        WORKBOOKS.len()
    );
    println!("next: cd {shown} && pacer run campaign.rhai --out out");
    Ok(Exit::Ok)
}

fn scaffold(name: &Path) -> Result<(), String> {
    if name.as_os_str().is_empty() {
        return Err("pacer new: give the name of the folder to create".into());
    }
    if name.exists() {
        return Err(format!(
            "{}: already exists; pacer new only creates a new folder",
            name.display()
        ));
    }
    let parent = match name.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!("{}: no such folder", parent.display()));
    }
    let err = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
    let tmp = tempfile::Builder::new()
        .prefix(".pacer-new-")
        .tempdir_in(parent)
        .map_err(|e| err(parent, e))?;
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("campaign.rhai", script().into_bytes()),
        ("README.md", README.as_bytes().to_vec()),
    ];
    files.extend(DATA.iter().map(|t| (t.name, t.text.as_bytes().to_vec())));
    files.extend(
        WORKBOOKS
            .iter()
            .map(|(name, bytes)| (*name, bytes.to_vec())),
    );
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
        }
        std::fs::write(&path, text).map_err(|e| err(&path, e))?;
    }
    // The temporary folder is private (0700); the campaign folder is an ordinary one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| err(tmp.path(), e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, name).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        err(name, e)
    })
}
