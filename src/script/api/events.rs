//! Script API of the events domain: observed funnels from event exports
//! (`funnel_events`), with the semantics printed alongside every result.
//!
//! Domain code lives in `crate::events`; this file converts script values.

use crate::events::lifecycle::{Lifecycle, LifecycleSpec};
use crate::events::retention::{Retention, RetentionSpec};
use crate::events::{
    self, Attribution, Comparison, ExcludeStep, FunnelSpec, Interval, ObservedFunnel, PlannedStage,
    Window,
};
use crate::funnel::FunnelPlan;
use crate::script::{context, script_error, table_from_dynamic, Options};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: `funnel_events` and the `ObservedFunnel` type.
pub fn module() -> Module {
    let mut m = exported_module!(events_api);
    m.set_custom_type::<ObservedFunnel>("ObservedFunnel");
    m.set_custom_type::<Comparison>("Comparison");
    m.set_custom_type::<Retention>("Retention");
    m.set_custom_type::<Lifecycle>("Lifecycle");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

const FN: &str = "funnel_events";

pub(crate) fn spec(ctx: &NativeCallContext, steps: &Array, options: Map) -> R<FunnelSpec> {
    let o = Options::new(
        FN,
        options,
        &[
            "window",
            "by",
            "user",
            "event",
            "time",
            "order",
            "exclude",
            "attribution",
            "interval",
            "users",
        ],
    )?;
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.clone().into_string().map_err(|_| {
                script_error(format!(
                    "{FN}: step {} must be an event name (a string), got {}",
                    i + 1,
                    crate::script::describe_value(s)
                ))
            })
        })
        .collect::<R<Vec<String>>>()?;
    let window = match o.raw("window") {
        None => {
            return Err(script_error(format!(
                "{FN}: option 'window' is required: the longest time from a user's first step to their last, like #{{ window: \"7d\" }}"
            )))
        }
        Some(w) if w.is_string() => Window::parse(&w.to_string()),
        Some(_) => Window::from_seconds(o.f64("window")?.unwrap_or(f64::NAN)),
    }
    .map_err(script_error)?;
    let mut spec = FunnelSpec::new(steps, window).map_err(script_error)?;
    if let Some(order) = o.str("order")? {
        spec.order = events::parse_order(&order).map_err(script_error)?;
    }
    if let Some(a) = o.str("attribution")? {
        spec.attribution = Attribution::parse(&a).map_err(script_error)?;
    }
    if let Some(i) = o.str("interval")? {
        spec.interval =
            Some(Interval::parse(&i, "funnel_events: option 'interval'").map_err(script_error)?);
    }
    if let Some(ex) = o.raw("exclude") {
        spec.exclude = exclusions(ex)?;
    }
    if let Some(by) = o.strings("by")? {
        spec.by = by;
    }
    for (key, field) in [
        ("user", &mut spec.user),
        ("event", &mut spec.event),
        ("time", &mut spec.time),
    ] {
        if let Some(name) = o.str(key)? {
            *field = name;
        }
    }
    spec.deadline = context(ctx)?.deadline;
    Ok(spec)
}

/// Reads the `exclude` option: an array of maps `#{ event: "refund", between: [1, 2] }`.
fn exclusions(v: &Dynamic) -> R<Vec<ExcludeStep>> {
    let shape = || {
        script_error(format!(
            "{FN}: option 'exclude' must be an array of maps like #{{ event: \"refund\", between: [1, 2] }}"
        ))
    };
    let arr = v.as_array_ref().map_err(|_| shape())?;
    arr.iter()
        .enumerate()
        .map(|(i, item)| {
            let map = item.clone().try_cast::<Map>().ok_or_else(shape)?;
            let at = format!("{FN}: exclusion {}", i + 1);
            let o = Options::new(&at, map, &["event", "between"])?;
            let event = o
                .str("event")?
                .ok_or_else(|| script_error(format!("{at}: 'event' is required")))?;
            let between = o
                .raw("between")
                .and_then(|b| b.as_array_ref().ok().map(|a| a.clone()))
                .filter(|a| a.len() == 2)
                .ok_or_else(|| {
                    script_error(format!(
                        "{at}: 'between' is required: two step numbers [a, b] (1-based)"
                    ))
                })?;
            let step = |d: &Dynamic| {
                d.as_int()
                    .ok()
                    .and_then(|x| usize::try_from(x).ok())
                    .ok_or_else(|| {
                        script_error(format!(
                            "{at}: 'between' must hold two whole step numbers, got {}",
                            crate::script::describe_value(d)
                        ))
                    })
            };
            Ok(ExcludeStep {
                event,
                from: step(&between[0])?,
                to: step(&between[1])?,
            })
        })
        .collect()
}

/// Reads the common column options of `retention` and `lifecycle`.
fn column_options(o: &Options, user: &mut String, event: &mut String, time: &mut String) -> R<()> {
    for (key, field) in [("user", user), ("event_column", event), ("time", time)] {
        if let Some(name) = o.str(key)? {
            *field = name;
        }
    }
    Ok(())
}

/// Reads `events` (a CSV path, resolved in the sandbox, or a table) for `what`.
enum Source {
    File(std::path::PathBuf, String),
    Table(crate::table::Table),
}

fn source(ctx: &NativeCallContext, events: Dynamic, what: &str) -> R<Source> {
    if events.is_string() {
        let path = events.to_string();
        let resolved = context(ctx)?
            .sandbox
            .resolve_read(&path)
            .map_err(script_error)?;
        return Ok(Source::File(resolved, path));
    }
    table_from_dynamic(events, &format!("{what}: events"))
        .map(Source::Table)
        .map_err(|_| script_error(format!("{what}: events must be a CSV path or a table")))
}

/// Writes an SVG under `--out`, or says why there is no chart.
fn write_svg(ctx: &NativeCallContext, path: &str, svg: Option<String>, why: &str) -> R<String> {
    let svg = svg.ok_or_else(|| script_error(why.to_string()))?;
    crate::script::write_output(ctx, path, svg.as_bytes())
}

/// Reads a plan table with columns `stage` and `rate` (a fraction or a percentage
/// cell such as `15%`).
fn planned_stages(plan: &crate::table::Table) -> R<Vec<PlannedStage>> {
    let stage = plan.column("stage").map_err(script_error)?;
    let rate = plan.column("rate").map_err(script_error)?;
    (0..plan.n_rows())
        .map(|i| {
            let name = stage
                .text_at(i)
                .ok_or_else(|| script_error(plan.bad_cell(i, "stage", "a stage name", "")))?;
            let r = rate.f64_at(i).ok_or_else(|| {
                script_error(plan.bad_cell(i, "rate", "a rate such as 0.15 or 15%", ""))
            })?;
            let r = crate::units::Rate::new(r, &format!("compare: rate of stage '{name}'"))
                .map_err(script_error)?;
            Ok(PlannedStage { name, rate: r })
        })
        .collect()
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod events_api {
    use super::*;

    /// The observed funnel of an event export (one row per event). `events` is a
    /// path, streamed natively (only the user, event, time and `by` columns are read,
    /// only the rows the funnel needs are kept): CSV (`.csv.gz` decoded as it is read)
    /// or Parquet (row group by row group, only those columns decoded); or a table
    /// already loaded.
    /// `steps` are event names in funnel order; a name may repeat (`["visit",
    /// "purchase", "purchase"]`: a second purchase). Options: `window` (required:
    /// `"7d"`, `"36h"`, `"90m"`, or seconds as a number), `order` (`"ordered"`, the
    /// default, alias `"any"`; `"strict"`: no other event of the user between two
    /// steps; `"unordered"`: the first k steps within one window in any order),
    /// `exclude` (`[#{ event: "refund", between: [1, 2] }]`: users whose deepest step
    /// needs a chain with a refund between steps 1 and 2 are removed), `by` (a column
    /// or an array of columns), `attribution` (`"first_touch"`, the default,
    /// `"last_touch"` or `"step"`), `interval` (`"day"`, `"week"` or `"month"`:
    /// conversion by entry period in `f.trends`), `users` (a CSV file under `--out`
    /// listing every entering user's deepest step, for re-targeting), `user` (default
    /// `"user_id"`), `event` (default `"event"`), `time` (default `"timestamp"`:
    /// epoch seconds or ISO-8601 date-times).
    ///
    /// Rule (ordered): a user reaches step k when they have distinct events named
    /// s1..sk in time order (equal timestamps in funnel order) with `tk - t1 <=
    /// window`, in any attempt (ClickHouse `windowFunnel`); each user counts once per
    /// step. Returns an `ObservedFunnel`: `f.table` has the `by` columns, `step,
    /// users, conversion_from_previous, conversion_from_first,
    /// median_time_from_previous` (seconds); printing shows the semantics above the
    /// table. See docs/events.md for every rule and tie.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup", "add_to_cart", "purchase"],
    ///                       #{ window: "7d", by: "channel" });
    /// print(f);
    /// print(f.table.filter("step", "==", "purchase"));
    /// let s = funnel_events("fixtures/events.csv", ["visit", "signup"],
    ///                       #{ window: "1d", order: "strict", attribution: "last_touch", by: "channel" });
    /// print(s.table);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn funnel_events(
        ctx: NativeCallContext,
        events: Dynamic,
        steps: Array,
        options: Map,
    ) -> R<ObservedFunnel> {
        let users = match options.get("users") {
            Some(v) => Some(v.clone().into_string().map_err(|_| {
                script_error(format!(
                    "{FN}: option 'users' must be a file name like \"dropoff.csv\""
                ))
            })?),
            None => None,
        };
        let spec = spec(&ctx, &steps, options)?;
        let keep = users.is_some();
        let (f, levels) = match source(&ctx, events, FN)? {
            Source::File(resolved, path) => {
                events::observed::funnel_from_file_with(&resolved, &path, &spec, keep)
            }
            Source::Table(t) => events::observed::funnel_from_table_with(&t, &spec, keep),
        }
        .map_err(script_error)?;
        if let Some(name) = users {
            context(&ctx)?
                .sandbox
                .write_with(&name, &mut |w| levels.write_csv(&spec.steps, w))
                .map_err(script_error)?;
        }
        Ok(f)
    }

    /// The result table: the `by` columns, then `step, users,
    /// conversion_from_previous, conversion_from_first, median_time_from_previous`.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "purchase"], #{ window: "1d" });
    /// write_csv(f.table, "funnel.csv");
    /// ```
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn table(f: &mut ObservedFunnel) -> R<crate::table::Table> {
        f.to_table().map_err(script_error)
    }

    /// The semantics the numbers were computed under (steps, order rule, window, tie
    /// rule, attribution, rows used), as text.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "2d" });
    /// print(f.semantics);
    /// ```
    #[rhai_fn(get = "semantics", pure)]
    pub fn semantics(f: &mut ObservedFunnel) -> String {
        crate::render::observed_funnel::describe_semantics(&f.semantics)
    }

    /// Time to convert from the previous step, per group and step after the first:
    /// the `by` columns, then `step, users, mean, p10, p25, p50, p75, p90` in
    /// seconds (percentiles by linear interpolation, as numpy's default), over the
    /// users reaching the step, in the chain counted for them. Empty in unordered
    /// order.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup", "purchase"], #{ window: "7d" });
    /// print(f.times);
    /// ```
    #[rhai_fn(get = "times", pure, return_raw)]
    pub fn times(f: &mut ObservedFunnel) -> R<crate::table::Table> {
        f.times_table().map_err(script_error)
    }

    /// The time-to-convert histogram: the `by` columns, then `step, bucket,
    /// from_seconds, to_seconds, users`, with buckets under 1 minute, 5 and 15
    /// minutes, 1 and 6 hours, 1, 3, 7, 14 and 30 days, and 30 days or more.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "7d" });
    /// print(f.histogram.filter("users", ">", 0));
    /// ```
    #[rhai_fn(get = "histogram", pure, return_raw)]
    pub fn histogram(f: &mut ObservedFunnel) -> R<crate::table::Table> {
        f.histogram_table().map_err(script_error)
    }

    /// Conversion by the period users entered (the period of their earliest
    /// first-step event): `<interval>, step, users, conversion_from_first`; `()`
    /// without the `interval` option.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "purchase"],
    ///                       #{ window: "7d", interval: "week" });
    /// print(f.trends);
    /// ```
    #[rhai_fn(get = "trends", pure, return_raw)]
    pub fn trends(f: &mut ObservedFunnel) -> R<Dynamic> {
        match f.trends_table() {
            None => Ok(Dynamic::UNIT),
            Some(t) => t.map(Dynamic::from).map_err(script_error),
        }
    }

    /// Writes the time-to-convert histogram as an SVG chart under `--out` and
    /// returns its path.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup", "purchase"], #{ window: "7d" });
    /// print(f.time_chart("time_to_convert.svg"));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn time_chart(ctx: NativeCallContext, f: &mut ObservedFunnel, path: &str) -> R<String> {
        let svg = crate::render::funnel_charts::time_histogram_svg(f);
        write_svg(&ctx, path, svg, "time_chart: no step after the first has users with a time (one step, unordered order, or nobody converted)")
    }

    /// Writes the conversion trend by entry period (one line per step after the
    /// first) as an SVG chart under `--out` and returns its path; needs the
    /// `interval` option.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup", "purchase"],
    ///                       #{ window: "7d", interval: "day" });
    /// print(f.trends_chart("trends.svg"));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn trends_chart(ctx: NativeCallContext, f: &mut ObservedFunnel, path: &str) -> R<String> {
        let svg = crate::render::funnel_charts::trends_svg(f);
        write_svg(&ctx, path, svg, "trends_chart: the funnel has no trends; pass #{ interval: \"day\" } (or \"week\", \"month\") to funnel_events")
    }

    /// Users removed from the funnel by the exclusions.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "purchase"],
    ///                       #{ window: "7d", exclude: [#{ event: "signup", between: [1, 2] }] });
    /// print(f.excluded);
    /// ```
    #[rhai_fn(get = "excluded", pure)]
    pub fn excluded(f: &mut ObservedFunnel) -> i64 {
        f.semantics.excluded as i64
    }

    /// Rows read from the export.
    ///
    /// ```rhai
    /// print(funnel_events("fixtures/events.csv", ["visit"], #{ window: "1d" }).rows_read);
    /// ```
    #[rhai_fn(get = "rows_read", pure)]
    pub fn rows_read(f: &mut ObservedFunnel) -> i64 {
        f.semantics.rows_read as i64
    }

    /// Rows whose event is one of the steps (the rows the funnel used).
    ///
    /// ```rhai
    /// print(funnel_events("fixtures/events.csv", ["visit"], #{ window: "1d" }).rows_used);
    /// ```
    #[rhai_fn(get = "rows_used", pure)]
    pub fn rows_used(f: &mut ObservedFunnel) -> i64 {
        f.semantics.rows_used as i64
    }

    /// Distinct users with at least one funnel-step event.
    ///
    /// ```rhai
    /// print(funnel_events("fixtures/events.csv", ["visit"], #{ window: "1d" }).users);
    /// ```
    #[rhai_fn(get = "users", pure)]
    pub fn users(f: &mut ObservedFunnel) -> i64 {
        f.semantics.users as i64
    }

    /// Users who entered the funnel (had a first-step event).
    ///
    /// ```rhai
    /// print(funnel_events("fixtures/events.csv", ["visit"], #{ window: "1d" }).entering);
    /// ```
    #[rhai_fn(get = "entering", pure)]
    pub fn entering(f: &mut ObservedFunnel) -> i64 {
        f.semantics.entering as i64
    }

    /// The semantics, then the table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn observed_to_string(f: &mut ObservedFunnel) -> String {
        let table = f
            .to_table()
            .map(|t| crate::render::render_table_limited(&t, 500))
            .unwrap_or_default();
        format!(
            "{}{table}",
            crate::render::observed_funnel::describe_semantics(&f.semantics)
        )
    }

    // ---- planned vs observed ------------------------------------------------------

    /// Lines a plan's stage rates up against an observed funnel and ranks the gaps by
    /// their effect on revenue. `plan` is a `FunnelPlan` (`funnel(...).forward(x)`,
    /// `.backward(x)` or `.for_revenue(x)`): its entering volume and aov are used.
    /// Stage i is matched with the observed step i -> i+1, so the observed funnel has
    /// one step more than the plan has stages (the last step is the goal event). Each
    /// stage's effect: `entering x aov x (product of the other planned rates) x
    /// (observed - planned)` (conversions without an aov), ranked by size, largest
    /// first. Observed rates are over all breakdown groups together.
    ///
    /// ```rhai
    /// let plan = funnel([#{ name: "visit", rate: 0.75 }, #{ name: "signup", rate: 0.6 },
    ///                    #{ name: "add_to_cart", rate: 0.7 }], #{ aov: 150 }).forward(25000);
    /// let seen = funnel_events("fixtures/events.csv", ["visit", "signup", "add_to_cart", "purchase"],
    ///                          #{ window: "7d" });
    /// print(compare(plan, seen));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn compare(plan: FunnelPlan, observed: ObservedFunnel) -> R<Comparison> {
        let stages: Vec<PlannedStage> = plan
            .funnel
            .stages()
            .iter()
            .map(|s| PlannedStage {
                name: s.name.clone(),
                rate: s.rate,
            })
            .collect();
        events::compare(&stages, plan.entering, plan.funnel.aov(), &observed).map_err(script_error)
    }

    /// `compare` with the plan as a table with columns `stage` and `rate` (a
    /// fraction or a cell such as `15%`) and options `entering` (required) and `aov`
    /// (optional; without it the effects are in conversions).
    ///
    /// ```rhai
    /// let plan = table([#{ stage: "visit", rate: 0.75 }, #{ stage: "signup", rate: 0.6 },
    ///                   #{ stage: "add_to_cart", rate: 0.7 }]);
    /// let seen = funnel_events("fixtures/events.csv", ["visit", "signup", "add_to_cart", "purchase"],
    ///                          #{ window: "7d" });
    /// print(compare(plan, seen, #{ entering: 25000, aov: 150 }));
    /// ```
    #[rhai_fn(name = "compare", return_raw)]
    pub fn compare_table(
        plan: crate::table::Table,
        observed: ObservedFunnel,
        options: Map,
    ) -> R<Comparison> {
        let o = Options::new("compare", options, &["entering", "aov"])?;
        let entering = o.f64("entering")?.ok_or_else(|| {
            script_error("compare: option 'entering' is required with a plan table: the first stage's volume, like #{ entering: 25000, aov: 150 }")
        })?;
        events::compare(&planned_stages(&plan)?, entering, o.f64("aov")?, &observed)
            .map_err(script_error)
    }

    /// The ranked table: `rank, stage, observed_step, planned_rate, observed_rate,
    /// gap, conversions_effect, revenue_effect`.
    ///
    /// ```rhai
    /// let plan = table([#{ stage: "visit", rate: 0.75 }]);
    /// let seen = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "7d" });
    /// print(compare(plan, seen, #{ entering: 1000 }).table);
    /// ```
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn comparison_table(c: &mut Comparison) -> R<crate::table::Table> {
        c.to_table().map_err(script_error)
    }

    /// Planned revenue (`entering x product of planned rates x aov`; `()` without an
    /// aov).
    ///
    /// ```rhai
    /// let plan = table([#{ stage: "visit", rate: 0.75 }]);
    /// let seen = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "7d" });
    /// print(compare(plan, seen, #{ entering: 1000, aov: 10 }).planned_revenue);   // 7500
    /// ```
    #[rhai_fn(get = "planned_revenue", pure)]
    pub fn planned_revenue(c: &mut Comparison) -> Dynamic {
        c.planned_revenue.map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// Revenue with every stage at its observed rate (`()` when a stage has no
    /// observed users or there is no aov).
    ///
    /// ```rhai
    /// let plan = table([#{ stage: "visit", rate: 0.75 }]);
    /// let seen = funnel_events("fixtures/events.csv", ["visit", "signup"], #{ window: "7d" });
    /// print(compare(plan, seen, #{ entering: 1000, aov: 10 }).observed_revenue);
    /// ```
    #[rhai_fn(get = "observed_revenue", pure)]
    pub fn observed_revenue(c: &mut Comparison) -> Dynamic {
        c.observed_revenue
            .map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The summary, then the ranked table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn comparison_to_string(c: &mut Comparison) -> String {
        let table = c
            .to_table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default();
        format!(
            "{}{table}",
            crate::render::observed_funnel::comparison_summary(c)
        )
    }

    // ---- retention and lifecycle ----------------------------------------------------

    /// Retention cohorts of an event export (a CSV path, streamed natively, or a
    /// table). Options: `start_event` and `return_event` (required), `interval`
    /// (`"day"`, `"week"` or `"month"`, default `"week"`), `periods` (periods after
    /// the cohort's own, default 8, at most 400), `by` (columns, first touch on the
    /// start event), `user` (default `"user_id"`), `event_column` (default
    /// `"event"`), `time` (default `"timestamp"`).
    ///
    /// Rules: a user's cohort is the UTC period of their earliest start event; they
    /// are retained in period p when they have a return event at or after that start
    /// in period cohort + p (unbounded: in p or later); periods after the data's last
    /// period are not counted; the repeat rate is the share of users with a return
    /// who have two or more. `r.table` is the cohort table, `r.summary` the N-period
    /// and unbounded retention, `r.repeat` the repeat rate. See docs/events.md.
    ///
    /// ```rhai
    /// let r = retention("fixtures/events.csv",
    ///                   #{ start_event: "visit", return_event: "purchase", interval: "day", periods: 3 });
    /// print(r);
    /// print(r.summary);
    /// print(r.repeat);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn retention(ctx: NativeCallContext, events: Dynamic, options: Map) -> R<Retention> {
        const RF: &str = "retention";
        let o = Options::new(
            RF,
            options,
            &[
                "start_event",
                "return_event",
                "interval",
                "periods",
                "by",
                "user",
                "event_column",
                "time",
            ],
        )?;
        let need = |k: &str| -> R<String> {
            o.str(k)?.ok_or_else(|| {
                script_error(format!(
                    "{RF}: option '{k}' is required, like #{{ start_event: \"signup\", return_event: \"purchase\" }}"
                ))
            })
        };
        let interval = Interval::parse(
            &o.str("interval")?.unwrap_or_else(|| "week".into()),
            "retention: option 'interval'",
        )
        .map_err(script_error)?;
        let periods = o.i64("periods")?.unwrap_or(8);
        let periods = usize::try_from(periods).unwrap_or(0);
        let mut spec = RetentionSpec::new(
            &need("start_event")?,
            &need("return_event")?,
            interval,
            periods,
        )
        .map_err(script_error)?;
        if let Some(by) = o.strings("by")? {
            spec.by = by;
        }
        column_options(&o, &mut spec.user, &mut spec.event, &mut spec.time)?;
        spec.deadline = context(&ctx)?.deadline;
        match source(&ctx, events, RF)? {
            Source::File(resolved, path) => {
                events::retention::retention_from_file(&resolved, &path, &spec)
            }
            Source::Table(t) => events::retention::retention_from_table(&t, &spec),
        }
        .map_err(script_error)
    }

    /// The cohort table: the `by` columns, then `cohort, cohort_size, period,
    /// retained, rate, unbounded, unbounded_rate`, one row per cohort and observed
    /// period.
    ///
    /// ```rhai
    /// let r = retention("fixtures/events.csv", #{ start_event: "visit", return_event: "visit", interval: "day", periods: 2 });
    /// write_csv(r.table, "cohorts.csv");
    /// ```
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn retention_table(r: &mut Retention) -> R<crate::table::Table> {
        r.cohort_table().map_err(script_error)
    }

    /// N-period retention over all cohorts: the `by` columns, then `period,
    /// cohort_users, retained, rate, unbounded, unbounded_rate`; `cohort_users` sums
    /// the cohorts that have reached the period.
    ///
    /// ```rhai
    /// let r = retention("fixtures/events.csv", #{ start_event: "signup", return_event: "purchase", interval: "day", periods: 4 });
    /// print(r.summary);
    /// ```
    #[rhai_fn(get = "summary", pure, return_raw)]
    pub fn retention_summary(r: &mut Retention) -> R<crate::table::Table> {
        r.summary_table().map_err(script_error)
    }

    /// The repeat rate: the `by` columns, then `users, returning, repeat,
    /// repeat_rate` (users with two or more return events at or after their start,
    /// over users with one or more).
    ///
    /// ```rhai
    /// let r = retention("fixtures/events.csv", #{ start_event: "purchase", return_event: "purchase", periods: 4 });
    /// print(r.repeat);
    /// ```
    #[rhai_fn(get = "repeat", pure, return_raw)]
    pub fn retention_repeat(r: &mut Retention) -> R<crate::table::Table> {
        r.repeat_table().map_err(script_error)
    }

    /// Writes the retention heat map (cohorts by period, shaded by rate) as an SVG
    /// chart under `--out` and returns its path.
    ///
    /// ```rhai
    /// let r = retention("fixtures/events.csv", #{ start_event: "visit", return_event: "visit", interval: "day", periods: 5 });
    /// print(r.chart("retention.svg"));
    /// ```
    #[rhai_fn(name = "chart", pure, return_raw)]
    pub fn retention_chart(ctx: NativeCallContext, r: &mut Retention, path: &str) -> R<String> {
        let svg = crate::render::funnel_charts::retention_heatmap_svg(r);
        crate::script::write_output(&ctx, path, svg.as_bytes())
    }

    /// The rules, then the cohort table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn retention_to_string(r: &mut Retention) -> String {
        let table = r
            .cohort_table()
            .map(|t| crate::render::render_table_limited(&t, 500))
            .unwrap_or_default();
        format!(
            "{}{table}",
            crate::render::observed_funnel::describe_retention(r)
        )
    }

    /// The lifecycle of active users per period (as PostHog's): for each period
    /// from the first to the last with the event, `new` (first active period in the
    /// data), `returning` (active in the previous period too), `resurrected` (not in
    /// the previous period but before), `dormant` (active in the previous period, not
    /// in this one), `active`. Options: `event` (required), `interval` (`"day"`,
    /// `"week"` or `"month"`, default `"week"`), `user`, `event_column`, `time`.
    ///
    /// ```rhai
    /// let l = lifecycle("fixtures/events.csv", #{ event: "visit", interval: "day" });
    /// print(l);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn lifecycle(ctx: NativeCallContext, events: Dynamic, options: Map) -> R<Lifecycle> {
        const LF: &str = "lifecycle";
        let o = Options::new(
            LF,
            options,
            &["event", "interval", "user", "event_column", "time"],
        )?;
        let event = o.str("event")?.ok_or_else(|| {
            script_error(format!(
                "{LF}: option 'event' is required, like #{{ event: \"visit\" }}"
            ))
        })?;
        let interval = Interval::parse(
            &o.str("interval")?.unwrap_or_else(|| "week".into()),
            "lifecycle: option 'interval'",
        )
        .map_err(script_error)?;
        let mut spec = LifecycleSpec::new(&event, interval).map_err(script_error)?;
        column_options(&o, &mut spec.user, &mut spec.event, &mut spec.time)?;
        spec.deadline = context(&ctx)?.deadline;
        match source(&ctx, events, LF)? {
            Source::File(resolved, path) => {
                events::lifecycle::lifecycle_from_file(&resolved, &path, &spec)
            }
            Source::Table(t) => events::lifecycle::lifecycle_from_table(&t, &spec),
        }
        .map_err(script_error)
    }

    /// The lifecycle table: `<interval>, new, returning, resurrected, dormant,
    /// active`.
    ///
    /// ```rhai
    /// let l = lifecycle("fixtures/events.csv", #{ event: "purchase", interval: "week" });
    /// write_csv(l.table, "lifecycle.csv");
    /// ```
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn lifecycle_table(l: &mut Lifecycle) -> R<crate::table::Table> {
        l.to_table().map_err(script_error)
    }

    /// The rules, then the table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn lifecycle_to_string(l: &mut Lifecycle) -> String {
        let table = l
            .to_table()
            .map(|t| crate::render::render_table_limited(&t, 500))
            .unwrap_or_default();
        format!(
            "{}{table}",
            crate::render::observed_funnel::describe_lifecycle(l)
        )
    }
}
