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
    /// A section heading with its one-line summary (the answer of the section),
    /// listed in the table of contents.
    Section {
        /// The heading.
        title: String,
        /// One line under the heading.
        summary: String,
    },
}

/// The answer a report leads with, in a box above everything else: the goal, the
/// forecast or result, the shortfall or surplus, and the top risks, one line each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headline {
    /// The goal, in the user's units ("2,000,000 in sales").
    pub goal: String,
    /// The forecast or the result ("1,600,000 sold (80.0%)").
    pub result: String,
    /// `Forecast` or `Result`: how the second line is labelled.
    pub result_label: String,
    /// The shortfall or surplus ("400,000 short").
    pub gap: String,
    /// Whether the gap is a shortfall (drawn in the missed colour) or a surplus.
    pub short: bool,
    /// The top risks, one line each.
    pub risks: Vec<String>,
}

/// Where a report came from: the program, when, the script and every input file read,
/// with its rows and a content hash, so that a reader can tell which data it shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// `pacer 0.1.0`.
    pub program: String,
    /// When the report was written (UTC, `2024-07-19 10:00 UTC`).
    pub written: String,
    /// The script that wrote it.
    pub script: Option<String>,
    /// The input files.
    pub inputs: Vec<InputFile>,
}

/// One input file of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputFile {
    /// The path as the script named it, relative to the working folder when inside it.
    pub path: String,
    /// Data rows (records after the header) of a delimited text file.
    pub rows: Option<u64>,
    /// The size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, in hex.
    pub sha256: String,
}

/// A report under construction.
#[derive(Debug, Clone)]
pub struct Report {
    /// The report's title.
    pub title: String,
    /// The answer the report leads with (a box above the contents).
    pub headline: Option<Headline>,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
    /// Where it came from (the footer).
    pub provenance: Option<Provenance>,
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
        out.push_str(&format!("<th>{}</th>", escape(&header_words(n))));
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
            if matches!(c.dtype(), DType::Date | DType::Datetime) {
                classes.push("date".to_string());
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

/// The page's stylesheet: screen and print. Status colours come from the SVG kit's
/// palette (text against its background at least 4.5:1, WCAG 2.1 AA) and every status
/// is also a word, so colour is never the only signal.
fn style() -> String {
    use super::svg::palette as p;
    format!(
        "body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:{text}}}\
h1{{border-bottom:2px solid #333;padding-bottom:.3em}}h2{{margin-top:2em;border-bottom:1px solid #ccc}}\
.muted,.summary{{color:{muted}}}.summary{{margin-top:-.4em}}\
.headline{{border:2px solid #333;border-radius:6px;padding:.6em 1.2em;margin:1em 0 1.5em;background:#f7f7f7}}\
.headline dl{{display:grid;grid-template-columns:max-content auto;gap:.3em 1.5em;margin:0}}.headline dt{{font-weight:700}}.headline dd{{margin:0}}\
.headline dd.short{{color:{missed};font-weight:700}}.headline dd.surplus{{color:{met};font-weight:700}}\
nav.toc ul{{padding-left:0;list-style:none}}nav.toc li{{margin:.2em 0}}\
.scroll{{overflow-x:auto}}\
table{{border-collapse:collapse;margin:1em 0;font-size:.92em}}th,td{{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}}\
th{{background:#f3f3f3}}td.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}td.date{{white-space:nowrap}}\
.status-met{{background:{met_fill};color:{met};font-weight:600}}.status-missed{{background:{missed_fill};color:{missed};font-weight:600}}.status-over{{background:{over_fill};color:{over};font-weight:600}}\
caption,figcaption{{font-weight:600;text-align:left;margin:.5em 0}}figure{{margin:1em 0}}svg{{max-width:100%;height:auto}}\
dl.figures{{display:grid;grid-template-columns:max-content auto;gap:.2em 1.5em}}dl.figures dt{{font-weight:600}}dl.figures dd{{margin:0}}\
footer.provenance{{margin-top:3em;font-size:.85em;color:{muted}}}footer.provenance h2{{font-size:1em}}\
@media print{{body{{max-width:none;margin:0;font-size:10pt}}nav.toc{{display:none}}.scroll{{overflow:visible}}table,figure,.headline{{break-inside:avoid}}h2,h3{{break-after:avoid}}a{{color:inherit;text-decoration:none}}}}",
        text = p::TEXT,
        muted = p::MUTED,
        met = p::MET_TEXT,
        met_fill = p::MET_FILL,
        missed = p::MISSED_TEXT,
        missed_fill = p::MISSED_FILL,
        over = p::OVER_TEXT,
        over_fill = p::OVER_FILL,
    )
}

impl Report {
    /// An empty report.
    pub fn new(title: &str) -> Report {
        Report {
            title: title.to_string(),
            headline: None,
            blocks: Vec::new(),
            provenance: None,
        }
    }

    /// The report as one self-contained HTML page (inline CSS and SVG, no external
    /// references): the title, the headline box, a table of contents of the sections
    /// (each with its one-line summary), the blocks, and the provenance footer.
    pub fn to_html(&self) -> String {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&self.title),
            style(),
            escape(&self.title)
        );
        if let Some(h) = &self.headline {
            out.push_str(&headline_html(h));
        }
        let sections: Vec<(String, Option<&str>)> = self
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.clone(), None)),
                Block::Section { title, summary } => Some((title.clone(), Some(summary.as_str()))),
                _ => None,
            })
            .collect();
        if sections.len() >= 2 {
            out.push_str("<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n");
            for (i, (title, summary)) in sections.iter().enumerate() {
                out.push_str(&format!(
                    "<li><a href=\"#s{}\">{}</a>{}</li>\n",
                    i + 1,
                    escape(title),
                    summary.map_or(String::new(), |s| format!(
                        " <span class=\"muted\">{}</span>",
                        escape(s)
                    ))
                ));
            }
            out.push_str("</ul>\n</nav>\n");
        }
        let mut section = 0;
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    section += 1;
                    out.push_str(&format!("<h2 id=\"s{section}\">{}</h2>\n", escape(h)));
                }
                Block::Section { title, summary } => {
                    section += 1;
                    out.push_str(&format!(
                        "<h2 id=\"s{section}\">{}</h2>\n<p class=\"summary\">{}</p>\n",
                        escape(title),
                        escape(summary)
                    ));
                }
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
                    out.push_str("<div class=\"scroll\">\n");
                    out.push_str(&table_html(table));
                    out.push_str("</div>\n");
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
        if let Some(p) = &self.provenance {
            out.push_str(&provenance_html(p));
        }
        out.push_str("</body>\n</html>\n");
        out
    }

    /// The report as Markdown (tables as pipe tables; charts referenced by caption only,
    /// since Markdown cannot inline them portably).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        if let Some(h) = &self.headline {
            out.push('\n');
            for (label, value) in headline_lines(h) {
                out.push_str(&format!("- **{label}**: {value}\n"));
            }
        }
        for b in &self.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("\n## {h}\n")),
                Block::Section { title, summary } => {
                    out.push_str(&format!("\n## {title}\n\n_{summary}_\n"))
                }
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
        if let Some(p) = &self.provenance {
            out.push_str(&format!("\n---\n\n{}\n", provenance_lines(p).join("  \n")));
        }
        out
    }
}

/// The headline's lines: (label, text), the empty ones left out.
fn headline_lines(h: &Headline) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    if !h.goal.is_empty() {
        lines.push(("Goal".to_string(), h.goal.clone()));
    }
    if !h.result.is_empty() {
        let label = if h.result_label.is_empty() {
            "Result"
        } else {
            &h.result_label
        };
        lines.push((label.to_string(), h.result.clone()));
    }
    if !h.gap.is_empty() {
        let label = if h.short { "Shortfall" } else { "Surplus" };
        lines.push((label.to_string(), h.gap.clone()));
    }
    for (i, r) in h.risks.iter().enumerate() {
        let label = if i == 0 { "Top risks" } else { "" };
        lines.push((label.to_string(), r.clone()));
    }
    lines
}

fn headline_html(h: &Headline) -> String {
    let mut out = String::from("<section class=\"headline\" aria-label=\"Headline\">\n<dl>\n");
    for (label, value) in headline_lines(h) {
        let class = match label.as_str() {
            "Shortfall" => " class=\"short\"",
            "Surplus" => " class=\"surplus\"",
            _ => "",
        };
        out.push_str(&format!(
            "<dt>{}</dt><dd{class}>{}</dd>\n",
            escape(&label),
            escape(&value)
        ));
    }
    out.push_str("</dl>\n</section>\n");
    out
}

/// The footer's lines: program and date, script, then one line per input.
fn provenance_lines(p: &Provenance) -> Vec<String> {
    let mut lines = vec![format!("Written by {} on {}", p.program, p.written)];
    if let Some(s) = &p.script {
        lines.push(format!("Script: {s}"));
    }
    for f in &p.inputs {
        let rows = f.rows.map_or(String::new(), |r| {
            format!("{} rows, ", super::number::group_int(r))
        });
        let short = f.sha256.get(..16).unwrap_or(&f.sha256);
        lines.push(format!(
            "Input: {} ({rows}{} bytes, sha256 {short}…)",
            f.path,
            super::number::group_int(f.bytes)
        ));
    }
    lines
}

fn provenance_html(p: &Provenance) -> String {
    let mut out = String::from("<footer class=\"provenance\">\n<h2>Provenance</h2>\n<ul>\n");
    for line in provenance_lines(p) {
        out.push_str(&format!("<li>{}</li>\n", escape(&line)));
    }
    for f in &p.inputs {
        out.push_str(&format!(
            "<!-- sha256 {} {} -->\n",
            escape(&f.sha256),
            escape(&f.path)
        ));
    }
    out.push_str("</ul>\n</footer>\n");
    out
}

/// A column name in words for a table header: underscores become spaces
/// (`next_volume` → `next volume`).
pub fn header_words(name: &str) -> String {
    name.replace('_', " ")
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
        assert!(!html.contains("src=") && !html.replace("href=\"#", "").contains("href="));
        let md = r.to_markdown();
        assert!(
            md.contains(
                "| metric | target | status |\n|---|---:|---|\n| <b>clicks</b> | 5 | missed |"
            ),
            "{md}"
        );
    }
}
