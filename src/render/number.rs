//! Number formatting for terminal output.

/// Formats a float for a person: up to four decimals with trailing zeros trimmed;
/// values below 0.001 in magnitude (p-values) in scientific notation with four
/// significant digits. Integral floats keep one decimal (`945.0`) so that floats and
/// integers remain distinguishable.
pub fn format_display(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.3e}");
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
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(format_display(945.0), "945.0");
        assert_eq!(format_display(833333.3333333), "833333.3333");
        assert_eq!(format_display(0.05), "0.05");
        assert_eq!(format_display(0.0000123456), "1.235e-5");
        assert_eq!(format_display(0.0), "0.0");
    }

    #[test]
    fn grouped() {
        assert_eq!(format_grouped(833333.333, 1), "833,333.3");
        assert_eq!(format_grouped(-500000.0, 0), "-500,000");
        assert_eq!(format_grouped(41666.666, 1), "41,666.7");
        assert_eq!(format_grouped(999.0, 0), "999");
        assert_eq!(format_grouped(-0.01, 0), "0");
    }
}
