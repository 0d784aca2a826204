//! Script API of the events domain: observed funnels from event exports
//! (`funnel_events`), with the semantics printed alongside every result.
//!
//! Domain code lives in `crate::events`; this file converts script values.

use crate::events::{self, Comparison, FunnelSpec, ObservedFunnel, Order, PlannedStage, Window};
use crate::funnel::FunnelPlan;
use crate::script::{context, script_error, table_from_dynamic, Options};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: `funnel_events` and the `ObservedFunnel` type.
pub fn module() -> Module {
    let mut m = exported_module!(events_api);
    m.set_custom_type::<ObservedFunnel>("ObservedFunnel");
    m.set_custom_type::<Comparison>("Comparison");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

const FN: &str = "funnel_events";

pub(crate) fn spec(ctx: &NativeCallContext, steps: &Array, options: Map) -> R<FunnelSpec> {
    let o = Options::new(
        FN,
        options,
        &["window", "by", "user", "event", "time", "order"],
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
        spec.order = Order::parse(&order).map_err(script_error)?;
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
    /// only funnel-step rows are kept): CSV (`.csv.gz` decoded as it is read) or
    /// Parquet (row group by row group, only those columns decoded); or a table
    /// already loaded. `steps` are
    /// event names in funnel order. Options: `window` (required: `"7d"`, `"36h"`,
    /// `"90m"`, or seconds as a number), `by` (a column or an array of columns),
    /// `user` (default `"user_id"`), `event` (default `"event"`), `time` (default
    /// `"timestamp"`: epoch seconds or ISO-8601 date-times), `order` (`"any"`;
    /// `"strict"` is not supported yet).
    ///
    /// Rule: a user reaches step k when they have events named s1..sk with
    /// `t1 <= ... <= tk` and `tk - t1 <= window`, in any attempt (ClickHouse
    /// `windowFunnel`); each user counts once per step, under the `by` value of their
    /// earliest first-step event (ties: the smallest value). Returns an
    /// `ObservedFunnel`: `f.table` has the `by` columns, `step, users,
    /// conversion_from_previous, conversion_from_first, median_time_from_previous`
    /// (seconds); printing shows the semantics above the table. See docs/events.md.
    ///
    /// ```rhai
    /// let f = funnel_events("fixtures/events.csv", ["visit", "signup", "add_to_cart", "purchase"],
    ///                       #{ window: "7d", by: "channel" });
    /// print(f);
    /// print(f.table.filter("step", "==", "purchase"));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn funnel_events(
        ctx: NativeCallContext,
        events: Dynamic,
        steps: Array,
        options: Map,
    ) -> R<ObservedFunnel> {
        let spec = spec(&ctx, &steps, options)?;
        if events.is_string() {
            let path = events.to_string();
            let resolved = context(&ctx)?
                .sandbox
                .resolve_read(&path)
                .map_err(script_error)?;
            return events::funnel_from_file(&resolved, &path, &spec).map_err(script_error);
        }
        let table = table_from_dynamic(events, &format!("{FN}: events")).map_err(|_| {
            script_error(format!(
                "{FN}: events must be a path (CSV or Parquet) or a table"
            ))
        })?;
        events::funnel_from_table(&table, &spec).map_err(script_error)
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
        f.semantics.describe()
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
        format!("{}{table}", f.semantics.describe())
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
        format!("{}{table}", c.summary())
    }
}
