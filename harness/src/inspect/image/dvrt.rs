//! The dynamic value relocation table (DVRT) that a load config names, and the ARM64X
//! records in it: the patches that turn an Arm64X image's native view into its EC view.
//!
//! Layout (version 1):
//!
//! ```text
//! table header      { u32 Version; u32 Size }            Size = bytes of entries that follow
//! entry (64-bit)    { u64 Symbol; u32 BaseRelocSize }    then BaseRelocSize bytes of blocks
//! block             { u32 PageRVA; u32 BlockSize; u16 records... }
//! ARM64X record     u16: Offset[11:0] | Type[13:12] | Meta[15:14], then a payload
//!   Type 0 ZEROFILL  size 1 << Meta, no payload
//!   Type 1 VALUE     size 1 << Meta, payload of that size (little-endian)
//!   Type 2 DELTA     Meta bit 0: subtract; Meta bit 1: scale 8 (else 4);
//!                    payload u16 = |delta| / scale; added to the 4-byte value
//! ```
//!
//! An all-zero record is block padding. Entries of other symbols are kept raw.

use super::Problem;
use serde::Serialize;
use std::fmt;

/// `IMAGE_DYNAMIC_RELOCATION_ARM64X`: the symbol of the ARM64X entry.
pub const IMAGE_DYNAMIC_RELOCATION_ARM64X: u64 = 6;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dvrt {
    /// Where the table header is.
    pub rva: u32,
    pub version: u32,
    /// The header's Size: bytes of entries after the 8-byte header.
    pub size: u32,
    pub relocations: Vec<DynamicRelocation>,
}

impl Dvrt {
    /// The fixups of every ARM64X entry, in table order.
    pub fn arm64x_fixups(&self) -> impl Iterator<Item = &Arm64xFixup> {
        self.relocations
            .iter()
            .filter(|r| r.symbol == IMAGE_DYNAMIC_RELOCATION_ARM64X)
            .flat_map(|r| &r.fixups)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DynamicRelocation {
    pub symbol: u64,
    pub base_reloc_size: u32,
    /// The decoded fixups of an ARM64X entry (symbol 6).
    pub fixups: Vec<Arm64xFixup>,
    /// The blocks of any other entry, undecoded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub raw: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Arm64xFixup {
    pub rva: u32,
    pub kind: FixupKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FixupKind {
    ZeroFill { size: u8 },
    Value { size: u8, value: u64 },
    Delta { delta: i64 },
}

impl FixupKind {
    /// Bytes of the image the fixup writes.
    pub fn size(&self) -> u32 {
        match *self {
            FixupKind::ZeroFill { size } | FixupKind::Value { size, .. } => u32::from(size),
            FixupKind::Delta { .. } => 4,
        }
    }

    /// Patch `target` (exactly [`FixupKind::size`] bytes of the image).
    pub fn apply(&self, target: &mut [u8]) {
        match *self {
            FixupKind::ZeroFill { .. } => target.fill(0),
            FixupKind::Value { value, .. } => {
                let le = value.to_le_bytes();
                for (t, v) in target.iter_mut().zip(le) {
                    *t = v;
                }
            }
            FixupKind::Delta { delta } => {
                if let Ok(b) = <[u8; 4]>::try_from(&*target) {
                    let v = u32::from_le_bytes(b).wrapping_add(delta as u32);
                    target.copy_from_slice(&v.to_le_bytes());
                }
            }
        }
    }
}

impl fmt::Display for FixupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FixupKind::ZeroFill { size } => write!(f, "zero-fill {size} bytes"),
            FixupKind::Value { size, value } => write!(f, "value {value:#x} ({size} bytes)"),
            FixupKind::Delta { delta } if delta < 0 => {
                write!(f, "delta -{:#x}", delta.unsigned_abs())
            }
            FixupKind::Delta { delta } => write!(f, "delta +{delta:#x}"),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|x| u16::from_le_bytes([x[0], x[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at.checked_add(8)?).and_then(|x| x.try_into().ok()).map(u64::from_le_bytes)
}

/// Decode a table that starts at `data[0]` (at `rva` in the image). `data` may run on past
/// the table; the table's own Size bounds it.
pub fn decode(data: &[u8], rva: u32, problems: &mut Vec<Problem>) -> Option<Dvrt> {
    let at = |off: usize| Some(rva.wrapping_add(off as u32));
    let (Some(version), Some(size)) = (u32_at(data, 0), u32_at(data, 4)) else {
        problems.push(Problem::new("DVRT header runs past the file data", Some(rva)));
        return None;
    };
    let mut dvrt = Dvrt { rva, version, size, relocations: Vec::new() };
    if version != 1 {
        problems.push(Problem::new(
            format!("DVRT version {version} is not decoded (only version 1)"),
            Some(rva),
        ));
        return Some(dvrt);
    }
    let end = 8usize.saturating_add(size as usize);
    let end = if end > data.len() {
        problems.push(Problem::new(
            format!(
                "DVRT Size {size:#x} runs past the file data ({:#x} bytes left)",
                data.len() - 8
            ),
            Some(rva),
        ));
        data.len()
    } else {
        end
    };
    let mut off = 8;
    while off < end {
        let (Some(symbol), Some(base_reloc_size)) = (u64_at(data, off), u32_at(data, off + 8))
        else {
            problems.push(Problem::new("DVRT entry header is cut short", at(off)));
            break;
        };
        let body = off + 12;
        let body_end = body.saturating_add(base_reloc_size as usize);
        let blocks = if body_end > end {
            problems.push(Problem::new(
                format!("DVRT entry for symbol {symbol} (BaseRelocSize {base_reloc_size:#x}) runs past the table"),
                at(off),
            ));
            &data[body.min(end)..end]
        } else {
            &data[body..body_end]
        };
        let mut entry =
            DynamicRelocation { symbol, base_reloc_size, fixups: Vec::new(), raw: Vec::new() };
        if symbol == IMAGE_DYNAMIC_RELOCATION_ARM64X {
            entry.fixups = arm64x_blocks(blocks, rva.wrapping_add(body as u32), problems);
        } else {
            entry.raw = blocks.to_vec();
        }
        dvrt.relocations.push(entry);
        off = body_end;
    }
    Some(dvrt)
}

/// The fixups of the blocks of an ARM64X entry (`data` at `rva` in the image).
pub fn arm64x_blocks(data: &[u8], rva: u32, problems: &mut Vec<Problem>) -> Vec<Arm64xFixup> {
    let at = |off: usize| Some(rva.wrapping_add(off as u32));
    let mut out = Vec::new();
    let mut off = 0;
    while off < data.len() {
        let (Some(page), Some(block_size)) = (u32_at(data, off), u32_at(data, off + 4)) else {
            problems.push(Problem::new("ARM64X block header is cut short", at(off)));
            break;
        };
        let block_end = off.saturating_add(block_size as usize);
        if block_size < 8 || block_end > data.len() {
            problems.push(Problem::new(
                format!("ARM64X block for page {page:#x} has a bad size {block_size:#x}"),
                at(off),
            ));
            break;
        }
        let mut r = off + 8;
        while r + 2 <= block_end {
            let Some(h) = u16_at(data, r) else { break };
            r += 2;
            if h == 0 {
                continue;
            }
            let target = page.wrapping_add(u32::from(h & 0xfff));
            let meta = (h >> 14) as u8;
            let kind = match (h >> 12) & 3 {
                0 => FixupKind::ZeroFill { size: 1 << meta },
                1 => {
                    let size = 1u8 << meta;
                    let Some(payload) = data
                        .get(r..r + usize::from(size))
                        .filter(|_| r + usize::from(size) <= block_end)
                    else {
                        problems.push(Problem::new(
                            format!("ARM64X VALUE record for {target:#x} is cut short"),
                            at(r - 2),
                        ));
                        break;
                    };
                    r += usize::from(size);
                    let mut le = [0u8; 8];
                    le[..payload.len()].copy_from_slice(payload);
                    FixupKind::Value { size, value: u64::from_le_bytes(le) }
                }
                2 => {
                    let Some(v) = u16_at(data, r).filter(|_| r + 2 <= block_end) else {
                        problems.push(Problem::new(
                            format!("ARM64X DELTA record for {target:#x} is cut short"),
                            at(r - 2),
                        ));
                        break;
                    };
                    r += 2;
                    let scale = if meta & 2 != 0 { 8 } else { 4 };
                    let magnitude = i64::from(v) * scale;
                    FixupKind::Delta { delta: if meta & 1 != 0 { -magnitude } else { magnitude } }
                }
                _ => {
                    problems.push(Problem::new(
                        format!("ARM64X record {h:#06x} for {target:#x} has the unknown type 3"),
                        at(r - 2),
                    ));
                    break;
                }
            };
            out.push(Arm64xFixup { rva: target, kind });
        }
        off = block_end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(page: u32, records: &[u8]) -> Vec<u8> {
        let mut v = page.to_le_bytes().to_vec();
        v.extend(((records.len() + 8) as u32).to_le_bytes());
        v.extend(records);
        v
    }

    fn table(blocks: &[u8]) -> Vec<u8> {
        let mut v = 1u32.to_le_bytes().to_vec();
        v.extend(((blocks.len() + 12) as u32).to_le_bytes());
        v.extend(6u64.to_le_bytes());
        v.extend((blocks.len() as u32).to_le_bytes());
        v.extend(blocks);
        v
    }

    /// The records lld writes for the EC view of an Arm64X DLL, plus a delta of each form.
    fn sample() -> Vec<u8> {
        let mut b = block(
            0,
            &[
                0x7c, 0x50, 0x64, 0x86, // VALUE 2 bytes at 0x7c = 0x8664
                0x00, 0x91, 0x06, 0x64, 0, 0, // VALUE 4 bytes at 0x100 = 0x6406
                0x18, 0xC1, // ZEROFILL 8 bytes at 0x118
                0x20, 0x21, 0x03, 0x00, // DELTA at 0x120, +3*4
                0x28, 0xE1, 0x02, 0x00, // DELTA at 0x128, -2*8
                0, 0, // padding
            ],
        );
        b.extend(block(0x5000, &[0x00, 0xD0, 0xd8, 0x64, 0, 0, 0, 0, 0, 0, 0x08, 0xC0]));
        table(&b)
    }

    #[test]
    fn decodes_every_record_kind() {
        let mut problems = Vec::new();
        let d = decode(&sample(), 0x9000, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(d.version, 1);
        assert_eq!(d.relocations.len(), 1);
        let f: Vec<_> = d.relocations[0].fixups.iter().map(|f| (f.rva, f.kind)).collect();
        assert_eq!(
            f,
            [
                (0x7c, FixupKind::Value { size: 2, value: 0x8664 }),
                (0x100, FixupKind::Value { size: 4, value: 0x6406 }),
                (0x118, FixupKind::ZeroFill { size: 8 }),
                (0x120, FixupKind::Delta { delta: 12 }),
                (0x128, FixupKind::Delta { delta: -16 }),
                (0x5000, FixupKind::Value { size: 8, value: 0x64d8 }),
                (0x5008, FixupKind::ZeroFill { size: 8 }),
            ]
        );
    }

    #[test]
    fn applies_fixups() {
        let mut b = [0xAAu8; 8];
        FixupKind::Value { size: 2, value: 0x8664 }.apply(&mut b[..2]);
        assert_eq!(b[..3], [0x64, 0x86, 0xAA]);
        FixupKind::ZeroFill { size: 8 }.apply(&mut b);
        assert_eq!(b, [0; 8]);
        // A delta changes 4 bytes only (lld patches 32-bit RVA fields with it).
        FixupKind::Delta { delta: -16 }.apply(&mut b[..4]);
        assert_eq!(b, [0xF0, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
        FixupKind::Delta { delta: 20 }.apply(&mut b[..4]);
        assert_eq!(b, [4, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn other_symbols_stay_raw_and_versions_are_checked() {
        let mut t = sample();
        t[8] = 3; // symbol 6 -> 3
        let mut problems = Vec::new();
        let d = decode(&t, 0, &mut problems).unwrap();
        assert!(problems.is_empty());
        assert_eq!(d.relocations[0].symbol, 3);
        assert!(d.relocations[0].fixups.is_empty());
        assert_eq!(d.relocations[0].raw.len(), t.len() - 20);

        t[0] = 2;
        let d = decode(&t, 0x40, &mut problems).unwrap();
        assert!(d.relocations.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rva, Some(0x40));
    }

    #[test]
    fn bad_type_and_bad_block_size_are_problems() {
        let t = table(&block(0x1000, &[0x00, 0x30, 0x04, 0x10]));
        let mut problems = Vec::new();
        let d = decode(&t, 0, &mut problems).unwrap();
        assert!(d.relocations[0].fixups.is_empty());
        assert!(problems[0].what.contains("unknown type 3"), "{problems:?}");

        let mut b = block(0x1000, &[0x04, 0x10]);
        b[4] = 4; // block size below its header
        let mut problems = Vec::new();
        decode(&table(&b), 0, &mut problems).unwrap();
        assert!(problems[0].what.contains("bad size"), "{problems:?}");
    }

    #[test]
    fn every_truncation_decodes_without_panicking() {
        let t = sample();
        for len in 0..=t.len() {
            let mut problems = Vec::new();
            let d = decode(&t[..len], 0x9000, &mut problems);
            if len < t.len() {
                assert!(!problems.is_empty(), "cut at {len} went unnoticed");
            }
            if len < 8 {
                assert!(d.is_none());
            }
        }
    }

    #[test]
    fn random_bytes_decode_without_panicking() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..20_000 {
            let len = (next() % 96) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Keep most inputs plausible enough to reach the record decoder.
            if i % 2 == 0 && len >= 20 {
                data[..4].copy_from_slice(&1u32.to_le_bytes());
                data[4..8].copy_from_slice(&((len - 8) as u32).to_le_bytes());
                data[8..16].copy_from_slice(&6u64.to_le_bytes());
                data[16..20].copy_from_slice(&((len - 20) as u32).to_le_bytes());
            }
            let mut problems = Vec::new();
            if let Some(d) = decode(&data, 0, &mut problems) {
                for f in d.relocations.iter().flat_map(|r| &r.fixups) {
                    let mut buf = vec![0u8; f.kind.size() as usize];
                    f.kind.apply(&mut buf);
                }
            }
        }
    }
}
