//! Errors of the funnel domain: each names the parameter at fault and its allowed
//! range, the stage by name, or the file, line and column of a bad cell.

use crate::budget::BudgetError;
use crate::table::TableError;
use crate::units::UnitError;
use thiserror::Error;

/// Everything that can go wrong building, projecting, sizing or checking a funnel.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FunnelError {
    /// A parameter outside its allowed range.
    #[error(transparent)]
    OutOfRange(#[from] crate::units::RangeError),
    /// A funnel with no stages.
    #[error("a funnel needs at least one stage, like [#{{ name: \"acquisition\", rate: 0.15 }}]")]
    NoStages,
    /// A stage with an empty name.
    #[error("stage {index}: the stage name is empty")]
    EmptyName {
        /// The 1-based position of the stage.
        index: usize,
    },
    /// Two stages with the same name.
    #[error("stage name '{name}' appears twice (stages {first} and {second}); stage names must be unique")]
    DuplicateStage {
        /// The repeated name.
        name: String,
        /// The 1-based position of its first occurrence.
        first: usize,
        /// The 1-based position of the repeat.
        second: usize,
    },
    /// A stage name that is not in the funnel.
    #[error("no stage named '{name}'{suggestion}; the stages are: {available}")]
    UnknownStage {
        /// The name asked for.
        name: String,
        /// `, did you mean 'x'?` when a close name exists.
        suggestion: String,
        /// The funnel's stage names, comma separated.
        available: String,
    },
    /// Revenue asked of a funnel without an average order value.
    #[error("{function}: the funnel has no average order value; build it with funnel(stages, #{{ aov: 150 }})")]
    NoAov {
        /// The function that needs it.
        function: String,
    },
    /// A backward decomposition through a stage whose rate is zero.
    #[error("{function}: stage '{stage}' has rate 0, so no volume reaches {target} conversions")]
    Unreachable {
        /// The function.
        function: String,
        /// The stage with rate 0.
        stage: String,
        /// The conversions asked for.
        target: f64,
    },
    /// An argument that is invalid for another reason.
    #[error("{0}")]
    Invalid(String),
    /// A rate or cell notation was wrong.
    #[error(transparent)]
    Unit(#[from] UnitError),
    /// A table-sourced input was wrong (file, line and column are in the message).
    #[error(transparent)]
    Table(Box<TableError>),
    /// A cost computation delegated to the budget domain failed.
    #[error(transparent)]
    Budget(Box<BudgetError>),
}

impl From<TableError> for FunnelError {
    fn from(e: TableError) -> Self {
        FunnelError::Table(Box::new(e))
    }
}

impl From<BudgetError> for FunnelError {
    fn from(e: BudgetError) -> Self {
        FunnelError::Budget(Box::new(e))
    }
}

/// Checks that `value` is finite and `>= 0`.
pub(crate) fn non_negative(what: &str, value: f64) -> Result<f64, FunnelError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(FunnelError::OutOfRange(crate::units::RangeError {
            what: what.to_string(),
            allowed: "a finite number >= 0".to_string(),
            value,
        }))
    }
}

/// Checks that `value` is finite and `> 0`.
pub(crate) fn positive(what: &str, value: f64) -> Result<f64, FunnelError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(FunnelError::OutOfRange(crate::units::RangeError {
            what: what.to_string(),
            allowed: "a positive number".to_string(),
            value,
        }))
    }
}
