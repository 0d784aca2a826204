//! Errors of the scenario domain: each names the argument at fault and its allowed
//! range, or the file, line and column of a bad cell.

use crate::table::TableError;
use crate::units::UnitError;
use thiserror::Error;

/// Everything that can go wrong in sweeps, goal seeking, simulation, tornado charts
/// and named scenarios.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScenarioError {
    /// A parameter outside its allowed range.
    #[error(transparent)]
    OutOfRange(#[from] crate::units::RangeError),
    /// An argument that is invalid for a reason other than its range.
    #[error("{0}")]
    Invalid(String),
    /// The goal-seek target lies outside the values at the two ends of the bracket.
    #[error("goal_seek: the target {target} is not bracketed: f({lo}) = {f_lo} and f({hi}) = {f_hi} are on the same side of it; widen [lo, hi] or check that the target is reachable")]
    NotBracketed {
        /// The target.
        target: f64,
        /// The lower end.
        lo: f64,
        /// The upper end.
        hi: f64,
        /// The function at the lower end.
        f_lo: f64,
        /// The function at the upper end.
        f_hi: f64,
    },
    /// The function returned NaN or an infinity.
    #[error("{what}: the function returned {value} at x = {x}; it must return a finite number")]
    NotFinite {
        /// The function being evaluated (`goal_seek`, `tornado`, ...).
        what: String,
        /// Where.
        x: f64,
        /// What it returned.
        value: f64,
    },
    /// An iteration that did not converge within its budget.
    #[error("goal_seek: no convergence after {iterations} iterations (last x = {x}, f(x) - target = {residual}); loosen 'tol' or narrow [lo, hi]")]
    NoConvergence {
        /// Iterations used.
        iterations: usize,
        /// The last estimate.
        x: f64,
        /// Its residual.
        residual: f64,
    },
    /// A long computation passed its deadline.
    #[error("{0}: stopped at the script's time limit (raise it with --timeout SECS)")]
    Timeout(String),
    /// A table-sourced input was wrong (file, line and column are in the message).
    #[error(transparent)]
    Table(Box<TableError>),
    /// A rate was outside [0, 1].
    #[error(transparent)]
    Unit(#[from] UnitError),
}

impl From<TableError> for ScenarioError {
    fn from(e: TableError) -> Self {
        ScenarioError::Table(Box::new(e))
    }
}

/// Shorthand for an out-of-range error.
pub(crate) fn out_of_range(what: &str, allowed: &str, value: f64) -> ScenarioError {
    ScenarioError::OutOfRange(crate::units::RangeError {
        what: what.to_string(),
        allowed: allowed.to_string(),
        value,
    })
}

/// Why an evaluation over a model function failed: the domain's reason, or the
/// function's own error (a script error, say), passed through unchanged.
#[derive(Debug)]
pub enum Failure<E> {
    /// Not bracketed, not finite, bad arguments, no convergence.
    Scenario(ScenarioError),
    /// The model function itself failed.
    Model(E),
}

impl<E> From<ScenarioError> for Failure<E> {
    fn from(e: ScenarioError) -> Self {
        Failure::Scenario(e)
    }
}
