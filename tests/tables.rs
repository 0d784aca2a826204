//! Tables as users meet them: each reproduction of data silently lost or changed,
//! run as a script, with the behaviour that replaced it.

mod common;
use common::*;

/// A 1,000-row channels export (the bundled fixture's columns), with `edit` applied to
/// the text of data row `at` (0-based).
fn channels_export(at: usize, edit: impl Fn(&str) -> String) -> String {
    let mut s = String::from("channel,day,impressions,clicks,orders,revenue,spend\n");
    for i in 0..1000 {
        let line = format!(
            "{},2024-07-{:02},{},{},{},{},{}",
            ["wechat", "weibo", "douyin"][i % 3],
            1 + i % 28,
            100_000 + i,
            3_000 + i,
            90 + i % 50,
            15,
            50
        );
        let line = if i == at { edit(&line) } else { line };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

#[test]
fn a_stray_quote_is_an_error_at_its_line_not_a_shorter_table() {
    // Row 11 (line 12) ends `...,15,"50`: the quote never closes.
    let csv = channels_export(10, |l| {
        let cut = l.rfind(',').unwrap_or(0);
        format!("{},\"{}", &l[..cut], &l[cut + 1..])
    });
    let (code, _, err) = run_with_files(
        "let t = load_csv(\"c.csv\"); print(t.rows);",
        &[("c.csv", &csv)],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("c.csv:12: a quoted field is not closed before the end of the file"),
        "{err}"
    );
    // Text after a closing quote.
    let (code, _, err) = run_with_files("load_csv(\"c.csv\")", &[("c.csv", "a,b\n1,\"x\"y\n")]);
    assert_eq!(code, Some(1));
    assert!(err.contains("c.csv:2: text after a closing quote"), "{err}");
}

#[test]
fn identifiers_are_written_back_as_they_were_read() {
    let csv = "id,x\n12345678901234567890123,1\n9007199254740993,2\n0012,3\n";
    let (code, out, err) = run_with_files(
        "let t = load_csv(\"ids.csv\"); print(t.describe()); print(t.to_csv());",
        &[("ids.csv", csv)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains(csv), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("id ") && l.contains(" string ")),
        "{out}"
    );
}

#[test]
fn user_ids_compare_as_text_in_both_funnel_forms() {
    let events = "user_id,event,timestamp\n007,visit,2024-07-01 10:00:00\n7,signup,2024-07-01 10:05:00\n007,signup,2024-07-01 10:06:00\n";
    let code = "
        let a = funnel_events(\"e.csv\", [\"visit\", \"signup\"], #{ window: \"1d\" });
        let b = funnel_events(load_csv(\"e.csv\"), [\"visit\", \"signup\"], #{ window: \"1d\" });
        print(a.table.to_csv());
        print(b.table.to_csv());
    ";
    let (status, out, err) = run_with_files(code, &[("e.csv", events)]);
    assert_eq!(status, Some(0), "{err}");
    let halves: Vec<&str> = out.split("step,").collect();
    assert_eq!(halves.len(), 3, "{out}");
    assert_eq!(halves[1], halves[2], "path and loaded table agree: {out}");
    // 007 visited then signed up; 7 only signed up: one user at each step.
    assert!(out.contains("signup,1,"), "{out}");
}

#[test]
fn aggregates_never_wrap_overflow_or_misplace_nan() {
    let (code, _, err) = run_with_files(
        "let t = load_csv(\"n.csv\"); t.group_by(\"k\").agg(#{ s: [\"sum\", \"v\"] })",
        &[("n.csv", "k,v\na,9223372036854775807\na,1\n")],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("column 'v': the integer sum leaves the 64-bit range"),
        "{err}"
    );
    let code = r#"
        let t = table([#{ k: "a", v: 1e308 }, #{ k: "a", v: 1e308 }]);
        print(t.group_by("k").agg(#{ m: ["mean", "v"] }).cell(0, "m"));
        let n = load_csv("nan.csv");
        print(n.group_by("k").agg(#{ lo: ["min", "v"], hi: ["max", "v"] }).to_csv());
        print(n.sort("v").col("v"));
        print(n.sort("v", "desc").col("v"));
    "#;
    let (status, out, err) = run_with_files(code, &[("nan.csv", "k,v\na,NaN\na,1\na,\na,3\n")]);
    assert_eq!(status, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1e308");
    assert!(out.contains("k,hi,lo\na,3.0,1.0"), "{out}");
    assert!(out.contains("[1.0, 3.0, NaN, ()]"), "{out}");
    assert!(out.contains("[3.0, 1.0, NaN, ()]"), "{out}");
}

#[test]
fn a_few_non_numbers_are_named_and_na_fixes_them() {
    let csv = channels_export(15, |l| {
        let cut = l.rfind(',').unwrap_or(0);
        format!("{},n/a", &l[..cut])
    });
    let code = "
        let t = load_csv(\"c.csv\");
        print(t.describe().filter(\"column\", \"==\", \"spend\").cell(0, \"type\"));
        let u = load_csv(\"c.csv\", #{ na: [\"n/a\"] });
        print(u[\"spend\"].missing);
        print(u[\"spend\"].sum());
        let v = load_csv(\"c.csv\", #{ types: #{ spend: \"float\" } });
    ";
    let (status, out, err) = run_with_files(code, &[("c.csv", &csv)]);
    assert_eq!(status, Some(1), "the forced type fails: {out}{err}");
    assert!(out.starts_with("string\n1\n49950\n"), "{out}");
    assert!(
        err.contains("c.csv: spend: 1 of 1,000 cells is not a number (line 17: \"n/a\"); read as text; pass na: [\"n/a\"] or types: #{ spend: \"float\" }"),
        "{err}"
    );
    assert!(
        err.contains(
            "c.csv:17: column 'spend': expected a number (like 1200, 0.05 or 5%), got \"n/a\""
        ),
        "{err}"
    );
}

#[test]
fn closures_count_toward_the_operation_limit() {
    let code = "
        let rows = []; for i in 0..1000 { rows.push(#{ i: i }); }
        let t = table(rows);
        t.filter(|r| { let s = 0; for k in 0..100000 { s += k; } s > 0 })
    ";
    let started = std::time::Instant::now();
    let (status, _, err) = run_in_with(workdir().path(), code, &["--max-ops", "1000000"]);
    assert_eq!(status, Some(1));
    assert!(err.contains("operation limit of 1000000"), "{err}");
    // Not a timing assertion on speed: a run past the limit would take minutes.
    assert!(started.elapsed().as_secs() < 60);
    let (status, _, err) = run_in_with(
        workdir().path(),
        "let rows = []; for i in 0..100 { rows.push(#{ i: i }); } let t = table(rows); t.with_column(\"x\", |r| { loop {} })",
        &["--timeout", "1"],
    );
    assert_eq!(status, Some(1));
    assert!(err.contains("time limit"), "{err}");
}

#[test]
fn column_expressions_compute_natively() {
    let code = r#"
        let t = load_csv("fixtures/channels.csv");
        let t = t.with_column("ctr", t["clicks"] / t["impressions"]);
        print(t.filter(t["ctr"] >= 0.03 & t["channel"] == "wechat").rows);
        let w = t.with_column("week", week(t["day"])).group_by("week").agg(#{ orders: ["sum", "orders"] });
        print(w.to_csv());
        print(t.rename(#{ spend: "cost" }).drop(["ctr"]).columns);
        print(t.cast(#{ impressions: "float" })["impressions"].type);
        print(t.distinct("channel").rows);
        print(t.pivot("day", "channel", "orders", "sum").to_csv());
        print(t.concat(t).rows);
        print(table([#{ c: 1, i: 0 }])["c"] / table([#{ c: 1, i: 0 }])["i"]);
    "#;
    let (status, out, err) = run_at_root(code);
    assert_eq!(status, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2", "{out}");
    assert!(out.contains("week,orders\n2024-07-01,500\n"), "{out}");
    assert!(out.contains("[\"channel\", \"day\", \"impressions\", \"clicks\", \"orders\", \"revenue\", \"cost\"]"), "{out}");
    assert!(out.contains("\nfloat\n3\n"), "{out}");
    assert!(
        out.contains("day,wechat,weibo,douyin\n2024-07-01,110,40,95\n2024-07-02,120,35,100\n"),
        "{out}"
    );
    assert!(out.contains("\n12\n"), "{out}");
    assert!(out.contains("Column(float, 1 rows: [()])"), "{out}");
}
