//! The SOP's inputs as planners write them: the tasks table, the owners table, calendar
//! overrides, unavailability, and the options map. Every reader checks its columns (an
//! unknown column is an error that lists the allowed ones) and every cell (the error names
//! the file, line and column, what was expected and what was found).

use super::calendar::{parse_weekday, Slot};
use super::error::SopError;
use crate::table::{Column, Table};
use chrono::{NaiveDate, Weekday};

/// Where a task is in the plan's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not started: the scheduler places it.
    Todo,
    /// Started on `actual_start`: it keeps that start and runs for its duration.
    Doing,
    /// Finished: it keeps `actual_start`/`actual_finish` (or, without them, finished before
    /// the plan's start).
    Done,
}

impl Status {
    /// The word used in the tasks table.
    pub fn name(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Done => "done",
        }
    }

    /// A status as planners write it (already lower-cased): `todo`, `doing`, `done`, or
    /// the Chinese `待办` (to do), `进行中` (in progress), `已完成` (completed).
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "todo" | "待办" => Some(Status::Todo),
            "doing" | "进行中" => Some(Status::Doing),
            "done" | "已完成" => Some(Status::Done),
            _ => None,
        }
    }
}

/// A deadline: a date, or a number of working days relative to a launch date
/// (`L-5` = five working days before the launch, `L` = the launch day, `L+3`; with several
/// launches, `L(summer)-5` names one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Finish by the end of this date (the last working day on or before it).
    Date(NaiveDate),
    /// Finish by the end of the working day this many working days from the launch day of
    /// the `launch` option.
    Launch(i64),
    /// The same relative to a named launch: index into [`SopOptions::launches`], offset.
    Named(usize, i64),
}

/// How a dependency ties two tasks (MS Project's link types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Finish-to-start: the task starts `lag` after the predecessor finishes.
    FinishStart,
    /// Start-to-start: the task starts `lag` after the predecessor starts.
    StartStart,
    /// Finish-to-finish: the task finishes `lag` after the predecessor finishes.
    FinishFinish,
}

impl Link {
    /// `FS`, `SS`, `FF`.
    pub fn name(self) -> &'static str {
        match self {
            Link::FinishStart => "FS",
            Link::StartStart => "SS",
            Link::FinishFinish => "FF",
        }
    }
}

/// A dependency: `design+2` (finish-to-start, two working days' lag), `design SS+1`
/// (start-to-start), `design FF` (finish-to-finish).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pred {
    /// The predecessor's id.
    pub id: String,
    /// The lag in half days (0 when none is written).
    pub lag: Slot,
    /// The link type.
    pub link: Link,
}

/// One row of the tasks table.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Unique id, used in `after`.
    pub id: String,
    /// What the task is.
    pub name: String,
    /// Who does it: nobody (no capacity used, e.g. a milestone), one owner, or several who
    /// must all work on it at the same time (`designer; dev`).
    pub owners: Vec<String>,
    /// Duration in half days.
    pub duration: Slot,
    /// The range of the duration in working days (`duration_low`, `duration_high`), for
    /// the Monte Carlo of the finish.
    pub range: Option<(f64, f64)>,
    /// Share of the work done (0 to 1), for tasks in progress.
    pub percent_complete: Option<f64>,
    /// Fixed cost of the task (money, in the data's currency).
    pub cost: Option<f64>,
    /// Finish-to-start predecessors.
    pub after: Vec<Pred>,
    /// Release date: the task starts on or after it.
    pub earliest_start: Option<NaiveDate>,
    /// Due date.
    pub deadline: Option<Deadline>,
    /// Free text (warm-up, launch, peak, wrap-up).
    pub phase: String,
    /// Life-cycle status.
    pub status: Status,
    /// When a doing/done task started.
    pub actual_start: Option<NaiveDate>,
    /// When a done task finished (inclusive).
    pub actual_finish: Option<NaiveDate>,
    /// `tasks.csv:5` for messages.
    pub at: String,
}

/// One row of the owners table.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    /// The owner's name as used in the tasks table.
    pub name: String,
    /// Tasks the owner can work on at once (default 1).
    pub capacity: u32,
    /// Notice in half days: a request must reach the owner this long before their work on
    /// it starts.
    pub lead: Slot,
    /// Cost per working day of the owner's time (money), if given.
    pub cost_rate: Option<f64>,
}

/// One row of a saved baseline: where a task was planned when the baseline was taken.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineTask {
    /// The task id.
    pub id: String,
    /// Planned start date.
    pub start: NaiveDate,
    /// Planned finish date (inclusive).
    pub finish: NaiveDate,
    /// `baseline.csv:3` for messages.
    pub at: String,
}

/// One row of the unavailable table: the owner cannot work from `from` to `to`, inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Leave {
    /// The owner.
    pub owner: String,
    /// First day away.
    pub from: NaiveDate,
    /// Last day away (inclusive).
    pub to: NaiveDate,
    /// `unavailable.csv:3` for messages.
    pub at: String,
}

/// How hard the scheduler searches (deterministic for a seed: the budget is a number of
/// schedule evaluations; the wall-clock limit is only a safety stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Priority rules plus a short improvement search (milliseconds).
    Fast,
    /// A long improvement search (up to about a second).
    Thorough,
}

impl Effort {
    /// Reads `fast` or `thorough`.
    pub fn parse(s: &str) -> Result<Effort, SopError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fast" => Ok(Effort::Fast),
            "thorough" => Ok(Effort::Thorough),
            _ => Err(SopError::Option(format!(
                "schedule: option 'effort' must be \"fast\" or \"thorough\", got \"{s}\""
            ))),
        }
    }
}

/// The options of `schedule`.
#[derive(Debug, Clone, PartialEq)]
pub struct SopOptions {
    /// The first day of planning (working day 0 is the first working day on or after it).
    pub start: NaiveDate,
    /// The launch date (needed by `L-5` style deadlines; drawn on the Gantt chart).
    pub launch: Option<NaiveDate>,
    /// Named launches (`L(summer)-5` deadlines), by name.
    pub launches: Vec<(String, NaiveDate)>,
    /// The status date: progress is as of this date; the remaining work of tasks in
    /// progress, and every task not started, is planned from it (default: `start`).
    pub status_date: Option<NaiveDate>,
    /// Weekend days (default Saturday and Sunday).
    pub weekend: Vec<Weekday>,
    /// Seed of the improvement search.
    pub seed: u64,
    /// Search effort.
    pub effort: Effort,
}

impl SopOptions {
    /// Options with the defaults: Saturday-Sunday weekend, no launch, seed 1, fast.
    pub fn new(start: NaiveDate) -> SopOptions {
        SopOptions {
            start,
            launch: None,
            launches: Vec::new(),
            status_date: None,
            weekend: vec![Weekday::Sat, Weekday::Sun],
            seed: 1,
            effort: Effort::Fast,
        }
    }

    /// Reads weekend day names (`["sat", "sun"]`); an empty list means a seven-day week.
    pub fn parse_weekend(names: &[String]) -> Result<Vec<Weekday>, SopError> {
        names
            .iter()
            .map(|n| {
                parse_weekday(n).ok_or_else(|| {
                    SopError::Option(format!(
                        "schedule: option 'weekend': '{n}' is not a weekday; use mon, tue, wed, thu, fri, sat, sun"
                    ))
                })
            })
            .collect()
    }
}

/// Everything `schedule` needs.
#[derive(Debug, Clone)]
pub struct SopInput {
    /// The tasks, in table order.
    pub tasks: Vec<Task>,
    /// The owners table (`None` when not given: every owner has capacity 1, no lead time).
    pub owners: Option<Vec<Owner>>,
    /// Dates closed by the calendar table.
    pub holidays: Vec<NaiveDate>,
    /// Dates opened by the calendar table.
    pub workdays: Vec<NaiveDate>,
    /// Unavailability windows.
    pub unavailable: Vec<Leave>,
    /// The saved baseline to compare with (empty when none).
    pub baseline: Vec<BaselineTask>,
    /// Options.
    pub options: SopOptions,
}

/// The columns of the tasks table.
pub const TASK_COLUMNS: &[&str] = &[
    "id",
    "name",
    "owner",
    "duration",
    "duration_low",
    "duration_high",
    "after",
    "earliest_start",
    "deadline",
    "phase",
    "status",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "cost",
];
/// The columns of the owners table.
pub const OWNER_COLUMNS: &[&str] = &["owner", "capacity", "lead_days", "cost_rate"];
/// The columns of a baseline table (what `plan.baseline()` writes; other columns it
/// writes are ignored on reading).
pub const BASELINE_COLUMNS: &[&str] = &["id", "start", "finish"];
/// The columns of the calendar table.
pub const CALENDAR_COLUMNS: &[&str] = &["date", "kind"];
/// The columns of the unavailable table.
pub const UNAVAILABLE_COLUMNS: &[&str] = &["owner", "from", "to"];

/// Checks that `t` has every `required` column and nothing outside `allowed`.
fn check_columns(t: &Table, allowed: &[&str], required: &[&str]) -> Result<(), SopError> {
    crate::table::check_known_columns(t, allowed)?;
    t.require(required)?;
    Ok(())
}

fn text(t: &Table, row: usize, col: &str) -> Option<String> {
    t.column(col)
        .ok()
        .and_then(|c: &Column| c.text_at(row))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn where_(t: &Table, row: usize) -> String {
    match t.line_of(row) {
        Some(l) => format!("{}:{l}", t.source()),
        None => format!("{}: row {}", t.source(), row + 1),
    }
}

/// Reads a non-negative number of working days in steps of half a day, as half days.
pub fn parse_half_days(s: &str) -> Option<Slot> {
    let x: f64 = s.trim().parse().ok()?;
    let h = x * 2.0;
    (x.is_finite() && x >= 0.0 && (h - h.round()).abs() < 1e-9 && h < 1e9)
        .then(|| h.round() as Slot)
}

fn date_cell(t: &Table, row: usize, col: &str) -> Result<Option<NaiveDate>, SopError> {
    match text(t, row, col) {
        None => Ok(None),
        Some(s) => crate::units::parse_date(&s).map(Some).map_err(|_| {
            t.bad_cell(
                row,
                col,
                "a date like 2024-06-14",
                "; write dates as YYYY-MM-DD",
            )
            .into()
        }),
    }
}

fn half_days_cell(t: &Table, row: usize, col: &str, default: Slot) -> Result<Slot, SopError> {
    match text(t, row, col) {
        None => Ok(default),
        Some(s) => match parse_half_days(&s) {
            Some(h) if h <= MAX_SLOTS => Ok(h),
            Some(_) => Err(t
                .bad_cell(row, col, "at most 2600 working days (ten years)", "")
                .into()),
            None => Err(t
                .bad_cell(
                    row,
                    col,
                    "a number of working days >= 0 in steps of 0.5",
                    "; write 0.5 for half a day, 2 for two days",
                )
                .into()),
        },
    }
}

/// The longest duration, lag or lead time accepted: 2600 working days (ten years), in
/// half days.
pub const MAX_SLOTS: Slot = 5200;

/// Reads a lag written after a link type or an id: `+2`, `+2d`, `+0.5` (working days,
/// steps of half a day, at most [`MAX_SLOTS`]).
fn parse_lag(s: &str) -> Option<Slot> {
    let s = s.trim();
    let s = s.strip_suffix(['d', 'D']).unwrap_or(s);
    parse_half_days(s).filter(|&l| l <= MAX_SLOTS)
}

/// Reads the `after` cell: dependencies separated by `;`, each `id` or `id+lag`
/// (finish-to-start), or `id TYPE+lag` with `TYPE` one of `FS`, `SS`, `FF` separated from
/// the id by a space (MS Project's notation: `design SS+2d`, `dev FF`).
pub fn parse_after(s: &str) -> Option<Vec<Pred>> {
    let mut out = Vec::new();
    for part in s.split(';') {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        let typed = p.rsplit_once(char::is_whitespace).and_then(|(id, tail)| {
            let upper = tail.to_ascii_uppercase();
            let link = match upper.get(..2)? {
                "FS" => Link::FinishStart,
                "SS" => Link::StartStart,
                "FF" => Link::FinishFinish,
                _ => return None,
            };
            Some((id.trim(), link, &tail[2..]))
        });
        let (id, lag, link) = match typed {
            Some((id, link, rest)) => {
                let lag = match rest.trim() {
                    "" => 0,
                    r => parse_lag(r.strip_prefix('+')?)?,
                };
                (id, lag, link)
            }
            None => match p.rfind('+') {
                Some(i) if i > 0 => (p[..i].trim(), parse_lag(&p[i + 1..])?, Link::FinishStart),
                _ => (p, 0, Link::FinishStart),
            },
        };
        if id.is_empty() || id.starts_with('+') || id.contains(char::is_whitespace) {
            return None;
        }
        out.push(Pred {
            id: id.to_string(),
            lag,
            link,
        });
    }
    Some(out)
}

/// Reads a deadline cell: a date, or `L`, `L-5`, `L+3` (the `launch` option), or
/// `L(name)`, `L(name)-5` (a launch of the `launches` option). `launches` are the names;
/// the error says what is wrong.
fn parse_deadline(s: &str, launches: &[String], has_launch: bool) -> Result<Deadline, String> {
    const FORMS: &str =
        "a date like 2024-06-14, or L, L-5, L+3 (working days from the launch date)";
    let t = s.trim();
    let Some(rest) = t.strip_prefix('L').or_else(|| t.strip_prefix('l')) else {
        return crate::units::parse_date(t)
            .map(Deadline::Date)
            .map_err(|_| FORMS.to_string());
    };
    let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let (name, rest) = match rest.strip_prefix('(') {
        Some(r) => {
            let (name, after) = r.split_once(')').ok_or_else(|| FORMS.to_string())?;
            (Some(name.to_string()), after.to_string())
        }
        None => (None, rest),
    };
    let k = if rest.is_empty() {
        0
    } else {
        let (sign, num) = match rest.split_at(1) {
            ("-", n) => (-1, n),
            ("+", n) => (1, n),
            _ => return Err(FORMS.to_string()),
        };
        let k: i64 = num.parse().map_err(|_| FORMS.to_string())?;
        if !(0..=2600).contains(&k) {
            return Err("an offset of at most 2600 working days from the launch".into());
        }
        sign * k
    };
    match name {
        Some(n) => match launches.iter().position(|x| *x == n) {
            Some(i) => Ok(Deadline::Named(i, k)),
            None if launches.is_empty() => Err(format!(
                "a launch named in the 'launches' option; '{n}' is not one (no launches are set: schedule(tasks, #{{ launches: #{{ {n}: \"2024-07-01\" }} }}))"
            )),
            None => Err(format!(
                "one of the launches {}; '{n}' is not one",
                launches.join(", ")
            )),
        },
        None if has_launch => Ok(Deadline::Launch(k)),
        None if launches.len() == 1 => Ok(Deadline::Named(0, k)),
        None if launches.is_empty() => Err("a date (no launch date is set); a deadline relative to the launch needs the launch option: schedule(tasks, #{ start: ..., launch: \"2024-07-01\" })".into()),
        None => Err(format!(
            "L(name) naming one of the launches {} (there are several and no 'launch' option)",
            launches.join(", ")
        )),
    }
}

/// Reads a share of work done: `40`, `40%` or `0.4`... as 0 to 1. A bare number above 1 is a
/// percentage (40 = 40%); 0 to 1 is a fraction.
fn parse_percent(s: &str) -> Option<f64> {
    let t = s.trim();
    let x = match t.strip_suffix('%') {
        Some(n) => n.trim().parse::<f64>().ok()? / 100.0,
        None => {
            let v: f64 = t.parse().ok()?;
            if v > 1.0 {
                v / 100.0
            } else {
                v
            }
        }
    };
    (x.is_finite() && (0.0..=1.0).contains(&x)).then_some(x)
}

fn money_cell(t: &Table, row: usize, col: &str) -> Result<Option<f64>, SopError> {
    match text(t, row, col) {
        None => Ok(None),
        Some(s) => match s.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(t
                .bad_cell(
                    row,
                    col,
                    "an amount of money >= 0, like 1200 or 1200.50",
                    "",
                )
                .into()),
        },
    }
}

/// Reads a cell of working days (any non-negative number, not rounded).
fn days_cell(t: &Table, row: usize, col: &str) -> Result<Option<f64>, SopError> {
    match text(t, row, col) {
        None => Ok(None),
        Some(s) => match s.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=2600.0).contains(&v) => Ok(Some(v)),
            _ => Err(t
                .bad_cell(row, col, "a number of working days from 0 to 2600", "")
                .into()),
        },
    }
}

/// Reads the tasks table. `has_launch` tells whether the `launch` option is set and
/// `launches` names the launches of the `launches` option: an `L-5` deadline without a
/// launch, or `L(name)` naming no launch, is an error on that cell.
pub fn tasks_from_table(
    t: &Table,
    has_launch: bool,
    launches: &[String],
) -> Result<Vec<Task>, SopError> {
    check_columns(t, TASK_COLUMNS, &["id", "duration"])?;
    let mut out: Vec<Task> = Vec::with_capacity(t.n_rows());
    let mut seen = std::collections::HashMap::new();
    for row in 0..t.n_rows() {
        let id = text(t, row, "id").ok_or_else(|| {
            SopError::from(t.bad_cell(row, "id", "a task id", "; every task needs an id"))
        })?;
        if seen.insert(id.clone(), row).is_some() {
            return Err(SopError::DuplicateId {
                at: t.cell_ref(row, "id").to_string(),
                id,
            });
        }
        let duration = match text(t, row, "duration") {
            None => {
                return Err(t
                    .bad_cell(
                        row,
                        "duration",
                        "a number of working days >= 0 in steps of 0.5",
                        "; the cell is empty",
                    )
                    .into())
            }
            Some(_) => half_days_cell(t, row, "duration", 0)?,
        };
        let after = match text(t, row, "after") {
            None => Vec::new(),
            Some(s) => parse_after(&s).ok_or_else(|| {
                SopError::from(t.bad_cell(
                    row,
                    "after",
                    "predecessor ids separated by ';', each optionally with a lag in working days (design+2)",
                    "",
                ))
            })?,
        };
        let deadline = match text(t, row, "deadline") {
            None => None,
            Some(s) => Some(
                parse_deadline(&s, launches, has_launch)
                    .map_err(|e| SopError::from(t.bad_cell(row, "deadline", &e, "")))?,
            ),
        };
        let range = match (
            days_cell(t, row, "duration_low")?,
            days_cell(t, row, "duration_high")?,
        ) {
            (None, None) => None,
            (Some(lo), Some(hi)) => {
                let d = duration as f64 / 2.0;
                if !(lo <= d && d <= hi) {
                    return Err(t
                        .bad_cell(
                            row,
                            "duration_low",
                            &format!("duration_low <= duration ({d}) <= duration_high ({hi})"),
                            "",
                        )
                        .into());
                }
                Some((lo, hi))
            }
            (lo, _) => {
                let col = if lo.is_none() {
                    "duration_low"
                } else {
                    "duration_high"
                };
                return Err(t
                    .bad_cell(
                        row,
                        col,
                        "a number of working days (give both duration_low and duration_high, or neither)",
                        "",
                    )
                    .into());
            }
        };
        let mut owners: Vec<String> = Vec::new();
        for o in text(t, row, "owner").unwrap_or_default().split(';') {
            let o = o.trim();
            if o.is_empty() {
                continue;
            }
            if owners.iter().any(|x| x == o) {
                return Err(t
                    .bad_cell(
                        row,
                        "owner",
                        &format!("distinct owners ('{o}' appears twice)"),
                        "",
                    )
                    .into());
            }
            owners.push(o.to_string());
        }
        let percent_complete = match text(t, row, "percent_complete") {
            None => None,
            Some(s) => Some(parse_percent(&s).ok_or_else(|| {
                SopError::from(t.bad_cell(
                    row,
                    "percent_complete",
                    "a share of the work done from 0% to 100% (40, 40% or 0.4)",
                    "",
                ))
            })?),
        };
        let status = match text(t, row, "status").map(|s| s.to_ascii_lowercase()) {
            None => Status::Todo,
            Some(s) => match Status::parse(&s) {
                Some(status) => status,
                None => {
                    return Err(t
                        .bad_cell(
                            row,
                            "status",
                            "todo, doing or done (待办, 进行中, 已完成)",
                            "",
                        )
                        .into())
                }
            },
        };
        let actual_start = date_cell(t, row, "actual_start")?;
        let actual_finish = date_cell(t, row, "actual_finish")?;
        match (status, percent_complete) {
            (Status::Todo, Some(p)) if p > 0.0 => {
                return Err(t
                    .bad_cell(
                        row,
                        "percent_complete",
                        "0 for a task not started (status todo)",
                        "; a task with work done is 'doing' (give its actual_start) or 'done'",
                    )
                    .into())
            }
            (Status::Done, Some(p)) if p < 1.0 => {
                return Err(t
                    .bad_cell(
                        row,
                        "percent_complete",
                        "100% for a task done",
                        "; a task with work left is 'doing'",
                    )
                    .into())
            }
            (Status::Doing, Some(p)) if p >= 1.0 => {
                return Err(t
                    .bad_cell(
                        row,
                        "percent_complete",
                        "less than 100% for a task in progress",
                        "; a task with all its work done is 'done' (give its actual_finish)",
                    )
                    .into())
            }
            _ => {}
        }
        if status == Status::Doing && actual_start.is_none() {
            return Err(t
                .bad_cell(
                    row,
                    "actual_start",
                    "a date (the task is 'doing')",
                    "; a task in progress keeps its actual start: give the date it started",
                )
                .into());
        }
        if status == Status::Done && actual_start.is_some() != actual_finish.is_some() {
            let col = if actual_start.is_none() {
                "actual_start"
            } else {
                "actual_finish"
            };
            return Err(t
                .bad_cell(
                    row,
                    col,
                    "a date (a done task gives both actual_start and actual_finish, or neither)",
                    "",
                )
                .into());
        }
        if let (Some(s), Some(f)) = (actual_start, actual_finish) {
            if f < s {
                return Err(t
                    .bad_cell(
                        row,
                        "actual_finish",
                        &format!("a date on or after actual_start {s}"),
                        "",
                    )
                    .into());
            }
        }
        out.push(Task {
            name: text(t, row, "name").unwrap_or_else(|| id.clone()),
            id,
            owners,
            duration,
            range,
            percent_complete,
            cost: money_cell(t, row, "cost")?,
            after,
            earliest_start: date_cell(t, row, "earliest_start")?,
            deadline,
            phase: text(t, row, "phase").unwrap_or_default(),
            status,
            actual_start,
            actual_finish,
            at: where_(t, row),
        });
    }
    Ok(out)
}

/// Reads the owners table (`owner,capacity,lead_days`).
pub fn owners_from_table(t: &Table) -> Result<Vec<Owner>, SopError> {
    check_columns(t, OWNER_COLUMNS, &["owner"])?;
    let mut out: Vec<Owner> = Vec::with_capacity(t.n_rows());
    for row in 0..t.n_rows() {
        let name = text(t, row, "owner")
            .ok_or_else(|| SopError::from(t.bad_cell(row, "owner", "an owner name", "")))?;
        if out.iter().any(|o| o.name == name) {
            return Err(SopError::Invalid(format!(
                "{}: owner '{name}' appears twice",
                t.cell_ref(row, "owner")
            )));
        }
        let capacity = match text(t, row, "capacity") {
            None => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(c) if (1..=1000).contains(&c) => c,
                _ => {
                    return Err(t
                        .bad_cell(
                            row,
                            "capacity",
                            "a whole number of tasks at once between 1 and 1000",
                            "",
                        )
                        .into())
                }
            },
        };
        out.push(Owner {
            name,
            capacity,
            lead: half_days_cell(t, row, "lead_days", 0)?,
            cost_rate: money_cell(t, row, "cost_rate")?,
        });
    }
    Ok(out)
}

/// Reads the calendar table (`date,kind` with kind `holiday` or `workday`) into
/// (holidays, workdays).
pub fn calendar_from_table(t: &Table) -> Result<(Vec<NaiveDate>, Vec<NaiveDate>), SopError> {
    check_columns(t, CALENDAR_COLUMNS, &["date", "kind"])?;
    let (mut holidays, mut workdays) = (Vec::new(), Vec::new());
    for row in 0..t.n_rows() {
        let date = date_cell(t, row, "date")?.ok_or_else(|| {
            SopError::from(t.bad_cell(row, "date", "a date like 2024-06-10", "; the cell is empty"))
        })?;
        match text(t, row, "kind")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            Some("holiday") => holidays.push(date),
            Some("workday") => workdays.push(date),
            _ => {
                return Err(t
                    .bad_cell(
                        row,
                        "kind",
                        "holiday or workday",
                        "; 'workday' opens a weekend day (a make-up working day)",
                    )
                    .into())
            }
        }
    }
    Ok((holidays, workdays))
}

/// Reads the unavailable table (`owner,from,to`, inclusive dates).
pub fn unavailable_from_table(t: &Table) -> Result<Vec<Leave>, SopError> {
    check_columns(t, UNAVAILABLE_COLUMNS, &["owner", "from", "to"])?;
    let mut out = Vec::with_capacity(t.n_rows());
    for row in 0..t.n_rows() {
        let owner = text(t, row, "owner")
            .ok_or_else(|| SopError::from(t.bad_cell(row, "owner", "an owner name", "")))?;
        let from = date_cell(t, row, "from")?.ok_or_else(|| {
            SopError::from(t.bad_cell(row, "from", "a date like 2024-06-10", "; the cell is empty"))
        })?;
        let to = date_cell(t, row, "to")?.ok_or_else(|| {
            SopError::from(t.bad_cell(row, "to", "a date like 2024-06-14", "; the cell is empty"))
        })?;
        if to < from {
            return Err(t
                .bad_cell(
                    row,
                    "to",
                    &format!("a date on or after 'from' ({from})"),
                    "",
                )
                .into());
        }
        out.push(Leave {
            owner,
            from,
            to,
            at: where_(t, row),
        });
    }
    Ok(out)
}

/// Reads a baseline table (`id,start,finish` dates, as `plan.baseline()` writes it; the
/// other columns it writes are ignored).
pub fn baseline_from_table(t: &Table) -> Result<Vec<BaselineTask>, SopError> {
    t.require(BASELINE_COLUMNS)?;
    let mut out: Vec<BaselineTask> = Vec::with_capacity(t.n_rows());
    for row in 0..t.n_rows() {
        let id = text(t, row, "id")
            .ok_or_else(|| SopError::from(t.bad_cell(row, "id", "a task id", "")))?;
        if out.iter().any(|b| b.id == id) {
            return Err(SopError::DuplicateId {
                at: t.cell_ref(row, "id").to_string(),
                id,
            });
        }
        let start = date_cell(t, row, "start")?;
        let finish = date_cell(t, row, "finish")?;
        // A task without dates in the baseline (done before it was taken) has no slip.
        let (Some(start), Some(finish)) = (start, finish) else {
            continue;
        };
        if finish < start {
            return Err(t
                .bad_cell(
                    row,
                    "finish",
                    &format!("a date on or after start {start}"),
                    "",
                )
                .into());
        }
        out.push(BaselineTask {
            id,
            start,
            finish,
            at: where_(t, row),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv_bytes;

    fn table(text: &str) -> Table {
        read_csv_bytes("tasks.csv", text.as_bytes(), &Default::default()).expect("csv")
    }

    fn err(text: &str, has_launch: bool) -> String {
        match tasks_from_table(&table(text), has_launch, &[]) {
            Ok(_) => panic!("expected an error for {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_tasks_with_lags_and_relative_deadlines() {
        let t = table(
            "id,name,owner,duration,after,deadline,status\n\
             a,Prototype,pm,2,,,done\n\
             b,Design,designer,1.5,a+2;c,L-5,\n\
             c,Copy,editor,0.5,,2024-06-20,doing\n",
        );
        let err = tasks_from_table(&t, true, &[]).expect_err("doing without a start");
        assert!(err.to_string().contains("actual_start"), "{err}");
        let t = table(
            "id,name,owner,duration,after,deadline,status\n\
             a,Prototype,pm,2,,,done\n\
             b,Design,designer,1.5,a+2;c,L-5,\n\
             c,Copy,editor,0.5,,2024-06-20,\n",
        );
        let tasks = tasks_from_table(&t, true, &[]).expect("tasks");
        assert_eq!(tasks[1].duration, 3);
        assert_eq!(
            tasks[1].after,
            vec![
                Pred {
                    id: "a".into(),
                    lag: 4,
                    link: Link::FinishStart
                },
                Pred {
                    id: "c".into(),
                    lag: 0,
                    link: Link::FinishStart
                }
            ]
        );
        assert_eq!(tasks[1].deadline, Some(Deadline::Launch(-5)));
        assert_eq!(tasks[0].status, Status::Done);
        assert_eq!(tasks[2].at, "tasks.csv:4");
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let e = err("id,duration\na,-1\n", false);
        assert!(
            e.contains("tasks.csv:2: column 'duration'") && e.contains("-1"),
            "{e}"
        );
        let e = err("id,duration\na,1.25\n", false);
        assert!(
            e.contains("tasks.csv:2: column 'duration'") && e.contains("0.5"),
            "{e}"
        );
        let e = err("id,duration,deadline\na,1,2024-13-01\n", false);
        assert!(e.contains("tasks.csv:2: column 'deadline'"), "{e}");
        let e = err("id,duration,earliest_start\na,1,June 3\n", false);
        assert!(
            e.contains("tasks.csv:2: column 'earliest_start'") && e.contains("YYYY-MM-DD"),
            "{e}"
        );
        let e = err("id,duration,deadline\na,1,L-5\n", false);
        assert!(
            e.contains("tasks.csv:2: column 'deadline'") && e.contains("launch"),
            "{e}"
        );
        let e = err("id,duration,owner_name\na,1,x\n", false);
        assert!(
            e.contains("unknown column 'owner_name'") && e.contains("allowed columns"),
            "{e}"
        );
        let e = err("id,duration\na,1\na,2\n", false);
        assert!(
            e.contains("tasks.csv:3") && e.contains("appears twice"),
            "{e}"
        );
        let e = err("id,duration,status\na,1,started\n", false);
        assert!(e.contains("column 'status'"), "{e}");
        let e = err("id,duration,after\na,1,b+x\n", false);
        assert!(e.contains("column 'after'"), "{e}");
    }

    #[test]
    fn reads_link_types_lags_and_named_launches() {
        let p = parse_after("design SS+1; dev FF; copy FS+2d; qa+0.5; brief").expect("links");
        let got: Vec<(&str, Slot, Link)> =
            p.iter().map(|x| (x.id.as_str(), x.lag, x.link)).collect();
        assert_eq!(
            got,
            vec![
                ("design", 2, Link::StartStart),
                ("dev", 0, Link::FinishFinish),
                ("copy", 4, Link::FinishStart),
                ("qa", 1, Link::FinishStart),
                ("brief", 0, Link::FinishStart),
            ]
        );
        for bad in ["design SS-1", "design XX", "design SS+x", "a b", "+2"] {
            assert_eq!(parse_after(bad), None, "{bad}");
        }
        let names = ["d11".to_string(), "summer".to_string()];
        assert_eq!(
            parse_deadline("L(summer)-5", &names, false),
            Ok(Deadline::Named(1, -5))
        );
        assert_eq!(
            parse_deadline("L(d11)", &names, true),
            Ok(Deadline::Named(0, 0))
        );
        assert_eq!(parse_deadline("L+3", &names, true), Ok(Deadline::Launch(3)));
        assert_eq!(
            parse_deadline("L", &names[..1], false),
            Ok(Deadline::Named(0, 0))
        );
        assert!(parse_deadline("L(x)", &names, false)
            .expect_err("unknown")
            .contains("'x' is not one"));
        assert!(parse_deadline("L", &names, false)
            .expect_err("which")
            .contains("L(name)"));
        assert!(parse_deadline("L(summer", &names, false).is_err());
        assert_eq!(parse_percent("40"), Some(0.4));
        assert_eq!(parse_percent("40%"), Some(0.4));
        assert_eq!(parse_percent("0.4"), Some(0.4));
        assert_eq!(parse_percent("1"), Some(1.0));
        assert_eq!(parse_percent("101"), None);
        assert_eq!(parse_percent("-5%"), None);
    }

    #[test]
    fn reads_owners_calendar_and_leave() {
        let o = owners_from_table(&table("owner,capacity,lead_days\ndesigner,1,5\ndev,2,\n"))
            .expect("owners");
        assert_eq!(o[0].lead, 10);
        assert_eq!(o[1].capacity, 2);
        assert!(owners_from_table(&table("owner,capacity\nx,0\n"))
            .expect_err("zero")
            .to_string()
            .contains("column 'capacity'"));
        let (h, w) = calendar_from_table(&table(
            "date,kind\n2024-06-10,holiday\n2024-06-15,workday\n",
        ))
        .expect("calendar");
        assert_eq!((h.len(), w.len()), (1, 1));
        assert!(
            calendar_from_table(&table("date,kind\n2024-06-10,vacation\n"))
                .expect_err("kind")
                .to_string()
                .contains("column 'kind'")
        );
        let l = unavailable_from_table(&table("owner,from,to\neditor,2024-06-10,2024-06-10\n"))
            .expect("leave");
        assert_eq!(l[0].from, l[0].to);
        assert!(
            unavailable_from_table(&table("owner,from,to\neditor,2024-06-10,2024-06-09\n"))
                .expect_err("order")
                .to_string()
                .contains("column 'to'")
        );
    }
}
