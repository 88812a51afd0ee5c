//! `image.pdata`: the ARM64 `.pdata` of the image's ARM64 / ARM64EC code (the exception
//! directory of an ARM64 header, the CHPE `ExtraRFETable` of an EC image) is sorted and
//! disjoint, every entry's unwind data decodes and stays inside ARM64 code, and every
//! function that moves sp, saves registers or calls — thunks included — is covered.
//! Functions are the link map's symbols when there is one; otherwise the image's own
//! pointers to code: entry-thunk offset words, branch targets, redirection destinations.

use super::{Options, Verdict, describe, kind_at};
use crate::inspect::disasm::{self, Op, Reg};
use crate::inspect::image::{CodeKind, ImageView};
use crate::inspect::unwind::{self, UnwindKind};
use std::collections::BTreeSet;

fn is_arm64(k: Option<CodeKind>) -> bool {
    matches!(k, Some(CodeKind::Arm64 | CodeKind::Arm64Ec))
}

pub fn rules(v: &ImageView, opts: &Options, out: &mut Verdict) {
    let map = opts.map.as_ref();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    out.count("image.pdata", v.pdata_arm64.len());
    for (i, e) in v.pdata_arm64.iter().enumerate() {
        let len = match e.unwind() {
            Ok(UnwindKind::Packed(p)) => p.function_length,
            Ok(UnwindKind::Xdata { offset }) => match v.read_rva(offset, 8).and_then(|_| {
                let sec = v.section_of(offset)?;
                let end = sec.rva.saturating_add(sec.raw_size.min(sec.extent()));
                v.read_rva(offset, end.saturating_sub(offset))
            }) {
                Some(bytes) => match unwind::decode_xdata(bytes) {
                    Ok(x) => x.function_length,
                    Err(err) => {
                        out.flag(
                            v,
                            "image.pdata",
                            Some(e.begin),
                            format!(
                                ".xdata at {offset:#x} for {}: {err}",
                                describe(v, map, e.begin)
                            ),
                        );
                        continue;
                    }
                },
                None => {
                    out.flag(
                        v,
                        "image.pdata",
                        Some(e.begin),
                        format!(".pdata entry {i} names .xdata at {offset:#x}, outside the image"),
                    );
                    continue;
                }
            },
            Err(err) => {
                out.flag(v, "image.pdata", Some(e.begin), format!(".pdata entry {i}: {err}"));
                continue;
            }
        };
        let end = e.begin.saturating_add(len);
        if !is_arm64(kind_at(v, e.begin))
            || !is_arm64(kind_at(v, end.saturating_sub(1).max(e.begin)))
        {
            out.flag(
                v,
                "image.pdata",
                Some(e.begin),
                format!(
                    ".pdata entry {i} covers {:#x}..{end:#x}, which is not all ARM64 code",
                    e.begin
                ),
            );
        }
        if let Some((_, prev_end)) = ranges.last()
            && e.begin < *prev_end
        {
            out.flag(
                v,
                "image.pdata",
                Some(e.begin),
                format!(
                    ".pdata entry {i} at {:#x} is out of order or overlaps the one before",
                    e.begin
                ),
            );
        }
        ranges.push((e.begin, end));
    }
    for (start, end, name) in functions(v, opts) {
        let Some(code) = v.read_rva(start, end.saturating_sub(start)) else { continue };
        let work = disasm::decode(code, start).into_iter().find(|i| {
            let callee_saved = |r: &Reg| matches!(r, Reg::X(19..=30) | Reg::V(8..=15));
            (matches!(i.op, Op::Bl { .. } | Op::Blr { .. })
                || i.defs().iter().any(|r| *r == Reg::Sp || callee_saved(r))
                || matches!(&i.op, Op::Store { srcs, .. } if srcs.iter().any(|r| matches!(r, Reg::X(29) | Reg::X(30)))))
                && !ranges.iter().any(|(b, e)| *b <= i.offset && i.offset < *e)
        });
        if let Some(i) = work {
            out.flag(v, "image.pdata", Some(i.offset), format!(
                "{name} runs `{}` at {:#x} outside every .pdata range: exceptions cannot unwind through it",
                i.text, i.offset
            ));
        }
    }
}

/// ARM64 / ARM64EC functions as `(start, end, name)`.
fn functions(v: &ImageView, opts: &Options) -> Vec<(u32, u32, String)> {
    let mut starts: BTreeSet<u32> = BTreeSet::new();
    let mut names = std::collections::BTreeMap::new();
    if let Some(m) = &opts.map {
        for s in &m.symbols {
            if let Some(r) = s.rva
                && is_arm64(kind_at(v, r))
                && v.section_of(r).is_some_and(|sec| sec.is_code())
            {
                starts.insert(r);
                names.entry(r).or_insert_with(|| format!("`{}`", s.name));
            }
        }
    } else if let Some(chpe) = &v.chpe {
        for r in chpe.code_map.iter().filter(|r| is_arm64(Some(r.kind))) {
            let code = v.read_rva(r.start, r.length).unwrap_or(&[]);
            for i in disasm::decode(code, r.start) {
                if let Op::Bl { delta } = i.op {
                    let t = (i.offset as i64 + delta) as u32;
                    if is_arm64(kind_at(v, t)) {
                        starts.insert(t);
                    }
                }
                if let Some((_, Some(thunk))) = v.entry_thunk_word(i.offset.wrapping_add(4))
                    && i.word & 3 == 1
                    && (i.word < 0x0100_0000 || i.word >= 0xff00_0000)
                    && is_arm64(kind_at(v, thunk))
                {
                    starts.insert(i.offset + 4);
                    starts.insert(thunk);
                }
            }
        }
        for r in &chpe.redirection {
            starts.insert(r.destination_rva);
        }
    }
    let code_end = |s: u32| {
        v.chpe
            .as_ref()
            .and_then(|c| {
                c.code_map.iter().find(|r| r.start <= s && s < r.start.saturating_add(r.length))
            })
            .map(|r| r.start.saturating_add(r.length))
            .unwrap_or(s)
    };
    let list: Vec<u32> = starts.into_iter().collect();
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let end = list.get(i + 1).copied().unwrap_or(u32::MAX).min(code_end(*s));
            (*s, end, names.remove(s).unwrap_or_else(|| format!("the function at {s:#x}")))
        })
        .collect()
}
