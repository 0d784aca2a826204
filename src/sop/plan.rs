//! `schedule`: from the SOP's inputs to a plan. Builds the working-day calendar and the
//! scheduling [`Problem`] (owners as resources, leave as blocked windows, lead times and
//! earliest starts as release dates, deadlines as due slots, doing/done tasks pinned at
//! their actual dates), runs the [`solve`] search, checks the result with the independent
//! [`check`], and derives what planners read: dates, slack and the critical path on the
//! resource-constrained plan, requests per owner, each owner's load, and the conflicts.

use super::calendar::{days_text, Calendar, Slot};
use super::conflict::{analyse_deadlines, Conflict};
use super::error::SopError;
use super::model::{Deadline, Link, SopInput, Status};
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
    /// Share of the work done: 1 when done, the percent complete when given, else 0.
    pub percent_complete: f64,
    /// Start and finish dates in the baseline, when it has the task.
    pub baseline: Option<(NaiveDate, NaiveDate)>,
    /// Working days the start moved from the baseline (later positive).
    pub start_slip: Option<i64>,
    /// Working days the (forecast) finish moved from the baseline (later positive).
    pub finish_slip: Option<i64>,
    /// Not done, and forecast to finish after its baseline finish or its deadline.
    pub at_risk: bool,
    /// The task's cost: its fixed cost plus each owner's cost rate times its duration in
    /// working days; `None` when neither is given.
    pub cost: Option<f64>,
    /// Each owner's share of the cost (rate times duration, plus the fixed cost split
    /// evenly between the owners), in the order of the owner column.
    pub cost_by_owner: Vec<(String, f64)>,
}

/// Why the last task of a critical chain cannot slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainEnd {
    /// It finishes when the plan finishes.
    Finish,
    /// It finishes on its deadline (or after it: it is late).
    Deadline,
    /// Slipping it would run it into its owner's unavailability, past its successors'
    /// latest starts.
    Unavailable,
}

impl ChainEnd {
    /// The word shown in tables: `finish`, `deadline`, `unavailable`.
    pub fn name(self) -> &'static str {
        match self {
            ChainEnd::Finish => "finish",
            ChainEnd::Deadline => "deadline",
            ChainEnd::Unavailable => "unavailable",
        }
    }
}

/// A critical chain: zero-slack tasks, each waiting for the one before it (a dependency
/// with its lag met exactly, or the same owner handing over), from a task that waits for
/// no zero-slack task to one that no zero-slack task waits for.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// Task indices in order.
    pub tasks: Vec<usize>,
    /// What holds its last task.
    pub ends: ChainEnd,
}

/// The most critical chains listed (a plan with many parallel zero-slack branches can
/// have exponentially many).
pub const MAX_CHAINS: usize = 100;

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
    /// Working slots of work planned (for a task in progress with a percent complete, the
    /// work left).
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
    /// Owner indices of each task (none, one, or several who work on it together).
    pub task_owner: Vec<Vec<usize>>,
    /// Whether each task is done.
    pub done: Vec<bool>,
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
    /// The working-day index of each named launch.
    pub launches: Vec<i64>,
    /// The actual start slot of tasks in progress with a percent complete (their problem
    /// start is where the remaining work resumes).
    pub actual_start: Vec<Option<Slot>>,
    /// The dependencies as written: (predecessor, successor, link type, lag in slots).
    /// The problem holds them as finish-to-start lags, which depend on the durations.
    pub links: Vec<(usize, usize, Link, Slot)>,
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
    /// Task ids of the critical path, in order: the one critical chain that ends at the
    /// plan's finish (see [`Plan::critical_chains`] for every chain).
    pub critical_path: Vec<String>,
    /// Every critical chain (at most [`MAX_CHAINS`]), sources by start date.
    pub critical_chains: Vec<Chain>,
    /// True when there were more than [`MAX_CHAINS`] chains and the rest are not listed.
    pub chains_truncated: bool,
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
    /// The activity list of the plan (the serial scheme builds the plan from it); the
    /// Monte Carlo of the finish reschedules each trial from it.
    pub list: Vec<usize>,
}

/// A link as a finish-to-start lag between a predecessor lasting `di` and a successor
/// lasting `dk` (every link as "starts at least lag' after the predecessor finishes"):
/// SS: `s_k >= s_i + lag`, so `lag' = lag - d_i`; FF: `s_k + d_k >= s_i + d_i + lag`, so
/// `lag' = lag - d_k`.
pub fn fs_lag(link: Link, lag: Slot, di: Slot, dk: Slot) -> Slot {
    match link {
        Link::FinishStart => lag,
        Link::StartStart => lag - di,
        Link::FinishFinish => lag - dk,
    }
}

/// Resolves the inputs onto the working-time axis.
pub fn build_model(input: &SopInput) -> Result<Model, SopError> {
    let o = &input.options;
    let calendar = Calendar::new(o.start, &o.weekend, &input.holidays, &input.workdays)?;
    let launch = match o.launch {
        Some(d) => Some(calendar.index_on_or_after(d)?),
        None => None,
    };
    let named = o
        .launches
        .iter()
        .map(|(_, d)| calendar.index_on_or_after(*d))
        .collect::<Result<Vec<i64>, SopError>>()?;
    if let Some(sd) = o.status_date {
        for t in &input.tasks {
            let late = [t.actual_start, t.actual_finish]
                .into_iter()
                .flatten()
                .find(|&d| d > sd);
            if let Some(d) = late {
                return Err(SopError::Invalid(format!(
                    "{}: task '{}' has an actual date {d} after the status date {sd}: progress is reported as of the status date",
                    t.at, t.id
                )));
            }
        }
    }
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
        let mut rs = Vec::with_capacity(t.owners.len());
        for name in &t.owners {
            let r = match index.get(name) {
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
            };
            rs.push(r);
        }
        task_owner.push(rs);
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
    // Progress as of the status date (MS Project's rules): a task in progress with a
    // percent complete has remaining duration = duration x (1 - percent complete), rounded
    // up to half days; its work resumes after the part done (actual start + duration x
    // percent complete) but not before the status date. Without a percent complete it is
    // taken to be on schedule: its full duration from its actual start.
    let status_slot = match o.status_date {
        Some(d) => Some(calendar.slot_on_or_after(d)?),
        None => None,
    };
    let mut durations = Vec::with_capacity(input.tasks.len());
    let mut fixed = Vec::with_capacity(input.tasks.len());
    let mut actual_start = vec![None; input.tasks.len()];
    for t in &input.tasks {
        let (d, f) = match t.status {
            Status::Todo => (t.duration, None),
            Status::Doing => {
                let s = calendar.slot_on_or_after(t.actual_start.unwrap_or(o.start))?;
                match t.percent_complete {
                    None => (t.duration, Some(s)),
                    Some(pc) => {
                        let done = (t.duration as f64 * pc * 1e9).round() / 1e9;
                        let remaining = (t.duration as f64 - done).ceil() as Slot;
                        let resume = (s + done.floor() as Slot).max(status_slot.unwrap_or(0));
                        actual_start[durations.len()] = Some(s);
                        (remaining.max(0), Some(resume))
                    }
                }
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
    let mut links = Vec::new();
    let mut release_reason = vec![String::new(); input.tasks.len()];
    let mut deadline_date = vec![None; input.tasks.len()];
    let mut due = vec![None; input.tasks.len()];
    for (k, t) in input.tasks.iter().enumerate() {
        p.demands[k] = task_owner[k].iter().map(|&r| (r, 1)).collect();
        for &r in &task_owner[k] {
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
        } else if let (Some(l), 0, Status::Todo) = (
            match t.deadline {
                Some(Deadline::Launch(0)) => launch,
                Some(Deadline::Named(i, 0)) => named.get(i).copied(),
                _ => None,
            },
            t.duration,
            t.status,
        ) {
            // A milestone due on the launch day marks the launch itself: it sits on the
            // launch day (an earliest_start, or a dated deadline, says otherwise).
            if 2 * l > p.release[k] {
                p.release[k] = 2 * l;
                release_reason[k] = format!(
                    "it is a milestone due at the launch, so it sits on the launch day {}",
                    calendar.date_of(l)?
                );
            }
        }
        if let (Some(sd), Status::Todo) = (status_slot, t.status) {
            if sd > p.release[k] {
                p.release[k] = sd;
                release_reason[k] = format!(
                    "work not started is planned from the status date {}",
                    calendar.date_of_slot(sd)?
                );
            }
        }
        for pr in &t.after {
            match ids.get(pr.id.as_str()) {
                // Every link as "starts at least lag' after the predecessor finishes":
                // SS: s_k >= s_i + lag, so lag' = lag - d_i; FF: s_k + d_k >= s_i + d_i + lag,
                // so lag' = lag - d_k.
                Some(&i) => {
                    links.push((i, k, pr.link, pr.lag));
                    p.link(
                        i,
                        k,
                        fs_lag(pr.link, pr.lag, p.durations[i], p.durations[k]),
                    );
                }
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
                Deadline::Named(i, k) => {
                    let l = named.get(i).copied().unwrap_or(0) + k;
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
        done: input
            .tasks
            .iter()
            .map(|t| t.status == Status::Done)
            .collect(),
        task_owner,
        release_reason,
        due,
        deadline_date,
        launch,
        launches: named,
        actual_start,
        links,
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
    let (slack, path, chains, chains_truncated) = slack_and_path(&model, start, finish, &topo);
    let cal = &model.calendar;
    let mut tasks = Vec::with_capacity(p.len());
    for (k, t) in input.tasks.iter().enumerate() {
        let f = start[k] + p.durations[k];
        let s = model.actual_start[k].unwrap_or(start[k]);
        let undated = t.status == Status::Done && t.actual_start.is_none();
        let dates = if undated {
            None
        } else {
            Some(cal.dates_of(s, f)?)
        };
        let baseline = input
            .baseline
            .iter()
            .find(|b| b.id == t.id)
            .map(|b| (b.start, b.finish));
        let slip = |now: NaiveDate, then: NaiveDate| -> Result<i64, SopError> {
            Ok(cal.index_on_or_after(now)? - cal.index_on_or_after(then)?)
        };
        let (start_slip, finish_slip) = match (dates, baseline) {
            (Some(now), Some(then)) => (Some(slip(now.0, then.0)?), Some(slip(now.1, then.1)?)),
            _ => (None, None),
        };
        let late = late_slots(&model, k, start[k]);
        let (cost, cost_by_owner) = task_cost(&model, input, k);
        tasks.push(PlannedTask {
            id: t.id.clone(),
            name: t.name.clone(),
            owner: t.owners.join("; "),
            start: s,
            finish: f,
            dates,
            slack: if t.status == Status::Done {
                0
            } else {
                slack[k]
            },
            critical: slack[k] == 0 && t.status != Status::Done,
            late,
            deadline: model.due[k],
            deadline_date: model.deadline_date[k],
            phase: t.phase.clone(),
            status: t.status,
            percent_complete: match t.status {
                Status::Done => 1.0,
                _ => t.percent_complete.unwrap_or(0.0),
            },
            baseline,
            start_slip,
            finish_slip,
            at_risk: t.status != Status::Done && (late > 0 || finish_slip.is_some_and(|x| x > 0)),
            cost,
            cost_by_owner,
        });
    }
    let mut conflicts = model.conflicts.clone();
    for b in &input.baseline {
        if !input.tasks.iter().any(|t| t.id == b.id) {
            conflicts.push(Conflict::baseline_only(b));
        }
    }
    conflicts.extend(analyse_deadlines(&model, input, start, &topo)?);
    let requests = requests(&model, &tasks)?;
    let load = load(&model, &tasks);
    // The latest finish date of any task, milestones included (a milestone's date is the
    // day it falls on, which can be the day after the last working slot).
    let finish_date = match tasks.iter().filter_map(|t| t.dates.map(|d| d.1)).max() {
        Some(d) => d,
        None => cal.date_of_slot((finish - 1).max(0))?,
    };
    Ok(Plan {
        input: input.clone(),
        lower_bound: p.precedence_bound(&topo),
        critical_path: path.iter().map(|&k| input.tasks[k].id.clone()).collect(),
        critical_chains: chains,
        chains_truncated,
        score: sol.score,
        evaluations: sol.evaluations,
        list: sol.list.clone(),
        model,
        tasks,
        finish,
        finish_date,
        conflicts,
        requests,
        load,
    })
}

/// The cost of task `k`: its fixed cost plus, for each owner with a cost rate, the rate
/// times the task's duration in working days (the planned duration, done or not); and
/// each owner's share (their rate times the duration, plus the fixed cost split evenly
/// between the owners). A task with neither has no cost (`None`); a fixed cost on a task
/// without owners is listed under the owner "".
fn task_cost(model: &Model, input: &SopInput, k: usize) -> (Option<f64>, Vec<(String, f64)>) {
    let t = &input.tasks[k];
    let days = t.duration as f64 / 2.0;
    let rates: Vec<Option<f64>> = model.task_owner[k]
        .iter()
        .map(|&r| {
            input
                .owners
                .iter()
                .flatten()
                .find(|o| o.name == model.owners[r].name)
                .and_then(|o| o.cost_rate)
        })
        .collect();
    if t.cost.is_none() && rates.iter().all(Option::is_none) {
        return (None, Vec::new());
    }
    let fixed = t.cost.unwrap_or(0.0);
    if t.owners.is_empty() {
        return (Some(fixed), vec![(String::new(), fixed)]);
    }
    let share = fixed / t.owners.len() as f64;
    let by: Vec<(String, f64)> = t
        .owners
        .iter()
        .zip(&rates)
        .map(|(o, r)| (o.clone(), share + r.unwrap_or(0.0) * days))
        .collect();
    (Some(by.iter().map(|x| x.1).sum()), by)
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
    let mine = &model.task_owner[j];
    (0..p.len()).find(|&k| {
        k != j
            && model.task_owner[k].iter().any(|r| mine.contains(r))
            && p.durations[k] > 0
            && start[k] + p.durations[k] == start[j]
    })
}

/// Slack of every task, the critical path and every critical chain on the
/// resource-constrained plan: a backward pass from the plan's finish (and from each
/// deadline, for tasks on time) over the precedence arcs (with lags) plus, for each owner,
/// arcs between their consecutive tasks (capacity one) or between tasks that hand over
/// exactly (larger capacity). A task's latest start also avoids its owner's blocked
/// windows. Slack = latest start - start; critical = zero slack (a task done is never
/// critical). The pass runs in reverse topological order of those arcs (start-to-start and
/// finish-to-finish links can make a successor start before its predecessor).
fn slack_and_path(
    model: &Model,
    start: &[Slot],
    finish: Slot,
    topo: &[usize],
) -> (Vec<Slot>, Vec<usize>, Vec<Chain>, bool) {
    let p = &model.problem;
    let n = p.len();
    let mut succ: Vec<Vec<(usize, Slot)>> = p.succs.clone();
    let mut by_owner: Vec<Vec<usize>> = vec![Vec::new(); model.owners.len()];
    for j in 0..n {
        if p.durations[j] > 0 {
            for &r in &model.task_owner[j] {
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
    let order = reverse_topological(&succ, |j| (start[j], pos[j]));
    let mut ls = vec![0; n];
    for &j in &order {
        let d = p.durations[j];
        // A task on time may not slip past its deadline; a late one not further.
        let mut lf = p.deadline[j].map_or(finish, |due| finish.min(due.max(start[j] + d)));
        for &(s, lag) in &succ[j] {
            lf = lf.min(ls[s] - lag);
        }
        let mut t = (lf - d).max(start[j]);
        for &r in &model.task_owner[j] {
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
    let done = |j: usize| model.done[j];
    // The path: from a zero-slack task that ends the plan, back through zero-slack binding
    // predecessors.
    let mut path = Vec::new();
    let end = (0..n)
        .filter(|&j| start[j] + p.durations[j] == finish && slack[j] == 0 && !done(j))
        .max_by_key(|&j| (p.durations[j] > 0, pos[j]));
    let mut at = end;
    while let Some(j) = at {
        path.push(j);
        at = binding_predecessor(model, start, j)
            .filter(|&i| slack[i] == 0 && !done(i) && !path.contains(&i));
    }
    path.reverse();
    // The chains: maximal paths over binding arcs between zero-slack tasks.
    let crit = |j: usize| slack[j] == 0 && !done(j);
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_prev = vec![false; n];
    for j in (0..n).filter(|&j| crit(j)) {
        for &(s, lag) in &succ[j] {
            if crit(s) && start[j] + p.durations[j] + lag == start[s] && !next[j].contains(&s) {
                next[j].push(s);
                has_prev[s] = true;
            }
        }
        next[j].sort_by_key(|&s| (start[s], pos[s]));
    }
    let mut sources: Vec<usize> = (0..n).filter(|&j| crit(j) && !has_prev[j]).collect();
    sources.sort_by_key(|&j| (start[j], pos[j]));
    let mut chains = Vec::new();
    let mut truncated = false;
    let ends = |j: usize| {
        if start[j] + p.durations[j] == finish {
            ChainEnd::Finish
        } else if p.deadline[j].is_some_and(|due| start[j] + p.durations[j] >= due) {
            ChainEnd::Deadline
        } else {
            ChainEnd::Unavailable
        }
    };
    'outer: for &src in &sources {
        // Depth-first, successors in start order.
        let mut stack: Vec<(usize, usize)> = vec![(src, 0)];
        while let Some(&mut (j, ref mut k)) = stack.last_mut() {
            if next[j].is_empty() {
                if chains.len() == MAX_CHAINS {
                    truncated = true;
                    break 'outer;
                }
                chains.push(Chain {
                    tasks: stack.iter().map(|&(t, _)| t).collect(),
                    ends: ends(j),
                });
                stack.pop();
            } else if *k < next[j].len() {
                let s = next[j][*k];
                *k += 1;
                stack.push((s, 0));
            } else {
                stack.pop();
            }
        }
    }
    (slack, path, chains, truncated)
}

/// Every task once, each before all its predecessors in `succ` (Kahn's algorithm on the
/// reversed arcs; among ready tasks the one with the largest `key` first). Tasks left in a
/// cycle (which the arcs built from a feasible plan cannot form) follow by key.
fn reverse_topological<K: Ord>(
    succ: &[Vec<(usize, Slot)>],
    key: impl Fn(usize) -> K,
) -> Vec<usize> {
    let n = succ.len();
    let mut out_deg: Vec<usize> = succ.iter().map(Vec::len).collect();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, list) in succ.iter().enumerate() {
        for &(s, _) in list {
            preds[s].push(j);
        }
    }
    let mut ready: std::collections::BinaryHeap<(K, usize)> = (0..n)
        .filter(|&j| out_deg[j] == 0)
        .map(|j| (key(j), j))
        .collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some((_, j)) = ready.pop() {
        if placed[j] {
            continue;
        }
        placed[j] = true;
        order.push(j);
        for &i in &preds[j] {
            out_deg[i] -= 1;
            if out_deg[i] == 0 {
                ready.push((key(i), i));
            }
        }
    }
    let mut rest: Vec<usize> = (0..n).filter(|&j| !placed[j]).collect();
    rest.sort_by_key(|&j| std::cmp::Reverse(key(j)));
    order.extend(rest);
    order
}

fn requests(model: &Model, tasks: &[PlannedTask]) -> Result<Vec<Request>, SopError> {
    let cal = &model.calendar;
    let mut out = Vec::new();
    for (r, ow) in model.owners.iter().enumerate() {
        let mut mine: Vec<&PlannedTask> = tasks
            .iter()
            .enumerate()
            .filter(|(k, t)| model.task_owner[*k].contains(&r) && t.status == Status::Todo)
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
            // (start, finish) of the work left: a task in progress from where it resumes.
            let mine: Vec<(Slot, Slot)> = tasks
                .iter()
                .enumerate()
                .filter(|(k, t)| model.task_owner[*k].contains(&r) && t.status != Status::Done)
                .map(|(k, t)| (t.finish - model.problem.durations[k], t.finish))
                .collect();
            let first = mine.iter().map(|t| t.0).min().unwrap_or(0);
            let last = mine.iter().map(|t| t.1).max().unwrap_or(0);
            OwnerLoad {
                owner: ow.name.clone(),
                capacity: ow.capacity,
                tasks: mine.len(),
                work: mine.iter().map(|t| t.1 - t.0).sum(),
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

    /// A random SOP: up to 12 tasks over 3 owners (some tasks needing two at once) with
    /// half-day durations, finish-to-start, start-to-start and finish-to-finish links with
    /// lags, leave, lead times, holidays, a make-up workday, launch-relative deadlines, and
    /// one task in progress (with a percent complete, half the time).
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
                        link: [Link::FinishStart, Link::StartStart, Link::FinishFinish]
                            [rng.random_range(0..3)],
                    });
                }
            }
            let doing = k == 0 && rng.random::<f64>() < 0.5;
            let first = rng.random_range(0..3);
            let mut owners = vec![format!("o{first}")];
            if rng.random::<f64>() < 0.2 {
                owners.push(format!("o{}", (first + 1) % 3));
            }
            tasks.push(Task {
                id: format!("t{k}"),
                name: format!("task {k}"),
                owners,
                duration: rng.random_range(0..7),
                range: None,
                percent_complete: (doing && rng.random::<f64>() < 0.5).then_some(0.5),
                cost: None,
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
                cost_rate: None,
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
        if seed.is_multiple_of(3) {
            options.weekend = vec![Weekday::Sun];
        }
        SopInput {
            tasks,
            owners: Some(owners),
            holidays: vec![d("2024-06-10")],
            workdays: vec![d("2024-06-08")],
            unavailable,
            baseline: Vec::new(),
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
                            for l in inp.unavailable.iter().filter(|l| inp.tasks[k].owners.contains(&l.owner)) {
                                prop_assert!(day < l.from || day > l.to, "{} works on {} during leave", t.id, day);
                            }
                        }
                        day += Duration::days(1);
                    }
                    for pr in &inp.tasks[k].after {
                        let p = plan.tasks.iter().find(|x| x.id == pr.id).expect("pred");
                        match pr.link {
                            Link::FinishStart => prop_assert!(p.finish + pr.lag <= t.start),
                            Link::StartStart => prop_assert!(p.start + pr.lag <= t.start),
                            Link::FinishFinish => prop_assert!(p.finish + pr.lag <= t.finish),
                        }
                        if pr.lag == 0 && pr.link == Link::FinishStart && p.finish > p.start && t.finish > t.start {
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
            prop_assert_eq!(&plan.tasks, &again.tasks);
            prop_assert!(plan.finish >= plan.lower_bound);
            // The finish date is the latest finish date of any task.
            prop_assert_eq!(Some(plan.finish_date), plan.tasks.iter().filter_map(|t| t.dates.map(|d| d.1)).max());
            // Every task of a critical chain is critical, and every critical task is in one
            // (no more than MAX_CHAINS here).
            for c in &plan.critical_chains {
                prop_assert!(c.tasks.iter().all(|&k| plan.tasks[k].critical));
            }
            for (k, t) in plan.tasks.iter().enumerate() {
                if t.critical {
                    prop_assert!(plan.critical_chains.iter().any(|c| c.tasks.contains(&k)), "{} critical but in no chain", t.id);
                }
            }
        }
    }
}
