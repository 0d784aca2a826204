//! How a command ends: an exit code, or an error that `main` renders once.

use std::fmt;

/// The exit codes (documented in `pacer --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Ok = 0,
    /// 1: a script or data error (a batch in which every input failed).
    Failed = 1,
    /// 2: a usage error.
    Usage = 2,
    /// 3: a batch in which some inputs failed.
    Partial = 3,
    /// 130: stopped by Ctrl-C or SIGTERM.
    Interrupted = 130,
}

/// An error that ends a command; `main` prints it once, as `error: MESSAGE`.
#[derive(Debug)]
pub enum CliError {
    /// A malformed flag or argument (exit 2).
    Usage(String),
    /// A script, data or I/O error (exit 1).
    Failed(String),
}

impl CliError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) => Exit::Usage,
            CliError::Failed(_) => Exit::Failed,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Failed(m) => f.write_str(m),
        }
    }
}

/// A usage error.
pub fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

/// A script, data or I/O error.
pub fn failed(msg: impl Into<String>) -> CliError {
    CliError::Failed(msg.into())
}

/// What every command returns.
pub type CliResult = Result<Exit, CliError>;
