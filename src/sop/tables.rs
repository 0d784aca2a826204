//! A plan as tables: tasks (the SOP table), requests per owner, owner load, conflicts, and
//! the difference between two plans.

use super::calendar::Slot;
use super::error::SopError;
use super::plan::Plan;
use crate::table::{Column, Table};

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

impl Plan {
    /// One row per task: `id, name, owner, start, finish` (dates; finish inclusive),
    /// `start_offset, finish_offset` (working days from the plan's first working day,
    /// finish exclusive), `slack` (working days), `critical`, `late` (working days past
    /// the deadline).
    pub fn tasks_table(&self) -> Result<Table, SopError> {
        let t = &self.tasks;
        Ok(Table::new(
            "plan.tasks",
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
            ],
        )?)
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
        )?)
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
        )?)
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
        )?)
    }

    /// The plan's length in working days from its first working day to its finish.
    pub fn length_days(&self) -> f64 {
        days(self.finish)
    }
}
