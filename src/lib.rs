//! pacer: a scriptable planning engine for marketing campaigns.
//!
//! Domain modules (plain Rust) hold the formulas; `script` registers them with Rhai;
//! `cli` is the command line. Each arrow goes one way: no domain module names the
//! script layer or the CLI.

pub mod suggest;
pub mod table;
pub mod units;
