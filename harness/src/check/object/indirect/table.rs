//! Jump tables: the `adr` + `ldrb|ldrh|ldr|ldrsw` + `add` + `br` sequence a compiler emits
//! for a dense `match`/`switch`. The table holds offsets from the `adr` base (scaled by the
//! `add`'s shift), one per case; decoding it gives the `br` its successors.

use crate::inspect::ObjectView;
use crate::inspect::coff::{Place, arm64_reloc};
use std::collections::{BTreeMap, BTreeSet};

/// A register-offset load of one table entry: `ldrb w11, [x9, x8]` and its kin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryLoad {
    pub dst: u8,
    pub base: u8,
    /// Entry size in bytes: 1, 2 or 4.
    pub size: u8,
    pub signed: bool,
}

/// Decode `word` as an integer load with a register offset into a GPR that can read a
/// table entry (`ldrb`, `ldrh`, `ldr w`, `ldrsb x`, `ldrsh x`, `ldrsw`).
pub fn entry_load(word: u32) -> Option<EntryLoad> {
    if word & 0x3F20_0C00 != 0x3820_0800 {
        return None;
    }
    let size = 1u8 << (word >> 30);
    let signed = match ((word >> 22) & 3, size) {
        (1, 1 | 2 | 4) => false,
        (2, 1 | 2 | 4) => true,
        _ => return None,
    };
    let reg = |shift: u32| ((word >> shift) & 31) as u8;
    Some(EntryLoad { dst: reg(0), base: reg(5), size, signed })
}

/// `add xD, xN, xM, lsl #s` (shifted register) or `add xD, xN, wM, uxtw|sxtw|uxtx #s`
/// (extended register): the registers and the shift applied to `xM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaledAdd {
    pub dst: u8,
    pub n: u8,
    pub m: u8,
    pub shift: u8,
}

pub fn scaled_add(word: u32) -> Option<ScaledAdd> {
    let reg = |shift: u32| ((word >> shift) & 31) as u8;
    let shift = if word & 0xFFE0_0000 == 0x8B00_0000 {
        // Shifted register, LSL only.
        ((word >> 10) & 0x3f) as u8
    } else if word & 0xFFE0_0000 == 0x8B20_0000 {
        // Extended register: the index is the whole entry already, any extension.
        let amount = ((word >> 10) & 7) as u8;
        if amount > 4 {
            return None;
        }
        amount
    } else {
        return None;
    };
    Some(ScaledAdd { dst: reg(0), n: reg(5), m: reg(16), shift })
}

/// Where a table is: its section and offset there.
pub type Loc = (u32, i64);

/// A table the data flow found a `br` computed from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shape {
    pub table: Loc,
    pub size: u8,
    pub signed: bool,
    /// The `adr` base, an offset in the branching function's section.
    pub base: i64,
    pub shift: u8,
}

/// The tables of one function, each decoded once.
pub struct Tables<'a> {
    view: &'a ObjectView<'a>,
    insns: BTreeSet<u32>,
    range: (u32, u32),
    pub decoded: BTreeMap<Shape, Result<Decoded, String>>,
}

impl<'a> Tables<'a> {
    /// For the function spanning `range` of its section, with instructions at `insns`.
    pub fn new(view: &'a ObjectView<'a>, insns: BTreeSet<u32>, range: (u32, u32)) -> Self {
        Tables { view, insns, range, decoded: BTreeMap::new() }
    }

    pub fn get(&mut self, shape: &Shape) -> &Result<Decoded, String> {
        if !self.decoded.contains_key(shape) {
            let r = decode(self.view, shape, &self.insns, self.range);
            self.decoded.insert(shape.clone(), r);
        }
        &self.decoded[shape]
    }
}

/// The targets of a table, or why it cannot be decoded. Every entry from the table's start
/// to the next place anything else in the object refers to (or the section's end) must
/// land on an instruction of `[start, end)` of the function's section.
pub fn decode(
    view: &ObjectView,
    shape: &Shape,
    insns: &BTreeSet<u32>,
    range: (u32, u32),
) -> Result<Decoded, String> {
    let (sec_index, off) = shape.table;
    let sec = view.coff.section(sec_index).ok_or("the table's section does not exist")?;
    let data = view.coff.section_data(view.bytes, sec);
    let start = usize::try_from(off).ok().filter(|s| *s < data.len()).ok_or_else(|| {
        format!("the table at {}+{off:#x} lies outside its section's data", sec.name)
    })?;
    let end = boundary(view, sec_index, off).min(data.len());
    let size = usize::from(shape.size);
    if end < start + size {
        return Err(format!("the table at {}+{off:#x} holds no whole entry", sec.name));
    }
    if let Some(r) = sec.relocations.iter().find(|r| (start..end).contains(&(r.offset as usize))) {
        return Err(format!(
            "the table at {}+{off:#x} has a relocation at {:#x}: its entries are not offsets",
            sec.name, r.offset
        ));
    }
    let mut targets = Vec::new();
    for at in (start..end - size + 1).step_by(size) {
        let raw = &data[at..at + size];
        let v: i64 = match (size, shape.signed) {
            (1, false) => i64::from(raw[0]),
            (1, true) => i64::from(raw[0] as i8),
            (2, false) => i64::from(u16::from_le_bytes([raw[0], raw[1]])),
            (2, true) => i64::from(i16::from_le_bytes([raw[0], raw[1]])),
            (_, false) => i64::from(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]])),
            (_, true) => i64::from(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]])),
        };
        let t = shape.base + (v << shape.shift);
        let ok =
            u32::try_from(t).ok().filter(|t| (range.0..range.1).contains(t) && insns.contains(t));
        match ok {
            Some(t) => targets.push(t),
            None => {
                return Err(format!(
                    "entry {} of the table at {}+{off:#x} leads to {t:#x}, not an instruction of the function",
                    (at - start) / size,
                    sec.name
                ));
            }
        }
    }
    targets.sort_unstable();
    targets.dedup();
    Ok(Decoded { targets })
}

/// A decoded table: its targets, ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub targets: Vec<u32>,
}

/// The first offset after `off` of section `sec` that a symbol or a code relocation names
/// (where the next table or datum starts), or `usize::MAX`. MSVC's local `$LN<n>` labels
/// do not count: it puts one on each entry of its tables.
fn boundary(view: &ObjectView, sec: u32, off: i64) -> usize {
    let coff = &view.coff;
    let symbols = coff
        .symbols
        .iter()
        .filter(|s| s.place == Place::Section(sec) && !s.name.starts_with("$LN"))
        .map(|s| i64::from(s.value));
    let mut referenced = Vec::new();
    for code in coff.sections.iter().filter(|s| s.is_code()) {
        let data = coff.section_data(view.bytes, code);
        for r in code.relocations.iter().filter(|r| r.kind == arm64_reloc::PAGEOFFSET_12A) {
            let Some(s) = coff.symbol(r.symbol).filter(|s| s.place == Place::Section(sec)) else {
                continue;
            };
            let Some(w) = data.get(r.offset as usize..r.offset as usize + 4) else { continue };
            let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            referenced.push(i64::from(s.value) + i64::from((word >> 10) & 0xfff));
        }
    }
    symbols
        .chain(referenced)
        .filter(|o| *o > off)
        .min()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_loads_and_scaled_adds() {
        // ldrb w11, [x9, x8]
        let l = entry_load(0x3868_692b).unwrap();
        assert_eq!(l, EntryLoad { dst: 11, base: 9, size: 1, signed: false });
        // ldrh w11, [x9, x8, lsl #1]
        assert_eq!(entry_load(0x7868_792b).map(|l| (l.size, l.signed)), Some((2, false)));
        // ldrsw x11, [x9, x8, lsl #2]
        assert_eq!(entry_load(0xb8a8_792b).map(|l| (l.size, l.signed)), Some((4, true)));
        // str w11, [x9, x8]: a store, and ldr x11, [x9, x8]: an 8-byte load, are no entries.
        assert_eq!(entry_load(0xb828_692b), None);
        assert_eq!(entry_load(0xf868_692b), None);
        // add x10, x10, x11, lsl #2
        let a = scaled_add(0x8b0b_094a).unwrap();
        assert_eq!(a, ScaledAdd { dst: 10, n: 10, m: 11, shift: 2 });
        // add x10, x10, w11, sxtw #2
        assert_eq!(scaled_add(0x8b2b_c94a).map(|a| a.shift), Some(2));
        // add x10, x10, x11, lsr #2 is no table offset.
        assert_eq!(scaled_add(0x8b4b_094a), None);
    }
}
