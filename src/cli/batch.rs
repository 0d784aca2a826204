//! `pacer batch SCRIPT INPUT...`: one run per input CSV, in parallel, for unattended
//! work. Each input's run may read its own input, the `--data` files, and files under
//! the current directory and the script's. A failing input is recorded and does not stop the others (unless
//! `--fail-fast`).
//!
//! What a batch leaves in `--out` is always consistent:
//! - each input's outputs are written into a hidden staging folder
//!   (`.pacer-stage-NAME.tmp`) and renamed into place as `NAME/` when the input is
//!   done, so a folder appears complete or not at all; a failed input's folder holds
//!   only `stdout.txt` and `error.txt`;
//! - summary.csv is written when the batch starts (every input `pending`) and rewritten
//!   atomically as inputs finish, so an old summary never looks current;
//! - a lock file (`.pacer.lock`, holding the process id) keeps a second batch out of the
//!   same folder; a lock left by a process that no longer runs is taken over;
//! - hidden `.pacer-*.tmp` files and folders left by a killed run are removed;
//! - Ctrl-C or SIGTERM stops the running inputs (their staged outputs are discarded),
//!   marks the rest `interrupted` in the summary and exits 130;
//! - a write that fails (a full disk, a file-size limit) fails that input cleanly.
//!
//! Each finished folder holds `.pacer-manifest.json`: content hashes of the script, the
//! input, the settings and every file written, which `--resume` compares to skip inputs
//! already done. `--shard I/N` takes the inputs whose path hashes to I modulo N.

use super::config::{is_stdin_script, read_script, Config, ScriptArgs, SessionSpec};
use super::diagnostic::render_script_error;
use super::error::{failed, usage, CliError, CliResult, Exit};
use super::summary::{self, Row, Status};
use super::ui::Ui;
use crate::script::{Output, ScriptError, Stop};
use rhai::Dynamic;
use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The flags of `pacer batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// The script (.rhai).
    script: PathBuf,
    /// The input CSV files; each is bound to `data`, its file name to `input`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    args: ScriptArgs,
    /// Stop starting inputs after the first failure (the rest are `skipped`).
    #[arg(long)]
    fail_fast: bool,
    /// Skip inputs whose outputs are complete from an earlier run of the same script
    /// with the same settings on the same input (compared by content hashes).
    #[arg(long)]
    resume: bool,
    /// Take shard I of N (0 <= I < N) of the inputs, by a stable hash of each input's
    /// path; default from JOB_COMPLETION_INDEX (with --shards N) or
    /// SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT when set.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// The number of shards, when the index comes from JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N")]
    shards: Option<usize>,
}

/// FNV-1a, 64 bits: a stable hash (the same on every machine and release), for shard
/// assignment and content hashes.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The shard this process takes, from `--shard`, `--shards` and the array-job
/// variables of Kubernetes Indexed Jobs and Slurm.
fn resolve_shard(
    flag: Option<&str>,
    shards: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(usize, usize)>, CliError> {
    let number = |what: &str, text: &str| -> Result<usize, CliError> {
        text.trim().parse::<usize>().map_err(|_| {
            usage(format!(
                "{what}: expected a whole number >= 0, got {text:?}"
            ))
        })
    };
    let (i, n) = if let Some(f) = flag {
        let (i, n) = f
            .split_once('/')
            .ok_or_else(|| usage(format!("--shard {f}: expected I/N, e.g. 0/3")))?;
        (number("--shard", i)?, number("--shard", n)?)
    } else if let Some(i) = env("JOB_COMPLETION_INDEX") {
        let n = shards.ok_or_else(|| {
            usage("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give the number of shards with --shards N (the Job's completions)")
        })?;
        (number("JOB_COMPLETION_INDEX", &i)?, n)
    } else if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
        let min = match env("SLURM_ARRAY_TASK_MIN") {
            Some(m) => number("SLURM_ARRAY_TASK_MIN", &m)?,
            None => 0,
        };
        let n = match (shards, env("SLURM_ARRAY_TASK_COUNT")) {
            (Some(n), _) => n,
            (None, Some(c)) => number("SLURM_ARRAY_TASK_COUNT", &c)?,
            (None, None) => {
                return Err(usage(
                    "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT: give the number of shards with --shards N",
                ))
            }
        };
        let id = number("SLURM_ARRAY_TASK_ID", &id)?;
        let i = id.checked_sub(min).ok_or_else(|| {
            usage(format!(
                "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
            ))
        })?;
        (i, n)
    } else if let Some(n) = shards {
        return Err(usage(format!(
            "--shards {n} needs the shard's index: --shard I/{n}, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID"
        )));
    } else {
        return Ok(None);
    };
    if n == 0 || i >= n {
        return Err(usage(format!(
            "shard {i} of {n}: the index must be at least 0 and below the number of shards (at least 1)"
        )));
    }
    Ok(Some((i, n)))
}

/// True when `input` belongs to shard `i` of `n`.
fn in_shard(input: &Path, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(i, n)| fnv1a(input.to_string_lossy().as_bytes()) % n as u64 == i as u64)
}

/// Output folder names: the input's stem, with `_2`, `_3`... when stems repeat.
/// Computed over every input (before sharding), so each shard names folders alike.
fn folder_names(inputs: &[PathBuf]) -> Vec<String> {
    let mut seen: std::collections::HashSet<String> = Default::default();
    inputs
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|s| !s.is_empty() && s != "." && s != ".." && !s.starts_with(".pacer"))
                .unwrap_or_else(|| "input".to_string());
            let mut name = stem.clone();
            let mut k = 2;
            while seen.contains(&name) {
                name = format!("{stem}_{k}");
                k += 1;
            }
            seen.insert(name.clone());
            name
        })
        .collect()
}

/// The lock file that keeps two batches out of one folder. Removed when dropped.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn acquire(path: PathBuf) -> Result<Lock, CliError> {
        let shown = path.display().to_string();
        for _ in 0..3 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    match text.trim().parse::<u32>() {
                        Ok(pid) if pid != std::process::id() && alive(pid) => {
                            return Err(failed(format!(
                                "another pacer batch (process {pid}) is writing into this folder: lock {shown}; wait for it to finish (if no process {pid} is running, delete the lock)"
                            )))
                        }
                        // A lock left by a process that is gone (or unreadable): take over.
                        _ => {
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => {
                    return Err(failed(format!(
                        "cannot create the lock {shown}: {}",
                        crate::table::io_reason(&e)
                    )))
                }
            }
        }
        Err(failed(format!("cannot take the lock {shown}")))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// True when a process with this id exists.
pub(crate) fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use nix::errno::Errno;
        let Ok(raw) = i32::try_from(pid) else {
            return false;
        };
        match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
            Ok(()) | Err(Errno::EPERM) => true,
            Err(_) => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the hidden `.pacer-*.tmp` files and folders a killed run left in `out`: all
/// of them for an unsharded batch; a shard removes only its own inputs' staging folders
/// (other shards may be writing).
fn remove_leftovers(out: &Path, folders: &[&str], sharded: bool) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(".pacer-") && name.ends_with(".tmp")) {
            continue;
        }
        let mine = folders
            .iter()
            .any(|f| name == stage_name(f) || name == old_name(f));
        if sharded && !mine {
            continue;
        }
        let p = e.path();
        let _ = if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
}

fn stage_name(folder: &str) -> String {
    format!(".pacer-stage-{folder}.tmp")
}

fn old_name(folder: &str) -> String {
    format!(".pacer-old-{folder}.tmp")
}

/// What every input's run shares.
struct Job<'a> {
    config: &'a Config,
    source: &'a str,
    script: &'a Path,
    path: &'a str,
    out: &'a Path,
    interrupt: Option<Arc<AtomicBool>>,
    settings_hash: u64,
    resume: bool,
}

/// Runs the batch.
pub fn batch(a: &BatchArgs, ui: &Ui) -> CliResult {
    if is_stdin_script(&a.script) {
        return Err(usage(
            "pacer batch -: a batch reads its script from a file (its hash decides --resume); save the script first",
        ));
    }
    let config = Config::new(&a.args, ui)?;
    if config.explain {
        return Err(usage("--explain works with `pacer run`, not with batch"));
    }
    let shard = resolve_shard(a.shard.as_deref(), a.shards, &|k| std::env::var(k).ok())?;
    let source = read_script(&a.script)?;
    let path = a.script.display().to_string();
    let out = config.out.clone();
    // Compile once up front: a script that does not compile fails the whole batch
    // before any input is read.
    {
        let checker = config.session(SessionSpec {
            script: Some(&a.script),
            out: &out,
            read: &[],
            limits: config.limits.clone(),
            output: Output::Buffer(Rc::default()),
            tables: Vec::new(),
            constants: Vec::new(),
        });
        if let Err(e) = checker.compile(&source) {
            return Err(failed(render_script_error(
                &path,
                &source,
                &ScriptError::Parse(e),
                &checker,
            )));
        }
        for w in checker.param_warnings(&source) {
            ui.warn(&w);
        }
    }
    let folders = folder_names(&a.inputs);
    let mine: Vec<usize> = (0..a.inputs.len())
        .filter(|&i| in_shard(&a.inputs[i], shard))
        .collect();
    std::fs::create_dir_all(&out).map_err(|e| {
        failed(format!(
            "cannot create {}: {}",
            out.display(),
            crate::table::io_reason(&e)
        ))
    })?;
    let lock_name = match shard {
        None => ".pacer.lock".to_string(),
        Some((i, n)) => format!(".pacer.{i}-of-{n}.lock"),
    };
    let _lock = Lock::acquire(out.join(lock_name))?;
    let my_folders: Vec<&str> = mine.iter().map(|&i| folders[i].as_str()).collect();
    remove_leftovers(&out, &my_folders, shard.is_some());
    super::signals::catch_file_size_limit();
    let interrupt = super::signals::interrupt_flag(true);

    let summary_path = summary::path(&out, shard);
    let rows: Vec<Row> = mine
        .iter()
        .map(|&i| Row::pending(i, a.inputs[i].display().to_string()))
        .collect();
    summary::write(&summary_path, &rows, shard.is_some()).map_err(failed)?;
    let rows = Mutex::new(rows);
    let last_write = Mutex::new(Instant::now());

    let mut settings = format!("{:?}", a.args.set);
    for d in &config.data {
        let bytes = std::fs::read(&d.path).unwrap_or_default();
        settings.push_str(&format!("|{}={:016x}", d.name, fnv1a(&bytes)));
    }
    let job = Job {
        config: &config,
        source: &source,
        script: &a.script,
        path: &path,
        out: &out,
        interrupt: interrupt.clone(),
        settings_hash: fnv1a(settings.as_bytes()) ^ fnv1a(source.as_bytes()).rotate_left(1),
        resume: a.resume,
    };
    let jobs = config
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(mine.len().max(1));
    let progress = (std::io::stderr().is_terminal() && !ui.quiet()).then(|| {
        let pb = indicatif::ProgressBar::new(mine.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} inputs  {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    let interrupted = || {
        interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    };
    let any_failed = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let worker = || loop {
        if interrupted() || (a.fail_fast && any_failed.load(Ordering::SeqCst)) {
            break;
        }
        let k = next.fetch_add(1, Ordering::SeqCst);
        let Some(&i) = mine.get(k) else {
            break;
        };
        let row = run_one(&job, i, &a.inputs[i], &folders[i]);
        if row.status == Status::Failed {
            any_failed.store(true, Ordering::SeqCst);
            match &progress {
                Some(pb) => pb.suspend(|| ui.failed(&row.input, &row.error)),
                None => ui.failed(&row.input, &row.error),
            }
        }
        if let Some(pb) = &progress {
            pb.inc(1);
        }
        if let Ok(mut rows) = rows.lock() {
            rows[k] = row;
        }
        // Rewrite the summary at most a few times a second, by one worker at a time
        // (the others go on); the last write comes after every input.
        if let Ok(mut t) = last_write.try_lock() {
            if t.elapsed() >= Duration::from_millis(200) {
                let text = rows.lock().map(|r| summary::render(&r, shard.is_some()));
                if let Ok(text) = text {
                    let _ = crate::script::sandbox_write_atomic(&summary_path, text.as_bytes());
                }
                *t = Instant::now();
            }
        }
    };
    // The workers are the threads of a pool of their own, so that native parallel work
    // inside an input (reading a large table, a simulation) runs on them too, rather
    // than waking more threads than there are cores.
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => {
            pool.broadcast(|_| worker());
        }
        Err(_) => std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(worker);
            }
        }),
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let was_interrupted = interrupted();
    let mut rows = rows.into_inner().unwrap_or_default();
    for r in rows.iter_mut().filter(|r| r.status == Status::Pending) {
        r.status = if was_interrupted {
            Status::Interrupted
        } else {
            Status::Skipped
        };
    }
    summary::write(&summary_path, &rows, shard.is_some()).map_err(failed)?;
    let (ok, nfailed, other) = summary::counts(&rows);
    let elapsed = start.elapsed().as_secs_f64();
    let shown = summary_path.display();
    let not_run = if other > 0 {
        format!(
            ", {other} {}",
            if was_interrupted {
                "interrupted"
            } else {
                "skipped"
            }
        )
    } else {
        String::new()
    };
    let line = format!("{ok} ok, {nfailed} failed{not_run} in {elapsed:.1} s (summary: {shown})");
    if was_interrupted {
        ui.warn(&format!("interrupted: {line}"));
        return Ok(Exit::Interrupted);
    }
    let exit = summary::exit_code(&rows);
    ui.status(&line, exit == Exit::Ok);
    Ok(exit)
}

/// Runs one input in its staging folder and moves the folder into place.
fn run_one(job: &Job<'_>, position: usize, input: &Path, folder: &str) -> Row {
    let start = Instant::now();
    let mut row = Row::pending(position, input.display().to_string());
    let dest = job.out.join(folder);
    let stage = job.out.join(stage_name(folder));
    let input_bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                row,
                start,
                format!("{}: {}", input.display(), crate::table::io_reason(&e)),
                None,
            )
        }
    };
    let input_hash = fnv1a(&input_bytes);
    if job.resume {
        if let Some(done) = Manifest::read(&dest).filter(|m| {
            m.settings == job.settings_hash && m.input == input_hash && m.complete(&dest)
        }) {
            row.status = Status::Ok;
            row.rows = done.rows;
            row.duration_ms = done.duration_ms;
            row.columns = done.columns;
            return row;
        }
    }
    let _ = std::fs::remove_dir_all(&stage);
    if let Err(e) = std::fs::create_dir_all(&stage) {
        return fail(
            row,
            start,
            format!(
                "cannot create {}: {}",
                stage.display(),
                crate::table::io_reason(&e)
            ),
            None,
        );
    }
    let (table, notes) = match crate::table::read_csv_bytes_noted(
        &input.display().to_string(),
        &input_bytes,
        &crate::table::CsvOptions::default(),
    ) {
        Ok(t) => t,
        Err(e) => return fail(row, start, e.to_string(), Some((&stage, &dest, ""))),
    };
    row.rows = Some(table.n_rows());
    // How the input was read (a column taken as text, say) heads what the run printed.
    let notes: String = notes
        .iter()
        .map(|n| format!("note: {}: {n}\n", input.display()))
        .collect();
    let buf = Rc::new(RefCell::new(notes));
    let name = input
        .file_name()
        .map_or(row.input.clone(), |f| f.to_string_lossy().into_owned());
    let mut s = job.config.session(SessionSpec {
        script: Some(job.script),
        out: &stage,
        read: std::slice::from_ref(&input.to_path_buf()),
        limits: job.config.limits_with(job.interrupt.clone()),
        output: Output::Buffer(buf.clone()),
        tables: vec![("data".to_string(), table)],
        constants: vec![("input".to_string(), Dynamic::from(name))],
    });
    let result = s.run(job.source);
    let stdout = buf.borrow().clone();
    match result {
        Ok(value) => {
            row.columns = s
                .summary_columns(&value)
                .into_iter()
                .map(|(k, v)| (k.to_string(), cell_text(&v)))
                .collect();
            let written = std::fs::write(stage.join("stdout.txt"), &stdout)
                .map_err(|e| format!("cannot write stdout.txt: {}", crate::table::io_reason(&e)))
                .and_then(|_| {
                    let manifest = Manifest::of(&stage, job.settings_hash, input_hash, &row, start);
                    manifest.write(&stage)
                })
                .and_then(|_| promote(&stage, &dest, job.out, folder));
            match written {
                Ok(()) => {
                    row.status = Status::Ok;
                    row.duration_ms = Some(start.elapsed().as_millis());
                    row
                }
                Err(e) => fail(row, start, e, None).discard(&stage),
            }
        }
        Err(_) if s.run.stop.get() == Some(Stop::Interrupted) => {
            let _ = std::fs::remove_dir_all(&stage);
            row.status = Status::Interrupted;
            row
        }
        Err(e) => {
            let msg = render_script_error(job.path, job.source, &e, &s);
            fail(row, start, msg, Some((&stage, &dest, &stdout)))
        }
    }
}

trait Discard {
    fn discard(self, stage: &Path) -> Self;
}

impl Discard for Row {
    fn discard(self, stage: &Path) -> Row {
        let _ = std::fs::remove_dir_all(stage);
        self
    }
}

/// A failed row: the error's first line goes to the summary; with a staging folder,
/// the input's folder is replaced by one holding `stdout.txt` and the whole `error.txt`.
fn fail(mut row: Row, start: Instant, error: String, folder: Option<(&Path, &Path, &str)>) -> Row {
    row.status = Status::Failed;
    row.duration_ms = Some(start.elapsed().as_millis());
    row.error = error.lines().next().unwrap_or("").to_string();
    if let Some((stage, dest, stdout)) = folder {
        let kept = (|| -> std::io::Result<()> {
            std::fs::remove_dir_all(stage)?;
            std::fs::create_dir_all(stage)?;
            std::fs::write(stage.join("stdout.txt"), stdout)?;
            std::fs::write(stage.join("error.txt"), format!("{error}\n"))?;
            Ok(())
        })();
        let out = stage.parent().unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let moved = kept
            .map_err(|e| crate::table::io_reason(&e))
            .and_then(|_| promote(stage, dest, out, &name));
        if moved.is_err() {
            let _ = std::fs::remove_dir_all(stage);
        }
    }
    row
}

/// Renames the staging folder into place, replacing an earlier run's folder.
fn promote(stage: &Path, dest: &Path, out: &Path, folder: &str) -> Result<(), String> {
    let reason = |e: std::io::Error| {
        format!(
            "cannot move the outputs into {}: {}",
            dest.display(),
            crate::table::io_reason(&e)
        )
    };
    if dest.exists() || dest.is_symlink() {
        let old = out.join(old_name(folder));
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(dest, &old).map_err(reason)?;
        std::fs::rename(stage, dest).map_err(reason)?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(stage, dest).map_err(reason)?;
    }
    Ok(())
}

/// A summary cell: numbers as CSV writes them, text as is.
fn cell_text(v: &Dynamic) -> String {
    if let Ok(f) = v.as_float() {
        return crate::table::format_float(f);
    }
    if let Ok(s) = v.clone().into_immutable_string() {
        return s.to_string();
    }
    v.to_string()
}

/// What `--resume` compares: the hashes of the settings (script, `--set`, `--data`),
/// of the input, and of every file the run wrote; and the input's summary row.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    settings: u64,
    input: u64,
    rows: Option<usize>,
    duration_ms: Option<u128>,
    columns: Vec<(String, String)>,
    files: Vec<(String, u64)>,
}

const MANIFEST: &str = ".pacer-manifest.json";

impl Manifest {
    fn of(stage: &Path, settings: u64, input: u64, row: &Row, start: Instant) -> Manifest {
        let mut files = Vec::new();
        collect_files(stage, stage, &mut files);
        Manifest {
            settings,
            input,
            rows: row.rows,
            duration_ms: Some(start.elapsed().as_millis()),
            columns: row.columns.clone(),
            files,
        }
    }

    fn write(&self, stage: &Path) -> Result<(), String> {
        let text = serde_json::to_string(self).map_err(|e| e.to_string())?;
        std::fs::write(stage.join(MANIFEST), text)
            .map_err(|e| format!("cannot write {MANIFEST}: {}", crate::table::io_reason(&e)))
    }

    fn read(dir: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn complete(&self, dir: &Path) -> bool {
        let mut now = Vec::new();
        collect_files(dir, dir, &mut now);
        now.sort();
        let mut then = self.files.clone();
        then.sort();
        now == then
    }
}

/// Every file under `dir` (but the manifest) with its content hash.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            collect_files(root, &p, out);
        } else if e.file_name() != MANIFEST {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            out.push((rel, fnv1a(&std::fs::read(&p).unwrap_or_default())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_unique() {
        let f = folder_names(&[
            PathBuf::from("a/x.csv"),
            PathBuf::from("b/x.csv"),
            PathBuf::from("y.csv"),
            PathBuf::from("summary.csv"),
        ]);
        assert_eq!(f, ["x", "x_2", "y", "summary"]);
    }

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        // From the FNV reference test suite (Fowler, Noll, Vo).
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn shards_come_from_the_flag_or_the_array_job() {
        let none = |_: &str| None;
        assert_eq!(
            resolve_shard(Some("1/3"), None, &none).ok(),
            Some(Some((1, 3)))
        );
        assert!(resolve_shard(Some("3/3"), None, &none).is_err());
        assert!(resolve_shard(Some("x"), None, &none).is_err());
        assert_eq!(resolve_shard(None, None, &none).ok(), Some(None));
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "2".to_string());
        assert_eq!(resolve_shard(None, Some(4), &k8s).ok(), Some(Some((2, 4))));
        assert!(resolve_shard(None, None, &k8s).is_err());
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("3".to_string()),
            _ => None,
        };
        assert_eq!(resolve_shard(None, None, &slurm).ok(), Some(Some((2, 3))));
    }

    #[test]
    fn every_input_lands_in_exactly_one_shard() {
        for k in 0..50 {
            let p = PathBuf::from(format!("exports/e{k:02}.csv"));
            let n = (0..3).filter(|&i| in_shard(&p, Some((i, 3)))).count();
            assert_eq!(n, 1);
        }
    }
}
