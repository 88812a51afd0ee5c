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

fn a_broken_entry_thunk_fails_by_value_under_the_emulator() {
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
    let run = c["matrix"]["run"].as_str().unwrap();
    assert!(run.starts_with("not run: the emulated runner is unusable"), "{run}\n{}", text(&out));
    assert!(run.contains("bin/no-such-emulator"), "{run}");
    assert_eq!(c["status"], "passed", "the static verdict stands: {}", text(&out));
}

#[cfg(unix)]
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
    assert_eq!(c["status"], "failed", "{}", text(&out));
    let reason = c["reason"].as_str().unwrap();
    assert!(reason.contains("2 not reached"), "{reason}");
    assert!(
        reason.contains("exited with code 2): arm64ec-emu: matrix.exe: not a PE image"),
        "{reason}"
    );
}

/// A pairing with an Arm64EC caller and an x64 C callee: `odd` (a 3-byte struct, named i8
/// where the ABI has m3) fails the static check and crashes at run; `floats` (one-float
/// structs, named f where the ABI has F4) fails the check and arrives wrong at run, one
/// problem line per argument; `fine` passes both.
const DEVIATING: &str = "odd = fn({u8, u8, u8}) -> u8\nfloats = fn({f32}, {f32}, {f32}) -> f32\nfine = fn(i64, f64) -> i64\n";

fn deviating_pairing(expectations: &str, h: &Path) -> (serde_json::Value, String) {
    let s = suite(&[
        ("m/abi.toml", "battery = false\npairings = [\"rust-ec-to-c-x64\"]\n"),
        ("m/t.sigs", DEVIATING),
        ("m/expectations.toml", expectations),
    ]);
    let out = run_harness(s.path(), h);
    let r = read_report(&h.join("report.json"));
    (case(&r, "m::rust-ec-to-c-x64").clone(), text(&out))
}

fn failure<'a>(c: &'a serde_json::Value, function: &str, phase: &str) -> &'a serde_json::Value {
    let fs = c["matrix"]["failures"].as_array().unwrap();
    fs.iter()
        .find(|f| f["function"] == function && f["phase"] == phase)
        .unwrap_or_else(|| panic!("no {function} failure at {phase}: {:#}", c["matrix"]))
}

fn a_crash_under_a_check_only_rule_fails_the_pairing() {
    let h = tempfile::tempdir().unwrap();
    let check_only = "[[expect]]\ncase = \"m::*::{odd,floats}\"\nbusted = \"check\"\n";
    let (c, t) = deviating_pairing(check_only, h.path());
    assert_eq!(c["matrix"]["runner"], "emulated", "{t}");
    assert_eq!(c["status"], "failed", "{t}");
    // Each phase keeps its own outcome: the check failures are declared, the run's are not.
    assert!(failure(&c, "odd", "check")["expected"].is_string());
    let crash = failure(&c, "odd", "run");
    assert!(crash.get("expected").is_none(), "{crash:#}");
    assert!(crash["problems"][0].as_str().unwrap().contains("the program stopped"), "{crash:#}");
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("odd (fn({u8, u8, u8}) -> u8) at run: the program stopped"),
        "{reason}"
    );
    let last = crash["problems"].as_array().unwrap().last().unwrap().as_str().unwrap();
    assert!(last.ends_with("expects it to fail at check, not run"), "{crash:#}");
    // An undeclared failure keeps every problem line: one per argument that arrived wrong.
    let wrong = failure(&c, "floats", "run")["problems"].as_array().unwrap().clone();
    let args = wrong.iter().filter(|p| p.as_str().unwrap().starts_with("argument ")).count();
    assert_eq!(args, 3, "{wrong:#?}");
    assert!(!wrong.iter().any(|p| p.as_str().unwrap().starts_with("(+")), "{wrong:#?}");

    // A rule covering both phases declares both; its problem lines are capped.
    let both = check_only.replace("busted = \"check\"", "busted = [\"check\", \"run\"]");
    let (c, t) = deviating_pairing(&both, h.path());
    assert_eq!(c["status"], "expected-failure", "{t}");
    assert!(
        failure(&c, "odd", "run")["expected"].as_str().unwrap().contains("expectations.toml:1")
    );
    let capped = failure(&c, "floats", "run")["problems"].as_array().unwrap().clone();
    assert_eq!(capped.len(), 3, "{capped:#?}");
    assert_eq!(capped[2], "(+1 more)");

    // A rule saying `fine` fails at run, where it passes: fixed at that phase.
    let stale = format!("{both}\n[[expect]]\ncase = \"m::*::fine\"\nbusted = \"run\"\n");
    let (c, t) = deviating_pairing(&stale, h.path());
    assert_eq!(c["status"], "fixed", "{t}");
    let fixed = c["matrix"]["fixed"][0].as_str().unwrap();
    assert!(fixed.starts_with("fine: passed at run: expectations.toml:5"), "{fixed}");
}

/// An emulator that stops every call as not emulated (the transcript of two functions).
#[cfg(unix)]
fn stopping_emulator(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let emu = dir.join("emu");
    let script = format!(
        "#!/bin/sh\nprintf 'abi-protocol 1 {PAIRING} 2\\ncall 0\\nstop 0 not-emulated: an import\\ncall 1\\nstop 1 not-emulated: an import\\ndone\\n'\n"
    );
    std::fs::write(&emu, script).unwrap();
    std::fs::set_permissions(&emu, std::fs::Permissions::from_mode(0o755)).unwrap();
    emu
}

#[cfg(unix)]
fn more_not_emulated_than_declared_fails_the_pairing() {
    let tools = tempfile::tempdir().unwrap();
    let emu = stopping_emulator(tools.path());
    let config = tools.path().join("harness.toml");
    std::fs::write(
        &config,
        format!("[runner]\nkind = \"emulated\"\nemulator = \"{}\"\n", emu.display()),
    )
    .unwrap();
    let h = tempfile::tempdir().unwrap();
    let with = |expectations: &str| {
        let s = suite(&[
            ("m/abi.toml", &format!("battery = false\npairings = [\"{PAIRING}\"]\n")),
            ("m/t.sigs", SIGS),
            ("m/expectations.toml", expectations),
        ]);
        let out = common::run(s.path(), h.path(), &["--config", config.to_str().unwrap()]);
        let r = read_report(&h.path().join("report.json"));
        (case(&r, &format!("m::{PAIRING}")).clone(), text(&out))
    };
    let (c, t) = with("");
    // None declared: any function not emulated fails the pairing.
    assert_eq!(c["status"], "failed", "{t}");
    assert_eq!(c["matrix"]["not_emulated_count"], 2);
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("2 of 2 function(s) not emulated (100.0 %), more than the 0 %"),
        "{reason}"
    );
    assert!(reason.contains("first: four: an import"), "{reason}");
    let floor = |pct: u32| {
        format!(
            "[[not-emulated]]\ncase = \"m::{PAIRING}\"\nmax-percent = {pct}\nreason = \"imports\"\n"
        )
    };
    let (c, t) = with(&floor(40));
    assert_eq!(c["status"], "failed", "{t}");
    assert!(c["reason"].as_str().unwrap().contains("allowed by expectations.toml:1 (imports)"));
    let (c, t) = with(&floor(100));
    assert_eq!(c["status"], "passed", "{t}");
}

// Every pairing here builds its C side with clang-cl (the toolchain's rust-lld links); the
// tests that run the workspace's emulator build it with cmake on first use.
crate::self_tests! {
    a_broken_entry_thunk_fails_by_value_under_the_emulator [CLANG_CL, CMAKE],
    a_missing_emulator_is_a_reason_not_a_crash [CLANG_CL],
    #[cfg(unix)]
    an_emulator_that_fails_is_reported_with_what_it_said [CLANG_CL],
    a_crash_under_a_check_only_rule_fails_the_pairing [CLANG_CL, CMAKE],
    #[cfg(unix)]
    more_not_emulated_than_declared_fails_the_pairing [CLANG_CL],
}
