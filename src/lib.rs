//! pacer: a scriptable planning engine for marketing campaigns.
//!
//! Domain modules (plain Rust) hold the formulas; `script` registers them with Rhai;
//! `cli` is the command line (the default-on `cli` feature). Each arrow goes one way: no domain module names the
//! script layer or the CLI.

// Errors carry the file, line, column and the offending text so that they can be
// rendered once at the edge; they are returned rarely, so their size is not a concern.
#![allow(clippy::result_large_err)]

pub mod abtest;
pub mod budget;
#[cfg(feature = "cli")]
pub mod cli;
pub mod events;
pub mod funnel;
pub mod mem;
pub mod render;
pub mod review;
pub mod scenario;
pub mod script;
pub mod sop;
pub mod suggest;
pub mod table;
pub mod units;
pub mod warehouse;
