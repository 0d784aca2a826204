//! `pacer repl`: the planner's interactive session. On a terminal: rustyline with
//! history, multi-line input, completion and `:help`; on piped stdin: statements line
//! by line, no prompts, the same multi-line rule.

use super::common::{function_names, load_data, parse_data, read_script, session, Session};
use super::diagnostic::{render_parse_error, render_runtime_error};
use super::docs::reference;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::script::{Limits, Output};
use crate::table::Table;
use rhai::{Dynamic, Engine, ParseError, ParseErrorType, AST};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// True when a parse error means "the input is not finished yet" (an open block, a
/// trailing operator, an unterminated string) rather than a mistake.
pub fn is_incomplete(input: &str, err: &ParseError) -> bool {
    if matches!(err.err_type(), ParseErrorType::UnexpectedEOF) {
        return true;
    }
    let pos = err.position();
    let Some(line) = pos.line() else {
        return true;
    };
    let lines: Vec<&str> = input.lines().collect();
    let last = lines.len().max(1);
    if line > last {
        return true;
    }
    if line < last {
        // An error before the last line is only "incomplete" when everything after it
        // is blank.
        return lines[line..].iter().all(|l| l.trim().is_empty())
            && at_line_end(lines.get(line - 1).copied().unwrap_or(""), pos.position());
    }
    at_line_end(lines.get(line - 1).copied().unwrap_or(""), pos.position())
        || matches!(err.err_type(), ParseErrorType::MissingToken(..))
            && input
                .trim_end()
                .ends_with(['{', '(', '[', ',', '+', '-', '*', '/', '=', '|', '&'])
}

fn at_line_end(line: &str, col: Option<usize>) -> bool {
    col.is_none_or(|c| c > line.trim_end().chars().count())
}

/// The session state: engine, scope and the functions defined so far.
struct Repl {
    s: Session,
    functions: AST,
    names: Rc<RefCell<Vec<String>>>,
}

impl Repl {
    /// Evaluates one complete input; returns the text to show (if any).
    fn eval(&mut self, input: &str, label: &str) -> Result<Option<String>, String> {
        let ast = self
            .s
            .engine
            .compile_with_scope(&self.s.scope, input)
            .map_err(|e| render_parse_error(label, input, &e))?;
        let combined = self.functions.merge(&ast);
        // Each input has the whole operation limit.
        self.s.run.ops.reset();
        let result = self
            .s
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.s.scope, &combined);
        self.functions = combined.clone_functions_only();
        self.refresh_names();
        match result {
            Ok(v) if v.is_unit() => Ok(None),
            Ok(v) => Ok(Some(show(&self.s.engine, &v))),
            Err(e) => {
                let known = function_names(&self.s.engine);
                Err(render_runtime_error(
                    label,
                    input,
                    &e,
                    Some(&self.s.run),
                    &known,
                ))
            }
        }
    }

    fn refresh_names(&self) {
        let mut names = function_names(&self.s.engine);
        names.extend(self.s.scope.iter_raw().map(|(n, _, _)| n.to_string()));
        names.extend(self.functions.iter_functions().map(|f| f.name.to_string()));
        names.sort();
        names.dedup();
        *self.names.borrow_mut() = names;
    }

    /// Handles a `:command`; returns false on `:quit`.
    fn command(&mut self, line: &str, out: &mut dyn Write) -> bool {
        let mut parts = line.trim().splitn(2, char::is_whitespace);
        let cmd = parts.next().unwrap_or("");
        let arg = parts.next().map(str::trim).unwrap_or("");
        let text = match cmd {
            ":quit" | ":q" | ":exit" => return false,
            ":help" | ":h" => help(arg),
            ":vars" => {
                let mut rows: Vec<String> = self
                    .s
                    .scope
                    .iter_raw()
                    .map(|(n, constant, v)| {
                        format!(
                            "{n}: {}{}",
                            type_label(&self.s.engine, v),
                            if constant { " (constant)" } else { "" }
                        )
                    })
                    .collect();
                if rows.is_empty() {
                    rows.push("no variables yet".to_string());
                }
                rows.join("\n")
            }
            ":load" => {
                if arg.is_empty() {
                    "usage: :load FILE".to_string()
                } else {
                    match read_script(Path::new(arg)) {
                        Err(e) => format!("error: {e}"),
                        Ok(src) => match self.eval(&src, arg) {
                            Ok(Some(v)) => v,
                            Ok(None) => format!("loaded {arg}"),
                            Err(e) => format!("error: {e}"),
                        },
                    }
                }
            }
            other => format!("unknown command {other}: try :help, :vars, :load FILE, :quit"),
        };
        let _ = writeln!(out, "{text}");
        true
    }
}

fn type_label(engine: &Engine, v: &Dynamic) -> String {
    if let Some(t) = v.read_lock::<Table>() {
        return format!("Table ({} rows: {})", t.n_rows(), t.names().join(", "));
    }
    engine.map_type_name(v.type_name()).to_string()
}

/// How the REPL echoes a value: tables as aligned tables, the domains' types (a funnel,
/// a plan, a review...) through their `to_string`, as `print` shows them, other values
/// as Rhai displays them.
fn show(engine: &Engine, v: &Dynamic) -> String {
    if let Some(t) = v.read_lock::<Table>() {
        return crate::render::render_table_limited(&t, 50);
    }
    if v.is_variant() {
        let mut scope = rhai::Scope::new();
        scope.push_dynamic("value", v.clone());
        if let Ok(text) = engine.eval_with_scope::<String>(&mut scope, "to_string(value)") {
            return text;
        }
    }
    v.to_string()
}

fn help(arg: &str) -> String {
    let docs = reference();
    if arg.is_empty() {
        let mut out = String::from("pacer REPL. Commands: :help [NAME], :vars, :load FILE, :quit.\nDomains and their functions:\n");
        for d in &docs {
            let mut names: Vec<&str> = d.functions.iter().map(|f| f.name.as_str()).collect();
            names.dedup();
            out.push_str(&format!(
                "  {} ({}): {}\n",
                d.name,
                d.about,
                names.join(", ")
            ));
        }
        out.push_str("Type :help NAME for a function's signature and doc.");
        return out;
    }
    let matches: Vec<String> = docs
        .iter()
        .flat_map(|d| d.functions.iter())
        .filter(|f| f.name == arg)
        .map(|f| format!("{}\n{}", f.signature, indent(&f.doc)))
        .collect();
    if matches.is_empty() {
        if let Some(d) = docs.iter().find(|d| d.name == arg) {
            let sigs: Vec<String> = d
                .functions
                .iter()
                .map(|f| format!("  {}", f.signature))
                .collect();
            return format!("{}: {}\n{}", d.name, d.about, sigs.join("\n"));
        }
        let all: Vec<String> = docs
            .iter()
            .flat_map(|d| d.functions.iter().map(|f| f.name.clone()))
            .collect();
        let hint = crate::suggest::closest(arg, all.iter().map(String::as_str))
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        return format!("no function or domain named '{arg}'{hint}");
    }
    matches.join("\n\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

struct ReplHelper {
    names: Rc<RefCell<Vec<String>>>,
    engine: rhai::Engine,
}

impl Helper for ReplHelper {}
impl Highlighter for ReplHelper {}
impl Hinter for ReplHelper {
    type Hint = String;
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let word = &line[start..pos];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let pool: Vec<String> = if word.starts_with(':') {
            [":help", ":vars", ":load", ":quit"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.names.borrow().clone()
        };
        let pairs = pool
            .into_iter()
            .filter(|n| n.starts_with(word))
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if input.trim_start().starts_with(':') {
            return Ok(ValidationResult::Valid(None));
        }
        match self.engine.compile(input) {
            Err(e) if is_incomplete(input, &e) => Ok(ValidationResult::Incomplete),
            _ => Ok(ValidationResult::Valid(None)),
        }
    }
}

fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(base.join("pacer").join("history.txt"))
}

/// Runs the REPL; returns the exit code.
pub fn repl(data: &[String], out: &Path, allow_url: &[String]) -> i32 {
    if let Err(e) = super::common::allowed_urls(allow_url) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let data = match parse_data(data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let tables = match load_data(&data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let extra: Vec<PathBuf> = data.iter().map(|d| d.path.clone()).collect();
    let s = session(
        None,
        &extra,
        out,
        Limits {
            allow_urls: allow_url.to_vec(),
            ..Limits::default()
        },
        Output::Stdout,
        tables,
        Vec::new(),
    );
    let names = Rc::new(RefCell::new(Vec::new()));
    let mut repl = Repl {
        s,
        functions: AST::empty(),
        names: names.clone(),
    };
    repl.refresh_names();
    if std::io::stdin().is_terminal() {
        interactive(&mut repl, names)
    } else {
        piped(&mut repl)
    }
}

fn piped(repl: &mut Repl) -> i32 {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let mut buffer = String::new();
    let mut failed = false;
    let mut start_line = 1;
    let mut line_no = 0;
    let checker = rhai::Engine::new_raw();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        line_no += 1;
        if buffer.is_empty() {
            start_line = line_no;
            if line.trim().is_empty() {
                continue;
            }
            if line.trim_start().starts_with(':') {
                if !repl.command(&line, &mut stdout) {
                    break;
                }
                continue;
            }
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if let Err(e) = checker.compile(&buffer) {
            if is_incomplete(&buffer, &e) {
                continue;
            }
        }
        let label = format!("<stdin line {start_line}>");
        match repl.eval(&buffer, &label) {
            Ok(Some(v)) => {
                if writeln!(stdout, "{v}").is_err() {
                    return EXIT_OK;
                }
            }
            Ok(None) => {}
            Err(e) => {
                failed = true;
                eprintln!("error: {e}");
            }
        }
        buffer.clear();
    }
    if !buffer.trim().is_empty() {
        eprintln!(
            "error: <stdin line {start_line}>: the input ended inside an unfinished statement"
        );
        failed = true;
    }
    if failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn interactive(repl: &mut Repl, names: Rc<RefCell<Vec<String>>>) -> i32 {
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor =
        match rustyline::Editor::<ReplHelper, rustyline::history::DefaultHistory>::with_config(
            config,
        ) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: cannot start the line editor: {e}");
                return EXIT_FAILED;
            }
        };
    editor.set_helper(Some(ReplHelper {
        names,
        engine: rhai::Engine::new_raw(),
    }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "pacer {} — type :help for help, :quit to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut stdout = std::io::stdout();
    loop {
        match editor.readline("pacer> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                if line.trim_start().starts_with(':') {
                    if !repl.command(&line, &mut stdout) {
                        break;
                    }
                    continue;
                }
                match repl.eval(&line, "<repl>") {
                    Ok(Some(v)) => println!("{v}"),
                    Ok(None) => {}
                    Err(e) => eprintln!("error: {e}"),
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let saved = h
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(|e| e.to_string())
            .and_then(|_| editor.save_history(h).map_err(|e| e.to_string()));
        if let Err(e) = saved {
            eprintln!("note: could not save the history to {}: {e}", h.display());
        }
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incomplete(src: &str) -> bool {
        match rhai::Engine::new_raw().compile(src) {
            Ok(_) => false,
            Err(e) => is_incomplete(src, &e),
        }
    }

    #[test]
    fn detects_unfinished_input() {
        assert!(incomplete("fn f(x) {\n"));
        assert!(incomplete("fn f(x) {\n  x * 2\n"));
        assert!(incomplete("let x = 1 +\n"));
        assert!(incomplete("let s = [1, 2,\n"));
        assert!(!incomplete("let x = 6;\n"));
        assert!(!incomplete("let = 5;\n"));
        assert!(!incomplete("x +* 2;\n"));
    }
}
