//! The link tier's support objects where there is no clang: the toolchain's rustc assembles
//! them (`fixtures/support/asm_support.rs`), so Arm64EC and Arm64X images still link and
//! pass the image checks instead of being ignored.

mod common;

use common::{case, read_report, run, text};
use std::path::Path;

fn without_clang_rustc_assembles_the_support_objects_and_images_still_link() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("suites");
    let h = tempfile::tempdir().unwrap();
    let out = common::harness_run(&suites, h.path())
        .args(["--runner", "none", "--exact", "link::cdylib", "arm64x::dll"])
        .env("HARNESS_CLANG_CL", "/nonexistent/clang-cl")
        .output()
        .expect("run harness");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    for (key, objects) in [("link::cdylib", 1), ("arm64x::dll", 2)] {
        let c = case(&r, key);
        assert_eq!(c["status"], "passed", "{c:#}");
        let build = &c["phases"][0];
        let assembled: Vec<&serde_json::Value> = build["commands"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|cmd| cmd["argv"].to_string().contains("asm_support.rs"))
            .collect();
        assert_eq!(assembled.len(), objects, "{key}: {build:#}");
        for cmd in assembled {
            assert!(!cmd["argv"][0].as_str().unwrap().contains("clang"), "{cmd:#}");
        }
    }
}

fn with_clang_the_support_objects_are_assembled_by_clang() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("suites");
    let h = tempfile::tempdir().unwrap();
    let out = run(&suites, h.path(), &["--runner", "none", "--exact", "link::cdylib"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let argv = case(&r, "link::cdylib")["phases"][0]["commands"][0]["argv"].to_string();
    assert!(argv.contains("clang") && argv.contains("arm64ec_support.S"), "{argv}");
}

crate::self_tests! {
    without_clang_rustc_assembles_the_support_objects_and_images_still_link,
    with_clang_the_support_objects_are_assembled_by_clang [CLANG],
}
