//! The A/B test domain end to end: `scripts/ab_landing_pages.rhai` against its golden
//! output, the readout over a summary CSV, and script-level errors.

mod common;
use common::*;

#[test]
fn ab_landing_pages_script_matches_golden() {
    script_matches_golden("scripts/ab_landing_pages.rhai", "ab_landing_pages.stdout");
}

#[test]
fn readout_over_summary_rows_with_revenue() {
    let csv = "variant,users,conversions,revenue_sum,revenue_sumsq\n\
               control,5000,150,24000,4200000\n\
               new_page,5000,180,29500,5300000\n";
    let (code, out, err) = run_with_files(
        "let r = ab_report(load_csv(\"summary.csv\"), #{ control: \"control\" });\nprint(r);",
        &[("summary.csv", csv)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Conversion (10,000 users, control arm 'control')"),
        "{out}"
    );
    assert!(
        out.contains("Revenue per user (control arm 'control')"),
        "{out}"
    );
    assert!(!out.contains("control control"), "{out}");
    assert!(out.contains("revenue p: Welch's t-test"), "{out}");
}

#[test]
fn every_result_names_its_method() {
    let (code, out, err) = run_with_files(
        "print(ztest_props(120, 2400, 150, 2400).method);\n\
         print(chi2_2x2(120, 2400, 150, 2400, #{ yates: true }).method);\n\
         print(diff_ci(120, 2400, 150, 2400).method);\n\
         print(sample_size(0.1, 0.15).n_per_arm);\n",
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "pooled two-proportion z-test\nPearson chi-square with Yates continuity correction\nNewcombe hybrid score\n686\n"
    );
}

#[test]
fn script_errors_name_the_argument_and_reason() {
    let (code, _, err) = run_with_files("ztest_props(11, 10, 5, 10);", &[]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("ztest_props: x_a (conversions in arm A) must be a whole number from 0 to n_a (10), got 11"),
        "{err}"
    );
    let (_, _, err) = run_with_files("ztest_props(0, 50, 0, 60);", &[]);
    assert!(err.contains("both rates are 0%"), "{err}");
    let (_, _, err) = run_with_files("wilson_ci(3, 10, #{ level: 95 });", &[]);
    assert!(
        err.contains("wilson_ci: level must be between 0 and 1"),
        "{err}"
    );
    let (_, _, err) = run_with_files("diff_ci(3, 10, 4, 10, #{ methd: \"wald\" });", &[]);
    assert!(err.contains("did you mean 'method'"), "{err}");
    let (_, _, err) = run_with_files("sample_size(0.1, 0.15, #{ power: 80 });", &[]);
    assert!(
        err.contains("sample_size: power must be between 0 and 1"),
        "{err}"
    );
    let (_, _, err) = run_with_files("chi2_2x2(3, -10, 4, 10);", &[]);
    assert!(
        err.contains("n_a (users in arm A) must be a whole number from 1 to 1e15, got -10"),
        "{err}"
    );
    let (_, _, err) = run_with_files(
        "ab_report(load_csv(\"v.csv\"), #{ control: \"A\" });",
        &[("v.csv", "variant,converted\nA,1\nB,yes\n")],
    );
    assert!(err.contains("v.csv") && err.contains("converted"), "{err}");
}

/// Hardening: a power at or below alpha is refused with the reason, for every function
/// that takes a design.
#[test]
fn power_must_exceed_alpha() {
    for call in [
        "sample_size(0.10, 0.15, #{ power: 0.02 });",
        "sample_size(0.10, 0.15, #{ power: 0.01 });",
        "mde(0.03, 20000, #{ power: 0.01 });",
        "sample_size(0.10, 0.15, #{ power: 0.05 });",
    ] {
        let (code, out, err) = run_with_files(call, &[]);
        assert_eq!(code, Some(1), "{call}: {out}");
        assert!(
            err.contains("power must be greater than alpha (0.05)"),
            "{call}: {err}"
        );
        assert!(
            err.contains("rejects with probability alpha"),
            "{call}: {err}"
        );
    }
    let (code, out, err) = run_with_files(
        "print(sample_size(0.10, 0.15, #{ power: 0.06 }).n_per_arm);",
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.trim().parse::<i64>().expect("n") > 1, "{out}");
}

/// Hardening: no NaN from huge inputs: an error naming the input, or a finite value.
#[test]
fn huge_inputs_give_an_error_or_a_finite_value() {
    let (code, _, err) = run_with_files("srm_test([1e308, 4900], [50, 50]);", &[]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("srm_test: observed count 1 must be a whole number from 0 to 1e15"),
        "{err}"
    );
    let (code, out, err) = run_with_files(
        "let w = welch_t(100, 1e308, 50, 105, 25, 60); print(w.df); print(w.p_value);",
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let v: Vec<f64> = out.lines().map(|l| l.parse().expect("number")).collect();
    // all the variance is arm A's: df = n_a - 1, and t is 0 to double precision
    assert!((v[0] - 49.0).abs() < 1e-9, "{out}");
    assert!((v[1] - 1.0).abs() < 1e-12, "{out}");
}

/// Hardening: equal arms of 1e8 users are exactly even, and the count does not cost time
/// (the panels method is named in the result).
#[test]
fn prob_beat_of_equal_huge_arms_is_one_half() {
    let (code, out, err) = run_with_files(
        "let r = prob_beat(40000000, 1e8, 40000000, 1e8); print(r.prob); print(r.method);\n\
         let s = prob_beat(40000000000, 100000000000, 40000100000, 100000000000); print(s.prob);",
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let p: f64 = lines[0].parse().expect("p");
    assert!((p - 0.5).abs() <= 1e-9, "{out}");
    assert!(lines[1].contains("Gauss-Legendre panels"), "{out}");
    // mpmath at 40 digits (fixtures/abtest/bayes_reference.json)
    let p: f64 = lines[2].parse().expect("p");
    assert!((p - 0.675_961_531_746_647_1).abs() <= 1e-9, "{out}");
}

/// Hardening: an arm with a single user is named in words, without internal names.
#[test]
fn revenue_of_a_one_user_arm_is_a_clear_error() {
    let (code, _, err) = run_with_files(
        "ab_report(load_csv(\"v.csv\"), #{ control: \"A\", revenue: \"revenue\" });",
        &[(
            "v.csv",
            "variant,converted,revenue\nA,1,10\nA,0,0\nA,0,0\nB,1,12\n",
        )],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "ab_report: arm 'B' has 1 user; revenue per user needs at least 2 users in every arm"
        ),
        "{err}"
    );
    assert!(!err.contains("n_x") && !err.contains("_x "), "{err}");
}

/// Hardening: a readout over 1e11 users per arm uses the method whose cost does not
/// grow with the counts, and says so.
#[test]
fn readout_of_huge_arms_names_the_panels_method() {
    let csv = "variant,users,conversions\nA,100000000000,4000000000\nB,100000000000,4000100000\n";
    let (code, out, err) = run_with_files(
        "let r = ab_report(load_csv(\"s.csv\"), #{ control: \"A\" }); print(r.methods);",
        &[("s.csv", csv)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Gauss-Legendre panels"), "{out}");
}

/// Daily summary rows under the team's own column names, mapped with `columns`.
#[test]
fn readout_over_daily_summary_rows_with_mapped_columns() {
    let csv = "date,arm,uv,orders,gmv,gmv_sq\n\
               2024-07-01,control,2500,70,11000,2100000\n\
               2024-07-01,new,2500,85,13900,2650000\n\
               2024-07-02,control,2500,80,13000,2300000\n\
               2024-07-02,new,2500,95,15600,2800000\n";
    let (code, out, err) = run_with_files(
        "let r = ab_report(load_csv(\"s.csv\"), #{ control: \"control\", sequential: true,\n\
           columns: #{ variant: \"arm\", users: \"uv\", conversions: \"orders\", revenue: \"gmv\", revenue_sq: \"gmv_sq\", day: \"date\" } });\n\
         print(r.table.row(1).users); print(r.table.row(1).conversions); print(r);",
        &[("s.csv", csv)],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("5000\n180\n"), "{out}");
    assert!(out.contains("over 2 daily looks"), "{out}");
    assert!(
        out.contains("Revenue per user (control arm 'control')"),
        "{out}"
    );
    let (code, _, err) = run_with_files(
        "ab_report(load_csv(\"s.csv\"), #{ columns: #{ user: \"uv\" } });",
        &[("s.csv", csv)],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("did you mean 'users'"), "{err}");
}

/// Arms given as arrays are named by their position, without internal names.
#[test]
fn bad_arms_in_arrays_are_named_by_position() {
    for call in [
        "prob_best([3, 11], [10, 10]);",
        "chi2_arms([3, 11], [10, 10]);",
    ] {
        let (code, _, err) = run_with_files(call, &[]);
        assert_eq!(code, Some(1), "{call}");
        assert!(
            err.contains("arm 2 has 11 conversions out of 10 users; users must be a whole number from 1 to 1e15"),
            "{call}: {err}"
        );
        assert!(!err.contains("x_a"), "{err}");
    }
}

#[test]
fn range_messages_show_huge_numbers_without_fake_digits() {
    let (code, _, err) = run_snippet("sample_size(0.1, 0.15, #{ alpha: 9223372036854775807 })");
    assert_eq!(code, Some(1));
    assert!(err.contains("got 9.223372036854776e18"), "{err}");
    assert!(!err.contains("9223372036854776000"), "{err}");
}

#[test]
fn a_difference_too_small_to_detect_is_an_error_not_infinity() {
    let (code, _, err) = run_snippet("sample_size(0.0, 4.9e-324)");
    assert_eq!(code, Some(1));
    assert!(err.contains("differ by too little to detect"), "{err}");
}

#[test]
fn the_relative_mde_from_a_zero_base_is_unit_not_infinity() {
    let (code, out, err) =
        run_snippet("let m = mde(0, 2000); print(m.relative); print(m.abs > 0.0);");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "\ntrue\n");
}
