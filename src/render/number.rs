//! Number formatting for terminal output.

/// Formats a float for a person: up to four decimals with trailing zeros trimmed;
/// values below 0.001 in magnitude with four significant digits (`-0.0002674`), and
/// scientific notation only below 1e-6 (`1.235e-7`) or from 1e15. Integral floats
/// keep one decimal (`945.0`) so that floats and integers remain distinguishable.
pub fn format_display(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && x.abs() < 1e-6 {
        return format!("{x:.3e}");
    }
    if x != 0.0 && x.abs() < 1e-3 {
        let d = (3 - x.abs().log10().floor() as i32).clamp(4, 9) as usize;
        let s = format!("{x:.d$}");
        return s.trim_end_matches('0').to_string();
    }
    if x.abs() >= 1e15 {
        return format!("{x:e}");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0');
    if let Some(stripped) = s.strip_suffix('.') {
        format!("{stripped}.0")
    } else {
        s.to_string()
    }
}

/// Formats a number with thousands separators and `decimals` decimals
/// (`833333.33, 1` → `833,333.3`), for reports.
pub fn format_grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let grouped = group_digits(&int);
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A string of ASCII digits with a comma between each group of three from the right.
fn group_digits(int: &str) -> String {
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// Formats an integer exactly, with thousands separators and `decimals` zeros after
/// the point (`9007199254740993, 0` → `9,007,199,254,740,993`): integers above 2^53
/// never pass through a float.
pub fn format_grouped_int(n: i128, decimals: usize) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let grouped = group_digits(&n.unsigned_abs().to_string());
    if decimals == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{}", "0".repeat(decimals))
    }
}

/// An integer count with thousands separators, for messages (`500,000,000`).
pub fn group_int(n: impl Into<i128>) -> String {
    format_grouped_int(n.into(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(format_display(945.0), "945.0");
        assert_eq!(format_display(833333.3333333), "833333.3333");
        assert_eq!(format_display(0.05), "0.05");
        assert_eq!(format_display(0.0000123456), "0.00001235");
        assert_eq!(format_display(0.000000123456), "1.235e-7");
        assert_eq!(format_display(0.0), "0.0");
    }

    #[test]
    fn grouped() {
        assert_eq!(format_grouped(833333.333, 1), "833,333.3");
        assert_eq!(format_grouped(-500000.0, 0), "-500,000");
        assert_eq!(format_grouped(41666.666, 1), "41,666.7");
        assert_eq!(format_grouped(999.0, 0), "999");
        assert_eq!(format_grouped(-0.01, 0), "0");
        assert_eq!(
            format_grouped_int(9007199254740993, 0),
            "9,007,199,254,740,993"
        );
        assert_eq!(
            format_grouped_int(i64::MIN.into(), 2),
            "-9,223,372,036,854,775,808.00"
        );
        assert_eq!(group_int(u64::MAX), "18,446,744,073,709,551,615");
    }
}
