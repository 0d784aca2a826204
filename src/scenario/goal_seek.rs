//! Goal seek: the `x` in `[lo, hi]` with `f(x) = target`, by Brent's method
//! (R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 4:
//! inverse quadratic interpolation and secant steps safeguarded by bisection), in
//! the form scipy's `brentq` uses (scipy/optimize/Zeros/brentq.c).

use super::error::{Failure, ScenarioError};

/// Options of [`goal_seek`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeekOptions {
    /// Absolute tolerance on `x` (default 1e-12): the answer is within
    /// `tol + 4 eps |x|` of a root.
    pub tol: f64,
    /// Most function evaluations after the two at the ends (default 200).
    pub max_iter: usize,
}

impl Default for SeekOptions {
    fn default() -> Self {
        SeekOptions {
            tol: 1e-12,
            max_iter: 200,
        }
    }
}

/// The answer of a goal seek.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seek {
    /// The input that reaches the target.
    pub x: f64,
    /// The function's value there.
    pub value: f64,
    /// Function evaluations used (including the two ends).
    pub evaluations: usize,
}

/// Finds `x` in `[lo, hi]` with `f(x) = target` by Brent's method.
///
/// Requires `lo < hi`, both finite, and `f(lo) - target`, `f(hi) - target` of opposite
/// signs (or one of them zero); every value of `f` must be finite.
pub fn goal_seek<E, F>(
    mut f: F,
    target: f64,
    lo: f64,
    hi: f64,
    options: &SeekOptions,
) -> Result<Seek, Failure<E>>
where
    F: FnMut(f64) -> Result<f64, E>,
{
    if !target.is_finite() {
        return Err(
            super::error::out_of_range("goal_seek: target", "a finite number", target).into(),
        );
    }
    if !lo.is_finite() || !hi.is_finite() || lo >= hi {
        return Err(ScenarioError::Invalid(format!(
            "goal_seek: lo and hi must be finite with lo < hi, got lo = {lo}, hi = {hi}"
        ))
        .into());
    }
    if !(options.tol.is_finite() && options.tol > 0.0) {
        return Err(super::error::out_of_range(
            "goal_seek: option 'tol'",
            "a positive number",
            options.tol,
        )
        .into());
    }
    let mut g = |x: f64| -> Result<f64, Failure<E>> {
        let v = f(x).map_err(Failure::Model)?;
        if !v.is_finite() {
            return Err(ScenarioError::NotFinite {
                what: "goal_seek".into(),
                x,
                value: v,
            }
            .into());
        }
        Ok(v - target)
    };
    let rtol = 4.0 * f64::EPSILON;
    let (mut xpre, mut xcur) = (lo, hi);
    let mut fpre = g(xpre)?;
    let mut fcur = g(xcur)?;
    if fpre == 0.0 {
        return Ok(Seek {
            x: xpre,
            value: fpre + target,
            evaluations: 2,
        });
    }
    if fcur == 0.0 {
        return Ok(Seek {
            x: xcur,
            value: fcur + target,
            evaluations: 2,
        });
    }
    if fpre.signum() == fcur.signum() {
        return Err(ScenarioError::NotBracketed {
            target,
            lo,
            hi,
            f_lo: fpre + target,
            f_hi: fcur + target,
        }
        .into());
    }
    let (mut xblk, mut fblk, mut spre, mut scur) = (0.0, 0.0, 0.0, 0.0);
    for evaluations in 2..options.max_iter + 2 {
        if fpre != 0.0 && fcur != 0.0 && fpre.signum() != fcur.signum() {
            xblk = xpre;
            fblk = fpre;
            spre = xcur - xpre;
            scur = spre;
        }
        if fblk.abs() < fcur.abs() {
            xpre = xcur;
            xcur = xblk;
            xblk = xpre;
            fpre = fcur;
            fcur = fblk;
            fblk = fpre;
        }
        let delta = (options.tol + rtol * xcur.abs()) / 2.0;
        let sbis = (xblk - xcur) / 2.0;
        if fcur == 0.0 || sbis.abs() < delta {
            return Ok(Seek {
                x: xcur,
                value: fcur + target,
                evaluations,
            });
        }
        if spre.abs() > delta && fcur.abs() < fpre.abs() {
            let stry = if xpre == xblk {
                // secant step
                -fcur * (xcur - xpre) / (fcur - fpre)
            } else {
                // inverse quadratic interpolation
                let dpre = (fpre - fcur) / (xpre - xcur);
                let dblk = (fblk - fcur) / (xblk - xcur);
                -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            };
            if 2.0 * stry.abs() < spre.abs().min(3.0 * sbis.abs() - delta) {
                spre = scur;
                scur = stry;
            } else {
                spre = sbis;
                scur = sbis;
            }
        } else {
            spre = sbis;
            scur = sbis;
        }
        xpre = xcur;
        fpre = fcur;
        if scur.abs() > delta {
            xcur += scur;
        } else {
            xcur += if sbis > 0.0 { delta } else { -delta };
        }
        fcur = g(xcur)?;
    }
    Err(ScenarioError::NoConvergence {
        iterations: options.max_iter,
        x: xcur,
        residual: fcur,
    }
    .into())
}
