//! Table hot paths: reading a 1-million-row CSV export (type inference included) and a
//! group-by sum and a vectorised `clicks / impressions` over it. Compared with polars in
//! docs/performance.md (`python3 bench/table_polars.py`). The data comes from `bench/gen_channels.py`'s
//! layout, generated here in Rust with a fixed seed so the benchmark needs no Python.

use criterion::{criterion_group, criterion_main, Criterion};
use pacer::table::expr::{arith, Arith, Operand};
use pacer::table::{read_csv_path, Agg, AggSpec};
use std::io::Write;

fn generate(rows: usize, path: &std::path::Path) {
    let channels = [
        "wechat",
        "weibo",
        "douyin",
        "xiaohongshu",
        "baidu",
        "bilibili",
    ];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(
        f,
        "channel,day,campaign,impressions,clicks,orders,revenue,spend"
    )
    .expect("write");
    let mut state: u64 = 7;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    for i in 0..rows {
        let imp = 1000 + next(199_000);
        let clicks = imp * (10 + next(30)) / 1000;
        let orders = clicks * (1 + next(5)) / 100;
        let revenue = orders as f64 * (80.0 + next(14000) as f64 / 100.0);
        let spend = imp as f64 / 1000.0 * (20.0 + next(4000) as f64 / 100.0);
        let day = 1 + (i / 600) % 28;
        writeln!(
            f,
            "{},2024-07-{:02},c{},{},{},{},{:.2},{:.2}",
            channels[i % 6],
            day,
            i % 97,
            imp,
            clicks,
            orders,
            revenue,
            spend
        )
        .expect("write");
    }
}

fn bench(c: &mut Criterion) {
    // PACER_TABLE_CSV=FILE reads FILE instead (e.g. bench/gen_channels.py's output, to
    // time pacer and pandas on the very same file).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = match std::env::var_os("PACER_TABLE_CSV") {
        Some(file) => std::path::PathBuf::from(file),
        None => {
            let path = dir.path().join("channels_1m.csv");
            generate(1_000_000, &path);
            path
        }
    };
    let mut g = c.benchmark_group("table");
    g.sample_size(10);
    g.bench_function("read_csv_1m_rows", |b| {
        b.iter(|| read_csv_path(&path).expect("valid"))
    });
    let t = read_csv_path(&path).expect("valid");
    let specs = [
        AggSpec {
            out: "revenue".into(),
            agg: Agg::Sum,
            column: "revenue".into(),
        },
        AggSpec {
            out: "spend".into(),
            agg: Agg::Sum,
            column: "spend".into(),
        },
    ];
    g.bench_function("group_by_sum_1m_rows", |b| {
        b.iter(|| t.group_by(&["channel".to_string()], &specs).expect("group"))
    });
    let clicks = t.column("clicks").expect("clicks").clone();
    let impressions = t.column("impressions").expect("impressions").clone();
    g.bench_function("clicks_over_impressions_1m_rows", |b| {
        b.iter(|| {
            arith(
                &Operand::Column(&clicks),
                &Operand::Column(&impressions),
                Arith::Div,
            )
            .expect("ratio")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
