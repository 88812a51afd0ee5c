//! The emulated runner: `arm64ec-emu`, the workspace's function-level emulator, runs the
//! functions of an ABI-matrix image — Arm64EC code on an emulated AArch64 CPU, x64 code on
//! an emulated x86-64 CPU, switching through the image's own thunks — and writes the value
//! protocol ([`crate::matrix::protocol`]). The emulator links unicorn (GPL-2.0), so it is a
//! separate crate and binary: the harness only runs it as a process.
//!
//! The binary is, in order: the one `harness.toml` names (`[runner] emulator`), the one
//! `$ARM64EC_EMU` names, or the workspace's, built with `cargo build --release -p
//! arm64ec-emu` the first time a pairing needs it (unicorn's C core needs cmake).

use crate::error::Error;
use crate::matrix::Pairing;
use crate::process::{self, Cmd, Exit};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The emulator's package and binary name.
pub const PACKAGE: &str = "arm64ec-emu";

/// How long building the emulator may take (unicorn's C core is most of it).
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The emulator binary to run: `configured` (from `harness.toml`), else `$ARM64EC_EMU`,
/// else the workspace's, built now. `log` receives the build's output.
pub fn locate(configured: Option<&Path>, log: &Path) -> Result<PathBuf, Error> {
    let explicit = configured
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ARM64EC_EMU").map(PathBuf::from));
    if let Some(b) = explicit {
        return resolve(&b).ok_or_else(|| {
            Error::at_file(
                &b,
                "the emulator does not exist (harness.toml [runner] emulator, or $ARM64EC_EMU)",
            )
        });
    }
    build(&crate::paths::workspace_root(), log)
}

/// A path, or a bare name looked up on PATH.
fn resolve(b: &Path) -> Option<PathBuf> {
    if b.components().count() == 1 && !b.is_file() {
        return process::which(&b.to_string_lossy());
    }
    b.is_file().then(|| b.to_path_buf())
}

/// Build the workspace's emulator (release) and return the binary cargo reports.
pub fn build(workspace: &Path, log: &Path) -> Result<PathBuf, Error> {
    let manifest = workspace.join("emulator/Cargo.toml");
    if !manifest.is_file() {
        return Err(Error::at_file(
            &manifest,
            "no emulator crate here; name a built arm64ec-emu in harness.toml ([runner] emulator) or $ARM64EC_EMU",
        ));
    }
    let cargo = std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| "cargo".into());
    let cmd = Cmd::new(cargo)
        .args(["build", "--release", "--locked", "-p", PACKAGE])
        .arg("--message-format=json-render-diagnostics")
        .cwd(workspace);
    eprintln!(
        "harness: emulated runner: `{}` (a second when up to date; the first build takes a few minutes and needs cmake)",
        cmd.argv_strings().join(" ")
    );
    let (rec, stdout) = process::run_capture(&cmd, Instant::now() + BUILD_TIMEOUT);
    if let Some(dir) = log.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(log, format!("$ {}\n{}", rec.argv.join(" "), rec.stderr));
    if rec.exit != (Exit::Code { code: 0 }) {
        let tail: Vec<&str> = rec.stderr.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(Error::msg(format!(
            "building the emulator failed ({}; log: {}):\n{}",
            rec.summary(),
            log.display(),
            tail.join("\n")
        )));
    }
    executable(&String::from_utf8_lossy(&stdout)).ok_or_else(|| {
        Error::at_file(log, format!("cargo built the emulator but named no `{PACKAGE}` executable"))
    })
}

/// The `arm64ec-emu` executable in cargo's JSON messages.
fn executable(messages: &str) -> Option<PathBuf> {
    messages.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).find_map(
        |m| {
            (m["reason"] == "compiler-artifact" && m["target"]["name"] == PACKAGE)
                .then(|| m["executable"].as_str().map(PathBuf::from))
                .flatten()
        },
    )
}

/// The command that runs every function of a matrix image: `abi_run(i)` for `i` in
/// `0..count`, started on the caller's CPU.
pub fn matrix_command(
    emulator: &Path,
    image: &Path,
    map: &Path,
    pairing: &Pairing,
    count: usize,
) -> Cmd {
    // `ec` or `x64`: the CPU `abi_run` starts on is the caller's.
    let caller = pairing.caller.arch.name();
    // It runs in the image's directory: every path absolute.
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let image = abs(image);
    let mut cmd = Cmd::new(abs(emulator))
        .arg("run-matrix")
        .arg("--image")
        .arg(&image)
        .arg("--map")
        .arg(abs(map))
        .args(["--pairing", &pairing.name(), "--count", &count.to_string(), "--caller", caller]);
    if let Some(dir) = image.parent() {
        cmd = cmd.cwd(dir);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_comes_from_cargo_messages() {
        let msgs = concat!(
            "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"clap\"},\"executable\":null}\n",
            "not json\n",
            "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"arm64ec-emu\"},\"executable\":\"/t/release/arm64ec-emu\"}\n",
            "{\"reason\":\"build-finished\",\"success\":true}\n"
        );
        assert_eq!(executable(msgs), Some(PathBuf::from("/t/release/arm64ec-emu")));
        assert_eq!(executable("{\"reason\":\"build-finished\"}"), None);
    }

    #[test]
    fn a_missing_emulator_is_an_error_naming_it() {
        let d = tempfile::tempdir().unwrap();
        let e = locate(Some(&d.path().join("nope/arm64ec-emu")), &d.path().join("log"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope/arm64ec-emu") && e.contains("does not exist"), "{e}");
        let e = build(d.path(), &d.path().join("log")).unwrap_err().to_string();
        assert!(e.contains("no emulator crate"), "{e}");
    }

    #[test]
    fn the_caller_cpu_follows_the_pairing() {
        let p = Pairing::parse("c-x64-to-rust-ec").unwrap();
        let c =
            matrix_command(Path::new("emu"), Path::new("/b/m.exe"), Path::new("/b/m.map"), &p, 7);
        let argv = c.argv_strings();
        assert_eq!(argv[argv.len() - 1], "x64");
        assert!(argv.windows(2).any(|w| w == ["--count", "7"]));
        let p = Pairing::parse("rust-ec-to-c-x64").unwrap();
        let c =
            matrix_command(Path::new("emu"), Path::new("/b/m.exe"), Path::new("/b/m.map"), &p, 7);
        assert_eq!(c.argv_strings().last().map(String::as_str), Some("ec"));
    }
}
