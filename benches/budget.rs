//! Budget allocation: 50 channels (half of them S-shaped Hill curves, some capped
//! lines, some bounds) split by `allocate` at the default grid (1000 steps) and a
//! coarser one, plus `min_budget` and a 21-point `budget_curve` on four channels.
//! Compared with scipy's SLSQP on the same instance in docs/performance.md
//! (`python3 bench/budget_baseline.py` builds the same channels from the same generator).

use criterion::{criterion_group, criterion_main, Criterion};
use pacer::budget::{allocate, budget_curve, min_budget, AllocateOptions, Channel, Curve, Limits};

/// The benchmark instance: a fixed LCG so that `bench/budget_baseline.py` can rebuild it.
pub fn channels(n: usize) -> Vec<Channel> {
    let mut state: u64 = 42;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 1_000_000) as f64 / 1_000_000.0
    };
    (0..n)
        .map(|i| {
            let (a, b, c, d) = (next(), next(), next(), next());
            let curve = if i % 7 == 6 {
                Curve::linear(0.02 + 0.2 * a, 1000.0 + 4000.0 * b).expect("valid line")
            } else {
                let shape = if i % 2 == 0 {
                    0.5 + 0.5 * c
                } else {
                    1.2 + 2.3 * c
                };
                Curve::hill(500.0 + 4500.0 * a, 2000.0 + 18000.0 * b, shape).expect("valid hill")
            };
            let limits = Limits {
                min: if d < 0.2 { 1000.0 } else { 0.0 },
                max: if d > 0.8 { 15000.0 } else { f64::INFINITY },
                fixed: None,
            };
            Channel::new(&format!("c{i}"), curve, limits).expect("valid channel")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let chans = channels(50);
    let total = 400_000.0;
    let mut g = c.benchmark_group("budget");
    g.sample_size(10);
    g.bench_function("allocate_50_channels_grid_1000", |b| {
        b.iter(|| allocate(total, &chans, &AllocateOptions::default()).expect("feasible"))
    });
    let coarse = AllocateOptions {
        grid: 250,
        ..AllocateOptions::default()
    };
    g.bench_function("allocate_50_channels_grid_250", |b| {
        b.iter(|| allocate(total, &chans, &coarse).expect("feasible"))
    });
    let four = channels(4);
    g.bench_function("min_budget_4_channels", |b| {
        b.iter(|| min_budget(&four, 5000.0, &AllocateOptions::default()).expect("reachable"))
    });
    let totals: Vec<f64> = (0..=20).map(|k| k as f64 * 5000.0).collect();
    g.bench_function("budget_curve_4_channels_21_totals", |b| {
        b.iter(|| budget_curve(&four, &totals, &AllocateOptions::default()).expect("feasible"))
    });
    g.finish();
    // Record the optimum for the comparison in docs/performance.md.
    for opts in [AllocateOptions::default(), coarse] {
        let a = allocate(total, &chans, &opts).expect("feasible");
        eprintln!("grid {}: result {:.6}", opts.grid, a.result);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
