//! Output for people, in one place: numbers formatted by their meaning
//! (`format.rs`), aligned terminal tables, Markdown and HTML tables and reports, and
//! every chart, drawn with one SVG kit (`svg.rs`). Domains return plain data and never
//! name this module; files are written by the script layer's sandboxed writers.

mod format;
mod html;
mod line_chart;
mod number;
pub mod review_chart;
pub mod review_report;
pub mod review_text;
pub mod svg;
mod text_table;

pub use crate::table::Kind;
pub use format::{change, format_kind, percent, points, CellFormat};
pub use html::{escape as html_escape, table_html, table_markdown, Block, Report};
pub use line_chart::{LineChart, Series};
pub use number::{format_display, format_grouped, format_grouped_int, group_int};
pub use text_table::{render_table, render_table_limited};
