//! Rendering errors once, at the edge: `PATH:LINE:COL: message`, the source line, and
//! a caret under the column that lines up even with tabs and wide (CJK) characters.

use crate::script::{RunContext, ScriptError, Session, Stop};
use rhai::{EvalAltResult, ParseError, Position};
use unicode_width::UnicodeWidthChar;

/// The source line and a caret line for `pos` (1-based line and column).
pub fn snippet(source: &str, pos: Position) -> Option<String> {
    let line_no = pos.line()?;
    let line = source.lines().nth(line_no - 1)?;
    let col = pos.position().unwrap_or(1).max(1);
    let mut pad = String::new();
    for ch in line.chars().take(col - 1) {
        match ch {
            '\t' => pad.push('\t'),
            c => pad.push_str(&" ".repeat(c.width().unwrap_or(0))),
        }
    }
    Some(format!("{line}\n{pad}^"))
}

fn locate(path: &str, pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
        (Some(l), None) => format!("{path}:{l}"),
        _ => path.to_string(),
    }
}

/// `PATH:LINE:COL: message` plus the snippet, for a compile error.
pub fn render_parse_error(path: &str, source: &str, err: &ParseError) -> String {
    let pos = err.position();
    let msg = err.err_type().to_string();
    let mut out = format!("{}: {msg}", locate(path, pos));
    if let Some(s) = snippet(source, pos) {
        out.push('\n');
        out.push_str(&s);
    }
    out
}

/// Renders a session's error for the script at `path` with text `source`.
pub fn render_script_error(path: &str, source: &str, err: &ScriptError, s: &Session) -> String {
    match err {
        ScriptError::Parse(e) => render_parse_error(path, source, e),
        ScriptError::Runtime(e) => {
            render_runtime_error(path, source, e, Some(&s.run), &known_functions(s))
        }
    }
}

/// Every function the session can call: registered ones and those its inputs defined.
pub fn known_functions(s: &Session) -> Vec<String> {
    let mut names = crate::script::reference::function_names().to_vec();
    names.extend(s.script_functions());
    names
}

/// Explains a run-time error: limits name the flag that raises them; a missing
/// function gets a did-you-mean; the position and snippet are added.
pub fn render_runtime_error(
    path: &str,
    source: &str,
    err: &EvalAltResult,
    run: Option<&RunContext>,
    known_functions: &[String],
) -> String {
    // Errors inside functions and closures: report the innermost position in this source.
    let mut inner = err;
    let mut frames = Vec::new();
    while let EvalAltResult::ErrorInFunctionCall(name, _src, e, pos) = inner {
        if !name.starts_with("anon$") {
            frames.push((name.clone(), *pos));
        }
        inner = e;
    }
    let pos = inner.position();
    let pos = if pos.is_none() {
        frames.last().map_or(err.position(), |f| f.1)
    } else {
        pos
    };
    let msg = describe(inner, run, known_functions);
    let mut out = format!("{}: {msg}", locate(path, pos));
    if let Some(s) = snippet(source, pos) {
        out.push('\n');
        out.push_str(&s);
    }
    for (name, p) in frames.iter().rev() {
        if let Some(l) = p.line() {
            out.push_str(&format!("\n  in a call to {name} at line {l}"));
        }
    }
    out
}

fn operations_message(run: Option<&RunContext>) -> String {
    let n = run.map_or(0, |r| r.limits.max_operations);
    format!(
        "the script was stopped: it reached the operation limit of {} operations (raise it with --max-ops N)",
        crate::render::group_int(n)
    )
}

fn describe(err: &EvalAltResult, run: Option<&RunContext>, known: &[String]) -> String {
    match err {
        EvalAltResult::ErrorTooManyOperations(_) => operations_message(run),
        EvalAltResult::ErrorTerminated(_, _) => match run.and_then(|r| r.stop.get()) {
            Some(Stop::Operations) => operations_message(run),
            Some(Stop::Memory(used)) => format!(
                "the script was stopped: pacer held {} of memory, more than the limit of {} (raise it with --max-memory SIZE)",
                crate::mem::show_size(used),
                crate::mem::show_size(run.map_or(0, |r| r.limits.max_memory))
            ),
            Some(Stop::Timeout(t)) => format!(
                "the script was stopped: it ran longer than the time limit of {} s (raise it with --timeout SECS)",
                t.as_secs_f64()
            ),
            Some(Stop::Interrupted) => "the script was interrupted".to_string(),
            _ => "the script was stopped".to_string(),
        },
        EvalAltResult::ErrorStackOverflow(_) => {
            let n = run.map_or(0, |r| r.limits.max_call_levels);
            format!("the script was stopped: function calls nested deeper than the limit of {n} levels (runaway recursion?)")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let limits = run.map(|r| r.limits.clone()).unwrap_or_default();
            let what = match what.as_str() {
                "Length of string" => format!(
                    "a string grew past the limit of {}",
                    crate::mem::show_size(limits.max_string_size as u64)
                ),
                "Size of array" => format!(
                    "an array grew past the limit of {} elements",
                    crate::render::group_int(limits.max_array_size as u64)
                ),
                "Size of object map" => format!(
                    "an object map grew past the limit of {} keys",
                    crate::render::group_int(limits.max_map_size as u64)
                ),
                other => format!("{} exceeds its size limit", other.to_lowercase()),
            };
            format!("the script was stopped: {what}")
        }
        EvalAltResult::ErrorFunctionNotFound(sig, _) => {
            let name = sig.split(['(', ' ']).next().unwrap_or(sig);
            let hint = crate::suggest::closest(name, known.iter().map(String::as_str))
                .filter(|s| *s != name)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            if known.iter().any(|k| k == name) {
                format!("no function {sig}: {name} exists but not for these argument types (see `pacer docs` or :help {name})")
            } else {
                format!("unknown function {sig}{hint}")
            }
        }
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        other => {
            let s = other.to_string();
            match s.rfind(" (line ") {
                Some(i) if s.ends_with(')') => s[..i].to_string(),
                _ => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_lines_up_with_tabs_and_wide_characters() {
        let src = "let a = 1;\n\tlet 名 = ;\n";
        let s = snippet(src, Position::new(2, 10)).unwrap_or_default();
        assert_eq!(s, format!("\tlet 名 = ;\n\t{}^", " ".repeat(9)));
    }
}
