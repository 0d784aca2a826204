//! The funnel domain (planning half) end to end: the handbook figures from scripts,
//! and script-level errors.

mod common;
use common::*;

fn run_snippet(code: &str) -> (Option<i32>, String, String) {
    let dir = workdir();
    std::fs::write(dir.path().join("s.rhai"), code).expect("write script");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    (o.status.code(), stdout(&o), stderr(&o))
}

const HANDBOOK: &str = "let f = funnel([\n\
    #{ name: \"acquisition\", rate: 0.15 },\n\
    #{ name: \"activation\", rate: 0.40 },\n\
    #{ name: \"retention\", rate: 0.70 },\n\
    #{ name: \"monetization\", rate: 0.90 },\n\
], #{ aov: 150 });\n";

#[test]
fn handbook_figures_from_a_script() {
    // domain.md section 2: 25,000 x 15% x 40% x 70% x 90% = 945 conversions, x 150 =
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
