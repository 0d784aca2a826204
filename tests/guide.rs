//! The user guide cannot drift from the code: every ```rhai block of docs/guide.md runs,
//! in order, in one session (as a planner would type them into the REPL or a script),
//! from the repository root; a ```text block right after a ```rhai block is what that
//! block prints, compared exactly; and every picture the guide shows (`![..](img/NAME)`)
//! is the file of that name the blocks write, byte for byte.
//! `BLESS=1 cargo test --test guide` rewrites the text blocks and the pictures.

use pacer::script::{build_engine, EngineConfig, Limits, Output, Sandbox};
use std::cell::RefCell;
use std::rc::Rc;

/// A fenced block of the guide: its language, its text, and its lines (0-based: the
/// opening fence and the closing fence).
struct Block {
    lang: String,
    text: String,
    open: usize,
    close: usize,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_end();
        match current.as_mut() {
            None => {
                if let Some(lang) = t.strip_prefix("```") {
                    current = Some(Block {
                        lang: lang.trim().to_string(),
                        text: String::new(),
                        open: i,
                        close: i,
                    });
                }
            }
            Some(b) => {
                if t == "```" {
                    b.close = i;
                    out.extend(current.take());
                } else {
                    b.text.push_str(line);
                    b.text.push('\n');
                }
            }
        }
    }
    out
}

/// The picture names the guide shows: `](img/NAME)`.
fn pictures(md: &str) -> Vec<String> {
    md.split("](img/")
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn guide_blocks_run_and_show_what_they_print() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).expect("cd to the repository root");
    let path = root.join("docs/guide.md");
    let md = std::fs::read_to_string(&path).expect("docs/guide.md");
    let lines: Vec<&str> = md.lines().collect();
    let bless = std::env::var_os("BLESS").is_some();
    let out = tempfile::tempdir().expect("temp dir");
    let buf = Rc::new(RefCell::new(String::new()));
    let (engine, _ctx) = build_engine(EngineConfig {
        limits: Limits::default(),
        sandbox: Sandbox::new(&root, None, &[], out.path()),
        output: Output::Buffer(buf.clone()),
    });
    let mut scope = rhai::Scope::new();
    let all = blocks(&lines);
    let (mut ran, mut compared) = (0, 0);
    // (first line, last line, new text) of text blocks to rewrite when blessing.
    let mut rewrites: Vec<(usize, usize, String)> = Vec::new();
    for (i, b) in all.iter().enumerate() {
        if b.lang != "rhai" {
            continue;
        }
        buf.borrow_mut().clear();
        if let Err(e) = engine.run_with_scope(&mut scope, &b.text) {
            panic!(
                "docs/guide.md:{}: the block fails: {e}\n{}",
                b.open + 1,
                b.text
            );
        }
        ran += 1;
        let Some(next) = all.get(i + 1).filter(|n| n.lang == "text") else {
            continue;
        };
        let printed = buf.borrow().trim_end().to_string();
        if bless {
            rewrites.push((next.open + 1, next.close, printed));
        } else {
            assert_eq!(
                printed,
                next.text.trim_end(),
                "docs/guide.md:{}: the block prints something else than the guide shows at line {} (BLESS=1 rewrites it)",
                b.open + 1,
                next.open + 1
            );
        }
        compared += 1;
    }
    let pics = pictures(&md);
    for name in &pics {
        let made = std::fs::read(out.path().join(name))
            .unwrap_or_else(|_| panic!("docs/guide.md shows img/{name}, which no block writes"));
        let shown = root.join("docs/img").join(name);
        if bless {
            std::fs::create_dir_all(root.join("docs/img")).expect("docs/img");
            std::fs::write(&shown, &made).expect("write picture");
        } else {
            let committed = std::fs::read(&shown).unwrap_or_default();
            assert!(
                committed == made,
                "docs/img/{name} is not what the guide's blocks draw (BLESS=1 rewrites it)"
            );
        }
    }
    if bless {
        let mut new: Vec<String> = Vec::new();
        let mut at = 0;
        for (first, end, text) in rewrites {
            new.extend(lines[at..first].iter().map(|s| s.to_string()));
            if !text.is_empty() {
                new.push(text);
            }
            at = end;
        }
        new.extend(lines[at..].iter().map(|s| s.to_string()));
        std::fs::write(&path, new.join("\n") + "\n").expect("rewrite the guide");
    }
    assert!(
        ran >= 10,
        "the guide should walk through the campaign ({ran} blocks)"
    );
    assert!(
        compared >= 5,
        "the guide should show what its blocks print ({compared})"
    );
    assert!(
        pics.len() >= 3,
        "the guide should show its pictures ({})",
        pics.len()
    );
}
