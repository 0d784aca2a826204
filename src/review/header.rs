//! The review's header (the first block of the handbook's review template): which
//! campaign, over which dates, whose review, for which target group.
//!
//! In a metrics file the header is a block of `field,value` lines above the table's
//! own header line (the first line that names a `metric` column), as a spreadsheet
//! template exports it:
//!
//! ```text
//! campaign,Summer promotion
//! dates,2024-07-01 to 2024-07-15
//! owner,Chen
//! target group,new customers aged 18-35
//!
//! dimension,metric,target,actual
//! ...
//! ```
//!
//! Fields: `campaign` (活动名称), `dates` (活动时间: `START to END`, `START ~ END` or
//! `START 至 END`), `start` and `end` (开始日期, 结束日期), `owner` (负责人),
//! `target group` (目标人群). Case, spaces, `_`, `-` and a trailing `:` or `：` do not
//! matter. An unknown field is refused like an unknown column (the list of fields and
//! the closest one), a field given twice, a date that is not `YYYY-MM-DD` or an end
//! before the start is an error naming the file and line.

use super::error::ReviewError;
use crate::units::parse_date;
use chrono::NaiveDate;

/// The header of a review; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The campaign's name.
    pub campaign: Option<String>,
    /// Its first day.
    pub start: Option<NaiveDate>,
    /// Its last day.
    pub end: Option<NaiveDate>,
    /// Who owns the review.
    pub owner: Option<String>,
    /// The users the campaign was for.
    pub target_group: Option<String>,
}

/// The header's fields, in the order they are shown.
pub const FIELDS: [&str; 6] = ["campaign", "dates", "start", "end", "owner", "target group"];

/// The canonical field a written name stands for (English or the template's Chinese).
fn field(name: &str) -> Option<&'static str> {
    let n: String = name
        .trim()
        .trim_end_matches([':', '：'])
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match n.as_str() {
        "campaign" | "campaign name" | "活动名称" | "活动" => "campaign",
        "dates" | "period" | "活动时间" | "时间" => "dates",
        "start" | "start date" | "开始日期" | "开始时间" => "start",
        "end" | "end date" | "结束日期" | "结束时间" => "end",
        "owner" | "负责人" => "owner",
        "target group" | "audience" | "目标人群" | "目标用户" => "target group",
        _ => return None,
    })
}

impl Header {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Header::default()
    }

    /// Sets a field from its written name and value; `at` (`file:line` or the option's
    /// name) starts error messages.
    pub fn set(&mut self, name: &str, value: &str, at: &str) -> Result<(), ReviewError> {
        let value = value.trim();
        let Some(f) = field(name) else {
            return Err(ReviewError::Invalid(format!(
                "{at}: unknown header field {}{}; the fields are {}",
                crate::table::quote_text(name.trim()),
                crate::suggest::closest(name.trim(), FIELDS.iter().copied())
                    .map(|s| format!(", did you mean '{s}'?"))
                    .unwrap_or_default(),
                FIELDS.join(", ")
            )));
        };
        let date = |text: &str, what: &str| {
            parse_date(text).map_err(|_| {
                ReviewError::Invalid(format!(
                    "{at}: the {what} date {} is not a date written YYYY-MM-DD",
                    crate::table::quote_text(text.trim())
                ))
            })
        };
        let taken = match f {
            "campaign" => self.campaign.is_some(),
            "dates" => self.start.is_some() || self.end.is_some(),
            "start" => self.start.is_some(),
            "end" => self.end.is_some(),
            "owner" => self.owner.is_some(),
            _ => self.target_group.is_some(),
        };
        if taken {
            return Err(ReviewError::Invalid(format!(
                "{at}: the header gives the {f} twice"
            )));
        }
        let text = (!value.is_empty()).then(|| value.to_string());
        match f {
            "campaign" => self.campaign = text,
            "owner" => self.owner = text,
            "target group" => self.target_group = text,
            "start" if !value.is_empty() => self.start = Some(date(value, "start")?),
            "end" if !value.is_empty() => self.end = Some(date(value, "end")?),
            "dates" if !value.is_empty() => {
                let parts: Option<(&str, &str)> = [" to ", "~", "～", "至", " - ", "—", "–"]
                    .iter()
                    .find_map(|sep| value.split_once(sep));
                let Some((a, b)) = parts else {
                    return Err(ReviewError::Invalid(format!(
                        "{at}: the dates {} are not written START to END (2024-07-01 to 2024-07-15)",
                        crate::table::quote_text(value)
                    )));
                };
                self.start = Some(date(a, "start")?);
                self.end = Some(date(b, "end")?);
            }
            _ => {}
        }
        if let (Some(s), Some(e)) = (self.start, self.end) {
            if e < s {
                return Err(ReviewError::Invalid(format!(
                    "{at}: the campaign ends ({e}) before it starts ({s})"
                )));
            }
        }
        Ok(())
    }

    /// The header's fields as (field, value) pairs, only those set, dates as
    /// `START to END` when both are known.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(c) = &self.campaign {
            out.push(("campaign", c.clone()));
        }
        match (self.start, self.end) {
            (Some(s), Some(e)) => out.push(("dates", format!("{s} to {e}"))),
            (Some(s), None) => out.push(("start", s.to_string())),
            (None, Some(e)) => out.push(("end", e.to_string())),
            (None, None) => {}
        }
        if let Some(o) = &self.owner {
            out.push(("owner", o.clone()));
        }
        if let Some(t) = &self.target_group {
            out.push(("target group", t.clone()));
        }
        out
    }
}

/// Splits the text of a metrics file into its header and the table. The table's header
/// line is the first line one of whose fields is `metric`; the lines above it are the
/// header's `field,value` lines (blank lines skipped). The returned table text has its
/// header line first, then one empty line for each line above it, so that every data
/// line keeps its line number in messages. Without such a line, or when it is the first
/// line, the text is returned as it is.
pub fn split_header<'a>(
    file: &str,
    text: &'a str,
) -> Result<(Header, std::borrow::Cow<'a, str>), ReviewError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let is_table_header = |line: &str| {
        fields(line)
            .map(|f| f.iter().any(|x| x.trim().eq_ignore_ascii_case("metric")))
            .unwrap_or(false)
    };
    let Some(at) = lines.iter().position(|l| is_table_header(l)) else {
        return Ok((Header::default(), std::borrow::Cow::Borrowed(text)));
    };
    if at == 0 {
        return Ok((Header::default(), std::borrow::Cow::Borrowed(text)));
    }
    let mut block = Vec::with_capacity(at);
    for (i, line) in lines[..at].iter().enumerate() {
        let where_ = format!("{file}:{}", i + 1);
        let f = fields(line).ok_or_else(|| {
            ReviewError::Invalid(format!("{where_}: a header line has an unclosed quote"))
        })?;
        block.push((where_, f, line.trim_end_matches('\r').to_string()));
    }
    let header = header_from_block(&block)?;
    let mut out = String::with_capacity(text.len());
    out.push_str(lines[at].trim_end_matches('\r'));
    out.push('\n');
    out.extend(std::iter::repeat_n('\n', at));
    out.push_str(&lines[at + 1..].join("\n"));
    Ok((header, std::borrow::Cow::Owned(out)))
}

/// The header from the lines above a review's table: each `(where, cells, as written)`
/// is blank, or a field and its value (`campaign`, `Summer promotion`); anything else
/// is an error naming `where` (`file:line`, or a workbook's `file[sheet]:row N`).
pub fn header_from_block(block: &[(String, Vec<String>, String)]) -> Result<Header, ReviewError> {
    let mut header = Header::default();
    for (where_, cells, written) in block {
        let f: Vec<&str> = cells.iter().map(|s| s.trim()).collect();
        if f.iter().all(|s| s.is_empty()) {
            continue;
        }
        if f.len() < 2 || f[2..].iter().any(|s| !s.is_empty()) {
            return Err(ReviewError::Invalid(format!(
                "{where_}: a line above the table must hold a header field and its value (campaign,Summer promotion), got {}",
                crate::table::quote_text(written)
            )));
        }
        header.set(f[0], f[1], where_)?;
    }
    Ok(header)
}

/// The comma-separated fields of one line (`"a, b"` quoted with `""` for a quote), or
/// `None` for an unclosed quote.
fn fields(line: &str) -> Option<Vec<String>> {
    let line = line.trim_end_matches('\r');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "campaign,Summer promotion\n\
        活动时间：,2024-07-01 ~ 2024-07-15\n\
        Owner,Chen\n\
        target_group,\"new customers, 18-35\"\n\
        \n\
        dimension,metric,target,actual\n\
        traffic,impressions,5000000,4500000\n";

    #[test]
    fn reads_the_header_and_keeps_line_numbers() -> Result<(), ReviewError> {
        let (h, table) = split_header("m.csv", FILE)?;
        assert_eq!(h.campaign.as_deref(), Some("Summer promotion"));
        assert_eq!(h.start, NaiveDate::from_ymd_opt(2024, 7, 1));
        assert_eq!(h.end, NaiveDate::from_ymd_opt(2024, 7, 15));
        assert_eq!(h.owner.as_deref(), Some("Chen"));
        assert_eq!(h.target_group.as_deref(), Some("new customers, 18-35"));
        // The data line is line 7 of the file, and still line 7 of the table text.
        assert_eq!(
            table.lines().nth(6),
            Some("traffic,impressions,5000000,4500000")
        );
        assert_eq!(table.lines().next(), Some("dimension,metric,target,actual"));
        assert_eq!(
            h.fields()[1],
            ("dates", "2024-07-01 to 2024-07-15".to_string())
        );
        Ok(())
    }

    #[test]
    fn a_file_without_header_is_unchanged() -> Result<(), ReviewError> {
        let text = "dimension,metric,target,actual\nx,y,1,2\n";
        let (h, t) = split_header("m.csv", text)?;
        assert!(h.is_empty());
        assert_eq!(t, text);
        Ok(())
    }

    #[test]
    fn bad_header_lines_are_named() {
        let err = |text: &str| match split_header("m.csv", text) {
            Err(e) => e.to_string(),
            Ok(_) => "no error".to_string(),
        };
        let e = err("campain,x\ndimension,metric,target,actual\n");
        assert!(e.starts_with("m.csv:1: unknown header field"), "{e}");
        assert!(e.contains("did you mean 'campaign'?"), "{e}");
        let e = err("campaign,x\ncampaign,y\nmetric,target\n");
        assert!(
            e.contains("m.csv:2: the header gives the campaign twice"),
            "{e}"
        );
        let e = err("start,2024-07-15\nend,2024-07-01\nmetric,target\n");
        assert!(e.contains("ends (2024-07-01) before it starts"), "{e}");
        let e = err("dates,2024-07-01\nmetric,target\n");
        assert!(e.contains("START to END"), "{e}");
        let e = err("start,07/01/2024\nmetric,target\n");
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let e = err("campaign,x,y\nmetric,target\n");
        assert!(e.contains("m.csv:1: a line above the table"), "{e}");
    }
}
