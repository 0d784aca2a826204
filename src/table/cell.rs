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
//! - **Chinese magnitudes**: `500万` (ten thousands) and `1.2亿` (hundred millions) are
//!   the decimal scaled exactly, in the text (`1.2亿` is 120000000, never
//!   119999999.99...): an **int** when the scaled value is whole and fits 64 bits, else a
//!   float (the double nearest to the exact value).
//! - **bool**: `true` / `false`, any case, and `是` / `否`.
//! - **date**: `YYYY-MM-DD`, a real calendar date; also year-first forms with one- or
//!   two-digit month and day: `2024.8.10`, `2024/8/10`, `2024-8-10` (one separator used
//!   twice) and `2024年8月10日`. A date whose year is not first (`10/08/2024`) is never
//!   guessed: it needs an explicit format ([`Rules::date_format`]).
//! - **datetime**: `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, with `T` allowed for the space and
//!   a trailing `Z` (UTC) accepted; no other time zone offsets. The date part may be any
//!   of the year-first forms above (`2024/8/10 14:30`).
//!
//! Numbers and dates may be surrounded by spaces; text is kept exactly as written.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The reader's options that change what a cell means.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Accept commas between groups of three digits (`1,234.5`).
    pub thousands: bool,
    /// A `strftime` format (`%d/%m/%Y`) for dates (and date-times when it has a time)
    /// written in an order the built-in forms do not guess; the built-in forms still hold.
    pub date_format: Option<String>,
}

impl Rules {
    /// Checks a date format: it must parse as a `strftime` format and name a day, a
    /// month and a year.
    pub fn check_date_format(f: &str) -> Result<(), String> {
        use chrono::format::{Item, StrftimeItems};
        if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
            return Err(format!("{f:?} is not a strftime format"));
        }
        let has = |specs: &[&str]| specs.iter().any(|s| f.contains(s));
        if !(has(&["%d", "%e"]) && has(&["%m", "%b", "%B"]) && has(&["%Y", "%y"])) {
            return Err(format!(
                "{f:?} must name a day (%d), a month (%m) and a year (%Y), like \"%d/%m/%Y\""
            ));
        }
        Ok(())
    }

    /// True when the date format has a time of day.
    fn format_has_time(f: &str) -> bool {
        ["%H", "%I", "%M", "%S", "%T", "%R"]
            .iter()
            .any(|s| f.contains(s))
    }

    /// A float by [`parse_float`] with these rules' thousands separators.
    #[inline]
    pub fn float(&self, b: &[u8]) -> Option<f64> {
        parse_float(b, self.thousands)
    }

    /// A date: a built-in form, else the date format (when it has no time).
    #[inline]
    pub fn date(&self, b: &[u8]) -> Option<NaiveDate> {
        parse_date(b).or_else(|| self.by_format_date(b))
    }

    #[cold]
    fn by_format_date(&self, b: &[u8]) -> Option<NaiveDate> {
        let f = self.date_format.as_deref()?;
        if Self::format_has_time(f) {
            return None;
        }
        NaiveDate::parse_from_str(std::str::from_utf8(b).ok()?, f).ok()
    }

    /// A date-time: a built-in form, or the date format (when it has a time).
    pub fn datetime(&self, b: &[u8]) -> Option<NaiveDateTime> {
        parse_datetime(b).or_else(|| {
            let f = self.date_format.as_deref()?;
            if !Self::format_has_time(f) {
                return None;
            }
            NaiveDateTime::parse_from_str(std::str::from_utf8(b).ok()?, f).ok()
        })
    }
}

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
        return not_plain_int(b);
    }
    let mut magnitude: u64 = 0;
    if digits.len() <= 19 {
        // At most 19 digits: below 10^19 < 2^64, no overflow check needed.
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return not_plain_int(b);
            }
            magnitude = magnitude * 10 + u64::from(d);
        }
    } else {
        return not_plain_int(b);
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Not a plain integer: a Chinese magnitude (which ends in a multi-byte character) may
/// still be a whole number.
#[inline]
fn not_plain_int(b: &[u8]) -> Option<i64> {
    if b.last().is_some_and(|&l| l >= 0x80) {
        parse_scaled_int(b)
    } else {
        None
    }
}

/// The Chinese magnitude suffixes: `万` = 10^4 and `亿` = 10^8.
const MAGNITUDES: [(&str, u32); 2] = [("万", 4), ("亿", 8)];

/// `s` split into its number and the power of ten of its Chinese magnitude suffix.
fn magnitude(s: &str) -> Option<(&str, u32)> {
    MAGNITUDES
        .iter()
        .find_map(|&(suffix, p)| s.strip_suffix(suffix).map(|body| (body.trim_end(), p)))
}

/// `500万`, `-1.2亿` as an exact integer: the decimal's digits scaled by the suffix's
/// power of ten in integer arithmetic; `None` when the result is not whole or does not
/// fit 64 bits (it is then a float).
#[cold]
fn parse_scaled_int(b: &[u8]) -> Option<i64> {
    let (body, p) = magnitude(std::str::from_utf8(b).ok()?)?;
    let bytes = body.as_bytes();
    if !is_decimal_syntax(bytes) || body.contains(['e', 'E']) {
        return None;
    }
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let frac = frac.trim_end_matches('0');
    if frac.len() > p as usize {
        return None;
    }
    let mut m: i128 = 0;
    for c in int.bytes().chain(frac.bytes()) {
        m = m.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
        if m > i128::from(u64::MAX) {
            return None;
        }
    }
    let m = m * 10i128.pow(p - frac.len() as u32);
    i64::try_from(if negative { -m } else { m }).ok()
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
    if let Some((body, p)) = magnitude(s) {
        let body = ungroup(body, thousands)?;
        if !is_decimal_syntax(body.as_bytes()) || body.contains(['e', 'E']) {
            return None;
        }
        // Scaled in the text, so the result is the double nearest to the exact value.
        return format!("{body}e{p}").parse::<f64>().ok();
    }
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

/// `true` / `false` in any case, `是` (yes) / `否` (no).
#[inline]
pub fn parse_bool(b: &[u8]) -> Option<bool> {
    if b.eq_ignore_ascii_case(b"true") || b == "是".as_bytes() {
        Some(true)
    } else if b.eq_ignore_ascii_case(b"false") || b == "否".as_bytes() {
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

/// `YYYY-MM-DD`, a date that exists; else one of the other year-first forms
/// ([`parse_date_loose`]).
#[inline]
pub fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return parse_date_loose(b);
    }
    let y = digits(&b[0..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// The year-first dates other than `YYYY-MM-DD`: a four-digit year, then a month and a
/// day of one or two digits, separated by the same `.`, `/` or `-` twice (`2024.8.10`,
/// `2024/8/10`, `2024-8-1`), or written `2024年8月10日`. Only year-first forms: with the
/// year first the order of month and day is never in doubt (China's GB/T 7408 and
/// ISO 8601 both put the month before the day).
#[cold]
fn parse_date_loose(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 8 || b.len() > 17 {
        return None;
    }
    let y = digits(b.get(..4)?)?;
    let rest = &b[4..];
    let (m, d) = if let Some(rest) = rest.strip_prefix("年".as_bytes()) {
        let s = std::str::from_utf8(rest).ok()?;
        let (m, d) = s.strip_suffix('日')?.split_once('月')?;
        (short_number(m.as_bytes())?, short_number(d.as_bytes())?)
    } else {
        let sep = *rest.first()?;
        if !matches!(sep, b'.' | b'/' | b'-') {
            return None;
        }
        let rest = &rest[1..];
        let cut = rest.iter().position(|&c| c == sep)?;
        (short_number(&rest[..cut])?, short_number(&rest[cut + 1..])?)
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// One or two ASCII digits.
fn short_number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 2 {
        return None;
    }
    digits(b)
}

/// `YYYY-MM-DD HH:MM[:SS[.f...]]` (`T` for the space, trailing `Z` allowed), to the
/// microsecond (more digits of fraction are an error, never a silent rounding).
pub fn parse_datetime(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 16 || !(b[10] == b' ' || b[10] == b'T') {
        return parse_datetime_loose(b);
    }
    let date = parse_date(&b[..10])?;
    time_of_day(date, &b[11..])
}

/// A date-time whose date is one of the other year-first forms (`2024/8/10 14:30`).
#[cold]
fn parse_datetime_loose(b: &[u8]) -> Option<NaiveDateTime> {
    let cut = b.iter().position(|&c| c == b' ' || c == b'T')?;
    let date = parse_date_loose(&b[..cut])?;
    time_of_day(date, b[cut + 1..].trim_ascii_start())
}

/// `date` at the time `HH:MM[:SS[.f...]][Z]`.
fn time_of_day(date: NaiveDate, b: &[u8]) -> Option<NaiveDateTime> {
    let rest = b.strip_suffix(b"Z").unwrap_or(b);
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

    #[test]
    fn chinese_magnitudes_are_scaled_exactly() {
        assert_eq!(parse_int("500万".as_bytes()), Some(5_000_000));
        assert_eq!(parse_int("1.2亿".as_bytes()), Some(120_000_000));
        assert_eq!(parse_int("0.35亿".as_bytes()), Some(35_000_000));
        assert_eq!(parse_int("-2.5万".as_bytes()), Some(-25_000));
        assert_eq!(parse_int("1.23456万".as_bytes()), None);
        assert_eq!(parse_int("922337203685.4775807亿".as_bytes()), None);
        assert_eq!(parse_int("007万".as_bytes()), None);
        assert_eq!(parse_float("1.2亿".as_bytes(), false), Some(120_000_000.0));
        assert_eq!(parse_float("1.23456万".as_bytes(), false), Some(12345.6));
        assert_eq!(parse_float("1,200万".as_bytes(), true), Some(12_000_000.0));
        assert_eq!(parse_float("1,200万".as_bytes(), false), None);
        for bad in ["万", "1e3万", "1.2.3万", "abc万", "万5"] {
            assert_eq!(parse_int(bad.as_bytes()), None, "{bad}");
            assert_eq!(parse_float(bad.as_bytes(), false), None, "{bad}");
        }
        assert_eq!(parse_bool("是".as_bytes()), Some(true));
        assert_eq!(parse_bool("否".as_bytes()), Some(false));
    }

    #[test]
    fn year_first_dates_in_every_form_and_no_guessing() {
        let d = NaiveDate::from_ymd_opt(2024, 8, 10);
        for s in [
            "2024.8.10",
            "2024/8/10",
            "2024-8-10",
            "2024/08/10",
            "2024年8月10日",
        ] {
            assert_eq!(parse_date(s.as_bytes()), d, "{s}");
        }
        for bad in [
            "10/08/2024",
            "2024/8-10",
            "2024.13.1",
            "2024/2/30",
            "2024年8月10",
            "2024.8",
            "24/8/10",
        ] {
            assert_eq!(parse_date(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(
            parse_datetime(b"2024/8/10 14:30"),
            d.and_then(|d| d.and_hms_opt(14, 30, 0))
        );
        let rules = Rules {
            thousands: false,
            date_format: Some("%d/%m/%Y".into()),
        };
        assert_eq!(rules.date(b"10/08/2024"), d);
        assert_eq!(rules.date(b"2024-08-10"), d);
        assert!(Rules::check_date_format("%d/%m/%Y").is_ok());
        assert!(Rules::check_date_format("%m/%Y").is_err());
        assert!(Rules::check_date_format("%Q").is_err());
    }
}
