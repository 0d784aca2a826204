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
        .contains("n_b (users in arm B) must be a whole number of at least 1"));
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
