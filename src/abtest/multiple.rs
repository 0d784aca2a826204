//! Adjusted p-values for several comparisons, as statsmodels 0.15
//! `multipletests(p, method="holm" | "bonferroni" | "fdr_bh")` returns them.

use super::error::{out_of_range, AbError};

/// The correction for multiple comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjust {
    /// Holm's step-down: sorted ascending, p_(i) (m - i + 1), running maximum, at most 1
    /// (controls the family-wise error rate).
    Holm,
    /// Bonferroni: min(1, m p).
    Bonferroni,
    /// Benjamini–Hochberg: sorted ascending, p_(i) m / i, running minimum from the
    /// largest, at most 1 (controls the false discovery rate).
    Bh,
}

impl Adjust {
    /// Parses `holm`, `bonferroni` or `bh`.
    pub fn parse(s: &str) -> Result<Adjust, AbError> {
        match s {
            "holm" => Ok(Adjust::Holm),
            "bonferroni" => Ok(Adjust::Bonferroni),
            "bh" => Ok(Adjust::Bh),
            _ => Err(out_of_range(
                "adjust_p: method",
                "\"holm\", \"bonferroni\" or \"bh\"",
                crate::table::quote_text(s),
            )),
        }
    }

    /// The method's name as printed with results.
    pub fn name(self) -> &'static str {
        match self {
            Adjust::Holm => "Holm",
            Adjust::Bonferroni => "Bonferroni",
            Adjust::Bh => "Benjamini-Hochberg",
        }
    }
}

/// The adjusted p-values, in the order given.
pub fn adjust_p(p: &[f64], method: Adjust) -> Result<Vec<f64>, AbError> {
    if p.is_empty() {
        return Err(AbError::Invalid(
            "adjust_p: give at least one p-value".into(),
        ));
    }
    for (i, &v) in p.iter().enumerate() {
        if !(0.0..=1.0).contains(&v) {
            return Err(out_of_range(
                &format!("adjust_p: p-value {}", i + 1),
                "between 0 and 1",
                v,
            ));
        }
    }
    let m = p.len() as f64;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; p.len()];
    match method {
        Adjust::Bonferroni => {
            for (o, &v) in out.iter_mut().zip(p) {
                *o = (v * m).min(1.0);
            }
        }
        Adjust::Holm => {
            let mut run: f64 = 0.0;
            for (rank, &i) in order.iter().enumerate() {
                run = run.max((m - rank as f64) * p[i]);
                out[i] = run.min(1.0);
            }
        }
        Adjust::Bh => {
            let mut run: f64 = 1.0;
            for (rank, &i) in order.iter().enumerate().rev() {
                run = run.min(p[i] * m / (rank as f64 + 1.0));
                out[i] = run.min(1.0);
            }
        }
    }
    Ok(out)
}
