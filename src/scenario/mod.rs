//! The scenario domain: what-ifs over models (docs/handbook.md, what-ifs: "what if
//! CTR is 2.5%?", "what conversion do we need to hit 1M?").
//!
//! Files: [`sweep`] (grid and zipped points), [`goal_seek`](mod@goal_seek) (Brent's method),
//! [`distribution`] (checked distributions, fast beta sampling), [`monte_carlo`]
//! (seeded chunked trials, summary, percentiles, histogram), [`model`] (native funnel
//! and response-curve models with fixed or uncertain inputs), [`tornado`](mod@tornado)
//! (one-at-a-time sensitivity), [`scenarios`] (named scenarios side by side),
//! [`plot`] (SVG tornado and histogram).
//!
//! # Script functions and the Rust functions they map to
//!
//! | script | Rust |
//! |---|---|
//! | `sweep(#{ p: [..] }, \|p\| ..)`, `sweep([#{..}, ..], \|p\| ..)` | [`sweep::points`] |
//! | `sweep(model, #{ input: [..] })` | [`Model::sweep`] |
//! | `goal_seek(\|x\| .., target, lo, hi, #{ tol, max_iter })` | [`goal_seek()`](goal_seek::goal_seek) |
//! | `goal_seek(model, input, target, lo, hi)` | [`Model::seek`] |
//! | `required(model, input, target)` | [`Model::required`] |
//! | `simulate(n, #{ seed, threads }, \|d\| ..)` | [`monte_carlo::chunk_rng`], [`Summary`] |
//! | `simulate(n, #{ seed, threads }, model)` | [`Model::simulate`] |
//! | `d.normal(m, sd)`, `d.lognormal(mu, sigma)`, `d.beta(a, b)`, `d.beta_observed(x, n)`, `d.triangular(lo, mode, hi)`, `d.uniform(lo, hi)`, `d.poisson(lambda)`, `d.draw(dist)` | [`Dist::sample`] |
//! | `dist_normal`, `dist_lognormal`, `dist_beta`, `dist_beta_observed`, `dist_triangular`, `dist_uniform`, `dist_poisson`; `.mean`, `.quantile(p)` | [`Dist`], [`Dist::mean`], [`Dist::quantile`] |
//! | `funnel_model(stages, #{ entering, aov })`, `funnel_model(funnel, #{ entering, <stage>, aov })` | [`Model::funnel`], [`Model::from_funnel`] |
//! | `response_model(curve, #{ spend, value })` | [`Model::response`] |
//! | `m.set(input, value)`, `m.inputs`, `m.base` | [`Model::with_input`], [`Model::names`], [`Model::outputs`] |
//! | `s.mean`, `s.sd`, `s.se`, `s.p5`, `s.p50`, `s.p95`, `s.min`, `s.max`, `s.n`, `s.percentile(q)`, `s.prob_at_least(x)` | [`Summary`] |
//! | `s.histogram(bins)`, `s.histogram_svg(bins)` | [`Summary::histogram`], [`plot::histogram_svg`] |
//! | `t.table`, `t.svg`, `t.base` | [`Tornado::table`], [`plot::tornado_svg`] |
//! | `tornado(model, #{ input: [lo, hi] })`, `tornado(base, ranges, \|p\| ..)` | [`Model::tornado`], [`tornado()`](tornado::tornado) |
//! | `scenarios(table, model)`, `scenarios(table, \|p\| ..)` | [`scenarios::read`], [`scenarios::compare`] |

pub mod distribution;
pub mod error;
pub mod goal_seek;
pub mod model;
pub mod monte_carlo;
pub mod plot;
pub mod scenarios;
pub mod sweep;
pub mod tornado;

pub use distribution::Dist;
pub use error::{Failure, ScenarioError};
pub use goal_seek::{goal_seek, Seek, SeekOptions};
pub use model::{Input, Model};
pub use monte_carlo::{chunk_rng, run_parallel, SimOptions, Summary, CHUNK};
pub use sweep::{points, Combine};
pub use tornado::{tornado, Tornado, TornadoRow};

#[cfg(test)]
mod tests;
