//! The command line: `run`, `check`, `repl`, `batch`, `docs`, `new`. Each command is one file;
//! this one holds the argument definitions and the exit codes.

mod batch;
mod check;
mod common;
mod diagnostic;
mod docs;
mod new;
mod repl;
mod run;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub use diagnostic::{render_parse_error, render_runtime_error};
pub use docs::{reference_json, reference_markdown};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a script or data error.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: a usage error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: a batch in which some inputs failed.
pub const EXIT_PARTIAL: i32 = 3;

/// pacer: a scriptable planning engine for marketing campaigns.
#[derive(Debug, Parser)]
#[command(name = "pacer", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command that runs scripts.
#[derive(Debug, clap::Args, Clone)]
pub struct RunArgs {
    /// Load a CSV file as a table bound to a variable: NAME=PATH (repeatable).
    #[arg(long = "data", value_name = "NAME=PATH")]
    pub data: Vec<String>,
    /// Bind a constant: NAME=VALUE; numbers become numbers (5% becomes 0.05),
    /// true/false booleans, anything else a string (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Maximum number of script operations before the script is stopped.
    #[arg(long = "max-ops", value_name = "N", default_value_t = 500_000_000)]
    pub max_ops: u64,
    /// Wall-clock limit in seconds.
    #[arg(long = "timeout", value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Memory limit: the script is stopped when the process holds more (bytes, or
    /// with a unit: 512MiB, 4GiB).
    #[arg(long = "max-memory", value_name = "SIZE", default_value = "4GiB")]
    pub max_memory: String,
    /// Allow connections to this server URL, like http://127.0.0.1:8123 (repeatable).
    #[arg(long = "allow-url", value_name = "URL")]
    pub allow_url: Vec<String>,
    /// Print the SQL of every call pushed down to a warehouse instead of running it.
    #[arg(long = "explain")]
    pub explain: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a script.
    Run {
        /// The script (.rhai).
        script: PathBuf,
        #[command(flatten)]
        args: RunArgs,
        /// Where files the script writes go.
        #[arg(long = "out", value_name = "DIR", default_value = "out")]
        out: PathBuf,
        /// Threads for native parallel work (simulations, large tables); default one
        /// per core. Results do not depend on it.
        #[arg(long = "jobs", short = 'j', value_name = "N")]
        jobs: Option<usize>,
    },
    /// Compile scripts without running them and report every error.
    Check {
        /// The scripts.
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
    },
    /// Explore interactively.
    Repl {
        /// Load a CSV file as a table bound to a variable: NAME=PATH (repeatable).
        #[arg(long = "data", value_name = "NAME=PATH")]
        data: Vec<String>,
        /// Where files written from the REPL go.
        #[arg(long = "out", value_name = "DIR", default_value = "out")]
        out: PathBuf,
        /// Allow connections to this server URL (repeatable).
        #[arg(long = "allow-url", value_name = "URL")]
        allow_url: Vec<String>,
    },
    /// Run one script over many CSV inputs, in parallel.
    Batch {
        /// The script (.rhai).
        script: PathBuf,
        /// The input CSV files; each is bound to `data`, its file name to `input`.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The output directory: one folder per input, and summary.csv.
        #[arg(long = "out", value_name = "DIR", required = true)]
        out: PathBuf,
        /// Parallel jobs (default: one per core).
        #[arg(long = "jobs", short = 'j', value_name = "N")]
        jobs: Option<usize>,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Create a campaign folder to start from: the campaign script and template CSVs.
    New {
        /// The folder to create.
        name: PathBuf,
    },
    /// Print the reference of every function and type scripts can use.
    Docs {
        /// Output format.
        #[arg(long = "format", value_enum, default_value_t = docs::DocFormat::Md)]
        format: docs::DocFormat,
    },
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run {
            script,
            args,
            out,
            jobs,
        } => run::run(&script, &args, &out, jobs),
        Command::Check { scripts } => check::check(&scripts),
        Command::Repl {
            data,
            out,
            allow_url,
        } => repl::repl(&data, &out, &allow_url),
        Command::Batch {
            script,
            inputs,
            out,
            jobs,
            args,
        } => batch::batch(&script, &inputs, &out, jobs, &args),
        Command::Docs { format } => docs::docs(format),
        Command::New { name } => new::new(&name),
    }
}
