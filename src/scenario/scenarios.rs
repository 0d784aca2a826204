//! Named scenarios side by side: a table with a `scenario` column (base, optimistic,
//! pessimistic, ...) and one column per input; each row is evaluated and the results
//! are laid out one column per scenario, with the difference of each from the base.

use super::error::{Failure, ScenarioError};
use crate::table::{Column, Table};
use crate::units::parse_quantity;

/// Scenarios read from a table: their names, the input names, and the input values
/// of each scenario (one row per scenario, in input order).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSet {
    /// The scenario names, in table order.
    pub names: Vec<String>,
    /// The input names (every column but `scenario`).
    pub inputs: Vec<String>,
    /// `values[s][i]`: input `i` in scenario `s`.
    pub values: Vec<Vec<f64>>,
}

/// Reads scenarios from a table: a `scenario` column of unique names, and numeric
/// input columns (cells like `5%` are read as 0.05). An empty or non-numeric cell is an
/// error naming the file, line and column.
pub fn read(table: &Table) -> Result<ScenarioSet, ScenarioError> {
    table.require(&["scenario"])?;
    if table.n_rows() == 0 {
        return Err(ScenarioError::Invalid(format!(
            "{}: no scenarios (the table has no rows)",
            table.source()
        )));
    }
    let sc = table.column("scenario")?;
    let mut names = Vec::with_capacity(table.n_rows());
    for r in 0..table.n_rows() {
        let n = sc
            .text_at(r)
            .ok_or_else(|| table.bad_cell(r, "scenario", "a scenario name", ""))?;
        if names.contains(&n) {
            return Err(table
                .bad_cell(r, "scenario", "a name not used by another row", "")
                .into());
        }
        names.push(n);
    }
    let inputs: Vec<String> = table
        .names()
        .iter()
        .filter(|n| *n != "scenario")
        .cloned()
        .collect();
    if inputs.is_empty() {
        return Err(ScenarioError::Invalid(format!(
            "{}: no input columns besides 'scenario'",
            table.source()
        )));
    }
    let mut values = vec![Vec::with_capacity(inputs.len()); names.len()];
    for name in &inputs {
        let col = table.column(name)?;
        for (r, row) in values.iter_mut().enumerate() {
            let v = match col.f64_at(r) {
                Some(v) => v,
                None => col
                    .text_at(r)
                    .and_then(|t| parse_quantity(&t).ok())
                    .map(|q| q.value)
                    .ok_or_else(|| {
                        table.bad_cell(r, name, "a number (like 0.03, 3% or 25000)", "")
                    })?,
            };
            row.push(v);
        }
    }
    Ok(ScenarioSet {
        names,
        inputs,
        values,
    })
}

/// The side-by-side comparison: one row per input and per output (`item`), one column
/// per scenario, then `<name>_vs_base` (scenario minus base) for each other scenario.
/// The base is the scenario named `base`, or the first one.
pub fn compare<E, F>(
    set: &ScenarioSet,
    output_names: &[String],
    mut f: F,
) -> Result<Table, Failure<E>>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
{
    let base = set.names.iter().position(|n| n == "base").unwrap_or(0);
    let mut rows: Vec<Vec<f64>> = Vec::with_capacity(set.names.len());
    for (s, x) in set.values.iter().enumerate() {
        let out = f(x).map_err(Failure::Model)?;
        if out.len() != output_names.len() {
            return Err(ScenarioError::Invalid(format!(
                "scenarios: scenario '{}' gave {} results, expected {}",
                set.names[s],
                out.len(),
                output_names.len()
            ))
            .into());
        }
        rows.push(x.iter().copied().chain(out).collect());
    }
    let items: Vec<String> = set.inputs.iter().chain(output_names).cloned().collect();
    let mut cols = vec![(
        "item".to_string(),
        Column::text(items.iter().cloned().map(Some).collect()),
    )];
    for (s, name) in set.names.iter().enumerate() {
        cols.push((
            name.clone(),
            Column::float(rows[s].iter().map(|v| Some(*v)).collect()),
        ));
    }
    for (s, name) in set.names.iter().enumerate() {
        if s != base {
            cols.push((
                format!("{name}_vs_base"),
                Column::float(
                    rows[s]
                        .iter()
                        .zip(&rows[base])
                        .map(|(a, b)| Some(a - b))
                        .collect(),
                ),
            ));
        }
    }
    Table::new("<scenarios>", cols).map_err(|e| Failure::Scenario(e.into()))
}
