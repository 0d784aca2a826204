//! Hostile input, end to end: limits that bind closures called from native code,
//! memory, inputs that used to panic, numbers that used to come out NaN or rounded,
//! and messages that used to show Rust's internals.

mod common;
use common::*;

/// Runs `code` with `flags` in a fresh folder and returns (exit code, stderr).
fn run_flags(code: &str, flags: &[&str]) -> (Option<i32>, String, String) {
    let dir = workdir();
    run_in_with(dir.path(), code, flags)
}

fn stopped_by(code: &str, flags: &[&str], flag: &str) {
    let (rc, out, err) = run_flags(code, flags);
    assert_eq!(rc, Some(1), "{code}\nstdout: {out}\nstderr: {err}");
    assert!(
        err.contains("the script was stopped") && err.contains(flag),
        "{code}: {err}"
    );
}

/// A closure doing about 100 operations per call.
const BUSY: &str = "{ let s = 0; for i in 0..30 { s += i; } s }";

#[test]
fn closures_called_from_native_code_count_toward_max_ops() {
    for code in [
        format!("let t = sweep(#{{ x: 0..2000 }}, |p| {BUSY}); print(t.rows);"),
        "print(goal_seek(|x| { let s = 0; for i in 0..3000 { s += i; } x }, 0.5, 0, 1));".to_string(),
        format!("let s = simulate(20000, #{{ seed: 1 }}, |d| {BUSY}); print(s.mean);"),
        "let t = tornado(#{ a: 1, b: 2 }, #{ a: [0, 2], b: [1, 3] }, |p| { let s = 0; for i in 0..3000 { s += i; } s }); print(t);".to_string(),
        format!("let a = []; a.pad(20000, 1); print(a.map(|x| {BUSY}).len());"),
        format!("let rows = []; for i in 0..2000 {{ rows.push(#{{ a: i }}); }} let t = table(rows); print(t.filter(|r| {{ let s = {BUSY}; s > 0 }}).rows);"),
        format!("let a = []; a.pad(20000, 1); print(a.filter(|x| {{ let s = {BUSY}; s > 0 }}).len());"),
        format!("let a = []; for i in 0..2000 {{ a.push(2000 - i); }} a.sort(|x, y| {{ let s = {BUSY}; x - y }}); print(a[0]);"),
    ] {
        // The same script runs under the default limit.
        stopped_by(&code, &["--max-ops", "20000"], "--max-ops");
    }
    let (rc, _, err) = run_flags(
        &format!("let t = sweep(#{{ x: 0..20 }}, |p| {BUSY}); print(t.rows);"),
        &["--max-ops", "20000"],
    );
    assert_eq!(rc, Some(0), "{err}");
}

#[test]
fn closures_called_from_native_code_stop_at_the_time_limit() {
    let slow = "{ let s = 0; for i in 0..100000 { s += i; } s }";
    for code in [
        format!("let t = sweep(#{{ x: 0..100000 }}, |p| {slow}); print(t.rows);"),
        // Each call alone outlasts the limit; the second is refused.
        "print(goal_seek(|x| { let s = 0; for i in 0..1000000 { s += i; } x }, 0.5, 0, 1));"
            .to_string(),
        format!("let s = simulate(100000, #{{ seed: 1 }}, |d| {slow}); print(s.mean);"),
        format!("let a = []; a.pad(100000, 1); print(a.map(|x| {slow}).len());"),
    ] {
        stopped_by(&code, &["--timeout", "0.3"], "--timeout");
    }
}

#[test]
fn a_poisson_draw_with_a_huge_mean_is_an_error_not_a_hang() {
    let (rc, _, err) = run_flags(
        "let s = simulate(1, #{ seed: 1 }, |d| d.poisson(1e308)); print(s);",
        &["--timeout", "5"],
    );
    assert_eq!(rc, Some(1), "{err}");
    assert!(
        err.contains("poisson: lambda must be at most 1e7") && err.contains("got 1e308"),
        "{err}"
    );
}

#[test]
fn values_cannot_grow_past_the_size_limits() {
    // A 16 MB string, doubled from 8 bytes.
    let big = r#"let s = "xxxxxxxx"; for i in 0..21 { s += s; }"#;
    for (code, what) in [
        (
            format!("{big} let a = [0, 0, 0, 0, 0]; for i in 0..5 {{ a[i] = s; }} print(a.len());"),
            "a string",
        ),
        (
            format!("{big} let m = #{{}}; for i in 0..5 {{ m[`k${{i}}`] = s; }} print(m.len());"),
            "a string",
        ),
        (
            "let m = #{}; for i in 0..200000 { m[`k${i}`] = i; } print(m.len());".to_string(),
            "an object map",
        ),
    ] {
        let (rc, _, err) = run_flags(&code, &[]);
        assert_eq!(rc, Some(1), "{code}: {err}");
        assert!(err.contains(what) && err.contains("limit"), "{code}: {err}");
    }
}

#[test]
fn memory_past_max_memory_stops_the_script_with_an_error() {
    let code = r#"let s = "xxxxxxxx"; for i in 0..21 { s += s; }
        let a = s + "1"; let b = s + "2"; let c = s + "3"; let d = s + "4"; print(d.len());"#;
    stopped_by(code, &["--max-memory", "40MiB"], "--max-memory");
    let (_, _, err) = run_flags(code, &["--max-memory", "40MiB"]);
    assert!(err.contains("more than the limit of 40 MiB"), "{err}");
    let (rc, out, err) = run_flags(code, &[]);
    assert_eq!((rc, out.trim()), (Some(0), "16777217"), "{err}");
    let (rc, _, err) = run_flags("print(1);", &["--max-memory", "lots"]);
    assert_eq!(rc, Some(2), "{err}");
    assert!(
        err.contains("--max-memory \"lots\": expected a size"),
        "{err}"
    );
}

#[test]
fn inputs_that_panicked_are_answers_or_errors() {
    let (rc, out, err) = run_flags(
        "print(dist_beta(1, 1).quantile(1e-300)); print(dist_poisson(1e7).quantile(0.5));",
        &[],
    );
    assert_eq!(rc, Some(0), "{err}");
    assert_eq!(out, "9.999999999999669e-301\n10000000.0\n");
    let (rc, _, err) = run_flags("print(dist_poisson(1e10).quantile(0.5));", &[]);
    assert_eq!(rc, Some(1), "{err}");
    assert!(err.contains("at most 1e7"), "{err}");
    for t in ["1e19", "1e300", "inf", "NaN", "-1", "0"] {
        let (rc, _, err) = run_flags("print(1);", &[&format!("--timeout={t}")]);
        assert_eq!(rc, Some(2), "--timeout {t}: {err}");
        assert!(err.contains("must be a number of seconds"), "{err}");
    }
    let (rc, out, err) = run_flags("print(1);", &["--timeout", "1e8"]);
    assert_eq!((rc, out.as_str()), (Some(0), "1\n"), "{err}");
}

#[test]
fn numbers_that_were_nan_or_rounded() {
    let (rc, out, err) = run_flags(
        "print(hill(5000, 20000, 1.5).marginal(4.9e-324)); print(fmt(9007199254740993)); print(fmt(9223372036854775807, 1));",
        &[],
    );
    assert_eq!(rc, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("5.89397919263"), "{out}");
    assert_eq!(lines[1], "9,007,199,254,740,993");
    assert_eq!(lines[2], "9,223,372,036,854,775,807.0");
    let (rc, _, err) = run_flags(
        r#"let t = table([#{ stage: "visit", volume: 100, rate: 0.5 }, #{ stage: "buy", volume: 50, rate: 0.2 }]);
           print(funnel_check(t, #{ goal: 1e9, aov: 1e308 }).ok);"#,
        &[],
    );
    assert_eq!(rc, Some(1), "{err}");
    assert!(
        err.contains("funnel_check: the implied revenue (10 conversions x aov 1e308) is beyond"),
        "{err}"
    );
}

#[test]
fn messages_speak_the_scripts_language() {
    let (_, _, err) = run_flags("hill(table([#{ a: 1 }]), 1, 1);", &[]);
    assert!(
        err.contains("hill: top must be a number, got Table"),
        "{err}"
    );
    assert!(!err.contains("::"), "{err}");
    let (_, _, err) = run_flags("hill(\"\u{feff}5\t\", 1, 1);", &[]);
    assert!(err.contains(r#"got string "<U+FEFF>5\t""#), "{err}");
    assert!(!err.contains("\\u{"), "{err}");
    let (_, _, err) = run_flags("print(table([]).row(0));", &[]);
    assert!(
        err.contains("row: row 0 is out of range: the table is empty"),
        "{err}"
    );
    let (_, _, err) = run_flags("print(table([#{ a: 1 }]).row(3));", &[]);
    assert!(err.contains("the table has 1 row (0 to 0)"), "{err}");
    let (_, _, err) = run_flags("print(dist_poisson(9223372036854775807));", &[]);
    assert!(err.contains("got 9.223372036854776e18"), "{err}");
    let (_, _, err) = run_with_files(
        r#"print(funnel_check(load_csv("plan.csv")));"#,
        &[(
            "plan.csv",
            "stage,volume,rate\nvisit,L+3,0.5\nbuy,\u{feff}7,0.2\n",
        )],
    );
    assert!(
        err.contains(
            r#"column 'volume': expected a number (like 1200, 0.05, 5% or 1:2.2), got "L+3""#
        ),
        "{err}"
    );
    assert_eq!(err.matches("expected a number").count(), 1, "{err}");
    let (_, _, err) = run_flags("print(dist_beta(1, 1).quantile(\"\u{feff}x\"));", &[]);
    assert!(err.contains(r#"got string "<U+FEFF>x""#), "{err}");
    let (_, _, err) = run_flags("let x = 0; loop { x += 1; }", &["--max-ops", "1000000"]);
    assert!(
        err.contains("operation limit of 1,000,000 operations"),
        "{err}"
    );
}

#[test]
fn a_run_removes_the_temporary_files_of_a_killed_run_only() {
    let dir = workdir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("sub")).expect("mkdir");
    // A process that has exited: its temporary files are leftovers.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let dead = child.id();
    child.wait().expect("wait");
    let live = std::process::id();
    let left = out.join(format!(".pacer-w{dead}-abc.tmp"));
    let nested = out.join("sub").join(format!(".pacer-w{dead}-def.tmp"));
    let busy = out.join(format!(".pacer-w{live}-ghi.tmp"));
    for f in [&left, &nested, &busy] {
        std::fs::write(f, "partial").expect("write");
    }
    let (code, _, err) = run_in_with(dir.path(), "print(1);", &["--out", "out"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !left.exists() && !nested.exists(),
        "leftovers of a dead run are removed"
    );
    assert!(busy.exists(), "a live run's file is left alone");
}
