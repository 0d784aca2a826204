//! Tables: typed columns read from CSV with clear errors, and the native operations
//! scripts run over whole tables (select, filter, sort, group_by/agg, join).

mod aggregate;
mod cell;
mod column;
mod csv_read;
pub mod csv_tokenize;
mod csv_write;
mod error;
pub mod expr;
pub mod file_bytes;
mod hash;
mod keys;
mod kind;
mod known;
mod ops;
pub mod parquet;
#[cfg(test)]
mod parquet_tests;
mod reshape;
#[cfg(test)]
mod roundtrip_tests;
pub mod source;
#[allow(clippy::module_inception)]
mod table;
mod value;
mod workbook;
mod xlsx_percent;

pub use aggregate::column_sum;
pub use cell::{parse_date as parse_date_cell, parse_datetime as parse_datetime_cell};
pub use column::{date_to_days, datetime_to_micros, days_to_date, micros_to_datetime, Column};
pub use csv_read::{
    check_date_format, io_reason, parse_cell, read_csv_bytes, read_csv_bytes_noted, read_csv_path,
    read_csv_path_noted, read_csv_path_with, read_csv_reader_noted, CsvOptions,
};
pub use csv_write::{to_csv_string, to_csv_string_limited, write_csv};
pub use error::{CellRef, TableError};
pub use hash::{FxBuild, FxHasher};
pub use kind::Kind;
pub use known::{check_known_columns, UnknownColumn};
pub use ops::{compare_values, neumaier_sum, value_to_json, Agg, AggSpec, CmpOp};
pub use table::Table;
pub use value::{format_datetime, format_float, quote_text, quoted, DType, Value};
pub use workbook::{
    is_workbook, range_from_row, read_table_path_noted, read_workbook_noted, sheet_rows,
    SheetOptions,
};
