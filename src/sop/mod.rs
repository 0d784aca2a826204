//! The SOP domain (domain.md section 4; issue 9): from a materials-and-tasks list to a
//! resource-feasible plan over working-day calendars.
//!
//! Files: [`calendar`] (working days, holidays, make-up workdays, half-day slots),
//! [`model`] (the input tables and options), [`problem`] (the RCPSP on the working-time
//! axis and the independent feasibility [`check`]), [`sgs`] (serial schedule generation),
//! [`search`] (priority rules, justification, genetic algorithm), [`psplib`] (benchmark
//! instances), [`error`].

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
