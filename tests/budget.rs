//! The budget domain end to end: `scripts/budget_plan.rhai` against its golden output,
//! and script-level errors.

mod common;
use common::*;

#[test]
fn budget_plan_script_matches_golden() {
    let (dir, _) = script_matches_golden("scripts/budget_plan.rhai", "budget_plan.stdout");
    let out = dir.path();
    for svg in ["budget_allocation.svg", "budget_curve.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).expect("chart written");
        assert!(
            text.starts_with("<svg") && text.contains("<polyline"),
            "{svg}"
        );
    }
    let html = std::fs::read_to_string(out.join("budget_plan.html")).expect("report written");
    // The cumulative pacing chart: actual, plan and the band of 5% either side.
    assert!(html.contains(">Cumulative spend against the plan&#39;s pace</text>"));
    assert!(html.contains(">plan +5.0%</text>") && html.contains(">plan -5.0%</text>"));
    assert_eq!(
        html.matches("<svg").count(),
        8,
        "four curves, the split, the budget curve, pacing cumulative and daily"
    );
    assert!(html.contains("Response curve: douyin"));
}

#[test]
fn handbook_figures_from_a_script() {
    let (code, out, err) = run_snippet(
        "print(spend_for(25000 / 0.03, #{ cpm: 50 }).round());\n\
         let d = delivery(41666.67, #{ cpm: 50, ctr: 0.03 });\n\
         print(d.impressions.round());\n\
         print(ratio_text(roas(1600000, 720000)));\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "41667.0\n833333.0\n1:2.22\n");
}

#[test]
fn script_errors_name_the_argument() {
    let (code, _, err) = run_snippet(
        "allocate(1000, [#{ name: \"a\", curve: hill(1, 1, 1), min: 800 }, #{ name: \"b\", curve: hill(1, 1, 1), fixed: 500 }]);",
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("a min 800, b fixed 500"), "{err}");
    let (_, _, err) =
        run_snippet("allocate(1000, [#{ name: \"a\", curve: hill(1, 1, 1), maxx: 5 }]);");
    assert!(
        err.contains("unknown option 'maxx'") && err.contains("did you mean 'max'"),
        "{err}"
    );
    let (_, _, err) = run_snippet("allocate(1000, [#{ name: \"a\", curve: 5 }]);");
    assert!(
        err.contains("channel 'a': 'curve' must be a curve"),
        "{err}"
    );
    let (code, out, err) = run_snippet(
        "let f = fit_curve(table([#{ spend: 1, result: 1 }, #{ spend: 2, result: 2 }]), #{ kind: \"linear\" });\n\
         print(allocate(10, [#{ name: \"a\", curve: f }]).result);",
    );
    assert_eq!((code, out.as_str()), (Some(0), "10.0\n"), "{err}");
    let (_, _, err) = run_snippet("hill(100, -5, 1);");
    assert!(
        err.contains("hill: half must be a positive number, got -5"),
        "{err}"
    );
    let (_, _, err) = run_snippet("spend_for(100, #{ cpm: 5, cpc: 1 });");
    assert!(err.contains("only one of cpm, cpc or cpa"), "{err}");
    let (_, _, err) =
        run_snippet("fit_curve(table([#{ spend: 1, result: 1 }, #{ spend: 2, result: 2 }]));");
    assert!(err.contains("needs at least 3 points, got 2"), "{err}");
}

#[test]
fn long_allocations_stop_at_the_time_limit() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("slow.rhai"),
        "let ch = [];\nfor i in 0..20 { ch.push(#{ name: `c${i}`, curve: hill(1000, 5000, 2.0) }); }\nallocate(100000, ch, #{ grid: 100000 });\n",
    )
    .expect("write script");
    let start = std::time::Instant::now();
    let o = pacer_in(dir.path(), &["run", "slow.rhai", "--timeout", "1"], "");
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("time limit"), "{}", stderr(&o));
    // Far less than the hours the full grid would take.
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
}

/// The adstock fit through the script API: the same figures as the Rust fit that
/// fixtures/budget/adstock_reference.json (scipy) holds, the steady-state curve usable
/// in `allocate`, and a missing day refused with its line.
#[test]
fn adstock_fit_from_a_script() {
    let (code, out, err) = run_at_root(
        "let f = fit_adstock(load_csv(\"fixtures/budget/adstock_daily.csv\"), #{ outcome: \"orders\" });\n\
         print(f.decay); print(f.shape); print(f.table.rows); print(f.table.columns);\n\
         let a = allocate(100000, [#{ name: \"feed\", curve: f.curve }, #{ name: \"search\", curve: hill(3000, 20000, 1.0) }]);\n\
         print(a.total > 0);\n\
         let t = load_csv(\"fixtures/budget/adstock_daily.csv\").filter(|r| r.date != \"2024-03-05\");\n\
         fit_adstock(t, #{ outcome: \"orders\" });\n",
    );
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/budget/adstock_reference.json"))
            .expect("reference"),
    )
    .expect("json");
    for (line, key) in [(0, "decay"), (1, "shape")] {
        let got: f64 = lines[line].parse().expect("number");
        let want = doc["fit"][key].as_f64().expect("reference value");
        assert!((got - want).abs() <= 1e-4 * want, "{key}: {got} vs {want}");
    }
    assert_eq!(lines[2], "120");
    assert_eq!(
        lines[3],
        "[\"date\", \"spend\", \"carry\", \"outcome\", \"fitted\", \"base\", \"media\"]"
    );
    assert_eq!(lines[4], "true");
    assert!(
        err.contains("adstock_daily.csv:7: column 'date': expected the day after 2024-03-04, got \"2024-03-06\""),
        "{err}"
    );
}

/// A value per channel's outcome and return floors through `allocate`, against closed
/// forms: two Michaelis-Menten channels (Hill shape 1) `v_i t_i x / (h_i + x)` split
/// `B` where their marginal values meet, `x = (a (h2 + B) - b h1) / (a + b)` with
/// `a = sqrt(v1 t1 h1)`, `b = sqrt(v2 t2 h2)`; a CPA ceiling `c` caps spend at
/// `t c - h` (where `t x / (h + x) = x / c`).
#[test]
fn values_and_return_floors_in_allocate() {
    let (code, out, err) = run_snippet(
        "let a = allocate(60000, [#{ name: \"w\", curve: hill(4000, 30000, 1.0), value: 120 }, #{ name: \"d\", curve: hill(6000, 50000, 1.0), value: 50 }], #{ grid: 4000 });\n\
         print(a.table.col(\"spend\")[0]);\n\
         let b = allocate(60000, [#{ name: \"w\", curve: hill(4000, 30000, 1.0), max_cpa: 12 }, #{ name: \"d\", curve: hill(6000, 50000, 1.0) }]);\n\
         print(b.table.col(\"spend\")[0]);\n\
         let c = allocate(60000, [#{ name: \"w\", curve: hill(4000, 30000, 1.0), value: 120, min_roas: 20 }, #{ name: \"d\", curve: hill(6000, 50000, 1.0) }]);\n\
         print(c.table.col(\"spend\")[0]);\n\
         allocate(60000, [#{ name: \"w\", curve: hill(4000, 30000, 1.0), max_cpa: 12, min: 20000 }]);\n",
    );
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<f64> = out.lines().map(|l| l.parse().expect("number")).collect();
    let (a, b) = (
        (120.0f64 * 4000.0 * 30000.0).sqrt(),
        (50.0f64 * 6000.0 * 50000.0).sqrt(),
    );
    let x = (a * (50000.0 + 60000.0) - b * 30000.0) / (a + b);
    assert!((lines[0] - x).abs() < 1e-6 * x, "{} vs {x}", lines[0]);
    // CPA 12: 4000 x / (30000 + x) = x / 12 at x = 4000 x 12 - 30000 = 18,000.
    assert!((lines[1] - 18000.0).abs() < 1e-6, "{}", lines[1]);
    // ROAS 20 on value: 480000 / (30000 + x) = 20 at x = 24000 - 30000 < 0: no spend.
    assert_eq!(lines[2], 0.0);
    assert!(
        err.contains("channel 'w': a CPA of at most 12 allows a spend of at most 18,000"),
        "{err}"
    );
}

/// `allocate_flighting` from a script: the plan's table, the totals,
/// a calendar's labels, an adstock fit as a channel, and errors that name the
/// parameter and its allowed range.
#[test]
fn flighting_from_a_script() {
    let (code, out, err) = run_at_root(
        "let plan = allocate_flighting(120000, [\n\
             #{ name: \"tv\", curve: hill(9000, 60000, 0.8), decay: 0.6 },\n\
             #{ name: \"search\", curve: hill(4000, 15000, 1.0), decay: 0.3 },\n\
         ], #{ periods: 6 });\n\
         print(plan.table.rows);\n\
         print(plan.result.round());\n\
         print(plan.by_period[\"spend\"].sum().round());\n\
         print(plan.by_channel.rows);\n\
         let wk = allocate_flighting(1000, [#{ name: \"a\", curve: hill(100, 500, 1.0), decay: 0.2 }],\n\
             #{ periods: [\"2024-07-01\", \"2024-07-08\"], tail: 1 });\n\
         print(wk.table[\"period\"].to_array());\n\
         let ad = fit_adstock(load_csv(\"fixtures/budget/adstock_daily.csv\"), #{ outcome: \"orders\" });\n\
         print(allocate_flighting(100000, [#{ name: \"feed\", curve: ad }], #{ periods: 7 }).table.rows);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "12", "{out}");
    // The reference case front_loading of fixtures/budget/flighting_reference.json.
    assert_eq!(lines[1], "28323.0", "{out}");
    assert_eq!(lines[2], "120000.0", "{out}");
    assert_eq!(lines[3], "2", "{out}");
    assert_eq!(
        lines[4], "[\"2024-07-01\", \"2024-07-08\", \"after 1\"]",
        "{out}"
    );
    assert_eq!(lines[5], "7", "{out}");
    for (snippet, want) in [
        (
            "allocate_flighting(-5, [#{ name: \"a\", curve: hill(1, 1, 1) }], #{ periods: 4 })",
            "allocate_flighting: total must be a number >= 0, got -5",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1) }], #{ periods: 0 })",
            "allocate_flighting: periods must be a whole number from 1 to 10000, got 0",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1), decay: 1.2 }], #{ periods: 4 })",
            "channel 'a': decay must be a share in [0, 1)",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1), max: 1 }], #{ periods: 4 })",
            "add up to 4 over the 4 periods, below the total 5",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1), max: [1, 2] }], #{ periods: 4 })",
            "channel 'a': max has 2 values; give one number, or one per period (4)",
        ),
        (
            "allocate_flighting(5000, [#{ name: \"a\", curve: hill(100, 1000, 1), min_roas: 0.05 }], #{ periods: 4 })",
            "channel 'a': a ROAS of at least 0.05 cannot hold while the plan spends the total 5000",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1), max_cpa: 0 }], #{ periods: 4 })",
            "channel 'a': max_cpa must be a positive number, got 0",
        ),
        (
            "fit_adstock(table([#{ spend: 1, outcome: 1 }]), #{ carryover: \"weibul\" })",
            "fit_adstock: carryover must be \"geometric\" or \"weibull\", got \"weibul\"",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1) }], #{})",
            "allocate_flighting: give the periods",
        ),
        (
            "allocate_flighting(5, [#{ name: \"a\", curve: hill(1, 1, 1) }], #{ periods: 2, seasonality: [1, 1, 1] })",
            "seasonality has 3 values; give one per period (2)",
        ),
    ] {
        let (code, _, err) = run_snippet(snippet);
        assert_eq!(code, Some(1), "{snippet}");
        assert!(err.contains(want), "{snippet}: {err}");
    }
}

/// Every rhai block of docs/flighting.md runs.
#[test]
fn flighting_doc_blocks_run() {
    let md = std::fs::read_to_string(root().join("docs/flighting.md")).expect("docs/flighting.md");
    let blocks = rhai_blocks(&md);
    assert!(!blocks.is_empty());
    for code in blocks {
        let (status, out, err) = run_at_root(&code);
        assert_eq!(status, Some(0), "{code}\n{err}");
        assert!(out.contains("Flighting of") || out.contains("kol"), "{out}");
    }
}

/// A Weibull `fit_adstock` result plans days with its lag; a `decay` beside it is refused.
#[test]
fn flighting_with_a_weibull_fit() {
    let (code, out, err) = run_at_root(
        "let w = fit_adstock(load_csv(\"fixtures/budget/adstock_weibull_daily.csv\"), #{ outcome: \"orders\", carryover: \"weibull\" });\n\
         let plan = allocate_flighting(150000, [#{ name: \"video\", curve: w }], #{ periods: 10, tail: 5 });\n\
         print(plan.table.rows);\n\
         print(plan.by_period[\"spend\"].sum().round());\n\
         allocate_flighting(1000, [#{ name: \"video\", curve: w, decay: 0.5 }], #{ periods: 3 });\n",
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(out, "15\n150000.0\n", "{err}");
    assert!(
        err.contains("channel 'video': the fit_adstock result already has its decay"),
        "{err}"
    );
}
