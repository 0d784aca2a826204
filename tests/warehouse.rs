//! The warehouse path against a real ClickHouse server: the pushed-down funnel and A/B
//! readout equal the native results cell for cell, tables come back typed, and every
//! failure names the server (never the password) and the SQL.
//!
//! The server: `PACER_CLICKHOUSE_URL` (default `http://127.0.0.1:18123`, the one
//! `.ci/clickhouse.sh start` runs), user `PACER_CLICKHOUSE_USER` (default `default`),
//! password `PACER_CLICKHOUSE_PASSWORD`. Without a server these tests print why and
//! pass; with `PACER_REQUIRE_CLICKHOUSE=1` (set by `.ci/run`) a missing server fails.

mod common;
use common::*;

use pacer::abtest::{ab_report as native_ab_report, ReportOptions};
use pacer::events::{funnel_from_file, funnel_from_table, FunnelSpec, ObservedFunnel, Window};
use pacer::table::{Column, Table};
use pacer::warehouse::abtest::{ab_report, RemoteAb};
use pacer::warehouse::funnel::{funnel_events, RemoteFunnel};
use pacer::warehouse::{ClickHouse, ConnectOptions, Secret, WarehouseError};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};

fn url() -> String {
    std::env::var("PACER_CLICKHOUSE_URL").unwrap_or_else(|_| "http://127.0.0.1:18123".into())
}

fn options() -> ConnectOptions {
    ConnectOptions {
        user: std::env::var("PACER_CLICKHOUSE_USER").ok(),
        ..Default::default()
    }
}

/// A scratch database on the server, dropped at the end of the test.
struct Db {
    conn: ClickHouse,
    admin: ClickHouse,
    name: String,
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self
            .admin
            .execute(&format!("DROP DATABASE IF EXISTS {}", self.name), None);
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A connection to a fresh database, or `None` (after saying why, loudly) when no
/// server answers and none is required.
fn server(test: &str) -> Option<Db> {
    let admin = ClickHouse::new(&url(), options()).expect("the test URL is valid");
    if let Err(e) = admin.version(None) {
        let why = format!("no ClickHouse server for the warehouse tests ({e})");
        if std::env::var("PACER_REQUIRE_CLICKHOUSE").as_deref() == Ok("1") {
            panic!("{why}; PACER_REQUIRE_CLICKHOUSE=1 makes this a failure");
        }
        // Straight to the terminal, past the test harness's capture: a skip is loud.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED {test}: {why}.\n*** Start one with `.ci/clickhouse.sh start` and export PACER_CLICKHOUSE_PASSWORD, or set PACER_CLICKHOUSE_URL. ***\n"
        );
        return None;
    }
    let name = format!(
        "pacer_test_{}_{}_{}",
        test,
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    admin
        .execute(&format!("CREATE DATABASE IF NOT EXISTS {name}"), None)
        .expect("create the test database");
    let conn = ClickHouse::new(
        &url(),
        ConnectOptions {
            database: Some(name.clone()),
            ..options()
        },
    )
    .expect("connection");
    Some(Db { conn, admin, name })
}

fn tsv_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

/// Creates `table` with `columns` (SQL) and inserts `rows` (cells as text).
fn load(db: &Db, table: &str, columns: &str, rows: &[Vec<String>]) {
    db.conn
        .execute(
            &format!("CREATE TABLE {table} ({columns}) ENGINE = Memory"),
            None,
        )
        .expect("create table");
    let mut body = format!("INSERT INTO {table} FORMAT TSV\n");
    for r in rows {
        body.push_str(&r.iter().map(|c| tsv_cell(c)).collect::<Vec<_>>().join("\t"));
        body.push('\n');
    }
    db.conn.execute(&body, None).expect("insert rows");
}

fn spec(steps: &[&str], window: &str, by: &[&str]) -> FunnelSpec {
    let mut s = FunnelSpec::new(
        steps.iter().map(|s| s.to_string()).collect(),
        Window::parse(window).expect("window"),
    )
    .expect("spec");
    s.by = by.iter().map(|b| b.to_string()).collect();
    s
}

fn remote(db: &Db, table: &str, s: &FunnelSpec, filter: Option<&str>) -> ObservedFunnel {
    let f = RemoteFunnel {
        table,
        spec: s,
        filter,
    };
    funnel_events(&db.conn, &f, None)
        .unwrap_or_else(|e| panic!("pushed-down funnel: {e}"))
        .0
}

fn assert_same(remote: &ObservedFunnel, native: &ObservedFunnel, what: &str) {
    assert_eq!(remote.groups, native.groups, "{what}");
    let (r, n) = (&remote.semantics, &native.semantics);
    assert_eq!(
        (
            r.rows_read,
            r.rows_used,
            r.rows_without_user,
            r.users,
            r.entering
        ),
        (
            n.rows_read,
            n.rows_used,
            n.rows_without_user,
            n.users,
            n.entering
        ),
        "{what}: counts"
    );
    let (rt, nt) = (
        remote.to_table().expect("table"),
        native.to_table().expect("table"),
    );
    assert_eq!(rt.n_rows(), nt.n_rows(), "{what}");
    for name in nt.names().to_vec() {
        let (a, b) = (
            rt.column(&name).expect("column"),
            nt.column(&name).expect("column"),
        );
        for row in 0..nt.n_rows() {
            assert_eq!(a.get(row), b.get(row), "{what}: {name} row {row}");
        }
    }
}

#[test]
fn the_fixture_export_gives_the_native_funnel() {
    let Some(db) = server("fixture") else { return };
    let path = root().join("fixtures/events.csv");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let ms = pacer::events::parse_time(c[2].as_bytes()).expect("time");
            vec![
                c[0].into(),
                c[1].into(),
                (ms / 1000).to_string(),
                c[3].into(),
            ]
        })
        .collect();
    load(
        &db,
        "events",
        "user_id String, event String, timestamp DateTime('UTC'), channel String",
        &rows,
    );
    let steps = ["visit", "signup", "add_to_cart", "purchase"];
    for (window, by) in [
        ("7d", vec!["channel"]),
        ("1d", vec![]),
        ("0s", vec!["channel"]),
    ] {
        let s = spec(&steps, window, &by);
        let native = funnel_from_file(&path, "events.csv", &s).expect("native");
        let pushed = remote(&db, "events", &s, None);
        assert_same(
            &pushed,
            &native,
            &format!("fixture, window {window}, by {by:?}"),
        );
        let p = pushed.semantics.pushed_down.as_ref().expect("pushed down");
        assert!(p.engine.starts_with("ClickHouse "), "{}", p.engine);
        assert!(
            pacer::render::observed_funnel::describe_semantics(&pushed.semantics)
                .contains("computed by ClickHouse")
        );
    }
}

/// Random exports built to hit every rule: equal timestamps, rows in no order,
/// chains that run out of the window, repeated attempts, empty users, UTF-8 and
/// TSV-special breakdown values, two breakdown columns.
/// One generated event: user, event, time (epoch seconds), channel, country.
type Row = (String, String, f64, String, String);

fn generated(seed: u64, fractional: bool) -> Vec<Row> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let channels = ["wechat", "抖音", "小红书 ✨", "search", "it's", "a\tb"];
    let countries = ["ES", "CN"];
    let events = ["a", "b", "c", "d", "x"];
    let base = 1_719_792_000.0;
    (0..rng.random_range(50..400))
        .map(|_| {
            let user = if rng.random_bool(0.03) {
                String::new()
            } else {
                format!("u{}", rng.random_range(0..25))
            };
            let mut t = base + f64::from(rng.random_range(0..40u32));
            if fractional {
                t += [0.0, 0.25, 0.5, 0.75][rng.random_range(0..4)];
            }
            (
                user,
                events[rng.random_range(0..events.len())].to_string(),
                t,
                channels[rng.random_range(0..channels.len())].to_string(),
                countries[rng.random_range(0..2)].to_string(),
            )
        })
        .collect()
}

fn native_table(rows: &[Row], float_time: bool) -> Table {
    let text = |f: &dyn Fn(&Row) -> String| Column::text(rows.iter().map(|r| Some(f(r))).collect());
    let time = if float_time {
        Column::float(rows.iter().map(|r| Some(r.2)).collect())
    } else {
        Column::int(rows.iter().map(|r| Some(r.2 as i64)).collect())
    };
    Table::new(
        "generated",
        vec![
            ("user_id".into(), text(&|r| r.0.clone())),
            ("event".into(), text(&|r| r.1.clone())),
            ("timestamp".into(), time),
            ("channel".into(), text(&|r| r.3.clone())),
            ("country".into(), text(&|r| r.4.clone())),
        ],
    )
    .expect("table")
}

/// Creates `table` with the generated rows, times as `time_type` (fractional seconds
/// to the millisecond when `fractional`, else whole seconds).
fn load_events(db: &Db, table: &str, time_type: &str, rows: &[Row], fractional: bool) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let t = if fractional {
                format!("{:.3}", r.2)
            } else {
                format!("{}", r.2 as i64)
            };
            vec![r.0.clone(), r.1.clone(), t, r.3.clone(), r.4.clone()]
        })
        .collect();
    load(
        db,
        table,
        &format!(
            "user_id String, event String, timestamp {time_type}, channel String, country String"
        ),
        &cells,
    );
}

#[test]
fn generated_exports_give_the_native_funnel_cell_for_cell() {
    let Some(db) = server("generated") else {
        return;
    };
    let mut deep = 0;
    for seed in 0..24u64 {
        let fractional = seed % 3 == 2;
        let rows = generated(seed, fractional);
        let time_type = match seed % 3 {
            0 => "DateTime('UTC')",
            1 => "Int64",
            _ => "Float64",
        };
        let table = format!("ev{seed}");
        load_events(&db, &table, time_type, &rows, fractional);
        let native_rows = native_table(&rows, fractional);
        let window = ["0s", "10s", "30s", "1h"][(seed % 4) as usize];
        let by: Vec<&str> = match seed % 4 {
            0 => vec![],
            1 => vec!["channel"],
            2 => vec!["channel", "country"],
            _ => vec!["country"],
        };
        let steps: &[&str] = if seed % 5 == 4 {
            &["a"]
        } else {
            &["a", "b", "c", "d"]
        };
        let s = spec(steps, window, &by);
        let native = funnel_from_table(&native_rows, &s).expect("native");
        if native
            .groups
            .iter()
            .any(|g| g.steps.len() > 2 && g.steps[2].users > 0)
        {
            deep += 1;
        }
        let pushed = remote(&db, &table, &s, None);
        assert_same(
            &pushed,
            &native,
            &format!("seed {seed}, {time_type}, window {window}, by {by:?}"),
        );
    }
    eprintln!("{deep} of 24 cases reach the third step");
    assert!(deep >= 10, "only {deep} cases reach the third step");
}

/// Events whose gaps sit on either side of the window and of a minute (the
/// statement's prefilter works in minutes), in days before 1970, across it, in 2024,
/// and past the prefilter's last minute (year 4188).
fn near_the_window(seed: u64, window_s: f64, base: f64, fractional: bool) -> Vec<Row> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut gaps = vec![
        0.0,
        1.0,
        59.0,
        60.0,
        61.0,
        window_s - 1.0,
        window_s,
        window_s + 1.0,
        window_s + 60.0,
        3.0 * window_s,
    ];
    if fractional {
        gaps.extend([0.001, window_s - 0.001, window_s + 0.001, 59.999]);
    }
    let events = ["a", "b", "c", "d", "x"];
    let mut rows = Vec::new();
    for u in 0..60 {
        let mut t = base + f64::from(rng.random_range(0..120u32));
        for _ in 0..rng.random_range(2..9) {
            rows.push((
                format!("u{u}"),
                events[rng.random_range(0..events.len())].to_string(),
                // To the millisecond, as the table holds it.
                (t * 1000.0).round() / 1000.0,
                ["wechat", "search"][rng.random_range(0..2)].to_string(),
                "CN".to_string(),
            ));
            t += gaps[rng.random_range(0..gaps.len())];
        }
    }
    // Rows in no order.
    rows.shuffle(&mut rng);
    rows
}

#[test]
fn chains_near_the_window_give_the_native_funnel() {
    let Some(db) = server("near_window") else {
        return;
    };
    let mut split = 0;
    for (seed, (window, window_s)) in [("90s", 90.0), ("1h", 3600.0), ("1d", 86400.0)]
        .into_iter()
        .enumerate()
    {
        for (k, (base, time_type)) in [
            (1_719_792_000.0, "Float64"),
            (1_719_792_000.0, "DateTime('UTC')"),
            (-259_200.0, "Int64"),
            (-150.0, "Float64"),
            (70_000_000_000.0, "Int64"),
        ]
        .into_iter()
        .enumerate()
        {
            let fractional = time_type == "Float64";
            let rows = near_the_window(seed as u64 * 10 + k as u64, window_s, base, fractional);
            let table = format!("near{seed}_{k}");
            load_events(&db, &table, time_type, &rows, fractional);
            let s = spec(&["a", "b", "c", "d"], window, &["channel"]);
            let native = funnel_from_table(&native_table(&rows, fractional), &s).expect("native");
            let (entered, second) = native.groups.iter().fold((0, 0), |(e, b), g| {
                (e + g.steps[0].users, b + g.steps[1].users)
            });
            if second > 0 && second < entered {
                split += 1;
            }
            let pushed = remote(&db, &table, &s, None);
            assert_same(
                &pushed,
                &native,
                &format!("window {window}, times from {base} as {time_type}"),
            );
        }
    }
    // Both sides of step 2 occur: users who reach it and users who stop at step 1.
    assert!(split >= 12, "only {split} of 15 cases split at step 2");
}

#[test]
fn a_funnel_of_the_most_steps_gives_the_native_funnel() {
    let Some(db) = server("many_steps") else {
        return;
    };
    let names: Vec<String> = (1..=pacer::events::MAX_STEPS)
        .map(|i| format!("e{i}"))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(32);
    let mut rows: Vec<Row> = Vec::new();
    for u in 0..40 {
        let mut t = 1_719_792_000.0;
        // Mostly the steps in order, sometimes skipping back or repeating.
        let mut next = 0usize;
        for _ in 0..rng.random_range(5..80) {
            let step = if rng.random_bool(0.8) {
                next
            } else {
                rng.random_range(0..names.len())
            };
            rows.push((
                format!("u{u}"),
                names[step].clone(),
                t,
                ["wechat", "search"][rng.random_range(0..2)].to_string(),
                "CN".to_string(),
            ));
            next = (step + 1).min(names.len() - 1);
            t += f64::from(rng.random_range(0..900u32));
        }
    }
    load_events(&db, "ev", "DateTime('UTC')", &rows, false);
    let steps: Vec<&str> = names.iter().map(String::as_str).collect();
    let s = spec(&steps, "6h", &["channel"]);
    let native = funnel_from_table(&native_table(&rows, false), &s).expect("native");
    assert!(
        native.groups.iter().any(|g| g.steps[20].users > 0),
        "some user should go past step 20"
    );
    assert_same(&remote(&db, "ev", &s, None), &native, "32 steps");
}

#[test]
fn a_nullable_time_column_gives_the_native_funnel_and_refuses_nulls() {
    let Some(db) = server("nullable_time") else {
        return;
    };
    let rows = generated(7, false);
    let time_type = "Nullable(DateTime('UTC'))";
    load_events(&db, "ev", time_type, &rows, false);
    let s = spec(&["a", "b", "c"], "20s", &["channel"]);
    let native = funnel_from_table(&native_table(&rows, false), &s).expect("native");
    assert_same(&remote(&db, "ev", &s, None), &native, "Nullable(DateTime)");
    // Two step rows without a time: refused, with the count.
    load_events(&db, "ev_nulls", time_type, &rows, false);
    db.conn
        .execute(
            "INSERT INTO ev_nulls VALUES ('u1', 'a', NULL, 'wechat', 'CN'), ('u2', 'b', NULL, 'search', 'CN')",
            None,
        )
        .expect("insert NULL times");
    let f = RemoteFunnel {
        table: "ev_nulls",
        spec: &s,
        filter: None,
    };
    let e = funnel_events(&db.conn, &f, None)
        .expect_err("NULL times")
        .to_string();
    assert!(
        e.contains("2 funnel-step rows") && e.contains("have no time"),
        "{e}"
    );
}

#[test]
fn the_where_filter_equals_filtering_the_rows_first() {
    let Some(db) = server("where") else { return };
    let rows = generated(99, false);
    load_events(&db, "ev", "UInt32", &rows, false);
    let kept: Vec<_> = rows.iter().filter(|r| r.4 == "CN").cloned().collect();
    let s = spec(&["a", "b", "c"], "20s", &["channel"]);
    let native = funnel_from_table(&native_table(&kept, false), &s).expect("native");
    let pushed = remote(&db, "ev", &s, Some("country = 'CN'"));
    assert_same(&pushed, &native, "where country = 'CN'");
    // No row is a funnel step: still the rows read.
    let s = spec(&["no-such-event"], "1d", &[]);
    let native = funnel_from_table(&native_table(&kept, false), &s).expect("native");
    let pushed = remote(&db, "ev", &s, Some("country = 'CN'"));
    assert!(native.semantics.rows_read > 0);
    assert_same(&pushed, &native, "no funnel-step rows");
}

/// ClickHouse's own `windowFunnel` takes equal timestamps in the order rows reach it:
/// the same three events on one second count 3 steps in one insertion order and 1 in
/// the other. pacer's rule (and the statement it generates) counts 3 either way.
#[test]
fn window_funnel_depends_on_row_order_on_ties_and_pacer_does_not() {
    let Some(db) = server("ties") else { return };
    for (table, order) in [("fwd", ["a", "b", "c"]), ("rev", ["c", "b", "a"])] {
        let rows: Vec<Vec<String>> = order
            .iter()
            .map(|e| vec!["u1".into(), e.to_string(), "1719792000".into()])
            .collect();
        load(
            &db,
            table,
            "user_id String, event String, timestamp DateTime('UTC')",
            &rows,
        );
    }
    let level = |table: &str| -> i64 {
        let a = db
            .conn
            .query(
                &format!("SELECT windowFunnel(10)(timestamp, event = 'a', event = 'b', event = 'c') AS level FROM {table}"),
                "level",
                None,
            )
            .expect("windowFunnel");
        a.table
            .column("level")
            .expect("level")
            .i64_at(0)
            .expect("a level")
    };
    let s = spec(&["a", "b", "c"], "10s", &[]);
    let ours = |table: &str| remote(&db, table, &s, None).groups[0].steps[2].users;
    assert_eq!(
        (ours("fwd"), ours("rev")),
        (1, 1),
        "pacer counts the user at step 3 both ways"
    );
    let (fwd, rev) = (level("fwd"), level("rev"));
    assert_eq!(fwd, 3);
    // ClickHouse 18.16 gives 1 here; a server that sorts ties by step would give 3.
    eprintln!("windowFunnel on ties: {fwd} in insertion order a,b,c and {rev} in c,b,a");
    assert!(rev == 1 || rev == 3, "{rev}");
}

#[test]
fn query_returns_a_typed_table() {
    let Some(db) = server("query") else { return };
    let a = db
        .conn
        .query(
            "SELECT toInt32(-3) AS i, toUInt64(7) AS u, 2.5 AS f, '渠道\tx' AS s, toDate('2024-07-01') AS d, CAST(NULL AS Nullable(Int8)) AS n, toDateTime('2024-07-01 10:00:00', 'UTC') AS dt",
            "q",
            None,
        )
        .expect("query");
    let t = &a.table;
    assert_eq!(t.column("i").expect("i").i64_at(0), Some(-3));
    assert_eq!(t.column("u").expect("u").i64_at(0), Some(7));
    assert_eq!(t.column("f").expect("f").f64_at(0), Some(2.5));
    assert_eq!(t.column("s").expect("s").str_at(0), Some("渠道\tx"));
    assert_eq!(
        t.column("d").expect("d").date_at(0),
        chrono::NaiveDate::from_ymd_opt(2024, 7, 1)
    );
    assert!(t.column("n").expect("n").is_null(0));
    assert_eq!(
        t.column("dt").expect("dt").str_at(0),
        Some("2024-07-01 10:00:00")
    );
    assert!(a.bytes > 0 && a.bytes < 400, "{}", a.bytes);
}

#[test]
fn every_failure_names_the_server_and_never_the_password() {
    let Some(db) = server("errors") else { return };
    load(
        &db,
        "events",
        "user_id String, event String, timestamp DateTime('UTC')",
        &[],
    );
    let secret = "not-the-password-7f3a";
    // Unreachable: nothing listens on port 1.
    let down = ClickHouse::new(
        "http://127.0.0.1:1",
        ConnectOptions {
            password: Some(Secret::new(secret.into())),
            ..options()
        },
    )
    .expect("connection");
    let e = down.query("SELECT 1", "q", None).expect_err("unreachable");
    assert!(matches!(e, WarehouseError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains("http://127.0.0.1:1/"), "{e}");
    // Wrong password.
    let wrong = ClickHouse::new(
        &url(),
        ConnectOptions {
            password: Some(Secret::new(secret.into())),
            ..options()
        },
    )
    .expect("connection");
    let e = wrong
        .query("SELECT 1", "q", None)
        .expect_err("wrong password");
    let text = e.to_string();
    assert!(matches!(e, WarehouseError::Auth { .. }), "{e:?}");
    assert!(
        text.contains(&url()) || text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(
        !text.contains(secret) && !format!("{e:?}").contains(secret),
        "{text}"
    );
    assert!(!format!("{wrong:?}").contains(secret));
    // Missing table, with the tables there are.
    let s = spec(&["a", "b"], "1d", &[]);
    let f = RemoteFunnel {
        table: "evnets",
        spec: &s,
        filter: None,
    };
    let e = funnel_events(&db.conn, &f, None).expect_err("missing table");
    let text = e.to_string();
    assert!(matches!(e, WarehouseError::MissingTable { .. }), "{e:?}");
    assert!(
        text.contains("evnets") && text.contains("did you mean 'events'"),
        "{text}"
    );
    // Missing column, with a suggestion and the columns.
    let mut s2 = spec(&["a", "b"], "1d", &[]);
    s2.by = vec!["chanel".into()];
    let f = RemoteFunnel {
        table: "events",
        spec: &s2,
        filter: None,
    };
    let e = funnel_events(&db.conn, &f, None).expect_err("missing column");
    let text = e.to_string();
    assert!(
        text.contains("'chanel'") && text.contains("user_id, event, timestamp"),
        "{text}"
    );
    // A bad filter: the server's message and the SQL.
    let f = RemoteFunnel {
        table: "events",
        spec: &s,
        filter: Some("nosuch = 1"),
    };
    let e = funnel_events(&db.conn, &f, None).expect_err("bad filter");
    let text = e.to_string();
    assert!(
        text.contains("nosuch") && text.contains("SQL:\nSELECT"),
        "{text}"
    );
    // Server-side timeout.
    let slow = ClickHouse::new(
        &url(),
        ConnectOptions {
            timeout: Some(1.0),
            ..options()
        },
    )
    .expect("connection");
    let e = slow
        .query("SELECT sleep(3) AS s", "q", None)
        .expect_err("timeout");
    let text = e.to_string();
    assert!(matches!(e, WarehouseError::Timeout { .. }), "{e:?}");
    assert!(
        text.contains("time limit of 1 s") && text.contains("SELECT sleep(3)"),
        "{text}"
    );
}

#[test]
fn the_ab_readout_from_sums_equals_the_native_readout() {
    let Some(db) = server("ab") else { return };
    let path = root().join("fixtures/ab_landing_pages.csv");
    let native_t = pacer::table::read_csv_path(&path).expect("fixture");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    load(
        &db,
        "assignments",
        "user_id String, day Date, variant String, converted UInt8, revenue Float64, device String, orders UInt32",
        &rows,
    );
    for sequential in [false, true] {
        let o = ReportOptions {
            control: Some("A".into()),
            revenue: Some("revenue".into()),
            day: Some("day".into()),
            sequential,
            ..Default::default()
        };
        let native = native_ab_report(&native_t, &o).expect("native");
        let (pushed, sql, bytes) = ab_report(
            &db.conn,
            &RemoteAb {
                table: "assignments",
                options: &o,
                filter: None,
            },
            None,
        )
        .expect("pushed down");
        assert!(sql.contains("GROUP BY `day`, `variant`"), "{sql}");
        assert!(bytes < 10_000, "{bytes}");
        assert_eq!(pushed.arms, native.arms);
        assert_eq!(pushed.warnings, native.warnings);
        assert_eq!(
            pacer::render::ab_text(&pushed),
            pacer::render::ab_text(&native)
        );
        for (a, b) in [(&pushed.conversion, &native.conversion)]
            .into_iter()
            .chain(pushed.revenue.as_ref().zip(native.revenue.as_ref()))
        {
            assert_eq!(a.names(), b.names());
            for name in b.names().to_vec() {
                let (x, y) = (a.column(&name).expect("col"), b.column(&name).expect("col"));
                for row in 0..b.n_rows() {
                    match (x.f64_at(row), y.f64_at(row)) {
                        (Some(p), Some(q)) => assert!(
                            (p - q).abs() <= 1e-9 * q.abs().max(1e-12),
                            "{name} row {row}: {p} vs {q}"
                        ),
                        _ => assert_eq!(x.get(row), y.get(row), "{name} row {row}"),
                    }
                }
            }
        }
    }
}

/// Runs `pacer` in `dir` with `XDG_CONFIG_HOME` at `dir/config` and the test server's
/// credentials in the environment.
fn pacer_env(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pacer"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .expect("pacer runs")
}

#[test]
fn connections_need_the_command_line_or_the_users_own_file() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("q.rhai"),
        "let ch = clickhouse(\"http://127.0.0.1:1\", #{ password: \"pw-never-shown-91\" });\nprint(ch);\nquery(ch, \"SELECT 1\");\n",
    )
    .expect("script");
    let o = pacer_env(dir.path(), &["run", "q.rhai"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("sandbox: connections to http://127.0.0.1:1/ are not allowed; pass --allow-url http://127.0.0.1:1"), "{err}");
    // Allowed on the command line: the script gets as far as the (closed) port.
    let o = pacer_env(
        dir.path(),
        &["run", "q.rhai", "--allow-url", "http://127.0.0.1:1"],
    );
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        err.contains("cannot reach ClickHouse at http://127.0.0.1:1/"),
        "{err}"
    );
    assert!(
        out.contains("ClickHouse at http://127.0.0.1:1/ (user default"),
        "{out}"
    );
    assert!(!out.contains("pw-never-shown-91") && !err.contains("pw-never-shown-91"));
    // Listed in the user's own file, writable only by them.
    let file = dir.path().join("config/pacer/allowed-urls");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
    std::fs::write(
        &file,
        "# servers pacer may reach\nhttp://127.0.0.1:1  # local\n",
    )
    .expect("file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let o = pacer_env(dir.path(), &["run", "q.rhai"]);
        assert!(
            stderr(&o).contains("cannot reach ClickHouse"),
            "{}",
            stderr(&o)
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let o = pacer_env(dir.path(), &["run", "q.rhai"]);
        let err = stderr(&o);
        assert!(
            err.contains("not allowed") && err.contains("is ignored: others may write it"),
            "{err}"
        );
    }
    // A bad --allow-url is a usage error.
    let o = pacer_env(dir.path(), &["run", "q.rhai", "--allow-url", "127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn explain_prints_the_sql_instead_of_running_it() {
    let Some(db) = server("explain") else { return };
    load(
        &db,
        "events",
        "user_id String, event String, timestamp DateTime('UTC'), channel String",
        &[],
    );
    load(
        &db,
        "assignments",
        "variant String, converted UInt8, revenue Float64, day Date",
        &[],
    );
    let dir = workdir();
    let user = std::env::var("PACER_CLICKHOUSE_USER").unwrap_or_else(|_| "default".into());
    std::fs::write(
        dir.path().join("x.rhai"),
        format!(
            "let ch = clickhouse({url:?}, #{{ user: {user:?}, database: {db:?} }});\n\
             let f = funnel_events(ch.table(\"events\"), [\"visit\", \"buy\"], #{{ window: \"1d\", by: \"channel\" }});\n\
             print(f.sql.len() > 100);\n\
             let r = ab_report(ch.table(\"assignments\"), #{{ control: \"A\", arm: \"variant\", revenue: \"revenue\", day: \"day\" }});\n\
             print(query(ch, \"SELECT 42 AS answer\"));\n",
            url = url(),
            db = db.name
        ),
    )
    .expect("script");
    let o = pacer_env(
        dir.path(),
        &["run", "x.rhai", "--explain", "--allow-url", &url()],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("-- SQL of the calls pushed down to a warehouse (not run: --explain)"),
        "{out}"
    );
    assert!(
        out.contains("-- funnel_events on ClickHouse table")
            && out.contains("AS pacer_wf")
            && out.contains("AS pacer_level"),
        "{out}"
    );
    assert!(
        out.contains("GROUP BY pacer_user") && out.contains("-- ab_report on ClickHouse table"),
        "{out}"
    );
    assert!(
        out.contains("GROUP BY `day`, `variant`") && out.contains("SELECT 42 AS answer;"),
        "{out}"
    );
    assert!(out.contains("true"), "{out}");
}

/// Without a server: the readout from per-arm and per-day sums equals the readout over
/// the per-user rows they sum (the entry point the warehouse uses).
#[test]
fn the_readout_from_sums_equals_the_per_user_readout() {
    use pacer::abtest::{ab_report_from_sums, ArmSums};
    let path = root().join("fixtures/ab_landing_pages.csv");
    let t = pacer::table::read_csv_path(&path).expect("fixture");
    let o = ReportOptions {
        control: Some("A".into()),
        revenue: Some("revenue".into()),
        day: Some("day".into()),
        sequential: true,
        ..Default::default()
    };
    let native = native_ab_report(&t, &o).expect("native");
    let (arm, conv, rev, day) = (
        t.column("variant").expect("variant"),
        t.column("converted").expect("converted"),
        t.column("revenue").expect("revenue"),
        t.column("day").expect("day"),
    );
    let mut arms: Vec<ArmSums> = Vec::new();
    let mut days: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<(f64, f64)>> = Vec::new();
    for row in 0..t.n_rows() {
        let name = arm.text_at(row).expect("arm");
        let i = match arms.iter().position(|a| a.name == name) {
            Some(i) => i,
            None => {
                arms.push(ArmSums {
                    name,
                    users: 0.0,
                    conversions: 0.0,
                    revenue: Some((0.0, 0.0)),
                });
                arms.len() - 1
            }
        };
        let (c, r) = (
            conv.f64_at(row).expect("0/1"),
            rev.f64_at(row).expect("revenue"),
        );
        let a = &mut arms[i];
        a.users += 1.0;
        a.conversions += c;
        if let Some((s, ss)) = &mut a.revenue {
            *s += r;
            *ss += r * r;
        }
        let d = day.text_at(row).expect("day");
        let k = match days.iter().position(|x| *x == d) {
            Some(k) => k,
            None => {
                days.push(d);
                cells.push(Vec::new());
                days.len() - 1
            }
        };
        if cells[k].len() <= i {
            cells[k].resize(i + 1, (0.0, 0.0));
        }
        cells[k][i].0 += 1.0;
        cells[k][i].1 += c;
    }
    let n = arms.len();
    let daily = days
        .into_iter()
        .zip(cells)
        .map(|(d, mut c)| {
            c.resize(n, (0.0, 0.0));
            (d, c)
        })
        .collect();
    let from_sums = ab_report_from_sums("sums", &arms, daily, &o).expect("from sums");
    assert_eq!(
        pacer::render::ab_text(&from_sums),
        pacer::render::ab_text(&native)
    );
    assert_eq!(from_sums.arms, native.arms);
    assert_eq!(from_sums.warnings, native.warnings);
}

/// The cohort table of `retention` equals what ClickHouse's own `retention(cond1,
/// cond2, ...)` aggregate gives per user, summed by cohort, on the export made to
/// stress the rules (ties, shuffled rows, UTF-8 ids). ClickHouse 18.16's
/// `retention` sets at most one condition per row (the first that holds), so each row
/// is read twice: copy 0 for the start condition, copy 1 for the return conditions
/// (with start and return the same event, the start row is also a return).
#[test]
fn retention_cohorts_equal_clickhouse_retention() {
    use pacer::events::retention::{retention_from_file, RetentionSpec};
    use pacer::events::Interval;
    use pacer::table::{read_csv_path_with, CsvOptions, DType};
    let Some(db) = server("retention") else {
        return;
    };
    let path = root().join("fixtures/events/modes/events.csv");
    let types = ["user_id", "event", "timestamp", "channel"]
        .iter()
        .map(|c| (c.to_string(), DType::Str))
        .collect();
    let t = read_csv_path_with(
        &path,
        &CsvOptions {
            types,
            ..Default::default()
        },
    )
    .expect("fixture");
    let col = |n: &str| t.column(n).expect("column");
    let rows: Vec<Vec<String>> = (0..t.n_rows())
        .map(|i| {
            let ms =
                pacer::events::parse_time(col("timestamp").str_at(i).expect("time").as_bytes())
                    .expect("time");
            vec![
                col("user_id").str_at(i).expect("user").to_string(),
                col("event").str_at(i).expect("event").to_string(),
                (ms / 1000).to_string(),
            ]
        })
        .collect();
    load(
        &db,
        "events",
        "user_id String, event String, timestamp DateTime('UTC')",
        &rows,
    );
    for (start, ret, interval, periods, bucket, step) in [
        ("visit", "purchase", Interval::Day, 6usize, "toDate", 1),
        ("purchase", "purchase", Interval::Week, 3, "toMonday", 7),
        ("signup", "visit", Interval::Day, 4, "toDate", 1),
    ] {
        let spec = RetentionSpec::new(start, ret, interval, periods).expect("spec");
        let native = retention_from_file(&path, "events.csv", &spec).expect("native");
        let conds: Vec<String> = (0..=periods)
            .map(|p| {
                format!(
                    "copy = 1 AND event = '{ret}' AND timestamp >= t0 AND {bucket}(timestamp) = {bucket}(t0) + {}",
                    p * step
                )
            })
            .collect();
        let sql = format!(
            "SELECT toString(c) AS cohort, toUInt64(sum(r[1])) AS size, sumForEach(arraySlice(r, 2)) AS retained FROM (\n\
             SELECT user_id, {bucket}(any(t0)) AS c, retention(copy = 0 AND event = '{start}' AND timestamp = t0, {}) AS r\n\
             FROM (SELECT user_id, event, timestamp, arrayJoin([0, 1]) AS copy FROM events) ALL INNER JOIN (SELECT user_id, min(timestamp) AS t0 FROM events WHERE event = '{start}' GROUP BY user_id) USING user_id\n\
             GROUP BY user_id) GROUP BY c ORDER BY c",
            conds.join(", ")
        );
        let a = db
            .conn
            .query(&sql, "retention", None)
            .expect("retention query");
        let ch = &a.table;
        assert_eq!(
            ch.n_rows(),
            native.cohorts.len(),
            "{start} -> {ret}: cohorts"
        );
        for (i, c) in native.cohorts.iter().enumerate() {
            let what = format!("{start} -> {ret}, cohort {}", c.start);
            assert_eq!(
                ch.column("cohort").expect("cohort").str_at(i),
                Some(c.start.as_str()),
                "{what}"
            );
            assert_eq!(
                ch.column("size").expect("size").i64_at(i),
                Some(c.size as i64),
                "{what}: size"
            );
            let cell = ch
                .column("retained")
                .expect("retained")
                .text_at(i)
                .expect("array");
            let server: Vec<u64> = cell
                .trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .map(|x| x.trim().parse().expect("count"))
                .collect();
            // The native table stops at the data's last period; the server's goes on
            // with zeros.
            assert_eq!(&server[..c.retained.len()], &c.retained[..], "{what}");
            assert!(server[c.retained.len()..].iter().all(|&x| x == 0), "{what}");
        }
    }
}
