//! Every external tool runs through here: an argv array (never a shell string) through duct,
//! output captured, a deadline, and on timeout the whole process tree is killed
//! ([`crate::proctree`]).

use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::proctree::{self, Tree};

/// At most this many bytes of stdout/stderr are kept in reports (head and tail).
pub const KEEP_BYTES: usize = 16 * 1024;

/// A command to run.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub argv: Vec<OsString>,
    pub cwd: Option<PathBuf>,
    pub env: Vec<(OsString, OsString)>,
    /// Variables the command must not inherit.
    pub env_removed: Vec<OsString>,
}

impl Cmd {
    pub fn new(program: impl Into<OsString>) -> Self {
        Cmd { argv: vec![program.into()], cwd: None, env: Vec::new(), env_removed: Vec::new() }
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.argv.push(a.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.argv.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Do not pass `k` on from this process's environment.
    pub fn env_remove(mut self, k: impl Into<OsString>) -> Self {
        self.env_removed.push(k.into());
        self
    }

    pub fn argv_strings(&self) -> Vec<String> {
        self.argv.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Exit {
    Code {
        code: i32,
    },
    Signal {
        signal: i32,
    },
    /// Killed (with its process tree) when the deadline passed.
    Timeout {
        after_ms: u64,
    },
    /// Could not be started at all (missing program, permissions).
    SpawnFailed {
        message: String,
    },
}

impl Exit {
    pub fn success(&self) -> bool {
        matches!(self, Exit::Code { code: 0 })
    }
}

/// The record of one finished command, as it goes into the report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CmdRecord {
    pub argv: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    pub exit: Exit,
    pub duration_ms: u64,
    pub stdout: String,
    pub stderr: String,
}

impl CmdRecord {
    /// A one-line description for error messages.
    pub fn summary(&self) -> String {
        let prog = self.argv.first().map(String::as_str).unwrap_or("?");
        match &self.exit {
            Exit::Code { code } => format!("`{prog}` exited with code {code}"),
            Exit::Signal { signal } => format!("`{prog}` was killed by signal {signal}"),
            Exit::Timeout { after_ms } => format!("`{prog}` timed out after {after_ms} ms"),
            Exit::SpawnFailed { message } => format!("`{prog}` could not be started: {message}"),
        }
    }

    /// The last lines of stderr (or stdout), for a compact failure message.
    pub fn tail(&self, lines: usize) -> String {
        let text = if self.stderr.trim().is_empty() { &self.stdout } else { &self.stderr };
        let v: Vec<&str> = text.trim_end().lines().collect();
        v[v.len().saturating_sub(lines)..].join("\n")
    }
}

/// Keep the head and tail of long output, marking what was cut.
pub fn trim_output(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.len() <= KEEP_BYTES {
        return s.into_owned();
    }
    let half = KEEP_BYTES / 2;
    let mut head_end = half;
    while !s.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = s.len() - half;
    while !s.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    format!(
        "{}\n[... {} bytes trimmed ...]\n{}",
        &s[..head_end],
        tail_start - head_end,
        &s[tail_start..]
    )
}

/// Run `cmd` until it exits or `deadline` passes. Never panics: spawn failures and
/// timeouts are reported in the returned record.
pub fn run(cmd: &Cmd, deadline: Instant) -> CmdRecord {
    run_capture(cmd, deadline).0
}

/// [`run`], also returning the whole of stdout (the record keeps only its head and tail):
/// for programs whose output is data, such as the ABI matrix's value protocol.
pub fn run_capture(cmd: &Cmd, deadline: Instant) -> (CmdRecord, Vec<u8>) {
    run_inner(cmd, deadline, None)
}

/// [`run_capture`] with stdout and stderr going to files in `scratch` instead of pipes, so
/// that only the process itself is waited for — not a daemon it starts that inherits its
/// output (Wine's wineserver does).
pub fn run_capture_via_files(cmd: &Cmd, deadline: Instant, scratch: &Path) -> (CmdRecord, Vec<u8>) {
    run_inner(cmd, deadline, Some(scratch))
}

fn run_inner(cmd: &Cmd, deadline: Instant, scratch: Option<&Path>) -> (CmdRecord, Vec<u8>) {
    let start = Instant::now();
    let argv = cmd.argv_strings();
    let cwd = cmd.cwd.as_ref().map(|c| c.display().to_string());
    let record = |exit, out: &[u8], err: &[u8]| {
        let r = CmdRecord {
            argv: argv.clone(),
            cwd: cwd.clone(),
            exit,
            duration_ms: start.elapsed().as_millis() as u64,
            stdout: trim_output(out),
            stderr: trim_output(err),
        };
        (r, out.to_vec())
    };
    let Some((program, args)) = cmd.argv.split_first() else {
        return record(Exit::SpawnFailed { message: "empty argv".into() }, b"", b"");
    };
    let mut expr = duct::cmd(program, args).stdin_null().unchecked().before_spawn(|c| {
        proctree::prepare(c);
        Ok(())
    });
    let files = scratch.map(|d| (d.join("run.stdout"), d.join("run.stderr")));
    expr = match &files {
        Some((o, e)) => {
            if let Some(d) = scratch
                && let Err(err) = std::fs::create_dir_all(d)
            {
                return record(
                    Exit::SpawnFailed { message: format!("{}: {err}", d.display()) },
                    b"",
                    b"",
                );
            }
            expr.stdout_path(o).stderr_path(e)
        }
        None => expr.stdout_capture().stderr_capture(),
    };
    let read_files = |out: &std::process::Output| -> (Vec<u8>, Vec<u8>) {
        match &files {
            Some((o, e)) => {
                (std::fs::read(o).unwrap_or_default(), std::fs::read(e).unwrap_or_default())
            }
            None => (out.stdout.clone(), out.stderr.clone()),
        }
    };
    if let Some(dir) = &cmd.cwd {
        expr = expr.dir(dir);
    }
    for k in &cmd.env_removed {
        expr = expr.env_remove(k);
    }
    for (k, v) in &cmd.env {
        expr = expr.env(k, v);
    }
    let handle = match expr.start() {
        Ok(h) => h,
        Err(e) => {
            return record(Exit::SpawnFailed { message: e.to_string() }, b"", b"");
        }
    };
    let live = match adopt(&handle) {
        Ok(live) => live,
        Err(message) => {
            let _ = handle.wait_timeout(Duration::from_secs(10));
            return record(Exit::SpawnFailed { message }, b"", b"");
        }
    };
    match handle.wait_deadline(deadline) {
        Ok(Some(out)) => {
            let (o, e) = read_files(out);
            record(exit_of(&out.status), &o, &e)
        }
        Ok(None) => {
            live.kill();
            let after_ms = start.elapsed().as_millis() as u64;
            // The whole group is dead, so the output pipes close and this returns promptly.
            match handle.wait_timeout(Duration::from_secs(10)) {
                Ok(Some(out)) => {
                    let (o, e) = read_files(out);
                    record(Exit::Timeout { after_ms }, &o, &e)
                }
                _ => record(Exit::Timeout { after_ms }, b"", b""),
            }
        }
        Err(e) => record(Exit::SpawnFailed { message: format!("waiting failed: {e}") }, b"", b""),
    }
}

/// Process trees started by [`run`] that have not been reaped yet, so an interrupted
/// harness can kill them (they sit in their own process groups or job objects and miss the
/// terminal's interrupt).
static LIVE: std::sync::Mutex<Vec<Arc<Tree>>> = std::sync::Mutex::new(Vec::new());

/// The trees of a started command, registered in [`LIVE`] while it runs.
struct Live(Vec<Arc<Tree>>);

fn adopt(handle: &duct::Handle) -> Result<Live, String> {
    let mut trees = Vec::new();
    for pid in handle.pids() {
        match Tree::adopt(pid) {
            Ok(t) => trees.push(Arc::new(t)),
            Err(e) => {
                trees.iter().for_each(|t| t.kill());
                return Err(e);
            }
        }
    }
    if let Ok(mut live) = LIVE.lock() {
        live.extend(trees.iter().cloned());
    }
    Ok(Live(trees))
}

impl Live {
    fn kill(&self) {
        self.0.iter().for_each(|t| t.kill());
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|t| !self.0.iter().any(|mine| Arc::ptr_eq(t, mine)));
        }
    }
}

/// Kill every process tree still running; for interrupt handlers.
pub fn kill_all_live() {
    let trees = LIVE.lock().map(|l| l.clone()).unwrap_or_default();
    trees.iter().for_each(|t| t.kill());
}

fn exit_of(status: &std::process::ExitStatus) -> Exit {
    if let Some(code) = status.code() {
        return Exit::Code { code };
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Exit::Signal { signal };
        }
    }
    Exit::Code { code: -1 }
}

/// Search PATH for an executable named `name`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let exts: &[&str] = if cfg!(windows) { &[".exe", ""] } else { &[""] };
    std::env::split_paths(&path)
        .find_map(|dir| exts.iter().map(|e| dir.join(format!("{name}{e}"))).find(|p| p.is_file()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_exit_code() {
        let r = run(
            &Cmd::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Instant::now() + Duration::from_secs(10),
        );
        assert_eq!(r.exit, Exit::Code { code: 3 });
        assert_eq!(r.stdout, "out\n");
        assert_eq!(r.stderr, "err\n");
    }

    #[test]
    fn missing_program_is_a_spawn_failure_not_a_panic() {
        let r = run(&Cmd::new("/nonexistent/tool"), Instant::now() + Duration::from_secs(5));
        assert!(matches!(r.exit, Exit::SpawnFailed { .. }), "{:?}", r.exit);
    }

    #[test]
    fn timeout_kills_grandchildren_holding_the_pipes() {
        // The grandchild `sleep` inherits stdout; without a tree kill this would hang.
        let start = Instant::now();
        let r = run(
            &Cmd::new("sh").args(["-c", "sleep 100 & echo started; wait"]),
            Instant::now() + Duration::from_millis(500),
        );
        assert!(matches!(r.exit, Exit::Timeout { .. }), "{:?}", r.exit);
        assert!(start.elapsed() < Duration::from_secs(8));
        assert_eq!(r.stdout, "started\n");
    }

    #[test]
    fn long_output_is_trimmed_in_the_middle() {
        let big = vec![b'x'; KEEP_BYTES * 3];
        let t = trim_output(&big);
        assert!(t.len() < KEEP_BYTES + 100);
        assert!(t.contains("bytes trimmed"));
    }
}
