//! The scheduling problem on the working-time axis: a resource-constrained project
//! scheduling problem (RCPSP) with finish-to-start lags, release dates, deadlines, pinned
//! (already started or finished) tasks, and windows in which a resource has no capacity
//! (leave, bookings). PSPLIB instances are the special case with no lags, releases,
//! windows or deadlines.

use super::calendar::Slot;

/// An RCPSP instance. Tasks are indexed `0..n`; resources `0..m`.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Duration of each task in slots.
    pub durations: Vec<Slot>,
    /// Predecessors of each task with the minimum lag after the predecessor's finish.
    pub preds: Vec<Vec<(usize, Slot)>>,
    /// Successors of each task with the lag (the mirror of `preds`).
    pub succs: Vec<Vec<(usize, Slot)>>,
    /// Per-period demand of each task on each resource it uses.
    pub demands: Vec<Vec<(usize, i32)>>,
    /// Constant capacity of each resource.
    pub capacity: Vec<i32>,
    /// Per resource, half-open windows `[from, to)` with no capacity.
    pub blocked: Vec<Vec<(Slot, Slot)>>,
    /// Earliest start of each task.
    pub release: Vec<Slot>,
    /// Due finish of each task (exclusive slot), if any.
    pub deadline: Vec<Option<Slot>>,
    /// Pinned start of each task (tasks in progress or done), if any.
    pub fixed: Vec<Option<Slot>>,
}

/// How good a schedule is: total lateness first, then the finish (both in slots).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    /// Sum over tasks of `max(0, finish - deadline)`.
    pub lateness: Slot,
    /// Latest finish.
    pub makespan: Slot,
}

impl Problem {
    /// A problem with `n` tasks and the given resource capacities, no precedence, no
    /// demands; fill the fields, then call [`Problem::link`] to add dependencies.
    pub fn new(durations: Vec<Slot>, capacity: Vec<i32>) -> Problem {
        let n = durations.len();
        let m = capacity.len();
        Problem {
            durations,
            preds: vec![Vec::new(); n],
            succs: vec![Vec::new(); n],
            demands: vec![Vec::new(); n],
            capacity,
            blocked: vec![Vec::new(); m],
            release: vec![0; n],
            deadline: vec![None; n],
            fixed: vec![None; n],
        }
    }

    /// The number of tasks.
    pub fn len(&self) -> usize {
        self.durations.len()
    }

    /// True when there are no tasks.
    pub fn is_empty(&self) -> bool {
        self.durations.is_empty()
    }

    /// Adds the dependency "`b` starts at least `lag` after `a` finishes".
    pub fn link(&mut self, a: usize, b: usize, lag: Slot) {
        self.preds[b].push((a, lag));
        self.succs[a].push((b, lag));
    }

    /// A topological order (Kahn's algorithm, smallest index first among ready tasks), or
    /// the tasks of one cycle, in order, when the dependencies loop.
    pub fn topological_order(&self) -> Result<Vec<usize>, Vec<usize>> {
        let n = self.len();
        let mut indeg: Vec<usize> = self.preds.iter().map(Vec::len).collect();
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|&i| indeg[i] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            order.push(i);
            for &(j, _) in &self.succs[i] {
                indeg[j] -= 1;
                if indeg[j] == 0 {
                    ready.push(std::cmp::Reverse(j));
                }
            }
        }
        if order.len() == n {
            return Ok(order);
        }
        // Walk predecessors inside the unresolved set until a task repeats.
        let left: Vec<bool> = (0..n).map(|i| indeg[i] > 0).collect();
        let mut at = (0..n).find(|&i| left[i]).unwrap_or(0);
        let mut seen = vec![usize::MAX; n];
        let mut path = Vec::new();
        while seen[at] == usize::MAX {
            seen[at] = path.len();
            path.push(at);
            at = self.preds[at]
                .iter()
                .map(|&(p, _)| p)
                .find(|&p| left[p])
                .unwrap_or(at);
        }
        let mut cycle: Vec<usize> = path[seen[at]..].to_vec();
        cycle.reverse(); // predecessors were followed: reverse to dependency order
        let first = cycle
            .iter()
            .enumerate()
            .min_by_key(|&(_, &t)| t)
            .map_or(0, |(k, _)| k);
        cycle.rotate_left(first);
        Err(cycle)
    }

    /// Earliest start of each task when only precedence, lags, releases and pins count
    /// (the precedence-only lower bound). `order` must be topological.
    pub fn earliest_starts(&self, order: &[usize]) -> Vec<Slot> {
        let mut es = vec![0; self.len()];
        for &j in order {
            es[j] = match self.fixed[j] {
                Some(s) => s,
                None => self.preds[j]
                    .iter()
                    .map(|&(p, lag)| es[p] + self.durations[p] + lag)
                    .fold(self.release[j], Slot::max),
            };
        }
        es
    }

    /// The largest finish of the precedence-only earliest starts: no feasible schedule
    /// finishes earlier.
    pub fn precedence_bound(&self, order: &[usize]) -> Slot {
        let es = self.earliest_starts(order);
        (0..self.len())
            .map(|j| es[j] + self.durations[j])
            .max()
            .unwrap_or(0)
    }

    /// Total lateness and makespan of `start`.
    pub fn score(&self, start: &[Slot]) -> Score {
        let mut lateness = 0;
        let mut makespan = 0;
        for (j, &s) in start.iter().enumerate() {
            let f = s + self.durations[j];
            makespan = makespan.max(f);
            if let Some(d) = self.deadline[j] {
                lateness += (f - d).max(0);
            }
        }
        Score { lateness, makespan }
    }

    /// The earliest slot any task may occupy (pinned tasks can lie before the plan start).
    pub fn origin(&self) -> Slot {
        self.fixed.iter().flatten().copied().fold(0, Slot::min)
    }

    /// A slot past which every schedule the serial scheme builds ends: the last release,
    /// pin or window end, plus every duration and (positive) lag in series.
    pub fn horizon(&self) -> Slot {
        let mut base = 0;
        for j in 0..self.len() {
            base = base.max(self.release[j]);
            if let Some(s) = self.fixed[j] {
                base = base.max(s + self.durations[j]);
            }
        }
        for w in self.blocked.iter().flatten() {
            base = base.max(w.1);
        }
        let work: Slot = self.durations.iter().sum();
        let lags: Slot = self
            .preds
            .iter()
            .map(|p| p.iter().map(|&(_, l)| l.max(0)).max().unwrap_or(0))
            .sum();
        base + work + lags + 1
    }
}

/// An independent feasibility check of `start` against every constraint of `p`: pins,
/// releases, precedence with lags, and resource use per slot (counted afresh, not with
/// the scheduler's profile) against the capacity, which is zero inside blocked windows.
/// Over-use that involves only pinned tasks is history and is not reported. Returns the
/// first violation found, in words.
#[allow(clippy::needless_range_loop)]
pub fn check(p: &Problem, start: &[Slot]) -> Result<(), String> {
    if start.len() != p.len() {
        return Err(format!("{} starts for {} tasks", start.len(), p.len()));
    }
    for j in 0..p.len() {
        if let Some(s) = p.fixed[j] {
            if start[j] != s {
                return Err(format!(
                    "task {j} is pinned at {s} but starts at {}",
                    start[j]
                ));
            }
            continue;
        }
        if start[j] < p.release[j] {
            return Err(format!(
                "task {j} starts at {} before its release {}",
                start[j], p.release[j]
            ));
        }
        for &(i, lag) in &p.preds[j] {
            if start[j] < start[i] + p.durations[i] + lag {
                return Err(format!(
                    "task {j} starts at {} before predecessor {i} finishes at {} plus lag {lag}",
                    start[j],
                    start[i] + p.durations[i]
                ));
            }
        }
    }
    // Resource use: an event sweep per resource over the tasks' intervals.
    for r in 0..p.capacity.len() {
        let mut events: Vec<(Slot, i32, bool)> = Vec::new();
        for j in 0..p.len() {
            for &(rr, a) in &p.demands[j] {
                if rr == r && a > 0 && p.durations[j] > 0 {
                    let free = p.fixed[j].is_none();
                    events.push((start[j], a, free));
                    events.push((start[j] + p.durations[j], -a, free));
                }
            }
        }
        events.sort_by_key(|e| (e.0, e.1));
        let mut use_ = 0;
        let mut free_active = 0;
        for (k, &(t, a, free)) in events.iter().enumerate() {
            use_ += a;
            if free {
                free_active += a.signum();
            }
            let next_same = events.get(k + 1).is_some_and(|e| e.0 == t);
            if next_same || free_active == 0 {
                continue;
            }
            if use_ > p.capacity[r] {
                return Err(format!(
                    "resource {r} is used {use_} at slot {t}, over its capacity {}",
                    p.capacity[r]
                ));
            }
        }
        for &(from, to) in &p.blocked[r] {
            for j in 0..p.len() {
                let uses = p.demands[j].iter().any(|&(rr, a)| rr == r && a > 0);
                if uses
                    && p.durations[j] > 0
                    && p.fixed[j].is_none()
                    && start[j] < to
                    && from < start[j] + p.durations[j]
                {
                    return Err(format!(
                        "task {j} at [{}, {}) overlaps resource {r}'s unavailable window [{from}, {to})",
                        start[j],
                        start[j] + p.durations[j]
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_catches_each_kind_of_violation() {
        let mut p = Problem::new(vec![2, 2, 2], vec![1]);
        p.link(0, 1, 1);
        p.demands = vec![vec![(0, 1)], vec![(0, 1)], vec![]];
        p.blocked[0].push((10, 12));
        p.release[2] = 3;
        assert_eq!(check(&p, &[0, 3, 3]), Ok(()));
        assert!(check(&p, &[0, 2, 3])
            .expect_err("lag")
            .contains("predecessor"));
        assert!(check(&p, &[0, 3, 2])
            .expect_err("release")
            .contains("release"));
        assert!(check(&p, &[3, 4, 5]).is_err());
        assert!(check(&p, &[0, 9, 5])
            .expect_err("window")
            .contains("unavailable"));
        p.fixed[0] = Some(0);
        assert!(check(&p, &[1, 4, 5]).expect_err("pin").contains("pinned"));
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let mut p = Problem::new(vec![1; 4], vec![]);
        p.link(0, 1, 0);
        p.link(1, 2, 0);
        p.link(2, 3, 0);
        p.link(3, 1, 0);
        assert_eq!(p.topological_order(), Err(vec![1, 2, 3]));
    }
}
