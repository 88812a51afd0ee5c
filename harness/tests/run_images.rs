//! Run-tier cases are what they claim: a `tier: run` case builds an executable (discovery
//! rejects one that would be built as a library, with file and line), a std program declares
//! `needs-msvc`, and every run-tier case of the suites is built as an EXE — by the recipe with
//! MSVC, and, with a wrapper runner that only records what it is given, either run as an
//! `.exe` or ignored for a missing tool.

mod common;

use common::*;
use harness::compile::LinkTools;
use harness::compile::link;
use harness::discover::{self, Discovered};
use harness::model::Tier;
use harness::toolchain::{self, Request};
use std::path::PathBuf;

const NO_STD_BODY: &str = "#![no_std]\n#![no_main]\n#[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n#[unsafe(no_mangle)]\npub extern \"C\" fn start() -> u32 { 0 }\n";

/// Each file's discovery errors, by case name.
fn errors_of(files: &[(&str, String)]) -> Vec<(String, Vec<String>)> {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let s = suite(&refs);
    discover::discover(s.path())
        .expect("discover")
        .into_iter()
        .map(|d| {
            let errs = match &d {
                Discovered::Broken(b) => b.errors.iter().map(|e| e.to_string()).collect(),
                _ => vec![],
            };
            (d.key().to_string(), errs)
        })
        .collect()
}

fn errors_for<'a>(all: &'a [(String, Vec<String>)], key: &str) -> &'a [String] {
    all.iter().find(|(k, _)| k == key).map(|(_, e)| e.as_slice()).unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn a_run_case_that_would_build_a_library_is_rejected_at_its_line() {
    let all = errors_of(&[
        ("r/dll.rs", format!("//@ tier: run\n//@ link: dll\n{NO_STD_BODY}")),
        (
            "r/cdylib.rs",
            format!("//@ tier: run\n//@ entry: start\n//@ crate-type: cdylib\n{NO_STD_BODY}"),
        ),
        ("r/std_run.rs", "//@ exit-code: 0\n//@ tier: run\nfn main() {}\n".to_string()),
        ("r/std_link.rs", "//@ tier: link\n//@ crate-type: bin\nfn main() {}\n".to_string()),
        ("r/ok_std.rs", "//@ tier: run\n//@ needs-msvc\nfn main() {}\n".to_string()),
        ("r/ok_exe.rs", format!("//@ tier: run\n//@ entry: start\n{NO_STD_BODY}")),
        ("r/ok_dll.rs", format!("//@ tier: link\n//@ link: dll\n{NO_STD_BODY}")),
    ]);
    let one = |key: &str, needle: &str| {
        let e = errors_for(&all, key);
        assert!(e.len() == 1 && e[0].contains(needle), "{key}: {e:?}");
        e[0].clone()
    };
    assert!(one("r::dll", "`link: dll` would build a library").contains("dll.rs:2:"));
    assert!(
        one("r::cdylib", "`crate-type: cdylib` would build a library").contains("cdylib.rs:3:")
    );
    assert!(one("r::std_run", "declare `//@ needs-msvc`").contains("std_run.rs:2:"));
    assert!(one("r::std_link", "declare `//@ needs-msvc`").contains("std_link.rs:1:"));
    for ok in ["r::ok_std", "r::ok_exe", "r::ok_dll"] {
        assert!(errors_for(&all, ok).is_empty(), "{ok}: {:?}", errors_for(&all, ok));
    }
}

/// Every run-tier case of the suites (not its controls).
fn run_tier_variants() -> Vec<discover::Variant> {
    discover::discover(&harness::paths::default_suites())
        .expect("discover the suites")
        .into_iter()
        .filter_map(|d| match d {
            Discovered::Variant(v) if v.control().is_none() && v.config.tier == Tier::Run => {
                Some(*v)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_run_tier_case_of_the_suites_is_linked_as_an_exe_with_msvc() {
    let probe = tempfile::tempdir().unwrap();
    let tc = toolchain::open(&Request::Default, probe.path()).expect("the default toolchain");
    let tools = LinkTools {
        linker: None,
        clang: None,
        cc: None,
        support_dir: harness::paths::workspace_root().join("fixtures/support"),
        msvc: Some(PathBuf::from("link.exe")),
        clang_cl: None,
    };
    let cases = run_tier_variants();
    assert!(cases.len() >= 10, "only {} run-tier cases found", cases.len());
    for v in &cases {
        let steps = link::steps(v, &tc, &tools);
        // The case's own image is the last one linked (auxiliary DLLs come first).
        let image = steps
            .iter()
            .rev()
            .find(|s| s.kind == harness::compile::ArtifactKind::Image)
            .unwrap_or_else(|| panic!("{}: no image step", v.key));
        assert!(image.output.ends_with(".exe"), "{}: links {}", v.key, image.output);
        let argv = image.cmd.argv_strings();
        if let Some(i) = argv.iter().position(|a| a == "--crate-type") {
            assert_eq!(argv[i + 1], "bin", "{}: {argv:?}", v.key);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_recording_wrapper_sees_every_run_tier_case_as_an_exe_or_it_is_ignored_for_a_tool() {
    use std::os::unix::fs::PermissionsExt;
    let h = tempfile::tempdir().unwrap();
    let log = h.path().join("argv.log");
    let rec = h.path().join("record.sh");
    std::fs::write(&rec, format!("#!/bin/sh\necho \"$1\" >>{}\nexit 0\n", log.display())).unwrap();
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = h.path().join("harness.toml");
    std::fs::write(
        &cfg,
        format!("[runner]\nkind = \"wrapper\"\nargv = [\"{}\", \"{{exe}}\"]\n", rec.display()),
    )
    .unwrap();
    // The suites' run-tier cases, and a no_std one that declares neither a crate type nor an
    // image kind (it must still be an EXE).
    let own = suite(&[("r/plain.rs", &format!("//@ tier: run\n//@ entry: start\n{NO_STD_BODY}"))]);
    let mut keys: Vec<String> = run_tier_variants().iter().map(|v| v.key.to_string()).collect();
    let suites = harness::paths::default_suites();
    let out = harness_run(&suites, h.path())
        .arg("--config")
        .arg(&cfg)
        .arg("--exact")
        .args(&keys)
        .output()
        .unwrap();
    let report = read_report(&h.path().join("report.json"));
    let mine = tempfile::tempdir().unwrap();
    let out2 = harness_run(own.path(), mine.path()).arg("--config").arg(&cfg).output().unwrap();
    keys.push("r::plain".into());
    let report2 = read_report(&mine.path().join("report.json"));
    let recorded = std::fs::read_to_string(&log).unwrap_or_default();
    for key in &keys {
        let c = if key == "r::plain" { case(&report2, key) } else { case(&report, key) };
        let status = c["status"].as_str().unwrap();
        let run = c["phases"].as_array().and_then(|p| p.iter().find(|p| p["name"] == "run"));
        match run {
            Some(run) => {
                let exe = run["commands"][0]["argv"][1].as_str().unwrap_or("");
                assert!(exe.ends_with(".exe"), "{key} ran {exe}: {c:#}");
                assert!(recorded.lines().any(|l| l == exe), "{key}: {recorded}");
            }
            None => {
                let reason = c["reason"].as_str().unwrap_or("");
                assert_eq!(status, "ignored", "{key}: {}\n{c:#}", text(&out));
                assert!(reason.contains("MSVC") || reason.contains("msvc"), "{key}: {reason}");
            }
        }
    }
    assert_eq!(case(&report2, "r::plain")["status"], "passed", "{}", text(&out2));
}
