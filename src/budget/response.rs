//! Response curves: the result a channel returns for a spend, with diminishing returns.
//!
//! * Hill (saturation) curve, `top * x^s / (half^s + x^s)` (Hill 1910; the media-mix
//!   form used by Jin et al. 2017, "Bayesian Methods for Media Mix Modeling with
//!   Carryover and Shape Effects", Google). `top` is the saturation level, `half` the
//!   spend that reaches half of it, `s` the shape: concave for `s <= 1`, S-shaped for
//!   `s > 1` with its inflection at `half * ((s - 1) / (s + 1))^(1/s)`.
//! * Linear with a cap, `min(slope * x, cap)`: constant returns up to a ceiling
//!   (inventory, audience size). `cap` may be infinite.
//!
//! Curves are fitted to past `(spend, result)` points by least squares (see [`fit_curve`]).

use super::error::{non_negative, positive, BudgetError};
use crate::table::Table;

/// The Hill curve's parameters (all positive and finite).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hill {
    top: f64,
    half: f64,
    shape: f64,
}

impl Hill {
    /// The saturation level (the result as spend grows without bound).
    pub fn top(&self) -> f64 {
        self.top
    }
    /// The spend that reaches half of `top`.
    pub fn half(&self) -> f64 {
        self.half
    }
    /// The shape exponent `s`.
    pub fn shape(&self) -> f64 {
        self.shape
    }
}

/// The capped linear curve's parameters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Linear {
    slope: f64,
    cap: f64,
}

impl Linear {
    /// Result per unit of spend below the cap.
    pub fn slope(&self) -> f64 {
        self.slope
    }
    /// The ceiling on the result (`f64::INFINITY` for none).
    pub fn cap(&self) -> f64 {
        self.cap
    }
}

/// A response curve from spend (>= 0) to expected result. Every curve is nondecreasing.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Curve {
    /// `top * x^s / (half^s + x^s)`.
    Hill(Hill),
    /// `min(slope * x, cap)`.
    Linear(Linear),
}

impl Curve {
    /// A Hill curve; `top`, `half` and `shape` must be positive and finite.
    pub fn hill(top: f64, half: f64, shape: f64) -> Result<Curve, BudgetError> {
        Ok(Curve::Hill(Hill {
            top: positive("hill: top", top)?,
            half: positive("hill: half", half)?,
            shape: positive("hill: shape", shape)?,
        }))
    }

    /// A capped linear curve; `slope >= 0` finite, `cap > 0` (infinite allowed).
    pub fn linear(slope: f64, cap: f64) -> Result<Curve, BudgetError> {
        let slope = non_negative("linear: slope", slope)?;
        if cap.is_nan() || cap <= 0.0 {
            return Err(BudgetError::OutOfRange(crate::units::RangeError {
                what: "linear: cap".to_string(),
                allowed: "a positive number (or infinity for no cap)".to_string(),
                value: cap,
            }));
        }
        Ok(Curve::Linear(Linear { slope, cap }))
    }

    /// The curve's family: `hill` or `linear`.
    pub fn kind(&self) -> CurveKind {
        match self {
            Curve::Hill(_) => CurveKind::Hill,
            Curve::Linear(_) => CurveKind::Linear,
        }
    }

    /// The expected result at `spend` (negative spend is an error).
    pub fn eval(&self, spend: f64) -> Result<f64, BudgetError> {
        Ok(self.value(non_negative("spend", spend)?))
    }

    /// The marginal return at `spend`: the derivative `d result / d spend` (for the
    /// capped line, the right derivative: 0 from the cap on).
    pub fn marginal_at(&self, spend: f64) -> Result<f64, BudgetError> {
        Ok(self.marginal(non_negative("spend", spend)?))
    }

    /// The value at `x` (negative `x` counts as 0). Internal fast path.
    pub(crate) fn value(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match self {
            Curve::Hill(h) => {
                if x == 0.0 {
                    0.0
                } else {
                    // x^s / (h^s + x^s) = 1 / (1 + (h/x)^s), stable for large x.
                    h.top / (1.0 + (h.half / x).powf(h.shape))
                }
            }
            Curve::Linear(l) => (l.slope * x).min(l.cap),
        }
    }

    /// The derivative at `x` (right derivative; negative `x` counts as 0).
    pub(crate) fn marginal(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match self {
            Curve::Hill(h) => {
                if x == 0.0 {
                    return if h.shape < 1.0 {
                        f64::INFINITY
                    } else if h.shape == 1.0 {
                        h.top / h.half
                    } else {
                        0.0
                    };
                }
                // d/dx top / (1 + r), r = (h/x)^s: top * s * r / (x (1 + r)^2).
                // r / (1 + r)^2 = q / (1 + q)^2 with q = 1/r, so with e = exp(-|ln r|)
                // (at most 1) this is top * s * e / (x (1 + e)^2), and e / x is taken
                // in logs: no inf / inf for a subnormal x, no overflow of r.
                let ln_r = h.shape * (h.half.ln() - x.ln());
                let e = (-ln_r.abs()).exp();
                h.top * h.shape * (-ln_r.abs() - x.ln()).exp() / ((1.0 + e) * (1.0 + e))
            }
            Curve::Linear(l) => {
                if l.slope * x < l.cap {
                    l.slope
                } else {
                    0.0
                }
            }
        }
    }

    /// True when the curve is concave on spend >= 0 (Hill with shape <= 1, or linear).
    pub fn is_concave(&self) -> bool {
        match self {
            Curve::Hill(h) => h.shape <= 1.0,
            Curve::Linear(_) => true,
        }
    }

    /// The spend where an S-shaped Hill curve turns from convex to concave
    /// (`half * ((s - 1)/(s + 1))^(1/s)`), or `None` for concave curves.
    pub fn inflection(&self) -> Option<f64> {
        match self {
            Curve::Hill(h) if h.shape > 1.0 => {
                Some(h.half * ((h.shape - 1.0) / (h.shape + 1.0)).powf(1.0 / h.shape))
            }
            _ => None,
        }
    }

    /// The supremum of the result: `top`, the cap, or infinity for an uncapped line
    /// with a positive slope (0 for a zero slope).
    pub fn saturation(&self) -> f64 {
        match self {
            Curve::Hill(h) => h.top,
            Curve::Linear(l) if l.slope == 0.0 => 0.0,
            Curve::Linear(l) => l.cap,
        }
    }

    /// A short description: `hill(top=1000, half=500, shape=1.5)`.
    pub fn describe(&self) -> String {
        use super::error::num as format_float;
        match self {
            Curve::Hill(h) => format!(
                "hill(top={}, half={}, shape={})",
                format_float(h.top),
                format_float(h.half),
                format_float(h.shape)
            ),
            Curve::Linear(l) => format!(
                "linear(slope={}, cap={})",
                format_float(l.slope),
                format_float(l.cap)
            ),
        }
    }
}

/// A family of curves to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CurveKind {
    /// Hill curve: 3 parameters (top, half, shape).
    Hill,
    /// Linear with a cap: 2 parameters (slope, cap).
    Linear,
}

impl CurveKind {
    /// Reads `hill` or `linear`.
    pub fn parse(name: &str) -> Result<CurveKind, BudgetError> {
        match name.to_ascii_lowercase().as_str() {
            "hill" => Ok(CurveKind::Hill),
            "linear" => Ok(CurveKind::Linear),
            other => Err(BudgetError::Invalid(format!(
                "fit_curve: unknown curve kind '{other}' (expected hill or linear)"
            ))),
        }
    }

    /// The family's name.
    pub fn name(self) -> &'static str {
        match self {
            CurveKind::Hill => "hill",
            CurveKind::Linear => "linear",
        }
    }

    /// The number of free parameters.
    pub fn n_params(self) -> usize {
        match self {
            CurveKind::Hill => 3,
            CurveKind::Linear => 2,
        }
    }
}

/// Options for [`fit_curve`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// The family to fit (default Hill).
    pub kind: CurveKind,
    /// Refuse a fit that is not concave (an S-shaped Hill curve), for uses that assume
    /// diminishing returns from the first unit of spend (default false).
    pub concave: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            kind: CurveKind::Hill,
            concave: false,
        }
    }
}

/// A fitted curve and the quality of the fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fit {
    /// The fitted curve.
    pub curve: Curve,
    /// The number of points.
    pub n: usize,
    /// Coefficient of determination, `1 - SSE / SST` (SST about the mean result).
    pub r2: f64,
    /// Root mean squared error, `sqrt(SSE / n)`, in result units.
    pub rmse: f64,
    /// The sum of squared errors.
    pub sse: f64,
}

/// Fits a curve to past `(spend, result)` points by ordinary least squares.
///
/// Hill: the SSE is minimised over `(log half, log shape)` with `top` profiled out
/// (for fixed half and shape the model is linear in `top`: variable projection, Golub &
/// Pereyra 1973), from a grid of starts refined by Nelder-Mead. Half is searched in
/// `[min positive spend / 100, 100 x max spend]`, shape in `[0.1, 20]`.
/// Linear with a cap: `y = slope * min(x, k)` is linear in `slope` for a fixed knot
/// `k = cap / slope`, so the knot is searched between each pair of sorted spends and
/// beyond the largest (no cap, `cap = inf`).
///
/// Errors: negative or non-finite spend or result (naming the point), fewer points than
/// parameters, no positive spend, all results zero; with `concave`, a fitted Hill shape
/// above 1.
pub fn fit_curve(points: &[(f64, f64)], options: &FitOptions) -> Result<Fit, BudgetError> {
    check_points(points, options.kind, &|i| format!("point {}", i + 1))?;
    fit_checked(points, options)
}

/// Fits a curve to the columns `spend` and `result` of a table (names configurable);
/// bad cells are reported with file, line and column.
pub fn fit_curve_table(
    table: &Table,
    spend_column: &str,
    result_column: &str,
    options: &FitOptions,
) -> Result<Fit, BudgetError> {
    let spend = table.column(spend_column)?;
    let result = table.column(result_column)?;
    let mut points = Vec::with_capacity(table.n_rows());
    for row in 0..table.n_rows() {
        let x = spend
            .f64_at(row)
            .ok_or_else(|| table.bad_cell(row, spend_column, "a spend (number >= 0)", ""))?;
        if !(x.is_finite() && x >= 0.0) {
            return Err(table
                .bad_cell(
                    row,
                    spend_column,
                    "a spend (number >= 0)",
                    "; spend cannot be negative",
                )
                .into());
        }
        let y = result
            .f64_at(row)
            .ok_or_else(|| table.bad_cell(row, result_column, "a result (number >= 0)", ""))?;
        if !(y.is_finite() && y >= 0.0) {
            return Err(table
                .bad_cell(
                    row,
                    result_column,
                    "a result (number >= 0)",
                    "; results cannot be negative",
                )
                .into());
        }
        points.push((x, y));
    }
    check_points(&points, options.kind, &|i| {
        table.cell_ref(i, spend_column).to_string()
    })?;
    fit_checked(&points, options)
}

fn check_points(
    points: &[(f64, f64)],
    kind: CurveKind,
    locate: &dyn Fn(usize) -> String,
) -> Result<(), BudgetError> {
    for (i, &(x, y)) in points.iter().enumerate() {
        if !(x.is_finite() && x >= 0.0) {
            return Err(BudgetError::BadFitData(format!(
                "{}: spend must be a number >= 0, got {x}",
                locate(i)
            )));
        }
        if !(y.is_finite() && y >= 0.0) {
            return Err(BudgetError::BadFitData(format!(
                "{}: result must be a number >= 0, got {y}",
                locate(i)
            )));
        }
    }
    let k = kind.n_params();
    if points.len() < k {
        return Err(BudgetError::BadFitData(format!(
            "a {} curve has {k} parameters, so it needs at least {k} points, got {}",
            kind.name(),
            points.len()
        )));
    }
    let mut distinct: Vec<f64> = points.iter().map(|p| p.0).filter(|&x| x > 0.0).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() + 1 < k {
        return Err(BudgetError::BadFitData(format!(
            "a {} curve needs at least {} distinct positive spends, got {}",
            kind.name(),
            k - 1,
            distinct.len()
        )));
    }
    if points.iter().all(|p| p.1 == 0.0) {
        return Err(BudgetError::BadFitData(
            "every result is 0: there is no response to fit".to_string(),
        ));
    }
    Ok(())
}

fn fit_checked(points: &[(f64, f64)], options: &FitOptions) -> Result<Fit, BudgetError> {
    let curve = match options.kind {
        CurveKind::Hill => fit_hill(points)?,
        CurveKind::Linear => fit_linear(points)?,
    };
    if options.concave && !curve.is_concave() {
        let shape = match curve {
            Curve::Hill(h) => h.shape,
            Curve::Linear(_) => 1.0,
        };
        return Err(BudgetError::RejectedFit(format!(
            "the best Hill fit has shape {shape:.3} > 1, so it is S-shaped (returns rise before they diminish), \
             not concave as required; drop #{{ concave: true }} to accept it, or check the data for a slow start"
        )));
    }
    let n = points.len();
    let sse: f64 = points
        .iter()
        .map(|&(x, y)| (y - curve.value(x)).powi(2))
        .sum();
    let mean = points.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let sst: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
    let r2 = if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN };
    Ok(Fit {
        curve,
        n,
        r2,
        rmse: (sse / n as f64).sqrt(),
        sse,
    })
}

/// For fixed half and shape: the best top and the SSE.
fn hill_profile(points: &[(f64, f64)], half: f64, shape: f64) -> (f64, f64) {
    let mut gy = 0.0;
    let mut gg = 0.0;
    for &(x, y) in points {
        let g = if x > 0.0 {
            1.0 / (1.0 + (half / x).powf(shape))
        } else {
            0.0
        };
        gy += g * y;
        gg += g * g;
    }
    let top = if gg > 0.0 { (gy / gg).max(0.0) } else { 0.0 };
    let mut sse = 0.0;
    for &(x, y) in points {
        let g = if x > 0.0 {
            1.0 / (1.0 + (half / x).powf(shape))
        } else {
            0.0
        };
        sse += (y - top * g).powi(2);
    }
    (top, sse)
}

fn fit_hill(points: &[(f64, f64)]) -> Result<Curve, BudgetError> {
    let xmax = points.iter().map(|p| p.0).fold(0.0, f64::max);
    let xmin = points
        .iter()
        .map(|p| p.0)
        .filter(|&x| x > 0.0)
        .fold(f64::INFINITY, f64::min);
    let (lh_lo, lh_hi) = ((xmin / 100.0).ln(), (xmax * 100.0).ln());
    let (ls_lo, ls_hi) = (0.1f64.ln(), 20.0f64.ln());
    let clamp = |p: [f64; 2]| [p[0].clamp(lh_lo, lh_hi), p[1].clamp(ls_lo, ls_hi)];
    let objective = |p: [f64; 2]| {
        let p = clamp(p);
        hill_profile(points, p[0].exp(), p[1].exp()).1
    };
    // Grid of starts.
    let (gh, gs) = (48usize, 24usize);
    let mut starts: Vec<(f64, [f64; 2])> = Vec::with_capacity(gh * gs);
    for i in 0..gh {
        let lh = lh_lo + (lh_hi - lh_lo) * i as f64 / (gh - 1) as f64;
        for j in 0..gs {
            let ls = ls_lo + (ls_hi - ls_lo) * j as f64 / (gs - 1) as f64;
            starts.push((objective([lh, ls]), [lh, ls]));
        }
    }
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let step = [
        (lh_hi - lh_lo) / (gh - 1) as f64,
        (ls_hi - ls_lo) / (gs - 1) as f64,
    ];
    let mut best = (f64::INFINITY, [0.0, 0.0]);
    for &(_, start) in starts.iter().take(4) {
        let mut p = start;
        // Restarted Nelder-Mead: a fresh simplex around the last best point.
        for _ in 0..4 {
            let (v, q) = nelder_mead(&objective, p, step, 400);
            p = q;
            if v < best.0 {
                best = (v, q);
            }
        }
    }
    let p = clamp(best.1);
    let (half, shape) = (p[0].exp(), p[1].exp());
    let (top, _) = hill_profile(points, half, shape);
    if top.is_nan() || top <= 0.0 {
        return Err(BudgetError::BadFitData(
            "the data show no positive response to spend: a Hill curve cannot be fitted".into(),
        ));
    }
    Curve::hill(top, half, shape)
}

/// Nelder-Mead in two dimensions (Nelder & Mead 1965, standard coefficients).
fn nelder_mead(
    f: &dyn Fn([f64; 2]) -> f64,
    start: [f64; 2],
    step: [f64; 2],
    iterations: usize,
) -> (f64, [f64; 2]) {
    let mut s = [
        start,
        [start[0] + step[0], start[1]],
        [start[0], start[1] + step[1]],
    ];
    let mut v = [f(s[0]), f(s[1]), f(s[2])];
    let lerp =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    for _ in 0..iterations {
        // Order: s[0] best, s[2] worst.
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        s = [s[idx[0]], s[idx[1]], s[idx[2]]];
        v = [v[idx[0]], v[idx[1]], v[idx[2]]];
        let scale = v[0].abs().max(1e-300);
        if (v[2] - v[0]).abs() <= 1e-15 * scale
            && (s[2][0] - s[0][0]).abs() < 1e-12
            && (s[2][1] - s[0][1]).abs() < 1e-12
        {
            break;
        }
        let c = lerp(s[0], s[1], 0.5);
        let r = lerp(c, s[2], -1.0);
        let fr = f(r);
        if fr < v[0] {
            let e = lerp(c, s[2], -2.0);
            let fe = f(e);
            if fe < fr {
                s[2] = e;
                v[2] = fe;
            } else {
                s[2] = r;
                v[2] = fr;
            }
        } else if fr < v[1] {
            s[2] = r;
            v[2] = fr;
        } else {
            let (k, fk) = if fr < v[2] {
                let k = lerp(c, r, 0.5);
                (k, f(k))
            } else {
                let k = lerp(c, s[2], 0.5);
                (k, f(k))
            };
            if fk < v[2].min(fr) {
                s[2] = k;
                v[2] = fk;
            } else {
                for i in 1..3 {
                    s[i] = lerp(s[0], s[i], 0.5);
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let mut b = 0;
    for i in 1..3 {
        if v[i] < v[b] {
            b = i;
        }
    }
    (v[b], s[b])
}

fn fit_linear(points: &[(f64, f64)]) -> Result<Curve, BudgetError> {
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).filter(|&x| x > 0.0).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    // SSE and slope for knot k (cap = slope * k).
    let eval = |k: f64| {
        let (mut my, mut mm) = (0.0, 0.0);
        for &(x, y) in points {
            let m = x.min(k);
            my += m * y;
            mm += m * m;
        }
        let a = if mm > 0.0 { (my / mm).max(0.0) } else { 0.0 };
        let sse: f64 = points
            .iter()
            .map(|&(x, y)| (y - a * x.min(k)).powi(2))
            .sum();
        (sse, a)
    };
    // No cap: the knot beyond every spend.
    let xmax = xs.last().copied().unwrap_or(0.0);
    let (sse_inf, a_inf) = eval(xmax);
    let mut best = (sse_inf, a_inf, f64::INFINITY);
    for w in xs.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        let k = golden_min(&|k| eval(k).0, lo, hi, 100);
        for cand in [lo, k] {
            let (sse, a) = eval(cand);
            if sse < best.0 * (1.0 - 1e-12) {
                best = (sse, a, cand);
            }
        }
    }
    let (_, slope, knot) = best;
    if slope.is_nan() || slope <= 0.0 {
        return Err(BudgetError::BadFitData(
            "the data show no positive response to spend: a linear curve cannot be fitted".into(),
        ));
    }
    Curve::linear(slope, slope * knot)
}

/// Golden-section search for a minimum of `f` on `[a, b]`.
pub(crate) fn golden_min(f: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64, iterations: usize) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..iterations {
        if b - a <= 1e-13 * (a.abs() + b.abs()).max(1e-300) {
            break;
        }
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    if fc <= fd {
        c
    } else {
        d
    }
}

/// Fits one curve per group (e.g. per channel) of a table of past campaigns, in the
/// order groups first appear. `group` names the column holding the group's name.
pub fn fit_curves_by(
    table: &Table,
    group: &str,
    spend_column: &str,
    result_column: &str,
    options: &FitOptions,
) -> Result<Vec<(String, Fit)>, BudgetError> {
    let g = table.column(group)?;
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for row in 0..table.n_rows() {
        let name = g
            .text_at(row)
            .ok_or_else(|| table.bad_cell(row, group, "a name", "; the cell is empty"))?;
        match names.iter().position(|n| *n == name) {
            Some(p) => rows[p].push(row),
            None => {
                names.push(name);
                rows.push(vec![row]);
            }
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for (name, rs) in names.into_iter().zip(rows) {
        let sub = table.take_rows(&rs);
        let fit =
            fit_curve_table(&sub, spend_column, result_column, options).map_err(|e| match e {
                BudgetError::BadFitData(m) => BadFitData(format!("{group} '{name}': {m}")),
                BudgetError::RejectedFit(m) => {
                    BudgetError::RejectedFit(format!("{group} '{name}': {m}"))
                }
                other => other,
            })?;
        out.push((name, fit));
    }
    Ok(out)
}

use BudgetError::BadFitData;

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        format!("{}/fixtures/budget/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn read_points(name: &str) -> Vec<(f64, f64)> {
        let t = crate::table::read_csv_path(std::path::Path::new(&fixture(name))).unwrap();
        let (s, r) = (t.column("spend").unwrap(), t.column("result").unwrap());
        (0..t.n_rows())
            .map(|i| (s.f64_at(i).unwrap(), r.f64_at(i).unwrap()))
            .collect()
    }

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    #[test]
    fn hill_values_marginals_and_inflection() {
        let c = Curve::hill(1000.0, 500.0, 2.0).unwrap();
        assert_eq!(c.eval(500.0).unwrap(), 500.0);
        assert!(rel(c.eval(1000.0).unwrap(), 800.0) < 1e-12);
        assert_eq!(c.eval(0.0).unwrap(), 0.0);
        // d/dx 1000 x^2/(500^2+x^2) at 500 = 1000*2*500^2*500/(2*500^2)^2 = 1.
        assert!(rel(c.marginal_at(500.0).unwrap(), 1.0) < 1e-12);
        // Numerical derivative check.
        let x = 321.0;
        let num = (c.value(x + 1e-4) - c.value(x - 1e-4)) / 2e-4;
        assert!(rel(c.marginal(x), num) < 1e-6);
        // Inflection of shape 2: half * (1/3)^(1/2).
        assert!(rel(c.inflection().unwrap(), 500.0 / 3f64.sqrt()) < 1e-12);
        assert!(!c.is_concave());
        assert!(Curve::hill(1.0, 1.0, 0.7).unwrap().is_concave());
        let e = c.eval(-1.0).unwrap_err().to_string();
        assert!(e.contains("spend must be a number >= 0"), "{e}");
        let e = Curve::hill(1.0, 0.0, 1.0).unwrap_err().to_string();
        assert!(e.contains("hill: half must be a positive number"), "{e}");
    }

    #[test]
    fn hill_marginal_is_finite_at_the_extremes() {
        // References: top * s * r / (x (1 + r)^2), r = (half / x)^s, evaluated with
        // mpmath 1.3.0 at 50 digits.
        let c = Curve::hill(5000.0, 20000.0, 1.5).unwrap();
        let m = c.marginal_at(4.9e-324).unwrap();
        assert!(rel(m, 5.893_979_192_634_858e-165) < 1e-9, "{m}");
        assert!(rel(c.marginal_at(20000.0).unwrap(), 0.09375) < 1e-12);
        // 2.1e-740 is below every double.
        assert_eq!(c.marginal_at(1e300).unwrap(), 0.0);
        assert!(c.marginal_at(f64::MAX).unwrap().is_finite());
    }

    #[test]
    fn linear_with_cap() {
        let c = Curve::linear(0.1, 50.0).unwrap();
        assert_eq!(c.value(100.0), 10.0);
        assert_eq!(c.value(1000.0), 50.0);
        assert_eq!(c.marginal(100.0), 0.1);
        assert_eq!(c.marginal(500.0), 0.0);
        assert_eq!(c.saturation(), 50.0);
        let open = Curve::linear(0.1, f64::INFINITY).unwrap();
        assert_eq!(open.value(1e9), 1e8);
        assert!(Curve::linear(0.1, 0.0).is_err());
        assert!(Curve::linear(-0.1, 1.0).is_err());
    }

    /// Fits reach scipy's least-squares optimum (SSE no more than 1e-6 relative above
    /// it, parameters within 1e-3) and recover the true parameters: exactly (1e-6) on
    /// noiseless data, within 15% on noisy data (the noise moves the optimum itself).
    #[test]
    fn fits_match_scipy_and_recover_parameters() {
        let text = std::fs::read_to_string(fixture("fit_reference.json")).unwrap();
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        for set in data["sets"].as_array().unwrap() {
            let name = set["name"].as_str().unwrap();
            let kind = CurveKind::parse(set["kind"].as_str().unwrap()).unwrap();
            let pts = read_points(&format!("fit_{name}.csv"));
            let fit = fit_curve(
                &pts,
                &FitOptions {
                    kind,
                    concave: false,
                },
            )
            .unwrap();
            let scipy_sse = set["scipy_sse"].as_f64().unwrap();
            assert!(
                fit.sse <= scipy_sse * (1.0 + 1e-6) + 1e-9,
                "{name}: {} vs {scipy_sse}",
                fit.sse
            );
            let params: Vec<(&str, f64)> = match fit.curve {
                Curve::Hill(h) => vec![("top", h.top), ("half", h.half), ("shape", h.shape)],
                Curve::Linear(l) => vec![("slope", l.slope), ("cap", l.cap)],
            };
            let noisy = set["noise_sd"].as_f64().unwrap() > 0.0;
            for (p, v) in params {
                let sp = set["scipy"][p].as_f64().unwrap();
                let tr = set["true"][p].as_f64().unwrap();
                assert!(rel(v, sp) < 1e-3, "{name} {p}: {v} vs scipy {sp}");
                let tol = if noisy { 0.15 } else { 1e-6 };
                assert!(rel(v, tr) < tol, "{name} {p}: {v} vs true {tr}");
            }
            assert!(fit.r2 > 0.95, "{name}: r2 {}", fit.r2);
            assert!(rel(fit.rmse, (fit.sse / fit.n as f64).sqrt()) < 1e-12 || fit.sse == 0.0);
        }
    }

    #[test]
    fn concavity_is_enforced_when_asked() {
        let pts = read_points("fit_hill_s.csv");
        let e = fit_curve(
            &pts,
            &FitOptions {
                kind: CurveKind::Hill,
                concave: true,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("S-shaped") && e.contains("shape 2.5"), "{e}");
        let pts = read_points("fit_hill_concave.csv");
        let fit = fit_curve(
            &pts,
            &FitOptions {
                kind: CurveKind::Hill,
                concave: true,
            },
        )
        .unwrap();
        assert!(fit.curve.is_concave());
    }

    #[test]
    fn bad_fit_data_is_reported() {
        let o = FitOptions::default();
        let e = fit_curve(&[(1.0, 1.0), (-2.0, 2.0), (3.0, 3.0)], &o)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "fit_curve: point 2: spend must be a number >= 0, got -2");
        let e = fit_curve(&[(1.0, 1.0), (2.0, 2.0)], &o)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("3 parameters, so it needs at least 3 points, got 2"),
            "{e}"
        );
        let e = fit_curve(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)], &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 2 distinct positive spends"), "{e}");
        let e = fit_curve(&[(1.0, 0.0), (2.0, 0.0), (3.0, 0.0)], &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("every result is 0"), "{e}");
        // From a table: the file, line and column are named.
        let t = crate::table::read_csv_bytes(
            "past.csv",
            b"spend,result\n100,10\n-5,20\n300,25\n",
            &Default::default(),
        )
        .unwrap();
        let e = fit_curve_table(&t, "spend", "result", &o)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("past.csv:3: column 'spend'"), "{e}");
        let e = fit_curve_table(&t, "spnd", "result", &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean 'spend'"), "{e}");
    }

    #[test]
    fn fits_by_group_and_svg() {
        let t = crate::table::read_csv_bytes(
            "past.csv",
            b"channel,spend,result\na,1000,100\na,2000,180\na,4000,300\nb,1000,50\nb,2000,100\n",
            &Default::default(),
        )
        .unwrap();
        let e = fit_curves_by(&t, "channel", "spend", "result", &FitOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("channel 'b'") && e.contains("got 2"), "{e}");
        let fits = fit_curves_by(
            &t,
            "channel",
            "spend",
            "result",
            &FitOptions {
                kind: CurveKind::Linear,
                concave: false,
            },
        )
        .unwrap();
        assert_eq!(fits.len(), 2);
        assert!(rel(fits[1].1.curve.value(1500.0), 75.0) < 1e-9);
    }
}
