//! Allocation of a budget across channels with diminishing (or S-shaped) returns.
//!
//! The problem: maximise `sum f_i(x_i)` subject to `sum x_i = B`, `lo_i <= x_i <= hi_i`,
//! where `B` is the total less the elastic reserve and each `f_i` is a nondecreasing
//! response curve. With S-shaped Hill curves the objective is not concave and local
//! methods (greedy marginal steps, SLSQP from one start) can stop at a local optimum;
//! the problem is the "sigmoidal programming" of Udell & Boyd (2013), NP-hard in general.
//!
//! Method:
//! 1. Dynamic programming over a grid of `grid` steps of the budget above the minimums
//!    (the classic resource-allocation DP, Bellman 1957, ch. 1): the exact optimum over
//!    the grid, whatever the curves' shapes, in `O(n * grid^2)`.
//! 2. Local refinement of the grid optimum in the continuous problem: a trust region of
//!    a few grid steps around it, inside which the Lagrangian `sum f_i(x_i) - lambda x_i`
//!    is maximised channel by channel and `lambda` is bisected until the spends add up
//!    (equal marginal returns on the channels whose bounds are slack: the KKT conditions).
//!    The region is recentred until no spend presses on its edge.
//!
//! The result is never worse than the grid optimum, and matches a multistart SLSQP
//! reference (`fixtures/budget/`) to better than 1e-6 relative on every recorded instance.

use super::error::num as format_float;
use super::error::{non_negative, BudgetError};
use super::response::{golden_min, Curve};
use crate::table::{Column, Table};
use std::time::Instant;

/// A channel: a name, its response curve and its spend limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    name: String,
    curve: Curve,
    limits: Limits,
}

/// Spend limits of a channel. `fixed` locks the spend (a commitment already made).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The minimum spend (default 0).
    pub min: f64,
    /// The maximum spend (default infinity).
    pub max: f64,
    /// A locked spend, overriding min and max when inside them.
    pub fixed: Option<f64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            min: 0.0,
            max: f64::INFINITY,
            fixed: None,
        }
    }
}

impl Channel {
    /// A channel with checked limits: `0 <= min <= max` (max may be infinite), and a
    /// fixed spend `>= 0` within `[min, max]`.
    pub fn new(name: &str, curve: Curve, limits: Limits) -> Result<Channel, BudgetError> {
        if name.trim().is_empty() {
            return Err(BudgetError::Invalid("a channel's name is empty".into()));
        }
        let min = non_negative(&format!("channel '{name}': min"), limits.min)?;
        if limits.max.is_nan() || limits.max < min {
            return Err(BudgetError::OutOfRange(crate::units::RangeError {
                what: format!("channel '{name}': max"),
                allowed: format!("at least its min ({})", format_float(min)),
                value: limits.max,
            }));
        }
        if let Some(f) = limits.fixed {
            non_negative(&format!("channel '{name}': fixed"), f)?;
            if f < min || f > limits.max {
                return Err(BudgetError::OutOfRange(crate::units::RangeError {
                    what: format!("channel '{name}': fixed"),
                    allowed: format!(
                        "within its min and max ({} to {})",
                        format_float(min),
                        format_float(limits.max)
                    ),
                    value: f,
                }));
            }
        }
        Ok(Channel {
            name: name.to_string(),
            curve,
            limits,
        })
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The channel's response curve.
    pub fn curve(&self) -> &Curve {
        &self.curve
    }

    /// The channel's limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The lowest allowed spend (the fixed spend when locked).
    pub fn lo(&self) -> f64 {
        self.limits.fixed.unwrap_or(self.limits.min)
    }

    /// The highest allowed spend (the fixed spend when locked).
    pub fn hi(&self) -> f64 {
        self.limits.fixed.unwrap_or(self.limits.max)
    }
}

/// Options for [`allocate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllocateOptions {
    /// The share of the total held back as an elastic reserve, in `[0, 1)` (default 0;
    /// the handbook holds back 20%).
    pub reserve: f64,
    /// Grid steps of the dynamic programme (default 1000, at least 10).
    pub grid: usize,
    /// When to give up (a script's time limit): past it, the solver returns
    /// [`BudgetError::Timeout`] instead of a result.
    pub deadline: Option<Instant>,
}

impl Default for AllocateOptions {
    fn default() -> Self {
        AllocateOptions {
            reserve: 0.0,
            grid: 1000,
            deadline: None,
        }
    }
}

/// Which limit holds a channel's spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Bound {
    /// Between its limits: its marginal return equals the other slack channels'.
    Slack,
    /// At its minimum.
    Min,
    /// At its maximum.
    Max,
    /// Locked by a fixed commitment.
    Fixed,
    /// At the knee of a capped linear curve (more spend returns nothing).
    Cap,
}

impl Bound {
    /// The word shown in tables: `""`, `min`, `max`, `fixed`, `cap`.
    pub fn word(self) -> &'static str {
        match self {
            Bound::Slack => "",
            Bound::Min => "min",
            Bound::Max => "max",
            Bound::Fixed => "fixed",
            Bound::Cap => "cap",
        }
    }
}

/// One channel's share of an allocation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AllocationRow {
    /// The channel.
    pub channel: String,
    /// Its spend.
    pub spend: f64,
    /// Its expected result at that spend.
    pub result: f64,
    /// Its marginal return at that spend.
    pub marginal: f64,
    /// Which limit, if any, holds it.
    pub bound: Bound,
}

/// An optimal split of a budget.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Allocation {
    /// The total budget asked for.
    pub total: f64,
    /// The amount held back (`total x reserve share`).
    pub reserve: f64,
    /// The amount allocated (`total - reserve`).
    pub allocated: f64,
    /// The total expected result of the allocated spend.
    pub result: f64,
    /// The extra result if the reserve were released and the whole total re-split
    /// optimally (capped at the channels' maximums).
    pub reserve_result: f64,
    /// One row per channel, in the order given.
    pub rows: Vec<AllocationRow>,
}

impl Allocation {
    /// The table `channel, spend, result, marginal, bound`.
    pub fn table(&self) -> Result<Table, BudgetError> {
        let col_f = |f: &dyn Fn(&AllocationRow) -> f64| {
            Column::float(self.rows.iter().map(|r| Some(f(r))).collect())
        };
        Ok(Table::new(
            "allocation",
            vec![
                (
                    "channel".into(),
                    Column::text(self.rows.iter().map(|r| Some(r.channel.clone())).collect()),
                ),
                ("spend".into(), col_f(&|r| r.spend)),
                ("result".into(), col_f(&|r| r.result)),
                ("marginal".into(), col_f(&|r| r.marginal)),
                (
                    "bound".into(),
                    Column::text(
                        self.rows
                            .iter()
                            .map(|r| Some(r.bound.word().to_string()))
                            .collect(),
                    ),
                ),
            ],
        )?)
    }
}

/// Splits `total` less the reserve across `channels` to maximise the total result.
///
/// Errors: no channels, repeated names, a reserve outside `[0, 1)`, a negative total,
/// and infeasible limits (minimums and fixed commitments above the amount to allocate,
/// or maximums below it), naming the channels and amounts at fault.
pub fn allocate(
    total: f64,
    channels: &[Channel],
    options: &AllocateOptions,
) -> Result<Allocation, BudgetError> {
    let allocated = check(total, channels, options)?;
    let x = solve(channels, allocated, options)?;
    let result = objective(channels, &x);
    // Releasing the reserve: the whole total, capped by the maximums, warm-started from
    // the allocation so that the extra result is never negative.
    let full = total.min(channels.iter().map(Channel::hi).sum::<f64>());
    let reserve_result = if full > allocated {
        let x_full = solve_warm(channels, full, options, &x)?;
        (objective(channels, &x_full) - result).max(0.0)
    } else {
        0.0
    };
    Ok(Allocation {
        total,
        reserve: total - allocated,
        allocated,
        result,
        reserve_result,
        rows: rows(channels, &x),
    })
}

/// The smallest total whose optimal allocation (after the reserve) reaches `target`,
/// found by bisection on the optimum (nondecreasing in the budget) to a relative
/// precision of 1e-9. Returns that allocation. Errors when the target exceeds what
/// the channels can return (their maximums, or their curves' saturation).
pub fn min_budget(
    channels: &[Channel],
    target: f64,
    options: &AllocateOptions,
) -> Result<Allocation, BudgetError> {
    let target = non_negative("min_budget: target", target)?;
    check_channels(channels, options)?;
    let keep = 1.0 - options.reserve;
    let lo_sum: f64 = channels.iter().map(Channel::lo).sum();
    let hi_sum: f64 = channels.iter().map(Channel::hi).sum();
    let opt = |b: f64| -> Result<f64, BudgetError> {
        let x = solve(channels, b, options)?;
        Ok(objective(channels, &x))
    };
    if opt(lo_sum)? >= target {
        return allocate(lo_sum / keep, channels, options);
    }
    let mut hi = if hi_sum.is_finite() {
        let best = opt(hi_sum)?;
        if best < target {
            return Err(BudgetError::Unreachable(format!(
                "the target {} is above the best result {} the channels reach at their maximums (spending {})",
                format_float(target),
                format_float(best),
                format_float(hi_sum)
            )));
        }
        hi_sum
    } else {
        let sup: f64 = channels
            .iter()
            .map(|c| {
                if c.hi().is_finite() {
                    c.curve.value(c.hi())
                } else {
                    c.curve.saturation()
                }
            })
            .sum();
        if target >= sup {
            return Err(BudgetError::Unreachable(format!(
                "the target {} is not below {}, the result the channels approach as spend grows without bound (their curves saturate)",
                format_float(target),
                format_float(sup)
            )));
        }
        let mut b = (lo_sum * 2.0).max(1.0);
        let mut doublings = 0;
        while opt(b)? < target {
            b *= 2.0;
            doublings += 1;
            if doublings > 200 {
                return Err(BudgetError::Unreachable(format!(
                    "no budget below {} reaches the target {}",
                    format_float(b),
                    format_float(target)
                )));
            }
        }
        b
    };
    // Safeguarded false position (the Illinois method, Dowell & Jarratt 1971) on
    // opt(b) - target, which is nondecreasing in b; a bisection step whenever the
    // bracket fails to halve.
    let (mut lo, mut f_lo) = (lo_sum, opt(lo_sum)? - target);
    let mut f_hi = opt(hi)? - target;
    let mut side = 0;
    for _ in 0..200 {
        let width = hi - lo;
        if width <= 1e-9 * hi.max(1e-300) {
            break;
        }
        let mut x = if f_hi > f_lo {
            (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        } else {
            0.5 * (lo + hi)
        };
        if x.is_nan() || x <= lo || x >= hi {
            x = 0.5 * (lo + hi);
        }
        let fx = opt(x)? - target;
        if fx >= 0.0 && fx <= 1e-12 * target {
            // The target is met to rounding: x is the smallest budget to precision.
            hi = x;
            break;
        }
        if fx >= 0.0 {
            hi = x;
            f_hi = fx;
            if side == 1 {
                f_lo *= 0.5;
            }
            side = 1;
        } else {
            lo = x;
            f_lo = fx;
            if side == -1 {
                f_hi *= 0.5;
            }
            side = -1;
        }
        if hi - lo > 0.5 * width {
            let mid = 0.5 * (lo + hi);
            let fm = opt(mid)? - target;
            if fm >= 0.0 {
                hi = mid;
                f_hi = fm;
            } else {
                lo = mid;
                f_lo = fm;
            }
            side = 0;
        }
    }
    allocate(hi / keep, channels, options)
}

/// The optimal result over several totals: one allocation per total, in the order given.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BudgetCurve {
    /// The allocations, one per total.
    pub allocations: Vec<Allocation>,
}

impl BudgetCurve {
    /// The table `total, allocated, result, marginal, <channel spends...>`, where
    /// `marginal` is the extra result per extra unit of allocated budget from the
    /// previous row (empty on the first row).
    pub fn table(&self) -> Result<Table, BudgetError> {
        let a = &self.allocations;
        let mut cols: Vec<(String, Column)> = vec![
            (
                "total".into(),
                Column::float(a.iter().map(|x| Some(x.total)).collect()),
            ),
            (
                "allocated".into(),
                Column::float(a.iter().map(|x| Some(x.allocated)).collect()),
            ),
            (
                "result".into(),
                Column::float(a.iter().map(|x| Some(x.result)).collect()),
            ),
            (
                "marginal".into(),
                Column::float(
                    (0..a.len())
                        .map(|i| {
                            (i > 0 && a[i].allocated != a[i - 1].allocated).then(|| {
                                (a[i].result - a[i - 1].result)
                                    / (a[i].allocated - a[i - 1].allocated)
                            })
                        })
                        .collect(),
                ),
            ),
        ];
        if let Some(first) = a.first() {
            for (j, row) in first.rows.iter().enumerate() {
                cols.push((
                    row.channel.clone(),
                    Column::float(a.iter().map(|x| x.rows.get(j).map(|r| r.spend)).collect()),
                ));
            }
        }
        Ok(Table::new("budget_curve", cols)?)
    }
}

/// Allocates each of `totals`; the results are warm-started in increasing order of
/// total, so the traced optimum never decreases as the budget grows.
pub fn budget_curve(
    channels: &[Channel],
    totals: &[f64],
    options: &AllocateOptions,
) -> Result<BudgetCurve, BudgetError> {
    if totals.is_empty() {
        return Err(BudgetError::Invalid(
            "budget_curve: give at least one total".into(),
        ));
    }
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[a].total_cmp(&totals[b]));
    let mut out: Vec<Option<Allocation>> = vec![None; totals.len()];
    let mut prev: Option<Vec<f64>> = None;
    for &i in &order {
        let mut a = allocate(totals[i], channels, options)?;
        if let Some(p) = &prev {
            let x_warm = warm_start(channels, a.allocated, options, p)?;
            if objective(channels, &x_warm) > a.result {
                a.result = objective(channels, &x_warm);
                a.rows = rows(channels, &x_warm);
            }
        }
        prev = Some(a.rows.iter().map(|r| r.spend).collect());
        out[i] = Some(a);
    }
    Ok(BudgetCurve {
        allocations: out.into_iter().flatten().collect(),
    })
}

fn check_channels(channels: &[Channel], options: &AllocateOptions) -> Result<(), BudgetError> {
    if channels.is_empty() {
        return Err(BudgetError::Invalid(
            "allocate: give at least one channel".into(),
        ));
    }
    for (i, c) in channels.iter().enumerate() {
        if channels[..i].iter().any(|d| d.name == c.name) {
            return Err(BudgetError::Invalid(format!(
                "allocate: the channel name '{}' appears twice",
                c.name
            )));
        }
    }
    super::error::reserve_share("allocate", options.reserve)?;
    if options.grid < 10 || options.grid > 100_000 {
        return Err(BudgetError::OutOfRange(crate::units::RangeError {
            what: "allocate: grid".into(),
            allowed: "between 10 and 100000 steps".into(),
            value: options.grid as f64,
        }));
    }
    Ok(())
}

/// Validates and returns the amount to allocate.
fn check(total: f64, channels: &[Channel], options: &AllocateOptions) -> Result<f64, BudgetError> {
    let total = non_negative("allocate: total", total)?;
    check_channels(channels, options)?;
    let allocated = total * (1.0 - options.reserve);
    let what = super::error::planned_text(total, allocated, options.reserve);
    let lo_sum: f64 = channels.iter().map(Channel::lo).sum();
    let tol = 1e-9 * allocated.max(1.0);
    if lo_sum > allocated + tol {
        let parts: Vec<String> = channels
            .iter()
            .filter(|c| c.lo() > 0.0)
            .map(|c| match c.limits.fixed {
                Some(f) => format!("{} fixed {}", c.name, format_float(f)),
                None => format!("{} min {}", c.name, format_float(c.limits.min)),
            })
            .collect();
        return Err(BudgetError::Infeasible(format!(
            "minimums and fixed commitments add up to {} ({}), above {}",
            format_float(lo_sum),
            parts.join(", "),
            what
        )));
    }
    let hi_sum: f64 = channels.iter().map(Channel::hi).sum();
    if hi_sum < allocated - tol {
        let parts: Vec<String> = channels
            .iter()
            .map(|c| match c.limits.fixed {
                Some(f) => format!("{} fixed {}", c.name, format_float(f)),
                None => format!("{} max {}", c.name, format_float(c.limits.max)),
            })
            .collect();
        return Err(BudgetError::Infeasible(format!(
            "maximums and fixed commitments add up to {} ({}), below {}: raise a maximum, lower the total or raise the reserve",
            format_float(hi_sum),
            parts.join(", "),
            what
        )));
    }
    Ok(allocated)
}

fn objective(channels: &[Channel], x: &[f64]) -> f64 {
    channels.iter().zip(x).map(|(c, &v)| c.curve.value(v)).sum()
}

fn rows(channels: &[Channel], x: &[f64]) -> Vec<AllocationRow> {
    channels
        .iter()
        .zip(x)
        .map(|(c, &v)| {
            let tol = 1e-9 * v.abs().max(1.0);
            let bound = if c.limits.fixed.is_some() {
                Bound::Fixed
            } else if (v - c.lo()).abs() <= tol {
                Bound::Min
            } else if (v - c.hi()).abs() <= tol {
                Bound::Max
            } else if let Curve::Linear(l) = c.curve {
                if l.slope() > 0.0 && (v - l.cap() / l.slope()).abs() <= tol {
                    Bound::Cap
                } else {
                    Bound::Slack
                }
            } else {
                Bound::Slack
            };
            AllocationRow {
                channel: c.name.clone(),
                spend: v,
                result: c.curve.value(v),
                marginal: c.curve.marginal(v),
                bound,
            }
        })
        .collect()
}

/// The global optimum for budget `b` (assumed feasible): DP over the grid, then refine.
pub(crate) fn solve(
    channels: &[Channel],
    b: f64,
    options: &AllocateOptions,
) -> Result<Vec<f64>, BudgetError> {
    let grid = options.grid;
    let lo: Vec<f64> = channels.iter().map(Channel::lo).collect();
    let hi: Vec<f64> = channels.iter().map(Channel::hi).collect();
    let rest = (b - lo.iter().sum::<f64>()).max(0.0);
    if rest <= 0.0 {
        return Ok(lo);
    }
    let h = rest / grid as f64;
    let n = channels.len();
    // best[j]: the best value using j grid steps over the channels seen so far.
    let mut best = vec![f64::NEG_INFINITY; grid + 1];
    best[0] = 0.0;
    let mut choice: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut values: Vec<f64> = Vec::with_capacity(grid + 1);
    let mut next = vec![f64::NEG_INFINITY; grid + 1];
    for (i, c) in channels.iter().enumerate() {
        let room = (hi[i] - lo[i]).min(rest);
        let kmax = ((room / h) * (1.0 + 1e-12)).floor().min(grid as f64) as usize;
        values.clear();
        values.extend((0..=kmax).map(|k| c.curve.value(lo[i] + k as f64 * h)));
        let mut ch = vec![0u32; grid + 1];
        for j in 0..=grid {
            if j % 256 == 0 {
                check_deadline(options.deadline)?;
            }
            let mut bv = f64::NEG_INFINITY;
            let mut bk = 0usize;
            let top = kmax.min(j);
            for (k, &v) in values.iter().enumerate().take(top + 1) {
                let cand = best[j - k] + v;
                if cand > bv {
                    bv = cand;
                    bk = k;
                }
            }
            next[j] = bv;
            ch[j] = bk as u32;
        }
        std::mem::swap(&mut best, &mut next);
        choice.push(ch);
    }
    let mut j = 0;
    for (jj, &v) in best.iter().enumerate() {
        if v > best[j] {
            j = jj;
        }
    }
    let mut x = lo.clone();
    for i in (0..n).rev() {
        let k = choice[i][j] as usize;
        x[i] = lo[i] + k as f64 * h;
        j -= k;
    }
    for i in 0..n {
        x[i] = x[i].clamp(lo[i], hi[i]);
    }
    let x0 = fill(channels, &x, b);
    let x1 = refine(channels, &x0, b, 2.0 * h, options.deadline)?;
    Ok(if objective(channels, &x1) >= objective(channels, &x0) {
        x1
    } else {
        x0
    })
}

/// The timeout error once `deadline` has passed.
fn check_deadline(deadline: Option<Instant>) -> Result<(), BudgetError> {
    super::error::check_deadline(deadline, "the allocation", "lower the grid")
}

/// The better of a fresh solve and a warm start from `prev` (a feasible allocation of
/// a smaller budget) topped up to `b` and refined.
fn solve_warm(
    channels: &[Channel],
    b: f64,
    options: &AllocateOptions,
    prev: &[f64],
) -> Result<Vec<f64>, BudgetError> {
    let fresh = solve(channels, b, options)?;
    let warm = warm_start(channels, b, options, prev)?;
    Ok(
        if objective(channels, &warm) > objective(channels, &fresh) {
            warm
        } else {
            fresh
        },
    )
}

/// A feasible allocation `prev` of a smaller budget, topped up to `b` and refined.
fn warm_start(
    channels: &[Channel],
    b: f64,
    options: &AllocateOptions,
    prev: &[f64],
) -> Result<Vec<f64>, BudgetError> {
    let warm0 = fill(channels, prev, b);
    let rest = (b - channels.iter().map(Channel::lo).sum::<f64>()).max(0.0);
    let warm = refine(
        channels,
        &warm0,
        b,
        2.0 * rest / options.grid as f64,
        options.deadline,
    )?;
    Ok(
        if objective(channels, &warm) >= objective(channels, &warm0) {
            warm
        } else {
            warm0
        },
    )
}

/// Tops `x` up to the budget `b`: the missing amount goes in small slices to the
/// channel with the best gain per slice that has room. Curves are nondecreasing, so
/// this never lowers the result. Also trims rounding excess.
fn fill(channels: &[Channel], x: &[f64], b: f64) -> Vec<f64> {
    let mut x = x.to_vec();
    let hi: Vec<f64> = channels.iter().map(Channel::hi).collect();
    let lo: Vec<f64> = channels.iter().map(Channel::lo).collect();
    let mut missing = b - x.iter().sum::<f64>();
    let slices = 64;
    let slice = missing / slices as f64;
    if missing > 0.0 {
        for _ in 0..slices {
            if missing <= 0.0 {
                break;
            }
            let amount = slice.min(missing);
            let mut bi = None;
            let mut bg = f64::NEG_INFINITY;
            for (i, c) in channels.iter().enumerate() {
                let room = hi[i] - x[i];
                if room <= 0.0 {
                    continue;
                }
                let a = amount.min(room);
                let gain = (c.curve.value(x[i] + a) - c.curve.value(x[i])) / a;
                if gain > bg {
                    bg = gain;
                    bi = Some(i);
                }
            }
            let Some(i) = bi else { break };
            let a = amount.min(hi[i] - x[i]);
            x[i] += a;
            missing -= a;
        }
        // Whatever is left (channels full at the slice size): anywhere with room.
        for i in 0..x.len() {
            if missing <= 0.0 {
                break;
            }
            let a = missing.min(hi[i] - x[i]).max(0.0);
            x[i] += a;
            missing -= a;
        }
    } else if missing < 0.0 {
        for i in 0..x.len() {
            if missing >= 0.0 {
                break;
            }
            let a = (-missing).min(x[i] - lo[i]).max(0.0);
            x[i] -= a;
            missing += a;
        }
    }
    x
}

/// The maximiser of `f(x) - lambda x` on `[a, b]`: a scan of 9 points, then a
/// golden-section search around the best one.
fn argmax_lagrangian(c: &Curve, lambda: f64, a: f64, b: f64) -> f64 {
    if b <= a {
        return a;
    }
    let g = |x: f64| -(c.value(x) - lambda * x);
    let m = 8;
    let mut bj: usize = 0;
    let mut bv = f64::INFINITY;
    for j in 0..=m {
        let x = a + (b - a) * j as f64 / m as f64;
        let v = g(x);
        if v < bv {
            bv = v;
            bj = j;
        }
    }
    let left = a + (b - a) * bj.saturating_sub(1) as f64 / m as f64;
    let right = a + (b - a) * (bj + 1).min(m) as f64 / m as f64;
    let xg = golden_min(&g, left, right, 80);
    let xb = a + (b - a) * bj as f64 / m as f64;
    if g(xg) <= bv {
        xg
    } else {
        xb
    }
}

/// Local refinement in a trust region of half-width `w` around `x` (which sums to `b`).
fn refine(
    channels: &[Channel],
    x: &[f64],
    b: f64,
    w: f64,
    deadline: Option<Instant>,
) -> Result<Vec<f64>, BudgetError> {
    let n = channels.len();
    let lo: Vec<f64> = channels.iter().map(Channel::lo).collect();
    let hi: Vec<f64> = channels.iter().map(Channel::hi).collect();
    let mut x = x.to_vec();
    let mut val = objective(channels, &x);
    let mut w = w.max(1e-12 * b.max(1.0));
    for _round in 0..40 {
        check_deadline(deadline)?;
        let a: Vec<f64> = (0..n).map(|i| (x[i] - w).max(lo[i])).collect();
        let z: Vec<f64> = (0..n).map(|i| (x[i] + w).min(hi[i])).collect();
        let at = |lambda: f64| -> Vec<f64> {
            (0..n)
                .map(|i| argmax_lagrangian(&channels[i].curve, lambda, a[i], z[i]))
                .collect()
        };
        // lambda = 0 spends as much as possible; lambda above every slope in the
        // region spends as little as possible.
        let mut l_hi: f64 = 0.0;
        for i in 0..n {
            let c = &channels[i].curve;
            for j in 0..=8 {
                let t = a[i] + (z[i] - a[i]) * j as f64 / 8.0;
                let m = c.marginal(t);
                if m.is_finite() {
                    l_hi = l_hi.max(m);
                }
            }
            if z[i] > a[i] {
                l_hi = l_hi.max((c.value(z[i]) - c.value(a[i])) / (z[i] - a[i]));
            }
        }
        l_hi = l_hi * 2.0 + 1e-300;
        let mut l_lo = 0.0;
        let mut x_lo = z.clone(); // lambda = 0: every channel at the top of its region
        let mut x_hi = at(l_hi); // sum <= b
        if x_lo.iter().sum::<f64>() < b || x_hi.iter().sum::<f64>() > b {
            // The region cannot hold the budget: widen it.
            w *= 2.0;
            continue;
        }
        for _ in 0..100 {
            let mid = 0.5 * (l_lo + l_hi);
            if mid <= l_lo || mid >= l_hi {
                break;
            }
            let xm = at(mid);
            if xm.iter().sum::<f64>() >= b {
                l_lo = mid;
                x_lo = xm;
            } else {
                l_hi = mid;
                x_hi = xm;
            }
        }
        // Start from the spends at the higher lambda (sum <= b) and move channels toward
        // their spends at the lower lambda until the budget is met.
        let mut y = x_hi.clone();
        let mut missing = b - y.iter().sum::<f64>();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&p, &q| {
            let gp = channels[p].curve.marginal(y[p]);
            let gq = channels[q].curve.marginal(y[q]);
            gq.total_cmp(&gp)
        });
        for &i in &order {
            if missing <= 0.0 {
                break;
            }
            let step = (x_lo[i] - y[i]).max(0.0).min(missing);
            y[i] += step;
            missing -= step;
        }
        let y = fill(channels, &y, b);
        let yv = objective(channels, &y);
        if yv < val - 1e-15 * val.abs() {
            break;
        }
        let moved = (0..n).any(|i| (y[i] - x[i]).abs() > 1e-12 * w.max(1e-300));
        let on_edge = (0..n).any(|i| {
            let e = 1e-9 * w;
            ((y[i] - a[i]).abs() <= e && a[i] > lo[i]) || ((y[i] - z[i]).abs() <= e && z[i] < hi[i])
        });
        let gained = yv - val;
        x = y;
        val = yv;
        if !on_edge && (!moved || gained <= 1e-14 * val.abs()) {
            break;
        }
        if !on_edge {
            w *= 0.5;
        }
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hill(top: f64, half: f64, shape: f64) -> Curve {
        Curve::hill(top, half, shape).unwrap()
    }

    fn ch(name: &str, curve: Curve) -> Channel {
        Channel::new(name, curve, Limits::default()).unwrap()
    }

    fn channels_from_json(v: &serde_json::Value) -> Vec<Channel> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let curve = if c["kind"] == "hill" {
                    hill(
                        c["top"].as_f64().unwrap(),
                        c["half"].as_f64().unwrap(),
                        c["shape"].as_f64().unwrap(),
                    )
                } else {
                    Curve::linear(c["slope"].as_f64().unwrap(), c["cap"].as_f64().unwrap()).unwrap()
                };
                let limits = Limits {
                    min: c["min"].as_f64().unwrap(),
                    max: c["max"].as_f64().unwrap_or(f64::INFINITY),
                    fixed: c.get("fixed").and_then(|f| f.as_f64()),
                };
                Channel::new(c["name"].as_str().unwrap(), curve, limits).unwrap()
            })
            .collect()
    }

    /// The acceptance test: on 36 random instances (concave and S-shaped Hill curves,
    /// capped lines, bounds, fixed commitments, reserves), pacer's optimum is never
    /// worse than scipy SLSQP's best of 300 starts by more than 1e-6 relative.
    #[test]
    fn matches_or_beats_slsqp_reference() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/budget/allocation_reference.json"
        ))
        .unwrap();
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        let instances = data["instances"].as_array().unwrap();
        assert!(instances.len() >= 30);
        for inst in instances {
            let channels = channels_from_json(&inst["channels"]);
            let options = AllocateOptions {
                reserve: inst["reserve"].as_f64().unwrap(),
                ..AllocateOptions::default()
            };
            let a = allocate(inst["total"].as_f64().unwrap(), &channels, &options).unwrap();
            let reference = inst["reference_result"].as_f64().unwrap();
            let id = &inst["id"];
            assert!(
                a.result >= reference * (1.0 - 1e-6),
                "instance {id}: pacer {} < reference {reference}",
                a.result
            );
            let spent: f64 = a.rows.iter().map(|r| r.spend).sum();
            let b = inst["allocated"].as_f64().unwrap();
            assert!(
                (spent - b).abs() <= 1e-9 * b,
                "instance {id}: spent {spent} != {b}"
            );
        }
    }

    /// Two identical S-shaped channels and a budget that can lift only one past its
    /// inflection: the optimum puts (nearly) everything on one channel; an equal split
    /// (the stationary point a gradient method finds from a symmetric start) is worse.
    #[test]
    fn s_curves_need_the_global_optimum() {
        let c = hill(1000.0, 10_000.0, 3.0);
        let channels = vec![ch("a", c), ch("b", c)];
        let a = allocate(10_000.0, &channels, &AllocateOptions::default()).unwrap();
        let split = 2.0 * c.value(5_000.0);
        assert!(a.result > split * 1.5, "{} vs {split}", a.result);
        let big = a.rows.iter().map(|r| r.spend).fold(0.0, f64::max);
        assert!(big > 9_000.0, "{:?}", a.rows);
        // Brute force over a fine grid of splits.
        let best = (0..=100_000)
            .map(|k| {
                let x = 10_000.0 * k as f64 / 100_000.0;
                c.value(x) + c.value(10_000.0 - x)
            })
            .fold(0.0, f64::max);
        assert!(a.result >= best * (1.0 - 1e-9), "{} vs {best}", a.result);
    }

    /// Concave closed form: for Hill curves with shape 1, `f'(x) = top half / (half + x)^2`;
    /// with equal tops the KKT point equalises `(half_i + x_i)^2 / half_i`, so
    /// `half_i + x_i = sqrt(half_i) * t` with `t = (B + sum half) / sum sqrt(half)`.
    #[test]
    fn concave_closed_form_and_equal_marginals() {
        let halves = [1000.0, 4000.0, 9000.0];
        let channels: Vec<Channel> = halves
            .iter()
            .enumerate()
            .map(|(i, &h)| ch(&format!("c{i}"), hill(500.0, h, 1.0)))
            .collect();
        let b = 20_000.0;
        let a = allocate(b, &channels, &AllocateOptions::default()).unwrap();
        let t = (b + halves.iter().sum::<f64>()) / halves.iter().map(|h| h.sqrt()).sum::<f64>();
        for (r, &h) in a.rows.iter().zip(&halves) {
            let expected = h.sqrt() * t - h;
            assert!(
                (r.spend - expected).abs() < 1e-6 * b,
                "{} vs {expected}",
                r.spend
            );
            assert_eq!(r.bound, Bound::Slack);
        }
        let m0 = a.rows[0].marginal;
        for r in &a.rows {
            assert!((r.marginal - m0).abs() <= 1e-6 * m0);
        }
    }

    #[test]
    fn reserve_fixed_and_bounds() {
        let channels = vec![
            Channel::new("wechat", hill(3000.0, 20_000.0, 1.2), Limits::default()).unwrap(),
            Channel::new(
                "douyin",
                hill(4000.0, 30_000.0, 2.0),
                Limits {
                    fixed: Some(20_000.0),
                    ..Limits::default()
                },
            )
            .unwrap(),
            Channel::new(
                "search",
                Curve::linear(0.05, 1500.0).unwrap(),
                Limits {
                    min: 5_000.0,
                    max: 50_000.0,
                    fixed: None,
                },
            )
            .unwrap(),
        ];
        let options = AllocateOptions {
            reserve: 0.2,
            ..AllocateOptions::default()
        };
        let a = allocate(100_000.0, &channels, &options).unwrap();
        assert!((a.reserve - 20_000.0).abs() < 1e-9);
        assert!((a.allocated - 80_000.0).abs() < 1e-9);
        assert_eq!(a.rows[1].spend, 20_000.0);
        assert_eq!(a.rows[1].bound, Bound::Fixed);
        assert!(a.rows[2].spend >= 5_000.0);
        let sum: f64 = a.rows.iter().map(|r| r.spend).sum();
        assert!((sum - 80_000.0).abs() < 1e-6);
        assert!(a.reserve_result > 0.0);
        // Releasing the reserve equals allocating the whole total.
        let full = allocate(100_000.0, &channels, &AllocateOptions::default()).unwrap();
        assert!((a.result + a.reserve_result - full.result).abs() <= 1e-9 * full.result);
        let t = a.table().unwrap();
        assert_eq!(
            t.names(),
            ["channel", "spend", "result", "marginal", "bound"]
        );
    }

    #[test]
    fn infeasible_bounds_name_the_constraints() {
        let c = hill(1000.0, 5000.0, 1.0);
        let lim = |min: f64, max: f64| Limits {
            min,
            max,
            fixed: None,
        };
        let channels = vec![
            Channel::new("wechat", c, lim(30_000.0, 1e6)).unwrap(),
            Channel::new(
                "douyin",
                c,
                Limits {
                    fixed: Some(40_000.0),
                    ..Limits::default()
                },
            )
            .unwrap(),
        ];
        let e = allocate(60_000.0, &channels, &AllocateOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("wechat min 30000"), "{e}");
        assert!(e.contains("douyin fixed 40000"), "{e}");
        assert!(e.contains("above the total 60000"), "{e}");
        let channels = vec![
            Channel::new("a", c, lim(0.0, 10_000.0)).unwrap(),
            Channel::new("b", c, lim(0.0, 20_000.0)).unwrap(),
        ];
        let e = allocate(
            50_000.0,
            &channels,
            &AllocateOptions {
                reserve: 0.2,
                ..AllocateOptions::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("a max 10000, b max 20000"), "{e}");
        assert!(
            e.contains("below the 40000 to allocate (total 50000 less the 20.0% reserve)"),
            "{e}"
        );
        let e = Channel::new("x", c, lim(10.0, 5.0))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("channel 'x': max must be at least its min (10)"),
            "{e}"
        );
        let dup = vec![ch("a", c), ch("a", c)];
        assert!(allocate(1.0, &dup, &AllocateOptions::default()).is_err());
        assert!(allocate(
            1.0,
            &[ch("a", c)],
            &AllocateOptions {
                reserve: 1.0,
                ..AllocateOptions::default()
            }
        )
        .is_err());
    }

    #[test]
    fn min_budget_inverts_allocate() {
        let channels = vec![
            ch("a", hill(2000.0, 10_000.0, 1.0)),
            ch("b", hill(3000.0, 20_000.0, 2.0)),
        ];
        let target = 2500.0;
        let m = min_budget(&channels, target, &AllocateOptions::default()).unwrap();
        assert!(m.result >= target * (1.0 - 1e-9));
        let less = allocate(
            m.total * (1.0 - 1e-6),
            &channels,
            &AllocateOptions::default(),
        )
        .unwrap();
        assert!(less.result < target, "{} at {}", less.result, m.total);
        // With a reserve, the total grows by 1 / (1 - reserve).
        let r = min_budget(
            &channels,
            target,
            &AllocateOptions {
                reserve: 0.2,
                ..AllocateOptions::default()
            },
        )
        .unwrap();
        assert!((r.total * 0.8 - m.total).abs() <= 1e-6 * m.total);
        let e = min_budget(&channels, 5000.0, &AllocateOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("saturate"), "{e}");
    }

    /// One Hill curve of shape 1: `top x / (half + x) = target` gives
    /// `x = target half / (top - target)`: 2000 orders of a 4000 top, half 30000 need
    /// 30000, or a total of 37500 when 20% is held back.
    #[test]
    fn min_budget_closed_form() {
        let channels = vec![ch("wechat", hill(4000.0, 30_000.0, 1.0))];
        let m = min_budget(&channels, 2000.0, &AllocateOptions::default()).unwrap();
        assert!((m.total - 30_000.0).abs() <= 1e-6 * 30_000.0, "{}", m.total);
        let r = min_budget(
            &channels,
            2000.0,
            &AllocateOptions {
                reserve: 0.2,
                ..AllocateOptions::default()
            },
        )
        .unwrap();
        assert!((r.total - 37_500.0).abs() <= 1e-6 * 37_500.0, "{}", r.total);
    }

    #[test]
    fn budget_curve_is_monotone_and_tabulates() {
        let channels = vec![
            ch("a", hill(2000.0, 10_000.0, 2.5)),
            ch("b", hill(3000.0, 20_000.0, 1.5)),
            ch("c", Curve::linear(0.05, 800.0).unwrap()),
        ];
        let totals: Vec<f64> = (0..=20).map(|k| k as f64 * 5_000.0).collect();
        let bc = budget_curve(&channels, &totals, &AllocateOptions::default()).unwrap();
        for w in bc.allocations.windows(2) {
            assert!(w[1].result >= w[0].result);
        }
        let t = bc.table().unwrap();
        assert_eq!(t.n_rows(), 21);
        assert_eq!(
            t.names(),
            ["total", "allocated", "result", "marginal", "a", "b", "c"]
        );
    }

    fn arb_curve() -> impl Strategy<Value = Curve> {
        prop_oneof![
            (100.0..5000.0f64, 500.0..20_000.0f64, 0.5..3.5f64)
                .prop_map(|(t, h, s)| Curve::hill(t, h, s).unwrap()),
            (0.01..0.3f64, 100.0..3000.0f64).prop_map(|(a, c)| Curve::linear(a, c).unwrap()),
        ]
    }

    fn arb_channels() -> impl Strategy<Value = Vec<Channel>> {
        prop::collection::vec((arb_curve(), 0.0..2000.0f64, 0.0..30_000.0f64), 1..6).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (c, min, extra))| {
                    let max = if extra > 20_000.0 {
                        f64::INFINITY
                    } else {
                        min + extra
                    };
                    Channel::new(
                        &format!("c{i}"),
                        c,
                        Limits {
                            min,
                            max,
                            fixed: None,
                        },
                    )
                    .unwrap()
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Two S-shaped or concave channels: never below a brute-force scan of
        /// 200,001 splits (a lower bound on the true optimum).
        #[test]
        fn two_channels_match_brute_force(
            c1 in (100.0..5000.0f64, 500.0..20_000.0f64, 0.5..4.0f64),
            c2 in (100.0..5000.0f64, 500.0..20_000.0f64, 0.5..4.0f64),
            b in 100.0..60_000.0f64,
        ) {
            let f = hill(c1.0, c1.1, c1.2);
            let g = hill(c2.0, c2.1, c2.2);
            let a = allocate(b, &[ch("f", f), ch("g", g)], &AllocateOptions::default()).unwrap();
            let n = 200_000;
            let brute = (0..=n)
                .map(|k| {
                    let x = b * k as f64 / n as f64;
                    f.value(x) + g.value(b - x)
                })
                .fold(0.0, f64::max);
            prop_assert!(a.result >= brute * (1.0 - 1e-9), "{} < {brute}", a.result);
        }

        /// Sums to the budget less the reserve, respects bounds, and more budget
        /// never lowers the optimum.
        #[test]
        fn allocation_properties(
            channels in arb_channels(),
            share in 0.0..1.0f64,
            reserve in prop_oneof![Just(0.0), Just(0.2)],
            extra in 0.0..20_000.0f64,
        ) {
            let lo: f64 = channels.iter().map(Channel::lo).sum();
            let hi: f64 = channels.iter().map(Channel::hi).sum::<f64>().min(lo + 100_000.0);
            let b = lo + share * (hi - lo);
            let total = b / (1.0 - reserve);
            let opts = AllocateOptions { reserve, ..AllocateOptions::default() };
            let a = allocate(total, &channels, &opts).unwrap();
            let sum: f64 = a.rows.iter().map(|r| r.spend).sum();
            prop_assert!((sum - a.allocated).abs() <= 1e-9 * a.allocated.max(1.0));
            for (r, c) in a.rows.iter().zip(&channels) {
                prop_assert!(r.spend >= c.lo() && r.spend <= c.hi(), "{} outside bounds", r.spend);
            }
            let b2 = (b + extra).min(channels.iter().map(Channel::hi).sum::<f64>());
            let a2 = allocate(b2 / (1.0 - reserve), &channels, &opts).unwrap();
            prop_assert!(a2.result >= a.result * (1.0 - 1e-9), "{} < {}", a2.result, a.result);
        }
    }
}
