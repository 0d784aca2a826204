//! The funnel domain, planning half (docs/handbook.md, the funnel): goal decomposition
//! through a chain of stages (AARRR), forward projection, revenue goals, media sizing,
//! the consistency check of a planner's table, sensitivity of the output to each
//! stage's rate, what-if copies of a funnel, and an SVG funnel chart.
//!
//! Files: [`plan`] (stages, forward, backward, for_revenue, with_rate), [`media`](mod@media)
//! (impressions and cost of a visitor target, priced through `crate::budget`),
//! [`check`] (`funnel_check`), [`sensitivity`](mod@sensitivity), [`chart`] (SVG), [`read`] (stages and
//! planner tables from CSV tables), [`text`] (terminal summaries), [`error`].
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `funnel(stages)`, `funnel(stages, #{ aov })` | [`Funnel::new`]; a table of stages via [`stages_from_table`] |
//! | `f.forward(entering)` | [`Funnel::forward`] |
//! | `f.backward(conversions)` | [`Funnel::backward`] |
//! | `f.for_revenue(revenue)` | [`Funnel::for_revenue`] |
//! | `f.with_rate(stage, rate)` | [`Funnel::with_rate`] |
//! | `f.stages`, `f.aov`, `f.overall_rate` | [`Funnel::to_table`], [`Funnel::aov`], [`Funnel::overall_rate`] |
//! | `f.with_changes(#{ stage: rate, aov })` (`with` is reserved in Rhai) | [`Funnel::with_rates`], [`Funnel::with_aov`] |
//! | `f.sensitivity(entering, #{ step, relative })` | [`sensitivity()`](sensitivity::sensitivity), [`Sensitivity::to_table`] |
//! | `media(visitors or plan, #{ ctr, cpm \| cpc })` | [`media()`](media::media) |
//! | `funnel_check(table, #{ goal, aov, tolerance })` | [`check_plan`] ([`PlanCheck`]: `ok`, `issues`, `table`, `implied_conversions`, `implied_revenue`, `needed_entering`, `funnel`) |
//! | `plan.chart(path, #{ title })`, `plan.svg` | `render::funnel_svg` |
//! | `print(f)`, `print(plan)` | `render::describe_funnel`, `render::describe_plan` |
//! | `plan.entering`, `plan.conversions`, `plan.revenue`, `plan.stages` | [`FunnelPlan`] fields, [`FunnelPlan::to_table`] |

pub mod check;
pub mod error;
pub mod media;
pub mod plan;
pub mod read;
pub mod sensitivity;

pub use check::{check_plan, CheckOptions, Link, PlanCheck};
pub use error::FunnelError;
pub use media::{media, MediaPlan};
pub use plan::{Funnel, FunnelPlan, Stage, StageRow};
pub use read::stages_from_table;
pub use sensitivity::{sensitivity, Lever, Sensitivity};
