//! Bayesian readout across k arms: each arm's probability to be best and the expected
//! loss of choosing it, by numerical integration (no sampling), as the experimentation
//! platforms report them (GrowthBook's "chance to win", "risk").
//!
//! With independent posteriors p_i ~ Beta(1 + conversions_i, 1 + non-conversions_i)
//! (uniform priors), densities f_i and distribution functions F_i:
//!
//! P(arm i is best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx,
//! loss_i = E[max_j p_j - p_i] = E[max(M_i - p_i, 0)] with M_i = max_{j≠i} p_j
//!        = ∫ F_i(y) (1 - Π_{j≠i} F_j(y)) dy   (P(p_i < y < M_i) integrated over y).
//!
//! The integrals run over Gauss-Legendre panels of half a standard deviation across
//! each posterior's mean - 40 to + 40 standard deviations (clipped to [0, 1]; wide
//! enough for the exponential tail of an arm without conversions). F_j at every node
//! is carried from below, and 1 - F_j from above, each node's part of its panel by
//! its own Gauss-Legendre rule, so both tails keep their digits; 1 - Π F_j is formed
//! as -expm1(Σ ln1p(-(1 - F_j))). Densities are taken relative to their modes in a
//! coordinate centred on the first arm's mode (no cancellation for 1e12 users) and
//! normalised by their integrated masses. With two arms this is [`super::prob_beat`]
//! (the tests hold both to the same references).

use super::arm::Arm;
use super::bayes::{gauss_legendre, ShouldStop, GL_ORDER};
use super::error::AbError;

/// The result of [`prob_best`], in the arms' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// P(arm i has the highest rate).
    pub prob_best: Vec<f64>,
    /// E[max_j p_j - p_i]: the rate given up, on average, by choosing arm i.
    pub loss: Vec<f64>,
}

/// The method, as printed with results.
pub const BEST_METHOD: &str = "numerical integration of independent Beta(1 + conversions, 1 + non-conversions) posteriors (Gauss-Legendre panels), to about 1e-10";

/// Most arms accepted.
pub const MAX_ARMS: usize = 100;

/// A Beta(a, b) density with a, b >= 1 relative to its mode, in u = x - c.
struct Dens {
    a: f64,
    b: f64,
    mode: f64,
    one_minus_mode: f64,
    shift: f64,
    mean: f64,
    sd: f64,
}

impl Dens {
    fn new(arm: Arm, c: f64) -> Dens {
        let (a, b) = (1.0 + arm.x(), 1.0 + arm.misses());
        let s = a + b;
        let mode = (a - 1.0) / (s - 2.0);
        Dens {
            a,
            b,
            mode,
            one_minus_mode: (b - 1.0) / (s - 2.0),
            shift: mode - c,
            mean: a / s - c,
            sd: (a * b / (s * s * (s + 1.0))).sqrt(),
        }
    }

    fn g(&self, u: f64) -> f64 {
        let d = u - self.shift;
        let mut l = 0.0;
        if self.a > 1.0 {
            let s = d / self.mode;
            if s <= -1.0 {
                return 0.0;
            }
            l += (self.a - 1.0) * s.ln_1p();
        } else if d < 0.0 {
            return 0.0;
        }
        if self.b > 1.0 {
            let t = -d / self.one_minus_mode;
            if t <= -1.0 {
                return 0.0;
            }
            l += (self.b - 1.0) * t.ln_1p();
        } else if d > 0.0 {
            return 0.0;
        }
        l.exp()
    }

    /// The window [mean - 40 sd, mean + 40 sd] in u.
    fn window(&self) -> (f64, f64) {
        (self.mean - 40.0 * self.sd, self.mean + 40.0 * self.sd)
    }
}

/// Probability to be best and expected loss of each arm (formulas in the module
/// doc); `stop` is asked once per panel.
pub fn prob_best(arms: &[Arm], stop: ShouldStop) -> Result<Best, AbError> {
    let k = arms.len();
    if !(2..=MAX_ARMS).contains(&k) {
        return Err(AbError::Invalid(format!(
            "prob_best: give from 2 to {MAX_ARMS} arms, got {k}"
        )));
    }
    let (z, w) = gauss_legendre();
    let c = Dens::new(arms[0], 0.0).mode;
    let dens: Vec<Dens> = arms.iter().map(|&a| Dens::new(a, c)).collect();
    let (lo_all, hi_all) = (-c, 1.0 - c);
    let mut cuts = vec![lo_all, hi_all];
    for d in &dens {
        let (lo, hi) = d.window();
        for j in -80..=80 {
            let u = d.mean + f64::from(j) * 0.5 * d.sd;
            if u > lo_all && u < hi_all && u >= lo && u <= hi {
                cuts.push(u);
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let panels: Vec<(f64, f64)> = cuts.windows(2).map(|p| (p[0], p[1])).collect();
    let n_nodes = panels.len() * GL_ORDER;
    // node positions and weights
    let mut nodes = Vec::with_capacity(n_nodes);
    for &(l, r) in &panels {
        let (half, mid) = (0.5 * (r - l), 0.5 * (r + l));
        for q in 0..GL_ORDER {
            nodes.push((mid + half * z[q], half * w[q]));
        }
    }
    // per arm: density, mass below (F) and above (S) at every node, unnormalised
    let mut g = vec![vec![0.0; n_nodes]; k];
    let mut below = vec![vec![0.0; n_nodes]; k];
    let mut above = vec![vec![0.0; n_nodes]; k];
    let mut mass = vec![0.0; k];
    for (j, d) in dens.iter().enumerate() {
        let (wlo, whi) = d.window();
        let inside = |l: f64, r: f64| r > wlo && l < whi;
        // from below
        let mut cum = 0.0;
        for (p, &(l, r)) in panels.iter().enumerate() {
            if stop() {
                return Err(AbError::Stopped(
                    "prob_best: stopped before finishing because the run's time limit was reached"
                        .into(),
                ));
            }
            let base = p * GL_ORDER;
            if !inside(l, r) {
                for q in 0..GL_ORDER {
                    below[j][base + q] = cum;
                }
                continue;
            }
            let mut panel = 0.0;
            for q in 0..GL_ORDER {
                let (u, wq) = nodes[base + q];
                let v = d.g(u);
                g[j][base + q] = v;
                panel += wq * v;
                below[j][base + q] = cum + partial(d, l, u, &z, &w);
            }
            cum += panel;
        }
        mass[j] = cum;
        // from above
        let mut cum = 0.0;
        for (p, &(l, r)) in panels.iter().enumerate().rev() {
            let base = p * GL_ORDER;
            if !inside(l, r) {
                for q in 0..GL_ORDER {
                    above[j][base + q] = cum;
                }
                continue;
            }
            let mut panel = 0.0;
            for q in 0..GL_ORDER {
                let (u, wq) = nodes[base + q];
                panel += wq * g[j][base + q];
                above[j][base + q] = cum + partial(d, u, r, &z, &w);
            }
            cum += panel;
        }
    }
    if mass.iter().any(|m| !(m.is_finite() && *m > 0.0)) {
        return Err(AbError::Undefined(
            "prob_best: a posterior could not be integrated (its mass is not a positive number)"
                .into(),
        ));
    }
    let mut prob = vec![0.0; k];
    let mut loss = vec![0.0; k];
    for (node, &(_, wq)) in nodes.iter().enumerate() {
        let f: Vec<f64> = (0..k)
            .map(|j| (below[j][node] / mass[j]).min(1.0))
            .collect();
        let s: Vec<f64> = (0..k)
            .map(|j| (above[j][node] / mass[j]).min(1.0))
            .collect();
        for i in 0..k {
            let (mut h, mut ln_h_up) = (1.0, 0.0);
            for j in (0..k).filter(|&j| j != i) {
                h *= f[j];
                ln_h_up += (-s[j]).ln_1p();
            }
            prob[i] += wq * g[i][node] / mass[i] * h;
            loss[i] += wq * f[i] * -ln_h_up.exp_m1();
        }
    }
    Ok(Best {
        prob_best: prob.into_iter().map(|p| p.clamp(0.0, 1.0)).collect(),
        loss: loss.into_iter().map(|l| l.max(0.0)).collect(),
    })
}

/// ∫_l^r g by the Gauss-Legendre rule mapped onto [l, r].
fn partial(d: &Dens, l: f64, r: f64, z: &[f64; GL_ORDER], w: &[f64; GL_ORDER]) -> f64 {
    let (half, mid) = (0.5 * (r - l), 0.5 * (r + l));
    (0..GL_ORDER)
        .map(|q| half * w[q] * d.g(mid + half * z[q]))
        .sum()
}
