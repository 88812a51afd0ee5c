//! Self-tests stay out of the real CI outputs: a child harness a test starts does not see the
//! `GITHUB_*` variables of the job running the tests, unless the test sets them on purpose.
//! One test in this binary, since it sets the process's environment.

mod common;

use common::*;

const FAILING: &str = "//@ tier: static\n//@ compile-flags: --cfg broken\n#![no_std]\n#[cfg(broken)]\ncompile_error!(\"deliberately broken\");\n";

#[test]
fn children_of_tests_do_not_write_into_the_jobs_annotations_or_summary() {
    let job = tempfile::tempdir().unwrap();
    let summary = job.path().join("job-summary.md");
    std::fs::write(&summary, "").unwrap();
    // SAFETY: the only test of this binary; no other thread reads the environment.
    unsafe {
        std::env::set_var("GITHUB_ACTIONS", "true");
        std::env::set_var("GITHUB_STEP_SUMMARY", &summary);
    }
    let s = suite(&[("p/broken.rs", FAILING)]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), "", "the job's summary was written");
    assert!(!text(&out).contains("::error"), "annotations in a test's child: {}", text(&out));

    // Set on purpose, they reach the child.
    let mine = h.path().join("mine.md");
    let out = harness_run(s.path(), h.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &mine)
        .output()
        .unwrap();
    assert!(text(&out).contains("::error"), "{}", text(&out));
    assert!(std::fs::metadata(&mine).is_ok_and(|m| m.len() > 0), "no summary where asked");

    // And no test starts the harness any other way.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs") {
            let t = std::fs::read_to_string(&p).unwrap();
            let starts =
                [concat!("Command::new(", "harness_bin"), concat!("CARGO_BIN_", "EXE_harness")];
            let allowed = p.ends_with("common/mod.rs");
            for bad in starts.iter().filter(|_| !allowed) {
                let unscrubbed = t.lines().any(|l| l.contains(bad) && !l.contains("scrubbed("));
                assert!(
                    !unscrubbed,
                    "{} starts the harness without common::harness_cmd or common::scrubbed",
                    p.display()
                );
            }
        }
    }
}
