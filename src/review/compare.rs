//! Cross-campaign comparison (docs/handbook.md, the review: "quarterly across campaigns"):
//! the achievement of every metric in every campaign side by side,
//! with the average across the campaigns that have it and how often it was met.

use super::error::ReviewError;
use super::metrics::{Review, Status};
use crate::table::{Column, Table};

/// The comparison table of `reviews` (campaign name, review): `dimension, metric`,
/// one column per campaign holding `actual / target` (empty where the campaign lacks
/// the metric or has no achievement), `average` (the mean of the campaign's
/// achievements that exist) and `met` (`k/n`: met in k of the n campaigns with a
/// status). Metrics are matched by name without regard to case, in order of first
/// appearance. Campaign names must be unique.
pub fn compare(reviews: &[(String, Review)]) -> Result<Table, ReviewError> {
    if reviews.is_empty() {
        return Err(ReviewError::Invalid(
            "compare_reviews: give at least one review".to_string(),
        ));
    }
    for (i, (name, _)) in reviews.iter().enumerate() {
        if reviews[..i].iter().any(|(n, _)| n == name) {
            return Err(ReviewError::Invalid(format!(
                "compare_reviews: the campaign name '{name}' appears twice"
            )));
        }
        if ["dimension", "metric", "average", "met"].contains(&name.as_str()) {
            return Err(ReviewError::Invalid(format!(
                "compare_reviews: '{name}' cannot name a campaign (it is a column of the comparison)"
            )));
        }
    }
    // Metrics in order of first appearance: (dimension, name).
    let mut metrics: Vec<(String, String)> = Vec::new();
    for (_, r) in reviews {
        for row in &r.rows {
            if !metrics
                .iter()
                .any(|(_, m)| m.eq_ignore_ascii_case(&row.metric))
            {
                metrics.push((row.dimension.clone(), row.metric.clone()));
            }
        }
    }
    let mut cols = vec![
        (
            "dimension".to_string(),
            Column::text(metrics.iter().map(|m| Some(m.0.clone())).collect()),
        ),
        (
            "metric".to_string(),
            Column::text(metrics.iter().map(|m| Some(m.1.clone())).collect()),
        ),
    ];
    let mut sums = vec![(0.0, 0usize); metrics.len()];
    let mut met = vec![(0usize, 0usize); metrics.len()];
    for (name, r) in reviews {
        let mut values = Vec::with_capacity(metrics.len());
        for (i, (_, m)) in metrics.iter().enumerate() {
            let row = r.find(m);
            let a = row.and_then(|x| x.achievement);
            if let Some(a) = a {
                sums[i].0 += a;
                sums[i].1 += 1;
            }
            if let Some(x) = row {
                if matches!(x.status, Status::Met | Status::Missed | Status::Over) {
                    met[i].1 += 1;
                    if x.status == Status::Met {
                        met[i].0 += 1;
                    }
                }
            }
            values.push(a);
        }
        cols.push((name.clone(), Column::float(values)));
    }
    cols.push((
        "average".to_string(),
        Column::float(
            sums.iter()
                .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                .collect(),
        ),
    ));
    cols.push((
        "met".to_string(),
        Column::text(met.iter().map(|&(k, n)| Some(format!("{k}/{n}"))).collect()),
    ));
    Ok(Table::new("<comparison>", cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    fn review(csv: &str) -> Result<Review, ReviewError> {
        Review::from_table(&read_csv_bytes(
            "m.csv",
            csv.as_bytes(),
            &CsvOptions::default(),
        )?)
    }

    #[test]
    fn achievements_side_by_side_with_averages() -> Result<(), ReviewError> {
        let a = review("dimension,metric,target,actual\nrevenue,sales,100,80\ntraffic,uv,10,12\n")?;
        let b = review("dimension,metric,target,actual,better\nrevenue,Sales,200,220,\ncost,cost,50,60,lower\n")?;
        let t = compare(&[("spring".into(), a), ("summer".into(), b)])?;
        assert_eq!(
            t.names(),
            &["dimension", "metric", "spring", "summer", "average", "met"]
        );
        assert_eq!(t.n_rows(), 3);
        let avg = t.column("average")?;
        assert!((avg.f64_at(0).unwrap_or(0.0) - (0.8 + 1.1) / 2.0).abs() < 1e-12);
        assert!((avg.f64_at(1).unwrap_or(0.0) - 1.2).abs() < 1e-12);
        assert!(t.column("summer")?.is_null(1));
        assert_eq!(t.column("met")?.text_at(0).as_deref(), Some("1/2"));
        assert_eq!(t.column("met")?.text_at(2).as_deref(), Some("0/1"));
        Ok(())
    }

    #[test]
    fn names_must_be_unique() -> Result<(), ReviewError> {
        let a = review("dimension,metric,target,actual\nrevenue,sales,100,80\n")?;
        assert!(compare(&[("x".into(), a.clone()), ("x".into(), a.clone())]).is_err());
        assert!(compare(&[("average".into(), a)]).is_err());
        assert!(compare(&[]).is_err());
        Ok(())
    }
}
