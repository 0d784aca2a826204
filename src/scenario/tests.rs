//! Tests of the scenario domain against closed forms and recorded references
//! (`fixtures/scenario/references.csv`, numpy and scipy values).

use super::*;
use crate::budget::Curve;

fn reference(case: &str) -> f64 {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/scenario/references.csv"
    ))
    .expect("fixture");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{case},")))
        .and_then(|rest| rest.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no reference {case}"))
}

fn fixed(v: f64) -> Input {
    Input::Fixed(v)
}

/// The handbook funnel (docs/handbook.md, the funnel): 15%, 40%, 70%, 90%, aov 150.
fn handbook(entering: f64) -> Model {
    Model::funnel(
        fixed(entering),
        vec![
            ("acquisition".into(), fixed(0.15)),
            ("activation".into(), fixed(0.40)),
            ("retention".into(), fixed(0.70)),
            ("monetization".into(), fixed(0.90)),
        ],
        Some(fixed(150.0)),
    )
    .unwrap()
}

#[test]
fn goal_seek_matches_the_closed_form_activation_rate() {
    // 100,000 entering: revenue = 100000 x 0.15 x r x 0.7 x 0.9 x 150 = 1,417,500 r,
    // so 1,000,000 needs r = 1e6 / 1,417,500.
    let m = handbook(100_000.0);
    let closed = 1e6 / (100_000.0 * 0.15 * 0.7 * 0.9 * 150.0);
    let req = m.required("activation", 1e6).unwrap();
    assert!((req - closed).abs() <= 1e-12 * closed);
    let s = m
        .seek("activation", 1e6, 0.0, 1.0, &SeekOptions::default())
        .unwrap();
    assert!((s.x - closed).abs() <= 1e-9 * closed, "{} vs {closed}", s.x);
    assert!((s.value - 1e6).abs() <= 1e-6);
    // the handbook's own 25,000 visitors cannot reach 1M: the rate would exceed 100%
    let e = handbook(25_000.0)
        .required("activation", 1e6)
        .unwrap_err()
        .to_string();
    assert!(e.contains("above 100%"), "{e}");
    let e = handbook(25_000.0)
        .seek("activation", 1e6, 0.0, 1.0, &SeekOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not bracketed") && e.contains("1000000"), "{e}");
}

#[test]
fn brent_on_nonlinear_functions_and_errors() {
    // x^3 - 2x - 5 = 0 (Wallis's example): root 2.0945514815423265 (Brent 1973).
    let s = goal_seek::<(), _>(
        |x| Ok(x * x * x - 2.0 * x),
        5.0,
        2.0,
        3.0,
        &SeekOptions::default(),
    )
    .unwrap();
    assert!((s.x - 2.094_551_481_542_326_5).abs() < 1e-12, "{}", s.x);
    assert!(s.evaluations < 20);
    // cos(x) = x
    let s =
        goal_seek::<(), _>(|x| Ok(x.cos() - x), 0.0, 0.0, 1.0, &SeekOptions::default()).unwrap();
    assert!((s.x - 0.739_085_133_215_160_7).abs() < 1e-12);
    // a NaN inside the bracket is a clear error, not a wrong answer
    let e = goal_seek::<(), _>(
        |x| Ok(if x > 0.7 { f64::NAN } else { x }),
        0.5,
        0.0,
        1.0,
        &SeekOptions::default(),
    )
    .unwrap_err();
    match e {
        Failure::Scenario(e) => assert!(e.to_string().contains("finite number"), "{e}"),
        Failure::Model(()) => panic!("wrong error"),
    }
    let e = goal_seek::<(), _>(Ok, 0.5, 1.0, 0.0, &SeekOptions::default()).unwrap_err();
    assert!(matches!(e, Failure::Scenario(ScenarioError::Invalid(_))));
}

#[test]
fn distributions_check_their_parameters() {
    let e = Dist::normal(10.0, -2.0).unwrap_err().to_string();
    assert_eq!(e, "normal: sd must be a positive number, got -2");
    let e = Dist::beta(0.0, 970.0).unwrap_err().to_string();
    assert_eq!(e, "beta: a must be a positive number, got 0");
    assert!(Dist::beta(30.0, -1.0)
        .unwrap_err()
        .to_string()
        .contains("beta: b"));
    assert!(Dist::uniform(2.0, 1.0)
        .unwrap_err()
        .to_string()
        .contains("uniform: hi"));
    assert!(Dist::triangular(0.0, 3.0, 2.0)
        .unwrap_err()
        .to_string()
        .contains("triangular: mode"));
    assert!(Dist::poisson(0.0)
        .unwrap_err()
        .to_string()
        .contains("poisson: lambda"));
    assert!(Dist::lognormal(0.0, f64::NAN).is_err());
    let e = Dist::beta_observed(12.0, 10.0).unwrap_err().to_string();
    assert!(
        e.contains("beta_observed: x") && e.contains("n = 10"),
        "{e}"
    );
    assert_eq!(
        Dist::beta_observed(30.0, 1000.0).unwrap(),
        Dist::beta(31.0, 971.0).unwrap()
    );
}

#[test]
fn quantiles_match_scipy() {
    let b = Dist::beta(30.0, 970.0).unwrap();
    assert!((b.quantile(0.1) - reference("beta_30_970_p10")).abs() < 1e-9);
    assert!((b.quantile(0.9) - reference("beta_30_970_p90")).abs() < 1e-9);
    let n = Dist::normal(10.0, 2.0).unwrap();
    assert!((n.quantile(0.1) - reference("normal_10_2_p10")).abs() < 1e-9);
    let t = Dist::triangular(1.0, 2.0, 5.0).unwrap();
    assert!((t.quantile(0.1) - reference("triangular_1_2_5_p10")).abs() < 1e-9);
}

#[test]
fn beta_and_poisson_quantiles_hold_in_the_far_tails() {
    let rel = |x: f64, r: f64| ((x - r) / r).abs();
    let q = Dist::beta(1.0, 1.0).unwrap().quantile(1e-300);
    assert!(rel(q, reference("beta_1_1_q1e-300")) < 1e-12, "{q}");
    let q = Dist::beta(2.0, 3.0).unwrap().quantile(1.0 - 1e-16);
    assert!(rel(q, reference("beta_2_3_q1m1e-16")) < 1e-9, "{q}");
    let q = Dist::beta(1e10, 1e10).unwrap().quantile(0.3);
    assert!(rel(q, reference("beta_1e10_1e10_q03")) < 1e-9, "{q}");
    // Beta(0.5, 2) at 1e-200: the exact quantile (about 4.4e-401) is below every
    // double, so the answer is the smallest positive one.
    assert_eq!(Dist::beta(0.5, 2.0).unwrap().quantile(1e-200), 5e-324);
    for (lambda, p, case) in [
        (1e7, 0.5, "poisson_1e7_q05"),
        (1e7, 1e-300, "poisson_1e7_q1e-300"),
        (1e7, 0.999999, "poisson_1e7_q0999999"),
        (123456.5, 0.001, "poisson_123456.5_q0001"),
        (30.0, 1e-12, "poisson_30_q1e-12"),
        (0.001, 0.999, "poisson_0.001_q0999"),
    ] {
        let q = Dist::poisson(lambda).unwrap().quantile(p);
        assert_eq!(q, reference(case), "{case}");
    }
    // Parameters whose draws or mean overflow are refused (statrs's uniform sampler
    // panicked on an infinite width).
    assert!(Dist::uniform(-1e308, 1e308).is_err());
    assert!(Dist::triangular(-1e308, 0.0, 1e308).is_err());
    assert!(Dist::triangular(1.0, 100.0, 1e308).is_err());
    assert!(Dist::triangular(1.0, 100.0, 1e150).is_ok());
    assert!(Dist::lognormal(0.0, 1e300).is_err());
    assert!(Dist::beta(4.9e-324, 1.0).is_err());
    let tiny = Dist::beta(1e-300, 1e-300).unwrap();
    let mut rng = crate::scenario::chunk_rng(1, 0);
    assert!((0..1000).all(|_| (0.0..=1.0).contains(&tiny.sample(&mut rng))));
    assert!(Dist::lognormal(0.0, 37.0).unwrap().mean().is_finite());
    let e = Dist::poisson(1e10).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("at most 1e7"), "{e}");
    let e = Dist::beta(1.0, 1e11).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("at most 1e10"), "{e}");
}

#[test]
fn summary_matches_numpy() {
    let s = Summary::new(vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0]).unwrap();
    for q in [0, 5, 10, 25, 50, 90, 95, 100] {
        let want = reference(&format!("percentile_{q}"));
        assert!(
            (s.percentile(q as f64).unwrap() - want).abs() < 1e-12,
            "p{q}"
        );
    }
    assert_eq!(s.mean(), 4.0);
    assert!((s.sd() - reference("sd")).abs() < 1e-12);
    assert_eq!(s.prob_at_least(5.0).unwrap(), 5.0 / 11.0);
    assert_eq!(s.prob_at_least(0.0).unwrap(), 1.0);
    assert_eq!(s.prob_at_least(10.0).unwrap(), 0.0);
    assert!(s
        .percentile(101.0)
        .unwrap_err()
        .to_string()
        .contains("percentile: q"));
    let h = s.histogram(4).unwrap();
    assert_eq!(h.iter().map(|b| b.2).collect::<Vec<_>>(), vec![3, 3, 4, 1]);
    assert_eq!((h[0].0, h[3].1), (1.0, 9.0));
    assert!(Summary::new(vec![1.0, f64::NAN])
        .unwrap_err()
        .to_string()
        .contains("trial 2"));
}

/// A funnel with uncertain rates: entering 100,000, acquisition beta(15, 85),
/// activation beta(40, 60), retention uniform(0.6, 0.8), monetization triangular(0.8,
/// 0.9, 1.0), aov normal(150, 20). Independent inputs, so E[revenue] is the product of
/// the means: 100000 x 0.15 x 0.4 x 0.7 x 0.9 x 150 = 567,000.
fn uncertain() -> Model {
    Model::funnel(
        fixed(100_000.0),
        vec![
            (
                "acquisition".into(),
                Input::Uncertain(Dist::beta(15.0, 85.0).unwrap()),
            ),
            (
                "activation".into(),
                Input::Uncertain(Dist::beta(40.0, 60.0).unwrap()),
            ),
            (
                "retention".into(),
                Input::Uncertain(Dist::uniform(0.6, 0.8).unwrap()),
            ),
            (
                "monetization".into(),
                Input::Uncertain(Dist::triangular(0.8, 0.9, 1.0).unwrap()),
            ),
        ],
        Some(Input::Uncertain(Dist::normal(150.0, 20.0).unwrap())),
    )
    .unwrap()
}

#[test]
fn monte_carlo_mean_is_within_four_standard_errors() {
    let m = uncertain();
    let expected = 100_000.0 * 0.15 * 0.4 * 0.7 * 0.9 * 150.0;
    for seed in [1, 7, 2024] {
        let s = m
            .simulate(
                200_000,
                &SimOptions {
                    seed,
                    ..SimOptions::default()
                },
            )
            .unwrap();
        let z = (s.mean() - expected) / s.se();
        assert!(
            z.abs() < 4.0,
            "seed {seed}: mean {} vs {expected}, z = {z}",
            s.mean()
        );
    }
    // Beta sampler check: mean and variance of beta(2, 5) and of a shape below 1.
    for (a, b) in [(2.0, 5.0), (0.5, 0.5), (30.0, 970.0), (0.05, 2.0)] {
        let d = Dist::beta(a, b).unwrap();
        let mut rng = chunk_rng(3, 0);
        let xs: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        let s = Summary::new(xs).unwrap();
        let mean = a / (a + b);
        let var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
        assert!(
            ((s.mean() - mean) / s.se()).abs() < 4.0,
            "beta({a}, {b}) mean {}",
            s.mean()
        );
        // the variance's standard error is about var * sqrt(2 / n) for near-normal draws;
        // use a loose 5% band
        assert!(
            (s.sd() * s.sd() / var - 1.0).abs() < 0.05,
            "beta({a}, {b}) var"
        );
    }
}

#[test]
fn same_seed_same_bits_whatever_the_threads() {
    let m = uncertain();
    let n = 3 * CHUNK + 123;
    let one = m
        .simulate_values(
            n,
            &SimOptions {
                seed: 7,
                threads: Some(1),
                deadline: None,
            },
        )
        .unwrap();
    let two = m
        .simulate_values(
            n,
            &SimOptions {
                seed: 7,
                threads: Some(2),
                deadline: None,
            },
        )
        .unwrap();
    assert!(one
        .iter()
        .zip(&two)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    let other = m
        .simulate_values(
            n,
            &SimOptions {
                seed: 8,
                threads: Some(2),
                deadline: None,
            },
        )
        .unwrap();
    assert_ne!(one, other);
}

#[test]
fn native_sweep_and_tornado() {
    let m = handbook(100_000.0);
    let t = m
        .sweep(
            &[
                ("activation".into(), vec![0.3, 0.4]),
                ("aov".into(), vec![100.0, 150.0, 200.0]),
            ],
            Combine::Grid,
        )
        .unwrap();
    assert_eq!(t.names(), ["activation", "aov", "conversions", "revenue"]);
    assert_eq!(t.n_rows(), 6);
    let rev = t.column("revenue").unwrap().f64_at(4).unwrap();
    assert!((rev - 100_000.0 * 0.15 * 0.4 * 0.7 * 0.9 * 150.0).abs() < 1e-6);
    let e = m
        .sweep(&[("activation".into(), vec![1.5])], Combine::Grid)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("stage 'activation': rate must be a rate between 0 and 1"),
        "{e}"
    );
    let e = m
        .sweep(&[("activaton".into(), vec![0.5])], Combine::Grid)
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean 'activation'"), "{e}");

    let u = uncertain();
    let tor = u
        .tornado(&[("entering".into(), (90_000.0, 110_000.0))])
        .unwrap();
    assert_eq!(tor.rows.len(), 6);
    // every swing is base x (high - low) / base value of that input (a product model)
    for r in &tor.rows {
        let i = u.index_of(&r.input).unwrap();
        let want = tor.base * (r.high - r.low) / u.base()[i];
        assert!((r.swing - want).abs() < 1e-6 * tor.base, "{}", r.input);
    }
    assert!(tor.rows.windows(2).all(|w| w[0].swing >= w[1].swing));
}

#[test]
fn response_model_reuses_min_budget() {
    // Hill(top 5000, half 20000, shape 1): result r at spend s solves s = half r / (top - r);
    // 2500 results need 20000, times value 40 per result = 100,000 revenue.
    let m = Model::response(
        Curve::hill(5000.0, 20000.0, 1.0).unwrap(),
        fixed(10_000.0),
        Some(fixed(40.0)),
    )
    .unwrap();
    let spend = m.required("spend", 100_000.0).unwrap();
    assert!((spend - 20_000.0).abs() < 1e-6 * 20_000.0, "{spend}");
    let v = m.required("value", 100_000.0).unwrap();
    assert!((v - 100_000.0 / (5000.0 * 10_000.0 / 30_000.0)).abs() < 1e-9);
}

#[test]
fn goal_seek_on_the_funnel_domain_reaches_the_target() {
    use crate::funnel::{Funnel, Stage};
    use crate::units::Rate;
    let rate = |r: f64| Rate::new(r, "rate").unwrap();
    let f = Funnel::new(
        vec![
            Stage::new("acquisition", rate(0.15)),
            Stage::new("activation", rate(0.40)),
            Stage::new("retention", rate(0.70)),
            Stage::new("monetization", rate(0.90)),
        ],
        Some(150.0),
    )
    .unwrap();
    let m = Model::from_funnel(&f, fixed(100_000.0), vec![]).unwrap();
    // the model agrees with the funnel's own forward projection
    let plan = f.forward(100_000.0).unwrap();
    assert!((m.base()[1..5].iter().product::<f64>() * 100_000.0 - plan.conversions).abs() < 1e-9);
    let s = m
        .seek("activation", 1e6, 0.0, 1.0, &SeekOptions::default())
        .unwrap();
    let closed = m.required("activation", 1e6).unwrap();
    assert!((s.x - closed).abs() <= 1e-9 * closed);
    // and the funnel with that rate projects 1,000,000 of revenue
    let r = f
        .with_rate("activation", rate(s.x))
        .unwrap()
        .forward(100_000.0)
        .unwrap()
        .revenue;
    assert!((r - 1e6).abs() <= 1e-9 * 1e6, "{r}");
    let u = Model::from_funnel(
        &f,
        fixed(100_000.0),
        vec![(
            "activation".into(),
            Input::Uncertain(Dist::beta(40.0, 60.0).unwrap()),
        )],
    )
    .unwrap();
    assert!(matches!(u.inputs()[2], Input::Uncertain(_)));
    assert!(Model::from_funnel(&f, fixed(1.0), vec![("nope".into(), fixed(0.1))]).is_err());
}

#[test]
fn tiny_beta_shapes_stay_finite() {
    // Beta(1e-3, 1e-3) puts almost all its mass at 0 and 1; both gammas underflow, so
    // the sampler must work in logarithms rather than return 0 / 0.
    let d = Dist::beta(1e-3, 1e-3).unwrap();
    let mut rng = chunk_rng(5, 0);
    let xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
    assert!(xs.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
    let s = Summary::new(xs).unwrap();
    assert!(((s.mean() - 0.5) / s.se()).abs() < 4.0, "mean {}", s.mean());
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn brent_finds_the_root_of_increasing_cubics(a in 0.1f64..10.0, b in -5.0f64..5.0, c in 0.0f64..3.0, t in -50.0f64..50.0) {
            // f(x) = a x + c x^3 + b is increasing, so f(x) = t has one root; bracket it
            let f = |x: f64| a * x + c * x * x * x + b;
            let (lo, hi) = (-100.0, 100.0);
            prop_assume!(f(lo) < t && f(hi) > t);
            let s = goal_seek::<(), _>(|x| Ok(f(x)), t, lo, hi, &SeekOptions::default()).unwrap();
            // the root is within tol of x: f changes sign within [x - 2e-12, x + 2e-12]
            prop_assert!((f(s.x - 2e-12) - t) <= 0.0 && (f(s.x + 2e-12) - t) >= 0.0, "x = {}", s.x);
        }

        #[test]
        fn percentiles_are_monotone_and_within_the_data(v in proptest::collection::vec(-1e6f64..1e6, 1..200), q1 in 0.0f64..100.0, q2 in 0.0f64..100.0) {
            let s = Summary::new(v.clone()).unwrap();
            let (lo, hi) = if q1 <= q2 { (q1, q2) } else { (q2, q1) };
            let (a, b) = (s.percentile(lo).unwrap(), s.percentile(hi).unwrap());
            prop_assert!(a <= b);
            prop_assert!(a >= s.min() && b <= s.max());
            let p = s.prob_at_least(a).unwrap();
            prop_assert!(p >= 1.0 - lo / 100.0 - 1.0 / v.len() as f64 - 1e-12);
        }
    }
}

#[test]
fn response_model_sweeps_simulates_and_ranks_natively() {
    // Hill(5000, 20000, 1): result(s) = 5000 s / (20000 + s); value 40 per result.
    let c = Curve::hill(5000.0, 20000.0, 1.0).unwrap();
    let m = Model::response(c, fixed(20_000.0), Some(fixed(40.0))).unwrap();
    let t = m
        .sweep(
            &[("spend".into(), vec![0.0, 20_000.0, 60_000.0])],
            Combine::Grid,
        )
        .unwrap();
    assert_eq!(t.names(), ["spend", "result", "revenue"]);
    let res: Vec<f64> = (0..3)
        .map(|r| t.column("result").unwrap().f64_at(r).unwrap())
        .collect();
    assert_eq!(res, vec![0.0, 2500.0, 3750.0]);
    assert_eq!(t.column("revenue").unwrap().f64_at(2), Some(150_000.0));
    let tor = m
        .tornado(&[
            ("spend".into(), (10_000.0, 40_000.0)),
            ("value".into(), (30.0, 50.0)),
        ])
        .unwrap();
    // spend: 40 x (5000 x 40000/60000 - 5000 x 10000/30000) = 40 x (3333.33 - 1666.67) = 66,666.7;
    // value: 2500 x 20 = 50,000
    assert_eq!(tor.rows[0].input, "spend");
    assert!(
        (tor.rows[0].swing - 40.0 * (5000.0 * 40_000.0 / 60_000.0 - 5000.0 * 10_000.0 / 30_000.0))
            .abs()
            < 1e-6
    );
    assert!((tor.rows[1].swing - 50_000.0).abs() < 1e-9);
    // value uncertain: E[revenue] = 2500 x E[value] = 2500 x 40
    let u = m
        .with_input("value", Input::Uncertain(Dist::normal(40.0, 5.0).unwrap()))
        .unwrap();
    let s = u
        .simulate(
            100_000,
            &SimOptions {
                seed: 3,
                ..SimOptions::default()
            },
        )
        .unwrap();
    assert!(
        ((s.mean() - 100_000.0) / s.se()).abs() < 4.0,
        "{}",
        s.mean()
    );
    assert!(m
        .with_input("spend", fixed(-1.0))
        .unwrap_err()
        .to_string()
        .contains("spend must be a number >= 0"));
}
