//! The conversion window: how long after a user's first step their last step may come.

use super::error::EventsError;
use std::fmt;

/// A non-negative duration, kept in milliseconds, with the text it was written as.
///
/// Written as a number and a unit: `s` (seconds), `m` (minutes), `h` (hours), `d`
/// (days, 86,400 s: calendar days with daylight-saving shifts are not modelled) or `w`
/// (weeks); `1.5h` is allowed. The funnel counts a chain when `tk - t1 <= window`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    millis: i64,
    text: String,
}

/// The longest window accepted: 100 years.
const MAX_MS: f64 = 100.0 * 366.0 * 86_400_000.0;

impl Window {
    /// Parses `7d`, `36h`, `90m`, `3600s`, `2w`, `1.5h`. Errors name the option and
    /// the accepted forms.
    pub fn parse(text: &str) -> Result<Window, EventsError> {
        let t = text.trim();
        let bad = || EventsError::BadWindow {
            text: text.to_string(),
        };
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (number, unit) = t.split_at(split);
        let value: f64 = number.parse().map_err(|_| bad())?;
        let unit_ms = match unit.trim() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
            "h" | "hour" | "hours" => 3_600_000.0,
            "d" | "day" | "days" => 86_400_000.0,
            "w" | "week" | "weeks" => 7.0 * 86_400_000.0,
            _ => return Err(bad()),
        };
        Window::from_millis(value * unit_ms, t)
    }

    /// A window of `seconds` seconds (scripts may pass a number).
    pub fn from_seconds(seconds: f64) -> Result<Window, EventsError> {
        Window::from_millis(seconds * 1000.0, &format!("{seconds}s"))
    }

    fn from_millis(ms: f64, text: &str) -> Result<Window, EventsError> {
        if !ms.is_finite() || !(0.0..=MAX_MS).contains(&ms) {
            return Err(EventsError::Invalid(format!(
                "funnel_events: option 'window' must be between 0 and 100 years, got {}",
                crate::table::quote_text(text)
            )));
        }
        Ok(Window {
            millis: ms.round() as i64,
            text: text.to_string(),
        })
    }

    /// The window in milliseconds.
    pub fn millis(&self) -> i64 {
        self.millis
    }

    /// The window as written (`7d`).
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} s)", self.text, self.millis as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(Window::parse("7d").map(|w| w.millis()), Ok(604_800_000));
        assert_eq!(Window::parse("36h").map(|w| w.millis()), Ok(129_600_000));
        assert_eq!(Window::parse("90m").map(|w| w.millis()), Ok(5_400_000));
        assert_eq!(Window::parse("3600s").map(|w| w.millis()), Ok(3_600_000));
        assert_eq!(Window::parse("2w").map(|w| w.millis()), Ok(1_209_600_000));
        assert_eq!(Window::parse("1.5h").map(|w| w.millis()), Ok(5_400_000));
        assert_eq!(Window::parse(" 0s ").map(|w| w.millis()), Ok(0));
        assert_eq!(Window::from_seconds(60.0).map(|w| w.millis()), Ok(60_000));
    }

    #[test]
    fn bad_windows_say_what_is_accepted() {
        for bad in ["7x", "7", "d", "", "-1d", "7 days ago", "1..2h"] {
            let e = Window::parse(bad).expect_err(bad).to_string();
            assert!(e.contains("option 'window'"), "{bad}: {e}");
        }
        let e = Window::parse("7x").expect_err("7x").to_string();
        assert!(e.contains("\"7x\"") && e.contains("like \"7d\""), "{e}");
        assert!(Window::parse("200w").is_ok());
        assert!(Window::parse("99999w").is_err());
        assert!(Window::from_seconds(-1.0).is_err());
    }
}
