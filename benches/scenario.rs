//! Scenario workloads: Monte Carlo of a funnel whose four stage rates are uncertain
//! (beta posteriors; 10 million trials, on the default rayon pool and on one thread),
//! the same with the summary (mean, sd, sort for percentiles), a native sweep of a
//! 100 x 100 grid (10,000 points), and a native goal seek.
//! Compared in docs/performance.md with numpy drawing the same model
//! (`python3 bench/scenario_baseline.py`).

use criterion::{criterion_group, Criterion, Throughput};
use pacer::scenario::{Combine, Dist, Input, Model, SeekOptions, SimOptions};

fn uncertain_funnel() -> Model {
    let beta = |x: f64, n: f64| Input::Uncertain(Dist::beta_observed(x, n).expect("valid"));
    Model::funnel(
        Input::Fixed(180_000.0),
        vec![
            ("acquisition".into(), beta(600.0, 4000.0)),
            ("activation".into(), beta(240.0, 600.0)),
            ("retention".into(), beta(168.0, 240.0)),
            ("monetization".into(), beta(151.0, 168.0)),
        ],
        Some(Input::Fixed(150.0)),
    )
    .expect("valid model")
}

fn bench(c: &mut Criterion) {
    let m = uncertain_funnel();
    let n = 10_000_000;
    let mut g = c.benchmark_group("scenario");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("funnel_trials_10M", |b| {
        b.iter(|| {
            m.simulate_values(
                n,
                &SimOptions {
                    seed: 7,
                    ..SimOptions::default()
                },
            )
            .expect("runs")
        })
    });
    g.bench_function("funnel_trials_10M_one_thread", |b| {
        b.iter(|| {
            m.simulate_values(
                n,
                &SimOptions {
                    seed: 7,
                    threads: Some(1),
                    deadline: None,
                },
            )
            .expect("runs")
        })
    });
    g.bench_function("funnel_simulate_and_summarise_10M", |b| {
        b.iter(|| {
            m.simulate(
                n,
                &SimOptions {
                    seed: 7,
                    ..SimOptions::default()
                },
            )
            .expect("runs")
        })
    });
    let fixed = Model::funnel(
        Input::Fixed(100_000.0),
        vec![
            ("acquisition".into(), Input::Fixed(0.15)),
            ("activation".into(), Input::Fixed(0.4)),
            ("retention".into(), Input::Fixed(0.7)),
            ("monetization".into(), Input::Fixed(0.9)),
        ],
        Some(Input::Fixed(150.0)),
    )
    .expect("valid model");
    let axes = vec![
        (
            "activation".to_string(),
            (0..100).map(|i| 0.2 + 0.005 * i as f64).collect::<Vec<_>>(),
        ),
        (
            "aov".to_string(),
            (0..100).map(|i| 100.0 + i as f64).collect::<Vec<_>>(),
        ),
    ];
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("sweep_10000_points", |b| {
        b.iter(|| fixed.sweep(&axes, Combine::Grid).expect("sweeps"))
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("goal_seek_activation", |b| {
        b.iter(|| {
            fixed
                .seek("activation", 1e6, 0.0, 1.0, &SeekOptions::default())
                .expect("bracketed")
        })
    });
    g.finish();
}

/// Process CPU time (user + system) from /proc/self/stat, in seconds (Linux; clock
/// ticks of 1/100 s). `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let (u, s): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((u + s) / 100.0)
}

/// Trials per second of wall-clock time and per second of CPU time, so that a figure
/// taken on a loaded machine still says what the code costs: on an otherwise idle
/// machine, wall-clock throughput is CPU throughput times the cores used.
fn cpu_report() {
    let m = uncertain_funnel();
    let n = 10_000_000;
    for threads in [1, 2] {
        let opts = SimOptions {
            seed: 7,
            threads: Some(threads),
            deadline: None,
        };
        m.simulate_values(1_000_000, &opts).expect("warm up");
        let (w, c) = (std::time::Instant::now(), cpu_seconds());
        let v = m.simulate_values(n, &opts).expect("runs");
        let wall = w.elapsed().as_secs_f64();
        let cpu = c.zip(cpu_seconds()).map(|(a, b)| b - a);
        println!(
            "funnel trials, {threads} thread(s): {:.2} M/s wall-clock, {} (checksum {:.0})",
            n as f64 / wall / 1e6,
            cpu.map_or("CPU time unavailable".into(), |c| format!(
                "{:.2} M per CPU-second",
                n as f64 / c / 1e6
            )),
            v.iter().sum::<f64>() / n as f64
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    cpu_report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
