//! Fitting a distribution to observed values by maximum likelihood, with its
//! log-likelihood, AIC and the Kolmogorov-Smirnov goodness of fit; the fitted
//! distribution is a [`Dist`], usable as a model input.
//!
//! The parameterisations are scipy.stats's with the location fixed at 0 (and the scale
//! at 1 for beta), so that `scipy.stats.<dist>.fit(x, floc=0)` gives the same numbers:
//!
//! | family | parameters | maximum likelihood |
//! |---|---|---|
//! | normal | mean, sd | closed form: the mean and `sqrt(sum (x - mean)^2 / n)` |
//! | lognormal | mu, sigma (of ln x) | closed form, the normal's on `ln x` |
//! | exponential | mean | closed form: the mean |
//! | gamma | shape, scale | Newton on `ln a - psi(a) = ln(mean) - mean(ln x)`, `scale = mean / a` (Minka, "Estimating a Gamma distribution", 2002) |
//! | weibull | shape, scale | Brent on the profile equation `sum x^c ln x / sum x^c - 1/c - mean(ln x) = 0`, `scale = (mean x^c)^(1/c)` (Cohen, *Technometrics* 7, 1965) |
//! | beta | a, b | Newton on `psi(a) - psi(a + b) = mean ln x`, `psi(b) - psi(a + b) = mean ln(1 - x)` (Johnson, Kotz and Balakrishnan, vol. 2, ch. 25) |
//!
//! `AIC = 2 k - 2 logL` with `k` the number of parameters (Akaike, 1974); the family
//! with the smallest AIC is the best supported by the data.
//!
//! The Kolmogorov-Smirnov statistic is `D = max_i max(i/n - F(x_(i)), F(x_(i)) - (i-1)/n)`;
//! its p-value is `P(D_n >= D)` for a fully specified distribution, computed as
//! `scipy.stats.kstest` does (method `auto`): exactly for up to 10,000 values (the
//! Durbin matrix of Marsaglia, Tsang and Wang, *J. Stat. Software* 8(18), 2003; twice
//! the one-sided Smirnov tail of Birnbaum and Tingey, 1951, where `n D^2` is large;
//! the closed forms of Ruben and Gambino at the ends), and by Kolmogorov's limit
//! `P(K >= sqrt(n) D)` above. Because the parameters were estimated from the same
//! values, the p-value is conservative (too high; Lilliefors, *JASA* 62, 1967): read it
//! as a screen against a poor fit, and compare families by AIC.

use super::distribution::Dist;
use super::error::{out_of_range, ScenarioError};
use super::goal_seek::{goal_seek, SeekOptions};
use crate::abtest::special::{beta_reg, ln_beta, norm_cdf};
use statrs::function::gamma::{digamma, gamma_lr, ln_gamma};

/// A family of distributions that can be fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Normal(mean, sd).
    Normal,
    /// Log-normal(mu, sigma).
    LogNormal,
    /// Exponential(mean).
    Exponential,
    /// Gamma(shape, scale).
    Gamma,
    /// Weibull(shape, scale).
    Weibull,
    /// Beta(a, b) on (0, 1).
    Beta,
}

impl Family {
    /// Every family, in the order `"best"` tries them.
    pub const ALL: [Family; 6] = [
        Family::Normal,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
        Family::Exponential,
        Family::Beta,
    ];

    /// The family's name as scripts write it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Normal => "normal",
            Family::LogNormal => "lognormal",
            Family::Exponential => "exponential",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::Beta => "beta",
        }
    }

    /// The family named `name`, or an error listing the names.
    pub fn parse(name: &str) -> Result<Family, ScenarioError> {
        Family::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
                let hint = crate::suggest::closest(name, names.iter().copied().chain(["best"]))
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                ScenarioError::Invalid(format!(
                    "fit_distribution: unknown family '{name}'{hint}; the families are {}, or \"best\" for the smallest AIC",
                    names.join(", ")
                ))
            })
    }

    /// Whether every value lies in the family's support, or why not.
    fn supports(self, x: &[f64]) -> Result<(), String> {
        let (ok, rule): (fn(f64) -> bool, &str) = match self {
            Family::Normal => (|_| true, ""),
            Family::LogNormal | Family::Gamma | Family::Weibull => {
                (|v| v > 0.0, "positive values (x > 0)")
            }
            Family::Exponential => (|v| v >= 0.0, "values x >= 0"),
            Family::Beta => (|v| v > 0.0 && v < 1.0, "values strictly between 0 and 1"),
        };
        match x.iter().position(|v| !ok(*v)) {
            None => Ok(()),
            Some(i) => Err(format!(
                "a {} distribution needs {rule}; value {} is {}",
                self.name(),
                i + 1,
                x[i]
            )),
        }
    }
}

/// A fitted distribution and how well it fits.
#[derive(Debug, Clone, PartialEq)]
pub struct DistFit {
    /// The family.
    pub family: Family,
    /// The maximum likelihood parameters, named as in the family's table above.
    pub params: Vec<(&'static str, f64)>,
    /// The fitted distribution.
    pub dist: Dist,
    /// The number of values.
    pub n: usize,
    /// The log-likelihood at the fitted parameters.
    pub log_likelihood: f64,
    /// `2 k - 2 logL`.
    pub aic: f64,
    /// The Kolmogorov-Smirnov statistic D.
    pub ks: f64,
    /// `P(D_n >= D)` (conservative with fitted parameters, see the module's notes).
    pub ks_p: f64,
}

/// Checks the values: at least 2, finite, not all equal.
fn check_values(x: &[f64]) -> Result<(), ScenarioError> {
    if x.len() < 2 {
        return Err(ScenarioError::Invalid(format!(
            "fit_distribution: needs at least 2 values, got {}",
            x.len()
        )));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(out_of_range(
            &format!("fit_distribution: value {}", i + 1),
            "a finite number",
            x[i],
        ));
    }
    if x.iter().all(|v| *v == x[0]) {
        return Err(ScenarioError::Invalid(format!(
            "fit_distribution: every value is {}; a distribution cannot be fitted to values that do not vary",
            x[0]
        )));
    }
    Ok(())
}

/// Fits `family` to `x` by maximum likelihood.
pub fn fit(x: &[f64], family: Family) -> Result<DistFit, ScenarioError> {
    check_values(x)?;
    family
        .supports(x)
        .map_err(|e| ScenarioError::Invalid(format!("fit_distribution: {e}")))?;
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (params, dist): (Vec<(&'static str, f64)>, Dist) = match family {
        Family::Normal => {
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            (vec![("mean", mean), ("sd", sd)], Dist::normal(mean, sd)?)
        }
        Family::LogNormal => {
            let mu = x.iter().map(|v| v.ln()).sum::<f64>() / n;
            let sigma = (x.iter().map(|v| (v.ln() - mu).powi(2)).sum::<f64>() / n).sqrt();
            (
                vec![("mu", mu), ("sigma", sigma)],
                Dist::lognormal(mu, sigma)?,
            )
        }
        Family::Exponential => (vec![("mean", mean)], Dist::exponential(mean)?),
        Family::Gamma => {
            let s = mean.ln() - x.iter().map(|v| v.ln()).sum::<f64>() / n;
            let a = gamma_shape(s)?;
            let scale = mean / a;
            (vec![("shape", a), ("scale", scale)], Dist::gamma(a, scale)?)
        }
        Family::Weibull => {
            let (c, scale) = weibull_mle(x)?;
            (
                vec![("shape", c), ("scale", scale)],
                Dist::weibull(c, scale)?,
            )
        }
        Family::Beta => {
            let l1 = x.iter().map(|v| v.ln()).sum::<f64>() / n;
            let l2 = x.iter().map(|v| (-v).ln_1p()).sum::<f64>() / n;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            let (a, b) = beta_mle(l1, l2, mean, var)?;
            (vec![("a", a), ("b", b)], Dist::beta(a, b)?)
        }
    };
    let log_likelihood: f64 = x.iter().map(|v| log_pdf(family, &params, *v)).sum();
    if !log_likelihood.is_finite() {
        return Err(ScenarioError::Invalid(format!(
            "fit_distribution: the {} fit's log-likelihood is {log_likelihood}; the values are too extreme for this family",
            family.name()
        )));
    }
    let aic = 2.0 * params.len() as f64 - 2.0 * log_likelihood;
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ks = ks_statistic(&sorted, |v| cdf(family, &params, v));
    let ks_p = ks_pvalue(sorted.len(), ks);
    Ok(DistFit {
        family,
        params,
        dist,
        n: x.len(),
        log_likelihood,
        aic,
        ks,
        ks_p,
    })
}

/// Fits every family whose support holds every value; the fits by increasing AIC
/// (the first is the best).
pub fn fit_all(x: &[f64]) -> Result<Vec<DistFit>, ScenarioError> {
    check_values(x)?;
    let mut fits = Vec::new();
    for f in Family::ALL {
        if f.supports(x).is_ok() {
            fits.push(fit(x, f)?);
        }
    }
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Ok(fits)
}

/// ln f(x) at the parameters.
fn log_pdf(family: Family, p: &[(&str, f64)], x: f64) -> f64 {
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
    let (p1, p2) = (p[0].1, p.get(1).map_or(f64::NAN, |q| q.1));
    match family {
        Family::Normal => -LN_SQRT_2PI - p2.ln() - 0.5 * ((x - p1) / p2).powi(2),
        Family::LogNormal => -LN_SQRT_2PI - p2.ln() - x.ln() - 0.5 * ((x.ln() - p1) / p2).powi(2),
        Family::Exponential => -p1.ln() - x / p1,
        Family::Gamma => (p1 - 1.0) * x.ln() - x / p2 - ln_gamma(p1) - p1 * p2.ln(),
        Family::Weibull => {
            let z = x / p2;
            p1.ln() - p2.ln() + (p1 - 1.0) * z.ln() - z.powf(p1)
        }
        Family::Beta => (p1 - 1.0) * x.ln() + (p2 - 1.0) * (-x).ln_1p() - ln_beta(p1, p2),
    }
}

/// F(x) at the parameters.
fn cdf(family: Family, p: &[(&str, f64)], x: f64) -> f64 {
    let (p1, p2) = (p[0].1, p.get(1).map_or(f64::NAN, |q| q.1));
    match family {
        Family::Normal => norm_cdf((x - p1) / p2),
        Family::LogNormal => norm_cdf((x.ln() - p1) / p2),
        Family::Exponential => -(-x / p1).exp_m1(),
        Family::Gamma => gamma_lr(p1, x / p2),
        Family::Weibull => -(-(x / p2).powf(p1)).exp_m1(),
        Family::Beta => beta_reg(p1, p2, x, 1.0 - x).0,
    }
}

/// The trigamma function psi'(x), x > 0: the recurrence psi'(x) = psi'(x + 1) + 1/x^2
/// up to x >= 20, then the asymptotic series to the x^-11 term (Abramowitz and Stegun
/// 6.4.12; the next term is below 1e-17 there).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 20.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    acc + 1.0 / x
        + z / 2.0
        + (z / x)
            * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z * (1.0 / 30.0 - z * 5.0 / 66.0))))
}

/// The gamma shape `a` with `ln a - psi(a) = s` (s > 0), by Newton from Minka's
/// closed-form start `(3 - s + sqrt((s - 3)^2 + 24 s)) / (12 s)`.
fn gamma_shape(s: f64) -> Result<f64, ScenarioError> {
    if !(s.is_finite() && s > 0.0) {
        return Err(ScenarioError::Invalid(
            "fit_distribution: the values' mean and geometric mean are equal to the last digit; a gamma cannot be fitted".into(),
        ));
    }
    let mut a = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = a.ln() - digamma(a) - s;
        let df = 1.0 / a - trigamma(a);
        let mut next = a - f / df;
        if next <= 0.0 {
            next = a / 2.0;
        }
        let done = (next - a).abs() <= 1e-15 * a;
        a = next;
        if done {
            return Ok(a);
        }
    }
    Ok(a)
}

/// The Weibull maximum likelihood `(shape, scale)`: Brent on the profile equation in
/// the shape, whose left side increases with it, over a bracket widened until it holds
/// the root; the values are divided by their largest so that `x^c` cannot overflow.
fn weibull_mle(x: &[f64]) -> Result<(f64, f64), ScenarioError> {
    let n = x.len() as f64;
    let top = x.iter().copied().fold(0.0, f64::max);
    let y: Vec<f64> = x.iter().map(|v| v / top).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let mean_ly = ly.iter().sum::<f64>() / n;
    let profile = |c: f64| -> Result<f64, ScenarioError> {
        let (mut sw, mut swl) = (0.0, 0.0);
        for (v, l) in y.iter().zip(&ly) {
            let w = v.powf(c);
            sw += w;
            swl += w * l;
        }
        Ok(swl / sw - 1.0 / c - mean_ly)
    };
    let (mut lo, mut hi) = (0.5, 5.0);
    while profile(lo)? > 0.0 && lo > 1e-3 {
        lo /= 4.0;
    }
    while profile(hi)? < 0.0 && hi < 1e4 {
        hi *= 4.0;
    }
    let opts = SeekOptions {
        tol: 1e-14,
        max_iter: 500,
    };
    let c = goal_seek::<ScenarioError, _>(profile, 0.0, lo, hi, &opts)
        .map_err(|_| {
            ScenarioError::Invalid(
                "fit_distribution: no Weibull shape between 0.001 and 10000 fits these values"
                    .into(),
            )
        })?
        .x;
    let scale = top * (y.iter().map(|v| v.powf(c)).sum::<f64>() / n).powf(1.0 / c);
    Ok((c, scale))
}

/// The beta maximum likelihood `(a, b)` from `l1 = mean ln x`, `l2 = mean ln(1 - x)`:
/// Newton on the two digamma equations from the method-of-moments start, each step
/// halved until both shapes stay positive.
fn beta_mle(l1: f64, l2: f64, mean: f64, var: f64) -> Result<(f64, f64), ScenarioError> {
    let common = (mean * (1.0 - mean) / var - 1.0).max(1e-3);
    let (mut a, mut b) = (mean * common, (1.0 - mean) * common);
    for _ in 0..200 {
        let (dab, tab) = (digamma(a + b), trigamma(a + b));
        let f1 = digamma(a) - dab - l1;
        let f2 = digamma(b) - dab - l2;
        let (j11, j12, j22) = (trigamma(a) - tab, -tab, trigamma(b) - tab);
        let det = j11 * j22 - j12 * j12;
        let da = (f1 * j22 - f2 * j12) / det;
        let db = (f2 * j11 - f1 * j12) / det;
        let mut step = 1.0;
        while a - step * da <= 0.0 || b - step * db <= 0.0 {
            step /= 2.0;
        }
        let (na, nb) = (a - step * da, b - step * db);
        let done = (na - a).abs() <= 1e-15 * a && (nb - b).abs() <= 1e-15 * b;
        a = na;
        b = nb;
        if done || (f1.abs() < 1e-15 && f2.abs() < 1e-15) {
            break;
        }
    }
    if !(a.is_finite() && b.is_finite()) {
        return Err(ScenarioError::Invalid(
            "fit_distribution: the beta fit did not converge on these values".into(),
        ));
    }
    Ok((a, b))
}

/// The two-sided Kolmogorov-Smirnov statistic of sorted values against `cdf`.
pub fn ks_statistic(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let f = cdf(*v);
            (((i + 1) as f64 / n) - f).max(f - i as f64 / n)
        })
        .fold(0.0, f64::max)
}

/// `P(D_n >= d)` for the two-sided statistic of `n` values from a fully specified
/// continuous distribution, following `scipy.stats.kstest`'s method `auto`.
pub fn ks_pvalue(n: usize, d: f64) -> f64 {
    let nf = n as f64;
    if n > 10_000 {
        return kolmogorov_sf(nf.sqrt() * d);
    }
    if d >= 1.0 {
        return 0.0;
    }
    let t = nf * d;
    if t <= 0.5 {
        return 1.0;
    }
    if t <= 1.0 {
        // Ruben and Gambino: P(D_n < d) = n! / n^n (2 t - 1)^n
        let ln_cdf = ln_gamma(nf + 1.0) - nf * nf.ln() + nf * (2.0 * t - 1.0).ln();
        return -ln_cdf.exp_m1();
    }
    if t >= nf - 1.0 {
        return (2.0 * (1.0 - d).powf(nf)).min(1.0);
    }
    let big = if n <= 140 { 4.0 } else { 2.2 };
    if d >= 0.5 || t * d >= big {
        return (2.0 * smirnov_sf(n, d)).min(1.0);
    }
    (1.0 - durbin_mtw_cdf(n, d)).clamp(0.0, 1.0)
}

/// The one-sided `P(D+_n >= d)` (Birnbaum and Tingey, *Ann. Math. Stat.* 22, 1951):
/// `d sum_{j=0}^{floor(n (1 - d))} C(n, j) (1 - d - j/n)^(n - j) (d + j/n)^(j - 1)`,
/// the terms summed in logs.
pub fn smirnov_sf(n: usize, d: f64) -> f64 {
    let nf = n as f64;
    let last = (nf * (1.0 - d)).floor() as usize;
    let ln_n1 = ln_gamma(nf + 1.0);
    let terms: Vec<f64> = (0..=last.min(n))
        .filter_map(|j| {
            let jf = j as f64;
            let u = 1.0 - d - jf / nf;
            if u <= 0.0 && n > j {
                return None;
            }
            let lu = if n == j { 0.0 } else { (nf - jf) * u.ln() };
            Some(
                ln_n1 - ln_gamma(jf + 1.0) - ln_gamma(nf - jf + 1.0)
                    + lu
                    + (jf - 1.0) * (d + jf / nf).ln(),
            )
        })
        .collect();
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return 0.0;
    }
    d * top.exp() * terms.iter().map(|t| (t - top).exp()).sum::<f64>()
}

/// `P(D_n < d)` exactly, by the Durbin matrix as Marsaglia, Tsang and Wang compute it:
/// `k = floor(n d) + 1`, `h = k - n d`, an `m = 2k - 1` square matrix `H` raised to
/// the n-th power (exponents kept apart), then `n! / n^n` times its middle element.
pub fn durbin_mtw_cdf(n: usize, d: f64) -> f64 {
    let nf = n as f64;
    let k = (nf * d).floor() as usize + 1;
    let m = 2 * k - 1;
    let h = k as f64 - nf * d;
    let mut hm = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            if i + 1 >= j {
                hm[i * m + j] = 1.0;
            }
        }
    }
    for i in 0..m {
        hm[i * m] -= h.powi(i as i32 + 1);
        hm[(m - 1) * m + i] -= h.powi((m - i) as i32);
    }
    if 2.0 * h - 1.0 > 0.0 {
        hm[(m - 1) * m] += (2.0 * h - 1.0).powi(m as i32);
    }
    for i in 0..m {
        for j in 0..m {
            if i + 1 > j {
                for g in 1..=(i + 1 - j) {
                    hm[i * m + j] /= g as f64;
                }
            }
        }
    }
    let (q, mut e) = matrix_power(&hm, m, n);
    let mut s = q[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        s = s * i as f64 / nf;
        if s < 1e-140 {
            s *= 1e140;
            e -= 140;
        }
    }
    s * 10f64.powi(e)
}

/// `a^p` for an `m x m` matrix, as a matrix and a power of ten kept apart (rescaled by
/// 1e-140 whenever the middle element passes 1e140).
fn matrix_power(a: &[f64], m: usize, p: usize) -> (Vec<f64>, i32) {
    let mul = |x: &[f64], y: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; m * m];
        for i in 0..m {
            for l in 0..m {
                let xil = x[i * m + l];
                if xil == 0.0 {
                    continue;
                }
                for j in 0..m {
                    out[i * m + j] += xil * y[l * m + j];
                }
            }
        }
        out
    };
    if p == 1 {
        return (a.to_vec(), 0);
    }
    let (half, mut e) = matrix_power(a, m, p / 2);
    let mut b = mul(&half, &half);
    e *= 2;
    if p % 2 == 1 {
        b = mul(a, &b);
    }
    let mid = (m / 2) * m + m / 2;
    if b[mid] > 1e140 {
        for v in &mut b {
            *v *= 1e-140;
        }
        e += 140;
    }
    (b, e)
}

/// Kolmogorov's limit `P(K >= t) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 t^2)`, with the
/// dual form `1 - sqrt(2 pi)/t sum exp(-(2j - 1)^2 pi^2 / (8 t^2))` for small `t`.
pub fn kolmogorov_sf(t: f64) -> f64 {
    if t <= 0.0 {
        return 1.0;
    }
    if t < 1.0 {
        let c = std::f64::consts::PI.powi(2) / (8.0 * t * t);
        let s: f64 = (1..=20)
            .map(|j| (-((2 * j - 1) as f64).powi(2) * c).exp())
            .sum();
        return 1.0 - (2.0 * std::f64::consts::PI).sqrt() / t * s;
    }
    let s: f64 = (1..=100)
        .map(|j| {
            let sign = if j % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * (j * j) as f64 * t * t).exp()
        })
        .sum();
    (2.0 * s).clamp(0.0, 1.0)
}
