//! Signals: Ctrl-C and SIGTERM set a flag that stops running scripts between
//! operations (a second one ends the process at once, exit 130); a file-size limit
//! (SIGXFSZ) becomes an ordinary write error instead of killing the process.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A flag set by Ctrl-C (and SIGTERM when `term`); a second signal while it is set
/// exits with 130. `None` when the handlers cannot be installed.
pub fn interrupt_flag(term: bool) -> Option<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let mut signals = vec![signal_hook::consts::SIGINT];
    if term {
        signals.push(signal_hook::consts::SIGTERM);
    }
    for sig in signals {
        // The conditional shutdown goes first: it acts only when the flag is already set.
        signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone()).ok()?;
        signal_hook::flag::register(sig, flag.clone()).ok()?;
    }
    Some(flag)
}

/// Catches SIGXFSZ so that writing past a file-size limit fails with an error (EFBIG)
/// that is reported, rather than killing the process.
pub fn catch_file_size_limit() {
    #[cfg(unix)]
    {
        let _ = signal_hook::flag::register(
            signal_hook::consts::SIGXFSZ,
            Arc::new(AtomicBool::new(false)),
        );
    }
}
