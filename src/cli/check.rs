//! `pacer check SCRIPT...`: compile without running; report every error.

use super::common::{read_script, session};
use super::diagnostic::render_parse_error;
use super::{EXIT_FAILED, EXIT_OK};
use crate::script::{Limits, Output};
use std::path::Path;

/// Compiles each script; prints `PATH:LINE:COL: message` and the caret for each
/// error; exit 1 if any failed.
pub fn check(scripts: &[std::path::PathBuf]) -> i32 {
    let out = std::env::temp_dir();
    let s = session(
        None,
        &[],
        &out,
        Limits::default(),
        Output::Stdout,
        Vec::new(),
        Vec::new(),
    );
    let mut failed = 0;
    for script in scripts {
        let path = script.display().to_string();
        let source = match read_script(Path::new(script)) {
            Ok(src) => src,
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
                continue;
            }
        };
        if let Err(e) = s.engine.compile(&source) {
            eprintln!("{}", render_parse_error(&path, &source, &e));
            failed += 1;
        }
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} script{} failed to compile",
            scripts.len(),
            if scripts.len() == 1 { "" } else { "s" }
        );
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
