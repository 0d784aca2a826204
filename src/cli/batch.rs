//! `pacer batch SCRIPT INPUT... --out DIR`: one run per input CSV, in parallel, with a
//! summary. A failing input is recorded and does not stop the others.

use super::common::{
    function_names, limits, load_data, parse_data, parse_set, read_script, session,
};
use super::diagnostic::{render_parse_error, render_runtime_error};
use super::{RunArgs, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};
use crate::script::{sandbox_write_atomic, Output};
use crate::table::{Column, Table};
use rhai::Dynamic;
use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The outcome of one input.
#[derive(Debug, Clone)]
struct Outcome {
    input: String,
    ok: bool,
    rows: Option<usize>,
    duration_ms: u128,
    error: String,
}

/// Output folder names: the input's stem, with `_2`, `_3`... when stems repeat.
fn folder_names(inputs: &[PathBuf]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    inputs
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|s| !s.is_empty() && s != "." && s != "..")
                .unwrap_or_else(|| "input".to_string());
            let mut name = stem.clone();
            let mut k = 2;
            while seen.contains(&name) || name == "summary.csv" {
                name = format!("{stem}_{k}");
                k += 1;
            }
            seen.push(name.clone());
            name
        })
        .collect()
}

/// Runs the batch; returns the exit code.
pub fn batch(
    script: &Path,
    inputs: &[PathBuf],
    out: &Path,
    jobs: Option<usize>,
    args: &RunArgs,
) -> i32 {
    let (data, sets, lim) = match (parse_data(&args.data), parse_set(&args.set), limits(args)) {
        (Ok(d), Ok(_), Ok(l)) => (d, args.set.clone(), l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if jobs == Some(0) {
        eprintln!("error: --jobs 0: must be at least 1");
        return EXIT_USAGE;
    }
    if args.explain {
        eprintln!("error: --explain works with `pacer run`, not with batch");
        return EXIT_USAGE;
    }
    let source = match read_script(script) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let path = script.display().to_string();
    // Compile once up front: a script that does not compile fails the whole batch
    // before any input is read.
    if let Err(e) = rhai::Engine::new_raw().compile(&source) {
        eprintln!("error: {}", render_parse_error(&path, &source, &e));
        return EXIT_FAILED;
    }
    let shared = match load_data(&data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let folders = folder_names(inputs);
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(inputs.len().max(1));
    let progress = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new(inputs.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} inputs  {elapsed} (eta {eta})  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; inputs.len()]);
    let extra: Vec<PathBuf> = data
        .iter()
        .map(|d| d.path.clone())
        .chain(inputs.iter().cloned())
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= inputs.len() {
                    break;
                }
                let outcome = run_one(
                    &source,
                    &path,
                    &inputs[i],
                    &out.join(&folders[i]),
                    &lim,
                    &shared,
                    &sets,
                    &extra,
                );
                if let Some(pb) = &progress {
                    if !outcome.ok {
                        pb.set_message(format!("failed: {}", outcome.input));
                    }
                    pb.inc(1);
                }
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(outcome);
                }
            });
        }
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let outcomes: Vec<Outcome> = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if let Err(e) = write_summary(out, &outcomes) {
        eprintln!("error: {e}");
        return EXIT_FAILED;
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} inputs failed; see {}",
            outcomes.len(),
            out.join("summary.csv").display()
        );
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    source: &str,
    path: &str,
    input: &Path,
    dir: &Path,
    lim: &crate::script::Limits,
    shared: &[(String, Table)],
    sets: &[String],
    extra: &[PathBuf],
) -> Outcome {
    let start = Instant::now();
    let name = input.display().to_string();
    let fail = |error: String, rows: Option<usize>| Outcome {
        input: name.clone(),
        ok: false,
        rows,
        duration_ms: start.elapsed().as_millis(),
        error,
    };
    let table = match crate::table::read_csv_path(input) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string(), None),
    };
    let rows = table.n_rows();
    let buf = Rc::new(RefCell::new(String::new()));
    let mut tables: Vec<(String, Table)> = shared.to_vec();
    tables.push(("data".to_string(), table));
    let mut sets = match parse_set(sets) {
        Ok(s) => s,
        Err(e) => return fail(e, Some(rows)),
    };
    sets.push((
        "input".to_string(),
        Dynamic::from(
            input
                .file_name()
                .map_or(name.clone(), |f| f.to_string_lossy().into_owned()),
        ),
    ));
    let mut s = session(
        Some(Path::new(path)),
        extra,
        dir,
        lim.clone(),
        Output::Buffer(buf.clone()),
        tables,
        sets,
    );
    let result = s
        .engine
        .compile_with_scope(&s.scope, source)
        .map_err(|e| render_parse_error(path, source, &e))
        .and_then(|ast| {
            s.engine
                .run_ast_with_scope(&mut s.scope, &ast)
                .map_err(|e| {
                    render_runtime_error(path, source, &e, Some(&s.run), &function_names(&s.engine))
                })
        });
    let stdout = buf.borrow().clone();
    if let Err(e) = sandbox_write_atomic(&dir.join("stdout.txt"), stdout.as_bytes()) {
        return fail(e.to_string(), Some(rows));
    }
    match result {
        Ok(()) => Outcome {
            input: name.clone(),
            ok: true,
            rows: Some(rows),
            duration_ms: start.elapsed().as_millis(),
            error: String::new(),
        },
        Err(e) => fail(e, Some(rows)),
    }
}

fn write_summary(out: &Path, outcomes: &[Outcome]) -> Result<(), String> {
    let col_s = |f: &dyn Fn(&Outcome) -> String| {
        Column::text(outcomes.iter().map(|o| Some(f(o))).collect())
    };
    let table = Table::new(
        "summary.csv",
        vec![
            ("input".into(), col_s(&|o| o.input.clone())),
            (
                "status".into(),
                col_s(&|o| if o.ok { "ok".into() } else { "failed".into() }),
            ),
            (
                "rows".into(),
                Column::int(outcomes.iter().map(|o| o.rows.map(|r| r as i64)).collect()),
            ),
            (
                "duration_ms".into(),
                Column::int(
                    outcomes
                        .iter()
                        .map(|o| Some(o.duration_ms as i64))
                        .collect(),
                ),
            ),
            (
                "error".into(),
                Column::text(
                    outcomes
                        .iter()
                        .map(|o| (!o.error.is_empty()).then(|| o.error.clone()))
                        .collect(),
                ),
            ),
        ],
    )
    .map_err(|e| e.to_string())?;
    let text = crate::table::to_csv_string(&table).map_err(|e| e.to_string())?;
    sandbox_write_atomic(&out.join("summary.csv"), text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_unique() {
        let f = folder_names(&[
            PathBuf::from("a/x.csv"),
            PathBuf::from("b/x.csv"),
            PathBuf::from("y.csv"),
        ]);
        assert_eq!(f, ["x", "x_2", "y"]);
    }
}
