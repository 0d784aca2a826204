//! Tables: typed columns read from CSV with clear errors, and the native operations
//! scripts run over whole tables (select, filter, sort, group_by/agg, join).

mod column;
mod error;
#[allow(clippy::module_inception)]
mod table;
mod value;

pub use column::Column;
pub use error::{CellRef, TableError};
pub use table::Table;
pub use value::{format_float, DType, Value};
