//! What-if helpers: change one input and re-plan with the same options and seed.

use super::error::SopError;
use super::model::{parse_half_days, Leave, MAX_SLOTS};
use super::plan::{schedule, Plan};
use chrono::NaiveDate;
use std::time::Instant;

impl Plan {
    /// Re-plans with `owner` unavailable from `from` to `to` (inclusive).
    pub fn with_unavailable(
        &self,
        owner: &str,
        from: NaiveDate,
        to: NaiveDate,
        stop_at: Option<Instant>,
    ) -> Result<Plan, SopError> {
        if to < from {
            return Err(SopError::Invalid(format!(
                "with_unavailable: 'to' ({to}) must be on or after 'from' ({from})"
            )));
        }
        if !self.model.owners.iter().any(|o| o.name == owner) {
            let names: Vec<&str> = self.model.owners.iter().map(|o| o.name.as_str()).collect();
            return Err(SopError::Invalid(format!(
                "with_unavailable: no owner named '{owner}'; owners: {}",
                names.join(", ")
            )));
        }
        let mut input = self.input.clone();
        input.unavailable.push(Leave {
            owner: owner.to_string(),
            from,
            to,
            at: "with_unavailable".into(),
        });
        schedule(&input, stop_at)
    }

    /// Re-plans with task `id` lasting `days` working days (>= 0, steps of 0.5).
    pub fn with_duration(
        &self,
        id: &str,
        days: f64,
        stop_at: Option<Instant>,
    ) -> Result<Plan, SopError> {
        let slots = parse_half_days(&days.to_string())
            .filter(|&s| s <= MAX_SLOTS)
            .ok_or_else(|| {
                SopError::Invalid(format!(
                    "with_duration: days must be a number of working days from 0 to 2600 in steps of 0.5, got {days}"
                ))
            })?;
        let mut input = self.input.clone();
        let Some(t) = input.tasks.iter_mut().find(|t| t.id == id) else {
            let hint = crate::suggest::closest(id, self.input.tasks.iter().map(|t| t.id.as_str()))
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return Err(SopError::Invalid(format!(
                "with_duration: no task with id '{id}'{hint}"
            )));
        };
        t.duration = slots;
        schedule(&input, stop_at)
    }

    /// Re-plans with the launch on `date` (deadlines written `L-5` move with it).
    pub fn with_launch(&self, date: NaiveDate, stop_at: Option<Instant>) -> Result<Plan, SopError> {
        let mut input = self.input.clone();
        input.options.launch = Some(date);
        schedule(&input, stop_at)
    }

    /// Re-plans with the named launch `name` (of the `launches` option) on `date`:
    /// deadlines written `L(name)-5` move with it.
    pub fn with_named_launch(
        &self,
        name: &str,
        date: NaiveDate,
        stop_at: Option<Instant>,
    ) -> Result<Plan, SopError> {
        let mut input = self.input.clone();
        let names: Vec<String> = input.options.launches.iter().map(|l| l.0.clone()).collect();
        let Some(l) = input.options.launches.iter_mut().find(|l| l.0 == name) else {
            return Err(SopError::Invalid(format!(
                "with_launch: no launch named '{name}'; launches: {}",
                if names.is_empty() {
                    "none (set them with the 'launches' option)".to_string()
                } else {
                    names.join(", ")
                }
            )));
        };
        l.1 = date;
        schedule(&input, stop_at)
    }
}
