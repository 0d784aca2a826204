//! Script API of the budget domain: cost models and return ratios, response curves
//! (Hill, capped linear, fitted), allocation across channels with a reserve, the
//! inverse (`min_budget`), budget curves, and plan-versus-actual pacing.
//!
//! Domain code lives in `crate::budget`; this file converts script values.

use crate::budget::{
    self, AdstockFit, AllocateOptions, Allocation, BudgetCurve, Channel, Curve, CurveKind, Fit,
    FitOptions, FlightChannel, FlightOptions, Flighting, Limits, PacingOptions, PacingReport,
    Period, Pricing,
};
use crate::script::{context, num, script_error, table_from_dynamic, Options};
use crate::table::Table;
use crate::units::Rate;
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module: functions plus the `Curve`, `Fit`, `Allocation`, `BudgetCurve` and
/// `Pacing` types.
pub fn module() -> Module {
    let mut m = exported_module!(budget_api);
    m.set_custom_type::<Curve>("Curve");
    m.set_custom_type::<Fit>("Fit");
    m.set_custom_type::<AdstockFit>("AdstockFit");
    m.set_custom_type::<ScriptAllocation>("Allocation");
    m.set_custom_type::<BudgetCurve>("BudgetCurve");
    m.set_custom_type::<PacingReport>("Pacing");
    m.set_custom_type::<Flighting>("Flighting");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

/// An allocation with the channels it was made for (to draw their curves).
#[derive(Debug, Clone)]
pub struct ScriptAllocation {
    allocation: Allocation,
    channels: Vec<Channel>,
}

fn rate(v: &Dynamic, what: &str) -> R<Rate> {
    Rate::new(num(v, what)?, what).map_err(script_error)
}

fn opt_rate(o: &Options, key: &str, what: &str) -> R<Option<Rate>> {
    o.f64(key)?
        .map(|x| Rate::new(x, &format!("{what}: {key}")).map_err(script_error))
        .transpose()
}

/// Reads the channels array: maps with `name`, `curve`, and optional `min`, `max`, `fixed`.
fn channels(arr: &Array, function: &str) -> R<Vec<Channel>> {
    if arr.is_empty() {
        return Err(script_error(format!(
            "{function}: give at least one channel, like [#{{ name: \"wechat\", curve: hill(5000, 20000, 1.0) }}]"
        )));
    }
    let mut out = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        let map = item.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
            script_error(format!(
                "{function}: channel {} must be an object map like #{{ name: \"wechat\", curve: hill(5000, 20000, 1.0), max: 50000 }}, got {}",
                i + 1,
                crate::script::type_label(item)
            ))
        })?;
        let where_ = format!("{function}: channel {}", i + 1);
        let o = Options::new(
            &where_,
            map,
            &[
                "name", "curve", "min", "max", "fixed", "value", "min_roas", "max_cpa",
            ],
        )?;
        let name = o
            .str("name")?
            .ok_or_else(|| script_error(format!("{where_}: 'name' is missing")))?;
        let curve = o
            .raw("curve")
            .and_then(|c| {
                c.clone()
                    .try_cast::<Curve>()
                    .or_else(|| c.clone().try_cast::<Fit>().map(|f| f.curve))
                    .or_else(|| {
                        c.clone()
                            .try_cast::<AdstockFit>()
                            .and_then(|f| f.steady_curve().ok())
                    })
            })
            .ok_or_else(|| {
                script_error(format!(
                    "{function}: channel '{name}': 'curve' must be a curve such as hill(5000, 20000, 1.0), linear(0.05, 1800), a fit_curve(...) or a fit_adstock(...) result"
                ))
            })?;
        let at =
            |e: budget::BudgetError| script_error(format!("{function}: channel '{name}': {e}"));
        // What an outcome is worth: the allocation maximises value.
        let value = o.f64("value")?;
        let worth = match value {
            Some(v) => budget::value_curve(&curve, v).map_err(at)?,
            None => curve,
        };
        let mut max = o.f64("max")?.unwrap_or(f64::INFINITY);
        let mut why = String::new();
        if let Some(r) = o.f64("min_roas")? {
            let m = budget::max_spend_for_return(&worth, r).map_err(at)?;
            if m < max {
                max = m;
                why = format!("a ROAS of at least {r}");
            }
        }
        if let Some(c) = o.f64("max_cpa")? {
            if !(c.is_finite() && c > 0.0) {
                return Err(script_error(format!(
                    "{function}: channel '{name}': max_cpa must be a positive number, got {c}"
                )));
            }
            let m = budget::max_spend_for_return(&curve, 1.0 / c).map_err(at)?;
            if m < max {
                max = m;
                why = format!("a CPA of at most {c}");
            }
        }
        let min = o.f64("min")?.unwrap_or(0.0);
        if !why.is_empty() && (min > max || o.f64("fixed")?.is_some_and(|f| f > max)) {
            return Err(script_error(format!(
                "{function}: channel '{name}': {why} allows a spend of at most {}, below its min or fixed spend",
                crate::render::format_grouped(max, 2)
            )));
        }
        let curve = worth;
        let limits = Limits {
            min,
            max,
            fixed: o.f64("fixed")?,
        };
        out.push(Channel::new(&name, curve, limits).map_err(script_error)?);
    }
    Ok(out)
}

fn allocate_options(ctx: &NativeCallContext, function: &str, map: Map) -> R<AllocateOptions> {
    let o = Options::new(function, map, &["reserve", "grid"])?;
    let mut out = AllocateOptions {
        deadline: context(ctx)?.deadline,
        ..AllocateOptions::default()
    };
    if let Some(r) = o.f64("reserve")? {
        out.reserve = r;
    }
    if let Some(g) = o.i64("grid")? {
        if !(10..=100_000).contains(&g) {
            return Err(script_error(format!(
                "{function}: option 'grid' must be between 10 and 100000, got {g}"
            )));
        }
        out.grid = g as usize;
    }
    Ok(out)
}

fn fit_options(function: &str, map: Map, extra: &[&str]) -> R<(Options, FitOptions)> {
    let mut allowed = vec!["spend", "result", "kind", "concave"];
    allowed.extend_from_slice(extra);
    let o = Options::new(function, map, &allowed)?;
    let kind = match o.str("kind")? {
        Some(k) => CurveKind::parse(&k).map_err(script_error)?,
        None => CurveKind::Hill,
    };
    let concave = o.bool("concave")?.unwrap_or(false);
    Ok((o, FitOptions { kind, concave }))
}

fn pricing(o: &Options, function: &str) -> R<Pricing> {
    let given: Vec<(&str, f64)> = ["cpm", "cpc", "cpa"]
        .iter()
        .filter_map(|k| o.f64(k).transpose().map(|v| v.map(|v| (*k, v))))
        .collect::<R<Vec<_>>>()?;
    match given.as_slice() {
        [(k, v)] => Pricing::new(k, *v).map_err(script_error),
        [] => Err(script_error(format!(
            "{function}: give the price as one of cpm, cpc or cpa, like #{{ cpm: 50 }}"
        ))),
        _ => Err(script_error(format!(
            "{function}: give only one of cpm, cpc or cpa"
        ))),
    }
}

fn points(v: &Dynamic, what: &str) -> R<Vec<(f64, f64)>> {
    if v.is::<Table>()
        || v.is_array()
            && v.read_lock::<Array>()
                .is_some_and(|a| a.iter().all(|x| x.is_map()))
    {
        let t = table_from_dynamic(v.clone(), what)?;
        let (s, r) = (
            t.column("spend").map_err(script_error)?,
            t.column("result").map_err(script_error)?,
        );
        return Ok((0..t.n_rows())
            .filter_map(|i| s.f64_at(i).zip(r.f64_at(i)))
            .collect());
    }
    let arr = v.read_lock::<Array>().ok_or_else(|| {
        script_error(format!(
            "{what} must be an array of [spend, result] pairs or a table with columns spend and result"
        ))
    })?;
    arr.iter()
        .map(|p| {
            let pair = p
                .read_lock::<Array>()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| {
                    script_error(format!("{what}: each point must be [spend, result]"))
                })?;
            Ok((num(&pair[0], what)?, num(&pair[1], what)?))
        })
        .collect()
}

fn date_opt(o: &Options, key: &str) -> R<Option<chrono::NaiveDate>> {
    o.str(key)?
        .map(|s| {
            crate::units::parse_date(&s)
                .map_err(|e| script_error(format!("pacing: option '{key}': {e}")))
        })
        .transpose()
}

/// A number, or an array of one number per period, for a channel's `key`; `()`
/// inside an array means "no limit" (`none`).
fn per_period_numbers(
    o: &Options,
    key: &str,
    where_: &str,
    periods: usize,
    none: f64,
) -> R<Option<Vec<f64>>> {
    let Some(v) = o.raw(key) else {
        return Ok(None);
    };
    let what = format!("{where_}: {key}");
    if !v.is_array() {
        return Ok(Some(vec![num(v, &what)?]));
    }
    let values = numbers_by_period(v, &what, none)?;
    if values.len() != periods {
        return Err(script_error(format!(
            "{what} has {} values; give one number, or one per period ({periods})",
            values.len()
        )));
    }
    Ok(Some(values))
}

/// An array of numbers, one per period; `()` in it is `none`.
fn numbers_by_period(v: &Dynamic, what: &str, none: f64) -> R<Vec<f64>> {
    let arr = v.read_lock::<Array>().ok_or_else(|| {
        script_error(format!(
            "{what} must be an array of numbers, one per period"
        ))
    })?;
    arr.iter()
        .enumerate()
        .map(|(k, x)| {
            if x.is_unit() {
                Ok(none)
            } else {
                num(x, &format!("{what} of period {}", k + 1))
            }
        })
        .collect()
}

/// Reads the channels of `allocate_flighting`: maps with `name`, `curve`, and
/// optional `decay`, `min`, `max`, `fixed` (each a number or one per period),
/// `value`, `min_roas` and `max_cpa` (over the whole plan). A `fit_adstock` result
/// brings its curve of carried spend and its decay. Also says whether any channel's
/// outcome is in value.
fn flight_channels(arr: &Array, periods: usize) -> R<(Vec<FlightChannel>, bool)> {
    const F: &str = "allocate_flighting";
    if arr.is_empty() {
        return Err(script_error(format!(
            "{F}: give at least one channel, like [#{{ name: \"tv\", curve: hill(9000, 60000, 0.8), decay: 0.6 }}]"
        )));
    }
    let mut out = Vec::with_capacity(arr.len());
    let mut valued = false;
    for (i, item) in arr.iter().enumerate() {
        let map = item.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
            script_error(format!(
                "{F}: channel {} must be an object map like #{{ name: \"tv\", curve: hill(9000, 60000, 0.8), decay: 0.6 }}, got {}",
                i + 1,
                crate::script::type_label(item)
            ))
        })?;
        let where_ = format!("{F}: channel {}", i + 1);
        let o = Options::new(
            &where_,
            map,
            &[
                "name", "curve", "decay", "min", "max", "fixed", "value", "min_roas", "max_cpa",
            ],
        )?;
        let name = o
            .str("name")?
            .ok_or_else(|| script_error(format!("{where_}: 'name' is missing")))?;
        let at = format!("{F}: channel '{name}'");
        let raw = o.raw("curve").cloned().unwrap_or(Dynamic::UNIT);
        let decay = o.f64("decay")?;
        let mut weibull = None;
        let (curve, decay) = if let Some(fit) = raw.clone().try_cast::<AdstockFit>() {
            if decay.is_some() {
                return Err(script_error(format!(
                    "{at}: the fit_adstock result already has its decay ({}); drop 'decay' or give a curve",
                    fit.decay
                )));
            }
            let c = Curve::hill(fit.top, fit.half, fit.shape).map_err(script_error)?;
            if let budget::Lag::Weibull { shape, scale } = fit.lag {
                weibull = Some((shape, scale));
            }
            (c, if weibull.is_some() { 0.0 } else { fit.decay })
        } else {
            let c = raw
                .clone()
                .try_cast::<Curve>()
                .or_else(|| raw.try_cast::<Fit>().map(|f| f.curve))
                .ok_or_else(|| {
                    script_error(format!(
                        "{at}: 'curve' must be a curve such as hill(9000, 60000, 0.8), a fit_curve(...) or a fit_adstock(...) result"
                    ))
                })?;
            (c, decay.unwrap_or(0.0))
        };
        let value = o.f64("value")?;
        let curve = match value {
            Some(v) => {
                valued = true;
                budget::value_curve(&curve, v).map_err(|e| script_error(format!("{at}: {e}")))?
            }
            None => curve,
        };
        let min = per_period_numbers(&o, "min", &at, periods, 0.0)?;
        let max = per_period_numbers(&o, "max", &at, periods, f64::INFINITY)?;
        let fixed = per_period_numbers(&o, "fixed", &at, periods, f64::NAN)?;
        let len = [&min, &max, &fixed]
            .iter()
            .filter_map(|v| v.as_ref().map(Vec::len))
            .max()
            .unwrap_or(1);
        let pick = |v: &Option<Vec<f64>>, t: usize, d: f64| match v {
            None => d,
            Some(v) if v.len() == 1 => v[0],
            Some(v) => v[t],
        };
        let limits: Vec<Limits> = (0..len)
            .map(|t| Limits {
                min: pick(&min, t, 0.0),
                max: pick(&max, t, f64::INFINITY),
                fixed: Some(pick(&fixed, t, f64::NAN)).filter(|f| !f.is_nan()),
            })
            .collect();
        let mut channel = FlightChannel::new(&name, curve, decay, &limits, periods)
            .map_err(|e| script_error(format!("{F}: {e}")))?;
        if let Some((shape, scale)) = weibull {
            channel = channel
                .with_weibull(shape, scale)
                .map_err(|e| script_error(format!("{F}: {e}")))?;
        }
        // Over the plan: value of outcome / spend >= min_roas (outcome taken as value
        // without `value`), and spend / outcome <= max_cpa, i.e. value of outcome /
        // spend >= value / max_cpa.
        let floor_error = |e: budget::BudgetError| script_error(format!("{F}: {e}"));
        if let Some(r) = o.f64("min_roas")? {
            channel = channel
                .with_min_return(r, &format!("a ROAS of at least {r}"))
                .map_err(floor_error)?;
        }
        if let Some(c) = o.f64("max_cpa")? {
            if !(c.is_finite() && c > 0.0) {
                return Err(script_error(format!(
                    "{at}: max_cpa must be a positive number, got {c}"
                )));
            }
            channel = channel
                .with_min_return(value.unwrap_or(1.0) / c, &format!("a CPA of at most {c}"))
                .map_err(floor_error)?;
        }
        out.push(channel);
    }
    Ok((out, valued))
}

/// An optional option of `allocate_flighting` with one number per period.
fn period_numbers(o: &Options, key: &str, none: f64) -> R<Option<Vec<f64>>> {
    o.raw(key)
        .map(|v| numbers_by_period(v, &format!("allocate_flighting: {key}"), none))
        .transpose()
}

fn allocation_summary(a: &Allocation) -> String {
    use crate::render::format_display;
    let mut s = format!(
        "Allocation of {}: result {}",
        format_display(a.total),
        format_display(a.result)
    );
    if a.reserve > 0.0 {
        s.push_str(&format!(
            ", reserve {} held back (releasing it would add {})",
            format_display(a.reserve),
            format_display(a.reserve_result)
        ));
    }
    s
}

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod budget_api {
    use super::*;

    // ---- cost models and ratios -------------------------------------------------

    /// The spend that buys `volume` units of the priced unit: impressions under
    /// `cpm` (`volume / 1000 x cpm`), clicks under `cpc`, actions under `cpa`
    /// (`volume x price`). 833,333 impressions at CPM 50 cost 41,666.7.
    ///
    /// ```rhai
    /// print(spend_for(25000 / 0.03, #{ cpm: 50 }));   // 41666.67
    /// print(spend_for(120, #{ cpa: 35 }));            // 4200
    /// ```
    #[rhai_fn(return_raw)]
    pub fn spend_for(volume: Dynamic, options: Map) -> R<f64> {
        let o = Options::new("spend_for", options, &["cpm", "cpc", "cpa"])?;
        let p = pricing(&o, "spend_for")?;
        budget::spend_for_volume(p, num(&volume, "spend_for: volume")?).map_err(script_error)
    }

    /// What a spend buys down the funnel under a pricing model (`cpm`, `cpc` or `cpa`):
    /// the priced unit is `spend / price`; `ctr` (clicks per impression) and `cvr`
    /// (actions per click) fill in the other stages. A map `#{ cost, impressions,
    /// clicks, actions }`; a stage that needs a missing rate is `()`.
    ///
    /// ```rhai
    /// let d = delivery(41666.67, #{ cpm: 50, ctr: 0.03, cvr: 0.04 });
    /// print(d.clicks);   // about 25000
    /// ```
    #[rhai_fn(return_raw)]
    pub fn delivery(spend: Dynamic, options: Map) -> R<Map> {
        let o = Options::new("delivery", options, &["cpm", "cpc", "cpa", "ctr", "cvr"])?;
        let p = pricing(&o, "delivery")?;
        let opts = budget::DeliveryOptions {
            ctr: opt_rate(&o, "ctr", "delivery")?,
            cvr: opt_rate(&o, "cvr", "delivery")?,
        };
        let d =
            budget::delivery(num(&spend, "delivery: spend")?, p, &opts).map_err(script_error)?;
        let f = |x: Option<f64>| x.map_or(Dynamic::UNIT, Dynamic::from_float);
        let mut m = Map::new();
        m.insert("cost".into(), Dynamic::from_float(d.cost));
        m.insert("impressions".into(), f(d.impressions));
        m.insert("clicks".into(), f(d.clicks));
        m.insert("actions".into(), f(d.actions));
        Ok(m)
    }

    /// Return on investment, `(revenue - cost) / cost` (profit per unit of spend).
    /// The handbook's "ROI 1:2.2" is revenue over cost: that is `roas`.
    ///
    /// ```rhai
    /// print(roi(1600000, 720000));   // 1.222...
    /// ```
    #[rhai_fn(return_raw)]
    pub fn roi(revenue: Dynamic, cost: Dynamic) -> R<f64> {
        budget::roi(num(&revenue, "roi: revenue")?, num(&cost, "roi: cost")?).map_err(script_error)
    }

    /// Return on ad spend, `revenue / cost`; `ratio_text` prints it as `1:2.2`.
    ///
    /// ```rhai
    /// print(ratio_text(roas(1600000, 720000)));   // 1:2.22
    /// ```
    #[rhai_fn(return_raw)]
    pub fn roas(revenue: Dynamic, cost: Dynamic) -> R<f64> {
        budget::roas(num(&revenue, "roas: revenue")?, num(&cost, "roas: cost")?)
            .map_err(script_error)
    }

    /// Customer acquisition cost, `cost / new customers`.
    ///
    /// ```rhai
    /// print(cac(720000, 8000));   // 90
    /// ```
    #[rhai_fn(return_raw)]
    pub fn cac(cost: Dynamic, customers: Dynamic) -> R<f64> {
        budget::cac(num(&cost, "cac: cost")?, num(&customers, "cac: customers")?)
            .map_err(script_error)
    }

    /// Cost per order, `cost / orders`.
    ///
    /// ```rhai
    /// print(cost_per_order(41666.67, 1000));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn cost_per_order(cost: Dynamic, orders: Dynamic) -> R<f64> {
        budget::cost_per_order(
            num(&cost, "cost_per_order: cost")?,
            num(&orders, "cost_per_order: orders")?,
        )
        .map_err(script_error)
    }

    /// The conversion rate at which a click pays for itself:
    /// `cpc / (order_value x margin)`, `margin` being gross profit over revenue.
    ///
    /// ```rhai
    /// print(break_even_cvr(1.8, 150, 0.4));   // 0.03
    /// ```
    #[rhai_fn(return_raw)]
    pub fn break_even_cvr(cpc: Dynamic, order_value: Dynamic, margin: Dynamic) -> R<f64> {
        budget::break_even_cvr(
            num(&cpc, "break_even_cvr: cpc")?,
            num(&order_value, "break_even_cvr: order_value")?,
            rate(&margin, "break_even_cvr: margin")?,
        )
        .map_err(script_error)
    }

    /// The highest CPM that breaks even: `1000 x ctr x cvr x order_value x margin`.
    ///
    /// ```rhai
    /// print(break_even_cpm(0.03, 0.02, 150, 0.4));   // 36
    /// ```
    #[rhai_fn(return_raw)]
    pub fn break_even_cpm(
        ctr: Dynamic,
        cvr: Dynamic,
        order_value: Dynamic,
        margin: Dynamic,
    ) -> R<f64> {
        budget::break_even_cpm(
            rate(&ctr, "break_even_cpm: ctr")?,
            rate(&cvr, "break_even_cpm: cvr")?,
            num(&order_value, "break_even_cpm: order_value")?,
            rate(&margin, "break_even_cpm: margin")?,
        )
        .map_err(script_error)
    }

    /// The highest CPC that breaks even: `cvr x order_value x margin`.
    ///
    /// ```rhai
    /// print(break_even_cpc(0.03, 150, 0.4));   // 1.8
    /// ```
    #[rhai_fn(return_raw)]
    pub fn break_even_cpc(cvr: Dynamic, order_value: Dynamic, margin: Dynamic) -> R<f64> {
        budget::break_even_cpc(
            rate(&cvr, "break_even_cpc: cvr")?,
            num(&order_value, "break_even_cpc: order_value")?,
            rate(&margin, "break_even_cpc: margin")?,
        )
        .map_err(script_error)
    }

    /// The ROAS that breaks even for a gross margin: `1 / margin`.
    ///
    /// ```rhai
    /// print(ratio_text(break_even_roas(0.4)));   // 1:2.5
    /// ```
    #[rhai_fn(return_raw)]
    pub fn break_even_roas(margin: Dynamic) -> R<f64> {
        budget::break_even_roas(rate(&margin, "break_even_roas: margin")?).map_err(script_error)
    }

    /// A return ratio in the handbook's `1:2.2` style (up to two decimals).
    ///
    /// ```rhai
    /// print(ratio_text(2.2));   // 1:2.2
    /// ```
    #[rhai_fn(return_raw)]
    pub fn ratio_text(ratio: Dynamic) -> R<String> {
        let r = num(&ratio, "ratio_text: ratio")?;
        Ok(crate::render::format_kind(r, crate::render::Kind::Ratio))
    }

    // ---- response curves -----------------------------------------------------------

    /// A Hill (saturation) curve `top * x^shape / (half^shape + x^shape)`: `top` is the
    /// most the channel can return, `half` the spend that reaches half of it; shape
    /// above 1 makes it S-shaped (returns rise before they diminish).
    ///
    /// ```rhai
    /// let c = hill(5000, 20000, 1.0);
    /// print(c.value(20000));   // 2500
    /// ```
    #[rhai_fn(return_raw)]
    pub fn hill(top: Dynamic, half: Dynamic, shape: Dynamic) -> R<Curve> {
        Curve::hill(
            num(&top, "hill: top")?,
            num(&half, "hill: half")?,
            num(&shape, "hill: shape")?,
        )
        .map_err(script_error)
    }

    /// A linear curve with a cap, `min(slope * x, cap)`.
    ///
    /// ```rhai
    /// let c = linear(0.05, 1800);
    /// print(c.value(50000));   // 1800
    /// ```
    #[rhai_fn(return_raw)]
    pub fn linear(slope: Dynamic, cap: Dynamic) -> R<Curve> {
        Curve::linear(num(&slope, "linear: slope")?, num(&cap, "linear: cap")?)
            .map_err(script_error)
    }

    /// A linear curve without a cap, `slope * x`.
    ///
    /// ```rhai
    /// print(linear(0.05).value(1000));   // 50
    /// ```
    #[rhai_fn(name = "linear", return_raw)]
    pub fn linear_uncapped(slope: Dynamic) -> R<Curve> {
        Curve::linear(num(&slope, "linear: slope")?, f64::INFINITY).map_err(script_error)
    }

    /// The curve's result at `spend` (spend >= 0).
    ///
    /// ```rhai
    /// print(hill(1000, 500, 2).value(1000));   // 800
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn value(curve: &mut Curve, spend: Dynamic) -> R<f64> {
        curve
            .eval(num(&spend, "value: spend")?)
            .map_err(script_error)
    }

    /// The marginal return at `spend`: extra result per extra unit of spend (the
    /// derivative; for a capped line, 0 from the cap on).
    ///
    /// ```rhai
    /// print(hill(1000, 500, 2).marginal(500));   // 1
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn marginal(curve: &mut Curve, spend: Dynamic) -> R<f64> {
        curve
            .marginal_at(num(&spend, "marginal: spend")?)
            .map_err(script_error)
    }

    /// True when the curve is concave (diminishing returns from the first unit).
    #[rhai_fn(get = "concave", pure)]
    pub fn concave(curve: &mut Curve) -> bool {
        curve.is_concave()
    }

    /// The curve's family: `"hill"` or `"linear"`.
    #[rhai_fn(get = "kind", pure)]
    pub fn kind(curve: &mut Curve) -> String {
        curve.kind().name().to_string()
    }

    /// The spend where an S-shaped Hill curve turns concave, or `()` for concave curves.
    #[rhai_fn(get = "inflection", pure)]
    pub fn inflection(curve: &mut Curve) -> Dynamic {
        curve
            .inflection()
            .map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// The curve with its parameters: `hill(top=5000, half=20000, shape=1)`.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn curve_to_string(curve: &mut Curve) -> String {
        curve.describe()
    }

    /// An SVG chart of the curve (a string; add it to a report with `svg` or write it
    /// with `write_text`).
    ///
    /// ```rhai
    /// let svg = curve_svg(hill(5000, 20000, 1.5));
    /// ```
    pub fn curve_svg(curve: Curve) -> String {
        crate::render::curve_svg("curve", &curve, &[], None)
    }

    /// An SVG chart of the curve with options: `name` (the title), `points` (observed
    /// `[spend, result]` pairs or a table with columns spend and result, drawn as
    /// dots), `max` (the largest spend shown).
    ///
    /// ```rhai
    /// let svg = curve_svg(hill(5000, 20000, 1.5), #{ name: "wechat", points: [[10000, 1300], [30000, 3200]] });
    /// ```
    #[rhai_fn(name = "curve_svg", return_raw)]
    pub fn curve_svg_with(curve: Curve, options: Map) -> R<String> {
        let o = Options::new("curve_svg", options, &["name", "points", "max"])?;
        let pts = match o.raw("points") {
            Some(p) => points(p, "curve_svg: points")?,
            None => Vec::new(),
        };
        let name = o.str("name")?.unwrap_or_else(|| "curve".to_string());
        Ok(crate::render::curve_svg(&name, &curve, &pts, o.f64("max")?))
    }

    /// Fits a Hill curve by least squares to a table of past `(spend, result)` rows
    /// (columns `spend` and `result`). Returns a `Fit` with `curve`, `r2`, `rmse`, `n`.
    /// Negative spend, too few points (3 for Hill, 2 for linear) and all-zero
    /// results are errors naming the cell.
    ///
    /// ```rhai
    /// let past = load_csv("fixtures/budget/fit_hill_s.csv");
    /// let fit = fit_curve(past);
    /// print(fit.curve);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn fit_curve(table: Dynamic) -> R<Fit> {
        fit_curve_with(table, Map::new())
    }

    /// Fits a curve with options: `spend` and `result` name the columns (default
    /// `spend`, `result`), `kind` is `"hill"` (default) or `"linear"` (with a cap),
    /// `concave: true` refuses an S-shaped fit.
    ///
    /// ```rhai
    /// let past = load_csv("fixtures/budget/past_campaigns.csv").filter("channel", "==", "xiaohongshu");
    /// let fit = fit_curve(past, #{ result: "orders", concave: true });
    /// print(`R² ${fit.r2}`);
    /// ```
    #[rhai_fn(name = "fit_curve", return_raw)]
    pub fn fit_curve_with(table: Dynamic, options: Map) -> R<Fit> {
        let t = table_from_dynamic(table, "fit_curve: data")?;
        let (o, fo) = fit_options("fit_curve", options, &[])?;
        let spend = o.str("spend")?.unwrap_or_else(|| "spend".into());
        let result = o.str("result")?.unwrap_or_else(|| "result".into());
        budget::fit_curve_table(&t, &spend, &result, &fo).map_err(script_error)
    }

    /// `fit_adstock(table, #{})`: columns `spend` and `outcome`, and `date` when the
    /// table has one.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/budget/adstock_daily.csv").rename(#{ orders: "outcome" });
    /// print(fit_adstock(t).half_life);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn fit_adstock(table: Dynamic) -> R<AdstockFit> {
        fit_adstock_with(table, Map::new())
    }

    /// Fits the media response over time from a daily series: the carryover of spend
    /// (geometric adstock, `carry_t = spend_t + decay x carry_(t-1)`) and its
    /// saturation (`top x carry^shape / (half^shape + carry^shape)`) together with a
    /// baseline (`outcome = base + ...`), by least squares: `(base, top)` exactly for
    /// each `(decay, half, shape)`, those by a grid and restarted Nelder-Mead. Options:
    /// `spend` and `outcome` name the columns (default `spend`, `outcome`); `date`
    /// names a date column that must run one day at a time (default `date` when the
    /// table has one; rows in order otherwise); `carryover`: `"geometric"` (the
    /// default) or `"weibull"`, where the spend of `k` days before weighs
    /// `exp(-(k / lag_scale)^lag_shape)` (shape 1 is geometric; above 1 the effect
    /// holds for some days before it fades). Returns an `AdstockFit`: `base, top,
    /// decay` (the share of a day's spend still working the next day), `half, shape,
    /// carryover, lag_shape, lag_scale, r2, rmse, half_life` (days until a day's spend
    /// has lost half its effect), `table` (each day's carry, fit, base and media part),
    /// and `curve`, the daily response to a sustained spend (for `allocate`).
    ///
    /// ```rhai
    /// let f = fit_adstock(load_csv("fixtures/budget/adstock_daily.csv"), #{ outcome: "orders" });
    /// print(`decay ${f.decay}, half-life ${f.half_life} days, R² ${f.r2}`);   // decay 0.585
    /// print(f.curve.value(20000));   // orders a day from 20,000 a day, once carried over
    /// let w = fit_adstock(load_csv("fixtures/budget/adstock_weibull_daily.csv"),
    ///                     #{ outcome: "orders", carryover: "weibull" });
    /// print(`Weibull lag: shape ${w.lag_shape}, scale ${w.lag_scale} days`);   // about 2 and 3
    /// ```
    #[rhai_fn(name = "fit_adstock", return_raw)]
    pub fn fit_adstock_with(table: Dynamic, options: Map) -> R<AdstockFit> {
        let t = table_from_dynamic(table, "fit_adstock: data")?;
        let o = Options::new(
            "fit_adstock",
            options,
            &["spend", "outcome", "date", "carryover"],
        )?;
        let carryover = match o.str("carryover")? {
            Some(c) => budget::Carryover::parse(&c).map_err(script_error)?,
            None => budget::Carryover::Geometric,
        };
        let spend = o.str("spend")?.unwrap_or_else(|| "spend".into());
        let outcome = o.str("outcome")?.unwrap_or_else(|| "outcome".into());
        let date = match o.str("date")? {
            Some(d) => Some(d),
            None => t.has_column("date").then(|| "date".to_string()),
        };
        budget::fit_adstock_table(&t, &spend, &outcome, date.as_deref(), carryover)
            .map_err(script_error)
    }

    /// The baseline: the outcome of a day without media.
    #[rhai_fn(get = "base", pure)]
    pub fn adstock_base(f: &mut AdstockFit) -> f64 {
        f.base
    }

    /// The most media can add in a day.
    #[rhai_fn(get = "top", pure)]
    pub fn adstock_top(f: &mut AdstockFit) -> f64 {
        f.top
    }

    /// The share of a day's spend still working the next day (the geometric decay,
    /// 0 to 0.999; for the Weibull lag its weight one day later).
    #[rhai_fn(get = "decay", pure)]
    pub fn adstock_decay(f: &mut AdstockFit) -> f64 {
        f.decay
    }

    /// The form of carryover fitted: `"geometric"` or `"weibull"`.
    #[rhai_fn(get = "carryover", pure)]
    pub fn adstock_carryover(f: &mut AdstockFit) -> String {
        f.lag.name().to_string()
    }

    /// The Weibull lag's shape (`()` for the geometric carryover).
    #[rhai_fn(get = "lag_shape", pure)]
    pub fn adstock_lag_shape(f: &mut AdstockFit) -> Dynamic {
        match f.lag {
            budget::Lag::Weibull { shape, .. } => Dynamic::from_float(shape),
            budget::Lag::Geometric { .. } => Dynamic::UNIT,
        }
    }

    /// The Weibull lag's scale in days: the lag at which a day's spend keeps a share
    /// `exp(-1)` of its effect (`()` for the geometric carryover).
    #[rhai_fn(get = "lag_scale", pure)]
    pub fn adstock_lag_scale(f: &mut AdstockFit) -> Dynamic {
        match f.lag {
            budget::Lag::Weibull { scale, .. } => Dynamic::from_float(scale),
            budget::Lag::Geometric { .. } => Dynamic::UNIT,
        }
    }

    /// The carried spend giving half of `top`.
    #[rhai_fn(get = "half", pure)]
    pub fn adstock_half(f: &mut AdstockFit) -> f64 {
        f.half
    }

    /// The Hill shape of the saturation.
    #[rhai_fn(get = "shape", pure)]
    pub fn adstock_shape(f: &mut AdstockFit) -> f64 {
        f.shape
    }

    /// The coefficient of determination of the fit.
    #[rhai_fn(get = "r2", pure)]
    pub fn adstock_r2(f: &mut AdstockFit) -> f64 {
        f.r2
    }

    /// The root mean squared error, in outcome units.
    #[rhai_fn(get = "rmse", pure)]
    pub fn adstock_rmse(f: &mut AdstockFit) -> f64 {
        f.rmse
    }

    /// Days until a day's spend has lost half its effect, `ln 0.5 / ln decay`, or
    /// `lag_scale x (ln 2)^(1 / lag_shape)` for the Weibull lag (`()` without
    /// carryover).
    #[rhai_fn(get = "half_life", pure)]
    pub fn adstock_half_life(f: &mut AdstockFit) -> Dynamic {
        f.half_life().map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// Each day: `date` or `day`, `spend`, `carry`, `outcome`, `fitted`, `base`, `media`.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn adstock_table(f: &mut AdstockFit) -> R<Table> {
        f.table().map_err(script_error)
    }

    /// The daily response to a spend sustained every day (the carried Hill curve:
    /// half point `half x (1 - decay)`, or `half` over the sum of the Weibull lag's
    /// weights), without the base: a `Curve` for `allocate`.
    #[rhai_fn(get = "curve", pure, return_raw)]
    pub fn adstock_curve(f: &mut AdstockFit) -> R<Curve> {
        f.steady_curve().map_err(script_error)
    }

    /// The fit in one line.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn adstock_to_string(f: &mut AdstockFit) -> String {
        let lag = match f.lag {
            budget::Lag::Geometric { decay } => format!("decay {decay:.4}"),
            budget::Lag::Weibull { shape, scale } => {
                format!("Weibull lag shape {shape:.4}, scale {scale:.4} days")
            }
        };
        format!(
            "adstock fit over {} days: base {:.4}, top {:.4}, {lag}, half {:.4}, shape {:.4} (R² {:.4})",
            f.n, f.base, f.top, f.half, f.shape, f.r2
        )
    }

    /// Fits one curve per group of a table of past campaigns: `by` names the group
    /// column (default `channel`); other options as `fit_curve`. Returns a map from
    /// the group's name to its `Fit`.
    ///
    /// ```rhai
    /// let fits = fit_curves(load_csv("fixtures/budget/past_campaigns.csv"), #{ result: "orders" });
    /// print(fits.wechat.curve);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn fit_curves(table: Dynamic, options: Map) -> R<Map> {
        let t = table_from_dynamic(table, "fit_curves: data")?;
        let (o, fo) = fit_options("fit_curves", options, &["by"])?;
        let by = o.str("by")?.unwrap_or_else(|| "channel".into());
        let spend = o.str("spend")?.unwrap_or_else(|| "spend".into());
        let result = o.str("result")?.unwrap_or_else(|| "result".into());
        let fits = budget::fit_curves_by(&t, &by, &spend, &result, &fo).map_err(script_error)?;
        Ok(fits
            .into_iter()
            .map(|(k, f)| (k.into(), Dynamic::from(f)))
            .collect())
    }

    /// The fitted curve.
    #[rhai_fn(get = "curve", pure)]
    pub fn fit_curve_of(fit: &mut Fit) -> Curve {
        fit.curve
    }

    /// The coefficient of determination, `1 - SSE / SST`.
    #[rhai_fn(get = "r2", pure)]
    pub fn fit_r2(fit: &mut Fit) -> f64 {
        fit.r2
    }

    /// The root mean squared error, in result units.
    #[rhai_fn(get = "rmse", pure)]
    pub fn fit_rmse(fit: &mut Fit) -> f64 {
        fit.rmse
    }

    /// The number of points fitted.
    #[rhai_fn(get = "n", pure)]
    pub fn fit_n(fit: &mut Fit) -> i64 {
        fit.n as i64
    }

    /// The fit in one line: curve, R², RMSE and points.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn fit_to_string(fit: &mut Fit) -> String {
        use crate::render::format_display;
        format!(
            "{} (R² {:.4}, RMSE {}, {} points)",
            fit.curve.describe(),
            fit.r2,
            format_display(fit.rmse),
            fit.n
        )
    }

    // ---- allocation ----------------------------------------------------------------

    /// Splits `total` across channels to maximise the total expected result. Each
    /// channel is `#{ name, curve, min, max, fixed, value, min_roas, max_cpa }`
    /// (`curve` is a curve, a `fit_curve` result, or a `fit_adstock` result for its
    /// daily steady-state curve; the rest optional; `fixed` locks the spend). `value`
    /// is what one unit of the channel's outcome is worth (an order worth 120): the
    /// split then maximises value and `result` is in value. `min_roas` (value of
    /// outcome over spend, outcome taken as value without `value`) and `max_cpa`
    /// (spend over outcome) lower the channel's maximum to the largest spend that
    /// keeps that return (0 when none does). Finds the global optimum even with
    /// S-shaped curves (dynamic programming over a grid, then KKT refinement).
    /// Infeasible bounds are an error naming the channels at fault.
    ///
    /// ```rhai
    /// let a = allocate(60000, [
    ///     #{ name: "wechat", curve: hill(4000, 30000, 1.0) },
    ///     #{ name: "douyin", curve: hill(6000, 50000, 2.2), max: 40000 },
    /// ]);
    /// print(a.table);
    /// // Orders worth 120 on wechat and 90 on douyin, each order costing at most 12:
    /// let b = allocate(60000, [
    ///     #{ name: "wechat", curve: hill(4000, 30000, 1.0), value: 120, max_cpa: 12 },
    ///     #{ name: "douyin", curve: hill(6000, 50000, 2.2), value: 90 },
    /// ]);
    /// print(b.table);   // wechat may spend at most 18,000: 4000 x / (30000 + x) = x / 12
    /// ```
    #[rhai_fn(return_raw)]
    pub fn allocate(
        ctx: NativeCallContext,
        total: Dynamic,
        channels: Array,
    ) -> R<ScriptAllocation> {
        allocate_with(ctx, total, channels, Map::new())
    }

    /// `allocate` with options: `reserve` (share of the total held back, e.g. 0.2) and
    /// `grid` (steps of the dynamic programme, default 1000). The result has `result`,
    /// `reserve`, `reserve_result` (the extra result if the reserve were released
    /// optimally), `allocated`, `total` and `table` (`channel, spend, result,
    /// marginal, bound`).
    ///
    /// ```rhai
    /// let chans = [#{ name: "wechat", curve: hill(4000, 30000, 1.0) },
    ///              #{ name: "search", curve: linear(0.05, 1800), fixed: 20000 }];
    /// let a = allocate(100000, chans, #{ reserve: 0.2 });
    /// print(`${a.result} now, ${a.reserve_result} more if the reserve is released`);
    /// ```
    #[rhai_fn(name = "allocate", return_raw)]
    pub fn allocate_with(
        ctx: NativeCallContext,
        total: Dynamic,
        channels: Array,
        options: Map,
    ) -> R<ScriptAllocation> {
        let opts = allocate_options(&ctx, "allocate", options)?;
        let chans = super::channels(&channels, "allocate")?;
        let a = budget::allocate(num(&total, "allocate: total")?, &chans, &opts)
            .map_err(script_error)?;
        Ok(ScriptAllocation {
            allocation: a,
            channels: chans,
        })
    }

    /// The smallest total whose optimal allocation reaches `target` (after the
    /// reserve, if one is given in the options); returns that allocation.
    ///
    /// ```rhai
    /// let chans = [#{ name: "wechat", curve: hill(4000, 30000, 1.0) },
    ///              #{ name: "douyin", curve: hill(6000, 50000, 2.2) }];
    /// let a = min_budget(chans, 3000);
    /// print(a.total);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn min_budget(
        ctx: NativeCallContext,
        channels: Array,
        target: Dynamic,
    ) -> R<ScriptAllocation> {
        min_budget_with(ctx, channels, target, Map::new())
    }

    /// `min_budget` with options `reserve` and `grid` as in `allocate`.
    ///
    /// ```rhai
    /// let chans = [#{ name: "wechat", curve: hill(4000, 30000, 1.0) }];
    /// print(min_budget(chans, 2000, #{ reserve: 0.2 }).total);   // 37500
    /// ```
    #[rhai_fn(name = "min_budget", return_raw)]
    pub fn min_budget_with(
        ctx: NativeCallContext,
        channels: Array,
        target: Dynamic,
        options: Map,
    ) -> R<ScriptAllocation> {
        let opts = allocate_options(&ctx, "min_budget", options)?;
        let chans = super::channels(&channels, "min_budget")?;
        let a = budget::min_budget(&chans, num(&target, "min_budget: target")?, &opts)
            .map_err(script_error)?;
        Ok(ScriptAllocation {
            allocation: a,
            channels: chans,
        })
    }

    /// The optimal result over several total budgets: `table` (`total, allocated,
    /// result, marginal` and one spend column per channel) and `svg` (a chart).
    ///
    /// ```rhai
    /// let chans = [#{ name: "wechat", curve: hill(4000, 30000, 1.0) },
    ///              #{ name: "douyin", curve: hill(6000, 50000, 2.2) }];
    /// let bc = budget_curve(chans, [20000, 40000, 60000, 80000]);
    /// print(bc.table);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn budget_curve(ctx: NativeCallContext, channels: Array, totals: Array) -> R<BudgetCurve> {
        budget_curve_with(ctx, channels, totals, Map::new())
    }

    /// `budget_curve` with options `reserve` and `grid` as in `allocate`.
    #[rhai_fn(name = "budget_curve", return_raw)]
    pub fn budget_curve_with(
        ctx: NativeCallContext,
        channels: Array,
        totals: Array,
        options: Map,
    ) -> R<BudgetCurve> {
        let opts = allocate_options(&ctx, "budget_curve", options)?;
        let chans = super::channels(&channels, "budget_curve")?;
        let totals = totals
            .iter()
            .map(|t| num(t, "budget_curve: totals"))
            .collect::<R<Vec<f64>>>()?;
        budget::budget_curve(&chans, &totals, &opts).map_err(script_error)
    }

    /// The total expected result of the allocated spend.
    #[rhai_fn(get = "result", pure)]
    pub fn alloc_result(a: &mut ScriptAllocation) -> f64 {
        a.allocation.result
    }

    /// The amount held back.
    #[rhai_fn(get = "reserve", pure)]
    pub fn alloc_reserve(a: &mut ScriptAllocation) -> f64 {
        a.allocation.reserve
    }

    /// The extra result if the reserve were released and re-split optimally.
    #[rhai_fn(get = "reserve_result", pure)]
    pub fn alloc_reserve_result(a: &mut ScriptAllocation) -> f64 {
        a.allocation.reserve_result
    }

    /// The amount allocated (total less reserve).
    #[rhai_fn(get = "allocated", pure)]
    pub fn alloc_allocated(a: &mut ScriptAllocation) -> f64 {
        a.allocation.allocated
    }

    /// The total budget.
    #[rhai_fn(get = "total", pure)]
    pub fn alloc_total(a: &mut ScriptAllocation) -> f64 {
        a.allocation.total
    }

    /// The table `channel, spend, result, marginal, bound`.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn alloc_table(a: &mut ScriptAllocation) -> R<Table> {
        a.allocation.table().map_err(script_error)
    }

    /// An SVG chart of the channels' curves with the allocated spends marked.
    #[rhai_fn(get = "svg", pure)]
    pub fn alloc_svg(a: &mut ScriptAllocation) -> String {
        crate::render::allocation_svg(&a.channels, &a.allocation)
    }

    /// A summary line and the allocation table.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn alloc_to_string(a: &mut ScriptAllocation) -> String {
        let table = a
            .allocation
            .table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default();
        format!("{}\n{table}", allocation_summary(&a.allocation))
    }

    /// The budget curve's table.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn curve_table(c: &mut BudgetCurve) -> R<Table> {
        c.table().map_err(script_error)
    }

    /// The budget curve as an SVG chart.
    #[rhai_fn(get = "svg", pure)]
    pub fn curve_chart(c: &mut BudgetCurve) -> String {
        crate::render::budget_curve_svg(c)
    }

    /// The budget curve's table as text.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn budget_curve_to_string(c: &mut BudgetCurve) -> String {
        c.table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default()
    }

    // ---- flighting -------------------------------------------------------------------

    /// Splits `total` across channels and periods (weeks, days...) to maximise the
    /// total outcome when spend carries over: `carry_t = spend_t + decay x carry_(t-1)`
    /// and a period's outcome is `season_t x curve(carry_t)`. Options: `periods` (a
    /// number, or a calendar: an array of period names such as week start dates),
    /// `tail` (periods after the last whose outcome from the carryover also counts,
    /// without spend; default 0: the carryover past the horizon is not counted),
    /// `seasonality` (one multiplier per period, tail periods included),
    /// `period_min` and `period_max` (the least and most total spend of each period;
    /// `()` for none), `reserve` (a share of the total held back, as in `allocate`). A channel is `#{ name, curve, decay, min, max, fixed, value }`:
    /// `decay` in [0, 1) per period (default 0), or a `fit_adstock` result as `curve`
    /// (its carried-spend curve and its carryover, geometric or Weibull, periods then
    /// being days); `min`, `max` and
    /// `fixed` a number for every period or an array of one per period; `value` what
    /// one unit of outcome is worth (the plan then maximises value); `min_roas` and
    /// `max_cpa` hold over the whole plan (the channel's outcome in every counted
    /// period against its spend in all of them; the result's `held` names the
    /// channels whose floor binds). Without
    /// carryover, identical periods split evenly. The result's `table` has `channel,
    /// period, spend, outcome, marginal` (the extra outcome of one more unit spent in
    /// that period, its carryover included: equal on every free cell at the
    /// optimum), with `by_period`, `by_channel`, `result`, `tail_result`, `marginal`
    /// and `svg`. Global optimum for concave curves; for S-shaped curves the best of
    /// several starts.
    ///
    /// ```rhai
    /// let plan = allocate_flighting(120000, [
    ///     #{ name: "tv", curve: hill(9000, 60000, 0.8), decay: 0.6 },
    ///     #{ name: "search", curve: hill(4000, 15000, 1.0), decay: 0.3, max: 12000 },
    /// ], #{ periods: ["wk 27", "wk 28", "wk 29", "wk 30"], seasonality: [1.0, 1.0, 1.3, 1.1] });
    /// print(plan);                 // early weeks get more: their carryover counts longer
    /// print(plan.by_period);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn allocate_flighting(
        ctx: NativeCallContext,
        total: Dynamic,
        channels: Array,
        options: Map,
    ) -> R<Flighting> {
        let o = Options::new(
            "allocate_flighting",
            options,
            &[
                "periods",
                "tail",
                "seasonality",
                "period_min",
                "period_max",
                "reserve",
            ],
        )?;
        let (periods, labels) = match o.raw("periods") {
            None => {
                return Err(script_error(
                    "allocate_flighting: give the periods, as a number (#{ periods: 8 }) or a calendar (#{ periods: [\"2024-07-01\", \"2024-07-08\"] })",
                ))
            }
            Some(v) if v.is_array() => {
                let l = o.strings("periods")?.unwrap_or_default();
                (l.len(), Some(l))
            }
            Some(_) => {
                let p = o.i64("periods")?.unwrap_or(0);
                if !(1..=budget::MAX_PERIODS as i64).contains(&p) {
                    return Err(script_error(format!(
                        "allocate_flighting: periods must be a whole number from 1 to {}, got {p}",
                        budget::MAX_PERIODS
                    )));
                }
                (p as usize, None)
            }
        };
        if periods == 0 {
            return Err(script_error(
                "allocate_flighting: the calendar in periods is empty; give at least one period",
            ));
        }
        let tail = o.i64("tail")?.unwrap_or(0);
        if !(0..=budget::MAX_PERIODS as i64).contains(&tail) {
            return Err(script_error(format!(
                "allocate_flighting: tail must be a whole number of periods from 0 to {}, got {tail}",
                budget::MAX_PERIODS
            )));
        }
        let (chans, valued) = super::flight_channels(&channels, periods)?;
        let opts = FlightOptions {
            periods,
            tail: tail as usize,
            seasonality: super::period_numbers(&o, "seasonality", f64::NAN)?,
            period_min: super::period_numbers(&o, "period_min", 0.0)?,
            period_max: super::period_numbers(&o, "period_max", f64::INFINITY)?,
            outcome: if valued {
                crate::table::Kind::Money
            } else {
                crate::table::Kind::Count
            },
            labels,
            reserve: o.f64("reserve")?.unwrap_or(0.0),
            deadline: context(&ctx)?.deadline,
        };
        budget::allocate_flighting(num(&total, "allocate_flighting: total")?, &chans, &opts)
            .map_err(script_error)
    }

    /// The plan: `channel, period, spend, outcome, marginal`, channel by channel, tail
    /// periods included (spend 0).
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn flighting_table(f: &mut Flighting) -> R<Table> {
        f.table().map_err(script_error)
    }

    /// Totals by period: `period, spend, outcome`.
    #[rhai_fn(get = "by_period", pure, return_raw)]
    pub fn flighting_by_period(f: &mut Flighting) -> R<Table> {
        f.by_period().map_err(script_error)
    }

    /// Totals by channel: `channel, spend, outcome, return` (outcome over spend: the
    /// ROAS when the outcome is in value).
    #[rhai_fn(get = "by_channel", pure, return_raw)]
    pub fn flighting_by_channel(f: &mut Flighting) -> R<Table> {
        f.by_channel().map_err(script_error)
    }

    /// The total outcome counted (the horizon and the tail).
    #[rhai_fn(get = "result", pure)]
    pub fn flighting_result(f: &mut Flighting) -> f64 {
        f.result
    }

    /// The part of `result` in the tail periods.
    #[rhai_fn(get = "tail_result", pure)]
    pub fn flighting_tail_result(f: &mut Flighting) -> f64 {
        f.tail_result
    }

    /// The total budget.
    #[rhai_fn(get = "total", pure)]
    pub fn flighting_total(f: &mut Flighting) -> f64 {
        f.total
    }

    /// The amount held back as a reserve.
    #[rhai_fn(get = "reserve", pure)]
    pub fn flighting_reserve(f: &mut Flighting) -> f64 {
        f.reserve
    }

    /// The amount planned (the total less the reserve).
    #[rhai_fn(get = "allocated", pure)]
    pub fn flighting_allocated(f: &mut Flighting) -> f64 {
        f.allocated
    }

    /// The extra outcome if the reserve were released and the whole total planned.
    #[rhai_fn(get = "reserve_result", pure)]
    pub fn flighting_reserve_result(f: &mut Flighting) -> f64 {
        f.reserve_result
    }

    /// The channels held at their minimum ROAS or maximum CPA, as an array of names.
    #[rhai_fn(get = "held", pure)]
    pub fn flighting_held(f: &mut Flighting) -> Array {
        f.held.iter().map(|h| Dynamic::from(h.clone())).collect()
    }

    /// The marginal return shared by the free cells (the budget's multiplier), or
    /// `()` when every cell is held by a limit.
    #[rhai_fn(get = "marginal", pure)]
    pub fn flighting_marginal(f: &mut Flighting) -> Dynamic {
        f.marginal.map_or(Dynamic::UNIT, Dynamic::from_float)
    }

    /// A line chart of each channel's spend by period (an SVG document).
    #[rhai_fn(get = "svg", pure)]
    pub fn flighting_svg(f: &mut Flighting) -> String {
        crate::render::flighting_svg(f)
    }

    /// A summary line and the spend by channel and period.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn flighting_to_string(f: &mut Flighting) -> String {
        let table = f
            .table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default();
        format!("{}\n{table}", crate::render::flighting_summary(f))
    }

    // ---- pacing --------------------------------------------------------------------

    /// Plan versus actual spend. `plan` has columns `item`, `planned` and optionally
    /// `date` (a day, or a week's first day with `by: "week"`); `actual` has `item`,
    /// `spend` and optionally `date`. Reports per item and in total the plan to date,
    /// the spend to date, the deviation, the projected end spend at the current pace,
    /// and a flag (`ok`, `over`, `under`, `overrun`, `unplanned`) at a 5% tolerance.
    ///
    /// ```rhai
    /// let p = pacing(table([#{ item: "total cost", planned: 60 }]),
    ///                table([#{ item: "total cost", spend: 72 }]));
    /// print(p.table);   // +12, +20%, overrun
    /// ```
    #[rhai_fn(return_raw)]
    pub fn pacing(plan: Dynamic, actual: Dynamic) -> R<PacingReport> {
        pacing_with(plan, actual, Map::new())
    }

    /// `pacing` with options: `as_of` (last day counted, `"2024-07-10"`; default the
    /// latest spend date), `tolerance` (default 0.05), `by` (`"day"` or `"week"`),
    /// `start` and `end` (to spread undated plan rows evenly over the campaign).
    ///
    /// ```rhai
    /// let p = pacing(load_csv("fixtures/budget/budget_plan.csv"),
    ///                load_csv("fixtures/budget/daily_spend.csv"), #{ tolerance: 0.05 });
    /// print(p.table);
    /// print(p.periods);
    /// ```
    #[rhai_fn(name = "pacing", return_raw)]
    pub fn pacing_with(plan: Dynamic, actual: Dynamic, options: Map) -> R<PacingReport> {
        let o = Options::new(
            "pacing",
            options,
            &["as_of", "tolerance", "by", "start", "end"],
        )?;
        let opts = PacingOptions {
            as_of: date_opt(&o, "as_of")?,
            tolerance: o.f64("tolerance")?.unwrap_or(0.05),
            by: match o.str("by")? {
                Some(b) => Period::parse(&b).map_err(script_error)?,
                None => Period::Day,
            },
            start: date_opt(&o, "start")?,
            end: date_opt(&o, "end")?,
        };
        let plan = table_from_dynamic(plan, "pacing: plan")?;
        let actual = table_from_dynamic(actual, "pacing: actual")?;
        let plan = budget::plan_from_table(&plan).map_err(script_error)?;
        let actual = budget::spend_from_table(&actual).map_err(script_error)?;
        budget::pacing(&plan, &actual, &opts).map_err(script_error)
    }

    /// The items table with a final `total` row.
    #[rhai_fn(get = "table", pure, return_raw)]
    pub fn pacing_table(p: &mut PacingReport) -> R<Table> {
        p.table().map_err(script_error)
    }

    /// The table by day or week: `period, planned, actual, cum_planned, cum_actual,
    /// deviation`.
    #[rhai_fn(get = "periods", pure, return_raw)]
    pub fn pacing_periods(p: &mut PacingReport) -> R<Table> {
        p.periods_table().map_err(script_error)
    }

    /// The items whose flag is not `ok`, as an array of names.
    #[rhai_fn(get = "flagged", pure)]
    pub fn pacing_flagged(p: &mut PacingReport) -> Array {
        p.items
            .iter()
            .chain([&p.total])
            .filter(|r| r.flag != budget::Flag::Ok)
            .map(|r| Dynamic::from(r.item.clone()))
            .collect()
    }

    /// The total row as a map (`planned_total, planned_to_date, actual_to_date,
    /// deviation, deviation_pct, projected_end, flag`).
    #[rhai_fn(get = "total", pure)]
    pub fn pacing_total(p: &mut PacingReport) -> Map {
        let t = &p.total;
        let mut m = Map::new();
        m.insert("planned_total".into(), Dynamic::from_float(t.planned_total));
        m.insert(
            "planned_to_date".into(),
            Dynamic::from_float(t.planned_to_date),
        );
        m.insert(
            "actual_to_date".into(),
            Dynamic::from_float(t.actual_to_date),
        );
        m.insert("deviation".into(), Dynamic::from_float(t.deviation));
        m.insert(
            "deviation_pct".into(),
            t.deviation_pct.map_or(Dynamic::UNIT, Dynamic::from_float),
        );
        m.insert("projected_end".into(), Dynamic::from_float(t.projected_end));
        m.insert("flag".into(), Dynamic::from(t.flag.word().to_string()));
        m
    }

    /// The pacing chart, cumulative: spend summed up to each period against the plan's
    /// pace line and its band of ± tolerance (an SVG document).
    ///
    /// ```rhai
    /// let p = pacing(load_csv("fixtures/budget/budget_plan.csv"),
    ///                load_csv("fixtures/budget/daily_spend.csv"), #{ tolerance: 0.05 });
    /// write_text("pacing.svg", p.svg);
    /// ```
    #[rhai_fn(get = "svg", pure)]
    pub fn pacing_svg(p: &mut PacingReport) -> String {
        crate::render::pacing_svg(p, crate::render::PacingView::Cumulative)
    }

    /// The pacing chart by `view`: `"cumulative"` (spend to date against the plan's
    /// pace and its tolerance band) or `"daily"` (spend and plan per period).
    ///
    /// ```rhai
    /// let p = pacing(load_csv("fixtures/budget/budget_plan.csv"),
    ///                load_csv("fixtures/budget/daily_spend.csv"));
    /// write_text("pacing_daily.svg", p.chart("daily"));
    /// ```
    #[rhai_fn(name = "chart", pure, return_raw)]
    pub fn pacing_chart(p: &mut PacingReport, view: &str) -> R<String> {
        let v = match view {
            "cumulative" => crate::render::PacingView::Cumulative,
            "daily" => crate::render::PacingView::Daily,
            other => {
                return Err(script_error(format!(
                    "chart: view must be \"cumulative\" or \"daily\", got \"{other}\""
                )))
            }
        };
        Ok(crate::render::pacing_svg(p, v))
    }

    /// The pacing table as text, with the date counted to.
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn pacing_to_string(p: &mut PacingReport) -> String {
        let head = match p.as_of {
            Some(d) => format!(
                "Pacing as of {d} (tolerance {})",
                crate::render::percent(p.tolerance)
            ),
            None => format!("Pacing (tolerance {})", crate::render::percent(p.tolerance)),
        };
        let table = p
            .table()
            .map(|t| crate::render::render_table(&t))
            .unwrap_or_default();
        format!("{head}\n{table}")
    }
}
