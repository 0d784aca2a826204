//! Errors of the observed-funnel domain: each names the option, column, file and line
//! at fault, and what would be accepted.

use crate::table::TableError;
use thiserror::Error;

/// Everything that can go wrong computing a funnel from an event export.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EventsError {
    /// An argument or option that is not valid (the message names it and its range).
    #[error("{0}")]
    Invalid(String),
    /// A window that is not a duration such as `7d`.
    #[error("funnel_events: option 'window' must be a duration: a number followed by s, m, h, d or w, like \"7d\" or \"36h\"; got {}", crate::table::quote_text(text))]
    BadWindow {
        /// The window as written.
        text: String,
    },
    /// A feature this version does not have yet.
    #[error("funnel_events: {0} is not supported yet")]
    Unsupported(String),
    /// A timestamp cell that is neither epoch seconds nor an ISO-8601 date-time.
    #[error("{file}:{line}: column '{column}' (data row {row}): cannot read {} as a time; write epoch seconds (like 1719828000) or an ISO-8601 date-time (like 2024-07-01T10:00:00Z)", crate::table::quote_text(text))]
    BadTime {
        /// The file or table.
        file: String,
        /// The line in the file (header = line 1); for a table, the data row + 1.
        line: u64,
        /// The 1-based data row.
        row: u64,
        /// The time column's name.
        column: String,
        /// The cell as written.
        text: String,
    },
    /// A record that is not well-formed CSV.
    #[error("{file}:{line}: {reason}")]
    BadCsv {
        /// The file.
        file: String,
        /// The line where the record starts.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The file could not be read.
    #[error("{file}: cannot read the file: {reason}")]
    Io {
        /// The file as given.
        file: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The run's time limit passed while reading.
    #[error("funnel_events: stopped at the time limit after reading {rows} rows")]
    Timeout {
        /// Rows read before stopping.
        rows: u64,
    },
    /// A table-sourced input was wrong.
    #[error(transparent)]
    Table(Box<TableError>),
}

impl From<TableError> for EventsError {
    fn from(e: TableError) -> Self {
        EventsError::Table(Box::new(e))
    }
}

/// The error for a column missing from `available`, with a did-you-mean suggestion
/// (the table's own error, so that the message is the same wherever a column is missing).
pub(crate) fn missing_column(file: &str, name: &str, available: &[String]) -> EventsError {
    TableError::missing_column(file, name, available).into()
}
