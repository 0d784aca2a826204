//! The working-day calendar: a weekly pattern of weekend days, holidays that close a
//! working day, and make-up workdays that open a weekend day (Chinese public holidays move
//! weekend days this way: 2024-02-04, a Sunday, was a working day).
//!
//! Time inside the scheduler runs on a working-time axis in half days ("slots"): slot 0 is
//! the morning of the plan's first working day, slot 1 its afternoon, slot 2 the morning of
//! the next working day, and so on. Weekends and holidays do not exist on that axis, so a
//! two-day task that starts on a Friday occupies Friday and Monday. Intervals are half open:
//! a task that starts at slot `s` and lasts `d` slots occupies `[s, s + d)`, and its finish
//! *date* as planners write it is the day of slot `s + d - 1` (inclusive).

use super::error::SopError;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// A position on the working-time axis, in half days from the plan's first working day.
pub type Slot = i64;

/// How far the calendar reaches on each side of the start, in calendar days.
const FORWARD_DAYS: i64 = 3660;
const BACKWARD_DAYS: i64 = 740;

/// Weekly pattern plus dated overrides, anchored at the plan's start.
#[derive(Debug, Clone)]
pub struct Calendar {
    start: NaiveDate,
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    /// Working days on or after `start`, in order: `forward[i]` is working day `i`.
    forward: Vec<NaiveDate>,
    /// Working days before `start`, nearest first: `backward[i]` is working day `-(i+1)`.
    backward: Vec<NaiveDate>,
}

/// Reads a weekday name (`sat`, `Saturday`, `SUN`...).
pub fn parse_weekday(name: &str) -> Option<Weekday> {
    let n = name.trim().to_ascii_lowercase();
    let w = match n.get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    };
    let full = w.to_string().to_ascii_lowercase();
    let long = match w {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    };
    (n == full || n == long).then_some(w)
}

impl Calendar {
    /// A calendar starting at `start` with the given weekend days, holidays (closed days)
    /// and workdays (open days that the weekly pattern would close). A date listed as both
    /// a holiday and a workday is an error; so is a pattern with no working day at all.
    pub fn new(
        start: NaiveDate,
        weekend: &[Weekday],
        holidays: &[NaiveDate],
        workdays: &[NaiveDate],
    ) -> Result<Calendar, SopError> {
        let mut wk = [false; 7];
        for w in weekend {
            wk[w.num_days_from_monday() as usize] = true;
        }
        let holidays: BTreeSet<NaiveDate> = holidays.iter().copied().collect();
        let workdays: BTreeSet<NaiveDate> = workdays.iter().copied().collect();
        if let Some(d) = holidays.intersection(&workdays).next() {
            return Err(SopError::Calendar(format!(
                "{d} is listed both as a holiday and as a workday"
            )));
        }
        let mut cal = Calendar {
            start,
            weekend: wk,
            holidays,
            workdays,
            forward: Vec::new(),
            backward: Vec::new(),
        };
        for i in 0..FORWARD_DAYS {
            let d = start + Duration::days(i);
            if cal.is_working(d) {
                cal.forward.push(d);
            }
        }
        for i in 1..=BACKWARD_DAYS {
            let d = start - Duration::days(i);
            if cal.is_working(d) {
                cal.backward.push(d);
            }
        }
        if cal.forward.is_empty() {
            return Err(SopError::Calendar(format!(
                "no working day in the ten years from {start}: the weekend option covers every weekday and no workday is listed"
            )));
        }
        Ok(cal)
    }

    /// The calendar's anchor date as given (working day 0 is the first working day on or
    /// after it).
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// True when people work on `date`: a listed workday always; a holiday never;
    /// otherwise every day that is not a weekend day.
    pub fn is_working(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        if self.holidays.contains(&date) {
            return false;
        }
        !self.weekend[date.weekday().num_days_from_monday() as usize]
    }

    /// True when `date` is closed by the weekly pattern (before overrides).
    pub fn is_weekend(&self, date: NaiveDate) -> bool {
        self.weekend[date.weekday().num_days_from_monday() as usize]
    }

    /// True when `date` is a listed holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    fn out_of_range(&self, what: &str) -> SopError {
        SopError::Calendar(format!(
            "{what} is outside the calendar's reach (two years before to ten years after the start {})",
            self.start
        ))
    }

    /// The date of working day `index` (0 = first working day on or after the start;
    /// negative = before the start).
    pub fn date_of(&self, index: i64) -> Result<NaiveDate, SopError> {
        let got = if index >= 0 {
            self.forward.get(index as usize)
        } else {
            self.backward.get((-index - 1) as usize)
        };
        got.copied()
            .ok_or_else(|| self.out_of_range(&format!("working day {index}")))
    }

    /// The index of the first working day on or after `date`.
    pub fn index_on_or_after(&self, date: NaiveDate) -> Result<i64, SopError> {
        if date >= self.start {
            let i = self.forward.partition_point(|&d| d < date);
            if i >= self.forward.len() {
                return Err(self.out_of_range(&date.to_string()));
            }
            Ok(i as i64)
        } else {
            // backward is in decreasing date order: count the working days in [date, start).
            let n = self.backward.partition_point(|&d| d >= date);
            if n == self.backward.len() && self.start - date > Duration::days(BACKWARD_DAYS) {
                return Err(self.out_of_range(&date.to_string()));
            }
            Ok(-(n as i64))
        }
    }

    /// The index of the last working day on or before `date`.
    pub fn index_on_or_before(&self, date: NaiveDate) -> Result<i64, SopError> {
        let i = self.index_on_or_after(date)?;
        if self.date_of(i).is_ok_and(|d| d == date) {
            Ok(i)
        } else {
            Ok(i - 1)
        }
    }

    /// Working days in the inclusive range `[from, to]` (0 when `to < from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, SopError> {
        if to < from {
            return Ok(0);
        }
        Ok(self.index_on_or_before(to)? - self.index_on_or_after(from)? + 1)
    }

    /// The first slot of a date: the morning of the first working day on or after it.
    pub fn slot_on_or_after(&self, date: NaiveDate) -> Result<Slot, SopError> {
        Ok(self.index_on_or_after(date)? * 2)
    }

    /// The slot just past a date: the end of the last working day on or before it (the
    /// exclusive end used for deadlines and inclusive `to` dates).
    pub fn slot_end_of(&self, date: NaiveDate) -> Result<Slot, SopError> {
        Ok((self.index_on_or_before(date)? + 1) * 2)
    }

    /// The date that slot `s` falls on.
    pub fn date_of_slot(&self, s: Slot) -> Result<NaiveDate, SopError> {
        self.date_of(s.div_euclid(2))
    }

    /// The dates planners write for the interval `[start, finish)`: the day of its first
    /// half day and the day of its last (inclusive). A zero-length interval (a milestone)
    /// starts and finishes on the day of `start`.
    pub fn dates_of(&self, start: Slot, finish: Slot) -> Result<(NaiveDate, NaiveDate), SopError> {
        let last = if finish > start { finish - 1 } else { start };
        Ok((self.date_of_slot(start)?, self.date_of_slot(last)?))
    }

    /// The date `days` working days after (or before, when negative) working day `from`'s
    /// date, counting only working days.
    pub fn add_working_days(&self, from: NaiveDate, days: i64) -> Result<NaiveDate, SopError> {
        let i = self.index_on_or_after(from)?;
        self.date_of(i + days)
    }
}

/// Formats half-day slots as working days (`5`, `2.5`).
pub fn days_text(slots: Slot) -> String {
    if slots % 2 == 0 {
        format!("{}", slots / 2)
    } else {
        format!("{:.1}", slots as f64 / 2.0)
    }
}

/// Formats half-day slots as a phrase: `1 working day`, `2.5 working days`.
pub fn working_days(slots: Slot) -> String {
    if slots == 2 {
        "1 working day".to_string()
    } else {
        format!("{} working days", days_text(slots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::units::parse_date(s).expect("date")
    }

    fn cal(start: &str) -> Calendar {
        Calendar::new(d(start), &[Weekday::Sat, Weekday::Sun], &[], &[]).expect("calendar")
    }

    #[test]
    fn weekends_are_skipped() {
        // 2024-06-03 is a Monday.
        let c = cal("2024-06-03");
        assert_eq!(c.date_of(0).expect("d"), d("2024-06-03"));
        assert_eq!(c.date_of(4).expect("d"), d("2024-06-07")); // Friday
        assert_eq!(c.date_of(5).expect("d"), d("2024-06-10")); // next Monday
        assert_eq!(c.index_on_or_after(d("2024-06-08")).expect("i"), 5); // Sat -> Mon
        assert_eq!(c.index_on_or_before(d("2024-06-09")).expect("i"), 4); // Sun -> Fri
        assert_eq!(
            c.working_days_between(d("2024-06-03"), d("2024-06-16"))
                .expect("n"),
            10
        );
    }

    #[test]
    fn a_start_on_a_weekend_begins_on_monday() {
        let c = cal("2024-06-01"); // Saturday
        assert_eq!(c.date_of(0).expect("d"), d("2024-06-03"));
        assert_eq!(c.index_on_or_before(d("2024-06-02")).expect("i"), -1);
        assert_eq!(c.date_of(-1).expect("d"), d("2024-05-31"));
    }

    #[test]
    fn holidays_and_make_up_workdays() {
        // Dragon Boat Festival 2024: Monday 2024-06-10 was a public holiday.
        // Spring Festival 2024: Sunday 2024-02-04 and Sunday 2024-02-18 were make-up workdays.
        let c = Calendar::new(
            d("2024-02-01"),
            &[Weekday::Sat, Weekday::Sun],
            &[d("2024-02-12"), d("2024-02-13")],
            &[d("2024-02-04"), d("2024-02-18")],
        )
        .expect("calendar");
        assert!(c.is_working(d("2024-02-04")));
        assert!(!c.is_working(d("2024-02-12")));
        // Thu 1, Fri 2, Sun 4 (make-up), Mon 5 ...
        assert_eq!(c.date_of(2).expect("d"), d("2024-02-04"));
        assert_eq!(c.date_of(3).expect("d"), d("2024-02-05"));
        // Week of the 12th: Mon/Tue closed, Wed 14 open.
        assert_eq!(
            c.index_on_or_after(d("2024-02-12")).expect("i"),
            c.index_on_or_after(d("2024-02-14")).expect("i")
        );
        // Feb 1..18 inclusive: 1,2,4,5,6,7,8,9,14,15,16,18 = 12 working days.
        assert_eq!(
            c.working_days_between(d("2024-02-01"), d("2024-02-18"))
                .expect("n"),
            12
        );
        assert!(
            Calendar::new(d("2024-02-01"), &[], &[d("2024-02-04")], &[d("2024-02-04")]).is_err()
        );
    }

    #[test]
    fn half_days_and_inclusive_finish_dates() {
        let c = cal("2024-06-03");
        // A 2-day task at slot 0 occupies [0, 4): Monday and Tuesday; finish offset 2 days.
        assert_eq!(
            c.dates_of(0, 4).expect("dates"),
            (d("2024-06-03"), d("2024-06-04"))
        );
        // Half a day on Monday afternoon: [1, 2).
        assert_eq!(
            c.dates_of(1, 2).expect("dates"),
            (d("2024-06-03"), d("2024-06-03"))
        );
        // 1.5 days from Monday afternoon: [1, 4) ends Tuesday evening.
        assert_eq!(
            c.dates_of(1, 4).expect("dates"),
            (d("2024-06-03"), d("2024-06-04"))
        );
        // 2 days from Friday: Friday and Monday.
        assert_eq!(
            c.dates_of(8, 12).expect("dates"),
            (d("2024-06-07"), d("2024-06-10"))
        );
        // A milestone at slot 10 is on Monday 10th.
        assert_eq!(
            c.dates_of(10, 10).expect("dates"),
            (d("2024-06-10"), d("2024-06-10"))
        );
        // A deadline on Sunday the 9th ends Friday the 7th: slot 10 exclusive.
        assert_eq!(c.slot_end_of(d("2024-06-09")).expect("s"), 10);
        assert_eq!(c.slot_on_or_after(d("2024-06-09")).expect("s"), 10);
        assert_eq!(days_text(5), "2.5");
        assert_eq!(days_text(4), "2");
    }

    #[test]
    fn configurable_weekend_and_working_day_arithmetic() {
        // A Friday-Saturday weekend.
        let c = Calendar::new(d("2024-06-06"), &[Weekday::Fri, Weekday::Sat], &[], &[])
            .expect("calendar");
        assert_eq!(c.date_of(1).expect("d"), d("2024-06-09")); // Thu -> Sun
        assert_eq!(
            c.add_working_days(d("2024-06-06"), 5).expect("d"),
            d("2024-06-13")
        );
        assert_eq!(
            c.add_working_days(d("2024-06-13"), -5).expect("d"),
            d("2024-06-06")
        );
        assert!(Calendar::new(
            d("2024-06-06"),
            &[
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun
            ],
            &[],
            &[]
        )
        .is_err());
        assert_eq!(parse_weekday("Saturday"), Some(Weekday::Sat));
        assert_eq!(parse_weekday("sa"), None);
        assert_eq!(parse_weekday("satx"), None);
    }
}
