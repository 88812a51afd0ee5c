//! A declared deviation says exactly what fails: its rules, their subjects or count, their
//! phase. Whatever else fails makes the case fail; a signature that names nothing and a
//! deviation that declares no finding are errors of the case, at their line.

mod common;
mod objects;

use common::*;

/// Two functions (different, so they are not merged) that name x13 in their asm template:
/// two `reg.reserved` findings each.
const TWO_X13: &str = "#![no_std]
#[unsafe(no_mangle)]
pub extern \"C\" fn one(a: u64) -> u64 { let r: u64; unsafe { core::arch::asm!(\"mov x13, {a}\", \"mov {r}, x13\", a = in(reg) a, r = out(reg) r) } r }
#[unsafe(no_mangle)]
pub extern \"C\" fn two(a: u64) -> u64 { let r: u64; unsafe { core::arch::asm!(\"add x13, {a}, 1\", \"mov {r}, x13\", a = in(reg) a, r = out(reg) r) } r }
";

const DEVIATION: &str = "//@ known-deviation: x13 in an asm template, declared for this test only";

#[test]
fn a_declared_deviation_absorbs_nothing_but_its_own_findings() {
    let s = suite(&[
        // Both findings declared by subject: the expected failure.
        (
            "x/both.rs",
            &format!("{DEVIATION}\n//@ expect-finding: reg.reserved[#one,#two]\n{TWO_X13}"),
        ),
        // By count.
        ("x/count.rs", &format!("{DEVIATION}\n//@ expect-finding: reg.reserved*4\n{TWO_X13}")),
        // One subject declared, the other is a finding nobody declared.
        (
            "x/one_of_two.rs",
            &format!("{DEVIATION}\n//@ expect-finding: reg.reserved[#one]\n{TWO_X13}"),
        ),
        // The wrong count.
        ("x/miscount.rs", &format!("{DEVIATION}\n//@ expect-finding: reg.reserved*1\n{TWO_X13}")),
        // A build that fails for another reason (a bogus flag) is not the declared deviation.
        (
            "x/bogus_flag.rs",
            &format!(
                "//@ known-bug: https://github.com/rust-lang/rust/issues/1\n//@ expect-finding: reg.reserved*4\n//@ compile-flags: -Z no-such-flag\n{TWO_X13}"
            ),
        ),
        // Declared and gone.
        (
            "x/gone.rs",
            &format!(
                "{DEVIATION}\n//@ expect-finding: reg.reserved[#one]\n#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn one() {{}}\n"
            ),
        ),
        // A checker proof without a deviation: passed, and the reason says what was seen.
        ("x/proof.rs", &format!("//@ expect-finding: reg.reserved[#one,#two]\n{TWO_X13}")),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    let r = read_report(&h.path().join("report.json"));
    let status = |k: &str| case(&r, k)["status"].as_str().unwrap_or("").to_string();
    let reason = |k: &str| case(&r, k)["reason"].as_str().unwrap_or("").to_string();
    assert_eq!(status("x::both"), "expected-failure", "{}", text(&out));
    assert_eq!(status("x::count"), "expected-failure", "{}", reason("x::count"));
    assert_eq!(status("x::one_of_two"), "failed");
    assert!(
        reason("x::one_of_two").contains("`reg.reserved` on `#two` is not declared"),
        "{}",
        reason("x::one_of_two")
    );
    assert_eq!(status("x::miscount"), "failed");
    assert!(
        reason("x::miscount").contains("4 finding(s), 1 declared"),
        "{}",
        reason("x::miscount")
    );
    assert_eq!(status("x::bogus_flag"), "failed", "{}", reason("x::bogus_flag"));
    assert!(reason("x::bogus_flag").contains("failed otherwise than the declared deviation"));
    assert_eq!(status("x::gone"), "fixed", "{}", reason("x::gone"));
    assert_eq!(status("x::proof"), "passed");
    assert!(
        reason("x::proof")
            .contains("reported exactly the declared findings: reg.reserved[#one,#two]")
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn unnamed_signatures_blanket_deviations_and_unknown_rules_are_case_errors_at_their_line() {
    let add = "#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn add(a: i32, b: i32) -> i32 { a + b }\n";
    let s = suite(&[
        ("e/typo_sig.rs", &format!("//@ tier: static\n//@ sig: ad = fn(i32, i32) -> i32\n{add}")),
        ("e/good_sig.rs", &format!("//@ sig: add = fn(i32, i32) -> i32\n{add}")),
        (
            "e/blanket.rs",
            &format!("//@ known-bug: https://github.com/rust-lang/rust/issues/1\n{add}"),
        ),
        ("e/bad_rule.rs", &format!("//@ expect-finding: thunk.cod\n{add}")),
        ("e/empty_subjects.rs", &format!("//@ expect-finding: thunk.code[]\n{add}")),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let reason = |k: &str| {
        let c = case(&r, k);
        assert_eq!(c["status"], "error", "{k}: {c:#}");
        c["reason"].as_str().unwrap_or("").to_string()
    };
    let typo = reason("e::typo_sig");
    assert!(typo.contains("typo_sig.rs:2: `sig: ad = …` names no function"), "{typo}");
    assert_eq!(case(&r, "e::good_sig")["status"], "passed");
    let blanket = reason("e::blanket");
    assert!(
        blanket.contains("blanket.rs:1:") && blanket.contains("a known bug says what fails"),
        "{blanket}"
    );
    let bad = reason("e::bad_rule");
    assert!(bad.contains("bad_rule.rs:1:") && bad.contains("did you mean `thunk.code`?"), "{bad}");
    assert!(reason("e::empty_subjects").contains("none empty"));
}

/// `verify`: a `--sig` that names nothing in the files is an error (exit 2), and the JSON
/// says per rule what was judged and what was not, with the reason.
#[test]
fn verify_refuses_a_signature_naming_nothing_and_reports_coverage() {
    let dir = tempfile::tempdir().unwrap();
    objects::rust_object(dir.path());
    let obj = dir.path().join("rich.o");
    let verify = |extra: &[&str]| {
        let mut cmd = harness_cmd();
        cmd.arg("verify").arg(&obj).args(extra);
        cmd.output().unwrap()
    };
    let typo = verify(&["--sig", "no_such_function=fn(i32) -> i32"]);
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo));
    assert!(text(&typo).contains("--sig `no_such_function`: no object defines or references"));
    let out = verify(&["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = &doc["coverage"]["thunk.code"];
    assert!(code["judged"].as_u64().unwrap() >= 8, "{code:#}");
    // No signature is given: the oracle judged nothing, and says so for every thunk.
    let oracle = &doc["coverage"]["thunk.name.oracle"];
    assert_eq!(oracle["judged"], 0, "{oracle:#}");
    let not = oracle["not_judged"].as_array().unwrap();
    assert!(
        !not.is_empty()
            && not.iter().all(|n| n["reason"].as_str().unwrap().contains("no C signature"))
    );
    assert!(doc["not_judged"].as_u64().unwrap() as usize >= not.len());
}
