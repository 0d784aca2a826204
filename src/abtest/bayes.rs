//! Bayesian chance to beat control: P(rate_b > rate_a) under independent Beta
//! posteriors, and the expected loss of choosing each arm, computed exactly.
//!
//! With posteriors A ~ Beta(α_a, β_a) and B ~ Beta(α_b, β_b) (prior plus conversions
//! and non-conversions), for whole α_b (Evan Miller, *Formulas for Bayesian A/B
//! testing*, 2015; Cook 2005):
//!
//! P(B > A) = Σ_{i=0}^{α_b - 1} B(α_a + i, β_a + β_b) / ((β_b + i) B(1 + i, β_b) B(α_a, β_a)).
//!
//! The first term is taken in logs ([`ln_beta`]) and each next one by the ratio
//! (α_a + i - 1)(β_b + i - 1) / ((α_a + β_a + β_b + i - 1) i), with rescaling, so a
//! sum neither overflows nor loses digits. By the symmetry rate → 1 - rate, the same
//! sum over β_a gives P(B > A) too; the shorter whole-number sum is used, when it has
//! at most [`PANELS_FROM_SHAPE`] terms. Once every shape is that large the densities
//! are integrated numerically instead ([`BeatMethod::Panels`]), so that the time does
//! not grow with the counts. When every shape is fractional (Jeffreys priors on both arms), P is
//! the integral of A's density times B's tail, by tanh-sinh quadrature to 1e-13. The expected losses follow from E[p 1{B > A}] = mean × P with the
//! shape α raised by one:
//! loss of choosing A = E[max(p_b - p_a, 0)] = m_b P(B⁺ > A) - m_a P(B > A⁺),
//! loss of choosing B = E[max(p_a - p_b, 0)] = m_a P(A⁺ > B) - m_b P(A > B⁺).

use super::arm::Arm;
use super::error::{out_of_range, AbError};
use super::special::{beta_reg, ln_beta};

/// A Beta(α, β) prior; α, β > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaPrior {
    alpha: f64,
    beta: f64,
}

impl BetaPrior {
    /// Checks α, β > 0 and finite; `which` names the option in errors.
    pub fn new(alpha: f64, beta: f64, which: &str) -> Result<BetaPrior, AbError> {
        for v in [alpha, beta] {
            if !(v.is_finite() && v > 0.0) {
                return Err(out_of_range(
                    &format!("prob_beat: {which}"),
                    "two positive numbers [alpha, beta], like [1, 1]",
                    format!("[{alpha}, {beta}]"),
                ));
            }
        }
        Ok(BetaPrior { alpha, beta })
    }

    /// The uniform prior Beta(1, 1).
    pub fn uniform() -> BetaPrior {
        BetaPrior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

/// The result of [`prob_beat`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beat {
    /// P(rate_b > rate_a).
    pub prob: f64,
    /// Expected loss of choosing B: E[max(rate_a - rate_b, 0)].
    pub loss_b: f64,
    /// Expected loss of choosing A: E[max(rate_b - rate_a, 0)].
    pub loss_a: f64,
    /// How the figures were computed.
    pub method: BeatMethod,
}

/// Every posterior shape at or above this (prior plus conversions, prior plus
/// non-conversions, in both arms) switches [`prob_beat`] from the closed-form sums,
/// whose length grows with the counts, to [`BeatMethod::Panels`], whose cost does not
/// depend on the counts. The two agree to 1e-12 at the switch.
pub const PANELS_FROM_SHAPE: f64 = 10_000.0;

/// The way [`prob_beat`] computed its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeatMethod {
    /// The closed-form sum over a whole posterior shape (Evan Miller 2015).
    ClosedForm,
    /// Tanh-sinh quadrature of A's density times B's tail (fractional shapes).
    TanhSinh,
    /// Gauss-Legendre panels over both posterior densities (every shape at least
    /// [`PANELS_FROM_SHAPE`]), accurate to about 1e-12.
    Panels,
}

impl BeatMethod {
    /// The method in words, as printed with results.
    pub fn name(self) -> &'static str {
        match self {
            BeatMethod::ClosedForm => {
                "exact Beta-Binomial closed form (independent Beta posteriors)"
            }
            BeatMethod::TanhSinh => {
                "tanh-sinh quadrature of independent Beta posteriors (fractional shapes), to 1e-12"
            }
            BeatMethod::Panels => {
                "numerical integration of independent Beta posteriors (Gauss-Legendre panels, every shape above 10,000; cost independent of the counts), to 1e-12"
            }
        }
    }
}

/// Stops long computations when it returns true (a deadline or an interrupt).
pub type ShouldStop<'a> = &'a dyn Fn() -> bool;

/// Never stops.
pub fn never_stop() -> bool {
    false
}

fn stopped(function: &str) -> AbError {
    AbError::Stopped(format!(
        "{function}: stopped before finishing because the run's time limit was reached"
    ))
}

#[derive(Debug, Clone, Copy)]
struct Post {
    a: f64,
    b: f64,
}

impl Post {
    fn mean(self) -> f64 {
        self.a / (self.a + self.b)
    }
    fn up(self) -> Post {
        Post {
            a: self.a + 1.0,
            b: self.b,
        }
    }
    fn flip(self) -> Post {
        Post {
            a: self.b,
            b: self.a,
        }
    }
}

/// P(Y > X) for X ~ Beta(x.a, x.b), Y ~ Beta(y.a, y.b) by the closed-form sum over
/// the whole shape `y.a`.
fn sum_over(x: Post, y: Post) -> f64 {
    let terms = y.a as u64;
    let ln_first = ln_beta(x.a, x.b + y.b) - ln_beta(x.a, x.b);
    let (mut term, mut sum, mut offset) = (1.0f64, 1.0f64, 0.0f64);
    for i in 1..terms {
        let i = i as f64;
        let ratio = (x.a + i - 1.0) * (y.b + i - 1.0) / ((x.a + x.b + y.b + i - 1.0) * i);
        term *= ratio;
        sum += term;
        if sum > 1e250 {
            sum *= 1e-250;
            term *= 1e-250;
            offset += 250.0 * std::f64::consts::LN_10;
        }
        if ratio < 1.0 && term < sum * 1e-18 {
            // past the peak of the summand: the remaining terms only shrink
            break;
        }
    }
    (ln_first + offset + sum.ln()).exp()
}

fn whole(v: f64) -> bool {
    v.fract() == 0.0
}

/// P(Y > X) and whether quadrature was needed. The shortest whole-number sum of at
/// most [`PANELS_FROM_SHAPE`] terms is used: over y.a, or over x.b after the flip
/// rate → 1 - rate, else one minus the sum over x.a or y.b (absolute accuracy is
/// kept); otherwise (fractional shapes, or only long sums) tanh-sinh quadrature.
fn p_greater(x: Post, y: Post, stop: ShouldStop) -> Result<(f64, BeatMethod), AbError> {
    let shortest = |c: [(f64, bool); 2]| {
        c.into_iter()
            .filter(|&(len, _)| whole(len) && len <= PANELS_FROM_SHAPE)
            .min_by(|p, q| p.0.total_cmp(&q.0))
    };
    if let Some((_, flipped)) = shortest([(y.a, false), (x.b, true)]) {
        return Ok((
            if flipped {
                // Y > X  <=>  1 - X > 1 - Y
                sum_over(y.flip(), x.flip())
            } else {
                sum_over(x, y)
            },
            BeatMethod::ClosedForm,
        ));
    }
    match shortest([(x.a, false), (y.b, true)]) {
        Some((_, false)) => Ok((1.0 - sum_over(y, x), BeatMethod::ClosedForm)),
        Some((_, true)) => Ok((1.0 - sum_over(x.flip(), y.flip()), BeatMethod::ClosedForm)),
        None => Ok((p_greater_quad(x, y, stop)?, BeatMethod::TanhSinh)),
    }
}

/// P(Y > X) = ∫ f_X(x) P(Y > x) dx by tanh-sinh quadrature (Takahasi and Mori 1974),
/// for posteriors whose shapes are all fractional (Jeffreys priors on both arms). The
/// range is split at X's mean ± 8 and ± 40 standard deviations so the peak of a
/// concentrated density is resolved; tanh-sinh absorbs the x^(a-1) endpoint
/// singularities of shapes below 1. Each piece is refined until two levels agree to
/// 1e-13 relative. P(Y > x) = I_{1-x}(b_y, a_y) comes from [`beta_reg`].
fn p_greater_quad(x: Post, y: Post, stop: ShouldStop) -> Result<f64, AbError> {
    let ln_b = ln_beta(x.a, x.b);
    let (m, sd) = {
        let s = x.a + x.b;
        (x.a / s, (x.a * x.b / (s * s * (s + 1.0))).sqrt())
    };
    let f = |t: f64, u: f64| -> f64 {
        // t in (0, 1), u = 1 - t computed separately near 1
        if t <= 0.0 || u <= 0.0 {
            return 0.0;
        }
        let ln_t = if t > 0.5 { (-u).ln_1p() } else { t.ln() };
        let ln_u = if u > 0.5 { (-t).ln_1p() } else { u.ln() };
        let dens = ((x.a - 1.0) * ln_t + (x.b - 1.0) * ln_u - ln_b).exp();
        if dens == 0.0 {
            return 0.0;
        }
        dens * beta_reg(y.b, y.a, u, t).0
    };
    let mut cuts = vec![0.0];
    for k in [-40.0, -8.0, 8.0, 40.0] {
        let c = m + k * sd;
        if c > 0.0 && c < 1.0 && c > cuts[cuts.len() - 1] {
            cuts.push(c);
        }
    }
    cuts.push(1.0);
    let mut total = 0.0;
    for w in cuts.windows(2) {
        total += tanh_sinh(&f, w[0], w[1], stop)?;
    }
    Ok(total.clamp(0.0, 1.0))
}

/// ∫_lo^hi g(t, 1 - t) dt by tanh-sinh with step halving; `stop` is asked at every
/// level (each node's tail can cost a long continued fraction for huge shapes).
fn tanh_sinh(
    g: &impl Fn(f64, f64) -> f64,
    lo: f64,
    hi: f64,
    stop: ShouldStop,
) -> Result<f64, AbError> {
    use std::f64::consts::FRAC_PI_2;
    let half = 0.5 * (hi - lo);
    // the node at parameter s: t = mid + half * tanh(pi/2 sinh s), weight, and the
    // distances to both ends computed without cancellation
    let eval = |s: f64| -> f64 {
        let q = FRAC_PI_2 * s.sinh();
        let e = (-2.0 * q.abs()).exp();
        let w = half * FRAC_PI_2 * s.cosh() * 4.0 * e / ((1.0 + e) * (1.0 + e));
        // distance from the nearer end: half * (1 - tanh|q|) = half * 2e / (1 + e)
        let d_end = half * 2.0 * e / (1.0 + e);
        let (t, u) = if q >= 0.0 {
            let t = hi - d_end;
            (t, if hi == 1.0 { d_end } else { 1.0 - t })
        } else {
            let t = lo + d_end;
            let t = if lo == 0.0 { d_end } else { t };
            (t, 1.0 - t)
        };
        if w == 0.0 {
            0.0
        } else {
            w * g(t, u)
        }
    };
    let s_max = 4.0;
    let mut h = 0.5;
    let mut sum = eval(0.0);
    let mut k = 1.0;
    while k * h <= s_max {
        sum += eval(k * h) + eval(-k * h);
        k += 1.0;
    }
    let mut estimate = sum * h;
    for _ in 0..12 {
        if stop() {
            return Err(stopped("prob_beat"));
        }
        h *= 0.5;
        let mut k = 1.0;
        while k * h <= s_max {
            sum += eval(k * h) + eval(-k * h);
            k += 2.0;
        }
        let next = sum * h;
        if (next - estimate).abs() <= 1e-13 * next.abs() {
            return Ok(next);
        }
        estimate = next;
    }
    Ok(estimate)
}

/// Gauss-Legendre nodes and weights of order [`GL_ORDER`] on [-1, 1], by Newton's
/// method on the Legendre polynomial (Numerical Recipes 3rd ed. 4.6 `gauleg`).
pub(crate) fn gauss_legendre() -> ([f64; GL_ORDER], [f64; GL_ORDER]) {
    let n = GL_ORDER;
    let (mut z, mut w) = ([0.0; GL_ORDER], [0.0; GL_ORDER]);
    for i in 0..n.div_ceil(2) {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2 * j - 1) as f64 * x * p2 - (j - 1) as f64 * p3) / j as f64;
            }
            dp = n as f64 * (x * p1 - p2) / (x * x - 1.0);
            let dx = p1 / dp;
            x -= dx;
            if dx.abs() <= 1e-16 {
                break;
            }
        }
        z[i] = -x;
        z[n - 1 - i] = x;
        w[i] = 2.0 / ((1.0 - x * x) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (z, w)
}

/// Nodes per panel of [`panels`].
pub(crate) const GL_ORDER: usize = 12;

/// Half-widths of the window each density is integrated over, in standard deviations.
const WINDOW_SD: i32 = 12;

/// A Beta(a, b) density with a, b > 1, relative to its value at the mode, in the
/// coordinate u = x - c for a common centre c, so that nothing cancels for shapes
/// of 1e15: ln g(u) = (a - 1) ln1p(d / m) + (b - 1) ln1p(-d / (1 - m)), d = u - (m - c).
struct Centred {
    a: f64,
    b: f64,
    mode: f64,
    one_minus_mode: f64,
    shift: f64,
    sd: f64,
}

impl Centred {
    fn new(p: Post, c: f64) -> Centred {
        let (a, b) = (p.a, p.b);
        let mode = (a - 1.0) / (a + b - 2.0);
        let s = a + b;
        Centred {
            a,
            b,
            mode,
            one_minus_mode: (b - 1.0) / (a + b - 2.0),
            shift: mode - c,
            sd: (a * b / (s * s * (s + 1.0))).sqrt(),
        }
    }

    fn g(&self, u: f64) -> f64 {
        let d = u - self.shift;
        let (s, t) = (d / self.mode, -d / self.one_minus_mode);
        if s <= -1.0 || t <= -1.0 {
            return 0.0;
        }
        ((self.a - 1.0) * s.ln_1p() + (self.b - 1.0) * t.ln_1p()).exp()
    }
}

/// (P(Y > X), E[max(Y - X, 0)]) for posteriors whose shapes are all at least
/// [`PANELS_FROM_SHAPE`], by Gauss-Legendre panels of half a standard deviation over
/// each density's mode ± 12 standard deviations (the mass outside is below 1e-30).
/// Sweeping the panels from the top, S(u) = ∫_u g_Y and T(u) = ∫_u (v - u) g_Y(v) dv
/// are carried as T(l) = T(r) + (r - l) S(r) + ∫_l^r (v - l) g_Y, with the part of a
/// panel above each node integrated by its own Gauss-Legendre rule; then
/// P = ∫ g_X S / (Z_X Z_Y) and the loss = ∫ g_X T / (Z_X Z_Y), normalised by the
/// integrated masses Z (so no ln B(a, b) of huge arguments enters). Every term is
/// non-negative: nothing cancels. The cost (about 15,000 density values) does not
/// depend on the counts.
fn panels(x: Post, y: Post) -> (f64, f64) {
    let (z, w) = gauss_legendre();
    let c = (x.a - 1.0) / (x.a + x.b - 2.0);
    let gx = Centred::new(x, c);
    let gy = Centred::new(y, c);
    let mut cuts = Vec::with_capacity(4 * (2 * WINDOW_SD as usize + 1));
    for d in [&gx, &gy] {
        for j in -2 * WINDOW_SD..=2 * WINDOW_SD {
            cuts.push(d.shift + f64::from(j) * 0.5 * d.sd);
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let (mut s_r, mut t_r) = (0.0f64, 0.0f64);
    let (mut p, mut loss, mut zx) = (0.0f64, 0.0f64, 0.0f64);
    for pair in cuts.windows(2).rev() {
        let (l, r) = (pair[0], pair[1]);
        let (half, mid) = (0.5 * (r - l), 0.5 * (r + l));
        let (mut s_panel, mut t_panel) = (0.0, 0.0);
        for k in 0..GL_ORDER {
            let u = mid + half * z[k];
            let wk = half * w[k];
            let vy = gy.g(u);
            s_panel += wk * vy;
            t_panel += wk * (u - l) * vy;
            let vx = gx.g(u);
            if vx == 0.0 {
                continue;
            }
            let (h2, m2) = (0.5 * (r - u), 0.5 * (r + u));
            let (mut s_in, mut t_in) = (0.0, 0.0);
            for j in 0..GL_ORDER {
                let v = m2 + h2 * z[j];
                let g = h2 * w[j] * gy.g(v);
                s_in += g;
                t_in += (v - u) * g;
            }
            zx += wk * vx;
            p += wk * vx * (s_r + s_in);
            loss += wk * vx * (t_r + (r - u) * s_r + t_in);
        }
        t_r += (r - l) * s_r + t_panel;
        s_r += s_panel;
    }
    let norm = zx * s_r;
    (p / norm, loss / norm)
}

/// P(rate_b > rate_a) and the expected losses under independent Beta posteriors
/// Beta(prior α + x, prior β + n - x): exact closed-form sums (see the module doc),
/// tanh-sinh quadrature for fractional shapes, and Gauss-Legendre panels once every
/// shape is at least [`PANELS_FROM_SHAPE`]; `method` says which.
pub fn prob_beat(a: Arm, b: Arm, prior_a: BetaPrior, prior_b: BetaPrior) -> Result<Beat, AbError> {
    prob_beat_until(a, b, prior_a, prior_b, &never_stop)
}

/// [`prob_beat`] that gives up with [`AbError::Stopped`] when `stop` returns true.
pub fn prob_beat_until(
    a: Arm,
    b: Arm,
    prior_a: BetaPrior,
    prior_b: BetaPrior,
    stop: ShouldStop,
) -> Result<Beat, AbError> {
    let pa = Post {
        a: prior_a.alpha + a.x(),
        b: prior_a.beta + a.misses(),
    };
    let pb = Post {
        a: prior_b.alpha + b.x(),
        b: prior_b.beta + b.misses(),
    };
    if [pa.a, pa.b, pb.a, pb.b]
        .iter()
        .all(|&s| s >= PANELS_FROM_SHAPE)
    {
        let (prob, loss_a) = panels(pa, pb);
        let (_, loss_b) = panels(pb, pa);
        return Ok(Beat {
            prob: prob.clamp(0.0, 1.0),
            loss_b: loss_b.max(0.0),
            loss_a: loss_a.max(0.0),
            method: BeatMethod::Panels,
        });
    }
    let mut method = BeatMethod::ClosedForm;
    let mut p = |x: Post, y: Post| -> Result<f64, AbError> {
        let (v, m) = p_greater(x, y, stop)?;
        if m == BeatMethod::TanhSinh {
            method = m;
        }
        Ok(v)
    };
    let prob = p(pa, pb)?;
    let loss_a = pb.mean() * p(pa, pb.up())? - pa.mean() * p(pa.up(), pb)?;
    let loss_b = pa.mean() * p(pb, pa.up())? - pb.mean() * p(pb.up(), pa)?;
    Ok(Beat {
        prob: prob.clamp(0.0, 1.0),
        loss_b: loss_b.max(0.0),
        loss_a: loss_a.max(0.0),
        method,
    })
}

/// The closed-form sums forced regardless of length, for tests comparing methods.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// (P(B > A), loss_a, loss_b) by the sums, uniform priors.
    pub fn closed_form(a: Arm, b: Arm) -> (f64, f64, f64) {
        let pa = Post {
            a: 1.0 + a.x(),
            b: 1.0 + a.misses(),
        };
        let pb = Post {
            a: 1.0 + b.x(),
            b: 1.0 + b.misses(),
        };
        let p = |x: Post, y: Post| {
            if y.a <= x.b {
                sum_over(x, y)
            } else {
                sum_over(y.flip(), x.flip())
            }
        };
        (
            p(pa, pb),
            pb.mean() * p(pa, pb.up()) - pa.mean() * p(pa.up(), pb),
            pa.mean() * p(pb, pa.up()) - pb.mean() * p(pb.up(), pa),
        )
    }
}
