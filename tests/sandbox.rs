//! The sandbox, end to end: every function that writes refuses a folder under `--out`
//! that is a symbolic link leading out of it (and follows links that stay inside), and
//! "did you mean" never names a file outside the places a script may read.

mod common;
use common::*;
use std::path::Path;

/// A work folder with `out/evil -> <elsewhere>` and `out/inner/alias -> out/real`,
/// plus the fixtures the writers need.
#[cfg(unix)]
fn linked() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = workdir();
    let elsewhere = workdir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("real")).expect("out/real");
    std::fs::create_dir_all(out.join("inner")).expect("out/inner");
    std::os::unix::fs::symlink(elsewhere.path(), out.join("evil")).expect("link out");
    std::os::unix::fs::symlink(out.join("real"), out.join("inner/alias")).expect("link in");
    std::fs::copy(
        root().join("fixtures/review/summer_metrics.csv"),
        dir.path().join("metrics.csv"),
    )
    .expect("copy metrics");
    (dir, elsewhere)
}

/// Each writer, as a script writing to the file name `NAME` (replaced per case).
const WRITERS: &[(&str, &str)] = &[
    ("write_csv", r#"write_csv(table([#{ a: 1 }]), "NAME.csv");"#),
    (
        "write_html",
        r#"let r = report("t"); r.write_html("NAME.html");"#,
    ),
    ("write_md", r#"let r = report("t"); r.write_md("NAME.md");"#),
    ("write_text", r#"write_text("NAME.txt", "hello");"#),
    (
        "gantt",
        r#"let p = schedule([#{ id: "a", duration: 2 }], #{ start: "2024-06-03" }); p.gantt("NAME.svg");"#,
    ),
    (
        "write_ics",
        r#"let p = schedule([#{ id: "a", duration: 2 }], #{ start: "2024-06-03" }); p.write_ics("NAME.ics");"#,
    ),
    (
        "chart",
        r#"let f = funnel([#{ name: "visit", rate: 0.15 }]); f.forward(1000).chart("NAME.svg");"#,
    ),
    (
        "review_report",
        r#"review_report(review("metrics.csv"), #{ html: "NAME.html", md: "NAME.md" });"#,
    ),
];

fn files_in(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn every_writer_refuses_a_link_that_leaves_out() {
    for (function, code) in WRITERS {
        let (dir, elsewhere) = linked();
        let (code_rc, _, err) = run_in(dir.path(), &code.replace("NAME", "evil/x"));
        assert_eq!(code_rc, Some(1), "{function}: {err}");
        assert!(
            err.contains("is a link that leads outside the output directory"),
            "{function}: {err}"
        );
        assert!(
            files_in(elsewhere.path()).is_empty(),
            "{function} wrote outside: {:?}",
            files_in(elsewhere.path())
        );
        // Deeper folders under the link are refused too, and not created there.
        let (code_rc, _, err) = run_in(dir.path(), &code.replace("NAME", "evil/a/b/x"));
        assert_eq!(code_rc, Some(1), "{function}: {err}");
        assert!(files_in(elsewhere.path()).is_empty(), "{function}");
    }
}

#[cfg(unix)]
#[test]
fn every_writer_follows_a_link_that_stays_inside_out() {
    for (function, code) in WRITERS {
        let (dir, _elsewhere) = linked();
        let (code_rc, _, err) = run_in(dir.path(), &code.replace("NAME", "inner/alias/x"));
        assert_eq!(code_rc, Some(0), "{function}: {err}");
        assert!(
            !files_in(&dir.path().join("out/real")).is_empty(),
            "{function} wrote nothing into out/real"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_that_is_a_link_is_replaced_not_written_through() {
    let (dir, elsewhere) = linked();
    let target = elsewhere.path().join("target.csv");
    std::fs::write(&target, "keep\n").expect("target");
    std::os::unix::fs::symlink(&target, dir.path().join("out/x.csv")).expect("file link");
    let (rc, _, err) = run_in(dir.path(), r#"write_csv(table([#{ a: 1 }]), "x.csv");"#);
    assert_eq!(rc, Some(0), "{err}");
    assert_eq!(
        std::fs::read_to_string(&target).ok().as_deref(),
        Some("keep\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/x.csv"))
            .ok()
            .as_deref(),
        Some("a\n1\n")
    );
}

#[test]
fn suggestions_name_only_files_inside_the_sandbox() {
    let dir = workdir();
    std::fs::write(dir.path().join("channels.csv"), "x\n1\n").expect("file");
    // /etc/passwd exists on any unix machine; a near miss of it must not be confirmed.
    for path in ["/etx/passwd", "/etc/paswd", "../../../../../etc/paswd"] {
        let (rc, _, err) = run_in(dir.path(), &format!("load_csv({path:?});"));
        assert_eq!(rc, Some(1), "{err}");
        assert!(!err.contains("did you mean"), "{path}: {err}");
        assert!(err.contains("is outside the places"), "{path}: {err}");
    }
    // Inside, the suggestion still comes.
    let (_, _, err) = run_in(dir.path(), r#"load_csv("chanels.csv");"#);
    assert!(err.contains("did you mean channels.csv?"), "{err}");
}

#[cfg(unix)]
#[test]
fn suggestions_do_not_follow_links_out_of_the_sandbox() {
    let dir = workdir();
    let elsewhere = workdir();
    std::fs::write(elsewhere.path().join("secret.csv"), "x\n1\n").expect("secret");
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("link")).expect("link");
    let (rc, _, err) = run_in(dir.path(), r#"load_csv("link/secrte.csv");"#);
    assert_eq!(rc, Some(1), "{err}");
    assert!(!err.contains("secret"), "{err}");
}
