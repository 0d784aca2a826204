//! Script API of the run itself: parameters given on the command line (`--set`), and the
//! columns a batch run adds to its row of summary.csv.

use crate::script::context;
use rhai::plugin::*;
use rhai::{Dynamic, EvalAltResult, Map, Module, NativeCallContext};

/// The module.
pub fn module() -> Module {
    exported_module!(run_api)
}

type R<T> = Result<T, Box<EvalAltResult>>;

// The plugin macro's generated glue unwraps internally; our own code does not.
#[allow(clippy::unwrap_used)]
#[export_module]
mod run_api {
    use super::*;

    /// The value of parameter `name`: what `--set NAME=VALUE` gave on the command line,
    /// or `default` when it was not given. Write `let goal = param("goal", 2000000);`
    /// rather than `let goal = 2000000;` so that `--set goal=3,000,000` overrides it
    /// (a plain `let` hides the command line's value, and pacer warns about it).
    ///
    /// ```rhai
    /// let goal = param("goal", 2000000);
    /// print(goal);   // 2000000 unless the command line says otherwise
    /// ```
    #[rhai_fn(return_raw)]
    pub fn param(ctx: NativeCallContext, name: &str, default: Dynamic) -> R<Dynamic> {
        let run = context(&ctx)?;
        let params = run.params.borrow().clone();
        Ok(params.get(name).unwrap_or(default))
    }

    /// Adds columns to this input's row of a batch's summary.csv: each key becomes a
    /// column (in the order keys first appear over the inputs), each value its cell.
    /// Calling it again adds or replaces keys. A batch script can also end with a map,
    /// which does the same. Outside a batch it has no visible effect.
    ///
    /// ```rhai
    /// summary(#{ revenue: 34500, roas: 2.76 });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn summary(ctx: NativeCallContext, columns: Map) -> R<()> {
        let run = context(&ctx)?;
        let mut s = run.summary.borrow_mut();
        for (k, v) in columns {
            s.insert(k, v);
        }
        Ok(())
    }
}
