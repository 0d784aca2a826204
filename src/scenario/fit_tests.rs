//! Tests of maximum likelihood fits against scipy.stats
//! (`fixtures/scenario/fit_references.csv`, made with the samples in
//! `fit_samples.csv` by `fixtures/scenario/make_fit_references.py`).

use super::fit::{durbin_mtw_cdf, kolmogorov_sf, ks_pvalue, smirnov_sf, trigamma};
use super::*;

struct Ref {
    sample: String,
    family: String,
    p: [f64; 2],
    loglik: f64,
    aic: f64,
    ks: f64,
    ks_p: f64,
}

fn fixture() -> (Vec<(String, Vec<f64>)>, Vec<Ref>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scenario/");
    let mut samples: Vec<(String, Vec<f64>)> = Vec::new();
    let text = std::fs::read_to_string(format!("{dir}fit_samples.csv")).unwrap();
    for line in text.lines().skip(1) {
        let (name, v) = line.split_once(',').unwrap();
        let v: f64 = v.parse().unwrap();
        match samples.last_mut() {
            Some((n, xs)) if n == name => xs.push(v),
            _ => samples.push((name.to_string(), vec![v])),
        }
    }
    let text = std::fs::read_to_string(format!("{dir}fit_references.csv")).unwrap();
    let refs = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            Ref {
                sample: f[0].into(),
                family: f[1].into(),
                p: [num(3), num(5)],
                loglik: num(6),
                aic: num(7),
                ks: num(8),
                ks_p: num(9),
            }
        })
        .collect();
    (samples, refs)
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// The KS statistic to 1e-6 relative; its p-value to 1e-6 relative on up to 140 values
/// and to 1e-3 above (see `fits_match_scipy`).
fn check_ks(f: &DistFit, r: &Ref, what: &str) {
    assert!(rel(f.ks, r.ks) < 1e-6, "{what}: ks {} vs {}", f.ks, r.ks);
    let ptol = if f.n <= 140 { 1e-6 } else { 1e-3 };
    let got = f.ks_p;
    assert!(rel(got, r.ks_p) < ptol, "{what}: ks_p {got} vs {}", r.ks_p);
}

/// Closed-form maximum likelihood (normal, lognormal, exponential) and the gamma and
/// beta fits, whose scipy counterparts solve their likelihood equations to machine
/// precision (gamma by root finding on ln a - psi(a), beta by fsolve): parameters,
/// log-likelihood and AIC to 1e-6 relative (in fact far closer). The KS statistic is to
/// 1e-6 relative as well; its p-value on the samples of 100 to 130 values (scipy's exact
/// branches, Durbin-Marsaglia-Tsang-Wang or Pomeranz) to 1e-6 relative; on the sample
/// of 600 (scipy: Pelz-Good's asymptotic series or twice the Smirnov tail, pacer: the
/// exact Durbin matrix or the same Smirnov tail) to 1e-3 relative.
#[test]
fn fits_match_scipy() {
    let (samples, refs) = fixture();
    let mut checked = 0;
    for r in &refs {
        let family = match r.family.as_str() {
            "weibull" | "weibull_exact" => continue,
            f => Family::parse(f).unwrap(),
        };
        let x = &samples.iter().find(|(n, _)| *n == r.sample).unwrap().1;
        let f = fit(x, family).unwrap();
        let what = format!("{} on {}", r.family, r.sample);
        for (k, (name, v)) in f.params.iter().enumerate() {
            assert!(rel(*v, r.p[k]) < 1e-6, "{what}: {name} {v} vs {}", r.p[k]);
        }
        assert!(
            rel(f.log_likelihood, r.loglik) < 1e-6,
            "{what}: logL {} vs {}",
            f.log_likelihood,
            r.loglik
        );
        assert!(rel(f.aic, r.aic) < 1e-6, "{what}: aic");
        check_ks(&f, r, &what);
        checked += 1;
    }
    assert_eq!(checked, 29);
}

/// Weibull: scipy's fit is a Nelder-Mead search (its xtol 1e-4), so pacer is compared
/// with the exact root of the profile equation (brentq, 1e-14) to 1e-9 relative, and
/// with scipy's own answer to 1e-4 relative, never with a lower log-likelihood.
#[test]
fn weibull_fits_match_the_exact_likelihood_root() {
    let (samples, refs) = fixture();
    let mut checked = 0;
    for r in refs.iter().filter(|r| r.family.starts_with("weibull")) {
        let x = &samples.iter().find(|(n, _)| *n == r.sample).unwrap().1;
        let f = fit(x, Family::Weibull).unwrap();
        let what = format!("{} on {}", r.family, r.sample);
        let tol = if r.family == "weibull_exact" {
            1e-9
        } else {
            1e-4
        };
        for (k, (name, v)) in f.params.iter().enumerate() {
            assert!(rel(*v, r.p[k]) < tol, "{what}: {name} {v} vs {}", r.p[k]);
        }
        assert!(f.log_likelihood >= r.loglik - 1e-9, "{what}");
        if r.family == "weibull_exact" {
            assert!(rel(f.log_likelihood, r.loglik) < 1e-12, "{what}");
            check_ks(&f, r, &what);
        }
        checked += 1;
    }
    assert_eq!(checked, 14);
}

#[test]
fn best_is_the_smallest_aic_among_the_families_that_apply() {
    let (samples, refs) = fixture();
    for (name, x) in &samples {
        let fits = fit_all(x).unwrap();
        let want = refs
            .iter()
            .filter(|r| r.sample == *name && r.family != "weibull_exact")
            .min_by(|a, b| a.aic.total_cmp(&b.aic))
            .unwrap();
        assert_eq!(fits[0].family.name(), want.family, "{name}");
        let n_refs = refs
            .iter()
            .filter(|r| r.sample == *name && r.family != "weibull_exact")
            .count();
        assert_eq!(fits.len(), n_refs, "{name}");
    }
}

#[test]
fn a_fit_is_a_simulation_input() {
    let (samples, _) = fixture();
    let x = &samples.iter().find(|(n, _)| n == "gamma").unwrap().1;
    let f = fit(x, Family::Gamma).unwrap();
    let m = Model::funnel(
        Input::Fixed(1000.0),
        vec![("rate".into(), Input::Fixed(0.1))],
        Some(Input::Uncertain(f.dist.clone())),
    )
    .unwrap();
    let s = m
        .simulate(
            200_000,
            &SimOptions {
                seed: 1,
                threads: None,
                deadline: None,
            },
        )
        .unwrap();
    // mean 100 x shape x scale, within 4 standard errors
    let want = 100.0 * f.params[0].1 * f.params[1].1;
    assert!(
        (s.mean() - want).abs() < 4.0 * s.se(),
        "{} vs {want}",
        s.mean()
    );
    assert!(f.dist.describe().starts_with("gamma(2.26"));
}

#[test]
fn bad_values_are_refused_with_the_reason() {
    let e = fit(&[1.0], Family::Normal).unwrap_err().to_string();
    assert!(e.contains("at least 2 values"), "{e}");
    let e = fit(&[2.0, 2.0, 2.0], Family::Normal)
        .unwrap_err()
        .to_string();
    assert!(e.contains("do not vary"), "{e}");
    let e = fit(&[0.2, 1.5, 0.3], Family::Beta).unwrap_err().to_string();
    assert!(
        e.contains("strictly between 0 and 1; value 2 is 1.5"),
        "{e}"
    );
    let e = fit(&[1.0, -2.0], Family::Gamma).unwrap_err().to_string();
    assert!(e.contains("positive values"), "{e}");
    let e = fit(&[1.0, f64::NAN], Family::Normal)
        .unwrap_err()
        .to_string();
    assert!(e.contains("value 2"), "{e}");
    let e = Family::parse("gama").unwrap_err().to_string();
    assert!(e.contains("did you mean 'gamma'"), "{e}");
}

#[test]
fn kolmogorov_smirnov_tails_against_closed_forms() {
    // n = 1: P(D_1 >= d) = 2 (1 - d) for d >= 1/2 (Ruben-Gambino branch).
    assert!((ks_pvalue(1, 0.7) - 0.6).abs() < 1e-15);
    // The Durbin matrix and the Smirnov sum agree where both apply: for n = 10 and
    // d = 0.3, P(D >= d) = 1 - P(D < d) with the Smirnov sum an upper bound close to it.
    let exact = 1.0 - durbin_mtw_cdf(10, 0.3);
    let bound = 2.0 * smirnov_sf(10, 0.3);
    assert!(exact <= bound && bound - exact < 1e-3, "{exact} {bound}");
    // scipy 1.17.1: special.smirnov(10, 0.3), stats.kstwo.sf(0.3, 10),
    // stats.kstwobign.sf(1.0) and stats.kstwobign.sf(0.5)
    assert!(
        rel(smirnov_sf(10, 0.3), 0.1354635556) < 1e-10,
        "{}",
        smirnov_sf(10, 0.3)
    );
    assert!(
        rel(ks_pvalue(10, 0.3), 0.270_535_574_799_999_46) < 1e-10,
        "{}",
        ks_pvalue(10, 0.3)
    );
    assert!(rel(kolmogorov_sf(1.0), 0.269_999_671_677_354_56) < 1e-12);
    assert!(rel(kolmogorov_sf(0.5), 0.963_945_243_664_875_1) < 1e-12);
    // trigamma(1) = pi^2 / 6, trigamma(0.5) = pi^2 / 2
    let pi2 = std::f64::consts::PI.powi(2);
    assert!(rel(trigamma(1.0), pi2 / 6.0) < 1e-14);
    assert!(rel(trigamma(0.5), pi2 / 2.0) < 1e-14);
}
