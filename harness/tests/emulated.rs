//! The emulated runner end to end: a pairing whose x64 caller reaches an Arm64EC callee
//! through its entry thunk passes by value under `arm64ec-emu`; the same image with that
//! entry thunk broken (argument 1 copied over argument 2) fails by value, and the failure
//! names the bytes that moved. Also: the report names the runner, and an emulator that
//! cannot be found is a reason, not a crash.

mod common;

use common::*;
use harness::abi::sig::Signature;
use harness::inspect::linkmap;
use harness::matrix::protocol::{self, RunVerdict};
use harness::matrix::{FnSpec, Pairing, Param};
use harness::process::{self, Exit};
use harness::run::emulated;
use object::read::pe::PeFile64;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SIGS: &str = "four = fn(i64, i64, i64, i64) -> i64\nmixed = fn(i32, f64, i64, f64) -> f64\n";
const PAIRING: &str = "c-x64-to-rust-ec";

fn have_tools() -> bool {
    let ok = ["clang-cl-22", "clang-cl"].iter().any(|t| process::which(t).is_some())
        && process::which("cmake").is_some();
    assert!(ok || std::env::var_os("CI").is_none(), "clang-cl or cmake missing on CI");
    ok
}

fn spec(name: &str, sig: &str) -> FnSpec {
    let s = Signature::parse(sig).unwrap();
    FnSpec {
        name: name.into(),
        origin: "t.sigs".into(),
        params: s.params.into_iter().map(|ty| Param { ty, by_ref: false }).collect(),
        ret: s.ret,
        tail: None,
    }
}

/// Run the emulator on `image` (with the pairing's map) and compare the transcript.
fn run(emu: &Path, image: &Path, map: &Path, fns: &[&FnSpec]) -> Vec<RunVerdict> {
    let p = Pairing::parse(PAIRING).unwrap();
    let cmd = emulated::matrix_command(emu, image, map, &p, fns.len());
    let (rec, out) = process::run_capture(&cmd, Instant::now() + Duration::from_secs(60));
    assert_eq!(rec.exit, Exit::Code { code: 0 }, "{}", rec.stderr);
    let t = protocol::parse(&String::from_utf8_lossy(&out));
    assert!(t.done && t.stray.is_empty(), "{:?}", t.stray);
    protocol::compare(fns, &t)
}

/// `add x29, sp, #imm`: the frame set-up of LLVM's entry thunks.
fn is_add_fp_sp(w: u32) -> bool {
    w & 0xffc0_03ff == 0x9100_03fd
}

#[test]
fn a_broken_entry_thunk_fails_by_value_under_the_emulator() {
    if !have_tools() {
        return;
    }
    let s = suite(&[
        ("m/abi.toml", &format!("battery = false\npairings = [\"{PAIRING}\"]\n")),
        ("m/t.sigs", SIGS),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run_harness(s.path(), h.path());
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, &format!("m::{PAIRING}"));
    assert_eq!(c["status"], "passed", "{}", text(&out));
    assert_eq!(c["matrix"]["runner"], "emulated");
    assert_eq!(c["matrix"]["run_checked"], 2);
    let dir = PathBuf::from(c["phases"][0]["dir"].as_str().unwrap());
    let (image, map) = (dir.join("matrix.exe"), dir.join("matrix.map"));

    let emu = emulated::locate(None, &h.path().join("emulator-build.log")).unwrap();
    let (four, mixed) = (
        spec("four", "fn(i64, i64, i64, i64) -> i64"),
        spec("mixed", "fn(i32, f64, i64, f64) -> f64"),
    );
    let fns = [&four, &mixed];
    assert_eq!(run(&emu, &image, &map, &fns), [RunVerdict::Passed, RunVerdict::Passed]);

    // Replace the frame set-up of `four`'s entry thunk with `mov x1, x0`.
    let bytes = std::fs::read(&image).unwrap();
    let lm = linkmap::parse(&map, &std::fs::read_to_string(&map).unwrap()).unwrap();
    let thunk = lm.rva_of("$ientry_thunk$cdecl$i8$i8i8i8i8").expect("the entry thunk in the map");
    let pe = PeFile64::parse(&bytes[..]).unwrap();
    let offset = |rva: u32| pe.section_table().pe_file_range_at(rva).unwrap().0 as usize;
    let word = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    let at = (0..16).map(|k| offset(thunk + 4 * k)).find(|&o| is_add_fp_sp(word(o)));
    let at = at.expect("add x29, sp, #imm in the entry thunk");
    let mut broken = bytes.clone();
    broken[at..at + 4].copy_from_slice(&0xaa00_03e1u32.to_le_bytes());
    let broken_image = h.path().join("broken.exe");
    std::fs::write(&broken_image, &broken).unwrap();

    let v = run(&emu, &broken_image, &map, &fns);
    assert_eq!(v[1], RunVerdict::Passed, "`mixed` has its own entry thunk");
    let RunVerdict::Mismatched { mismatches } = &v[0] else { panic!("{v:?}") };
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].value, "argument 2");
    assert!(mismatches[0].moved.iter().all(|m| m.ends_with("of argument 1")), "{mismatches:?}");
}

fn run_harness(suites: &Path, harness_dir: &Path) -> std::process::Output {
    common::run(suites, harness_dir, &["--runner", "emulated"])
}

#[test]
fn a_missing_emulator_is_a_reason_not_a_crash() {
    let s = suite(&[
        ("m/abi.toml", &format!("battery = false\npairings = [\"{PAIRING}\"]\n")),
        ("m/t.sigs", SIGS),
        ("harness.toml", "[runner]\nkind = \"emulated\"\nemulator = \"bin/no-such-emulator\"\n"),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = common::run(
        s.path(),
        h.path(),
        &["--config", s.path().join("harness.toml").to_str().unwrap()],
    );
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, &format!("m::{PAIRING}"));
    if c["status"] == "ignored" {
        return; // no clang-cl or LLD here: the pairing is not built at all
    }
    let run = c["matrix"]["run"].as_str().unwrap();
    assert!(run.starts_with("not run: the emulated runner is unusable"), "{run}\n{}", text(&out));
    assert!(run.contains("bin/no-such-emulator"), "{run}");
    assert_eq!(c["status"], "passed", "the static verdict stands: {}", text(&out));
}

#[cfg(unix)]
#[test]
fn an_emulator_that_fails_is_reported_with_what_it_said() {
    use std::os::unix::fs::PermissionsExt;
    let s = suite(&[
        ("m/abi.toml", &format!("battery = false\npairings = [\"{PAIRING}\"]\n")),
        ("m/t.sigs", SIGS),
    ]);
    let tools = tempfile::tempdir().unwrap();
    let emu = tools.path().join("emu");
    std::fs::write(&emu, "#!/bin/sh\necho 'arm64ec-emu: matrix.exe: not a PE image' >&2\nexit 2\n")
        .unwrap();
    std::fs::set_permissions(&emu, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = tools.path().join("harness.toml");
    std::fs::write(
        &config,
        format!("[runner]\nkind = \"emulated\"\nemulator = \"{}\"\n", emu.display()),
    )
    .unwrap();
    let h = tempfile::tempdir().unwrap();
    let out = common::run(s.path(), h.path(), &["--config", config.to_str().unwrap()]);
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, &format!("m::{PAIRING}"));
    if c["status"] == "ignored" {
        return; // no clang-cl or LLD here
    }
    assert_eq!(c["status"], "failed", "{}", text(&out));
    let reason = c["reason"].as_str().unwrap();
    assert!(reason.contains("2 not reached"), "{reason}");
    assert!(
        reason.contains("exited with code 2): arm64ec-emu: matrix.exe: not a PE image"),
        "{reason}"
    );
}
