//! End-to-end tests of the `harness` binary: bad input, timeouts with process-tree kill,
//! crash safety of the JSONL report, the build cache, toolchain errors, preflight.

mod common;

use common::*;
#[cfg(unix)]
use std::path::Path;
#[cfg(target_os = "linux")]
use std::time::{Duration, Instant};

fn bad_suite_files_are_errors_naming_file_line_and_column_and_the_run_goes_on() {
    let s = suite(&[
        ("bad/unknown.rs", "//@ tier: static\n//@ compile-flagz: -O\n#![no_std]\n"),
        ("bad/malformed.rs", "//@ timeout: soon\n#![no_std]\n"),
        ("bad/undeclared.rs", "//@ revisions: a b\n//@[c] compile-flags: -O\n#![no_std]\n"),
        ("bad/bad_tier.rs", "#![no_std]\n  //@ tier: stat1c\n"),
        ("bad/ok.rs", NO_STD_OK),
    ]);
    // A dangling symlink is an unreadable suite file.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/nonexistent/target.rs", s.path().join("bad/unreadable.rs"))
        .unwrap();
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let reason = |key: &str| {
        let c = case(&r, key);
        assert_eq!(c["status"], "error", "{key}: {c:#}");
        c["reason"].as_str().unwrap().to_string()
    };
    let p = |f: &str| s.path().join("bad").join(f).display().to_string();

    let e = reason("bad::unknown");
    assert!(
        e.starts_with(&format!("{}:2:5: unknown directive `compile-flagz`", p("unknown.rs"))),
        "{e}"
    );
    assert!(e.contains("did you mean `compile-flags`?"), "{e}");
    assert!(e.contains("`harness directives`"), "{e}");

    let e = reason("bad::malformed");
    assert!(e.starts_with(&format!("{}:1:14: malformed timeout `soon`", p("malformed.rs"))), "{e}");

    let e = reason("bad::undeclared");
    assert!(
        e.starts_with(&format!(
            "{}:2:5: undeclared revision `c`; declared revisions: a, b",
            p("undeclared.rs")
        )),
        "{e}"
    );

    let e = reason("bad::bad_tier");
    assert!(e.starts_with(&format!("{}:2:13: unknown tier `stat1c`", p("bad_tier.rs"))), "{e}");

    #[cfg(unix)]
    {
        let e = reason("bad::unreadable");
        assert!(e.starts_with(&format!("{}: cannot read the fixture", p("unreadable.rs"))), "{e}");
    }
    // The good case in the same suite still ran.
    assert_eq!(case(&r, "bad::ok")["status"], "passed", "{}", text(&out));
}

fn unknown_toolchain_is_a_clear_setup_error() {
    let s = suite(&[("a/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--toolchain", "no-such-toolchain-0.0.1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("unknown toolchain `no-such-toolchain-0.0.1`"), "{t}");
    assert!(t.contains("rustup toolchain install no-such-toolchain-0.0.1"), "{t}");
    assert!(!t.contains("panicked"), "{t}");

    let out = run(s.path(), h.path(), &["--toolchain", "/nonexistent/bin/rustc"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("/nonexistent/bin/rustc: no rustc at this path"), "{}", text(&out));
}

fn missing_clang_cl_ignores_c_cases_naming_the_tool_and_how_to_install_it() {
    let s = suite(&[
        ("c/add.c", "//@ tier: static\nint add(int a, int b) { return a + b; }\n"),
        ("c/ok.rs", NO_STD_OK),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = harness_run(s.path(), h.path())
        .env("HARNESS_CLANG_CL", "/nonexistent/clang-cl")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, "c::add");
    assert_eq!(c["status"], "ignored");
    let reason = c["reason"].as_str().unwrap();
    assert!(reason.contains("HARNESS_CLANG_CL=/nonexistent/clang-cl is not a file"), "{reason}");
    assert!(reason.contains("apt-get install clang-22"), "{reason}");
    assert_eq!(case(&r, "c::ok")["status"], "passed");
}

#[cfg(target_os = "linux")]
fn a_hanging_fixture_ends_as_timeout_with_its_process_tree_gone() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suites");
    let h = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = run(&suites, h.path(), &["selftest::hang::host", "--exact"]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, "selftest::hang::host");
    assert_eq!(c["status"], "timeout", "{c:#}");
    assert_eq!(c["control"], true);
    // Timeout is 3 s (plus building the fixture): the harness must not wait for the hang.
    assert!(took < Duration::from_secs(40), "took {took:?}");
    let run_phase =
        c["phases"].as_array().unwrap().iter().find(|p| p["name"] == "run").expect("run phase");
    assert_eq!(run_phase["status"], "timeout");
    let stdout = run_phase["commands"][0]["stdout"].as_str().unwrap();
    let pid = |what: &str| -> u32 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(what))
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `{what}` in {stdout:?}"))
    };
    for p in [pid("child pid"), pid("parent pid")] {
        assert!(!alive(p), "process {p} of the hanging fixture's tree survived");
    }
}

#[cfg(target_os = "linux")]
fn sigkill_mid_run_keeps_every_finished_case_in_the_jsonl() {
    let hang = "//@ tier: run\n//@ needs-msvc\n//@ host-control\n//@ timeout: 60\n\
                fn main() { std::thread::sleep(std::time::Duration::from_secs(8)); }\n";
    let s = suite(&[("k/a_one.rs", NO_STD_OK), ("k/b_two.rs", NO_STD_OK), ("k/c_hang.rs", hang)]);
    let h = tempfile::tempdir().unwrap();
    let mut child = harness_run(s.path(), h.path())
        .args(["-j", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let jsonl = h.path().join("report.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    // Wait until both quick cases and the ignored arm64ec half of the hang are recorded.
    loop {
        let lines = std::fs::read_to_string(&jsonl).unwrap_or_default().lines().count();
        if lines >= 4 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!h.path().join("report.json").exists(), "the run was killed before the end");
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let records: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("every line is whole JSON")).collect();
    assert_eq!(records[0]["type"], "header");
    let keys: Vec<&str> = records[1..].iter().map(|r| r["key"].as_str().unwrap()).collect();
    for k in ["k::a_one", "k::b_two", "k::c_hang"] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert!(!keys.contains(&"k::c_hang::host"), "the hang cannot have finished: {keys:?}");
}

/// A wrapper that logs each invocation of a tool, then runs the real one.
#[cfg(unix)]
fn logging_wrapper(dir: &Path, name: &str, real: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let w = dir.join(name);
    let log = dir.join(format!("{name}.log"));
    std::fs::write(
        &w,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&w, std::fs::Permissions::from_mode(0o755)).unwrap();
    w
}

#[cfg(unix)]
fn real_rustc() -> std::path::PathBuf {
    let out = std::process::Command::new("rustup").args(["which", "rustc"]).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().into(),
        _ => "rustc".into(),
    }
}

#[cfg(unix)]
fn a_second_run_with_nothing_changed_starts_no_compiler() {
    let s = suite(&[
        ("m/one.rs", NO_STD_OK),
        ("m/two.c", "//@ tier: static\nint two(void) { return 2; }\n"),
    ]);
    let tools = tempfile::tempdir().unwrap();
    let rustc = logging_wrapper(tools.path(), "rustc", &real_rustc());
    let clang = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .flat_map(|d| [d.join("clang-cl"), d.join("clang-cl-22")])
            .find(|p| p.is_file())
    });
    let h = tempfile::tempdir().unwrap();
    let go = |clang_wrapper: Option<&Path>| {
        let mut cmd = harness_run(s.path(), h.path());
        cmd.arg("--toolchain").arg(&rustc);
        if let Some(c) = clang_wrapper {
            cmd.env("HARNESS_CLANG_CL", c);
        }
        cmd.output().unwrap()
    };
    let clang_wrapper = clang.as_ref().map(|c| logging_wrapper(tools.path(), "clang-cl", c));
    let first = go(clang_wrapper.as_deref());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let log = |n: &str| {
        std::fs::read_to_string(tools.path().join(format!("{n}.log"))).unwrap_or_default()
    };
    let (rustc_log, clang_log) = (log("rustc"), log("clang-cl"));
    assert!(rustc_log.contains("--emit=obj"), "first run compiled nothing: {rustc_log}");
    if clang_wrapper.is_some() {
        assert!(clang_log.contains("/c"), "first run did not compile C: {clang_log}");
    }
    let second = go(clang_wrapper.as_deref());
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert_eq!(log("rustc"), rustc_log, "the second run started rustc");
    assert_eq!(log("clang-cl"), clang_log, "the second run started clang-cl");
    let r = read_report(&h.path().join("report.json"));
    let build = &case(&r, "m::one")["phases"][0];
    assert_eq!(build["name"], "build");
    assert_eq!(build["cached"], true);

    // Changing a source rebuilds exactly that case.
    std::fs::write(s.path().join("m/one.rs"), NO_STD_OK.replace("x + 1", "x + 2")).unwrap();
    let third = go(clang_wrapper.as_deref());
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
    assert!(log("rustc").len() > rustc_log.len(), "an edited fixture must be rebuilt");
    assert_eq!(log("clang-cl"), clang_log, "an unchanged C case must stay cached");
}

fn list_prints_one_key_per_trial_and_fails_on_broken_files() {
    let s = suite(&[
        ("l/r.rs", "//@ revisions: x y\n//@[y] target: x86_64-pc-windows-msvc\n#![no_std]\n"),
        ("l/ctl.rs", "//@ tier: run\n//@ needs-msvc\n//@ host-control\nfn main() {}\n"),
        ("l/bad.rs", "//@ needs-quantum\n"),
    ]);
    let out = harness_cmd().args(["list", "--suites"]).arg(s.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["l::bad", "l::ctl", "l::ctl::host", "l::r::x", "l::r::y"]
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.rs:1:5: unknown capability `needs-quantum`; known: needs-clang-cl"),
        "{stderr}"
    );
}

fn preflight_reports_tiers_and_fails_for_a_tier_that_cannot_run() {
    let h = tempfile::tempdir().unwrap();
    let out = harness_cmd()
        .args(["preflight", "--json", "--harness-dir"])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tc = &v["toolchains"][0];
    assert!(tc["toolchain"]["rustc"]["llvm"].is_string(), "{v:#}");
    let tiers = tc["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 3);
    let out = harness_cmd()
        .args(["preflight", "--tier", "run", "--harness-dir"])
        .arg(h.path())
        .output()
        .unwrap();
    // No Arm64EC runner on this host (or no linked images yet): the run tier cannot run.
    if !cfg!(all(windows, target_arch = "aarch64")) {
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("CANNOT run here"), "{}", text(&out));
    }
}

/// Processes whose command line mentions `needle` (Linux only).
#[cfg(target_os = "linux")]
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(needle) && alive(pid) {
            found.push(pid);
        }
    }
    found
}

#[cfg(target_os = "linux")]
fn ctrl_c_ends_the_run_and_the_fixture_process_trees() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suites");
    let h = tempfile::tempdir().unwrap();
    let child = harness_run(&suites, h.path())
        .args(["selftest::hang::host", "--exact", "--timeout", "60"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let needle = h.path().join("build").display().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Wait for the hanging fixture (running from the build directory) and its child.
    while processes_mentioning(&needle).len() < 2 {
        assert!(Instant::now() < deadline, "the hang fixture never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let gone = Instant::now() + Duration::from_secs(5);
    while !processes_mentioning(&needle).is_empty() && Instant::now() < gone {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        processes_mentioning(&needle),
        Vec::<u32>::new(),
        "fixture processes outlived the harness"
    );
}

/// A stand-in rustc that reports an old LLVM and otherwise behaves like rustc.
#[cfg(unix)]
fn a_toolchain_with_llvm_below_18_is_refused_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let tools = tempfile::tempdir().unwrap();
    let fake = tools.path().join("rustc");
    let real = real_rustc();
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = -vV ]; then\n  printf 'rustc 1.77.2 (25ef9e3d8 2024-04-09)\\nbinary: rustc\\n\
             commit-hash: 25ef9e3d85d934b27d9dada2f9dd52b1dc63bb04\\ncommit-date: 2024-04-09\\n\
             host: x86_64-unknown-linux-gnu\\nrelease: 1.77.2\\nLLVM version: 17.0.6\\n'\n  exit 0\nfi\n\
             exec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = suite(&[("a/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--toolchain", fake.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("uses LLVM 17.0.6; Arm64EC needs LLVM 18.1.0 or later"), "{t}");
}

fn a_case_needing_a_newer_llvm_is_an_expected_failure_with_the_reason() {
    let s = suite(&[
        (
            "v/too_new.rs",
            "//@ min-llvm-version: 99.1\n#![no_std]\npub fn f() -> u8 { \"fails to compile\" }\n",
        ),
        ("v/old_enough.rs", "//@ min-llvm-version: 18.1.4\n#![no_std]\npub fn f() -> u8 { 1 }\n"),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let c = case(&r, "v::too_new");
    assert_eq!(c["status"], "expected-failure", "{c:#}");
    let why = c["expected_failure"]["reason"].as_str().unwrap();
    assert!(why.starts_with("needs LLVM 99.1.0 (min-llvm-version), toolchain"), "{why}");
    assert_eq!(case(&r, "v::old_enough")["status"], "passed");
}

fn build_fail_and_expected_findings_decide_the_status() {
    let asm_x13 = "pub fn f() { unsafe { core::arch::asm!(\"\", out(\"x13\") _) } }";
    let naked = "#[unsafe(naked)]\n#[unsafe(no_mangle)]\npub extern \"C\" fn n(a: u64) -> u64 { core::arch::naked_asm!(\"ret\") }\n";
    let s = suite(&[
        (
            "d/fails_as_annotated.rs",
            &format!("//@ build-fail\n#![no_std]\n{asm_x13} //~ ERROR cannot use register `x13`\n"),
        ),
        (
            "d/wrong_annotation.rs",
            &format!("//@ build-fail\n#![no_std]\n{asm_x13} //~ ERROR some other message\n"),
        ),
        ("d/builds_anyway.rs", "//@ build-fail\n#![no_std]\npub fn f() {} //~ ERROR never\n"),
        (
            "d/finding_seen.rs",
            &format!(
                "//@ expect-finding: ec.mangling\n//@ min-rust-version: 1.88\n#![no_std]\n{naked}"
            ),
        ),
        (
            "d/finding_absent.rs",
            "//@ expect-finding: ec.orphan-code\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn g() {}\n",
        ),
        (
            "d/deviation_seen.rs",
            &format!(
                "//@ expect-finding: ec.mangling\n//@ min-rust-version: 1.88\n//@ known-deviation: naked functions get no EC symbol in this test\n#![no_std]\n{naked}"
            ),
        ),
        (
            "d/deviation_gone.rs",
            "//@ expect-finding: ec.orphan-code\n//@ known-deviation: this function is fine, so the deviation is gone\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn g() {}\n",
        ),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let status = |k: &str| case(&r, k)["status"].as_str().unwrap().to_string();
    assert_eq!(status("d::fails_as_annotated"), "passed");
    assert_eq!(status("d::wrong_annotation"), "failed");
    assert!(case(&r, "d::wrong_annotation")["reason"].as_str().unwrap().contains("diag.missing"));
    assert_eq!(status("d::builds_anyway"), "failed");
    assert!(
        case(&r, "d::builds_anyway")["reason"]
            .as_str()
            .unwrap()
            .contains("build.unexpected-success")
    );
    assert_eq!(status("d::finding_seen"), "passed");
    assert_eq!(status("d::finding_absent"), "failed");
    assert_eq!(status("d::deviation_seen"), "expected-failure");
    assert_eq!(case(&r, "d::deviation_seen")["expected_failure"]["kind"], "known-deviation");
    assert_eq!(status("d::deviation_gone"), "fixed");
}

/// `preflight --strict` fails where a requested tier can run but some of its cases would be
/// ignored for a missing tool, and names the tool; without `--strict` the same machine passes.
fn strict_preflight_fails_on_a_missing_tool_and_names_it() {
    let h = tempfile::tempdir().unwrap();
    let preflight = |args: &[&str], path: Option<&std::ffi::OsStr>| {
        let mut cmd = harness_cmd();
        cmd.arg("preflight").args(args).arg("--harness-dir").arg(h.path());
        if let Some(p) = path {
            cmd.env("PATH", p);
        }
        cmd.output().unwrap()
    };
    if !cfg!(windows) {
        // No MSVC off Windows: std programs of the link tier are a gap.
        let lenient = preflight(&["--tier", "link"], None);
        assert_eq!(lenient.status.code(), Some(0), "{}", text(&lenient));
        let strict = preflight(&["--tier", "link", "--strict"], None);
        assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
        assert!(text(&strict).contains("gap        link: std programs"), "{}", text(&strict));
        assert!(text(&strict).contains("MSVC ARM64/ARM64EC build tools"), "{}", text(&strict));
    }
    // With only rustup's directory on PATH, clang-cl is gone: C fixtures are a gap.
    let rustup = common::trials::Need::Tool(&["rustup", "rustup.exe"]).path();
    let out = preflight(
        &["--tier", "static", "--strict", "--json"],
        rustup.parent().map(|p| p.as_os_str()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gaps = v["toolchains"][0]["gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["tier"] == "static" && g["cases"].as_str().unwrap().contains("C and C++")),
        "{v:#}"
    );
    assert_eq!(v["strict"], true);
}

/// With clang-cl on PATH, the static tier has no gap.
fn strict_preflight_passes_the_static_tier_with_clang_cl() {
    let h = tempfile::tempdir().unwrap();
    let out = harness_cmd()
        .args(["preflight", "--tier", "static", "--strict", "--harness-dir"])
        .arg(h.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

crate::self_tests! {
    bad_suite_files_are_errors_naming_file_line_and_column_and_the_run_goes_on,
    unknown_toolchain_is_a_clear_setup_error,
    missing_clang_cl_ignores_c_cases_naming_the_tool_and_how_to_install_it,
    #[cfg(target_os = "linux")] a_hanging_fixture_ends_as_timeout_with_its_process_tree_gone,
    #[cfg(target_os = "linux")] sigkill_mid_run_keeps_every_finished_case_in_the_jsonl,
    #[cfg(unix)] a_second_run_with_nothing_changed_starts_no_compiler,
    list_prints_one_key_per_trial_and_fails_on_broken_files,
    preflight_reports_tiers_and_fails_for_a_tier_that_cannot_run,
    #[cfg(target_os = "linux")] ctrl_c_ends_the_run_and_the_fixture_process_trees,
    #[cfg(unix)] a_toolchain_with_llvm_below_18_is_refused_with_the_reason,
    a_case_needing_a_newer_llvm_is_an_expected_failure_with_the_reason,
    build_fail_and_expected_findings_decide_the_status,
    strict_preflight_fails_on_a_missing_tool_and_names_it,
    strict_preflight_passes_the_static_tier_with_clang_cl [CLANG_CL],
}
