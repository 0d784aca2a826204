//! The distributions uncertain inputs are drawn from, checked at construction so a
//! `Dist` always has valid parameters. Sampling and the normal, log-normal, triangular
//! and uniform quantiles come from `statrs` (0.19); the Beta and Poisson quantiles are
//! bisections on their CDFs (statrs's panic in the tails); the beta sampler used in native simulations is Marsaglia and Tsang's gamma
//! method ("A simple method for generating gamma variables", ACM TOMS 26(3), 2000)
//! with its constants computed once.

use super::error::{out_of_range, ScenarioError};
use rand::distr::Distribution as _;
use rand::Rng;
use statrs::distribution::{
    ContinuousCDF, Exp, Gamma, LogNormal, Normal, Poisson, Triangular, Uniform, Weibull,
};
use statrs::statistics::{Distribution as _, Mode as _};

/// A probability distribution with valid parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Normal with mean and standard deviation (sd > 0).
    Normal(Normal),
    /// Log-normal: `exp(N(mu, sigma))`, `mu` and `sigma` of the logarithm (sigma > 0).
    LogNormal(LogNormal),
    /// Beta with shapes a > 0, b > 0 (a rate's uncertainty).
    Beta(FastBeta),
    /// Triangular on [lo, hi] with its peak at `mode`.
    Triangular(Triangular),
    /// Uniform on [lo, hi].
    Uniform(Uniform),
    /// Poisson with mean `lambda` > 0 (counts).
    Poisson(Poisson),
    /// Gamma with shape `a` > 0 and scale `theta` > 0 (mean `a theta`).
    Gamma(Gamma),
    /// Weibull with shape `c` > 0 and scale `lambda` > 0: `P(X > x) = exp(-(x / lambda)^c)`.
    Weibull(Weibull),
    /// Exponential with mean `m` > 0 (rate `1 / m`).
    Exponential(Exp),
}

fn finite(what: &str, v: f64) -> Result<f64, ScenarioError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(out_of_range(what, "a finite number", v))
    }
}

fn positive(what: &str, v: f64) -> Result<f64, ScenarioError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(out_of_range(what, "a positive number", v))
    }
}

/// The width `hi - lo` must be a number (draws are `lo + u (hi - lo)`).
fn wide_enough(function: &str, lo: f64, hi: f64) -> Result<(), ScenarioError> {
    if (hi - lo).is_finite() {
        Ok(())
    } else {
        Err(out_of_range(
            &format!("{function}: hi - lo"),
            "a finite number (lo and hi near the largest numbers overflow it)",
            hi - lo,
        ))
    }
}

fn invalid(e: impl std::fmt::Display, what: &str) -> ScenarioError {
    ScenarioError::Invalid(format!("{what}: {e}"))
}

impl Dist {
    /// Normal(mean, sd): `sd` must be positive.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, ScenarioError> {
        let mean = finite("normal: mean", mean)?;
        let sd = positive("normal: sd", sd)?;
        Normal::new(mean, sd)
            .map(Dist::Normal)
            .map_err(|e| invalid(e, "normal"))
    }

    /// Log-normal with `mu` and `sigma` the mean and sd of the logarithm.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Dist, ScenarioError> {
        let mu = finite("lognormal: mu", mu)?;
        let sigma = positive("lognormal: sigma", sigma)?;
        // The mean exp(mu + sigma^2 / 2) must be a number: ln(f64::MAX) is about 709.78.
        if mu + sigma * sigma / 2.0 > 709.0 {
            return Err(out_of_range(
                "lognormal: sigma",
                &format!(
                    "small enough that mu + sigma^2 / 2 is at most 709 (the mean exp(mu + sigma^2 / 2) overflows beyond), with mu = {}",
                    crate::units::show_number(mu)
                ),
                sigma,
            ));
        }
        LogNormal::new(mu, sigma)
            .map(Dist::LogNormal)
            .map_err(|e| invalid(e, "lognormal"))
    }

    /// Beta(a, b), both shapes positive.
    pub fn beta(a: f64, b: f64) -> Result<Dist, ScenarioError> {
        FastBeta::new(a, b).map(Dist::Beta)
    }

    /// The posterior of a rate after `x` successes in `n` trials under a uniform prior:
    /// Beta(x + 1, n - x + 1) (Bayes-Laplace; Gelman et al., *Bayesian Data Analysis*,
    /// 3rd ed., section 2.1). Needs whole numbers with 0 <= x <= n.
    pub fn beta_observed(x: f64, n: f64) -> Result<Dist, ScenarioError> {
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0) {
            return Err(out_of_range("beta_observed: n", "a whole number >= 0", n));
        }
        if !(x.is_finite() && x >= 0.0 && x <= n && x.fract() == 0.0) {
            return Err(out_of_range(
                "beta_observed: x",
                &format!("a whole number between 0 and n = {n}"),
                x,
            ));
        }
        Dist::beta(x + 1.0, n - x + 1.0)
    }

    /// Triangular on [lo, hi] with mode in [lo, hi] and lo < hi.
    pub fn triangular(lo: f64, mode: f64, hi: f64) -> Result<Dist, ScenarioError> {
        let lo = finite("triangular: lo", lo)?;
        let hi = finite("triangular: hi", hi)?;
        if lo >= hi {
            return Err(out_of_range(
                "triangular: hi",
                &format!("greater than lo = {lo}"),
                hi,
            ));
        }
        wide_enough("triangular", lo, hi)?;
        // Draws take sqrt(u (hi - lo) (hi - mode)): the product must be a number too.
        if !((hi - lo) * (hi - lo)).is_finite() {
            return Err(out_of_range(
                "triangular: hi - lo",
                "at most 1e154 (draws multiply it by itself)",
                hi - lo,
            ));
        }
        if !(mode >= lo && mode <= hi) {
            return Err(out_of_range(
                "triangular: mode",
                &format!("between lo = {lo} and hi = {hi}"),
                mode,
            ));
        }
        Triangular::new(lo, hi, mode)
            .map(Dist::Triangular)
            .map_err(|e| invalid(e, "triangular"))
    }

    /// Uniform on [lo, hi] with lo < hi.
    pub fn uniform(lo: f64, hi: f64) -> Result<Dist, ScenarioError> {
        let lo = finite("uniform: lo", lo)?;
        let hi = finite("uniform: hi", hi)?;
        if lo >= hi {
            return Err(out_of_range(
                "uniform: hi",
                &format!("greater than lo = {lo}"),
                hi,
            ));
        }
        wide_enough("uniform", lo, hi)?;
        Uniform::new(lo, hi)
            .map(Dist::Uniform)
            .map_err(|e| invalid(e, "uniform"))
    }

    /// Poisson with mean `lambda` in (0, [`POISSON_MAX_LAMBDA`]].
    pub fn poisson(lambda: f64) -> Result<Dist, ScenarioError> {
        let lambda = positive("poisson: lambda", lambda)?;
        if lambda > POISSON_MAX_LAMBDA {
            return Err(out_of_range(
                "poisson: lambda",
                "at most 1e7 (for larger means use normal(lambda, sqrt(lambda)), which a Poisson count matches to within 1/sqrt(lambda))",
                lambda,
            ));
        }
        Poisson::new(lambda)
            .map(Dist::Poisson)
            .map_err(|e| invalid(e, "poisson"))
    }

    /// Gamma(shape, scale): both positive, the mean `shape x scale` finite, the shape
    /// from 1e-3 to 1e10 (below, draws underflow to 0).
    pub fn gamma(shape: f64, scale: f64) -> Result<Dist, ScenarioError> {
        let shape = positive("gamma: shape", shape)?;
        let scale = positive("gamma: scale", scale)?;
        if !(1e-3..=1e10).contains(&shape) {
            return Err(out_of_range("gamma: shape", "from 0.001 to 1e10", shape));
        }
        // A draw is at most about shape + 50 sqrt(shape) + 50 scales (53 random bits).
        if (shape + 50.0 * shape.sqrt() + 50.0) * scale > DRAW_MAX {
            return Err(out_of_range(
                "gamma: scale",
                "small enough that (shape + 50 sqrt(shape) + 50) x scale, about the largest draw, is at most 1e300",
                scale,
            ));
        }
        Gamma::new(shape, 1.0 / scale)
            .map(Dist::Gamma)
            .map_err(|e| invalid(e, "gamma"))
    }

    /// Weibull(shape, scale): shape from 0.05 to 1e4 (beyond, draws and moments lose
    /// their digits), scale positive, the mean finite.
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, ScenarioError> {
        let shape = positive("weibull: shape", shape)?;
        let scale = positive("weibull: scale", scale)?;
        if !(0.05..=1e4).contains(&shape) {
            return Err(out_of_range("weibull: shape", "from 0.05 to 10000", shape));
        }
        // A draw is scale x E^(1 / shape) with E an exponential draw, at most about 40.
        if scale * 40f64.powf(1.0 / shape) > DRAW_MAX {
            return Err(out_of_range(
                "weibull: scale",
                "small enough that scale x 40^(1 / shape), about the largest draw, is at most 1e300",
                scale,
            ));
        }
        Weibull::new(shape, scale)
            .map(Dist::Weibull)
            .map_err(|e| invalid(e, "weibull"))
    }

    /// Exponential with mean `mean` > 0.
    pub fn exponential(mean: f64) -> Result<Dist, ScenarioError> {
        let mean = positive("exponential: mean", mean)?;
        let rate = 1.0 / mean;
        // A draw is at most about 40 means.
        if !(rate.is_finite() && 40.0 * mean <= DRAW_MAX) {
            return Err(out_of_range(
                "exponential: mean",
                "a positive number from 1e-300 to 2.5e298 (draws reach about 40 means)",
                mean,
            ));
        }
        Exp::new(rate)
            .map(Dist::Exponential)
            .map_err(|e| invalid(e, "exponential"))
    }

    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Normal(d) => d.sample(rng),
            Dist::LogNormal(d) => d.sample(rng),
            Dist::Beta(d) => d.sample(rng),
            Dist::Triangular(d) => d.sample(rng),
            Dist::Uniform(d) => d.sample(rng),
            Dist::Poisson(d) => d.sample(rng),
            Dist::Gamma(d) => d.sample(rng),
            Dist::Weibull(d) => d.sample(rng),
            Dist::Exponential(d) => d.sample(rng),
        }
    }

    /// The expectation.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Normal(d) => d.mean(),
            Dist::LogNormal(d) => d.mean(),
            Dist::Beta(d) => Some(d.a / (d.a + d.b)),
            Dist::Triangular(d) => d.mean(),
            Dist::Uniform(d) => d.mean(),
            Dist::Poisson(d) => d.mean(),
            Dist::Gamma(d) => d.mean(),
            Dist::Weibull(d) => d.mean(),
            Dist::Exponential(d) => d.mean(),
        }
        .unwrap_or(f64::NAN)
    }

    /// The quantile at probability `p` in (0, 1) (for Poisson the smallest count whose
    /// CDF reaches `p`). Beta and Poisson quantiles are found by bisection on their
    /// CDFs ([`beta_quantile`], [`poisson_quantile`]), which holds for every `p`, however
    /// far out in a tail; a `p` outside (0, 1) gives NaN.
    pub fn quantile(&self, p: f64) -> f64 {
        if !(p > 0.0 && p < 1.0) {
            return f64::NAN;
        }
        match self {
            Dist::Normal(d) => d.inverse_cdf(p),
            Dist::LogNormal(d) => d.inverse_cdf(p),
            Dist::Beta(d) => beta_quantile(d.a, d.b, p),
            Dist::Triangular(d) => d.inverse_cdf(p),
            Dist::Uniform(d) => d.inverse_cdf(p),
            Dist::Poisson(d) => poisson_quantile(d.lambda(), p),
            Dist::Gamma(d) => d.inverse_cdf(p),
            Dist::Weibull(d) => d.inverse_cdf(p),
            Dist::Exponential(d) => d.inverse_cdf(p),
        }
    }

    /// The smallest and largest values a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Normal(_) => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal(_)
            | Dist::Poisson(_)
            | Dist::Gamma(_)
            | Dist::Weibull(_)
            | Dist::Exponential(_) => (0.0, f64::INFINITY),
            Dist::Beta(_) => (0.0, 1.0),
            Dist::Triangular(d) => (d.min(), d.max()),
            Dist::Uniform(d) => (d.min(), d.max()),
        }
    }

    /// The distribution as written in a script: `beta(30, 970)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Normal(d) => format!(
                "normal({}, {})",
                d.mean().unwrap_or(f64::NAN),
                d.std_dev().unwrap_or(f64::NAN)
            ),
            Dist::LogNormal(d) => format!("lognormal({}, {})", d.location(), d.scale()),
            Dist::Beta(d) => format!("beta({}, {})", d.a, d.b),
            Dist::Triangular(d) => format!(
                "triangular({}, {}, {})",
                d.min(),
                d.mode().unwrap_or(f64::NAN),
                d.max()
            ),
            Dist::Uniform(d) => format!("uniform({}, {})", d.min(), d.max()),
            Dist::Poisson(d) => format!("poisson({})", d.lambda()),
            Dist::Gamma(d) => format!("gamma({}, {})", d.shape(), 1.0 / d.rate()),
            Dist::Weibull(d) => format!("weibull({}, {})", d.shape(), d.scale()),
            Dist::Exponential(d) => format!("exponential({})", 1.0 / d.rate()),
        }
    }
}

/// The largest draw a distribution may reach: its bound keeps every draw, and sums of
/// a few of them, finite.
const DRAW_MAX: f64 = 1e300;

/// The largest Poisson mean accepted: up to it the quantile's CDF (the regularized
/// incomplete gamma, `crate::abtest::special::gamma_q`) converges within its iteration
/// budget, and draws (statrs's Atkinson PA rejection sampler) keep their accuracy.
pub const POISSON_MAX_LAMBDA: f64 = 1e7;

/// The largest Beta shape accepted: up to it the incomplete beta's continued fraction
/// converges in about `sqrt(shape)` steps, so a quantile stays fast.
pub const BETA_MAX_SHAPE: f64 = 1e10;

/// The smallest Beta shape accepted: the sampler raises a uniform draw to 1 / shape.
pub const BETA_MIN_SHAPE: f64 = 1e-300;

/// The Beta(a, b) quantile: the smallest x in [0, 1] with I_x(a, b) >= p, by bisection
/// over the binary representations of the doubles in [0, 1] (they are ordered like
/// the numbers, so 64 halvings reach the exact double, however close to 0 or 1). For
/// p > 1/2 the upper tail 1 - I_x(a, b) <= 1 - p is compared instead, keeping digits
/// near 1.
pub fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    use crate::abtest::special::beta_reg;
    let reaches = |x: f64| {
        let (lower, upper) = beta_reg(a, b, x, 1.0 - x);
        if p <= 0.5 {
            lower >= p
        } else {
            upper <= 1.0 - p
        }
    };
    let (mut lo, mut hi) = (0u64, 1f64.to_bits());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(f64::from_bits(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    f64::from_bits(hi)
}

/// The Poisson(lambda) quantile: the smallest count k with P(X <= k) >= p, where
/// P(X <= k) = Q(k + 1, lambda), the regularized upper incomplete gamma (Johnson, Kemp
/// and Kotz, *Univariate Discrete Distributions*, 3rd ed., eq. 4.13). An upper bound is
/// found by doubling from lambda + 40 sqrt(lambda) + 40, then integers are bisected.
pub fn poisson_quantile(lambda: f64, p: f64) -> f64 {
    use crate::abtest::special::gamma_q;
    let reaches = |k: f64| gamma_q(k + 1.0, lambda) >= p;
    let mut hi = (lambda + 40.0 * lambda.sqrt() + 40.0).ceil();
    while !reaches(hi) && hi < 1e18 {
        hi *= 2.0;
    }
    let mut lo = -1.0;
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Beta(a, b) sampled as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`, each by
/// Marsaglia-Tsang with its constants `d = a - 1/3`, `c = 1 / sqrt(9d)` computed once
/// (shapes below 1 use the boost `Gamma(a) = Gamma(a + 1) U^(1/a)`). The quantiles are
/// [`beta_quantile`].
#[derive(Debug, Clone, PartialEq)]
pub struct FastBeta {
    a: f64,
    b: f64,
    ga: FastGamma,
    gb: FastGamma,
}

impl FastBeta {
    /// Beta(a, b): both shapes positive and finite.
    pub fn new(a: f64, b: f64) -> Result<FastBeta, ScenarioError> {
        let a = positive("beta: a", a)?;
        let b = positive("beta: b", b)?;
        for (what, v) in [("beta: a", a), ("beta: b", b)] {
            if v > BETA_MAX_SHAPE {
                return Err(out_of_range(what, "at most 1e10", v));
            }
            // Below it the sampler's 1 / shape overflows (and such a Beta is, to every
            // double, a coin toss between 0 and 1).
            if v < BETA_MIN_SHAPE {
                return Err(out_of_range(what, "at least 1e-300", v));
            }
        }
        Ok(FastBeta {
            a,
            b,
            ga: FastGamma::new(a),
            gb: FastGamma::new(b),
        })
    }

    /// The first shape.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// The second shape.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// One draw in [0, 1].
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.ga.boost > 0.0 || self.gb.boost > 0.0 {
            // Shapes below 1: both gammas can underflow to 0 (0 / 0), so work with
            // their logarithms: x / (x + y) = 1 / (1 + exp(ln y - ln x)).
            let lx = self.ga.ln_sample(rng);
            let ly = self.gb.ln_sample(rng);
            return 1.0 / (1.0 + (ly - lx).exp());
        }
        let x = self.ga.sample(rng);
        let y = self.gb.sample(rng);
        x / (x + y)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct FastGamma {
    d: f64,
    c: f64,
    /// `1 / shape` when the shape is below 1 (boost), else 0.
    boost: f64,
}

impl FastGamma {
    fn new(shape: f64) -> FastGamma {
        let (s, boost) = if shape < 1.0 {
            (shape + 1.0, 1.0 / shape)
        } else {
            (shape, 0.0)
        };
        let d = s - 1.0 / 3.0;
        FastGamma {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            boost,
        }
    }

    #[inline(always)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let g = self.core(rng);
        if self.boost > 0.0 {
            g * open01(rng).powf(self.boost)
        } else {
            g
        }
    }

    /// The logarithm of a draw (exact for tiny shapes, where the draw itself underflows).
    fn ln_sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let g = self.core(rng).ln();
        if self.boost > 0.0 {
            g + open01(rng).ln() * self.boost
        } else {
            g
        }
    }

    /// Marsaglia-Tsang for the shape `d + 1/3` >= 1.
    #[inline(always)]
    fn core<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let (x, v) = loop {
                let x = standard_normal(rng);
                let v = 1.0 + self.c * x;
                if v > 0.0 {
                    break (x, v * v * v);
                }
            };
            let u = open01(rng);
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + self.d * (1.0 - v + v.ln()) {
                return self.d * v;
            }
        }
    }
}

/// A uniform draw in (0, 1) from 53 random bits.
#[inline]
fn open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal draw (statrs's ziggurat via a unit Normal).
#[inline]
fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    statrs::distribution::Normal::standard().sample(rng)
}
