//! Output for people, in one place: numbers formatted by their meaning
//! (`format.rs`), aligned terminal tables, Markdown and HTML tables and reports, and
//! every chart, drawn with one SVG kit (`svg.rs`). Domains return plain data and never
//! name this module; files are written by the script layer's sandboxed writers.

mod ab_readout;
mod budget_chart;
mod flighting_chart;
mod format;
mod funnel_chart;
pub mod funnel_charts;
mod funnel_text;
pub mod gantt;
mod html;
mod line_chart;
mod number;
pub mod observed_funnel;
mod pacing_chart;
pub mod review_chart;
pub mod review_report;
pub mod review_text;
pub mod scenario_chart;
pub mod svg;
mod text_table;
pub mod xlsx;
mod xy_chart;

pub use crate::table::Kind;
pub use ab_readout::{
    ab_blocks, ab_chart, ab_line_chart, ab_methods, ab_summary, ab_text, ab_warning, ab_warnings,
    act_on, p_text, AbChart,
};
pub use budget_chart::{allocation_svg, budget_curve_svg, curve_svg};
pub use flighting_chart::{flighting_summary, flighting_svg};
pub use format::{change, format_kind, percent, points, CellFormat};
pub use funnel_chart::funnel_svg;
pub use funnel_text::{
    check_issue_text, check_summary, describe as describe_funnel, describe_plan,
};
pub use html::{
    escape as html_escape, header_words, table_html, table_markdown, Block, Headline, InputFile,
    Provenance, Report,
};
pub use line_chart::{LineChart, Series};
pub use number::{format_display, format_grouped, format_grouped_int, group_int};
pub use pacing_chart::{pacing_svg, PacingView};
pub use text_table::{render_table, render_table_limited};
pub use xy_chart::{Mark, XyChart, XySeries};
