//! The fuzz suite: every registered script function, found through the engine's own
//! metadata, called with generated arguments (extreme numbers, empty and long strings,
//! empty arrays and maps, empty tables and tables with missing values, values of every
//! script type harvested from the reference's examples, options learned from each
//! function's own "allowed options" message) under small limits; and random bytes and
//! mutated fixtures through every function that takes a path.
//!
//! Each call must: not panic; not run far past its deadline; return no NaN or infinite
//! number unless the function's documentation says it may (or it is a known finding,
//! listed in `KNOWN_NON_FINITE` with the reason); and fail, if it fails, with a
//! message free of Rust internals (type paths, debug escapes).
//!
//! `cargo test --test fuzz` runs the short suite (a few cases per function). The long
//! run is `PACER_FUZZ_CASES=300 cargo test --release --test fuzz -- --nocapture`; both
//! print their counts, recorded in docs/fuzz.md. `PACER_FUZZ_SEED` changes the seed.

mod common;

use common::root;
use pacer::script::{build_engine, EngineConfig, Limits, Output, Sandbox};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rhai::{Dynamic, Engine, Scope};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Functions whose documentation allows a NaN or infinite number in their result are
/// found from the doc text; these are the findings not (yet) fixed, each with why.
const KNOWN_NON_FINITE: &[(&str, &str)] = &[];

/// Where messages still show a string with Rust's debug escapes (`"\u{feff}"`), as
/// (domain, function or "*"): none left.
const KNOWN_DEBUG_ESCAPES: &[(&str, &str)] = &[];

/// The time limit of each call, and how far past it a call may end (the slack covers
/// a slow shared machine, not work that ignores the deadline).
const TIMEOUT: Duration = Duration::from_millis(300);
const HANG: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
struct Function {
    domain: String,
    name: String,
    params: Vec<(String, String)>,
    doc: String,
}

/// The script type a metadata type names: `&mut FunnelPlan` -> `FunnelPlan`.
fn base_type(t: &str) -> String {
    let t = t.trim().trim_start_matches("&mut ").trim_start_matches('&');
    t.rsplit("::").next().unwrap_or(t).to_string()
}

/// Every registered domain function, from the engine's metadata.
fn functions() -> Vec<Function> {
    let mut out = Vec::new();
    for d in pacer::script::api::domains() {
        let mut engine = Engine::new_raw();
        engine.register_global_module((d.module)().into());
        let json = engine.gen_fn_metadata_to_json(false).expect("metadata");
        let meta: serde_json::Value = serde_json::from_str(&json).expect("json");
        for f in meta["functions"].as_array().into_iter().flatten() {
            let name = f["name"].as_str().unwrap_or_default().to_string();
            if name.starts_with("set$") || name.contains("$set$") {
                continue;
            }
            let params = f["params"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or("_").to_string(),
                        base_type(p["type"].as_str().unwrap_or("Dynamic")),
                    )
                })
                .collect();
            let doc = f["docComments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            out.push(Function {
                domain: d.name.to_string(),
                name,
                params,
                doc,
            });
        }
    }
    // The metadata's order is not fixed: sort, so that a seed names one run.
    out.sort_by(|a, b| (&a.domain, &a.name, &a.params).cmp(&(&b.domain, &b.name, &b.params)));
    out
}

/// The ```rhai blocks of every function's documentation.
fn examples(fns: &[Function]) -> Vec<String> {
    fns.iter()
        .flat_map(|f| {
            let doc: Vec<&str> = f
                .doc
                .lines()
                .map(|l| l.trim_start_matches("///").trim_start_matches(' '))
                .collect();
            common::rhai_blocks(&doc.join("\n"))
        })
        .collect()
}

fn engine(base: &Path, out: &Path, limits: Limits) -> Engine {
    let (engine, _) = build_engine(EngineConfig {
        limits,
        sandbox: Sandbox::new(base, None, &[], out),
        output: Output::Buffer(Rc::new(RefCell::new(String::new()))),
    });
    engine
}

/// Values of every custom type, taken from the variables the examples leave in scope.
fn harvest(blocks: &[String], out: &Path) -> BTreeMap<String, Vec<Dynamic>> {
    let e = engine(&root(), out, Limits::default());
    let mut pool: BTreeMap<String, Vec<Dynamic>> = BTreeMap::new();
    for code in blocks {
        let mut scope = Scope::new();
        if e.run_with_scope(&mut scope, code).is_err() {
            continue;
        }
        for (_, _, v) in scope.iter() {
            let t = base_type(e.map_type_name(v.type_name()));
            let slot = pool.entry(t).or_default();
            if slot.len() < 4 {
                slot.push(v.clone());
            }
        }
    }
    pool
}

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "0.5",
    "3.7",
    "100",
    "1e308",
    "-1e308",
    "1e-300",
    "4.9e-324",
    "9223372036854775807",
    "-9223372036854775807 - 1",
    "(0.0 / 0.0)",
    "(1.0 / 0.0)",
    "(-1.0 / 0.0)",
    "1000000000",
];

const STRINGS: &[&str] = &[
    r#""""#,
    r#""x""#,
    r#""15%""#,
    r#""1:2.2""#,
    r#""2024-07-01""#,
    r#""7d""#,
    r#""\uFEFF\u0000\t\u001b[31m""#,
    r#""../../../../etc/passwd""#,
    r#""/etc/passwd""#,
    r#""a/b/c.csv""#,
    "LONG",
];

const OTHERS: &[&str] = &[
    "()",
    "true",
    "[]",
    "#{}",
    "[1, 2, 3]",
    "[0.0 / 0.0]",
    r#"["a", "b"]"#,
    r#"[#{ name: "a", rate: 0.5 }, #{ name: "b", rate: 0.2 }]"#,
    r#"[#{ name: "a", value: () }]"#,
    r#"#{ x: 1, y: "z" }"#,
    "table([])",
    r#"table([#{ stage: "a", volume: (), rate: 0.5 }, #{ stage: "b", volume: 3, rate: () }])"#,
];

const CLOSURES: &[&str] = &[
    "|x| 1",
    "|x| x",
    "|x| 0.0 / 0.0",
    "|x| ()",
    r#"|x| throw "boom""#,
    "|x| { loop { } }",
    r#"|x| #{ a: 1, b: "c" }"#,
    "|x, y| 1",
];

struct Case<'a> {
    rng: &'a mut ChaCha8Rng,
    pool: &'a BTreeMap<String, Vec<Dynamic>>,
    files: &'a [String],
    options: &'a BTreeMap<String, Vec<String>>,
}

impl Case<'_> {
    fn pick<'b>(&mut self, xs: &'b [&'b str]) -> &'b str {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn string(&mut self) -> String {
        match self.pick(STRINGS) {
            "LONG" => format!("\"{}\"", "x".repeat(self.rng.random_range(1000..100_000))),
            s => s.to_string(),
        }
    }

    fn custom(&mut self, t: &str, scope: &mut Scope, i: usize) -> Option<String> {
        let vals = self.pool.get(t)?;
        let v = vals[self.rng.random_range(0..vals.len())].clone();
        let name = format!("arg{i}");
        scope.push_dynamic(name.clone(), v);
        Some(name)
    }

    fn any(&mut self, scope: &mut Scope, i: usize) -> String {
        match self.rng.random_range(0..10) {
            0..=3 => self.pick(NUMBERS).to_string(),
            4 => self.string(),
            5 if !self.files.is_empty() => {
                format!(
                    "{:?}",
                    self.files[self.rng.random_range(0..self.files.len())]
                )
            }
            6 => {
                let types: Vec<&String> = self.pool.keys().collect();
                let t = types[self.rng.random_range(0..types.len())].clone();
                self.custom(&t, scope, i).unwrap_or_else(|| "()".into())
            }
            _ => self.pick(OTHERS).to_string(),
        }
    }

    fn options(&mut self, f: &str) -> String {
        let Some(keys) = self.options.get(f).filter(|k| !k.is_empty()) else {
            return self.pick(&["#{}", "#{ zz: 1 }"]).to_string();
        };
        let n = self.rng.random_range(1..=keys.len().min(3));
        let mut parts = Vec::new();
        for _ in 0..n {
            let k = keys[self.rng.random_range(0..keys.len())].clone();
            let v = match self.rng.random_range(0..3) {
                0 => self.pick(NUMBERS).to_string(),
                1 => self.string(),
                _ => self.pick(OTHERS).to_string(),
            };
            parts.push(format!("{k}: {v}"));
        }
        format!("#{{ {} }}", parts.join(", "))
    }

    fn arg(&mut self, f: &Function, name: &str, t: &str, scope: &mut Scope, i: usize) -> String {
        let pathish = ["path", "file", "folder", "export", "csv"]
            .iter()
            .any(|p| name.contains(p));
        if pathish && !self.files.is_empty() && self.rng.random_range(0..4) > 0 {
            return format!(
                "{:?}",
                self.files[self.rng.random_range(0..self.files.len())]
            );
        }
        match t {
            "i64" | "INT" => self.pick(&NUMBERS[..4]).to_string().replace("0.5", "3"),
            "f64" | "FLOAT" => match self.pick(NUMBERS) {
                s if s.contains('.') || s.contains('e') || s.contains('/') => s.to_string(),
                s if s.starts_with("-9223") || s.starts_with("9223") => "9.2e18".into(),
                s => format!("{s}.0"),
            },
            "bool" => self.pick(&["true", "false"]).to_string(),
            "str" | "ImmutableString" | "String" => self.string(),
            "FnPtr" => self.pick(CLOSURES).to_string(),
            "Map" if name.contains("option") || name == "o" => self.options(&f.name),
            "Map" => match self.rng.random_range(0..3) {
                0 => self.options(&f.name),
                _ => self.pick(&OTHERS[3..4]).to_string(),
            },
            "Array" => self.pick(&OTHERS[2..9]).to_string(),
            "Dynamic" | "?" => self.any(scope, i),
            custom => self
                .custom(custom, scope, i)
                .unwrap_or_else(|| self.any(scope, i)),
        }
    }
}

/// The NaN or infinite numbers in a result, one level into maps, arrays and tables.
fn non_finite(v: &Dynamic) -> Option<String> {
    if let Ok(f) = v.as_float() {
        return (!f.is_finite()).then(|| f.to_string());
    }
    if let Some(m) = v.read_lock::<rhai::Map>() {
        return m.iter().find_map(|(k, x)| {
            x.as_float()
                .ok()
                .filter(|f| !f.is_finite())
                .map(|f| format!("field {k} = {f}"))
        });
    }
    if let Some(a) = v.read_lock::<rhai::Array>() {
        return a.iter().find_map(|x| {
            x.as_float()
                .ok()
                .filter(|f| !f.is_finite())
                .map(|f| format!("element {f}"))
        });
    }
    if let Some(t) = v.read_lock::<pacer::table::Table>() {
        for name in t.names() {
            let Ok(c) = t.column(name) else { continue };
            for row in 0..c.len() {
                if let Some(f) = c.f64_at(row) {
                    if !f.is_finite() && c.dtype() == pacer::table::DType::Float {
                        return Some(format!("column {name} row {row} = {f}"));
                    }
                }
            }
        }
    }
    None
}

fn may_be_non_finite(f: &Function) -> bool {
    let d = f.doc.to_lowercase();
    d.contains("nan") || d.contains("inf") || KNOWN_NON_FINITE.iter().any(|(n, _)| *n == f.name)
}

/// Writes the files path-taking functions get: random bytes and mutated fixtures.
fn corpus(dir: &Path, rng: &mut ChaCha8Rng, n: usize) -> Vec<String> {
    let mut fixtures = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                fixtures.push(p);
            }
        }
    }
    fixtures.sort();
    let mut names = Vec::new();
    for i in 0..n {
        let bytes: Vec<u8> = if i % 4 == 0 {
            let len = rng.random_range(0..2000);
            (0..len).map(|_| rng.random()).collect()
        } else {
            let src = &fixtures[rng.random_range(0..fixtures.len())];
            let mut b = std::fs::read(src).unwrap_or_default();
            for _ in 0..rng.random_range(1..8) {
                mutate(&mut b, rng);
            }
            b
        };
        let name = format!("f{i}.csv");
        std::fs::write(dir.join(&name), bytes).expect("write corpus file");
        names.push(name);
    }
    // A folder of them too (for functions that read a folder of files).
    std::fs::create_dir_all(dir.join("folder")).expect("folder");
    for n in names.iter().take(3) {
        let _ = std::fs::copy(dir.join(n), dir.join("folder").join(n));
    }
    names.push("folder".into());
    names.push("missing.csv".into());
    names
}

fn mutate(b: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
    const INSERTS: &[&[u8]] = &[
        b"\"",
        b",",
        b"\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\0",
        b"\xff\xfe",
        b"NaN",
        b"-1e308",
        b"99999999999999999999999",
        b"%",
        b"2024-02-30",
        b",,,,,,",
    ];
    let at = if b.is_empty() {
        0
    } else {
        rng.random_range(0..b.len())
    };
    match rng.random_range(0..5) {
        0 => b.truncate(at),
        1 if !b.is_empty() => b[at] = rng.random(),
        2 => {
            let ins = INSERTS[rng.random_range(0..INSERTS.len())];
            b.splice(at..at, ins.iter().copied());
        }
        3 => {
            // Repeat a line.
            let line: Vec<u8> = b[at..]
                .split(|c| *c == b'\n')
                .next()
                .unwrap_or(&[])
                .to_vec();
            let copies = rng.random_range(1..50);
            for _ in 0..copies {
                b.extend_from_slice(&line);
                b.push(b'\n');
            }
        }
        _ => {
            let end = (at + rng.random_range(0..40)).min(b.len());
            b.drain(at..end);
        }
    }
}

/// Learns each function's option keys from its own "allowed options" message.
fn learn_options(fns: &[Function], base: &Path, out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let e = engine(base, out, small_limits());
    for f in fns {
        if keys.contains_key(&f.name) {
            continue;
        }
        let Some(at) = f.params.iter().position(|(_, t)| t == "Map") else {
            continue;
        };
        // The options map is usually checked first; other arguments are plain values.
        let args: Vec<String> = f
            .params
            .iter()
            .enumerate()
            .map(|(i, _)| {
                if i == at {
                    "#{ zz_unknown: 1 }".into()
                } else {
                    "1".into()
                }
            })
            .collect();
        let code = format!("{}({})", f.name, args.join(", "));
        if let Err(err) = e.run(&code) {
            let msg = err.to_string();
            if let Some(list) = msg.split("allowed options: ").nth(1) {
                let list = list.split(" (line").next().unwrap_or(list);
                keys.insert(
                    f.name.clone(),
                    list.split(", ").map(|s| s.trim().to_string()).collect(),
                );
            }
        }
    }
    keys
}

/// The functions that read a path, and which argument is the path: those whose error
/// for a missing file names it (tried with a few sets of other arguments).
fn path_takers(
    fns: &[Function],
    pool: &BTreeMap<String, Vec<Dynamic>>,
    options: &BTreeMap<String, Vec<String>>,
    base: &Path,
    out: &Path,
    rng: &mut ChaCha8Rng,
) -> Vec<(Function, usize)> {
    let mut found = Vec::new();
    for f in fns {
        for (at, (_, t)) in f.params.iter().enumerate() {
            if !matches!(t.as_str(), "str" | "ImmutableString" | "String" | "Dynamic") {
                continue;
            }
            let hit = (0..4).any(|try_no| {
                let mut scope = Scope::new();
                let mut case = Case {
                    rng: &mut *rng,
                    pool,
                    files: &[],
                    options,
                };
                let args: Vec<String> = f
                    .params
                    .iter()
                    .enumerate()
                    .map(|(i, (n, t))| {
                        if i == at {
                            "\"missing_zz.csv\"".to_string()
                        } else if t == "Map" && try_no < 2 {
                            // Empty options, then the one option a reader requires
                            // (funnel_events' window).
                            ["#{}", r#"#{ window: "7d" }"#][try_no].to_string()
                        } else if t == "Array" {
                            r#"["a", "b"]"#.to_string()
                        } else if try_no == 0 && pool.contains_key(t.as_str()) {
                            case.custom(t, &mut scope, i).unwrap_or_default()
                        } else if try_no == 0 {
                            "1".to_string()
                        } else {
                            case.arg(f, n, t, &mut scope, i)
                        }
                    })
                    .collect();
                let code = call_code(f, &args);
                let e = engine(base, out, small_limits());
                let r = quietly(|| e.eval_with_scope::<Dynamic>(&mut scope, &code));
                matches!(r, Ok(Err(e)) if e.to_string().contains("missing_zz.csv: no such file"))
            });
            if hit {
                found.push((f.clone(), at));
            }
        }
    }
    found
}

fn call_code(f: &Function, args: &[String]) -> String {
    if let Some(prop) = f.name.strip_prefix("get$") {
        format!("{}.{prop}", args.first().cloned().unwrap_or_default())
    } else if f.name == "index$get$" {
        format!("{}[{}]", args[0], args[1..].join(", "))
    } else {
        format!("{}({})", f.name, args.join(", "))
    }
}

fn small_limits() -> Limits {
    Limits {
        max_operations: 200_000,
        timeout: Some(TIMEOUT),
        max_string_size: 1 << 20,
        max_array_size: 100_000,
        max_map_size: 10_000,
        ..Limits::default()
    }
}

/// Runs `f`, catching a panic without printing it (the suite reports it).
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    r
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

#[test]
fn every_function_survives_generated_arguments() {
    let cases_per_fn: usize = std::env::var("PACER_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("PACER_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20240701);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let work = tempfile::tempdir().expect("temp dir");
    let base = work.path().join("in");
    let out = work.path().join("out");
    std::fs::create_dir_all(&base).expect("in");
    let fns = functions();
    assert!(fns.len() > 100, "only {} functions found", fns.len());
    let mut blocks = examples(&fns);
    // The draw object exists only inside a simulation's closure: keep one.
    blocks.push(
        "let keep = []; simulate(1, #{ seed: 1 }, |d| { keep.push(d); 0 }); let draw = keep[0];"
            .into(),
    );
    let pool = harvest(&blocks, &out);
    assert!(
        pool.contains_key("Draw"),
        "types harvested: {:?}",
        pool.keys()
    );
    let files = corpus(&base, &mut rng, 10 + cases_per_fn * 2);
    let options = learn_options(&fns, &base, &out);

    let readers = path_takers(&fns, &pool, &options, &base, &out, &mut rng);
    let reader_names: Vec<&str> = readers.iter().map(|(f, _)| f.name.as_str()).collect();
    for expected in ["load_csv", "funnel_events", "review", "search_lessons"] {
        assert!(
            reader_names.contains(&expected),
            "{expected} not found among {reader_names:?}"
        );
    }
    // Every function with generated arguments, then every reader with every file.
    let mut plan: Vec<(&Function, Option<(usize, &str)>)> = Vec::new();
    for f in &fns {
        plan.extend(std::iter::repeat_n((f, None), cases_per_fn));
    }
    for (f, at) in &readers {
        for file in &files {
            plan.push((f, Some((*at, file.as_str()))));
        }
    }

    // A watchdog: a call that ignores its deadline fails the suite instead of hanging it.
    let current = Arc::new(Mutex::new(String::new()));
    let done = Arc::new(AtomicBool::new(false));
    let started = Arc::new(Mutex::new(Instant::now()));
    {
        let (current, done, started) = (current.clone(), done.clone(), started.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let since = started.lock().map(|s| s.elapsed()).unwrap_or_default();
                if since > HANG * 3 {
                    let what = current.lock().map(|c| c.clone()).unwrap_or_default();
                    eprintln!("fuzz: a call ran past its deadline by minutes: {what}");
                    std::process::abort();
                }
            }
        });
    }

    let mut failures: Vec<String> = Vec::new();
    let mut calls = 0usize;
    let mut errors = 0usize;
    let mut slowest = (Duration::ZERO, String::new());
    {
        for (f, fixed) in plan {
            let mut scope = Scope::new();
            let mut case = Case {
                rng: &mut rng,
                pool: &pool,
                files: &files,
                options: &options,
            };
            let args: Vec<String> = f
                .params
                .iter()
                .enumerate()
                .map(|(i, (n, t))| match fixed {
                    Some((at, file)) if at == i => format!("{file:?}"),
                    _ => case.arg(f, n, t, &mut scope, i),
                })
                .collect();
            let code = call_code(f, &args);
            let e = engine(&base, &out, small_limits());
            if let Ok(mut c) = current.lock() {
                *c = code.clone();
            }
            if let Ok(mut s) = started.lock() {
                *s = Instant::now();
            }
            let t0 = Instant::now();
            let result = quietly(|| e.eval_with_scope::<Dynamic>(&mut scope, &code));
            let took = t0.elapsed();
            calls += 1;
            if took > slowest.0 {
                slowest = (took, code.clone());
            }
            if took > HANG {
                failures.push(format!(
                    "{code}: ran {took:?}, past its deadline of {TIMEOUT:?}"
                ));
            }
            match result {
                Err(p) => failures.push(format!("{code}: panicked: {}", panic_text(&*p))),
                Ok(Ok(v)) => {
                    if let Some(bad) = non_finite(&v) {
                        // A NaN or infinity given (as an argument, or returned by the
                        // script's own closure) may come back: only finite inputs must
                        // give finite results.
                        let given = ["0.0 / 0.0", "1.0 / 0.0"].iter().any(|x| code.contains(x));
                        if !may_be_non_finite(f) && !given {
                            failures.push(format!("{code}: returned {bad}"));
                        }
                    }
                }
                Ok(Err(err)) => {
                    errors += 1;
                    if let rhai::EvalAltResult::ErrorRuntime(m, _) = err.unwrap_inner() {
                        let m = m.to_string();
                        let known = KNOWN_DEBUG_ESCAPES
                            .iter()
                            .any(|(d, n)| *d == f.domain && (*n == "*" || *n == f.name));
                        let escaped = m.contains("\\u{") && !known;
                        if m.contains("::") || escaped || m.contains("Dynamic") {
                            failures.push(format!("{code}: message shows internals: {m}"));
                        }
                    }
                }
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    println!(
        "fuzz: {} functions, {calls} calls ({errors} errors), {} files through {} readers ({}), seed {seed}; slowest {:?}: {}",
        fns.len(),
        files.len(),
        readers.len(),
        reader_names.join(", "),
        slowest.0,
        slowest.1.chars().take(120).collect::<String>()
    );
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} findings:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|s| s.chars().take(400).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
