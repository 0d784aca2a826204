//! One user's funnel: the deepest step reached by an ordered chain of events inside
//! the window, and the times of the chain that is counted.
//!
//! Rule (ClickHouse's `windowFunnel` in its default mode): a user reaches
//! step k when they have events e1..ek named s1..sk with `t1 <= t2 <= ... <= tk` and
//! `tk - t1 <= window`. Equal timestamps are allowed, other events may come in
//! between, and any attempt counts (the best chain over all of the user's events).
//!
//! Algorithm: with the events sorted by `(time, step)`, keep for every step j the
//! latest start `t1` of any partial chain that reaches j. A later start dominates an
//! earlier one (every later event is at least as late, so only `t - t1 <= window`
//! can fail, and it fails first for the earlier start). An event of step j extends
//! the partial chain at j-1 when it is inside that chain's window. Sorting equal
//! timestamps by step lets `s(j-1)` and `s(j)` on the same timestamp chain up. One
//! pass, O(events).
//!
//! The chain whose times are reported (for `median_time_from_previous`): among the
//! chains that reach the user's deepest step K, the one that reaches it first
//! (smallest tK); before it, each earlier step's event is the latest one that still
//! leaves a valid chain inside `[tK - window, tK]` (found by a backward scan; the
//! latest choice at each step leaves the most room for the ones before, so the scan
//! always completes).

/// One funnel-step event of a user: its time (ms) and its step (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StepEvent {
    /// Milliseconds since the epoch.
    pub t: i64,
    /// The step's position in the funnel, 0 for the first step.
    pub step: u8,
}

const UNSET: i64 = i64::MIN;

/// The deepest step reached (0 when the user has no first-step event) and, in
/// `times[..level]`, the times of the counted chain.
///
/// `events` must be sorted by `(t, step)`; `best` and `times` must have one slot per
/// step (they are scratch space, overwritten).
pub fn best_chain(
    events: &[StepEvent],
    window_ms: i64,
    best: &mut [i64],
    times: &mut [i64],
) -> usize {
    let n = best.len();
    best.fill(UNSET);
    let mut level = 0usize;
    let mut completed_at = 0usize;
    for (i, e) in events.iter().enumerate() {
        let j = e.step as usize;
        if j >= n {
            continue;
        }
        let start = if j == 0 {
            e.t
        } else {
            let s = best[j - 1];
            if s == UNSET || e.t - s > window_ms {
                continue;
            }
            s
        };
        if start > best[j] {
            best[j] = start;
        }
        if j == level {
            level += 1;
            completed_at = i;
            if level == n {
                break;
            }
        }
    }
    if level == 0 {
        return 0;
    }
    let end = events[completed_at].t;
    times[level - 1] = end;
    let lower = end.saturating_sub(window_ms);
    let mut cursor = completed_at;
    for j in (0..level - 1).rev() {
        let found = events[..cursor]
            .iter()
            .rposition(|e| e.step as usize == j && e.t >= lower);
        match found {
            Some(p) => {
                times[j] = events[p].t;
                cursor = p;
            }
            // Unreachable by the argument above; fall back to the deepest step's
            // time so that a gap is never negative.
            None => times[j] = times[j + 1],
        }
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: i64, step: u8) -> StepEvent {
        StepEvent { t, step }
    }

    fn run(mut evs: Vec<StepEvent>, n: usize, w: i64) -> (usize, Vec<i64>) {
        evs.sort();
        let mut best = vec![0; n];
        let mut times = vec![0; n];
        let level = best_chain(&evs, w, &mut best, &mut times);
        (level, times[..level].to_vec())
    }

    /// Brute force: tries every chain by recursion (distinct steps, so distinct events).
    fn brute_level(evs: &[StepEvent], n: usize, w: i64) -> usize {
        fn go(evs: &[StepEvent], j: usize, t_prev: i64, t1: i64, n: usize, w: i64) -> usize {
            if j == n {
                return j;
            }
            let mut best = j;
            for e in evs {
                if e.step as usize == j && e.t >= t_prev && (j == 0 || e.t - t1 <= w) {
                    let start = if j == 0 { e.t } else { t1 };
                    best = best.max(go(evs, j + 1, e.t, start, n, w));
                }
            }
            best
        }
        go(evs, 0, i64::MIN, 0, n, w)
    }

    #[test]
    fn in_order_within_window() {
        assert_eq!(
            run(vec![ev(0, 0), ev(10, 1), ev(20, 2)], 3, 100),
            (3, vec![0, 10, 20])
        );
    }

    #[test]
    fn out_of_window_conversion_does_not_count() {
        assert_eq!(run(vec![ev(0, 0), ev(10, 1), ev(200, 2)], 3, 100).0, 2);
    }

    #[test]
    fn equal_timestamps_chain_up() {
        assert_eq!(
            run(vec![ev(5, 2), ev(5, 1), ev(5, 0)], 3, 0),
            (3, vec![5, 5, 5])
        );
    }

    #[test]
    fn wrong_order_does_not_count() {
        assert_eq!(run(vec![ev(0, 1), ev(10, 0)], 2, 100).0, 1);
    }

    #[test]
    fn a_later_attempt_counts_and_its_times_are_reported() {
        // First attempt at 0 stalls (its step 2 comes too late); the retry at 500 completes.
        let (level, times) = run(
            vec![ev(0, 0), ev(50, 1), ev(500, 0), ev(520, 1), ev(560, 2)],
            3,
            100,
        );
        assert_eq!((level, times), (3, vec![500, 520, 560]));
    }

    #[test]
    fn steps_before_the_conversion_are_taken_as_late_as_possible() {
        // Two sign-ups before one purchase: the gap is measured from the later one.
        let (_, times) = run(vec![ev(0, 0), ev(10, 1), ev(30, 1), ev(40, 2)], 3, 100);
        assert_eq!(times, vec![0, 30, 40]);
    }

    #[test]
    fn dp_matches_brute_force_on_random_users() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..3000 {
            let n = rng.random_range(1..5usize);
            let k = rng.random_range(0..9usize);
            let evs: Vec<StepEvent> = (0..k)
                .map(|_| ev(rng.random_range(0..30), rng.random_range(0..n as u8)))
                .collect();
            let w = rng.random_range(0..15);
            let mut sorted = evs.clone();
            sorted.sort();
            let (level, times) = run(evs, n, w);
            assert_eq!(level, brute_level(&sorted, n, w), "{sorted:?} w={w}");
            if level > 0 {
                assert!(times.windows(2).all(|p| p[0] <= p[1]), "{times:?}");
                assert!(times[level - 1] - times[0] <= w);
            }
        }
    }
}
