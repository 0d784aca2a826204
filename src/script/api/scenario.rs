//! Script API of the scenario domain: sweeps, goal seek, Monte Carlo with a draw
//! object and distributions, native funnel and response-curve models, tornado charts
//! and named scenarios side by side.
//!
//! Domain code lives in `crate::scenario`; this file converts script values and calls
//! closures (through `FnPtr::call_within_context`, so the engine's operation limit and
//! time limit apply inside them).

use crate::budget::{Curve, Fit};
use crate::funnel::Funnel;
use crate::render::scenario_chart;
use crate::scenario::monte_carlo::TrialRng;
use crate::scenario::{
    self, chunk_rng, Combine, Correlation, Dist, DistFit, Failure, Family, Input, Model,
    ScenarioError, SeekOptions, Sensitivity, SimOptions, Summary, Tornado as DomainTornado, CHUNK,
};
use crate::script::{context, num, script_error, table_from_dynamic, Options};
use crate::table::{Column, Kind, Table, Value};
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
    m.set_custom_type::<Simulation>("Simulation");
    m.set_custom_type::<Tornado>("Tornado");
    m.set_custom_type::<Sensitivity>("Sensitivity");
    m.set_custom_type::<DistributionFit>("DistributionFit");
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

/// A simulation as scripts see it: its summary and, when asked for, its sensitivity.
#[derive(Debug, Clone)]
pub struct Simulation {
    summary: Summary,
    sensitivity: Option<Sensitivity>,
}

impl std::ops::Deref for Simulation {
    type Target = Summary;
    fn deref(&self) -> &Summary {
        &self.summary
    }
}

impl Simulation {
    fn new(values: Vec<f64>) -> Result<Simulation, ScenarioError> {
        Ok(Simulation {
            summary: Summary::new(values)?,
            sensitivity: None,
        })
    }
}

/// A fit, or the best of several fits with every candidate kept.
#[derive(Debug, Clone)]
pub struct DistributionFit {
    fit: DistFit,
    candidates: Vec<DistFit>,
}

/// A distribution, as scripts name it.
pub type Distribution = Dist;

/// A tornado with the name of the output it ranks.
#[derive(Debug, Clone)]
pub struct Tornado {
    tornado: DomainTornado,
    output: String,
    /// What the output's values mean, for a model's tornado (a closure's is unknown).
    kind: Kind,
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

/// A simulation's options: `seed`, `threads`, and for a model `correlate` and
/// `sensitivity`.
struct SimSettings {
    options: SimOptions,
    correlation: Option<Correlation>,
    sensitivity: bool,
}

fn sim_options(ctx: &NativeCallContext, options: Map, model: bool) -> R<SimSettings> {
    let keys: &[&str] = if model {
        &["seed", "threads", "correlate", "sensitivity"]
    } else {
        &["seed", "threads"]
    };
    if !model {
        for k in ["correlate", "sensitivity"] {
            if options.contains_key(k) {
                return Err(script_error(format!(
                    "simulate: option '{k}' needs a native model (funnel_model or response_model), whose inputs have names; a closure's draws have none"
                )));
            }
        }
    }
    let o = Options::new("simulate", options, keys)?;
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
    let correlation = o.raw("correlate").map(correlation_of).transpose()?;
    let sensitivity = o.bool("sensitivity")?.unwrap_or(false);
    Ok(SimSettings {
        options: SimOptions {
            seed: seed as u64,
            threads,
            deadline: run.deadline,
        },
        correlation,
        sensitivity,
    })
}

/// The `correlate` option: a list of pairs `[#{ a: "ctr", b: "cvr", rho: -0.5 }, ..]`
/// or a matrix `#{ inputs: ["ctr", "cvr"], matrix: [[1, -0.5], [-0.5, 1]] }`.
fn correlation_of(v: &Dynamic) -> R<Correlation> {
    const SHAPE: &str = "a list of pairs like [#{ a: \"ctr\", b: \"cvr\", rho: -0.5 }] or a matrix like #{ inputs: [\"ctr\", \"cvr\"], matrix: [[1, -0.5], [-0.5, 1]] }";
    if let Some(list) = v.read_lock::<Array>() {
        let mut pairs = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            let where_ = format!("simulate: correlate pair {}", i + 1);
            let map = p.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
                script_error(format!(
                    "{where_} must be a map like #{{ a: \"ctr\", b: \"cvr\", rho: -0.5 }}, got {}",
                    crate::script::type_label(p)
                ))
            })?;
            let o = Options::new(&where_, map, &["a", "b", "rho"])?;
            let name = |k: &str| -> R<String> {
                o.str(k)?.ok_or_else(|| {
                    script_error(format!("{where_}: '{k}' (an input's name) is missing"))
                })
            };
            let rho = o
                .raw("rho")
                .ok_or_else(|| script_error(format!("{where_}: 'rho' is missing")))?;
            pairs.push((name("a")?, name("b")?, num(rho, &format!("{where_}: rho"))?));
        }
        return Correlation::from_pairs(&pairs).map_err(script_error);
    }
    if let Some(map) = v.read_lock::<Map>() {
        let o = Options::new("simulate: correlate", map.clone(), &["inputs", "matrix"])?;
        let names = o
            .raw("inputs")
            .and_then(|a| a.read_lock::<Array>().map(|a| a.clone()))
            .ok_or_else(|| script_error(format!("simulate: correlate must be {SHAPE}")))?
            .iter()
            .map(|n| {
                n.clone().into_string().map_err(|_| {
                    script_error("simulate: correlate: 'inputs' must be a list of input names")
                })
            })
            .collect::<R<Vec<String>>>()?;
        let rows = o
            .raw("matrix")
            .and_then(|a| a.read_lock::<Array>().map(|a| a.clone()))
            .ok_or_else(|| script_error(format!("simulate: correlate must be {SHAPE}")))?;
        let matrix = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let r = row.read_lock::<Array>().ok_or_else(|| {
                    script_error(format!(
                        "simulate: correlate: matrix row {} must be a list of numbers",
                        i + 1
                    ))
                })?;
                r.iter()
                    .enumerate()
                    .map(|(j, x)| {
                        num(
                            x,
                            &format!("simulate: correlate: matrix row {}, entry {}", i + 1, j + 1),
                        )
                    })
                    .collect::<R<Vec<f64>>>()
            })
            .collect::<R<Vec<Vec<f64>>>>()?;
        return Correlation::new(names, matrix).map_err(script_error);
    }
    Err(script_error(format!(
        "simulate: correlate must be {SHAPE}, got {}",
        crate::script::type_label(v)
    )))
}

/// Numbers from a list or a table column (empty cells are refused, naming the row).
fn values_from(v: &Dynamic, what: &str) -> R<Vec<f64>> {
    if let Some(a) = v.read_lock::<Array>() {
        return a
            .iter()
            .enumerate()
            .map(|(i, x)| num(x, &format!("{what}: value {}", i + 1)))
            .collect();
    }
    if let Some(c) = v.read_lock::<Column>() {
        return (0..c.len())
            .map(|i| {
                c.f64_at(i).ok_or_else(|| {
                    script_error(format!(
                        "{what}: row {} of the column is empty or not a number",
                        i + 1
                    ))
                })
            })
            .collect();
    }
    Err(script_error(format!(
        "{what} must be a list of numbers or a table column like t[\"order_value\"], got {}",
        crate::script::type_label(v)
    )))
}

fn candidates_table(fits: &[DistFit]) -> R<Table> {
    let best = fits.iter().map(|f| f.aic).fold(f64::INFINITY, f64::min);
    let col =
        |f: &dyn Fn(&DistFit) -> f64| Column::float(fits.iter().map(|x| Some(f(x))).collect());
    Table::new(
        "<fits>",
        vec![
            (
                "family".into(),
                Column::text(
                    fits.iter()
                        .map(|f| Some(f.family.name().to_string()))
                        .collect(),
                ),
            ),
            (
                "distribution".into(),
                Column::text(fits.iter().map(|f| Some(f.dist.describe())).collect()),
            ),
            ("log_likelihood".into(), col(&|f| f.log_likelihood)),
            ("aic".into(), col(&|f| f.aic)),
            ("delta_aic".into(), col(&|f| f.aic - best)),
            ("ks".into(), col(&|f| f.ks)),
            ("ks_p".into(), col(&|f| f.ks_p)),
        ],
    )
    .map_err(script_error)
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
    .map(|t| t.with_kinds(&[("count", Kind::Count), ("share", Kind::Share)]))
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

    /// A gamma distribution with `shape` (0.001 to 1e10) and `scale` (mean
    /// `shape x scale`), as scipy.stats.gamma(shape, scale=scale).
    ///
    /// ```rhai
    /// print(dist_gamma(2.0, 50.0).mean);   // 100
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_gamma(shape: Dynamic, scale: Dynamic) -> R<Distribution> {
        Dist::gamma(num(&shape, "gamma: shape")?, num(&scale, "gamma: scale")?)
            .map_err(script_error)
    }

    /// A Weibull distribution with `shape` (0.05 to 10000) and `scale`:
    /// `P(X > x) = exp(-(x / scale)^shape)`, as scipy.stats.weibull_min.
    ///
    /// ```rhai
    /// print(dist_weibull(1.0, 30.0).mean);   // 30
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_weibull(shape: Dynamic, scale: Dynamic) -> R<Distribution> {
        Dist::weibull(
            num(&shape, "weibull: shape")?,
            num(&scale, "weibull: scale")?,
        )
        .map_err(script_error)
    }

    /// An exponential distribution with the given mean (rate `1 / mean`).
    ///
    /// ```rhai
    /// print(dist_exponential(4.0).quantile(0.5));   // 4 ln 2 = 2.7726
    /// ```
    #[rhai_fn(return_raw)]
    pub fn dist_exponential(mean: Dynamic) -> R<Distribution> {
        Dist::exponential(num(&mean, "exponential: mean")?).map_err(script_error)
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

    /// A draw from a gamma distribution (shape, scale).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.gamma(2.0, 50.0));
    /// ```
    #[rhai_fn(name = "gamma", return_raw)]
    pub fn draw_gamma(d: &mut Draw, shape: Dynamic, scale: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_gamma(shape, scale)?))
    }

    /// A draw from a Weibull distribution (shape, scale).
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.weibull(1.5, 30.0));
    /// ```
    #[rhai_fn(name = "weibull", return_raw)]
    pub fn draw_weibull(d: &mut Draw, shape: Dynamic, scale: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_weibull(shape, scale)?))
    }

    /// A draw from an exponential distribution with the given mean.
    ///
    /// ```rhai
    /// let s = simulate(1000, #{ seed: 1 }, |d| d.exponential(4.0));
    /// ```
    #[rhai_fn(name = "exponential", return_raw)]
    pub fn draw_exponential(d: &mut Draw, mean: Dynamic) -> R<f64> {
        Ok(d.sample(&dist_exponential(mean)?))
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
        let opts = sim_options(&ctx, options, false)?.options;
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
    /// output (revenue, or conversions without an aov) over `n` trials. Same seed, same
    /// digits, whatever `threads`. Uncertain inputs are drawn independently unless
    /// `correlate` gives rank (Spearman) correlations between them, as a list of pairs
    /// `[#{ a: "ctr", b: "cvr", rho: -0.5 }]` (pairs not given are uncorrelated) or a
    /// matrix `#{ inputs: ["ctr", "cvr"], matrix: [[1, -0.5], [-0.5, 1]] }` (symmetric,
    /// 1 on the diagonal, entries in [-1, 1], positive semi-definite). The correlations
    /// are imposed by Iman-Conover: each input keeps exactly the values it drew, only
    /// their pairing across inputs changes. `sensitivity: true` keeps the inputs' draws
    /// and gives `s.sensitivity`: each input's rank correlation with the output and its
    /// contribution to variance.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "acquisition", rate: dist_beta(15, 85) },
    ///                       #{ name: "activation", rate: dist_beta(40, 60) }],
    ///                      #{ entering: 100000, aov: 150 });
    /// let s = simulate(100000, #{ seed: 7, threads: 2 }, m);
    /// print(s);   // mean about 100000 x 0.15 x 0.4 x 150 = 900000
    /// // campaigns that bring many visitors convert fewer of them
    /// let c = simulate(100000, #{ seed: 7, correlate: [#{ a: "acquisition", b: "activation", rho: -0.6 }],
    ///                           sensitivity: true }, m);
    /// print(c.sd < s.sd);   // true: the negative correlation narrows the revenue
    /// print(c.sensitivity);
    /// ```
    #[rhai_fn(name = "simulate", return_raw)]
    pub fn simulate_model(
        ctx: NativeCallContext,
        n: i64,
        options: Map,
        model: Model,
    ) -> R<Simulation> {
        let set = sim_options(&ctx, options, true)?;
        let n = scenario::monte_carlo::check_trials(n).map_err(script_error)?;
        if set.correlation.is_none() && !set.sensitivity {
            return Simulation::new(
                model
                    .simulate_values(n, &set.options)
                    .map_err(script_error)?,
            )
            .map_err(script_error);
        }
        let sample = model
            .simulate_sample(n, &set.options, set.correlation.as_ref())
            .map_err(script_error)?;
        let sensitivity = if set.sensitivity {
            Some(
                sample
                    .sensitivity(model.main_output_name())
                    .map_err(script_error)?,
            )
        } else {
            None
        };
        let mut sim = Simulation::new(sample.output).map_err(script_error)?;
        sim.sensitivity = sensitivity;
        Ok(sim)
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
        Ok(scenario_chart::histogram_svg(s, &h))
    }

    /// The summary in one line.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn sim_to_string(s: &mut Simulation) -> String {
        scenario_chart::simulation_text(s)
    }

    /// The simulation's own sensitivity (a simulation of a model run with
    /// `sensitivity: true`): for each uncertain input, Spearman's rank correlation of
    /// its draws with the output and its contribution to variance, the squared rank
    /// correlations normalised to sum to 1 (as @RISK), strongest first.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: dist_beta(40, 60) }],
    ///                      #{ entering: dist_normal(100000, 5000), aov: dist_lognormal(5.0, 0.3) });
    /// let s = simulate(20000, #{ seed: 1, sensitivity: true }, m);
    /// print(s.sensitivity.table);   // aov first
    /// ```
    #[rhai_fn(get = "sensitivity", pure, return_raw)]
    pub fn sim_sensitivity(s: &mut Simulation) -> R<Sensitivity> {
        s.sensitivity.clone().ok_or_else(|| {
            script_error("sensitivity: this simulation did not keep its inputs; simulate a model with #{ sensitivity: true } (a closure's draws have no names)")
        })
    }

    /// The sensitivity table: `input, rank_correlation, contribution`, strongest first.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn sensitivity_table(s: &mut Sensitivity) -> R<Table> {
        s.table().map_err(script_error)
    }

    /// The sensitivity as a tornado chart (SVG): a bar per input from 0 to its rank
    /// correlation, labelled with its contribution to variance.
    ///
    /// ```rhai
    /// let m = funnel_model([#{ name: "activation", rate: dist_beta(40, 60) }],
    ///                      #{ entering: 100000, aov: dist_normal(150, 20) });
    /// let svg = simulate(5000, #{ seed: 1, sensitivity: true }, m).sensitivity.svg;
    /// ```
    #[rhai_fn(get = "svg", pure)]
    pub fn sensitivity_svg(s: &mut Sensitivity) -> String {
        scenario_chart::sensitivity_svg(&format!("Sensitivity: {}", s.output), s)
    }

    /// The sensitivity's output and table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn sensitivity_to_string(s: &mut Sensitivity) -> String {
        scenario_chart::sensitivity_text(s)
    }

    // ---- fitting -------------------------------------------------------------------

    /// Fits a distribution to observed values (a list of numbers or a table column) by
    /// maximum likelihood: `"normal"` (mean, sd), `"lognormal"` (mu, sigma of ln x),
    /// `"gamma"` (shape, scale), `"weibull"` (shape, scale), `"exponential"` (mean),
    /// `"beta"` (a, b; values in (0, 1)), or `"best"`: every family whose support holds
    /// the values, the smallest AIC chosen. The parameterisation is scipy.stats's with
    /// the location at 0 (`scipy.stats.gamma.fit(x, floc=0)`). The result has `dist`
    /// (a distribution, usable as a model input), `params`, `log_likelihood`, `aic`
    /// (`2k - 2 logL`), the Kolmogorov-Smirnov `ks` statistic and its p-value `ks_p`
    /// (exact below 10,000 values; conservative, since the parameters come from the same
    /// values), and `candidates`, a table of every family tried.
    ///
    /// ```rhai
    /// let orders = [112.0, 87.5, 140.2, 95.0, 180.9, 76.3, 133.1, 101.7, 158.4, 120.0];
    /// let f = fit_distribution(orders, "lognormal");
    /// print(f.params);          // mu and sigma of ln(order value)
    /// let best = fit_distribution(orders, "best");
    /// print(best.candidates);   // one row per family, by AIC
    /// let m = funnel_model([#{ name: "purchase", rate: 0.03 }], #{ entering: 50000, aov: f.dist });
    /// print(simulate(10000, #{ seed: 1 }, m).mean);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn fit_distribution(values: Dynamic, family: &str) -> R<DistributionFit> {
        let x = values_from(&values, "fit_distribution: values")?;
        if family == "best" {
            let fits = scenario::fit_all(&x).map_err(script_error)?;
            let fit = fits[0].clone();
            return Ok(DistributionFit {
                fit,
                candidates: fits,
            });
        }
        let fam = Family::parse(family).map_err(script_error)?;
        let fit = scenario::fit(&x, fam).map_err(script_error)?;
        Ok(DistributionFit {
            candidates: vec![fit.clone()],
            fit,
        })
    }

    /// The fitted family's name.
    #[rhai_fn(get = "family", pure)]
    pub fn fit_family(f: &mut DistributionFit) -> String {
        f.fit.family.name().to_string()
    }

    /// The fitted distribution, usable wherever a distribution is.
    #[rhai_fn(get = "dist", pure)]
    pub fn fit_dist(f: &mut DistributionFit) -> Distribution {
        f.fit.dist.clone()
    }

    /// The maximum likelihood parameters, by name (`mu`, `sigma`; `shape`, `scale`; ...).
    #[rhai_fn(get = "params", pure)]
    pub fn fit_params(f: &mut DistributionFit) -> Map {
        f.fit
            .params
            .iter()
            .map(|(k, v)| ((*k).into(), Dynamic::from_float(*v)))
            .collect()
    }

    /// The number of values fitted.
    #[rhai_fn(get = "n", pure)]
    pub fn fit_n(f: &mut DistributionFit) -> i64 {
        f.fit.n as i64
    }

    /// The log-likelihood at the fitted parameters.
    #[rhai_fn(get = "log_likelihood", pure)]
    pub fn fit_log_likelihood(f: &mut DistributionFit) -> f64 {
        f.fit.log_likelihood
    }

    /// Akaike's information criterion, `2k - 2 logL` (smaller is better).
    #[rhai_fn(get = "aic", pure)]
    pub fn fit_aic(f: &mut DistributionFit) -> f64 {
        f.fit.aic
    }

    /// The Kolmogorov-Smirnov statistic: the largest gap between the values' empirical
    /// CDF and the fitted one.
    #[rhai_fn(get = "ks", pure)]
    pub fn fit_ks(f: &mut DistributionFit) -> f64 {
        f.fit.ks
    }

    /// The Kolmogorov-Smirnov p-value (`scipy.stats.kstest`'s); a small value (below
    /// 0.05, say) means the family does not fit.
    #[rhai_fn(get = "ks_p", pure)]
    pub fn fit_ks_p(f: &mut DistributionFit) -> f64 {
        f.fit.ks_p
    }

    /// Every family tried (`"best"`) or the one fitted: `family, distribution,
    /// log_likelihood, aic, delta_aic, ks, ks_p`, by AIC.
    #[rhai_fn(get = "candidates", pure, return_raw)]
    pub fn fit_candidates(f: &mut DistributionFit) -> R<Table> {
        candidates_table(&f.candidates)
    }

    /// The fit in one line.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn fit_to_string(f: &mut DistributionFit) -> String {
        scenario_chart::fit_text(&f.fit)
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
            output: model.main_output_name().to_string(),
            kind: scenario::model::output_kind(model.main_output_name()),
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
            kind: Kind::Plain,
        })
    }

    /// The tornado table: `input, low, high, result_low, result_high, swing`, widest
    /// swing first.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn tornado_table(t: &mut Tornado) -> R<Table> {
        let k = t.kind;
        t.tornado
            .table()
            .map(|table| table.with_kinds(&[("result_low", k), ("result_high", k), ("swing", k)]))
            .map_err(script_error)
    }

    /// The result with every input at base.
    #[rhai_fn(get = "base", pure)]
    pub fn tornado_base(t: &mut Tornado) -> f64 {
        t.tornado.base
    }

    /// The tornado as an SVG chart.
    #[rhai_fn(get = "svg", pure)]
    pub fn tornado_svg(t: &mut Tornado) -> String {
        scenario_chart::tornado_svg(&format!("Tornado: {}", t.output), &t.tornado)
    }

    /// The base result and the tornado table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn tornado_to_string(t: &mut Tornado) -> String {
        let table = tornado_table(t).ok();
        scenario_chart::tornado_text(&t.output, t.tornado.base, table.as_ref())
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
