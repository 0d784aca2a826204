//! `pacer repl`: the planner's interactive session, with the same flags as `run`. On a
//! terminal: rustyline with history (appended after every entry), multi-line input,
//! completion and `:help`; Ctrl-C stops a running evaluation and keeps every variable,
//! Ctrl-D leaves. On piped stdin: statements line by line, no prompts, the same
//! multi-line rule.

use super::config::{refuse_stdin_data, Config, ScriptArgs, SessionSpec};
use super::diagnostic::render_script_error;
use super::error::{failed, usage, CliResult, Exit};
use super::ui::Ui;
use crate::script::reference::reference;
use crate::script::{Output, Session};
use crate::table::Table;
use rhai::{Dynamic, Engine, ParseError, ParseErrorType};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

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

/// The REPL: its session, the inputs accepted so far (for `:save`), and settings.
struct Repl {
    s: Session,
    /// Names the session defined (variables, functions), for completion.
    names: Rc<RefCell<Vec<String>>>,
    accepted: Vec<String>,
    timing: bool,
    interrupt: Option<Arc<AtomicBool>>,
    ui: Ui,
}

impl Repl {
    /// Evaluates one complete input; returns the text to show (if any).
    fn eval(&mut self, input: &str, label: &str) -> Result<Option<String>, String> {
        self.s.restart();
        let started = Instant::now();
        let result = self.s.run(input);
        let took = started.elapsed();
        if let Some(f) = &self.interrupt {
            f.store(false, Ordering::SeqCst);
        }
        self.refresh_names();
        let shown = match result {
            Ok(v) => {
                self.accepted.push(input.trim_end().to_string());
                if v.is_unit() {
                    Ok(None)
                } else {
                    Ok(Some(show(&self.s.engine, &v)))
                }
            }
            Err(e) => Err(render_script_error(label, input, &e, &self.s)),
        };
        if self.timing {
            let ms = took.as_secs_f64() * 1000.0;
            let t = format!("time: {ms:.1} ms");
            return match shown {
                Ok(Some(v)) => Ok(Some(format!("{v}\n{t}"))),
                Ok(None) => Ok(Some(t)),
                Err(e) => Err(format!("{e}\n{t}")),
            };
        }
        shown
    }

    fn refresh_names(&self) {
        let mut names: Vec<String> = self
            .s
            .scope
            .iter_raw()
            .map(|(n, _, _)| n.to_string())
            .collect();
        names.extend(self.s.script_functions());
        names.sort();
        names.dedup();
        *self.names.borrow_mut() = names;
    }

    /// `:load FILE`: reads the file under the same rules as scripts' reads (the current
    /// directory, the script's directory, files named on the command line), so a file
    /// elsewhere is refused before anything of it is read or shown.
    fn load(&mut self, arg: &str) -> Result<Option<String>, String> {
        let path = self
            .s
            .run
            .sandbox
            .resolve_read(arg)
            .map_err(|e| e.to_string())?;
        let src = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{arg}: cannot read the script: {}",
                crate::table::io_reason(&e)
            )
        })?;
        Ok(Some(
            self.eval(&src, arg)?
                .unwrap_or_else(|| format!("loaded {arg}")),
        ))
    }

    /// `:save FILE`: the accepted inputs, in order, as a script.
    fn save(&self, arg: &str) -> Result<String, String> {
        let mut text = self.accepted.join("\n");
        text.push('\n');
        crate::script::sandbox_write_atomic(Path::new(arg), text.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "saved {} input{} to {arg}",
            self.accepted.len(),
            if self.accepted.len() == 1 { "" } else { "s" }
        ))
    }

    /// Handles a `:command`; returns `None` on `:quit`, else whether it failed.
    fn command(&mut self, line: &str, out: &mut dyn Write) -> Option<bool> {
        let mut parts = line.trim().splitn(2, char::is_whitespace);
        let cmd = parts.next().unwrap_or("");
        let arg = parts.next().map(str::trim).unwrap_or("");
        let result: Result<String, String> = match cmd {
            ":quit" | ":q" | ":exit" => return None,
            ":help" | ":h" => Ok(help(arg)),
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
                Ok(rows.join("\n"))
            }
            ":load" if arg.is_empty() => Err("usage: :load FILE".to_string()),
            ":load" => self.load(arg).map(Option::unwrap_or_default),
            ":save" if arg.is_empty() => Err("usage: :save FILE".to_string()),
            ":save" => self.save(arg),
            ":time" => {
                self.timing = !self.timing;
                Ok(format!("timing {}", if self.timing { "on" } else { "off" }))
            }
            ":reset" => {
                self.s.reset();
                self.accepted.clear();
                self.refresh_names();
                Ok("the session is reset: every variable and function is gone (--data and --set are bound again)".to_string())
            }
            other => Err(format!(
                "unknown command {other}: try {}",
                COMMANDS.join(", ")
            )),
        };
        match result {
            Ok(text) => {
                if !text.is_empty() {
                    let _ = writeln!(out, "{text}");
                }
                Some(false)
            }
            Err(e) => {
                self.ui.error(&e);
                Some(true)
            }
        }
    }
}

const COMMANDS: &[&str] = &[
    ":help",
    ":vars",
    ":load FILE",
    ":save FILE",
    ":time",
    ":reset",
    ":quit",
];

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
        let mut out = format!(
            "pacer REPL. Commands: {}. Ctrl-C stops a running evaluation; Ctrl-D leaves.\nDomains and their functions:\n",
            COMMANDS.join(", ")
        );
        for d in docs {
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
            COMMANDS
                .iter()
                .filter_map(|s| s.split(' ').next())
                .map(str::to_string)
                .collect()
        } else {
            let mut all = crate::script::reference::function_names().to_vec();
            all.extend(self.names.borrow().iter().cloned());
            all
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

/// Runs the REPL.
pub fn repl(args: &ScriptArgs, ui: &Ui) -> CliResult {
    refuse_stdin_data(args, "the REPL's input")?;
    let config = Config::new(args, ui)?;
    if config.explain {
        return Err(usage("--explain works with `pacer run`, not with repl"));
    }
    super::run::set_threads(config.jobs);
    let interrupt = super::signals::interrupt_flag(false);
    let s = config.session(SessionSpec {
        script: None,
        out: &config.out,
        read: &[],
        limits: config.limits_with(interrupt.clone()),
        output: Output::Stdout,
        tables: Vec::new(),
        constants: Vec::new(),
    });
    let names = Rc::new(RefCell::new(Vec::new()));
    let mut repl = Repl {
        s,
        names: names.clone(),
        accepted: Vec::new(),
        timing: false,
        interrupt,
        ui: *ui,
    };
    repl.refresh_names();
    if std::io::stdin().is_terminal() {
        interactive(&mut repl, names, ui)
    } else {
        Ok(piped(&mut repl))
    }
}

fn piped(repl: &mut Repl) -> Exit {
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
                match repl.command(&line, &mut stdout) {
                    None => break,
                    Some(bad) => failed |= bad,
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
                    return Exit::Ok;
                }
            }
            Ok(None) => {}
            Err(e) => {
                failed = true;
                repl.ui.error(&e);
            }
        }
        buffer.clear();
    }
    if !buffer.trim().is_empty() {
        repl.ui.error(&format!(
            "<stdin line {start_line}>: the input ended inside an unfinished statement"
        ));
        failed = true;
    }
    if failed {
        Exit::Failed
    } else {
        Exit::Ok
    }
}

fn interactive(repl: &mut Repl, names: Rc<RefCell<Vec<String>>>, ui: &Ui) -> CliResult {
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor =
        rustyline::Editor::<ReplHelper, rustyline::history::DefaultHistory>::with_config(config)
            .map_err(|e| failed(format!("cannot start the line editor: {e}")))?;
    editor.set_helper(Some(ReplHelper {
        names,
        engine: rhai::Engine::new_raw(),
    }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    let mut history_warned = false;
    println!(
        "pacer {} — type :help for help, :quit or Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut stdout = std::io::stdout();
    loop {
        match editor.readline("pacer> ") {
            Ok(line) => {
                // Each entry reaches the history file at once, so a crash or a closed
                // terminal loses nothing.
                if let Some(h) = &history {
                    if let Err(e) = editor.append_history(h) {
                        if !history_warned {
                            ui.warn(&format!("cannot save the history to {}: {e}", h.display()));
                            history_warned = true;
                        }
                    }
                }
                if line.trim().is_empty() {
                    continue;
                }
                if line.trim_start().starts_with(':') {
                    if repl.command(&line, &mut stdout).is_none() {
                        break;
                    }
                    continue;
                }
                match repl.eval(&line, "<repl>") {
                    Ok(Some(v)) => println!("{v}"),
                    Ok(None) => {}
                    Err(e) => repl.ui.error(&e),
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    Ok(Exit::Ok)
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
