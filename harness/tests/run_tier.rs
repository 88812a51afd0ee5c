//! The run tier's plumbing, on any host: a wrapper runner (here a script standing in for
//! an emulator) runs a real Arm64EC EXE and its exit code and output are checked; an ssh
//! runner copies, then runs with the remote command it should; a hanging runner is killed at
//! the case's timeout; `check-run-output` fails on a difference and `--bless` writes the
//! expectation; a bad harness.toml is an error naming the file.

mod common;

use common::*;
use std::path::Path;

/// A no_std Arm64EC EXE with its own entry point (linked by LLD with the support object).
const EC_BIN: &str = "//@ tier: run\n//@ crate-type: bin\n//@ entry: start\n//@ exit-code: 3\n//@ check-run-output\n#![no_std]\n#![no_main]\n#[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n#[unsafe(no_mangle)]\npub extern \"C\" fn start() -> u32 { 0 }\n";

/// An executable shell script standing in for an emulator, ssh or scp.
#[cfg(unix)]
fn script(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

fn run_with_config(suite: &Path, h: &Path, config: &str, extra: &[&str]) -> std::process::Output {
    let cfg = h.join("harness.toml");
    std::fs::write(&cfg, config).unwrap();
    harness_run(suite, h).arg("--config").arg(&cfg).args(extra).output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_wrapper_runner_runs_the_image_and_its_exit_and_output_are_checked() {
    let s = suite(&[("r/ec.rs", EC_BIN), ("r/ec.stdout", "emulated ec.exe a=\n")]);
    let h = tempfile::tempdir().unwrap();
    // The wrapper stands in for an emulator: it checks it got a PE image, then "runs" it.
    let emu = script(
        h.path(),
        "emu.sh",
        "head -c 2 \"$1\" | grep -q MZ || exit 90\necho \"emulated $(basename \"$1\") a=$2\"\nexit 3",
    );
    let cfg =
        format!("[runner]\nkind = \"wrapper\"\nargv = [\"{emu}\", \"{{exe}}\", \"{{args}}\"]\n");
    let out = run_with_config(s.path(), h.path(), &cfg, &[]);
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, "r::ec");
    assert_eq!(c["status"], "passed", "{}\n{c:#}", text(&out));
    assert_eq!(r["header"]["fingerprint"]["runner"]["kind"], "wrapper");
    let run = c["phases"].as_array().unwrap().iter().find(|p| p["name"] == "run").unwrap();
    assert!(run["commands"][0]["argv"][0].as_str().unwrap().ends_with("emu.sh"), "{run:#}");
    // A different exit code and different output are each flagged.
    let cfg = cfg.replace("emu.sh", "emu2.sh");
    script(h.path(), "emu2.sh", "echo other\nexit 4");
    let out = run_with_config(s.path(), h.path(), &cfg, &[]);
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, "r::ec");
    assert_eq!(c["status"], "failed", "{}", text(&out));
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("[run.exit-code]: exited with code 4, expected exit code 3"),
        "{reason}"
    );
    assert!(reason.contains("[run.output]") && reason.contains("got `other`"), "{reason}");
}

#[cfg(unix)]
#[test]
fn a_hanging_runner_is_killed_at_the_timeout() {
    let s = suite(&[("r/ec.rs", &EC_BIN.replace("//@ exit-code: 3\n", "//@ timeout: 2s\n"))]);
    let h = tempfile::tempdir().unwrap();
    let emu = script(h.path(), "hang.sh", "sleep 60");
    let cfg = format!("[runner]\nkind = \"wrapper\"\nargv = [\"{emu}\", \"{{exe}}\"]\n");
    let started = std::time::Instant::now();
    let _ = run_with_config(s.path(), h.path(), &cfg, &[]);
    assert!(started.elapsed().as_secs() < 30, "the run was not cut at its timeout");
    let r = read_report(&h.path().join("report.json"));
    assert_eq!(case(&r, "r::ec")["status"], "timeout");
}

#[cfg(unix)]
#[test]
fn an_ssh_runner_copies_then_runs_the_remote_command() {
    let s = suite(&[("r/ec.rs", &EC_BIN.replace("//@ check-run-output\n", ""))]);
    let h = tempfile::tempdir().unwrap();
    let log = h.path().join("calls.log");
    let ssh = script(
        h.path(),
        "ssh.sh",
        &format!(
            "printf '%s\\n' \"ssh $*\" >> {}\ncase \"$*\" in *\"cd /d\"*) exit 3;; esac",
            log.display()
        ),
    );
    let scp = script(h.path(), "scp.sh", &format!("echo \"scp $*\" >> {}", log.display()));
    let cfg = format!(
        "[runner]\nkind = \"ssh\"\nhost = \"me@arm\"\ndir = \"C:/h\"\nssh = [\"{ssh}\"]\nscp = [\"{scp}\"]\n"
    );
    let out = run_with_config(s.path(), h.path(), &cfg, &["--runner", "ssh"]);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines.len(), 3, "{calls}\n{}", text(&out));
    assert!(lines[0].starts_with("ssh me@arm if not exist"), "{calls}");
    assert!(lines[1].starts_with("scp ") && lines[1].ends_with("ec.exe me@arm:C:/h/"), "{calls}");
    assert_eq!(lines[2], "ssh me@arm cd /d \"C:/h\" && \"C:/h\\ec.exe\"", "{calls}");
    let r = read_report(&h.path().join("report.json"));
    assert_eq!(case(&r, "r::ec")["status"], "passed", "{}", text(&out));
}

#[test]
fn bless_writes_the_expectation_and_a_difference_fails() {
    let fixture = "//@ tier: run\n//@ needs-msvc\n//@ host-control\n//@ check-run-output\nfn main() { println!(\"hello {}\", 6 * 7); eprintln!(\"to stderr\"); }\n";
    let s = suite(&[("r/out.rs", fixture)]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--exact", "r::out::host"]);
    assert_eq!(out.status.code(), Some(1), "no expectation file yet: {}", text(&out));
    assert!(text(&out).contains("`--bless` updates the file"), "{}", text(&out));
    let out = run(s.path(), h.path(), &["--exact", "r::out::host", "--bless"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A host control without a case-level file writes its own.
    let written = s.path().join("r/out.host.stdout");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "hello 42\n");
    assert_eq!(std::fs::read_to_string(s.path().join("r/out.host.stderr")).unwrap(), "to stderr\n");
    let out = run(s.path(), h.path(), &["--exact", "r::out::host"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    std::fs::write(&written, "hello 41\n").unwrap();
    let out = run(s.path(), h.path(), &["--exact", "r::out::host"]);
    assert!(text(&out).contains("expected `hello 41`, got `hello 42`"), "{}", text(&out));
}

#[test]
fn a_bad_config_is_an_error_naming_the_file() {
    let s = suite(&[("r/ec.rs", EC_BIN)]);
    let h = tempfile::tempdir().unwrap();
    let out = run_with_config(s.path(), h.path(), "[runner]\nkind = \"qemu\"\n", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("harness.toml: unknown runner kind `qemu`"), "{}", text(&out));
    let out =
        run_with_config(s.path(), h.path(), "[runner]\nkind = \"wrapper\"\nargv = \"x\"\n", &[]);
    assert!(text(&out).contains("harness.toml:3:"), "{}", text(&out));
}
