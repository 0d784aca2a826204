//! The one rule for the columns of an input table that a domain reads (a review's
//! metrics, actions, lessons, a schedule's tasks): every column must be one the reader
//! knows. An unknown column is refused with the list of known columns and the closest
//! known name, never dropped silently, because a dropped column is usually a
//! misspelled one (`expected_efect`) whose data would otherwise vanish without a word.
//! docs/formats.md states the rule for users.

use super::Table;
use thiserror::Error;

/// A column the reader does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: unknown column '{column}'{}; allowed columns: {}", suggestion.as_ref().map(|s| format!(", did you mean '{s}'?")).unwrap_or_default(), allowed.join(", "))]
pub struct UnknownColumn {
    /// The table's source (file name or `<script>`).
    pub file: String,
    /// The column found.
    pub column: String,
    /// The closest known name, when it is a plausible typo.
    pub suggestion: Option<String>,
    /// The columns this table may have.
    pub allowed: Vec<String>,
}

/// Checks that every column of `t` is in `allowed` (exact names); the first unknown
/// one is the error.
pub fn check_known_columns(t: &Table, allowed: &[&str]) -> Result<(), UnknownColumn> {
    match t.names().iter().find(|n| !allowed.contains(&n.as_str())) {
        None => Ok(()),
        Some(name) => Err(UnknownColumn {
            file: t.source().to_string(),
            column: name.clone(),
            suggestion: crate::suggest::closest(name, allowed.iter().copied()).map(str::to_string),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;

    #[test]
    fn names_the_column_the_allowed_ones_and_the_closest() {
        let t = Table::new(
            "a.csv",
            vec![
                ("action".into(), Column::int(vec![Some(1)])),
                ("expected_efect".into(), Column::int(vec![Some(1)])),
            ],
        )
        .expect("table");
        let e = check_known_columns(&t, &["action", "expected_effect"]).expect_err("unknown");
        assert_eq!(e.column, "expected_efect");
        assert_eq!(e.suggestion.as_deref(), Some("expected_effect"));
        assert_eq!(
            e.to_string(),
            "a.csv: unknown column 'expected_efect', did you mean 'expected_effect'?; allowed columns: action, expected_effect"
        );
        assert!(check_known_columns(&t, &["action", "expected_efect", "other"]).is_ok());
        let e = check_known_columns(&t, &["zzz", "action"]).expect_err("unknown");
        assert_eq!(e.suggestion, None);
    }
}
