//! The scripting layer: one engine builder with limits and a sandbox, conversions
//! between Rhai values and domain types, and one API module per domain under `api/`.
//!
//! This layer never prints: `print` output goes to the [`Output`] sink the caller gives.

pub mod api;
mod calls;
mod convert;
mod engine;
mod error;
mod options;
mod sandbox;

pub use calls::Calls;
pub use convert::{dynamic_to_value, num, table_from_dynamic, value_to_dynamic};
pub use engine::{
    build_engine, context, note, write_output, EngineConfig, Limits, Output, RunContext, Stop,
};
pub use error::{script_error, ScriptError};
pub use options::Options;
pub use sandbox::{write_atomic as sandbox_write_atomic, Sandbox, SandboxError};
