//! What the numbers of a column mean. A column's kind never changes its values; it
//! tells every presentation (terminal tables, Markdown, HTML, spreadsheets, the
//! `fmt` script function) how to show them. The rules of each kind's display are in
//! `render/format.rs` and docs/formats.md.

use std::fmt;

/// The meaning of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Kind {
    /// No declared meaning: shown by the column's type.
    #[default]
    Plain,
    /// A number of people, events or units (`12,345`).
    Count,
    /// An amount of money (`277,000`, `0.45`).
    Money,
    /// A fraction of a base that converted, clicked, returned (0.04 shown `4.0%`).
    Rate,
    /// A fraction of a whole that the parts split (0.25 shown `25.0%`).
    Share,
    /// A difference of two rates, in percentage points (-0.01 shown `-1.0 pt`).
    Points,
    /// A relative change (0.123 shown `+12.3%`).
    Change,
    /// A ratio against one (2.2 shown `1:2.2`).
    Ratio,
    /// A duration in days (`2.5 d`).
    Days,
    /// A p-value of a test (`0.0312`, `3.2e-6`).
    PValue,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 10] = [
        Kind::Plain,
        Kind::Count,
        Kind::Money,
        Kind::Rate,
        Kind::Share,
        Kind::Points,
        Kind::Change,
        Kind::Ratio,
        Kind::Days,
        Kind::PValue,
    ];

    /// The kind's name in scripts and messages (`rate`, `money`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Plain => "plain",
            Kind::Count => "count",
            Kind::Money => "money",
            Kind::Rate => "rate",
            Kind::Share => "share",
            Kind::Points => "points",
            Kind::Change => "change",
            Kind::Ratio => "ratio",
            Kind::Days => "days",
            Kind::PValue => "p_value",
        }
    }

    /// The kind named `name` (see [`Kind::name`]), or `None`.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the values are fractions shown as percentages (rates, shares, changes).
    pub fn is_percent(self) -> bool {
        matches!(self, Kind::Rate | Kind::Share | Kind::Change)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        assert_eq!(Kind::parse("percent"), None);
    }
}
