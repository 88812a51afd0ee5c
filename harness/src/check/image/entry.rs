//! How x64 code reaches Arm64EC code in an image, and how EC code reaches imports.
//!
//! - `image.export`: an export never points into ARM64EC code: x64 callers need an x64
//!   entry point, the export thunk the linker makes (`mov rax,rsp; ...; jmp target`), which
//!   jumps to EC code, has a redirection entry and an x64-code-ranges-to-entry-points entry.
//! - `image.redirection`: every redirection goes from x64 code to ARM64EC code, and the
//!   table ends with its terminator.
//! - `image.entry-thunk`: every EC function an x64 caller can reach (export targets,
//!   redirection destinations; with a link map, every function an object recorded an entry
//!   thunk for) has the offset word in front of it naming its entry thunk, and that thunk
//!   ends by branching through `__os_arm64x_dispatch_ret`.
//! - `image.aux-iat`: one auxiliary IAT slot per import, equal to its copy, holding the
//!   address of the import's EC call thunk, which loads the import's IAT slot.

use super::{Options, Verdict, describe, in_ec_code, kind_at};
use crate::inspect::disasm::{self, Op, Reg};
use crate::inspect::image::{CodeKind, ImageView, MACHINE_AMD64};
use std::collections::BTreeMap;

pub fn rules(v: &ImageView, opts: &Options, out: &mut Verdict) {
    let Some(chpe) = &v.chpe else { return };
    let map = opts.map.as_ref();
    let mut reachable: BTreeMap<u32, String> = BTreeMap::new();
    out.count("image.export", v.exports.len());
    for e in v.exports.iter().filter(|e| e.forwarder.is_none()) {
        let name = e.name.clone().unwrap_or_else(|| format!("#{}", e.ordinal));
        match kind_at(v, e.rva) {
            Some(k) if k == CodeKind::Arm64Ec || (k == CodeKind::Arm64 && v.machine == MACHINE_AMD64) => out.flag(v, "image.export", Some(e.rva), format!(
                "export `{name}` points straight into ARM64 code: an x64 caller would jump into it; it needs an x64 entry point"
            )),
            Some(CodeKind::Amd64) => {
                let Some(target) = v.export_thunk_target(e.rva) else { continue }; // x64 code exported as such
                if !in_ec_code(v, target) {
                    out.flag(v, "image.export", Some(e.rva), format!(
                        "the entry point of export `{name}` jumps to {}, which is not ARM64EC code",
                        describe(v, map, target)
                    ));
                    continue;
                }
                if !chpe.redirection.iter().any(|r| r.source_rva == e.rva && r.destination_rva == target) {
                    out.flag(v, "image.export", Some(e.rva), format!(
                        "export `{name}`: no redirection entry from its x64 entry point {:#x} to {}",
                        e.rva,
                        describe(v, map, target)
                    ));
                }
                if !chpe.code_ranges_to_entry_points.iter().any(|r| r.start_rva <= e.rva && e.rva < r.end_rva) {
                    out.flag(v, "image.export", Some(e.rva), format!(
                        "export `{name}`: its x64 entry point {:#x} is in no x64-code-range-to-entry-point entry",
                        e.rva
                    ));
                }
                reachable.insert(target, format!("the target of export `{name}`"));
            }
            _ => {}
        }
    }
    out.count("image.redirection", chpe.redirection.len());
    if !chpe.redirection.is_empty() && !chpe.redirection_terminator {
        out.flag(
            v,
            "image.redirection",
            Some(chpe.rva),
            "the redirection metadata has no terminating entry".into(),
        );
    }
    for r in &chpe.redirection {
        if kind_at(v, r.source_rva) != Some(CodeKind::Amd64) || !in_ec_code(v, r.destination_rva) {
            out.flag(
                v,
                "image.redirection",
                Some(r.source_rva),
                format!(
                    "redirection {} -> {} must go from x64 code to ARM64EC code",
                    describe(v, map, r.source_rva),
                    describe(v, map, r.destination_rva)
                ),
            );
        } else {
            reachable
                .entry(r.destination_rva)
                .or_insert_with(|| "a redirection destination".into());
        }
    }
    let mut expected_thunks: BTreeMap<u32, (String, Option<u32>)> = BTreeMap::new();
    if let Some(m) = map {
        for (func, thunk) in &opts.entries {
            for f in m.rvas_of(func).filter(|r| in_ec_code(v, *r)) {
                expected_thunks.insert(f, (format!("`{func}`"), m.rva_of(thunk)));
            }
        }
    }
    for (rva, why) in reachable {
        expected_thunks.entry(rva).or_insert((why, None));
    }
    out.count("image.entry-thunk", expected_thunks.len());
    let ret_slot = chpe.field("__os_arm64x_dispatch_ret").unwrap_or(0);
    for (f, (what, want)) in expected_thunks {
        let Some((word, thunk)) = v.entry_thunk_word(f) else { continue };
        let Some(thunk) = thunk else {
            out.flag(v, "image.entry-thunk", Some(f), format!(
                "{what} at {f:#x} has no entry-thunk offset word in front of it (found {word:#010x}): x64 callers cannot enter it"
            ));
            continue;
        };
        if let Some(want) = want
            && want != thunk
        {
            out.flag(
                v,
                "image.entry-thunk",
                Some(f),
                format!(
                    "the offset word of {what} names {}, not its recorded entry thunk {}",
                    describe(v, map, thunk),
                    describe(v, map, want)
                ),
            );
        } else if !in_ec_code(v, thunk) || !ends_in_dispatch_ret(v, thunk, ret_slot) {
            out.flag(v, "image.entry-thunk", Some(f), format!(
                "the offset word of {what} names {}, which is not an entry thunk (ARM64EC code ending in a branch through __os_arm64x_dispatch_ret)",
                describe(v, map, thunk)
            ));
        }
    }
    aux_iat(v, out);
}

/// Follow straight-line code from `rva`: adrp/add/ldr give registers addresses; the result
/// is every (instruction, register, address it was loaded from) and the branch ending it.
fn walk(v: &ImageView, rva: u32, limit: u32) -> (Vec<(Op, Option<u32>)>, Option<u32>) {
    let avail = v
        .section_of(rva)
        .map(|s| s.rva.saturating_add(s.raw_size.min(s.extent())).saturating_sub(rva))
        .unwrap_or(0);
    let code = v.read_rva(rva, limit.min(avail)).unwrap_or(&[]);
    let mut addr: BTreeMap<u8, u32> = BTreeMap::new();
    let mut loaded_from: BTreeMap<u8, u32> = BTreeMap::new();
    let mut out = Vec::new();
    for i in disasm::decode(code, rva) {
        let pc = i.offset;
        let note = match &i.op {
            Op::Adrp { dst: Reg::X(n), page_delta } => {
                addr.insert(*n, ((pc & !0xfff) as i64 + page_delta) as u32);
                None
            }
            Op::AddImm { dst: Reg::X(d), src: Reg::X(s), imm } => {
                let a = addr.get(s).map(|a| (*a as i64 + imm) as u32);
                match a {
                    Some(a) => addr.insert(*d, a),
                    None => addr.remove(d),
                };
                a
            }
            Op::Load { dsts, base: Reg::X(b), offset, .. } if dsts.len() == 1 => {
                let a = addr.get(b).map(|a| (*a as i64 + offset) as u32);
                if let (Reg::X(d), Some(a)) = (dsts[0], a) {
                    loaded_from.insert(d, a);
                    addr.remove(&d);
                }
                a
            }
            Op::Br { reg: Reg::X(n) } | Op::Blr { reg: Reg::X(n) } => loaded_from.get(n).copied(),
            Op::B { delta } => {
                let target = (pc as i64 + delta) as u32;
                out.push((i.op.clone(), Some(target)));
                return (out, Some(target));
            }
            _ => None,
        };
        let end = matches!(i.op, Op::Br { .. } | Op::Ret { .. });
        out.push((i.op.clone(), note));
        if end {
            return (out, note);
        }
    }
    (out, None)
}

/// Whether an entry thunk at `rva` ends with `br` through the slot at `slot`.
fn ends_in_dispatch_ret(v: &ImageView, rva: u32, slot: u32) -> bool {
    let (ops, end) = walk(v, rva, 0x400);
    matches!(ops.last(), Some((Op::Br { .. }, _))) && end == Some(slot)
}

fn aux_iat(v: &ImageView, out: &mut Verdict) {
    let imports = v.imports.len() + v.delay_imports.len();
    out.count("image.aux-iat", imports);
    if v.aux_iat.len() != imports {
        out.flag(
            v,
            "image.aux-iat",
            None,
            format!(
                "{} auxiliary IAT slots for {imports} imports: each import needs one",
                v.aux_iat.len()
            ),
        );
    }
    for s in &v.aux_iat {
        let (Some(value), Some(copy)) = (s.aux_value, s.copy_value) else {
            out.flag(
                v,
                "image.aux-iat",
                Some(s.aux_rva),
                format!("the auxiliary IAT slot of `{}` is not in the image", s.import),
            );
            continue;
        };
        if value != copy {
            out.flag(
                v,
                "image.aux-iat",
                Some(s.aux_rva),
                format!(
                    "the auxiliary IAT slot of `{}` ({value:#x}) differs from its copy ({copy:#x})",
                    s.import
                ),
            );
        }
        let Some(thunk) = v.va_to_rva(value).filter(|r| in_ec_code(v, *r)) else {
            out.flag(v, "image.aux-iat", Some(s.aux_rva), format!(
                "the auxiliary IAT slot of `{}` holds {value:#x}, which is not ARM64EC code (its EC call thunk)",
                s.import
            ));
            continue;
        };
        let (ops, _) = walk(v, thunk, 0x40);
        let loads_slot =
            ops.iter().any(|(op, a)| matches!(op, Op::Load { .. }) && *a == Some(s.iat_rva));
        if !loads_slot {
            out.flag(v, "image.aux-iat", Some(thunk), format!(
                "the EC call thunk of `{}` at {thunk:#x} does not load the import's IAT slot {:#x}",
                s.import, s.iat_rva
            ));
        }
    }
}
