//! `schedule`: from the SOP's inputs to a plan. Builds the working-day calendar and the
//! scheduling [`Problem`] (owners as resources, leave as blocked windows, lead times and
//! earliest starts as release dates, deadlines as due slots, doing/done tasks pinned at
//! their actual dates), runs the [`solve`] search, checks the result with the independent
//! [`check`], and derives what planners read: dates, slack and the critical path on the
//! resource-constrained plan, requests per owner, each owner's load, and the conflicts.

use super::calendar::{days_text, Calendar, Slot};
use super::conflict::{analyse_deadlines, Conflict};
use super::error::SopError;
use super::model::{Deadline, SopInput, Status};
use super::problem::{check, Problem, Score};
use super::search::{budget, solve, SearchOptions};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::time::Instant;

/// One task of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTask {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owner (empty when none).
    pub owner: String,
    /// Start slot (half days from the plan's first working day).
    pub start: Slot,
    /// Finish slot (exclusive).
    pub finish: Slot,
    /// Start date, and finish date (inclusive); `None` for a done task without dates.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// Slots the task can slip without moving the plan's finish or making a task miss its
    /// deadline, with every owner's task order kept.
    pub slack: Slot,
    /// On a zero-slack chain.
    pub critical: bool,
    /// Slots past its deadline (0 when on time or no deadline).
    pub late: Slot,
    /// The due slot (exclusive), if any.
    pub deadline: Option<Slot>,
    /// The due date as planners wrote it, resolved.
    pub deadline_date: Option<NaiveDate>,
    /// Phase.
    pub phase: String,
    /// Status.
    pub status: Status,
}

/// The batch of requests to one owner: everything they will be asked to do, sent once.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The owner.
    pub owner: String,
    /// The date by which the owner must receive the batch: their first task's start minus
    /// their lead time, in working days.
    pub send_by: NaiveDate,
    /// Lead time in slots.
    pub lead: Slot,
    /// The owner's first start and last finish date.
    pub first_start: NaiveDate,
    /// The owner's last finish date (inclusive).
    pub last_finish: NaiveDate,
    /// Task ids in start order.
    pub tasks: Vec<String>,
}

/// An owner's load in the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerLoad {
    /// The owner.
    pub owner: String,
    /// Tasks at once.
    pub capacity: u32,
    /// Tasks planned (todo and doing).
    pub tasks: usize,
    /// Working slots of work planned.
    pub work: Slot,
    /// Working slots from the owner's first start to last finish (0 when no tasks).
    pub span: Slot,
}

/// A resolved owner.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerInfo {
    /// Name.
    pub name: String,
    /// Tasks at once.
    pub capacity: u32,
    /// Lead time in slots.
    pub lead: Slot,
    /// Blocked windows `[from, to)` in slots, with the leave's dates.
    pub blocked: Vec<(Slot, Slot, NaiveDate, NaiveDate)>,
}

/// The inputs resolved onto the working-time axis.
#[derive(Debug, Clone)]
pub struct Model {
    /// The calendar.
    pub calendar: Calendar,
    /// The RCPSP (task `k` is input task `k`; resource `r` is `owners[r]`).
    pub problem: Problem,
    /// Owners, table order first, then owners only named by tasks.
    pub owners: Vec<OwnerInfo>,
    /// Owner index of each task.
    pub task_owner: Vec<Option<usize>>,
    /// Release reasons per task, for explanations.
    pub release_reason: Vec<String>,
    /// Due slot of each task as written (exclusive end of the due day). The problem's
    /// deadline equals it, except for milestones (zero duration), which must start before
    /// it: one slot earlier.
    pub due: Vec<Option<Slot>>,
    /// Resolved deadline dates.
    pub deadline_date: Vec<Option<NaiveDate>>,
    /// The launch working-day index, if a launch is set.
    pub launch: Option<i64>,
    /// Conflicts found while resolving (unknown owners or predecessors).
    pub conflicts: Vec<Conflict>,
}

/// A schedule with everything derived from it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What it was built from (the what-if helpers change this and re-plan).
    pub input: SopInput,
    /// The resolved model.
    pub model: Model,
    /// One row per task, in input order.
    pub tasks: Vec<PlannedTask>,
    /// The latest finish slot (exclusive).
    pub finish: Slot,
    /// The latest finish date (inclusive).
    pub finish_date: NaiveDate,
    /// Task ids of the critical path, in order.
    pub critical_path: Vec<String>,
    /// Conflicts, input ones first.
    pub conflicts: Vec<Conflict>,
    /// Request batches, by send-by date.
    pub requests: Vec<Request>,
    /// Load per owner.
    pub load: Vec<OwnerLoad>,
    /// The precedence-only lower bound on the finish.
    pub lower_bound: Slot,
    /// Lateness and finish.
    pub score: Score,
    /// Schedule evaluations spent by the search.
    pub evaluations: usize,
}

/// Resolves the inputs onto the working-time axis.
pub fn build_model(input: &SopInput) -> Result<Model, SopError> {
    let o = &input.options;
    let calendar = Calendar::new(o.start, &o.weekend, &input.holidays, &input.workdays)?;
    let launch = match o.launch {
        Some(d) => Some(calendar.index_on_or_after(d)?),
        None => None,
    };
    let mut conflicts = Vec::new();
    let mut owners: Vec<OwnerInfo> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for ow in input.owners.iter().flatten() {
        index.insert(ow.name.clone(), owners.len());
        owners.push(OwnerInfo {
            name: ow.name.clone(),
            capacity: ow.capacity,
            lead: ow.lead,
            blocked: Vec::new(),
        });
    }
    let mut task_owner = Vec::with_capacity(input.tasks.len());
    for t in &input.tasks {
        let r = t.owner.as_ref().map(|name| match index.get(name) {
            Some(&r) => r,
            None => {
                if input.owners.is_some() {
                    conflicts.push(Conflict::unknown_owner(t, name));
                }
                index.insert(name.clone(), owners.len());
                owners.push(OwnerInfo {
                    name: name.clone(),
                    capacity: 1,
                    lead: 0,
                    blocked: Vec::new(),
                });
                owners.len() - 1
            }
        });
        task_owner.push(r);
    }
    for l in &input.unavailable {
        match index.get(&l.owner) {
            None => conflicts.push(Conflict::unknown_leave_owner(l)),
            Some(&r) => {
                let a = calendar.slot_on_or_after(l.from)?;
                let b = calendar.slot_end_of(l.to)?;
                if b > a {
                    owners[r].blocked.push((a, b, l.from, l.to));
                }
            }
        }
    }
    let ids: HashMap<&str, usize> = input
        .tasks
        .iter()
        .enumerate()
        .map(|(k, t)| (t.id.as_str(), k))
        .collect();
    let mut durations = Vec::with_capacity(input.tasks.len());
    let mut fixed = Vec::with_capacity(input.tasks.len());
    for t in &input.tasks {
        let (d, f) = match t.status {
            Status::Todo => (t.duration, None),
            Status::Doing => {
                let s = calendar.slot_on_or_after(t.actual_start.unwrap_or(o.start))?;
                (t.duration, Some(s))
            }
            Status::Done => match (t.actual_start, t.actual_finish) {
                (Some(a), Some(b)) => {
                    let s = calendar.slot_on_or_after(a)?;
                    ((calendar.slot_end_of(b)? - s).max(0), Some(s))
                }
                _ => (0, Some(0)),
            },
        };
        durations.push(d);
        fixed.push(f);
    }
    let mut p = Problem::new(
        durations,
        owners.iter().map(|o| o.capacity as i32).collect(),
    );
    p.fixed = fixed;
    for (r, ow) in owners.iter().enumerate() {
        p.blocked[r] = ow.blocked.iter().map(|&(a, b, _, _)| (a, b)).collect();
    }
    let mut release_reason = vec![String::new(); input.tasks.len()];
    let mut deadline_date = vec![None; input.tasks.len()];
    let mut due = vec![None; input.tasks.len()];
    for (k, t) in input.tasks.iter().enumerate() {
        if let Some(r) = task_owner[k] {
            p.demands[k] = vec![(r, 1)];
            let lead = owners[r].lead;
            if lead > 0 && lead > p.release[k] {
                p.release[k] = lead;
                release_reason[k] = format!(
                    "it starts {} at the earliest: {} needs {} working days' notice",
                    calendar.date_of_slot(lead)?,
                    owners[r].name,
                    days_text(lead)
                );
            }
        }
        if let Some(e) = t.earliest_start {
            let s = calendar.slot_on_or_after(e)?;
            if s > p.release[k] {
                p.release[k] = s;
                release_reason[k] = format!("its earliest start is {e}");
            }
        }
        for pr in &t.after {
            match ids.get(pr.id.as_str()) {
                Some(&i) => p.link(i, k, pr.lag),
                None => conflicts.push(Conflict::unknown_predecessor(
                    t,
                    &pr.id,
                    ids.keys().copied(),
                )),
            }
        }
        if let Some(dl) = t.deadline {
            let (slot, date) = match dl {
                Deadline::Date(d) => (calendar.slot_end_of(d)?, d),
                Deadline::Launch(k) => {
                    let l = launch.unwrap_or(0) + k;
                    (2 * (l + 1), calendar.date_of(l)?)
                }
            };
            p.deadline[k] = Some(if p.durations[k] == 0 { slot - 1 } else { slot });
            due[k] = Some(slot);
            deadline_date[k] = Some(date);
        }
    }
    if let Err(cycle) = p.topological_order() {
        let mut names: Vec<String> = cycle.iter().map(|&k| input.tasks[k].id.clone()).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        return Err(SopError::Cycle(names));
    }
    Ok(Model {
        calendar,
        problem: p,
        owners,
        task_owner,
        release_reason,
        due,
        deadline_date,
        launch,
        conflicts,
    })
}

/// Builds the plan. `stop_at` is a wall-clock safety stop for the search.
pub fn schedule(input: &SopInput, stop_at: Option<Instant>) -> Result<Plan, SopError> {
    let model = build_model(input)?;
    let p = &model.problem;
    if p.horizon() - p.origin() > 400_000 {
        return Err(SopError::Invalid(format!(
            "the tasks add up to more than 100,000 working days in series ({} tasks): split the plan",
            p.len()
        )));
    }
    let topo = p
        .topological_order()
        .map_err(|_| SopError::Invalid("cycle".into()))?;
    let thorough = input.options.effort == super::model::Effort::Thorough;
    // A safety stop only: the budget is a count of evaluations (deterministic); this limit
    // is far above what that budget takes and exists for pathological inputs.
    let safety = Instant::now() + std::time::Duration::from_secs(if thorough { 20 } else { 5 });
    let stop_at = Some(stop_at.map_or(safety, |t| t.min(safety)));
    let sol = solve(
        p,
        &SearchOptions {
            seed: input.options.seed,
            evaluations: budget(thorough, p.len()),
            stop_at,
        },
    )
    .map_err(|_| SopError::Invalid("cycle".into()))?
    .ok_or_else(|| SopError::Invalid("a task needs more than its owner's capacity".into()))?;
    if let Err(e) = check(p, &sol.start) {
        return Err(SopError::Invalid(format!(
            "internal error: the scheduler's plan failed the feasibility check: {e}"
        )));
    }
    let start = &sol.start;
    let finish = (0..p.len())
        .map(|j| start[j] + p.durations[j])
        .max()
        .unwrap_or(0);
    let (slack, path) = slack_and_path(&model, start, finish, &topo);
    let cal = &model.calendar;
    let mut tasks = Vec::with_capacity(p.len());
    for (k, t) in input.tasks.iter().enumerate() {
        let (s, f) = (start[k], start[k] + p.durations[k]);
        let undated = t.status == Status::Done && t.actual_start.is_none();
        tasks.push(PlannedTask {
            id: t.id.clone(),
            name: t.name.clone(),
            owner: t.owner.clone().unwrap_or_default(),
            start: s,
            finish: f,
            dates: if undated {
                None
            } else {
                Some(cal.dates_of(s, f)?)
            },
            slack: if t.status == Status::Done {
                0
            } else {
                slack[k]
            },
            critical: slack[k] == 0 && t.status != Status::Done,
            late: late_slots(&model, k, s),
            deadline: model.due[k],
            deadline_date: model.deadline_date[k],
            phase: t.phase.clone(),
            status: t.status,
        });
    }
    let mut conflicts = model.conflicts.clone();
    conflicts.extend(analyse_deadlines(&model, input, start, &topo)?);
    let requests = requests(&model, &tasks)?;
    let load = load(&model, &tasks);
    let finish_date = cal.date_of_slot((finish - 1).max(0))?;
    Ok(Plan {
        input: input.clone(),
        lower_bound: p.precedence_bound(&topo),
        critical_path: path.iter().map(|&k| input.tasks[k].id.clone()).collect(),
        score: sol.score,
        evaluations: sol.evaluations,
        model,
        tasks,
        finish,
        finish_date,
        conflicts,
        requests,
        load,
    })
}

/// Slots task `j` is late when it starts at `s`: past the end of its due day; a milestone
/// (zero duration) is late by whole days, counted from the day it falls on.
pub fn late_slots(model: &Model, j: usize, s: Slot) -> Slot {
    let Some(due) = model.due[j] else { return 0 };
    let d = model.problem.durations[j];
    let end = if d == 0 {
        (s.div_euclid(2) + 1) * 2
    } else {
        s + d
    };
    (end - due).max(0)
}

/// The task that `j` waits for in the plan: a predecessor whose finish plus lag is `j`'s
/// start, else a task of the same owner that finishes exactly when `j` starts.
pub fn binding_predecessor(model: &Model, start: &[Slot], j: usize) -> Option<usize> {
    let p = &model.problem;
    if p.fixed[j].is_some() {
        return None;
    }
    let by_prec = p.preds[j]
        .iter()
        .filter(|&&(i, lag)| start[i] + p.durations[i] + lag == start[j])
        .map(|&(i, _)| i)
        .max_by_key(|&i| (p.durations[i] > 0, start[i]));
    if by_prec.is_some() {
        return by_prec;
    }
    let r = model.task_owner[j]?;
    (0..p.len()).find(|&k| {
        k != j
            && model.task_owner[k] == Some(r)
            && p.durations[k] > 0
            && start[k] + p.durations[k] == start[j]
    })
}

/// Slack of every task and the critical path on the resource-constrained plan: a backward
/// pass from the plan's finish (and from each deadline, for tasks on time) over the precedence arcs (with lags) plus, for each owner,
/// arcs between their consecutive tasks (capacity one) or between tasks that hand over
/// exactly (larger capacity). A task's latest start also avoids its owner's blocked
/// windows. Slack = latest start - start; critical = zero slack.
fn slack_and_path(
    model: &Model,
    start: &[Slot],
    finish: Slot,
    topo: &[usize],
) -> (Vec<Slot>, Vec<usize>) {
    let p = &model.problem;
    let n = p.len();
    let mut succ: Vec<Vec<(usize, Slot)>> = p.succs.clone();
    let mut by_owner: Vec<Vec<usize>> = vec![Vec::new(); model.owners.len()];
    for j in 0..n {
        if let Some(r) = model.task_owner[j] {
            if p.durations[j] > 0 {
                by_owner[r].push(j);
            }
        }
    }
    for (r, list) in by_owner.iter_mut().enumerate() {
        list.sort_by_key(|&j| (start[j], j));
        if model.owners[r].capacity == 1 {
            for w in list.windows(2) {
                succ[w[0]].push((w[1], 0));
            }
        } else {
            for &a in list.iter() {
                for &b in list.iter() {
                    if a != b && start[a] + p.durations[a] == start[b] {
                        succ[a].push((b, 0));
                    }
                }
            }
        }
    }
    let mut pos = vec![0; n];
    for (k, &j) in topo.iter().enumerate() {
        pos[j] = k;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| (std::cmp::Reverse(start[j]), std::cmp::Reverse(pos[j])));
    let mut ls = vec![0; n];
    for &j in &order {
        let d = p.durations[j];
        // A task on time may not slip past its deadline; a late one not further.
        let mut lf = p.deadline[j].map_or(finish, |due| finish.min(due.max(start[j] + d)));
        for &(s, lag) in &succ[j] {
            lf = lf.min(ls[s] - lag);
        }
        let mut t = (lf - d).max(start[j]);
        if let Some(r) = model.task_owner[j] {
            // Move earlier until [t, t + d) avoids the owner's blocked windows.
            loop {
                let hit = p.blocked[r]
                    .iter()
                    .filter(|&&(a, b)| t < b && a < t + d)
                    .map(|&(a, _)| a)
                    .min();
                match hit {
                    Some(a) if a - d >= start[j] => t = a - d,
                    Some(_) => {
                        t = start[j];
                        break;
                    }
                    None => break,
                }
            }
        }
        ls[j] = t;
    }
    let slack: Vec<Slot> = (0..n).map(|j| (ls[j] - start[j]).max(0)).collect();
    // The path: from a zero-slack task that ends the plan, back through zero-slack binding
    // predecessors.
    let mut path = Vec::new();
    let end = (0..n)
        .filter(|&j| start[j] + p.durations[j] == finish && slack[j] == 0)
        .max_by_key(|&j| (p.durations[j] > 0, pos[j]));
    let mut at = end;
    while let Some(j) = at {
        path.push(j);
        at = binding_predecessor(model, start, j).filter(|&i| slack[i] == 0 && !path.contains(&i));
    }
    path.reverse();
    (slack, path)
}

fn requests(model: &Model, tasks: &[PlannedTask]) -> Result<Vec<Request>, SopError> {
    let cal = &model.calendar;
    let mut out = Vec::new();
    for (r, ow) in model.owners.iter().enumerate() {
        let mut mine: Vec<&PlannedTask> = tasks
            .iter()
            .enumerate()
            .filter(|(k, t)| model.task_owner[*k] == Some(r) && t.status == Status::Todo)
            .map(|(_, t)| t)
            .collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_by_key(|t| (t.start, t.finish));
        let first = mine[0].start;
        let last = mine.iter().map(|t| t.finish).max().unwrap_or(first);
        let send = (first - ow.lead).div_euclid(2);
        out.push(Request {
            owner: ow.name.clone(),
            send_by: cal.date_of(send)?,
            lead: ow.lead,
            first_start: cal.date_of_slot(first)?,
            last_finish: cal.dates_of(first, last)?.1,
            tasks: mine.iter().map(|t| t.id.clone()).collect(),
        });
    }
    out.sort_by(|a, b| (a.send_by, &a.owner).cmp(&(b.send_by, &b.owner)));
    Ok(out)
}

fn load(model: &Model, tasks: &[PlannedTask]) -> Vec<OwnerLoad> {
    model
        .owners
        .iter()
        .enumerate()
        .map(|(r, ow)| {
            let mine: Vec<&PlannedTask> = tasks
                .iter()
                .enumerate()
                .filter(|(k, t)| model.task_owner[*k] == Some(r) && t.status != Status::Done)
                .map(|(_, t)| t)
                .collect();
            let first = mine.iter().map(|t| t.start).min().unwrap_or(0);
            let last = mine.iter().map(|t| t.finish).max().unwrap_or(0);
            OwnerLoad {
                owner: ow.name.clone(),
                capacity: ow.capacity,
                tasks: mine.len(),
                work: mine.iter().map(|t| t.finish - t.start).sum(),
                span: last - first,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sop::model::{Effort, Leave, Owner, Pred, SopOptions, Task};
    use chrono::{Duration, Weekday};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::units::parse_date(s).expect("date")
    }

    /// A random SOP: up to 12 tasks over 3 owners with half-day durations, lags, leave,
    /// lead times, holidays, a make-up workday, launch-relative deadlines, and one task
    /// in progress.
    fn input(seed: u64, n: usize) -> SopInput {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let start = d("2024-06-03");
        let mut tasks = Vec::new();
        for k in 0..n {
            let mut after = Vec::new();
            for i in 0..k {
                if rng.random::<f64>() < 0.25 {
                    after.push(Pred {
                        id: format!("t{i}"),
                        lag: rng.random_range(0..3),
                    });
                }
            }
            let doing = k == 0 && rng.random::<f64>() < 0.5;
            tasks.push(Task {
                id: format!("t{k}"),
                name: format!("task {k}"),
                owner: Some(format!("o{}", rng.random_range(0..3))),
                duration: rng.random_range(0..7),
                after: if doing { Vec::new() } else { after },
                earliest_start: (rng.random::<f64>() < 0.2)
                    .then(|| start + Duration::days(rng.random_range(0..10))),
                deadline: (rng.random::<f64>() < 0.3)
                    .then(|| Deadline::Launch(-rng.random_range(0..5))),
                phase: String::new(),
                status: if doing { Status::Doing } else { Status::Todo },
                actual_start: doing.then(|| d("2024-05-31")),
                actual_finish: None,
                at: format!("t{k}"),
            });
        }
        let owners = (0..3)
            .map(|k| Owner {
                name: format!("o{k}"),
                capacity: 1 + (k == 2) as u32,
                lead: rng.random_range(0..4),
            })
            .collect();
        let mut unavailable = Vec::new();
        for k in 0..3 {
            if rng.random::<f64>() < 0.6 {
                let from = start + Duration::days(rng.random_range(0..12));
                unavailable.push(Leave {
                    owner: format!("o{k}"),
                    from,
                    to: from + Duration::days(rng.random_range(0..4)),
                    at: String::new(),
                });
            }
        }
        let mut options = SopOptions::new(start);
        options.launch = Some(d("2024-06-17"));
        options.seed = seed;
        options.effort = Effort::Fast;
        if seed % 3 == 0 {
            options.weekend = vec![Weekday::Sun];
        }
        SopInput {
            tasks,
            owners: Some(owners),
            holidays: vec![d("2024-06-10")],
            workdays: vec![d("2024-06-08")],
            unavailable,
            options,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Checks each plan on dates, independently of the slot arithmetic: tasks work only
        /// on working days outside their owner's leave, after their predecessors' finish
        /// dates, never before the plan's start (unless in progress), and the same seed
        /// gives the same plan.
        #[test]
        fn plans_hold_on_the_calendar(seed in 0u64..10_000, n in 1usize..12) {
            let inp = input(seed, n);
            let plan = schedule(&inp, None).expect("plan");
            let cal = &plan.model.calendar;
            for (k, t) in plan.tasks.iter().enumerate() {
                let (a, b) = t.dates.expect("dated");
                prop_assert!(a <= b);
                if inp.tasks[k].status == Status::Todo {
                    prop_assert!(a >= inp.options.start);
                    prop_assert!(cal.is_working(a));
                    let mut day = a;
                    while day <= b {
                        if t.finish > t.start && cal.is_working(day) {
                            for l in inp.unavailable.iter().filter(|l| Some(&l.owner) == inp.tasks[k].owner.as_ref()) {
                                prop_assert!(day < l.from || day > l.to, "{} works on {} during leave", t.id, day);
                            }
                        }
                        day += Duration::days(1);
                    }
                    for pr in &inp.tasks[k].after {
                        let p = plan.tasks.iter().find(|x| x.id == pr.id).expect("pred");
                        prop_assert!(p.finish + pr.lag <= t.start);
                        if pr.lag == 0 && p.finish > p.start && t.finish > t.start {
                            prop_assert!(p.dates.expect("dated").1 <= a);
                        }
                    }
                    if let Some(e) = inp.tasks[k].earliest_start {
                        prop_assert!(a >= e);
                    }
                }
                prop_assert!(t.slack >= 0);
            }
            let again = schedule(&inp, None).expect("plan");
            prop_assert_eq!(plan.tasks, again.tasks);
            prop_assert!(plan.finish >= plan.lower_bound);
        }
    }
}
