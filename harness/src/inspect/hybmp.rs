//! The `.hybmp$x` hybrid map of an Arm64EC object: 12-byte records
//! `{u32 source symbol, u32 target symbol, u32 kind}` whose indices are raw symbol-table
//! slots (no relocations). Kinds: 0 guest exit thunk → callee, 1 EC function → entry thunk,
//! 4 callee → exit thunk.

use super::coff::CoffObject;
use serde::Serialize;

pub const SECTION: &str = ".hybmp$x";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    GuestExit,
    Entry,
    Exit,
    Unknown(u32),
}

impl Kind {
    pub fn from_raw(k: u32) -> Kind {
        match k {
            0 => Kind::GuestExit,
            1 => Kind::Entry,
            4 => Kind::Exit,
            k => Kind::Unknown(k),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// Section index and byte offset of the record.
    pub section: u32,
    pub offset: u32,
    pub kind: Kind,
    pub source: u32,
    pub target: u32,
    pub source_name: Option<String>,
    pub target_name: Option<String>,
}

/// A structural problem of a hybrid-map section.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub section: u32,
    pub offset: u32,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct HybridMap {
    pub records: Vec<Record>,
    pub problems: Vec<Problem>,
}

pub fn decode(obj: &CoffObject, bytes: &[u8]) -> HybridMap {
    let mut map = HybridMap::default();
    for sec in obj.section_named(SECTION) {
        let data = obj.section_data(bytes, sec);
        if !data.len().is_multiple_of(12) {
            map.problems.push(Problem {
                section: sec.index,
                offset: (data.len() - data.len() % 12) as u32,
                message: format!("size {} is not a multiple of 12 (linkers reject it)", data.len()),
            });
        }
        if !sec.relocations.is_empty() {
            map.problems.push(Problem {
                section: sec.index,
                offset: 0,
                message: "has relocations; its indices are raw symbol slots".into(),
            });
        }
        for (i, rec) in data.chunks_exact(12).enumerate() {
            let word = |k: usize| u32::from_le_bytes([rec[k], rec[k + 1], rec[k + 2], rec[k + 3]]);
            let (source, target, raw) = (word(0), word(4), word(8));
            let offset = (i * 12) as u32;
            let kind = Kind::from_raw(raw);
            if let Kind::Unknown(k) = kind {
                map.problems.push(Problem {
                    section: sec.index,
                    offset,
                    message: format!("unknown record kind {k}"),
                });
            }
            let name = |idx: u32| obj.symbol_name(idx).map(str::to_string);
            let (source_name, target_name) = (name(source), name(target));
            for (what, idx, n) in
                [("source", source, &source_name), ("target", target, &target_name)]
            {
                if n.is_none() {
                    map.problems.push(Problem {
                        section: sec.index,
                        offset,
                        message: format!(
                            "{what} index {idx} is not a symbol (the table has {} slots; auxiliary records are not symbols)",
                            obj.symbol_slots
                        ),
                    });
                }
            }
            map.records.push(Record {
                section: sec.index,
                offset,
                kind,
                source,
                target,
                source_name,
                target_name,
            });
        }
    }
    map
}
