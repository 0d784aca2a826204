//! The flags shared by `run`, `repl` and `batch`, parsed once into one typed
//! configuration before any work starts: tables loaded, `--set` values typed, limits
//! checked.

use super::error::{failed, usage, CliError};
use super::ui::Ui;
use crate::script::{value_to_dynamic, Limits, Output, Sandbox, Session, SessionConfig};
use crate::table::{parse_cell, DType, Table, Value};
use rhai::Dynamic;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// The flags every command that runs scripts takes.
#[derive(Debug, clap::Args, Clone)]
pub struct ScriptArgs {
    /// Load a CSV file as a table bound to a variable: NAME=PATH (repeatable).
    #[arg(long = "data", value_name = "NAME=PATH")]
    pub data: Vec<String>,
    /// Give a parameter: NAME=VALUE, read like a CSV cell (3,000,000 and 2.5% are
    /// numbers, 2024-07-01 a date, true/false booleans, "quoted" text stays text);
    /// scripts read it as NAME or with param("NAME", default) (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Maximum number of script operations before a script is stopped.
    #[arg(long = "max-ops", value_name = "N", default_value_t = 500_000_000)]
    pub max_ops: u64,
    /// Wall-clock limit per script, in seconds.
    #[arg(long = "timeout", value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Memory limit: a script is stopped when the process holds more (bytes, or with a
    /// unit: 512MiB, 4GiB).
    #[arg(long = "max-memory", value_name = "SIZE", default_value = "4GiB")]
    pub max_memory: String,
    /// Where files the scripts write go.
    #[arg(long = "out", value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Allow connections to this server URL, like http://127.0.0.1:8123 (repeatable).
    #[arg(long = "allow-url", value_name = "URL")]
    pub allow_url: Vec<String>,
    /// Print the SQL of every call pushed down to a warehouse instead of running it
    /// (`pacer run` only).
    #[arg(long = "explain")]
    pub explain: bool,
    /// The seed of random draws (simulate) that do not give one: the same seed, the
    /// same digits.
    #[arg(long = "seed", value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Threads: inputs run in parallel by `batch`, native parallel work (simulations,
    /// large tables) elsewhere; default one per core. Results do not depend on it.
    #[arg(long = "jobs", short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// A `--data NAME=PATH` binding.
#[derive(Debug, Clone)]
pub struct DataArg {
    /// The variable name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

/// The validated configuration of a script command.
#[derive(Debug)]
pub struct Config {
    /// The `--data` bindings.
    pub data: Vec<DataArg>,
    /// The `--data` tables, loaded once.
    pub tables: Vec<(String, Table)>,
    /// The `--set` values, typed (plain values, so the configuration can be shared by
    /// a batch's threads).
    pub params: Vec<(String, Value)>,
    /// The limits (operations, time, sizes, the interrupt flag).
    pub limits: Limits,
    /// The output directory.
    pub out: PathBuf,
    /// Parallel jobs, when given.
    pub jobs: Option<usize>,
    /// The default seed of random draws.
    pub seed: u64,
    /// Print the SQL of pushed-down calls instead of running them.
    pub explain: bool,
}

impl Config {
    /// Validates the flags (usage errors exit 2), loads the tables (data errors exit 1)
    /// and warns about `--set` values that could be read more than one way.
    pub fn new(args: &ScriptArgs, ui: &Ui) -> Result<Config, CliError> {
        let data = parse_data(&args.data)?;
        let mut params = Vec::new();
        for a in &args.set {
            let (name, text) = split_binding("--set", a)?;
            let (value, warning) = parse_set_value(text);
            if let Some(w) = warning {
                ui.warn(&format!("--set {name}={text}: {w}"));
            }
            params.push((name.to_string(), value));
        }
        let limits = limits(args)?;
        if args.seed > i64::MAX as u64 {
            return Err(usage(format!(
                "--seed {}: must be at most {}",
                args.seed,
                i64::MAX
            )));
        }
        if args.jobs == Some(0) {
            return Err(usage("--jobs 0: must be at least 1"));
        }
        let tables = data
            .iter()
            .map(|d| {
                let options = crate::table::CsvOptions::default();
                let (t, notes) = crate::table::read_csv_path_noted(&d.path, &options)
                    .map_err(|e| failed(e.to_string()))?;
                for n in notes {
                    ui.note(&format!("{}: {n}", d.path.display()));
                }
                Ok((d.name.clone(), t))
            })
            .collect::<Result<_, CliError>>()?;
        Ok(Config {
            data,
            tables,
            params,
            limits,
            out: args.out.clone(),
            jobs: args.jobs,
            seed: args.seed,
            explain: args.explain,
        })
    }

    /// The files named on the command line, which scripts may read.
    pub fn named_files(&self) -> Vec<PathBuf> {
        self.data.iter().map(|d| d.path.clone()).collect()
    }

    /// Limits with an interrupt flag that stops a running script.
    pub fn limits_with(&self, interrupt: Option<Arc<AtomicBool>>) -> Limits {
        Limits {
            interrupt,
            ..self.limits.clone()
        }
    }

    /// A session for `script` (its folder is readable) writing under `out`; `read` are
    /// more files it may read, `tables` and `constants` more bindings.
    pub fn session(&self, spec: SessionSpec<'_>) -> Session {
        let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let script_dir = spec.script.and_then(|s| s.parent()).map(|p| {
            if p.as_os_str().is_empty() {
                base.clone()
            } else {
                p.to_path_buf()
            }
        });
        let mut read = self.named_files();
        read.extend(spec.read.iter().cloned());
        let mut tables = self.tables.clone();
        tables.extend(spec.tables);
        let sandbox = Sandbox::new(&base, script_dir.as_deref(), &read, spec.out);
        if let Some(s) = spec.script {
            sandbox.set_script(s);
        }
        for f in self.named_files() {
            sandbox.note_read(&f);
        }
        Session::new(SessionConfig {
            limits: spec.limits,
            sandbox,
            output: spec.output,
            tables,
            params: self
                .params
                .iter()
                .map(|(n, v)| (n.clone(), value_to_dynamic(v.clone())))
                .collect(),
            constants: spec.constants,
            seed: self.seed,
        })
    }
}

/// What a session needs beyond the configuration.
pub struct SessionSpec<'a> {
    /// The script, whose folder it may read.
    pub script: Option<&'a Path>,
    /// Where it writes.
    pub out: &'a Path,
    /// More files it may read.
    pub read: &'a [PathBuf],
    /// The limits.
    pub limits: Limits,
    /// Where `print` goes.
    pub output: Output,
    /// More tables.
    pub tables: Vec<(String, Table)>,
    /// More constants.
    pub constants: Vec<(String, Dynamic)>,
}

fn valid_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn split_binding<'a>(flag: &str, arg: &'a str) -> Result<(&'a str, &'a str), CliError> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| usage(format!("{flag} {arg:?}: expected NAME=VALUE")))?;
    let name = name.trim();
    if !valid_ident(name) {
        return Err(usage(format!(
            "{flag} {arg:?}: {name:?} is not a valid variable name (letters, digits and _, not starting with a digit)"
        )));
    }
    Ok((name, value))
}

/// Parses `--data` arguments (a usage error when malformed).
pub fn parse_data(args: &[String]) -> Result<Vec<DataArg>, CliError> {
    args.iter()
        .map(|a| {
            let (name, path) = split_binding("--data", a)?;
            if path.is_empty() {
                return Err(usage(format!("--data {a:?}: the path is empty")));
            }
            Ok(DataArg {
                name: name.to_string(),
                path: PathBuf::from(path),
            })
        })
        .collect()
}

/// True for digits grouped in threes by commas: `3,000,000`, `-1,200.50`, `12,500%`.
fn thousands_grouped(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let t = t.strip_suffix('%').unwrap_or(t);
    let int = t.split_once('.').map_or(t, |(i, frac)| {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            "x"
        } else {
            i
        }
    });
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
}

/// The value of a `--set`, read as a CSV cell would be: an integer, a number (`2.5%` is
/// 0.025, `3,000,000` is three million), `true`/`false`, a date (`2024-07-01`, given to
/// scripts as that text, as table cells are), or text; `"quoted"` is always text. The
/// second value is a warning when the text could mean something else.
pub fn parse_set_value(v: &str) -> (Value, Option<String>) {
    let t = v.trim();
    if let Some(inner) = t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return (Value::Str(inner.to_string()), None);
    }
    for dtype in [DType::Int, DType::Float, DType::Bool, DType::Date] {
        match parse_cell(t, dtype) {
            Some(Value::Null) | None => {}
            Some(value) => return (value, None),
        }
    }
    if thousands_grouped(t) {
        let (value, _) = parse_set_value(&t.replace(',', ""));
        let one_group = t.matches(',').count() == 1 && !t.contains('.');
        let warning = one_group.then(|| {
            format!(
                "read as {} (a thousands separator); write it with a point (1.2) for a decimal",
                value_to_dynamic(value.clone())
            )
        });
        return (value, warning);
    }
    let looks_numeric = t.contains(',')
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b",.%+-".contains(&b));
    let warning = looks_numeric.then(|| {
        "read as text: it is not a number (a decimal is written with a point, and thousands are grouped by threes); quote it (\"...\") to keep it as text without this warning".to_string()
    });
    (Value::Str(v.to_string()), warning)
}

/// The limits from the command line.
fn limits(args: &ScriptArgs) -> Result<Limits, CliError> {
    let timeout = match args.timeout {
        None => None,
        // Beyond about 31 years a deadline cannot be represented; nobody means more.
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(usage(format!(
                "--timeout {s}: must be a number of seconds above 0 and below 1e9"
            )))
        }
    };
    if args.max_ops == 0 {
        return Err(usage("--max-ops 0: must be at least 1"));
    }
    crate::script::Connections::default()
        .allow(&args.allow_url)
        .map_err(usage)?;
    let max_memory = crate::mem::parse_size(&args.max_memory).ok_or_else(|| {
        usage(format!(
            "--max-memory {:?}: expected a size such as 4GiB, 512MiB or a number of bytes",
            args.max_memory
        ))
    })?;
    Ok(Limits {
        max_operations: args.max_ops,
        max_memory,
        timeout,
        allow_urls: args.allow_url.clone(),
        ..Limits::default()
    })
}

/// Reads a script file.
pub fn read_script(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        failed(format!(
            "{}: cannot read the script: {}",
            path.display(),
            crate::table::io_reason(&e)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Dynamic {
        value_to_dynamic(parse_set_value(text).0)
    }

    #[test]
    fn set_values_read_like_csv_cells() {
        assert_eq!(v("3").as_int(), Ok(3));
        assert_eq!(v("0.025").as_float(), Ok(0.025));
        assert_eq!(v("2.5%").as_float(), Ok(0.025));
        assert_eq!(v("true").as_bool(), Ok(true));
        assert_eq!(v("3,000,000").as_int(), Ok(3_000_000));
        assert_eq!(v("-1,234.5").as_float(), Ok(-1234.5));
        assert_eq!(v("2024-07-01").into_string().as_deref(), Ok("2024-07-01"));
        assert_eq!(v("\"2024\"").into_string().as_deref(), Ok("2024"));
        assert_eq!(v("wechat").into_string().as_deref(), Ok("wechat"));
        assert!(parse_set_value("3,000,000").1.is_none());
        // One group of three could be a decimal comma elsewhere: read, with a warning.
        let (x, w) = parse_set_value("1,200");
        assert_eq!(x, Value::Int(1200));
        assert!(w.is_some_and(|w| w.contains("thousands separator")));
        // Not grouped by threes: text, with a warning.
        let (x, w) = parse_set_value("1,5");
        assert_eq!(x, Value::Str("1,5".into()));
        assert!(w.is_some_and(|w| w.contains("read as text")));
    }

    #[test]
    fn bindings_are_checked() {
        assert!(split_binding("--set", "1x=3").is_err());
        assert!(split_binding("--set", "x3").is_err());
        assert!(parse_data(&["d=".to_string()]).is_err());
        assert!(split_binding("--set", "ctr=0.03").is_ok());
    }
}
