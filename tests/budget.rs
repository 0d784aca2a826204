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
