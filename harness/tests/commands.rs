//! `harness inspect`, `oracle` and `verify` as a user runs them: exit codes, JSON output,
//! and clear errors naming the file for input that is not a COFF object.

mod common;
mod objects;

use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    common::harness_cmd().args(args).output().expect("run harness")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

fn oracle_prints_both_names_and_explains_them() {
    let o = harness(&["oracle", "fn(i64, f64, {u8, u8, u8}, i32, i32, i32) -> i64"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("$ientry_thunk$cdecl$i8$i8dm3i8i8i8"), "{t}");
    assert!(t.contains("$iexit_thunk$cdecl$i8$i8dm3i8i8i8"), "{t}");
    assert!(t.contains("a reference to a 3-byte copy"), "{t}");
    let o = harness(&["oracle", "--json", "fn({f32, f32}) -> {[f64; 3]}"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entry_thunk"], "$ientry_thunk$cdecl$D24$F8");
    assert_eq!(v["params"][0]["class"]["arm64"]["fp"]["count"], 2);
    let o = harness(&["oracle", "fn(i32, [u8; 3])"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("column 9: arrays `[T; N]` are only allowed as struct members"),
        "{}",
        text(&o)
    );
}

fn verify_exit_codes_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let clean = objects::rust_object(dir.path());
    let good = write(dir.path(), "good.o", &clean);
    let o = harness(&["verify", &good, "--sig", "add_pair=fn({i64, f64}, i32) -> f64"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut bad_bytes = clean.clone();
    objects::patch_word(&mut bad_bytes, "#add_pair", 0, 0xaa00_03ed); // mov x13, x0
    let bad = write(dir.path(), "bad.o", &bad_bytes);
    let o = harness(&["verify", "--json", &bad]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["objects"][0]["findings"][0];
    assert_eq!(f["rule"], "reg.reserved");
    assert_eq!(f["symbol"], "#add_pair");
    assert!(v["violations"].as_u64().unwrap() >= 1);
    // A wrong signature on the command line is a violation; a malformed one a usage error.
    let o = harness(&["verify", &good, "--sig", "add_pair=fn({i64, f64}, f32) -> f64"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("thunk.name.oracle"), "{}", text(&o));
    let o = harness(&["verify", &good, "--sig", "add_pair=fn(i33)"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("unknown type `i33`"), "{}", text(&o));
}

fn unreadable_and_non_coff_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let junk = write(dir.path(), "junk.o", b"this is not an object file at all");
    let mz = write(dir.path(), "image.dll", b"MZ\x90\x00");
    let empty = write(dir.path(), "empty.o", b"");
    let absent = dir.path().join("absent.o").display().to_string();
    for (file, msg) in [
        (&junk, "not a COFF object or archive"),
        (&mz, "not a PE32+ image"),
        (&empty, "not a COFF object or archive"),
        (&absent, "cannot read the file"),
    ] {
        for cmd in ["verify", "inspect"] {
            let o = harness(&[cmd, file]);
            assert_eq!(o.status.code(), Some(2), "{cmd} {file}: {}", text(&o));
            let t = text(&o);
            assert!(t.contains(&format!("{file}: {msg}")), "{cmd} {file}: {t}");
            assert!(!t.contains("panicked"), "{t}");
        }
    }
    // A truncated object: a clear error naming it, not a panic.
    let clean = objects::rust_object(dir.path());
    let cut = write(dir.path(), "cut.o", &clean[..clean.len() / 3]);
    let o = harness(&["verify", &cut]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cut.o"), "{}", text(&o));
}

fn inspect_shows_roles_hybrid_map_unwind_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let obj = write(dir.path(), "rich.o", &objects::rust_object(dir.path()));
    let o = harness(&["inspect", &obj]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    for want in [
        "EcFunction         #add_pair",
        "EcAlias            add_pair  undefined -> #add_pair (anti-dependency)",
        "GuestExitThunk     #ext_pair$exit_thunk",
        "Entry      #add_pair -> $ientry_thunk$cdecl$d$m16i8",
        "GuestExit  #ext_pair$exit_thunk -> ext_pair",
        "stp q6, q7, [sp, #-176]!",
        "BRANCH26 #ext_pair",
    ] {
        assert!(t.contains(want), "missing `{want}` in:\n{t}");
    }
    let o = harness(&["inspect", "--json", &obj]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let obj0 = &v["objects"][0];
    assert_eq!(obj0["machine"], 0xA641);
    assert!(obj0["hybrid_map"].as_array().unwrap().iter().any(|r| r["kind"] == "entry"));
    assert!(obj0["pdata"].as_array().unwrap().len() >= 5);
    let o = harness(&["inspect", "--disasm", "--function", "#call_back", &obj]);
    let t = text(&o);
    assert!(t.contains("PAGEOFFSET_12L __os_arm64x_check_icall"), "{t}");
    assert!(t.contains("br x11"), "{t}");
}

fn archives_are_verified_member_by_member() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::trials::AR.path();
    let clean = objects::rust_object(dir.path());
    let mut bad = clean.clone();
    bad[0..2].copy_from_slice(&0x8664u16.to_le_bytes());
    let a = write(dir.path(), "a.o", &clean);
    let b = write(dir.path(), "b.o", &bad);
    let lib = dir.path().join("lib.a").display().to_string();
    let st = Command::new(ar).args(["rc", &lib, &a, &b]).status().unwrap();
    assert!(st.success());
    let o = harness(&["verify", "--json", &lib]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let objs = v["objects"].as_array().unwrap();
    assert_eq!(objs.len(), 2);
    assert!(objs[0]["file"].as_str().unwrap().ends_with("lib.a(a.o)"), "{}", objs[0]["file"]);
    assert_eq!(objs[0]["findings"].as_array().unwrap().len(), 0);
    assert_eq!(objs[1]["findings"][0]["rule"], "coff.machine");
}

crate::self_tests! {
    oracle_prints_both_names_and_explains_them,
    verify_exit_codes_and_json,
    unreadable_and_non_coff_files_are_errors_naming_the_file,
    inspect_shows_roles_hybrid_map_unwind_and_code,
    archives_are_verified_member_by_member [AR],
}
