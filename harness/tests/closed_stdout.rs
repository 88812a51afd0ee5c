//! A closed stdout (`harness list | head -1`) ends each printing command quietly: the same
//! exit status as with a reader, no panic message, no signal; `run` still writes its report.

mod common;

use common::suite;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// The command run with its stdout a pipe whose reading end is closed before it writes.
fn with_stdout_closed(args: &[&str]) -> Output {
    let mut child = common::harness_cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn harness");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for harness")
}

/// The status and stderr with a closed stdout match a normal run's status, quietly.
fn ends_quietly(args: &[&str]) {
    let normal = common::harness_cmd().args(args).output().expect("run harness");
    assert!(!normal.stdout.is_empty(), "{args:?} prints nothing to close on");
    let closed = with_stdout_closed(args);
    let stderr = String::from_utf8_lossy(&closed.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} with stdout closed:\n{stderr}");
    assert_ne!(closed.status.code(), Some(101), "{args:?}: {stderr}");
    assert!(closed.status.code().is_some(), "{args:?} ended by a signal: {:?}", closed.status);
    assert_eq!(closed.status.code(), normal.status.code(), "{args:?}: {stderr}");
}

fn seed_image(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/image_reader").join(name);
    p.display().to_string()
}

#[test]
fn preflight_list_inspect_verify_and_oracle_end_quietly() {
    let x = seed_image("dll.dll");
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites");
    let suites = suites.display().to_string();
    let hd = tempfile::tempdir().unwrap();
    let hd = hd.path().display().to_string();
    for args in [
        &["preflight", "--harness-dir", &hd][..],
        &["preflight", "--json", "--harness-dir", &hd],
        &["list", "--suites", &suites],
        &["list", "--json", "--suites", &suites],
        &["directives"],
        &["inspect", &x],
        &["inspect", "--json", &x],
        &["verify", &x],
        &["verify", "--json", &x],
        &["oracle", "fn(i32, {u8, u8, u8}, ...) -> f64"],
        &["oracle", "--json", "fn({f32, f32}) -> i64"],
    ] {
        ends_quietly(args);
    }
}

#[test]
fn a_verify_that_finds_violations_keeps_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(seed_image("x64_inside.dll")).unwrap();
    // The PE header's machine becomes ARM64: an Arm64EC image is expected.
    let pe = u32::from_le_bytes(bytes[0x3C..0x40].try_into().unwrap()) as usize;
    bytes[pe + 4..pe + 6].copy_from_slice(&0xAA64u16.to_le_bytes());
    let bad = dir.path().join("bad.dll");
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.display().to_string();
    let normal = common::harness_cmd().args(["verify", &bad]).output().unwrap();
    assert_eq!(normal.status.code(), Some(1), "{}", common::text(&normal));
    ends_quietly(&["verify", &bad]);
}

#[test]
fn run_gate_and_merge_end_quietly_and_still_write_their_files() {
    let root = suite(&[("s/broken.rs", "//@ tier: nope\n")]);
    let hd = tempfile::tempdir().unwrap();
    let report = hd.path().join("report.json");
    let (suites, dir) = (root.path().display().to_string(), hd.path().display().to_string());
    let run_args = ["run", "--suites", &suites, "--harness-dir", &dir, "--no-provision"];
    ends_quietly(&run_args);
    std::fs::remove_file(&report).unwrap();
    with_stdout_closed(&run_args);
    assert!(report.is_file(), "run with stdout closed wrote no report");
    let report_arg = report.display().to_string();
    let merged: PathBuf = hd.path().join("merged.json");
    let merged_arg = merged.display().to_string();
    let merge_args = ["merge", &report_arg, "--out", &merged_arg, "--harness-dir", &dir];
    ends_quietly(&merge_args);
    std::fs::remove_file(&merged).unwrap();
    with_stdout_closed(&merge_args);
    assert!(merged.is_file(), "merge with stdout closed wrote nothing");
    ends_quietly(&[
        "gate",
        "--baseline",
        &report_arg,
        "--candidate",
        &merged_arg,
        "--harness-dir",
        &dir,
    ]);
}
