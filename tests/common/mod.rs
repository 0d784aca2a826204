//! Shared helpers for the integration tests: running the binary in a work directory
//! and comparing output with golden files (`BLESS=1 cargo test` rewrites them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary work directory.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Runs `pacer` with `args` in `dir`, with `stdin` piped in.
pub fn pacer_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacer"))
        .args(args)
        .current_dir(dir)
        .env_remove("XDG_STATE_HOME")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pacer starts");
    if let Some(mut s) = child.stdin.take() {
        let _ = s.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("pacer runs")
}

/// Runs `pacer` with `args` at the repository root.
pub fn pacer(args: &[&str]) -> Output {
    pacer_in(&root(), args, "")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Compares `actual` with `tests/golden/NAME`; with `BLESS=1` rewrites the file.
pub fn golden(name: &str, actual: &str) {
    let path = root().join("tests").join("golden").join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}; run with BLESS=1", path.display()));
    assert_eq!(
        expected,
        actual,
        "output differs from {} (BLESS=1 rewrites it)",
        path.display()
    );
}

/// Runs `script` (from the repository root) with a fresh output folder, checks that it
/// succeeds, and compares its standard output, with the folder written as `OUT`, with
/// `tests/golden/NAME`. Returns the output folder (kept alive by the `TempDir`) and the
/// output as compared.
pub fn script_matches_golden(script: &str, name: &str) -> (tempfile::TempDir, String) {
    let out = workdir();
    let path = out.path().to_str().expect("utf8").to_string();
    let o = pacer(&["run", script, "--out", &path]);
    assert_eq!(o.status.code(), Some(0), "{script}: {}", stderr(&o));
    let text = stdout(&o).replace(&path, "OUT");
    golden(name, &text);
    (out, text)
}

/// The page at `page` as a headless browser renders it (its DOM), with every request sent
/// to a closed local port so that nothing can come from the network; `None` when no
/// chromium is installed (`.ci/run` installs Debian's when it can).
pub fn headless_dom(page: &Path) -> Option<String> {
    headless(page, &["--dump-dom"]).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The installed headless browser, or `None` with a loud message; in CI
/// (`PACER_REQUIRE_BROWSER=1`, set by `.ci/run`) a missing browser fails the test.
fn browser() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("PACER_REQUIRE_BROWSER").is_none(),
            "PACER_REQUIRE_BROWSER is set but no chromium is installed"
        );
        eprintln!("SKIPPED: no chromium on this machine (install Debian's chromium; .ci/run does)");
    }
    found
}

/// Runs the headless browser on `page` with `args`, every request sent to a closed
/// local port; `None` when no browser is installed.
pub fn headless(page: &Path, args: &[&str]) -> Option<std::process::Output> {
    let browser = browser()?;
    let profile = workdir();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--proxy-server=127.0.0.1:9",
            "--window-size=1200,1600",
        ])
        .args(args)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("the browser runs");
    Some(o)
}

/// The layout of `page` as the headless browser lays it out: a copy of the page with
/// a script that measures, after layout, whether the headline box is there (and its
/// size) and which table cells' text overflows them, writing what it found into the
/// page; `None` without a browser. Lines: `headline W H`, then `overflow <cell text>`.
pub fn headless_layout(page: &Path) -> Option<Vec<String>> {
    let html = std::fs::read_to_string(page).expect("page readable");
    let probe = "<script>window.addEventListener('load',()=>{const out=[];\
const h=document.querySelector('.headline');\
if(h){const r=h.getBoundingClientRect();out.push('headline '+Math.round(r.width)+' '+Math.round(r.height));}\
for(const c of document.querySelectorAll('td,th,.headline dd')){if(c.scrollWidth>c.clientWidth+1){out.push('overflow '+c.textContent.trim().slice(0,60));}}\
const p=document.createElement('pre');p.id='layout-check';p.textContent=out.join('\\n');document.body.appendChild(p);});</script>";
    let probed = html.replace("</body>", &format!("{probe}</body>"));
    let dir = workdir();
    let copy = dir.path().join("probe.html");
    std::fs::write(&copy, probed).expect("write probe");
    let dom = headless_dom(&copy)?;
    let marker = "<pre id=\"layout-check\">";
    let start = dom.find(marker).expect("the probe ran") + marker.len();
    let end = dom[start..].find("</pre>").expect("probe output closed") + start;
    Some(dom[start..end].lines().map(str::to_string).collect())
}

/// What a run gives: the exit code, standard output and standard error.
pub type Run = (Option<i32>, String, String);

/// Runs `code` as `s.rhai` in `dir` with `extra` arguments.
pub fn run_in_with(dir: &Path, code: &str, extra: &[&str]) -> Run {
    std::fs::write(dir.join("s.rhai"), code).expect("write script");
    let mut args = vec!["run", "s.rhai"];
    args.extend_from_slice(extra);
    let o = pacer_in(dir, &args, "");
    (o.status.code(), stdout(&o), stderr(&o))
}

/// Runs `code` as `s.rhai` in `dir`.
pub fn run_in(dir: &Path, code: &str) -> Run {
    run_in_with(dir, code, &[])
}

/// Runs `code` in a fresh folder holding `files` (name, text).
pub fn run_with_files(code: &str, files: &[(&str, &str)]) -> Run {
    let dir = workdir();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write file");
    }
    run_in(dir.path(), code)
}

/// Runs `code` in a fresh, empty folder.
pub fn run_snippet(code: &str) -> Run {
    run_with_files(code, &[])
}

/// Runs `code` (kept in a temporary folder) from the repository root, so that
/// `fixtures/...` paths resolve.
pub fn run_at_root(code: &str) -> Run {
    let dir = workdir();
    let script = dir.path().join("s.rhai");
    std::fs::write(&script, code).expect("write script");
    let o = pacer(&["run", script.to_str().expect("utf8")]);
    (o.status.code(), stdout(&o), stderr(&o))
}

/// The ```rhai code blocks of a Markdown text, in order.
pub fn rhai_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim()) {
            (None, "```rhai") => current = Some(String::new()),
            (Some(code), "```") => {
                blocks.push(code.clone());
                current = None;
            }
            (Some(code), _) => {
                code.push_str(line);
                code.push('\n');
            }
            _ => {}
        }
    }
    blocks
}
