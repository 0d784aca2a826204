//! The scenario domain end to end: `scripts/whatif_summer_promo.rhai` against its
//! golden output (with `pacer run` and with `:load` in the REPL), reproducibility across
//! threads, and script-level errors that name the argument.

mod common;
use common::*;

fn run_args(code: &str, extra: &[&str]) -> Run {
    let dir = workdir();
    run_in_with(dir.path(), code, extra)
}

fn fails_with(code: &str, needle: &str) {
    let (status, out, err) = run_snippet(code);
    assert_eq!(status, Some(1), "should fail: {code}\nstdout: {out}");
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
}

#[test]
fn whatif_script_matches_golden() {
    let (dir, text) = script_matches_golden(
        "scripts/whatif_summer_promo.rhai",
        "whatif_summer_promo.stdout",
    );
    let out = dir.path();
    for svg in [
        "whatif_revenue_histogram.svg",
        "whatif_tornado.svg",
        "whatif_sensitivity.svg",
    ] {
        let text = std::fs::read_to_string(out.join(svg)).expect("chart written");
        assert!(text.starts_with("<svg") && text.contains("<rect"), "{svg}");
    }
    // the same digits with one native thread
    let o1 = pacer(&[
        "run",
        "scripts/whatif_summer_promo.rhai",
        "--out",
        out.to_str().expect("utf8"),
        "--jobs",
        "1",
    ]);
    assert_eq!(
        stdout(&o1).replace(out.to_str().expect("utf8"), "OUT"),
        text
    );
}

#[test]
fn whatif_script_loads_in_the_repl() {
    let dir = workdir();
    let out = dir.path().join("out");
    let o = pacer_in(
        &root(),
        &["repl", "--out", out.to_str().expect("utf8")],
        ":load scripts/whatif_summer_promo.rhai\nprint(need > 0.39 && need < 0.4)\n",
    );
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        s.contains("Activation rate needed for 1000000: 39.24% (now 40%)"),
        "{s}"
    );
    assert!(s.contains("Chance of reaching 1000000:"), "{s}");
    assert!(s.trim_end().ends_with("true"), "{s}");
}

#[test]
fn same_seed_same_digits_across_threads_and_jobs() {
    let code = "let m = funnel_model([#{ name: \"a\", rate: dist_beta(15, 85) }, #{ name: \"b\", rate: dist_beta_observed(240, 600) }], #{ entering: dist_normal(100000, 5000), aov: 150 });\n\
                let one = simulate(100000, #{ seed: 7, threads: 1 }, m);\n\
                let two = simulate(100000, #{ seed: 7, threads: 2 }, m);\n\
                print(one.mean == two.mean && one.sd == two.sd && one.percentile(37.5) == two.percentile(37.5));\n\
                let s = simulate(100000, #{ seed: 7 }, m);\n\
                print(`${s.mean} ${s.sd} ${s.p5} ${s.p50} ${s.p95}`);\n\
                let c = simulate(40000, #{ seed: 7, threads: 2 }, |d| d.normal(10.0, 2.0) * d.beta(30, 970));\n\
                print(`${c.mean} ${c.sd}`);\n";
    let (c1, o1, e1) = run_args(code, &["--jobs", "1"]);
    let (c2, o2, e2) = run_args(code, &["--jobs", "2"]);
    assert_eq!((c1, c2), (Some(0), Some(0)), "{e1}{e2}");
    assert!(o1.starts_with("true\n"), "{o1}");
    assert_eq!(o1, o2);
}

#[test]
fn closure_monte_carlo_mean_is_within_four_standard_errors() {
    // E[N(10, 2) x Beta(30, 970)] = 10 x 30 / 1000 = 0.3 (independent draws).
    let (code, out, err) = run_snippet(
        "for seed in [1, 2, 3] {\n\
           let s = simulate(20000, #{ seed: seed }, |d| d.normal(10.0, 2.0) * d.beta(30, 970));\n\
           print((s.mean - 0.3) / s.se);\n\
         }\n",
    );
    assert_eq!(code, Some(0), "{err}");
    for line in out.lines() {
        let z: f64 = line.parse().expect("a number");
        assert!(z.abs() < 4.0, "z = {z}");
    }
}

#[test]
fn handbook_goal_seek_from_a_script() {
    // 100,000 visitors x 15% x r x 70% x 90% x 150 = 1,000,000 => r = 1e6 / 1,417,500.
    let (code, out, err) = run_snippet(
        "let m = funnel_model([#{ name: \"acquisition\", rate: 0.15 }, #{ name: \"activation\", rate: 0.4 },\n\
                               #{ name: \"retention\", rate: 0.7 }, #{ name: \"monetization\", rate: 0.9 }],\n\
                              #{ entering: 100000, aov: 150 });\n\
         let closed = 1000000.0 / 1417500.0;\n\
         print(((goal_seek(m, \"activation\", 1000000, 0.0, 1.0) - closed) / closed).abs() < 1e-9);\n\
         print(((goal_seek(|x| 100000 * 0.15 * x * 0.7 * 0.9 * 150, 1000000, 0, 1) - closed) / closed).abs() < 1e-9);\n\
         print(((required(m, \"activation\", 1000000) - closed) / closed).abs() < 1e-12);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\ntrue\n");
}

#[test]
fn bad_input_names_the_argument() {
    fails_with(
        "goal_seek(|x| 25000 * 0.15 * x * 0.7 * 0.9 * 150, 1000000, 0.0, 1.0);",
        "goal_seek: the target 1000000 is not bracketed",
    );
    fails_with(
        "sweep(#{ ctr: [0.02], cpm: [] }, |p| p.ctr);",
        "sweep: parameter 'cpm' has no values",
    );
    fails_with(
        "sweep(#{ cpm: range(60, 60) }, |p| p.cpm);",
        "sweep: parameter 'cpm' has no values",
    );
    fails_with("sweep([], |p| 1);", "sweep: the list of cases is empty");
    fails_with(
        "simulate(100, #{ seed: 1 }, |d| d.normal(10.0, -2.0));",
        "normal: sd must be a positive number, got -2",
    );
    fails_with(
        "simulate(100, #{ seed: 1 }, |d| d.beta(0, 5));",
        "beta: a must be a positive number, got 0",
    );
    fails_with(
        "dist_beta(-1, 5);",
        "beta: a must be a positive number, got -1",
    );
    fails_with(
        "simulate(10, #{}, |d| \"high\");",
        "simulate: the closure's result in trial 1 must be a number, got string \"high\"",
    );
    fails_with(
        "goal_seek(|x| \"x\", 1, 0, 1);",
        "goal_seek: the function's result at x = 0 must be a number, got string \"x\"",
    );
    fails_with(
        "sweep(#{ ctr: [0.02, 0.03] }, |p| \"n/a\");",
        "sweep: the closure's result at point 1 (ctr = 0.02) must be a number or an object map of numbers, got string \"n/a\"",
    );
    fails_with(
        "sweep(#{ ctr: [0.02] }, |p| #{ visitors: [1, 2] });",
        "sweep: the closure's result at point 1 (ctr = 0.02), field 'visitors' must be a number, string, boolean or ()",
    );
    fails_with(
        "scenarios(table([#{ scenario: \"base\", ctr: 0.02 }]), |p| #{ visitors: \"many\" });",
        "scenarios: the closure's result for 'base', field 'visitors' must be a number, got string \"many\"",
    );
    fails_with(
        "simulate(0, #{}, |d| 1);",
        "simulate: n must be a whole number of trials from 1 to",
    );
    fails_with("simulate(10, #{ sed: 1 }, |d| 1);", "did you mean 'seed'");
    fails_with(
        "funnel_model([#{ name: \"a\", rate: 1.5 }], #{ entering: 100 });",
        "stage 'a': rate must be a rate between 0 and 1, got 1.5",
    );
    fails_with(
        "funnel_model([#{ name: \"a\", rate: dist_normal(0.4, 0.1) }], #{ entering: 100 });",
        "stage 'a': an uncertain rate must stay between 0 and 1",
    );
    fails_with(
        "let m = funnel_model([#{ name: \"a\", rate: 0.4 }], #{ entering: 100, aov: 10 }); required(m, \"a\", 2500);",
        "stage 'a' would need a rate of 2.500000 (above 100%)",
    );
    fails_with(
        "goal_seek(|x| x, 0.5, 0, 1, #{ tol: -1 });",
        "goal_seek: option 'tol' must be a positive number, got -1",
    );
}

#[test]
fn closures_run_under_the_engine_limits() {
    let (code, _, err) = run_args(
        "sweep(#{ x: range(0, 1000) }, |p| { let s = 0; for i in 0..1000 { s += i; } s });",
        &["--max-ops", "100000"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("operation limit of 100,000"), "{err}");
    let (code, _, err) = run_args(
        "simulate(50000000, #{ seed: 1 }, |d| d.uniform(0, 1));",
        &["--timeout", "1", "--max-ops", "100000000000"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("time limit"), "{err}");
}

#[test]
fn closure_and_native_simulations_draw_the_same_numbers() {
    // Fixed inputs draw nothing, so a closure that draws the four rates in stage order
    // consumes the same random stream as the native model: same digits.
    let (code, out, err) = run_snippet(
        "let u = funnel_model([#{ name: \"a\", rate: dist_beta(601, 3401) }, #{ name: \"b\", rate: dist_beta(241, 361) },\n\
                               #{ name: \"c\", rate: dist_beta(169, 73) }, #{ name: \"d\", rate: dist_beta(152, 18) }],\n\
                              #{ entering: 180000, aov: 150 });\n\
         let n = simulate(40000, #{ seed: 11 }, u);\n\
         let c = simulate(40000, #{ seed: 11 }, |d| 180000.0 * d.beta(601, 3401) * d.beta(241, 361) * d.beta(169, 73) * d.beta(152, 18) * 150.0);\n\
         print(n.mean == c.mean && n.p5 == c.p5 && n.p95 == c.p95 && n.sd == c.sd);\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "true\n");
}

#[test]
fn scenario_csv_errors_name_file_line_and_column() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("sc.csv"),
        "scenario,entering,activation\nbase,180000,40%\noptimistic,200000,lots\n",
    )
    .expect("write csv");
    std::fs::write(
        dir.path().join("s.rhai"),
        "let m = funnel_model([#{ name: \"activation\", rate: 0.4 }], #{ entering: 1000, aov: 150 });\n\
         print(scenarios(load_csv(\"sc.csv\"), m));\n",
    )
    .expect("write script");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("sc.csv:3: column 'activation': expected a number"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("sc.csv"),
        "scenario,entering,activaton\nbase,180000,40%\n",
    )
    .expect("write csv");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    assert!(
        stderr(&o)
            .contains("scenarios: the model has no input 'activaton' (did you mean 'activation'?)"),
        "{}",
        stderr(&o)
    );
}

const TWO_RATES: &str = "let m = funnel_model([#{ name: \"ctr\", rate: dist_beta(30, 970) }, #{ name: \"cvr\", rate: dist_beta(40, 60) }],\n\
                           #{ entering: 100000, aov: dist_lognormal(5.0, 0.3) });\n";

#[test]
fn correlated_inputs_from_a_script() {
    // The pair list and the matrix say the same thing and give the same digits; a
    // negative correlation between two factors of a product narrows its spread; the
    // same seed gives the same digits with one thread or two.
    let code = format!(
        "{TWO_RATES}\
         let free = simulate(50000, #{{ seed: 3 }}, m);\n\
         let pairs = simulate(50000, #{{ seed: 3, correlate: [#{{ a: \"ctr\", b: \"cvr\", rho: -0.7 }}] }}, m);\n\
         let matrix = simulate(50000, #{{ seed: 3, threads: 1, correlate: #{{ inputs: [\"cvr\", \"ctr\"], matrix: [[1, -0.7], [-0.7, 1]] }} }}, m);\n\
         print(pairs.mean == matrix.mean && pairs.sd == matrix.sd && pairs.p95 == matrix.p95);\n\
         print(pairs.sd < free.sd * 0.9);\n"
    );
    let (status, out, err) = run_snippet(&code);
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\n");
}

#[test]
fn correlation_errors_name_the_pair_or_the_input() {
    let pre = TWO_RATES;
    fails_with(
        &format!("{pre}simulate(100, #{{ correlate: [#{{ a: \"ctr\", b: \"cvr\", rho: 0.9 }}, #{{ a: \"cvr\", b: \"aov\", rho: 0.9 }}, #{{ a: \"ctr\", b: \"aov\", rho: -0.9 }}] }}, m);"),
        "the correlation of 'ctr' and 'aov' must lie between 0.62 and 1, got -0.9",
    );
    fails_with(
        &format!("{pre}simulate(100, #{{ correlate: [#{{ a: \"ctr\", b: \"entering\", rho: 0.5 }}] }}, m);"),
        "input 'entering' is a fixed number",
    );
    fails_with(
        &format!(
            "{pre}simulate(100, #{{ correlate: [#{{ a: \"ctr\", b: \"cvr\", rho: 1.2 }}] }}, m);"
        ),
        "the correlation of 'ctr' and 'cvr' must be between -1 and 1, got 1.2",
    );
    fails_with(
        &format!(
            "{pre}simulate(100, #{{ correlate: [#{{ a: \"ctr\", b: \"cvr\", r: 0.5 }}] }}, m);"
        ),
        "correlate pair 1",
    );
    fails_with(
        "simulate(100, #{ correlate: [] }, |d| d.uniform(0, 1));",
        "option 'correlate' needs a native model",
    );
    fails_with(
        &format!("{pre}simulate(50000000, #{{ sensitivity: true }}, m);"),
        "use at most 28571428 trials",
    );
    fails_with(
        &format!("{pre}print(simulate(100, #{{ seed: 1 }}, m).sensitivity);"),
        "simulate a model with #{ sensitivity: true }",
    );
}

#[test]
fn sensitivity_table_and_tornado_from_a_script() {
    let dir = workdir();
    let out = dir.path().join("out");
    let code = format!(
        "{TWO_RATES}\
         let s = simulate(20000, #{{ seed: 1, sensitivity: true }}, m);\n\
         let t = s.sensitivity.table;\n\
         print(t[\"input\"].to_array()[0]);\n\
         print(t[\"contribution\"].sum());\n\
         write_text(\"sensitivity.svg\", s.sensitivity.svg);\n"
    );
    let (status, stdout, err) =
        run_in_with(dir.path(), &code, &["--out", out.to_str().expect("utf8")]);
    assert_eq!(status, Some(0), "{err}");
    let lines: Vec<&str> = stdout.lines().collect();
    // the log-normal order value (cv 0.31) moves revenue most, ahead of the beta
    // rates (cv 0.18 and 0.12)
    assert_eq!(lines[0], "aov");
    let total: f64 = lines[1].parse().expect("number");
    assert!((total - 1.0).abs() < 1e-12, "{total}");
    let svg = std::fs::read_to_string(out.join("sensitivity.svg")).expect("svg");
    // the background and one bar per input
    assert!(
        svg.starts_with("<svg") && svg.matches("<rect").count() == 4,
        "{svg}"
    );
    assert!(["aov", "ctr", "cvr"]
        .iter()
        .all(|n| svg.contains(&format!(">{n}</text>"))));
}

#[test]
fn fit_distribution_from_a_table_column_matches_scipy() {
    // scipy.stats.gamma.fit(x, floc=0) on the `gamma` sample of
    // fixtures/scenario/fit_samples.csv: shape 2.261844837552144, scale 433.401608408611
    // (fixtures/scenario/fit_references.csv)
    let (status, out, err) = run_at_root(
        "let t = load_csv(\"fixtures/scenario/fit_samples.csv\");\n\
         let x = t.filter(t[\"sample\"] == \"gamma\")[\"value\"];\n\
         let f = fit_distribution(x, \"gamma\");\n\
         print((f.params.shape / 2.261844837552144 - 1).abs() < 1e-9);\n\
         print((f.params.scale / 433.401608408611 - 1).abs() < 1e-9);\n\
         let best = fit_distribution(x, \"best\");\n\
         print(best.family);\n\
         print(best.candidates.rows);\n\
         print(simulate(1000, #{ seed: 1 }, funnel_model([#{ name: \"r\", rate: 0.5 }], #{ entering: 1, aov: best.dist })).n);\n",
    );
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out, "true\ntrue\ngamma\n5\n1000\n");
    fails_with(
        "fit_distribution([0.2, 0.5, 1.5], \"beta\");",
        "a beta distribution needs values strictly between 0 and 1; value 3 is 1.5",
    );
    fails_with(
        "fit_distribution([1, 2, 3], \"gama\");",
        "did you mean 'gamma'",
    );
    fails_with(
        "fit_distribution(\"1, 2\", \"normal\");",
        "must be a list of numbers or a table column",
    );
}
