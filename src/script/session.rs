//! A script session: one engine, its scope (the `--data` tables and `--set` values as
//! constants), and the functions defined so far. `pacer run` runs one script in a
//! session, the REPL many inputs in the same one, `pacer batch` one session per input.

use super::engine::{build_engine, EngineConfig, Limits, Output, Params, RunContext};
use super::error::ScriptError;
use super::sandbox::Sandbox;
use crate::table::Table;
use rhai::{Dynamic, Engine, EvalAltResult, Map, ParseError, Scope, AST};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Instant;

/// What a session starts with.
#[derive(Debug)]
pub struct SessionConfig {
    /// The limits.
    pub limits: Limits,
    /// What the scripts may read and where they write.
    pub sandbox: Sandbox,
    /// Where `print` goes.
    pub output: Output,
    /// Tables bound as constants (`--data NAME=PATH`, a batch's `data`).
    pub tables: Vec<(String, Table)>,
    /// Values bound as constants and read by `param` (`--set NAME=VALUE`).
    pub params: Vec<(String, Dynamic)>,
    /// Other constants (a batch's `input`), not parameters.
    pub constants: Vec<(String, Dynamic)>,
    /// The seed of random draws that give none (`--seed`; default 0).
    pub seed: u64,
}

/// An engine, its scope, and the functions the inputs so far defined.
pub struct Session {
    /// The engine.
    pub engine: Engine,
    /// The variables.
    pub scope: Scope<'static>,
    /// The run context (sandbox, deadline, stop flag, parameters).
    pub run: RunContext,
    functions: AST,
    initial: Vec<(String, Dynamic)>,
    shadowed: Rc<RefCell<BTreeSet<String>>>,
}

impl Session {
    /// Builds the engine and binds the tables, parameters and constants.
    pub fn new(config: SessionConfig) -> Session {
        let (mut engine, run) = build_engine(EngineConfig {
            limits: config.limits,
            sandbox: config.sandbox,
            output: config.output,
        });
        let names: BTreeSet<String> = config.params.iter().map(|(n, _)| n.clone()).collect();
        *run.params.borrow_mut() = Rc::new(Params::new(config.params.clone()));
        run.seed.set(config.seed);
        let shadowed: Rc<RefCell<BTreeSet<String>>> = Rc::default();
        let seen = shadowed.clone();
        // A `let` of a parameter's name hides the command line's value: note it while
        // compiling, so that the caller can warn.
        #[allow(deprecated)]
        engine.on_def_var(move |runtime, info, _| {
            if !runtime && names.contains(info.name()) {
                seen.borrow_mut().insert(info.name().to_string());
            }
            Ok(true)
        });
        let mut initial: Vec<(String, Dynamic)> = config
            .tables
            .into_iter()
            .map(|(n, t)| (n, Dynamic::from(t)))
            .collect();
        initial.extend(config.params);
        initial.extend(config.constants);
        let mut s = Session {
            engine,
            scope: Scope::new(),
            run,
            functions: AST::empty(),
            initial,
            shadowed,
        };
        s.reset();
        s
    }

    /// Makes the session ready for another input: clears the stop flag and starts the
    /// wall-clock limit again.
    pub fn restart(&mut self) {
        self.run.stop.set(None);
        // Each input has the whole operation limit.
        self.run.ops.reset();
        self.run.deadline = self
            .run
            .limits
            .timeout
            .and_then(|t| Instant::now().checked_add(t));
        self.run.clock.set(self.run.deadline);
        self.engine.set_default_tag(Dynamic::from(self.run.clone()));
    }

    /// Forgets every variable and function defined since the start; the tables,
    /// parameters and constants are bound again.
    pub fn reset(&mut self) {
        self.scope.clear();
        for (name, v) in &self.initial {
            self.scope.push_constant_dynamic(name.clone(), v.clone());
        }
        self.functions = AST::empty();
        self.run.summary.borrow_mut().clear();
    }

    /// Compiles `source` against the session's variables.
    pub fn compile(&self, source: &str) -> Result<AST, ParseError> {
        self.engine.compile_with_scope(&self.scope, source)
    }

    /// Compiles and runs `source`; functions it defines stay defined for later inputs,
    /// and so do its top-level variables. Returns the value of its last expression.
    pub fn run(&mut self, source: &str) -> Result<Dynamic, ScriptError> {
        let ast = self.compile(source)?;
        Ok(self.eval(&ast)?)
    }

    /// Runs a compiled script in the session (see [`Session::run`]).
    pub fn eval(&mut self, ast: &AST) -> Result<Dynamic, Box<EvalAltResult>> {
        let combined = self.functions.merge(ast);
        let result = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &combined);
        self.functions = combined.clone_functions_only();
        result
    }

    /// The names of the functions the inputs so far defined.
    pub fn script_functions(&self) -> Vec<String> {
        self.functions
            .iter_functions()
            .map(|f| f.name.to_string())
            .collect()
    }

    /// Warnings about `--set` values the script cannot see: a name defined again with
    /// `let` (which hides the command line's value) and a name `source` never mentions.
    /// Call after compiling `source`.
    pub fn param_warnings(&self, source: &str) -> Vec<String> {
        let params = self.run.params.borrow().clone();
        let shadowed = self.shadowed.borrow();
        let mut out = Vec::new();
        for (name, _) in params.iter() {
            let asked = source.contains(&format!("param(\"{name}\""));
            if shadowed.contains(name) && !asked {
                out.push(format!(
                    "--set {name}: the script defines its own `{name}` with `let`, which hides the value given here; write `let {name} = param(\"{name}\", ...);` in the script to let --set override it"
                ));
            } else if !asked && !super::lint::mentions(source, name) {
                out.push(format!("--set {name}: the script never reads `{name}`"));
            }
        }
        out
    }

    /// The summary columns the script set with `summary`, plus the entries of `value`
    /// when it is a map (a batch script's last expression).
    pub fn summary_columns(&self, value: &Dynamic) -> Map {
        let mut columns = self.run.summary.borrow().clone();
        if let Some(m) = value.read_lock::<Map>() {
            for (k, v) in m.iter() {
                columns.insert(k.clone(), v.clone());
            }
        }
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(params: Vec<(String, Dynamic)>) -> Session {
        let dir = std::env::temp_dir();
        Session::new(SessionConfig {
            limits: Limits::default(),
            sandbox: Sandbox::new(&dir, None, &[], &dir.join("pacer-session-test")),
            output: Output::Buffer(Rc::default()),
            tables: Vec::new(),
            params,
            constants: Vec::new(),
            seed: 0,
        })
    }

    #[test]
    fn variables_and_functions_persist_until_reset() {
        let mut s = session(Vec::new());
        assert!(s.run("let x = 6; fn f(a) { a * 7 }").is_ok());
        assert_eq!(s.run("f(x)").ok().and_then(|v| v.as_int().ok()), Some(42));
        s.reset();
        assert!(s.run("x").is_err());
        assert!(s.run("f(1)").is_err());
    }

    #[test]
    fn params_override_defaults_and_shadowing_is_reported() {
        let mut s = session(vec![("goal".into(), Dynamic::from_int(3_000_000))]);
        let v = s.run("let goal = param(\"goal\", 2000000); goal");
        assert_eq!(v.ok().and_then(|v| v.as_int().ok()), Some(3_000_000));
        assert!(s
            .param_warnings("let goal = param(\"goal\", 2000000); goal")
            .is_empty());
        let v = s.run("param(\"missing\", 5)");
        assert_eq!(v.ok().and_then(|v| v.as_int().ok()), Some(5));

        let mut s = session(vec![("goal".into(), Dynamic::from_int(3_000_000))]);
        let src = "let goal = 2000000; goal";
        assert!(s.run(src).is_ok());
        let w = s.param_warnings(src);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("hides the value"), "{w:?}");
        let mut s = session(vec![("goal".into(), Dynamic::from_int(3_000_000))]);
        assert!(s.run("let budget = 5;").is_ok());
        let w = s.param_warnings("let budget = 5;");
        assert!(w[0].contains("never reads `goal`"), "{w:?}");
        assert!(super::super::lint::mentions("print(goal)", "goal"));
        assert!(!super::super::lint::mentions(
            "print(goals, \"goal\")",
            "goal"
        ));
    }
}
