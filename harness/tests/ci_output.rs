//! CI-native output of a real run: GitHub annotations (at most ten, each at the fixture
//! line of the failing check), groups, a step summary under 1 MiB, and JUnit XML.

mod common;

use common::*;

#[test]
fn github_annotations_summary_and_junit() {
    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("many/f{i:02}.rs"),
                "//@ tier: static\n#![no_std]\npub fn f() -> u8 { \"no\" }\n".to_string(),
            )
        })
        .collect();
    files.push((
        "one/sig.rs".into(),
        "//! doc\n//@ sig: s = fn(f64) -> u8\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn s(x: u8) -> u8 { x }\n".into(),
    ));
    files.push(("one/ok.rs".into(), NO_STD_OK.into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let s = suite(&refs);
    let h = tempfile::tempdir().unwrap();
    let summary = h.path().join("summary.md");
    let junit = h.path().join("junit.xml");
    let out = harness_run(s.path(), h.path())
        .arg("--junit")
        .arg(&junit)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "at most ten annotations:\n{stdout}");
    assert!(
        stdout.contains("::group::failed one::sig") && stdout.contains("::endgroup::"),
        "{stdout}"
    );
    // The thunk-name failure points at the `//@ sig:` line of its function (line 2).
    let all = harness_run(s.path(), h.path())
        .args(["--exact", "one::sig"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&all.stdout);
    let line = t.lines().find(|l| l.starts_with("::error ")).unwrap_or_else(|| panic!("{t}"));
    assert!(line.contains("sig.rs,line=2,"), "{line}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.len() < 1 << 20 && md.contains("| failed | 13 |") && md.contains("`one::sig`"),
        "{md}"
    );
    // What was judged, and each rule that left something unjudged (functions without a
    // signature are not judged by the oracle).
    assert!(md.contains(" judgement(s), ") && md.contains("| `thunk.name.oracle` | "), "{md}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml")
            && xml
                .contains("<testsuites name=\"arm64ec-conformance\" tests=\"14\" failures=\"13\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"one::ok\"") && xml.contains("<failure message="),
        "{xml}"
    );
    // A repro bundle per failing case, next to the report; none for the passing one.
    let repro = h.path().join("repros/one--sig");
    assert!(repro.join("src/sig.rs").is_file() && repro.join("commands.json").is_file());
    let code = std::fs::read_to_string(repro.join("thunks.txt")).unwrap();
    assert!(
        code.contains("$ientry_thunk$cdecl$i8$i8 (EntryThunk)") && code.contains("blr x9"),
        "{code}"
    );
    assert!(!h.path().join("repros/one--ok").exists());
}
