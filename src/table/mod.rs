//! Tables: typed columns read from CSV with clear errors, and the native operations
//! scripts run over whole tables (select, filter, sort, group_by/agg, join).

mod column;
mod csv_plain;
mod csv_read;
mod csv_write;
mod error;
mod ops;
#[allow(clippy::module_inception)]
mod table;
mod value;

pub use column::Column;
pub use csv_read::{
    io_reason, parse_cell, read_csv_bytes, read_csv_path, read_csv_path_with, CsvOptions,
};
pub use csv_write::{to_csv_string, write_csv};
pub use error::{CellRef, TableError};
pub use ops::{compare_values, neumaier_sum, value_to_json, Agg, AggSpec, CmpOp};
pub use table::Table;
pub use value::{format_float, DType, Value};
