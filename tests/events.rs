//! The events domain end to end: `funnel_events` against an independent pandas
//! implementation (fixtures/events/funnel_reference.py), the example script against
//! its golden output, and script-level errors.

mod common;
use common::*;
use pacer::events::{funnel_from_file, funnel_from_table, FunnelSpec, ObservedFunnel, Window};

const STEPS: [&str; 4] = ["visit", "signup", "add_to_cart", "purchase"];

fn spec(window: &str, by: Option<&str>) -> FunnelSpec {
    let mut s = FunnelSpec::new(
        STEPS.iter().map(|s| s.to_string()).collect(),
        Window::parse(window).expect("window"),
    )
    .expect("spec");
    s.by = by.map(|b| vec![b.to_string()]).unwrap_or_default();
    s
}

/// Parses a reference CSV written by pandas (empty cell = no value).
fn reference(name: &str) -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(root().join("fixtures/events").join(name)).expect("reference file");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn opt(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| cell.parse().expect("number"))
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 1e-12 * y.abs().max(1.0),
            "{what}: {x} vs {y}"
        ),
        _ => panic!("{what}: {a:?} vs {b:?}"),
    }
}

fn assert_matches(f: &ObservedFunnel, reference_file: &str, by: bool) {
    let want = reference(reference_file);
    let got: Vec<_> = f
        .groups
        .iter()
        .flat_map(|g| g.steps.iter().map(move |s| (g.key.clone(), s)))
        .collect();
    assert_eq!(got.len(), want.len(), "{reference_file}: row count");
    for ((key, s), w) in got.iter().zip(&want) {
        let w = if by {
            assert_eq!(key[0], w[0], "{reference_file}: group");
            &w[1..]
        } else {
            &w[..]
        };
        let at = format!("{reference_file}: {key:?} {}", s.step);
        assert_eq!(s.step, w[0], "{at}");
        assert_eq!(s.users.to_string(), w[1], "{at}: users");
        close(
            s.conversion_from_previous,
            opt(&w[2]),
            &format!("{at}: from previous"),
        );
        close(
            s.conversion_from_first,
            opt(&w[3]),
            &format!("{at}: from first"),
        );
        close(
            s.median_time_from_previous,
            opt(&w[4]),
            &format!("{at}: median time"),
        );
    }
}

#[test]
fn agrees_with_the_pandas_reference() {
    let path = root().join("fixtures/events.csv");
    for (file, window, by) in [
        ("reference_7d_channel.csv", "7d", Some("channel")),
        ("reference_1d.csv", "1d", None),
        ("reference_0s_channel.csv", "0s", Some("channel")),
    ] {
        let s = spec(window, by);
        let f = funnel_from_file(&path, "fixtures/events.csv", &s).expect("funnel");
        assert_matches(&f, file, by.is_some());
        // The same through a loaded table (ISO timestamps as text).
        let t = pacer::table::read_csv_path(&path).expect("table");
        let g = funnel_from_table(&t, &s).expect("funnel from table");
        assert_eq!(f.groups, g.groups, "{file}: file and table paths agree");
    }
}

#[test]
fn semantics_are_carried_and_printed() {
    let path = root().join("fixtures/events.csv");
    let f = funnel_from_file(&path, "fixtures/events.csv", &spec("7d", Some("channel")))
        .expect("funnel");
    let s = &f.semantics;
    assert_eq!((s.rows_read, s.rows_used, s.entering), (3587, 2308, 600));
    let text = pacer::render::observed_funnel::describe_semantics(s);
    for needle in [
        "visit -> signup -> add_to_cart -> purchase",
        "equal timestamps are taken in funnel order",
        "7d (604800 s)",
        "ties on the same timestamp: the smallest value",
        "first touch",
        "3587 read, 2308 used",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn funnel_observed_script_matches_golden() {
    let (dir, _) = script_matches_golden("scripts/funnel_observed.rhai", "funnel_observed.stdout");
    let out = dir.path();
    let csv = std::fs::read_to_string(out.join("funnel_observed.csv")).expect("csv written");
    assert!(csv.starts_with(
        "channel,step,users,conversion_from_previous,conversion_from_first,median_time_from_previous\n"
    ));
}

#[test]
fn bad_input_gives_clear_errors() {
    let dir = workdir();
    let d = dir.path();
    std::fs::write(
        d.join("ev.csv"),
        "user_id,event,timestamp,channel\nu1,visit,2024-07-01T10:00:00Z,a\nu1,signup,2024-07-01 25:00,a\n",
    )
    .expect("write");
    std::fs::write(d.join("nouser.csv"), "uid,event,timestamp\nu1,visit,1\n").expect("write");
    std::fs::write(
        d.join("ragged.csv"),
        "user_id,event,timestamp\nu1,visit,1\nu2,visit\n",
    )
    .expect("write");
    std::fs::write(
        d.join("quote.csv"),
        "user_id,event,timestamp\nu1,vi\"sit,1\n",
    )
    .expect("write");
    let cases: &[(&str, &[&str])] = &[
        (
            r#"funnel_events("ev.csv", ["visit", "signup"], #{ window: "7d" })"#,
            &[
                "ev.csv:3",
                "column 'timestamp'",
                "data row 2",
                "\"2024-07-01 25:00\"",
                "ISO-8601",
            ],
        ),
        (
            r#"funnel_events("nouser.csv", ["visit"], #{ window: "7d" })"#,
            &[
                "no column named 'user_id'",
                "columns: uid, event, timestamp",
            ],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{ window: "7d", by: "chanel" })"#,
            &["no column named 'chanel'", "did you mean 'channel'"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{ window: "7x" })"#,
            &["option 'window'", "\"7x\"", "like \"7d\""],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{})"#,
            &["option 'window' is required"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{ window: "1d", order: "strictly" })"#,
            &["option 'order'", "\"ordered\", \"strict\" or \"unordered\""],
        ),
        (
            r#"funnel_events("ev.csv", [], #{ window: "1d" })"#,
            &["steps must list 1 to 32 event names"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit", "buy"], #{ window: "1d", exclude: [#{ event: "buy", between: [1, 2] }] })"#,
            &["exclusion 1", "is one of the steps"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit", "buy"], #{ window: "1d", exclude: [#{ event: "refund", between: [2, 1] }] })"#,
            &["exclusion 1", "1 <= a < b <= 2", "got [2, 1]"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit", "buy"], #{ window: "1d", exclude: [#{ event: "refund" }] })"#,
            &["exclusion 1", "'between' is required"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit", "buy"], #{ window: "1d", order: "unordered", attribution: "step", by: "channel" })"#,
            &["only \"first_touch\""],
        ),
        (
            r#"funnel_events("ev.csv", ["visit", "buy"], #{ window: "1d", attribution: "middle" })"#,
            &["option 'attribution'"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{ window: "1d", interval: "hour" })"#,
            &["option 'interval'", "\"day\", \"week\" or \"month\""],
        ),
        (
            r#"retention("ev.csv", #{ start_event: "visit" })"#,
            &["option 'return_event' is required"],
        ),
        (
            r#"retention("ev.csv", #{ start_event: "visit", return_event: "visit", periods: 0 })"#,
            &["'periods' must be between 1 and 400"],
        ),
        (
            r#"lifecycle("ev.csv", #{ interval: "day" })"#,
            &["option 'event' is required"],
        ),
        (
            r#"funnel_events("ev.csv", ["visit"], #{ window: "1d", windw: 3 })"#,
            &["unknown option 'windw'", "did you mean 'window'"],
        ),
        (
            r#"funnel_events("ragged.csv", ["visit"], #{ window: "1d" })"#,
            &["ragged.csv:3", "2 fields but the header has 3"],
        ),
        (
            r#"funnel_events("quote.csv", ["visit"], #{ window: "1d" })"#,
            &["quote.csv:2", "a quote inside an unquoted field"],
        ),
        (
            r#"funnel_events(load_csv("ev.csv"), ["visit", "signup"], #{ window: "7d" })"#,
            &["ev.csv:3", "\"2024-07-01 25:00\""],
        ),
        (
            r#"funnel_events("missing.csv", ["visit"], #{ window: "7d" })"#,
            &["missing.csv"],
        ),
    ];
    for (code, needles) in cases {
        let (status, _, err) = run_in(d, &format!("{code};\n"));
        assert_eq!(status, Some(1), "{code}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{code}: {n:?} not in\n{err}");
        }
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn quoted_fields_crlf_and_epoch_seconds() {
    let dir = workdir();
    let d = dir.path();
    // A quoted user id with a comma and a newline, CRLF line ends, epoch seconds,
    // and a by value in quotes.
    std::fs::write(
        d.join("q.csv"),
        "user_id,event,timestamp,channel\r\n\"a,\nb\",visit,100,\"x\"\r\n\"a,\nb\",buy,160.5,x\r\nc,visit,50,y\r\n\r\nc,buy,10,y\r\n",
    )
    .expect("write");
    let (status, out, err) = run_in(
        d,
        r#"let f = funnel_events("q.csv", ["visit", "buy"], #{ window: "2m", by: "channel" });
print(f.table.to_csv());
print(f.rows_read);"#,
    );
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(
        out,
        "channel,step,users,conversion_from_previous,conversion_from_first,median_time_from_previous\n\
         x,visit,1,,1.0,\nx,buy,1,1.0,1.0,60.5\ny,visit,1,,1.0,\ny,buy,0,0.0,0.0,\n\n4\n"
    );
}

#[test]
fn worked_example_from_the_docs() {
    let dir = workdir();
    let d = dir.path();
    let (status, out, err) = run_in(
        d,
        r#"let t = table([
  #{ user_id: "u1", event: "visit", timestamp: "2024-07-01T10:00:00Z", channel: "wechat" },
  #{ user_id: "u1", event: "signup", timestamp: "2024-07-01T10:20:00Z", channel: "wechat" },
  #{ user_id: "u1", event: "purchase", timestamp: "2024-07-01T10:50:00Z", channel: "wechat" },
  #{ user_id: "u2", event: "visit", timestamp: "2024-07-01T09:00:00Z", channel: "douyin" },
  #{ user_id: "u2", event: "signup", timestamp: "2024-07-01T09:10:00Z", channel: "douyin" },
  #{ user_id: "u2", event: "purchase", timestamp: "2024-07-01T11:00:00Z", channel: "douyin" },
  #{ user_id: "u2", event: "visit", timestamp: "2024-07-01T10:30:00Z", channel: "wechat" },
  #{ user_id: "u2", event: "purchase", timestamp: "2024-07-01T10:45:00Z", channel: "wechat" },
  #{ user_id: "u3", event: "signup", timestamp: "2024-07-01T08:00:00Z", channel: "search" },
  #{ user_id: "u3", event: "visit", timestamp: "2024-07-01T08:30:00Z", channel: "search" },
  #{ user_id: "u4", event: "visit", timestamp: "2024-07-01T12:00:00Z", channel: "search" },
  #{ user_id: "u4", event: "visit", timestamp: "2024-07-01T12:00:00Z", channel: "douyin" },
  #{ user_id: "u4", event: "signup", timestamp: "2024-07-01T12:00:00Z", channel: "search" },
]);
print(funnel_events(t, ["visit", "signup", "purchase"], #{ window: "1h", by: "channel" }).table.to_csv());"#,
    );
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(
        out,
        "channel,step,users,conversion_from_previous,conversion_from_first,median_time_from_previous\n\
         douyin,visit,2,,1.0,\ndouyin,signup,2,1.0,1.0,300.0\ndouyin,purchase,0,0.0,0.0,\n\
         search,visit,1,,1.0,\nsearch,signup,0,0.0,0.0,\nsearch,purchase,0,,0.0,\n\
         wechat,visit,1,,1.0,\nwechat,signup,1,1.0,1.0,1200.0\nwechat,purchase,1,1.0,1.0,1800.0\n\n"
    );
}

#[test]
fn compare_ranks_gaps_from_a_funnel_plan() {
    // Observed over fixtures/events.csv, 7 days, all channels: 600 -> 460 -> 281 -> 193
    // (tests above check these against pandas).
    let dir = workdir();
    let d = dir.path();
    std::fs::copy(root().join("fixtures/events.csv"), d.join("events.csv")).expect("copy");
    let (status, out, err) = run_in(
        d,
        r#"let plan = funnel([#{ name: "visit", rate: 0.75 }, #{ name: "signup", rate: 0.6 },
                   #{ name: "add_to_cart", rate: 0.7 }], #{ aov: 150 }).forward(25000);
let seen = funnel_events("events.csv", ["visit", "signup", "add_to_cart", "purchase"], #{ window: "7d", by: "channel" });
let c = compare(plan, seen);
for r in 0..3 { print(c.table.cell(r, "stage") + " " + c.table.cell(r, "revenue_effect")); }
print(c.planned_revenue);
print(c.observed_revenue);"#,
    );
    assert_eq!(status, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let (e, aov) = (25_000.0, 150.0);
    let obs = [460.0 / 600.0, 281.0 / 460.0, 193.0 / 281.0];
    let plan = [0.75, 0.6, 0.7];
    let effect = |i: usize| {
        let others: f64 = (0..3).filter(|&j| j != i).map(|j| plan[j]).product();
        e * aov * others * (obs[i] - plan[i])
    };
    // Ranked by size: visit (+26,250), add_to_cart, signup.
    let want = [
        ("visit", effect(0)),
        ("add_to_cart", effect(2)),
        ("signup", effect(1)),
    ];
    for (line, (stage, value)) in lines.iter().zip(want) {
        let (s, v) = line.split_once(' ').expect("stage value");
        assert_eq!(s, stage);
        let v: f64 = v.parse().expect("number");
        assert!((v - value).abs() < 1e-6, "{stage}: {v} vs {value}");
    }
    assert!((effect(0) - 26_250.0).abs() < 1e-6);
    let planned: f64 = lines[3].parse().expect("planned");
    assert!((planned - e * 0.75 * 0.6 * 0.7 * aov).abs() < 1e-6);
    let observed: f64 = lines[4].parse().expect("observed");
    assert!((observed - e * 193.0 / 600.0 * aov).abs() < 1e-6);
}

#[test]
fn compare_errors_name_the_mismatch() {
    let dir = workdir();
    let d = dir.path();
    std::fs::copy(root().join("fixtures/events.csv"), d.join("events.csv")).expect("copy");
    let (status, _, err) = run_in(
        d,
        r#"let plan = funnel([#{ name: "visit", rate: 0.75 }], #{ aov: 150 }).forward(100);
compare(plan, funnel_events("events.csv", ["visit", "signup", "purchase"], #{ window: "7d" }));"#,
    );
    assert_eq!(status, Some(1));
    assert!(
        err.contains("the plan has 1 stages, so the observed funnel needs 2 steps"),
        "{err}"
    );
    let (status, _, err) = run_in(
        d,
        r#"compare(table([#{ stage: "visit", rate: 1.5 }]), funnel_events("events.csv", ["visit", "signup"], #{ window: "7d" }), #{ entering: 10 });"#,
    );
    assert_eq!(status, Some(1));
    assert!(
        err.contains("rate of stage 'visit'") && err.contains("between 0 and 1"),
        "{err}"
    );
}

#[test]
fn funnel_retention_script_matches_golden() {
    let (dir, _) =
        script_matches_golden("scripts/funnel_retention.rhai", "funnel_retention.stdout");
    let out = dir.path();
    for svg in ["time_to_convert.svg", "trends.svg", "retention.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).expect("chart written");
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{svg}"
        );
    }
    let csv = std::fs::read_to_string(out.join("dropoff.csv")).expect("drop-off list");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "user_id,reached,last_step,next_step,status");
    // One row per entering or excluded user: 428 entering + 172 excluded.
    assert_eq!(lines.len() - 1, 600);
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(",excluded")).count(),
        172
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(",converted")).count(),
        24
    );
}
