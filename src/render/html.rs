//! Self-contained HTML and Markdown reports: a title, then sections holding text,
//! tables and inline SVG charts. No external assets, scripts or fonts, so a report
//! opens the same offline as online.

use super::format::CellFormat;
use crate::table::{Column, DType, Table, Value};

/// One block of a report.
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading (level 2).
    Heading(String),
    /// A paragraph of plain text.
    Text(String),
    /// A table with an optional caption.
    Table {
        /// The caption.
        caption: String,
        /// The table.
        table: Table,
    },
    /// An inline SVG chart with a caption.
    Svg {
        /// The caption.
        caption: String,
        /// The SVG document (`<svg ...>...</svg>`).
        svg: String,
    },
    /// Key figures: label and value pairs.
    Figures(Vec<(String, String)>),
}

/// A report under construction.
#[derive(Debug, Clone)]
pub struct Report {
    /// The report's title.
    pub title: String,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cell as a report shows it: large numbers with thousands separators (floats from
/// 1,000, with one decimal unless whole; integers from 10,000, so that years and codes
/// stay as written), the rest as the terminal shows them.
fn cell_text(v: &Value, format: &CellFormat) -> String {
    match v {
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        other => format.text(other),
    }
}

/// The cell formats of a table's columns, by their kinds and values.
fn formats(table: &Table) -> Vec<(&Column, CellFormat)> {
    (0..table.n_cols())
        .filter_map(|i| table.column_at(i))
        .map(|c| (c, CellFormat::for_column(c, c.len())))
        .collect()
}

/// A table as an HTML `<table>`: numbers right-aligned; a `status` column's cells get
/// the class of their value (`met`, `missed`, `over`) for colouring.
pub fn table_html(table: &Table) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for n in table.names() {
        out.push_str(&format!("<th>{}</th>", escape(n)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let cols = formats(table);
    for r in 0..table.n_rows() {
        out.push_str("<tr>");
        for (name, (c, f)) in table.names().iter().zip(&cols) {
            let v = c.get(r);
            let text = cell_text(&v, f);
            let mut classes = Vec::new();
            if f.is_numeric() {
                classes.push("num".to_string());
            }
            if name == "status"
                && text
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                classes.push(format!("status-{text}"));
            }
            if classes.is_empty() {
                out.push_str(&format!("<td>{}</td>", escape(&text)));
            } else {
                out.push_str(&format!(
                    "<td class=\"{}\">{}</td>",
                    classes.join(" "),
                    escape(&text)
                ));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
h1{border-bottom:2px solid #333;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left}\
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.status-met{background:#dff3e1}.status-missed{background:#fde2e1}.status-over{background:#fff0cc}\
caption,figcaption{font-weight:600;text-align:left;margin:.5em 0}figure{margin:1em 0}\
dl.figures{display:grid;grid-template-columns:max-content auto;gap:.2em 1.5em}dl.figures dt{font-weight:600}dl.figures dd{margin:0}";

impl Report {
    /// An empty report.
    pub fn new(title: &str) -> Report {
        Report {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    /// The report as one self-contained HTML page (inline CSS and SVG, no external
    /// references).
    pub fn to_html(&self) -> String {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        for b in &self.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", escape(h))),
                Block::Text(t) => {
                    // Blank lines separate paragraphs; single line breaks are kept.
                    for para in t.split("\n\n") {
                        let lines: Vec<String> = para.trim().lines().map(escape).collect();
                        out.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
                    }
                }
                Block::Table { caption, table } => {
                    if !caption.is_empty() {
                        out.push_str(&format!("<h3>{}</h3>\n", escape(caption)));
                    }
                    out.push_str(&table_html(table));
                }
                Block::Svg { caption, svg } => {
                    out.push_str("<figure>\n");
                    out.push_str(svg);
                    out.push('\n');
                    if !caption.is_empty() {
                        out.push_str(&format!("<figcaption>{}</figcaption>\n", escape(caption)));
                    }
                    out.push_str("</figure>\n");
                }
                Block::Figures(pairs) => {
                    out.push_str("<dl class=\"figures\">\n");
                    for (k, v) in pairs {
                        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(k), escape(v)));
                    }
                    out.push_str("</dl>\n");
                }
            }
        }
        out.push_str("</body>\n</html>\n");
        out
    }

    /// The report as Markdown (tables as pipe tables; charts referenced by caption only,
    /// since Markdown cannot inline them portably).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for b in &self.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("\n## {h}\n")),
                Block::Text(t) => out.push_str(&format!("\n{}\n", t.trim())),
                Block::Table { caption, table } => {
                    if !caption.is_empty() {
                        out.push_str(&format!("\n### {caption}\n"));
                    }
                    out.push('\n');
                    out.push_str(&table_markdown(table));
                }
                Block::Svg { caption, .. } => {
                    out.push_str(&format!("\n_(chart: {caption}; see the HTML report)_\n"));
                }
                Block::Figures(pairs) => {
                    out.push('\n');
                    for (k, v) in pairs {
                        out.push_str(&format!("- **{k}**: {v}\n"));
                    }
                }
            }
        }
        out
    }
}

/// A table as a Markdown pipe table.
pub fn table_markdown(table: &Table) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!(
        "| {} |\n|{}|\n",
        table
            .names()
            .iter()
            .map(|n| esc(n))
            .collect::<Vec<_>>()
            .join(" | "),
        table
            .names()
            .iter()
            .enumerate()
            .map(|(i, _)| match table.column_at(i).map(|c| c.dtype()) {
                Some(DType::Int | DType::Float) => "---:",
                _ => "---",
            })
            .collect::<Vec<_>>()
            .join("|")
    );
    let cols = formats(table);
    for r in 0..table.n_rows() {
        let cells: Vec<String> = cols
            .iter()
            .map(|(c, f)| esc(&cell_text(&c.get(r), f)))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read_csv_bytes, CsvOptions};

    #[test]
    fn html_is_self_contained_and_escaped() {
        let t = read_csv_bytes(
            "t.csv",
            b"metric,target,status\n<b>clicks</b>,5,missed\nspend,60,over\n",
            &CsvOptions::default(),
        )
        .expect("csv");
        let mut r = Report::new("Summer & promo");
        r.blocks.push(Block::Table {
            caption: "Targets".into(),
            table: t.clone(),
        });
        r.blocks.push(Block::Svg {
            caption: "Chart".into(),
            svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".into(),
        });
        let html = r.to_html();
        assert!(html.contains("<title>Summer &amp; promo</title>"));
        assert!(html.contains("<td>&lt;b&gt;clicks&lt;/b&gt;</td><td class=\"num\">5</td><td class=\"status-missed\">missed</td>"));
        assert!(!html.contains("src=") && !html.contains("href="));
        let md = r.to_markdown();
        assert!(
            md.contains(
                "| metric | target | status |\n|---|---:|---|\n| <b>clicks</b> | 5 | missed |"
            ),
            "{md}"
        );
    }
}
