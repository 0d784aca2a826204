//! The sandbox: which files a script may read and where it may write.
//!
//! Reads are allowed inside the current directory, the script's directory, and any
//! path named on the command line. Writes go only under the output directory, always
//! to a temporary file first and then renamed, so a killed run leaves no half-written
//! file.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use thiserror::Error;

/// Why a read or write was refused or failed.
#[derive(Debug, Error)]
pub enum SandboxError {
    /// A read outside the allowed places.
    #[error("sandbox: {path} is outside the places this script may read (the current directory, the script's directory, and files named on the command line); pass it with --data NAME=PATH instead")]
    ReadOutside {
        /// The path as written in the script.
        path: String,
    },
    /// A file that does not exist.
    #[error("{path}: no such file{hint}")]
    NotFound {
        /// The path as written.
        path: String,
        /// A did-you-mean hint, starting with "; " when present.
        hint: String,
    },
    /// An output name that would leave the output directory.
    #[error("sandbox: output name {name:?} must be a relative path inside the output directory (no '..', no absolute paths)")]
    WriteOutside {
        /// The name as written.
        name: String,
    },
    /// An output folder that is a symbolic link leading out of the output directory.
    #[error(
        "sandbox: cannot write {name}: {folder} is a link that leads outside the output directory"
    )]
    LinkOutside {
        /// The name as written.
        name: String,
        /// The folder that leads out.
        folder: String,
    },
    /// An I/O failure while writing.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The path.
        path: String,
        /// The reason.
        reason: String,
    },
}

/// The read and write permissions of one run.
#[derive(Debug)]
pub struct Sandbox {
    read_roots: Vec<PathBuf>,
    read_files: Vec<PathBuf>,
    base: PathBuf,
    script_dir: Option<PathBuf>,
    out_dir: PathBuf,
    written: RefCell<Vec<PathBuf>>,
    /// Every file a script was allowed to read, in the order first read.
    read_log: RefCell<Vec<PathBuf>>,
    /// The script being run, as named on the command line.
    script: RefCell<Option<PathBuf>>,
}

fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

impl Sandbox {
    /// A sandbox reading under `base` (the current directory) and `script_dir`, plus the
    /// files in `extra_files`, and writing under `out_dir`.
    pub fn new(
        base: &Path,
        script_dir: Option<&Path>,
        extra_files: &[PathBuf],
        out_dir: &Path,
    ) -> Sandbox {
        let mut read_roots: Vec<PathBuf> = vec![base.to_path_buf()];
        if let Some(d) = script_dir {
            read_roots.push(d.to_path_buf());
        }
        let read_roots = read_roots.iter().filter_map(|p| canonical(p)).collect();
        Sandbox {
            read_roots,
            read_files: extra_files.iter().filter_map(|p| canonical(p)).collect(),
            base: base.to_path_buf(),
            script_dir: script_dir.map(Path::to_path_buf),
            out_dir: out_dir.to_path_buf(),
            written: RefCell::new(Vec::new()),
            read_log: RefCell::new(Vec::new()),
            script: RefCell::new(None),
        }
    }

    /// Records the script being run (reports name it in their provenance).
    pub fn set_script(&self, script: &Path) {
        *self.script.borrow_mut() = Some(script.to_path_buf());
    }

    /// The script being run, when known.
    pub fn script(&self) -> Option<PathBuf> {
        self.script.borrow().clone()
    }

    /// The files read so far (canonical paths, first read first).
    pub fn inputs(&self) -> Vec<PathBuf> {
        self.read_log.borrow().clone()
    }

    /// Records that `path` was read outside `resolve_read` (tables given with `--data`).
    pub fn note_read(&self, path: &Path) {
        if let Some(p) = canonical(path) {
            let mut log = self.read_log.borrow_mut();
            if !log.contains(&p) {
                log.push(p);
            }
        }
    }

    /// A path as a report shows it: relative to the working folder when inside it.
    pub fn display_path(&self, p: &Path) -> String {
        let base = canonical(&self.base).unwrap_or_else(|| self.base.clone());
        p.strip_prefix(&base)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    }

    /// The output directory.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// The files written so far, in order.
    pub fn written(&self) -> Vec<PathBuf> {
        self.written.borrow().clone()
    }

    /// Resolves a path a script wants to read: relative paths against the current
    /// directory, then the script's directory; refused outside the allowed places.
    pub fn resolve_read(&self, path: &str) -> Result<PathBuf, SandboxError> {
        let p = Path::new(path);
        let candidates: Vec<PathBuf> = if p.is_absolute() {
            vec![p.to_path_buf()]
        } else {
            let mut c = vec![self.base.join(p)];
            if let Some(d) = &self.script_dir {
                c.push(d.join(p));
            }
            c
        };
        let Some(found) = candidates.iter().find_map(|c| canonical(c)) else {
            // Do not reveal whether files outside the sandbox exist: a path whose
            // nearest existing folder is outside is refused as such, and a suggestion
            // is made only when the corrected path is itself inside.
            if !self.allowed_ancestor(&candidates[0]) {
                return Err(SandboxError::ReadOutside {
                    path: path.to_string(),
                });
            }
            return Err(SandboxError::NotFound {
                path: path.to_string(),
                hint: std::iter::once(self.base.as_path())
                    .chain(self.script_dir.as_deref())
                    .map(|b| self.near_miss(path, b))
                    .find(|h| !h.is_empty())
                    .unwrap_or_default(),
            });
        };
        if self.allowed(&found) {
            let mut log = self.read_log.borrow_mut();
            if !log.contains(&found) {
                log.push(found.clone());
            }
            Ok(found)
        } else {
            Err(SandboxError::ReadOutside {
                path: path.to_string(),
            })
        }
    }

    /// True when the nearest existing folder above `p` (symbolic links resolved) is
    /// inside the places this run may read.
    fn allowed_ancestor(&self, p: &Path) -> bool {
        p.ancestors()
            .skip(1)
            .find_map(canonical)
            .is_some_and(|a| self.allowed(&a))
    }

    fn allowed(&self, p: &Path) -> bool {
        self.read_files.iter().any(|f| f == p) || self.read_roots.iter().any(|r| p.starts_with(r))
    }

    /// A "did you mean" for a path that does not exist, in the user's own terms: each
    /// component that does not exist is replaced by the closest name in its folder
    /// (`fixture/chanels.csv` -> `fixtures/channels.csv`), and the suggestion is made
    /// only if the corrected path exists.
    fn near_miss(&self, written: &str, base: &Path) -> String {
        let mut dir = base.to_path_buf();
        let mut fixed: Vec<String> = Vec::new();
        for c in Path::new(written).components() {
            let Component::Normal(name) = c else {
                fixed.push(c.as_os_str().to_string_lossy().into_owned());
                dir.push(c.as_os_str());
                continue;
            };
            let name = name.to_string_lossy().into_owned();
            // No file name is longer than 255 bytes: nothing to suggest.
            if name.len() > 255 {
                return String::new();
            }
            if dir.join(&name).exists() {
                dir.push(&name);
                fixed.push(name);
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return String::new();
            };
            let names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            let Some(best) = crate::suggest::closest(&name, names.iter().map(String::as_str))
            else {
                return String::new();
            };
            dir.push(best);
            fixed.push(best.to_string());
        }
        let inside = canonical(&dir).is_some_and(|d| self.allowed(&d));
        if inside && !fixed.is_empty() {
            format!("; did you mean {}?", fixed.join("/").replace("//", "/"))
        } else {
            String::new()
        }
    }

    /// The path under the output directory for `name`, with its folders created; refuses
    /// names that escape it, lexically (`..`, absolute paths) or through a symbolic link
    /// already inside the output directory that leads out of it.
    ///
    /// The folders are walked one component at a time from the output directory: an
    /// existing one must resolve (links followed) to a folder inside the output
    /// directory, a missing one is created there. The file itself is then renamed into
    /// place, which replaces a link of that name rather than writing through it.
    pub fn resolve_write(&self, name: &str) -> Result<PathBuf, SandboxError> {
        let p = Path::new(name);
        let ok = !name.is_empty()
            && p.components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !ok {
            return Err(SandboxError::WriteOutside {
                name: name.to_string(),
            });
        }
        let io = |e: std::io::Error, at: &Path| SandboxError::Write {
            path: at.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&self.out_dir).map_err(|e| io(e, &self.out_dir))?;
        let root = std::fs::canonicalize(&self.out_dir).map_err(|e| io(e, &self.out_dir))?;
        let mut dir = self.out_dir.clone();
        for c in p.parent().into_iter().flat_map(Path::components) {
            let Component::Normal(c) = c else { continue };
            dir.push(c);
            match std::fs::symlink_metadata(&dir) {
                Ok(_) => match canonical(&dir) {
                    Some(real) if real.starts_with(&root) => {}
                    _ => {
                        return Err(SandboxError::LinkOutside {
                            name: name.to_string(),
                            folder: dir.display().to_string(),
                        })
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::create_dir(&dir).map_err(|e| io(e, &dir))?;
                }
                Err(e) => return Err(io(e, &dir)),
            }
        }
        Ok(self.out_dir.join(p))
    }

    /// Writes `bytes` to `name` under the output directory atomically (a temporary file
    /// in the same directory, then a rename) and returns the final path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, SandboxError> {
        let path = self.resolve_write(name)?;
        write_atomic(&path, bytes)?;
        self.written.borrow_mut().push(path.clone());
        Ok(path)
    }
}

/// Writes a file atomically: the bytes go to a temporary file beside `path`, which is
/// then renamed over it. Parent directories are created.
/// The start of the temporary files' names: `.pacer-w<pid>-<random>.tmp`.
pub const TEMP_PREFIX: &str = ".pacer-w";

/// The process that wrote a temporary file named by [`write_atomic`], from its name.
pub fn temp_writer(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(".tmp")?;
    rest.split('-').next()?.parse().ok()
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SandboxError> {
    let err = |e: std::io::Error| SandboxError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    // The writer's process id is in the name, so that a later run can tell the
    // leftovers of a killed process from a file another live run is writing.
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // Temporary files are private (0600); a report is for sharing: owner read-write,
    // everyone else read, as a file created by any other tool would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_paths_get_a_suggestion_in_the_users_terms() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("fixtures"))?;
        std::fs::write(dir.path().join("fixtures/channels.csv"), "x\n1\n")?;
        let sb = Sandbox::new(dir.path(), None, &[], &dir.path().join("out"));
        let e = sb
            .resolve_read("fixture/chanels.csv")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("did you mean fixtures/channels.csv?"), "{e}");
        let e = sb
            .resolve_read("nowhere/at/all.csv")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!e.contains("did you mean"), "{e}");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("report.html");
        write_atomic(&path, b"<p>hi</p>")?;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o644
        );
        Ok(())
    }

    #[test]
    fn refuses_reads_outside_and_writes_escaping() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("a.csv"), "x\n1\n")?;
        let sb = Sandbox::new(dir.path(), None, &[], &dir.path().join("out"));
        assert!(sb.resolve_read("a.csv").is_ok());
        assert!(matches!(
            sb.resolve_read("/etc/passwd"),
            Err(SandboxError::ReadOutside { .. })
        ));
        assert!(matches!(
            sb.resolve_read("../../../../etc/passwd"),
            Err(SandboxError::ReadOutside { .. })
        ));
        let e = sb
            .resolve_read("b.csv")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean"), "{e}");
        assert!(sb.resolve_write("../x.csv").is_err());
        assert!(sb.resolve_write("/tmp/x.csv").is_err());
        let p = sb.write("sub/r.csv", b"x\n")?;
        assert_eq!(std::fs::read_to_string(p)?, "x\n");
        Ok(())
    }
}
