//! Comparisons across campaigns: the achievement of every metric in every campaign
//! side by side, with the average across the campaigns that have it and how often it
//! was met ([`compare`], for the quarterly review across campaigns, docs/handbook.md);
//! and one period's actuals against another's ([`compare_periods`]: this campaign
//! against the last one, or against the same period last year).

use super::error::ReviewError;
use super::metrics::{Better, Review, Status};
use crate::table::{Column, Kind, Table};
use crate::units::Notation;

/// Which way a metric moved from the previous period, given which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// Moved the better way (up for higher-is-better, down for lower-is-better).
    Better,
    /// Moved the worse way.
    Worse,
    /// The same value in both periods.
    Same,
    /// One of the periods lacks the metric or its actual.
    Missing,
}

impl Trend {
    /// The word shown in tables (`better`, `worse`, `same`, empty when missing).
    pub fn name(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Worse => "worse",
            Trend::Same => "same",
            Trend::Missing => "",
        }
    }
}

/// Why a period row has no growth rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoGrowth {
    /// The previous value is 0: growth from a zero base is undefined (not infinite).
    ZeroBase,
    /// The previous value is negative: a relative change has no clear meaning.
    NegativeBase,
    /// One of the periods lacks the metric or its actual.
    Missing,
}

/// One metric in both periods.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    /// The metric's dimension (the current period's, else the previous one's).
    pub dimension: String,
    /// The metric's name as the current period writes it.
    pub metric: String,
    /// Its unit as written.
    pub unit: String,
    /// Which way is better.
    pub better: Better,
    /// The notation values are shown in (percent, ratio, plain).
    pub notation: Notation,
    /// The current period's actual.
    pub current: Option<f64>,
    /// The previous period's actual.
    pub previous: Option<f64>,
    /// `current - previous` (fractions for percentages: -0.005 is -0.5 pt).
    pub difference: Option<f64>,
    /// `current / previous - 1`, only for a positive previous value.
    pub growth: Result<f64, NoGrowth>,
    /// Better, worse or the same, by the metric's direction.
    pub trend: Trend,
}

/// One period's actuals against another's.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodComparison {
    /// The current period's name.
    pub current: String,
    /// The previous period's name.
    pub previous: String,
    /// One row per metric: the current period's in its order, then those only the
    /// previous period has.
    pub rows: Vec<PeriodRow>,
}

/// Compares the actuals of `current` with those of `previous` (named `names.0` and
/// `names.1`), metric by metric, matched by name without regard to case:
/// `difference = current - previous`; `growth = current / previous - 1` for a positive
/// previous value, none otherwise (from a zero base growth is undefined, not
/// infinite; from a negative base a ratio misleads); `trend` by the metric's `better`
/// direction. Targets play no part. A difference that overflows is an error.
pub fn compare_periods(
    current: &Review,
    previous: &Review,
    names: (&str, &str),
) -> Result<PeriodComparison, ReviewError> {
    if names.0 == names.1 {
        return Err(ReviewError::Invalid(format!(
            "compare_periods: both periods are named '{}'; name them apart",
            names.0
        )));
    }
    let mut rows = Vec::new();
    let value =
        |r: Option<&super::metrics::MetricResult>| r.and_then(|m| m.actual).map(|q| q.value);
    let mut add = |c: Option<&super::metrics::MetricResult>,
                   p: Option<&super::metrics::MetricResult>|
     -> Result<(), ReviewError> {
        let Some(m) = c.or(p) else { return Ok(()) };
        let (cv, pv) = (value(c), value(p));
        let notation = match (c.map(|x| x.notation()), p.map(|x| x.notation())) {
            (Some(Notation::Plain), Some(n)) | (Some(n), _) | (None, Some(n)) => n,
            (None, None) => Notation::Plain,
        };
        let difference = match (cv, pv) {
            (Some(a), Some(b)) => {
                let d = a - b;
                if !d.is_finite() {
                    return Err(ReviewError::Invalid(format!(
                        "compare_periods: the difference of '{}' ({a} - {b}) is too large to hold",
                        m.metric
                    )));
                }
                Some(d)
            }
            _ => None,
        };
        let growth = match (cv, pv) {
            (Some(a), Some(b)) if b > 0.0 => {
                let g = a / b - 1.0;
                if g.is_finite() {
                    Ok(g)
                } else {
                    return Err(ReviewError::Invalid(format!(
                        "compare_periods: the growth of '{}' ({a} over {b}) is too large to hold",
                        m.metric
                    )));
                }
            }
            (Some(_), Some(0.0)) => Err(NoGrowth::ZeroBase),
            (Some(_), Some(_)) => Err(NoGrowth::NegativeBase),
            _ => Err(NoGrowth::Missing),
        };
        let trend = match difference {
            None => Trend::Missing,
            Some(0.0) => Trend::Same,
            Some(d) if (d > 0.0) == (m.better == Better::Higher) => Trend::Better,
            Some(_) => Trend::Worse,
        };
        rows.push(PeriodRow {
            dimension: m.dimension.clone(),
            metric: m.metric.clone(),
            unit: m.unit.clone(),
            better: m.better,
            notation,
            current: cv,
            previous: pv,
            difference,
            growth,
            trend,
        });
        Ok(())
    };
    for c in &current.rows {
        add(Some(c), previous.find(&c.metric))?;
    }
    for p in &previous.rows {
        if current.find(&p.metric).is_none() {
            add(None, Some(p))?;
        }
    }
    Ok(PeriodComparison {
        current: names.0.to_string(),
        previous: names.1.to_string(),
        rows,
    })
}

impl PeriodComparison {
    /// The numeric table: `dimension, metric, unit, better, notation, current,
    /// previous, difference, growth, trend` (percentages as fractions, empty cells where
    /// there is no value). The names of the periods are in [`PeriodComparison::current`]
    /// and [`PeriodComparison::previous`].
    pub fn table(&self) -> Result<Table, ReviewError> {
        let s = |f: &dyn Fn(&PeriodRow) -> String| {
            Column::text(self.rows.iter().map(|r| Some(f(r))).collect())
        };
        let n = |f: &dyn Fn(&PeriodRow) -> Option<f64>| {
            Column::float(self.rows.iter().map(f).collect())
        };
        Ok(Table::new(
            "<periods>",
            vec![
                ("dimension".into(), s(&|r| r.dimension.clone())),
                ("metric".into(), s(&|r| r.metric.clone())),
                ("unit".into(), s(&|r| r.unit.clone())),
                ("better".into(), s(&|r| r.better.name().to_string())),
                (
                    "notation".into(),
                    s(&|r| super::metrics::notation_name(r.notation).to_string()),
                ),
                ("current".into(), n(&|r| r.current)),
                ("previous".into(), n(&|r| r.previous)),
                ("difference".into(), n(&|r| r.difference)),
                (
                    "growth".into(),
                    n(&|r| r.growth.ok()).with_kind(Kind::Change),
                ),
                ("trend".into(), s(&|r| r.trend.name().to_string())),
            ],
        )?)
    }

    /// How many metrics moved each way: `(better, worse, same)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let c = |t: Trend| self.rows.iter().filter(|r| r.trend == t).count();
        (c(Trend::Better), c(Trend::Worse), c(Trend::Same))
    }
}

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
        cols.push((name.clone(), Column::float(values).with_kind(Kind::Rate)));
    }
    cols.push((
        "average".to_string(),
        Column::float(
            sums.iter()
                .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                .collect(),
        )
        .with_kind(Kind::Rate),
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

    /// The 2024 summer promotion against 2023's: every figure against
    /// fixtures/review/periods_reference.json, made by fixtures/review/gen_periods.py
    /// (exact rationals in Python). Tolerance 1e-12 relative: only the last bits of
    /// f64 division may differ.
    #[test]
    fn periods_match_python_reference() -> Result<(), Box<dyn std::error::Error>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/review/");
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
            "{dir}periods_reference.json"
        ))?)?;
        let cur = Review::from_file(
            std::path::Path::new(&format!("{dir}summer_metrics.csv")),
            "summer_metrics.csv",
            true,
            &Default::default(),
        )?;
        let prev = Review::from_file(
            std::path::Path::new(&format!("{dir}summer_2023_actuals.csv")),
            "summer_2023_actuals.csv",
            false,
            &Default::default(),
        )?;
        assert_eq!(
            prev.header.campaign.as_deref(),
            Some("Summer promotion 2023")
        );
        let c = compare_periods(&cur, &prev, ("2024", "2023"))?;
        let want = doc["rows"].as_array().ok_or("no rows")?;
        assert_eq!(c.rows.len(), want.len());
        let close =
            |got: Option<f64>, want: &serde_json::Value, what: &str| match (got, want.as_f64()) {
                (None, None) => {}
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                    "{what}: {g} vs {w}"
                ),
                (g, _) => panic!("{what}: {g:?} vs {want}"),
            };
        for (row, w) in c.rows.iter().zip(want) {
            assert_eq!(Some(row.metric.as_str()), w["metric"].as_str());
            let m = &row.metric;
            close(row.current, &w["current"], &format!("{m} current"));
            close(row.previous, &w["previous"], &format!("{m} previous"));
            close(row.difference, &w["difference"], &format!("{m} difference"));
            close(row.growth.ok(), &w["growth"], &format!("{m} growth"));
            assert_eq!(Some(row.trend.name()), w["trend"].as_str(), "{m} trend");
        }
        // Share rate was 0% last year: growth from a zero base is missing, not infinite.
        let share = c
            .rows
            .iter()
            .find(|r| r.metric == "share rate")
            .ok_or("share")?;
        assert_eq!(share.growth, Err(NoGrowth::ZeroBase));
        assert_eq!(share.notation, Notation::Percent);
        // KOL posts only last year: no current value, no trend.
        let kol = c.rows.last().ok_or("rows")?;
        assert_eq!(
            (kol.metric.as_str(), kol.trend),
            ("KOL posts", Trend::Missing)
        );
        assert_eq!(kol.growth, Err(NoGrowth::Missing));
        let t = c.table()?;
        assert!(t.column("growth")?.is_null(5));
        Ok(())
    }

    #[test]
    fn negative_bases_and_lower_is_better() -> Result<(), ReviewError> {
        let a =
            review("dimension,metric,target,actual,better\nr,profit,1,5,\nc,cost,1,90,lower\n")?;
        let b =
            review("dimension,metric,target,actual,better\nr,profit,1,-5,\nc,cost,1,100,lower\n")?;
        let c = compare_periods(&a, &b, ("now", "then"))?;
        assert_eq!(c.rows[0].growth, Err(NoGrowth::NegativeBase));
        assert_eq!(c.rows[0].difference, Some(10.0));
        assert_eq!(c.rows[1].trend, Trend::Better, "cost fell");
        assert!((c.rows[1].growth.unwrap_or(0.0) + 0.1).abs() < 1e-15);
        assert_eq!(c.counts(), (2, 0, 0));
        assert!(compare_periods(&a, &b, ("x", "x")).is_err());
        let huge = review("dimension,metric,target,actual\nr,x,1,1e308\n")?;
        let neg = review("dimension,metric,target,actual\nr,x,1,-1e308\n")?;
        assert!(compare_periods(&huge, &neg, ("a", "b")).is_err());
        Ok(())
    }
}
