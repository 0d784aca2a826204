//! `pacer check SCRIPT...`: compile without running; report syntax errors, calls to
//! functions that are neither registered nor defined in the script, and wrong argument
//! counts, each as `PATH:LINE:COL: message` with the source line and a caret.

use super::config::{read_script, script_name};
use super::diagnostic::{render_parse_error, snippet};
use super::error::{failed, CliResult, Exit};
use super::ui::Ui;
use crate::script::{build_engine, EngineConfig, Limits, Output, Sandbox};
use std::path::PathBuf;

/// Checks each script; exit 1 if any has a problem.
pub fn check(scripts: &[PathBuf], ui: &Ui) -> CliResult {
    // The engine scripts run in, with the same limits (expression depth included).
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (engine, _) = build_engine(EngineConfig {
        limits: Limits::default(),
        sandbox: Sandbox::new(&here, None, &[], &here.join("out")),
        output: Output::Buffer(Default::default()),
    });
    let mut bad = 0;
    for script in scripts {
        let path = script_name(script);
        let source = match read_script(script) {
            Ok(src) => src,
            Err(e) => {
                ui.error(&e.to_string());
                bad += 1;
                continue;
            }
        };
        let ast = match engine.compile(&source) {
            Ok(ast) => ast,
            Err(e) => {
                eprintln!("{}", render_parse_error(&path, &source, &e));
                bad += 1;
                continue;
            }
        };
        let problems = crate::script::lint::check_calls(&source, &ast);
        for p in &problems {
            let pos = rhai::Position::new(
                u16::try_from(p.line).unwrap_or(u16::MAX),
                u16::try_from(p.column).unwrap_or(u16::MAX),
            );
            let mut text = format!("{path}:{}:{}: {}", p.line, p.column, p.message);
            if let Some(s) = snippet(&source, pos) {
                text.push('\n');
                text.push_str(&s);
            }
            eprintln!("{text}");
        }
        if !problems.is_empty() {
            bad += 1;
        }
    }
    let n = scripts.len();
    let files = if n == 1 { "file" } else { "files" };
    if bad > 0 {
        return Err(failed(format!("{bad} of {n} {files} failed the check")));
    }
    if !ui.quiet() {
        println!("ok: {n} {files}");
    }
    Ok(Exit::Ok)
}
