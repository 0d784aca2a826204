//! The SOP domain (docs/handbook.md, the SOP): from a materials-and-tasks list to a
//! resource-feasible plan over working-day calendars, with the reasoning shown.
//!
//! Files: [`calendar`] (working days, holidays, make-up workdays, half-day slots),
//! [`model`] (the input tables and options), [`problem`] (the RCPSP on the working-time
//! axis and the independent feasibility [`check`]), [`sgs`] (serial schedule generation),
//! [`search`] (priority rules, justification, genetic algorithm; deterministic budget),
//! [`plan`] (`schedule`: model, dates, slack, critical set and chains, progress against a
//! baseline, costs, requests, load), [`conflict`] (unknown owners and predecessors,
//! deadlines proven or not, windows), [`tables`] (plan as tables, diff), [`whatif`]
//! (re-planning helpers), [`simulate`](mod@simulate) (Monte Carlo of the finish over
//! duration ranges), [`export`] (owner lanes, Mermaid, iCalendar; the Gantt chart is
//! drawn by `render::gantt`), [`psplib`] (benchmark instances), [`error`].
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `schedule(tasks, #{ start, launch, launches, status_date, baseline, weekend, owners, calendar, unavailable, seed, effort })` | [`tasks_from_table`], [`owners_from_table`], [`calendar_from_table`], [`unavailable_from_table`], [`baseline_from_table`], [`schedule()`](plan::schedule) |
//! | `plan.tasks`, `plan.requests`, `plan.load`, `plan.conflicts` | [`Plan::tasks_table`], [`Plan::requests_table`], [`Plan::load_table`], [`Plan::conflicts_table`] |
//! | `plan.finish`, `plan.length`, `plan.lower_bound`, `plan.critical_path`, `plan.critical`, `plan.evaluations` | fields of [`Plan`], [`Plan::length_days`] |
//! | `plan.critical_chains` | [`Plan::chains_table`] |
//! | `plan.baseline()`, `plan.progress`, `plan.at_risk`, `plan.finish_slip` | [`Plan::baseline_table`], [`Plan::progress_table`], [`PlannedTask`], [`Plan::finish_slip`] |
//! | `plan.costs`, `plan.cost`, `plan.cost_by(key)` | [`Plan::costs_table`], [`Plan::total_cost`], [`Plan::cost_by`] |
//! | `plan.simulate(n, #{ seed, shape, percentiles, task })` | [`simulate()`](simulate::simulate), [`FinishRisk::table`] |
//! | `plan.with_unavailable(owner, from, to)`, `plan.with_duration(id, days)`, `plan.with_launch(date)`, `plan.with_launch(name, date)` | [`Plan::with_unavailable`], [`Plan::with_duration`], [`Plan::with_launch`], [`Plan::with_named_launch`] |
//! | `plan.diff(other)` | [`Plan::diff`] |
//! | `plan.gantt(path)`, `plan.svg` | `render::gantt::gantt_svg`, `render::gantt::gantt_html` |
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
pub mod simulate;
pub mod tables;
pub mod whatif;

pub use calendar::{days_text, parse_weekday, Calendar, Slot};
pub use conflict::Conflict;
pub use error::SopError;
pub use model::{
    baseline_from_table, calendar_from_table, owners_from_table, tasks_from_table,
    unavailable_from_table, BaselineTask, Deadline, Effort, Leave, Link, Owner, Pred, SopInput,
    SopOptions, Status, Task,
};
pub use plan::{schedule, Chain, ChainEnd, OwnerLoad, Plan, PlannedTask, Request};
pub use problem::{check, Problem, Score};
pub use search::{budget, solve, SearchOptions, Solution};
pub use simulate::{simulate, FinishRisk, Shape};
