//! The SOP domain (domain.md section 4; issue 9): from a materials-and-tasks list to a
//! resource-feasible plan over working-day calendars.
//!
//! Files: [`calendar`] (working days, holidays, make-up workdays, half-day slots),
//! [`model`] (the input tables and options), [`error`].

pub mod calendar;
pub mod error;
pub mod model;

pub use calendar::{days_text, parse_weekday, Calendar, Slot};
pub use error::SopError;
pub use model::{
    calendar_from_table, owners_from_table, tasks_from_table, unavailable_from_table, Deadline,
    Effort, Leave, Owner, Pred, SopInput, SopOptions, Status, Task,
};
