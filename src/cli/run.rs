//! `pacer run SCRIPT`: run one script.

use super::common::{
    function_names, limits, load_data, parse_data, parse_set, read_script, session,
};
use super::diagnostic::{render_parse_error, render_runtime_error};
use super::{RunArgs, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::script::{Output, Stop};
use std::path::Path;

/// Runs the script; returns the exit code.
pub fn run(script: &Path, args: &RunArgs, out: &Path, jobs: Option<usize>) -> i32 {
    if let Some(n) = jobs {
        if n == 0 {
            eprintln!("error: --jobs 0: must be at least 1");
            return EXIT_USAGE;
        }
        // Only fails when the pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let (data, sets, lim) = match (parse_data(&args.data), parse_set(&args.set), limits(args)) {
        (Ok(d), Ok(s), Ok(l)) => (d, s, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let source = match read_script(script) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let tables = match load_data(&data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let extra: Vec<_> = data.iter().map(|d| d.path.clone()).collect();
    let mut s = session(Some(script), &extra, out, lim, Output::Stdout, tables, sets);
    if args.explain {
        s.run.connections.start_explaining();
    }
    let path = script.display().to_string();
    let ast = match s.engine.compile_with_scope(&s.scope, &source) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {}", render_parse_error(&path, &source, &e));
            return EXIT_FAILED;
        }
    };
    let result = s.engine.run_ast_with_scope(&mut s.scope, &ast);
    if args.explain {
        // What each pushed-down call would have sent, in call order.
        println!("\n-- SQL of the calls pushed down to a warehouse (not run: --explain)");
        for sql in s.run.connections.explained() {
            println!("{sql}");
        }
    }
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            // A closed stdout (`pacer run x.rhai | head -1`) is not an error.
            if s.run.stop.get() == Some(Stop::PipeClosed) {
                return EXIT_OK;
            }
            let known = function_names(&s.engine);
            eprintln!(
                "error: {}",
                render_runtime_error(&path, &source, &e, Some(&s.run), &known)
            );
            EXIT_FAILED
        }
    }
}
