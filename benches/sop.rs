//! SOP scheduling benchmark (release mode; `cargo bench --bench sop`).
//!
//! 1. PSPLIB j30: every single-mode instance in `../shared/benchmarks/psplib/j30` scheduled
//!    with the "fast" and "thorough" budgets; prints the average and largest deviation from
//!    the optimal makespan (`j30opt.csv`), the count of optima hit, and the time per
//!    instance. Skipped with a note when the folder is missing.
//!    A baseline row gives the best of the four priority rules alone.
//!    `SOP_BENCH_EFFORT=rules|fast|thorough` runs one level; `SOP_BENCH_LIMIT=N` the first N files.
//! 2. A 300-task, 15-owner SOP with holidays, make-up workdays, leave, lead times and
//!    deadlines, scheduled end to end (`schedule` with "fast"); prints the time.

use chrono::NaiveDate;
use pacer::sop::{
    budget, psplib::parse_sm, schedule, solve, Deadline, Effort, Leave, Link, Owner, Pred,
    SearchOptions, SopInput, SopOptions, Status, Task,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn psplib_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/benchmarks/psplib"),
        root.join("../../shared/benchmarks/psplib"),
    ]
    .into_iter()
    .find(|p| p.join("j30opt.csv").exists())
}

fn j30(dir: &Path, label: &str, evaluations: usize, limit: usize) {
    let opt = std::fs::read_to_string(dir.join("j30opt.csv")).expect("j30opt.csv");
    let mut rows: Vec<(String, i64)> = opt
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f.first()?.to_string(), f.get(2)?.parse().ok()?))
        })
        .collect();
    rows.truncate(limit);
    let (mut dev_sum, mut dev_max, mut hits, mut t_max, mut t_sum) = (0.0, 0.0f64, 0, 0.0f64, 0.0);
    for (name, best) in &rows {
        let text =
            std::fs::read_to_string(dir.join("j30").join(format!("{name}.sm"))).expect("instance");
        let p = parse_sm(&text).expect("parse");
        let t0 = Instant::now();
        let sol = solve(
            &p,
            &SearchOptions {
                seed: 1,
                evaluations,
                stop_at: None,
            },
        )
        .expect("acyclic")
        .expect("schedulable");
        let dt = t0.elapsed().as_secs_f64();
        assert_eq!(pacer::sop::check(&p, &sol.start), Ok(()), "{name}");
        let dev = (sol.score.makespan - best) as f64 / *best as f64;
        assert!(
            dev >= 0.0,
            "{name}: {} below the optimum {best}",
            sol.score.makespan
        );
        dev_sum += dev;
        dev_max = dev_max.max(dev);
        hits += usize::from(sol.score.makespan == *best);
        t_max = t_max.max(dt);
        t_sum += dt;
    }
    let n = rows.len() as f64;
    println!(
        "j30 {:<9} instances {:>3}  evaluations/instance {:>6}  avg deviation {:.3}%  max deviation {:.2}%  optimal {}/{}  time avg {:.1} ms  max {:.1} ms",
        label,
        rows.len(),
        evaluations,
        100.0 * dev_sum / n,
        100.0 * dev_max,
        hits,
        rows.len(),
        1000.0 * t_sum / n,
        1000.0 * t_max
    );
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A 300-task, 15-owner SOP: tasks in 10 work streams of 30, each task after one or two
/// earlier tasks (some with lags), durations 0.5 to 4 days, a deadline on every fifth
/// task relative to the launch, owners with lead times of 0 to 5 days and two with
/// capacity 2, one or two leave windows per owner, and a holiday calendar with make-up
/// workdays. Deterministic for `seed` (a small linear congruential generator).
pub fn sop_instance(seed: u64, effort: Effort) -> SopInput {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let start = date("2024-09-02");
    let owners: Vec<Owner> = (0..15)
        .map(|k| Owner {
            name: format!("owner{k:02}"),
            capacity: if k < 2 { 2 } else { 1 },
            lead: 2 * next(6) as i64,
            cost_rate: None,
        })
        .collect();
    let mut tasks = Vec::with_capacity(300);
    for k in 0..300usize {
        let mut after = Vec::new();
        let stream = k % 10;
        if k >= 10 {
            after.push(Pred {
                id: format!("t{}", k - 10),
                lag: if next(5) == 0 { 2 } else { 0 },
                link: Link::FinishStart,
            });
            if next(3) == 0 {
                let other = (k - 10 - (k - 10) % 10) + next(10) as usize;
                if other != k - 10 && other < k - stream {
                    after.push(Pred {
                        id: format!("t{other}"),
                        lag: 0,
                        link: Link::FinishStart,
                    });
                }
            }
        }
        tasks.push(Task {
            id: format!("t{k}"),
            name: format!("task {k}"),
            owners: vec![format!("owner{:02}", next(15))],
            duration: 1 + next(8) as i64,
            range: None,
            percent_complete: None,
            cost: None,
            after,
            earliest_start: None,
            deadline: (k % 5 == 4).then(|| Deadline::Launch(-((300 - k as i64) / 12))),
            phase: String::new(),
            status: Status::Todo,
            actual_start: None,
            actual_finish: None,
            at: format!("generated:{k}"),
        });
    }
    let mut unavailable = Vec::new();
    for o in &owners {
        for _ in 0..1 + next(2) {
            let from = start + chrono::Duration::days(next(150) as i64);
            unavailable.push(Leave {
                owner: o.name.clone(),
                from,
                to: from + chrono::Duration::days(next(7) as i64),
                at: "generated".into(),
            });
        }
    }
    let mut options = SopOptions::new(start);
    options.launch = Some(date("2025-01-06"));
    options.effort = effort;
    options.seed = seed;
    SopInput {
        tasks,
        baseline: Vec::new(),
        owners: Some(owners),
        holidays: [
            "2024-09-16",
            "2024-09-17",
            "2024-10-01",
            "2024-10-02",
            "2024-10-03",
            "2024-10-04",
            "2024-10-07",
        ]
        .iter()
        .map(|d| date(d))
        .collect(),
        workdays: ["2024-09-14", "2024-09-29", "2024-10-12"]
            .iter()
            .map(|d| date(d))
            .collect(),
        unavailable,
        options,
    }
}

fn sop300() {
    let mut times = Vec::new();
    for seed in 1..=10 {
        let input = sop_instance(seed, Effort::Fast);
        let t0 = Instant::now();
        let plan = schedule(&input, None).expect("plan");
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        if seed == 1 {
            println!(
                "sop300 seed 1: length {} working days (precedence bound {}), total lateness {} days, {} conflicts, {} evaluations",
                plan.length_days(),
                plan.lower_bound as f64 / 2.0,
                plan.score.lateness as f64 / 2.0,
                plan.conflicts.len(),
                plan.evaluations
            );
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "sop300 fast: 300 tasks, 15 owners, 10 instances: median {:.1} ms, max {:.1} ms (schedule() end to end: calendar, search, checker, slack, conflicts)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

fn main() {
    if std::env::var("SOP_BENCH_ONLY").as_deref() == Ok("sop300") {
        sop300();
        return;
    }
    sop300();
    let effort = std::env::var("SOP_BENCH_EFFORT").unwrap_or_default();
    let limit: usize = std::env::var("SOP_BENCH_LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    match psplib_dir() {
        None => println!("note: ../shared/benchmarks/psplib not found; PSPLIB benchmark skipped"),
        Some(dir) => {
            if effort.is_empty() || effort == "rules" {
                // Baseline: the four priority rules (LFT, LST, MTS, GRPW), best of four
                // serial-SGS schedules, no justification or search.
                j30(&dir, "rules", 4, limit);
            }
            if effort.is_empty() || effort == "fast" {
                j30(&dir, "fast", budget(false, 32), limit);
            }
            if effort.is_empty() || effort == "thorough" {
                j30(&dir, "thorough", budget(true, 32), limit);
            }
        }
    }
}
