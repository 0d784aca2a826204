//! The review's header and period comparison as people read them: the header as one
//! line, the comparison as a table in each metric's notation (`4.5%` → `4%`,
//! `-0.5 pt`, `+12.5%`) and a one-line summary.

use crate::review::metrics::{format_difference_in, format_in, percent1};
use crate::review::{Header, NoGrowth, PeriodComparison};
use crate::table::{Column, Table, TableError};

/// The header as one line: `Summer promotion, 2024-07-01 to 2024-07-15; owner Chen;
/// target group: new customers`; empty when no field is set.
pub fn header_line(h: &Header) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut first = Vec::new();
    if let Some(c) = &h.campaign {
        first.push(c.clone());
    }
    match (h.start, h.end) {
        (Some(s), Some(e)) => first.push(format!("{s} to {e}")),
        (Some(s), None) => first.push(format!("from {s}")),
        (None, Some(e)) => first.push(format!("until {e}")),
        (None, None) => {}
    }
    if !first.is_empty() {
        parts.push(first.join(", "));
    }
    if let Some(o) = &h.owner {
        parts.push(format!("owner {o}"));
    }
    if let Some(t) = &h.target_group {
        parts.push(format!("target group: {t}"));
    }
    parts.join("; ")
}

/// A growth rate with its sign and one decimal (`+12.5%`, `-11.1%`), or why there is
/// none (`n/a (from 0)`).
pub fn growth_text(g: Result<f64, NoGrowth>) -> String {
    match g {
        Ok(g) => {
            let s = percent1(g);
            if s.starts_with('-') || s == "0%" {
                s
            } else {
                format!("+{s}")
            }
        }
        Err(NoGrowth::ZeroBase) => "n/a (from 0)".to_string(),
        Err(NoGrowth::NegativeBase) => "n/a (from a negative)".to_string(),
        Err(NoGrowth::Missing) => String::new(),
    }
}

/// The comparison as people read it: `dimension, metric, <current>, <previous>,
/// difference, growth, trend`, values in each metric's notation.
pub fn periods_formatted(c: &PeriodComparison) -> Result<Table, TableError> {
    let col = |f: &dyn Fn(&crate::review::PeriodRow) -> String| {
        Column::text(c.rows.iter().map(|r| Some(f(r))).collect())
    };
    let value = |v: Option<f64>, r: &crate::review::PeriodRow| {
        v.map(|v| format_in(r.notation, v)).unwrap_or_default()
    };
    Table::new(
        "<periods>",
        vec![
            ("dimension".into(), col(&|r| r.dimension.clone())),
            ("metric".into(), col(&|r| r.metric.clone())),
            (c.current.clone(), col(&|r| value(r.current, r))),
            (c.previous.clone(), col(&|r| value(r.previous, r))),
            (
                "difference".into(),
                col(&|r| {
                    r.difference
                        .map(|d| format_difference_in(r.notation, d))
                        .unwrap_or_default()
                }),
            ),
            ("growth".into(), col(&|r| growth_text(r.growth))),
            ("trend".into(), col(&|r| r.trend.name().to_string())),
        ],
    )
}

/// `2024 against 2023: 8 metrics better, 3 worse, 0 the same`.
pub fn periods_summary(c: &PeriodComparison) -> String {
    let (better, worse, same) = c.counts();
    let metrics = |n: usize| if n == 1 { "metric" } else { "metrics" };
    format!(
        "{} against {}: {better} {} better, {worse} worse, {same} the same",
        c.current,
        c.previous,
        metrics(better)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn header_as_one_line() {
        let h = Header {
            campaign: Some("Summer promotion".into()),
            start: NaiveDate::from_ymd_opt(2024, 7, 1),
            end: NaiveDate::from_ymd_opt(2024, 7, 15),
            owner: Some("Chen".into()),
            target_group: Some("new customers".into()),
        };
        assert_eq!(
            header_line(&h),
            "Summer promotion, 2024-07-01 to 2024-07-15; owner Chen; target group: new customers"
        );
        assert_eq!(header_line(&Header::default()), "");
    }

    #[test]
    fn growth_words() {
        assert_eq!(growth_text(Ok(0.125)), "+12.5%");
        assert_eq!(growth_text(Ok(-1.0 / 9.0)), "-11.1%");
        assert_eq!(growth_text(Err(NoGrowth::ZeroBase)), "n/a (from 0)");
    }
}
