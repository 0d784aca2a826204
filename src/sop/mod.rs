//! The SOP domain (docs/handbook.md, the SOP): from a materials-and-tasks list to a
//! resource-feasible plan over working-day calendars, with the reasoning shown.
//!
//! Files: [`calendar`] (working days, holidays, make-up workdays, half-day slots),
//! [`model`] (the input tables and options), [`problem`] (the RCPSP on the working-time
//! axis and the independent feasibility [`check`]), [`sgs`] (serial schedule generation),
//! [`search`] (priority rules, justification, genetic algorithm; deterministic budget),
//! [`plan`] (`schedule`: model, dates, slack, critical path, requests, load),
//! [`conflict`] (unknown owners and predecessors, deadlines proven or not, windows),
//! [`tables`] (plan as tables, diff), [`whatif`] (re-planning helpers), [`export`]
//! (Gantt SVG/HTML, Mermaid, iCalendar), [`psplib`] (benchmark instances), [`error`].
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `schedule(tasks, #{ start, launch, weekend, owners, calendar, unavailable, seed, effort })` | [`tasks_from_table`], [`owners_from_table`], [`calendar_from_table`], [`unavailable_from_table`], [`schedule()`](plan::schedule) |
//! | `plan.tasks`, `plan.requests`, `plan.load`, `plan.conflicts` | [`Plan::tasks_table`], [`Plan::requests_table`], [`Plan::load_table`], [`Plan::conflicts_table`] |
//! | `plan.finish`, `plan.length`, `plan.lower_bound`, `plan.critical_path`, `plan.evaluations` | fields of [`Plan`], [`Plan::length_days`] |
//! | `plan.with_unavailable(owner, from, to)`, `plan.with_duration(id, days)`, `plan.with_launch(date)` | [`Plan::with_unavailable`], [`Plan::with_duration`], [`Plan::with_launch`] |
//! | `plan.diff(other)` | [`Plan::diff`] |
//! | `plan.gantt(path)` | [`export::gantt_svg`], [`export::gantt_html`] |
//! | `plan.mermaid()` | [`export::mermaid`] |
//! | `write_ics(plan, name)` | [`export::ics`] |

pub mod calendar;
pub mod conflict;
pub mod error;
pub mod export;
pub mod model;
pub mod plan;
pub mod problem;
pub mod psplib;
pub mod search;
pub mod sgs;
pub mod tables;
pub mod whatif;

pub use calendar::{days_text, parse_weekday, Calendar, Slot};
pub use conflict::Conflict;
pub use error::SopError;
pub use model::{
    calendar_from_table, owners_from_table, tasks_from_table, unavailable_from_table, Deadline,
    Effort, Leave, Owner, Pred, SopInput, SopOptions, Status, Task,
};
pub use plan::{schedule, OwnerLoad, Plan, PlannedTask, Request};
pub use problem::{check, Problem, Score};
pub use search::{budget, solve, SearchOptions, Solution};
