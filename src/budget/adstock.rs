//! Media response over time: the carryover of spend (adstock) and its saturation,
//! fitted together with a baseline from daily spend and outcome.
//!
//! Model (geometric adstock, Broadbent 1979; the form of Jin et al. 2017, "Bayesian
//! Methods for Media Mix Modeling with Carryover and Shape Effects", and of Robyn):
//!
//! ```text
//! carry_t   = spend_t + decay * carry_{t-1}        (carry before the first day = 0)
//! outcome_t = base + top * carry_t^shape / (half^shape + carry_t^shape)
//! ```
//!
//! with `base >= 0` (the outcome without media), `top > 0` (the most media can add in a
//! day), `0 <= decay <= 0.999` (the share of a day's effective spend that carries into
//! the next), `half > 0` (the carried spend giving half of `top`), `shape > 0`.
//!
//! The fit is ordinary least squares (not maximum likelihood with a noise model; with
//! Gaussian noise of constant variance the two coincide). For fixed `(decay, half,
//! shape)` the model is linear in `(base, top)`, which are solved exactly with their
//! sign constraints (variable projection, Golub & Pereyra 1973); the SSE is minimised
//! over `decay`, `log half` and `log shape` from a grid of starts refined by restarted
//! Nelder-Mead. A constant daily spend `x` carries to `x / (1 - decay)` in the steady
//! state, so the daily response to a sustained spend is the Hill curve with the same
//! `top` and `shape` and half point `half * (1 - decay)` ([`AdstockFit::steady_curve`]).

use super::error::BudgetError;
use super::response::Curve;
use crate::table::{Column, Kind, Table};
use chrono::NaiveDate;

/// The largest decay searched: a carryover of 1 never fades.
pub const MAX_DECAY: f64 = 0.999;

/// The geometric adstock of a daily spend series: `carry_t = spend_t + decay *
/// carry_{t-1}`.
pub fn adstock_geometric(spend: &[f64], decay: f64) -> Vec<f64> {
    let mut acc = 0.0;
    spend
        .iter()
        .map(|&x| {
            acc = x + decay * acc;
            acc
        })
        .collect()
}

/// `a^s / (h^s + a^s)`, 0 at `a = 0`.
fn hill_share(a: f64, half: f64, shape: f64) -> f64 {
    if a > 0.0 {
        1.0 / (1.0 + (half / a).powf(shape))
    } else {
        0.0
    }
}

/// A fitted adstock and Hill model.
#[derive(Debug, Clone, PartialEq)]
pub struct AdstockFit {
    /// The outcome without media.
    pub base: f64,
    /// The most media can add in a day.
    pub top: f64,
    /// The daily carryover share.
    pub decay: f64,
    /// The carried spend that gives half of `top`.
    pub half: f64,
    /// The Hill shape.
    pub shape: f64,
    /// The number of days.
    pub n: usize,
    /// The sum of squared errors.
    pub sse: f64,
    /// `1 - SSE / SST`.
    pub r2: f64,
    /// `sqrt(SSE / n)`.
    pub rmse: f64,
    /// The carried spend of each day.
    pub carry: Vec<f64>,
    /// The fitted outcome of each day.
    pub fitted: Vec<f64>,
    /// The daily spend fitted.
    pub spend: Vec<f64>,
    /// The daily outcome fitted.
    pub outcome: Vec<f64>,
    /// The days' dates, when the series came with them.
    pub dates: Option<Vec<NaiveDate>>,
}

impl AdstockFit {
    /// The daily response to a spend sustained every day, once the carryover has built
    /// up: `top * x^shape / ((half (1 - decay))^shape + x^shape)` (without the base).
    pub fn steady_curve(&self) -> Result<Curve, BudgetError> {
        Curve::hill(self.top, self.half * (1.0 - self.decay), self.shape)
    }

    /// The number of days until a day's spend has lost half its effect:
    /// `ln 0.5 / ln decay` (`None` for no carryover).
    pub fn half_life(&self) -> Option<f64> {
        (self.decay > 0.0).then(|| 0.5f64.ln() / self.decay.ln())
    }
}

/// For fixed `(decay, half, shape)`: the best `(base, top)` with `base >= 0`, `top >= 0`
/// and the SSE.
fn profile(spend: &[f64], y: &[f64], decay: f64, half: f64, shape: f64) -> (f64, f64, f64) {
    let n = y.len() as f64;
    let mut acc = 0.0;
    let (mut sg, mut sgg, mut sy, mut sgy) = (0.0, 0.0, 0.0, 0.0);
    let g: Vec<f64> = spend
        .iter()
        .map(|&x| {
            acc = x + decay * acc;
            hill_share(acc, half, shape)
        })
        .collect();
    for (&gi, &yi) in g.iter().zip(y) {
        sg += gi;
        sgg += gi * gi;
        sy += yi;
        sgy += gi * yi;
    }
    let det = n * sgg - sg * sg;
    let (mut base, mut top) = if det > 1e-12 * n * sgg.max(1e-300) {
        ((sgg * sy - sg * sgy) / det, (n * sgy - sg * sy) / det)
    } else {
        (sy / n, 0.0)
    };
    if base < 0.0 {
        base = 0.0;
        top = if sgg > 0.0 { (sgy / sgg).max(0.0) } else { 0.0 };
    }
    if top < 0.0 {
        top = 0.0;
        base = (sy / n).max(0.0);
    }
    let sse = g
        .iter()
        .zip(y)
        .map(|(&gi, &yi)| (yi - base - top * gi).powi(2))
        .sum();
    (base, top, sse)
}

/// Nelder-Mead in `n` dimensions (Nelder & Mead 1965, standard coefficients), from a
/// simplex of `start` and one step along each axis.
pub(crate) fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    step: &[f64],
    iterations: usize,
) -> (f64, Vec<f64>) {
    let d = start.len();
    let mut s: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..d {
        let mut p = start.to_vec();
        p[i] += step[i];
        s.push(p);
    }
    let mut v: Vec<f64> = s.iter().map(|p| f(p)).collect();
    let lerp = |a: &[f64], b: &[f64], t: f64| -> Vec<f64> {
        a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect()
    };
    for _ in 0..iterations {
        let mut idx: Vec<usize> = (0..=d).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        s = idx.iter().map(|&i| s[i].clone()).collect();
        v = idx.iter().map(|&i| v[i]).collect();
        let scale = v[0].abs().max(1e-300);
        let spread = s[1..]
            .iter()
            .flat_map(|p| p.iter().zip(&s[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (v[d] - v[0]).abs() <= 1e-15 * scale && spread < 1e-12 {
            break;
        }
        let mut c = vec![0.0; d];
        for p in &s[..d] {
            for (ci, pi) in c.iter_mut().zip(p) {
                *ci += pi / d as f64;
            }
        }
        let r = lerp(&c, &s[d], -1.0);
        let fr = f(&r);
        if fr < v[0] {
            let e = lerp(&c, &s[d], -2.0);
            let fe = f(&e);
            if fe < fr {
                s[d] = e;
                v[d] = fe;
            } else {
                s[d] = r;
                v[d] = fr;
            }
        } else if fr < v[d - 1] {
            s[d] = r;
            v[d] = fr;
        } else {
            let k = if fr < v[d] {
                lerp(&c, &r, 0.5)
            } else {
                lerp(&c, &s[d], 0.5)
            };
            let fk = f(&k);
            if fk < v[d].min(fr) {
                s[d] = k;
                v[d] = fk;
            } else {
                for i in 1..=d {
                    s[i] = lerp(&s[0].clone(), &s[i], 0.5);
                    v[i] = f(&s[i]);
                }
            }
        }
    }
    let b = (0..=d).fold(0, |b, i| if v[i] < v[b] { i } else { b });
    (v[b], s[b].clone())
}

/// Fits the adstock + Hill model with a baseline to a daily `spend` and `outcome`
/// series (same length, in day order, no missing day). `locate(i)` names day `i` in
/// messages.
///
/// Errors: series of different lengths; fewer than 8 days (5 parameters and some
/// left to judge the fit); a negative or non-finite value; fewer than 3 distinct
/// positive spends; an outcome that never varies; no positive response to spend.
pub fn fit_adstock(
    spend: &[f64],
    outcome: &[f64],
    locate: &dyn Fn(usize) -> String,
) -> Result<AdstockFit, BudgetError> {
    if spend.len() != outcome.len() {
        return Err(BudgetError::BadFitData(format!(
            "spend has {} days but outcome has {}",
            spend.len(),
            outcome.len()
        )));
    }
    let n = spend.len();
    if n < 8 {
        return Err(BudgetError::BadFitData(format!(
            "an adstock fit has 5 parameters (base, top, decay, half, shape), so it needs at least 8 days, got {n}"
        )));
    }
    for (i, (&x, &y)) in spend.iter().zip(outcome).enumerate() {
        for (what, v) in [("spend", x), ("outcome", y)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(BudgetError::BadFitData(format!(
                    "{}: {what} must be a number >= 0, got {v}",
                    locate(i)
                )));
            }
        }
    }
    let mut distinct: Vec<f64> = spend.iter().copied().filter(|&x| x > 0.0).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(BudgetError::BadFitData(format!(
            "the spend takes {} distinct positive values: at least 3 are needed to see a curve",
            distinct.len()
        )));
    }
    let (ymin, ymax) = outcome
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    if ymax == ymin {
        return Err(BudgetError::BadFitData(format!(
            "the outcome is {ymin} every day: there is no response to fit"
        )));
    }
    // Half is searched between a hundredth of the smallest positive spend and a
    // hundred times the largest carried spend; shape in [0.1, 20].
    let carried_max = adstock_geometric(spend, MAX_DECAY)
        .into_iter()
        .fold(0.0, f64::max);
    let (lh_lo, lh_hi) = ((distinct[0] / 100.0).ln(), (carried_max * 100.0).ln());
    let (ls_lo, ls_hi) = (0.1f64.ln(), 20.0f64.ln());
    let clamp = |p: &[f64]| {
        [
            p[0].clamp(0.0, MAX_DECAY),
            p[1].clamp(lh_lo, lh_hi),
            p[2].clamp(ls_lo, ls_hi),
        ]
    };
    let objective = |p: &[f64]| {
        let q = clamp(p);
        profile(spend, outcome, q[0], q[1].exp(), q[2].exp()).2
    };
    let (gd, gh, gs) = (12usize, 24usize, 12usize);
    let mut starts: Vec<(f64, [f64; 3])> = Vec::with_capacity(gd * gh * gs);
    for i in 0..gd {
        let d = MAX_DECAY * i as f64 / (gd - 1) as f64;
        for j in 0..gh {
            let lh = lh_lo + (lh_hi - lh_lo) * j as f64 / (gh - 1) as f64;
            for k in 0..gs {
                let ls = ls_lo + (ls_hi - ls_lo) * k as f64 / (gs - 1) as f64;
                let p = [d, lh, ls];
                starts.push((objective(&p), p));
            }
        }
    }
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let step = [
        MAX_DECAY / (gd - 1) as f64,
        (lh_hi - lh_lo) / (gh - 1) as f64,
        (ls_hi - ls_lo) / (gs - 1) as f64,
    ];
    let mut best = (f64::INFINITY, vec![0.0; 3]);
    for (_, start) in starts.iter().take(6) {
        let mut p = start.to_vec();
        let mut scale = step;
        for _ in 0..8 {
            let (v, q) = nelder_mead(&objective, &p, &scale, 2000);
            p = q;
            if v < best.0 {
                best = (v, p.clone());
            }
            scale = scale.map(|s| s / 4.0);
        }
    }
    let q = clamp(&best.1);
    let (decay, half, shape) = (q[0], q[1].exp(), q[2].exp());
    let (base, top, sse) = profile(spend, outcome, decay, half, shape);
    if top.is_nan() || top <= 0.0 {
        return Err(BudgetError::BadFitData(
            "the outcome shows no positive response to spend: an adstock curve cannot be fitted"
                .into(),
        ));
    }
    let carry = adstock_geometric(spend, decay);
    let fitted: Vec<f64> = carry
        .iter()
        .map(|&a| base + top * hill_share(a, half, shape))
        .collect();
    let mean = outcome.iter().sum::<f64>() / n as f64;
    let sst: f64 = outcome.iter().map(|y| (y - mean).powi(2)).sum();
    Ok(AdstockFit {
        base,
        top,
        decay,
        half,
        shape,
        n,
        sse,
        r2: 1.0 - sse / sst,
        rmse: (sse / n as f64).sqrt(),
        carry,
        fitted,
        spend: spend.to_vec(),
        outcome: outcome.to_vec(),
        dates: None,
    })
}

/// Reads the daily series of a table and fits it ([`fit_adstock`]): `spend` and
/// `outcome` name the columns; `date`, when given, names a date column that must run
/// one day at a time without gaps (the carryover is daily), else the rows are taken in
/// order. Bad cells name the file, line and column.
pub fn fit_adstock_table(
    table: &Table,
    spend: &str,
    outcome: &str,
    date: Option<&str>,
) -> Result<AdstockFit, BudgetError> {
    let read = |name: &str, what: &str| -> Result<Vec<f64>, BudgetError> {
        let c = table.column(name)?;
        (0..table.n_rows())
            .map(|r| {
                c.f64_at(r)
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| table.bad_cell(r, name, what, "").into())
            })
            .collect()
    };
    let xs = read(spend, "a spend (number >= 0)")?;
    let ys = read(outcome, "an outcome (number >= 0)")?;
    let dates = match date {
        None => None,
        Some(d) => {
            let c = table.column(d)?;
            let mut out: Vec<NaiveDate> = Vec::with_capacity(table.n_rows());
            for r in 0..table.n_rows() {
                let day = c
                    .date_at(r)
                    .ok_or_else(|| table.bad_cell(r, d, "a date written YYYY-MM-DD", ""))?;
                if let Some(prev) = out.last() {
                    if day != *prev + chrono::Days::new(1) {
                        return Err(table
                            .bad_cell(
                                r,
                                d,
                                &format!("the day after {prev}"),
                                "; the carryover is daily: one row per day, in order, no day missing (a day without spend has spend 0)",
                            )
                            .into());
                    }
                }
                out.push(day);
            }
            Some(out)
        }
    };
    let fit = fit_adstock(&xs, &ys, &|i| table.cell_ref(i, spend).to_string())?;
    Ok(AdstockFit { dates, ..fit })
}

impl AdstockFit {
    /// The days as a table: `date` (when given) or `day` (1, 2, ...), `spend`,
    /// `carry`, `outcome`, `fitted`, `base` and `media` (`fitted - base`).
    pub fn table(&self) -> Result<Table, BudgetError> {
        let f = |v: Vec<f64>| Column::float(v.into_iter().map(Some).collect());
        let first = match &self.dates {
            Some(d) => (
                "date".to_string(),
                Column::date(d.iter().copied().map(Some).collect()),
            ),
            None => (
                "day".to_string(),
                Column::int((1..=self.n as i64).map(Some).collect()),
            ),
        };
        Ok(Table::new(
            "<adstock>",
            vec![
                first,
                ("spend".into(), f(self.spend.clone()).with_kind(Kind::Money)),
                ("carry".into(), f(self.carry.clone()).with_kind(Kind::Money)),
                ("outcome".into(), f(self.outcome.clone())),
                ("fitted".into(), f(self.fitted.clone())),
                ("base".into(), f(vec![self.base; self.n])),
                (
                    "media".into(),
                    f(self.fitted.iter().map(|v| v - self.base).collect()),
                ),
            ],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_carryover_by_hand() {
        let a = adstock_geometric(&[100.0, 0.0, 0.0, 50.0], 0.5);
        assert_eq!(a, vec![100.0, 50.0, 25.0, 62.5]);
        assert_eq!(adstock_geometric(&[1.0, 2.0], 0.0), vec![1.0, 2.0]);
    }

    /// Against fixtures/budget/adstock_reference.json, made by
    /// fixtures/budget/gen_adstock.py (scipy.optimize.least_squares, trf, 60 starts)
    /// on fixtures/budget/adstock_daily.csv. Tolerances: the SSE is no worse than
    /// scipy's by more than 1e-9 relative; each parameter within 1e-6 relative (the two
    /// optimisers agree to about 1e-9); each
    /// fitted value within 1e-6 of the largest outcome.
    #[test]
    fn fit_matches_scipy_least_squares() -> Result<(), Box<dyn std::error::Error>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/budget/");
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
            "{dir}adstock_reference.json"
        ))?)?;
        let text = std::fs::read_to_string(format!("{dir}adstock_daily.csv"))?;
        let (mut spend, mut y) = (Vec::new(), Vec::new());
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            spend.push(f[1].parse::<f64>()?);
            y.push(f[2].parse::<f64>()?);
        }
        let fit = fit_adstock(&spend, &y, &|i| format!("day {}", i + 1))?;
        let want = |k: &str| doc["fit"][k].as_f64().unwrap_or(f64::NAN);
        let sse = doc["sse"].as_f64().ok_or("sse")?;
        assert!(
            fit.sse <= sse * (1.0 + 1e-9),
            "sse {} vs scipy {sse}",
            fit.sse
        );
        for (name, got) in [
            ("base", fit.base),
            ("top", fit.top),
            ("decay", fit.decay),
            ("half", fit.half),
            ("shape", fit.shape),
        ] {
            let w = want(name);
            assert!(
                (got - w).abs() <= 1e-6 * w.abs(),
                "{name}: {got} vs scipy {w}"
            );
        }
        let ymax = y.iter().copied().fold(0.0, f64::max);
        let fitted = doc["fitted"].as_array().ok_or("fitted")?;
        assert_eq!(fitted.len(), fit.fitted.len());
        for (g, w) in fit.fitted.iter().zip(fitted) {
            let w = w.as_f64().ok_or("fitted value")?;
            assert!((g - w).abs() <= 1e-6 * ymax, "{g} vs {w}");
        }
        assert!((fit.r2 - doc["r2"].as_f64().ok_or("r2")?).abs() < 1e-9);
        // The true decay 0.6 and shape 1.8 are recovered to within the noise.
        assert!((fit.decay - 0.6).abs() < 0.05 && (fit.shape - 1.8).abs() < 0.3);
        Ok(())
    }

    /// Exact data (no noise) give back the parameters that made them; the steady-state
    /// curve of a sustained spend is the carried Hill curve.
    #[test]
    fn exact_data_are_recovered() -> Result<(), BudgetError> {
        let spend: Vec<f64> = (0..60)
            .map(|i| {
                if i % 7 == 3 {
                    0.0
                } else {
                    1000.0 + 450.0 * ((i * 37) % 11) as f64
                }
            })
            .collect();
        let carry = adstock_geometric(&spend, 0.4);
        let y: Vec<f64> = carry
            .iter()
            .map(|&a| 200.0 + 900.0 * hill_share(a, 3000.0, 2.2))
            .collect();
        let fit = fit_adstock(&spend, &y, &|i| format!("day {}", i + 1))?;
        for (got, want) in [
            (fit.base, 200.0),
            (fit.top, 900.0),
            (fit.decay, 0.4),
            (fit.half, 3000.0),
            (fit.shape, 2.2),
        ] {
            assert!((got - want).abs() < 1e-5 * want, "{got} vs {want}");
        }
        let steady = fit.steady_curve()?;
        let x = 2000.0;
        let want = 900.0 * hill_share(x / (1.0 - fit.decay), fit.half, fit.shape);
        assert!((steady.eval(x)? - want).abs() < 1e-9 * want);
        assert!((fit.half_life().unwrap_or(0.0) - 0.5f64.ln() / 0.4f64.ln()).abs() < 1e-4);
        Ok(())
    }

    #[test]
    fn bad_series_are_named() {
        let err = |s: &[f64], y: &[f64]| match fit_adstock(s, y, &|i| format!("day {}", i + 1)) {
            Err(e) => e.to_string(),
            Ok(_) => "no error".to_string(),
        };
        let ok: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!(err(&ok, &ok[..9]).contains("10 days but outcome has 9"));
        assert!(err(&ok[..5], &ok[..5]).contains("at least 8 days"));
        let mut bad = ok.clone();
        bad[3] = -1.0;
        assert!(err(&bad, &ok).contains("day 4: spend must be a number >= 0"));
        assert!(err(&[0.0, 0.0, 5.0, 5.0, 0.0, 5.0, 6.0, 6.0], &ok[..8]).contains("2 distinct"));
        assert!(err(&ok, &[3.0; 10]).contains("is 3 every day"));
        let falling: Vec<f64> = ok.iter().map(|x| 100.0 - x).collect();
        assert!(err(&ok, &falling).contains("no positive response"));
    }
}
