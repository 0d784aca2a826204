//! Errors of the budget domain: each names the parameter or constraint at fault and
//! its allowed range, or the file, line and column of a bad cell.

use crate::table::TableError;
use crate::units::UnitError;
use thiserror::Error;

/// Everything that can go wrong in cost models, response curves, allocation and pacing.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BudgetError {
    /// A parameter outside its allowed range.
    #[error(transparent)]
    OutOfRange(#[from] crate::units::RangeError),
    /// An argument that is invalid for a reason other than its range.
    #[error("{0}")]
    Invalid(String),
    /// Bad data for a curve fit (negative spend, too few points, no variation).
    #[error("fit_curve: {0}")]
    BadFitData(String),
    /// A fitted curve that breaks a requirement (e.g. not concave when concavity is needed).
    #[error("fit_curve: {0}")]
    RejectedFit(String),
    /// Bounds that no allocation can satisfy; the message names the constraints at fault.
    #[error("infeasible budget: {0}")]
    Infeasible(String),
    /// A target result no budget can reach.
    #[error("min_budget: {0}")]
    Unreachable(String),
    /// A long computation passed its deadline.
    #[error("{0}")]
    Timeout(String),
    /// A table-sourced input was wrong (file, line and column are in the message).
    #[error(transparent)]
    Table(Box<TableError>),
    /// A rate or cell notation was wrong.
    #[error(transparent)]
    Unit(#[from] UnitError),
}

impl From<TableError> for BudgetError {
    fn from(e: TableError) -> Self {
        BudgetError::Table(Box::new(e))
    }
}

/// Checks that `value` is finite and `> 0`.
pub(crate) fn positive(what: &str, value: f64) -> Result<f64, BudgetError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: what.to_string(),
            allowed: "a positive number".to_string(),
            value,
        }))
    }
}

/// Checks that `value` is finite and `>= 0`.
/// `value`, the result of `formula` in `function`, when finite; else an error naming the
/// formula (an input near the largest number, or a divisor near 0, made it overflow).
pub(crate) fn finite(function: &str, formula: &str, value: f64) -> Result<f64, BudgetError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: format!("{function}: {formula}"),
            allowed: "a finite number (an input is too large, or a divisor too close to 0)"
                .to_string(),
            value,
        }))
    }
}

pub(crate) fn non_negative(what: &str, value: f64) -> Result<f64, BudgetError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: what.to_string(),
            allowed: "a number >= 0".to_string(),
            value,
        }))
    }
}

/// The share of the total held back as a reserve, checked to be in `[0, 1)`; `function`
/// names the caller in the error.
pub(crate) fn reserve_share(function: &str, reserve: f64) -> Result<f64, BudgetError> {
    if (0.0..1.0).contains(&reserve) {
        Ok(reserve)
    } else {
        Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: format!("{function}: reserve"),
            allowed: "a share in [0, 1) (write 20% or 0.2)".into(),
            value: reserve,
        }))
    }
}

/// How messages name the amount planned: `the total 100`, or with a reserve `the 80 to
/// allocate (total 100 less the 20% reserve)`.
pub(crate) fn planned_text(total: f64, planned: f64, reserve: f64) -> String {
    if reserve > 0.0 {
        format!(
            "the {} to allocate (total {} less the {} reserve)",
            num(planned),
            num(total),
            crate::units::format_percent(reserve)
        )
    } else {
        format!("the total {}", num(total))
    }
}

/// A number for messages: integers without decimals, others with up to 4 significant
/// decimals (`30000`, `1234.5`, `0.0125`).
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "infinity".into()
        } else {
            "-infinity".into()
        };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    };
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The timeout error once `deadline` has passed: `what` was stopped at the time limit,
/// and `remedy` says how to ask for less.
pub(crate) fn check_deadline(
    deadline: Option<std::time::Instant>,
    what: &str,
    remedy: &str,
) -> Result<(), BudgetError> {
    match deadline {
        Some(d) if std::time::Instant::now() >= d => Err(BudgetError::Timeout(format!(
            "{what} was stopped at the time limit ({remedy}, or raise the limit)"
        ))),
        _ => Ok(()),
    }
}
