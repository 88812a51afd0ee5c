//! Reports read back as the records they were written from: a report (and its JSONL) that
//! the harness wrote before the reader existed loads whole and writes back the same JSON;
//! fields this version does not know are passed over and fields an older one did not
//! write default; gate and merge take them; what is not a report is an error naming the
//! file (and the line of a JSONL record).

mod common;

use common::*;
use harness::model::Status;
use harness::report::{Report, read_records};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn stored(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reports").join(name)
}

fn value(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn statuses(cases: &[harness::report::CaseRecord]) -> Vec<(String, Status)> {
    cases.iter().map(|c| (c.key.to_string(), c.status)).collect()
}

#[test]
fn a_report_written_before_the_reader_loads_whole() {
    let path = stored("before-typed.json");
    let records = read_records(&path).unwrap();
    let header = records.header.as_ref().expect("a header");
    assert_eq!(header.schema_version, 1);
    assert!(!header.fingerprint.rustc.release.is_empty());
    let want = [
        ("abi::rust-ec-to-c-ec", Status::ExpectedFailure),
        ("v::bug", Status::Fixed),
        ("v::c", Status::Passed),
        ("v::compile_error", Status::Failed),
        ("v::gated", Status::Ignored),
        ("v::linked", Status::Passed),
        ("v::ok", Status::Passed),
    ];
    let want: Vec<(String, Status)> = want.iter().map(|(k, s)| (k.to_string(), *s)).collect();
    assert_eq!(statuses(&records.cases), want);
    let by_key = |k: &str| records.cases.iter().find(|c| c.key.to_string() == k).unwrap();
    let matrix = by_key("abi::rust-ec-to-c-ec").matrix.as_ref().expect("the matrix summary");
    assert!(!matrix.failures.is_empty() && matrix.failures.iter().all(|f| f.expected.is_some()));
    let linked = by_key("v::linked");
    assert_eq!(linked.phases.iter().map(|p| p.images.len()).sum::<usize>(), 1);
    assert!(linked.phases.iter().any(|p| !p.objects.is_empty()));
    assert!(linked.phases.iter().any(|p| !p.commands.is_empty()));
    let failed = by_key("v::compile_error");
    assert!(failed.phases.iter().any(|p| p.first_error.is_some()), "{failed:#?}");
    assert!(by_key("v::bug").expected_failure.is_some());

    // Nothing is lost: the typed report writes back the JSON it was read from.
    let original = value(&path);
    let typed: Report = serde_json::from_value(original.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), original);

    // The JSONL of the same run holds the same header and cases.
    let lines = read_records(&stored("before-typed.jsonl")).unwrap();
    assert_eq!(lines.header.unwrap().run_id, header.run_id);
    let mut from_lines = statuses(&lines.cases);
    from_lines.sort();
    assert_eq!(from_lines, want);
}

/// Add `"later_field"` to every record in `v` (not to the maps whose keys are data: the
/// counts by status, by image rule).
fn add_unknown_fields(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k != "checked" && k != "by_status" {
                    add_unknown_fields(x);
                }
            }
            m.insert("later_field".into(), json!({"from": "a newer harness"}));
        }
        Value::Array(a) => a.iter_mut().for_each(add_unknown_fields),
        _ => {}
    }
}

#[test]
fn unknown_fields_are_passed_over_and_missing_later_fields_default() {
    let h = tempfile::tempdir().unwrap();
    let original = value(&stored("before-typed.json"));
    let mut newer = original.clone();
    add_unknown_fields(&mut newer);
    let newer_path = write(h.path(), "newer.json", &newer.to_string());
    let read = read_records(&newer_path).unwrap();
    let plain = read_records(&stored("before-typed.json")).unwrap();
    assert_eq!(statuses(&read.cases), statuses(&plain.cases));
    let back = |cases: &[harness::report::CaseRecord]| serde_json::to_value(cases).unwrap();
    assert_eq!(back(&read.cases), back(&plain.cases), "the unknown fields change nothing");

    // An older writer: fields added over time are absent.
    let mut older = original;
    for c in older["cases"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        for k in ["control", "duration_ms", "target", "tier", "line"] {
            c.remove(k);
        }
        if let Some(e) = c.get_mut("expected_failure").and_then(Value::as_object_mut) {
            e.remove("kind");
        }
        for p in c["phases"].as_array_mut().unwrap() {
            let p = p.as_object_mut().unwrap();
            for k in ["cached", "generated", "first_error", "dir"] {
                p.remove(k);
            }
            for o in p.get_mut("objects").and_then(Value::as_array_mut).into_iter().flatten() {
                let o = o.as_object_mut().unwrap();
                o.remove("imports");
                o.remove("thunk_code");
            }
        }
    }
    older["header"]["fingerprint"].as_object_mut().unwrap().remove("host");
    let older_path = write(h.path(), "older.json", &older.to_string());
    let read = read_records(&older_path).unwrap();
    assert_eq!(statuses(&read.cases), statuses(&plain.cases));
    assert!(read.cases.iter().all(|c| c.line == 1 && !c.control && c.tier.is_none()));

    // The gate and merge take both.
    let out = harness_cmd()
        .args(["gate", "--baseline"])
        .arg(stored("before-typed.jsonl"))
        .arg("--candidate")
        .arg(&older_path)
        .arg("--out")
        .arg(h.path().join("regs.json"))
        .output()
        .unwrap();
    let t = text(&out);
    // Dropping the older writer's facts (imports, thunk code) is a change, not a regression.
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("no regression") && t.contains("changed facts"), "{t}");
    let merged = h.path().join("merged.json");
    let out =
        harness_cmd().arg("merge").arg(&newer_path).arg("--out").arg(&merged).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed case fails the merge: {}", text(&out));
    assert_eq!(read_report(&merged)["cases"].as_array().unwrap().len(), 7);
}

#[test]
fn what_is_not_a_report_is_an_error_naming_the_file() {
    let h = tempfile::tempdir().unwrap();
    let report = value(&stored("before-typed.json"));
    let mut bad_status = report.clone();
    bad_status["cases"][2]["status"] = json!("kinda-passed");
    let mut no_key = report.clone();
    no_key["cases"][0].as_object_mut().unwrap().remove("key");
    let mut wrong_type = report;
    wrong_type["header"]["type"] = json!("case");
    let header = std::fs::read_to_string(stored("before-typed.jsonl")).unwrap();
    let header = header.lines().next().unwrap();
    let cases: [(&str, String, &str); 7] = [
        (
            "status.json",
            bad_status.to_string(),
            "not a harness report: unknown variant `kinda-passed`",
        ),
        ("key.json", no_key.to_string(), "not a harness report: missing field `key`"),
        ("type.json", wrong_type.to_string(), "not a harness report: unknown variant `case`"),
        ("junk.json", "{\"x\": 1}".into(), "junk.json: not a harness report: no `cases` array"),
        ("cut.json", "{\"cases\": [".into(), "cut.json:1:11: not a JSON report"),
        (
            "typed.jsonl",
            format!("{header}\n{{\"type\": \"case\", \"key\": \"a::b\"}}\n"),
            "typed.jsonl:2:",
        ),
        ("other.jsonl", format!("{header}\n{{\"type\": \"note\"}}\n"), "a record of unknown type"),
    ];
    for (name, text, want) in cases {
        let p = write(h.path(), name, &text);
        let e = read_records(&p).expect_err(name).to_string();
        assert!(e.contains(name) && e.contains(want), "{name}: {e}");
    }
}
