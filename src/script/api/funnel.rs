//! Script API of the funnel domain (planning half): building a funnel from stages,
//! forward projection, backward decomposition from conversions or a revenue goal,
//! and what-if copies.
//!
//! Domain code lives in `crate::funnel`; this file converts script values.

use crate::budget::Pricing;
use crate::funnel::{CheckOptions, Funnel, FunnelPlan, PlanCheck, Stage};
use crate::script::{num, script_error, table_from_dynamic, Options};
use crate::table::Table;
use crate::units::{parse_quantity, Rate};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: functions plus the `Funnel` and `FunnelPlan` types.
pub fn module() -> Module {
    let mut m = exported_module!(funnel_api);
    m.set_custom_type::<Funnel>("Funnel");
    m.set_custom_type::<FunnelPlan>("FunnelPlan");
    m.set_custom_type::<PlanCheck>("FunnelCheck");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

/// A rate from a script value: a number (0.15) or a string in cell notation ("15%").
pub(crate) fn rate_of(v: &Dynamic, what: &str) -> R<Rate> {
    let x = if v.is_string() {
        let s = v.to_string();
        parse_quantity(&s)
            .map_err(|e| script_error(format!("{what}: {e}")))?
            .value
    } else {
        num(v, what)?
    };
    Rate::new(x, what).map_err(script_error)
}

/// The stages array: object maps `#{ name, rate }` in funnel order.
fn stages_of(arr: &Array) -> R<Vec<Stage>> {
    arr.iter()
        .enumerate()
        .map(|(i, item)| {
            let map = item.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
                script_error(format!(
                    "funnel: stage {} must be an object map like #{{ name: \"acquisition\", rate: 0.15 }}, got {}",
                    i + 1,
                    crate::script::type_label(item)
                ))
            })?;
            let where_ = format!("funnel: stage {}", i + 1);
            let o = Options::new(&where_, map, &["name", "rate"])?;
            let name = o
                .str("name")?
                .ok_or_else(|| script_error(format!("{where_}: 'name' is missing")))?;
            let rate = o.raw("rate").ok_or_else(|| {
                script_error(format!("{where_} ('{name}'): 'rate' is missing"))
            })?;
            Ok(Stage::new(
                &name,
                rate_of(rate, &format!("funnel: stage '{name}': rate"))?,
            ))
        })
        .collect()
}

fn build(stages: Dynamic, aov: Option<f64>) -> R<Funnel> {
    let stages = if stages.is::<Table>() {
        let t: Table = stages.cast();
        crate::funnel::stages_from_table(&t).map_err(script_error)?
    } else {
        let arr = stages.read_lock::<Array>().ok_or_else(|| {
            script_error(format!(
                "funnel: stages must be an array like [#{{ name: \"acquisition\", rate: 0.15 }}, ...] or a table with columns stage and rate, got {}",
                crate::script::type_label(&stages)
            ))
        })?;
        stages_of(&arr)?
    };
    Funnel::new(stages, aov).map_err(script_error)
}

/// `media`: the visitors from a number, the price from `cpm` or `cpc`, the CTR.
fn media_map(visitors: f64, options: Map) -> R<Map> {
    let o = Options::new("media", options, &["ctr", "cpm", "cpc"])?;
    let ctr = o.raw("ctr").map(|v| rate_of(v, "media: ctr")).transpose()?;
    let pricing = match (o.f64("cpm")?, o.f64("cpc")?) {
        (Some(p), None) => Pricing::new("cpm", p),
        (None, Some(p)) => Pricing::new("cpc", p),
        (None, None) => {
            return Err(script_error(
                "media: give the price as cpm or cpc, like #{ ctr: 0.03, cpm: 50 }",
            ))
        }
        (Some(_), Some(_)) => return Err(script_error("media: give only one of cpm or cpc")),
    }
    .map_err(|e| script_error(format!("media: {e}")))?;
    let m = crate::funnel::media(visitors, ctr, pricing).map_err(script_error)?;
    let mut out = Map::new();
    out.insert("visitors".into(), Dynamic::from_float(m.visitors));
    out.insert(
        "ctr".into(),
        m.ctr
            .map_or(Dynamic::UNIT, |r| Dynamic::from_float(r.get())),
    );
    out.insert(
        "impressions".into(),
        m.impressions.map_or(Dynamic::UNIT, Dynamic::from_float),
    );
    out.insert("cost".into(), Dynamic::from_float(m.cost));
    Ok(out)
}

fn check(plan: Dynamic, options: Map) -> R<PlanCheck> {
    let o = Options::new("funnel_check", options, &["goal", "aov", "tolerance"])?;
    let t = table_from_dynamic(plan, "funnel_check: plan")?;
    let mut opts = CheckOptions {
        goal: o.f64("goal")?,
        aov: o.f64("aov")?,
        ..CheckOptions::default()
    };
    if let Some(tol) = o.raw("tolerance") {
        opts.tolerance = rate_of(tol, "funnel_check: tolerance")?;
    }
    crate::funnel::check_plan(&t, &opts).map_err(script_error)
}

fn sensitivity_table(f: &Funnel, entering: Dynamic, options: Map) -> R<Table> {
    let o = Options::new("sensitivity", options, &["step", "relative"])?;
    let s = crate::funnel::sensitivity(
        f,
        num(&entering, "sensitivity: entering")?,
        o.f64("step")?.unwrap_or(0.01),
        o.f64("relative")?.unwrap_or(0.01),
    )
    .map_err(script_error)?;
    Ok(s.to_table())
}

fn chart(ctx: &NativeCallContext, p: &FunnelPlan, path: &str, options: Map) -> R<String> {
    let o = Options::new("chart", options, &["title"])?;
    let title = o.str("title")?.unwrap_or_else(|| "Funnel plan".to_string());
    let svg = crate::render::funnel_svg(p, &title);
    crate::script::write_output(ctx, path, svg.as_bytes())
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod funnel_api {
    use super::*;

    /// A funnel from its stages, in order: an array of `#{ name, rate }` where `rate`
    /// is the share of the stage's volume that reaches the next stage (the last stage's
    /// rate converts to the goal event, e.g. purchase). Rates are fractions (0.15) or
    /// strings such as "15%". A table with columns `stage` (or `name`) and `rate` works
    /// too, e.g. rates loaded from a past campaign's export. Stage names must be unique.
    ///
    /// ```rhai
    /// let f = funnel([
    ///     #{ name: "acquisition", rate: 0.15 },
    ///     #{ name: "activation", rate: 0.40 },
    ///     #{ name: "retention", rate: 0.70 },
    ///     #{ name: "monetization", rate: 0.90 },
    /// ]);
    /// print(f.forward(25000).conversions);   // 945
    /// ```
    #[rhai_fn(return_raw)]
    pub fn funnel(stages: Dynamic) -> R<Funnel> {
        build(stages, None)
    }

    /// A funnel with options: `aov`, the average order value that turns conversions
    /// into revenue (`revenue = conversions x aov`).
    ///
    /// ```rhai
    /// let f = funnel([
    ///     #{ name: "acquisition", rate: "15%" },
    ///     #{ name: "activation", rate: "40%" },
    ///     #{ name: "retention", rate: "70%" },
    ///     #{ name: "monetization", rate: "90%" },
    /// ], #{ aov: 150 });
    /// print(f.forward(25000).revenue);   // 141750
    /// ```
    #[rhai_fn(name = "funnel", return_raw)]
    pub fn funnel_with(stages: Dynamic, options: Map) -> R<Funnel> {
        let o = Options::new("funnel", options, &["aov"])?;
        build(stages, o.f64("aov")?)
    }

    /// Forward projection: `entering` enters the first stage and each stage passes on
    /// `volume x rate`; `conversions` is the last stage's output and `revenue` is
    /// `conversions x aov` (0 without an aov).
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 });
    /// let p = f.forward(25000);
    /// print(p.conversions);   // 1500
    /// print(p.stages);
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn forward(f: &mut Funnel, entering: Dynamic) -> R<FunnelPlan> {
        f.forward(num(&entering, "forward: entering")?)
            .map_err(script_error)
    }

    /// Backward decomposition: the volume each stage needs so that `conversions` goal
    /// events come out, `volume = next_volume / rate` from the bottom up. The exact
    /// inverse of `forward`.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]);
    /// print(f.backward(1500).entering);   // 25000
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn backward(f: &mut Funnel, conversions: Dynamic) -> R<FunnelPlan> {
        f.backward(num(&conversions, "backward: conversions")?)
            .map_err(script_error)
    }

    /// Backward decomposition from a revenue goal: `conversions = revenue / aov`, then
    /// `backward`. Needs a funnel built with `#{ aov }`.
    ///
    /// ```rhai
    /// let f = funnel([
    ///     #{ name: "acquisition", rate: 0.15 },
    ///     #{ name: "activation", rate: 0.40 },
    ///     #{ name: "retention", rate: 0.70 },
    ///     #{ name: "monetization", rate: 0.90 },
    /// ], #{ aov: 150 });
    /// print(f.for_revenue(1000000).entering);   // 176366.84...
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn for_revenue(f: &mut Funnel, revenue: Dynamic) -> R<FunnelPlan> {
        f.for_revenue(num(&revenue, "for_revenue: revenue")?)
            .map_err(script_error)
    }

    /// A copy of the funnel with one stage's rate replaced, for what-ifs.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]);
    /// print(f.with_rate("buy", 0.5).forward(25000).conversions);   // 1875
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_rate(f: &mut Funnel, stage: &str, rate: Dynamic) -> R<Funnel> {
        let r = rate_of(&rate, &format!("with_rate: rate of '{stage}'"))?;
        f.with_rate(stage, r).map_err(script_error)
    }

    /// A copy of the funnel with several changes at once: each key is a stage name with
    /// its new rate, or `aov` with a new average order value (`()` removes it). Named
    /// `with_changes` because `with` is a reserved word in Rhai.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 });
    /// let g = f.with_changes(#{ visit: 0.2, buy: "50%", aov: 160 });
    /// print(g.forward(25000).revenue);   // 400000
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn with_changes(f: &mut Funnel, changes: Map) -> R<Funnel> {
        let names: Vec<&str> = f.stages().iter().map(|s| s.name.as_str()).collect();
        let mut rates = Vec::new();
        let mut aov = f.aov();
        for (k, v) in &changes {
            let key = k.as_str();
            if key == "aov" && !names.contains(&"aov") {
                aov = if v.is_unit() {
                    None
                } else {
                    Some(num(v, "with_changes: aov")?)
                };
            } else if names.contains(&key) {
                rates.push((
                    key.to_string(),
                    rate_of(v, &format!("with_changes: rate of '{key}'"))?,
                ));
            } else {
                let hint = crate::suggest::closest(key, names.iter().copied().chain(["aov"]))
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                return Err(script_error(format!(
                    "with_changes: '{key}' is neither a stage nor aov{hint}; the stages are: {}",
                    names.join(", ")
                )));
            }
        }
        f.with_rates(&rates)
            .and_then(|g| g.with_aov(aov))
            .map_err(script_error)
    }

    /// For each stage, the exact change in conversions and revenue when its rate rises
    /// by one point (0.15 -> 0.16) and by 1% relative (0.15 -> 0.1515), capped at 100%,
    /// ranked by the point change: the strongest lever first. A table `rank, stage,
    /// rate, conversions_point, revenue_point, conversions_relative, revenue_relative`.
    /// One point on stage i adds `conversions x 0.01 / rate_i`, so the lowest rate is
    /// the strongest lever; 1% relative on any stage adds 1% of conversions.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 });
    /// print(f.sensitivity(25000));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn sensitivity(f: &mut Funnel, entering: Dynamic) -> R<Table> {
        sensitivity_table(f, entering, Map::new())
    }

    /// `sensitivity` with options: `step`, the point step (default 0.01, one point), and
    /// `relative`, the relative step (default 0.01, 1%).
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 });
    /// print(f.sensitivity(25000, #{ step: 0.02, relative: 0.1 }));
    /// ```
    #[rhai_fn(name = "sensitivity", pure, return_raw)]
    pub fn sensitivity_with(f: &mut Funnel, entering: Dynamic, options: Map) -> R<Table> {
        sensitivity_table(f, entering, options)
    }

    /// The media a visitor target needs: `impressions = visitors / ctr`, and the cost
    /// under `cpm` (`impressions / 1000 x cpm`) or `cpc` (`visitors x cpc`; the CTR is
    /// then optional and only gives impressions). A map `#{ visitors, ctr, impressions,
    /// cost }`. Handbook: 25,000 visitors at 3% CTR need 833,333.3 impressions, 41,666.7
    /// at CPM 50.
    ///
    /// ```rhai
    /// let m = media(25000, #{ ctr: 0.03, cpm: 50 });
    /// print(m.impressions);   // 833333.33...
    /// print(m.cost);          // 41666.66...
    /// print(media(25000, #{ cpc: 1.2 }).cost);   // 30000
    /// ```
    #[rhai_fn(return_raw)]
    pub fn media(visitors: Dynamic, options: Map) -> R<Map> {
        media_map(num(&visitors, "media: visitors")?, options)
    }

    /// `media` for a plan's first stage: sizes the media for `plan.entering` visitors.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]);
    /// print(media(f.backward(1500), #{ ctr: 0.03, cpm: 50 }).cost);   // 41666.66...
    /// ```
    #[rhai_fn(name = "media", return_raw)]
    pub fn media_plan(plan: FunnelPlan, options: Map) -> R<Map> {
        media_map(plan.entering, options)
    }

    /// Checks a planner's own funnel table: columns `stage` (or `name`), `volume` (the
    /// stage's target) and `rate` (to the next stage), one row per stage in order. A
    /// link is flagged when the next stage's planned volume differs from `volume x
    /// rate` by more than the tolerance (1% of `volume x rate` by default). Returns a
    /// `FunnelCheck` (fields `ok`, `issues`, `table`, `implied_conversions`, ...).
    ///
    /// ```rhai
    /// let plan = load_csv("fixtures/funnel/plan.csv");
    /// let c = funnel_check(plan);
    /// print(c.ok);       // false: 1,500 x 70% = 1,050, not 1,000
    /// print(c.issues);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn funnel_check(plan: Dynamic) -> R<PlanCheck> {
        check(plan, Map::new())
    }

    /// `funnel_check` with options: `goal` (a revenue goal), `aov` (average order value,
    /// needed for revenue), `tolerance` (relative, default 0.01). With a goal, the
    /// revenue the plan implies (`last volume x last rate x aov`) is checked against it.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.implied_revenue);   // 135000
    /// print(c);
    /// ```
    #[rhai_fn(name = "funnel_check", return_raw)]
    pub fn funnel_check_with(plan: Dynamic, options: Map) -> R<PlanCheck> {
        check(plan, options)
    }

    /// True when every link chains and the goal (if any) is met within the tolerance.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.ok);   // false
    /// ```
    #[rhai_fn(get = "ok", pure)]
    pub fn check_ok(c: &mut PlanCheck) -> bool {
        c.ok()
    }

    /// One sentence per problem found (an array of strings).
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// for issue in c.issues { print(issue); }
    /// ```
    #[rhai_fn(get = "issues", pure)]
    pub fn check_issues(c: &mut PlanCheck) -> Array {
        c.issues
            .iter()
            .map(|i| Dynamic::from(crate::render::check_issue_text(i)))
            .collect()
    }

    /// The links as a table `from, to, volume, rate, implied, planned, gap, gap_pct, flag`.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.table.filter("flag", "==", "inconsistent"));
    /// ```
    #[rhai_fn(get = "table", pure)]
    pub fn check_table(c: &mut PlanCheck) -> Table {
        c.to_table()
    }

    /// The conversions the plan implies (the last stage's `volume x rate`).
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.implied_conversions);   // 900
    /// ```
    #[rhai_fn(get = "implied_conversions", pure)]
    pub fn check_conversions(c: &mut PlanCheck) -> f64 {
        c.implied_conversions
    }

    /// The revenue the plan implies (`implied_conversions x aov`), `()` without an aov.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.implied_revenue);   // 135000
    /// ```
    #[rhai_fn(get = "implied_revenue", pure)]
    pub fn check_revenue(c: &mut PlanCheck) -> Dynamic {
        c.implied_revenue.map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The first-stage volume the table's rates need to reach the goal, `()` without a
    /// goal and aov.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.needed_entering);   // 176366.84...
    /// ```
    #[rhai_fn(get = "needed_entering", pure)]
    pub fn check_needed(c: &mut PlanCheck) -> Dynamic {
        c.needed_entering.map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The funnel made of the table's stages and rates (and the aov), for `forward`,
    /// `for_revenue` and what-ifs.
    ///
    /// ```rhai
    /// let c = funnel_check(load_csv("fixtures/funnel/plan.csv"), #{ goal: 1000000, aov: 150 });
    /// print(c.funnel.for_revenue(1000000).entering);   // 176366.84...
    /// ```
    #[rhai_fn(get = "funnel", pure)]
    pub fn check_funnel(c: &mut PlanCheck) -> Funnel {
        c.funnel.clone()
    }

    /// The check as text: a summary, the issues and the link table.
    ///
    /// ```rhai
    /// print(funnel_check(load_csv("fixtures/funnel/plan.csv")));
    /// ```
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn check_to_string(c: &mut PlanCheck) -> String {
        format!(
            "{}\n{}",
            crate::render::check_summary(c),
            crate::render::render_table(&c.to_table())
        )
    }

    /// Writes an SVG funnel chart of the plan under `--out` (one bar per stage, width
    /// proportional to volume, with volumes and rates, and a conversions bar) and
    /// returns the path written.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 });
    /// f.forward(25000).chart("funnel.svg");
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn chart(ctx: NativeCallContext, p: &mut FunnelPlan, path: &str) -> R<String> {
        super::chart(&ctx, p, path, Map::new())
    }

    /// `chart` with options: `title` (default "Funnel plan").
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]);
    /// f.forward(25000).chart("funnel.svg", #{ title: "Q3 plan" });
    /// ```
    #[rhai_fn(name = "chart", pure, return_raw)]
    pub fn chart_with(
        ctx: NativeCallContext,
        p: &mut FunnelPlan,
        path: &str,
        options: Map,
    ) -> R<String> {
        super::chart(&ctx, p, path, options)
    }

    /// The plan's SVG funnel chart as a string (for reports).
    ///
    /// ```rhai
    /// let svg = funnel([#{ name: "visit", rate: 0.15 }]).forward(100).svg;
    /// ```
    #[rhai_fn(get = "svg", pure)]
    pub fn plan_svg(p: &mut FunnelPlan) -> String {
        crate::render::funnel_svg(p, "Funnel plan")
    }

    /// The funnel's stages as a table `stage, rate`.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }]).stages);
    /// ```
    #[rhai_fn(get = "stages", pure)]
    pub fn funnel_stages(f: &mut Funnel) -> Table {
        f.to_table()
    }

    /// The average order value, or `()` when the funnel has none.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }], #{ aov: 150 }).aov);   // 150
    /// ```
    #[rhai_fn(get = "aov", pure)]
    pub fn funnel_aov(f: &mut Funnel) -> Dynamic {
        f.aov().map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The end-to-end conversion rate (the product of the stage rates).
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]).overall_rate);   // 0.06
    /// ```
    #[rhai_fn(get = "overall_rate", pure)]
    pub fn funnel_overall(f: &mut Funnel) -> f64 {
        f.overall_rate()
    }

    /// The funnel as text: its stages and rates, and the aov.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }], #{ aov: 150 }));
    /// ```
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn funnel_to_string(f: &mut Funnel) -> String {
        crate::render::describe_funnel(f)
    }

    /// The plan's first-stage volume.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }]).backward(15).entering);   // 100
    /// ```
    #[rhai_fn(get = "entering", pure)]
    pub fn plan_entering(p: &mut FunnelPlan) -> f64 {
        p.entering
    }

    /// The goal events at the end of the plan.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }]).forward(100).conversions);   // 15
    /// ```
    #[rhai_fn(get = "conversions", pure)]
    pub fn plan_conversions(p: &mut FunnelPlan) -> f64 {
        p.conversions
    }

    /// The plan's revenue, `conversions x aov` (0 without an aov).
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }], #{ aov: 10 }).forward(100).revenue);   // 150
    /// ```
    #[rhai_fn(get = "revenue", pure)]
    pub fn plan_revenue(p: &mut FunnelPlan) -> f64 {
        p.revenue
    }

    /// The plan as a table `stage, volume, rate, next_volume, dropped`.
    ///
    /// ```rhai
    /// let p = funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]).forward(25000);
    /// print(p.stages);
    /// ```
    #[rhai_fn(get = "stages", pure)]
    pub fn plan_stages(p: &mut FunnelPlan) -> Table {
        p.to_table()
    }

    /// The funnel the plan was computed from.
    ///
    /// ```rhai
    /// let p = funnel([#{ name: "visit", rate: 0.15 }]).forward(100);
    /// print(p.funnel.overall_rate);   // 0.15
    /// ```
    #[rhai_fn(get = "funnel", pure)]
    pub fn plan_funnel(p: &mut FunnelPlan) -> Funnel {
        p.funnel.clone()
    }

    /// The plan as text: a summary line and the stage table.
    ///
    /// ```rhai
    /// print(funnel([#{ name: "visit", rate: 0.15 }, #{ name: "buy", rate: 0.4 }]).forward(25000));
    /// ```
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn plan_to_string(p: &mut FunnelPlan) -> String {
        crate::render::describe_plan(p)
    }
}
