//! The budget domain: media cost models, return ratios, response curves with
//! diminishing returns, optimal allocation across channels with an elastic reserve,
//! and plan-versus-actual pacing (docs/handbook.md, budget).
//!
//! Files: [`cost`] (CPM/CPC/CPA, ROI, ROAS, CAC, break-even), [`response`] (Hill and
//! capped linear curves, least-squares fits, curve charts), [`adstock`] (carryover and
//! saturation fitted together with a baseline from daily spend and outcome), [`allocate`] (global
//! optimum by dynamic programming plus KKT refinement, `min_budget`, `budget_curve`),
//! [`flighting`] (the split across channels and periods with carryover),
//! [`pacing`] (plan by item and day/week against the spend to date), [`plot`] (SVG).
//!
//! Media sizing from a visitor target (`media`) lives in `crate::funnel::media`.
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `hill(top, half, shape)` | [`Curve::hill`] |
//! | `linear(slope, cap)`, `linear(slope)` (no cap) | [`Curve::linear`] |
//! | `fit_curve(table, #{ spend, result, kind, concave })` | [`fit_curve_table`] (fields `curve, r2, rmse, n` from [`Fit`]) |
//! | `fit_curves(table, #{ by, spend, result, kind, concave })` | [`fit_curves_by`] |
//! | `fit_adstock(table, #{ spend, outcome, date, carryover })` | [`fit_adstock_table`] ([`AdstockFit`]: `base, top, decay, half, shape, carryover, lag_shape, lag_scale, r2, rmse, half_life, table`; `curve` from [`AdstockFit::steady_curve`]) |
//! | `curve.value(x)` | [`Curve::eval`] |
//! | `curve.marginal(x)` | [`Curve::marginal_at`] |
//! | `curve.concave`, `curve.inflection`, `curve.kind` | [`Curve::is_concave`], [`Curve::inflection`], [`Curve::kind`] |
//! | `curve_svg(curve, #{ name, points, max })` | [`curve_svg`] |
//! | `allocate(total, channels, #{ reserve, grid })` | [`allocate()`](allocate::allocate) ([`Allocation`]: `result, reserve, reserve_result, allocated, total, table`; `svg` from [`allocation_svg`]) |
//! | `allocate_flighting(total, channels, #{ periods, tail, seasonality, period_min, period_max, reserve })` | [`allocate_flighting()`](flighting::allocate_flighting) with [`FlightChannel::new`] ([`Flighting`]: `result, tail_result, marginal, held, total, reserve, allocated, reserve_result, table, by_period, by_channel`; `svg` from `render::flighting_svg`) |
//! | `min_budget(channels, target, #{ reserve })` | [`min_budget`] |
//! | `budget_curve(channels, totals)` | [`budget_curve`] ([`BudgetCurve::table`], [`BudgetCurve::svg`]) |
//! | `spend_for(volume, #{ cpm \| cpc \| cpa })` | [`spend_for_volume`] |
//! | `delivery(spend, #{ cpm \| cpc \| cpa, ctr, cvr })` | [`delivery`] |
//! | `roi(revenue, cost)` | [`roi`] |
//! | `roas(revenue, cost)` | [`roas`] |
//! | `cac(cost, customers)` | [`cac`] |
//! | `cost_per_order(cost, orders)` | [`cost_per_order`] |
//! | `break_even_cvr(cpc, order_value, margin)` | [`break_even_cvr`] |
//! | `break_even_cpm(ctr, cvr, order_value, margin)` | [`break_even_cpm`] |
//! | `break_even_cpc(cvr, order_value, margin)` | [`break_even_cpc`] |
//! | `break_even_roas(margin)` | [`break_even_roas`] |
//! | `ratio_text(x)` | `render::format_kind(x, Kind::Ratio)` |
//! | `pacing(plan, actual, #{ as_of, tolerance, by, start, end })` | [`pacing()`](pacing::pacing) with [`plan_from_table`], [`spend_from_table`] ([`PacingReport`]: `table`, `periods`, `total`, `flagged`) |
//!
//! A channel in a script is `#{ name: "wechat", curve: hill(...), min: 0.0, max: 1e6,
//! fixed: 20000, value: 120, min_roas: 3, max_cpa: 60 }`, converted with [`Channel::new`]
//! and [`Limits`]; `value` scales the curve ([`value_curve`]), `min_roas` and `max_cpa`
//! lower the maximum spend ([`max_spend_for_return`]). The script layer
//! passes its deadline in [`AllocateOptions::deadline`] so long allocations stop at
//! the run's time limit.

pub mod adstock;
pub mod allocate;
pub mod cost;
pub mod error;
pub mod flighting;
pub mod pacing;
pub mod response;
pub mod returns;

pub use adstock::{
    adstock_geometric, adstock_weibull, fit_adstock, fit_adstock_table, fit_adstock_weibull,
    AdstockFit, Carryover, Lag,
};
pub use allocate::{
    allocate, budget_curve, min_budget, AllocateOptions, Allocation, AllocationRow, Bound,
    BudgetCurve, Channel, Limits,
};
pub use cost::{
    break_even_cpc, break_even_cpm, break_even_cvr, break_even_roas, cac, cost_per_order, delivery,
    roas, roi, spend_for_volume, volume_for_spend, Delivery, DeliveryOptions, Pricing,
};
pub use error::BudgetError;
pub use flighting::{
    allocate_flighting, FlightChannel, FlightOptions, FlightRow, Flighting, MAX_PERIODS,
};
pub use pacing::{
    pacing, plan_from_table, spend_from_table, Flag, ItemPacing, PacingOptions, PacingReport,
    Period, PeriodPacing, PlanEntry, SpendEntry,
};
pub use response::{
    fit_curve, fit_curve_table, fit_curves_by, Curve, CurveKind, Fit, FitOptions, Hill, Linear,
};
pub use returns::{max_spend_for_return, value_curve};
