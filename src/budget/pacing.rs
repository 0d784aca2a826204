//! Plan versus actual spend ("pacing"): a budget plan by item (promotion, materials,
//! people) and by day or week, compared with the spend to date.
//!
//! Rules (docs/handbook.md, budget; the handbook's yardstick is 5%):
//! * `planned_to_date` is the plan's amount for the days up to and including `as_of`.
//!   A weekly plan row covers 7 days from its date and counts day by day; an undated
//!   row is the item's whole budget, spread evenly over `start..=end` when those are
//!   given, and otherwise counted in full (a finished campaign's review).
//! * `deviation = actual_to_date - planned_to_date`, `deviation_pct = deviation /
//!   planned_to_date`.
//! * `projected_end` continues the current pace relative to the plan:
//!   `planned_total x actual_to_date / planned_to_date` (with nothing planned yet:
//!   the spend so far plus the rest of the plan).
//! * Flags: `overrun` when the spend to date already exceeds the item's whole budget by
//!   more than the tolerance (the review's 72 against 60); `over` / `under` when the
//!   deviation is beyond the tolerance either way; `unplanned` for spend on an item that
//!   has no plan; else `ok`.

use super::error::{non_negative, BudgetError};
use crate::table::{Column, Table};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One line of a budget plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    /// The budget item (`promotion`, `materials`, a channel...).
    pub item: String,
    /// The day (or the first day of the week) the amount is planned for; `None` for the
    /// item's whole budget.
    pub date: Option<NaiveDate>,
    /// The planned amount (>= 0).
    pub amount: f64,
}

/// One line of actual spend.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendEntry {
    /// The budget item.
    pub item: String,
    /// The day of the spend; `None` for a total to date.
    pub date: Option<NaiveDate>,
    /// The amount spent (>= 0).
    pub amount: f64,
}

/// The period of dated plan rows and of the period table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Plan rows are days.
    Day,
    /// Plan rows are weeks (7 days from their date).
    Week,
}

impl Period {
    /// Reads `day` or `week`.
    pub fn parse(s: &str) -> Result<Period, BudgetError> {
        match s.to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(Period::Day),
            "week" | "weekly" => Ok(Period::Week),
            other => Err(BudgetError::Invalid(format!(
                "pacing: by must be \"day\" or \"week\", got {}",
                crate::table::quote_text(other)
            ))),
        }
    }

    fn days(self) -> i64 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
        }
    }
}

/// Options for [`pacing`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacingOptions {
    /// The last day counted (default: the latest dated spend).
    pub as_of: Option<NaiveDate>,
    /// The deviation flagged, as a share (default 0.05, the handbook's 5%).
    pub tolerance: f64,
    /// Whether dated plan rows are days or weeks (default day).
    pub by: Period,
    /// The campaign's first day, for spreading undated plan rows.
    pub start: Option<NaiveDate>,
    /// The campaign's last day, for spreading undated plan rows.
    pub end: Option<NaiveDate>,
}

impl Default for PacingOptions {
    fn default() -> Self {
        PacingOptions {
            as_of: None,
            tolerance: 0.05,
            by: Period::Day,
            start: None,
            end: None,
        }
    }
}

/// The verdict on an item's spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Flag {
    /// Within the tolerance.
    Ok,
    /// Ahead of plan by more than the tolerance.
    Over,
    /// Behind plan by more than the tolerance.
    Under,
    /// Already beyond the item's whole budget by more than the tolerance.
    Overrun,
    /// Spend on an item the plan does not have.
    Unplanned,
}

impl Flag {
    /// The word shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            Flag::Ok => "ok",
            Flag::Over => "over",
            Flag::Under => "under",
            Flag::Overrun => "overrun",
            Flag::Unplanned => "unplanned",
        }
    }
}

/// Plan versus actual for one item (or the total).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemPacing {
    /// The item (`total` for the sum).
    pub item: String,
    /// The item's whole planned budget.
    pub planned_total: f64,
    /// The plan up to `as_of`.
    pub planned_to_date: f64,
    /// The spend up to `as_of`.
    pub actual_to_date: f64,
    /// `actual_to_date - planned_to_date`.
    pub deviation: f64,
    /// `deviation / planned_to_date` (`None` when nothing was planned yet).
    pub deviation_pct: Option<f64>,
    /// The projected end-of-campaign spend at the current pace.
    pub projected_end: f64,
    /// The verdict.
    pub flag: Flag,
}

/// Plan versus actual for one day or week (all items).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodPacing {
    /// The period's first day.
    pub start: NaiveDate,
    /// The plan in the period.
    pub planned: f64,
    /// The spend in the period (0 after `as_of`).
    pub actual: f64,
    /// The plan up to the end of the period.
    pub cum_planned: f64,
    /// The spend up to the end of the period.
    pub cum_actual: f64,
}

/// A pacing report.
#[derive(Debug, Clone, PartialEq)]
pub struct PacingReport {
    /// The last day counted, when the data are dated.
    pub as_of: Option<NaiveDate>,
    /// The tolerance used.
    pub tolerance: f64,
    /// One row per item, plan items first (in plan order), then unplanned ones.
    pub items: Vec<ItemPacing>,
    /// The sum over items.
    pub total: ItemPacing,
    /// One row per period of the dated plan and spend, up to the period holding
    /// `as_of` (empty when nothing is dated).
    pub periods: Vec<PeriodPacing>,
}

impl PacingReport {
    /// The items table (with a final `total` row): `item, planned_total,
    /// planned_to_date, actual_to_date, deviation, deviation_pct, projected_end, flag`.
    pub fn table(&self) -> Result<Table, BudgetError> {
        let all: Vec<&ItemPacing> = self.items.iter().chain([&self.total]).collect();
        let f = |g: &dyn Fn(&ItemPacing) -> Option<f64>| {
            Column::float(all.iter().map(|r| g(r)).collect())
        };
        Ok(Table::new(
            "pacing",
            vec![
                (
                    "item".into(),
                    Column::text(all.iter().map(|r| Some(r.item.clone())).collect()),
                ),
                ("planned_total".into(), f(&|r| Some(r.planned_total))),
                ("planned_to_date".into(), f(&|r| Some(r.planned_to_date))),
                ("actual_to_date".into(), f(&|r| Some(r.actual_to_date))),
                ("deviation".into(), f(&|r| Some(r.deviation))),
                ("deviation_pct".into(), f(&|r| r.deviation_pct)),
                ("projected_end".into(), f(&|r| Some(r.projected_end))),
                (
                    "flag".into(),
                    Column::text(
                        all.iter()
                            .map(|r| Some(r.flag.word().to_string()))
                            .collect(),
                    ),
                ),
            ],
        )?)
    }

    /// The periods table: `period, planned, actual, cum_planned, cum_actual, deviation`
    /// (deviation of the cumulative spend).
    pub fn periods_table(&self) -> Result<Table, BudgetError> {
        let p = &self.periods;
        let f = |g: &dyn Fn(&PeriodPacing) -> f64| {
            Column::float(p.iter().map(|r| Some(g(r))).collect())
        };
        Ok(Table::new(
            "pacing_periods",
            vec![
                (
                    "period".into(),
                    Column::date(p.iter().map(|r| Some(r.start)).collect()),
                ),
                ("planned".into(), f(&|r| r.planned)),
                ("actual".into(), f(&|r| r.actual)),
                ("cum_planned".into(), f(&|r| r.cum_planned)),
                ("cum_actual".into(), f(&|r| r.cum_actual)),
                ("deviation".into(), f(&|r| r.cum_actual - r.cum_planned)),
            ],
        )?)
    }
}

/// Compares the spend to date with the plan (rules in the module documentation).
pub fn pacing(
    plan: &[PlanEntry],
    actual: &[SpendEntry],
    options: &PacingOptions,
) -> Result<PacingReport, BudgetError> {
    let tol = options.tolerance;
    if !(tol.is_finite() && (0.0..1.0).contains(&tol)) {
        return Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: "pacing: tolerance".into(),
            allowed: "a share in [0, 1) (write 5% or 0.05)".into(),
            value: tol,
        }));
    }
    if plan.is_empty() {
        return Err(BudgetError::Invalid("pacing: the plan has no rows".into()));
    }
    for e in plan {
        non_negative(&format!("pacing: planned amount of '{}'", e.item), e.amount)?;
    }
    for e in actual {
        non_negative(&format!("pacing: spend of '{}'", e.item), e.amount)?;
    }
    let spread = match (options.start, options.end) {
        (Some(s), Some(e)) if e < s => {
            return Err(BudgetError::Invalid(format!(
                "pacing: end {e} is before start {s}"
            )))
        }
        (Some(s), Some(e)) => Some((s, e)),
        (None, None) => None,
        _ => {
            return Err(BudgetError::Invalid(
                "pacing: give both start and end to spread undated plan rows, or neither".into(),
            ))
        }
    };
    let as_of = options
        .as_of
        .or_else(|| actual.iter().filter_map(|e| e.date).max());
    // Daily plan amounts: (date, item index, amount), and undated amounts per item.
    let mut items: Vec<String> = Vec::new();
    let index = |items: &mut Vec<String>, name: &str| -> usize {
        match items.iter().position(|i| i == name) {
            Some(p) => p,
            None => {
                items.push(name.to_string());
                items.len() - 1
            }
        }
    };
    let mut daily: Vec<(NaiveDate, usize, f64)> = Vec::new();
    let mut undated: Vec<(usize, f64)> = Vec::new();
    for e in plan {
        let i = index(&mut items, &e.item);
        match (e.date, spread) {
            (Some(d), _) => {
                let n = options.by.days();
                for k in 0..n {
                    daily.push((d + chrono::Duration::days(k), i, e.amount / n as f64));
                }
            }
            (None, Some((s, end))) => {
                let n = (end - s).num_days() + 1;
                for k in 0..n {
                    daily.push((s + chrono::Duration::days(k), i, e.amount / n as f64));
                }
            }
            (None, None) => undated.push((i, e.amount)),
        }
    }
    let n_plan = items.len();
    let mut planned_total = vec![0.0; n_plan];
    let mut planned_to_date = vec![0.0; n_plan];
    for &(d, i, a) in &daily {
        planned_total[i] += a;
        if as_of.is_none_or(|t| d <= t) {
            planned_to_date[i] += a;
        }
    }
    for &(i, a) in &undated {
        planned_total[i] += a;
        planned_to_date[i] += a;
    }
    let mut actual_to_date = vec![0.0; n_plan];
    let mut spend_days: Vec<(NaiveDate, f64)> = Vec::new();
    for e in actual {
        if e.date.is_some_and(|d| as_of.is_some_and(|t| d > t)) {
            continue;
        }
        let i = index(&mut items, &e.item);
        if i >= actual_to_date.len() {
            actual_to_date.push(0.0);
            planned_total.push(0.0);
            planned_to_date.push(0.0);
        }
        actual_to_date[i] += e.amount;
        if let Some(d) = e.date {
            spend_days.push((d, e.amount));
        }
    }
    let row = |name: &str, pt: f64, pd: f64, ad: f64, planned: bool| {
        let deviation = ad - pd;
        let deviation_pct = (pd > 0.0).then(|| deviation / pd);
        let projected_end = if pd > 0.0 {
            pt * ad / pd
        } else {
            ad + (pt - pd)
        };
        let flag = if !planned {
            Flag::Unplanned
        } else if ad > pt * (1.0 + tol) && !(pt == 0.0 && ad == 0.0) {
            Flag::Overrun
        } else {
            match deviation_pct {
                Some(p) if p > tol => Flag::Over,
                Some(p) if p < -tol => Flag::Under,
                Some(_) => Flag::Ok,
                None if ad > 0.0 => Flag::Over,
                None => Flag::Ok,
            }
        };
        ItemPacing {
            item: name.to_string(),
            planned_total: pt,
            planned_to_date: pd,
            actual_to_date: ad,
            deviation,
            deviation_pct,
            projected_end,
            flag,
        }
    };
    let rows: Vec<ItemPacing> = (0..items.len())
        .map(|i| {
            row(
                &items[i],
                planned_total[i],
                planned_to_date[i],
                actual_to_date[i],
                i < n_plan,
            )
        })
        .collect();
    let total = row(
        "total",
        planned_total.iter().sum(),
        planned_to_date.iter().sum(),
        actual_to_date.iter().sum(),
        true,
    );
    // Periods: buckets of 1 or 7 days from the first dated day.
    let mut periods = Vec::new();
    let first = daily
        .iter()
        .map(|d| d.0)
        .chain(spend_days.iter().map(|d| d.0))
        .min();
    if let Some(first) = first {
        let len = options.by.days();
        let bucket = |d: NaiveDate| (d - first).num_days().div_euclid(len);
        let mut sums: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
        for &(d, _, a) in &daily {
            sums.entry(bucket(d)).or_default().0 += a;
        }
        for &(d, a) in &spend_days {
            sums.entry(bucket(d)).or_default().1 += a;
        }
        let (mut cp, mut ca) = (0.0, 0.0);
        for (b, (p, a)) in sums {
            let start = first + chrono::Duration::days(b * len);
            if as_of.is_some_and(|t| start > t) {
                break;
            }
            cp += p;
            ca += a;
            periods.push(PeriodPacing {
                start,
                planned: p,
                actual: a,
                cum_planned: cp,
                cum_actual: ca,
            });
        }
    }
    Ok(PacingReport {
        as_of,
        tolerance: tol,
        items: rows,
        total,
        periods,
    })
}

/// Reads a plan table with columns `item`, `planned` and optionally `date`.
pub fn plan_from_table(table: &Table) -> Result<Vec<PlanEntry>, BudgetError> {
    read_entries(table, "planned").map(|v| {
        v.into_iter()
            .map(|(item, date, amount)| PlanEntry { item, date, amount })
            .collect()
    })
}

/// Reads a spend table with columns `item`, `spend` and optionally `date`.
pub fn spend_from_table(table: &Table) -> Result<Vec<SpendEntry>, BudgetError> {
    read_entries(table, "spend").map(|v| {
        v.into_iter()
            .map(|(item, date, amount)| SpendEntry { item, date, amount })
            .collect()
    })
}

type Entry = (String, Option<NaiveDate>, f64);

fn read_entries(table: &Table, amount_col: &str) -> Result<Vec<Entry>, BudgetError> {
    let item = table.column("item")?;
    let amount = table.column(amount_col)?;
    let date = if table.has_column("date") {
        Some(table.column("date")?)
    } else {
        None
    };
    let mut out = Vec::with_capacity(table.n_rows());
    for row in 0..table.n_rows() {
        let name = item
            .text_at(row)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| table.bad_cell(row, "item", "an item name", "; the cell is empty"))?;
        let a = amount
            .f64_at(row)
            .filter(|a| a.is_finite() && *a >= 0.0)
            .ok_or_else(|| table.bad_cell(row, amount_col, "an amount (number >= 0)", ""))?;
        let d =
            match date {
                None => None,
                Some(c) if c.dtype() == crate::table::DType::Date => c.date_at(row),
                Some(c) => match c.text_at(row) {
                    None => None,
                    Some(t) => Some(crate::units::parse_date(&t).map_err(|_| {
                        table.bad_cell(row, "date", "a date written YYYY-MM-DD", "")
                    })?),
                },
            };
        out.push((name, d, a));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::units::parse_date(s).unwrap()
    }

    fn plan(item: &str, date: Option<&str>, amount: f64) -> PlanEntry {
        PlanEntry {
            item: item.into(),
            date: date.map(d),
            amount,
        }
    }

    fn spend(item: &str, date: Option<&str>, amount: f64) -> SpendEntry {
        SpendEntry {
            item: item.into(),
            date: date.map(d),
            amount,
        }
    }

    /// docs/handbook.md, the review: total cost 72 (10k) against 60 planned, after an emergency
    /// KOL buy: +12, +20%, an overrun.
    #[test]
    fn handbook_overrun_72_against_60() {
        let r = pacing(
            &[plan("total cost", None, 60.0)],
            &[spend("total cost", None, 72.0)],
            &PacingOptions::default(),
        )
        .unwrap();
        let row = &r.items[0];
        assert_eq!(row.deviation, 12.0);
        assert!((row.deviation_pct.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(row.flag, Flag::Overrun);
        assert_eq!(row.projected_end, 72.0);
        // Within the handbook's 5% yardstick: 62 against 60 is ok (3.3%).
        let r = pacing(
            &[plan("total cost", None, 60.0)],
            &[spend("total cost", None, 62.0)],
            &PacingOptions::default(),
        )
        .unwrap();
        assert_eq!(r.items[0].flag, Flag::Ok);
    }

    /// A 10-day campaign, 1000 a day for promotion and 100 a day for materials; after
    /// 4 days promotion spent 4800 (+20%, projected 12000) and materials 390 (-2.5%).
    #[test]
    fn daily_plan_to_date_and_projection() {
        let mut p = Vec::new();
        let mut a = Vec::new();
        for k in 1..=10 {
            let day = format!("2024-07-{k:02}");
            p.push(plan("promotion", Some(&day), 1000.0));
            p.push(plan("materials", Some(&day), 100.0));
            if k <= 4 {
                a.push(spend("promotion", Some(&day), 1200.0));
                a.push(spend("materials", Some(&day), 97.5));
            }
        }
        a.push(spend("kol", Some("2024-07-03"), 500.0));
        let r = pacing(&p, &a, &PacingOptions::default()).unwrap();
        assert_eq!(r.as_of, Some(d("2024-07-04")));
        let promo = &r.items[0];
        assert_eq!(promo.planned_total, 10_000.0);
        assert_eq!(promo.planned_to_date, 4000.0);
        assert_eq!(promo.actual_to_date, 4800.0);
        assert!((promo.projected_end - 12_000.0).abs() < 1e-9);
        assert_eq!(promo.flag, Flag::Over);
        let mat = &r.items[1];
        assert!((mat.deviation_pct.unwrap() + 0.025).abs() < 1e-12);
        assert_eq!(mat.flag, Flag::Ok);
        assert_eq!(r.items[2].item, "kol");
        assert_eq!(r.items[2].flag, Flag::Unplanned);
        assert_eq!(r.total.planned_to_date, 4400.0);
        assert_eq!(r.total.actual_to_date, 4800.0 + 390.0 + 500.0);
        // Periods run to as_of (day 4), not to the end of the plan.
        assert_eq!(r.periods.len(), 4);
        assert_eq!(r.periods[3].cum_planned, 4400.0);
        assert_eq!(r.periods[3].cum_actual, 5690.0);
        let t = r.table().unwrap();
        assert_eq!(t.n_rows(), 4);
        assert_eq!(r.periods_table().unwrap().n_rows(), 4);
        // A tighter as_of excludes later spend.
        let r = pacing(
            &p,
            &a,
            &PacingOptions {
                as_of: Some(d("2024-07-02")),
                ..PacingOptions::default()
            },
        )
        .unwrap();
        assert_eq!(r.items[0].actual_to_date, 2400.0);
    }

    /// A weekly plan counts day by day: 3 days into a 7000 week, 3000 is planned.
    #[test]
    fn weekly_plan_and_spread_budget() {
        let p = vec![
            plan("promotion", Some("2024-07-01"), 7000.0),
            plan("promotion", Some("2024-07-08"), 7000.0),
        ];
        let a = vec![spend("promotion", Some("2024-07-03"), 2700.0)];
        let o = PacingOptions {
            by: Period::Week,
            ..PacingOptions::default()
        };
        let r = pacing(&p, &a, &o).unwrap();
        assert!((r.items[0].planned_to_date - 3000.0).abs() < 1e-9);
        assert_eq!(r.items[0].flag, Flag::Under);
        assert_eq!(r.periods.len(), 1);
        // An undated budget spread over start..=end (10 days, 4 elapsed).
        let o = PacingOptions {
            start: Some(d("2024-07-01")),
            end: Some(d("2024-07-10")),
            as_of: Some(d("2024-07-04")),
            ..PacingOptions::default()
        };
        let r = pacing(
            &[plan("people", None, 5000.0)],
            &[spend("people", None, 2000.0)],
            &o,
        )
        .unwrap();
        assert!((r.items[0].planned_to_date - 2000.0).abs() < 1e-9);
        assert_eq!(r.items[0].flag, Flag::Ok);
    }

    #[test]
    fn errors_and_tables() {
        let e = pacing(&[], &[], &PacingOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no rows"), "{e}");
        let e = pacing(
            &[plan("a", None, 1.0)],
            &[],
            &PacingOptions {
                tolerance: 2.0,
                ..PacingOptions::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("tolerance must be a share in [0, 1)"), "{e}");
        assert!(Period::parse("month").is_err());
        let t = crate::table::read_csv_bytes(
            "plan.csv",
            b"item,date,planned\npromotion,2024-07-01,100\nmaterials,2024-07-01,-3\n",
            &Default::default(),
        )
        .unwrap();
        let e = plan_from_table(&t).unwrap_err().to_string();
        assert!(e.starts_with("plan.csv:3: column 'planned'"), "{e}");
        let t = crate::table::read_csv_bytes(
            "spend.csv",
            b"item,date,amount\npromotion,2024-07-01,100\n",
            &Default::default(),
        )
        .unwrap();
        let e = spend_from_table(&t).unwrap_err().to_string();
        assert!(e.contains("no column named 'spend'"), "{e}");
    }
}
