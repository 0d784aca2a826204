//! The reference model: every function and type scripts can use, read from the
//! engine's own registration metadata and doc comments, so it cannot drift. `pacer
//! docs`, docs/reference.md, the REPL's `:help` and completion, `pacer check` and
//! did-you-mean suggestions all read it from here.

use super::api::domains;
use rhai::Engine;
use serde::Serialize;
use std::sync::OnceLock;

/// One documented function.
#[derive(Debug, Clone, Serialize)]
pub struct FnDoc {
    /// The name scripts call.
    pub name: String,
    /// How it is called: `function`, `method`, `property` or `index`.
    pub kind: &'static str,
    /// The signature as scripts write it.
    pub signature: String,
    /// The doc comment, as Markdown.
    pub doc: String,
}

/// One documented type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDoc {
    /// The type's name.
    pub name: String,
}

/// One domain's reference.
#[derive(Debug, Clone, Serialize)]
pub struct DomainDoc {
    /// The domain's name.
    pub name: String,
    /// What it is for.
    pub about: String,
    /// Its types.
    pub types: Vec<TypeDoc>,
    /// Its functions, sorted by name.
    pub functions: Vec<FnDoc>,
}

fn display_type(t: &str) -> String {
    let t = t.trim().trim_start_matches("&mut ").trim_start_matches('&');
    // Unwrap `R<T>` / `Result<T, ...>` return types to `T`.
    let t = if let Some(inner) = t.strip_prefix("R<").or_else(|| t.strip_prefix("Result<")) {
        let inner = inner.strip_suffix('>').unwrap_or(inner);
        inner.split(", Box<").next().unwrap_or(inner).trim()
    } else {
        t
    };
    match t {
        "i64" | "INT" => "int",
        "f64" | "FLOAT" => "float",
        "str" | "String" | "ImmutableString" => "string",
        "Array" => "array",
        "Map" => "map",
        "Dynamic" | "?" | "" => "any",
        "FnPtr" => "closure",
        "bool" => "bool",
        "()" => "()",
        other => {
            let short = other.rsplit("::").next().unwrap_or(other);
            return type_names()
                .get(short)
                .cloned()
                .unwrap_or_else(|| short.to_string());
        }
    }
    .to_string()
}

/// The names scripts see for the Rust types behind them (`ScriptAllocation` is
/// `Allocation`, as `type_of` says), from every domain's registered custom types.
fn type_names() -> &'static std::collections::HashMap<String, String> {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = std::collections::HashMap::new();
        for d in domains() {
            let mut engine = Engine::new_raw();
            engine.register_global_module((d.module)().into());
            let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
            let meta: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            for t in meta["customTypes"].as_array().into_iter().flatten() {
                let (Some(rust), Some(shown)) = (t["typeName"].as_str(), t["displayName"].as_str())
                else {
                    continue;
                };
                let short = rust.rsplit("::").next().unwrap_or(rust);
                names.insert(short.to_string(), shown.to_string());
            }
        }
        names
    })
}

fn clean_doc(lines: &[serde_json::Value]) -> String {
    let text: Vec<String> = lines
        .iter()
        .filter_map(|l| l.as_str())
        .flat_map(|l| l.lines().map(str::to_string).collect::<Vec<_>>())
        .map(|l| {
            let t = l.trim_start();
            let t = t
                .strip_prefix("///")
                .or_else(|| t.strip_prefix("//!"))
                .unwrap_or(t);
            t.strip_prefix(' ').unwrap_or(t).to_string()
        })
        .collect();
    text.join("\n").trim().to_string()
}

/// The reference of every domain, from the engine's metadata (computed once).
pub fn reference() -> &'static [DomainDoc] {
    static DOCS: OnceLock<Vec<DomainDoc>> = OnceLock::new();
    DOCS.get_or_init(build_reference)
}

fn build_reference() -> Vec<DomainDoc> {
    domains()
        .into_iter()
        .map(|d| {
            let mut engine = Engine::new_raw();
            engine.register_global_module((d.module)().into());
            let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
            let meta: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            let types = meta["customTypes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| TypeDoc {
                            name: t["displayName"].as_str().unwrap_or_default().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut functions: Vec<FnDoc> = meta["functions"]
                .as_array()
                .map(|a| a.iter().filter_map(fn_doc).collect())
                .unwrap_or_default();
            functions.sort_by(|a, b| a.name.cmp(&b.name).then(a.signature.cmp(&b.signature)));
            DomainDoc {
                name: d.name.to_string(),
                about: d.about.to_string(),
                types,
                functions,
            }
        })
        .collect()
}

fn fn_doc(f: &serde_json::Value) -> Option<FnDoc> {
    let raw = f["name"].as_str()?;
    let params: Vec<(String, String)> = f["params"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or("_").to_string(),
                        p["type"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let ret = display_type(f["returnType"].as_str().unwrap_or("()"));
    let is_method = params.first().is_some_and(|(_, t)| t.starts_with("&mut"));
    let fmt_params = |ps: &[(String, String)]| {
        ps.iter()
            .map(|(n, t)| format!("{n}: {}", display_type(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let doc = clean_doc(
        f["docComments"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    );
    let (name, kind, signature) = if let Some(prop) = raw.strip_prefix("get$") {
        let this = params
            .first()
            .map(|p| display_type(&p.1))
            .unwrap_or_default();
        (
            prop.to_string(),
            "property",
            format!("{this}.{prop} -> {ret}"),
        )
    } else if raw == "index$get$" {
        let this = params
            .first()
            .map(|p| display_type(&p.1))
            .unwrap_or_default();
        (
            "[]".to_string(),
            "index",
            format!("{this}[{}] -> {ret}", fmt_params(&params[1..])),
        )
    } else if is_method {
        let this = display_type(&params[0].1);
        (
            raw.to_string(),
            "method",
            format!("{this}.{raw}({}) -> {ret}", fmt_params(&params[1..])),
        )
    } else {
        (
            raw.to_string(),
            "function",
            format!("{raw}({}) -> {ret}", fmt_params(&params)),
        )
    };
    Some(FnDoc {
        name,
        kind,
        signature,
        doc,
    })
}

/// The reference as Markdown (the content of docs/reference.md).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# pacer script reference\n\nGenerated by `pacer docs` from the engine's own metadata and doc comments; do not edit by hand \
(a test fails when this file differs from the command's output).\n\nNumbers: wherever a float is expected an int is accepted too. \
Options go in a trailing object map (`#{ key: value }`); unknown keys are errors.\n",
    );
    let docs = reference();
    out.push_str("\n## Domains\n\n");
    for d in docs {
        out.push_str(&format!("- [{}](#{}): {}\n", d.name, d.name, d.about));
    }
    for d in docs {
        out.push_str(&format!("\n## {}\n\n{}.\n", d.name, d.about));
        if !d.types.is_empty() {
            let names: Vec<String> = d.types.iter().map(|t| format!("`{}`", t.name)).collect();
            out.push_str(&format!("\nTypes: {}.\n", names.join(", ")));
        }
        for f in &d.functions {
            out.push_str(&format!("\n### `{}`\n\n", f.signature));
            if !f.doc.is_empty() {
                out.push_str(&f.doc);
                out.push('\n');
            }
        }
    }
    out
}

/// The reference as JSON.
pub fn reference_json() -> String {
    serde_json::to_string_pretty(reference()).unwrap_or_default()
}

/// One function's reference as Markdown (every overload), or `None` when no function,
/// property or domain has that name.
pub fn function_markdown(name: &str) -> Option<String> {
    let docs = reference();
    let overloads: Vec<String> = docs
        .iter()
        .flat_map(|d| d.functions.iter())
        .filter(|f| f.name == name)
        .map(|f| {
            if f.doc.is_empty() {
                format!("### `{}`\n", f.signature)
            } else {
                format!("### `{}`\n\n{}\n", f.signature, f.doc)
            }
        })
        .collect();
    if !overloads.is_empty() {
        return Some(overloads.join("\n"));
    }
    let d = docs.iter().find(|d| d.name == name)?;
    let sigs: Vec<String> = d
        .functions
        .iter()
        .map(|f| format!("- `{}`", f.signature))
        .collect();
    Some(format!(
        "## {}\n\n{}.\n\n{}\n",
        d.name,
        d.about,
        sigs.join("\n")
    ))
}

/// The functions of the language itself that the engine handles without a registered
/// function (they appear in no module's metadata).
pub const LANGUAGE_FUNCTIONS: &[&str] = &[
    "print",
    "debug",
    "type_of",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "Fn",
    "call",
    "curry",
    "eval",
    "this",
];

/// Every function name scripts can call: the standard package, every domain and the
/// language's own (for did-you-mean, completion and `pacer check`). Computed once.
pub fn function_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = arities().keys().cloned().collect();
        names.extend(LANGUAGE_FUNCTIONS.iter().map(|s| s.to_string()));
        names.sort();
        names.dedup();
        names
    })
}

/// For each registered function name, the argument counts it accepts (a method call
/// `x.f(a)` passes two: the receiver and `a`). Computed once from the metadata of the
/// standard package and every domain.
pub fn arities() -> &'static std::collections::BTreeMap<String, Vec<usize>> {
    static ARITIES: OnceLock<std::collections::BTreeMap<String, Vec<usize>>> = OnceLock::new();
    ARITIES.get_or_init(|| {
        let mut engine = Engine::new_raw();
        super::engine::register_packages(&mut engine);
        let json = engine.gen_fn_metadata_to_json(true).unwrap_or_default();
        let meta: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let mut map: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for f in meta["functions"].as_array().into_iter().flatten() {
            let Some(raw) = f["name"].as_str() else {
                continue;
            };
            let name = raw.strip_prefix("get$").unwrap_or(raw);
            if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') || name.contains('$') {
                continue;
            }
            let n = f["numParams"]
                .as_u64()
                .or_else(|| f["params"].as_array().map(|a| a.len() as u64))
                .unwrap_or(0) as usize;
            let e = map.entry(name.to_string()).or_default();
            if !e.contains(&n) {
                e.push(n);
            }
        }
        for v in map.values_mut() {
            v.sort_unstable();
        }
        map
    })
}
