//! Emitted reports validate against the committed JSON Schema, line by line for the JSONL and
//! whole for report.json; a mutated report must not.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;

fn schema() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn line_schema(full: &Value) -> Value {
    json!({ "$schema": full["$schema"], "$defs": full["$defs"], "$ref": "#/$defs/line" })
}

fn errors(validator: &jsonschema::Validator, v: &Value) -> Vec<String> {
    validator.iter_errors(v).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn emitted_reports_validate_and_mutations_do_not() {
    // Every kind of status this machine can produce: passed, ignored, error, failed, timeout.
    let s = suite(&[
        ("v/ok.rs", NO_STD_OK),
        ("v/c.c", "//@ tier: static\nint c(void) { return 1; }\n"),
        ("v/gated.rs", "//@ only-x86_64\n#![no_std]\n"),
        ("v/broken.rs", "//@ frobnicate\n"),
        ("v/compile_error.rs", "//@ tier: static\n#![no_std]\npub fn f() -> u8 { \"no\" }\n"),
        (
            "v/ctl.rs",
            "//@ tier: run\n//@ needs-msvc\n//@ host-control\n//@ exit-code: 3\nfn main() { std::process::exit(4) }\n",
        ),
        (
            "v/bug.rs",
            "//@ known-bug: https://github.com/rust-lang/rust/issues/1\n//@ expect-finding: ec.orphan-code\n#![no_std]\n",
        ),
        (
            "v/linked.rs",
            "//@ tier: link\n//@ crate-type: cdylib\n//@ sig: f = fn(u32) -> u32\n#![no_std]\n\
             #[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n\
             #[unsafe(no_mangle)]\npub extern \"C\" fn f(x: u32) -> u32 { x + 1 }\n",
        ),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let full = schema();
    let report_validator = jsonschema::validator_for(&full).expect("schema compiles");
    let line_validator =
        jsonschema::validator_for(&line_schema(&full)).expect("line schema compiles");

    let report = read_report(&h.path().join("report.json"));
    assert_eq!(errors(&report_validator, &report), Vec::<String>::new());
    let linked = case(&report, "v::linked");
    let images = linked["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["images"].as_array().cloned().unwrap_or_default());
    assert_eq!(images.count(), 1, "the linked case reports its image: {linked:#}");
    let statuses: Vec<&str> =
        report["cases"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    for s in ["passed", "ignored", "error", "failed", "fixed"] {
        assert!(statuses.contains(&s), "no {s} case in {statuses:?}");
    }
    let jsonl = std::fs::read_to_string(h.path().join("report.jsonl")).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1 + report["cases"].as_array().unwrap().len());
    for l in &lines {
        assert_eq!(errors(&line_validator, l), Vec::<String>::new(), "{l:#}");
    }

    // Negative: each mutation must be rejected.
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "status removed",
            Box::new(|r| {
                r["cases"][0].as_object_mut().unwrap().remove("status");
            }),
        ),
        ("unknown status", Box::new(|r| r["cases"][0]["status"] = json!("kinda-passed"))),
        (
            "ignored without reason",
            Box::new(|r| {
                let c = r["cases"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["status"] == "ignored")
                    .unwrap();
                c["reason"] = Value::Null;
            }),
        ),
        ("schema version bumped", Box::new(|r| r["schema_version"] = json!(2))),
        ("extra field", Box::new(|r| r["header"]["surprise"] = json!(true))),
        (
            "bad rule id",
            Box::new(|r| {
                r["cases"][0]["phases"] = json!([{"name": "check", "status": "failed", "duration_ms": 0, "cached": false,
                "commands": [], "findings": [{"rule": "No Rule", "message": "x"}]}]);
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut bad = report.clone();
        mutate(&mut bad);
        assert!(!report_validator.is_valid(&bad), "mutation `{what}` was accepted");
    }
}

#[test]
fn a_stored_report_and_what_merge_writes_of_it_validate() {
    let stored = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reports/before-typed.json");
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    assert_eq!(errors(&validator, &read_report(&stored)), Vec::<String>::new());
    let h = tempfile::tempdir().unwrap();
    let merged = h.path().join("merged.json");
    let jsonl = stored.with_extension("jsonl");
    let out = harness_cmd().arg("merge").arg(&jsonl).arg("--out").arg(&merged).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed case fails the merge: {}", text(&out));
    let mut m = read_report(&merged);
    assert_eq!(errors(&validator, &m), Vec::<String>::new());
    assert_eq!(m["cases"].as_array().unwrap().len(), 7);
    // Negative: a merged report with a case the schema does not allow.
    m["cases"][0]["phases"][0]["status"] = json!("sort-of");
    assert!(!validator.is_valid(&m));
}
