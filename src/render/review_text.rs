//! The review as people read it: targets and actuals in each metric's notation (`5%`,
//! `1:2.2`, `5,000,000`, `-1 pt`, `73.3%`), the header as one line, the period
//! comparison as a table (`4.5%` → `4%`, `-0.5 pt`, `+12.5%`) and a one-line summary.

use crate::render::format_grouped;
use crate::review::{Header, MetricResult, NoAchievement, NoGrowth, PeriodComparison, Review};
use crate::table::{Column, Table, TableError};
use crate::units::{Notation, Quantity};

/// A value written in a notation: `5%`, `1:2.2`, `5,000,000`.
pub fn format_in(notation: Notation, value: f64) -> String {
    match notation {
        Notation::Percent => super::percent(value),
        Notation::Ratio => super::format_kind(value, super::Kind::Ratio),
        Notation::Plain => plain(value),
    }
}

/// A difference as the handbook writes it in a notation: `-1 pt` for percentages,
/// `-0.8`, `+12`, `-500,000` otherwise.
pub fn format_difference_in(notation: Notation, d: f64) -> String {
    match notation {
        Notation::Percent => format!("{} pt", signed(d * 100.0)),
        _ => signed(d),
    }
}

/// A plain number with thousands separators and at most two decimals.
fn plain(x: f64) -> String {
    let s = format_grouped(x, 2);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A difference with its sign (`+12`, `-0.8`, `0`).
fn signed(x: f64) -> String {
    let s = plain(x);
    if s == "0" || s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// A fraction as a percentage by the one rate rule (`0.7333` → `73.3%`, `0.9` →
/// `90.0%`): `render::percent` itself, under the name the review code uses.
pub use super::format::percent as percent1;

/// A value of a row written in the row's notation: `5%`, `1:2.2`, `5,000,000`.
pub fn value_text(r: &MetricResult, value: f64) -> String {
    format_in(r.notation(), value)
}

/// A row's difference as the handbook writes it: `-500,000`, `-1 pt`, `-0.8`, `+12`.
pub fn difference_text(r: &MetricResult) -> String {
    r.difference
        .map(|d| format_difference_in(r.notation(), d))
        .unwrap_or_default()
}

/// A row's achievement as a percentage (`90.0%`, `73.3%`), or why there is none
/// (`n/a (target is 0)`).
pub fn achievement_text(r: &MetricResult) -> String {
    match r.achievement {
        Some(a) => percent1(a),
        None => match r.remark {
            Some(why) => format!("n/a ({})", no_achievement_text(why)),
            None => String::new(),
        },
    }
}

/// Why a metric has no achievement rate, in the report's words.
pub fn no_achievement_text(why: NoAchievement) -> &'static str {
    match why {
        NoAchievement::NoTarget => "no target",
        NoAchievement::ZeroTarget => "target is 0",
        NoAchievement::NegativeTarget => "target is negative",
    }
}

/// The review as the handbook prints it: `dimension, metric, unit, target, actual,
/// difference, achievement, status, note`, every value written in its row's notation.
/// The `unit` and `note` columns appear only when some row has one.
pub fn review_formatted(review: &Review) -> Result<Table, TableError> {
    let rows = &review.rows;
    let s = |f: &dyn Fn(&MetricResult) -> String| {
        Column::text(rows.iter().map(|r| Some(f(r))).collect())
    };
    let value = |q: Option<Quantity>, r: &MetricResult| {
        q.map(|q| value_text(r, q.value)).unwrap_or_default()
    };
    let mut cols = vec![
        ("dimension".to_string(), s(&|r| r.dimension.clone())),
        ("metric".to_string(), s(&|r| r.metric.clone())),
    ];
    if rows.iter().any(|r| !r.unit.is_empty()) {
        cols.push(("unit".into(), s(&|r| r.unit.clone())));
    }
    cols.extend([
        ("target".to_string(), s(&|r| value(r.target, r))),
        ("actual".to_string(), s(&|r| value(r.actual, r))),
        ("difference".to_string(), s(&difference_text)),
        ("achievement".to_string(), s(&achievement_text)),
        ("status".to_string(), s(&|r| r.status.name().to_string())),
    ]);
    if rows.iter().any(|r| !r.note.is_empty()) {
        cols.push(("note".into(), s(&|r| r.note.clone())));
    }
    Table::new(&review.source, cols)
}

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

    fn review(csv: &str) -> Review {
        let t = crate::table::read_csv_bytes(
            "m.csv",
            csv.as_bytes(),
            &crate::table::CsvOptions::default(),
        )
        .expect("csv");
        Review::from_table(&t).expect("review")
    }

    /// The handbook's template rows and headline (docs/handbook.md, the review).
    #[test]
    fn handbook_template_rows() {
        let r = review(
            "dimension,metric,target,actual,unit,better\n\
             traffic,impressions,5000000,4500000,,\n\
             conversion,sign-up conversion,5%,4%,,\n\
             revenue,ROI,1:3,1:2.2,,\n\
             cost,total cost,60,72,10k,lower\n\
             headline,new users,10000,8000,,\n\
             headline,sales,2000000,1600000,,\n",
        );
        let f = review_formatted(&r).expect("formatted");
        let cell = |row: usize, c: &str| f.column(c).ok().and_then(|c| c.text_at(row));
        let expect = [
            ("5,000,000", "4,500,000", "-500,000", "90.0%", "missed"),
            ("5.0%", "4.0%", "-1 pt", "80.0%", "missed"),
            ("1:3", "1:2.2", "-0.8", "73.3%", "missed"),
            ("60", "72", "+12", "120.0%", "over"),
            ("10,000", "8,000", "-2,000", "80.0%", "missed"),
            ("2,000,000", "1,600,000", "-400,000", "80.0%", "missed"),
        ];
        for (i, (t, a, d, ach, st)) in expect.iter().enumerate() {
            assert_eq!(cell(i, "target").as_deref(), Some(*t), "row {i}");
            assert_eq!(cell(i, "actual").as_deref(), Some(*a), "row {i}");
            assert_eq!(cell(i, "difference").as_deref(), Some(*d), "row {i}");
            assert_eq!(cell(i, "achievement").as_deref(), Some(*ach), "row {i}");
            assert_eq!(cell(i, "status").as_deref(), Some(*st), "row {i}");
        }
        assert_eq!(
            f.column("unit").ok().and_then(|c| c.text_at(3)).as_deref(),
            Some("10k")
        );
    }

    #[test]
    fn percent_and_missing_achievements() {
        assert_eq!(percent1(2.2 / 3.0), "73.3%");
        assert_eq!(percent1(1.2), "120.0%");
        assert_eq!(percent1(-0.0001), "-0.01%");
        assert_eq!(percent1(-0.0), "0.0%");
        let r = review("dimension,metric,target,actual\ntraffic,uv,0,120\n");
        assert_eq!(achievement_text(&r.rows[0]), "n/a (target is 0)");
        // load_csv reads 5% as 0.05 in a numeric column; the unit % keeps it a rate.
        let r = review("dimension,metric,target,actual,unit\nconversion,cvr,5%,4%,%\n");
        assert_eq!(difference_text(&r.rows[0]), "-1 pt");
    }

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
