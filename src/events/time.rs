//! Event timestamps: epoch seconds or ISO-8601 date-times, read into milliseconds
//! since 1970-01-01T00:00:00Z.
//!
//! Accepted forms (the cell is trimmed of spaces first):
//! - epoch seconds: `1719828000`, `-86400`, `1719828000.250` (up to millisecond
//!   precision; further digits are cut off, not rounded);
//! - ISO-8601 (RFC 3339 profile): `2024-07-01T10:00:00Z`, `2024-07-01 10:00:00`,
//!   `2024-07-01T10:00`, `2024-07-01T10:00:00.123+02:00`, `2024-07-01T10:00:00-0500`,
//!   and a bare date `2024-07-01` (midnight). A date-time without an offset is taken
//!   as UTC.
//!
//! The day count uses Howard Hinnant's `days_from_civil` algorithm
//! (<https://howardhinnant.github.io/date_algorithms.html>); tests compare it with
//! chrono's calendar.

/// Milliseconds since the Unix epoch of `cell`, or `None` when the cell is not a
/// time in one of the accepted forms.
pub fn parse_time(cell: &[u8]) -> Option<i64> {
    // Fast path: plain epoch seconds.
    if !cell.is_empty() && cell.len() <= 12 && cell.iter().all(u8::is_ascii_digit) {
        let v = cell.iter().fold(0i64, |v, &b| v * 10 + i64::from(b - b'0'));
        return Some(v * 1000);
    }
    let s = trim(cell);
    if s.is_empty() {
        return None;
    }
    let digits_from = usize::from(s[0] == b'-');
    let looks_epoch = s.len() > digits_from
        && s[digits_from..]
            .iter()
            .all(|&b| b.is_ascii_digit() || b == b'.');
    if looks_epoch {
        parse_epoch(s)
    } else {
        parse_iso(s)
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn parse_epoch(s: &[u8]) -> Option<i64> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[body.len()..]),
    };
    if int_part.is_empty() || int_part.len() > 15 || frac_part.contains(&b'.') {
        return None;
    }
    let secs = digits(int_part)?;
    let mut ms = 0i64;
    for (i, &b) in frac_part.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        if i < 3 {
            ms = ms * 10 + i64::from(b - b'0');
        }
    }
    for _ in frac_part.len()..3 {
        ms *= 10;
    }
    let total = secs * 1000 + ms;
    Some(if neg { -total } else { total })
}

/// The value of an all-digit slice (no sign), `None` when empty or not all digits.
fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let mut v = 0i64;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(v)
}

fn two(s: &[u8], at: usize) -> Option<i64> {
    digits(s.get(at..at + 2)?)
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn parse_iso(s: &[u8]) -> Option<i64> {
    // YYYY-MM-DD
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let y = digits(&s[0..4])?;
    let m = two(s, 5)?;
    let d = two(s, 8)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    let mut ms = days * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') {
        return None;
    }
    let r = &rest[1..];
    // HH:MM[:SS[.fff]]
    if r.len() < 5 || r[2] != b':' {
        return None;
    }
    let hh = two(r, 0)?;
    let mm = two(r, 3)?;
    if hh > 23 || mm > 59 {
        return None;
    }
    let mut i = 5;
    let mut ss = 0;
    let mut frac_ms = 0;
    if r.get(i) == Some(&b':') {
        ss = two(r, i + 1)?;
        if ss > 59 {
            return None;
        }
        i += 3;
        if matches!(r.get(i), Some(b'.') | Some(b',')) {
            i += 1;
            let start = i;
            while i < r.len() && r[i].is_ascii_digit() {
                if i - start < 3 {
                    frac_ms = frac_ms * 10 + i64::from(r[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..3 {
                frac_ms *= 10;
            }
        }
    }
    ms += ((hh * 60 + mm) * 60 + ss) * 1000 + frac_ms;
    let tz = &r[i..];
    let offset_min = match tz {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, om) = match rest.len() {
                2 => (two(rest, 0)?, 0),
                4 => (two(rest, 0)?, two(rest, 2)?),
                5 if rest[2] == b':' => (two(rest, 0)?, two(rest, 3)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 60 + om;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    // Local time = UTC + offset, so UTC = local - offset.
    Some(ms - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    fn chrono_ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s)
            .expect("valid RFC 3339")
            .timestamp_millis()
    }

    #[test]
    fn epoch_seconds() {
        assert_eq!(parse_time(b"1719828000"), Some(1_719_828_000_000));
        assert_eq!(parse_time(b" 1719828000.25 "), Some(1_719_828_000_250));
        assert_eq!(parse_time(b"1.2345"), Some(1_234));
        assert_eq!(parse_time(b"-86400"), Some(-86_400_000));
        assert_eq!(parse_time(b"0"), Some(0));
        for bad in ["", "1.2.3", "-", ".", "12a", "1e9", "9999999999999999"] {
            assert_eq!(parse_time(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn iso_forms_agree_with_chrono() {
        for s in [
            "2024-07-01T10:00:00Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "2000-03-01T00:00:00+05:30",
            "2024-07-01T10:00:00.123-02:00",
            "1900-01-01T00:00:00Z",
            "2400-12-31T12:34:56Z",
        ] {
            assert_eq!(parse_time(s.as_bytes()), Some(chrono_ms(s)), "{s}");
        }
        assert_eq!(
            parse_time(b"2024-07-01 10:00:00"),
            Some(chrono_ms("2024-07-01T10:00:00Z"))
        );
        assert_eq!(
            parse_time(b"2024-07-01T10:00"),
            Some(chrono_ms("2024-07-01T10:00:00Z"))
        );
        assert_eq!(
            parse_time(b"2024-07-01T10:00:00-0500"),
            Some(chrono_ms("2024-07-01T10:00:00-05:00"))
        );
        assert_eq!(
            parse_time(b"2024-07-01T10:00:00+02"),
            Some(chrono_ms("2024-07-01T10:00:00+02:00"))
        );
        assert_eq!(
            parse_time(b"2024-07-01"),
            Some(chrono_ms("2024-07-01T00:00:00Z"))
        );
    }

    #[test]
    fn day_count_matches_chrono_over_centuries() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
        let mut d = NaiveDate::from_ymd_opt(1600, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(2500, 1, 1).expect("date");
        use chrono::Datelike;
        while d < end {
            let ours = days_from_civil(d.year() as i64, d.month() as i64, d.day() as i64);
            assert_eq!(ours, (d - epoch).num_days(), "{d}");
            d += chrono::Duration::days(13);
        }
    }

    #[test]
    fn rejects_impossible_dates_and_garbage() {
        for bad in [
            "2024-13-01T00:00:00Z",
            "2023-02-29",
            "2024-07-32",
            "2024-07-01T24:00:00",
            "2024-07-01T10:60",
            "2024-07-01T10:00:61",
            "2024-07-01X10:00",
            "2024-07-01T10:00:00+25:00",
            "2024-07-01T10:00:00 UTC",
            "2024-07-01T10:00:00.",
            "yesterday",
            "07/01/2024",
        ] {
            assert_eq!(parse_time(bad.as_bytes()), None, "{bad}");
        }
    }
}
