//! Errors of the review domain: each names the parameter and its allowed values, or
//! the file, line and column of a bad cell.

use crate::funnel::FunnelError;
use crate::table::TableError;
use crate::units::UnitError;
use thiserror::Error;

/// Everything that can go wrong reading targets and actuals, attributing a gap,
/// running a what-if, or reading actions and lessons.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReviewError {
    /// A parameter outside its allowed range.
    #[error(transparent)]
    OutOfRange(#[from] crate::units::RangeError),
    /// An argument that is invalid for a reason other than its range.
    #[error("{0}")]
    Invalid(String),
    /// A table-sourced input was wrong (file, line and column are in the message).
    #[error(transparent)]
    Table(Box<TableError>),
    /// An input table has a column its reader does not know (the rule shared by every
    /// domain's input tables: `crate::table::check_known_columns`).
    #[error(transparent)]
    UnknownColumn(#[from] crate::table::UnknownColumn),
    /// A rate or cell notation was wrong.
    #[error(transparent)]
    Unit(#[from] UnitError),
    /// Re-running a funnel failed.
    #[error(transparent)]
    Funnel(Box<FunnelError>),
}

impl From<FunnelError> for ReviewError {
    fn from(e: FunnelError) -> Self {
        ReviewError::Funnel(Box::new(e))
    }
}

impl From<TableError> for ReviewError {
    fn from(e: TableError) -> Self {
        ReviewError::Table(Box::new(e))
    }
}

/// Checks that `value` is finite and `>= 0`.
pub(crate) fn non_negative(what: &str, value: f64) -> Result<f64, ReviewError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ReviewError::OutOfRange(crate::units::RangeError {
            what: what.to_string(),
            allowed: "a finite number >= 0".to_string(),
            value,
        }))
    }
}
