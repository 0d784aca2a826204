//! Table errors: every one names the file (or `<script>`), and where it applies the
//! line and the column.

use std::fmt;
use thiserror::Error;

/// Where a cell is: the file, its line in that file (1-based, the header is line 1),
/// and the column's name. Domain modules put one in their errors so that a bad cell in
/// `tasks.csv` is reported as `tasks.csv:7: column 'duration': ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    /// The file name as given (or `<script>` for tables built in a script).
    pub file: String,
    /// The line in the file, when the table came from a file.
    pub line: Option<u64>,
    /// The 0-based data row.
    pub row: usize,
    /// The column's name.
    pub column: String,
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: column '{}'", self.file, line, self.column),
            None => write!(
                f,
                "{}: row {}: column '{}'",
                self.file,
                self.row + 1,
                self.column
            ),
        }
    }
}

/// Everything that can go wrong reading, building or transforming a table.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {reason}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The file has no header line.
    #[error("{file}: the file is empty (expected a header line with column names)")]
    Empty {
        /// The file.
        file: String,
    },
    /// The header names a column twice or has an empty name.
    #[error("{file}:{line}: bad header: {reason}")]
    BadHeader {
        /// The file.
        file: String,
        /// The header's line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A row with a different number of fields from the header.
    #[error("{file}:{line}: this row has {found} fields but the header has {expected}")]
    Ragged {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// The header's field count.
        expected: usize,
        /// The row's field count.
        found: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("{file}:{line}: invalid UTF-8{hint}")]
    Utf8 {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// What the file looks like instead and the option to pass, starting with
        /// "; " (or the generic advice).
        hint: String,
    },
    /// A CSV syntax error reported by the parser.
    #[error("{file}:{line}: {reason}")]
    Syntax {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The parser's message.
        reason: String,
    },
    /// A cell that does not hold what its column needs.
    #[error(
        "{at}: expected {expected}, got {}{hint}",
        super::value::quote_text(found)
    )]
    BadCell {
        /// The cell.
        at: CellRef,
        /// What the column needs.
        expected: String,
        /// The text found.
        found: String,
        /// A suggestion, starting with "; " when present.
        hint: String,
    },
    /// A column that the operation needs is missing.
    #[error("{file}: no column named '{name}'{suggestion} (columns: {available})")]
    MissingColumn {
        /// The table's source.
        file: String,
        /// The name asked for.
        name: String,
        /// ", did you mean 'x'?" or empty.
        suggestion: String,
        /// The columns the table has, comma-separated.
        available: String,
    },
    /// A column of the wrong type for the operation.
    #[error("{file}: column '{name}' is {found}, but {operation} needs {expected}")]
    WrongType {
        /// The table's source.
        file: String,
        /// The column.
        name: String,
        /// The column's type.
        found: String,
        /// The type needed.
        expected: String,
        /// The operation.
        operation: String,
    },
    /// Any other invalid argument to a table operation.
    #[error("{0}")]
    Invalid(String),
}

impl TableError {
    /// The error for a column `name` missing from a file or table with the columns
    /// `available`, with a did-you-mean suggestion.
    pub fn missing_column(file: &str, name: &str, available: &[String]) -> TableError {
        let suggestion = crate::suggest::closest(name, available.iter().map(String::as_str))
            .map(|s| format!(", did you mean '{s}'?"))
            .unwrap_or_default();
        TableError::MissingColumn {
            file: file.to_string(),
            name: name.to_string(),
            suggestion,
            available: available.join(", "),
        }
    }
}
