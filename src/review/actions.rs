//! Action items (docs/handbook.md, the review, step 4): what will be done, by
//! whom, by when, with what expected effect, verified in the next campaign's review.
//!
//! Format: `action, owner, due, expected_effect, status` (docs/formats.md). An action
//! is open unless its status says it is finished (`done`, `closed`, `completed`,
//! `cancelled`); an open action whose due date is before the review date is overdue.
//! Open actions are carried into the next review with the review they came from.

use super::error::ReviewError;
use super::metrics::cell_text as text;
use crate::table::{Column, Table};
use crate::units::parse_date;
use chrono::NaiveDate;

/// The columns an actions table must have.
pub const REQUIRED: [&str; 5] = ["action", "owner", "due", "expected_effect", "status"];

/// The columns an actions table may have: the required ones; the review template's
/// `area` (the part of the campaign: conversion, logistics), `problem` (what went wrong)
/// and `root_cause` (why, from the 5-Whys); and those [`actions_table`] writes (`from`
/// is kept, `overdue` and `days_overdue` are computed again). Any other column is
/// refused (`crate::table::check_known_columns`).
pub const KNOWN: [&str; 11] = [
    "action",
    "owner",
    "due",
    "expected_effect",
    "status",
    "area",
    "problem",
    "root_cause",
    "from",
    "overdue",
    "days_overdue",
];

/// The review template's optional columns that an action carries as written.
pub const CONTEXT: [&str; 3] = ["area", "problem", "root_cause"];

/// Status words meaning the action is finished.
pub const CLOSED_WORDS: [&str; 6] = [
    "done",
    "closed",
    "completed",
    "cancelled",
    "canceled",
    "dropped",
];

/// Status words meaning the action is still to do.
pub const OPEN_WORDS: [&str; 8] = [
    "open",
    "todo",
    "to do",
    "not started",
    "in progress",
    "doing",
    "blocked",
    "planned",
];

/// One action item.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What will be done.
    pub action: String,
    /// Who does it.
    pub owner: String,
    /// By when.
    pub due: NaiveDate,
    /// The effect expected (`sign-up conversion 5.5%`).
    pub expected_effect: String,
    /// The status as written.
    pub status: String,
    /// False once the status says it is finished.
    pub open: bool,
    /// The review the action comes from (the file's name).
    pub from: String,
    /// The part of the campaign it is about (empty when not given).
    pub area: String,
    /// The problem it answers (empty when not given).
    pub problem: String,
    /// The problem's root cause (empty when not given).
    pub root_cause: String,
}

impl Action {
    /// Days past the due date at `as_of` for an open action (0 when not overdue).
    pub fn days_overdue(&self, as_of: NaiveDate) -> i64 {
        if self.open && as_of > self.due {
            (as_of - self.due).num_days()
        } else {
            0
        }
    }
}

/// Reads the actions of a table. A missing column, an empty action or owner, a due
/// date that is not `YYYY-MM-DD`, or an unknown status is an error naming the file,
/// line and column.
pub fn actions_from_table(t: &Table) -> Result<Vec<Action>, ReviewError> {
    crate::table::check_known_columns(t, &KNOWN)?;
    t.require(&REQUIRED)?;
    let mut out = Vec::with_capacity(t.n_rows());
    for r in 0..t.n_rows() {
        for c in ["action", "owner"] {
            if text(t, r, c).is_empty() {
                return Err(t.bad_cell(r, c, "a value", "; the cell is empty").into());
            }
        }
        let due_text = text(t, r, "due");
        let due = parse_date(&due_text)
            .map_err(|_| t.bad_cell(r, "due", "a date written YYYY-MM-DD", ""))?;
        let status = text(t, r, "status");
        let word = status.to_ascii_lowercase();
        let open = if OPEN_WORDS.contains(&word.as_str()) {
            true
        } else if CLOSED_WORDS.contains(&word.as_str()) {
            false
        } else {
            return Err(t
                .bad_cell(
                    r,
                    "status",
                    "a status",
                    &format!(
                        "; open actions: {}; finished ones: {}",
                        OPEN_WORDS.join(", "),
                        CLOSED_WORDS.join(", ")
                    ),
                )
                .into());
        };
        out.push(Action {
            action: text(t, r, "action"),
            owner: text(t, r, "owner"),
            due,
            expected_effect: text(t, r, "expected_effect"),
            status,
            open,
            from: match text(t, r, "from") {
                f if f.is_empty() => t.source().to_string(),
                f => f,
            },
            area: text(t, r, "area"),
            problem: text(t, r, "problem"),
            root_cause: text(t, r, "root_cause"),
        });
    }
    Ok(out)
}

/// The actions with their state at `as_of`: `action, owner, due, expected_effect,
/// status, overdue, days_overdue` (and `from` first when `with_from`), with `area`,
/// `problem` and `root_cause` after `action` when some action has one.
pub fn actions_table(
    actions: &[Action],
    as_of: NaiveDate,
    with_from: bool,
) -> Result<Table, ReviewError> {
    let s =
        |f: &dyn Fn(&Action) -> String| Column::text(actions.iter().map(|a| Some(f(a))).collect());
    let mut cols = Vec::new();
    if with_from {
        cols.push(("from".to_string(), s(&|a| a.from.clone())));
    }
    cols.push(("action".to_string(), s(&|a| a.action.clone())));
    type Field = fn(&Action) -> String;
    let context: [(&str, Field); 3] = [
        ("area", |a| a.area.clone()),
        ("problem", |a| a.problem.clone()),
        ("root_cause", |a| a.root_cause.clone()),
    ];
    for (name, get) in context {
        if actions.iter().any(|a| !get(a).is_empty()) {
            cols.push((name.to_string(), s(&get)));
        }
    }
    cols.extend([
        ("owner".to_string(), s(&|a| a.owner.clone())),
        (
            "due".to_string(),
            Column::date(actions.iter().map(|a| Some(a.due)).collect()),
        ),
        (
            "expected_effect".to_string(),
            s(&|a| a.expected_effect.clone()),
        ),
        ("status".to_string(), s(&|a| a.status.clone())),
        (
            "overdue".to_string(),
            Column::boolean(
                actions
                    .iter()
                    .map(|a| Some(a.days_overdue(as_of) > 0))
                    .collect(),
            ),
        ),
        (
            "days_overdue".to_string(),
            Column::int(
                actions
                    .iter()
                    .map(|a| Some(a.days_overdue(as_of)))
                    .collect(),
            ),
        ),
    ]);
    Ok(Table::new("<actions>", cols)?)
}

/// The open actions of past reviews to carry into the next one, oldest due first
/// (ties keep their order).
pub fn carry_over(actions: &[Action]) -> Vec<Action> {
    let mut open: Vec<Action> = actions.iter().filter(|a| a.open).cloned().collect();
    open.sort_by_key(|a| a.due);
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    /// The handbook's three actions from the summer review (docs/handbook.md, the review).
    const SUMMER: &str = "action,owner,due,expected_effect,status\n\
        simplify sign-up from 5 steps to 3,Li,2024-08-10,sign-up conversion 5.5%,in progress\n\
        add limited-time copy to short-video ads,Wang,2024-08-05,,done\n\
        add a backup logistics supplier and stock 7 days early,Liu,2024-08-15,,open\n";

    fn read(csv: &str) -> Result<Vec<Action>, ReviewError> {
        actions_from_table(&read_csv_bytes(
            "a.csv",
            csv.as_bytes(),
            &CsvOptions::default(),
        )?)
    }

    #[test]
    fn overdue_against_a_date() -> Result<(), ReviewError> {
        let a = read(SUMMER)?;
        let d = |s: &str| parse_date(s).map_err(ReviewError::from);
        let as_of = d("2024-08-12")?;
        assert_eq!(
            a.iter().map(|x| x.days_overdue(as_of)).collect::<Vec<_>>(),
            vec![2, 0, 0]
        );
        let t = actions_table(&a, as_of, false)?;
        assert_eq!(t.column("overdue")?.text_at(0).as_deref(), Some("true"));
        assert_eq!(
            t.column("overdue")?.text_at(1).as_deref(),
            Some("false"),
            "done is never overdue"
        );
        let carried = carry_over(&a);
        assert_eq!(carried.len(), 2);
        assert_eq!(carried[0].owner, "Li");
        assert_eq!(carried[0].from, "a.csv");
        Ok(())
    }

    #[test]
    fn bad_actions_name_the_cell() {
        let e = read("action,owner,due,expected_effect,status\nx,Li,10/08/2024,,open\n")
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv:2: column 'due': expected a date written YYYY-MM-DD, got \"10/08/2024\""
        );
        let e = read("action,owner,due,expected_effect,status\nx,Li,2024-08-10,,finished\n")
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string().contains(
                "column 'status': expected a status, got \"finished\"; open actions: open"
            ),
            "{e}"
        );
        let e = read("action,owner,due,status\nx,Li,2024-08-10,open\n")
            .map(|_| ())
            .unwrap_err();
        assert!(
            e.to_string().contains("no column named 'expected_effect'"),
            "{e}"
        );
    }

    /// The review template's area, problem and root cause are kept, in that order after
    /// the action; an unknown column is refused, naming the known ones.
    #[test]
    fn template_columns_are_kept_and_unknown_ones_refused() -> Result<(), ReviewError> {
        let a = read(
            "area,problem,root_cause,action,owner,due,expected_effect,status\n\
             conversion,sign-up conversion 4% against 5%,the form has 5 steps,simplify sign-up,Li,2024-08-10,5.5%,open\n\
             logistics,,,backup supplier,Liu,2024-08-15,,open\n",
        )?;
        assert_eq!(a[0].area, "conversion");
        assert_eq!(a[0].problem, "sign-up conversion 4% against 5%");
        assert_eq!(a[0].root_cause, "the form has 5 steps");
        let t = actions_table(&a, parse_date("2024-08-12")?, false)?;
        assert_eq!(
            &t.names()[..5],
            &["action", "area", "problem", "root_cause", "owner"]
        );
        assert_eq!(t.column("root_cause")?.text_at(1).as_deref(), Some(""));
        // Without them, the table is as before.
        let plain = actions_table(&read(SUMMER)?, parse_date("2024-08-12")?, false)?;
        assert_eq!(plain.names()[1], "owner");
        let e = read("action,owner,due,expected_efect,status\nx,Li,2024-08-10,,open\n")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("a.csv: unknown column 'expected_efect', did you mean 'expected_effect'?; allowed columns: action, owner, due, expected_effect, status, area, problem, root_cause"),
            "{e}"
        );
        Ok(())
    }

    /// A table written by `actions_table` reads back with its `from`.
    #[test]
    fn written_actions_read_back() -> Result<(), ReviewError> {
        let mut a = read(SUMMER)?;
        a[0].from = "2024-06-618".into();
        let t = actions_table(&a, parse_date("2024-08-12")?, true)?;
        let back = actions_from_table(&t)?;
        assert_eq!(back[0].from, "2024-06-618");
        assert_eq!(back[1].from, "a.csv");
        assert_eq!(back[2].action, a[2].action);
        Ok(())
    }
}
