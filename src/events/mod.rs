//! Observed funnels, retention and lifecycle from event exports: track the funnel
//! live from tracking-point exports (docs/handbook.md, monitoring).
//!
//! Files: [`time`] (epoch seconds and ISO-8601 timestamps), [`window`] (`7d`),
//! [`period`] (calendar days, ISO weeks, months), [`chain`] (one user's funnel under
//! the order rules, exclusions and repeated steps), [`collect`] (events grouped by
//! user in memory proportional to users and their kept events), [`csv_scan`] (a
//! streaming, parallel CSV reader for the few columns a computation needs; gzip
//! decoded as it goes), [`parquet_scan`] (the same for a Parquet export, row group by
//! row group), [`observed`] (funnel spec, entry points, result and semantics),
//! [`retention`] (cohort tables and repeat rate), [`lifecycle`] (new, returning,
//! resurrected and dormant users per period), [`compare`](mod@compare) (planned stage
//! rates against observed ones, gaps ranked by revenue). The semantics are documented
//! with examples in `docs/events.md`.
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `funnel_events(path, steps, #{ window, by, user, event, time, order, exclude, attribution, interval, users })` | [`funnel_from_file`], [`observed::funnel_from_file_with`] |
//! | `funnel_events(table, steps, #{ ... })` | [`funnel_from_table`] |
//! | `f.table`, `f.times`, `f.histogram`, `f.trends`, `f.semantics`, `f.rows_read`, `f.rows_used`, `f.users`, `f.entering`, `f.excluded` | [`ObservedFunnel`] |
//! | `retention(events, #{ start_event, return_event, interval, periods, by })` | [`retention::retention_from_file`], [`retention::retention_from_table`] |
//! | `lifecycle(events, #{ event, interval })` | [`lifecycle::lifecycle_from_file`], [`lifecycle::lifecycle_from_table`] |
//! | `compare(funnel_plan, observed)` | [`compare()`](compare::compare) with the plan's stages, entering volume and aov ([`Comparison`]: `table`, `planned_revenue`, `observed_revenue`) |
//! | `compare(plan_table, observed, #{ entering, aov })` | [`compare()`](compare::compare) with a `stage, rate` table |

pub mod chain;
pub mod collect;
pub mod compare;
pub mod csv_scan;
pub mod error;
pub mod lifecycle;
pub mod observed;
pub mod parquet_scan;
pub mod period;
pub mod retention;
pub mod time;
pub mod window;

pub use chain::Order;
pub use compare::{compare, Comparison, PlannedStage, StageGap};
pub use error::EventsError;
pub use observed::{
    funnel_from_file, funnel_from_table, parse_order, Attribution, ExcludeStep, FunnelSpec,
    GroupFunnel, ObservedFunnel, PushedDown, Semantics, StepStat, TimeStats, Trends, UserLevels,
    MAX_STEPS,
};
pub use period::Interval;
pub use time::parse_time;
pub use window::Window;
