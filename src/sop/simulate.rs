//! The Monte Carlo of a plan's finish date over the tasks' duration ranges
//! (`duration_low`, `duration_high`), on the scenario engine's seeded, chunked trials
//! ([`crate::scenario::run_parallel`]): the same seed gives the same result whatever the
//! number of threads.
//!
//! Each trial draws every task's duration from a triangular distribution on
//! `[duration_low, duration_high]` with its mode at `duration` (the three-point estimate of
//! PERT and @RISK; a uniform one when `uniform` is asked), rounds it to the nearest half
//! day (the plan's unit; rounding up would add a quarter of a day to every task on
//! average), and builds the
//! schedule with the serial scheme from the plan's own activity list: owners keep the
//! order of their tasks and every dependency, lag, release, leave and pin holds (a fixed
//! priority policy, the usual rule of stochastic project scheduling, rather than a new
//! search per trial). Tasks in progress or done, and tasks without a range, keep their
//! durations. The trial's value is the working day of the latest finish of any task,
//! milestones included, as for the plan's finish; or, when a task is named (the launch
//! milestone, say), the working day that task finishes on.
//!
//! Percentiles are read as the smallest trial value with at least `p` of the trials at or
//! below it (the inverse of the empirical distribution): finish dates are whole working
//! days, so every percentile is a date some trial reached.

use super::calendar::Slot;
use super::error::SopError;
use super::model::Status;
use super::plan::{fs_lag, Plan};
use super::sgs::Sgs;
use crate::scenario::monte_carlo::TrialRng;
use crate::scenario::{run_parallel, Dist, SimOptions};
use crate::table::{Column, Kind, Table};
use chrono::NaiveDate;
use std::time::Instant;

/// How the duration between `duration_low` and `duration_high` is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Triangular with its mode at `duration`.
    Triangular,
    /// Uniform on the range (the `duration` column is ignored).
    Uniform,
}

/// The result of [`simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct FinishRisk {
    /// Trials run.
    pub trials: usize,
    /// Tasks with a range (the others keep their durations).
    pub uncertain: usize,
    /// The plan's finish date (or the task's).
    pub planned: NaiveDate,
    /// `(percentile, finish date, working days from the first working day to it,
    /// inclusive)` for 50, 80 and 95 (and any others asked).
    pub percentiles: Vec<(f64, NaiveDate, i64)>,
    /// Share of trials finishing on or before the plan's finish date.
    pub on_plan: f64,
    /// Mean of the finish in working days (inclusive count).
    pub mean_days: f64,
}

/// The working day (index) a task starting at `s` and lasting `d` finishes on (a
/// milestone: the day it sits on).
fn day_of_finish(s: Slot, d: Slot) -> i64 {
    if d > 0 {
        (s + d - 1).div_euclid(2)
    } else {
        s.div_euclid(2)
    }
}

/// The working day (index) of the finish of `task`, or of the latest finish of any task.
fn finish_day(durations: &[Slot], start: &[Slot], task: Option<usize>) -> i64 {
    match task {
        Some(k) => day_of_finish(start[k], durations[k]),
        None => (0..start.len())
            .map(|j| day_of_finish(start[j], durations[j]))
            .max()
            .unwrap_or(0),
    }
}

/// Runs `n` trials of the plan's finish (or of task `task`'s finish, by id) with seed
/// `seed`; `percentiles` in (0, 100].
pub fn simulate(
    plan: &Plan,
    n: usize,
    seed: u64,
    shape: Shape,
    percentiles: &[f64],
    task: Option<&str>,
    deadline: Option<Instant>,
) -> Result<FinishRisk, SopError> {
    let model = &plan.model;
    let task = match task {
        None => None,
        Some(id) => Some(plan.tasks.iter().position(|t| t.id == id).ok_or_else(|| {
            let hint = crate::suggest::closest(id, plan.tasks.iter().map(|t| t.id.as_str()))
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            SopError::Option(format!(
                "simulate: option 'task': no task with id '{id}'{hint}"
            ))
        })?),
    };
    let base = &model.problem;
    let mut dists: Vec<(usize, Dist)> = Vec::new();
    for (k, t) in plan.input.tasks.iter().enumerate() {
        let Some((lo, hi)) = t.range else { continue };
        if t.status != Status::Todo || hi <= lo {
            continue;
        }
        let mode = t.duration as f64 / 2.0;
        let d = match shape {
            Shape::Triangular => Dist::triangular(lo, mode, hi),
            Shape::Uniform => Dist::uniform(lo, hi),
        }
        .map_err(|e| SopError::Invalid(format!("{}: task '{}': {e}", t.at, t.id)))?;
        dists.push((k, d));
    }
    for &p in percentiles {
        if !(p > 0.0 && p <= 100.0) {
            return Err(SopError::Option(format!(
                "simulate: percentiles must be between 0 (excluded) and 100, got {p}"
            )));
        }
    }
    let trial = |rng: &mut TrialRng| -> f64 {
        let mut p = base.clone();
        for (k, d) in &dists {
            let x = d.sample(rng);
            p.durations[*k] = (x * 2.0).round().max(0.0) as Slot;
        }
        for v in p.preds.iter_mut().chain(p.succs.iter_mut()) {
            v.clear();
        }
        for &(i, k, link, lag) in &model.links {
            p.link(i, k, fs_lag(link, lag, p.durations[i], p.durations[k]));
        }
        let mut sgs = Sgs::new(&p);
        let mut start = vec![0; p.len()];
        if !sgs.run(&p, &plan.list, &mut start) {
            return f64::NAN;
        }
        finish_day(&p.durations, &start, task) as f64
    };
    let options = SimOptions {
        seed,
        threads: None,
        deadline,
    };
    let values = run_parallel(n, &options, trial).map_err(|e| SopError::Invalid(e.to_string()))?;
    if values.iter().any(|v| v.is_nan()) {
        return Err(SopError::Invalid(
            "simulate: a trial found no room for a task before the horizon".into(),
        ));
    }
    let mut sorted = values;
    sorted.sort_by(f64::total_cmp);
    let cal = &model.calendar;
    let mut out = Vec::with_capacity(percentiles.len());
    for &p in percentiles {
        // The smallest value with at least p% of the trials at or below it.
        let rank = ((p / 100.0 * n as f64) - 1e-9).ceil().max(1.0) as usize;
        let day = sorted[rank.min(n) - 1] as i64;
        out.push((p, cal.date_of(day)?, day + 1));
    }
    let planned = match task {
        Some(k) => plan.tasks[k].dates.map_or(plan.finish_date, |d| d.1),
        None => plan.finish_date,
    };
    let planned_day = cal.index_on_or_after(planned)?;
    let on_plan = sorted.partition_point(|&v| v <= planned_day as f64) as f64 / n as f64;
    let mean_days = sorted.iter().map(|v| v + 1.0).sum::<f64>() / n as f64;
    Ok(FinishRisk {
        trials: n,
        uncertain: dists.len(),
        planned,
        percentiles: out,
        on_plan,
        mean_days,
    })
}

impl FinishRisk {
    /// The percentiles as a table: `percentile, finish` (date), `working_days` (from the
    /// plan's first working day to the finish, inclusive).
    pub fn table(&self) -> Result<Table, SopError> {
        let p = &self.percentiles;
        Ok(Table::new(
            "plan.simulate",
            vec![
                (
                    "percentile".into(),
                    Column::float(p.iter().map(|x| Some(x.0)).collect()),
                ),
                (
                    "finish".into(),
                    Column::date(p.iter().map(|x| Some(x.1)).collect()),
                ),
                (
                    "working_days".into(),
                    Column::int(p.iter().map(|x| Some(x.2)).collect()),
                ),
            ],
        )?
        .with_kind("working_days", Kind::Days))
    }
}
