//! The review report: one self-contained page for the managers —
//! the headline, the targets table with status colours, target-vs-actual bars, the
//! gaps that matter, the attribution table and waterfall, the what-if, the actions and
//! the lessons — built on `crate::render::Report`, which writes it as HTML (inline CSS
//! and SVG, no network assets) and as Markdown.

use super::review_chart::{achievement_svg, signed_whole, waterfall_svg};
use super::review_text::{achievement_text, percent1, review_formatted, value_text};
use crate::render::{format_grouped, Block, Report};
use crate::review::attribution::{Attribution, FactorKind};
use crate::review::error::ReviewError;
use crate::review::focus::Focus;
use crate::review::metrics::Review;
use crate::review::recover::Recovery;
use crate::table::{Column, Table};

/// What goes into a review report; everything but the review is optional.
#[derive(Debug, Clone)]
pub struct ReportParts<'a> {
    /// The report's title.
    pub title: String,
    /// The targets and actuals.
    pub review: &'a Review,
    /// The gaps ranked by effect on the headline.
    pub focus: Option<Focus>,
    /// How many gaps to lead with (the handbook's 2-3).
    pub top: usize,
    /// The gap through the funnel.
    pub attribution: Option<&'a Attribution>,
    /// A what-if.
    pub recovery: Option<&'a Recovery>,
    /// The actions table (as returned by `actions` or `carry_over`).
    pub actions: Option<Table>,
    /// The lessons table.
    pub lessons: Option<Table>,
    /// This period's actuals against an earlier period's.
    pub periods: Option<&'a crate::review::PeriodComparison>,
}

fn whole(x: f64) -> String {
    format_grouped(x, 0)
}

fn factor_value(kind: FactorKind, v: f64) -> String {
    match kind {
        FactorKind::Rate => super::percent(v),
        FactorKind::Entering => whole(v),
        FactorKind::Aov => {
            let s = format_grouped(v, 2);
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

fn text_table(source: &str, cols: Vec<(&str, Vec<String>)>) -> Result<Table, ReviewError> {
    Ok(Table::new(
        source,
        cols.into_iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    Column::text(v.into_iter().map(Some).collect()),
                )
            })
            .collect(),
    )?)
}

/// The attribution as the report shows it: `factor, step, planned, actual, change,
/// contribution, share`, formatted (`4%`, `-10%`, `-188,866`, `47.2%`).
pub fn attribution_formatted(a: &Attribution) -> Result<Table, ReviewError> {
    let gap = a.gap();
    let col = |f: &dyn Fn(&crate::review::attribution::Contribution) -> String| {
        a.rows.iter().map(f).collect::<Vec<_>>()
    };
    text_table(
        "<attribution>",
        vec![
            ("factor", col(&|r| r.factor.name.clone())),
            ("step", col(&|r| r.factor.label.clone())),
            ("planned", col(&|r| factor_value(r.factor.kind, r.planned))),
            ("actual", col(&|r| factor_value(r.factor.kind, r.actual))),
            (
                "change",
                col(&|r| {
                    if r.planned > 0.0 {
                        super::change(r.actual / r.planned - 1.0)
                    } else {
                        String::new()
                    }
                }),
            ),
            ("contribution", col(&|r| signed_whole(r.contribution))),
            (
                "share",
                col(&|r| {
                    if gap != 0.0 {
                        percent1(r.contribution / gap + 0.0)
                    } else {
                        String::new()
                    }
                }),
            ),
        ],
    )
}

/// A what-if as the report shows it: `factor, change, before, after, contribution`
/// formatted (`4%`, `4,680,000`, `+71,755`), the `total` row last.
pub fn recovery_formatted(w: &Recovery) -> Result<Table, ReviewError> {
    let t = w.table()?;
    let kinds: Vec<FactorKind> = w.base.factors().iter().map(|f| f.kind).collect();
    let n = t.n_rows();
    let text = |c: &str| -> Result<Vec<String>, ReviewError> {
        let col = t.column(c)?;
        Ok((0..n).map(|i| col.text_at(i).unwrap_or_default()).collect())
    };
    let value = |c: &str| -> Result<Vec<String>, ReviewError> {
        let col = t.column(c)?;
        Ok((0..n)
            .map(|i| {
                let v = col.f64_at(i).unwrap_or(0.0);
                match kinds.get(i) {
                    Some(&k) => factor_value(k, v),
                    None => whole(v),
                }
            })
            .collect())
    };
    let contribution = t.column("contribution")?;
    text_table(
        "<recover>",
        vec![
            ("factor", text("factor")?),
            ("change", text("change")?),
            ("before", value("before")?),
            ("after", value("after")?),
            (
                "contribution",
                (0..n)
                    .map(|i| signed_whole(contribution.f64_at(i).unwrap_or(0.0)))
                    .collect(),
            ),
        ],
    )
}

/// The focus as the report shows it: `rank, metric, achievement, effect, share of
/// gap` for the first `top` gaps and the rest.
pub fn focus_formatted(f: &Focus, top: usize) -> Result<Table, ReviewError> {
    let t = f.table(top)?;
    let n = t.n_rows();
    let get = |c: &str| -> Result<&Column, ReviewError> { Ok(t.column(c)?) };
    let (rank, metric, ach, effect, share) = (
        get("rank")?,
        get("metric")?,
        get("achievement")?,
        get("effect")?,
        get("share")?,
    );
    let col = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>();
    text_table(
        "<focus>",
        vec![
            ("rank", col(&|i| rank.text_at(i).unwrap_or_default())),
            ("metric", col(&|i| metric.text_at(i).unwrap_or_default())),
            (
                "achievement",
                col(&|i| ach.f64_at(i).map(percent1).unwrap_or_default()),
            ),
            (
                &format!("effect on {}", f.headline),
                col(&|i| effect.f64_at(i).map(signed_whole).unwrap_or_default()),
            ),
            (
                "share of gap",
                col(&|i| share.f64_at(i).map(percent1).unwrap_or_default()),
            ),
        ],
    )
}

/// Builds the report.
pub fn review_report(parts: &ReportParts) -> Result<Report, ReviewError> {
    let r = parts.review;
    let mut rep = Report::new(&parts.title);
    // The review's header: campaign, dates, owner, target group.
    if !r.header.is_empty() {
        rep.blocks.push(Block::Figures(
            r.header
                .fields()
                .into_iter()
                .map(|(field, value)| {
                    let mut c = field.chars();
                    let label: String = c
                        .next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default();
                    (label, value)
                })
                .collect(),
        ));
    }
    // Key figures: the headline rows, then the count of statuses.
    let mut figures: Vec<(String, String)> = r
        .rows
        .iter()
        .filter(|m| m.dimension.eq_ignore_ascii_case("headline"))
        .filter_map(|m| {
            let (t, a) = (m.target?, m.actual?);
            Some((
                m.metric.clone(),
                format!(
                    "{} of {} ({}, {})",
                    value_text(m, a.value),
                    value_text(m, t.value),
                    achievement_text(m),
                    m.status.name()
                ),
            ))
        })
        .collect();
    let (met, missed, over) = r.counts();
    figures.push((
        "Goals".to_string(),
        format!("{met} met, {missed} missed, {over} over target"),
    ));
    rep.blocks.push(Block::Figures(figures));

    rep.blocks
        .push(Block::Heading("Goals versus results".to_string()));
    rep.blocks.push(Block::Table {
        caption: "Targets and actuals".to_string(),
        table: review_formatted(r)?,
    });
    rep.blocks.push(Block::Svg {
        caption: "Achievement (actual / target) by metric".to_string(),
        svg: achievement_svg(r, "Target vs actual"),
    });

    if let Some(c) = parts.periods {
        rep.blocks
            .push(Block::Heading(format!("Against {}", c.previous)));
        rep.blocks.push(Block::Text(format!(
            "{}.",
            super::review_text::periods_summary(c)
        )));
        rep.blocks.push(Block::Table {
            caption: format!("Actuals of {} against {}", c.current, c.previous),
            table: super::review_text::periods_formatted(c)?,
        });
    }

    if let Some(f) = &parts.focus {
        rep.blocks
            .push(Block::Heading("The gaps that matter".to_string()));
        let top: Vec<_> = f.rows.iter().take(parts.top).collect();
        let list = |pick: &dyn Fn(f64) -> bool| -> String {
            top.iter()
                .filter(|x| pick(x.effect))
                .map(|x| {
                    format!(
                        "{} ({}: {})",
                        x.metric,
                        percent1(x.achievement),
                        signed_whole(x.effect)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let verdict = if f.actual < f.target {
            format!("fell short of its target by {}", whole(f.target - f.actual))
        } else {
            format!("beat its target by {}", whole(f.actual - f.target))
        };
        let mut chars = f.headline.chars();
        let headline: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let mut text = format!(
            "{headline} {verdict} ({} of target).",
            percent1(f.actual / f.target)
        );
        let (down, up) = (list(&|e| e < 0.0), list(&|e| e > 0.0));
        if !down.is_empty() {
            text.push_str(&format!(" The largest shortfalls: {down}."));
        }
        if !up.is_empty() {
            text.push_str(&format!(" Working the other way: {up}."));
        }
        rep.blocks.push(Block::Text(text));
        rep.blocks.push(Block::Table {
            caption: format!("Gaps ranked by their effect on {}", f.headline),
            table: focus_formatted(f, parts.top)?,
        });
    }

    if let Some(a) = parts.attribution {
        rep.blocks.push(Block::Heading(
            "Causes: the gap through the funnel".to_string(),
        ));
        rep.blocks.push(Block::Text(format!(
            "The result went from {} planned to {} actual ({}). Split by factor with the {} decomposition: the contributions add up exactly to the gap and do not depend on the order of the stages.",
            whole(a.planned),
            whole(a.actual),
            signed_whole(a.gap()),
            match a.method {
                crate::review::decompose::Method::Lmdi => "log-mean Divisia (LMDI)",
                crate::review::decompose::Method::Shapley => "Shapley",
            }
        )));
        rep.blocks.push(Block::Table {
            caption: "Contribution of each factor to the gap".to_string(),
            table: attribution_formatted(a)?,
        });
        rep.blocks.push(Block::Svg {
            caption: "From planned to actual, factor by factor".to_string(),
            svg: waterfall_svg(a, "From planned to actual"),
        });
    }

    if let Some(w) = parts.recovery {
        rep.blocks.push(Block::Heading("What if".to_string()));
        let changes: Vec<String> = w.changes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let mut text = format!(
            "With {}: {} instead of {} ({}).",
            changes.join(" and "),
            whole(w.after()),
            whole(w.before()),
            signed_whole(w.recovered())
        );
        if let Some(s) = w.share_of_gap() {
            text.push_str(&format!(
                " That recovers {} of the gap to the target.",
                percent1(s)
            ));
        }
        rep.blocks.push(Block::Text(text));
        rep.blocks.push(Block::Table {
            caption: "The what-if by factor".to_string(),
            table: recovery_formatted(w)?,
        });
    }

    if let Some(t) = &parts.actions {
        rep.blocks.push(Block::Heading("Actions".to_string()));
        rep.blocks.push(Block::Table {
            caption: "Action items".to_string(),
            table: t.clone(),
        });
    }
    if let Some(t) = &parts.lessons {
        rep.blocks.push(Block::Heading("Lessons".to_string()));
        rep.blocks.push(Block::Table {
            caption: "Lessons recorded".to_string(),
            table: t.clone(),
        });
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::attribution::tests::summer;
    use crate::review::{attribute, focus, Method};
    use crate::table::{read_csv_bytes, CsvOptions};

    /// The report's structure: tables and SVG present, every number of the targets
    /// table and of the attribution table in the HTML, no external reference.
    #[test]
    fn html_report_structure_and_numbers() -> Result<(), ReviewError> {
        let m = read_csv_bytes(
            "m.csv",
            b"dimension,metric,target,actual,better\ntraffic,impressions,5000000,4500000,\nconversion,sign-up conversion,5%,4%,\nrevenue,ROI,1:3,1:2.2,\ncost,total cost,60,72,lower\nheadline,sales,2000000,1600000,\n",
            &CsvOptions::default(),
        )?;
        let review = Review::from_table(&m)?;
        let (p, a) = summer()?;
        let at = attribute(&p, &a, Method::Lmdi)?;
        let parts = ReportParts {
            title: "Summer promotion <review>".to_string(),
            review: &review,
            focus: Some(focus(&review, "sales", None)?),
            top: 3,
            attribution: Some(&at),
            recovery: None,
            actions: None,
            lessons: None,
            periods: None,
        };
        let html = review_report(&parts)?.to_html();
        assert!(html.contains("<title>Summer promotion &lt;review&gt;</title>"));
        assert_eq!(
            html.matches("<table>").count(),
            3,
            "targets, focus, attribution"
        );
        assert_eq!(html.matches("<svg").count(), 2, "bars and waterfall");
        for cell in [
            "5,000,000",
            "4,500,000",
            "-500,000",
            "90.0%",
            "-1 pt",
            "80.0%",
            "1:2.2",
            "-0.8",
            "73.3%",
            "+12",
            "120.0%",
        ] {
            assert!(html.contains(&format!(">{cell}</td>")), "{cell}");
        }
        assert!(html.contains("<td class=\"status-over\">over</td>"));
        assert_eq!(html.matches("<td class=\"status-missed\">").count(), 4);
        // Each contribution appears in the table and as a waterfall label.
        for r in &at.rows {
            let c = signed_whole(r.contribution);
            assert!(html.contains(&format!("<td>{c}</td>")), "{c}");
            assert!(html.contains(&format!(">{c}</text>")), "{c}");
        }
        // Self-contained: the only URL is the SVG namespace.
        assert!(
            !html.contains("src=")
                && !html.replace("href=\"#", "").contains("href=")
                && !html.contains("url(")
        );
        assert_eq!(
            html.matches("http").count(),
            html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        );
        let md = review_report(&parts)?.to_markdown();
        assert!(
            md.contains("| impressions | 5,000,000 | 4,500,000 | -500,000 | 90.0% | missed |"),
            "{md}"
        );
        Ok(())
    }

    /// The header of the metrics file and the comparison with last year are in the
    /// report.
    #[test]
    fn header_and_periods_in_the_report() -> Result<(), ReviewError> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/review/");
        let file = |n: &str| std::path::PathBuf::from(format!("{dir}{n}"));
        let review = Review::from_file(
            &file("summer_metrics.csv"),
            "summer_metrics.csv",
            true,
            &Default::default(),
        )?;
        let last = Review::from_file(
            &file("summer_2023_actuals.csv"),
            "2023.csv",
            false,
            &Default::default(),
        )?;
        let periods = crate::review::compare_periods(&review, &last, ("2024", "2023"))?;
        let parts = ReportParts {
            title: "Summer".to_string(),
            review: &review,
            focus: None,
            top: 3,
            attribution: None,
            recovery: None,
            actions: None,
            lessons: None,
            periods: Some(&periods),
        };
        let rep = review_report(&parts)?;
        let html = rep.to_html();
        for text in [
            "<dt>Campaign</dt><dd>Summer promotion</dd>",
            "<dt>Dates</dt><dd>2024-07-01 to 2024-07-15</dd>",
            "<dt>Owner</dt><dd>Chen</dd>",
            "<dt>Target group</dt><dd>new customers aged 18-35</dd>",
            "Against 2023",
            "<td>+12.5%</td>",
            "<td>-0.5 pt</td>",
            "<td>n/a (from 0)</td>",
        ] {
            assert!(html.contains(text), "{text}");
        }
        let md = rep.to_markdown();
        assert!(md.contains("Summer promotion"), "{md}");
        Ok(())
    }
}
