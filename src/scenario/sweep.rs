//! Sweeps: the points of a parameter grid (every combination, or cases zipped
//! position by position), evaluated by a model.

use super::error::ScenarioError;

/// Most points in one sweep.
pub const MAX_POINTS: usize = 10_000_000;

/// How a sweep's parameter lists combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Every combination (the cartesian product); the last parameter varies fastest.
    Grid,
    /// Position by position: all lists must have the same length.
    Zip,
}

/// The points of a sweep over named value lists: one `Vec` of values (in the order
/// of `axes`) per point. Every list must be non-empty; a grid may have at most
/// [`MAX_POINTS`] points.
pub fn points<T: Clone>(
    axes: &[(String, Vec<T>)],
    combine: Combine,
) -> Result<Vec<Vec<T>>, ScenarioError> {
    if axes.is_empty() {
        return Err(ScenarioError::Invalid(
            "sweep: give at least one parameter, like #{ ctr: [0.02, 0.03] }".into(),
        ));
    }
    if let Some((name, _)) = axes.iter().find(|(_, v)| v.is_empty()) {
        return Err(ScenarioError::Invalid(format!(
            "sweep: parameter '{name}' has no values; give a non-empty list or range"
        )));
    }
    match combine {
        Combine::Zip => {
            let n = axes[0].1.len();
            if let Some((name, v)) = axes.iter().find(|(_, v)| v.len() != n) {
                return Err(ScenarioError::Invalid(format!(
                    "sweep: with zip, every list must have the same length; '{}' has {n} values but '{name}' has {}",
                    axes[0].0,
                    v.len()
                )));
            }
            Ok((0..n)
                .map(|i| axes.iter().map(|(_, v)| v[i].clone()).collect())
                .collect())
        }
        Combine::Grid => {
            let total = axes
                .iter()
                .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))
                .filter(|t| *t <= MAX_POINTS)
                .ok_or_else(|| {
                    ScenarioError::Invalid(format!(
                        "sweep: the grid has more than {MAX_POINTS} points ({}); sweep fewer values",
                        axes.iter()
                            .map(|(n, v)| format!("{n}: {}", v.len()))
                            .collect::<Vec<_>>()
                            .join(" x ")
                    ))
                })?;
            let mut out = Vec::with_capacity(total);
            let mut idx = vec![0usize; axes.len()];
            for _ in 0..total {
                out.push(
                    axes.iter()
                        .zip(&idx)
                        .map(|((_, v), &i)| v[i].clone())
                        .collect(),
                );
                for d in (0..axes.len()).rev() {
                    idx[d] += 1;
                    if idx[d] < axes[d].1.len() {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product_last_fastest() {
        let axes = vec![
            ("a".to_string(), vec![1, 2]),
            ("b".to_string(), vec![10, 20, 30]),
        ];
        let p = points(&axes, Combine::Grid).unwrap();
        assert_eq!(
            p,
            vec![
                vec![1, 10],
                vec![1, 20],
                vec![1, 30],
                vec![2, 10],
                vec![2, 20],
                vec![2, 30]
            ]
        );
        let z = points(
            &[("a".to_string(), vec![1, 2]), ("b".to_string(), vec![3, 4])],
            Combine::Zip,
        )
        .unwrap();
        assert_eq!(z, vec![vec![1, 3], vec![2, 4]]);
    }

    #[test]
    fn empty_and_mismatched_lists_are_errors() {
        let e = points::<i32>(&[("cpm".to_string(), vec![])], Combine::Grid).unwrap_err();
        assert!(e.to_string().contains("'cpm' has no values"), "{e}");
        let e = points(
            &[("a".to_string(), vec![1]), ("b".to_string(), vec![1, 2])],
            Combine::Zip,
        )
        .unwrap_err();
        assert!(e.to_string().contains("'b' has 2"), "{e}");
        let big = vec![
            ("a".to_string(), vec![0; 10_000]),
            ("b".to_string(), vec![0; 10_000]),
        ];
        assert!(points(&big, Combine::Grid).is_err());
    }
}
