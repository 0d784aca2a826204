//! Script API of the review domain (复盘): `review` (targets against actuals),
//! `focus`, `attribute` (the gap through the funnel), `recover` (what-ifs), `actions`,
//! `carry_over`, `lessons`, `search_lessons`, `compare_reviews`.
//!
//! Domain code lives in `crate::review`; this file converts script values.

use crate::funnel::FunnelPlan;
use crate::render::{format_grouped, render_table, review_chart, review_report, review_text};
use crate::review::{
    self, Action, Attribution, FunnelNumbers, LessonQuery, Method, PeriodComparison, Recovery,
    Review, ReviewError,
};
use crate::script::{context, num, script_error, table_arg, table_from_dynamic, Options};
use crate::table::SheetOptions;
use crate::table::Table;
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: functions plus the `Review`, `Attribution` and `Recovery` types.
pub fn module() -> Module {
    let mut m = exported_module!(review_api);
    m.set_custom_type::<Review>("Review");
    m.set_custom_type::<Attribution>("Attribution");
    m.set_custom_type::<Recovery>("Recovery");
    m.set_custom_type::<PeriodComparison>("PeriodComparison");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

fn err(e: ReviewError) -> Box<EvalAltResult> {
    script_error(e)
}

/// The headline of a review: the option, else `sales`, else `revenue`.
fn headline(r: &Review, given: Option<String>) -> R<String> {
    if let Some(h) = given {
        return Ok(h);
    }
    r.headline().map(str::to_string).ok_or_else(|| {
        script_error(format!(
            "focus: the review has no headline metric ({}); name it with #{{ headline: \"orders\" }}",
            review::HEADLINE_NAMES.join(", ")
        ))
    })
}

fn method(o: &Options) -> R<Method> {
    match o.str("method")? {
        Some(m) => Method::parse(&m).map_err(err),
        None => Ok(Method::Lmdi),
    }
}

/// The `(stage, volume)` pairs of a table's `stage` and `column` columns.
fn stage_volumes(t: &Table, column: &str) -> R<Vec<(String, f64)>> {
    let stages = t.column("stage").map_err(script_error)?;
    let c = t.column(column).map_err(script_error)?;
    (0..t.n_rows())
        .map(|r| {
            let stage = stages.text_at(r).unwrap_or_default();
            let v = c
                .f64_at(r)
                .ok_or_else(|| script_error(t.bad_cell(r, column, "a volume (a number)", "")))?;
            Ok((stage, v))
        })
        .collect()
}

/// The columns a funnel volumes table may have (any other is refused).
const FUNNEL_COLUMNS: [&str; 4] = ["stage", "planned", "actual", "rate_name"];

/// The rates' own names: the `names` option (stage or `<stage>_rate` → name), then the
/// table's `rate_name` column (the name of the rate leaving each stage) when given.
fn rate_names(o: &Options, function: &str, t: Option<&Table>) -> R<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(t) = t.filter(|t| t.has_column("rate_name")) {
        let (stages, names) = (
            t.column("stage").map_err(script_error)?,
            t.column("rate_name").map_err(script_error)?,
        );
        for r in 0..t.n_rows() {
            let name = names.text_at(r).unwrap_or_default();
            if !name.trim().is_empty() {
                out.push((stages.text_at(r).unwrap_or_default(), name));
            }
        }
    }
    if let Some(v) = o.raw("names").filter(|v| !v.is_unit()) {
        let map = v.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
            script_error(format!(
                "{function}: option 'names' must be a map stage → name, e.g. #{{ visits: \"sign-up conversion\" }}"
            ))
        })?;
        for (k, v) in map {
            if !v.is_string() {
                return Err(script_error(format!(
                    "{function}: the name given for '{k}' must be a string"
                )));
            }
            out.push((k.to_string(), v.to_string()));
        }
    }
    Ok(out)
}

/// Planned and actual funnels from a table `stage, planned, actual` of volumes (and
/// `rate_name`), the rates named by `names`.
fn funnels(
    t: &Table,
    function: &str,
    planned_aov: Option<f64>,
    actual_aov: Option<f64>,
    names: &[(String, String)],
) -> R<(FunnelNumbers, FunnelNumbers)> {
    crate::table::check_known_columns(t, &FUNNEL_COLUMNS).map_err(script_error)?;
    t.require(&["stage", "planned", "actual"])
        .map_err(script_error)?;
    let col = |name: &str| stage_volumes(t, name);
    if planned_aov.is_some() != actual_aov.is_some() {
        return Err(script_error(format!(
            "{function}: give both planned_aov and actual_aov (or neither, to attribute conversions)"
        )));
    }
    let p = FunnelNumbers::from_volumes(&col("planned")?, planned_aov, None).map_err(err)?;
    let a = FunnelNumbers::from_volumes(&col("actual")?, actual_aov, Some(&p)).map_err(err)?;
    let named = |f: FunnelNumbers| {
        f.with_names(names)
            .map_err(|e| script_error(format!("{function}: {e}")))
    };
    Ok((named(p)?, named(a)?))
}

/// A table from a path (a CSV file or a workbook's first sheet, read through the
/// sandbox) or a table value.
fn load(ctx: &NativeCallContext, v: Dynamic, what: &str) -> R<Table> {
    table_arg(ctx, v, what, &SheetOptions::default())
}

/// A review from a `Review`, a metrics table, or a metrics file's path.
fn to_review(ctx: &NativeCallContext, v: Dynamic, what: &str) -> R<Review> {
    review_of(ctx, v, what, true)
}

/// [`to_review`], with the `target` column optional when `need_target` is false.
fn review_of(ctx: &NativeCallContext, v: Dynamic, what: &str, need_target: bool) -> R<Review> {
    if let Some(r) = v.clone().try_cast::<Review>() {
        return Ok(r);
    }
    if v.is_string() {
        let path = v.to_string();
        let run = context(ctx)?;
        let resolved = run.sandbox.resolve_read(&path).map_err(script_error)?;
        return Review::from_file(&resolved, &path, need_target, &SheetOptions::default())
            .map_err(err);
    }
    Review::read(&table_from_dynamic(v, what)?, need_target).map_err(err)
}

/// The review with its header set from the options `campaign`, `dates`, `start`, `end`,
/// `owner`, `target_group`; an error when the file already carries a header and the
/// options give one too.
fn with_header_options(mut r: Review, o: &Options) -> R<Review> {
    const KEYS: [&str; 6] = ["campaign", "dates", "start", "end", "owner", "target_group"];
    if !KEYS.iter().any(|k| o.raw(k).is_some()) {
        return Ok(r);
    }
    if !r.header.is_empty() {
        return Err(script_error(format!(
            "review: {} already has a header ({}); give it in the file or as options, not both",
            r.source,
            review_text::header_line(&r.header)
        )));
    }
    for key in KEYS {
        if let Some(v) = o.str(key)? {
            r.header
                .set(key, &v, &format!("review: option '{key}'"))
                .map_err(err)?;
        }
    }
    Ok(r)
}

/// A period's name: its header's campaign, else its file's name.
fn period_name(r: &Review) -> String {
    r.header
        .campaign
        .clone()
        .unwrap_or_else(|| campaign_name(&r.source))
}

/// The review's header as a map: `campaign, start, end, owner, target_group`, only
/// those set.
fn header_map(r: &Review) -> Map {
    let h = &r.header;
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), Dynamic::from(v));
        }
    };
    put("campaign", h.campaign.clone());
    put("start", h.start.map(|d| d.to_string()));
    put("end", h.end.map(|d| d.to_string()));
    put("owner", h.owner.clone());
    put("target_group", h.target_group.clone());
    m
}

/// The actions of one source or an array of sources (paths or tables).
fn load_actions(ctx: &NativeCallContext, v: Dynamic, what: &str) -> R<Vec<Action>> {
    let items: Vec<Dynamic> = if v.is_array()
        && !v
            .read_lock::<Array>()
            .is_some_and(|a| a.iter().all(|x| x.is_map()))
    {
        v.cast::<Array>()
    } else {
        vec![v]
    };
    let mut out = Vec::new();
    for item in items {
        let t = load(ctx, item, what)?;
        let from = campaign_name(t.source());
        out.extend(
            review::actions_from_table(&t)
                .map_err(err)?
                .into_iter()
                // A `from` column (a carried-over table read back) names the review.
                .map(|a| Action {
                    from: if a.from == t.source() {
                        from.clone()
                    } else {
                        a.from.clone()
                    },
                    ..a
                }),
        );
    }
    Ok(out)
}

/// The comparison of two periods; `names` overrides the names taken from the reviews.
fn periods(
    ctx: &NativeCallContext,
    current: Dynamic,
    previous: Dynamic,
    names: Option<(Option<String>, Option<String>)>,
) -> R<PeriodComparison> {
    let c = review_of(ctx, current, "compare_periods: current", false)?;
    let p = review_of(ctx, previous, "compare_periods: previous", false)?;
    let (cn, pn) = names.unwrap_or_default();
    let cn = cn.unwrap_or_else(|| period_name(&c));
    let pn = pn.unwrap_or_else(|| period_name(&p));
    review::compare_periods(&c, &p, (&cn, &pn)).map_err(err)
}

fn date(text: &str, what: &str) -> R<chrono::NaiveDate> {
    crate::units::parse_date(text).map_err(|e| script_error(format!("{what}: {e}")))
}

/// A campaign's name from a source: the file name without `.csv`, or its folder's name
/// when the file is called `metrics.csv`, `actions.csv`, `lessons.csv` or `review.csv`
/// (one folder per campaign, as `pacer batch` writes them).
fn campaign_name(source: &str) -> String {
    // `lessons.csv.gz` is named as `lessons.csv` would be.
    let p = std::path::Path::new(source.strip_suffix(".gz").unwrap_or(source));
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.to_string());
    if ["metrics", "actions", "lessons", "review"]
        .iter()
        .any(|g| stem.eq_ignore_ascii_case(g))
    {
        if let Some(dir) = p.parent().and_then(|d| d.file_name()) {
            return dir.to_string_lossy().into_owned();
        }
    }
    stem
}

fn changes(map: &Map) -> R<Vec<(String, String)>> {
    map.iter()
        .map(|(k, v)| {
            let text = if v.is_string() {
                v.to_string()
            } else {
                format!("={}", num(v, &format!("recover: change of '{k}'"))?)
            };
            Ok((k.to_string(), text))
        })
        .collect()
}

fn recovery_summary(r: &Recovery) -> String {
    let mut s = format!(
        "What-if: {} -> {} ({})",
        format_grouped(r.before(), 0),
        format_grouped(r.after(), 0),
        review_chart::signed_whole(r.recovered())
    );
    if let (Some(t), Some(share)) = (r.target, r.share_of_gap()) {
        s.push_str(&format!(
            ", {} of the gap to the target {}",
            review_text::percent1(share),
            format_grouped(t, 0)
        ));
    }
    s
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod review_api {
    use super::*;

    /// Reviews targets against actuals. The table has columns `dimension, metric,
    /// target, actual` and optionally `unit`, `better` (`higher`, the default, or
    /// `lower` for cost and CAC) and `note`. Cells may be numbers, percentages (`5%`)
    /// or ratios (`1:2.2`, read as 2.2). For each metric: `difference = actual -
    /// target` (in points for percentages), `achievement = actual / target` (not for a
    /// zero or missing target: shown `n/a`), and `status` `met`, `missed`, or `over`
    /// (lower-is-better metrics above target). Prints as the handbook's table.
    ///
    /// ```rhai
    /// let r = review(table([
    ///     #{ dimension: "traffic", metric: "impressions", target: 5000000, actual: 4500000 },
    ///     #{ dimension: "conversion", metric: "sign-up conversion", target: "5%", actual: "4%" },
    ///     #{ dimension: "revenue", metric: "ROI", target: "1:3", actual: "1:2.2" },
    ///     #{ dimension: "cost", metric: "total cost", target: 60, actual: 72, better: "lower" },
    /// ]));
    /// print(r);   // -500,000 90%; -1 pt 80%; -0.8 73.3%; +12 120% over
    /// ```
    #[rhai_fn(name = "review", return_raw)]
    pub fn review_table(metrics: Dynamic) -> R<Review> {
        let t = table_from_dynamic(metrics, "review: metrics")?;
        Review::from_table(&t).map_err(err)
    }

    /// Reviews targets against actuals (as `review(metrics)`) with the review's header
    /// given as options: `campaign`, `dates` (`"2024-07-01 to 2024-07-15"`) or `start`
    /// and `end` (`YYYY-MM-DD`), `owner`, `target_group`. A metrics file carries them as
    /// `field,value` lines above its table instead (see `review(path)`). The header
    /// heads the printed review and the report.
    ///
    /// ```rhai
    /// let r = review("fixtures/review/past/2024-06-618/metrics.csv",
    ///     #{ campaign: "618", dates: "2024-06-01 to 2024-06-18", owner: "Chen", target_group: "members" });
    /// print(r.header.owner);   // Chen
    /// ```
    #[rhai_fn(name = "review", return_raw)]
    pub fn review_with(ctx: NativeCallContext, metrics: Dynamic, options: Map) -> R<Review> {
        let o = Options::new(
            "review",
            options,
            &["campaign", "dates", "start", "end", "owner", "target_group"],
        )?;
        let r = to_review(&ctx, metrics, "review: metrics")?;
        with_header_options(r, &o)
    }

    /// The review's header: a map with `campaign`, `start`, `end`, `owner` and
    /// `target_group`, each only when given (empty when there is no header).
    ///
    /// ```rhai
    /// let h = review("fixtures/review/summer_metrics.csv").header;
    /// print(`${h.campaign}, ${h.start} to ${h.end}, owner ${h.owner}`);
    /// ```
    #[rhai_fn(get = "header", pure)]
    pub fn review_header(r: &mut Review) -> Map {
        header_map(r)
    }

    /// Reviews the metrics file at `path`, keeping each cell's notation (`5%`, `1:2.2`)
    /// as written. Same columns as `review(table)`; any other column is refused, naming
    /// the known ones. Lines above the table's header line (the first line with a
    /// `metric` column) are the review's header, one `field,value` per line:
    /// `campaign` (活动名称), `dates` (活动时间, `2024-07-01 to 2024-07-15`) or `start`
    /// and `end`, `owner` (负责人), `target group` (目标人群).
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// print(r.formatted);
    /// ```
    #[rhai_fn(name = "review", return_raw)]
    pub fn review_path(ctx: NativeCallContext, path: &str) -> R<Review> {
        review_path_with(ctx, path, Map::new())
    }

    /// Reviews the metrics in a file with options: the header's fields (as for
    /// `review(metrics, options)`), and `sheet`, which names the sheet of a workbook
    /// (`.xlsx`, `.xls`, `.ods`; default its first sheet). Same columns as
    /// `review(table)`; in a workbook, text cells keep their notation and number cells
    /// are numbers (a percent-formatted cell holds its fraction), and rows above the
    /// row with a `metric` cell are the header block, a field and its value per row.
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_review.xlsx", #{ sheet: "metrics" });
    /// print(r.formatted);
    /// ```
    #[rhai_fn(name = "review", return_raw)]
    pub fn review_path_with(ctx: NativeCallContext, path: &str, options: Map) -> R<Review> {
        let o = Options::new(
            "review",
            options,
            &[
                "sheet",
                "campaign",
                "dates",
                "start",
                "end",
                "owner",
                "target_group",
            ],
        )?;
        let sheet = SheetOptions {
            sheet: o.str("sheet")?,
            range: None,
        };
        let run = context(&ctx)?;
        let resolved = run.sandbox.resolve_read(path).map_err(script_error)?;
        let r = Review::from_file(&resolved, path, true, &sheet).map_err(err)?;
        with_header_options(r, &o)
    }

    /// The review as numbers: `dimension, metric, unit, better, notation, target,
    /// actual, difference, achievement, status, note` (percentages as fractions,
    /// ratios as their second term), for `write_csv` and comparisons.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn review_numbers(r: &mut Review) -> R<Table> {
        r.table().map_err(err)
    }

    /// The review as the handbook writes it (`5,000,000`, `5%`, `1:2.2`, `-1 pt`,
    /// `73.3%`), all text: what `print` shows and what reports use.
    #[rhai_fn(get = "formatted", pure, return_raw)]
    pub fn review_formatted(r: &mut Review) -> R<Table> {
        review_text::review_formatted(r).map_err(script_error)
    }

    /// The number of metrics met.
    #[rhai_fn(get = "met", pure)]
    pub fn review_met(r: &mut Review) -> i64 {
        r.counts().0 as i64
    }

    /// The number of higher-is-better metrics that missed their target.
    #[rhai_fn(get = "missed", pure)]
    pub fn review_missed(r: &mut Review) -> i64 {
        r.counts().1 as i64
    }

    /// The number of lower-is-better metrics over their target.
    #[rhai_fn(get = "over", pure)]
    pub fn review_over(r: &mut Review) -> i64 {
        r.counts().2 as i64
    }

    /// One metric as a map `#{ metric, target, actual, difference, achievement,
    /// status }` (numbers; `()` where there is none).
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// print(r.metric("sales").achievement);   // 0.8
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn metric(r: &mut Review, name: &str) -> R<Map> {
        let row = r.get(name, "metric").map_err(err)?;
        let f = |x: Option<f64>| x.map_or(Dynamic::UNIT, Dynamic::from_float);
        let mut m = Map::new();
        m.insert("metric".into(), Dynamic::from(row.metric.clone()));
        m.insert("target".into(), f(row.target.map(|q| q.value)));
        m.insert("actual".into(), f(row.actual.map(|q| q.value)));
        m.insert("difference".into(), f(row.difference));
        m.insert("achievement".into(), f(row.achievement));
        m.insert(
            "status".into(),
            Dynamic::from(row.status.name().to_string()),
        );
        Ok(m)
    }

    /// The gaps ranked by their effect on the headline (sales, else revenue), largest
    /// first, the top 3 then the rest: `rank, metric, dimension, achievement, effect,
    /// share`. The effect of a driver is its LMDI share of the headline's gap,
    /// `L(H1, H0) x ln(actual / target)`; drivers are the higher-is-better traffic and
    /// conversion metrics.
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// print(r.focus());
    /// ```
    #[rhai_fn(name = "focus", pure, return_raw)]
    pub fn focus_default(r: &mut Review) -> R<Table> {
        focus_with(r, Map::new())
    }

    /// `focus` with options: `headline` (a metric name), `drivers` (metric names whose
    /// product is the headline), `top` (how many to list before the rest, default 3).
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// print(r.focus(#{ headline: "sales", drivers: ["impressions", "order rate"], top: 2 }));
    /// ```
    #[rhai_fn(name = "focus", pure, return_raw)]
    pub fn focus_with(r: &mut Review, options: Map) -> R<Table> {
        let o = Options::new("focus", options, &["headline", "drivers", "top"])?;
        let h = headline(r, o.str("headline")?)?;
        let drivers = o.strings("drivers")?;
        let top = o.i64("top")?.unwrap_or(3);
        if top < 1 {
            return Err(script_error(format!(
                "focus: option 'top' must be at least 1, got {top}"
            )));
        }
        let f = review::focus(r, &h, drivers.as_deref()).map_err(err)?;
        f.table(top as usize).map_err(err)
    }

    /// The review as the handbook's table, with a count of statuses.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn review_to_string(r: &mut Review) -> String {
        let (met, missed, over) = r.counts();
        let table = review_text::review_formatted(r)
            .map(|t| render_table(&t))
            .unwrap_or_default();
        let header = review_text::header_line(&r.header);
        format!(
            "{}Review of {} metrics: {met} met, {missed} missed, {over} over target\n{table}",
            if header.is_empty() {
                String::new()
            } else {
                format!("{header}\n")
            },
            r.rows.len()
        )
    }

    /// Splits the result gap of a funnel among its factors: the entering traffic, each
    /// stage's conversion rate (the share of the stage reaching the next one) and the
    /// average order value. `funnel` is a table `stage, planned, actual` of stage
    /// volumes, top to bottom, with an optional `rate_name` column naming the rate that
    /// leaves each stage after the user's own metric (`CTR`, `sign-up conversion`,
    /// `order rate`); the `names` option does the same (`#{ names: #{ visits:
    /// "sign-up conversion" } }`, by stage or `<stage>_rate`). Unnamed rates are shown
    /// as `visits → signups`, the order value as `average order value`; the
    /// identifiers `<stage>_rate` and `aov` stay accepted wherever a factor is named
    /// (`a.contribution(..)`, `recover`). With `#{ planned_aov, actual_aov }` the
    /// result is revenue, else conversions. The contributions add up exactly to the
    /// gap and do not depend on the order of the stages: LMDI (log-mean Divisia,
    /// `L(V1, V0) x ln(actual / planned)` per factor) by default, `#{ method:
    /// "shapley" }` for the Shapley split (used anyway when a factor is zero).
    ///
    /// ```rhai
    /// let f = load_csv("fixtures/review/summer_funnel.csv");
    /// let a = attribute(f, #{ planned_aov: 400, actual_aov: 500 });
    /// print(a);          // gap -400000: impressions, CTR, sign-up conversion, order rate, aov
    /// print(a.gap);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn attribute(funnel: Table, options: Map) -> R<Attribution> {
        let o = Options::new(
            "attribute",
            options,
            &["planned_aov", "actual_aov", "method", "names"],
        )?;
        let method = method(&o)?;
        let (p, a) = funnels(
            &funnel,
            "attribute",
            o.f64("planned_aov")?,
            o.f64("actual_aov")?,
            &rate_names(&o, "attribute", Some(&funnel))?,
        )?;
        review::attribute(&p, &a, method).map_err(err)
    }

    /// Splits the gap between a funnel plan (from `funnel(...).forward(...)` or
    /// `.for_revenue(...)`) and what happened: `actual` is another plan (the actual
    /// funnel), or a table `stage, volume` with the actual volume of each of the
    /// plan's stages in order and then the conversions. Same method as
    /// `attribute(table, ...)`.
    ///
    /// ```rhai
    /// let plan = funnel([#{ name: "impressions", rate: "4%" }, #{ name: "visits", rate: "5%" },
    ///                    #{ name: "signups", rate: "50%" }], #{ aov: 400 }).forward(5000000);
    /// let actual = funnel([#{ name: "impressions", rate: 200000.0 / 4500000.0 }, #{ name: "visits", rate: "4%" },
    ///                      #{ name: "signups", rate: "40%" }], #{ aov: 500 }).forward(4500000);
    /// print(attribute(plan, actual).gap);   // -400000
    /// ```
    #[rhai_fn(name = "attribute", return_raw)]
    pub fn attribute_plan(plan: FunnelPlan, actual: Dynamic) -> R<Attribution> {
        attribute_plan_with(plan, actual, Map::new())
    }

    /// `attribute(plan, actual)` with options: `aov` (the actual average order value,
    /// needed with a volumes table when the plan has an aov), `method`
    /// (`"lmdi"` or `"shapley"`) and `names` (the rates' own names by stage:
    /// `#{ impressions: "CTR", visits: "sign-up conversion" }`).
    ///
    /// ```rhai
    /// let plan = funnel([#{ name: "impressions", rate: "4%" }, #{ name: "visits", rate: "5%" },
    ///                    #{ name: "signups", rate: "50%" }], #{ aov: 400 }).forward(5000000);
    /// let actual = table([#{ stage: "impressions", volume: 4500000 }, #{ stage: "visits", volume: 200000 },
    ///                     #{ stage: "signups", volume: 8000 }, #{ stage: "orders", volume: 3200 }]);
    /// print(attribute(plan, actual, #{ aov: 500 }));
    /// ```
    #[rhai_fn(name = "attribute", return_raw)]
    pub fn attribute_plan_with(plan: FunnelPlan, actual: Dynamic, options: Map) -> R<Attribution> {
        let o = Options::new("attribute", options, &["aov", "method", "names"])?;
        let method = method(&o)?;
        let names = rate_names(&o, "attribute", None)?;
        let named = |f: FunnelNumbers| {
            f.with_names(&names)
                .map_err(|e| script_error(format!("attribute: {e}")))
        };
        let planned = named(FunnelNumbers::from_plan(&plan))?;
        let actual = if let Some(a) = actual.clone().try_cast::<FunnelPlan>() {
            if o.raw("aov").is_some() {
                return Err(script_error(
                    "attribute: the actual plan carries its own aov; drop the aov option",
                ));
            }
            FunnelNumbers::from_plan(&a)
        } else {
            let t = table_from_dynamic(actual, "attribute: actual")?;
            let volume = if t.has_column("volume") {
                "volume"
            } else {
                "actual"
            };
            t.require(&["stage", volume]).map_err(script_error)?;
            let volumes = stage_volumes(&t, volume)?;
            FunnelNumbers::actual_for_plan(&plan, &volumes, o.f64("aov")?).map_err(err)?
        };
        review::attribute(&planned, &named(actual)?, method).map_err(err)
    }

    /// The attribution as a table `factor, step, planned, actual, change,
    /// contribution, share`.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn attribution_table(a: &mut Attribution) -> R<Table> {
        a.table().map_err(err)
    }

    /// The attribution as the report shows it, all text: `4%`, `-10%`, `-188,866`,
    /// `47.2%`.
    #[rhai_fn(get = "formatted", pure, return_raw)]
    pub fn attribution_formatted(a: &mut Attribution) -> R<Table> {
        review_report::attribution_formatted(a).map_err(err)
    }

    /// The gap, `actual - planned`.
    #[rhai_fn(get = "gap", pure)]
    pub fn attribution_gap(a: &mut Attribution) -> f64 {
        a.gap()
    }

    /// The planned result.
    #[rhai_fn(get = "planned", pure)]
    pub fn attribution_planned(a: &mut Attribution) -> f64 {
        a.planned
    }

    /// The actual result.
    #[rhai_fn(get = "actual", pure)]
    pub fn attribution_actual(a: &mut Attribution) -> f64 {
        a.actual
    }

    /// The method used: `lmdi` or `shapley`.
    #[rhai_fn(get = "method", pure)]
    pub fn attribution_method(a: &mut Attribution) -> String {
        a.method.name().to_string()
    }

    /// The contributions as a map factor → contribution.
    #[rhai_fn(get = "contributions", pure)]
    pub fn attribution_contributions(a: &mut Attribution) -> Map {
        a.rows
            .iter()
            .map(|r| {
                (
                    r.factor.name.as_str().into(),
                    Dynamic::from_float(r.contribution),
                )
            })
            .collect()
    }

    /// One factor's contribution to the gap, the factor named by its name (`CTR`,
    /// `visits → signups`, `average order value`; any case) or its identifier
    /// (`impressions_rate`, `aov`, `entering`).
    ///
    /// ```rhai
    /// let a = attribute(load_csv("fixtures/review/summer_funnel.csv"), #{ planned_aov: 400, actual_aov: 500 });
    /// print(a.contribution("sign-up conversion") == a.contribution("visits_rate"));   // true
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn contribution(a: &mut Attribution, factor: &str) -> R<f64> {
        a.find(factor).map(|r| r.contribution).ok_or_else(|| {
            script_error(format!(
                "contribution: no factor '{}'; the factors are {}",
                factor.trim(),
                a.rows
                    .iter()
                    .map(|r| r.factor.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// The attribution with its totals, formatted (the numbers are in `.table`).
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn attribution_to_string(a: &mut Attribution) -> String {
        let table = review_report::attribution_formatted(a)
            .map(|t| render_table(&t))
            .unwrap_or_default();
        format!(
            "Gap {} -> {}: {} split by {}\n{table}",
            format_grouped(a.planned, 0),
            format_grouped(a.actual, 0),
            review_chart::signed_whole(a.gap()),
            a.method.name()
        )
    }

    /// What-if on the actual funnel: re-runs the `actual` column of `funnel` (a table
    /// `stage, planned, actual` of volumes) with `changes` and reports how much of the
    /// gap to the planned result would have been recovered. Changes by factor:
    /// `"+1pt"` adds points to a rate, `"+4%"` scales, `"=5%"` or a number sets.
    /// Factors are named as in `attribute` (the entering stage, a rate's own name from
    /// `rate_name` or `#{ names }`, else `visits → signups`, `average order value`; any
    /// case), or by the identifiers `entering`, `<stage>_rate`, `aov`.
    ///
    /// ```rhai
    /// let f = load_csv("fixtures/review/summer_funnel.csv");
    /// let w = recover(f, #{ "sign-up conversion": "+1pt", impressions: "+4%" },
    ///                 #{ planned_aov: 400, actual_aov: 500 });
    /// print(w.recovered);   // 480000: 120% of the 400000 gap
    /// ```
    #[rhai_fn(name = "recover", return_raw)]
    pub fn recover_table(funnel: Table, changes: Map, options: Map) -> R<Recovery> {
        let o = Options::new(
            "recover",
            options,
            &["planned_aov", "actual_aov", "target", "names"],
        )?;
        let (p, a) = funnels(
            &funnel,
            "recover",
            o.f64("planned_aov")?,
            o.f64("actual_aov")?,
            &rate_names(&o, "recover", Some(&funnel))?,
        )?;
        let target = o.f64("target")?.unwrap_or_else(|| p.result());
        review::recover(&a, &super::changes(&changes)?, Some(target)).map_err(err)
    }

    /// What-if on a funnel plan (the actual funnel, from `funnel(...).forward(...)`):
    /// re-runs the funnel with `changes` (`"+1pt"` on a rate, `"+4%"` or `"=value"` on
    /// the entering stage, a rate or the order value; factors named as in `recover(table,
    /// ..)`: by `<stage>_rate`, or by a name given with `#{ names }`) and reports the
    /// result before and after. The re-run plan is in `.plan`.
    ///
    /// ```rhai
    /// let actual = funnel([#{ name: "impressions", rate: 200000.0 / 4500000.0 }, #{ name: "visits", rate: "4%" },
    ///                      #{ name: "signups", rate: "40%" }], #{ aov: 500 }).forward(4500000);
    /// let w = recover(actual, #{ visits_rate: "+1pt", impressions: "+4%" });
    /// print(w.plan.revenue);   // 2080000
    /// ```
    #[rhai_fn(name = "recover", return_raw)]
    pub fn recover_plan(plan: FunnelPlan, changes: Map) -> R<Recovery> {
        recover_plan_with(plan, changes, Map::new())
    }

    /// `recover(plan, changes)` with `#{ target }`: the result the plan aimed at, to
    /// report the share of the gap recovered; and `#{ names }` naming the plan's rates
    /// (`#{ visits: "sign-up conversion" }`).
    ///
    /// ```rhai
    /// let actual = funnel([#{ name: "impressions", rate: 200000.0 / 4500000.0 }, #{ name: "visits", rate: "4%" },
    ///                      #{ name: "signups", rate: "40%" }], #{ aov: 500 }).forward(4500000);
    /// print(recover(actual, #{ visits_rate: "+1pt", impressions: "+4%" }, #{ target: 2000000 }).share);   // 1.2
    /// print(recover(actual, #{ "sign-up conversion": "+1pt", impressions: "+4%" },
    ///               #{ target: 2000000, names: #{ visits: "sign-up conversion" } }).share);   // 1.2
    /// ```
    #[rhai_fn(name = "recover", return_raw)]
    pub fn recover_plan_with(plan: FunnelPlan, changes: Map, options: Map) -> R<Recovery> {
        let o = Options::new("recover", options, &["target", "names"])?;
        review::recover_plan(
            &plan,
            &super::changes(&changes)?,
            o.f64("target")?,
            &rate_names(&o, "recover", None)?,
        )
        .map_err(err)
    }

    /// The re-run funnel plan of a what-if started from a plan (`()` otherwise).
    #[rhai_fn(get = "plan", pure)]
    pub fn recovery_plan(r: &mut Recovery) -> Dynamic {
        r.plan.clone().map_or(Dynamic::UNIT, Dynamic::from)
    }

    /// The result before the changes.
    #[rhai_fn(get = "before", pure)]
    pub fn recovery_before(r: &mut Recovery) -> f64 {
        r.before()
    }

    /// The result with the changes.
    #[rhai_fn(get = "after", pure)]
    pub fn recovery_after(r: &mut Recovery) -> f64 {
        r.after()
    }

    /// `after - before`.
    #[rhai_fn(get = "recovered", pure)]
    pub fn recovery_recovered(r: &mut Recovery) -> f64 {
        r.recovered()
    }

    /// The share of the gap to the target recovered (`()` without a gap).
    #[rhai_fn(get = "share", pure)]
    pub fn recovery_share(r: &mut Recovery) -> Dynamic {
        r.share_of_gap().map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The table `factor, change, before, after, contribution` with a `total` row.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn recovery_table(r: &mut Recovery) -> R<Table> {
        r.table().map_err(err)
    }

    /// The what-if table as the report shows it, all text (`4,680,000`, `5%`,
    /// `+408,245`).
    #[rhai_fn(get = "formatted", pure, return_raw)]
    pub fn recovery_formatted(r: &mut Recovery) -> R<Table> {
        review_report::recovery_formatted(r).map_err(err)
    }

    /// The what-if's summary and its formatted table (the numbers are in `.table`).
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn recovery_to_string(r: &mut Recovery) -> String {
        let table = review_report::recovery_formatted(r)
            .map(|t| render_table(&t))
            .unwrap_or_default();
        format!("{}\n{table}", recovery_summary(r))
    }

    /// The stage volumes of the funnel after the changes, as an array of maps.
    #[rhai_fn(get = "volumes", pure)]
    pub fn recovery_volumes(r: &mut Recovery) -> Array {
        r.changed
            .volumes()
            .into_iter()
            .map(|(s, v)| {
                let mut m = Map::new();
                m.insert("stage".into(), Dynamic::from(s));
                m.insert("volume".into(), Dynamic::from_float(v));
                Dynamic::from_map(m)
            })
            .collect()
    }

    // ---- actions, lessons, comparison ----------------------------------------

    /// Reads action items (`action, owner, due, expected_effect, status`, and the review
    /// template's `area`, `problem` and `root_cause` when given) from a file or a table
    /// and flags those overdue at `as_of` (`YYYY-MM-DD`): open (status not done, closed,
    /// completed, cancelled) and due before it. Returns `action` (then `area`,
    /// `problem`, `root_cause` when some action has them), `owner, due,
    /// expected_effect, status, overdue, days_overdue`. Any other column is refused,
    /// naming the known ones and the closest.
    ///
    /// ```rhai
    /// let a = actions("fixtures/review/summer_actions.csv", "2024-08-12");
    /// print(a.filter("overdue", "==", true).select(["action", "root_cause", "owner", "days_overdue"]));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn actions(ctx: NativeCallContext, source: Dynamic, as_of: &str) -> R<Table> {
        let list = load_actions(&ctx, source, "actions")?;
        review::actions_table(&list, date(as_of, "actions: as_of")?, false).map_err(err)
    }

    /// The open actions of one or more past reviews (files or tables, or an array of
    /// them) to carry into the next review, oldest due first, with the review they come
    /// from and whether they are overdue at `as_of`.
    ///
    /// ```rhai
    /// let open = carry_over(["fixtures/review/past/2024-06-618/actions.csv",
    ///                        "fixtures/review/summer_actions.csv"], "2024-08-12");
    /// print(open);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn carry_over(ctx: NativeCallContext, sources: Dynamic, as_of: &str) -> R<Table> {
        let list = load_actions(&ctx, sources, "carry_over")?;
        let open = review::carry_over(&list);
        review::actions_table(&open, date(as_of, "carry_over: as_of")?, true).map_err(err)
    }

    /// Reads lessons (`category, content, applies_to, evidence, recorded_by, date`)
    /// from a file or a table, checked; returns `review, date, category, content,
    /// applies_to, evidence, recorded_by`.
    ///
    /// ```rhai
    /// print(lessons("fixtures/review/summer_lessons.csv"));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn lessons(ctx: NativeCallContext, source: Dynamic) -> R<Table> {
        let t = load(&ctx, source, "lessons")?;
        let name = campaign_name(t.source());
        let list = review::lessons_from_table(&t, &name).map_err(err)?;
        review::lessons_table(&list).map_err(err)
    }

    /// Searches the lessons of every past review under `folder` (each CSV file whose
    /// name contains `lessons`, at any depth) by `category` (exact, any case) and/or
    /// `keyword` (in category, content, applies_to or evidence, any case); newest
    /// first. The `review` column names the sub-folder each lesson comes from.
    ///
    /// ```rhai
    /// print(search_lessons("fixtures/review/past", #{ keyword: "sign-up" }));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn search_lessons(ctx: NativeCallContext, folder: &str, options: Map) -> R<Table> {
        let o = Options::new("search_lessons", options, &["category", "keyword"])?;
        let query = LessonQuery {
            category: o.str("category")?,
            keyword: o.str("keyword")?,
        };
        let run = context(&ctx)?;
        let root = run.sandbox.resolve_read(folder).map_err(script_error)?;
        let mut all = Vec::new();
        for file in review::lesson_files(&root).map_err(err)? {
            // Each file is checked by the sandbox too (no escape through links).
            let checked = run
                .sandbox
                .resolve_read(&file.display().to_string())
                .map_err(script_error)?;
            let rel = file.strip_prefix(&root).unwrap_or(&file);
            let shown = std::path::Path::new(folder).join(rel).display().to_string();
            let t = crate::table::read_csv_path(&checked)
                .map_err(script_error)?
                .with_source(&shown);
            let name = match rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(p) => p.display().to_string(),
                None => campaign_name(&shown),
            };
            all.extend(review::lessons_from_table(&t, &name).map_err(err)?);
        }
        review::lessons_table(&review::search(&all, &query)).map_err(err)
    }

    /// Compares campaigns: `reviews` is a map campaign → review (a `Review`, a metrics
    /// table or a metrics file's path), or an array of them named after their files (a
    /// `metrics.csv` after its folder). Returns `dimension, metric`, one column per
    /// campaign with `actual / target`, `average` over the campaigns that have the
    /// metric, and `met` (`k/n`).
    ///
    /// ```rhai
    /// let c = compare_reviews(#{
    ///     "618": "fixtures/review/past/2024-06-618/metrics.csv",
    ///     summer: review("fixtures/review/summer_metrics.csv"),
    /// });
    /// print(c);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn compare_reviews(ctx: NativeCallContext, reviews: Dynamic) -> R<Table> {
        let mut list: Vec<(String, Review)> = Vec::new();
        if let Some(map) = reviews.read_lock::<Map>().map(|m| m.clone()) {
            for (k, v) in map {
                let r = to_review(&ctx, v, &format!("compare_reviews: '{k}'"))?;
                list.push((k.to_string(), r));
            }
        } else if reviews.is_array() {
            for (i, v) in reviews.cast::<Array>().into_iter().enumerate() {
                let r = to_review(&ctx, v, &format!("compare_reviews: element {i}"))?;
                list.push((period_name(&r), r));
            }
        } else {
            return Err(script_error(format!(
                "compare_reviews: give a map of campaign → review or an array of reviews, got {}",
                crate::script::type_label(&reviews)
            )));
        }
        review::compare(&list).map_err(err)
    }

    /// Compares the actuals of two periods (this campaign against the last one, or
    /// against the same period last year): each is a `Review`, a metrics table or a
    /// metrics file's path, whose `target` column may be missing. Metrics are matched
    /// by name (without regard to case); for each: `difference = current - previous`
    /// (in points for percentages), `growth = current / previous - 1` (missing, never
    /// infinite, when the previous value is 0 or negative) and `trend` (`better`,
    /// `worse`, `same`, by the metric's `better` direction). Periods are named after
    /// their header's campaign, else their file. Prints as a table in each metric's
    /// notation; `.table` has the numbers.
    ///
    /// ```rhai
    /// let c = compare_periods("fixtures/review/summer_metrics.csv",
    ///                         "fixtures/review/summer_2023_actuals.csv");
    /// print(c);                       // impressions 4,500,000 against 4,000,000: +12.5%
    /// print(c.table.filter("metric", "==", "sales")[0].growth);   // 0.2269...
    /// ```
    #[rhai_fn(return_raw)]
    pub fn compare_periods(
        ctx: NativeCallContext,
        current: Dynamic,
        previous: Dynamic,
    ) -> R<PeriodComparison> {
        periods(&ctx, current, previous, None)
    }

    /// `compare_periods(current, previous)` with the periods' names given:
    /// `#{ current: "2024", previous: "2023" }` (either may be left out).
    ///
    /// ```rhai
    /// let c = compare_periods("fixtures/review/summer_metrics.csv",
    ///     "fixtures/review/summer_2023_actuals.csv", #{ current: "2024", previous: "2023" });
    /// print(c.formatted);
    /// ```
    #[rhai_fn(name = "compare_periods", return_raw)]
    pub fn compare_periods_with(
        ctx: NativeCallContext,
        current: Dynamic,
        previous: Dynamic,
        options: Map,
    ) -> R<PeriodComparison> {
        let o = Options::new("compare_periods", options, &["current", "previous"])?;
        periods(
            &ctx,
            current,
            previous,
            Some((o.str("current")?, o.str("previous")?)),
        )
    }

    /// The comparison as numbers: `dimension, metric, unit, better, notation, current,
    /// previous, difference, growth, trend` (percentages as fractions).
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn periods_table(c: &mut PeriodComparison) -> R<Table> {
        c.table().map_err(err)
    }

    /// The comparison as people read it: values in each metric's notation, the
    /// difference in points for percentages, growth as a signed percentage.
    #[rhai_fn(get = "formatted", pure, return_raw)]
    pub fn periods_formatted(c: &mut PeriodComparison) -> R<Table> {
        review_text::periods_formatted(c).map_err(script_error)
    }

    /// How many metrics moved the better way.
    #[rhai_fn(get = "better", pure)]
    pub fn periods_better(c: &mut PeriodComparison) -> i64 {
        c.counts().0 as i64
    }

    /// How many metrics moved the worse way.
    #[rhai_fn(get = "worse", pure)]
    pub fn periods_worse(c: &mut PeriodComparison) -> i64 {
        c.counts().1 as i64
    }

    /// The comparison: a one-line summary and the formatted table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn periods_to_string(c: &mut PeriodComparison) -> String {
        let table = review_text::periods_formatted(c)
            .map(|t| render_table(&t))
            .unwrap_or_default();
        format!("{}\n{table}", review_text::periods_summary(c))
    }

    // ---- charts and the report -------------------------------------------------

    /// The target-vs-actual bars as an SVG document: `actual / target` per metric
    /// against a 100% line, coloured by status.
    #[rhai_fn(get = "svg", pure)]
    pub fn review_svg(r: &mut Review) -> String {
        review_chart::achievement_svg(r, "Target vs actual")
    }

    /// The waterfall from the planned to the actual result, one bar per factor, as an
    /// SVG document.
    #[rhai_fn(get = "svg", pure)]
    pub fn attribution_svg(a: &mut Attribution) -> String {
        review_chart::waterfall_svg(a, "From planned to actual")
    }

    /// Writes the review report as a self-contained HTML file (inline CSS and SVG, no
    /// network assets) and as Markdown under the output directory: the headline, the
    /// targets table with status colours, target-vs-actual bars, the gaps ranked by
    /// effect on the headline, and, when given, the attribution table and waterfall,
    /// a what-if, the actions and the lessons. Options: `title`, `html` and `md`
    /// (file names, default `review.html`, `review.md`), `attribution` (from
    /// `attribute`), `recover` (from `recover`), `periods` (from `compare_periods`),
    /// `actions` and `lessons` (tables),
    /// `headline`, `drivers`, `top` (as in `focus`). Returns `#{ html, md }`, the
    /// paths written.
    ///
    /// ```rhai
    /// let r = review("fixtures/review/summer_metrics.csv");
    /// let files = review_report(r, #{ title: "Summer promotion", html: "summer.html", md: "summer.md" });
    /// print(files.html);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn review_report(ctx: NativeCallContext, review: Review, options: Map) -> R<Map> {
        let o = Options::new(
            "review_report",
            options,
            &[
                "title",
                "html",
                "md",
                "attribution",
                "recover",
                "actions",
                "lessons",
                "headline",
                "drivers",
                "top",
                "periods",
            ],
        )?;
        let typed = |key: &str| o.raw(key).cloned().filter(|v| !v.is_unit());
        let attribution = match typed("attribution") {
            Some(v) => Some(v.try_cast::<Attribution>().ok_or_else(|| {
                script_error(
                    "review_report: option 'attribution' must be the result of attribute(...)",
                )
            })?),
            None => None,
        };
        let recovery = match typed("recover") {
            Some(v) => Some(v.try_cast::<Recovery>().ok_or_else(|| {
                script_error("review_report: option 'recover' must be the result of recover(...)")
            })?),
            None => None,
        };
        let periods = match typed("periods") {
            Some(v) => Some(v.try_cast::<PeriodComparison>().ok_or_else(|| {
                script_error(
                    "review_report: option 'periods' must be the result of compare_periods(...)",
                )
            })?),
            None => None,
        };
        let actions = match typed("actions") {
            Some(v) => Some(table_from_dynamic(v, "review_report: option 'actions'")?),
            None => None,
        };
        let lessons = match typed("lessons") {
            Some(v) => Some(table_from_dynamic(v, "review_report: option 'lessons'")?),
            None => None,
        };
        let top = o.i64("top")?.unwrap_or(3);
        if top < 1 {
            return Err(script_error(format!(
                "review_report: option 'top' must be at least 1, got {top}"
            )));
        }
        // The focus section needs a headline: given, or sales/revenue/gmv if present.
        let given = o.str("headline")?;
        let focus = match headline(&review, given.clone()) {
            Ok(h) => {
                let drivers = o.strings("drivers")?;
                Some(review::focus(&review, &h, drivers.as_deref()).map_err(err)?)
            }
            Err(e) if given.is_some() => return Err(e),
            Err(_) => None,
        };
        let parts = review_report::ReportParts {
            title: o
                .str("title")?
                .unwrap_or_else(|| "Campaign review".to_string()),
            review: &review,
            focus,
            top: top as usize,
            attribution: attribution.as_ref(),
            recovery: recovery.as_ref(),
            actions,
            lessons,
            periods: periods.as_ref(),
        };
        let report = review_report::review_report(&parts).map_err(err)?;
        let run = context(&ctx)?;
        let html_name = o.str("html")?.unwrap_or_else(|| "review.html".to_string());
        let md_name = o.str("md")?.unwrap_or_else(|| "review.md".to_string());
        let html = run
            .sandbox
            .write(&html_name, report.to_html().as_bytes())
            .map_err(script_error)?;
        let md = run
            .sandbox
            .write(&md_name, report.to_markdown().as_bytes())
            .map_err(script_error)?;
        let mut m = Map::new();
        m.insert("html".into(), Dynamic::from(html.display().to_string()));
        m.insert("md".into(), Dynamic::from(md.display().to_string()));
        Ok(m)
    }
}
