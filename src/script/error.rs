//! Turning domain errors into script errors (Rhai adds the position), and the
//! errors of running a script, classified for the CLI.

use rhai::{EvalAltResult, Position};
use std::fmt::Display;

/// A domain error as a script runtime error; Rhai fills in the call's position.
pub fn script_error(e: impl Display) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(e.to_string().into(), Position::NONE).into()
}

/// The outcome of a failed run, for the CLI to render.
#[derive(Debug)]
pub enum ScriptError {
    /// The script does not compile.
    Parse(rhai::ParseError),
    /// The script failed while running.
    Runtime(Box<EvalAltResult>),
}

impl From<rhai::ParseError> for ScriptError {
    fn from(e: rhai::ParseError) -> Self {
        ScriptError::Parse(e)
    }
}

impl From<Box<EvalAltResult>> for ScriptError {
    fn from(e: Box<EvalAltResult>) -> Self {
        ScriptError::Runtime(e)
    }
}
