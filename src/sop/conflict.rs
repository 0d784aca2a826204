//! Conflicts: what stands between the inputs and a plan that meets every date, each with
//! a message a planner can act on.
//!
//! - an unknown owner or predecessor (the input is planned around it);
//! - a task longer than any free window its owner has before its deadline;
//! - a deadline that cannot be met: by how many working days, the chain of tasks that
//!   forces it, and whether that is **proven** or only that the search found no plan
//!   meeting it. Two lower bounds prove it: the chain bound (predecessors, lags, releases,
//!   lead times and the task's own owner's leave, with unlimited people) and the workload
//!   bound (the owner's work that must be done by the deadline exceeds the owner's working
//!   time, capacity times free slots, between the earliest such work can start and the
//!   deadline). A dependency cycle is not a conflict but an error
//!   ([`super::SopError::Cycle`]): no plan exists.

use super::calendar::{working_days, Slot};
use super::error::SopError;
use super::model::{BaselineTask, Leave, SopInput, Status, Task};
use super::plan::{binding_predecessor, late_slots, Model};

/// One conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// `unknown_owner`, `unknown_predecessor`, `baseline_only`, `no_window` or `deadline`.
    pub kind: &'static str,
    /// The task concerned (the owner for an unknown leave owner).
    pub task: String,
    /// For deadline conflicts: proven impossible (true) or only not found (false).
    pub proven: Option<bool>,
    /// The message.
    pub message: String,
}

impl Conflict {
    /// A task names an owner missing from the owners table.
    pub fn unknown_owner(t: &Task, owner: &str) -> Conflict {
        Conflict {
            kind: "unknown_owner",
            task: t.id.clone(),
            proven: None,
            message: format!(
                "{}: task '{}': owner '{owner}' is not in the owners table; planned with capacity 1 and no lead time",
                t.at, t.id
            ),
        }
    }

    /// Leave for someone who is neither in the owners table nor owns a task.
    pub fn unknown_leave_owner(l: &Leave) -> Conflict {
        Conflict {
            kind: "unknown_owner",
            task: l.owner.clone(),
            proven: None,
            message: format!(
                "{}: owner '{}' has no tasks and is not in the owners table; the unavailability is ignored",
                l.at, l.owner
            ),
        }
    }

    /// A task of the baseline that the tasks table no longer has.
    pub fn baseline_only(b: &BaselineTask) -> Conflict {
        Conflict {
            kind: "baseline_only",
            task: b.id.clone(),
            proven: None,
            message: format!(
                "{}: task '{}' is in the baseline but not in the tasks table; it has no slip",
                b.at, b.id
            ),
        }
    }

    /// A predecessor id that no task has.
    pub fn unknown_predecessor<'a>(
        t: &Task,
        pred: &str,
        ids: impl Iterator<Item = &'a str>,
    ) -> Conflict {
        let hint = crate::suggest::closest(pred, ids)
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        Conflict {
            kind: "unknown_predecessor",
            task: t.id.clone(),
            proven: None,
            message: format!(
                "{}: task '{}' comes after '{pred}', which is not a task id{hint}; that dependency is ignored",
                t.at, t.id
            ),
        }
    }
}

/// The blocked intervals that meet `[from, to)`, cut to it, in order.
fn clipped(blocked: &[(Slot, Slot)], from: Slot, to: Slot) -> Vec<(Slot, Slot)> {
    let mut cuts: Vec<(Slot, Slot)> = blocked
        .iter()
        .filter(|&&(a, b)| a < to && from < b)
        .map(|&(a, b)| (a.max(from), b.min(to)))
        .collect();
    cuts.sort_unstable();
    cuts
}

/// Longest run of slots in `[from, to)` outside `blocked`.
fn longest_free(blocked: &[(Slot, Slot)], from: Slot, to: Slot) -> Slot {
    let cuts = clipped(blocked, from, to);
    let (mut best, mut at) = (0, from);
    for (a, b) in cuts {
        best = best.max(a - at);
        at = at.max(b);
    }
    best.max(to - at).max(0)
}

fn free_slots(blocked: &[(Slot, Slot)], from: Slot, to: Slot) -> Slot {
    let cuts = clipped(blocked, from, to);
    let (mut busy, mut at) = (0, from);
    for (a, b) in cuts {
        if b > at {
            busy += b - a.max(at);
            at = b;
        }
    }
    (to - from - busy).max(0)
}

/// The chain lower bound: earliest starts with precedence, lags, releases, pins and each
/// task's own owner's blocked windows (unlimited people otherwise), with the task each one
/// waits for.
fn chain_bound(model: &Model, topo: &[usize]) -> (Vec<Slot>, Vec<Option<usize>>) {
    let p = &model.problem;
    let mut es = vec![0; p.len()];
    let mut why = vec![None; p.len()];
    for &j in topo {
        if let Some(s) = p.fixed[j] {
            es[j] = s;
            continue;
        }
        let mut t = p.release[j];
        for &(i, lag) in &p.preds[j] {
            let f = es[i] + p.durations[i] + lag;
            if f > t || (f == t && why[j].is_none() && f > p.release[j]) {
                t = f;
                why[j] = Some(i);
            }
        }
        if t == p.release[j] && p.release[j] > 0 {
            why[j] = why[j].filter(|&i| es[i] + p.durations[i] >= t);
        }
        let d = p.durations[j];
        while let Some(&(_, b)) = model.task_owner[j]
            .iter()
            .flat_map(|&r| p.blocked[r].iter())
            .find(|&&(a, b)| t < b && a < t + d && d > 0)
        {
            t = b;
            why[j] = None;
        }
        es[j] = t;
    }
    (es, why)
}

fn ancestors(model: &Model, j: usize) -> Vec<bool> {
    let p = &model.problem;
    let mut seen = vec![false; p.len()];
    let mut stack = vec![j];
    while let Some(k) = stack.pop() {
        for &(i, _) in &p.preds[k] {
            if !seen[i] {
                seen[i] = true;
                stack.push(i);
            }
        }
    }
    seen
}

fn ids(input: &SopInput, chain: &[usize]) -> String {
    chain
        .iter()
        .map(|&k| input.tasks[k].id.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Why task `k` starts when it does in the chain bound, if not because of a predecessor.
fn start_reason(model: &Model, k: usize, es: Slot) -> String {
    let p = &model.problem;
    for &r in &model.task_owner[k] {
        if let Some(&(_, _, from, to)) = model.owners[r].blocked.iter().find(|w| w.1 == es) {
            return format!(
                "; {} is unavailable from {from} to {to}",
                model.owners[r].name
            );
        }
    }
    if es == p.release[k] && !model.release_reason[k].is_empty() {
        return format!("; {}", model.release_reason[k]);
    }
    String::new()
}

/// Analyses every late task of the plan `start`.
pub fn analyse_deadlines(
    model: &Model,
    input: &SopInput,
    start: &[Slot],
    topo: &[usize],
) -> Result<Vec<Conflict>, SopError> {
    let p = &model.problem;
    let cal = &model.calendar;
    let (lb, why) = chain_bound(model, topo);
    let prec_es = p.earliest_starts(topo);
    let mut out = Vec::new();
    for j in 0..p.len() {
        let Some(due) = model.due[j] else { continue };
        if late_slots(model, j, start[j]) == 0 || input.tasks[j].status == Status::Done {
            continue;
        }
        let t = &input.tasks[j];
        let due_date = model.deadline_date[j]
            .map(|d| d.to_string())
            .unwrap_or_default();
        let head = format!(
            "task '{}' ({}) finishes {}, {} after its deadline {due_date}",
            t.id,
            t.name,
            cal.dates_of(start[j], start[j] + p.durations[j])?.1,
            working_days(late_slots(model, j, start[j]))
        );
        if p.fixed[j].is_some() {
            out.push(Conflict {
                kind: "deadline",
                task: t.id.clone(),
                proven: Some(true),
                message: match model.actual_start[j] {
                    None => format!(
                        "{head}; proven: it is in progress since {} and needs {}",
                        cal.date_of_slot(start[j])?,
                        working_days(p.durations[j])
                    ),
                    Some(a) => format!(
                        "{head}; proven: it is in progress since {} and has {} left from {}",
                        cal.date_of_slot(a)?,
                        working_days(p.durations[j]),
                        cal.date_of_slot(start[j])?
                    ),
                },
            });
            continue;
        }
        // The chain in the plan.
        let mut chain = vec![j];
        while let Some(i) = chain
            .last()
            .and_then(|&k| binding_predecessor(model, start, k))
        {
            if chain.contains(&i) {
                break;
            }
            chain.push(i);
        }
        chain.reverse();
        let plan_chain = ids(input, &chain);
        let d = p.durations[j];
        // 1. No free window long enough before the deadline (for each owner).
        let mut window = None;
        for &r in model.task_owner[j]
            .iter()
            .filter(|&&r| !p.blocked[r].is_empty() && d > 0)
        {
            let from = prec_es[j];
            let longest = longest_free(&p.blocked[r], from, due);
            if d > longest && from < due && window.is_none() {
                window = Some(Conflict {
                    kind: "no_window",
                    task: t.id.clone(),
                    proven: Some(true),
                    message: format!(
                        "{head}; proven: it needs {} of {}, longer than any free window {} has between {} and {due_date} (the longest is {})",
                        working_days(d),
                        model.owners[r].name,
                        model.owners[r].name,
                        cal.date_of_slot(from)?,
                        working_days(longest)
                    ),
                });
            }
        }
        if let Some(c) = window {
            out.push(c);
            continue;
        }
        // 2. The chain bound.
        let lf = lb[j] + d;
        if late_slots(model, j, lb[j]) > 0 {
            let mut c = vec![j];
            while let Some(i) = c.last().and_then(|&k| why[k]) {
                c.push(i);
            }
            c.reverse();
            let first = c[0];
            let reason = start_reason(model, first, lb[first]);
            out.push(Conflict {
                kind: "deadline",
                task: t.id.clone(),
                proven: Some(true),
                message: format!(
                    "{head}; proven: {} cannot finish before {}, {} late, whoever does the work{reason}",
                    if c.len() == 1 { "it".to_string() } else { format!("the chain {}", ids(input, &c)) },
                    cal.dates_of(lb[j], lf)?.1,
                    working_days(late_slots(model, j, lb[j]))
                ),
            });
            continue;
        }
        // 3. The workload bound of each owner of the task.
        let mut workload = None;
        for &r in &model.task_owner[j] {
            let anc = ancestors(model, j);
            let set: Vec<usize> = (0..p.len())
                .filter(|&k| {
                    model.task_owner[k].contains(&r)
                        && p.fixed[k].is_none()
                        && p.durations[k] > 0
                        && (k == j || anc[k] || p.deadline[k].is_some_and(|dk| dk <= due))
                })
                .collect();
            let from = set.iter().map(|&k| lb[k]).min().unwrap_or(due);
            let work: Slot = set.iter().map(|&k| p.durations[k]).sum();
            let avail = model.owners[r].capacity as Slot * free_slots(&p.blocked[r], from, due);
            if from < due && work > avail {
                let early = set.iter().map(|&k| prec_es[k]).min().unwrap_or(from);
                let away: Vec<String> = model.owners[r]
                    .blocked
                    .iter()
                    .filter(|&&(a, b, _, _)| a < due && early < b)
                    .map(|&(_, _, f, t)| format!("{f} to {t}"))
                    .collect();
                let leave = if away.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} is unavailable {})",
                        model.owners[r].name,
                        away.join(", ")
                    )
                };
                workload = Some(Conflict {
                    kind: "deadline",
                    task: t.id.clone(),
                    proven: Some(true),
                    message: format!(
                        "{head}; proven: {}'s work that must be done by {due_date} ({}: {}) exceeds the {} {} has from {} to {due_date}{leave}; chain in this plan: {plan_chain}",
                        model.owners[r].name,
                        ids(input, &set).replace(" → ", ", "),
                        working_days(work),
                        working_days(avail),
                        model.owners[r].name,
                        cal.date_of_slot(from)?,
                    ),
                });
                break;
            }
        }
        if let Some(c) = workload {
            out.push(c);
            continue;
        }
        out.push(Conflict {
            kind: "deadline",
            task: t.id.clone(),
            proven: Some(false),
            message: format!(
                "{head}; not proven impossible: the search found no plan meeting it; chain in this plan: {plan_chain}"
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_windows() {
        let b = [(4, 6), (10, 14)];
        assert_eq!(longest_free(&b, 0, 20), 6);
        assert_eq!(longest_free(&b, 5, 12), 4);
        assert_eq!(free_slots(&b, 0, 20), 14);
        assert_eq!(free_slots(&b, 5, 12), 4);
    }
}
