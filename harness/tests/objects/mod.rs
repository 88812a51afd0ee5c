//! Real compiler output for the verifier tests, and raw COFF mutations: flip the machine,
//! rename symbols, patch instructions, relocations and hybrid-map records.

#![allow(dead_code)]

use harness::inspect::ObjectView;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/objects").join(name)
}

/// `rich.rs` compiled for arm64ec by the rustc on PATH.
pub fn rust_object(dir: &Path) -> Vec<u8> {
    let out = dir.join("rich.o");
    let st = Command::new("rustc")
        .args(["--crate-type=rlib", "--emit=obj", "-O", "-C", "codegen-units=1"])
        .args(["--target", "arm64ec-pc-windows-msvc", "-o"])
        .arg(&out)
        .arg(fixture("rich.rs"))
        .status()
        .expect("rustc");
    assert!(st.success());
    std::fs::read(out).unwrap()
}

/// `rich.c` compiled with clang-cl /arm64EC (for a trial that requires clang-cl).
pub fn clang_object(dir: &Path) -> Vec<u8> {
    let cl = crate::common::trials::CLANG_CL.path();
    let out = dir.join("rich.obj");
    let st = Command::new(cl)
        .args(["/nologo", "/c", "/O2", "/arm64EC"])
        .arg(format!("/Fo{}", out.display()))
        .arg("--")
        .arg(fixture("rich.c"))
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::read(out).unwrap()
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// File offset of the symbol record with `name` (regular COFF objects).
fn symbol_record(b: &[u8], name: &str) -> usize {
    let table = u32_at(b, 8) as usize;
    let count = u32_at(b, 12) as usize;
    let strings = table + count * 18;
    let mut i = 0;
    while i < count {
        let at = table + i * 18;
        let raw = &b[at..at + 8];
        let n = if raw[..4] == [0, 0, 0, 0] {
            let off = strings + u32_at(b, at + 4) as usize;
            let end = b[off..].iter().position(|c| *c == 0).unwrap() + off;
            &b[off..end]
        } else {
            let end = raw.iter().position(|c| *c == 0).unwrap_or(8);
            &raw[..end]
        };
        if n == name.as_bytes() {
            return at;
        }
        i += 1 + b[at + 17] as usize;
    }
    panic!("no symbol `{name}`");
}

/// Rename symbol `old` to `new` (not longer than `old`) in place.
pub fn rename(b: &mut [u8], old: &str, new: &str) {
    assert!(new.len() <= old.len());
    let at = symbol_record(b, old);
    if b[at..at + 4] == [0, 0, 0, 0] {
        let table = u32_at(b, 8) as usize;
        let off = table + u32_at(b, 12) as usize * 18 + u32_at(b, at + 4) as usize;
        b[off..off + old.len()].fill(0);
        b[off..off + new.len()].copy_from_slice(new.as_bytes());
    } else {
        b[at..at + 8].fill(0);
        b[at..at + new.len()].copy_from_slice(new.as_bytes());
    }
}

/// Set a symbol's value (its offset in its section).
pub fn set_value(b: &mut [u8], name: &str, value: u32) {
    let at = symbol_record(b, name);
    put_u32(b, at + 8, value);
}

/// File offset of section `index` (1-based) header.
fn section_header(b: &[u8], index: u32) -> usize {
    20 + u16_at(b, 16) as usize + (index as usize - 1) * 40
}

/// The file offset of `offset` inside the section holding `function`'s code.
pub fn code_offset(b: &[u8], function: &str, offset: u32) -> usize {
    let v = ObjectView::parse("m.o", b).unwrap();
    let f = v
        .functions
        .iter()
        .find(|f| f.name == function)
        .unwrap_or_else(|| panic!("no function {function}"));
    let (start, _) = v.coff.section(f.section).unwrap().file_range.unwrap();
    (start + f.start + offset) as usize
}

/// The offsets (from the function start) of every word in `function` equal to `word`.
pub fn find_words(b: &[u8], function: &str, word: u32) -> Vec<u32> {
    let v = ObjectView::parse("m.o", b).unwrap();
    let f = v.functions.iter().find(|f| f.name == function).unwrap();
    let (start, _) = v.coff.section(f.section).unwrap().file_range.unwrap();
    (f.start..f.end)
        .step_by(4)
        .filter(|o| u32_at(b, (start + o) as usize) == word)
        .map(|o| o - f.start)
        .collect()
}

pub fn patch_word(b: &mut [u8], function: &str, offset: u32, word: u32) {
    let at = code_offset(b, function, offset);
    put_u32(b, at, word);
}

/// The file offset of the `.hybmp$x` record whose source symbol is `source`.
pub fn hybmp_record(b: &[u8], source: &str) -> usize {
    let v = ObjectView::parse("m.o", b).unwrap();
    let r = v.hybrid.records.iter().find(|r| r.source_name.as_deref() == Some(source)).unwrap();
    let (start, _) = v.coff.section(r.section).unwrap().file_range.unwrap();
    (start + r.offset) as usize
}

pub fn set_hybmp(b: &mut [u8], source: &str, field: usize, value: u32) {
    let at = hybmp_record(b, source);
    put_u32(b, at + 4 * field, value);
}

/// Move the relocation at `offset` of the `.pdata` entry covering `function` elsewhere, so
/// the entry no longer resolves.
pub fn unlink_pdata(b: &mut [u8], function: &str) {
    let v = ObjectView::parse("m.o", b).unwrap();
    let f = v.functions.iter().find(|f| f.name == function).unwrap();
    let e = v
        .pdata
        .iter()
        .find(|e| e.begin.as_ref().is_some_and(|t| t.section == f.section && t.offset == f.start))
        .unwrap_or_else(|| panic!("no .pdata entry for {function}"));
    let h = section_header(b, e.section);
    let relocs = u32_at(b, h + 24) as usize;
    let n = u16_at(b, h + 32) as usize;
    for i in 0..n {
        let r = relocs + i * 10;
        if u32_at(b, r) == e.offset {
            put_u32(b, r, 0x7fff_0000);
        }
    }
}

/// The `.xdata` record of `function`'s `.pdata` entry: its file offset.
pub fn xdata_of(b: &[u8], function: &str) -> usize {
    let v = ObjectView::parse("m.o", b).unwrap();
    let f = v.functions.iter().find(|f| f.name == function).unwrap();
    for e in &v.pdata {
        if e.begin.as_ref().is_some_and(|t| t.section == f.section && t.offset == f.start)
            && let harness::inspect::pdata::Unwind::Xdata { at, .. } = &e.unwind
        {
            let (start, _) = v.coff.section(at.section).unwrap().file_range.unwrap();
            return (start + at.offset) as usize;
        }
    }
    panic!("{function} has no .xdata record");
}

pub fn word_at(b: &[u8], at: usize) -> u32 {
    u32_at(b, at)
}

pub fn set_word(b: &mut [u8], at: usize, v: u32) {
    put_u32(b, at, v);
}
