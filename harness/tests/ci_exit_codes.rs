//! Exit codes and outputs a CI can trust: an empty selection fails and leaves the earlier
//! report alone, `merge` fails on failures and writes the CI outputs `run` writes, JUnit
//! holds every toolchain, and a build failure leads with the compiler's first error, placed
//! where the compiler says.

mod common;

use common::*;
use std::process::Command;

/// A Rust fixture rustc rejects: E0277 at line 5, column 7.
const RUST_ERROR: &str =
    "//@ tier: static\n#![no_std]\npub fn f() -> u32 {\n    let x: u32 = 5;\n    x + \"no\"\n}\n";
/// A C fixture clang-cl rejects at line 3, column 22.
const C_ERROR: &str = "//@ tier: static\n\nint f(void) { return undeclared_x; }\n";

fn harness(args: &[&str]) -> Command {
    let mut c = harness_cmd();
    c.args(args);
    c
}

fn a_selection_that_matches_nothing_fails_and_keeps_the_earlier_report() {
    let s = suite(&[("one/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    assert_eq!(run(s.path(), h.path(), &[]).status.code(), Some(0));
    let (report, jsonl) = (h.path().join("report.json"), h.path().join("report.jsonl"));
    let before = (std::fs::read(&report).unwrap(), std::fs::read(&jsonl).unwrap());
    let out = run(s.path(), h.path(), &["no_such_case"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: no case matches the filter `no_such_case`")
            && err.contains(&s.path().display().to_string()),
        "{err}"
    );
    let out = run(s.path(), h.path(), &["--exact", "one::o", "--no-tests=warn"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("warning: no case matches the filter `one::o` (as a whole key)"));
    let out = run(s.path(), h.path(), &["--tier", "link", "--no-tests", "pass"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = (std::fs::read(&report).unwrap(), std::fs::read(&jsonl).unwrap());
    assert!(before == after, "an empty selection rewrote the report");
    // A selection that matches runs as before.
    assert_eq!(run(s.path(), h.path(), &["one::ok"]).status.code(), Some(0));
}

fn merge_fails_on_failures_and_writes_annotations_summary_and_junit() {
    let s = suite(&[("m/ok.rs", NO_STD_OK), ("m/bad.rs", RUST_ERROR)]);
    let (h1, h2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(run(s.path(), h1.path(), &["--exact", "m::ok"]).status.code(), Some(0));
    assert_eq!(run(s.path(), h2.path(), &["--exact", "m::bad"]).status.code(), Some(1));
    let (r1, r2) = (h1.path().join("report.json"), h2.path().join("report.jsonl"));
    let (r1, r2) = (r1.to_str().unwrap(), r2.to_str().unwrap());
    let merged = h1.path().join("merged.json");
    let merged = merged.to_str().unwrap();
    // Passing shards alone: exit 0.
    let out = harness(&["merge", r1, "--out", merged]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let summary = h1.path().join("summary.md");
    let junit = h1.path().join("junit.xml");
    let out = harness(&["merge", r1, r2, "--out", merged, "--junit", junit.to_str().unwrap()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let note =
        stdout.lines().find(|l| l.starts_with("::error ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        note.contains("bad.rs,line=5,")
            && note.ends_with("::error[E0277]: cannot add `&str` to `u32`"),
        "{note}"
    );
    assert!(stdout.contains("::group::failed m::bad"), "{stdout}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| failed | 1 |") && md.contains("| passed | 1 |"), "{md}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"error[E0277]: cannot add `&amp;str` to `u32`\""),
        "{xml}"
    );
    // Without GitHub Actions, no annotations.
    let out = harness(&["merge", r1, r2, "--out", merged]).env_remove("GITHUB_ACTIONS").output();
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("::error"), "{}", text(&out));
}

/// Two toolchains that exist on any machine with rustup: `stable`, and the same rustc given
/// by a path of another name (a link to it), which the report labels by that path.
#[cfg(unix)]
fn junit_of_several_toolchains_holds_each() {
    let s = suite(&[("j/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    let junit = h.path().join("junit.xml");
    let sysroot = std::process::Command::new("rustc").args(["--print", "sysroot"]).output();
    let sysroot = String::from_utf8_lossy(&sysroot.unwrap().stdout).trim().to_string();
    let other = h.path().join("other-rustc");
    std::os::unix::fs::symlink(std::path::Path::new(&sysroot).join("bin/rustc"), &other).unwrap();
    let out = harness_run(s.path(), h.path())
        .args(["--toolchain", "stable", "--toolchain"])
        .arg(&other)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testsuites name=\"arm64ec-conformance\" tests=\"2\""), "{xml}");
    let suites: Vec<&str> =
        xml.lines().filter(|l| l.trim_start().starts_with("<testsuite name=")).collect();
    assert_eq!(suites.len(), 2, "{xml}");
    assert!(suites[0].contains("stable") != suites[1].contains("stable"), "{xml}");
    assert!(suites.iter().all(|l| l.contains("/j\"")), "{xml}");
}

fn a_build_failure_leads_with_the_compilers_first_error_at_its_place() {
    // A `build-fail` case whose annotation is wrong points at its annotation (line 3),
    // not at the error it expects.
    let expects = RUST_ERROR
        .replace("//@ tier: static", "//@ build-fail")
        .replace("-> u32 {", "-> u32 { //~ ERROR no such error");
    // With an annotation, rustc speaks JSON (`--error-format=json`); a warning comes first.
    let json =
        RUST_ERROR.replace("u32 {\n", "u32 {\n    let unused = 1; //~ WARN unused variable\n");
    let s = suite(&[
        ("e/bad.rs", RUST_ERROR),
        ("e/bad_c.c", C_ERROR),
        ("e/expects.rs", &expects),
        ("e/json.rs", &json),
    ]);
    let h = tempfile::tempdir().unwrap();
    let junit = h.path().join("junit.xml");
    let out = harness_run(s.path(), h.path())
        .arg("--junit")
        .arg(&junit)
        .env("GITHUB_ACTIONS", "true")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let r = read_report(&h.path().join("report.json"));
    let rust = case(&r, "e::bad");
    let reason = rust["reason"].as_str().unwrap();
    let path = s.path().join("e/bad.rs").display().to_string();
    assert!(
        reason.starts_with(&format!("error[E0277]: cannot add `&str` to `u32`\n --> {path}:5:7\n")),
        "{reason}"
    );
    // The console leads with it too, and the report keeps rustc's whole stderr.
    assert!(
        stdout.contains("FAILED   e::bad (")
            && stdout.contains(&format!(
                "         error[E0277]: cannot add `&str` to `u32`\n          --> {path}:5:7"
            )),
        "{stdout}"
    );
    let build = &rust["phases"][0];
    assert_eq!(build["first_error"]["line"], 5, "{build:#}");
    assert!(build["commands"][0]["stderr"].as_str().unwrap().contains("rustc --explain E0277"));
    let note = |file: &str| {
        stdout.lines().find(|l| l.starts_with("::error ") && l.contains(file)).map(str::to_string)
    };
    let n = note("bad.rs").unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        n.contains("bad.rs,line=5,") && n.ends_with("::error[E0277]: cannot add `&str` to `u32`"),
        "{n}"
    );
    let j = case(&r, "e::json");
    let reason = j["reason"].as_str().unwrap();
    assert!(reason.starts_with("error[E0277]: cannot add `&str` to `u32`\n"), "{reason}");
    assert_eq!(j["phases"][0]["first_error"]["line"], 6, "{j:#}");
    let n = note("json.rs").unwrap_or_else(|| panic!("{stdout}"));
    assert!(n.contains("json.rs,line=6,"), "{n}");
    let n = note("expects.rs").unwrap_or_else(|| panic!("{stdout}"));
    assert!(n.contains("expects.rs,line=3,"), "{n}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("bad.rs\" line=\"5\"><failure message=\"error[E0277]")
            || xml.contains("bad.rs\" line=\"5\">\n      <failure message=\"error[E0277]"),
        "{xml}"
    );
    let c = case(&r, "e::bad_c");
    let reason = c["reason"].as_str().unwrap();
    let path = s.path().join("e/bad_c.c").display().to_string();
    assert!(
        reason.starts_with(&format!(
            "{path}(3,22): error: use of undeclared identifier 'undeclared_x'"
        )),
        "{reason}"
    );
    let n = note("bad_c.c").unwrap_or_else(|| panic!("{stdout}"));
    assert!(n.contains("bad_c.c,line=3,"), "{n}");
}

crate::self_tests! {
    a_selection_that_matches_nothing_fails_and_keeps_the_earlier_report,
    merge_fails_on_failures_and_writes_annotations_summary_and_junit,
    #[cfg(unix)] junit_of_several_toolchains_holds_each,
    a_build_failure_leads_with_the_compilers_first_error_at_its_place [CLANG_CL],
}
