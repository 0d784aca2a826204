//! The command line: `run`, `check`, `repl`, `batch`, `merge`, `docs`, `new`,
//! `completions`. Each command is one file; this one holds the argument definitions and
//! renders a command's error once.

mod batch;
mod check;
mod config;
mod diagnostic;
mod docs;
mod error;
mod merge;
mod new;
mod repl;
mod run;
mod signals;
mod summary;
mod ui;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

pub use config::{parse_set_value, ScriptArgs};
pub use diagnostic::{render_parse_error, render_runtime_error};
pub use error::{CliError, Exit};
pub use ui::{ColorChoice, Ui};

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    a script or data error (a batch in which every input failed)
  2    a usage error
  3    a batch in which some inputs failed
  130  stopped by Ctrl-C or SIGTERM";

const EXAMPLES: &str = "\
Examples:
  pacer run scripts/campaign.rhai                  run the main job on the bundled fixtures
  pacer run plan.rhai --set goal=3,000,000 --data daily=fixtures/channels.csv
  pacer repl --data daily=fixtures/channels.csv   explore interactively
  pacer batch report.rhai exports/*.csv --jobs 2  one run per export, out/summary.csv
  pacer batch report.rhai exports/*.csv --shard 0/3 && pacer merge out
  pacer check scripts/*.rhai                       compile without running
  pacer docs funnel                                one function's (or domain's) reference
  pacer completions bash > ~/.local/share/bash-completion/completions/pacer";

/// pacer: a scriptable planning engine for marketing campaigns.
#[derive(Debug, Parser)]
#[command(name = "pacer", version, about, long_about = None,
    after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    /// Print only errors, warnings and the commands' own output (no statuses).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    /// Color errors and statuses: auto (on a terminal, unless NO_COLOR is set), always,
    /// never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a script.
    #[command(after_help = format!("Examples:\n  pacer run scripts/hello.rhai --data daily=fixtures/channels.csv --set ctr=2.5% --out out/\n  pacer run plan.rhai --set goal=3,000,000 --timeout 60\n\n{EXIT_CODES}"))]
    Run {
        /// The script (.rhai).
        script: PathBuf,
        #[command(flatten)]
        args: ScriptArgs,
    },
    /// Compile scripts without running them; report syntax errors, unknown functions
    /// and wrong argument counts.
    #[command(after_help = format!("Examples:\n  pacer check scripts/*.rhai\n\n{EXIT_CODES}"))]
    Check {
        /// The scripts.
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
    },
    /// Explore interactively (the same flags as run).
    #[command(after_help = format!("Examples:\n  pacer repl --data daily=fixtures/channels.csv\n  printf 'let x = 6;\\nx * 7\\n' | pacer repl\n\nIn the REPL: :help [NAME], :vars, :load FILE, :save FILE, :time, :reset, :quit.\nCtrl-C stops a running evaluation (variables are kept); Ctrl-D leaves.\n\n{EXIT_CODES}"))]
    Repl {
        #[command(flatten)]
        args: ScriptArgs,
    },
    /// Run one script over many CSV inputs, in parallel, with a summary.
    #[command(after_help = format!("Each input is bound to `data`, its file name to `input`. Outputs go to OUT/<input name>/\n(all of an input's files appear together), the summary to OUT/summary.csv: one row per input\nwith the columns the script returns as a map or gives to summary(#{{..}}).\n\nExamples:\n  pacer batch report.rhai exports/*.csv --out reports/ --jobs 2\n  pacer batch report.rhai exports/*.csv --resume\n  pacer batch report.rhai exports/*.csv --shard 1/3       (then: pacer merge out)\n\n{EXIT_CODES}"))]
    Batch(batch::BatchArgs),
    /// Join the summary parts of a sharded batch into summary.csv.
    #[command(after_help = format!("Examples:\n  pacer merge out\n\n{EXIT_CODES}"))]
    Merge {
        /// The batch's output directory.
        out: PathBuf,
    },
    /// Create a campaign folder to start from: the campaign script and template CSVs.
    New {
        /// The folder to create.
        name: PathBuf,
    },
    /// Print the reference of every function and type scripts can use, or of one.
    #[command(
        after_help = "Examples:\n  pacer docs > docs/reference.md\n  pacer docs ab_report\n  pacer docs funnel          (a domain: its functions)"
    )]
    Docs {
        /// A function, property or domain name (default: everything).
        name: Option<String>,
        /// Output format.
        #[arg(long = "format", value_enum, default_value_t = docs::DocFormat::Md)]
        format: docs::DocFormat,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  pacer completions bash > ~/.local/share/bash-completion/completions/pacer\n  pacer completions zsh > ~/.zfunc/_pacer\n  pacer completions fish > ~/.config/fish/completions/pacer.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line and returns the exit code; the one place errors are printed.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return code as i32;
        }
    };
    let ui = Ui::new(cli.color, cli.quiet);
    let result = match cli.command {
        Command::Run { script, args } => run::run(&script, &args, &ui),
        Command::Check { scripts } => check::check(&scripts, &ui),
        Command::Repl { args } => repl::repl(&args, &ui),
        Command::Batch(args) => batch::batch(&args, &ui),
        Command::Merge { out } => merge::merge(&out, &ui),
        Command::Docs { name, format } => docs::docs(name.as_deref(), format),
        Command::New { name } => new::new(&name),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "pacer", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
    };
    match result {
        Ok(exit) => exit as i32,
        Err(e) => {
            ui.error(&e.to_string());
            e.exit() as i32
        }
    }
}
