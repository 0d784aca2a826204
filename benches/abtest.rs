//! `ab_report` over a 1-million-row per-user table (two landing pages, 28 days,
//! conversion 3.0% vs 3.3%, revenue for converters). Compared with the same readout in
//! pandas + statsmodels + scipy in docs/performance.md
//! (`python3 bench/abtest_baseline.py FILE.csv`; set `PACER_BENCH_CSV=FILE.csv` to
//! keep the generated CSV for it). Data from a fixed LCG, so no Python is needed here.

use criterion::{criterion_group, criterion_main, Criterion};
use pacer::abtest::{ab_report, ReportOptions};
use pacer::table::read_csv_path;
use std::io::Write;

fn generate(rows: usize, path: &std::path::Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(f, "user_id,day,variant,converted,revenue").expect("write");
    let mut state: u64 = 11;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    for i in 0..rows {
        let b = next(2) == 1;
        let cvr_per_100k = if b { 3300 } else { 3000 };
        let conv = next(100_000) < cvr_per_100k;
        let revenue = if conv {
            80.0 + next(16_000) as f64 / 100.0
        } else {
            0.0
        };
        writeln!(
            f,
            "{},2024-07-{:02},{},{},{:.2}",
            1_000_000 + i,
            1 + (i * 28) / rows,
            if b { "B" } else { "A" },
            u8::from(conv),
            revenue
        )
        .expect("write");
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = match std::env::var_os("PACER_BENCH_CSV") {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("ab_users_1m.csv"),
    };
    generate(1_000_000, &path);
    let t = read_csv_path(&path).expect("valid");
    let mut g = c.benchmark_group("abtest");
    g.sample_size(10);
    let conversion = ReportOptions {
        control: Some("A".into()),
        ..ReportOptions::default()
    };
    g.bench_function("ab_report_1m_rows_conversion", |b| {
        b.iter(|| ab_report(&t, &conversion).expect("report"))
    });
    let full = ReportOptions {
        revenue: Some("revenue".into()),
        sequential: true,
        day: Some("day".into()),
        ..conversion.clone()
    };
    g.bench_function("ab_report_1m_rows_revenue_sequential", |b| {
        b.iter(|| ab_report(&t, &full).expect("report"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
