//! `harness gate`, `bisect` and `merge` end to end: a toolchain gated against itself
//! reports nothing; doctored reports show every kind of regression with its fixture line;
//! an older release against the current one finds the real differences; shard reports
//! merge; bisect names the first release that changes.

mod common;

use common::*;
use std::path::Path;

fn harness(args: &[&str]) -> std::process::Output {
    harness_cmd().args(args).output().expect("run harness")
}

const SUITE: &[(&str, &str)] = &[
    ("g/a.rs", "#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn a(x: u32) -> u32 { x }\n"),
    (
        "g/b.rs",
        "//@ sig: b = fn(u8) -> u8\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn b(x: u8) -> u8 { x }\n",
    ),
];

fn a_toolchain_against_itself_reports_nothing() {
    let s = suite(SUITE);
    let h = tempfile::tempdir().unwrap();
    let suites = s.path().to_str().unwrap();
    let out = harness(&[
        "gate",
        "--baseline",
        "stable",
        "--candidate",
        "stable",
        "--suites",
        suites,
        "--harness-dir",
        h.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("no regression"), "{}", text(&out));
    let r = read_report(&h.path().join("regressions.json"));
    for k in [
        "new_failures",
        "missing",
        "no_longer_run",
        "new_findings",
        "abi_changed",
        "newly_declared",
        "no_longer_declared",
        "judged_less",
        "fixed",
        "changed",
    ] {
        assert_eq!(r[k].as_array().map(Vec::len), Some(0), "{k}: {r:#}");
    }
}

fn doctored_reports_show_each_regression_with_its_line() {
    let s = suite(SUITE);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let base = h.path().join("report.json");
    let mut cand = read_report(&base);
    let cases = cand["cases"].as_array_mut().unwrap();
    cases.retain(|c| c["key"] != "g::a");
    let b = cases.iter_mut().find(|c| c["key"] == "g::b").unwrap();
    b["status"] = "failed".into();
    b["reason"] = "[thunk.name.oracle] entry thunk for `b` changed".into();
    b["phases"][1]["findings"] = serde_json::json!([{ "rule": "thunk.name.oracle", "symbol": "#b", "message": "entry thunk for `b` is `$ientry_thunk$cdecl$i8$m`" }]);
    let cand_path = h.path().join("candidate.json");
    std::fs::write(&cand_path, serde_json::to_vec(&cand).unwrap()).unwrap();
    let out_path = h.path().join("regs.json");
    let out = harness(&[
        "gate",
        "--baseline",
        base.to_str().unwrap(),
        "--candidate",
        cand_path.to_str().unwrap(),
        "--suites",
        s.path().to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&out_path);
    assert_eq!(r["missing"][0]["key"], "g::a");
    let nf = &r["new_failures"][0];
    assert_eq!(nf["key"], "g::b");
    assert_eq!(nf["rules"], serde_json::json!(["thunk.name.oracle"]));
    assert_eq!(nf["line"], 1, "the `//@ sig: b` line: {nf:#}");
    assert!(Path::new(nf["fixture"].as_str().unwrap()).ends_with("g/b.rs"));
    // A repro per regression: the candidate's case, or the baseline's for a missing one.
    let repro = h.path().join("repros/g--b");
    let readme = std::fs::read_to_string(repro.join("README.md")).unwrap();
    assert!(readme.contains("--exact g::b") && readme.contains("thunk.name.oracle"), "{readme}");
    assert!(repro.join("src/b.rs").is_file() && repro.join("commands.json").is_file());
    assert!(h.path().join("repros/g--a/src/a.rs").is_file());
    // A file that is not a report is a clear error.
    let junk = h.path().join("junk.json");
    std::fs::write(&junk, "{\"x\": 1}").unwrap();
    let out = harness(&[
        "gate",
        "--baseline",
        junk.to_str().unwrap(),
        "--candidate",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("junk.json: not a harness report"), "{}", text(&out));
}

/// The run's report with case `g::b` changed by `edit`, written as `name` beside it.
fn doctored(h: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> std::path::PathBuf {
    let mut r = read_report(&h.join("report.json"));
    let cases = r["cases"].as_array_mut().unwrap();
    edit(cases.iter_mut().find(|c| c["key"] == "g::b").unwrap());
    let path = h.join(name);
    std::fs::write(&path, serde_json::to_vec(&r).unwrap()).unwrap();
    path
}

/// `gate` between two report files (as GitHub Actions would run it, or not), writing `out`.
fn gate_reports(
    base: &Path,
    cand: &Path,
    suites: &Path,
    out: &Path,
    github: bool,
) -> std::process::Output {
    let mut cmd = harness_cmd();
    cmd.arg("gate").arg("--baseline").arg(base).arg("--candidate").arg(cand);
    cmd.arg("--suites").arg(suites).arg("--out").arg(out);
    if github {
        cmd.env("GITHUB_ACTIONS", "true");
    }
    cmd.output().unwrap()
}

/// A failure the candidate now declares as expected is its own category: not `fixed`, not a
/// regression, in the JSON, the text and a GitHub warning.
fn a_failure_the_candidate_declares_is_newly_declared_not_fixed() {
    let s = suite(SUITE);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doctor = |name: &str, status: &str| {
        doctored(h.path(), name, |b| {
            b["status"] = status.into();
            b["reason"] = "[thunk.code] `b`: wrong".into();
        })
    };
    let (base, cand) = (doctor("base.json", "failed"), doctor("cand.json", "expected-failure"));
    let out_path = h.path().join("regs.json");
    let out = gate_reports(&base, &cand, s.path(), &out_path, true);
    assert_eq!(out.status.code(), Some(0), "not a regression: {}", text(&out));
    let r = read_report(&out_path);
    assert_eq!(r["newly_declared"][0]["key"], "g::b", "{r:#}");
    assert_eq!(r["fixed"].as_array().map(Vec::len), Some(0), "not a fix: {r:#}");
    assert!(text(&out).contains("newly declared (same failure"), "{}", text(&out));
    assert!(text(&out).contains("::warning file="), "{}", text(&out));
    assert!(text(&out).contains("title=newly declared%3A g%3A%3Ab"), "{}", text(&out));
}

/// A candidate that leaves subjects unjudged which the baseline judged is a regression on
/// the same case, even when both pass.
fn a_candidate_that_judges_less_is_a_regression() {
    let s = suite(SUITE);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let base = h.path().join("report.json");
    let cand = doctored(h.path(), "cand.json", |b| {
        let phases = b["phases"].as_array_mut().unwrap();
        let check = phases.iter_mut().find(|p| p["name"] == "check").unwrap();
        let judged = check["coverage"]["thunk.code"]["judged"].as_u64().unwrap();
        assert!(judged > 0, "the case judges its thunks: {check:#}");
        check["coverage"]["thunk.code"]["judged"] = 0.into();
        check["coverage"]["thunk.code"]["not_judged"] = serde_json::json!([
            { "subject": "thunk", "name": "$ientry_thunk$cdecl$i8$i8", "reason": "a helper call" }
        ]);
    });
    let out_path = h.path().join("regs.json");
    let out = gate_reports(&base, &cand, s.path(), &out_path, false);
    assert_eq!(out.status.code(), Some(1), "a regression: {}", text(&out));
    let r = read_report(&out_path);
    let e = &r["judged_less"][0];
    assert_eq!(e["key"], "g::b", "{r:#}");
    assert_eq!(e["rules"], serde_json::json!(["thunk.code"]), "{e:#}");
    assert!(
        e["details"][0]
            .as_str()
            .unwrap()
            .contains("candidate 0 judged, 1 not judged (1: a helper call)"),
        "{e:#}"
    );
    assert!(text(&out).contains("JUDGES LESS (1)"), "{}", text(&out));
}

/// Needs 1.85.0 and lld-link: `link::intrinsics` links, and 1.85.0's rust-lld is LLD 19
/// (the link tier needs 20 or later).
fn an_older_release_against_the_current_one_finds_the_real_differences() {
    let h = tempfile::tempdir().unwrap();
    let out = harness(&[
        "gate",
        "--baseline",
        "stable",
        "--candidate",
        "1.85.0",
        "--exact",
        "thunks::hfa_results",
        "thunks::naked",
        "thunks::scalars",
        "thunks::i128",
        "link::intrinsics",
        "--harness-dir",
        h.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("regressions.json"));
    let nf = &r["new_failures"][0];
    assert_eq!(nf["key"], "thunks::hfa_results", "{r:#}");
    assert!(nf["rules"].as_array().unwrap().iter().any(|x| x == "thunk.code"), "{nf:#}");
    assert!(nf["what"].as_str().unwrap().contains("needs LLVM 22.1.2"), "{nf:#}");
    assert_eq!(r["no_longer_run"][0]["key"], "thunks::naked");
    // The i128 case declares its own deviation, by subject: the older release's other
    // defect (llvm#185390, RAX unset after a result through the x64 buffer) on
    // `wide_ret`'s entry thunk is not absorbed by it, so the case fails there.
    let nf = r["new_failures"].as_array().unwrap();
    let keys: Vec<&str> = nf.iter().filter_map(|e| e["key"].as_str()).collect();
    assert_eq!(keys, ["thunks::hfa_results", "thunks::i128"], "scalars conforms on both: {r:#}");
    let i128 = &nf[1];
    assert_eq!(i128["baseline"], "expected-failure", "{i128:#}");
    assert!(
        i128["what"]
            .as_str()
            .unwrap()
            .contains("`thunk.code` on `$ientry_thunk$cdecl$m16$i8` is not declared"),
        "{i128:#}"
    );
    // Where both sides have the same status, what changed is still reported, each change
    // at the case and rule that saw it: the 128-bit multiply the intrinsics fixture uses is
    // a call to `__muloti4` from the older release only.
    let changed = r["changed"].as_array().unwrap();
    let of =
        |k: &str| changed.iter().find(|e| e["key"] == k).unwrap_or_else(|| panic!("{k}: {r:#}"));
    let intr = of("link::intrinsics");
    assert_eq!(intr["rules"], serde_json::json!(["object.import"]), "{intr:#}");
    assert!(intr["details"][0].as_str().unwrap().contains("__muloti4"), "{intr:#}");
    assert!(r["abi_changed"].as_array().unwrap().is_empty(), "{r:#}");
}

fn shard_reports_merge_into_one() {
    let s = suite(SUITE);
    let (h1, h2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(run(s.path(), h1.path(), &["--exact", "g::a"]).status.code(), Some(0));
    assert_eq!(run(s.path(), h2.path(), &["--exact", "g::b"]).status.code(), Some(0));
    let merged = h1.path().join("merged.json");
    let (r1, r2) = (h1.path().join("report.json"), h2.path().join("report.jsonl"));
    let out = harness(&[
        "merge",
        r1.to_str().unwrap(),
        r2.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let m = read_report(&merged);
    let keys: Vec<_> = m["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["g::a", "g::b"]);
    assert_eq!(m["summary"]["total"], 2);
    let out = harness(&[
        "merge",
        r1.to_str().unwrap(),
        r1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("shards overlap"), "{}", text(&out));
    // With the suite root, a case no shard reported is not lost: here the second shard
    // "crashed", so `g::b` is an error naming why.
    let out = harness(&[
        "merge",
        r1.to_str().unwrap(),
        "--suites",
        s.path().to_str().unwrap(),
        "--harness-dir",
        h1.path().to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "an error case fails the merge: {}", text(&out));
    let m = read_report(&merged);
    let b = m["cases"].as_array().unwrap().iter().find(|c| c["key"] == "g::b").unwrap();
    assert_eq!(b["status"], "error", "{b:#}");
    assert!(b["reason"].as_str().unwrap().contains("no shard reported"), "{b:#}");
    // Shards of different toolchains do not merge.
    let mut other = read_report(&r1);
    other["header"]["fingerprint"]["rustc"]["release"] = "0.0.1".into();
    other["cases"][0]["key"] = "g::other".into();
    let other_path = h2.path().join("other.json");
    std::fs::write(&other_path, serde_json::to_vec(&other).unwrap()).unwrap();
    let out = harness(&[
        "merge",
        r1.to_str().unwrap(),
        other_path.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("other.json: ran with rustc 0.0.1"), "{}", text(&out));
}

fn bisect_names_the_first_release_that_changes() {
    let h = tempfile::tempdir().unwrap();
    let out = harness(&[
        "bisect",
        "--good",
        "stable",
        "--bad",
        "1.85.0",
        "--exact",
        "thunks::hfa_results",
        "--installed-only",
        "--harness-dir",
        h.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("last good: stable")
            && t.contains("thunks::hfa_results: passed -> expected-failure"),
        "{t}"
    );
    let first_bad = t.lines().find_map(|l| l.strip_prefix("first bad: ")).unwrap();
    assert!(first_bad.starts_with("1.93.0") || first_bad.starts_with("1.9"), "{t}");
}

crate::self_tests! {
    a_toolchain_against_itself_reports_nothing,
    doctored_reports_show_each_regression_with_its_line,
    a_failure_the_candidate_declares_is_newly_declared_not_fixed,
    a_candidate_that_judges_less_is_a_regression,
    an_older_release_against_the_current_one_finds_the_real_differences [
        Need::Toolchain("1.85.0"),
        LLD_LINK
    ],
    shard_reports_merge_into_one,
    bisect_names_the_first_release_that_changes [Need::Toolchain("1.85.0"), Need::Toolchain("1.93.0")],
}
