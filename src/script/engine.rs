//! The one place engines are built: the standard package, every domain module, the
//! limits, the sandbox and where `print` goes.

use super::sandbox::Sandbox;
use rhai::{Dynamic, Engine, EvalAltResult, Map, Module, NativeCallContext, Shared};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The limits every run has. Rhai's own defaults differ between debug and release
/// builds, so every one is set explicitly.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum number of script operations (`--max-ops`).
    pub max_operations: u64,
    /// Wall-clock limit (`--timeout`), none by default.
    pub timeout: Option<Duration>,
    /// Maximum function call depth.
    pub max_call_levels: usize,
    /// Maximum expression nesting depth (global, inside functions).
    pub max_expr_depths: (usize, usize),
    /// Maximum string length in bytes.
    pub max_string_size: usize,
    /// Maximum array length.
    pub max_array_size: usize,
    /// Maximum object-map size.
    pub max_map_size: usize,
    /// Maximum bytes the process may hold (`--max-memory`), checked between
    /// operations and in native loops (see [`crate::mem`]).
    pub max_memory: u64,
    /// A flag set from outside the run (Ctrl-C, SIGTERM) that stops it between
    /// operations, as the deadline does.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// The servers scripts may connect to (`--allow-url`), besides those listed in
    /// the user's allow-list file.
    pub allow_urls: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 500_000_000,
            timeout: None,
            max_call_levels: 64,
            max_expr_depths: (128, 64),
            max_string_size: 64 * 1024 * 1024,
            max_array_size: 10_000_000,
            max_map_size: 100_000,
            max_memory: crate::mem::DEFAULT_MAX_MEMORY,
            interrupt: None,
            allow_urls: Vec::new(),
        }
    }
}

/// Where `print` goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// Standard output; a closed pipe stops the script quietly.
    Stdout,
    /// An in-memory buffer (batch runs, tests).
    Buffer(Rc<RefCell<String>>),
}

/// Why a run was stopped from outside the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The wall-clock limit passed.
    Timeout(Duration),
    /// Standard output was closed (`pacer run x.rhai | head -1`).
    PipeClosed,
    /// The operations of the script and of every closure called from native code,
    /// added up, passed `--max-ops`.
    Operations,
    /// The process held more memory than `--max-memory` (the bytes in use then).
    Memory(u64),
    /// The interrupt flag was set (Ctrl-C, SIGTERM).
    Interrupted,
}

/// The operations of one evaluation, counted across closures called from native code.
///
/// Rhai counts a closure called from a native function (`sweep`, `simulate`, an
/// array's `map`, ...) on a copy of the caller's counter, dropped after the call, so its
/// own limit never sees a loop of cheap calls. The progress callback runs on every
/// operation with the current counter: a rise adds the difference, a fall (a new copy
/// starting again from the caller's count) adds the one operation it reports.
#[derive(Debug, Default)]
pub struct OpCount {
    last: Cell<u64>,
    total: Cell<u64>,
}

impl OpCount {
    /// The operations counted since the last [`OpCount::reset`].
    pub fn total(&self) -> u64 {
        self.total.get()
    }

    /// Starts a new evaluation (each REPL input has the whole limit).
    pub fn reset(&self) {
        self.last.set(0);
        self.total.set(0);
    }

    fn advance(&self, count: u64) -> u64 {
        let last = self.last.replace(count);
        let step = if count > last { count - last } else { 1 };
        let total = self.total.get().saturating_add(step);
        self.total.set(total);
        total
    }
}

/// The values given on the command line (`--set NAME=VALUE`), and which of them the
/// script read through `param`.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, Dynamic>,
    read: RefCell<BTreeSet<String>>,
}

impl Params {
    /// Parameters with these values.
    pub fn new(values: impl IntoIterator<Item = (String, Dynamic)>) -> Params {
        Params {
            values: values.into_iter().collect(),
            read: RefCell::default(),
        }
    }

    /// The value given for `name`, marking it read.
    pub fn get(&self, name: &str) -> Option<Dynamic> {
        let v = self.values.get(name)?.clone();
        self.read.borrow_mut().insert(name.to_string());
        Some(v)
    }

    /// True when the script asked for `name` through `param`.
    pub fn was_read(&self, name: &str) -> bool {
        self.read.borrow().contains(name)
    }

    /// The names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Dynamic)> {
        self.values.iter()
    }
}

/// What native functions can reach during a run: the sandbox, the deadline, and the
/// stop flag. Stored as the engine's tag.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Read and write permissions.
    pub sandbox: Rc<Sandbox>,
    /// When long native loops must give up (from `--timeout`).
    pub deadline: Option<Instant>,
    /// The deadline the engine checks between operations (a session moves it, with
    /// `deadline`, for each input it runs).
    pub clock: Rc<Cell<Option<Instant>>>,
    /// Set when the run was stopped from outside.
    pub stop: Rc<Cell<Option<Stop>>>,
    /// The limits in force (for messages).
    pub limits: Limits,
    /// The operations of the current evaluation, closures called from native code
    /// included.
    pub ops: Rc<OpCount>,
    /// The `--set` values (`param` reads them).
    pub params: Rc<RefCell<Rc<Params>>>,
    /// The columns a batch run adds to its summary row (`summary` sets them).
    pub summary: Rc<RefCell<Map>>,
    /// The seed random draws use when a script gives none (`--seed`, default 0).
    pub seed: Rc<Cell<u64>>,
    /// The servers the run may connect to, and what `--explain` collected.
    pub connections: Rc<super::connections::Connections>,
    /// Where `print` goes, and what writers given the name `-` write to.
    pub output: Output,
}

impl RunContext {
    /// Writes `bytes` where `print` goes: standard output (a closed pipe stops the run
    /// quietly, as for `print`) or the run's captured output, which holds text only.
    pub fn write_stdout(&self, bytes: &[u8]) -> Result<(), String> {
        match &self.output {
            Output::Stdout => {
                if self.stop.get().is_some() {
                    return Ok(());
                }
                let mut out = std::io::stdout().lock();
                if out.write_all(bytes).and_then(|_| out.flush()).is_err() {
                    self.stop.set(Some(Stop::PipeClosed));
                }
                Ok(())
            }
            Output::Buffer(buf) => {
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    "cannot write binary data to \"-\" here: this run's output is captured as text; write it to a file under --out instead".to_string()
                })?;
                buf.borrow_mut().push_str(text);
                Ok(())
            }
        }
    }

    /// True when the deadline has passed; long native loops check this.
    pub fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// What native loops call between steps (before each closure call, every few
    /// thousand iterations of native work): an error ending the script when the run
    /// was stopped or the deadline has passed, rendered as the time limit's message.
    pub fn check(&self) -> Result<(), Box<EvalAltResult>> {
        if self.stop.get().is_none() {
            if let Some(s) = limit_passed(self.deadline, &self.limits) {
                self.stop.set(Some(s));
            }
        }
        match self.stop.get() {
            None => Ok(()),
            Some(s) => Err(EvalAltResult::ErrorTerminated(
                Dynamic::from(format!("{s:?}")),
                rhai::Position::NONE,
            )
            .into()),
        }
    }
}

/// The time or memory limit the run has passed, if any.
fn limit_passed(deadline: Option<Instant>, limits: &Limits) -> Option<Stop> {
    if limits
        .interrupt
        .as_ref()
        .is_some_and(|f| f.load(Ordering::Relaxed))
    {
        return Some(Stop::Interrupted);
    }
    if let (Some(d), Some(t)) = (deadline, limits.timeout) {
        if Instant::now() >= d {
            return Some(Stop::Timeout(t));
        }
    }
    let used = crate::mem::in_use() as u64;
    (used > limits.max_memory).then_some(Stop::Memory(used))
}

/// Everything needed to build an engine.
#[derive(Debug)]
pub struct EngineConfig {
    /// Limits.
    pub limits: Limits,
    /// The sandbox.
    pub sandbox: Sandbox,
    /// Where `print` goes.
    pub output: Output,
}

thread_local! {
    /// The standard package and every domain module, built once per thread and shared
    /// by every engine the thread builds (modules are reference-counted and read-only).
    static PACKAGES: Vec<Shared<Module>> = {
        let std_pkg = rhai::packages::StandardPackage::new();
        let mut all = vec![rhai::packages::Package::as_shared_module(&std_pkg)];
        all.extend(super::api::domains().iter().map(|d| Shared::new((d.module)())));
        all
    };
}

/// Registers the standard package and every domain module into `engine`, from the
/// thread's shared copies (built on first use).
pub fn register_packages(engine: &mut Engine) {
    PACKAGES.with(|p| {
        for m in p {
            engine.register_global_module(m.clone());
        }
    });
}

/// Builds the engine: `Engine::new_raw()` (no file imports, no direct printing) plus
/// the standard package and every domain module, with every limit set and a deadline
/// checked between operations.
pub fn build_engine(config: EngineConfig) -> (Engine, RunContext) {
    let mut engine = Engine::new_raw();
    register_packages(&mut engine);

    let limits = config.limits;
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depths.0, limits.max_expr_depths.1);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_modules(0);
    engine.set_fail_on_invalid_map_property(true);

    let stop: Rc<Cell<Option<Stop>>> = Rc::new(Cell::new(None));
    // A deadline past what the clock can represent is no deadline.
    let deadline = limits.timeout.and_then(|t| Instant::now().checked_add(t));
    let clock = Rc::new(Cell::new(deadline));
    let ops: Rc<OpCount> = Rc::new(OpCount::default());
    let ctx = RunContext {
        ops: ops.clone(),
        sandbox: Rc::new(config.sandbox),
        deadline,
        clock: clock.clone(),
        stop: stop.clone(),
        limits: limits.clone(),
        params: Rc::default(),
        summary: Rc::default(),
        seed: Rc::default(),
        connections: Rc::default(),
        output: config.output.clone(),
    };
    // The CLI has checked the URLs; one that does not parse allows nothing.
    let _ = ctx.connections.allow(&limits.allow_urls);
    engine.set_default_tag(Dynamic::from(ctx.clone()));

    let progress_stop = stop.clone();
    let progress_limits = limits.clone();
    let max_ops = limits.max_operations;
    let interrupt = limits.interrupt.clone();
    engine.on_progress(move |count| {
        let total = ops.advance(count);
        if progress_stop.get().is_none() {
            // The memory reading is one atomic load: every operation. The clock: every 256.
            let used = crate::mem::in_use() as u64;
            if total > max_ops {
                progress_stop.set(Some(Stop::Operations));
            } else if interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::Relaxed))
            {
                progress_stop.set(Some(Stop::Interrupted));
            } else if used > progress_limits.max_memory {
                progress_stop.set(Some(Stop::Memory(used)));
            } else if total.is_multiple_of(256) {
                progress_stop.set(limit_passed(clock.get(), &progress_limits));
            }
        }
        progress_stop.get().map(|s| Dynamic::from(format!("{s:?}")))
    });

    match config.output {
        Output::Stdout => {
            let print_stop = stop.clone();
            engine.on_print(move |s| {
                if print_stop.get().is_some() {
                    return;
                }
                let mut out = std::io::stdout().lock();
                if writeln!(out, "{s}").and_then(|_| out.flush()).is_err() {
                    print_stop.set(Some(Stop::PipeClosed));
                }
            });
        }
        Output::Buffer(buf) => {
            engine.on_print(move |s| {
                let mut b = buf.borrow_mut();
                b.push_str(s);
                b.push('\n');
            });
        }
    }
    engine.on_debug(|s, src, pos| {
        let at = match (src, pos.line()) {
            (Some(src), Some(l)) => format!("{src}:{l}: "),
            (None, Some(l)) => format!("line {l}: "),
            _ => String::new(),
        };
        eprintln!("{at}{s}");
    });
    (engine, ctx)
}

/// The run context of the engine a native function is called from.
pub fn context(ctx: &NativeCallContext) -> Result<RunContext, Box<EvalAltResult>> {
    ctx.tag()
        .and_then(|t| t.clone().try_cast::<RunContext>())
        .ok_or_else(|| "internal error: engine built without a run context".into())
}

/// The name writers take for standard output (where `print` goes) instead of a file.
pub const STDOUT_NAME: &str = "-";

/// Writes `bytes` to `name` under the run's output directory, atomically (the sandbox
/// refuses names that escape it), and returns the path written, for scripts to print.
/// The name `-` ([`STDOUT_NAME`]) writes to standard output instead (where `print`
/// goes), so that a script's table can be piped to another program.
pub fn write_output(
    ctx: &NativeCallContext,
    name: &str,
    bytes: &[u8],
) -> Result<String, Box<EvalAltResult>> {
    let run = context(ctx)?;
    if name == STDOUT_NAME {
        run.write_stdout(bytes).map_err(super::script_error)?;
        return Ok(STDOUT_NAME.to_string());
    }
    let written = run
        .sandbox
        .write(name, bytes)
        .map_err(super::script_error)?;
    Ok(written.display().to_string())
}

/// Tells the user something the run decided that they may not expect (how a column
/// was read, for example), on standard error, once, with the script position.
pub fn note(ctx: &NativeCallContext, message: &str) {
    let at = ctx
        .call_position()
        .line()
        .map(|l| format!("line {l}: "))
        .unwrap_or_default();
    eprintln!("note: {at}{message}");
}
