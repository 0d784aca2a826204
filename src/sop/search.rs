//! The search over activity lists: priority-rule lists (latest finish, latest start, most
//! total successors, greatest rank positional weight), regret-based biased random sampling
//! (Kolisch & Drexl 1996), forward-backward improvement (justification; Tormos & Lova
//! 2001, Valls, Ballestín & Quintanilla 2005) and a genetic algorithm over activity lists
//! with two-point crossover, adjacent-swap mutation and ranking selection (Hartmann 1998,
//! "A competitive genetic algorithm for resource-constrained project scheduling", Naval
//! Research Logistics 45).
//!
//! The objective is lexicographic ([`Score`]): total lateness first, then the finish.
//! The search is deterministic for a seed: its budget is a number of schedule evaluations;
//! the wall-clock limit is only a safety stop.

use super::calendar::Slot;
use super::problem::{check, Problem, Score};
use super::sgs::{mirror, precedence_feasible, Sgs};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// How long to search.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    /// Seed of the random choices.
    pub seed: u64,
    /// Schedule evaluations (serial-SGS runs) to spend.
    pub evaluations: usize,
    /// A safety stop: the search ends early when this instant passes.
    pub stop_at: Option<Instant>,
}

/// The best schedule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Start slot of each task.
    pub start: Vec<Slot>,
    /// Its lateness and finish.
    pub score: Score,
    /// The activity list that produced it.
    pub list: Vec<usize>,
    /// Evaluations spent.
    pub evaluations: usize,
}

/// The evaluation budget of an effort level for `n` tasks: "fast" about 150,000 task
/// placements (about 4,700 schedules of a 32-task project), "thorough" about 800,000
/// (25,000 schedules of a 32-task project at most).
pub fn budget(thorough: bool, n: usize) -> usize {
    let n = n.max(1);
    if thorough {
        (800_000 / n).clamp(4_000, 25_000)
    } else {
        (150_000 / n).clamp(300, 5_000)
    }
}

struct Evaluator<'a> {
    p: &'a Problem,
    q: Problem,
    horizon: Slot,
    fwd: Sgs,
    bwd: Sgs,
    topo_pos: Vec<usize>,
    start: Vec<Slot>,
    back: Vec<Slot>,
    used: usize,
    limit: usize,
    stop_at: Option<Instant>,
}

impl<'a> Evaluator<'a> {
    fn new(p: &'a Problem, topo: &[usize], opts: &SearchOptions) -> Evaluator<'a> {
        let horizon = p.horizon();
        let q = mirror(p, horizon);
        let mut topo_pos = vec![0; p.len()];
        for (k, &j) in topo.iter().enumerate() {
            topo_pos[j] = k;
        }
        Evaluator {
            fwd: Sgs::new(p),
            bwd: Sgs::new(&q),
            q,
            p,
            horizon,
            topo_pos,
            start: vec![0; p.len()],
            back: vec![0; p.len()],
            used: 0,
            limit: opts.evaluations.max(1),
            stop_at: opts.stop_at,
        }
    }

    fn exhausted(&self) -> bool {
        self.used >= self.limit
            || (self.used.is_multiple_of(64) && self.stop_at.is_some_and(|t| Instant::now() >= t))
    }

    /// Forward SGS of `list`; then backward-forward justification while it improves.
    /// Returns the score and replaces `list` by the order of the best schedule.
    fn evaluate(&mut self, list: &mut Vec<usize>) -> Option<Score> {
        self.used += 1;
        if !self.fwd.run(self.p, list, &mut self.start) {
            return None;
        }
        let mut best = self.p.score(&self.start);
        for _ in 0..4 {
            if self.used + 2 > self.limit {
                break;
            }
            // Backward: right-justify in order of decreasing finish.
            let mut order: Vec<usize> = (0..self.p.len()).collect();
            let (p, start, pos) = (self.p, &self.start, &self.topo_pos);
            order.sort_by_key(|&j| {
                (
                    std::cmp::Reverse(start[j] + p.durations[j]),
                    std::cmp::Reverse(pos[j]),
                )
            });
            let order = precedence_feasible(&order, &self.q.preds);
            self.used += 1;
            if !self.bwd.run(&self.q, &order, &mut self.back) {
                break;
            }
            // Forward again in order of the right-justified starts.
            let (h, back) = (self.horizon, &self.back);
            let mut order = order;
            order.sort_by_key(|&j| (h - back[j] - p.durations[j], pos[j]));
            let order = precedence_feasible(&order, &p.preds);
            let mut trial = vec![0; p.len()];
            self.used += 1;
            if !self.fwd.run(p, &order, &mut trial) {
                break;
            }
            let s = p.score(&trial);
            if s < best {
                best = s;
                self.start = trial;
                *list = order;
            } else {
                break;
            }
        }
        Some(best)
    }
}

/// Per-task priority values used to build the initial lists.
struct Priorities {
    lft: Vec<Slot>,
    lst: Vec<Slot>,
    mts: Vec<i64>,
    grpw: Vec<i64>,
}

fn priorities(p: &Problem, topo: &[usize]) -> Priorities {
    let n = p.len();
    let far = p.horizon();
    let mut lft = vec![far; n];
    for &j in topo.iter().rev() {
        let mut lf = p.deadline[j].unwrap_or(far).min(far);
        for &(s, lag) in &p.succs[j] {
            lf = lf.min(lft[s] - p.durations[s] - lag);
        }
        lft[j] = lf;
    }
    let lst: Vec<Slot> = (0..n).map(|j| lft[j] - p.durations[j]).collect();
    // Total successors with bit sets.
    let words = n.div_ceil(64);
    let mut succ = vec![vec![0u64; words]; n];
    for &j in topo.iter().rev() {
        let mut set = vec![0u64; words];
        for &(s, _) in &p.succs[j] {
            set[s / 64] |= 1 << (s % 64);
            for (w, x) in set.iter_mut().zip(&succ[s]) {
                *w |= x;
            }
        }
        succ[j] = set;
    }
    let mts = succ
        .iter()
        .map(|s| -(s.iter().map(|w| w.count_ones() as i64).sum::<i64>()))
        .collect();
    let grpw = (0..n)
        .map(|j| {
            -(p.durations[j]
                + p.succs[j]
                    .iter()
                    .map(|&(s, _)| p.durations[s])
                    .sum::<Slot>())
        })
        .collect();
    Priorities {
        lft,
        lst,
        mts,
        grpw,
    }
}

/// Builds a precedence-feasible list taking, among the eligible tasks, the one with the
/// smallest key (ties by index), or with `rng` one drawn with probability proportional to
/// its regret `max key - key + 1` (regret-based biased random sampling).
fn build_list(p: &Problem, key: &[i64], rng: Option<&mut ChaCha8Rng>) -> Vec<usize> {
    let n = p.len();
    let mut missing: Vec<usize> = p.preds.iter().map(Vec::len).collect();
    let mut eligible: Vec<usize> = (0..n).filter(|&j| missing[j] == 0).collect();
    let mut list = Vec::with_capacity(n);
    let mut rng = rng;
    while !eligible.is_empty() {
        let k = match rng.as_deref_mut() {
            None => (0..eligible.len())
                .min_by_key(|&k| (key[eligible[k]], eligible[k]))
                .unwrap_or(0),
            Some(r) => {
                let max = eligible.iter().map(|&j| key[j]).max().unwrap_or(0);
                let weights: Vec<f64> = eligible
                    .iter()
                    .map(|&j| (max - key[j] + 1) as f64)
                    .collect();
                let total: f64 = weights.iter().sum();
                let mut x = r.random::<f64>() * total;
                let mut pick = weights.len() - 1;
                for (k, w) in weights.iter().enumerate() {
                    if x < *w {
                        pick = k;
                        break;
                    }
                    x -= w;
                }
                pick
            }
        };
        let j = eligible.swap_remove(k);
        list.push(j);
        for &(s, _) in &p.succs[j] {
            missing[s] -= 1;
            if missing[s] == 0 {
                eligible.push(s);
            }
        }
        eligible.sort_unstable();
    }
    list
}

/// Two-point crossover (Hartmann 1998): the child takes the mother's first `a` tasks, then
/// the father's tasks up to position `b` that it lacks, then the mother's remaining tasks,
/// each part in its parent's order. Precedence feasibility is preserved.
fn crossover(mother: &[usize], father: &[usize], a: usize, b: usize) -> Vec<usize> {
    let n = mother.len();
    let mut taken = vec![false; n];
    let mut child = Vec::with_capacity(n);
    for &j in &mother[..a] {
        taken[j] = true;
        child.push(j);
    }
    for &j in father {
        if child.len() >= b {
            break;
        }
        if !taken[j] {
            taken[j] = true;
            child.push(j);
        }
    }
    for &j in mother {
        if !taken[j] {
            taken[j] = true;
            child.push(j);
        }
    }
    child
}

/// Searches for the schedule with the best [`Score`]. `Err` carries the tasks of a
/// dependency cycle. A task demanding more than its resource's capacity makes the
/// problem unschedulable: `Ok(None)`.
pub fn solve(p: &Problem, opts: &SearchOptions) -> Result<Option<Solution>, Vec<usize>> {
    let topo = p.topological_order()?;
    if p.is_empty() {
        return Ok(Some(Solution {
            start: Vec::new(),
            score: Score {
                lateness: 0,
                makespan: 0,
            },
            list: Vec::new(),
            evaluations: 0,
        }));
    }
    for j in 0..p.len() {
        if p.fixed[j].is_none()
            && p.durations[j] > 0
            && p.demands[j].iter().any(|&(r, a)| a > p.capacity[r])
        {
            return Ok(None);
        }
    }
    let mut ev = Evaluator::new(p, &topo, opts);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let pr = priorities(p, &topo);
    let mut pop: Vec<(Score, Vec<usize>)> = Vec::new();
    let mut best: Option<(Score, Vec<usize>, Vec<Slot>)> = None;
    let mut consider =
        |ev: &mut Evaluator, mut list: Vec<usize>, pop: &mut Vec<(Score, Vec<usize>)>| {
            if let Some(s) = ev.evaluate(&mut list) {
                if best.as_ref().is_none_or(|b| s < b.0) {
                    best = Some((s, list.clone(), ev.start.clone()));
                }
                pop.push((s, list));
            }
        };
    for key in [&pr.lft, &pr.lst, &pr.mts, &pr.grpw] {
        let list = build_list(p, key, None);
        consider(&mut ev, list, &mut pop);
    }
    let size = if opts.evaluations >= 20_000 { 80 } else { 40 };
    while pop.len() < size && !ev.exhausted() {
        let list = build_list(p, &pr.lst, Some(&mut rng));
        consider(&mut ev, list, &mut pop);
    }
    let n = p.len();
    let mut is_pred = vec![std::collections::HashSet::new(); n];
    for (j, ps) in p.preds.iter().enumerate() {
        for &(i, _) in ps {
            is_pred[j].insert(i);
        }
    }
    while !ev.exhausted() && pop.len() >= 2 {
        pop.sort_by_key(|a| a.0);
        let mut children = Vec::new();
        let mut order: Vec<usize> = (0..pop.len()).collect();
        for i in (1..order.len()).rev() {
            let k = rng.random_range(0..=i);
            order.swap(i, k);
        }
        for pair in order.chunks(2) {
            if pair.len() < 2 {
                break;
            }
            let (m, f) = (&pop[pair[0]].1, &pop[pair[1]].1);
            let a = rng.random_range(0..=n);
            let b = rng.random_range(a..=n);
            for (x, y) in [(m, f), (f, m)] {
                let mut child = crossover(x, y, a, b);
                for i in 0..n.saturating_sub(1) {
                    if rng.random::<f64>() < 0.05 && !is_pred[child[i + 1]].contains(&child[i]) {
                        child.swap(i, i + 1);
                    }
                }
                children.push(child);
            }
        }
        for child in children {
            if ev.exhausted() {
                break;
            }
            consider(&mut ev, child, &mut pop);
        }
        pop.sort_by_key(|a| a.0);
        pop.dedup_by(|a, b| a.1 == b.1);
        pop.truncate(size);
    }
    let evaluations = ev.used;
    Ok(best.map(|(score, list, start)| {
        debug_assert_eq!(
            check(p, &start),
            Ok(()),
            "the scheduler built an infeasible plan"
        );
        Solution {
            start,
            score,
            list,
            evaluations,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts(seed: u64, evaluations: usize) -> SearchOptions {
        SearchOptions {
            seed,
            evaluations,
            stop_at: None,
        }
    }

    #[test]
    fn two_tasks_of_one_owner_run_in_series() {
        let mut p = Problem::new(vec![4, 2], vec![1]);
        p.demands = vec![vec![(0, 1)], vec![(0, 1)]];
        p.deadline[1] = Some(2);
        let s = solve(&p, &opts(1, 100))
            .expect("acyclic")
            .expect("solution");
        // The deadline puts the short task first.
        assert_eq!(s.start, vec![2, 0]);
        assert_eq!(
            s.score,
            Score {
                lateness: 0,
                makespan: 6
            }
        );
    }

    #[test]
    fn a_demand_above_capacity_has_no_schedule() {
        let mut p = Problem::new(vec![1], vec![1]);
        p.demands = vec![vec![(0, 2)]];
        assert_eq!(solve(&p, &opts(1, 10)), Ok(None));
    }

    /// A random instance: tasks with durations 0-6, forward arcs with lags, 1-3
    /// resources, releases, deadlines, blocked windows and a pinned task.
    fn instance() -> impl Strategy<Value = Problem> {
        (2usize..14, 1usize..4, any::<u64>()).prop_map(|(n, m, seed)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let durations = (0..n).map(|_| rng.random_range(0..7)).collect();
            let caps = (0..m).map(|_| rng.random_range(1..4)).collect();
            let mut p = Problem::new(durations, caps);
            for b in 1..n {
                for a in 0..b {
                    if rng.random::<f64>() < 0.2 {
                        p.link(a, b, rng.random_range(0..3));
                    }
                }
            }
            for j in 0..n {
                let r = rng.random_range(0..m);
                p.demands[j] = vec![(r, rng.random_range(1..=p.capacity[r]))];
                if rng.random::<f64>() < 0.3 {
                    p.release[j] = rng.random_range(0..10);
                }
                if rng.random::<f64>() < 0.3 {
                    p.deadline[j] = Some(rng.random_range(1..20));
                }
            }
            for r in 0..m {
                if rng.random::<f64>() < 0.5 {
                    let a = rng.random_range(0..15);
                    p.blocked[r].push((a, a + rng.random_range(1..6)));
                }
            }
            if p.preds[0].is_empty() && rng.random::<f64>() < 0.3 {
                p.fixed[0] = Some(0);
            }
            p
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn plans_are_feasible_bounded_and_reproducible(p in instance(), seed in 0u64..1000) {
            let a = solve(&p, &opts(seed, 300)).expect("acyclic").expect("solution");
            prop_assert_eq!(check(&p, &a.start), Ok(()));
            let topo = p.topological_order().expect("acyclic");
            prop_assert!(a.score.makespan >= p.precedence_bound(&topo));
            prop_assert_eq!(a.score, p.score(&a.start));
            let b = solve(&p, &opts(seed, 300)).expect("acyclic").expect("solution");
            prop_assert_eq!(a, b);
        }
    }
}
