//! SOP scheduling benchmark (release mode; `cargo bench --bench sop`).
//!
//! 1. PSPLIB j30: every single-mode instance in `../shared/benchmarks/psplib/j30` scheduled
//!    with the "fast" and "thorough" budgets; prints the average and largest deviation from
//!    the optimal makespan (`j30opt.csv`), the count of optima hit, and the time per
//!    instance. Skipped with a note when the folder is missing.
//!    `SOP_BENCH_EFFORT=fast|thorough` runs one level; `SOP_BENCH_LIMIT=N` the first N files.
//! 2. A 300-task, 15-owner SOP with holidays, make-up workdays, leave, lead times and
//!    deadlines, scheduled end to end (`schedule` with "fast"); prints the time.

use pacer::sop::{budget, psplib::parse_sm, solve, SearchOptions};
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

fn j30(dir: &Path, thorough: bool, limit: usize) {
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
                evaluations: budget(thorough, p.len()),
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
        if thorough { "thorough" } else { "fast" },
        rows.len(),
        budget(thorough, 32),
        100.0 * dev_sum / n,
        100.0 * dev_max,
        hits,
        rows.len(),
        1000.0 * t_sum / n,
        1000.0 * t_max
    );
}

fn main() {
    let effort = std::env::var("SOP_BENCH_EFFORT").unwrap_or_default();
    let limit: usize = std::env::var("SOP_BENCH_LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    match psplib_dir() {
        None => println!("note: ../shared/benchmarks/psplib not found; PSPLIB benchmark skipped"),
        Some(dir) => {
            if effort != "thorough" {
                j30(&dir, false, limit);
            }
            if effort != "fast" {
                j30(&dir, true, limit);
            }
        }
    }
}
