//! `pacer run SCRIPT`: run one script.

use super::config::{
    is_stdin_script, read_script, refuse_stdin_data, script_name, Config, ScriptArgs, SessionSpec,
};
use super::diagnostic::render_script_error;
use super::error::{failed, CliResult, Exit};
use super::ui::Ui;
use crate::script::{Output, ScriptError, Stop};
use std::path::Path;

/// Sizes the global pool for native parallel work.
pub fn set_threads(jobs: Option<usize>) {
    if let Some(n) = jobs {
        // Only fails when the pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
}

/// Removes the temporary files that a killed run left under `dir` (down to `depth`
/// folders, links not followed): those whose writer process no longer exists. Files
/// being written by a live run are left alone.
fn remove_dead_temp_files(dir: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if kind.is_dir() && depth > 0 {
            remove_dead_temp_files(&e.path(), depth - 1);
        } else if kind.is_file() {
            if let Some(pid) = crate::script::sandbox_temp_writer(&name) {
                if !super::batch::alive(pid) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Runs the script (`-`: read from standard input, named `<stdin>` in messages, with
/// only the current directory readable).
pub fn run(script: &Path, args: &ScriptArgs, ui: &Ui) -> CliResult {
    let from_stdin = is_stdin_script(script);
    if from_stdin {
        refuse_stdin_data(args, "the script (pacer run -)")?;
    }
    let config = Config::new(args, ui)?;
    set_threads(config.jobs);
    remove_dead_temp_files(&config.out, 4);
    let source = read_script(script)?;
    let mut s = config.session(SessionSpec {
        script: (!from_stdin).then_some(script),
        out: &config.out,
        read: &[],
        limits: config.limits.clone(),
        output: Output::Stdout,
        tables: Vec::new(),
        constants: Vec::new(),
    });
    if config.explain {
        s.run.connections.start_explaining();
    }
    let path = script_name(script);
    let result = s.compile(&source).map_err(ScriptError::from);
    if result.is_ok() {
        for w in s.param_warnings(&source) {
            ui.warn(&w);
        }
    }
    let result = result.and_then(|ast| s.eval(&ast).map_err(ScriptError::from));
    if config.explain {
        // What each pushed-down call would have sent, in call order.
        println!("\n-- SQL of the calls pushed down to a warehouse (not run: --explain)");
        for sql in s.run.connections.explained() {
            println!("{sql}");
        }
    }
    match result {
        Ok(_) => Ok(Exit::Ok),
        // A closed stdout (`pacer run x.rhai | head -1`) is not an error.
        Err(_) if s.run.stop.get() == Some(Stop::PipeClosed) => Ok(Exit::Ok),
        Err(e) => Err(failed(render_script_error(&path, &source, &e, &s))),
    }
}
