//! The REPL in a real pseudo-terminal, as a planner uses it: Ctrl-C stops a running
//! evaluation and keeps the variables, each entry reaches the history file at once,
//! Ctrl-D leaves; and `:time`, `:save`, `:reset`, `:load` and the run flags.

mod common;
use common::*;

#[cfg(unix)]
mod pty {
    use super::*;
    use std::io::{Read, Write};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// `pacer repl` on the slave side of a new pseudo-terminal, as the leader of its own
    /// session with that terminal as its controlling terminal (so Ctrl-C is a signal),
    /// and what it writes, collected from the master side.
    pub struct Term {
        child: Child,
        master: std::fs::File,
        screen: Arc<Mutex<Vec<u8>>>,
    }

    impl Term {
        pub fn start(dir: &Path, args: &[&str]) -> Term {
            let size = nix::pty::Winsize {
                ws_row: 24,
                ws_col: 100,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            let pty = nix::pty::openpty(Some(&size), None).expect("openpty");
            let slave = std::fs::File::from(pty.slave);
            let child = Command::new("setsid")
                .arg("-c")
                .arg(env!("CARGO_BIN_EXE_pacer"))
                .arg("repl")
                .args(args)
                .current_dir(dir)
                .env("HOME", dir)
                .env_remove("XDG_STATE_HOME")
                .env("TERM", "xterm")
                .env("NO_COLOR", "1")
                .stdin(Stdio::from(slave.try_clone().expect("dup")))
                .stdout(Stdio::from(slave.try_clone().expect("dup")))
                .stderr(Stdio::from(slave))
                .spawn()
                .expect("setsid and pacer start");
            let master = std::fs::File::from(pty.master);
            let screen = Arc::new(Mutex::new(Vec::new()));
            let (mut reader, mut answer) = (
                master.try_clone().expect("dup"),
                master.try_clone().expect("dup"),
            );
            let seen = screen.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let chunk = &buf[..n];
                    // The line editor asks where the cursor is; a terminal answers.
                    if chunk.windows(4).any(|w| w == b"\x1b[6n") {
                        let _ = answer.write_all(b"\x1b[1;1R");
                    }
                    if let Ok(mut s) = seen.lock() {
                        s.extend_from_slice(chunk);
                    }
                }
            });
            Term {
                child,
                master,
                screen,
            }
        }

        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.screen.lock().expect("screen")).into_owned()
        }

        /// Waits (at most a minute) until the screen shows `what` `count` times.
        pub fn wait_for(&self, what: &str, count: usize) {
            let start = Instant::now();
            while self.text().matches(what).count() < count {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "waited for {what:?} x{count}; the screen shows:\n{}",
                    self.text()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        /// Waits (at most a minute) until the screen shows `then` after `first`.
        pub fn wait_after(&self, first: &str, then: &str) {
            let start = Instant::now();
            loop {
                let text = self.text();
                if text.find(first).is_some_and(|i| text[i..].contains(then)) {
                    return;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "waited for {then:?} after {first:?}; the screen shows:\n{text}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        pub fn send(&mut self, bytes: &str) {
            self.master.write_all(bytes.as_bytes()).expect("type");
        }

        pub fn wait_exit(&mut self) -> Option<i32> {
            let start = Instant::now();
            loop {
                if let Some(st) = self.child.try_wait().expect("wait") {
                    return st.code();
                }
                if start.elapsed() > Duration::from_secs(60) {
                    let _ = self.child.kill();
                    return None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    #[test]
    fn ctrl_c_stops_a_loop_keeps_variables_and_history_is_written_per_entry() {
        let dir = workdir();
        let mut t = Term::start(dir.path(), &[]);
        t.wait_for("pacer> ", 1);
        t.send("let x = 41;\r");
        t.wait_for("pacer> ", 2);
        // The entry is in the history file while the REPL still runs.
        let history = dir.path().join(".local/state/pacer/history.txt");
        let h = std::fs::read_to_string(&history).unwrap_or_default();
        assert!(h.contains("let x = 41;"), "history: {h:?}");
        t.send("loop { }\r");
        // Press Ctrl-C until the loop is interrupted (a press that comes before the
        // line editor has handed over the line only clears the next prompt).
        let start = Instant::now();
        // A second press while the first is still being handled ends the REPL (the
        // escape from a loop that never yields), so wait up to 3 s after each press.
        while !t.text().contains("the script was interrupted") {
            assert!(start.elapsed() < Duration::from_secs(60), "{}", t.text());
            t.send("\x03");
            let pressed = Instant::now();
            while pressed.elapsed() < Duration::from_secs(3)
                && !t.text().contains("the script was interrupted")
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // A press sent while the message was on its way may still be in flight: wait
        // for the prompt after the interruption, and a little more, before typing.
        t.wait_for("pacer> ", 3);
        std::thread::sleep(Duration::from_millis(500));
        t.send("x + 1\r");
        t.wait_after("42", "pacer> ");
        t.send("\x04");
        assert_eq!(t.wait_exit(), Some(0), "{}", t.text());
        let h = std::fs::read_to_string(&history).unwrap_or_default();
        assert!(
            h.contains("loop { }") && h.contains("x + 1"),
            "history: {h:?}"
        );
    }

    #[test]
    fn ctrl_c_at_the_prompt_clears_the_line_and_time_reports() {
        let dir = workdir();
        let mut t = Term::start(dir.path(), &["--set", "goal=3,000,000"]);
        t.wait_for("pacer> ", 1);
        t.send("let y = 1");
        t.send("\x03");
        t.wait_for("pacer> ", 2);
        t.send(":time\r");
        t.wait_for("timing on", 1);
        t.send("param(\"goal\", 5) / 1000\r");
        t.wait_after("3000\r\ntime: ", "pacer> ");
        t.send(":quit\r");
        assert_eq!(t.wait_exit(), Some(0), "{}", t.text());
    }
}

#[test]
fn save_reset_and_the_run_flags() {
    let dir = workdir();
    let d = dir.path();
    std::fs::write(d.join("d.csv"), "a\n1\n2\n").expect("write");
    let o = pacer_in(
        d,
        &["repl", "--data", "t=d.csv", "--set", "k=2.5%", "--max-ops", "1000"],
        "let x = t.rows;\nfn twice(v) { v * 2 }\nnope(1);\nlet y = twice(x) + k;\n:save session.rhai\n:reset\nis_def_var(\"x\")\nt.rows\nloop { }\n",
    );
    let out = stdout(&o);
    assert!(out.contains("saved 3 inputs to session.rhai"), "{out}");
    assert!(out.contains("the session is reset"), "{out}");
    assert!(out.contains("false\n2\n"), "{out}");
    assert!(
        stderr(&o).contains("operation limit of 1,000 operations"),
        "{}",
        stderr(&o)
    );
    let saved = std::fs::read_to_string(d.join("session.rhai")).expect("saved");
    assert_eq!(
        saved,
        "let x = t.rows;\nfn twice(v) { v * 2 }\nlet y = twice(x) + k;\n"
    );
    // The saved session runs as a script with the same flags.
    let o = pacer_in(
        d,
        &["run", "session.rhai", "--data", "t=d.csv", "--set", "k=1"],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn load_obeys_the_read_rules_and_shows_nothing_of_a_foreign_file() {
    let dir = workdir();
    let outside = workdir();
    std::fs::write(
        outside.path().join("secret.rhai"),
        "the secret first line\n",
    )
    .expect("w");
    let path = outside.path().join("secret.rhai");
    let o = pacer_in(
        dir.path(),
        &["repl"],
        &format!(":load {}\n", path.display()),
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("is outside the places this script may read"),
        "{e}"
    );
    assert!(
        !e.contains("secret first line") && !stdout(&o).contains("secret"),
        "{e}"
    );
    let o = pacer_in(dir.path(), &["repl"], ":load /etc/passwd\n");
    assert!(stderr(&o).contains("outside"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("root"), "{}", stderr(&o));
}

#[test]
fn the_time_limit_applies_to_each_entry() {
    let dir = workdir();
    let o = pacer_in(
        dir.path(),
        &["repl", "--timeout", "1", "--max-ops", "100000000000"],
        "let x = 1;\nloop { }\nlet s = 0; for i in 0..10000 { s += i; } s + x\n",
    );
    assert!(stderr(&o).contains("time limit of 1 s"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "49995001\n", "{}", stderr(&o));
}
