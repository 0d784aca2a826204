//! Script API of the A/B test domain: proportion and mean tests, intervals, power and
//! sample size, SRM, several arms, multiple-testing corrections, chance to beat
//! control, the mSPRT for daily monitoring, and the `ab_report` readout.
//!
//! Arguments are conversions then totals, A (control) first; every effect is B
//! relative to A. Every result map carries a `method` entry naming the method used.
//! Domain code lives in `crate::abtest`; this file converts script values.

use crate::abtest::{
    self, AbReport, Adjust, Alternative, Arm, BetaPrior, Design, DiffMethod, Metric, PowerMethod,
    ReportOptions, Summary,
};
use crate::render::Report;
use crate::script::{num, script_error, table_from_dynamic, Options};
use crate::table::{Column, Table};
use crate::units::Rate;
use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, Map, Module};

/// The module: functions plus the `AbReport` type.
pub fn module() -> Module {
    let mut m = exported_module!(abtest_api);
    m.set_custom_type::<AbReport>("AbReport");
    m
}

type R<T> = Result<T, Box<EvalAltResult>>;

fn arms(f: &str, xa: &Dynamic, na: &Dynamic, xb: &Dynamic, nb: &Dynamic) -> R<(Arm, Arm)> {
    let a = Arm::new(
        num(xa, &format!("{f}: x_a"))?,
        num(na, &format!("{f}: n_a"))?,
        f,
        "a",
    )
    .map_err(script_error)?;
    let b = Arm::new(
        num(xb, &format!("{f}: x_b"))?,
        num(nb, &format!("{f}: n_b"))?,
        f,
        "b",
    )
    .map_err(script_error)?;
    Ok((a, b))
}

/// Arms from an array of conversions and one of totals, one of each per arm.
fn arm_list(f: &str, conversions: &Array, totals: &Array) -> R<Vec<Arm>> {
    let x = numbers(conversions, &format!("{f}: conversions"))?;
    let n = numbers(totals, &format!("{f}: totals"))?;
    if x.len() != n.len() {
        return Err(script_error(format!(
            "{f}: {} conversions but {} totals; give one of each per arm",
            x.len(),
            n.len()
        )));
    }
    x.iter()
        .zip(&n)
        .enumerate()
        .map(|(i, (&x, &n))| {
            Arm::new(x, n, f, "a").map_err(|_| {
                script_error(format!(
                    "{f}: arm {} has {x} conversions out of {n} users; users must be a whole number from 1 to 1e15 and conversions a whole number from 0 to the users",
                    i + 1
                ))
            })
        })
        .collect()
}

fn map(entries: &[(&str, Dynamic)]) -> Map {
    entries
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect()
}

fn fl(x: f64) -> Dynamic {
    Dynamic::from_float(x)
}

fn s(x: &str) -> Dynamic {
    Dynamic::from(x.to_string())
}

fn level(o: &Options) -> R<f64> {
    Ok(o.f64("level")?.unwrap_or(0.95))
}

fn numbers(arr: &Array, what: &str) -> R<Vec<f64>> {
    arr.iter()
        .enumerate()
        .map(|(i, v)| num(v, &format!("{what} {}", i + 1)))
        .collect()
}

/// The options of `ab_report` (the warehouse's `ab_report` takes them too).
pub(crate) fn report_options(options: Map) -> R<ReportOptions> {
    let o = Options::new(
        "ab_report",
        options,
        &[
            "variant",
            "control",
            "converted",
            "revenue",
            "day",
            "weights",
            "alpha",
            "power",
            "looks",
            "sequential",
            "tau",
            "adjust",
            "columns",
            "metrics",
            "guardrails",
            "by",
            "mde",
            "daily_users",
            "covariate",
        ],
    )?;
    let mut r = ReportOptions::default();
    if let Some(v) = o.str("variant")? {
        r.variant = v;
    }
    r.control = o.str("control")?;
    if let Some(v) = o.str("converted")? {
        r.converted = v;
    }
    r.revenue = o.str("revenue")?;
    r.day = o.str("day")?;
    if let Some(w) = o.raw("weights") {
        let arr = w.read_lock::<Array>().map(|a| a.clone()).ok_or_else(|| {
            script_error("ab_report: option 'weights' must be an array like [50, 50]")
        })?;
        r.weights = Some(numbers(&arr, "ab_report: weight")?);
    }
    if let Some(a) = o.f64("alpha")? {
        r.alpha = a;
    }
    if let Some(p) = o.f64("power")? {
        r.power = p;
    }
    if let Some(l) = o.i64("looks")? {
        if !(1..=100_000).contains(&l) {
            return Err(script_error(format!(
                "ab_report: option 'looks' must be a whole number of at least 1, got {l}"
            )));
        }
        r.looks = l as u32;
    }
    r.sequential = o.bool("sequential")?.unwrap_or(false);
    if let Some(tau) = o.f64("tau")? {
        r.tau = abtest::sequential::check_tau(tau, "ab_report").map_err(script_error)?;
    }
    if let Some(a) = o.str("adjust")? {
        r.adjust = Adjust::parse(&a).map_err(script_error)?;
    }
    if let Some(c) = o.raw("columns") {
        apply_columns(&mut r, c)?;
    }
    if let Some(m) = o.raw("metrics") {
        r.metrics = metric_specs(m, "metrics")?;
    }
    if let Some(m) = o.raw("guardrails") {
        r.guardrails = metric_specs(m, "guardrails")?;
    }
    r.by = o.str("by")?;
    if let Some(m) = o.f64("mde")? {
        r.mde = m;
    }
    r.daily_users = o.f64("daily_users")?;
    r.covariate = o.str("covariate")?;
    Ok(r)
}

fn rate(v: &Dynamic, what: &str) -> R<Rate> {
    Rate::new(num(v, what)?, what).map_err(script_error)
}

fn design(f: &str, map: Map) -> R<Design> {
    let o = Options::new(f, map, &["alpha", "power", "method"])?;
    let method = match o.str("method")? {
        Some(m) => PowerMethod::parse(&m, f).map_err(script_error)?,
        None => PowerMethod::Pooled,
    };
    Design::new(
        o.f64("alpha")?.unwrap_or(0.05),
        o.f64("power")?.unwrap_or(0.8),
        method,
        f,
    )
    .map_err(script_error)
}

fn ztest(a: Arm, b: Arm, alt: Alternative) -> R<Map> {
    let r = abtest::ztest_props(a, b, alt).map_err(script_error)?;
    Ok(map(&[
        ("rate_a", fl(r.rate_a)),
        ("rate_b", fl(r.rate_b)),
        ("diff", fl(r.diff)),
        ("lift", fl(r.lift)),
        ("z", fl(r.z)),
        ("p_value", fl(r.p_value)),
        ("alternative", s(alt.name())),
        ("method", s("pooled two-proportion z-test")),
    ]))
}

fn chi2(a: Arm, b: Arm, yates: bool) -> R<Map> {
    let r = abtest::chi2_2x2(a, b, yates).map_err(script_error)?;
    Ok(map(&[
        ("statistic", fl(r.statistic)),
        ("df", Dynamic::from_int(1)),
        ("p_value", fl(r.p_value)),
        (
            "method",
            s(if yates {
                "Pearson chi-square with Yates continuity correction"
            } else {
                "Pearson chi-square"
            }),
        ),
    ]))
}

fn interval(low: f64, high: f64, method: &str, level: f64) -> Map {
    map(&[
        ("low", fl(low)),
        ("high", fl(high)),
        ("level", fl(level)),
        ("method", s(method)),
    ])
}

fn beat(ctx: &NativeCallContext, a: Arm, b: Arm, pa: BetaPrior, pb: BetaPrior) -> R<Map> {
    let run = crate::script::context(ctx)?;
    let r = abtest::prob_beat_until(a, b, pa, pb, &|| run.expired()).map_err(script_error)?;
    Ok(map(&[
        ("prob", fl(r.prob)),
        ("loss_b", fl(r.loss_b)),
        ("loss_a", fl(r.loss_a)),
        ("method", s(r.method.name())),
    ]))
}

fn prior(o: &Options, key: &str) -> R<BetaPrior> {
    match o.raw(key) {
        None => Ok(BetaPrior::uniform()),
        Some(v) => {
            let arr = v.read_lock::<Array>().map(|a| a.clone()).ok_or_else(|| {
                script_error(format!(
                    "prob_beat: option '{key}' must be [alpha, beta], like [1, 1]"
                ))
            })?;
            if arr.len() != 2 {
                return Err(script_error(format!(
                    "prob_beat: option '{key}' must be two numbers [alpha, beta], got {} numbers",
                    arr.len()
                )));
            }
            let v = numbers(&arr, &format!("prob_beat: {key}"))?;
            BetaPrior::new(v[0], v[1], key).map_err(script_error)
        }
    }
}

/// The `columns` option of `ab_report`: the user's names for the columns it reads.
fn apply_columns(r: &mut ReportOptions, v: &Dynamic) -> R<()> {
    let m = v.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
        script_error(
            "ab_report: option 'columns' must be a map like #{ users: \"uv\", conversions: \"orders\" }",
        )
    })?;
    let o = Options::new(
        "ab_report: columns",
        m,
        &[
            "variant",
            "converted",
            "users",
            "conversions",
            "revenue",
            "revenue_sq",
            "day",
        ],
    )?;
    if let Some(v) = o.str("variant")? {
        r.variant = v;
    }
    if let Some(v) = o.str("converted")? {
        r.converted = v;
    }
    if let Some(v) = o.str("users")? {
        r.users = v;
    }
    if let Some(v) = o.str("conversions")? {
        r.conversions = v;
    }
    if let Some(v) = o.str("revenue")? {
        r.revenue = Some(v);
    }
    if let Some(v) = o.str("revenue_sq")? {
        r.revenue_sq = Some(v);
    }
    if let Some(v) = o.str("day")? {
        r.day = Some(v);
    }
    Ok(())
}

/// The `metrics` or `guardrails` option: an array of
/// `#{ name, numerator, denominator, lower_is_better }` maps.
fn metric_specs(v: &Dynamic, key: &str) -> R<Vec<Metric>> {
    let arr = v.read_lock::<Array>().map(|a| a.clone()).ok_or_else(|| {
        script_error(format!(
            "ab_report: option '{key}' must be an array of maps like [#{{ name: \"aov\", numerator: \"revenue\", denominator: \"orders\" }}]"
        ))
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, m)| {
            let map = m.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
                script_error(format!(
                    "ab_report: {key} entry {} must be a map like #{{ name: \"aov\", numerator: \"revenue\", denominator: \"orders\" }}, got {}",
                    i + 1,
                    m.type_name()
                ))
            })?;
            let o = Options::new(
                &format!("ab_report: {key} entry {}", i + 1),
                map,
                &["name", "numerator", "denominator", "lower_is_better"],
            )?;
            let numerator = o.str("numerator")?.ok_or_else(|| {
                script_error(format!(
                    "ab_report: {key} entry {} needs a numerator column, like numerator: \"revenue\"",
                    i + 1
                ))
            })?;
            Ok(Metric {
                name: o.str("name")?.unwrap_or_else(|| numerator.clone()),
                numerator,
                denominator: o.str("denominator")?,
                lower_is_better: o.bool("lower_is_better")?.unwrap_or(false),
            })
        })
        .collect()
}

fn welch_map(w: abtest::Welch) -> Map {
    map(&[
        ("diff", fl(w.diff)),
        ("t", fl(w.t)),
        ("df", fl(w.df)),
        ("p_value", fl(w.p_value)),
        ("method", s("Welch's unequal-variance t-test, two-sided")),
    ])
}

fn values_of(t: &Table, value: &str, variant: &str, label: &str) -> R<Vec<f64>> {
    let vc = t.column(variant).map_err(script_error)?;
    let xc = t.column(value).map_err(script_error)?;
    let mut out = Vec::new();
    for row in 0..t.n_rows() {
        if vc.text_at(row).as_deref() == Some(label) {
            let x = xc
                .f64_at(row)
                .filter(|x| x.is_finite())
                .ok_or_else(|| script_error(t.bad_cell(row, value, "a number", "")))?;
            out.push(x);
        }
    }
    Ok(out)
}

#[allow(clippy::unwrap_used)]
#[export_module]
mod abtest_api {
    use super::*;

    /// Pooled two-proportion z-test of B (x_b of n_b) against A (x_a of n_a), two-sided:
    /// z = (rate_b - rate_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)) with the pooled rate p.
    /// Returns `#{ rate_a, rate_b, diff, lift, z, p_value, alternative, method }`.
    /// An error when both arms are at 0% or both at 100% (the standard error is 0).
    ///
    /// ```rhai
    /// let r = ztest_props(120, 2400, 150, 2400);
    /// print(`z = ${r.z}, p = ${r.p_value} (${r.method})`);
    /// ```
    #[rhai_fn(name = "ztest_props", return_raw)]
    pub fn ztest_props(x_a: Dynamic, n_a: Dynamic, x_b: Dynamic, n_b: Dynamic) -> R<Map> {
        let (a, b) = arms("ztest_props", &x_a, &n_a, &x_b, &n_b)?;
        ztest(a, b, Alternative::TwoSided)
    }

    /// The z-test with `#{ alternative: "two-sided" | "larger" | "smaller" }`;
    /// "larger" tests whether B's rate is larger than A's.
    ///
    /// ```rhai
    /// print(ztest_props(120, 2400, 150, 2400, #{ alternative: "larger" }).p_value);
    /// ```
    #[rhai_fn(name = "ztest_props", return_raw)]
    pub fn ztest_props_with(
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
        options: Map,
    ) -> R<Map> {
        let (a, b) = arms("ztest_props", &x_a, &n_a, &x_b, &n_b)?;
        let o = Options::new("ztest_props", options, &["alternative"])?;
        let alt = match o.str("alternative")? {
            Some(s) => Alternative::parse(&s, "ztest_props").map_err(script_error)?,
            None => Alternative::TwoSided,
        };
        ztest(a, b, alt)
    }

    /// Pearson's chi-square on the 2x2 table of conversions and non-conversions
    /// (1 degree of freedom). Returns `#{ statistic, df, p_value, method }`.
    ///
    /// ```rhai
    /// print(chi2_2x2(120, 2400, 150, 2400));
    /// ```
    #[rhai_fn(name = "chi2_2x2", return_raw)]
    pub fn chi2_2x2(x_a: Dynamic, n_a: Dynamic, x_b: Dynamic, n_b: Dynamic) -> R<Map> {
        let (a, b) = arms("chi2_2x2", &x_a, &n_a, &x_b, &n_b)?;
        chi2(a, b, false)
    }

    /// The chi-square with `#{ yates: true }`: each |O - E| is reduced by
    /// min(0.5, |O - E|), as scipy's `chi2_contingency` does.
    ///
    /// ```rhai
    /// print(chi2_2x2(3, 17, 9, 21, #{ yates: true }).p_value);
    /// ```
    #[rhai_fn(name = "chi2_2x2", return_raw)]
    pub fn chi2_2x2_with(
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
        options: Map,
    ) -> R<Map> {
        let (a, b) = arms("chi2_2x2", &x_a, &n_a, &x_b, &n_b)?;
        let o = Options::new("chi2_2x2", options, &["yates"])?;
        chi2(a, b, o.bool("yates")?.unwrap_or(false))
    }

    /// Fisher's exact test, two-sided as scipy: the sum of the probabilities of every
    /// table no more likely than the observed one (within a relative 1e-14). Returns
    /// `#{ p_value, odds_ratio, method }`; the odds ratio is
    /// (x_b (n_a - x_a)) / ((n_b - x_b) x_a), `()` when a row or column is empty.
    ///
    /// ```rhai
    /// print(fisher_exact(1, 40, 6, 38));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn fisher_exact(x_a: Dynamic, n_a: Dynamic, x_b: Dynamic, n_b: Dynamic) -> R<Map> {
        let (a, b) = arms("fisher_exact", &x_a, &n_a, &x_b, &n_b)?;
        let r = abtest::fisher_exact(a, b);
        Ok(map(&[
            ("p_value", fl(r.p_value)),
            ("odds_ratio", r.odds_ratio.map_or(Dynamic::UNIT, fl)),
            ("method", s("Fisher's exact test, two-sided")),
        ]))
    }

    /// Wilson score interval for x conversions out of n at 95%. Returns
    /// `#{ low, high, level, method }`.
    ///
    /// ```rhai
    /// print(wilson_ci(3, 10));
    /// ```
    #[rhai_fn(name = "wilson_ci", return_raw)]
    pub fn wilson_ci(x: Dynamic, n: Dynamic) -> R<Map> {
        wilson_ci_with(x, n, Map::new())
    }

    /// Wilson score interval with `#{ level: 0.9 }`.
    ///
    /// ```rhai
    /// print(wilson_ci(0, 50, #{ level: 0.9 }).high);
    /// ```
    #[rhai_fn(name = "wilson_ci", return_raw)]
    pub fn wilson_ci_with(x: Dynamic, n: Dynamic, options: Map) -> R<Map> {
        let o = Options::new("wilson_ci", options, &["level"])?;
        let arm = Arm::new(
            num(&x, "wilson_ci: x")?,
            num(&n, "wilson_ci: n")?,
            "wilson_ci",
            "a",
        )
        .map_err(|_| {
            script_error(format!(
                "wilson_ci: x must be a whole number from 0 to n and n at least 1, got x = {x}, n = {n}"
            ))
        })?;
        let lv = level(&o)?;
        let r = abtest::wilson_ci(arm, lv).map_err(script_error)?;
        Ok(interval(r.low, r.high, "Wilson score", lv))
    }

    /// Interval for rate_b - rate_a, Newcombe's hybrid score method at 95%.
    /// Returns `#{ low, high, level, method }`.
    ///
    /// ```rhai
    /// print(diff_ci(120, 2400, 150, 2400));
    /// ```
    #[rhai_fn(name = "diff_ci", return_raw)]
    pub fn diff_ci(x_a: Dynamic, n_a: Dynamic, x_b: Dynamic, n_b: Dynamic) -> R<Map> {
        diff_ci_with(x_a, n_a, x_b, n_b, Map::new())
    }

    /// Interval for rate_b - rate_a with `#{ level, method: "newcombe" | "wald" }`.
    ///
    /// ```rhai
    /// print(diff_ci(120, 2400, 150, 2400, #{ level: 0.9, method: "wald" }));
    /// ```
    #[rhai_fn(name = "diff_ci", return_raw)]
    pub fn diff_ci_with(
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
        options: Map,
    ) -> R<Map> {
        let (a, b) = arms("diff_ci", &x_a, &n_a, &x_b, &n_b)?;
        let o = Options::new("diff_ci", options, &["level", "method"])?;
        let m = match o.str("method")? {
            Some(m) => DiffMethod::parse(&m).map_err(script_error)?,
            None => DiffMethod::Newcombe,
        };
        let lv = level(&o)?;
        let r = abtest::diff_ci(a, b, lv, m).map_err(script_error)?;
        Ok(interval(r.low, r.high, m.name(), lv))
    }

    /// Interval for the relative lift rate_b / rate_a - 1 at 95%, by the delta method
    /// on the log of the rate ratio (exponentiated back). An error when an arm has no
    /// conversions. Returns `#{ low, high, level, method }`.
    ///
    /// ```rhai
    /// print(lift_ci(120, 2400, 150, 2400));
    /// ```
    #[rhai_fn(name = "lift_ci", return_raw)]
    pub fn lift_ci(x_a: Dynamic, n_a: Dynamic, x_b: Dynamic, n_b: Dynamic) -> R<Map> {
        lift_ci_with(x_a, n_a, x_b, n_b, Map::new())
    }

    /// The lift interval with `#{ level: 0.9 }`.
    ///
    /// ```rhai
    /// print(lift_ci(120, 2400, 150, 2400, #{ level: 0.9 }).low);
    /// ```
    #[rhai_fn(name = "lift_ci", return_raw)]
    pub fn lift_ci_with(
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
        options: Map,
    ) -> R<Map> {
        let (a, b) = arms("lift_ci", &x_a, &n_a, &x_b, &n_b)?;
        let o = Options::new("lift_ci", options, &["level"])?;
        let lv = level(&o)?;
        let r = abtest::lift_ci(a, b, lv).map_err(script_error)?;
        Ok(interval(
            r.low,
            r.high,
            "delta method on the log rate ratio",
            lv,
        ))
    }

    /// Welch's t-test of mean_b - mean_a from summary statistics (sample standard
    /// deviations): t = (mean_b - mean_a) / sqrt(sd_a²/n_a + sd_b²/n_b), Welch–
    /// Satterthwaite df, two-sided p. Returns `#{ diff, t, df, p_value, method }`.
    ///
    /// ```rhai
    /// print(welch_t(100.0, 20.0, 50, 105.0, 25.0, 60));
    /// ```
    #[rhai_fn(name = "welch_t", return_raw)]
    pub fn welch_t(
        mean_a: Dynamic,
        sd_a: Dynamic,
        n_a: Dynamic,
        mean_b: Dynamic,
        sd_b: Dynamic,
        n_b: Dynamic,
    ) -> R<Map> {
        let f = "welch_t";
        let a = Summary::new(
            num(&mean_a, "welch_t: mean_a")?,
            num(&sd_a, "welch_t: sd_a")?,
            num(&n_a, "welch_t: n_a")?,
            f,
            "a",
        )
        .map_err(script_error)?;
        let b = Summary::new(
            num(&mean_b, "welch_t: mean_b")?,
            num(&sd_b, "welch_t: sd_b")?,
            num(&n_b, "welch_t: n_b")?,
            f,
            "b",
        )
        .map_err(script_error)?;
        Ok(welch_map(abtest::welch_t(a, b).map_err(script_error)?))
    }

    /// Welch's t-test from raw per-user values in a table:
    /// `#{ value: "revenue", variant: "variant", control: "A", treatment: "B" }`
    /// (`variant` defaults to "variant").
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/ab_landing_pages.csv");
    /// print(welch_t(t, #{ value: "revenue", control: "A", treatment: "B" }).p_value);
    /// ```
    #[rhai_fn(name = "welch_t", return_raw)]
    pub fn welch_t_table(table: Dynamic, options: Map) -> R<Map> {
        let f = "welch_t";
        let t = table_from_dynamic(table, "welch_t: table")?;
        let o = Options::new(f, options, &["value", "variant", "control", "treatment"])?;
        let need = |k: &str| -> R<String> {
            o.str(k)?.ok_or_else(|| {
                script_error(format!(
                    "welch_t: option '{k}' is required, like #{{ value: \"revenue\", control: \"A\", treatment: \"B\" }}"
                ))
            })
        };
        let value = need("value")?;
        let variant = o.str("variant")?.unwrap_or_else(|| "variant".into());
        let a = values_of(&t, &value, &variant, &need("control")?)?;
        let b = values_of(&t, &value, &variant, &need("treatment")?)?;
        let a = Summary::of(&a, f, "a").map_err(script_error)?;
        let b = Summary::of(&b, f, "b").map_err(script_error)?;
        Ok(welch_map(abtest::welch_t(a, b).map_err(script_error)?))
    }

    /// Users per arm to detect a change from `p_base` to `p_target` (two-sided alpha
    /// 0.05, power 0.8, Fleiss pooled method). Returns `#{ n_per_arm, n_exact, method }`.
    ///
    /// ```rhai
    /// print(sample_size(0.10, 0.15).n_per_arm);   // 686
    /// ```
    #[rhai_fn(name = "sample_size", return_raw)]
    pub fn sample_size(p_base: Dynamic, p_target: Dynamic) -> R<Map> {
        sample_size_with(p_base, p_target, Map::new())
    }

    /// Sample size with `#{ alpha: 0.05, power: 0.8, method: "pooled" | "arcsine" }`;
    /// "arcsine" is Cohen's h as statsmodels' `NormalIndPower`.
    ///
    /// ```rhai
    /// print(sample_size(0.03, 0.036, #{ power: 0.9, method: "arcsine" }));
    /// ```
    #[rhai_fn(name = "sample_size", return_raw)]
    pub fn sample_size_with(p_base: Dynamic, p_target: Dynamic, options: Map) -> R<Map> {
        let d = design("sample_size", options)?;
        let r = abtest::sample_size(
            rate(&p_base, "sample_size: p_base")?,
            rate(&p_target, "sample_size: p_target")?,
            d,
        )
        .map_err(script_error)?;
        Ok(map(&[
            ("n_per_arm", Dynamic::from_int(r.n_per_arm as i64)),
            ("n_exact", fl(r.n_exact)),
            ("method", s(d.method.name())),
        ]))
    }

    /// Users needed to detect a relative change `mde` (0.05 = +5%) in a mean per user
    /// (revenue per user, order value) whose control mean is `mean` and standard
    /// deviation `sd`: two-sided normal approximation as statsmodels' `NormalIndPower`
    /// with effect size mean * mde / sd (alpha 0.05, power 0.8, equal arms). Returns
    /// `#{ n_control, n_variant, n_total, method }`.
    ///
    /// ```rhai
    /// print(sample_size_means(5.26, 31.1, 0.10));
    /// ```
    #[rhai_fn(name = "sample_size_means", return_raw)]
    pub fn sample_size_means(mean: Dynamic, sd: Dynamic, mde: Dynamic) -> R<Map> {
        sample_size_means_with(mean, sd, mde, Map::new())
    }

    /// Sample size for means with `#{ alpha, power, ratio }`; `ratio` is the variant's
    /// users per control user (default 1).
    ///
    /// ```rhai
    /// print(sample_size_means(5.26, 31.1, 0.10, #{ power: 0.9, ratio: 2 }).n_variant);
    /// ```
    #[rhai_fn(name = "sample_size_means", return_raw)]
    pub fn sample_size_means_with(
        mean: Dynamic,
        sd: Dynamic,
        mde: Dynamic,
        options: Map,
    ) -> R<Map> {
        let f = "sample_size_means";
        let o = Options::new(f, options, &["alpha", "power", "ratio"])?;
        let d = Design::new(
            o.f64("alpha")?.unwrap_or(0.05),
            o.f64("power")?.unwrap_or(0.8),
            PowerMethod::Pooled,
            f,
        )
        .map_err(script_error)?;
        let r = abtest::sample_size_means(
            num(&mean, "sample_size_means: mean")?,
            num(&sd, "sample_size_means: sd")?,
            num(&mde, "sample_size_means: mde")?,
            o.f64("ratio")?.unwrap_or(1.0),
            d,
        )
        .map_err(script_error)?;
        Ok(map(&[
            ("n_control", Dynamic::from_int(r.n_control as i64)),
            ("n_variant", Dynamic::from_int(r.n_variant as i64)),
            (
                "n_total",
                Dynamic::from_int((r.n_control + r.n_variant) as i64),
            ),
            ("n_exact", fl(r.n_exact)),
            (
                "method",
                s("two-sided normal approximation (statsmodels NormalIndPower)"),
            ),
        ]))
    }

    /// The minimum detectable effect with `n_per_arm` users per arm (alpha 0.05,
    /// power 0.8, pooled): the smallest higher rate detected. Returns
    /// `#{ p_target, abs, relative, method }`; `relative` is `()` when `p_base` is 0
    /// (no relative change from zero exists).
    ///
    /// ```rhai
    /// print(mde(0.03, 20000));
    /// ```
    #[rhai_fn(name = "mde", return_raw)]
    pub fn mde(p_base: Dynamic, n_per_arm: Dynamic) -> R<Map> {
        mde_with(p_base, n_per_arm, Map::new())
    }

    /// The MDE with `#{ alpha, power, method }`.
    ///
    /// ```rhai
    /// print(mde(0.03, 20000, #{ power: 0.9, method: "arcsine" }).relative);
    /// ```
    #[rhai_fn(name = "mde", return_raw)]
    pub fn mde_with(p_base: Dynamic, n_per_arm: Dynamic, options: Map) -> R<Map> {
        let d = design("mde", options)?;
        let r = abtest::mde(
            rate(&p_base, "mde: p_base")?,
            num(&n_per_arm, "mde: n_per_arm")?,
            d,
        )
        .map_err(script_error)?;
        Ok(map(&[
            ("p_target", fl(r.p_target)),
            ("abs", fl(r.abs)),
            (
                "relative",
                if r.relative.is_finite() {
                    fl(r.relative)
                } else {
                    Dynamic::UNIT
                },
            ),
            ("method", s(d.method.name())),
        ]))
    }

    /// The power of a two-sided test (alpha 0.05, pooled) with `n_per_arm` users per
    /// arm when the rates are `p_base` and `p_target`. Returns `#{ power, method }`.
    ///
    /// ```rhai
    /// print(power(0.10, 0.15, 500).power);
    /// ```
    #[rhai_fn(name = "power", return_raw)]
    pub fn power(p_base: Dynamic, p_target: Dynamic, n_per_arm: Dynamic) -> R<Map> {
        power_with(p_base, p_target, n_per_arm, Map::new())
    }

    /// Power with `#{ alpha, method }`.
    ///
    /// ```rhai
    /// print(power(0.10, 0.15, 500, #{ method: "arcsine", alpha: 0.1 }));
    /// ```
    #[rhai_fn(name = "power", return_raw)]
    pub fn power_with(
        p_base: Dynamic,
        p_target: Dynamic,
        n_per_arm: Dynamic,
        options: Map,
    ) -> R<Map> {
        let o = Options::new("power", options, &["alpha", "method"])?;
        let method = match o.str("method")? {
            Some(m) => PowerMethod::parse(&m, "power").map_err(script_error)?,
            None => PowerMethod::Pooled,
        };
        let p = abtest::power(
            rate(&p_base, "power: p_base")?,
            rate(&p_target, "power: p_target")?,
            num(&n_per_arm, "power: n_per_arm")?,
            o.f64("alpha")?.unwrap_or(0.05),
            method,
        )
        .map_err(script_error)?;
        Ok(map(&[("power", fl(p)), ("method", s(method.name()))]))
    }

    /// Sample-ratio-mismatch test: chi-square goodness of fit of the users seen per
    /// arm to the planned split (weights in any scale). Returns
    /// `#{ statistic, df, p_value, method }`; p below 0.001 means the split is broken.
    ///
    /// ```rhai
    /// print(srm_test([5100, 4900], [50, 50]));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn srm_test(observed_counts: Array, expected_weights: Array) -> R<Map> {
        let o = numbers(&observed_counts, "srm_test: observed count")?;
        let w = numbers(&expected_weights, "srm_test: expected weight")?;
        let r = abtest::srm_test(&o, &w).map_err(script_error)?;
        Ok(map(&[
            ("statistic", fl(r.statistic)),
            ("df", Dynamic::from_int(r.df as i64)),
            ("p_value", fl(r.p_value)),
            ("method", s("chi-square goodness of fit (SRM)")),
        ]))
    }

    /// Chi-square test of independence across several arms (k x 2 table, df = k - 1,
    /// no continuity correction). Returns `#{ statistic, df, p_value, method }`.
    ///
    /// ```rhai
    /// print(chi2_arms([30, 45, 52], [1000, 1000, 1000]));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn chi2_arms(conversions: Array, totals: Array) -> R<Map> {
        let arms = arm_list("chi2_arms", &conversions, &totals)?;
        let r = abtest::chi2_arms(&arms).map_err(script_error)?;
        Ok(map(&[
            ("statistic", fl(r.statistic)),
            ("df", Dynamic::from_int(r.df as i64)),
            ("p_value", fl(r.p_value)),
            ("method", s("Pearson chi-square test of independence")),
        ]))
    }

    /// Adjusted p-values for several comparisons, as statsmodels' `multipletests`:
    /// "holm", "bonferroni" or "bh" (Benjamini-Hochberg). Returns an array in the
    /// order given.
    ///
    /// ```rhai
    /// print(adjust_p([0.01, 0.04, 0.03], "holm"));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn adjust_p(p_values: Array, method: &str) -> R<Array> {
        let p = numbers(&p_values, "adjust_p: p-value")?;
        let m = Adjust::parse(method).map_err(script_error)?;
        Ok(abtest::adjust_p(&p, m)
            .map_err(script_error)?
            .into_iter()
            .map(Dynamic::from_float)
            .collect())
    }

    /// Chance that B's rate beats A's under independent uniform Beta(1, 1) priors,
    /// with the expected loss of choosing B (`loss_b`) and of choosing A (`loss_a`);
    /// no simulation: the exact closed-form sum, or, once every posterior shape
    /// (conversions + 1, non-conversions + 1) is at least 10,000, numerical
    /// integration of both densities by Gauss-Legendre panels (to 1e-12, at a cost
    /// that does not grow with the counts). `method` names the one used.
    /// Returns `#{ prob, loss_b, loss_a, method }`.
    ///
    /// ```rhai
    /// print(prob_beat(120, 2400, 150, 2400));
    /// ```
    #[rhai_fn(name = "prob_beat", return_raw)]
    pub fn prob_beat(
        ctx: NativeCallContext,
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
    ) -> R<Map> {
        let (a, b) = arms("prob_beat", &x_a, &n_a, &x_b, &n_b)?;
        beat(&ctx, a, b, BetaPrior::uniform(), BetaPrior::uniform())
    }

    /// Chance to beat control with `#{ prior_a: [alpha, beta], prior_b: [alpha, beta] }`.
    ///
    /// ```rhai
    /// print(prob_beat(12, 300, 20, 300, #{ prior_a: [2, 40], prior_b: [2, 40] }).prob);
    /// ```
    #[rhai_fn(name = "prob_beat", return_raw)]
    pub fn prob_beat_with(
        ctx: NativeCallContext,
        x_a: Dynamic,
        n_a: Dynamic,
        x_b: Dynamic,
        n_b: Dynamic,
        options: Map,
    ) -> R<Map> {
        let (a, b) = arms("prob_beat", &x_a, &n_a, &x_b, &n_b)?;
        let o = Options::new("prob_beat", options, &["prior_a", "prior_b"])?;
        beat(&ctx, a, b, prior(&o, "prior_a")?, prior(&o, "prior_b")?)
    }

    /// Bayesian readout across several arms: each arm's probability to have the
    /// highest rate and the expected loss of choosing it (E[max_j p_j - p_i], the
    /// rate given up on average), under independent uniform Beta(1, 1) priors, by
    /// numerical integration (Gauss-Legendre panels; no sampling):
    /// P(i best) = ∫ f_i Π_{j≠i} F_j, loss_i = ∫ F_i (1 - Π_{j≠i} F_j).
    /// Returns a table `arm, users, conversions, rate, prob_best, expected_loss`
    /// (arms numbered from 1 in the order given).
    ///
    /// ```rhai
    /// print(prob_best([120, 150, 135], [2400, 2400, 2400]));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn prob_best(ctx: NativeCallContext, conversions: Array, totals: Array) -> R<Table> {
        let arms = arm_list("prob_best", &conversions, &totals)?;
        let run = crate::script::context(&ctx)?;
        let r = abtest::prob_best(&arms, &|| run.expired()).map_err(script_error)?;
        let mut cols = vec![(
            "arm".to_string(),
            Column::int((1..=arms.len() as i64).map(Some).collect()),
        )];
        cols.extend(abtest::arm::arm_count_columns(&arms));
        cols.push((
            "prob_best".into(),
            Column::float(r.prob_best.iter().map(|&p| Some(p)).collect()),
        ));
        cols.push((
            "expected_loss".into(),
            Column::float(r.loss.iter().map(|&p| Some(p)).collect()),
        ));
        Table::new("prob_best", cols).map_err(script_error)
    }

    /// Safe monitoring: the mSPRT over daily looks of cumulative counts (arrays
    /// x_a, n_a, x_b, n_b, one entry per look). Returns a table of
    /// `look, diff, p_value, low, high`: always-valid p-values and the confidence
    /// sequence for rate_b - rate_a (normal mixture, tau = 0.01, alpha = 0.05).
    ///
    /// ```rhai
    /// print(msprt([50, 110, 160], [1000, 2000, 3000], [60, 135, 205], [1000, 2000, 3000]));
    /// ```
    #[rhai_fn(name = "msprt", return_raw)]
    pub fn msprt(x_a: Array, n_a: Array, x_b: Array, n_b: Array) -> R<Table> {
        msprt_with(x_a, n_a, x_b, n_b, Map::new())
    }

    /// The mSPRT with `#{ tau, alpha }`: tau is the mixing standard deviation on the
    /// rate difference (the size of effect the test is fastest for).
    ///
    /// ```rhai
    /// let s = msprt([50, 110], [1000, 2000], [60, 135], [1000, 2000], #{ tau: 0.02, alpha: 0.1 });
    /// print(s);
    /// ```
    #[rhai_fn(name = "msprt", return_raw)]
    pub fn msprt_with(x_a: Array, n_a: Array, x_b: Array, n_b: Array, options: Map) -> R<Table> {
        let o = Options::new("msprt", options, &["tau", "alpha"])?;
        let cols = [
            numbers(&x_a, "msprt: x_a")?,
            numbers(&n_a, "msprt: n_a")?,
            numbers(&x_b, "msprt: x_b")?,
            numbers(&n_b, "msprt: n_b")?,
        ];
        if cols.iter().any(|c| c.len() != cols[0].len()) {
            return Err(script_error(
                "msprt: x_a, n_a, x_b and n_b must have one entry per look each",
            ));
        }
        let looks: Vec<(Arm, Arm)> = (0..cols[0].len())
            .map(|i| {
                let f = format!("msprt: look {}", i + 1);
                Ok((
                    Arm::new(cols[0][i], cols[1][i], &f, "a").map_err(script_error)?,
                    Arm::new(cols[2][i], cols[3][i], &f, "b").map_err(script_error)?,
                ))
            })
            .collect::<R<_>>()?;
        let r = abtest::msprt(
            &looks,
            o.f64("tau")?.unwrap_or(abtest::DEFAULT_TAU),
            o.f64("alpha")?.unwrap_or(0.05),
        )
        .map_err(script_error)?;
        Table::new(
            "msprt",
            vec![
                (
                    "look".into(),
                    Column::int((1..=r.len() as i64).map(Some).collect()),
                ),
                (
                    "diff".into(),
                    Column::float(r.iter().map(|l| Some(l.diff)).collect()),
                ),
                (
                    "p_value".into(),
                    Column::float(r.iter().map(|l| Some(l.p_value)).collect()),
                ),
                (
                    "low".into(),
                    Column::float(r.iter().map(|l| Some(l.low)).collect()),
                ),
                (
                    "high".into(),
                    Column::float(r.iter().map(|l| Some(l.high)).collect()),
                ),
            ],
        )
        .map(|t| t.with_kind("p_value", crate::table::Kind::PValue))
        .map_err(script_error)
    }

    /// The A/B readout over per-user rows (`variant`, `converted` 0/1, optional
    /// revenue, day and metric columns) or summary rows (`variant, users,
    /// conversions[, revenue, revenue_sq]`, one row per arm or per arm and day: rows of
    /// an arm are added up; `revenue` is the row's revenue and `revenue_sq` its sum of
    /// squared revenue per user). Options: `variant` (column, default "variant"),
    /// `control` (label, default the first seen), `converted` (column, default
    /// "converted"), `revenue` (column), `day` (column: the daily looks of the
    /// sequential test), `columns` (the table's names for any of `variant`,
    /// `converted`, `users`, `conversions`, `revenue`, `revenue_sq`, `day`, like
    /// `#{ users: "uv", conversions: "orders" }`), `weights` (planned split), `alpha`
    /// (0.05), `power` (0.8), `looks` (times the results were viewed), `sequential`
    /// (mSPRT always-valid p-values), `tau`, `adjust` ("holm", "bonferroni", "bh").
    ///
    /// `metrics: [#{ name, numerator, denominator }]` reads ratio metrics (average
    /// order value = revenue / orders): per arm the ratio of the per-user means, its
    /// variance by the delta method ((s_x²/ȳ² - 2 x̄ s_xy/ȳ³ + x̄² s_y²/ȳ⁴) / n), a
    /// z-test on the difference and a delta-method interval on the relative lift; no
    /// denominator reads the mean per user. `guardrails: [..]` are metrics of the same
    /// form (with `lower_is_better: true` where a fall is good) whose significant
    /// harm is the first warning, whatever the primary result.
    /// `by: "device"` adds the conversion readout per segment, p-values adjusted
    /// across every segment comparison, and flags each segment whose lift has the
    /// opposite sign to the total's (Simpson's paradox when every segment does);
    /// segments are exploratory.
    /// `covariate: "pre_revenue"` (per-user rows, with `revenue`) adds CUPED: revenue
    /// per user adjusted by a pre-period value, as the treatment coefficients of the
    /// least squares fit revenue ~ arm + covariate (theta the pooled within-arm slope),
    /// with t intervals and the variance reduction.
    /// Every readout ends with the duration: "at the current N users a day, the test
    /// reaches 80% power for a +10% lift in D more days", for conversion (Fleiss) and,
    /// with revenue, revenue per user (normal approximation for means); `mde` sets the
    /// planned lift (0.1), `daily_users` the traffic (default: all users over the
    /// data's days, from `day`). Printing shows one table per metric, the duration,
    /// the methods and the warnings.
    ///
    /// ```rhai
    /// let t = load_csv("fixtures/ab_landing_pages.csv");
    /// let r = ab_report(t, #{ control: "A", by: "device",
    ///     metrics: [#{ name: "aov", numerator: "revenue", denominator: "orders" }] });
    /// print(r);
    /// print(r.warnings);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn ab_report(ctx: NativeCallContext, table: Dynamic, options: Map) -> R<AbReport> {
        let t = table_from_dynamic(table, "ab_report: table")?;
        let r = report_options(options)?;
        let run = crate::script::context(&ctx)?;
        abtest::ab_report_until(&t, &r, &|| run.expired()).map_err(script_error)
    }

    /// The readout's conversion table (one row per arm, numbers), for `write_csv`.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A" });
    /// print(r.table);
    /// ```
    #[rhai_fn(get = "table", pure)]
    pub fn report_table(r: &mut AbReport) -> Table {
        r.conversion.clone()
    }

    /// The revenue-per-user table, or `()` when no revenue was given.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A", revenue: "revenue" });
    /// print(r.revenue);
    /// ```
    #[rhai_fn(get = "revenue", pure)]
    pub fn report_revenue(r: &mut AbReport) -> Dynamic {
        r.revenue.clone().map_or(Dynamic::UNIT, Dynamic::from)
    }

    /// The metrics' table (one row per metric and arm), or `()` without metrics.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A",
    ///     metrics: [#{ name: "aov", numerator: "revenue", denominator: "orders" }] });
    /// print(r.metrics);
    /// ```
    #[rhai_fn(get = "metrics", pure)]
    pub fn report_metrics(r: &mut AbReport) -> Dynamic {
        r.metrics.clone().map_or(Dynamic::UNIT, Dynamic::from)
    }

    /// The per-segment table (one row per segment and arm), or `()` without `by`.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A", by: "device" });
    /// print(r.segments);
    /// ```
    #[rhai_fn(get = "segments", pure)]
    pub fn report_segments(r: &mut AbReport) -> Dynamic {
        r.segments.clone().map_or(Dynamic::UNIT, Dynamic::from)
    }

    /// More days until the conversion test has the target power for the planned lift
    /// (`mde`, default +10%): 0 when it already has, `()` when the users a day are
    /// unknown (no `day` column or `daily_users`).
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A", day: "day", mde: 0.2 });
    /// print(r.days_left);
    /// ```
    #[rhai_fn(get = "days_left", pure)]
    pub fn report_days_left(r: &mut AbReport) -> Dynamic {
        r.days_left
            .map_or(Dynamic::UNIT, |d| Dynamic::from_int(d as i64))
    }

    /// The CUPED table (arm, users, mean, adjusted_mean, diff, low, high, se,
    /// p_value, theta, variance_reduction), or `()` without a covariate.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/abtest/cuped_users.csv"),
    ///     #{ control: "A", revenue: "revenue", covariate: "pre_revenue" });
    /// print(r.cuped);
    /// ```
    #[rhai_fn(get = "cuped", pure)]
    pub fn report_cuped(r: &mut AbReport) -> Dynamic {
        r.cuped.clone().map_or(Dynamic::UNIT, Dynamic::from)
    }

    /// The warnings, as an array of sentences (most serious first: a harmed guardrail,
    /// a sample-ratio mismatch, too few users, peeking, segments against the total).
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A", looks: 14 });
    /// for w in r.warnings { print(w); }
    /// ```
    #[rhai_fn(get = "warnings", pure)]
    pub fn report_warnings(r: &mut AbReport) -> Array {
        crate::render::ab_warnings(r)
            .into_iter()
            .map(Dynamic::from)
            .collect()
    }

    /// The methods used, one sentence each.
    ///
    /// ```rhai
    /// print(ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A" }).methods);
    /// ```
    #[rhai_fn(get = "methods", pure)]
    pub fn report_methods(r: &mut AbReport) -> Array {
        crate::render::ab_methods(r)
            .into_iter()
            .map(Dynamic::from)
            .collect()
    }

    /// Which figure to act on and why, in one sentence with the numbers. The rule:
    /// once the test has reached its planned size (the users the conversion test
    /// needs for the planned lift `mde` at the target `power`), or when it is read once
    /// without a plan, act on the fixed-horizon p-value and interval; before that, with
    /// `sequential: true`, act on the always-valid p-value (it stays valid whenever
    /// the test is looked at or stopped); without it, on nothing yet: keep the test
    /// running. The chance to beat control is a summary of the evidence, not a
    /// decision rule. `basis` gives the rule's answer as a word.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"),
    ///     #{ control: "A", sequential: true, day: "day" });
    /// print(r.act_on);
    /// ```
    #[rhai_fn(get = "act_on", pure)]
    pub fn report_act_on(r: &mut AbReport) -> String {
        crate::render::act_on(r)
    }

    /// The figure the decision rests on: "fixed-horizon" (the test reached its planned
    /// size, or is read once without a plan), "always-valid" (before the planned size,
    /// with the sequential option) or "not yet" (before the planned size without it).
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A", looks: 14 });
    /// print(r.basis);   // not yet
    /// ```
    #[rhai_fn(get = "basis", pure)]
    pub fn report_basis(r: &mut AbReport) -> String {
        match r.basis {
            abtest::Basis::FixedHorizon => "fixed-horizon",
            abtest::Basis::AlwaysValid => "always-valid",
            abtest::Basis::NotYet => "not yet",
        }
        .to_string()
    }

    /// A chart of the readout as an SVG document: `"cumulative"`, the cumulative
    /// conversion rate of each arm by day (needs the `day` column), or `"pvalue"`, the
    /// always-valid (mSPRT) p-value of each variant by day with a line at the
    /// significance level (needs `day` and `sequential: true`). For `write_text` or a
    /// report's `svg`.
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"),
    ///     #{ control: "A", sequential: true, day: "day" });
    /// let svg = r.chart("pvalue");
    /// print(svg.starts_with("<svg"));
    /// ```
    #[rhai_fn(pure, return_raw)]
    pub fn chart(r: &mut AbReport, name: &str) -> R<String> {
        let which = crate::render::AbChart::parse(name).map_err(script_error)?;
        crate::render::ab_chart(r, which).map_err(script_error)
    }

    /// Adds the A/B readout to a report as a section: a heading, the figure to act on
    /// (see `act_on`), the conversion table (and revenue, metrics and segments when
    /// read), the charts the data allows (cumulative conversion with `day`, the
    /// always-valid p-value with `day` and `sequential: true`), the duration and the
    /// warnings.
    ///
    /// ```rhai
    /// let ab = ab_report(load_csv("fixtures/ab_landing_pages.csv"),
    ///     #{ control: "A", sequential: true, day: "day" });
    /// let r = report("Landing pages");
    /// r.ab_section("Landing page test", ab);
    /// print(r.to_html().contains("Always-valid p-value by day"));
    /// ```
    pub fn ab_section(report: &mut Report, title: &str, ab: AbReport) {
        report.blocks.extend(crate::render::ab_blocks(&ab, title));
    }

    /// The readout as text (what `print` shows).
    ///
    /// ```rhai
    /// let r = ab_report(load_csv("fixtures/ab_landing_pages.csv"), #{ control: "A" });
    /// let text = `${r}`;
    /// print(text.len > 0);
    /// ```
    #[rhai_fn(pure, name = "to_string", name = "to_debug")]
    pub fn report_to_string(r: &mut AbReport) -> String {
        crate::render::ab_text(r)
    }
}
