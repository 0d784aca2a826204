//! Every primitive against the reference fixture `fixtures/abtest/reference.json`
//! (scipy / statsmodels / mpmath values written by `fixtures/abtest/make_reference.py`),
//! to 1e-6 relative, tiny p-values included.

use super::*;
use serde_json::Value as J;

fn reference() -> J {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/reference.json"
    );
    let text = std::fs::read_to_string(path).expect("reference fixture");
    serde_json::from_str(&text).expect("reference json")
}

fn cases(name: &str) -> Vec<J> {
    let r = reference();
    let v = r[name].as_array().expect(name).clone();
    assert!(v.len() >= 20, "{name}: only {} reference cases", v.len());
    v
}

fn g(c: &J, k: &str) -> f64 {
    c[k].as_f64().unwrap_or_else(|| panic!("{k} in {c}"))
}

#[track_caller]
fn near(got: f64, want: f64, what: &str, c: &J) {
    let ok = (got - want).abs() <= 1e-6 * want.abs() + 1e-14;
    assert!(ok, "{what}: got {got:e}, want {want:e} in {c}");
}

fn arms(c: &J) -> Result<(Arm, Arm), AbError> {
    Ok((
        Arm::new(g(c, "x_a"), g(c, "n_a"), "t", "a")?,
        Arm::new(g(c, "x_b"), g(c, "n_b"), "t", "b")?,
    ))
}

fn is_err(c: &J) -> bool {
    c.get("error").and_then(J::as_bool).unwrap_or(false)
}

#[test]
fn ztest_matches_statsmodels() {
    for c in cases("ztest_props") {
        let (a, b) = arms(&c).expect("arms");
        let alt = Alternative::parse(c["alternative"].as_str().expect("alt"), "t").expect("alt");
        let r = ztest_props(a, b, alt);
        if is_err(&c) {
            let e = r.expect_err("undefined").to_string();
            assert!(e.contains("standard error is 0"), "{e}");
            continue;
        }
        let r = r.expect("ztest");
        near(r.z, g(&c, "z"), "z", &c);
        near(r.p_value, g(&c, "p_value"), "p", &c);
    }
}

#[test]
fn chi2_matches_scipy() {
    for c in cases("chi2_2x2") {
        let (a, b) = arms(&c).expect("arms");
        let r = chi2_2x2(a, b, c["yates"].as_bool().expect("yates"));
        if is_err(&c) {
            assert!(r.is_err(), "{c}");
            continue;
        }
        let r = r.expect("chi2");
        near(r.statistic, g(&c, "statistic"), "statistic", &c);
        near(r.p_value, g(&c, "p_value"), "p", &c);
    }
}

#[test]
fn fisher_matches_scipy() {
    for c in cases("fisher_exact") {
        let (a, b) = arms(&c).expect("arms");
        let r = fisher_exact(a, b);
        near(r.p_value, g(&c, "p_value"), "p", &c);
        match &c["odds_ratio"] {
            J::Null => assert_eq!(r.odds_ratio, None, "{c}"),
            J::String(_) => assert_eq!(r.odds_ratio, Some(f64::INFINITY), "{c}"),
            v => near(
                r.odds_ratio.expect("odds ratio"),
                v.as_f64().expect("or"),
                "odds ratio",
                &c,
            ),
        }
    }
}

#[test]
fn wilson_matches_statsmodels() {
    for c in cases("wilson_ci") {
        let arm = Arm::new(g(&c, "x"), g(&c, "n"), "t", "a").expect("arm");
        let r = wilson_ci(arm, g(&c, "level")).expect("wilson");
        near(r.low, g(&c, "low"), "low", &c);
        near(r.high, g(&c, "high"), "high", &c);
    }
}

#[test]
fn diff_ci_matches_statsmodels() {
    for c in cases("diff_ci") {
        let (a, b) = arms(&c).expect("arms");
        let m = DiffMethod::parse(c["method"].as_str().expect("method")).expect("method");
        let r = diff_ci(a, b, g(&c, "level"), m);
        if is_err(&c) {
            assert!(r
                .expect_err("undefined")
                .to_string()
                .contains("standard error is 0"));
            continue;
        }
        let r = r.expect("diff_ci");
        near(r.low, g(&c, "low"), "low", &c);
        near(r.high, g(&c, "high"), "high", &c);
    }
}

#[test]
fn lift_ci_matches_statsmodels() {
    for c in cases("lift_ci") {
        let (a, b) = arms(&c).expect("arms");
        let r = lift_ci(a, b, g(&c, "level"));
        if is_err(&c) {
            assert!(r
                .expect_err("undefined")
                .to_string()
                .contains("no conversions"));
            continue;
        }
        let r = r.expect("lift_ci");
        near(r.low, g(&c, "low"), "low", &c);
        near(r.high, g(&c, "high"), "high", &c);
    }
}

#[test]
fn welch_matches_scipy() {
    for c in cases("welch_t") {
        let s = |arm: &str| {
            Summary::new(
                g(&c, &format!("mean_{arm}")),
                g(&c, &format!("sd_{arm}")),
                g(&c, &format!("n_{arm}")),
                "t",
                arm,
            )
            .expect("summary")
        };
        let r = welch_t(s("a"), s("b"));
        if is_err(&c) {
            assert!(r
                .expect_err("undefined")
                .to_string()
                .contains("standard error is 0"));
            continue;
        }
        let r = r.expect("welch");
        near(r.t, g(&c, "t"), "t", &c);
        near(r.df, g(&c, "df"), "df", &c);
        near(r.p_value, g(&c, "p_value"), "p", &c);
    }
}

#[test]
fn welch_from_raw_values_matches_scipy() {
    let r = reference();
    for c in r["welch_raw"].as_array().expect("welch_raw") {
        let v = |k: &str| -> Vec<f64> {
            c[k].as_array()
                .expect(k)
                .iter()
                .map(|x| x.as_f64().expect("x"))
                .collect()
        };
        let a = Summary::of(&v("a"), "t", "a").expect("a");
        let b = Summary::of(&v("b"), "t", "b").expect("b");
        let w = welch_t(a, b).expect("welch");
        near(w.t, g(c, "t"), "t", c);
        near(w.p_value, g(c, "p_value"), "p", c);
    }
}

#[test]
fn bad_counts_and_levels_are_clear_errors() {
    let e = Arm::new(11.0, 10.0, "ztest_props", "a").expect_err("x > n");
    assert_eq!(
        e.to_string(),
        "ztest_props: x_a (conversions in arm A) must be a whole number from 0 to n_a (10), got 11"
    );
    let e = Arm::new(0.0, -5.0, "ztest_props", "b").expect_err("negative n");
    assert!(e
        .to_string()
        .contains("n_b (users in arm B) must be a whole number from 1 to 1e15"));
    assert!(Arm::new(0.0, 0.0, "f", "a").is_err());
    assert!(Arm::new(1.5, 10.0, "f", "a").is_err());
    assert!(Arm::new(f64::NAN, 10.0, "f", "a").is_err());
    let arm = Arm::new(3.0, 10.0, "f", "a").expect("arm");
    for level in [0.0, 1.0, 1.5, -0.1, f64::NAN] {
        let e = wilson_ci(arm, level).expect_err("level");
        assert!(e
            .to_string()
            .contains("wilson_ci: level must be between 0 and 1"));
    }
    assert!(Summary::new(1.0, -1.0, 10.0, "welch_t", "a").is_err());
    assert!(Summary::new(1.0, 1.0, 1.0, "welch_t", "a").is_err());
}

fn rate(v: f64) -> crate::units::Rate {
    crate::units::Rate::new(v, "t").expect("rate")
}

fn method(c: &J) -> PowerMethod {
    PowerMethod::parse(c["method"].as_str().expect("method"), "t").expect("method")
}

fn floats(c: &J, k: &str) -> Vec<f64> {
    c[k].as_array()
        .expect(k)
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn sample_size_matches_fleiss_and_statsmodels() {
    for c in cases("sample_size") {
        let d = Design::new(g(&c, "alpha"), g(&c, "power"), method(&c), "t").expect("design");
        let r = sample_size(rate(g(&c, "p_base")), rate(g(&c, "p_target")), d).expect("n");
        near(r.n_exact, g(&c, "n_exact"), "n_exact", &c);
        assert_eq!(r.n_per_arm, g(&c, "n_per_arm"), "{c}");
    }
}

#[test]
fn sample_size_worked_example() {
    // Fleiss without continuity correction, 10% -> 15% at alpha 0.05, power 0.8, by hand:
    // (1.959964 sqrt(2 * 0.125 * 0.875) + 0.841621 sqrt(0.1 * 0.9 + 0.15 * 0.85))² / 0.05²
    // = (0.916703 + 0.392506)² / 0.0025 = 685.60, so 686 users per arm.
    let r = sample_size(rate(0.10), rate(0.15), Design::default()).expect("n");
    assert_eq!(r.n_per_arm, 686.0);
    assert!((r.n_exact - 685.60).abs() < 0.01, "{}", r.n_exact);
    let e = sample_size(rate(0.1), rate(0.1), Design::default()).expect_err("equal");
    assert!(e.to_string().contains("no difference to detect"));
}

#[test]
fn power_matches_reference() {
    for c in cases("power") {
        let p = power(
            rate(g(&c, "p_base")),
            rate(g(&c, "p_target")),
            g(&c, "n"),
            g(&c, "alpha"),
            method(&c),
        )
        .expect("power");
        near(p, g(&c, "power"), "power", &c);
    }
}

#[test]
fn mde_matches_reference() {
    for c in cases("mde") {
        let d = Design::new(g(&c, "alpha"), g(&c, "power"), method(&c), "t").expect("design");
        let r = mde(rate(g(&c, "p_base")), g(&c, "n"), d).expect("mde");
        near(r.p_target, g(&c, "p_target"), "p_target", &c);
    }
}

#[test]
fn srm_matches_scipy() {
    for c in cases("srm_test") {
        let r = srm_test(&floats(&c, "observed"), &floats(&c, "weights")).expect("srm");
        near(r.statistic, g(&c, "statistic"), "statistic", &c);
        near(r.p_value, g(&c, "p_value"), "p", &c);
    }
    assert!(srm_test(&[10.0, 10.0], &[1.0]).is_err());
    assert!(srm_test(&[10.0, 10.0], &[1.0, 0.0]).is_err());
    assert!(srm_test(&[0.0, 0.0], &[1.0, 1.0]).is_err());
}

#[test]
fn chi2_arms_matches_scipy() {
    for c in cases("chi2_arms") {
        let conv = floats(&c, "conversions");
        let tot = floats(&c, "totals");
        let arms: Vec<Arm> = conv
            .iter()
            .zip(&tot)
            .map(|(&x, &n)| Arm::new(x, n, "t", "a").expect("arm"))
            .collect();
        let r = chi2_arms(&arms);
        if is_err(&c) {
            assert!(r.expect_err("undefined").to_string().contains("undefined"));
            continue;
        }
        let r = r.expect("chi2_arms");
        near(r.statistic, g(&c, "statistic"), "statistic", &c);
        assert_eq!(r.df, g(&c, "df"));
        near(r.p_value, g(&c, "p_value"), "p", &c);
    }
}

#[test]
fn adjust_p_matches_multipletests() {
    for c in cases("adjust_p") {
        let m = Adjust::parse(c["method"].as_str().expect("method")).expect("method");
        let got = adjust_p(&floats(&c, "p"), m).expect("adjust");
        for (g_, w) in got.iter().zip(floats(&c, "adjusted")) {
            near(*g_, w, "adjusted", &c);
        }
    }
    assert!(adjust_p(&[], Adjust::Holm).is_err());
    assert!(adjust_p(&[1.2], Adjust::Holm).is_err());
}

#[test]
fn prob_beat_matches_numerical_integration() {
    for c in cases("prob_beat") {
        let (a, b) = arms(&c).expect("arms");
        let prior = |k: &str| {
            let v = floats(&c, k);
            BetaPrior::new(v[0], v[1], k).expect("prior")
        };
        let r = prob_beat(a, b, prior("prior_a"), prior("prior_b")).expect("prob_beat");
        near(r.prob, g(&c, "prob"), "prob", &c);
        near(r.loss_a, g(&c, "loss_a"), "loss_a", &c);
        near(r.loss_b, g(&c, "loss_b"), "loss_b", &c);
    }
    assert!(BetaPrior::new(0.0, 1.0, "prior_a").is_err());
}

/// Extreme counts (1e8 to 1e12 users per arm) against mpmath at 40 digits
/// (`fixtures/abtest/bayes_reference.json`): the panels method, whose cost does not
/// grow with the counts, holds P to 1e-9 and the losses to 1e-7 relative.
#[test]
fn prob_beat_at_extreme_counts_matches_mpmath() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/bayes_reference.json"
    );
    let r: J =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let cases = r["prob_beat_extreme"].as_array().expect("cases");
    assert!(cases.len() >= 7);
    for c in cases {
        let (a, b) = arms(c).expect("arms");
        let u = BetaPrior::uniform();
        let got = prob_beat(a, b, u, u).expect("prob_beat");
        assert_eq!(got.method, BeatMethod::Panels, "{c}");
        assert!(
            (got.prob - g(c, "prob")).abs() <= 1e-9,
            "prob {} in {c}",
            got.prob
        );
        for (v, k) in [(got.loss_a, "loss_a"), (got.loss_b, "loss_b")] {
            assert!((v - g(c, k)).abs() <= 1e-7 * g(c, k), "{k} {v:e} in {c}");
        }
    }
    // the case that read 0.4999933 by the long sum
    let a = Arm::new(4e7, 1e8, "t", "a").expect("a");
    let got = prob_beat(a, a, BetaPrior::uniform(), BetaPrior::uniform()).expect("beat");
    assert!((got.prob - 0.5).abs() <= 1e-9, "{}", got.prob);
    assert!(got.method.name().contains("cost independent of the counts"));
}

/// At the switch the closed-form sum and the panels agree.
#[test]
fn prob_beat_methods_agree_at_the_switch() {
    let (a, b) = (
        Arm::new(15_000.0, 40_000.0, "t", "a").expect("a"),
        Arm::new(15_200.0, 40_000.0, "t", "b").expect("b"),
    );
    let u = BetaPrior::uniform();
    let panels = prob_beat(a, b, u, u).expect("panels");
    assert_eq!(panels.method, BeatMethod::Panels);
    // a prior that keeps one shape below the switch forces the closed form
    let small = BetaPrior::new(1.0, 1.0, "prior_a").expect("prior");
    let a_small = Arm::new(9_000.0, 40_000.0, "t", "a").expect("a");
    assert_eq!(
        prob_beat(a_small, b, small, u).expect("sum").method,
        BeatMethod::ClosedForm
    );
    let sum = bayes::tests_support::closed_form(a, b);
    assert!(
        (panels.prob - sum.0).abs() < 1e-12,
        "{} vs {}",
        panels.prob,
        sum.0
    );
    // the sums' losses are differences of two products near 0.4 (about 1e-13 lost)
    assert!(
        (panels.loss_a - sum.1).abs() < 1e-9 * sum.1,
        "{} vs {}",
        panels.loss_a,
        sum.1
    );
    assert!(
        (panels.loss_b - sum.2).abs() < 1e-9 * sum.2,
        "{} vs {}",
        panels.loss_b,
        sum.2
    );
}

/// A stop request ends the quadrature with an error, not a hang.
#[test]
fn prob_beat_stops_when_asked() {
    let j = BetaPrior::new(0.5, 0.5, "prior_a").expect("jeffreys");
    let (a, b) = (
        Arm::new(3.0, 9e9, "t", "a").expect("a"),
        Arm::new(5.0, 9e9, "t", "b").expect("b"),
    );
    let e = prob_beat_until(a, b, j, j, &|| true).expect_err("stopped");
    assert!(matches!(e, AbError::Stopped(_)), "{e}");
    assert!(e.to_string().contains("time limit"), "{e}");
}

fn landing_pages() -> crate::table::Table {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ab_landing_pages.csv");
    crate::table::read_csv_path(std::path::Path::new(path)).expect("landing pages")
}

fn col(t: &crate::table::Table, name: &str, row: usize) -> f64 {
    t.column(name).expect(name).f64_at(row).expect("number")
}

#[test]
fn report_over_per_user_rows_matches_pandas_statsmodels() {
    let r = reference();
    let want = &r["ab_report"]["landing_pages"];
    let o = ReportOptions {
        control: Some("A".into()),
        revenue: Some("revenue".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&landing_pages(), &o).expect("report");
    let t = &rep.conversion;
    let users = floats(want, "users");
    let conv = floats(want, "conversions");
    for i in 0..2 {
        assert_eq!(col(t, "users", i), users[i]);
        assert_eq!(col(t, "conversions", i), conv[i]);
    }
    near(col(t, "p_value", 1), g(want, "p_value"), "p", want);
    near(col(t, "lift_low", 1), g(want, "lift_low"), "lift_low", want);
    near(
        col(t, "lift_high", 1),
        g(want, "lift_high"),
        "lift_high",
        want,
    );
    let rev = rep.revenue.as_ref().expect("revenue table");
    near(
        col(rev, "p_value", 1),
        g(want, "revenue_p"),
        "revenue p",
        want,
    );
    near(col(rev, "t", 1), g(want, "revenue_t"), "revenue t", want);
    assert!(rep
        .warnings
        .iter()
        .any(|w| matches!(w, AbWarning::Underpowered { arm, .. } if arm == "B")));
    assert!(!rep
        .warnings
        .iter()
        .any(|w| matches!(w, AbWarning::SampleRatioMismatch { .. })));
    near(rep.srm_p, g(want, "srm_p"), "srm p", want);
}

#[test]
fn report_over_summary_rows_adjusts_and_flags_srm() {
    use crate::table::{Column, Table};
    let r = reference();
    let want = &r["ab_report"]["summary_three_arms"];
    let users = floats(want, "users");
    let conv = floats(want, "conversions");
    let t = Table::new(
        "summary.csv",
        vec![
            (
                "variant".into(),
                Column::text(vec![Some("A".into()), Some("B".into()), Some("C".into())]),
            ),
            (
                "users".into(),
                Column::int(users.iter().map(|&u| Some(u as i64)).collect()),
            ),
            (
                "conversions".into(),
                Column::int(conv.iter().map(|&u| Some(u as i64)).collect()),
            ),
        ],
    )
    .expect("table");
    let rep = ab_report(&t, &ReportOptions::default()).expect("report");
    let holm = floats(want, "p_holm");
    let raw = floats(want, "p_values");
    for i in 0..2 {
        near(col(&rep.conversion, "p_value", i + 1), raw[i], "p", want);
        near(
            col(&rep.conversion, "p_adjusted", i + 1),
            holm[i],
            "holm",
            want,
        );
    }
    let Some(AbWarning::SampleRatioMismatch {
        observed,
        planned,
        p,
    }) = rep
        .warnings
        .iter()
        .find(|w| matches!(w, AbWarning::SampleRatioMismatch { .. }))
    else {
        panic!("SRM warning in {:?}", rep.warnings)
    };
    assert_eq!(
        observed,
        &vec![
            ("A".to_string(), 10_000.0),
            ("B".to_string(), 10_400.0),
            ("C".to_string(), 9_500.0)
        ]
    );
    assert!(planned.iter().all(|s| (s - 1.0 / 3.0).abs() < 1e-15));
    near(*p, g(want, "srm_p"), "srm p", want);
}

#[test]
fn report_peeking_warning_and_sequential_option() {
    let t = landing_pages();
    let peek = ReportOptions {
        control: Some("A".into()),
        looks: 14,
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &peek).expect("report");
    assert!(rep.warnings.contains(&AbWarning::Peeking {
        looks: 14,
        alpha: 0.05
    }));
    let seq = ReportOptions {
        sequential: true,
        day: Some("day".into()),
        ..peek
    };
    let rep = ab_report(&t, &seq).expect("report");
    assert!(!rep
        .warnings
        .iter()
        .any(|w| matches!(w, AbWarning::Peeking { .. })));
    let p = col(&rep.conversion, "p_always_valid", 1);
    assert!((0.0..=1.0).contains(&p));
    assert_eq!(rep.days.len(), 14);
    let path = &rep.sequential.as_ref().expect("sequential")[0];
    assert_eq!(path.len(), 14);
    assert_eq!(path.last().map(|l| l.1), Some(p));
}

#[test]
fn report_errors_name_the_cell_or_option() {
    use crate::table::{Column, Table};
    let t = Table::new(
        "visits.csv",
        vec![
            (
                "variant".into(),
                Column::text(vec![Some("A".into()), Some("B".into())]),
            ),
            ("converted".into(), Column::int(vec![Some(1), Some(2)])),
        ],
    )
    .expect("table");
    let e = ab_report(&t, &ReportOptions::default()).expect_err("bad cell");
    assert!(e.to_string().contains("converted"), "{e}");
    let o = ReportOptions {
        control: Some("Z".into()),
        ..ReportOptions::default()
    };
    let e = ab_report(&landing_pages(), &o).expect_err("bad control");
    assert!(
        e.to_string()
            .contains("one of the arms in column 'variant': A, B"),
        "{e}"
    );
}

fn report_reference() -> J {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/report_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn metric(name: &str, num: &str, den: Option<&str>) -> Metric {
    Metric {
        name: name.into(),
        numerator: num.into(),
        denominator: den.map(str::to_string),
        lower_is_better: false,
    }
}

/// The row of `t` whose column `key` is `value` and whose arm is `arm`.
fn row_of(t: &crate::table::Table, key: &str, value: &str, arm: &str) -> usize {
    (0..t.n_rows())
        .find(|&r| {
            t.column(key).expect(key).text_at(r).as_deref() == Some(value)
                && t.column("arm").expect("arm").text_at(r).as_deref() == Some(arm)
        })
        .unwrap_or_else(|| panic!("{key} = {value}, arm {arm}"))
}

/// Ratio and mean metrics by the delta method against pandas (linearised variance).
#[test]
fn metrics_match_the_delta_method_reference() {
    let r = report_reference();
    let o = ReportOptions {
        control: Some("A".into()),
        metrics: vec![
            metric("aov", "revenue", Some("orders")),
            metric("orders per user", "orders", None),
        ],
        guardrails: vec![metric("revenue per user", "revenue", None)],
        ..ReportOptions::default()
    };
    let rep = ab_report(&landing_pages(), &o).expect("report");
    let t = rep.metrics.as_ref().expect("metrics table");
    for name in ["aov", "orders per user", "revenue per user"] {
        let want = &r["metrics"][name];
        let (ra, rb) = (
            row_of(t, "metric", name, "A"),
            row_of(t, "metric", name, "B"),
        );
        near(col(t, "value", ra), g(want, "value_a"), "value_a", want);
        near(col(t, "value", rb), g(want, "value_b"), "value_b", want);
        for k in ["lift", "lift_low", "lift_high", "p_value"] {
            near(col(t, k, rb), g(want, k), k, want);
        }
    }
    assert!(rep
        .metric_tests
        .iter()
        .any(|m| m.guardrail && m.name == "revenue per user"));
}

/// A sample of three users per arm: the same formulas, nothing undefined.
#[test]
fn ratio_metric_of_a_few_users_matches_the_reference() {
    use crate::table::{Column, Table};
    let r = report_reference();
    let few = &r["few_users"];
    let rows = few["rows"].as_array().expect("rows");
    let t = Table::new(
        "few.csv",
        vec![
            (
                "variant".into(),
                Column::text(
                    rows.iter()
                        .map(|x| x[0].as_str().map(str::to_string))
                        .collect(),
                ),
            ),
            (
                "converted".into(),
                Column::int(
                    rows.iter()
                        .map(|x| Some(i64::from(x[2].as_i64() != Some(0))))
                        .collect(),
                ),
            ),
            (
                "revenue".into(),
                Column::float(rows.iter().map(|x| x[1].as_f64()).collect()),
            ),
            (
                "orders".into(),
                Column::int(rows.iter().map(|x| x[2].as_i64()).collect()),
            ),
        ],
    )
    .expect("table");
    let o = ReportOptions {
        metrics: vec![metric("aov", "revenue", Some("orders"))],
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o).expect("report");
    let m = rep.metrics.as_ref().expect("metrics");
    let want = &few["aov"];
    near(col(m, "value", 0), g(want, "value_a"), "value_a", want);
    for k in ["lift", "lift_low", "lift_high", "p_value"] {
        near(col(m, k, 1), g(want, k), k, want);
    }
}

/// Segments against statsmodels: per-device z-tests, log-ratio lift intervals and Holm.
#[test]
fn segments_match_statsmodels_with_holm() {
    let r = report_reference();
    let o = ReportOptions {
        control: Some("A".into()),
        by: Some("device".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&landing_pages(), &o).expect("report");
    let t = rep.segments.as_ref().expect("segments");
    for want in r["segments_by_device"].as_array().expect("segments") {
        let dev = want["device"].as_str().expect("device");
        let (ra, rb) = (row_of(t, "device", dev, "A"), row_of(t, "device", dev, "B"));
        let users = floats(want, "users");
        assert_eq!(col(t, "users", ra), users[0]);
        assert_eq!(col(t, "users", rb), users[1]);
        for k in ["p_value", "p_adjusted", "lift", "lift_low", "lift_high"] {
            near(col(t, k, rb), g(want, k), k, want);
        }
    }
    assert_eq!(rep.segment_tests.as_ref().map(|s| s.comparisons), Some(2));
}

/// Daily summary rows under the user's column names give the per-user readout.
#[test]
fn daily_summary_rows_with_mapped_columns_match_the_reference() {
    let r = report_reference();
    let want = &r["daily_summary"];
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/landing_pages_daily.csv"
    );
    let t = crate::table::read_csv_path(std::path::Path::new(path)).expect("daily");
    let o = ReportOptions {
        variant: "page".into(),
        control: Some("A".into()),
        users: "uv".into(),
        conversions: "buyers".into(),
        revenue: Some("gmv".into()),
        revenue_sq: Some("gmv_sq".into()),
        day: Some("day".into()),
        sequential: true,
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o).expect("report");
    let users = floats(want, "users");
    let conv = floats(want, "conversions");
    for i in 0..2 {
        assert_eq!(col(&rep.conversion, "users", i), users[i]);
        assert_eq!(col(&rep.conversion, "conversions", i), conv[i]);
    }
    near(
        col(&rep.conversion, "p_value", 1),
        g(want, "p_value"),
        "p",
        want,
    );
    let rev = rep.revenue.as_ref().expect("revenue");
    near(col(rev, "t", 1), g(want, "revenue_t"), "t", want);
    near(col(rev, "p_value", 1), g(want, "revenue_p"), "p", want);
    assert_eq!(rep.days.len(), 14);
    // summary rows carry no per-user values: metrics are refused with the reason
    let o = ReportOptions {
        metrics: vec![metric("aov", "gmv", Some("buyers"))],
        ..o
    };
    let e = ab_report(&t, &o).expect_err("metrics need per-user rows");
    assert!(e.to_string().contains("need one row per user"), "{e}");
}

/// Every segment reverses the total: flagged, with Simpson's paradox named first.
#[test]
fn simpsons_paradox_is_flagged() {
    use crate::table::{Column, Table};
    let r = report_reference();
    let sim = &r["simpson"];
    let (mut seg, mut arm, mut users, mut conv) = (vec![], vec![], vec![], vec![]);
    for s in sim["segments"].as_array().expect("segments") {
        let (u, x) = (floats(s, "users"), floats(s, "conversions"));
        for (i, name) in ["A", "B"].iter().enumerate() {
            seg.push(s["segment"].as_str().map(str::to_string));
            arm.push(Some(name.to_string()));
            users.push(Some(u[i] as i64));
            conv.push(Some(x[i] as i64));
        }
    }
    let t = Table::new(
        "kidney.csv",
        vec![
            ("segment".into(), Column::text(seg)),
            ("variant".into(), Column::text(arm)),
            ("users".into(), Column::int(users)),
            ("conversions".into(), Column::int(conv)),
        ],
    )
    .expect("table");
    let o = ReportOptions {
        by: Some("segment".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o).expect("report");
    near(
        col(&rep.conversion, "lift", 1),
        g(sim, "total_lift"),
        "total lift",
        sim,
    );
    let segs = rep.segments.as_ref().expect("segments");
    for s in sim["segments"].as_array().expect("segments") {
        let name = s["segment"].as_str().expect("name");
        let row = row_of(segs, "segment", name, "B");
        near(col(segs, "lift", row), g(s, "lift"), "segment lift", s);
        assert_eq!(
            segs.column("direction_differs").expect("flag").bool_at(row),
            Some(true)
        );
    }
    let Some(AbWarning::SimpsonsParadox {
        arm,
        by,
        total_lift,
    }) = rep
        .warnings
        .iter()
        .find(|w| matches!(w, AbWarning::SimpsonsParadox { .. }))
    else {
        panic!("Simpson's paradox in {:?}", rep.warnings)
    };
    assert_eq!((arm.as_str(), by.as_str()), ("B", "segment"));
    near(*total_lift, g(sim, "total_lift"), "total lift", sim);
}

/// A significant harm on a guardrail is the first warning, whatever the primary result.
#[test]
fn guardrail_harm_is_reported_first() {
    use crate::table::{Column, Table};
    let n = 400;
    let t = Table::new(
        "g.csv",
        vec![
            (
                "variant".into(),
                Column::text(
                    (0..2 * n)
                        .map(|i| Some(if i < n { "A" } else { "B" }.to_string()))
                        .collect(),
                ),
            ),
            (
                "converted".into(),
                Column::int((0..2 * n).map(|i| Some(i64::from(i % 4 == 0))).collect()),
            ),
            (
                "refunds".into(),
                Column::int(
                    (0..2 * n)
                        .map(|i| Some(i64::from(i % if i < n { 10 } else { 4 } == 1)))
                        .collect(),
                ),
            ),
        ],
    )
    .expect("table");
    let o = ReportOptions {
        guardrails: vec![Metric {
            lower_is_better: true,
            ..metric("refund rate", "refunds", None)
        }],
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o).expect("report");
    let Some(AbWarning::GuardrailHarmed {
        metric, arm, lift, ..
    }) = rep.warnings.first()
    else {
        panic!("guardrail first in {:?}", rep.warnings)
    };
    assert_eq!((metric.as_str(), arm.as_str()), ("refund rate", "B"));
    // refunds 1 in 10 against 1 in 4: +150%
    assert!((lift - 1.5).abs() < 1e-12, "{lift}");
}

/// Sample size for means against statsmodels' NormalIndPower (brentq-polished).
#[test]
fn sample_size_means_matches_statsmodels() {
    let r = report_reference();
    let cases = r["sample_size_means"].as_array().expect("cases");
    assert!(cases.len() >= 8);
    for c in cases {
        let d =
            Design::new(g(c, "alpha"), g(c, "power"), PowerMethod::Pooled, "t").expect("design");
        let got = sample_size_means(g(c, "mean"), g(c, "sd"), g(c, "mde"), g(c, "ratio"), d)
            .expect("size");
        near(got.n_exact, g(c, "n_exact"), "n_exact", c);
        if g(c, "n_exact") < 1e9 {
            // beyond, the 1e-10 relative agreement no longer fixes the whole number
            assert_eq!(got.n_control, g(c, "n_exact").ceil().max(1.0), "{c}");
        }
    }
    let d = Design::default();
    assert!(sample_size_means(0.0, 1.0, 0.1, 1.0, d).is_err());
    assert!(sample_size_means(1.0, 0.0, 0.1, 1.0, d).is_err());
    assert!(sample_size_means(1.0, 1.0, 0.0, 1.0, d).is_err());
    assert!(sample_size_means(1.0, 1.0, 0.1, -1.0, d).is_err());
}

/// The duration line: users needed per arm by the (referenced) Fleiss sample size,
/// days left at the data's users a day.
#[test]
fn duration_line_counts_the_days_left() {
    let t = landing_pages();
    let o = ReportOptions {
        control: Some("A".into()),
        day: Some("day".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o).expect("report");
    let (xa, na) = (
        col(&rep.conversion, "conversions", 0),
        col(&rep.conversion, "users", 0),
    );
    let total = na + col(&rep.conversion, "users", 1);
    let p = xa / na;
    let n = sample_size(
        crate::units::Rate::new(p, "p").expect("rate"),
        crate::units::Rate::new(p * 1.1, "p").expect("rate"),
        Design::default(),
    )
    .expect("size")
    .n_per_arm;
    let per_day = total / 14.0;
    let want = ((2.0 * n - total) / per_day).ceil();
    assert_eq!(rep.days_left, Some(want));
    assert_eq!(rep.duration.per_day, Some(per_day));
    assert_eq!(rep.duration.conversion.map(|c| c.per_arm), Some(n));
    // given traffic, and an effect already covered
    let o2 = ReportOptions {
        daily_users: Some(10_000.0),
        ..o.clone()
    };
    let rep = ab_report(&t, &o2).expect("report");
    assert_eq!(rep.days_left, Some(((2.0 * n - total) / 10_000.0).ceil()));
    let o3 = ReportOptions {
        mde: 0.5,
        ..o.clone()
    };
    assert_eq!(ab_report(&t, &o3).expect("report").days_left, Some(0.0));
    let o4 = ReportOptions { mde: 0.0, ..o };
    assert!(ab_report(&t, &o4)
        .expect_err("mde 0")
        .to_string()
        .contains("ab_report: mde"));
}

/// Two arms: the probability to be best is the chance to beat control and the losses
/// are prob_beat's (held to the scipy and mpmath references by the tests above), on
/// every uniform-prior reference case, to 1e-9.
#[test]
fn prob_best_of_two_arms_is_prob_beat() {
    let mut all = cases("prob_beat");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/bayes_reference.json"
    );
    let r: J =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    all.extend(
        r["prob_beat_extreme"]
            .as_array()
            .expect("cases")
            .iter()
            .cloned(),
    );
    let mut checked = 0;
    for c in all {
        let uniform = |k: &str| c.get(k).is_none() || floats(&c, k) == [1.0, 1.0];
        if !(uniform("prior_a") && uniform("prior_b")) {
            continue;
        }
        let (a, b) = arms(&c).expect("arms");
        let u = BetaPrior::uniform();
        let beat = prob_beat(a, b, u, u).expect("beat");
        let got = prob_best(&[a, b], &never_stop).expect("best");
        let close = |got: f64, want: f64, what: &str| {
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1e-3),
                "{what}: {got:e} vs {want:e} in {c}"
            );
        };
        close(got.prob_best[1], beat.prob, "prob B");
        close(got.prob_best[0] + got.prob_best[1], 1.0, "sum");
        close(got.loss[0], beat.loss_a, "loss A");
        close(got.loss[1], beat.loss_b, "loss B");
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

/// k arms against mpmath (tanh-sinh over betainc at 30 digits): a few users, no
/// conversions, 100%, equal arms, five arms.
#[test]
fn prob_best_matches_mpmath() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/best_reference.json"
    );
    let r: J =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let cases = r["prob_best"].as_array().expect("cases");
    assert!(cases.len() >= 7);
    for c in cases {
        let arms: Vec<Arm> = c["arms"]
            .as_array()
            .expect("arms")
            .iter()
            .map(|a| {
                Arm::new(
                    a[0].as_f64().expect("x"),
                    a[1].as_f64().expect("n"),
                    "t",
                    "a",
                )
                .expect("arm")
            })
            .collect();
        let got = prob_best(&arms, &never_stop).expect("best");
        let (p, l) = (floats(c, "prob_best"), floats(c, "loss"));
        for i in 0..arms.len() {
            assert!(
                (got.prob_best[i] - p[i]).abs() <= 1e-9,
                "prob {i}: {} in {c}",
                got.prob_best[i]
            );
            assert!(
                (got.loss[i] - l[i]).abs() <= 1e-8 * l[i] + 1e-15,
                "loss {i}: {} in {c}",
                got.loss[i]
            );
        }
    }
    assert!(prob_best(&[Arm::new(1.0, 2.0, "t", "a").expect("arm")], &never_stop).is_err());
}

/// The Bayesian revenue readout against scipy (normal cdf, quad of the loss).
#[test]
fn revenue_chance_to_beat_matches_scipy() {
    let r = report_reference();
    let want = &r["revenue_bayes"];
    let o = ReportOptions {
        control: Some("A".into()),
        revenue: Some("revenue".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&landing_pages(), &o).expect("report");
    let rev = rep.revenue.as_ref().expect("revenue");
    near(col(rev, "prob_beat", 1), g(want, "prob_beat"), "prob", want);
    near(
        col(rev, "expected_loss", 1),
        g(want, "expected_loss"),
        "loss",
        want,
    );
}

/// CUPED equals statsmodels OLS revenue ~ C(variant) + pre_revenue.
#[test]
fn cuped_matches_statsmodels_ols() {
    let r = report_reference();
    let want = &r["cuped"];
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/abtest/cuped_users.csv"
    );
    let t = crate::table::read_csv_path(std::path::Path::new(path)).expect("cuped users");
    let o = ReportOptions {
        control: Some("A".into()),
        revenue: Some("revenue".into()),
        covariate: Some("pre_revenue".into()),
        ..ReportOptions::default()
    };
    let rep = ab_report(&t, &o);
    let rep = rep.expect("report");
    let c = rep.cuped.as_ref().expect("cuped");
    near(col(c, "theta", 0), g(want, "theta"), "theta", want);
    near(
        col(c, "variance_reduction", 0),
        g(want, "variance_reduction"),
        "reduction",
        want,
    );
    for (row, arm) in [(1, "B"), (2, "C")] {
        let w = &want["arms"][arm];
        for (k, j) in [
            ("diff", "diff"),
            ("se", "se"),
            ("p_value", "p_value"),
            ("low", "low"),
            ("high", "high"),
        ] {
            near(col(c, k, row), g(w, j), k, w);
        }
    }
    assert_eq!(
        rep.cuped_fit.as_ref().map(|(cov, _)| cov.as_str()),
        Some("pre_revenue")
    );
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    fn finite(v: f64) -> bool {
        v.is_finite()
    }

    fn arm_pair() -> impl Strategy<Value = (f64, f64, f64, f64)> {
        // sizes log-uniform from 1 to 2e7, rates uniform (0% and 100% included)
        (0.0f64..7.3, 0.0f64..7.3, 0.0f64..=1.0, 0.0f64..=1.0).prop_map(|(ea, eb, fa, fb)| {
            let (na, nb) = (10f64.powf(ea).round(), 10f64.powf(eb).round());
            ((fa * na).floor(), na, (fb * nb).floor(), nb)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any valid counts give finite numbers or a defined error, never NaN or a panic.
        #[test]
        fn no_nan_and_no_panic((xa, na, xb, nb) in arm_pair()) {
            let a = Arm::new(xa, na, "t", "a").expect("a");
            let b = Arm::new(xb, nb, "t", "b").expect("b");
            if let Ok(z) = ztest_props(a, b, Alternative::TwoSided) {
                prop_assert!(finite(z.z) && (0.0..=1.0).contains(&z.p_value));
            }
            for yates in [false, true] {
                if let Ok(c) = chi2_2x2(a, b, yates) {
                    prop_assert!(finite(c.statistic) && (0.0..=1.0).contains(&c.p_value));
                }
            }
            let w = wilson_ci(a, 0.95).expect("wilson");
            prop_assert!(0.0 <= w.low && w.low <= a.rate() && a.rate() <= w.high && w.high <= 1.0);
            let d = diff_ci(a, b, 0.95, DiffMethod::Newcombe).expect("newcombe");
            prop_assert!(d.low <= b.rate() - a.rate() + 1e-12 && b.rate() - a.rate() <= d.high + 1e-12);
            if let Ok(l) = lift_ci(a, b, 0.95) {
                prop_assert!(finite(l.low) && finite(l.high) && l.low >= -1.0);
            }
            if na + nb <= 200_000.0 {
                let f = fisher_exact(a, b);
                prop_assert!((0.0..=1.0).contains(&f.p_value));
                let r = prob_beat(a, b, BetaPrior::uniform(), BetaPrior::uniform()).expect("beat");
                prop_assert!((0.0..=1.0).contains(&r.prob) && r.loss_a >= 0.0 && r.loss_b >= 0.0);
            }
        }
    }
}
