//! What reaches the terminal besides a command's own output: errors, warnings and
//! statuses on standard error, in color on a terminal (never when `NO_COLOR` is set),
//! statuses silenced by `--quiet`.

use std::io::{IsTerminal, Write};

/// When to color standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set to a non-empty value.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The terminal's settings for this run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    color: bool,
    quiet: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

impl Ui {
    /// Settings from the flags and the environment.
    pub fn new(color: ColorChoice, quiet: bool) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
        };
        Ui { color, quiet }
    }

    /// True when statuses are silenced.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// `error: MESSAGE`.
    pub fn error(&self, msg: &str) {
        self.line(&format!("{} {msg}", self.paint(RED, "error:")));
    }

    /// `warning: MESSAGE` (shown even with `--quiet`).
    pub fn warn(&self, msg: &str) {
        self.line(&format!("{} {msg}", self.paint(YELLOW, "warning:")));
    }

    /// `note: MESSAGE`: something pacer decided that the user may not expect.
    pub fn note(&self, msg: &str) {
        self.line(&format!("note: {msg}"));
    }

    /// `failed: WHAT: MESSAGE` (a batch input; shown even with `--quiet`).
    pub fn failed(&self, what: &str, msg: &str) {
        self.line(&format!("{} {what}: {msg}", self.paint(RED, "failed:")));
    }

    /// A status line (silenced by `--quiet`); `ok` colors it as a success.
    pub fn status(&self, msg: &str, ok: bool) {
        if self.quiet {
            return;
        }
        if ok {
            self.line(&self.paint(GREEN, msg));
        } else {
            self.line(msg);
        }
    }
}
