//! Output for people: aligned terminal tables and number formatting. Charts are
//! produced as SVG strings by each domain's `chart` module; files are written by the
//! script layer's sandboxed writers.

mod html;
mod number;
pub mod review_chart;
pub mod review_report;
pub mod review_text;
mod text_table;

pub use html::{escape as html_escape, table_html, table_markdown, Block, Report};
pub use number::{format_display, format_grouped, format_grouped_int, group_int};
pub use text_table::{render_table, render_table_limited};
