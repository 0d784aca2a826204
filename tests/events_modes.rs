//! Order modes, exclusions, repeated steps, attributions, time to convert, trends,
//! drop-off levels, retention and lifecycle against the brute-force Python reference
//! (fixtures/events/modes/reference.py enumerates every chain of every user), on an
//! export with equal timestamps, shuffled rows and UTF-8 values. Both native paths
//! (the streamed file and a loaded table) are checked.

mod common;
use common::*;
use pacer::events::lifecycle::{lifecycle_from_file, LifecycleSpec};
use pacer::events::observed::{funnel_from_file_with, funnel_from_table_with};
use pacer::events::retention::{retention_from_file, retention_from_table, RetentionSpec};
use pacer::events::{
    parse_order, Attribution, ExcludeStep, FunnelSpec, Interval, ObservedFunnel, UserLevels, Window,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const DIR: &str = "fixtures/events/modes";

/// Splits one CSV record (quoted cells with doubled quotes; no line breaks inside).
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// A reference file's rows keyed by column name.
fn rows(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(root().join(DIR).join(name)).expect("reference file");
    let mut lines = text.lines();
    let header = split(lines.next().expect("header"));
    lines
        .map(|l| header.iter().cloned().zip(split(l)).collect())
        .collect()
}

fn configs() -> Value {
    let text = std::fs::read_to_string(root().join(DIR).join("configs.json")).expect("configs");
    serde_json::from_str(&text).expect("json")
}

fn s(v: &Value) -> String {
    v.as_str().expect("string").to_string()
}

fn funnel_spec(c: &Value) -> FunnelSpec {
    let steps = c["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(s)
        .collect();
    let w = c["window_s"].as_f64().expect("window");
    let mut spec = FunnelSpec::new(steps, Window::from_seconds(w).expect("window")).expect("spec");
    spec.order = parse_order(c["order"].as_str().unwrap_or("ordered")).expect("order");
    if let Some(by) = c["by"].as_str() {
        spec.by = vec![by.to_string()];
    }
    if let Some(a) = c["attribution"].as_str() {
        spec.attribution = Attribution::parse(a).expect("attribution");
    }
    if let Some(i) = c["interval"].as_str() {
        spec.interval = Some(Interval::parse(i, "interval").expect("interval"));
    }
    if let Some(ex) = c["exclude"].as_array() {
        spec.exclude = ex
            .iter()
            .map(|e| ExcludeStep {
                event: s(&e["event"]),
                from: e["between"][0].as_u64().expect("a") as usize,
                to: e["between"][1].as_u64().expect("b") as usize,
            })
            .collect();
    }
    spec
}

fn events_table() -> pacer::table::Table {
    use pacer::table::{read_csv_path_with, CsvOptions, DType};
    let types = ["user_id", "event", "timestamp", "channel"]
        .iter()
        .map(|c| (c.to_string(), DType::Str))
        .collect();
    read_csv_path_with(
        &root().join(DIR).join("events.csv"),
        &CsvOptions {
            types,
            ..Default::default()
        },
    )
    .expect("events table")
}

fn close(got: f64, want: &str, what: &str) {
    let want: f64 = want.parse().expect("number");
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} vs {want}"
    );
}

/// Checks one funnel result against the reference rows of its config.
fn check_funnel(name: &str, f: &ObservedFunnel, levels: &UserLevels) {
    let want: Vec<_> = rows("funnels.csv")
        .into_iter()
        .filter(|r| r["config"] == name)
        .collect();
    let mut got = Vec::new();
    for (g, stats) in f.groups.iter().zip(&f.times) {
        for (k, (st, time)) in g.steps.iter().zip(stats).enumerate() {
            got.push((g.key.join("\0"), k + 1, st, time));
        }
    }
    // The reference lists every step of every group with a user somewhere.
    assert_eq!(got.len(), want.len(), "{name}: rows");
    for ((key, k, st, time), w) in got.iter().zip(&want) {
        let at = format!("{name} group {key:?} step {k}");
        assert_eq!(key, &w["group"], "{at}");
        assert_eq!(k.to_string(), w["step"], "{at}");
        assert_eq!(st.users.to_string(), w["users"], "{at}: users");
        match time {
            None => assert_eq!(w["times"], "0", "{at}: times"),
            Some(t) => {
                assert_eq!(t.users.to_string(), w["times"], "{at}: times");
                close(t.mean, &w["mean"], &format!("{at}: mean"));
                for (p, col) in t
                    .percentiles
                    .iter()
                    .zip(["p10", "p25", "p50", "p75", "p90"])
                {
                    close(*p, &w[col], &format!("{at}: {col}"));
                }
                let hist: Vec<String> = t.histogram.iter().map(u64::to_string).collect();
                assert_eq!(hist.join("|"), w["histogram"], "{at}: histogram");
                close(
                    st.median_time_from_previous.expect("median"),
                    &w["p50"],
                    &format!("{at}: median"),
                );
            }
        }
    }
    let total = rows("totals.csv")
        .into_iter()
        .find(|r| r["config"] == name)
        .expect("totals row");
    assert_eq!(
        f.semantics.entering.to_string(),
        total["entering"],
        "{name}: entering"
    );
    assert_eq!(
        f.semantics.excluded.to_string(),
        total["excluded"],
        "{name}: excluded"
    );
    // Drop-off levels: every user with a first-step event.
    let want: BTreeSet<(String, String)> = rows("levels.csv")
        .into_iter()
        .filter(|r| r["config"] == name)
        .map(|r| (r["user_id"].clone(), r["level"].clone()))
        .collect();
    let got: BTreeSet<(String, String)> = levels
        .iter()
        .filter(|(_, l)| *l != 0)
        .map(|(u, l)| {
            let level = if l == UserLevels::EXCLUDED {
                "excluded".to_string()
            } else {
                l.to_string()
            };
            (String::from_utf8(u.to_vec()).expect("utf-8"), level)
        })
        .collect();
    assert_eq!(got, want, "{name}: levels");
    // The drop-off CSV says the same, quoting ids with commas.
    let mut csv = Vec::new();
    levels.write_csv(&f.semantics.steps, &mut csv).expect("csv");
    let text = String::from_utf8(csv).expect("utf-8");
    let n = f.semantics.steps.len();
    let from_csv: BTreeSet<(String, String)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c = split(l);
            let level = match c[4].as_str() {
                "excluded" => "excluded".to_string(),
                "converted" => {
                    assert_eq!(c[1], n.to_string(), "{name}: {l}");
                    c[1].clone()
                }
                _ => {
                    let k: usize = c[1].parse().expect("reached");
                    assert_eq!(c[3], f.semantics.steps[k], "{name}: {l}");
                    c[1].clone()
                }
            };
            (c[0].clone(), level)
        })
        .collect();
    assert_eq!(from_csv, want, "{name}: drop-off csv");
    // Trends.
    let want: Vec<(String, String, String)> = rows("trends.csv")
        .into_iter()
        .filter(|r| r["config"] == name)
        .map(|r| (r["period"].clone(), r["step"].clone(), r["users"].clone()))
        .collect();
    let got: Vec<(String, String, String)> = f
        .trends
        .iter()
        .flat_map(|t| &t.periods)
        .flat_map(|p| {
            p.reached
                .iter()
                .enumerate()
                .map(|(k, u)| (p.start.clone(), (k + 1).to_string(), u.to_string()))
        })
        .collect();
    assert_eq!(got, want, "{name}: trends");
}

#[test]
fn every_funnel_mode_matches_the_brute_force_reference() {
    let cfg = configs();
    let path = root().join(DIR).join("events.csv");
    let table = events_table();
    let mut excluded_somewhere = false;
    for c in cfg["funnels"].as_array().expect("funnels") {
        let name = s(&c["name"]);
        let spec = funnel_spec(c);
        let (f, levels) = funnel_from_file_with(&path, "events.csv", &spec, true)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_funnel(&name, &f, &levels);
        let (t, tl) = funnel_from_table_with(&table, &spec, true).expect("table path");
        assert_eq!(t.groups, f.groups, "{name}: table path");
        assert_eq!(t.times, f.times, "{name}: table path times");
        assert_eq!(tl.len(), levels.len(), "{name}: table path levels");
        excluded_somewhere |= f.semantics.excluded > 0;
    }
    assert!(excluded_somewhere, "the fixture exercises no exclusion");
}

#[test]
fn retention_matches_the_brute_force_reference() {
    let cfg = configs();
    let path = root().join(DIR).join("events.csv");
    let table = events_table();
    for c in cfg["retention"].as_array().expect("retention") {
        let name = s(&c["name"]);
        let mut spec = RetentionSpec::new(
            &s(&c["start_event"]),
            &s(&c["return_event"]),
            Interval::parse(c["interval"].as_str().expect("interval"), "interval").expect("iv"),
            c["periods"].as_u64().expect("periods") as usize,
        )
        .expect("spec");
        if let Some(by) = c["by"].as_str() {
            spec.by = vec![by.to_string()];
        }
        let r = retention_from_file(&path, "events.csv", &spec).expect("retention");
        let want: Vec<Vec<String>> = rows("retention.csv")
            .into_iter()
            .filter(|r| r["config"] == name)
            .map(|r| {
                [
                    "group",
                    "cohort",
                    "cohort_size",
                    "period",
                    "retained",
                    "unbounded",
                ]
                .iter()
                .map(|k| r[*k].clone())
                .collect()
            })
            .collect();
        let mut got = Vec::new();
        for co in &r.cohorts {
            for (p, (ret, unb)) in co.retained.iter().zip(&co.unbounded).enumerate() {
                got.push(vec![
                    co.key.join("\0"),
                    co.start.clone(),
                    co.size.to_string(),
                    p.to_string(),
                    ret.to_string(),
                    unb.to_string(),
                ]);
            }
        }
        assert_eq!(got, want, "{name}: cohorts");
        let want: Vec<Vec<String>> = rows("repeat.csv")
            .into_iter()
            .filter(|r| r["config"] == name)
            .map(|r| {
                ["group", "users", "returning", "repeat"]
                    .iter()
                    .map(|k| r[*k].clone())
                    .collect()
            })
            .collect();
        let got: Vec<Vec<String>> = r
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.key.join("\0"),
                    g.users.to_string(),
                    g.returning.to_string(),
                    g.repeat.to_string(),
                ]
            })
            .collect();
        assert_eq!(got, want, "{name}: repeat");
        let t = retention_from_table(&table, &spec).expect("table path");
        assert_eq!(t.cohorts, r.cohorts, "{name}: table path");
    }
}

#[test]
fn lifecycle_matches_the_brute_force_reference() {
    let cfg = configs();
    let path = root().join(DIR).join("events.csv");
    for c in cfg["lifecycle"].as_array().expect("lifecycle") {
        let name = s(&c["name"]);
        let spec = LifecycleSpec::new(
            &s(&c["event"]),
            Interval::parse(c["interval"].as_str().expect("interval"), "interval").expect("iv"),
        )
        .expect("spec");
        let l = lifecycle_from_file(&path, "events.csv", &spec).expect("lifecycle");
        let want: Vec<Vec<String>> = rows("lifecycle.csv")
            .into_iter()
            .filter(|r| r["config"] == name)
            .map(|r| {
                ["period", "new", "returning", "resurrected", "dormant"]
                    .iter()
                    .map(|k| r[*k].clone())
                    .collect()
            })
            .collect();
        let got: Vec<Vec<String>> = l
            .periods
            .iter()
            .map(|(p, c)| {
                vec![
                    p.clone(),
                    c.new.to_string(),
                    c.returning.to_string(),
                    c.resurrected.to_string(),
                    c.dormant.to_string(),
                ]
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
}
