//! Errors of the SOP domain: bad input names the file, line and column (or the option and
//! its allowed values); a plan that cannot be built says why (a dependency cycle names its
//! tasks).

use crate::table::TableError;
use thiserror::Error;

/// Everything that can stop a schedule from being built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SopError {
    /// A bad cell or a missing/unknown column in one of the input tables.
    #[error(transparent)]
    Table(#[from] TableError),
    /// An unknown column in an input table (the rule shared by every domain's input
    /// tables: `crate::table::check_known_columns`).
    #[error(transparent)]
    UnknownColumn(#[from] crate::table::UnknownColumn),
    /// A bad option value (`start`, `launch`, `weekend`, `effort`, ...).
    #[error("{0}")]
    Option(String),
    /// Two tasks with the same id.
    #[error("{at}: task id '{id}' appears twice (ids must be unique)")]
    DuplicateId {
        /// Where the second one is.
        at: String,
        /// The id.
        id: String,
    },
    /// Finish-to-start dependencies that loop; the tasks are named in order.
    #[error("dependency cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    /// A calendar that has no working day in reach (every weekday a weekend day, or
    /// holidays for years), or a date beyond the calendar's ten-year span.
    #[error("calendar: {0}")]
    Calendar(String),
    /// An unknown task id passed to a what-if helper.
    #[error("{0}")]
    Invalid(String),
}
