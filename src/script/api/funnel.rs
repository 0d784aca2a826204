//! Script API of the funnel domain (planning half): building a funnel from stages,
//! forward projection, backward decomposition from conversions or a revenue goal,
//! and what-if copies.
//!
//! Domain code lives in `crate::funnel`; this file converts script values.

use crate::funnel::{Funnel, FunnelPlan, Stage};
use crate::script::{num, script_error, Options};
use crate::table::Table;
use crate::units::{parse_quantity, Rate};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module};

/// The module: functions plus the `Funnel` and `FunnelPlan` types.
pub fn module() -> Module {
    let mut m = exported_module!(funnel_api);
    m.set_custom_type::<Funnel>("Funnel");
    m.set_custom_type::<FunnelPlan>("FunnelPlan");
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
                    item.type_name()
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
                stages.type_name()
            ))
        })?;
        stages_of(&arr)?
    };
    Funnel::new(stages, aov).map_err(script_error)
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
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn funnel_to_string(f: &mut Funnel) -> String {
        crate::funnel::describe(f)
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
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn plan_to_string(p: &mut FunnelPlan) -> String {
        crate::funnel::describe_plan(p)
    }
}
