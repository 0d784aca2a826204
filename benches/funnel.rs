//! Funnel planning: forward, backward and sensitivity on the handbook funnel and on a
//! 20-stage funnel, and `funnel_check` on the handbook table. The script-level what-if
//! sweep (`bench/funnel_sweep.rhai` against the same sweep in plain Rhai,
//! `bench/funnel_sweep_plain.rhai`) is timed with the release binary; figures and
//! commands in docs/performance.md.

use criterion::{criterion_group, criterion_main, Criterion};
use pacer::funnel::{check_plan, sensitivity, CheckOptions, Funnel, Stage};
use pacer::table::{Column, Table};
use pacer::units::Rate;
use std::hint::black_box;

fn funnel(rates: &[f64]) -> Funnel {
    let stages = rates
        .iter()
        .enumerate()
        .map(|(i, r)| Stage::new(&format!("s{i}"), Rate::new(*r, "rate").expect("rate")))
        .collect();
    Funnel::new(stages, Some(150.0)).expect("funnel")
}

fn bench(c: &mut Criterion) {
    let handbook = funnel(&[0.15, 0.40, 0.70, 0.90]);
    let long = funnel(&(0..20).map(|i| 0.5 + 0.02 * i as f64).collect::<Vec<_>>());
    let mut g = c.benchmark_group("funnel");
    g.bench_function("forward_4_stages", |b| {
        b.iter(|| handbook.forward(black_box(25000.0)).expect("ok"))
    });
    g.bench_function("for_revenue_4_stages", |b| {
        b.iter(|| handbook.for_revenue(black_box(1e6)).expect("ok"))
    });
    g.bench_function("forward_20_stages", |b| {
        b.iter(|| long.forward(black_box(25000.0)).expect("ok"))
    });
    g.bench_function("sensitivity_4_stages", |b| {
        b.iter(|| sensitivity(&handbook, black_box(25000.0), 0.01, 0.01).expect("ok"))
    });
    g.bench_function("sensitivity_20_stages", |b| {
        b.iter(|| sensitivity(&long, black_box(25000.0), 0.01, 0.01).expect("ok"))
    });
    let names = ["acquisition", "activation", "retention", "monetization"];
    let table = Table::new(
        "plan.csv",
        vec![
            (
                "stage".to_string(),
                Column::text(names.iter().map(|s| Some(s.to_string())).collect()),
            ),
            (
                "volume".to_string(),
                Column::int(vec![Some(25000), Some(3750), Some(1500), Some(1000)]),
            ),
            (
                "rate".to_string(),
                Column::float(vec![Some(0.15), Some(0.4), Some(0.7), Some(0.9)]),
            ),
        ],
    )
    .expect("table");
    let opts = CheckOptions {
        goal: Some(1e6),
        aov: Some(150.0),
        ..CheckOptions::default()
    };
    g.bench_function("funnel_check_handbook", |b| {
        b.iter(|| check_plan(black_box(&table), &opts).expect("ok"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
