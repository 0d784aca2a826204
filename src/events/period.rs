//! Calendar periods in UTC for trends, retention and lifecycle: days, ISO weeks
//! (starting Monday) and calendar months, numbered so that consecutive periods have
//! consecutive numbers.

use super::error::EventsError;
use super::time::days_from_civil;

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// UTC calendar days.
    Day,
    /// Weeks from Monday 00:00 UTC to the next Monday (ISO weeks).
    Week,
    /// UTC calendar months.
    Month,
}

const DAY_MS: i64 = 86_400_000;

impl Interval {
    /// Reads `"day"`, `"week"` or `"month"`; `option` names the option in errors.
    pub fn parse(text: &str, option: &str) -> Result<Interval, EventsError> {
        match text {
            "day" => Ok(Interval::Day),
            "week" => Ok(Interval::Week),
            "month" => Ok(Interval::Month),
            other => Err(EventsError::Invalid(format!(
                "{option} must be \"day\", \"week\" or \"month\", got {}",
                crate::table::quote_text(other)
            ))),
        }
    }

    /// The word (`"day"`).
    pub fn name(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }

    /// The number of the period holding the instant `t_ms` (ms since the epoch):
    /// days since 1970-01-01, weeks since Monday 1969-12-29, or `12 x year + month
    /// - 1`.
    pub fn index(self, t_ms: i64) -> i64 {
        let day = t_ms.div_euclid(DAY_MS);
        match self {
            Interval::Day => day,
            // 1970-01-01 was a Thursday: day 3 after Monday 1969-12-29.
            Interval::Week => (day + 3).div_euclid(7),
            Interval::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + m - 1
            }
        }
    }

    /// The first day of period `index` as `YYYY-MM-DD`.
    pub fn start_text(self, index: i64) -> String {
        let (y, m, d) = civil_from_days(self.start_day(index));
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The first day of period `index`, in days since 1970-01-01.
    pub fn start_day(self, index: i64) -> i64 {
        match self {
            Interval::Day => index,
            Interval::Week => index * 7 - 3,
            Interval::Month => days_from_civil(index.div_euclid(12), index.rem_euclid(12) + 1, 1),
        }
    }
}

/// The proleptic Gregorian date of day `z` since 1970-01-01 (Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for z in -800_000..800_000i64 {
            if z % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    #[test]
    fn periods() {
        let t = |s: &str| super::super::time::parse_time(s.as_bytes()).expect("time");
        let w = Interval::Week;
        // 2024-07-01 is a Monday.
        assert_eq!(
            w.start_text(w.index(t("2024-07-07T23:59:59Z"))),
            "2024-07-01"
        );
        assert_eq!(
            w.start_text(w.index(t("2024-07-08T00:00:00Z"))),
            "2024-07-08"
        );
        assert_eq!(
            w.index(t("2024-07-08T00:00:00Z")) - w.index(t("2024-07-01T00:00:00Z")),
            1
        );
        let m = Interval::Month;
        assert_eq!(
            m.start_text(m.index(t("2024-02-29T12:00:00Z"))),
            "2024-02-01"
        );
        assert_eq!(
            m.index(t("2025-01-01T00:00:00Z")) - m.index(t("2024-12-31T23:59:59Z")),
            1
        );
        let d = Interval::Day;
        assert_eq!(d.start_text(d.index(-1)), "1969-12-31");
        assert!(Interval::parse("hour", "retention: option 'interval'").is_err());
    }
}
