//! The command line, end to end: run, check, repl, batch, docs, limits and the sandbox.

mod common;
use common::*;

#[test]
fn hello_script_totals_channels() {
    let (dir, _) = script_matches_golden("scripts/hello.rhai", "hello.stdout");
    let out = dir.path();
    let csv = std::fs::read_to_string(out.join("channels_summary.csv")).expect("summary written");
    assert!(csv.starts_with("channel,clicks,impressions,orders,revenue,spend,ctr,roas\nwechat,7500,250000,230,34500,12500,0.03,2.76\n"), "{csv}");
}

#[test]
fn check_reports_line_column_and_caret() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("bad.rhai"),
        "let a = 1;\nlet b = 2;\nlet c = a +* b;\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("good.rhai"), "let a = 1;\n").expect("write");
    let o = pacer_in(dir.path(), &["check", "good.rhai", "bad.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("bad.rhai:3:12: "), "{e}");
    assert!(e.contains("\nlet c = a +* b;\n           ^\n"), "{e}");
    let ok = pacer_in(dir.path(), &["check", "good.rhai"], "");
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(stdout(&ok), "ok: 1 file\n");
    std::fs::write(
        dir.path().join("calls.rhai"),
        "fn f(a) { a }\nlet x = f(1, 2);\nundefined_fn(3);\n",
    )
    .expect("write");
    let o = pacer_in(dir.path(), &["check", "calls.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("calls.rhai:2:9: function f takes 1 argument, this call gives 2"),
        "{e}"
    );
    assert!(
        e.contains("calls.rhai:3:1: unknown function undefined_fn"),
        "{e}"
    );
}

#[test]
fn repl_reads_piped_statements() {
    let dir = workdir();
    let o = pacer_in(dir.path(), &["repl"], "let x = 6;\nx * 7\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
    let o = pacer_in(
        dir.path(),
        &["repl"],
        "fn double(x) {\n    x * 2\n}\ndouble(21)\n",
    );
    assert_eq!(stdout(&o), "42\n", "{}", stderr(&o));
    let o = pacer_in(
        dir.path(),
        &["repl"],
        "let t = table([#{ a: 1 }, #{ a: 2 }]);\n:vars\nt.rows\n:help head\n",
    );
    let s = stdout(&o);
    assert!(s.contains("t: Table (2 rows: a)"), "{s}");
    assert!(s.contains("\n2\n"), "{s}");
    assert!(s.contains("Table.head(n: int) -> Table"), "{s}");
}

#[test]
fn repl_loads_scripts_and_reports_errors() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("f.rhai"),
        "fn triple(x) { x * 3 }\nlet base = 5;\n",
    )
    .expect("write");
    let o = pacer_in(
        dir.path(),
        &["repl"],
        ":load f.rhai\ntriple(base)\nnope(1)\n",
    );
    assert_eq!(stdout(&o), "loaded f.rhai\n15\n");
    assert!(
        stderr(&o).contains("unknown function nope"),
        "{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn run_binds_data_and_set() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("s.rhai"),
        "print(ctr * 2); print(label); print(flag); print(d.rows); print(d.col(\"users\"));",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("d.csv"),
        "stage,users\nvisit,100\norder,7\n",
    )
    .expect("write");
    let o = pacer_in(
        dir.path(),
        &[
            "run",
            "s.rhai",
            "--data",
            "d=d.csv",
            "--set",
            "ctr=2.5%",
            "--set",
            "label=summer",
            "--set",
            "flag=true",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0.05\nsummer\ntrue\n2\n[100, 7]\n");
}

#[test]
fn runaway_scripts_stop_with_the_limit_named() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("loop.rhai"),
        "let x = 0;\nloop { x += 1; }\n",
    )
    .expect("write");
    let o = pacer_in(dir.path(), &["run", "loop.rhai", "--max-ops", "100000"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("operation limit of 100,000 operations (raise it with --max-ops N)"),
        "{}",
        stderr(&o)
    );
    let o = pacer_in(
        dir.path(),
        &[
            "run",
            "loop.rhai",
            "--timeout",
            "1",
            "--max-ops",
            "100000000000",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("time limit of 1 s (raise it with --timeout SECS)"),
        "{}",
        stderr(&o)
    );
    std::fs::write(dir.path().join("rec.rhai"), "fn f(x) { f(x + 1) }\nf(0);\n").expect("write");
    let o = pacer_in(dir.path(), &["run", "rec.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nested deeper than the limit"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sandbox_refuses_reads_outside_and_writes_escaping() {
    let dir = workdir();
    std::fs::write(dir.path().join("a.rhai"), "load_csv(\"/etc/passwd\");").expect("write");
    let o = pacer_in(dir.path(), &["run", "a.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("sandbox: /etc/passwd is outside"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        dir.path().join("b.rhai"),
        "write_csv(table([#{a: 1}]), \"../escape.csv\");",
    )
    .expect("write");
    let o = pacer_in(dir.path(), &["run", "b.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("must be a relative path inside the output directory"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("escape.csv").exists());
    std::fs::write(dir.path().join("c.rhai"), "import \"x\" as y;").expect("write");
    let o = pacer_in(dir.path(), &["run", "c.rhai"], "");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let o = pacer(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = pacer(&["run", "scripts/hello.rhai", "--set", "1x=2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a valid variable name"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = workdir();
    std::fs::write(
        dir.path().join("p.rhai"),
        "for i in 0..200000 { print(`line ${i}`); }",
    )
    .expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacer"))
        .args(["run", "p.rhai"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut first = [0u8; 16];
    let mut out = child.stdout.take().expect("stdout");
    out.read_exact(&mut first).expect("read");
    drop(out);
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn batch_with_a_broken_script_fails_before_reading_inputs() {
    let dir = workdir();
    std::fs::write(dir.path().join("s.rhai"), "let x = ;").expect("write");
    std::fs::write(dir.path().join("a.csv"), "x\n1\n").expect("write");
    let o = pacer_in(
        dir.path(),
        &["batch", "s.rhai", "a.csv", "--out", "res"],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("s.rhai:1:9"), "{}", stderr(&o));
    assert!(!dir.path().join("res").exists());
}

#[test]
fn malformed_csv_errors_name_file_and_line() {
    let dir = workdir();
    let d = dir.path();
    std::fs::write(
        d.join("s.rhai"),
        "if path == \"forced.csv\" { load_csv(path, #{ types: #{ spend: \"float\" } }) } else { load_csv(path) }",
    )
    .expect("write");
    // A few cells that are not numbers: the column is text, and a note says why.
    std::fs::write(d.join("text.csv"), b"spend\n10\n\"1,200\"\n").expect("write");
    let o = pacer_in(d, &["run", "s.rhai", "--set", "path=text.csv"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "text.csv: spend: 1 of 2 cells is not a number (line 3: \"1,200\"); read as text; pass thousands: true"
        ),
        "{}",
        stderr(&o)
    );
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "ragged.csv",
            b"a,b\n1,2\n3\n",
            "ragged.csv:3: this row has 1 fields but the header has 2",
        ),
        (
            "forced.csv",
            b"spend\n10\n\"1,200\"\n",
            "forced.csv:3: column 'spend': expected a number (like 1200, 0.05 or 5%), got \"1,200\"; it looks like a thousands separator",
        ),
        (
            "quote.csv",
            b"a,b\n1,2\n3,\"4\n5,6\n",
            "quote.csv:3: a quoted field is not closed before the end of the file",
        ),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("utf8.csv", b"a\n\xff\n", "utf8.csv:2: invalid UTF-8"),
    ];
    for (name, body, expected) in cases {
        std::fs::write(d.join(name), body).expect("write");
        let o = pacer_in(d, &["run", "s.rhai", "--set", &format!("path={name}")], "");
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(expected), "{name}: {}", stderr(&o));
        if name == "forced.csv" {
            // Types are a script option; `--data` infers.
            continue;
        }
        let o = pacer_in(
            d,
            &[
                "run",
                "s.rhai",
                "--set",
                "path=x.csv",
                "--data",
                &format!("x={name}"),
            ],
            "",
        );
        assert!(
            stderr(&o).contains(expected),
            "{name} via --data: {}",
            stderr(&o)
        );
    }
}

#[test]
fn reference_is_up_to_date() {
    let o = pacer(&["docs"]);
    assert_eq!(o.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(root().join("docs/reference.md")).expect("docs/reference.md");
    assert!(
        committed == stdout(&o),
        "docs/reference.md is stale: regenerate it with `cargo run -- docs > docs/reference.md`"
    );
    let json = pacer(&["docs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn misspelled_function_gets_a_suggestion() {
    let dir = workdir();
    std::fs::write(dir.path().join("s.rhai"), "let t = load_cvs(\"x.csv\");").expect("write");
    let o = pacer_in(dir.path(), &["run", "s.rhai"], "");
    assert!(stderr(&o).contains("unknown function load_cvs (&str | ImmutableString | String) (did you mean 'load_csv'?)") || stderr(&o).contains("(did you mean 'load_csv'?)"), "{}", stderr(&o));
}

#[test]
fn repl_echoes_domain_values_as_print_shows_them() {
    let dir = workdir();
    let o = pacer_in(
        dir.path(),
        &["repl"],
        "let f = funnel([#{ name: \"visit\", rate: \"15%\" }, #{ name: \"buy\", rate: \"40%\" }], #{ aov: 150 });\nf\n:vars\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Funnel visit 15.0% -> buy 40.0% (overall 6.0%, aov 150)"),
        "{text}"
    );
    assert!(text.contains("f: Funnel"), "{text}");
    assert!(!text.contains("pacer::"), "{text}");
}

#[test]
fn set_values_read_like_csv_cells_and_param_gives_defaults() {
    let dir = workdir();
    let o = run_in_with(
        dir.path(),
        "let goal = param(\"goal\", 2000000);\nprint(goal);\nprint(param(\"start\", \"\"));\nprint(param(\"ctr\", 0.02));\nprint(param(\"aov\", 150));",
        &["--set", "goal=3,000,000", "--set", "start=2024-07-01", "--set", "ctr=2.5%"],
    );
    assert_eq!(o.0, Some(0), "{}", o.2);
    assert_eq!(o.1, "3000000\n2024-07-01\n0.025\n150\n");
    assert_eq!(o.2, "");
    // A `let` that hides a --set, a --set nobody reads, an ambiguous value: warnings.
    let o = run_in_with(
        dir.path(),
        "let goal = 2000000;\nprint(goal);",
        &[
            "--set",
            "goal=3000000",
            "--set",
            "unused=1,200",
            "--set",
            "x=1,5",
        ],
    );
    assert_eq!(o.0, Some(0), "{}", o.2);
    assert_eq!(o.1, "2000000\n");
    assert!(
        o.2.contains("warning: --set goal: the script defines its own `goal` with `let`"),
        "{}",
        o.2
    );
    assert!(
        o.2.contains("warning: --set unused: the script never reads `unused`"),
        "{}",
        o.2
    );
    assert!(
        o.2.contains("warning: --set unused=1,200: read as 1200 (a thousands separator)"),
        "{}",
        o.2
    );
    assert!(
        o.2.contains("warning: --set x=1,5: read as text"),
        "{}",
        o.2
    );
}

#[test]
fn docs_name_help_completions_and_color() {
    let o = pacer(&["docs", "ab_report"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("### `ab_report("), "{}", stdout(&o));
    let o = pacer(&["docs", "ab_reprot"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean 'ab_report'?"),
        "{}",
        stderr(&o)
    );
    let o = pacer(&["docs", "abtest"]);
    assert!(stdout(&o).starts_with("## abtest"), "{}", stdout(&o));

    let o = pacer(&["--help"]);
    let h = stdout(&o);
    assert!(
        h.contains("Examples:") && h.contains("Exit codes:") && h.contains("130"),
        "{h}"
    );
    let o = pacer(&["batch", "--help"]);
    assert!(stdout(&o).contains("--shard <I/N>"), "{}", stdout(&o));

    for shell in ["bash", "zsh", "fish"] {
        let o = pacer(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("pacer"), "{shell}");
        assert!(stdout(&o).contains("repl"), "{shell}");
    }

    let dir = workdir();
    let o = pacer_in(
        dir.path(),
        &["run", "missing.rhai", "--color", "always"],
        "",
    );
    assert!(
        stderr(&o).starts_with("\x1b[1;31merror:\x1b[0m missing.rhai"),
        "{:?}",
        stderr(&o)
    );
    let o = pacer_in(dir.path(), &["run", "missing.rhai"], "");
    assert!(
        stderr(&o).starts_with("error: missing.rhai: cannot read the script"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_library_builds_without_the_command_line() {
    // The library's dependencies exclude the CLI's when the `cli` feature is off.
    let o = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--no-default-features",
            "--prefix",
            "none",
        ])
        .current_dir(root())
        .output()
        .expect("cargo tree");
    if !o.status.success() {
        return; // no registry cache to resolve from: nothing to check here
    }
    let tree = String::from_utf8_lossy(&o.stdout);
    for dep in [
        "clap ",
        "rustyline ",
        "indicatif ",
        "signal-hook ",
        "clap_complete ",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(dep)),
            "{dep}in:\n{tree}"
        );
    }
}

#[test]
fn seed_flag_is_the_default_seed_of_draws() {
    let dir = workdir();
    let code = "print(simulate(2000, #{}, |d| d.uniform(0.0, 1.0)).mean);\nprint(simulate(2000, #{ seed: 7 }, |d| d.uniform(0.0, 1.0)).mean);";
    let seven = run_in_with(dir.path(), code, &["--seed", "7"]);
    assert_eq!(seven.0, Some(0), "{}", seven.2);
    let lines: Vec<&str> = seven.1.lines().collect();
    assert_eq!(lines[0], lines[1], "--seed 7 draws as #{{ seed: 7 }} does");
    let zero = run_in(dir.path(), code);
    assert_ne!(
        zero.1.lines().next(),
        Some(lines[0]),
        "another seed, other draws"
    );
}
