//! Tests of correlated inputs (Iman-Conover) and of a simulation's own sensitivity:
//! the sample's Spearman correlations against the target, the marginals kept exactly,
//! the matrix checks, and Spearman's rho against scipy.stats.spearmanr
//! (`fixtures/scenario/spearman_*.csv`, made by `fixtures/scenario/make_fit_references.py`).

use super::correlation::{ranks, spearman, symmetric_eigen};
use super::*;

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn pairs(v: &[(&str, &str, f64)]) -> Vec<(String, String, f64)> {
    v.iter()
        .map(|(a, b, r)| (a.to_string(), b.to_string(), *r))
        .collect()
}

/// A funnel with three uncertain inputs of different shapes: a Poisson count (ties),
/// a beta rate and a log-normal order value.
fn model() -> Model {
    Model::funnel(
        Input::Uncertain(Dist::poisson(40.0).unwrap()),
        vec![
            (
                "ctr".into(),
                Input::Uncertain(Dist::beta(30.0, 970.0).unwrap()),
            ),
            (
                "cvr".into(),
                Input::Uncertain(Dist::beta(40.0, 60.0).unwrap()),
            ),
            ("fixed".into(), Input::Fixed(0.5)),
        ],
        Some(Input::Uncertain(Dist::lognormal(5.0, 0.3).unwrap())),
    )
    .unwrap()
}

fn opts(seed: u64, threads: Option<usize>) -> SimOptions {
    SimOptions {
        seed,
        threads,
        deadline: None,
    }
}

fn sorted(v: &[f64]) -> Vec<u64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn iman_conover_reaches_the_rank_correlations_and_keeps_the_marginals() {
    let n = 20_000;
    let corr = Correlation::from_pairs(&pairs(&[
        ("ctr", "cvr", -0.5),
        ("ctr", "aov", 0.3),
        ("entering", "aov", 0.7),
    ]))
    .unwrap();
    let m = model();
    let free = m.simulate_sample(n, &opts(5, None), None).unwrap();
    let tied = m.simulate_sample(n, &opts(5, None), Some(&corr)).unwrap();
    assert_eq!(tied.names, names(&["entering", "ctr", "cvr", "aov"]));
    // The marginals are the same draws, only reordered: bit-identical once sorted.
    for (a, b) in free.inputs.iter().zip(&tied.inputs) {
        assert_eq!(sorted(a), sorted(b));
        assert_ne!(a, b);
    }
    // The independent sample's draws are those of the plain simulation, in order.
    let plain = m.simulate_values(n, &opts(5, None)).unwrap();
    assert_eq!(free.output, plain);
    // Spearman of the sample against the target. A sample rank correlation has a
    // standard error of at most 1 / sqrt(n - 1) = 0.0071 at n = 20,000 (its sd under
    // independence); Iman-Conover fixes the normal scores' correlation exactly, leaving
    // only the gap between the scores' Pearson and the ranks' Spearman correlation (and
    // the Poisson's ties), so the sample must lie within half of that, 0.0035 (measured:
    // at most 0.0025, for cvr-aov).
    let col = |name: &str| &tied.inputs[tied.names.iter().position(|x| x == name).unwrap()];
    let tol = 0.5 / ((n - 1) as f64).sqrt();
    for (a, b, rho) in [
        ("ctr", "cvr", -0.5),
        ("ctr", "aov", 0.3),
        ("entering", "aov", 0.7),
        ("entering", "ctr", 0.0),
        ("entering", "cvr", 0.0),
        ("cvr", "aov", 0.0),
    ] {
        let r = spearman(col(a), col(b));
        assert!((r - rho).abs() < tol, "{a}-{b}: {r} vs {rho}");
    }
    // The output is the model at each trial's inputs.
    let r = 17;
    let want = col("entering")[r] * col("ctr")[r] * col("cvr")[r] * 0.5 * col("aov")[r];
    assert_eq!(tied.output[r], want);
}

#[test]
fn correlated_samples_do_not_depend_on_the_threads() {
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "cvr", 0.8)])).unwrap();
    let m = model();
    let one = m
        .simulate_sample(40_000, &opts(3, Some(1)), Some(&corr))
        .unwrap();
    let two = m
        .simulate_sample(40_000, &opts(3, Some(2)), Some(&corr))
        .unwrap();
    assert_eq!(one, two);
}

#[test]
fn a_perfect_correlation_pairs_the_ranks_exactly() {
    // rho = 1 is singular (no Cholesky factor): the eigenvector factor is used and the
    // two inputs' ranks coincide trial by trial.
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "cvr", 1.0)])).unwrap();
    let s = model()
        .simulate_sample(5_000, &opts(1, None), Some(&corr))
        .unwrap();
    assert_eq!(ranks(&s.inputs[1]), ranks(&s.inputs[2]));
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "cvr", -1.0)])).unwrap();
    let s = model()
        .simulate_sample(5_000, &opts(1, None), Some(&corr))
        .unwrap();
    assert!((spearman(&s.inputs[1], &s.inputs[2]) + 1.0).abs() < 1e-12);
}

#[test]
fn the_matrix_is_checked_and_the_offending_pair_named() {
    let m = |rows: &[&[f64]]| rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    let abc = names(&["a", "b", "c"]);
    let e = Correlation::new(
        abc.clone(),
        m(&[&[1.0, 0.5, 0.0], &[0.4, 1.0, 0.0], &[0.0, 0.0, 1.0]]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("symmetric") && e.contains("'a' with 'b' is 0.5"),
        "{e}"
    );
    let e = Correlation::new(
        abc.clone(),
        m(&[&[1.0, 0.5, 0.0], &[0.5, 0.9, 0.0], &[0.0, 0.0, 1.0]]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("diagonal") && e.contains("'b'"), "{e}");
    let e = Correlation::new(
        abc.clone(),
        m(&[&[1.0, 1.5, 0.0], &[1.5, 1.0, 0.0], &[0.0, 0.0, 1.0]]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'a' and 'b' must be between -1 and 1, got 1.5"),
        "{e}"
    );
    // a-b 0.9 and b-c 0.9 force a-c into [0.9*0.9 - 0.19, 0.81 + 0.19] = [0.62, 1]
    let e = Correlation::from_pairs(&pairs(&[
        ("a", "b", 0.9),
        ("b", "c", 0.9),
        ("a", "c", -0.9),
    ]))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("not positive semi-definite")
            && e.contains("correlation of 'a' and 'c' must lie between 0.62 and 1, got -0.9"),
        "{e}"
    );
    let e = Correlation::from_pairs(&pairs(&[("a", "a", 0.5)]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("two different inputs"), "{e}");
    let e = Correlation::from_pairs(&pairs(&[("a", "b", 0.5), ("b", "a", 0.2)]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("given twice"), "{e}");
    // A fixed input cannot be correlated; an unknown one is named with a suggestion.
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "fixed", 0.5)])).unwrap();
    let e = model()
        .simulate_sample(100, &opts(1, None), Some(&corr))
        .unwrap_err()
        .to_string();
    assert!(e.contains("'fixed' is a fixed number"), "{e}");
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "cvrr", 0.5)])).unwrap();
    let e = model()
        .simulate_sample(100, &opts(1, None), Some(&corr))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no input 'cvrr'") && e.contains("did you mean 'cvr'"),
        "{e}"
    );
}

#[test]
fn jacobi_eigenvalues_of_a_known_matrix() {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3; [[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]]
    // has characteristic roots 1.9, 1.9 and -0.8 (trace 3, determinant -2.888).
    let (mut v, _) = symmetric_eigen(&[vec![2.0, 1.0], vec![1.0, 2.0]]);
    v.sort_by(f64::total_cmp);
    assert!(
        (v[0] - 1.0).abs() < 1e-14 && (v[1] - 3.0).abs() < 1e-14,
        "{v:?}"
    );
    let (mut v, _) = symmetric_eigen(&[
        vec![1.0, 0.9, 0.9],
        vec![0.9, 1.0, -0.9],
        vec![0.9, -0.9, 1.0],
    ]);
    v.sort_by(f64::total_cmp);
    assert!(
        (v[0] + 0.8).abs() < 1e-13 && (v[2] - 1.9).abs() < 1e-13,
        "{v:?}"
    );
}

fn spearman_fixture() -> (Vec<Vec<f64>>, Vec<(String, f64)>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scenario/");
    let text = std::fs::read_to_string(format!("{dir}spearman_sample.csv")).unwrap();
    let mut cols = vec![Vec::new(); 4];
    for line in text.lines().skip(1) {
        for (c, v) in cols.iter_mut().zip(line.split(',')) {
            c.push(v.parse::<f64>().unwrap());
        }
    }
    let refs = std::fs::read_to_string(format!("{dir}spearman_references.csv")).unwrap();
    let refs = refs
        .lines()
        .skip(1)
        .map(|l| {
            let (k, v) = l.split_once(',').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect();
    (cols, refs)
}

#[test]
fn spearman_matches_scipy_with_ties() {
    let (cols, refs) = spearman_fixture();
    for (k, (name, want)) in refs.iter().enumerate() {
        let got = spearman(&cols[k], &cols[3]);
        assert!((got - want).abs() <= 1e-12, "{name}: {got} vs {want}");
    }
    // the sensitivity table on the same sample: contributions are rho^2 / sum rho^2
    let s =
        sensitivity::sensitivity("out", &names(&["a", "b", "c"]), &cols[..3], &cols[3]).unwrap();
    let total: f64 = refs.iter().map(|(_, r)| r * r).sum();
    assert_eq!(s.rows[0].input, "b");
    for row in &s.rows {
        let want = refs.iter().find(|(n, _)| *n == row.input).unwrap().1;
        assert!((row.rank_correlation - want).abs() <= 1e-12);
        assert!((row.contribution - want * want / total).abs() <= 1e-12);
    }
}

/// Spearman by the definition, independently of `ranks`: each value's rank is the
/// number of values below it plus half the number equal to it, plus one half.
fn naive_spearman(x: &[f64], y: &[f64]) -> f64 {
    let rank = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .map(|a| {
                let below = v.iter().filter(|b| *b < a).count() as f64;
                let equal = v.iter().filter(|b| *b == a).count() as f64;
                below + (equal + 1.0) / 2.0
            })
            .collect()
    };
    let (rx, ry) = (rank(x), rank(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn a_simulations_sensitivity_matches_an_independent_computation() {
    let corr = Correlation::from_pairs(&pairs(&[("ctr", "cvr", -0.5)])).unwrap();
    let s = model()
        .simulate_sample(3_000, &opts(9, None), Some(&corr))
        .unwrap();
    let sens = s.sensitivity("revenue").unwrap();
    assert_eq!(sens.rows.len(), 4);
    let sum: f64 = sens.rows.iter().map(|r| r.contribution).sum();
    assert!((sum - 1.0).abs() < 1e-12);
    for row in &sens.rows {
        let j = s.names.iter().position(|n| *n == row.input).unwrap();
        let want = naive_spearman(&s.inputs[j], &s.output);
        assert!((row.rank_correlation - want).abs() < 1e-12, "{}", row.input);
    }
    // sorted by |rho|: the log-normal order value (cv 0.3) leads the beta rates (cv
    // about 0.18 and 0.12) and the Poisson count (cv 0.16)
    assert_eq!(sens.rows[0].input, "aov");
    let t = sens.table().unwrap();
    assert_eq!(t.names(), ["input", "rank_correlation", "contribution"]);
}
