//! The `Table`: named, typed columns of equal length, and where its rows came from.

use super::column::Column;
use super::error::{CellRef, TableError};
use super::kind::Kind;
use super::value::Value;
use std::sync::Arc;

/// A table of typed columns, all of the same length.
///
/// Cheap to clone: columns are shared (`Arc`) and copied only when an operation
/// changes them.
#[derive(Debug, Clone)]
pub struct Table {
    source: Arc<str>,
    names: Vec<String>,
    columns: Vec<Arc<Column>>,
    rows: usize,
    /// The file line of each data row, when the table was read from a file whose
    /// records do not map to `row + 2` (quoted fields spanning lines). `None` with
    /// `from_file` means line = row + 2.
    lines: Lines,
}

#[derive(Debug, Clone)]
enum Lines {
    /// Built in a script or derived by an operation: no file lines.
    None,
    /// Read from a file with one record per line: line = row + 2.
    Simple,
    /// Read from a file: the line of each row.
    Explicit(Arc<Vec<u64>>),
}

impl Table {
    /// Builds a table from named columns. Errors when names repeat or are empty, or
    /// when the columns differ in length. `source` names the table in messages
    /// (`<script>` for tables built by scripts).
    pub fn new(source: &str, columns: Vec<(String, Column)>) -> Result<Table, TableError> {
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        let mut names = Vec::with_capacity(columns.len());
        let mut cols = Vec::with_capacity(columns.len());
        for (name, col) in columns {
            if name.is_empty() {
                return Err(TableError::Invalid(format!(
                    "{source}: a column name is empty"
                )));
            }
            if names.contains(&name) {
                return Err(TableError::Invalid(format!(
                    "{source}: the column name '{name}' appears twice"
                )));
            }
            if col.len() != rows {
                return Err(TableError::Invalid(format!(
                    "{source}: column '{name}' has {} values but the others have {rows}",
                    col.len()
                )));
            }
            names.push(name);
            cols.push(Arc::new(col));
        }
        Ok(Table {
            source: Arc::from(source),
            names,
            columns: cols,
            rows,
            lines: Lines::None,
        })
    }

    /// Records that the rows were read from a file: `lines[i]` is row i's line, or
    /// `None` when every row sits on line `i + 2`.
    pub(crate) fn with_file_lines(mut self, lines: Option<Vec<u64>>) -> Table {
        self.lines = match lines {
            Some(l) => Lines::Explicit(Arc::new(l)),
            None => Lines::Simple,
        };
        self
    }

    /// A table with the same source but new columns (for derived tables); file
    /// lines are kept only when `keep_lines` and the rows are unchanged.
    pub(crate) fn derive(&self, columns: Vec<(String, Column)>) -> Result<Table, TableError> {
        Table::new(&self.source, columns)
    }

    /// A derived table with the same rows as `self` (file lines kept).
    pub(crate) fn derive_same_rows(
        &self,
        columns: Vec<(String, Column)>,
    ) -> Result<Table, TableError> {
        let mut t = Table::new(&self.source, columns)?;
        if t.rows == self.rows {
            t.lines = self.lines.clone();
        }
        Ok(t)
    }

    /// Same as [`Table::derive`] but keeps the file lines of rows `rows` of `self`.
    pub(crate) fn derive_rows(
        &self,
        columns: Vec<(String, Column)>,
        rows: &[usize],
    ) -> Result<Table, TableError> {
        let mut t = Table::new(&self.source, columns)?;
        t.lines = match &self.lines {
            Lines::None => Lines::None,
            _ => Lines::Explicit(Arc::new(
                rows.iter().map(|&r| self.line_of(r).unwrap_or(0)).collect(),
            )),
        };
        Ok(t)
    }

    /// The file the table was read from, or `<script>`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renames the source shown in messages.
    pub fn with_source(mut self, source: &str) -> Table {
        self.source = Arc::from(source);
        self
    }

    /// The number of data rows.
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The position of a column.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// True when the table has a column of that name.
    pub fn has_column(&self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    /// The column called `name`, or an error listing the columns and the closest name.
    pub fn column(&self, name: &str) -> Result<&Column, TableError> {
        match self.index_of(name) {
            Some(i) => Ok(&self.columns[i]),
            None => Err(self.missing_column(name)),
        }
    }

    /// The column at position `i`.
    pub fn column_at(&self, i: usize) -> Option<&Column> {
        self.columns.get(i).map(|c| c.as_ref())
    }

    /// The same table with the values of column `name` declared to mean `kind`
    /// (presentation only; a missing name is ignored, so a result can mark the
    /// columns it may or may not have).
    pub fn with_kind(mut self, name: &str, kind: Kind) -> Table {
        if let Some(i) = self.index_of(name) {
            let col = self.columns[i].as_ref().clone().with_kind(kind);
            self.columns[i] = Arc::new(col);
        }
        self
    }

    /// [`Table::with_kind`] for several columns.
    pub fn with_kinds(self, kinds: &[(&str, Kind)]) -> Table {
        kinds
            .iter()
            .fold(self, |t, (name, kind)| t.with_kind(name, *kind))
    }

    /// What the values of column `name` mean ([`Kind::Plain`] for an unknown name).
    pub fn kind(&self, name: &str) -> Kind {
        self.index_of(name)
            .map_or(Kind::Plain, |i| self.columns[i].kind())
    }

    /// Shared handles to the columns, for cheap derived tables.
    pub(crate) fn column_arcs(&self) -> &[Arc<Column>] {
        &self.columns
    }

    /// The error for a missing column, with a did-you-mean suggestion.
    pub fn missing_column(&self, name: &str) -> TableError {
        TableError::missing_column(&self.source, name, &self.names)
    }

    /// The cell at `row` in column `name`.
    pub fn value(&self, row: usize, name: &str) -> Result<Value, TableError> {
        Ok(self.column(name)?.get(row))
    }

    /// The line in the source file of data row `row` (the header is line 1).
    pub fn line_of(&self, row: usize) -> Option<u64> {
        match &self.lines {
            Lines::None => None,
            Lines::Simple => Some(row as u64 + 2),
            Lines::Explicit(l) => l.get(row).copied().filter(|&x| x > 0),
        }
    }

    /// Where a cell is, for error messages: `file.csv:7: column 'rate'`.
    pub fn cell_ref(&self, row: usize, column: &str) -> CellRef {
        CellRef {
            file: self.source.to_string(),
            line: self.line_of(row),
            row,
            column: column.to_string(),
        }
    }

    /// The error for a cell that does not hold what is needed.
    pub fn bad_cell(&self, row: usize, column: &str, expected: &str, hint: &str) -> TableError {
        TableError::BadCell {
            at: self.cell_ref(row, column),
            expected: expected.to_string(),
            found: self
                .column(column)
                .ok()
                .and_then(|c| c.text_at(row))
                .unwrap_or_default(),
            hint: hint.to_string(),
        }
    }

    /// Checks that every column in `required` exists, naming the first missing one.
    pub fn require(&self, required: &[&str]) -> Result<(), TableError> {
        for name in required {
            self.column(name)?;
        }
        Ok(())
    }
}
