//! The sandbox's rule for network connections: a script may connect only to servers
//! whose URL (scheme, host and port) was given on the command line with `--allow-url`,
//! or listed in the user's own file `$XDG_CONFIG_HOME/pacer/allowed-urls` (by default
//! `~/.config/pacer/allowed-urls`: one URL a line, `#` starts a comment), which is
//! honoured only when it belongs to the user running pacer and nobody else may write
//! it. Also where `--explain` collects the statements it prints instead of running.

use crate::warehouse::Endpoint;
use std::cell::RefCell;
use std::path::PathBuf;

/// The servers a run may reach, and the statements collected by `--explain`.
#[derive(Debug, Default)]
pub struct Connections {
    allowed: RefCell<Vec<Endpoint>>,
    explained: RefCell<Option<Vec<String>>>,
}

/// The allow-list file: `$XDG_CONFIG_HOME/pacer/allowed-urls`, else
/// `$HOME/.config/pacer/allowed-urls`.
pub fn allow_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("pacer").join("allowed-urls"))
}

/// Why a file is not trusted, or `None` when it belongs to the current user and only
/// they may write it.
#[cfg(unix)]
fn distrust(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Some(format!(
            "it belongs to user id {}, not to you ({me})",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Some("others may write it (chmod go-w)".into());
    }
    None
}

#[cfg(not(unix))]
fn distrust(_meta: &std::fs::Metadata) -> Option<String> {
    Some("file ownership cannot be checked on this system".into())
}

impl Connections {
    /// Allows the URLs given with `--allow-url`; errors name a URL that is not valid.
    pub fn allow(&self, urls: &[String]) -> Result<(), String> {
        for u in urls {
            let e = Endpoint::parse(u).map_err(|e| format!("--allow-url: {e}"))?;
            self.allowed.borrow_mut().push(e);
        }
        Ok(())
    }

    /// Checks that `url` may be reached; the error says how to allow it.
    pub fn check(&self, url: &Endpoint) -> Result<(), String> {
        if self.allowed.borrow().iter().any(|a| a.same_origin(url)) {
            return Ok(());
        }
        let file = allow_file();
        let mut note = String::new();
        if let Some(meta) = file.as_ref().and_then(|f| std::fs::metadata(f).ok()) {
            let f = file.as_deref().unwrap_or(std::path::Path::new(""));
            match distrust(&meta) {
                Some(why) => note = format!(" ({} is ignored: {why})", f.display()),
                None => {
                    let text = std::fs::read_to_string(f).unwrap_or_default();
                    for line in text.lines() {
                        let line = line.split('#').next().unwrap_or("").trim();
                        if !line.is_empty()
                            && Endpoint::parse(line).is_ok_and(|a| a.same_origin(url))
                        {
                            return Ok(());
                        }
                    }
                }
            }
        }
        Err(format!(
            "sandbox: connections to {url} are not allowed; pass --allow-url {}://{}:{} on the command line{}{}",
            url.scheme,
            url.host,
            url.port,
            file.map(|f| format!(" or list it in {}", f.display()))
                .unwrap_or_default(),
            note
        ))
    }

    /// Turns `--explain` on: pushed-down calls record their SQL instead of running.
    pub fn start_explaining(&self) {
        *self.explained.borrow_mut() = Some(Vec::new());
    }

    /// True under `--explain`.
    pub fn explaining(&self) -> bool {
        self.explained.borrow().is_some()
    }

    /// Records a statement under `--explain` (`what` says which call made it).
    pub fn record(&self, what: &str, sql: &str) {
        if let Some(v) = self.explained.borrow_mut().as_mut() {
            v.push(format!("-- {what}\n{sql};\n"));
        }
    }

    /// The statements recorded so far.
    pub fn explained(&self) -> Vec<String> {
        self.explained.borrow().clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_origins_pass() {
        let c = Connections::default();
        c.allow(&["http://127.0.0.1:18123".into()]).expect("valid");
        assert!(c
            .check(&Endpoint::parse("http://127.0.0.1:18123/").expect("url"))
            .is_ok());
        let e = c
            .check(&Endpoint::parse("http://127.0.0.1:9999").expect("url"))
            .expect_err("other port");
        assert!(e.contains("--allow-url http://127.0.0.1:9999"), "{e}");
        assert!(c.allow(&["nonsense".into()]).is_err());
    }
}
