//! `pacer batch` for unattended work: the stderr lines, the script's columns in
//! summary.csv, the exit codes, `--out`'s default, `--fail-fast`, `--resume`, sharding
//! and `pacer merge`, and the state a batch leaves when it is interrupted, killed,
//! locked out or runs out of room.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A folder with `s.rhai` and inputs `day0.csv`... (`bad` lists inputs made ragged).
fn setup(script: &str, n: usize, bad: &[usize]) -> (tempfile::TempDir, Vec<String>) {
    let dir = workdir();
    std::fs::write(dir.path().join("s.rhai"), script).expect("write");
    let mut inputs = Vec::new();
    for i in 0..n {
        let name = format!("day{i}.csv");
        let body = if bad.contains(&i) {
            "ch,x\na,1\nb,2,3\n".to_string()
        } else {
            format!("ch,x\na,{i}\nb,{}\na,1\n", i * 2)
        };
        std::fs::write(dir.path().join(&name), body).expect("write");
        inputs.push(name);
    }
    (dir, inputs)
}

fn batch(dir: &Path, inputs: &[String], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["batch", "s.rhai"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend_from_slice(extra);
    pacer_in(dir, &args, "")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            out.push(p.clone());
            if p.is_dir() {
                out.extend(files_under(&p));
            }
        }
    }
    out
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n.ends_with(".tmp") || n.ends_with(".lock")
        })
        .collect()
}

const TOTALS: &str = "print(`${input}: ${data.rows}`);\nwrite_csv(data.group_by(\"ch\").agg(#{ total: [\"sum\", \"x\"] }), \"totals.csv\");\n";

#[test]
fn one_line_per_failed_input_then_a_summary_line() {
    let (dir, inputs) = setup(TOTALS, 10, &[6]);
    let d = dir.path();
    let o = batch(d, &inputs, &["--out", "res", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(
        lines[0],
        "failed: day6.csv: day6.csv:3: this row has 3 fields but the header has 2"
    );
    assert!(lines[1].starts_with("9 ok, 1 failed in "), "{err}");
    assert!(lines[1].ends_with(" s (summary: res/summary.csv)"), "{err}");
    let summary = std::fs::read_to_string(d.join("res/summary.csv")).expect("summary");
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows[0], "input,status,rows,duration_ms,error");
    assert_eq!(rows.len(), 11);
    assert!(rows[7].starts_with("day6.csv,failed,,"), "{}", rows[7]);
    assert!(rows[7].ends_with(",day6.csv:3: this row has 3 fields but the header has 2"));
    for i in 0..10 {
        let folder = d.join(format!("res/day{i}"));
        if i == 6 {
            // A failed input's folder: what it printed and the whole error, no outputs.
            assert!(!folder.join("totals.csv").exists());
            let e = std::fs::read_to_string(folder.join("error.txt")).expect("error.txt");
            assert!(e.contains("this row has 3 fields"), "{e}");
            continue;
        }
        let text = std::fs::read_to_string(folder.join("totals.csv")).expect("totals");
        assert_eq!(text, format!("ch,total\na,{}\nb,{}\n", i + 1, i * 2));
        let out = std::fs::read_to_string(folder.join("stdout.txt")).expect("stdout");
        assert_eq!(out, format!("day{i}.csv: 3\n"));
    }
    assert!(
        leftovers(&d.join("res")).is_empty(),
        "{:?}",
        leftovers(&d.join("res"))
    );
}

#[test]
fn exit_codes_say_all_some_or_none() {
    let (dir, inputs) = setup(TOTALS, 3, &[]);
    let o = batch(dir.path(), &inputs, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `--out` defaults to out/, as for `run`.
    assert!(
        stderr(&o).starts_with("3 ok, 0 failed in "),
        "{}",
        stderr(&o)
    );
    assert!(dir.path().join("out/summary.csv").exists());
    assert!(dir.path().join("out/day2/totals.csv").exists());
    let q = batch(dir.path(), &inputs, &["--quiet"]);
    assert_eq!(q.status.code(), Some(0));
    assert_eq!(stderr(&q), "");

    let (dir, inputs) = setup(TOTALS, 3, &[0, 1, 2]);
    let o = batch(dir.path(), &inputs, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 ok, 3 failed in "), "{}", stderr(&o));
}

#[test]
fn the_script_adds_columns_to_the_summary() {
    let script = "summary(#{ first: data.col(\"x\")[0] });\nlet total = data.col(\"x\").reduce(|s, v| s + v, 0);\n#{ total: total, share: total / 10.0, label: `${input} ok` }\n";
    let (dir, inputs) = setup(script, 3, &[1]);
    let o = batch(dir.path(), &inputs, &["--jobs", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).expect("summary");
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(
        rows[0],
        "input,status,rows,duration_ms,error,first,label,share,total"
    );
    let cells = |r: &str| r.split(',').map(str::to_string).collect::<Vec<_>>();
    let r0 = cells(rows[1]);
    assert_eq!(&r0[..3], ["day0.csv", "ok", "3"]);
    assert_eq!(&r0[5..], ["0", "day0.csv ok", "0.1", "1"]);
    let r2 = cells(rows[3]);
    assert_eq!(&r2[5..], ["2", "day2.csv ok", "0.7", "7"]);
    let r1 = cells(rows[2]);
    assert_eq!(r1[1], "failed");
    assert_eq!(&r1[5..], ["", "", "", ""]);
}

#[test]
fn fail_fast_skips_the_rest() {
    let (dir, inputs) = setup(TOTALS, 4, &[0]);
    let o = batch(dir.path(), &inputs, &["--jobs", "1", "--fail-fast"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 ok, 1 failed, 3 skipped in "),
        "{}",
        stderr(&o)
    );
    let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).expect("summary");
    assert_eq!(summary.matches(",skipped,").count(), 3, "{summary}");
}

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).expect("exists").ino()
}

#[cfg(unix)]
#[test]
fn resume_skips_inputs_already_done() {
    let (dir, inputs) = setup(TOTALS, 4, &[]);
    let d = dir.path();
    let o = batch(d, &inputs, &["--jobs", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before: Vec<u64> = (0..4)
        .map(|i| inode(&d.join(format!("out/day{i}"))))
        .collect();
    // Change one input, damage another's outputs, leave two alone.
    std::fs::write(d.join("day1.csv"), "ch,x\na,100\n").expect("write");
    std::fs::remove_file(d.join("out/day2/totals.csv")).expect("remove");
    let o = batch(d, &inputs, &["--jobs", "1", "--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after: Vec<u64> = (0..4)
        .map(|i| inode(&d.join(format!("out/day{i}"))))
        .collect();
    assert_eq!(after[0], before[0], "an unchanged input is not run again");
    assert_eq!(after[3], before[3], "an unchanged input is not run again");
    assert_ne!(after[1], before[1], "a changed input runs again");
    assert_ne!(after[2], before[2], "incomplete outputs run again");
    let t = std::fs::read_to_string(d.join("out/day1/totals.csv")).expect("totals");
    assert_eq!(t, "ch,total\na,100\n");
    assert!(d.join("out/day2/totals.csv").exists());
    let summary = std::fs::read_to_string(d.join("out/summary.csv")).expect("summary");
    assert_eq!(summary.matches(",ok,").count(), 4, "{summary}");
    // Another --set is another run: nothing is skipped.
    let o = batch(d, &inputs, &["--jobs", "1", "--resume", "--set", "k=1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(inode(&d.join("out/day0")), after[0]);
}

#[test]
fn a_second_batch_is_locked_out_and_a_stale_lock_is_taken_over() {
    let (dir, inputs) = setup(TOTALS, 2, &[]);
    let d = dir.path();
    std::fs::create_dir_all(d.join("out")).expect("mkdir");
    // A live process holds the lock: this test's own.
    std::fs::write(
        d.join("out/.pacer.lock"),
        format!("{}\n", std::process::id()),
    )
    .expect("w");
    let o = batch(d, &inputs, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("lock out/.pacer.lock"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("out/summary.csv").exists());
    // A process that is gone: the lock is taken over, and removed at the end; hidden
    // temporary files a killed run left are removed too.
    std::fs::write(d.join("out/.pacer.lock"), "2147483646\n").expect("w");
    std::fs::write(d.join("out/.pacer-x1y2.tmp"), "half").expect("w");
    std::fs::create_dir_all(d.join("out/.pacer-stage-day0.tmp")).expect("mkdir");
    std::fs::write(d.join("out/.pacer-stage-day0.tmp/totals.csv"), "half").expect("w");
    let o = batch(d, &inputs, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        leftovers(&d.join("out")).is_empty(),
        "{:?}",
        leftovers(&d.join("out"))
    );
}

/// Starts a batch of slow inputs in the background.
fn slow_batch(dir: &Path, n: usize) -> std::process::Child {
    let script = "let n = 0;\nwhile n < 400000 { n += 1; }\nwrite_text(\"a.txt\", `${n}`);\nwrite_text(\"b.txt\", input);\nn\n";
    std::fs::write(dir.join("s.rhai"), script).expect("write");
    let mut args: Vec<String> = vec!["batch".into(), "s.rhai".into()];
    for i in 0..n {
        let name = format!("e{i:02}.csv");
        std::fs::write(dir.join(&name), "x\n1\n").expect("write");
        args.push(name);
    }
    args.extend(["--jobs".into(), "2".into()]);
    Command::new(env!("CARGO_BIN_EXE_pacer"))
        .args(&args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start")
}

/// Waits (at most a minute) until `cond` holds.
fn wait_until(cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(60), "gave up waiting");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn done_folders(out: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(out)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn sigint_marks_the_rest_interrupted_and_exits_130() {
    interrupted_by(nix::sys::signal::Signal::SIGINT);
}

#[cfg(unix)]
#[test]
fn sigterm_does_as_sigint() {
    interrupted_by(nix::sys::signal::Signal::SIGTERM);
}

#[cfg(unix)]
fn interrupted_by(signal: nix::sys::signal::Signal) {
    let dir = workdir();
    let d = dir.path();
    let child = slow_batch(d, 40);
    wait_until(|| !done_folders(&d.join("out")).is_empty());
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).expect("signal");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("warning: interrupted: "), "{err}");
    let summary = std::fs::read_to_string(d.join("out/summary.csv")).expect("summary");
    assert!(summary.contains(",interrupted,"), "{summary}");
    assert!(!summary.contains(",pending,"), "{summary}");
    for f in done_folders(&d.join("out")) {
        assert!(
            f.join("a.txt").exists() && f.join("b.txt").exists(),
            "{f:?} is incomplete"
        );
    }
    assert!(
        leftovers(&d.join("out")).is_empty(),
        "{:?}",
        leftovers(&d.join("out"))
    );
}

#[cfg(unix)]
#[test]
fn after_sigkill_folders_are_whole_and_the_next_run_cleans_up() {
    let dir = workdir();
    let d = dir.path();
    let mut child = slow_batch(d, 40);
    wait_until(|| done_folders(&d.join("out")).len() >= 2);
    child.kill().expect("kill");
    let _ = child.wait();
    // Every folder that appeared is complete; the summary says which inputs are done.
    for f in done_folders(&d.join("out")) {
        assert!(
            f.join("a.txt").exists() && f.join("b.txt").exists(),
            "{f:?} is incomplete"
        );
    }
    let summary = std::fs::read_to_string(d.join("out/summary.csv")).expect("summary");
    assert!(summary.contains(",pending,"), "{summary}");
    assert!(d.join("out/.pacer.lock").exists());
    // The next run takes over the dead process's lock and removes its leftovers.
    let inputs: Vec<String> = (0..40).map(|i| format!("e{i:02}.csv")).collect();
    let o = batch(d, &inputs, &["--resume", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        leftovers(&d.join("out")).is_empty(),
        "{:?}",
        leftovers(&d.join("out"))
    );
    assert_eq!(done_folders(&d.join("out")).len(), 40);
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_fails_that_input_cleanly() {
    let script = "let s = \"x\";\nfor i in 0..17 { s += s; }\nif input == \"day1.csv\" { write_text(\"big.txt\", s); }\nwrite_text(\"small.txt\", \"ok\");\n";
    let (dir, inputs) = setup(script, 3, &[]);
    let d = dir.path();
    let cmd = format!(
        "ulimit -f 64; exec {} batch s.rhai {} --jobs 1",
        env!("CARGO_BIN_EXE_pacer"),
        inputs.join(" ")
    );
    let o = Command::new("sh")
        .args(["-c", &cmd])
        .current_dir(d)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("failed: day1.csv: "), "{err}");
    assert!(err.contains("big.txt"), "{err}");
    let summary = std::fs::read_to_string(d.join("out/summary.csv")).expect("summary");
    assert_eq!(summary.matches(",ok,").count(), 2, "{summary}");
    assert!(!d.join("out/day1/big.txt").exists());
    assert!(
        leftovers(&d.join("out")).is_empty(),
        "{:?}",
        leftovers(&d.join("out"))
    );
}

/// The summary without its `duration_ms` column (timings differ between runs).
fn without_durations(summary: &str) -> String {
    summary
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(3);
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let script = "let total = data.col(\"x\").reduce(|s, v| s + v, 0);\nwrite_csv(data, \"copy.csv\");\n#{ total: total }\n";
    let (dir, inputs) = setup(script, 30, &[4, 17]);
    let d = dir.path();
    let one = batch(d, &inputs, &["--out", "one"]);
    assert_eq!(one.status.code(), Some(3), "{}", stderr(&one));
    // Three processes, each its own shard (the second from Slurm's variables).
    let mut children = Vec::new();
    for i in 0..3 {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pacer"));
        cmd.arg("batch")
            .arg("s.rhai")
            .args(&inputs)
            .args(["--out", "sharded"]);
        if i == 1 {
            cmd.env("SLURM_ARRAY_TASK_ID", "1")
                .env("SLURM_ARRAY_TASK_COUNT", "3");
        } else {
            cmd.arg("--shard").arg(format!("{i}/3"));
        }
        children.push(
            cmd.current_dir(d)
                .stderr(Stdio::piped())
                .spawn()
                .expect("start"),
        );
    }
    let mut shard_inputs = 0;
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(matches!(o.status.code(), Some(0 | 1 | 3)), "{}", stderr(&o));
        shard_inputs += stderr(&o)
            .lines()
            .last()
            .and_then(|l| {
                let (ok, rest) = l.split_once(" ok, ")?;
                let failed = rest.split(' ').next()?;
                Some(ok.parse::<usize>().ok()? + failed.parse::<usize>().ok()?)
            })
            .unwrap_or(0);
    }
    assert_eq!(shard_inputs, 30, "every input ran in exactly one shard");
    assert!(!d.join("sharded/summary.csv").exists());
    let m = pacer_in(d, &["merge", "sharded"], "");
    assert_eq!(m.status.code(), Some(3), "{}", stderr(&m));
    assert!(
        stderr(&m).starts_with("28 ok, 2 failed in 3 shards"),
        "{}",
        stderr(&m)
    );
    let merged = std::fs::read_to_string(d.join("sharded/summary.csv")).expect("merged");
    let single = std::fs::read_to_string(d.join("one/summary.csv")).expect("single");
    assert_eq!(without_durations(&merged), without_durations(&single));
    for i in 0..30 {
        let a = std::fs::read_to_string(d.join(format!("one/day{i}/stdout.txt"))).expect("a");
        let b = std::fs::read_to_string(d.join(format!("sharded/day{i}/stdout.txt"))).expect("b");
        assert_eq!(a, b);
        assert_eq!(
            d.join(format!("one/day{i}/copy.csv")).exists(),
            d.join(format!("sharded/day{i}/copy.csv")).exists()
        );
    }
    // A missing part is named.
    std::fs::remove_file(d.join("sharded/summary.part-2-of-3.csv")).expect("rm");
    let m = pacer_in(d, &["merge", "sharded"], "");
    assert_eq!(m.status.code(), Some(1));
    assert!(
        stderr(&m).contains("shard 2 of 3 are missing"),
        "{}",
        stderr(&m)
    );
}
