//! Provisioning through rustup: one lock for every rustup call, across harness processes with
//! different harness directories, and a failed call reported by rustup's own error line.
//! A stand-in `rustup` on PATH records each call and notices when two overlap; a stand-in
//! `rustc` answers the probe with an empty sysroot, so the Windows targets must be installed.

#![cfg(unix)]

mod common;

use common::{NO_STD_OK, suite, text};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The real rustc, found before PATH and RUSTUP_HOME are redirected.
fn real_rustc() -> PathBuf {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().expect("rustc");
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("bin/rustc")
}

fn script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in toolchain `fake` under `root`: `bin/rustup` (calls logged to `rustup.log`,
/// overlaps logged as `OVERLAP`; `target add` takes a second, then installs, or fails with
/// rustup's error and a backtrace when `fail` is set) and a rustc whose sysroot is empty.
fn stand_ins(root: &Path, fail: bool) {
    let r = root.display();
    let sysroot = root.join("sysroot");
    std::fs::create_dir_all(sysroot.join("lib/rustlib")).unwrap();
    script(
        &root.join("toolchains/fake/bin/rustc"),
        &format!(
            "if [ \"$1 $2\" = \"--print sysroot\" ]; then echo {}; exit 0; fi\nexec {} \"$@\"\n",
            sysroot.display(),
            real_rustc().display()
        ),
    );
    let add = if fail {
        "echo \"info: syncing channel updates for 'fake'\" >&2\n\
         echo \"error: component 'rust-std' for target 'arm64ec-pc-windows-msvc' is unavailable for download for channel 'fake'\" >&2\n\
         echo 'Stack backtrace:' >&2; echo '   0: anyhow::error' >&2; echo '   1: rustup::dist' >&2\n\
         rmdir \"$R/busy\"; exit 1"
            .to_string()
    } else {
        "sleep 1\nfor t in \"$@\"; do case $t in *-windows-*) mkdir -p \"$R/sysroot/lib/rustlib/$t/lib\"; \
         touch \"$R/sysroot/lib/rustlib/$t/lib/libcore-fake.rlib\";; esac; done"
            .to_string()
    };
    script(
        &root.join("bin/rustup"),
        &format!(
            "R={r}\nmkdir \"$R/busy\" 2>/dev/null || echo \"OVERLAP $*\" >>\"$R/rustup.log\"\n\
             echo \"start $*\" >>\"$R/rustup.log\"\n\
             case \"$1\" in\n\
               which) echo \"$R/toolchains/fake/bin/rustc\" ;;\n\
               toolchain) echo fake ;;\n\
               target) {add} ;;\n\
             esac\n\
             echo \"end $*\" >>\"$R/rustup.log\"\nrmdir \"$R/busy\" 2>/dev/null\nexit 0\n"
        ),
    );
}

fn harness_with_stand_ins(root: &Path, suites: &Path, harness_dir: &Path) -> Command {
    let path = format!("{}:{}", root.join("bin").display(), std::env::var("PATH").unwrap());
    let mut cmd = common::harness_run(suites, harness_dir);
    cmd.args(["--toolchain", "fake", "--tier", "static"])
        .env("PATH", path)
        .env("RUSTUP_HOME", root.join("rustup-home"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn two_harness_processes_started_together_take_turns() {
    let root = tempfile::tempdir().unwrap();
    stand_ins(root.path(), false);
    let s = suite(&[("p/ok.rs", NO_STD_OK)]);
    let (h1, h2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = harness_with_stand_ins(root.path(), s.path(), h1.path()).spawn().unwrap();
    let b = harness_with_stand_ins(root.path(), s.path(), h2.path()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let log = std::fs::read_to_string(root.path().join("rustup.log")).unwrap_or_default();
    assert!(!log.contains("OVERLAP"), "rustup ran twice at once:\n{log}");
    let adds = log.lines().filter(|l| l.starts_with("start target add")).count();
    assert_eq!(adds, 1, "the second process must find the targets installed:\n{log}");
    let both = format!("{}\n{}", text(&a), text(&b));
    assert!(both.contains("installed rust-std"), "{both}");
}

#[test]
fn a_failed_install_reports_rustups_error_line() {
    let root = tempfile::tempdir().unwrap();
    stand_ins(root.path(), true);
    let s = suite(&[("p/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    let out = harness_with_stand_ins(root.path(), s.path(), h.path()).output().unwrap();
    let t = text(&out);
    assert_ne!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains(
            "error: component 'rust-std' for target 'arm64ec-pc-windows-msvc' is unavailable"
        ),
        "{t}"
    );
    assert!(!t.contains("Stack backtrace") && !t.contains("anyhow::error"), "{t}");
}
