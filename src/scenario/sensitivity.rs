//! A simulation's own sensitivity: how much of the output's uncertainty each uncertain
//! input carries, read from the simulated sample itself (unlike the one-at-a-time
//! [`super::tornado`], it sees every input moving at once, correlations included).
//!
//! - the rank correlation of each input with the output: Spearman's rho over the
//!   trials (average ranks for ties), as `scipy.stats.spearmanr`;
//! - the contribution to variance: `rho_i^2 / sum_j rho_j^2`, the squared rank
//!   correlations normalised to sum to 1 (@RISK's "contribution to variance"; a
//!   first-order reading that is exact for a linear model of the ranks with independent
//!   inputs, and a ranking otherwise).
//!
//! An input whose draws are all equal carries none of the output's variation: its rank
//! correlation is 0.

use super::correlation::{pearson, ranks};
use super::error::ScenarioError;
use crate::table::{Column, Kind, Table};

/// One input's line.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// The input's name.
    pub input: String,
    /// Spearman's rank correlation of the input with the output, in [-1, 1].
    pub rank_correlation: f64,
    /// `rho^2 / sum rho^2`, in [0, 1]; the rows sum to 1.
    pub contribution: f64,
}

/// The sensitivity of a simulated output to its uncertain inputs, strongest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The output's name (`revenue`, `conversions`, `result`).
    pub output: String,
    /// One row per uncertain input, by decreasing |rank correlation| (ties keep input order).
    pub rows: Vec<SensitivityRow>,
}

/// The sensitivity of `output` to each sample in `inputs` (all of the output's length).
pub fn sensitivity(
    output_name: &str,
    names: &[String],
    inputs: &[Vec<f64>],
    output: &[f64],
) -> Result<Sensitivity, ScenarioError> {
    if names.is_empty() {
        return Err(ScenarioError::Invalid(
            "sensitivity: the model has no uncertain input; make one uncertain with a distribution such as dist_beta(40, 60)".into(),
        ));
    }
    let out_ranks = ranks(output);
    if out_ranks
        .first()
        .is_none_or(|r| out_ranks.iter().all(|x| x == r))
    {
        return Err(ScenarioError::Invalid(format!(
            "sensitivity: the {output_name} is the same in every trial, so no input moves it"
        )));
    }
    let mut rows: Vec<SensitivityRow> = names
        .iter()
        .zip(inputs)
        .map(|(name, x)| {
            let r = pearson(&ranks(x), &out_ranks);
            SensitivityRow {
                input: name.clone(),
                rank_correlation: if r.is_finite() {
                    r.clamp(-1.0, 1.0)
                } else {
                    0.0
                },
                contribution: 0.0,
            }
        })
        .collect();
    let total: f64 = rows.iter().map(|r| r.rank_correlation.powi(2)).sum();
    for r in &mut rows {
        r.contribution = if total > 0.0 {
            r.rank_correlation.powi(2) / total
        } else {
            0.0
        };
    }
    rows.sort_by(|a, b| {
        b.rank_correlation
            .abs()
            .total_cmp(&a.rank_correlation.abs())
    });
    Ok(Sensitivity {
        output: output_name.to_string(),
        rows,
    })
}

impl Sensitivity {
    /// The table `input, rank_correlation, contribution` (a share), strongest first.
    pub fn table(&self) -> Result<Table, ScenarioError> {
        Ok(Table::new(
            "<sensitivity>",
            vec![
                (
                    "input".into(),
                    Column::text(self.rows.iter().map(|r| Some(r.input.clone())).collect()),
                ),
                (
                    "rank_correlation".into(),
                    Column::float(self.rows.iter().map(|r| Some(r.rank_correlation)).collect()),
                ),
                (
                    "contribution".into(),
                    Column::float(self.rows.iter().map(|r| Some(r.contribution)).collect()),
                ),
            ],
        )?
        .with_kind("contribution", Kind::Share))
    }
}
