//! Observed funnels from event exports (docs/handbook.md, monitoring: track the funnel live from tracking-point exports).
//!
//! Files: [`time`] (epoch seconds and ISO-8601 timestamps), [`window`] (`7d`),
//! [`chain`] (one user's best chain, ClickHouse `windowFunnel` semantics),
//! [`collect`] (events grouped by user in memory proportional to users and their
//! funnel-step events), [`csv_scan`] (a streaming, parallel CSV reader for the few
//! columns a funnel needs), [`observed`] (spec, entry points, result and semantics),
//! [`compare`](mod@compare) (planned stage rates against observed ones, gaps ranked by revenue).
//! The semantics are documented with examples in `docs/events.md`.
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `funnel_events(path, steps, #{ window, by, user, event, time, order })` | [`funnel_from_file`] |
//! | `funnel_events(table, steps, #{ ... })` | [`funnel_from_table`] |
//! | `f.table`, `f.semantics`, `f.rows_read`, `f.rows_used`, `f.users`, `f.entering` | [`ObservedFunnel::to_table`], [`Semantics::describe`] |
//! | `compare(funnel_plan, observed)` | [`compare()`](compare::compare) with the plan's stages, entering volume and aov ([`Comparison`]: `table`, `planned_revenue`, `observed_revenue`) |
//! | `compare(plan_table, observed, #{ entering, aov })` | [`compare()`](compare::compare) with a `stage, rate` table |

pub mod chain;
pub mod collect;
pub mod compare;
pub mod csv_scan;
pub mod error;
pub mod observed;
pub mod time;
pub mod window;

pub use compare::{compare, Comparison, PlannedStage, StageGap};
pub use error::EventsError;
pub use observed::{
    funnel_from_file, funnel_from_table, FunnelSpec, GroupFunnel, ObservedFunnel, Order,
    PushedDown, Semantics, StepStat, MAX_STEPS,
};
pub use time::parse_time;
pub use window::Window;
