//! The funnel domain (planning half) end to end: the handbook figures from scripts,
//! and script-level errors.

mod common;
use common::*;

/// Runs `code` in a fresh directory holding the handbook plan (`plan.csv`).
fn run_snippet(code: &str) -> Run {
    run_with(code, &[])
}

/// Runs `code` in a fresh directory holding the handbook plan (`plan.csv`) and `files`.
fn run_with(code: &str, files: &[(&str, &str)]) -> Run {
    let plan = std::fs::read_to_string(root().join("fixtures/funnel/plan.csv")).expect("fixture");
    let mut all = files.to_vec();
    all.push(("plan.csv", &plan));
    run_with_files(code, &all)
}

const HANDBOOK: &str = "let f = funnel([\n\
    #{ name: \"acquisition\", rate: 0.15 },\n\
    #{ name: \"activation\", rate: 0.40 },\n\
    #{ name: \"retention\", rate: 0.70 },\n\
    #{ name: \"monetization\", rate: 0.90 },\n\
], #{ aov: 150 });\n";

#[test]
fn handbook_figures_from_a_script() {
    // docs/handbook.md, the funnel: 25,000 x 15% x 40% x 70% x 90% = 945 conversions, x 150 =
    // 141,750; 1,000,000 / 150 / 0.0378 = 176,366.8 entering.
    let (code, out, err) = run_snippet(&format!(
        "{HANDBOOK}\
         let p = f.forward(25000);\n\
         print(p.conversions.round());\n\
         print(p.revenue.round());\n\
         print((f.for_revenue(1000000).entering * 10).round() / 10);\n\
         print(f.backward(945).entering.round());\n\
         print(p.stages.col(\"volume\"));\n"
    ));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..4], ["945.0", "141750.0", "176366.8", "25000.0"]);
    assert!(
        lines[4].starts_with("[25000.0, 3750.0, 1500.0, 1050.0"),
        "{out}"
    );
}

#[test]
fn rates_as_percent_strings_and_tables() {
    let (code, out, err) = run_snippet(
        "let t = table([#{ stage: \"visit\", rate: \"15%\" }, #{ stage: \"buy\", rate: 0.4 }]);\n\
         print(funnel(t).forward(1000).conversions);\n\
         print(funnel([#{ name: \"visit\", rate: \"15%\" }]).forward(1000).conversions);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "60.0\n150.0\n");
}

#[test]
fn what_ifs_copy_the_funnel() {
    let (code, out, err) = run_snippet(&format!(
        "{HANDBOOK}\
         let g = f.with_rate(\"retention\", 0.75);\n\
         print(g.forward(25000).conversions);\n\
         print(f.forward(25000).conversions.round());\n"
    ));
    assert_eq!(code, Some(0), "{err}");
    // 25,000 x 0.15 x 0.4 x 0.75 x 0.9 = 1,012.5; the original is unchanged.
    assert_eq!(out, "1012.5\n945.0\n");
}

#[test]
fn bad_input_is_a_clear_error() {
    let (code, _, err) = run_snippet("funnel([#{ name: \"visit\", rate: 5 }]);");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("stage 'visit': rate must be a rate between 0 and 1, got 5")
            && err.contains("if you meant 5%, write 5% or 0.05"),
        "{err}"
    );
    let (_, _, err) = run_snippet("funnel([]);");
    assert!(err.contains("a funnel needs at least one stage"), "{err}");
    let (_, _, err) =
        run_snippet("funnel([#{ name: \"a\", rate: 0.5 }, #{ name: \"a\", rate: 0.2 }]);");
    assert!(
        err.contains("stage name 'a' appears twice (stages 1 and 2)"),
        "{err}"
    );
    let (_, _, err) = run_snippet("funnel([#{ name: \"a\" }]);");
    assert!(err.contains("'rate' is missing"), "{err}");
    let (_, _, err) = run_snippet("funnel([#{ name: \"a\", rate: 0.5, rte: 1 }]);");
    assert!(err.contains("unknown option 'rte'"), "{err}");
    let (_, _, err) = run_snippet("funnel([#{ name: \"a\", rate: 0.5 }], #{ aov: -3 });");
    assert!(
        err.contains("funnel: aov must be a positive number, got -3"),
        "{err}"
    );
    let (_, _, err) = run_snippet("funnel([#{ name: \"a\", rate: 0.5 }]).for_revenue(100);");
    assert!(err.contains("no average order value"), "{err}");
    let (_, _, err) = run_snippet("funnel([#{ name: \"a\", rate: 0.5 }]).forward(-1);");
    assert!(
        err.contains("forward: entering must be a finite number >= 0, got -1"),
        "{err}"
    );
    let (_, _, err) = run_snippet(&format!("{HANDBOOK}f.with_rate(\"retension\", 0.5);"));
    assert!(err.contains("did you mean 'retention'"), "{err}");
    let (_, _, err) = run_snippet("funnel(table([#{ step: \"visit\", rate: 0.5 }]));");
    assert!(err.contains("no column named 'stage'"), "{err}");
}

#[test]
fn bad_rate_cell_names_file_line_and_column() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("rates.csv"),
        "stage,rate\nvisit,15%\nbuy,40\n",
    )
    .expect("write csv");
    std::fs::write(
        dir.path().join("s.rhai"),
        "funnel(load_csv(\"rates.csv\"));",
    )
    .expect("write");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    let err = stderr(&o);
    assert!(
        err.contains("rates.csv:3: column 'rate' must be a rate between 0 and 1, got 40")
            && err.contains("if you meant 40%"),
        "{err}"
    );
}

#[test]
fn handbook_media_sizing() {
    // docs/handbook.md, the funnel: 25,000 / 0.03 = 833,333.3 impressions; / 1000 x 50 = 41,666.7.
    let (code, out, err) = run_snippet(
        "let m = media(25000, #{ ctr: 0.03, cpm: 50 });\n\
         print((m.impressions * 10).round() / 10);\n\
         print((m.cost * 10).round() / 10);\n\
         print(media(25000, #{ cpc: 1.2 }).cost);\n\
         let f = funnel([#{ name: \"visit\", rate: 0.15 }, #{ name: \"buy\", rate: 0.4 }]);\n\
         print((media(f.backward(1500), #{ ctr: 0.03, cpm: 50 }).cost * 10).round() / 10);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "833333.3\n41666.7\n30000.0\n41666.7\n");
    let (_, _, err) = run_snippet("media(25000, #{ cpm: 50 });");
    assert!(
        err.contains("CPM pricing needs a click-through rate"),
        "{err}"
    );
    let (_, _, err) = run_snippet("media(25000, #{ ctr: 3, cpm: 50 });");
    assert!(err.contains("if you meant 3%"), "{err}");
    let (_, _, err) = run_snippet("media(25000, #{ ctr: 0.03 });");
    assert!(err.contains("give the price as cpm or cpc"), "{err}");
}

#[test]
fn handbook_plan_check() {
    let (code, out, err) = run_snippet(
        "let c = funnel_check(load_csv(\"plan.csv\"), #{ goal: 1000000, aov: 150 });\n\
         print(c.ok);\n\
         for i in c.issues { print(i); }\n\
         print(c.implied_revenue);\n\
         print(c.table.filter(\"flag\", \"==\", \"inconsistent\").col(\"from\"));\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "false\n\
         retention -> monetization: 1,500 x 70.0% = 1,050, not 1,000 (the plan is 50 below, -4.76%)\n\
         revenue: 1,000 x 90.0% x 150 = 135,000 falls short of the 1,000,000 goal by 865,000 (13.5% of the goal)\n\
         135000.0\n\
         [\"retention\", \"monetization\"]\n"
    );
    let (_, _, err) =
        run_snippet("funnel_check(table([#{ stage: \"a\", rate: 0.5 }]), #{ goal: 10, aov: 1 });");
    assert!(err.contains("no column named 'volume'"), "{err}");
    let (_, _, err) = run_snippet(
        "funnel_check(table([#{ stage: \"a\", volume: 10, rate: 0.5 }, #{ stage: \"a\", volume: 5, rate: 0.5 }]));",
    );
    assert!(err.contains("'a' appears twice"), "{err}");
    let (_, _, err) = run_with(
        "funnel_check(load_csv(\"empty.csv\"));",
        &[("empty.csv", "stage,volume,rate\n")],
    );
    assert!(err.contains("empty.csv has no rows"), "{err}");
    let (_, _, err) = run_with(
        "funnel_check(load_csv(\"p.csv\"));",
        &[("p.csv", "stage,volume,rate\na,100,50%\nb,,40%\n")],
    );
    assert!(
        err.contains("p.csv:3: column 'volume': expected a volume"),
        "{err}"
    );
    let (_, _, err) = run_snippet(
        "funnel_check(table([#{ stage: \"a\", volume: 10, rate: 0.5 }]), #{ goals: 1 });",
    );
    assert!(err.contains("did you mean 'goal'"), "{err}");
}

#[test]
fn sensitivity_and_what_ifs() {
    // One point on stage i adds 945 x 0.01 / r_i: 63, 23.625, 13.5, 10.5 conversions.
    let (code, out, err) = run_snippet(&format!(
        "{HANDBOOK}\
         let s = f.sensitivity(25000, #{{ step: 0.01 }});\n\
         print(s.col(\"stage\"));\n\
         print(s.col(\"conversions_point\").map(|x| (x * 1000).round() / 1000));\n\
         print(s.col(\"revenue_point\").map(|x| (x * 100).round() / 100));\n\
         let g = f.with_changes(#{{ retention: 0.75, aov: 160 }});\n\
         print(g.forward(25000).revenue.round());\n\
         print(f.forward(25000).revenue.round());\n"
    ));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "[\"acquisition\", \"activation\", \"retention\", \"monetization\"]\n\
         [63.0, 23.625, 13.5, 10.5]\n\
         [9450.0, 3543.75, 2025.0, 1575.0]\n\
         162000.0\n\
         141750.0\n"
    );
    let (_, _, err) = run_snippet(&format!("{HANDBOOK}f.with_changes(#{{ retension: 0.5 }});"));
    assert!(
        err.contains("'retension' is neither a stage nor aov (did you mean 'retention'?)"),
        "{err}"
    );
    let (_, _, err) = run_snippet(&format!("{HANDBOOK}f.sensitivity(100, #{{ step: 0 }});"));
    assert!(err.contains("sensitivity: step must be"), "{err}");
}

#[test]
fn chart_is_written_through_the_sandbox() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("c.rhai"),
        format!("{HANDBOOK}print(f.forward(25000).chart(\"plan.svg\"));\nf.forward(1).chart(\"../escape.svg\");\n"),
    )
    .expect("write");
    let out = dir.path().join("out");
    let o = pacer_in(
        dir.path(),
        &["run", "c.rhai", "--out", out.to_str().expect("utf8")],
        "",
    );
    assert_ne!(o.status.code(), Some(0), "escaping --out must fail");
    let svg = std::fs::read_to_string(out.join("plan.svg")).expect("chart written");
    assert_eq!(svg.matches("<rect class=\"stage\"").count(), 4);
    assert!(svg.contains("data-stage=\"retention\" data-volume=\"1500\""));
    assert!(svg.contains("945 (revenue 141,750)"));
    assert!(!dir.path().join("escape.svg").exists());
}

#[test]
fn funnel_plan_script_matches_golden() {
    let (dir, text) = script_matches_golden("scripts/funnel_plan.rhai", "funnel_plan.stdout");
    let out = dir.path();
    // The handbook figures, as the script prints them.
    for figure in [
        "176,366.8 entering",
        "945.0 conversions, revenue 141,750.0",
        "25,000.0    833,333.3   41,666.7",
        "1,500 x 70.0% = 1,050, not 1,000",
        "1,000 x 90.0% x 150 = 135,000 falls short of the 1,000,000 goal",
    ] {
        assert!(text.contains(figure), "{figure}");
    }
    let svg = std::fs::read_to_string(out.join("funnel_plan.svg")).expect("chart written");
    assert_eq!(svg.matches("<rect class=\"stage\"").count(), 4);
    assert!(svg.contains("Handbook funnel: 25,000 visitors"));
}
