//! Every ```rhai example in the function reference runs (from the repository root),
//! so the reference cannot show code that does not work.

mod common;

use pacer::script::reference_markdown;
use pacer::script::{build_engine, EngineConfig, Limits, Output, Sandbox};
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn reference_examples_run() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).expect("cd to the repository root");
    let out = tempfile::tempdir().expect("temp dir");
    let md = reference_markdown();
    let blocks = common::rhai_blocks(&md);
    assert!(blocks.len() >= 5, "expected examples in the reference");
    for code in blocks {
        let buf = Rc::new(RefCell::new(String::new()));
        let (engine, _ctx) = build_engine(EngineConfig {
            limits: Limits::default(),
            sandbox: Sandbox::new(&root, None, &[], out.path()),
            output: Output::Buffer(buf),
        });
        if let Err(e) = engine.run(&code) {
            panic!("reference example failed: {e}\n{code}");
        }
    }
}
