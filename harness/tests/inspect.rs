//! The object inspector and the machine rule on real compiler output: facts agree with
//! llvm-readobj, and mutated objects (flipped machine, truncation) are flagged.

use harness::check::object::{self, Options};
use harness::inspect::{self, ObjectFacts, ObjectView};
use harness::model::Machine;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::trials::{CLANG_CL, READOBJ};

fn rust_object(dir: &Path, target: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/basic/no_std_object.rs");
    let out = dir.join(format!("{target}.o"));
    let st = Command::new("rustc")
        .args(["--crate-type=rlib", "--emit=obj", "-O", "--target", target, "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .expect("rustc");
    assert!(st.success());
    out
}

/// Section names and symbol count as llvm-readobj prints them.
fn readobj_facts(readobj: &Path, obj: &Path) -> (String, Vec<String>, usize) {
    let out =
        Command::new(readobj).args(["--file-headers", "--sections"]).arg(obj).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let machine =
        text.lines().find_map(|l| l.trim().strip_prefix("Machine: ")).unwrap_or("").to_string();
    let sections = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Name: "))
        .map(|n| n.split(" (").next().unwrap_or(n).to_string())
        .collect();
    let symbols = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("SymbolCount: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    (machine, sections, symbols)
}

fn assert_agrees(facts: &ObjectFacts, obj: &Path, readobj: &Path) {
    let (machine, sections, symbols) = readobj_facts(readobj, obj);
    assert!(
        machine.contains(&format!("(0x{:X})", facts.machine)),
        "{machine} vs {:#x}",
        facts.machine
    );
    assert_eq!(facts.sections, sections);
    assert_eq!(facts.symbols, symbols);
}

fn facts_of_real_objects_agree_with_llvm_readobj() {
    let dir = tempfile::tempdir().unwrap();
    let readobj = READOBJ.path();
    for (target, machine) in [
        ("arm64ec-pc-windows-msvc", Machine::ARM64EC),
        ("x86_64-pc-windows-msvc", Machine::AMD64),
        ("aarch64-pc-windows-msvc", Machine::ARM64),
    ] {
        let obj = rust_object(dir.path(), target);
        let facts = inspect::inspect_object(&obj).unwrap();
        assert_eq!(facts.machine(), machine, "{target}");
        assert!(facts.sections.iter().any(|s| s.starts_with(".text")), "{:?}", facts.sections);
        assert_agrees(&facts, &obj, &readobj);
    }
}

fn facts_of_a_clang_cl_object_agree_with_llvm_readobj() {
    let dir = tempfile::tempdir().unwrap();
    let readobj = READOBJ.path();
    {
        let clang_cl = CLANG_CL.path();
        let c = dir.path().join("x.c");
        std::fs::write(&c, "int twice(int x) { return 2 * x; }\n").unwrap();
        let obj = dir.path().join("x.obj");
        let st = Command::new(clang_cl)
            .args(["/nologo", "/c", "/arm64EC"])
            .arg(format!("/Fo{}", obj.display()))
            .arg("--")
            .arg(&c)
            .status()
            .unwrap();
        assert!(st.success());
        let facts = inspect::inspect_object(&obj).unwrap();
        assert_eq!(facts.machine(), Machine::ARM64EC);
        assert_agrees(&facts, &obj, &readobj);
    }
}

fn a_flipped_machine_in_a_real_object_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let obj = rust_object(dir.path(), "arm64ec-pc-windows-msvc");
    let bytes = std::fs::read(&obj).unwrap();
    let rules = |bytes: &[u8]| {
        let view = ObjectView::parse("a.o", bytes).unwrap();
        object::verify(&view, &Options::default())
            .findings
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&bytes), vec![]);
    for wrong in [Machine::ARM64, Machine::AMD64, Machine::ARM64X] {
        let mut bad = bytes.clone();
        bad[0..2].copy_from_slice(&wrong.0.to_le_bytes());
        let found = rules(&bad);
        let f = found
            .iter()
            .find(|(r, _)| r == "coff.machine")
            .expect("a wrong machine must be flagged");
        assert!(f.1.contains(wrong.name()), "{}", f.1);
    }
}

fn truncated_and_garbage_objects_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let obj = rust_object(dir.path(), "arm64ec-pc-windows-msvc");
    let bytes = std::fs::read(&obj).unwrap();
    for cut in [0, 10, 19, bytes.len() / 2] {
        let r = inspect::inspect_bytes(Path::new("cut.o"), &bytes[..cut]);
        match r {
            Err(e) => assert!(e.to_string().starts_with("cut.o: "), "{e}"),
            // Cutting inside section data leaves a parsable header; it must still not panic.
            Ok(f) => assert!(cut >= 20, "a {cut}-byte object parsed: {f:?}"),
        }
    }
    let e = inspect::inspect_object(&dir.path().join("absent.o")).unwrap_err();
    assert!(e.to_string().contains("absent.o: cannot read the object"), "{e}");
}

crate::self_tests! {
    facts_of_real_objects_agree_with_llvm_readobj [READOBJ],
    facts_of_a_clang_cl_object_agree_with_llvm_readobj [READOBJ, CLANG_CL],
    a_flipped_machine_in_a_real_object_is_flagged,
    truncated_and_garbage_objects_are_errors_naming_the_file,
}
