//! Script API of the scenario domain: sweeps, goal seek, Monte Carlo with a draw
//! object and distributions, native funnel and response-curve models, tornado charts
//! and named scenarios side by side.
//!
//! Domain code lives in `crate::scenario`; this file converts script values and calls
//! closures (through `FnPtr::call_within_context`, so the engine's operation limit and
//! time limit apply inside them).

use crate::budget::{Curve, Fit};
use crate::funnel::Funnel;
use crate::scenario::monte_carlo::TrialRng;
use crate::scenario::{
    self, chunk_rng, Combine, Dist, Failure, Input, Model, ScenarioError, SeekOptions, SimOptions,
    Summary, Tornado as DomainTornado, CHUNK,
};
use crate::script::{context, num, script_error, table_from_dynamic, Options};
use crate::table::{Column, Table, Value};
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, FnPtr, Map, Module, NativeCallContext, Scope};
use std::cell::RefCell;
use std::rc::Rc;

/// The module: functions plus the `Model`, `Distribution`, `Draw`, `Simulation` and
/// `Tornado` types.
pub fn module() -> Module {
    let mut m = exported_module!(scenario_api);
    m.set_custom_type::<Model>("Model");
    m.set_custom_type::<Dist>("Distribution");
    m.set_custom_type::<Draw>("Draw");
    m.set_custom_type::<Summary>("Simulation");
    m.set_custom_type::<Tornado>("Tornado");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

/// The object a simulation closure gets: one method per distribution, all drawing from
/// the run's seeded generator (shared, so draws advance it).
#[derive(Debug, Clone)]
pub struct Draw {
    rng: Rc<RefCell<TrialRng>>,
}

impl Draw {
    fn sample(&self, d: &Dist) -> f64 {
        d.sample(&mut *self.rng.borrow_mut())
    }
}

/// A simulation's summary, as scripts name it.
pub type Simulation = Summary;

/// A distribution, as scripts name it.
pub type Distribution = Dist;

/// A tornado with the name of the output it ranks.
#[derive(Debug, Clone)]
pub struct Tornado {
    tornado: DomainTornado,
    output: String,
}

use crate::script::Calls;

fn failure(e: Failure<Box<EvalAltResult>>) -> Box<EvalAltResult> {
    match e {
        Failure::Scenario(e) => script_error(e),
        Failure::Model(e) => e,
    }
}

/// The values a sweep parameter takes: an array, an integer range (`40..61`), a
/// `range(40, 61, 10)`, or a single value.
fn values_of(ctx: &NativeCallContext, v: &Dynamic, what: &str) -> R<Vec<Dynamic>> {
    if let Some(a) = v.read_lock::<Array>() {
        return Ok(a.clone());
    }
    if v.is_int() || v.is_float() || v.is_string() || v.is_bool() {
        return Ok(vec![v.clone()]);
    }
    if let Some(r) = v.read_lock::<std::ops::Range<i64>>() {
        return Ok(r.clone().map(Dynamic::from_int).collect());
    }
    if let Some(r) = v.read_lock::<std::ops::RangeInclusive<i64>>() {
        return Ok(r.clone().map(Dynamic::from_int).collect());
    }
    // Other iterables (range(a, b, step), float ranges): iterate with the engine.
    let engine = ctx.engine();
    let ast = engine
        .compile("fn items(r) { let a = []; for x in r { a.push(x); } a }")
        .map_err(|e| script_error(format!("internal error: {e}")))?;
    engine
        .call_fn::<Array>(&mut Scope::new(), &ast, "items", (v.clone(),))
        .map_err(|_| {
            script_error(format!(
                "{what} must be a list like [0.02, 0.03], a range like range(40, 61, 10), or a single value, got {}",
                crate::script::type_label(v)
            ))
        })
}

fn axes_of(
    ctx: &NativeCallContext,
    params: &Map,
    function: &str,
) -> R<Vec<(String, Vec<Dynamic>)>> {
    params
        .iter()
        .map(|(k, v)| {
            Ok((
                k.to_string(),
                values_of(ctx, v, &format!("{function}: parameter '{k}'"))?,
            ))
        })
        .collect()
}

fn combine_of(function: &str, options: Map) -> R<Combine> {
    let o = Options::new(function, options, &["zip"])?;
    Ok(if o.bool("zip")?.unwrap_or(false) {
        Combine::Zip
    } else {
        Combine::Grid
    })
}

fn point_text(names: &[String], p: &[Dynamic]) -> String {
    names
        .iter()
        .zip(p)
        .map(|(n, v)| format!("{n} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of a closure's result: a number is one field `result`; an object map
/// gives one field per key, each a number.
fn result_fields(v: &Dynamic, what: &str) -> R<Vec<(String, f64)>> {
    if let Some(m) = v.read_lock::<Map>() {
        return m
            .iter()
            .map(|(k, x)| Ok((k.to_string(), num(x, &format!("{what}, field '{k}'"))?)))
            .collect();
    }
    if v.is_int() || v.is_float() {
        return Ok(vec![("result".into(), num(v, what)?)]);
    }
    Err(script_error(format!(
        "{what} must be a number or an object map of numbers, got {}",
        crate::script::describe_value(v)
    )))
}

fn sweep_closure(
    ctx: &NativeCallContext,
    axes: Vec<(String, Vec<Dynamic>)>,
    combine: Combine,
    f: &FnPtr,
) -> R<Table> {
    let names: Vec<String> = axes.iter().map(|(n, _)| n.clone()).collect();
    let pts = scenario::points(&axes, combine).map_err(script_error)?;
    let mut calls = Calls::new(ctx)?;
    let mut records = Vec::with_capacity(pts.len());
    for (i, p) in pts.iter().enumerate() {
        let arg: Map = names
            .iter()
            .zip(p)
            .map(|(n, v)| (n.as_str().into(), v.clone()))
            .collect();
        let out = calls.call(f, Dynamic::from_map(arg))?;
        let what = format!(
            "sweep: the closure's result at point {} ({})",
            i + 1,
            point_text(&names, p)
        );
        // A map's fields may be any cell value (a label such as "reaches goal" too);
        // a bare result must be a number.
        let fields: Vec<(String, Value)> = match out.read_lock::<Map>() {
            Some(m) => m
                .iter()
                .map(|(k, x)| {
                    Ok((
                        k.to_string(),
                        crate::script::dynamic_to_value(x, &format!("{what}, field '{k}'"))?,
                    ))
                })
                .collect::<R<Vec<_>>>()?,
            None => result_fields(&out, &what)?
                .into_iter()
                .map(|(k, v)| (k, Value::Float(v)))
                .collect(),
        };
        let mut rec = Vec::with_capacity(names.len() + fields.len());
        for (n, v) in names.iter().zip(p) {
            rec.push((
                n.clone(),
                crate::script::dynamic_to_value(v, &format!("sweep: parameter '{n}'"))?,
            ));
        }
        for (k, v) in fields {
            if names.contains(&k) {
                return Err(script_error(format!(
                    "sweep: the closure's result has a field '{k}' with the same name as a parameter; rename it"
                )));
            }
            rec.push((k, v));
        }
        records.push(rec);
    }
    Table::from_records("<sweep>", &records).map_err(script_error)
}

fn input_of(v: &Dynamic, what: &str) -> R<Input> {
    if let Some(d) = v.read_lock::<Dist>() {
        return Ok(Input::Uncertain(d.clone()));
    }
    if v.is_int() || v.is_float() {
        return Ok(Input::Fixed(num(v, what)?));
    }
    Err(script_error(format!(
        "{what} must be a number or a distribution such as dist_beta(40, 60), got {}",
        crate::script::describe_value(v)
    )))
}

fn sim_options(ctx: &NativeCallContext, options: Map) -> R<SimOptions> {
    let o = Options::new("simulate", options, &["seed", "threads"])?;
    let run = context(ctx)?;
    let seed = match o.i64("seed")? {
        Some(s) => s,
        // `--seed` is at most i64::MAX (checked on the command line).
        None => i64::try_from(run.seed.get()).unwrap_or(i64::MAX),
    };
    if seed < 0 {
        return Err(script_error(format!(
            "simulate: option 'seed' must be a whole number >= 0, got {seed}"
        )));
    }
    let threads = match o.i64("threads")? {
        None => None,
        Some(t) if (1..=256).contains(&t) => Some(t as usize),
        Some(t) => {
            return Err(script_error(format!(
                "simulate: option 'threads' must be between 1 and 256, got {t}"
            )))
        }
    };
    Ok(SimOptions {
        seed: seed as u64,
        threads,
        deadline: run.deadline,
    })
}

fn seek_options(options: Map) -> R<SeekOptions> {
    let o = Options::new("goal_seek", options, &["tol", "max_iter"])?;
    let mut s = SeekOptions::default();
    if let Some(t) = o.f64("tol")? {
        s.tol = t;
    }
    if let Some(m) = o.i64("max_iter")? {
        if !(1..=100_000).contains(&m) {
            return Err(script_error(format!(
                "goal_seek: option 'max_iter' must be between 1 and 100000, got {m}"
            )));
        }
        s.max_iter = m as usize;
    }
    Ok(s)
}

fn ranges_of(ranges: &Map, what: &str) -> R<Vec<(String, (f64, f64))>> {
    ranges
        .iter()
        .map(|(k, v)| {
            let where_ = format!("{what}: range of '{k}'");
            if let Some(d) = v.read_lock::<Dist>() {
                return Ok((k.to_string(), (d.quantile(0.1), d.quantile(0.9))));
            }
            let pair = v
                .read_lock::<Array>()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| {
                    script_error(format!(
                        "{where_} must be [low, high] or a distribution, got {}",
                        crate::script::type_label(v)
                    ))
                })?;
            Ok((
                k.to_string(),
                (num(&pair[0], &where_)?, num(&pair[1], &where_)?),
            ))
        })
        .collect()
}

fn funnel_model(stages: &Array, options: Map) -> R<Model> {
    let o = Options::new("funnel_model", options, &["entering", "aov"])?;
    let entering = o.raw("entering").ok_or_else(|| {
        script_error("funnel_model: option 'entering' is missing (the visitors entering the first stage, like #{ entering: 100000 })")
    })?;
    let entering = input_of(entering, "funnel_model: entering")?;
    let aov = o
        .raw("aov")
        .map(|a| input_of(a, "funnel_model: aov"))
        .transpose()?;
    let mut st = Vec::with_capacity(stages.len());
    for (i, s) in stages.iter().enumerate() {
        let map = s.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
            script_error(format!(
                "funnel_model: stage {} must be a map like #{{ name: \"activation\", rate: 0.4 }}, got {}",
                i + 1,
                crate::script::type_label(s)
            ))
        })?;
        let where_ = format!("funnel_model: stage {}", i + 1);
        let so = Options::new(&where_, map, &["name", "rate"])?;
        let name = so
            .str("name")?
            .ok_or_else(|| script_error(format!("{where_}: 'name' is missing")))?;
        let rate = so
            .raw("rate")
            .ok_or_else(|| script_error(format!("{where_} ('{name}'): 'rate' is missing")))?;
        st.push((
            name.clone(),
            input_of(rate, &format!("stage '{name}': rate"))?,
        ));
    }
    Model::funnel(entering, st, aov).map_err(script_error)
}

fn summary_text(s: &Summary) -> String {
    use crate::render::format_display;
    let p = |q: f64| s.percentile(q).map(format_display).unwrap_or_default();
    format!(
        "Simulation of {} trials: mean {} (se {}), sd {}, p5 {}, p50 {}, p95 {}",
        s.n(),
        format_display(s.mean()),
        format_display(s.se()),
        format_display(s.sd()),
        p(5.0),
        p(50.0),
        p(95.0)
    )
}

fn histogram_table(s: &Summary, bins: i64) -> R<Table> {
    let bins = usize::try_from(bins).unwrap_or(0);
    let h = s.histogram(bins).map_err(script_error)?;
    let n = s.n() as f64;
    Table::new(
        "<histogram>",
        vec![
            (
                "bin_lo".into(),
                Column::float(h.iter().map(|b| Some(b.0)).collect()),
            ),
            (
                "bin_hi".into(),
                Column::float(h.iter().map(|b| Some(b.1)).collect()),
            ),
            (
                "count".into(),
                Column::int(h.iter().map(|b| Some(b.2 as i64)).collect()),
            ),
            (
                "share".into(),
                Column::float(h.iter().map(|b| Some(b.2 as f64 / n)).collect()),
            ),
        ],
    )
    .map_err(script_error)
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod scenario_api {
    use super::*;

    // ---- sweeps ------------------------------------------------------------------

    /// Runs `f` at every point of the grid of `params` (every combination; the last
    /// parameter in alphabetical order varies fastest, since object maps keep their keys
    /// sorted). Each parameter is a list, a range such as `range(40, 61, 10)`, or a
    /// single value. `f` gets a map of the point's values and returns a number (column
    /// `result`) or an object map (one column per field: numbers, or labels such as
    /// `"reaches goal"`). Returns a table with one column per parameter and one per
    /// result field.
    ///
    /// ```rhai
    /// let t = sweep(#{ ctr: [0.02, 0.025, 0.03], cpm: range(40, 61, 10) },
    ///               |p| #{ visitors: 40000.0 / p.cpm * 1000.0 * p.ctr });
    /// print(t);   // 9 rows: cpm, ctr, visitors
    /// ```
    #[rhai_fn(return_raw)]
    pub fn sweep(ctx: NativeCallContext, params: Map, f: FnPtr) -> R<Table> {
        let axes = axes_of(&ctx, &params, "sweep")?;
        sweep_closure(&ctx, axes, Combine::Grid, &f)
    }

    /// `sweep` with options: `zip: true` pairs the lists position by position (all of
    /// the same length) instead of taking every combination.
    ///
    /// ```rhai
    /// let t = sweep(#{ ctr: [0.02, 0.03], cpm: [40, 60] }, |p| p.ctr * 1000.0 / p.cpm, #{ zip: true });
    /// print(t);   // 2 rows
    /// ```
    #[rhai_fn(name = "sweep", return_raw)]
    pub fn sweep_with(ctx: NativeCallContext, params: Map, f: FnPtr, options: Map) -> R<Table> {
        let combine = combine_of("sweep", options)?;
        let axes = axes_of(&ctx, &params, "sweep")?;
        sweep_closure(&ctx, axes, combine, &f)
    }

    /// Runs `f` on each case of a list of cases (object maps with the same keys), in
    /// order: the zipped form of `sweep`.
    ///
    /// ```rhai
    /// let t = sweep([#{ ctr: 0.02, cpm: 40 }, #{ ctr: 0.03, cpm: 55 }], |p| p.ctr / p.cpm);
    /// print(t);
    /// ```
    #[rhai_fn(name = "sweep", return_raw)]
    pub fn sweep_cases(ctx: NativeCallContext, cases: Array, f: FnPtr) -> R<Table> {
        if cases.is_empty() {
            return Err(script_error(
                "sweep: the list of cases is empty; give at least one case like #{ ctr: 0.02 }",
            ));
        }
        let first = cases[0]
            .read_lock::<Map>()
            .map(|m| m.clone())
            .ok_or_else(|| {
                script_error(format!(
                    "sweep: case 1 must be an object map like #{{ ctr: 0.02, cpm: 40 }}, got {}",
                    crate::script::type_label(&cases[0])
                ))
            })?;
        let keys: Vec<String> = first.keys().map(|k| k.to_string()).collect();
        let mut axes: Vec<(String, Vec<Dynamic>)> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (i, c) in cases.iter().enumerate() {
            let m = c.read_lock::<Map>().ok_or_else(|| {
                script_error(format!(
                    "sweep: case {} must be an object map, got {}",
                    i + 1,
                    crate::script::type_label(c)
                ))
            })?;
            if m.len() != keys.len() || keys.iter().any(|k| !m.contains_key(k.as_str())) {
                return Err(script_error(format!(
                    "sweep: case {} must have the same keys as case 1 ({})",
                    i + 1,
                    keys.join(", ")
                )));
            }
            for (k, vals) in axes.iter_mut() {
                vals.push(m.get(k.as_str()).cloned().unwrap_or(Dynamic::UNIT));
            }
        }
        sweep_closure(&ctx, axes, Combine::Zip, &f)
    }

    /// Sweeps a native model's inputs over the grid of `params` (others at their base
    /// value), natively: a table with one column per swept input and one per output
    /// (`conversions`, `revenue` for a funnel; `result`, `revenue` for a response model).
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: 0.15 }, #{ name: "activation", rate: 0.4 }],
    ///                      #{ entering: 100000, aov: 150 });
    /// print(sweep(m, #{ activation: [0.3, 0.4, 0.5], aov: [120, 150] }));
    /// ```
    #[rhai_fn(name = "sweep", return_raw)]
    pub fn sweep_model(ctx: NativeCallContext, model: Model, params: Map) -> R<Table> {
        sweep_model_with(ctx, model, params, Map::new())
    }

    /// `sweep` of a model with the option `zip: true`.
    #[rhai_fn(name = "sweep", return_raw)]
    pub fn sweep_model_with(
        ctx: NativeCallContext,
        model: Model,
        params: Map,
        options: Map,
    ) -> R<Table> {
        let combine = combine_of("sweep", options)?;
        let axes = axes_of(&ctx, &params, "sweep")?
            .into_iter()
            .map(|(n, vals)| {
                let what = format!("sweep: parameter '{n}'");
                let v = vals
                    .iter()
                    .map(|v| num(v, &what))
                    .collect::<R<Vec<f64>>>()?;
                Ok((n, v))
            })
            .collect::<R<Vec<_>>>()?;
        model.sweep(&axes, combine).map_err(script_error)
    }

    // ---- goal seek ---------------------------------------------------------------

    /// The `x` in `[lo, hi]` where `f(x) = target`, by Brent's method (inverse quadratic
    /// interpolation safeguarded by bisection; converges whenever `f` is continuous and
    /// `f(lo) - target`, `f(hi) - target` have opposite signs). Errors when the target is
    /// not bracketed or `f` returns something other than a finite number.
    ///
    /// ```rhai
    /// // the activation rate that makes 1,000,000 from 100,000 visitors
    /// let r = goal_seek(|x| 100000 * 0.15 * x * 0.7 * 0.9 * 150, 1000000, 0.0, 1.0);
    /// print(r);   // 0.7054673721...
    /// ```
    #[rhai_fn(return_raw)]
    pub fn goal_seek(
        ctx: NativeCallContext,
        f: FnPtr,
        target: Dynamic,
        lo: Dynamic,
        hi: Dynamic,
    ) -> R<f64> {
        goal_seek_with(ctx, f, target, lo, hi, Map::new())
    }

    /// `goal_seek` with options: `tol` (absolute tolerance on x, default 1e-12) and
    /// `max_iter` (default 200).
    ///
    /// ```rhai
    /// print(goal_seek(|x| x * x, 2, 0, 2, #{ tol: 1e-6 }));   // about 1.414214
    /// ```
    #[rhai_fn(name = "goal_seek", return_raw)]
    pub fn goal_seek_with(
        ctx: NativeCallContext,
        f: FnPtr,
        target: Dynamic,
        lo: Dynamic,
        hi: Dynamic,
        options: Map,
    ) -> R<f64> {
        let opts = seek_options(options)?;
        let target = num(&target, "goal_seek: target")?;
        let lo = num(&lo, "goal_seek: lo")?;
        let hi = num(&hi, "goal_seek: hi")?;
        let mut calls = Calls::new(&ctx)?;
        scenario::goal_seek(
            |x| {
                let v = calls.call(&f, Dynamic::from_float(x))?;
                num(&v, &format!("goal_seek: the function's result at x = {x}"))
            },
            target,
            lo,
            hi,
            &opts,
        )
        .map(|s| s.x)
        .map_err(failure)
    }

    /// The value of a model's `input` in `[lo, hi]` at which its main output (revenue,
    /// or conversions without an aov) reaches `target`, by Brent's method, natively.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: 0.15 }, #{ name: "activation", rate: 0.4 },
    ///                       #{ name: "retention", rate: 0.7 }, #{ name: "monetization", rate: 0.9 }],
    ///                      #{ entering: 100000, aov: 150 });
    /// print(goal_seek(m, "activation", 1000000, 0.0, 1.0));   // 0.7054673721...
    /// ```
    #[rhai_fn(name = "goal_seek", return_raw)]
    pub fn goal_seek_model(
        model: Model,
        input: &str,
        target: Dynamic,
        lo: Dynamic,
        hi: Dynamic,
    ) -> R<f64> {
        goal_seek_model_with(model, input, target, lo, hi, Map::new())
    }

    /// `goal_seek` of a model with options `tol` and `max_iter`.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: 0.4 }], #{ entering: 100000, aov: 150 });
    /// print(goal_seek(m, "aov", 5000000, 1, 1000, #{ tol: 1e-9 }));   // 125
    /// ```
    #[rhai_fn(name = "goal_seek", return_raw)]
    pub fn goal_seek_model_with(
        model: Model,
        input: &str,
        target: Dynamic,
        lo: Dynamic,
        hi: Dynamic,
        options: Map,
    ) -> R<f64> {
        let opts = seek_options(options)?;
        model
            .seek(
                input,
                num(&target, "goal_seek: target")?,
                num(&lo, "goal_seek: lo")?,
                num(&hi, "goal_seek: hi")?,
                &opts,
            )
            .map(|s| s.x)
            .map_err(script_error)
    }

    /// The value a model's `input` needs for its main output to reach `target`, the
    /// others at base, in closed form: for a funnel `target / (product of the other
    /// inputs)` (an error if a stage would need more than 100%); for a response model
    /// the spend is `min_budget` on the curve.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: 0.15 }, #{ name: "activation", rate: 0.4 },
    ///                       #{ name: "retention", rate: 0.7 }, #{ name: "monetization", rate: 0.9 }],
    ///                      #{ entering: 100000, aov: 150 });
    /// print(required(m, "activation", 1000000));   // 1e6 / 1,417,500 = 0.7054673721...
    /// print(required(response_model(hill(5000, 20000, 1.0), #{ spend: 10000 }), "spend", 2500));   // 20000
    /// ```
    #[rhai_fn(return_raw)]
    pub fn required(model: Model, input: &str, target: Dynamic) -> R<f64> {
        model
            .required(input, num(&target, "required: target")?)
            .map_err(script_error)
    }

    // ---- models ------------------------------------------------------------------

    /// A funnel model: stages `#{ name, rate }` in order (a rate is a number in [0, 1]
    /// or a distribution that stays in [0, 1], such as `dist_beta(40, 60)`), options
    /// `entering` (required; number or distribution) and `aov` (average order value).
    /// Output: `entering x rates x aov`.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: dist_beta(15, 85) },
    ///                       #{ name: "activation", rate: 0.4 }],
    ///                      #{ entering: 100000, aov: 150 });
    /// print(m);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn funnel_model(stages: Array, options: Map) -> R<Model> {
        super::funnel_model(&stages, options)
    }

    /// The model of a planned funnel (`funnel(...)`): option `entering` (required), and
    /// optionally any stage name or `aov` mapped to a number or a distribution to make it
    /// uncertain.
    ///
    /// ```rhai
    /// let f = funnel([#{ name: "acquisition", rate: 0.15 }, #{ name: "activation", rate: 0.4 },
    ///                 #{ name: "retention", rate: 0.7 }, #{ name: "monetization", rate: 0.9 }], #{ aov: 150 });
    /// let m = funnel_model(f, #{ entering: 100000, activation: dist_beta_observed(240, 600) });
    /// print(required(funnel_model(f, #{ entering: 100000 }), "activation", 1000000));   // 0.70547
    /// print(simulate(100000, #{ seed: 7 }, m).mean);   // about 100000 x 0.15 x 0.4 x 0.7 x 0.9 x 150
    /// ```
    #[rhai_fn(name = "funnel_model", return_raw)]
    pub fn funnel_model_of(f: Funnel, options: Map) -> R<Model> {
        let entering = options.get("entering").cloned().ok_or_else(|| {
            script_error("funnel_model: option 'entering' is missing (the visitors entering the first stage, like #{ entering: 100000 })")
        })?;
        let entering = input_of(&entering, "funnel_model: entering")?;
        let mut overrides = Vec::new();
        for (k, v) in options.iter().filter(|(k, _)| k.as_str() != "entering") {
            let known = k.as_str() == "aov" || f.stages().iter().any(|s| s.name == k.as_str());
            if !known {
                let names: Vec<&str> = f.stages().iter().map(|s| s.name.as_str()).collect();
                let hint =
                    crate::suggest::closest(k, names.iter().copied().chain(["aov", "entering"]))
                        .map(|s| format!(" (did you mean '{s}'?)"))
                        .unwrap_or_default();
                return Err(script_error(format!(
                    "funnel_model: unknown option '{k}'{hint}; allowed options: entering, aov, {}",
                    names.join(", ")
                )));
            }
            overrides.push((k.to_string(), input_of(v, &format!("funnel_model: '{k}'"))?));
        }
        Model::from_funnel(&f, entering, overrides).map_err(script_error)
    }

    /// A budget response model: `result = curve(spend)`, `revenue = result x value`.
    /// Options: `spend` (required) and `value` (per result), numbers or distributions;
    /// `curve` is a curve such as `hill(5000, 20000, 1.0)` or a `fit_curve` result.
    ///
    /// ```rhai
    /// let m = response_model(hill(5000, 20000, 1.0), #{ spend: 20000, value: dist_normal(40, 5) });
    /// print(simulate(10000, #{ seed: 7 }, m).mean);   // about 2500 x 40 = 100000
    /// ```
    #[rhai_fn(return_raw)]
    pub fn response_model(curve: Dynamic, options: Map) -> R<Model> {
        let curve = curve
            .clone()
            .try_cast::<Curve>()
            .or_else(|| curve.try_cast::<Fit>().map(|f| f.curve))
            .ok_or_else(|| {
                script_error("response_model: curve must be a curve such as hill(5000, 20000, 1.0) or a fit_curve(...) result")
            })?;
        let o = Options::new("response_model", options, &["spend", "value"])?;
        let spend = o.raw("spend").ok_or_else(|| {
            script_error("response_model: option 'spend' is missing, like #{ spend: 20000 }")
        })?;
        let spend = input_of(spend, "response_model: spend")?;
        let value = o
            .raw("value")
            .map(|v| input_of(v, "response_model: value"))
            .transpose()?;
        Model::response(curve, spend, value).map_err(script_error)
    }

    /// The model with one input replaced by a number or a distribution.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: 0.4 }], #{ entering: 1000, aov: 150 });
    /// print(m.set("activation", dist_beta_observed(40, 100)));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn set(model: &mut Model, input: &str, value: Dynamic) -> R<Model> {
        let v = input_of(&value, &format!("set: '{input}'"))?;
        model.with_input(input, v).map_err(script_error)
    }

    /// The model's input names, in order.
    #[rhai_fn(get = "inputs", pure)]
    pub fn model_inputs(model: &mut Model) -> Array {
        model
            .names()
            .iter()
            .map(|n| Dynamic::from(n.clone()))
            .collect()
    }

    /// The model's outputs at base (inputs at their values or means), as a map.
    #[rhai_fn(get = "base", pure)]
    pub fn model_base(model: &mut Model) -> Map {
        let x = model.base();
        model
            .output_names()
            .into_iter()
            .zip(model.outputs(&x))
            .map(|(n, v)| (n.into(), Dynamic::from_float(v)))
            .collect()
    }

    /// The model's inputs, one per line.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn model_to_string(model: &mut Model) -> String {
        let mut s = format!("Model ({})", model.output_names().join(", "));
        for (n, i) in model.names().iter().zip(model.inputs()) {
            let v = match i {
                Input::Fixed(v) => crate::render::format_display(*v),
                Input::Uncertain(d) => d.describe(),
            };
            s.push_str(&format!("\n  {n}: {v}"));
        }
        s
    }

    // ---- distributions ------------------------------------------------------------

    /// A normal distribution (sd > 0), for model inputs and tornado ranges.
    ///
    /// ```rhai
    /// print(dist_normal(150, 20).quantile(0.9));   // 175.63
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_normal(mean: Dynamic, sd: Dynamic) -> R<Distribution> {
        Dist::normal(num(&mean, "normal: mean")?, num(&sd, "normal: sd")?).map_err(script_error)
    }

    /// A log-normal distribution: `exp` of a normal with mean `mu` and sd `sigma`
    /// (`mu + sigma^2 / 2` at most 709, so that its mean is a number).
    ///
    /// ```rhai
    /// print(dist_lognormal(0.0, 0.5).mean);   // exp(0.125) = 1.1331
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_lognormal(mu: Dynamic, sigma: Dynamic) -> R<Distribution> {
        Dist::lognormal(num(&mu, "lognormal: mu")?, num(&sigma, "lognormal: sigma")?)
            .map_err(script_error)
    }

    /// A beta distribution (shapes from 1e-300 to 1e10): a rate's uncertainty; mean
    /// `a / (a + b)`. Its quantiles are exact to the double, however far in a tail.
    ///
    /// ```rhai
    /// print(dist_beta(30, 970).mean);   // 0.03
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_beta(a: Dynamic, b: Dynamic) -> R<Distribution> {
        Dist::beta(num(&a, "beta: a")?, num(&b, "beta: b")?).map_err(script_error)
    }

    /// The rate after `x` conversions out of `n` (uniform prior): `beta(x + 1, n - x + 1)`.
    ///
    /// ```rhai
    /// print(dist_beta_observed(30, 1000));   // beta(31, 971)
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_beta_observed(x: Dynamic, n: Dynamic) -> R<Distribution> {
        Dist::beta_observed(num(&x, "beta_observed: x")?, num(&n, "beta_observed: n")?)
            .map_err(script_error)
    }

    /// A triangular distribution on [lo, hi] peaking at `mode` (`hi - lo` finite).
    ///
    /// ```rhai
    /// print(dist_triangular(0.8, 0.9, 1.0).mean);   // 0.9
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_triangular(lo: Dynamic, mode: Dynamic, hi: Dynamic) -> R<Distribution> {
        Dist::triangular(
            num(&lo, "triangular: lo")?,
            num(&mode, "triangular: mode")?,
            num(&hi, "triangular: hi")?,
        )
        .map_err(script_error)
    }

    /// A uniform distribution on [lo, hi] (`hi - lo` finite).
    ///
    /// ```rhai
    /// print(dist_uniform(0.6, 0.8).mean);   // 0.7
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_uniform(lo: Dynamic, hi: Dynamic) -> R<Distribution> {
        Dist::uniform(num(&lo, "uniform: lo")?, num(&hi, "uniform: hi")?).map_err(script_error)
    }

    /// A Poisson distribution of counts with mean `lambda` in (0, 1e7] (beyond, a
    /// normal with sd `sqrt(lambda)` is the same to within `1 / sqrt(lambda)`).
    ///
    /// ```rhai
    /// print(dist_poisson(4).quantile(0.5));   // 4
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_poisson(lambda: Dynamic) -> R<Distribution> {
        Dist::poisson(num(&lambda, "poisson: lambda")?).map_err(script_error)
    }

    /// The distribution's mean.
    #[rhai_fn(get = "mean", pure)]
    pub fn dist_mean(d: &mut Distribution) -> f64 {
        d.mean()
    }

    /// The quantile at probability `p` (0 < p < 1).
    ///
    /// ```rhai
    /// print(dist_beta(30, 970).quantile(0.9));   // 0.0370823
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn quantile(d: &mut Distribution, p: Dynamic) -> R<f64> {
        let p = num(&p, "quantile: p")?;
        if !(p > 0.0 && p < 1.0) {
            return Err(script_error(format!(
                "quantile: p must be a probability strictly between 0 and 1, got {p}"
            )));
        }
        Ok(d.quantile(p))
    }

    /// The distribution as written: `beta(30, 970)`.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn dist_to_string(d: &mut Distribution) -> String {
        d.describe()
    }

    // ---- the draw object -----------------------------------------------------------

    /// A draw from a normal distribution (sd > 0).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.normal(10.0, 2.0));
    /// ```
    #[rhai_fn(name = "normal", return_raw)]
    pub fn draw_normal(d: &mut Draw, mean: Dynamic, sd: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_normal(mean, sd)?))
    }

    /// A draw from a log-normal distribution (`exp` of N(mu, sigma)).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.lognormal(0.0, 0.5));
    /// ```
    #[rhai_fn(name = "lognormal", return_raw)]
    pub fn draw_lognormal(d: &mut Draw, mu: Dynamic, sigma: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_lognormal(mu, sigma)?))
    }

    /// A draw from a beta distribution (a > 0, b > 0).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.beta(30, 970));
    /// ```
    #[rhai_fn(name = "beta", return_raw)]
    pub fn draw_beta(d: &mut Draw, a: Dynamic, b: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_beta(a, b)?))
    }

    /// A draw of a rate observed as `x` conversions out of `n`: beta(x + 1, n - x + 1).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.beta_observed(30, 1000));
    /// ```
    #[rhai_fn(name = "beta_observed", return_raw)]
    pub fn draw_beta_observed(d: &mut Draw, x: Dynamic, n: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_beta_observed(x, n)?))
    }

    /// A draw from a triangular distribution on [lo, hi] peaking at `mode`.
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.triangular(0.8, 0.9, 1.0));
    /// ```
    #[rhai_fn(name = "triangular", return_raw)]
    pub fn draw_triangular(d: &mut Draw, lo: Dynamic, mode: Dynamic, hi: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_triangular(lo, mode, hi)?))
    }

    /// A draw from a uniform distribution on [lo, hi].
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.uniform(0.6, 0.8));
    /// ```
    #[rhai_fn(name = "uniform", return_raw)]
    pub fn draw_uniform(d: &mut Draw, lo: Dynamic, hi: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_uniform(lo, hi)?))
    }

    /// A draw of a count from a Poisson distribution with mean `lambda` (a float).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.poisson(4));
    /// ```
    #[rhai_fn(name = "poisson", return_raw)]
    pub fn draw_poisson(d: &mut Draw, lambda: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_poisson(lambda)?))
    }

    /// A draw from a distribution value (`dist_beta(30, 970)`, ...).
    ///
    /// ```rhai
    /// let rate = dist_beta(30, 970);
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.draw(rate));
    /// ```
    #[rhai_fn(name = "draw")]
    pub fn draw_dist(d: &mut Draw, dist: Distribution) -> f64 {
        d.sample(&dist)
    }

    // ---- simulation ----------------------------------------------------------------

    /// Monte Carlo: calls `f` with a draw object `n` times and summarises the results
    /// (each a number). Options: `seed` (default 0, or `--seed N` on the command line)
    /// and `threads`; trials are cut into chunks of 16,384, each with its own random
    /// stream derived from the seed, so the same seed gives the same digits whatever
    /// `threads` (closures run in the interpreter on one thread; native models use the
    /// threads).
    ///
    /// ```rhai
    /// let s = simulate(10000, #{ seed: 7 }, |d| d.normal(10.0, 2.0) * d.beta(30, 970));
    /// print(s.mean);   // about 10 x 0.03 = 0.3
    /// print(s.prob_at_least(0.4));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn simulate(ctx: NativeCallContext, n: i64, options: Map, f: FnPtr) -> R<Simulation> {
        let opts = sim_options(&ctx, options)?;
        let n = scenario::monte_carlo::check_trials(n).map_err(script_error)?;
        let mut calls = Calls::new(&ctx)?;
        let rng = Rc::new(RefCell::new(chunk_rng(opts.seed, 0)));
        let draw = Dynamic::from(Draw { rng: rng.clone() });
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            if i % CHUNK == 0 {
                *rng.borrow_mut() = chunk_rng(opts.seed, i / CHUNK);
            }
            let v = calls.call(&f, draw.clone())?;
            values.push(num(
                &v,
                &format!("simulate: the closure's result in trial {}", i + 1),
            )?);
        }
        Simulation::new(values).map_err(script_error)
    }

    /// Monte Carlo of a native model (funnel or response), in parallel: its main
    /// output (revenue, or conversions without an aov) over `n` trials, every uncertain
    /// input drawn independently. Same seed, same digits, whatever `threads`.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: dist_beta(15, 85) },
    ///                       #{ name: "activation", rate: dist_beta(40, 60) }],
    ///                      #{ entering: 100000, aov: 150 });
    /// let s = simulate(100000, #{ seed: 7, threads: 2 }, m);
    /// print(s);   // mean about 100000 x 0.15 x 0.4 x 150 = 900000
    /// ```
    #[rhai_fn(name = "simulate", return_raw)]
    pub fn simulate_model(
        ctx: NativeCallContext,
        n: i64,
        options: Map,
        model: Model,
    ) -> R<Simulation> {
        let opts = sim_options(&ctx, options)?;
        let n = scenario::monte_carlo::check_trials(n).map_err(script_error)?;
        model.simulate(n, &opts).map_err(script_error)
    }

    /// The number of trials.
    #[rhai_fn(get = "n", pure)]
    pub fn sim_n(s: &mut Simulation) -> i64 {
        s.n() as i64
    }

    /// The mean of the trials.
    #[rhai_fn(get = "mean", pure)]
    pub fn sim_mean(s: &mut Simulation) -> f64 {
        s.mean()
    }

    /// The sample standard deviation of the trials.
    #[rhai_fn(get = "sd", pure)]
    pub fn sim_sd(s: &mut Simulation) -> f64 {
        s.sd()
    }

    /// The standard error of the mean, `sd / sqrt(n)`.
    #[rhai_fn(get = "se", pure)]
    pub fn sim_se(s: &mut Simulation) -> f64 {
        s.se()
    }

    /// The 5th percentile.
    #[rhai_fn(get = "p5", pure, return_raw)]
    pub fn sim_p5(s: &mut Simulation) -> R<f64> {
        s.percentile(5.0).map_err(script_error)
    }

    /// The median.
    #[rhai_fn(get = "p50", pure, return_raw)]
    pub fn sim_p50(s: &mut Simulation) -> R<f64> {
        s.percentile(50.0).map_err(script_error)
    }

    /// The 95th percentile.
    #[rhai_fn(get = "p95", pure, return_raw)]
    pub fn sim_p95(s: &mut Simulation) -> R<f64> {
        s.percentile(95.0).map_err(script_error)
    }

    /// The smallest trial.
    #[rhai_fn(get = "min", pure)]
    pub fn sim_min(s: &mut Simulation) -> f64 {
        s.min()
    }

    /// The largest trial.
    #[rhai_fn(get = "max", pure)]
    pub fn sim_max(s: &mut Simulation) -> f64 {
        s.max()
    }

    /// The `q`-th percentile, `q` from 0 to 100 (linear interpolation, numpy's default).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.uniform(0, 1));
    /// print(s.percentile(90));   // about 0.9
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn percentile(s: &mut Simulation, q: Dynamic) -> R<f64> {
        s.percentile(num(&q, "percentile: q")?)
            .map_err(script_error)
    }

    /// The share of trials reaching at least `x`: the chance of hitting a target.
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.uniform(0, 1));
    /// print(s.prob_at_least(0.75));   // about 0.25
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn prob_at_least(s: &mut Simulation, x: Dynamic) -> R<f64> {
        s.prob_at_least(num(&x, "prob_at_least: x")?)
            .map_err(script_error)
    }

    /// A histogram table with `bins` equal-width bins: `bin_lo, bin_hi, count, share`.
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.normal(0, 1));
    /// print(s.histogram(10));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn histogram(s: &mut Simulation, bins: i64) -> R<Table> {
        histogram_table(s, bins)
    }

    /// An SVG histogram (`bins` bars) with the mean and p5/p95 marked.
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.normal(0, 1));
    /// let svg = s.histogram_svg(20);
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn histogram_svg(s: &mut Simulation, bins: i64) -> R<String> {
        let h = s
            .histogram(usize::try_from(bins).unwrap_or(0))
            .map_err(script_error)?;
        Ok(scenario::plot::histogram_svg(
            &format!("Simulation of {} trials", s.n()),
            s,
            &h,
        ))
    }

    /// The summary in one line.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn sim_to_string(s: &mut Simulation) -> String {
        summary_text(s)
    }

    // ---- tornado -------------------------------------------------------------------

    /// The tornado of a model's main output: each uncertain input across its p10-p90,
    /// the others at base (fixed inputs at their value, uncertain ones at their mean),
    /// ranked by swing.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: dist_beta(15, 85) },
    ///                       #{ name: "activation", rate: dist_beta(40, 60) }],
    ///                      #{ entering: 100000, aov: dist_normal(150, 20) });
    /// print(tornado(m).table);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn tornado(model: Model) -> R<Tornado> {
        tornado_ranges(model, Map::new())
    }

    /// The tornado of a model with explicit ranges for some inputs:
    /// `#{ entering: [80000, 120000] }` (a range or a distribution, whose p10-p90 is used).
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: 0.4 }], #{ entering: 100000, aov: 150 });
    /// print(tornado(m, #{ activation: [0.3, 0.5], aov: [120, 180] }).table);
    /// ```
    #[rhai_fn(name = "tornado", return_raw)]
    pub fn tornado_ranges(model: Model, ranges: Map) -> R<Tornado> {
        let r = ranges_of(&ranges, "tornado")?;
        let t = model.tornado(&r).map_err(script_error)?;
        Ok(Tornado {
            tornado: t,
            output: model
                .output_names()
                .last()
                .map_or("result", |s| s)
                .to_string(),
        })
    }

    /// The tornado of a closure: `base` maps each input to its base value, `ranges` maps
    /// inputs to `[low, high]` or a distribution (p10-p90); `f` gets a map of inputs and
    /// returns a number.
    ///
    /// ```rhai
    /// let t = tornado(#{ ctr: 0.03, cpm: 50 }, #{ ctr: [0.02, 0.04], cpm: dist_normal(50, 5) },
    ///                 |p| 41667.0 / p.cpm * 1000.0 * p.ctr);
    /// print(t.table);
    /// ```
    #[rhai_fn(name = "tornado", return_raw)]
    pub fn tornado_closure(ctx: NativeCallContext, base: Map, ranges: Map, f: FnPtr) -> R<Tornado> {
        let names: Vec<String> = base.keys().map(|k| k.to_string()).collect();
        let x0 = base
            .iter()
            .map(|(k, v)| num(v, &format!("tornado: base value of '{k}'")))
            .collect::<R<Vec<f64>>>()?;
        let given = ranges_of(&ranges, "tornado")?;
        let mut r = vec![None; names.len()];
        for (k, range) in given {
            let i = names.iter().position(|n| *n == k).ok_or_else(|| {
                script_error(format!(
                    "tornado: '{k}' has a range but no base value; the base map has {}",
                    names.join(", ")
                ))
            })?;
            r[i] = Some(range);
        }
        let mut calls = Calls::new(&ctx)?;
        let t = scenario::tornado(&names, &x0, &r, |x| {
            let arg: Map = names
                .iter()
                .zip(x)
                .map(|(n, v)| (n.as_str().into(), Dynamic::from_float(*v)))
                .collect();
            let v = calls.call(&f, Dynamic::from_map(arg))?;
            num(&v, "tornado: the closure's result")
        })
        .map_err(failure)?;
        Ok(Tornado {
            tornado: t,
            output: "result".into(),
        })
    }

    /// The tornado table: `input, low, high, result_low, result_high, swing`, widest
    /// swing first.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn tornado_table(t: &mut Tornado) -> R<Table> {
        t.tornado.table().map_err(script_error)
    }

    /// The result with every input at base.
    #[rhai_fn(get = "base", pure)]
    pub fn tornado_base(t: &mut Tornado) -> f64 {
        t.tornado.base
    }

    /// The tornado as an SVG chart.
    #[rhai_fn(get = "svg", pure)]
    pub fn tornado_svg(t: &mut Tornado) -> String {
        scenario::plot::tornado_svg(&format!("Tornado: {}", t.output), &t.tornado)
    }

    /// The base result and the tornado table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn tornado_to_string(t: &mut Tornado) -> String {
        let table = t
            .tornado
            .table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default();
        format!(
            "Tornado of {} (base {})\n{table}",
            t.output,
            crate::render::format_display(t.tornado.base)
        )
    }

    // ---- named scenarios -------------------------------------------------------------

    /// Named scenarios side by side: `table` (or an array of maps) has a `scenario`
    /// column and one column per model input; each row is run through the model and the
    /// result is a table with one row per input and output, one column per scenario and
    /// `<name>_vs_base` differences from the scenario named `base` (or the first).
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: 0.4 }], #{ entering: 100000, aov: 150 });
    /// let s = table([#{ scenario: "base", activation: 0.4 }, #{ scenario: "optimistic", activation: 0.5 }]);
    /// print(scenarios(s, m));
    /// ```
    #[rhai_fn(name = "scenarios", return_raw)]
    pub fn scenarios_model(table: Dynamic, model: Model) -> R<Table> {
        let t = table_from_dynamic(table, "scenarios: table")?;
        let set = scenario::scenarios::read(&t).map_err(script_error)?;
        for n in &set.inputs {
            model
                .index_of(n)
                .map_err(|e| script_error(format!("scenarios: {e}")))?;
        }
        let outs: Vec<String> = model.output_names().iter().map(|s| s.to_string()).collect();
        scenario::scenarios::compare::<ScenarioError, _>(&set, &outs, |x| {
            let mut m = model.clone();
            for (name, v) in set.inputs.iter().zip(x) {
                m = m.with_input(name, Input::Fixed(*v))?;
            }
            Ok(m.outputs(&m.base()))
        })
        .map_err(|e| match e {
            Failure::Scenario(e) | Failure::Model(e) => script_error(format!("scenarios: {e}")),
        })
    }

    /// Named scenarios through a closure: `f` gets a map of a row's inputs and returns a
    /// number (row `result`) or a map of numbers (one row per field, named as in the
    /// first scenario).
    ///
    /// ```rhai
    /// let s = table([#{ scenario: "base", ctr: 0.03, cpm: 50 }, #{ scenario: "pessimistic", ctr: 0.025, cpm: 60 }]);
    /// print(scenarios(s, |p| #{ visitors: 41667.0 / p.cpm * 1000.0 * p.ctr }));
    /// ```
    #[rhai_fn(name = "scenarios", return_raw)]
    pub fn scenarios_closure(ctx: NativeCallContext, table: Dynamic, f: FnPtr) -> R<Table> {
        let t = table_from_dynamic(table, "scenarios: table")?;
        let set = scenario::scenarios::read(&t).map_err(script_error)?;
        let mut calls = Calls::new(&ctx)?;
        let mut call = |x: &[f64], s: &str| -> R<Vec<(String, f64)>> {
            let arg: Map = set
                .inputs
                .iter()
                .zip(x)
                .map(|(n, v)| (n.as_str().into(), Dynamic::from_float(*v)))
                .collect();
            let v = calls.call(&f, Dynamic::from_map(arg))?;
            result_fields(&v, &format!("scenarios: the closure's result for '{s}'"))
        };
        let first = call(&set.values[0], &set.names[0])?;
        let outs: Vec<String> = first.iter().map(|(k, _)| k.clone()).collect();
        let mut k = 0usize;
        scenario::scenarios::compare(&set, &outs, |x| {
            let name = set.names[k].clone();
            k += 1;
            let fields = call(x, &name)?;
            if fields.iter().map(|(k, _)| k).ne(outs.iter()) {
                return Err(script_error(format!(
                    "scenarios: the closure's result for '{name}' must have the fields {} like the first scenario",
                    outs.join(", ")
                )));
            }
            Ok(fields.into_iter().map(|(_, v)| v).collect())
        })
        .map_err(failure)
    }
}
