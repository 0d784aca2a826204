//! Reading one cell's text as a typed value: the rules of type inference.
//!
//! - **int**: an optional sign and ASCII digits that fit in a signed 64-bit integer,
//!   without a leading zero (`0` itself is fine; `007` and `0012` are identifiers and
//!   stay text; `12345678901234567890123` does not fit and stays text).
//! - **float**: a decimal (`1.5`, `-0.25`, `.5`, `5.`), optionally with an exponent
//!   (`1e-7`, `2.5E+3`), read as the nearest double; `NaN`, `inf` and `-inf` exactly so
//!   spelled; a percentage `12.5%` is read as the fraction 0.125 (nearest double to
//!   the exact decimal). The integer part has no leading zero (`007.5` stays text).
//!   With `thousands`, commas between groups of three digits are accepted (`1,234.5`).
//! - **bool**: `true` / `false`, any case.
//! - **date**: `YYYY-MM-DD`, a real calendar date.
//! - **datetime**: `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, with `T` allowed for the space and
//!   a trailing `Z` (UTC) accepted; no other time zone offsets.
//!
//! Numbers and dates may be surrounded by spaces; text is kept exactly as written.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// `t.trim()`, without the scan when `t` starts and ends with ASCII non-whitespace (a
/// byte of a multi-byte character, which may be Unicode whitespace, takes the scan).
#[inline]
pub fn trim_cell(t: &[u8]) -> &[u8] {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    if solid(t.first()) && solid(t.last()) {
        t
    } else {
        match std::str::from_utf8(t) {
            Ok(s) => s.trim().as_bytes(),
            Err(_) => t.trim_ascii(),
        }
    }
}

/// An integer as the rules above define it (already trimmed).
#[inline]
pub fn parse_int(b: &[u8]) -> Option<i64> {
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || (digits[0] == b'0' && digits.len() > 1) {
        return None;
    }
    let mut magnitude: u64 = 0;
    if digits.len() <= 19 {
        // At most 19 digits: below 10^19 < 2^64, no overflow check needed.
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            magnitude = magnitude * 10 + u64::from(d);
        }
    } else {
        return None;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Exact powers of ten as `f64` (10^22 is the largest exact one).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common case in one pass: `[+-]digits[.digits]` whose digits, read as an integer
/// `m`, stay below 2^53, with at most 22 decimals `k`. Then `m` and `10^k` are exact
/// doubles and IEEE division rounds `m / 10^k` correctly, so the result is the one
/// `str::parse` gives (Clinger's fast path, the first step of the standard library's
/// own algorithm). `None` for anything else (the caller falls back to the full rules).
#[inline]
fn parse_decimal_fast(b: &[u8]) -> Option<f64> {
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if rest.len() > 16 || rest.is_empty() {
        return None;
    }
    let mut m: u64 = 0;
    let mut int_len = 0usize;
    let mut frac_len = 0usize;
    let mut point = false;
    for &c in rest {
        let d = c.wrapping_sub(b'0');
        if d <= 9 {
            m = m * 10 + u64::from(d);
            if point {
                frac_len += 1;
            } else {
                int_len += 1;
            }
        } else if c == b'.' && !point {
            point = true;
        } else {
            return None;
        }
    }
    if int_len == 0 || (point && frac_len == 0) || int_len + frac_len > 15 {
        return None;
    }
    if int_len > 1 && rest[0] == b'0' {
        return None;
    }
    let v = m as f64 / POW10.get(frac_len)?;
    Some(if negative { -v } else { v })
}

/// True when `b` is a decimal number as the rules define it: sign, digits with no
/// leading zero, optional fraction, optional exponent; at least one digit.
fn is_decimal_syntax(b: &[u8]) -> bool {
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_len = i - int_start;
    if int_len > 1 && b[int_start] == b'0' {
        return false;
    }
    let mut frac_len = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_len = i - s;
    }
    if int_len + frac_len == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

/// A float as the rules above define it (already trimmed; percentages included).
#[inline]
pub fn parse_float(b: &[u8], thousands: bool) -> Option<f64> {
    if let Some(v) = parse_decimal_fast(b) {
        return Some(v);
    }
    parse_float_slow(b, thousands)
}

fn parse_float_slow(b: &[u8], thousands: bool) -> Option<f64> {
    match b {
        b"NaN" => return Some(f64::NAN),
        b"inf" | b"+inf" => return Some(f64::INFINITY),
        b"-inf" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let s = std::str::from_utf8(b).ok()?;
    if let Some(body) = s.strip_suffix('%') {
        let body = body.trim_end();
        let body = ungroup(body, thousands)?;
        if !is_decimal_syntax(body.as_bytes()) {
            return None;
        }
        // Shift the decimal point by two places in the text, so the result is the
        // double nearest to the exact fraction (not the rounded percent divided).
        if body.contains(['e', 'E']) {
            return body.parse::<f64>().ok().map(|x| x / 100.0);
        }
        return format!("{body}e-2").parse::<f64>().ok();
    }
    let body = ungroup(s, thousands)?;
    if !is_decimal_syntax(body.as_bytes()) {
        return None;
    }
    body.parse::<f64>().ok()
}

/// `s` without its thousands separators when `thousands` is on and the commas sit
/// between groups of three digits (`1,234,567.5`); `s` itself when it has no comma;
/// `None` for commas anywhere else.
fn ungroup(s: &str, thousands: bool) -> Option<std::borrow::Cow<'_, str>> {
    if !s.contains(',') {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    if !thousands {
        return None;
    }
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-' | b'+') => s.split_at(1),
        _ => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(p) => rest.split_at(p),
        None => (rest, ""),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|c| c.is_ascii_digit()));
    ok.then(|| std::borrow::Cow::Owned(format!("{sign}{}{frac}", groups.concat())))
}

/// True when the text looks like a number written with thousands separators.
pub fn looks_grouped(b: &[u8]) -> bool {
    b.contains(&b',') && parse_float(b, true).is_some()
}

/// `true` / `false` in any case.
#[inline]
pub fn parse_bool(b: &[u8]) -> Option<bool> {
    if b.eq_ignore_ascii_case(b"true") {
        Some(true)
    } else if b.eq_ignore_ascii_case(b"false") {
        Some(false)
    } else {
        None
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD`, a date that exists.
#[inline]
pub fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// `YYYY-MM-DD HH:MM[:SS[.f...]]` (`T` for the space, trailing `Z` allowed), to the
/// microsecond (more digits of fraction are an error, never a silent rounding).
pub fn parse_datetime(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 16 || !(b[10] == b' ' || b[10] == b'T') {
        return None;
    }
    let date = parse_date(&b[..10])?;
    let rest = b[11..].strip_suffix(b"Z").unwrap_or(&b[11..]);
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let h = digits(&rest[0..2])?;
    let mi = digits(&rest[3..5])?;
    let (s, micro) = if rest.len() == 5 {
        (0, 0)
    } else {
        if rest[5] != b':' || rest.len() < 8 {
            return None;
        }
        let s = digits(&rest[6..8])?;
        let micro = match &rest[8..] {
            [] => 0,
            [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 6 => {
                digits(frac)? * 10u32.pow(6 - frac.len() as u32)
            }
            _ => return None,
        };
        (s, micro)
    };
    let time = NaiveTime::from_hms_micro_opt(h, mi, s, micro)?;
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_keep_identifiers_as_text() {
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(parse_int(b"-12"), Some(-12));
        assert_eq!(parse_int(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int(b"9223372036854775808"), None);
        assert_eq!(parse_int(b"12345678901234567890123"), None);
        assert_eq!(parse_int(b"007"), None);
        assert_eq!(parse_int(b"0012"), None);
        assert_eq!(parse_int(b"1.0"), None);
        assert_eq!(parse_int(b""), None);
    }

    #[test]
    fn floats_are_the_nearest_double() {
        for s in [
            "0.1",
            "-2.5",
            "0.30000000000000004",
            "1.7976931348623157e308",
            "5e-324",
            "123456789.123456789",
            "1e22",
            ".5",
            "5.",
            "2.5E+3",
        ] {
            assert_eq!(
                parse_float(s.as_bytes(), false),
                s.parse::<f64>().ok(),
                "{s}"
            );
        }
        assert_eq!(parse_float(b"12.5%", false), Some(0.125));
        assert_eq!(parse_float(b"12.34%", false), "0.1234".parse::<f64>().ok());
        assert_eq!(parse_float(b"15%", false), Some(0.15));
        assert!(parse_float(b"NaN", false).is_some_and(f64::is_nan));
        assert_eq!(parse_float(b"-inf", false), Some(f64::NEG_INFINITY));
        for bad in [
            "nan", "infinity", "007.5", "1,234", "e5", "1e", "--1", "1.2.3", "",
        ] {
            assert_eq!(parse_float(bad.as_bytes(), false), None, "{bad}");
        }
        assert_eq!(parse_float(b"1,234.5", true), Some(1234.5));
        assert_eq!(parse_float(b"-1,234,567", true), Some(-1234567.0));
        assert_eq!(parse_float(b"12,34", true), None);
        assert!(looks_grouped(b"1,200"));
    }

    #[test]
    fn dates_and_datetimes() {
        assert_eq!(
            parse_date(b"2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_date(b"2023-02-29"), None);
        let t = parse_datetime(b"2024-07-01T08:30:05.25Z");
        assert_eq!(
            t,
            NaiveDate::from_ymd_opt(2024, 7, 1)
                .and_then(|d| d.and_hms_micro_opt(8, 30, 5, 250_000))
        );
        assert!(parse_datetime(b"2024-07-01 08:30").is_some());
        assert!(parse_datetime(b"2024-07-01 08:30:00.1234567").is_none());
        assert!(parse_datetime(b"2024-07-01 08:30:00+08:00").is_none());
        assert_eq!(parse_bool(b"TRUE"), Some(true));
    }
}
