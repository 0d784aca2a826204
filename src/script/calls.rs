//! Calling script closures from native code (table filters, sweeps, simulations)
//! under the run's limits.

use super::engine::{context, RunContext};
use rhai::{Dynamic, EvalAltResult, FnPtr, NativeCallContext};

type R<T> = Result<T, Box<EvalAltResult>>;

/// Calls a script closure many times from native code under the run's limits.
///
/// Before each call the run is checked ([`RunContext::check`]: the `--timeout`
/// deadline, `--max-memory`, a stop from outside); the closure's operations count
/// toward `--max-ops` through the engine's own counter ([`super::OpCount`]), which
/// adds up the operations of closures that Rhai counts on a copy of the caller's
/// counter.
pub struct Calls<'a> {
    ctx: &'a NativeCallContext<'a>,
    run: RunContext,
}

impl<'a> Calls<'a> {
    /// Prepares to call closures from the native function `ctx` belongs to.
    pub fn new(ctx: &'a NativeCallContext<'a>) -> R<Calls<'a>> {
        Ok(Calls {
            ctx,
            run: context(ctx)?,
        })
    }

    /// Calls `f` with one argument; an error when a limit has passed.
    pub fn call(&mut self, f: &FnPtr, arg: Dynamic) -> R<Dynamic> {
        self.run.check()?;
        f.call_within_context::<Dynamic>(self.ctx, (arg,))
    }

    /// True when the deadline has passed.
    pub fn expired(&self) -> bool {
        self.run.expired()
    }
}
