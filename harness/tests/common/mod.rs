//! Helpers shared by the integration tests: temporary suite roots and running the binary.

#![allow(dead_code)]

pub mod trials;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn harness_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_harness"))
}

/// Write `files` (relative path, contents) under a new temporary directory.
pub fn suite(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    dir
}

/// The harness binary as a child of a test: without the `GITHUB_*` variables of the job
/// running the tests, so a self-test's deliberately broken suite never writes annotations or a
/// step summary into the real job's outputs. A test that wants them sets them on the command.
/// Every test starts the harness through this.
pub fn harness_cmd() -> Command {
    let mut cmd = Command::new(harness_bin());
    for k in github_vars() {
        cmd.env_remove(k);
    }
    cmd
}

/// The `GITHUB_*` variables of this process's environment.
fn github_vars() -> Vec<std::ffi::OsString> {
    std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| k.to_string_lossy().starts_with("GITHUB_"))
        .collect()
}

/// `cmd` without the job's `GITHUB_*` variables (see [`harness_cmd`]), for a harness started
/// through the library's process runner.
pub fn scrubbed(mut cmd: harness::process::Cmd) -> harness::process::Cmd {
    for k in github_vars() {
        cmd = cmd.env_remove(k);
    }
    cmd
}

/// `harness run --suites S --harness-dir H`, for the caller to add arguments and
/// environment to.
pub fn harness_run(suites: &Path, harness_dir: &Path) -> Command {
    let mut cmd = harness_cmd();
    cmd.arg("run").arg("--suites").arg(suites).arg("--harness-dir").arg(harness_dir);
    cmd
}

/// `harness run --suites S --harness-dir H ARGS...`
pub fn run(suites: &Path, harness_dir: &Path, args: &[&str]) -> Output {
    harness_run(suites, harness_dir).args(args).output().expect("run harness")
}

pub fn read_report(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("report is JSON")
}

pub fn case<'a>(report: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["key"] == key))
        .unwrap_or_else(|| panic!("no case {key} in report: {report:#}"))
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Whether a process with this pid still exists (zombies count as gone).
#[cfg(target_os = "linux")]
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

pub const NO_STD_OK: &str = "//@ tier: static\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn f(x: u32) -> u32 { x + 1 }\n";
