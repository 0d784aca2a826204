//! The review domain over batch-sized inputs: `review` of a 100,000-row metrics table
//! (10,000 campaigns x 10 metrics, cells in plain, percent and ratio notation) from CSV
//! text, `compare` of 1,000 campaign reviews, and the gap attribution of a 6-factor
//! funnel (LMDI and Shapley) and a 20-factor product (Shapley's limit).
//! Compared with pandas on the same CSV in docs/performance.md
//! (`python3 bench/review_baseline.py` rebuilds the text from the same generator).

mod common;
use criterion::{criterion_group, criterion_main, Criterion};
use pacer::review::{compare, lmdi, shapley, Review};
use pacer::table::{read_csv_bytes, CsvOptions, DType};

/// The metrics CSV: a fixed LCG so that `bench/review_baseline.py` can rebuild it.
pub fn metrics_csv(campaigns: usize) -> String {
    let mut next = common::lcg(7);
    let metrics = [
        ("traffic", "impressions", 0, "higher"),
        ("traffic", "UV", 0, "higher"),
        ("conversion", "sign-up conversion", 1, "higher"),
        ("conversion", "order rate", 1, "higher"),
        ("conversion", "average order value", 0, "higher"),
        ("spread", "share rate", 1, "higher"),
        ("revenue", "ROI", 2, "higher"),
        ("cost", "total cost", 0, "lower"),
        ("cost", "CAC", 0, "lower"),
        ("headline", "sales", 0, "higher"),
    ];
    let mut out = String::from("campaign,dimension,metric,target,actual,better\n");
    for c in 0..campaigns {
        for (dim, m, kind, better) in metrics {
            let (t, a) = (next(), next());
            let (ts, as_) = match kind {
                0 => {
                    let t = (1000.0 + 1e6 * t).round();
                    (format!("{t}"), format!("{}", (t * (0.6 + 0.8 * a)).round()))
                }
                1 => {
                    let t = (1.0 + 20.0 * t).round() / 2.0;
                    (
                        format!("{t}%"),
                        format!("{}%", (t * (0.6 + 0.8 * a) * 10.0).round() / 10.0),
                    )
                }
                _ => {
                    let t = (1.0 + 4.0 * t * 10.0).round() / 10.0;
                    (
                        format!("1:{t}"),
                        format!("1:{}", (t * (0.6 + 0.8 * a) * 10.0).round() / 10.0),
                    )
                }
            };
            out.push_str(&format!("c{c},{dim},{m},{ts},{as_},{better}\n"));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = metrics_csv(10_000);
    let mut opts = CsvOptions::default();
    opts.types.insert("target".into(), DType::Str);
    opts.types.insert("actual".into(), DType::Str);
    let mut g = c.benchmark_group("review");
    g.sample_size(10);
    g.bench_function("review_100k_rows_from_csv", |b| {
        b.iter(|| {
            let t = read_csv_bytes("m.csv", text.as_bytes(), &opts).expect("csv");
            Review::from_table(&t).expect("review")
        })
    });
    let t = read_csv_bytes("m.csv", text.as_bytes(), &opts).expect("csv");
    let all = Review::from_table(&t).expect("review");
    let reviews: Vec<(String, Review)> = all
        .rows
        .chunks(10)
        .take(1000)
        .enumerate()
        .map(|(i, rows)| {
            (
                format!("c{i}"),
                Review {
                    source: format!("c{i}"),
                    header: Default::default(),
                    rows: rows.to_vec(),
                },
            )
        })
        .collect();
    g.bench_function("compare_1000_campaigns", |b| {
        b.iter(|| compare(&reviews).expect("compare"))
    });
    let p6 = [5e6, 0.04, 0.05, 0.5, 0.9, 400.0];
    let a6 = [4.5e6, 0.0444, 0.04, 0.4, 0.92, 500.0];
    g.bench_function("lmdi_6_factors", |b| {
        b.iter(|| lmdi(&p6, &a6).expect("lmdi"))
    });
    g.bench_function("shapley_6_factors", |b| {
        b.iter(|| shapley(&p6, &a6).expect("shapley"))
    });
    let p20: Vec<f64> = (0..20).map(|i| 1.0 + i as f64 * 0.1).collect();
    let a20: Vec<f64> = (0..20).map(|i| 1.05 + i as f64 * 0.09).collect();
    g.bench_function("shapley_20_factors", |b| {
        b.iter(|| shapley(&p20, &a20).expect("shapley"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
