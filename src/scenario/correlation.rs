//! Correlated inputs: a rank-correlation matrix across a simulation's uncertain inputs,
//! imposed on the drawn sample by the Iman-Conover method (R. L. Iman and W. J.
//! Conover, "A distribution-free approach to inducing rank correlation among input
//! variables", *Communications in Statistics B* 11(3), 1982), the method @RISK and
//! Crystal Ball use.
//!
//! Why Iman-Conover rather than a Gaussian copula: it only *reorders* the values each
//! input has already drawn, so every marginal is kept exactly (the same multiset of
//! values, whatever the distribution, Poisson counts included), and no quantile
//! function is evaluated per draw (a Beta quantile is a bisection on its CDF, far too
//! slow for millions of trials).
//!
//! The steps, for `n` trials and `k` correlated inputs:
//! 1. scores `a_i = Phi^-1(i / (n + 1))` (van der Waerden), independently shuffled for
//!    each input (a seeded stream of its own): the matrix `M` (n x k);
//! 2. `E`, the sample correlation of `M`, factored `E = F F'` (Cholesky), and the
//!    target normal-score correlation `C = P P'`; `T = M (P F^-1)'` then has sample
//!    correlation exactly `C` (the correction of Iman and Conover's section 4);
//! 3. each input's values are rearranged so that their ranks are the ranks of its
//!    column of `T`.
//!
//! The matrix a user gives is of *rank* (Spearman) correlations. For normal scores the
//! Spearman correlation is `(6 / pi) asin(r / 2)` of the Pearson `r` (Pearson, 1907;
//! Kruskal, *JASA* 53, 1958), so the scores are given `C = 2 sin(pi rho / 6)`; the
//! sample's Spearman correlation then matches `rho` up to sampling noise of order
//! `1 / sqrt(n)`.

use super::error::ScenarioError;
use super::monte_carlo::chunk_rng;
use crate::abtest::special::norm_isf;
use rand::RngExt;

/// A validated rank-correlation matrix over named inputs: symmetric, unit diagonal,
/// every entry in [-1, 1], positive semi-definite.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    names: Vec<String>,
    matrix: Vec<Vec<f64>>,
}

/// How far from exact symmetry and a unit diagonal an entry may be (rounding of
/// decimal input).
const EXACT: f64 = 1e-12;

/// The most negative eigenvalue still taken as zero (rounding in the eigenvalues).
const PSD_TOL: f64 = 1e-10;

impl Correlation {
    /// A matrix over `names` (row `i` and column `i` are `names[i]`), checked.
    pub fn new(names: Vec<String>, matrix: Vec<Vec<f64>>) -> Result<Correlation, ScenarioError> {
        let k = names.len();
        let bad = |m: String| ScenarioError::Invalid(format!("correlate: {m}"));
        if k < 2 {
            return Err(bad(format!(
                "give at least two inputs to correlate, got {}",
                names.len()
            )));
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(bad(format!("input '{n}' is named twice")));
            }
        }
        if matrix.len() != k {
            return Err(bad(format!(
                "the matrix must have {k} rows, one per input ({}), got {}",
                names.join(", "),
                matrix.len()
            )));
        }
        for (i, row) in matrix.iter().enumerate() {
            if row.len() != k {
                return Err(bad(format!(
                    "row {} ('{}') must have {k} entries, got {}",
                    i + 1,
                    names[i],
                    row.len()
                )));
            }
        }
        for i in 0..k {
            let d = matrix[i][i];
            if !(d - 1.0).abs().le(&EXACT) {
                return Err(bad(format!(
                    "the diagonal must be 1 (an input is perfectly correlated with itself), got {d} for '{}'",
                    names[i]
                )));
            }
            for j in 0..k {
                if j == i {
                    continue;
                }
                let r = matrix[i][j];
                if !(r.is_finite() && (-1.0..=1.0).contains(&r)) {
                    return Err(bad(format!(
                        "the correlation of '{}' and '{}' must be between -1 and 1, got {r}",
                        names[i], names[j]
                    )));
                }
                if j > i && (r - matrix[j][i]).abs() > EXACT {
                    return Err(bad(format!(
                        "the matrix must be symmetric: '{}' with '{}' is {r} but '{}' with '{}' is {}",
                        names[i], names[j], names[j], names[i], matrix[j][i]
                    )));
                }
            }
        }
        let c = Correlation { names, matrix };
        c.check_psd()?;
        Ok(c)
    }

    /// A matrix from pairs `(a, b, rho)`; inputs in the order they first appear, pairs
    /// not given are uncorrelated (0). A pair given twice, or an input paired with
    /// itself, is an error.
    pub fn from_pairs(pairs: &[(String, String, f64)]) -> Result<Correlation, ScenarioError> {
        let mut names: Vec<String> = Vec::new();
        for (a, b, _) in pairs {
            for n in [a, b] {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        let k = names.len();
        let mut m = vec![vec![0.0; k]; k];
        let mut given = vec![vec![false; k]; k];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for (a, b, rho) in pairs {
            if a == b {
                return Err(ScenarioError::Invalid(format!(
                    "correlate: a pair needs two different inputs, got '{a}' with itself"
                )));
            }
            let i = names.iter().position(|n| n == a).unwrap_or(0);
            let j = names.iter().position(|n| n == b).unwrap_or(0);
            if given[i][j] {
                return Err(ScenarioError::Invalid(format!(
                    "correlate: the pair '{a}' and '{b}' is given twice"
                )));
            }
            given[i][j] = true;
            given[j][i] = true;
            m[i][j] = *rho;
            m[j][i] = *rho;
        }
        Correlation::new(names, m)
    }

    /// The inputs, in the matrix's order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The rank correlations.
    pub fn matrix(&self) -> &[Vec<f64>] {
        &self.matrix
    }

    /// The same correlations with the inputs in the order `order` (a permutation of
    /// the positions).
    pub fn permuted(&self, order: &[usize]) -> Correlation {
        Correlation {
            names: order.iter().map(|&i| self.names[i].clone()).collect(),
            matrix: order
                .iter()
                .map(|&i| order.iter().map(|&j| self.matrix[i][j]).collect())
                .collect(),
        }
    }

    /// Positive semi-definite, or an error naming the pair that contradicts the others:
    /// the smallest set of inputs whose sub-matrix is not PSD is found (three inputs
    /// first, where `rho_ac` must lie within `rho_ab rho_bc +- sqrt((1 - rho_ab^2)(1 -
    /// rho_bc^2))`), and the pair farthest outside its allowed interval is named.
    fn check_psd(&self) -> Result<(), ScenarioError> {
        let (values, _) = symmetric_eigen(&self.matrix);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        if min >= -PSD_TOL {
            return Ok(());
        }
        let k = self.names.len();
        let m = &self.matrix;
        let mut worst: Option<(f64, usize, usize, usize, f64, f64)> = None;
        for a in 0..k {
            for b in a + 1..k {
                for c in b + 1..k {
                    // each of the three pairs against the interval the other two allow
                    for (i, j, o) in [(a, c, b), (a, b, c), (b, c, a)] {
                        let (r1, r2) = (m[i][o], m[o][j]);
                        let half = ((1.0 - r1 * r1) * (1.0 - r2 * r2)).max(0.0).sqrt();
                        let (lo, hi) = (r1 * r2 - half, r1 * r2 + half);
                        let r = m[i][j];
                        let out = (lo - r).max(r - hi);
                        if out > 1e-9 && worst.is_none_or(|w| out > w.0) {
                            worst = Some((out, i, j, o, lo, hi));
                        }
                    }
                }
            }
        }
        let n = &self.names;
        Err(ScenarioError::Invalid(match worst {
            Some((_, i, j, o, lo, hi)) => format!(
                "correlate: the correlations are inconsistent (the matrix is not positive semi-definite): given '{}'-'{}' = {} and '{}'-'{}' = {}, the correlation of '{}' and '{}' must lie between {} and {}, got {}",
                n[i], n[o], m[i][o], n[o], n[j], m[o][j], n[i], n[j],
                round4(lo), round4(hi), m[i][j]
            ),
            None => format!(
                "correlate: the correlations of {} are inconsistent taken together (the matrix is not positive semi-definite: smallest eigenvalue {}); weaken some of them",
                n.join(", "),
                round4(min)
            ),
        }))
    }

    /// The Pearson correlations the normal scores need, `2 sin(pi rho / 6)`, checked
    /// positive semi-definite too.
    fn score_matrix(&self) -> Result<Vec<Vec<f64>>, ScenarioError> {
        let c: Vec<Vec<f64>> = self
            .matrix
            .iter()
            .map(|row| {
                row.iter()
                    .map(|r| 2.0 * (std::f64::consts::PI * r / 6.0).sin())
                    .collect()
            })
            .collect();
        let (values, _) = symmetric_eigen(&c);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        if min < -PSD_TOL {
            return Err(ScenarioError::Invalid(format!(
                "correlate: the rank correlations of {} are valid, but the normal-score correlations that produce them, 2 sin(pi rho / 6), are not positive semi-definite (smallest eigenvalue {}); move the strongest correlations a little towards 0",
                self.names.join(", "),
                round4(min)
            )));
        }
        Ok(c)
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Imposes the rank correlations on `columns` (one sample per input, all of the same
/// length `n`, in the matrix's order) by Iman-Conover, drawing the score permutations
/// from streams of `seed` of their own. Each column keeps exactly its values; only
/// their order changes. Needs `n` greater than the number of inputs.
pub fn iman_conover(
    corr: &Correlation,
    columns: &mut [Vec<f64>],
    seed: u64,
) -> Result<(), ScenarioError> {
    let k = columns.len();
    let n = columns.first().map_or(0, Vec::len);
    if k != corr.names.len() || columns.iter().any(|c| c.len() != n) {
        return Err(ScenarioError::Invalid(
            "correlate: internal error: one column of draws per correlated input".into(),
        ));
    }
    if n <= k + 1 {
        return Err(ScenarioError::Invalid(format!(
            "correlate: {k} correlated inputs need more than {} trials, got {n}",
            k + 1
        )));
    }
    let target = corr.score_matrix()?;
    let scores: Vec<f64> = (1..=n)
        .map(|i| -norm_isf(i as f64 / (n as f64 + 1.0)))
        .collect();
    // Column j's shuffle comes from stream u64::MAX - j, far from the trial chunks' streams.
    let m: Vec<Vec<f64>> = (0..k)
        .map(|j| {
            let mut rng = chunk_rng(seed, usize::MAX - j);
            let mut s = scores.clone();
            for i in (1..n).rev() {
                let r = rng.random_range(0..=i);
                s.swap(i, r);
            }
            s
        })
        .collect();
    let e = pearson_matrix(&m);
    // A = P F^-1, with E = F F' and C = P P'; a singular E (tiny samples) is left as is.
    let p = psd_factor(&target);
    let a = match cholesky(&e) {
        Some(f) => mat_mul(&p, &lower_inverse(&f)),
        None => p,
    };
    for (j, col) in columns.iter_mut().enumerate() {
        let t: Vec<f64> = (0..n)
            .map(|r| (0..k).map(|l| a[j][l] * m[l][r]).sum())
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&x, &y| t[x].total_cmp(&t[y]).then(x.cmp(&y)));
        let mut sorted = std::mem::take(col);
        sorted.sort_by(f64::total_cmp);
        let mut out = vec![0.0; n];
        for (rank, &row) in order.iter().enumerate() {
            out[row] = sorted[rank];
        }
        *col = out;
    }
    Ok(())
}

/// Ranks 1..n with ties given their average rank (as `scipy.stats.rankdata`'s default).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut r = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // positions i..j (0-based) hold ranks i+1..=j: their average
        let avg = (i + 1 + j) as f64 / 2.0;
        for &o in &order[i..j] {
            r[o] = avg;
        }
        i = j;
    }
    r
}

/// The Pearson correlation of two equally long samples (NaN when either is constant).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation: the Pearson correlation of the average ranks
/// (`scipy.stats.spearmanr`). NaN when either sample is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

fn pearson_matrix(cols: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = cols.len();
    let mut e = vec![vec![1.0; k]; k];
    for i in 0..k {
        for j in i + 1..k {
            let r = pearson(&cols[i], &cols[j]);
            e[i][j] = r;
            e[j][i] = r;
        }
    }
    e
}

/// Lower-triangular `L` with `L L' = a`, or None when `a` is not positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 1e-14 {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

// Matrix code reads best with explicit indices.
#[allow(clippy::needless_range_loop)]
fn lower_inverse(l: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = l.len();
    let mut inv = vec![vec![0.0; k]; k];
    for c in 0..k {
        for i in c..k {
            let s: f64 = (c..i).map(|m| l[i][m] * inv[m][c]).sum();
            let rhs = if i == c { 1.0 } else { 0.0 };
            inv[i][c] = (rhs - s) / l[i][i];
        }
    }
    inv
}

fn mat_mul(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = a.len();
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| (0..k).map(|m| a[i][m] * b[m][j]).sum())
                .collect()
        })
        .collect()
}

/// A factor `P` with `P P' = c` for a positive semi-definite `c`: the Cholesky factor
/// when `c` is definite, else `V sqrt(max(L, 0))` from its eigenvectors (a correlation
/// of exactly +-1 is singular).
fn psd_factor(c: &[Vec<f64>]) -> Vec<Vec<f64>> {
    if let Some(l) = cholesky(c) {
        return l;
    }
    let (values, vectors) = symmetric_eigen(c);
    let k = c.len();
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| vectors[i][j] * values[j].max(0.0).sqrt())
                .collect()
        })
        .collect()
}

/// The eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi
/// rotations (Golub and Van Loan, *Matrix Computations*, 4th ed., section 8.5).
#[allow(clippy::needless_range_loop)]
pub fn symmetric_eigen(a: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = a.len();
    let mut m: Vec<Vec<f64>> = a.to_vec();
    let mut v = vec![vec![0.0; k]; k];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i][j] * m[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                if m[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (mrp, mrq) = (m[r][p], m[r][q]);
                    m[r][p] = c * mrp - s * mrq;
                    m[r][q] = s * mrp + c * mrq;
                }
                for r in 0..k {
                    let (mpr, mqr) = (m[p][r], m[q][r]);
                    m[p][r] = c * mpr - s * mqr;
                    m[q][r] = s * mpr + c * mqr;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    ((0..k).map(|i| m[i][i]).collect(), v)
}
