//! Errors of the warehouse path. Every message names the server by its URL without
//! credentials (the password is never part of an error), and the SQL where a statement
//! was sent.

use crate::table::TableError;
use thiserror::Error;

/// Everything that can go wrong talking to a warehouse.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum WarehouseError {
    /// A URL that is not `http://host[:port][/]` or `https://...`.
    #[error("clickhouse: {0}")]
    BadUrl(String),
    /// An argument or option that is not valid (the message names it).
    #[error("{0}")]
    Invalid(String),
    /// The server could not be reached (refused, unknown host, TLS failure).
    #[error("cannot reach ClickHouse at {url}: {reason}; check that the server is running and that the URL and port are right")]
    Unreachable {
        /// The server, without credentials.
        url: String,
        /// The transport's reason.
        reason: String,
    },
    /// The server refused the user or password.
    #[error("ClickHouse at {url} refused user '{user}': wrong password or unknown user (set the password with PACER_CLICKHOUSE_PASSWORD or the 'password' option); the server said: {message}")]
    Auth {
        /// The server, without credentials.
        url: String,
        /// The user name sent.
        user: String,
        /// The server's message.
        message: String,
    },
    /// A table that does not exist.
    #[error("ClickHouse at {url}: no table {table}{hint}")]
    MissingTable {
        /// The server, without credentials.
        url: String,
        /// `database.table`.
        table: String,
        /// "; tables in db: a, b" or empty.
        hint: String,
    },
    /// A column that the table does not have (with the table's columns).
    #[error("ClickHouse at {url}: {source}")]
    MissingColumn {
        /// The server, without credentials.
        url: String,
        /// The table's error naming the column, a suggestion and the columns.
        source: Box<TableError>,
    },
    /// The server stopped the statement at its time limit.
    #[error("ClickHouse at {url} stopped the statement at the time limit of {seconds} s (max_execution_time); the server said: {message}\nSQL:\n{sql}")]
    Timeout {
        /// The server, without credentials.
        url: String,
        /// The limit sent.
        seconds: f64,
        /// The server's message.
        message: String,
        /// The statement.
        sql: String,
    },
    /// Any other error the server reported for a statement.
    #[error("ClickHouse at {url} rejected the statement: {message}\nSQL:\n{sql}")]
    Server {
        /// The server, without credentials.
        url: String,
        /// The server's message (its error code and text).
        message: String,
        /// The statement.
        sql: String,
    },
    /// An answer that pacer could not read.
    #[error("ClickHouse at {url}: cannot read the answer: {reason}\nSQL:\n{sql}")]
    BadAnswer {
        /// The server, without credentials.
        url: String,
        /// What is wrong.
        reason: String,
        /// The statement.
        sql: String,
    },
    /// A column type the generated SQL cannot use for that purpose.
    #[error("ClickHouse at {url}: column '{column}' of {table} is {found}, but {purpose}")]
    WrongType {
        /// The server, without credentials.
        url: String,
        /// `database.table`.
        table: String,
        /// The column.
        column: String,
        /// Its ClickHouse type.
        found: String,
        /// What it is used for and what is accepted.
        purpose: String,
    },
    /// The run's time limit passed while the answer was being read.
    #[error("ClickHouse at {url}: stopped at the run's time limit while reading the answer")]
    Deadline {
        /// The server, without credentials.
        url: String,
    },
    /// A table-building error while converting the answer.
    #[error(transparent)]
    Table(Box<TableError>),
    /// An error of the analysis run on the server's aggregates.
    #[error("{0}")]
    Analysis(String),
}

impl From<TableError> for WarehouseError {
    fn from(e: TableError) -> Self {
        WarehouseError::Table(Box::new(e))
    }
}
