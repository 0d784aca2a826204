//! A plan as tables: tasks (the SOP table), requests per owner, owner load, conflicts, and
//! the difference between two plans.

use super::calendar::Slot;
use super::error::SopError;
use super::plan::{Plan, PlannedTask};
use crate::table::{Column, Kind, Table};

fn days(s: Slot) -> f64 {
    s as f64 / 2.0
}

fn strs(v: impl IntoIterator<Item = String>) -> Column {
    Column::text(v.into_iter().map(Some).collect())
}

fn floats(v: impl IntoIterator<Item = f64>) -> Column {
    Column::float(v.into_iter().map(Some).collect())
}

fn ints(v: impl IntoIterator<Item = i64>) -> Column {
    Column::int(v.into_iter().map(Some).collect())
}

/// `id, name, owner, start, finish` (dates; finish inclusive) of the plan's tasks.
fn task_columns(t: &[PlannedTask]) -> Vec<(String, Column)> {
    vec![
        ("id".into(), strs(t.iter().map(|x| x.id.clone()))),
        ("name".into(), strs(t.iter().map(|x| x.name.clone()))),
        ("owner".into(), strs(t.iter().map(|x| x.owner.clone()))),
        (
            "start".into(),
            Column::date(t.iter().map(|x| x.dates.map(|d| d.0)).collect()),
        ),
        (
            "finish".into(),
            Column::date(t.iter().map(|x| x.dates.map(|d| d.1)).collect()),
        ),
    ]
}

impl Plan {
    /// One row per task: `id, name, owner, start, finish` (dates; finish inclusive),
    /// `start_offset, finish_offset` (working days from the plan's first working day,
    /// finish exclusive), `slack` (working days), `critical`, `late` (working days past
    /// the deadline).
    pub fn tasks_table(&self) -> Result<Table, SopError> {
        let t = &self.tasks;
        let mut columns = task_columns(t);
        columns.extend([
            (
                "start_offset".into(),
                floats(t.iter().map(|x| days(x.start))),
            ),
            (
                "finish_offset".into(),
                floats(t.iter().map(|x| days(x.finish))),
            ),
            ("slack".into(), floats(t.iter().map(|x| days(x.slack)))),
            (
                "critical".into(),
                Column::boolean(t.iter().map(|x| Some(x.critical)).collect()),
            ),
            ("late".into(), floats(t.iter().map(|x| days(x.late)))),
        ]);
        Ok(Table::new("plan.tasks", columns)?.with_kinds(&[
            ("start_offset", Kind::Days),
            ("finish_offset", Kind::Days),
            ("slack", Kind::Days),
            ("late", Kind::Days),
        ]))
    }

    /// One row per owner with work to request: `owner, send_by, lead_days, first_start,
    /// last_finish, tasks` (count), `task_ids` (in start order, `; `-separated).
    pub fn requests_table(&self) -> Result<Table, SopError> {
        let r = &self.requests;
        Ok(Table::new(
            "plan.requests",
            vec![
                ("owner".into(), strs(r.iter().map(|x| x.owner.clone()))),
                (
                    "send_by".into(),
                    Column::date(r.iter().map(|x| Some(x.send_by)).collect()),
                ),
                ("lead_days".into(), floats(r.iter().map(|x| days(x.lead)))),
                (
                    "first_start".into(),
                    Column::date(r.iter().map(|x| Some(x.first_start)).collect()),
                ),
                (
                    "last_finish".into(),
                    Column::date(r.iter().map(|x| Some(x.last_finish)).collect()),
                ),
                ("tasks".into(), ints(r.iter().map(|x| x.tasks.len() as i64))),
                (
                    "task_ids".into(),
                    strs(r.iter().map(|x| x.tasks.join("; "))),
                ),
            ],
        )?
        .with_kinds(&[("lead_days", Kind::Days), ("tasks", Kind::Count)]))
    }

    /// One row per owner: `owner, capacity, tasks, working_days` (planned work),
    /// `span_days` (first start to last finish), `utilisation` (work over capacity times
    /// span).
    pub fn load_table(&self) -> Result<Table, SopError> {
        let l = &self.load;
        Ok(Table::new(
            "plan.load",
            vec![
                ("owner".into(), strs(l.iter().map(|x| x.owner.clone()))),
                ("capacity".into(), ints(l.iter().map(|x| x.capacity as i64))),
                ("tasks".into(), ints(l.iter().map(|x| x.tasks as i64))),
                (
                    "working_days".into(),
                    floats(l.iter().map(|x| days(x.work))),
                ),
                ("span_days".into(), floats(l.iter().map(|x| days(x.span)))),
                (
                    "utilisation".into(),
                    Column::float(
                        l.iter()
                            .map(|x| {
                                (x.span > 0)
                                    .then(|| x.work as f64 / (x.capacity as f64 * x.span as f64))
                            })
                            .collect(),
                    ),
                ),
            ],
        )?
        .with_kinds(&[
            ("capacity", Kind::Count),
            ("tasks", Kind::Count),
            ("working_days", Kind::Days),
            ("span_days", Kind::Days),
            ("utilisation", Kind::Share),
        ]))
    }

    /// One row per conflict: `kind, task, proven` (empty unless a deadline), `message`.
    pub fn conflicts_table(&self) -> Result<Table, SopError> {
        let c = &self.conflicts;
        Ok(Table::new(
            "plan.conflicts",
            vec![
                ("kind".into(), strs(c.iter().map(|x| x.kind.to_string()))),
                ("task".into(), strs(c.iter().map(|x| x.task.clone()))),
                (
                    "proven".into(),
                    Column::boolean(c.iter().map(|x| x.proven).collect()),
                ),
                ("message".into(), strs(c.iter().map(|x| x.message.clone()))),
            ],
        )?)
    }

    /// The tasks whose dates differ between `self` (before) and `other` (after), matched
    /// by id: `id, name, start_before, start_after, finish_before, finish_after, moved`
    /// (working days the finish moved, later positive). Tasks in only one plan are listed
    /// with empty dates on the other side.
    pub fn diff(&self, other: &Plan) -> Result<Table, SopError> {
        let mut rows = Vec::new();
        for a in &self.tasks {
            match other.tasks.iter().find(|b| b.id == a.id) {
                Some(b) if a.start == b.start && a.finish == b.finish => {}
                Some(b) => rows.push((
                    a.id.clone(),
                    a.name.clone(),
                    a.dates,
                    b.dates,
                    Some(days(b.finish - a.finish)),
                )),
                None => rows.push((a.id.clone(), a.name.clone(), a.dates, None, None)),
            }
        }
        for b in &other.tasks {
            if !self.tasks.iter().any(|a| a.id == b.id) {
                rows.push((b.id.clone(), b.name.clone(), None, b.dates, None));
            }
        }
        Ok(Table::new(
            "plan.diff",
            vec![
                ("id".into(), strs(rows.iter().map(|r| r.0.clone()))),
                ("name".into(), strs(rows.iter().map(|r| r.1.clone()))),
                (
                    "start_before".into(),
                    Column::date(rows.iter().map(|r| r.2.map(|d| d.0)).collect()),
                ),
                (
                    "start_after".into(),
                    Column::date(rows.iter().map(|r| r.3.map(|d| d.0)).collect()),
                ),
                (
                    "finish_before".into(),
                    Column::date(rows.iter().map(|r| r.2.map(|d| d.1)).collect()),
                ),
                (
                    "finish_after".into(),
                    Column::date(rows.iter().map(|r| r.3.map(|d| d.1)).collect()),
                ),
                (
                    "moved".into(),
                    Column::float(rows.iter().map(|r| r.4).collect()),
                ),
            ],
        )?
        .with_kinds(&[("moved", Kind::Days)]))
    }

    /// One row per critical chain: `chain` (1, 2, ...), `tasks` (ids joined by ` → `),
    /// `start` (first task's start date), `finish` (last task's finish date), `ends`
    /// (`finish`: the last task ends the plan; `deadline`: it finishes on or after its
    /// deadline; `unavailable`: its owner's unavailability keeps it from slipping).
    pub fn chains_table(&self) -> Result<Table, SopError> {
        let c = &self.critical_chains;
        let first = |ch: &super::plan::Chain| ch.tasks.first().and_then(|&k| self.tasks[k].dates);
        let last = |ch: &super::plan::Chain| ch.tasks.last().and_then(|&k| self.tasks[k].dates);
        Ok(Table::new(
            "plan.critical_chains",
            vec![
                ("chain".into(), ints((1..=c.len()).map(|k| k as i64))),
                (
                    "tasks".into(),
                    strs(c.iter().map(|ch| {
                        ch.tasks
                            .iter()
                            .map(|&k| self.tasks[k].id.as_str())
                            .collect::<Vec<_>>()
                            .join(" → ")
                    })),
                ),
                (
                    "start".into(),
                    Column::date(c.iter().map(|ch| first(ch).map(|d| d.0)).collect()),
                ),
                (
                    "finish".into(),
                    Column::date(c.iter().map(|ch| last(ch).map(|d| d.1)).collect()),
                ),
                (
                    "ends".into(),
                    strs(c.iter().map(|ch| ch.ends.name().to_string())),
                ),
            ],
        )?)
    }

    /// The plan as a baseline to save: `id, name, owner, start, finish` (dates),
    /// `duration` (working days), `cost` (empty when none). `schedule(tasks, #{ baseline })`
    /// reads `id, start, finish` back.
    pub fn baseline_table(&self) -> Result<Table, SopError> {
        let t = &self.tasks;
        let mut columns = task_columns(t);
        columns.extend([
            (
                "duration".into(),
                floats(self.input.tasks.iter().map(|x| days(x.duration))),
            ),
            (
                "cost".into(),
                Column::float(t.iter().map(|x| x.cost).collect()),
            ),
        ]);
        Ok(Table::new("plan.baseline", columns)?
            .with_kinds(&[("duration", Kind::Days), ("cost", Kind::Money)]))
    }

    /// Progress against the baseline, one row per task: `id, name, status,
    /// percent_complete` (0 to 1), `baseline_start, baseline_finish, start,
    /// forecast_finish` (dates: actual where known, else planned; a task in progress
    /// finishes when its remaining work does), `start_slip, finish_slip` (working days
    /// later than the baseline; empty for tasks not in it), `late` (working days past the
    /// deadline), `at_risk` (not done, and forecast after its baseline finish or deadline).
    pub fn progress_table(&self) -> Result<Table, SopError> {
        let t = &self.tasks;
        let opt_ints = |f: &dyn Fn(&super::plan::PlannedTask) -> Option<i64>| {
            Column::int(t.iter().map(f).collect())
        };
        Ok(Table::new(
            "plan.progress",
            vec![
                ("id".into(), strs(t.iter().map(|x| x.id.clone()))),
                ("name".into(), strs(t.iter().map(|x| x.name.clone()))),
                (
                    "status".into(),
                    strs(t.iter().map(|x| x.status.name().to_string())),
                ),
                (
                    "percent_complete".into(),
                    floats(t.iter().map(|x| x.percent_complete)),
                ),
                (
                    "baseline_start".into(),
                    Column::date(t.iter().map(|x| x.baseline.map(|d| d.0)).collect()),
                ),
                (
                    "baseline_finish".into(),
                    Column::date(t.iter().map(|x| x.baseline.map(|d| d.1)).collect()),
                ),
                (
                    "start".into(),
                    Column::date(t.iter().map(|x| x.dates.map(|d| d.0)).collect()),
                ),
                (
                    "forecast_finish".into(),
                    Column::date(t.iter().map(|x| x.dates.map(|d| d.1)).collect()),
                ),
                ("start_slip".into(), opt_ints(&|x| x.start_slip)),
                ("finish_slip".into(), opt_ints(&|x| x.finish_slip)),
                ("late".into(), floats(t.iter().map(|x| days(x.late)))),
                (
                    "at_risk".into(),
                    Column::boolean(t.iter().map(|x| Some(x.at_risk)).collect()),
                ),
            ],
        )?
        .with_kinds(&[
            ("percent_complete", Kind::Share),
            ("start_slip", Kind::Days),
            ("finish_slip", Kind::Days),
            ("late", Kind::Days),
        ]))
    }

    /// Cost per task: `id, name, owner, phase, cost` (fixed cost plus owners' rates times
    /// duration; empty when neither is given).
    pub fn costs_table(&self) -> Result<Table, SopError> {
        let t = &self.tasks;
        Ok(Table::new(
            "plan.costs",
            vec![
                ("id".into(), strs(t.iter().map(|x| x.id.clone()))),
                ("name".into(), strs(t.iter().map(|x| x.name.clone()))),
                ("owner".into(), strs(t.iter().map(|x| x.owner.clone()))),
                ("phase".into(), strs(t.iter().map(|x| x.phase.clone()))),
                (
                    "cost".into(),
                    Column::float(t.iter().map(|x| x.cost).collect()),
                ),
            ],
        )?
        .with_kinds(&[("cost", Kind::Money)]))
    }

    /// Working days the plan's finish moved from the baseline's (the latest baseline
    /// finish of the tasks still in the plan), later positive; `None` without a baseline.
    pub fn finish_slip(&self) -> Result<Option<i64>, SopError> {
        let Some(then) = self
            .tasks
            .iter()
            .filter_map(|t| t.baseline.map(|b| b.1))
            .max()
        else {
            return Ok(None);
        };
        let cal = &self.model.calendar;
        Ok(Some(
            cal.index_on_or_after(self.finish_date)? - cal.index_on_or_after(then)?,
        ))
    }

    /// The total cost of the tasks that have one.
    pub fn total_cost(&self) -> f64 {
        self.tasks.iter().filter_map(|t| t.cost).sum()
    }

    /// Cost grouped by `phase` or `owner`, groups in order of first appearance: the
    /// group's name, `tasks` (tasks with a cost in it), `cost`, `share` (of the total).
    /// By owner, a task with several owners counts in each owner's group with that owner's
    /// share (their rate times the duration, plus the fixed cost split evenly).
    pub fn cost_by(&self, key: &str) -> Result<Table, SopError> {
        let mut groups: Vec<(String, i64, f64)> = Vec::new();
        let mut add = |name: &str, cost: f64| match groups.iter_mut().find(|g| g.0 == name) {
            Some(g) => {
                g.1 += 1;
                g.2 += cost;
            }
            None => groups.push((name.to_string(), 1, cost)),
        };
        for t in &self.tasks {
            let Some(c) = t.cost else { continue };
            match key {
                "phase" => add(&t.phase, c),
                "owner" => {
                    for (o, share) in &t.cost_by_owner {
                        add(o, *share);
                    }
                }
                _ => {
                    return Err(SopError::Option(format!(
                        "cost_by: group by \"phase\" or \"owner\", got \"{key}\""
                    )))
                }
            }
        }
        let total: f64 = groups.iter().map(|g| g.2).sum();
        Ok(Table::new(
            "plan.cost_by",
            vec![
                (key.into(), strs(groups.iter().map(|g| g.0.clone()))),
                ("tasks".into(), ints(groups.iter().map(|g| g.1))),
                ("cost".into(), floats(groups.iter().map(|g| g.2))),
                (
                    "share".into(),
                    Column::float(
                        groups
                            .iter()
                            .map(|g| (total > 0.0).then(|| g.2 / total))
                            .collect(),
                    ),
                ),
            ],
        )?
        .with_kinds(&[
            ("tasks", Kind::Count),
            ("cost", Kind::Money),
            ("share", Kind::Share),
        ]))
    }

    /// The plan's length in working days from its first working day to its finish.
    pub fn length_days(&self) -> f64 {
        days(self.finish)
    }
}
