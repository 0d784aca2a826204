//! The review domain (复盘, docs/handbook.md, the review): targets against actuals,
//! the gaps that matter most, the revenue gap attributed through the funnel, recovery
//! what-ifs, action items and lessons, comparison across campaigns, and the report.
//!
//! Files: [`metrics`] (targets vs actuals, status), [`focus`](mod@focus) (gaps ranked by effect on
//! the headline), [`decompose`](mod@decompose) (LMDI and Shapley splits of a product's change),
//! [`attribution`] (the funnel's gap by factor), [`recover`](mod@recover) (what-ifs), [`actions`]
//! (overdue and carried-over action items), [`lessons`] (the knowledge base and its
//! search), [`compare`](mod@compare) (achievements across campaigns and one period against
//! another), [`header`] (the campaign, dates, owner and target group). Results are plain
//! data: their tables, charts and the report are written by the render module
//! (`review_text`, `review_chart`, `review_report`).

//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `review(table)`, `review("file.csv")` | [`Review::from_table`], [`read_metrics`] (`r.table`: [`Review::table`], `r.formatted` and `r.svg`: drawn by the render module, `r.metric(name)`: [`Review::get`], `r.met/missed/over`: [`Review::counts`]) |
//! | `r.focus()`, `r.focus(#{ headline, drivers, top })` | [`focus()`](focus::focus), [`Focus::table`] |
//! | `attribute(table, #{ planned_aov, actual_aov, method })` | [`FunnelNumbers::from_volumes`], [`attribute()`](attribution::attribute) ([`Attribution::table`], `svg`: [`waterfall_svg`]) |
//! | `attribute(plan, actual_plan_or_volumes, #{ aov, method })` | [`FunnelNumbers::from_plan`], [`FunnelNumbers::actual_for_plan`], [`attribute()`](attribution::attribute) |
//! | `recover(table, changes, #{ planned_aov, actual_aov, target })` | [`recover()`](recover::recover) ([`Recovery`]) |
//! | `recover(plan, changes)`, `recover(plan, changes, #{ target })` | [`recover_plan`] (re-runs `crate::funnel::Funnel::forward`) |
//! | `actions(source, as_of)` | [`actions_from_table`], [`actions_table`] |
//! | `carry_over(sources, as_of)` | [`carry_over()`](actions::carry_over) |
//! | `lessons(source)` | [`lessons_from_table`], [`lessons_table`] |
//! | `search_lessons(folder, #{ category, keyword })` | [`lesson_files`], [`search`] |
//! | `compare_reviews(reviews)` | [`compare()`](compare::compare) |
//! | `review_report(review, #{ title, html, md, attribution, recover, periods, actions, lessons, headline, drivers, top })` | written by the render module's review report from these results |
//! | `compare_periods(current, previous, #{ current, previous })` | [`Review::from_file`], [`compare_periods()`](compare::compare_periods) |

pub mod actions;
pub mod attribution;
pub mod compare;
pub mod decompose;
pub mod error;
pub mod focus;
pub mod header;
pub mod lessons;
pub mod metrics;
pub mod recover;

pub use actions::{actions_from_table, actions_table, carry_over, Action};
pub use attribution::{
    attribute, Attribution, Contribution, Factor, FactorKind, FunnelNumbers, Step,
};
pub use compare::{compare, compare_periods, NoGrowth, PeriodComparison, PeriodRow, Trend};
pub use decompose::{decompose, lmdi, log_mean, shapley, Method};
pub use error::ReviewError;
pub use focus::{focus, Focus, FocusRow};
pub use header::Header;
pub use lessons::{lesson_files, lessons_from_table, lessons_table, search, Lesson, LessonQuery};
pub use metrics::{
    read_metrics, Better, MetricResult, NoAchievement, Review, Status, HEADLINE_NAMES,
};
pub use recover::{recover, recover_plan, Change, Recovery};
