//! `pacer merge OUT`: joins the summary parts the shards of a batch wrote
//! (`summary.part-I-of-N.csv`) into OUT/summary.csv, the file one unsharded run writes,
//! and exits as that run would have: 0 when every input ran ok, 3 when some failed, 1
//! when none ran ok.

use super::error::{failed, CliResult};
use super::summary;
use super::ui::Ui;
use std::path::Path;

/// Merges the parts in `out`.
pub fn merge(out: &Path, ui: &Ui) -> CliResult {
    let entries = std::fs::read_dir(out).map_err(|e| {
        failed(format!(
            "{}: {}",
            out.display(),
            crate::table::io_reason(&e)
        ))
    })?;
    let mut parts: Vec<(usize, usize, std::path::PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(body) = name
            .strip_prefix("summary.part-")
            .and_then(|s| s.strip_suffix(".csv"))
        else {
            continue;
        };
        let Some((i, n)) = body.split_once("-of-") else {
            continue;
        };
        if let (Ok(i), Ok(n)) = (i.parse::<usize>(), n.parse::<usize>()) {
            parts.push((i, n, e.path()));
        }
    }
    if parts.is_empty() {
        return Err(failed(format!(
            "{}: no summary parts (summary.part-I-of-N.csv) to merge; run `pacer batch ... --shard I/N --out {}` first",
            out.display(),
            out.display()
        )));
    }
    parts.sort();
    let n = parts[0].1;
    if let Some(p) = parts.iter().find(|p| p.1 != n) {
        return Err(failed(format!(
            "{}: parts of {n} and of {} shards are mixed in this folder",
            p.2.display(),
            p.1
        )));
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !parts.iter().any(|p| p.0 == *i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(failed(format!(
            "{}: the parts of shard{} {} of {n} are missing (has that shard run?)",
            out.display(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for (_, _, p) in &parts {
        rows.extend(summary::read_part(p).map_err(failed)?);
    }
    let path = summary::path(out, None);
    summary::write(&path, &rows, false).map_err(failed)?;
    let (ok, nfailed, other) = summary::counts(&rows);
    let exit = summary::exit_code(&rows);
    let rest = if other > 0 {
        format!(", {other} not run")
    } else {
        String::new()
    };
    ui.status(
        &format!(
            "{ok} ok, {nfailed} failed{rest} in {n} shards (summary: {})",
            path.display()
        ),
        exit == super::Exit::Ok,
    );
    Ok(exit)
}
