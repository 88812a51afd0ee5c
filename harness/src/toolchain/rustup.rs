//! Every rustup call the harness makes goes through here. rustup is not safe to run twice at
//! once against one installation (two `target add`s, or a `toolchain install` beside a `which`,
//! can crash it), so each call holds one lock per rustup installation: a file under the system
//! temporary directory named after `RUSTUP_HOME`. Parallel trials, parallel tests and separate
//! harness processes with different harness directories all take the same lock.
//!
//! A failed call is reported by rustup's own `error:` line, not by the tail of its output
//! (which is often a backtrace).

use crate::error::{Error, Result};
use crate::process::{self, Cmd, CmdRecord};
use sha2::{Digest, Sha256};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The rustup binary on PATH, if any.
pub fn find() -> Option<PathBuf> {
    process::which("rustup")
}

/// The rustup installation the calls act on: `$RUSTUP_HOME`, else `~/.rustup`.
pub fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("RUSTUP_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let user = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_default();
    user.join(".rustup")
}

/// The lock file for the installation at `home`.
pub fn lock_path_for(home: &Path) -> PathBuf {
    let canonical = std::fs::canonicalize(home).unwrap_or_else(|_| home.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("arm64ec-harness-rustup-{tag}.lock"))
}

/// Held while rustup runs; released when dropped.
pub struct Guard {
    _file: File,
    rustup: PathBuf,
}

/// Take the installation's lock, waiting (with a line on stderr) while another process
/// holds it.
pub fn lock() -> Result<Guard> {
    let rustup = find().ok_or_else(|| Error::msg("rustup is not on PATH"))?;
    let path = lock_path_for(&home());
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, "open the rustup lock", &e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "harness: waiting for another process's rustup call to finish (lock {})",
                path.display()
            );
            file.lock().map_err(|e| Error::io(&path, "lock", &e))?;
        }
        Err(TryLockError::Error(e)) => return Err(Error::io(&path, "lock", &e)),
    }
    Ok(Guard { _file: file, rustup })
}

impl Guard {
    /// Run `rustup ARGS` under the lock, whatever its exit.
    pub fn run(&self, args: &[&str], timeout: Duration) -> CmdRecord {
        process::run(&Cmd::new(&self.rustup).args(args), Instant::now() + timeout)
    }

    /// Run `rustup ARGS`; a failure is an error led by rustup's own error line.
    pub fn run_ok(&self, args: &[&str], timeout: Duration) -> Result<CmdRecord> {
        let r = self.run(args, timeout);
        if r.exit.success() { Ok(r) } else { Err(Error::msg(failure(args, &r))) }
    }
}

/// Take the lock and run `rustup ARGS`, whatever its exit.
pub fn run(args: &[&str], timeout: Duration) -> Result<CmdRecord> {
    Ok(lock()?.run(args, timeout))
}

/// Take the lock and run `rustup ARGS`; a failure is an error led by rustup's error line.
pub fn run_ok(args: &[&str], timeout: Duration) -> Result<CmdRecord> {
    lock()?.run_ok(args, timeout)
}

/// `` `rustup ARGS` failed: error: … `` with rustup's own error line, else how it ended and
/// the last lines of its output.
pub fn failure(args: &[&str], r: &CmdRecord) -> String {
    let what = format!("`rustup {}` failed", args.join(" "));
    match error_line(&r.stderr).or_else(|| error_line(&r.stdout)) {
        Some(line) => format!("{what}: {line}"),
        None => format!("{what}: {}\n{}", r.summary(), r.tail(10)),
    }
}

/// The first line rustup printed as its error (`error: …`), without a backtrace.
pub fn error_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| l.starts_with("error:") || l.starts_with("error["))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_line_is_rustups_own_not_the_backtrace() {
        let stderr = "info: syncing channel updates for '1.94.0-x86_64-unknown-linux-gnu'\n\
            error: component 'rust-std' for target 'arm64ec-pc-windows-msvc' is unavailable for download for channel '1.94.0'\n\
            Stack backtrace:\n   0: anyhow::error::<impl>\n   1: rustup::dist\n";
        assert_eq!(
            error_line(stderr),
            Some(
                "error: component 'rust-std' for target 'arm64ec-pc-windows-msvc' is unavailable for download for channel '1.94.0'"
            )
        );
        assert_eq!(error_line("info: fine\n"), None);
    }

    #[test]
    fn one_lock_file_per_installation() {
        let a = lock_path_for(Path::new("/nonexistent/a/.rustup"));
        let b = lock_path_for(Path::new("/nonexistent/b/.rustup"));
        assert_ne!(a, b);
        assert_eq!(a, lock_path_for(Path::new("/nonexistent/a/.rustup")));
        assert!(a.starts_with(std::env::temp_dir()));
    }
}
