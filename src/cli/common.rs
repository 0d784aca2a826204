//! What `run`, `repl` and `batch` share: parsing `--data` and `--set`, building the
//! engine and scope, and reading scripts.

use super::RunArgs;
use crate::script::{build_engine, EngineConfig, Limits, Output, RunContext, Sandbox};
use crate::table::Table;
use rhai::{Dynamic, Engine, Scope};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A `--data NAME=PATH` binding.
#[derive(Debug, Clone)]
pub struct DataArg {
    /// The variable name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

fn valid_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn split_binding<'a>(flag: &str, arg: &'a str) -> Result<(&'a str, &'a str), String> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("{flag} {arg:?}: expected NAME=VALUE"))?;
    let name = name.trim();
    if !valid_ident(name) {
        return Err(format!(
            "{flag} {arg:?}: {name:?} is not a valid variable name (letters, digits and _, not starting with a digit)"
        ));
    }
    Ok((name, value))
}

/// Parses `--data` arguments (a usage error when malformed).
pub fn parse_data(args: &[String]) -> Result<Vec<DataArg>, String> {
    args.iter()
        .map(|a| {
            let (name, path) = split_binding("--data", a)?;
            if path.is_empty() {
                return Err(format!("--data {a:?}: the path is empty"));
            }
            Ok(DataArg {
                name: name.to_string(),
                path: PathBuf::from(path),
            })
        })
        .collect()
}

/// The value of a `--set`: an integer, a number (`5%` is 0.05), `true`/`false`, or a
/// string.
pub fn parse_set_value(v: &str) -> Dynamic {
    let t = v.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Dynamic::from_int(i);
    }
    if let Some(f) = crate::units::parse_plain(t).or_else(|| crate::units::parse_percent(t)) {
        return Dynamic::from_float(f);
    }
    match t {
        "true" => Dynamic::TRUE,
        "false" => Dynamic::FALSE,
        _ => Dynamic::from(v.to_string()),
    }
}

/// Parses `--set` arguments.
pub fn parse_set(args: &[String]) -> Result<Vec<(String, Dynamic)>, String> {
    args.iter()
        .map(|a| {
            let (name, value) = split_binding("--set", a)?;
            Ok((name.to_string(), parse_set_value(value)))
        })
        .collect()
}

/// Loads every `--data` table (errors name the file and line).
pub fn load_data(data: &[DataArg]) -> Result<Vec<(String, Table)>, String> {
    data.iter()
        .map(|d| {
            let options = crate::table::CsvOptions::default();
            let (t, notes) =
                crate::table::read_csv_path_noted(&d.path, &options).map_err(|e| e.to_string())?;
            for n in notes {
                eprintln!("note: {}: {n}", d.path.display());
            }
            Ok((d.name.clone(), t))
        })
        .collect()
}

/// The limits from the command line.
pub fn limits(args: &RunArgs) -> Result<Limits, String> {
    let timeout = match args.timeout {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(format!(
                "--timeout {s}: must be a positive number of seconds"
            ))
        }
    };
    if args.max_ops == 0 {
        return Err("--max-ops 0: must be at least 1".to_string());
    }
    Ok(Limits {
        max_operations: args.max_ops,
        timeout,
        ..Limits::default()
    })
}

/// Reads a script file.
pub fn read_script(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: cannot read the script: {}",
            path.display(),
            crate::table::io_reason(&e)
        )
    })
}

/// An engine and its scope with the tables and constants bound.
pub struct Session {
    /// The engine.
    pub engine: Engine,
    /// Variables in scope.
    pub scope: Scope<'static>,
    /// The run context (sandbox, deadline, stop flag).
    pub run: RunContext,
}

/// Builds the engine and scope for one run. `extra_read` are files named on the
/// command line, which the sandbox lets the script read.
pub fn session(
    script: Option<&Path>,
    extra_read: &[PathBuf],
    out: &Path,
    limits: Limits,
    output: Output,
    tables: Vec<(String, Table)>,
    sets: Vec<(String, Dynamic)>,
) -> Session {
    let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let script_dir = script.and_then(|s| s.parent()).map(|p| {
        if p.as_os_str().is_empty() {
            base.clone()
        } else {
            p.to_path_buf()
        }
    });
    let sandbox = Sandbox::new(&base, script_dir.as_deref(), extra_read, out);
    let (engine, run) = build_engine(EngineConfig {
        limits,
        sandbox,
        output,
    });
    let mut scope = Scope::new();
    for (name, t) in tables {
        scope.push_constant(name, t);
    }
    for (name, v) in sets {
        scope.push_constant_dynamic(name, v);
    }
    Session { engine, scope, run }
}

/// Every function name scripts can call (for did-you-mean and completion).
pub fn function_names(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> = engine
        .gen_fn_signatures(false)
        .into_iter()
        .chain(crate::script::api::domains().iter().flat_map(|d| {
            let mut e = Engine::new_raw();
            e.register_global_module((d.module)().into());
            e.gen_fn_signatures(false)
        }))
        .filter_map(|s| {
            let s = s.strip_prefix("get$").unwrap_or(&s).to_string();
            let name = s.split(['(', ' ']).next()?.to_string();
            (!name.contains('$') && !name.is_empty()).then_some(name)
        })
        .collect();
    names.extend(
        [
            "print",
            "debug",
            "type_of",
            "is_def_var",
            "is_def_fn",
            "range",
            "to_float",
            "to_int",
            "to_string",
            "len",
            "push",
            "keys",
            "values",
            "contains",
            "round",
            "floor",
            "ceiling",
            "abs",
            "sqrt",
            "exp",
            "ln",
            "log",
            "min",
            "max",
            "sum",
            "map",
            "reduce",
            "sort",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_are_typed() {
        assert_eq!(parse_set_value("3").as_int(), Ok(3));
        assert_eq!(parse_set_value("0.025").as_float(), Ok(0.025));
        assert_eq!(parse_set_value("2.5%").as_float(), Ok(0.025));
        assert_eq!(parse_set_value("true").as_bool(), Ok(true));
        assert_eq!(
            parse_set_value("wechat").into_string().as_deref(),
            Ok("wechat")
        );
    }

    #[test]
    fn bindings_are_checked() {
        assert!(parse_set(&["1x=3".to_string()]).is_err());
        assert!(parse_set(&["x3".to_string()]).is_err());
        assert!(parse_data(&["d=".to_string()]).is_err());
        assert_eq!(parse_set(&["ctr=0.03".to_string()]).map(|v| v.len()), Ok(1));
    }
}
