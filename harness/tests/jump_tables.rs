//! `ec.indirect-call` over a jump table: real rustc output of a `match` that lowers to one
//! (`tests/objects/jump_table.rs`), committed as `tests/objects/jump_table.o`, made by
//!
//! ```text
//! cd harness/tests/objects && rustc +stable --crate-type=rlib --emit=obj -C opt-level=2 \
//!     -C codegen-units=1 --target arm64ec-pc-windows-msvc -o jump_table.o jump_table.rs
//! ```
//!
//! `#dispatch` compares the case with 15, then `adrp`/`add` the table in `.rdata`, `adr` the
//! base, `ldrb` an entry, `add` it shifted by 2 and `br`. Each case block ends with a `b` to
//! the common exit, so the table is the only way into it. The mutations below patch whole
//! instruction words of the object (offsets from the start of `#dispatch`).

mod common;
mod objects;

use harness::check::Finding;
use harness::check::coverage::Coverage;
use harness::check::object::indirect::{self, JumpTable};
use harness::check::object::{self, Options};
use harness::inspect::ObjectView;
use objects::*;

const F: &str = "#dispatch";
const NOP: u32 = 0xd503_201f;
/// `blr x8`: the call of the checker in each case block with a call.
const BLR_X8: u32 = 0xd63f_0100;
/// Where the dispatch sequence is: `ldrb w11, [x9, x8]`, `add x10, x10, x11, lsl #2`, `br x10`.
const LDRB_AT: u32 = 0x24;
const ADD_AT: u32 = 0x28;
const BR_AT: u32 = 0x2c;
/// A case block (`4 => f(x + 1) * 7`): `mov x11, x2` then `blr x8` (checker), `blr x11`.
const CASE: u32 = 0x54;
const CASE_MOV_X11: u32 = 0x64;
const CASE_BLR_X8: u32 = 0x68;
const CASE_BLR_X11: u32 = 0x70;

fn clean() -> Vec<u8> {
    std::fs::read(fixture("jump_table.o")).expect("the committed jump_table.o")
}

fn verify(b: &[u8]) -> (Vec<Finding>, Coverage) {
    let view = ObjectView::parse("jump_table.o", b).expect("the object parses");
    let v = object::verify(&view, &Options::default());
    (v.findings.into_iter().filter(|f| f.rule == "ec.indirect-call").collect(), v.coverage)
}

fn tables(b: &[u8]) -> Vec<JumpTable> {
    indirect::jump_tables(&ObjectView::parse("jump_table.o", b).unwrap())
}

/// The call-site names `ec.indirect-call` did not judge, with the reasons.
fn not_judged(cov: &Coverage) -> Vec<(String, String)> {
    cov.0
        .get("ec.indirect-call")
        .map(|c| c.not_judged.iter().map(|n| (n.name.clone(), n.reason.clone())).collect())
        .unwrap_or_default()
}

fn flagged_at(found: &[Finding], offset: u32) -> bool {
    found.iter().any(|f| f.symbol.as_deref() == Some(F) && f.offset == Some(offset.into()))
}

fn the_fixture_is_the_shape_the_tests_patch() {
    let b = clean();
    assert_eq!(find_words(&b, F, BLR_X8).first(), Some(&CASE_BLR_X8));
    assert_eq!(word_at(&b, code_offset(&b, F, LDRB_AT)), 0x3868_692b, "ldrb w11, [x9, x8]");
    assert_eq!(word_at(&b, code_offset(&b, F, ADD_AT)), 0x8b0b_094a, "add x10, x10, x11, lsl #2");
    assert_eq!(word_at(&b, code_offset(&b, F, BR_AT)), 0xd61f_0140, "br x10");
    assert_eq!(word_at(&b, code_offset(&b, F, CASE_MOV_X11)), 0xaa02_03eb, "mov x11, x2");
    assert_eq!(word_at(&b, code_offset(&b, F, CASE - 4)) >> 26, 0b000101, "b before the case");
}

fn the_real_object_verifies_clean_with_every_site_judged() {
    let (found, cov) = verify(&clean());
    assert_eq!(found, vec![]);
    assert_eq!(not_judged(&cov), vec![]);
    assert_eq!(cov.of("ec.indirect-call"), (18, 0));
}

fn the_table_gives_the_br_its_targets() {
    let t = tables(&clean());
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!((t[0].function.as_str(), t[0].branch, t[0].entry_size), (F, BR_AT, 1));
    let targets = t[0].targets.clone().expect("the table decodes");
    assert_eq!(targets.len(), 16, "16 cases, each its own block: {targets:x?}");
    assert!(targets.contains(&0x30) && targets.contains(&CASE), "{targets:x?}");
}

/// The checker call removed in a block only the table reaches: `blr x11` then branches to
/// the raw pointer in x2.
fn an_unchecked_call_in_a_block_only_the_table_reaches_is_flagged() {
    let mut b = clean();
    patch_word(&mut b, F, CASE_BLR_X8, NOP);
    let (found, cov) = verify(&b);
    assert!(flagged_at(&found, CASE_BLR_X11), "{found:?}");
    assert_eq!(not_judged(&cov), vec![]);
}

/// What is known before the `br` is known in the case blocks: a local code address made
/// before the dispatch and called in a case block is allowed (it is unknown, and flagged,
/// when the case block is entered with nothing known).
fn the_state_before_the_br_flows_into_the_case_blocks() {
    let mut b = clean();
    // `mov w8, w0` at 0x14 becomes `adr x12, .+0x1ac` (0x1c0, the common exit).
    patch_word(&mut b, F, 0x14, 0x1000_0d6c);
    patch_word(&mut b, F, CASE_MOV_X11, 0xaa0c_03eb); // mov x11, x12
    patch_word(&mut b, F, CASE_BLR_X8, NOP);
    let (found, cov) = verify(&b);
    assert_eq!(found, vec![]);
    assert_eq!(not_judged(&cov), vec![]);
}

/// A table entry that leads out of the function: the `br` is not judged, and the case
/// blocks are still analysed (entered with nothing known).
fn an_undecodable_table_leaves_its_br_not_judged_and_its_blocks_analysed() {
    let mut b = clean();
    let (sec, off) = tables(&b)[0].table;
    let v = ObjectView::parse("m.o", &b).unwrap();
    let (start, _) = v.coff.section(sec).unwrap().file_range.unwrap();
    b[start as usize + off as usize + 1] = 0xff; // 0x30 + 0x3fc: past the function's end
    patch_word(&mut b, F, CASE_BLR_X8, NOP);
    let t = tables(&b);
    let why = t[0].targets.clone().expect_err("the table no longer decodes");
    assert!(why.contains("entry 1") && why.contains("0x42c"), "{why}");
    let (found, cov) = verify(&b);
    assert!(flagged_at(&found, CASE_BLR_X11), "{found:?}");
    let nj = not_judged(&cov);
    assert_eq!(nj.len(), 1, "{nj:?}");
    assert_eq!(nj[0].0, format!("{F}+{BR_AT:#x}"));
    assert!(nj[0].1.contains("jump table is not decoded"), "{}", nj[0].1);
}

/// Eight bytes loaded through the `adr` base, or the base plus a register that is no table
/// entry, are unknown targets.
fn values_from_local_data_are_not_safe_targets() {
    let loaded: &[(u32, u32)] = &[(LDRB_AT, 0xf940_014a), (ADD_AT, NOP)]; // ldr x10, [x10]
    let added: &[(u32, u32)] = &[(ADD_AT, 0x8b01_014a)]; // add x10, x10, x1
    let widened: &[(u32, u32)] = &[(LDRB_AT, 0xf868_692b)]; // ldr x11, [x9, x8]
    for (what, patches) in [("loaded", loaded), ("added", added), ("widened", widened)] {
        let mut b = clean();
        for (at, w) in patches {
            patch_word(&mut b, F, *at, *w);
        }
        let (found, _) = verify(&b);
        assert!(flagged_at(&found, BR_AT), "{what}: {found:?}");
    }
}

/// A `br` to an `adr` address (the table's load and add patched out) is allowed inside its
/// function and flagged outside it.
fn an_adr_address_is_allowed_only_inside_its_function() {
    for (adr, outside) in [(0x1000_008a, false), (0x1000_200a, true)] {
        // adr x10, .+0x10 (the table's base) or .+0x400 (past the function's end)
        let mut b = clean();
        for (at, w) in [(0x20, adr), (LDRB_AT, NOP), (ADD_AT, NOP)] {
            patch_word(&mut b, F, at, w);
        }
        let (found, cov) = verify(&b);
        assert_eq!(flagged_at(&found, BR_AT), outside, "{adr:#x}: {found:?}");
        assert!(!outside || found[0].message.contains("outside its function"), "{found:?}");
        assert_eq!(not_judged(&cov), vec![]);
    }
}

/// A data flow that runs out of steps judges nothing of its function: each register branch
/// is listed as not judged, and the unchecked call is neither flagged nor counted clean.
fn a_budget_overrun_is_not_judged() {
    let mut b = clean();
    patch_word(&mut b, F, CASE_BLR_X8, NOP);
    let view = ObjectView::parse("jump_table.o", &b).unwrap();
    let mut cov = Coverage::default();
    let found = indirect::rules_with_budget(&view, &mut cov, 1);
    assert_eq!(found, vec![], "nothing judged, nothing flagged");
    let nj = not_judged(&cov);
    let dispatch: Vec<_> = nj.iter().filter(|(n, _)| n.starts_with(F)).collect();
    assert_eq!(dispatch.len(), 14, "the br and 13 blr left: {nj:?}");
    assert!(dispatch.iter().all(|(_, why)| why.contains("work budget")), "{nj:?}");
    assert!(dispatch.iter().any(|(n, _)| *n == format!("{F}+{CASE_BLR_X11:#x}")));
    let mut full = Coverage::default();
    assert_eq!(indirect::rules_with_budget(&view, &mut full, indirect::BUDGET_PER_INSN).len(), 1);
}

/// The decoded targets are the ones `llvm-objdump` shows: the `adr` base of the listing
/// plus each byte of its `.rdata` dump times four, each an instruction of the listing.
fn decoded_tables_match_llvm_objdump() {
    let objdump = common::trials::OBJDUMP.path();
    let path = fixture("jump_table.o");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&objdump).args(args).arg(&path).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let listing = run(&["-d", "--no-show-raw-insn", "--section=.text"]);
    let insns: Vec<(u32, String)> = listing
        .lines()
        .filter_map(|l| {
            let (at, rest) = l.trim().split_once(':')?;
            Some((u32::from_str_radix(at, 16).ok()?, rest.trim().to_string()))
        })
        .collect();
    let base = insns
        .iter()
        .find_map(|(_, t)| t.strip_prefix("adr\tx10, 0x"))
        .and_then(|t| u32::from_str_radix(t.split_whitespace().next()?, 16).ok())
        .expect("the adr of the base in the listing");
    assert!(insns.iter().any(|(_, t)| t.starts_with("ldrb\tw11, [x9, x8]")), "{listing}");
    assert!(insns.iter().any(|(_, t)| t == "add\tx10, x10, x11, lsl #2"), "{listing}");
    let dump = run(&["-s", "--section=.rdata"]);
    let bytes: Vec<u32> = dump
        .lines()
        .filter(|l| l.starts_with(' '))
        .flat_map(|l| l.split_whitespace().skip(1).take(4).collect::<Vec<_>>())
        .flat_map(|w| (0..w.len() / 2).map(move |i| u32::from_str_radix(&w[2 * i..2 * i + 2], 16)))
        .collect::<Result<_, _>>()
        .expect("hex bytes in the .rdata dump");
    assert_eq!(bytes.len(), 16, "{dump}");
    let mut want: Vec<u32> = bytes.iter().map(|v| base + 4 * v).collect();
    want.sort_unstable();
    want.dedup();
    assert!(want.iter().all(|t| insns.iter().any(|(a, _)| a == t)), "{want:x?}");
    let ours = tables(&clean())[0].targets.clone().unwrap();
    assert_eq!(ours, want);
}

/// One `br` of `llvm-objdump`'s listing that a backward slice over the listing's text
/// shows to be a jump-table dispatch: `add xD, xA, xB, lsl #s` with `xA` from `adr` and
/// `wB` from `ldrb|ldrh|ldr|ldrsw`. Keyed by object, the section's place among the
/// object's disassembled sections, and the `br`'s offset there; the value is the `adr` base.
type Key = (String, usize, u32);
type Insn = (u32, String, Vec<String>);

/// Every listed section by object (its name and instruction offsets), and every dispatch.
struct Listing {
    sections: std::collections::BTreeMap<String, Vec<(String, Vec<u32>)>>,
    dispatches: Vec<(Key, u32)>,
}

fn read_listing(text: &str, into: &mut Listing) {
    let mut object = String::new();
    let mut body: Vec<Insn> = Vec::new();
    let flush = |object: &str, body: &mut Vec<Insn>, into: &mut Listing| {
        let Some(sections) = into.sections.get_mut(object) else { return };
        let Some(last) = sections.last_mut() else { return };
        last.1 = body.iter().map(|(a, ..)| *a).collect();
        let n = sections.len() - 1;
        for (i, (at, m, ops)) in body.iter().enumerate() {
            if m == "br"
                && let Some(base) = slice(&body[..i], &ops[0])
            {
                into.dispatches.push(((object.to_string(), n, *at), base));
            }
        }
        body.clear();
    };
    for line in text.lines() {
        if let Some((o, _)) = line.split_once(":\tfile format") {
            flush(&object, &mut body, into);
            object = o.to_string();
            into.sections.entry(object.clone()).or_default();
        } else if let Some(name) =
            line.strip_prefix("Disassembly of section ").and_then(|l| l.strip_suffix(':'))
        {
            flush(&object, &mut body, into);
            into.sections.entry(object.clone()).or_default().push((name.to_string(), vec![]));
        } else if let Some((at, rest)) = line.trim_start().split_once(':')
            && line.starts_with(' ')
            && let Ok(at) = u32::from_str_radix(at, 16)
        {
            let mut parts = rest.trim().splitn(2, char::is_whitespace);
            let m = parts.next().unwrap_or("").to_string();
            let ops =
                parts.next().unwrap_or("").split(", ").map(|s| s.trim().to_string()).collect();
            body.push((at, m, ops));
        }
    }
    flush(&object, &mut body, into);
}

/// The `adr` base of the jump-table sequence ending in `br reg`, if `before` ends in one.
fn slice(before: &[Insn], reg: &str) -> Option<u32> {
    let def = |upto: usize, r: &str| {
        let w = format!("w{}", r.get(1..)?);
        before[..upto]
            .iter()
            .rposition(|(_, _, ops)| ops.first().is_some_and(|d| *d == r || *d == w))
    };
    let i = def(before.len(), reg)?;
    let (_, m, ops) = &before[i];
    if m != "add" || ops.len() != 4 || !ops[3].starts_with("lsl #") {
        return None;
    }
    let (_, am, aops) = &before[def(i, &ops[1])?];
    let (_, lm, _) = &before[def(i, &ops[2])?];
    if am != "adr" || !["ldrb", "ldrh", "ldr", "ldrsb", "ldrsh", "ldrsw"].contains(&lm.as_str()) {
        return None;
    }
    let hex = aops.get(1)?.strip_prefix("0x")?.split_whitespace().next()?;
    u32::from_str_radix(hex, 16).ok()
}

/// Over the stable sysroot, the decoder finds the very `br`s a slice of `llvm-objdump`'s
/// listing shows to be table dispatches, every table decodes, each target is an
/// instruction of the listing, and the entries count from the listing's `adr` base (LLVM
/// puts its tables in `.rdata` and counts from the lowest case block, MSVC puts them after
/// the function's code and counts from the table, with signed entries).
fn sysroot_jump_tables_match_llvm_objdump() {
    let objdump = common::trials::OBJDUMP.path();
    let out = std::process::Command::new("rustc").args(["--print", "sysroot"]).output().unwrap();
    let root = String::from_utf8(out.stdout).unwrap();
    let dir = std::path::Path::new(root.trim()).join("lib/rustlib/arm64ec-pc-windows-msvc/lib");
    let mut libs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the arm64ec target is installed)", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rlib"))
        .collect();
    libs.sort();
    let mut listing = Listing { sections: Default::default(), dispatches: vec![] };
    let mut ours = Vec::new();
    let mut in_code = 0;
    for lib in &libs {
        let out = std::process::Command::new(&objdump)
            .args(["-d", "--no-show-raw-insn"])
            .arg(lib)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            lib.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        read_listing(&String::from_utf8_lossy(&out.stdout), &mut listing);
        let bytes = harness::inspect::read_file(lib).unwrap();
        let (views, _) = harness::inspect::object_views(lib, &bytes).unwrap();
        for v in views {
            let v = v.unwrap();
            let code: Vec<_> =
                v.coff.sections.iter().filter(|s| s.is_code() && s.size > 0).collect();
            let listed = &listing.sections[&v.name];
            let names: Vec<_> = listed.iter().map(|(n, _)| n.as_str()).collect();
            let ours_names: Vec<_> = code.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ours_names, "{}: the listing's code sections", v.name);
            for t in indirect::jump_tables(&v) {
                let f = v.functions.iter().find(|f| f.name == t.function).unwrap();
                let n = code.iter().position(|s| s.index == f.section).unwrap();
                let key = (v.name.clone(), n, f.start + t.branch);
                let targets = t.targets.unwrap_or_else(|e| panic!("{key:?}: {e}"));
                let targets: Vec<u32> = targets.iter().map(|t| f.start + t).collect();
                assert!(targets.iter().all(|t| listed[n].1.contains(t)), "{key:?}: {targets:x?}");
                assert!(t.entry_size < 4, "{key:?}: a 4-byte table, not seen before");
                if t.table.0 == f.section {
                    // MSVC's form: the table follows the code, one `$LN` label per entry.
                    assert!(targets.len() > 1, "{key:?}: {targets:x?}");
                    in_code += 1;
                }
                ours.push((key, u32::try_from(i64::from(f.start) + t.base).unwrap()));
            }
        }
    }
    let mut theirs = listing.dispatches;
    theirs.sort();
    ours.sort();
    eprintln!("{} jump tables ({in_code} after their code) in {} archives", ours.len(), libs.len());
    assert!(in_code >= 1, "no MSVC-form table (in its function's section) in the sysroot");
    assert!(ours.len() >= 10, "only {} jump tables in the sysroot", ours.len());
    let only = |a: &[(Key, u32)], b: &[(Key, u32)]| -> Vec<(Key, u32)> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    };
    assert_eq!(only(&ours, &theirs), vec![], "found only by the decoder");
    assert_eq!(only(&theirs, &ours), vec![], "found only in the listing");
}

crate::self_tests! {
    the_fixture_is_the_shape_the_tests_patch,
    the_real_object_verifies_clean_with_every_site_judged,
    the_table_gives_the_br_its_targets,
    an_unchecked_call_in_a_block_only_the_table_reaches_is_flagged,
    the_state_before_the_br_flows_into_the_case_blocks,
    an_undecodable_table_leaves_its_br_not_judged_and_its_blocks_analysed,
    values_from_local_data_are_not_safe_targets,
    an_adr_address_is_allowed_only_inside_its_function,
    a_budget_overrun_is_not_judged,
    decoded_tables_match_llvm_objdump [OBJDUMP],
    sysroot_jump_tables_match_llvm_objdump [OBJDUMP],
}
