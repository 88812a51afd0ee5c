//! Decoded code of an object's functions, for the rules that read instructions: literal
//! pools are left out (data, not code), and each instruction carries the relocation that
//! applies to it, if any.

use crate::inspect::ObjectView;
use crate::inspect::coff::Section;
use crate::inspect::disasm::{self, Insn, Op};
use crate::inspect::roles::Function;
use std::collections::{BTreeMap, BTreeSet};

/// An instruction and the symbol its relocation names.
pub struct Line<'a> {
    pub insn: Insn,
    /// `(relocation type, symbol name)` applied at this instruction.
    pub reloc: Option<(u16, &'a str)>,
}

/// The instructions of `[start, end)` of a code section, literal-pool words excluded.
pub fn decode_range<'a>(
    view: &'a ObjectView,
    sec: &'a Section,
    start: u32,
    end: u32,
) -> Vec<Line<'a>> {
    let data = view.coff.section_data(view.bytes, sec);
    let Some(code) = data.get(start as usize..(end as usize).min(data.len())) else {
        return Vec::new();
    };
    let insns = disasm::decode(code, start);
    let mut pool = BTreeSet::new();
    for i in &insns {
        if let Op::LoadLiteral { delta, size, .. } = i.op {
            let target = i64::from(i.offset) + delta;
            let words = (u32::from(size).max(4)).div_ceil(4) as i64;
            for w in 0..words {
                pool.insert(target + 4 * w);
            }
        }
    }
    let relocs: BTreeMap<u32, (u16, &str)> = sec
        .relocations
        .iter()
        .filter_map(|r| Some((r.offset, (r.kind, view.coff.symbol_name(r.symbol)?))))
        .collect();
    insns
        .into_iter()
        .filter(|i| !pool.contains(&i64::from(i.offset)))
        .map(|insn| Line { reloc: relocs.get(&insn.offset).copied(), insn })
        .collect()
}

/// The decoded code of one function.
pub fn function<'a>(view: &'a ObjectView, f: &Function) -> Vec<Line<'a>> {
    match view.coff.section(f.section) {
        Some(sec) => decode_range(view, sec, f.start, f.end),
        None => Vec::new(),
    }
}
