//! Script API of the events domain: observed funnels from event exports
//! (`funnel_events`), with the semantics printed alongside every result.
//!
//! Domain code lives in `crate::events`; this file converts script values.

use crate::events::{self, FunnelSpec, ObservedFunnel, Order, Window};
use crate::script::{context, script_error, table_from_dynamic, Options};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: `funnel_events` and the `ObservedFunnel` type.
pub fn module() -> Module {
    let mut m = exported_module!(events_api);
    m.set_custom_type::<ObservedFunnel>("ObservedFunnel");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

const FN: &str = "funnel_events";

fn spec(ctx: &NativeCallContext, steps: &Array, options: Map) -> R<FunnelSpec> {
    let o = Options::new(
        FN,
        options,
        &["window", "by", "user", "event", "time", "order"],
    )?;
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.clone().into_string().map_err(|t| {
                script_error(format!(
                    "{FN}: step {} must be an event name (a string), got {t}",
                    i + 1
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

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod events_api {
    use super::*;

    /// The observed funnel of an event export (one row per event). `events` is a
    /// CSV path, streamed natively (only the user, event, time and `by` columns are
    /// read, only funnel-step rows are kept), or a table already loaded. `steps` are
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
        let table = table_from_dynamic(events, &format!("{FN}: events"))
            .map_err(|_| script_error(format!("{FN}: events must be a CSV path or a table")))?;
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
}
