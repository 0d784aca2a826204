//! `pacer docs [NAME]`: the reference of every function and type scripts can use (the
//! content of docs/reference.md), or of one function or domain.

use super::error::{failed, CliResult, Exit};
use crate::script::reference::{
    function_markdown, function_names, reference_json, reference_markdown,
};
use std::io::Write;

/// Output format of `pacer docs`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DocFormat {
    /// Markdown (what docs/reference.md holds).
    Md,
    /// JSON, for tools.
    Json,
}

/// Prints the reference, or one name's.
pub fn docs(name: Option<&str>, format: DocFormat) -> CliResult {
    let text = match (name, format) {
        (None, DocFormat::Md) => reference_markdown(),
        (None, DocFormat::Json) => reference_json() + "\n",
        (Some(n), DocFormat::Md) => function_markdown(n).ok_or_else(|| unknown(n))?,
        (Some(n), DocFormat::Json) => {
            let all: serde_json::Value =
                serde_json::from_str(&reference_json()).unwrap_or_default();
            let found: Vec<serde_json::Value> = all
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|d| d["functions"].as_array().cloned().unwrap_or_default())
                .filter(|f| f["name"] == n)
                .collect();
            if found.is_empty() {
                return Err(unknown(n));
            }
            serde_json::to_string_pretty(&found).unwrap_or_default() + "\n"
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(failed(e.to_string())),
    }
}

fn unknown(name: &str) -> super::CliError {
    let hint = crate::suggest::closest(name, function_names().iter().map(String::as_str))
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default();
    failed(format!(
        "pacer docs: no function or domain named '{name}'{hint}"
    ))
}
