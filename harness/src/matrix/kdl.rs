//! The matrix's signatures as abi-cafe KDLScript test files, so abi-cafe can check the
//! same functions (`harness matrix-export`).
//!
//! ```kdl
//! struct "Su8_i16E" {
//!     _ "u8"
//!     _ "i16"
//! }
//! fn "mix_Su8_i16E" {
//!     inputs { _ "u8"; _ "Su8_i16E"; _ "f32"; _ "&Su8_i16E"; }
//!     outputs { _ "f32"; }
//! }
//! ```
//!
//! Scalars keep their names (KDLScript's primitives are spelled like ours, `ptr` included);
//! a struct becomes a `struct` named by its mangled form ([`battery::mangle`]: injective,
//! so equal shapes share one declaration and different ones never collide), with
//! positional fields; member arrays are `[T; N]`; by-reference parameters `&T`. Structs
//! carry no `@repr`, so abi-cafe's `--reprs` decides their layout. KDLScript has no
//! variadic functions: those are left out. Each file is one abi-cafe test, named by its
//! file stem.

use super::{FnSpec, Skip, battery};
use crate::abi::sig::Ty;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Functions per file by default. abi-cafe builds and links each file (a test) on its own
/// for each pairing: many small files pay that per-test overhead many times, a single
/// large one leaves cores idle (see [`Split`]).
pub const DEFAULT_PER_FILE: usize = 128;

/// How to split the functions into files; either way sizes differ by at most one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// As few files as hold at most this many functions each.
    PerFile(usize),
    /// This many files (fewer when there are fewer functions).
    Files(usize),
}

impl Split {
    /// The number of files for `n` functions (at least 1).
    pub fn count(self, n: usize) -> usize {
        match self {
            Split::PerFile(per) => n.div_ceil(per.max(1)),
            Split::Files(k) => k.min(n),
        }
        .max(1)
    }
}

/// `items` in `k` consecutive runs whose lengths differ by at most one.
fn balanced<T>(items: &[T], k: usize) -> Vec<&[T]> {
    let k = k.max(1);
    let (base, extra) = (items.len() / k, items.len() % k);
    let mut out = Vec::with_capacity(k);
    let mut rest = items;
    for i in 0..k {
        let (head, tail) = rest.split_at(base + usize::from(i < extra));
        out.push(head);
        rest = tail;
    }
    out
}

/// The stem every exported file's name starts with (`matrix_03.kdl`).
pub const STEM: &str = "matrix_";

/// One KDLScript test file.
#[derive(Clone, Debug, PartialEq)]
pub struct KdlFile {
    /// The file name, `<STEM><NN>.kdl`; its stem is the abi-cafe test name.
    pub name: String,
    pub text: String,
    pub functions: usize,
}

/// Why a function cannot be written as KDLScript, if it cannot.
pub fn unsupported(f: &FnSpec) -> Option<&'static str> {
    if f.tail.is_some() {
        Some("variadic: KDLScript declares no variadic functions")
    } else if !is_ident(&f.name) {
        Some("the name is not a KDLScript identifier")
    } else {
        None
    }
}

/// KDLScript's identifiers: an ASCII letter or `_`, then letters, digits and `_`.
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How a type is written where it is used: a scalar by name, a struct by its declared
/// name, an array as `[T; N]`.
pub fn type_ref(ty: &Ty) -> String {
    match ty {
        Ty::Scalar(s) => s.name().to_string(),
        Ty::Struct(_) => battery::mangle(ty),
        Ty::Array(t, n) => format!("[{}; {n}]", type_ref(t)),
    }
}

/// Declare `ty`'s structs (members first) that are not in `seen` yet.
fn declare(ty: &Ty, seen: &mut BTreeSet<String>, out: &mut String) {
    match ty {
        Ty::Scalar(_) => {}
        Ty::Array(t, _) => declare(t, seen, out),
        Ty::Struct(members) => {
            for m in members {
                declare(m, seen, out);
            }
            let name = type_ref(ty);
            if seen.insert(name.clone()) {
                let _ = writeln!(out, "struct \"{name}\" {{");
                for m in members {
                    let _ = writeln!(out, "    _ \"{}\"", type_ref(m));
                }
                out.push_str("}\n");
            }
        }
    }
}

/// One function's `fn` node.
fn function(f: &FnSpec, out: &mut String) {
    let _ = writeln!(out, "// {}: {}", f.origin, f.display());
    let _ = writeln!(out, "fn \"{}\" {{", f.name);
    if !f.params.is_empty() {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| {
                let amp = if p.by_ref { "&" } else { "" };
                format!("_ \"{amp}{}\";", type_ref(&p.ty))
            })
            .collect();
        let _ = writeln!(out, "    inputs {{ {} }}", params.join(" "));
    }
    if let Some(r) = &f.ret {
        let _ = writeln!(out, "    outputs {{ _ \"{}\"; }}", type_ref(r));
    }
    out.push_str("}\n");
}

/// One test file's text: a header, the structs the functions use, then the functions.
pub fn render(header: &str, functions: &[&FnSpec]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "// {line}");
    }
    let mut seen = BTreeSet::new();
    let mut decls = String::new();
    for f in functions {
        for p in &f.params {
            declare(&p.ty, &mut seen, &mut decls);
        }
        if let Some(r) = &f.ret {
            declare(r, &mut seen, &mut decls);
        }
    }
    if !decls.is_empty() {
        out.push('\n');
        out.push_str(&decls);
    }
    for f in functions {
        out.push('\n');
        function(f, &mut out);
    }
    out
}

/// The files for `functions` split as `split` says, in order (none when no function can be
/// written); and the functions left out, with the reason. `origin` names the suite in each file's header.
pub fn files(functions: &[FnSpec], split: Split, origin: &str) -> (Vec<KdlFile>, Vec<Skip>) {
    let mut keep = Vec::new();
    let mut skipped = Vec::new();
    for f in functions {
        match unsupported(f) {
            Some(r) => skipped.push(Skip { function: f.name.clone(), reason: r.into() }),
            None => keep.push(f),
        }
    }
    if keep.is_empty() {
        return (Vec::new(), skipped);
    }
    let chunks = balanced(&keep, split.count(keep.len()));
    let width = chunks.len().saturating_sub(1).to_string().len().max(2);
    let out = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let header = format!(
                "Generated by `harness matrix-export` from {origin}: file {} of {}, {} function(s).\nDo not edit; export again instead.",
                i + 1,
                chunks.len(),
                chunk.len()
            );
            KdlFile {
                name: format!("{STEM}{i:0width$}.kdl"),
                text: render(&header, chunk),
                functions: chunk.len(),
            }
        })
        .collect();
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::sig::{Scalar, Signature};
    use crate::matrix::Param;

    fn ty(text: &str) -> Ty {
        Signature::parse(&format!("fn({text})")).unwrap().params.pop().unwrap()
    }

    fn spec(name: &str, params: &[(&str, bool)], ret: Option<&str>) -> FnSpec {
        FnSpec {
            name: name.into(),
            origin: "test.sigs:1".into(),
            params: params.iter().map(|(t, r)| Param { ty: ty(t), by_ref: *r }).collect(),
            ret: ret.map(ty),
            tail: None,
        }
    }

    #[test]
    fn types_are_written_as_kdlscript_spells_them() {
        assert_eq!(type_ref(&ty("ptr")), "ptr");
        assert_eq!(type_ref(&ty("u128")), "u128");
        assert_eq!(type_ref(&ty("{[u8; 3]}")), "Su8x3E");
        let Ty::Struct(ms) = ty("{[{f32, f32}; 2]}") else { panic!() };
        assert_eq!(type_ref(&ms[0]), "[Sf32_f32E; 2]");
    }

    #[test]
    fn structs_are_declared_once_members_first() {
        let a = spec("a", &[("{i8, {u8, i16}}", false), ("{u8, i16}", true)], Some("{u8, i16}"));
        let b = spec("b", &[], Some("{i8, {u8, i16}}"));
        let text = render("h", &[&a, &b]);
        let expected = "// h

struct \"Su8_i16E\" {
    _ \"u8\"
    _ \"i16\"
}
struct \"Si8_Su8_i16EE\" {
    _ \"i8\"
    _ \"Su8_i16E\"
}

// test.sigs:1: fn({i8, {u8, i16}}, &{u8, i16}) -> {u8, i16}
fn \"a\" {
    inputs { _ \"Si8_Su8_i16EE\"; _ \"&Su8_i16E\"; }
    outputs { _ \"Su8_i16E\"; }
}

// test.sigs:1: fn() -> {i8, {u8, i16}}
fn \"b\" {
    outputs { _ \"Si8_Su8_i16EE\"; }
}
";
        assert_eq!(text, expected);
    }

    #[test]
    fn void_functions_have_no_outputs_node() {
        let text = render("h", &[&spec("v", &[("f64", true)], None)]);
        assert!(text.contains("fn \"v\" {\n    inputs { _ \"&f64\"; }\n}\n"), "{text}");
    }

    #[test]
    fn variadic_functions_are_skipped_and_files_split() {
        let mut fs: Vec<FnSpec> = (0..5).map(|i| spec(&format!("f{i}"), &[], None)).collect();
        let mut va = spec("va", &[("i32", false)], Some("i32"));
        va.tail = Some(vec![Scalar::I32]);
        fs.insert(2, va);
        let (files, skipped) = files(&fs, Split::PerFile(2), "suites/abi");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].function, "va");
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["matrix_00.kdl", "matrix_01.kdl", "matrix_02.kdl"]);
        assert_eq!(files.iter().map(|f| f.functions).sum::<usize>(), 5);
        // Balanced: 2, 2, 1.
        assert_eq!(files.iter().map(|f| f.functions).collect::<Vec<_>>(), [2, 2, 1]);
        assert!(files[1].text.contains("fn \"f2\"") && files[1].text.contains("fn \"f3\""));
        assert!(files[0].text.starts_with(
            "// Generated by `harness matrix-export` from suites/abi: file 1 of 3, 2 function(s)."
        ));
        assert!(!files.iter().any(|f| f.text.contains("\"va\"")));
        let only_va = [fs[2].clone()];
        assert_eq!(super::files(&only_va, Split::Files(2), "x").0, []);
    }

    #[test]
    fn the_battery_exports_whole() {
        let all = battery::battery();
        let (files, skipped) = files(&all, Split::PerFile(DEFAULT_PER_FILE), "battery");
        let written: usize = files.iter().map(|f| f.functions).sum();
        assert_eq!(written + skipped.len(), all.len());
        assert!(skipped.iter().all(|s| s.reason.starts_with("variadic")));
        // Every type a file uses is declared in that file.
        for f in &files {
            for name in f.text.split('"').filter(|w| w.starts_with('S') && w.ends_with('E')) {
                assert!(f.text.contains(&format!("struct \"{name}\"")), "{}: {name}", f.name);
            }
        }
    }

    #[test]
    fn splits_are_balanced() {
        let sizes = |n: usize, split: Split| -> Vec<usize> {
            let items: Vec<usize> = (0..n).collect();
            balanced(&items, split.count(n)).iter().map(|c| c.len()).collect()
        };
        assert_eq!(sizes(518, Split::Files(2)), [259, 259]);
        assert_eq!(sizes(518, Split::PerFile(128)), [104, 104, 104, 103, 103]);
        assert_eq!(sizes(3, Split::Files(8)), [1, 1, 1]);
        assert_eq!(sizes(0, Split::Files(4)), [0]);
    }

    #[test]
    fn names_must_be_identifiers() {
        assert!(unsupported(&spec("ok_1", &[], None)).is_none());
        assert!(unsupported(&spec("1bad", &[], None)).is_some());
    }
}
