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
        out.contains("Conversion (10,000 users, control control)"),
        "{out}"
    );
    assert!(out.contains("Revenue per user (control control)"), "{out}");
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
        err.contains("n_a (users in arm A) must be a whole number of at least 1, got -10"),
        "{err}"
    );
    let (_, _, err) = run_with_files(
        "ab_report(load_csv(\"v.csv\"), #{ control: \"A\" });",
        &[("v.csv", "variant,converted\nA,1\nB,yes\n")],
    );
    assert!(err.contains("v.csv") && err.contains("converted"), "{err}");
}
