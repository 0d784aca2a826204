//! Script API of reports: assemble text, tables and charts into one self-contained
//! HTML page (and Markdown), written under the output directory.

use crate::render::{Block, Headline, Report};
use crate::script::options::Options;
use crate::script::script_error;
use crate::table::Table;
use rhai::plugin::*;
use rhai::{Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: functions plus the `Report` type.
pub fn module() -> Module {
    let mut m = exported_module!(report_api);
    m.set_custom_type::<Report>("Report");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

/// `fmt`'s text: integers exactly (no rounding through a float above 2^53), other
/// numbers through [`crate::render::format_grouped`].
fn grouped(x: &Dynamic, decimals: usize) -> R<String> {
    match x.as_int() {
        Ok(n) => Ok(crate::render::format_grouped_int(n.into(), decimals)),
        Err(_) => Ok(crate::render::format_grouped(
            crate::script::num(x, "fmt: x")?,
            decimals,
        )),
    }
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod report_api {
    use super::*;

    /// Starts a report with a title. Add blocks with `heading`, `text`, `table`, `svg`
    /// and `figures`, then `write_html` / `write_md`.
    ///
    /// ```rhai
    /// let r = report("Summer promotion");
    /// r.heading("Channels");
    /// r.table("Spend per channel", table([#{ channel: "wechat", spend: 12500 }]));
    /// r.write_html("example_report.html");
    /// ```
    pub fn report(title: &str) -> Report {
        Report::new(title)
    }

    /// Adds a section heading.
    pub fn heading(r: &mut Report, text: &str) {
        r.blocks.push(Block::Heading(text.to_string()));
    }

    /// Adds a section heading with its one-line summary (the answer of the section,
    /// shown under the heading and in the table of contents).
    ///
    /// ```rhai
    /// let r = report("Summer promotion");
    /// r.heading("Plan", "5,000 orders need 5,000,000 impressions");
    /// ```
    #[rhai_fn(name = "heading")]
    pub fn section(r: &mut Report, title: &str, summary: &str) {
        r.blocks.push(Block::Section {
            title: title.to_string(),
            summary: summary.to_string(),
        });
    }

    /// Sets the answer the report leads with, in a box above the contents:
    /// `goal`, `result` (or `forecast`), `short` (the shortfall, in the user's units)
    /// or `surplus`, and `risks` (an array, one line each). Every value is text
    /// (format numbers with `fmt`).
    ///
    /// ```rhai
    /// let r = report("Summer promotion");
    /// r.headline(#{ goal: "2,000,000 in sales", forecast: "1,494,000",
    ///               short: "506,000 (1,265 orders)", risks: ["designer booked until 06-21"] });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn headline(r: &mut Report, fields: Map) -> R<()> {
        let o = Options::new(
            "headline",
            fields,
            &["goal", "result", "forecast", "short", "surplus", "risks"],
        )?;
        let has = |key: &str| o.raw(key).is_some();
        let text = |key: &str| -> String { o.raw(key).map(|v| v.to_string()).unwrap_or_default() };
        if has("short") && has("surplus") {
            return Err(script_error(
                "headline: give either short (a shortfall) or surplus, not both",
            ));
        }
        if has("result") && has("forecast") {
            return Err(script_error(
                "headline: give either result or forecast, not both",
            ));
        }
        let risks = match o.raw("risks") {
            None => Vec::new(),
            Some(v) => match v.clone().into_array() {
                Ok(a) => a.iter().map(|x| x.to_string()).collect(),
                Err(_) => vec![v.to_string()],
            },
        };
        r.headline = Some(Headline {
            goal: text("goal"),
            result: if has("forecast") {
                text("forecast")
            } else {
                text("result")
            },
            result_label: if has("forecast") {
                "Forecast".into()
            } else {
                "Result".into()
            },
            gap: if has("short") {
                text("short")
            } else {
                text("surplus")
            },
            short: has("short"),
            risks,
        });
        Ok(())
    }

    /// Adds a paragraph (blank lines separate paragraphs).
    pub fn text(r: &mut Report, text: &str) {
        r.blocks.push(Block::Text(text.to_string()));
    }

    /// Adds a table with a caption. A `status` column is coloured (met, missed, over).
    #[rhai_fn(name = "table")]
    pub fn add_table(r: &mut Report, caption: &str, table: Table) {
        r.blocks.push(Block::Table {
            caption: caption.to_string(),
            table,
        });
    }

    /// Adds an SVG chart (a string holding `<svg ...>...</svg>`) with a caption.
    #[rhai_fn(return_raw)]
    pub fn svg(r: &mut Report, caption: &str, svg: &str) -> R<()> {
        if !svg.trim_start().starts_with("<svg") {
            return Err(script_error(
                "svg: the chart must be an SVG document starting with <svg",
            ));
        }
        r.blocks.push(Block::Svg {
            caption: caption.to_string(),
            svg: svg.to_string(),
        });
        Ok(())
    }

    /// Adds key figures from a map (`#{ "Revenue": "1,600,000", ... }`), shown as a
    /// definition list in key order.
    pub fn figures(r: &mut Report, figures: Map) {
        let pairs = figures
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r.blocks.push(Block::Figures(pairs));
    }

    /// Writes the report as one self-contained HTML file under the output directory;
    /// returns the path.
    #[rhai_fn(pure, return_raw)]
    pub fn write_html(ctx: NativeCallContext, r: &mut Report, name: &str) -> R<String> {
        let mut page = r.clone();
        page.provenance = Some(crate::script::provenance::provenance(
            &crate::script::context(&ctx)?.sandbox,
        ));
        crate::script::write_output(&ctx, name, page.to_html().as_bytes())
    }

    /// Writes the report as Markdown under the output directory; returns the path.
    #[rhai_fn(pure, return_raw)]
    pub fn write_md(ctx: NativeCallContext, r: &mut Report, name: &str) -> R<String> {
        let mut page = r.clone();
        page.provenance = Some(crate::script::provenance::provenance(
            &crate::script::context(&ctx)?.sandbox,
        ));
        crate::script::write_output(&ctx, name, page.to_markdown().as_bytes())
    }

    /// The report as HTML text.
    #[rhai_fn(pure)]
    pub fn to_html(r: &mut Report) -> String {
        r.to_html()
    }

    /// The report as Markdown text.
    #[rhai_fn(pure)]
    pub fn to_markdown(r: &mut Report) -> String {
        r.to_markdown()
    }

    /// A number for a person: thousands separators and no decimals
    /// (`1600000` → `1,600,000`; halves round away from zero).
    ///
    /// ```rhai
    /// print(fmt(1600000));      // 1,600,000
    /// print(fmt(41666.67));     // 41,667
    /// ```
    #[rhai_fn(name = "fmt", return_raw)]
    pub fn fmt0(x: Dynamic) -> R<String> {
        grouped(&x, 0)
    }

    /// `fmt` with `decimals` decimals (0 to 10): `fmt(833333.33, 1)` → `833,333.3`.
    ///
    /// ```rhai
    /// print(fmt(833333.33, 1));   // 833,333.3
    /// ```
    #[rhai_fn(name = "fmt", return_raw)]
    pub fn fmt_decimals(x: Dynamic, decimals: i64) -> R<String> {
        if !(0..=10).contains(&decimals) {
            return Err(script_error(format!(
                "fmt: decimals must be between 0 and 10, got {decimals}"
            )));
        }
        grouped(&x, decimals as usize)
    }

    /// A number shown by its meaning, the way tables show a column of that kind:
    /// `"rate"` and `"share"` (`4.0%`), `"points"` (a difference of rates, `-1.0 pt`),
    /// `"change"` (`+12.3%`), `"count"` (`12,345`), `"money"` (`277,000`, `0.45`),
    /// `"ratio"` (`1:2.2`), `"days"` (`2.5 d`), `"p_value"` (`0.0312`, `3.2e-6`) or
    /// `"plain"`.
    ///
    /// ```rhai
    /// print(fmt(0.04, "rate"));      // 4.0%
    /// print(fmt(-0.01, "points"));   // -1.0 pt
    /// print(fmt(2.2, "ratio"));      // 1:2.2
    /// print(fmt(0.04996, "p_value"));   // 0.04996
    /// ```
    #[rhai_fn(name = "fmt", return_raw)]
    pub fn fmt_kind(x: Dynamic, kind: &str) -> R<String> {
        let k = crate::table::Kind::parse(kind).ok_or_else(|| {
            script_error(format!(
                "fmt: unknown kind '{kind}' (one of: {})",
                crate::table::Kind::ALL
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Ok(crate::render::format_kind(
            crate::script::num(&x, "fmt: x")?,
            k,
        ))
    }

    /// A fraction as a percentage by the rate rule every table uses: three significant
    /// digits and at least one decimal, never a value that reads as another
    /// (`0.04` → `4.0%`, `0.0421` → `4.21%`, `0.8` → `80.0%`, `0.99999` → `99.999%`).
    ///
    /// ```rhai
    /// print(pct(0.8));        // 80.0%
    /// print(pct(1 / 3.0));    // 33.3%
    /// ```
    #[rhai_fn(return_raw)]
    pub fn pct(x: Dynamic) -> R<String> {
        Ok(crate::render::percent(crate::script::num(&x, "pct: x")?))
    }

    /// Writes any text (an SVG chart, notes) to `name` under the output directory,
    /// atomically; returns the path.
    ///
    /// ```rhai
    /// write_text("notes.txt", "launch moved to the 9th");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn write_text(ctx: NativeCallContext, name: &str, text: &str) -> R<String> {
        crate::script::write_output(&ctx, name, text.as_bytes())
    }

    /// A one-line description of the report.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn describe(r: &mut Report) -> String {
        format!("Report \"{}\" ({} blocks)", r.title, r.blocks.len())
    }
}
