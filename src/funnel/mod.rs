//! The funnel domain, planning half (domain.md section 2; issue 3): goal decomposition
//! through a chain of stages (AARRR), forward projection, revenue goals, and what-if
//! copies of a funnel.
//!
//! Files: [`plan`] (stages, forward, backward, for_revenue, with_rate), [`read`]
//! (stages and planner tables from CSV tables), [`text`] (terminal summaries), [`error`].
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
//! | `print(f)`, `print(plan)` | [`describe`], [`describe_plan`] |
//! | `plan.entering`, `plan.conversions`, `plan.revenue`, `plan.stages` | [`FunnelPlan`] fields, [`FunnelPlan::to_table`] |

pub mod error;
pub mod plan;
pub mod read;
pub mod text;

pub use error::FunnelError;
pub use plan::{Funnel, FunnelPlan, Stage, StageRow};
pub use read::stages_from_table;
pub use text::{describe, describe_plan};
