//! The serial schedule-generation scheme (Kelley 1963; Kolisch 1996, "Serial and parallel
//! resource-constrained project scheduling methods revisited", EJOR 90): take the tasks
//! in the order of a precedence-feasible activity list and start each at the earliest
//! slot at which its predecessors (with lags) are done, its release has passed, and its
//! resources have capacity for its whole duration. Every serial-SGS schedule is active,
//! and some activity list yields an optimal schedule for regular objectives.
//!
//! The resource profile is dense (one cell per resource and slot), reset from a template
//! that already holds the blocked windows and the pinned tasks.

use super::calendar::Slot;
use super::problem::Problem;

/// A reusable serial-SGS evaluator for one problem.
#[derive(Debug, Clone)]
pub struct Sgs {
    origin: Slot,
    len: usize,
    /// Free capacity per resource per slot before any free task is placed.
    template: Vec<Vec<i32>>,
    free: Vec<Vec<i32>>,
}

impl Sgs {
    /// Prepares the profile of `p`: capacity, minus blocked windows, minus pinned tasks.
    pub fn new(p: &Problem) -> Sgs {
        let origin = p.origin();
        let len = (p.horizon() - origin).max(1) as usize;
        let mut template = vec![Vec::new(); p.capacity.len()];
        for (r, t) in template.iter_mut().enumerate() {
            *t = vec![p.capacity[r]; len];
            for &(a, b) in &p.blocked[r] {
                let a = (a - origin).clamp(0, len as Slot) as usize;
                let b = (b - origin).clamp(0, len as Slot) as usize;
                for c in &mut t[a..b.max(a)] {
                    *c = 0;
                }
            }
        }
        for j in 0..p.len() {
            if let Some(s) = p.fixed[j] {
                for &(r, a) in &p.demands[j] {
                    let from = (s - origin).max(0) as usize;
                    let to = ((s + p.durations[j] - origin).max(0) as usize).min(len);
                    for c in &mut template[r][from.min(to)..to] {
                        *c -= a;
                    }
                }
            }
        }
        Sgs {
            origin,
            len,
            free: template.clone(),
            template,
        }
    }

    /// Whether task `j` fits at `t` for its whole duration; on failure, the first slot
    /// after the conflict to try next.
    fn fits(&self, p: &Problem, j: usize, t: Slot) -> Result<(), Slot> {
        let d = p.durations[j];
        let from = (t - self.origin) as usize;
        let to = from + d as usize;
        if to > self.len {
            return Err(Slot::MAX);
        }
        // Scan backwards so that the jump skips past the last conflicting slot.
        for &(r, a) in &p.demands[j] {
            let row = &self.free[r];
            for k in (from..to).rev() {
                if row[k] < a {
                    return Err(k as Slot + self.origin + 1);
                }
            }
        }
        Ok(())
    }

    /// Schedules `list` (a precedence-feasible order of all tasks) and writes the start
    /// of each task into `start`. Returns false when a task finds no room before the
    /// horizon (a demand above its resource's capacity).
    pub fn run(&mut self, p: &Problem, list: &[usize], start: &mut [Slot]) -> bool {
        for (f, t) in self.free.iter_mut().zip(&self.template) {
            f.copy_from_slice(t);
        }
        for &j in list {
            if let Some(s) = p.fixed[j] {
                start[j] = s;
                continue;
            }
            let mut t = p.preds[j]
                .iter()
                .map(|&(i, lag)| start[i] + p.durations[i] + lag)
                .fold(p.release[j], Slot::max);
            if p.durations[j] > 0 && !p.demands[j].is_empty() {
                loop {
                    match self.fits(p, j, t) {
                        Ok(()) => break,
                        Err(Slot::MAX) => return false,
                        Err(next) => t = next,
                    }
                }
                let from = (t - self.origin) as usize;
                let to = from + p.durations[j] as usize;
                for &(r, a) in &p.demands[j] {
                    for c in &mut self.free[r][from..to] {
                        *c -= a;
                    }
                }
            }
            start[j] = t;
        }
        true
    }
}

/// `order` made precedence-feasible with the least change: repeatedly the task earliest in
/// `order` whose predecessors (`preds`) are all placed. An order that is already feasible
/// comes back unchanged. Sorting tasks by a schedule's start times gives a feasible order
/// when every lag is a finish-to-start one (`lag >= 0`); start-to-start and
/// finish-to-finish links (negative lags on the finish-to-start axis) can let a successor
/// start first, and the serial scheme must still place predecessors first.
pub fn precedence_feasible(order: &[usize], preds: &[Vec<(usize, Slot)>]) -> Vec<usize> {
    let n = preds.len();
    let mut rank = vec![0; n];
    for (k, &j) in order.iter().enumerate() {
        rank[j] = k;
    }
    let mut missing: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, ps) in preds.iter().enumerate() {
        for &(i, _) in ps {
            succs[i].push(j);
        }
    }
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>> = (0..n)
        .filter(|&j| missing[j] == 0)
        .map(|j| std::cmp::Reverse((rank[j], j)))
        .collect();
    let mut out = Vec::with_capacity(n);
    while let Some(std::cmp::Reverse((_, j))) = ready.pop() {
        out.push(j);
        for &s in &succs[j] {
            missing[s] -= 1;
            if missing[s] == 0 {
                ready.push(std::cmp::Reverse((rank[s], s)));
            }
        }
    }
    out
}

/// The problem mirrored in time around `horizon`: successors become predecessors, a
/// window `[a, b)` becomes `[h - b, h - a)`, a pin at `s` becomes `h - s - d`; releases
/// become 0 and deadlines are dropped. Scheduling it forward is scheduling the original backward
/// (as late as possible), which is what the justification step needs.
pub fn mirror(p: &Problem, horizon: Slot) -> Problem {
    let mut q = p.clone();
    std::mem::swap(&mut q.preds, &mut q.succs);
    for w in q.blocked.iter_mut() {
        for (a, b) in w.iter_mut() {
            let (na, nb) = (horizon - *b, horizon - *a);
            *a = na;
            *b = nb;
        }
    }
    for j in 0..q.len() {
        q.release[j] = 0;
        q.deadline[j] = None;
        if let Some(s) = p.fixed[j] {
            q.fixed[j] = Some(horizon - s - p.durations[j]);
        }
    }
    q
}
