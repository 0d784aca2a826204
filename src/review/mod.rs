//! The review domain (复盘, domain.md section 6; issue 5): targets against actuals,
//! the gaps that matter most, the revenue gap attributed through the funnel, recovery
//! what-ifs, action items and lessons, comparison across campaigns, and the report.
//!
//! Files: [`metrics`] (targets vs actuals, status), [`focus`] (gaps ranked by effect on
//! the headline), [`decompose`] (LMDI and Shapley splits of a product's change),
//! [`attribution`] (the funnel's gap by factor), [`recover`] (what-ifs), [`actions`]
//! (overdue and carried-over action items), [`lessons`] (the knowledge base and its
//! search), [`compare`] (achievements across campaigns), [`chart`] (waterfall and
//! target-vs-actual SVG), [`report`] (the HTML/Markdown report).

pub mod actions;
pub mod attribution;
pub mod chart;
pub mod compare;
pub mod decompose;
pub mod error;
pub mod focus;
pub mod lessons;
pub mod metrics;
pub mod recover;
pub mod report;

pub use actions::{actions_from_table, actions_table, carry_over, Action};
pub use attribution::{
    attribute, Attribution, Contribution, Factor, FactorKind, FunnelNumbers, Step,
};
pub use chart::{achievement_svg, waterfall_svg};
pub use compare::compare;
pub use decompose::{decompose, lmdi, log_mean, shapley, Method};
pub use error::ReviewError;
pub use focus::{focus, Focus, FocusRow};
pub use lessons::{lesson_files, lessons_from_table, lessons_table, search, Lesson, LessonQuery};
pub use metrics::{read_metrics, Better, MetricResult, Review, Status};
pub use recover::{recover, recover_plan, Change, Recovery};
pub use report::{review_report, ReportParts};
