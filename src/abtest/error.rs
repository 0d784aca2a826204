//! Errors of the A/B test domain: each names the function and parameter at fault with
//! its allowed range, says why a statistic is undefined, or gives the file, line and
//! column of a bad cell.

use crate::table::TableError;
use thiserror::Error;

/// Everything that can go wrong in the A/B test primitives and the readout.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AbError {
    /// A parameter outside its allowed range.
    #[error("{what} must be {allowed}, got {value}")]
    OutOfRange {
        /// The function and parameter, e.g. `ztest_props: x_a`.
        what: String,
        /// The allowed range in words, e.g. `a whole number from 0 to n_a (1000)`.
        allowed: String,
        /// The offending value as written.
        value: String,
    },
    /// A statistic that does not exist for these data, with the reason.
    #[error("{0}")]
    Undefined(String),
    /// An argument that is invalid for a reason other than its range.
    #[error("{0}")]
    Invalid(String),
    /// A long computation gave up at the run's deadline or on an interrupt.
    #[error("{0}")]
    Stopped(String),
    /// A rate outside [0, 1].
    #[error(transparent)]
    Unit(#[from] crate::units::UnitError),
    /// A table-sourced input was wrong (file, line and column are in the message).
    #[error(transparent)]
    Table(Box<TableError>),
}

impl From<TableError> for AbError {
    fn from(e: TableError) -> Self {
        AbError::Table(Box::new(e))
    }
}

/// Shorthand for an out-of-range error.
pub(crate) fn out_of_range(what: &str, allowed: &str, value: impl Shown) -> AbError {
    AbError::OutOfRange {
        what: what.to_string(),
        allowed: allowed.to_string(),
        value: value.shown(),
    }
}

/// A value as an out-of-range message shows it: floats by `units::show_number` (no
/// fake digits: 2^63 is `9.223372036854776e18`), whole numbers exactly, text as given.
pub(crate) trait Shown {
    /// The text shown.
    fn shown(&self) -> String;
}

impl Shown for f64 {
    fn shown(&self) -> String {
        crate::units::show_number(*self)
    }
}

impl Shown for String {
    fn shown(&self) -> String {
        self.clone()
    }
}

impl Shown for &str {
    fn shown(&self) -> String {
        (*self).to_string()
    }
}

macro_rules! shown_as_display {
    ($($t:ty),*) => {$(
        impl Shown for $t {
            fn shown(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
shown_as_display!(i64, u64, usize, u32, i32);
