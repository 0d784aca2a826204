//! The scripting layer: one engine builder with limits and a sandbox, conversions
//! between Rhai values and domain types, and one API module per domain under `api/`.
//!
//! This layer never prints: `print` output goes to the [`Output`] sink the caller gives.

pub mod api;
mod calls;
mod connections;
mod convert;
mod engine;
mod error;
pub mod lint;
mod options;
mod provenance;
pub mod reference;
mod sandbox;
mod session;

pub use calls::Calls;
pub use connections::{allow_file, Connections};
pub use convert::{
    describe_value, dynamic_to_value, num, table_from_dynamic, type_label, value_to_dynamic,
};
pub use engine::{
    build_engine, context, note, register_packages, write_output, EngineConfig, Limits, OpCount,
    Output, Params, RunContext, Stop,
};
pub use error::{script_error, ScriptError};
pub use options::Options;
pub use reference::{reference_json, reference_markdown};
pub use sandbox::{
    temp_writer as sandbox_temp_writer, write_atomic as sandbox_write_atomic, Sandbox, SandboxError,
};
pub use session::{Session, SessionConfig};
