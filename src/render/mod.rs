//! Output for people: aligned terminal tables and number formatting. Charts are
//! produced as SVG strings by each domain's `chart` module; files are written by the
//! script layer's sandboxed writers.

mod number;
mod text_table;

pub use number::{format_display, format_grouped};
pub use text_table::{render_table, render_table_limited};
