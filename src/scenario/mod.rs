//! The scenario domain: what-ifs over models (issue 6; domain.md section 8: "what if
//! CTR is 2.5%?", "what conversion do we need to hit 1M?").
//!
//! Files: [`sweep`] (grid and zipped points), [`goal_seek`] (Brent's method),
//! [`distribution`] (checked distributions, fast beta sampling), [`monte_carlo`]
//! (seeded chunked trials, summary, percentiles, histogram), [`model`] (native funnel
//! and response-curve models with fixed or uncertain inputs), [`tornado`]
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
//! | `d.normal(m, sd)` ... and `dist_normal(m, sd)` ... | [`Dist`] |
//! | `tornado(model, #{ input: [lo, hi] })`, `tornado(base, ranges, \|p\| ..)` | [`Model::tornado`], [`tornado()`](tornado::tornado) |
//! | `scenarios(table, model)`, `scenarios(table, \|p\| ..)` | [`scenarios::compare`] |

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
