//! Calling script closures from native code (table filters, sweeps, simulations)
//! under the run's limits.

use super::engine::{context, RunContext};
use rhai::{Dynamic, EvalAltResult, FnPtr, NativeCallContext};

type R<T> = Result<T, Box<EvalAltResult>>;

/// Calls a script closure many times from native code under the run's operation limit
/// and deadline.
///
/// Rhai counts a closure's operations on a copy of the caller's counter (dropped after
/// the call), so without this a loop of cheap calls would never reach `--max-ops`.
/// The engine reports its count to [`RunContext::ops`]; the operations of every call
/// are added up here and the loop stops when the total passes the limit, or when the
/// `--timeout` deadline has passed.
pub struct Calls<'a> {
    ctx: &'a NativeCallContext<'a>,
    run: RunContext,
    base: u64,
    used: u64,
}

impl<'a> Calls<'a> {
    /// Starts counting from the caller's operations so far.
    pub fn new(ctx: &'a NativeCallContext<'a>) -> R<Calls<'a>> {
        let run = context(ctx)?;
        let base = run.ops.get();
        Ok(Calls {
            ctx,
            run,
            base,
            used: 0,
        })
    }

    /// Calls `f` with one argument; an error when the operation limit or the deadline
    /// has passed.
    pub fn call(&mut self, f: &FnPtr, arg: Dynamic) -> R<Dynamic> {
        let out = f.call_within_context::<Dynamic>(self.ctx, (arg,));
        self.used += self.run.ops.get().saturating_sub(self.base);
        self.run.ops.set(self.base);
        let out = out?;
        if self.base.saturating_add(self.used) > self.run.limits.max_operations {
            return Err(EvalAltResult::ErrorTooManyOperations(rhai::Position::NONE).into());
        }
        if self.run.expired() {
            if let Some(t) = self.run.limits.timeout {
                self.run.stop.set(Some(super::engine::Stop::Timeout(t)));
            }
            return Err(EvalAltResult::ErrorTerminated(
                Dynamic::from("timeout"),
                rhai::Position::NONE,
            )
            .into());
        }
        Ok(out)
    }

    /// True when the deadline has passed.
    pub fn expired(&self) -> bool {
        self.run.expired()
    }
}
