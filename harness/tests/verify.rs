//! The object verifier on real compiler output: clean objects verify clean, and every rule
//! flags a mutated object (a dropped thunk, a renamed symbol, a corrupted hybrid-map
//! record, a flipped machine, a deleted `.pdata` entry, a reserved register patched in, a
//! checked call made direct, ...). Corrupt bytes never panic.

mod common;
mod objects;

use harness::abi::Signature;
use harness::check::object::{self, Options};
use harness::inspect::ObjectView;
use objects::*;
use std::collections::BTreeMap;

const SIGS: &[(&str, &str)] = &[
    ("add_pair", "fn({i64, f64}, i32) -> f64"),
    ("call_back", "fn(ptr, u8) -> i8"),
    ("make_big", "fn(u64) -> {[u64; 3]}"),
    ("use_externs", "fn(u64) -> f64"),
    ("big_frame", "fn(u64) -> u8"),
    ("ext_pair", "fn({i64, f64}, i32) -> f64"),
    ("ext_big", "fn(u64) -> {[u64; 3]}"),
    ("fill", "fn(ptr, u64)"),
];

fn options() -> Options {
    let sigs: BTreeMap<String, Signature> =
        SIGS.iter().map(|(n, s)| (n.to_string(), Signature::parse(s).unwrap())).collect();
    Options { sigs, ..Options::default() }
}

fn findings(bytes: &[u8], opts: &Options) -> Vec<harness::check::Finding> {
    let view = ObjectView::parse("m.o", bytes).expect("the object parses");
    object::verify(&view, opts).findings
}

fn rules(bytes: &[u8]) -> Vec<String> {
    let mut r: Vec<String> = findings(bytes, &options()).into_iter().map(|f| f.rule).collect();
    r.dedup();
    r
}

const NOP: u32 = 0xd503_201f;
const MOV_X13_X0: u32 = 0xaa00_03ed;
const BLR_X8: u32 = 0xd63f_0100;
const MOV_X8_X19: u32 = 0xaa13_03e8;

fn a_real_object_from_rustc_verifies_clean() {
    let dir = tempfile::tempdir().unwrap();
    let rust = rust_object(dir.path());
    assert_eq!(findings(&rust, &options()), vec![], "rustc object");
    let view = ObjectView::parse("rich.o", &rust).unwrap();
    let checked = harness::check::thunk::check_all(&view)
        .iter()
        .filter(|(_, o)| matches!(o, harness::check::thunk::Outcome::Checked(_)))
        .count();
    assert!(checked >= 8, "only {checked} thunks followed");
}

fn a_clang_cl_object_verifies_clean() {
    let dir = tempfile::tempdir().unwrap();
    let c = clang_object(dir.path());
    assert_eq!(findings(&c, &options()), vec![], "clang-cl object");
}

/// Each mutation, applied to the clean rustc object, and the rule that must flag it.
fn every_rule_flags_its_mutation() {
    let dir = tempfile::tempdir().unwrap();
    let clean = rust_object(dir.path());
    type Mutation = (&'static str, &'static str, fn(&mut Vec<u8>));
    let cases: &[Mutation] = &[
        ("flip the machine to ARM64", "coff.machine", |b| {
            b[0..2].copy_from_slice(&0xAA64u16.to_le_bytes())
        }),
        ("flip the machine to AMD64", "coff.machine", |b| {
            b[0..2].copy_from_slice(&0x8664u16.to_le_bytes())
        }),
        ("rename the EC body `#add_pair`", "ec.mangling", |b| rename(b, "#add_pair", "Xadd_pair")),
        ("drop the plain alias `add_pair`", "ec.alias", |b| rename(b, "add_pair", "add_paiX")),
        ("drop the entry thunk record of `#add_pair`", "ec.entry-thunk", |b| {
            set_hybmp(b, "#add_pair", 2, 9)
        }),
        ("unknown hybrid-map record kind", "hybmp.malformed", |b| set_hybmp(b, "#add_pair", 2, 9)),
        ("hybrid-map index past the table", "hybmp.malformed", |b| {
            set_hybmp(b, "#call_back", 1, 0xffff)
        }),
        ("entry record pointing at a non-thunk", "hybmp.record", |b| {
            set_hybmp(b, "#call_back", 1, 0)
        }),
        ("guest-exit record made an exit record", "ec.exit-thunk", |b| {
            set_hybmp(b, "#ext_pair$exit_thunk", 2, 4)
        }),
        ("exit thunk renamed away from the callee", "ec.exit-thunk", |b| {
            rename(b, "#ext_big$exit_thunk", "#ext_bix$exit_thunk")
        }),
        ("malformed thunk name", "thunk.name.grammar", |b| {
            rename(b, "$ientry_thunk$cdecl$d$m16i8", "$ientry_thunk$cdecl$d$m16i4")
        }),
        ("thunk renamed to another signature's", "thunk.name.oracle", |b| {
            rename(b, "$ientry_thunk$cdecl$d$m16i8", "$ientry_thunk$cdecl$d$m16d")
        }),
        ("delete the .pdata entry of `#big_frame`", "unwind.coverage", |b| {
            unlink_pdata(b, "#big_frame")
        }),
        ("a .pdata entry that no longer resolves", "unwind.decode", |b| {
            unlink_pdata(b, "#big_frame")
        }),
        ("xdata length past the section", "unwind.range", |b| {
            let at = xdata_of(b, "#big_frame");
            let w = word_at(b, at);
            set_word(b, at, (w & !0x3ffff) | 0x3ffff);
        }),
        ("x13 patched into `#add_pair`", "reg.reserved", |b| {
            patch_word(b, "#add_pair", 0, MOV_X13_X0)
        }),
        ("the checker call in `#call_back` removed", "ec.indirect-call", |b| {
            let at = find_words(b, "#call_back", BLR_X8)[0];
            patch_word(b, "#call_back", at, NOP);
        }),
        ("the stack probe renamed to x64's `__chkstk`", "ec.stack-probe", |b| {
            rename(b, "#__chkstk_arm64ec", "#__chkstk")
        }),
        ("the hidden result pointer no longer returned in RAX", "thunk.code", |b| {
            let t = "$ientry_thunk$cdecl$m24$i8";
            let at = find_words(b, t, MOV_X8_X19)[0];
            patch_word(b, t, at, NOP);
        }),
        ("a function symbol moved off the start of its code", "ec.orphan-code", |b| {
            set_value(b, "#add_pair", 4)
        }),
    ];
    for (what, rule, mutate) in cases {
        let mut b = clean.clone();
        mutate(&mut b);
        let found = rules(&b);
        assert!(found.iter().any(|r| r == rule), "{what}: expected `{rule}`, found {found:?}");
    }
    // The oracle check needs a signature: a wrong one is flagged, the right one is not.
    let mut wrong = options();
    wrong.sigs.insert("add_pair".into(), Signature::parse("fn({i64, f64}, f32) -> f64").unwrap());
    let found = findings(&clean, &wrong);
    assert!(
        found
            .iter()
            .any(|f| f.rule == "thunk.name.oracle" && f.symbol.as_deref() == Some("#add_pair")),
        "{found:?}"
    );
}

fn findings_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = rust_object(dir.path());
    patch_word(&mut b, "#add_pair", 4, MOV_X13_X0);
    let f = findings(&b, &options()).into_iter().find(|f| f.rule == "reg.reserved").unwrap();
    assert_eq!(f.file.as_deref(), Some("m.o"));
    assert_eq!(f.symbol.as_deref(), Some("#add_pair"));
    assert_eq!(f.offset, Some(4));
    assert!(f.section.as_deref().is_some_and(|s| s.starts_with(".text")), "{f:?}");
    assert!(f.message.contains("x13"), "{}", f.message);
}

/// Truncated and randomly corrupted objects give errors or findings, never a panic.
fn corrupt_objects_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let clean = rust_object(dir.path());
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for cut in (0..clean.len()).step_by(97) {
        if let Ok(v) = ObjectView::parse("cut.o", &clean[..cut]) {
            let _ = object::verify(&v, &options()).findings;
        }
    }
    for _ in 0..400 {
        let mut b = clean.clone();
        for _ in 0..1 + next() % 16 {
            let at = (next() % b.len() as u64) as usize;
            b[at] = next() as u8;
        }
        if let Ok(v) = ObjectView::parse("fuzz.o", &b) {
            let _ = object::verify(&v, &options()).findings;
            let _ = harness::inspect::dump::render(&v);
        }
    }
}

/// Code sections made to cover the same file bytes (a fuzzer's find: 80 section headers
/// over one 14 KB range made the verifier decode it 80 times, over a second per input) are
/// an error naming the file and both sections, not work that grows with their count.
fn sections_that_share_file_bytes_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = rust_object(dir.path());
    let sections = u16::from_le_bytes([b[2], b[3]]) as usize;
    let header = |i: usize| 20 + 40 * i;
    let with_data: Vec<usize> = (0..sections)
        .filter(|&i| word_at(&b, header(i) + 16) > 0 && word_at(&b, header(i) + 20) > 0)
        .collect();
    assert!(with_data.len() >= 2, "rich.o has sections with data");
    let (first, second) = (header(with_data[0]), header(with_data[1]));
    let at = word_at(&b, first + 20);
    set_word(&mut b, second + 20, at);
    let err = ObjectView::parse("shared.o", &b).err().expect("overlapping sections rejected");
    let text = err.to_string();
    assert!(text.starts_with("shared.o: sections ") && text.contains("share file bytes"), "{text}");
    let path = dir.path().join("shared.o");
    std::fs::write(&path, &b).unwrap();
    let out = common::harness_cmd().arg("verify").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shared.o: sections "));
}

crate::self_tests! {
    a_real_object_from_rustc_verifies_clean,
    a_clang_cl_object_verifies_clean [CLANG_CL],
    every_rule_flags_its_mutation,
    findings_name_the_place,
    corrupt_objects_never_panic,
    sections_that_share_file_bytes_are_an_error,
}
