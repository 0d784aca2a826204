//! Budget allocation: 50 channels (half of them S-shaped Hill curves, some capped
//! lines, some bounds) split by `allocate` at the default grid (1000 steps) and a
//! coarser one, plus `min_budget` and a 21-point `budget_curve` on four channels.
//! Compared with scipy's SLSQP on the same instance in docs/performance.md
//! (`python3 bench/budget_baseline.py` builds the same channels from the same generator).
//! And `allocate_flighting` of 10 channels with carryover over 52 weeks with a seasonal
//! multiplier, compared with scipy's SLSQP over the whole 520-spend matrix
//! (`python3 bench/flighting_baseline.py`, the same instance).

mod common;
use criterion::{criterion_group, criterion_main, Criterion};
use pacer::budget::{
    allocate, allocate_flighting, budget_curve, min_budget, AllocateOptions, Channel, Curve,
    FlightChannel, FlightOptions, Limits,
};

/// The flighting instance: 10 concave Hill curves and decays from a fixed LCG, 52
/// weeks, seasonality `1 + 0.3 sin(2 pi t / 52)`; `bench/flighting_baseline.py` builds
/// the same.
pub fn flighting_instance() -> (Vec<FlightChannel>, FlightOptions) {
    let weeks = 52;
    let mut next = common::lcg(7);
    let channels = (0..10)
        .map(|i| {
            let (a, b, c, d) = (next(), next(), next(), next());
            let curve = Curve::hill(2000.0 + 8000.0 * a, 20_000.0 + 80_000.0 * b, 0.5 + 0.5 * c)
                .expect("valid hill");
            FlightChannel::new(
                &format!("c{i}"),
                curve,
                0.2 + 0.6 * d,
                &[Limits::default()],
                weeks,
            )
            .expect("valid channel")
        })
        .collect();
    let seasonality = (1..=weeks)
        .map(|t| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * t as f64 / weeks as f64).sin())
        .collect();
    let options = FlightOptions {
        periods: weeks,
        seasonality: Some(seasonality),
        ..FlightOptions::default()
    };
    (channels, options)
}

/// The benchmark instance: a fixed LCG so that `bench/budget_baseline.py` can rebuild it.
pub fn channels(n: usize) -> Vec<Channel> {
    let mut next = common::lcg(42);
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
    let (flight, flight_options) = flighting_instance();
    g.bench_function("allocate_flighting_10_channels_52_weeks", |b| {
        b.iter(|| allocate_flighting(5_000_000.0, &flight, &flight_options).expect("feasible"))
    });
    g.finish();
    let f = allocate_flighting(5_000_000.0, &flight, &flight_options).expect("feasible");
    eprintln!("flighting 10 x 52: result {:.6}", f.result);
    // Record the optimum for the comparison in docs/performance.md.
    for opts in [AllocateOptions::default(), coarse] {
        let a = allocate(total, &chans, &opts).expect("feasible");
        eprintln!("grid {}: result {:.6}", opts.grid, a.result);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
