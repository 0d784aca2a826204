//! The layering rule: domain modules are plain Rust. Nothing outside `src/script/` and
//! `src/cli/` (and the crate root) may name Rhai, the script layer or the CLI.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn domain_modules_do_not_name_the_script_layer_or_the_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offenders = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("script/")
            || rel.starts_with("cli/")
            || rel == "main.rs"
            || rel == "lib.rs"
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("readable");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("rhai::")
                || code.contains("use rhai")
                || code.contains("crate::script")
                || code.contains("crate::cli")
            {
                offenders.push(format!("src/{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain code names the script layer or the CLI:\n{}",
        offenders.join("\n")
    );
}

/// Domains return data; everything a person reads (number formats, sentences, charts,
/// reports) is written in `src/render/`. No domain folder may name it.
#[test]
fn domain_folders_do_not_name_the_presentation_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for domain in [
        "abtest",
        "budget",
        "events",
        "funnel",
        "review",
        "scenario",
        "sop",
        "table",
        "warehouse",
    ] {
        let mut files = Vec::new();
        rust_files(&src.join(domain), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("readable");
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains("crate::render") || code.contains("super::super::render") {
                    offenders.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain code names render (move the presentation into src/render/):\n{}",
        offenders.join("\n")
    );
}
