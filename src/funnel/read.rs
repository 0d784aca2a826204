//! Reading funnel stages and planner tables from CSV-sourced tables: every bad cell
//! is reported with its file, line and column.

use super::error::FunnelError;
use super::plan::Stage;
use crate::table::Table;
use crate::units::{parse_quantity, Rate};

/// The name of the column holding stage names: `stage`, else `name`.
pub(crate) fn stage_column(t: &Table) -> Result<&'static str, FunnelError> {
    if t.has_column("stage") {
        Ok("stage")
    } else if t.has_column("name") {
        Ok("name")
    } else {
        Err(t.missing_column("stage").into())
    }
}

/// The text of a non-empty cell, or an error naming the file, line and column.
pub(crate) fn text_cell(t: &Table, row: usize, col: &str) -> Result<String, FunnelError> {
    let c = t.column(col)?;
    match c.text_at(row).map(|s| s.trim().to_string()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(t
            .bad_cell(row, col, "a stage name", "; the cell is empty")
            .into()),
    }
}

/// A number cell (a plain number, or text such as `15%` or `1200`), or an error naming
/// the file, line and column. Empty cells are `None`.
pub(crate) fn number_cell(t: &Table, row: usize, col: &str) -> Result<Option<f64>, FunnelError> {
    let c = t.column(col)?;
    if c.is_null(row) {
        return Ok(None);
    }
    if let Some(x) = c.f64_at(row) {
        return Ok(Some(x));
    }
    let text = c.text_at(row).unwrap_or_default();
    parse_quantity(&text)
        .map(|q| Some(q.value))
        .map_err(|e| match e {
            // The cell's own words already say what a number looks like: once.
            crate::units::UnitError::NotANumber { hint, .. } => t
                .bad_cell(row, col, "a number (like 1200, 0.05, 5% or 1:2.2)", &hint)
                .into(),
            other => t
                .bad_cell(row, col, "a number", &format!("; {other}"))
                .into(),
        })
}

/// A rate cell in [0, 1] (`0.15` or `15%`); empty cells and values outside [0, 1] are
/// errors naming the file, line and column, with the "if you meant 5%" hint.
pub(crate) fn rate_cell(t: &Table, row: usize, col: &str) -> Result<Rate, FunnelError> {
    let x = number_cell(t, row, col)?.ok_or_else(|| {
        FunnelError::from(t.bad_cell(row, col, "a rate between 0 and 1", "; the cell is empty"))
    })?;
    Ok(Rate::new(x, &t.cell_ref(row, col).to_string())?)
}

/// Stages from a table with columns `stage` (or `name`) and `rate`, one row per stage
/// in funnel order. Other columns are ignored. Errors name the missing column or the
/// bad cell's file, line and column.
pub fn stages_from_table(t: &Table) -> Result<Vec<Stage>, FunnelError> {
    let name_col = stage_column(t)?;
    t.require(&["rate"])?;
    (0..t.n_rows())
        .map(|row| {
            Ok(Stage::new(
                &text_cell(t, row, name_col)?,
                rate_cell(t, row, "rate")?,
            ))
        })
        .collect()
}
