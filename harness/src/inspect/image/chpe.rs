//! `IMAGE_ARM64EC_METADATA` (the CHPE metadata a load config points at) and its tables:
//! the code map, the x64 code ranges to entry points and the redirection metadata.
//!
//! Version 1 is 0x50 bytes (Version .. AuxiliaryIATCopy); version 2 adds AuxDelayloadIAT,
//! AuxDelayloadIATCopy and HybridImageInfoBitfield (0x5C bytes). Other versions are
//! decoded with the version-2 layout and reported.

use super::{Mem, Problem};
use serde::Serialize;

/// The fields of the metadata by offset (`index * 4`), with their documented names.
pub const FIELDS_V1: [&str; 20] = [
    "Version",
    "CodeMap",
    "CodeMapCount",
    "CodeRangesToEntryPoints",
    "RedirectionMetadata",
    "__os_arm64x_dispatch_call_no_redirect",
    "__os_arm64x_dispatch_ret",
    "__os_arm64x_dispatch_call",
    "__os_arm64x_dispatch_icall",
    "__os_arm64x_dispatch_icall_cfg",
    "AlternateEntryPoint",
    "AuxiliaryIAT",
    "CodeRangesToEntryPointsCount",
    "RedirectionMetadataCount",
    "GetX64InformationFunctionPointer",
    "SetX64InformationFunctionPointer",
    "ExtraRFETable",
    "ExtraRFETableSize",
    "__os_arm64x_dispatch_fptr",
    "AuxiliaryIATCopy",
];
pub const FIELDS_V2: [&str; 3] =
    ["AuxDelayloadIAT", "AuxDelayloadIATCopy", "HybridImageInfoBitfield"];

/// Offset of a field in the metadata.
pub fn field_offset(name: &str) -> Option<u32> {
    FIELDS_V1.iter().chain(&FIELDS_V2).position(|f| *f == name).map(|i| i as u32 * 4)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chpe {
    /// Where the metadata is.
    pub rva: u32,
    pub version: u32,
    /// Every field read, by name, in struct order.
    pub fields: Vec<(String, u32)>,
    pub code_map: Vec<CodeRange>,
    pub code_ranges_to_entry_points: Vec<EntryRange>,
    /// The redirection entries counted by RedirectionMetadataCount.
    pub redirection: Vec<Redirection>,
    /// An all-zero entry follows the counted ones (lld writes one).
    pub redirection_terminator: bool,
    pub aux_iat_rva: u32,
    pub aux_iat_copy_rva: u32,
    pub aux_delayload_iat_rva: u32,
    pub aux_delayload_iat_copy_rva: u32,
    /// ExtraRFETable RVA and size in bytes.
    pub extra_rfe_table: (u32, u32),
}

impl Chpe {
    pub fn field(&self, name: &str) -> Option<u32> {
        self.fields.iter().find(|(n, _)| n == name).map(|&(_, v)| v)
    }

    /// The code map range holding `rva`.
    pub fn code_kind_at(&self, rva: u32) -> Option<CodeKind> {
        self.code_map.iter().find(|r| r.contains(rva)).map(|r| r.kind)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Arm64,
    Arm64Ec,
    Amd64,
    Unknown(u32),
}

impl CodeKind {
    pub fn name(self) -> &'static str {
        match self {
            CodeKind::Arm64 => "ARM64",
            CodeKind::Arm64Ec => "ARM64EC",
            CodeKind::Amd64 => "X64",
            CodeKind::Unknown(_) => "unknown",
        }
    }
}

/// `IMAGE_CHPE_RANGE_ENTRY`: the kind is the low two bits of the start word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CodeRange {
    /// Start RVA with the kind bits cleared.
    pub start: u32,
    pub length: u32,
    pub kind: CodeKind,
}

impl CodeRange {
    pub fn end(&self) -> u64 {
        u64::from(self.start) + u64::from(self.length)
    }

    pub fn contains(&self, rva: u32) -> bool {
        rva >= self.start && u64::from(rva) < self.end()
    }
}

/// `{StartRva, EndRva, EntryPoint}`: x64 code and the entry the emulator starts it at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EntryRange {
    pub start_rva: u32,
    pub end_rva: u32,
    pub entry_rva: u32,
}

/// `{Source, Destination}`: an x64 entry (export thunk) and the EC function it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Redirection {
    pub source_rva: u32,
    pub destination_rva: u32,
}

/// Decode the metadata at `rva`. `None` only when not even its version can be read.
pub(crate) fn decode(mem: Mem, rva: u32, problems: &mut Vec<Problem>) -> Option<Chpe> {
    let Some(version) = mem.u32(rva) else {
        problems.push(Problem::new(
            format!("CHPE metadata at {rva:#x} is not in the file data"),
            Some(rva),
        ));
        return None;
    };
    if !matches!(version, 1 | 2) {
        problems.push(Problem::new(
            format!("CHPE metadata version {version} is unknown; read with the version-2 layout"),
            Some(rva),
        ));
    }
    let names: Vec<&str> = if version == 1 {
        FIELDS_V1.to_vec()
    } else {
        FIELDS_V1.iter().chain(&FIELDS_V2).copied().collect()
    };
    let mut fields = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let at = rva.wrapping_add(i as u32 * 4);
        match mem.u32(at) {
            Some(v) => fields.push((name.to_string(), v)),
            None => {
                problems.push(Problem::new(
                    format!(
                        "CHPE metadata (version {version}, {:#x} bytes) at {rva:#x} runs past the \
                         file data at field {name}",
                        names.len() * 4
                    ),
                    Some(at),
                ));
                break;
            }
        }
    }
    let get = |name: &str| fields.iter().find(|(n, _)| n == name).map_or(0, |&(_, v)| v);

    let code_map = table(mem, "CodeMap", get("CodeMap"), get("CodeMapCount"), 8, problems)
        .map(|b| {
            let start = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let kind = match start & 3 {
                0 => CodeKind::Arm64,
                1 => CodeKind::Arm64Ec,
                2 => CodeKind::Amd64,
                k => CodeKind::Unknown(k),
            };
            CodeRange {
                start: start & !3,
                length: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                kind,
            }
        })
        .collect();
    let code_ranges_to_entry_points = table(
        mem,
        "CodeRangesToEntryPoints",
        get("CodeRangesToEntryPoints"),
        get("CodeRangesToEntryPointsCount"),
        12,
        problems,
    )
    .map(|b| EntryRange { start_rva: word(b, 0), end_rva: word(b, 4), entry_rva: word(b, 8) })
    .collect();
    let redirect_rva = get("RedirectionMetadata");
    let redirect_count = get("RedirectionMetadataCount");
    let redirection: Vec<Redirection> =
        table(mem, "RedirectionMetadata", redirect_rva, redirect_count, 8, problems)
            .map(|b| Redirection { source_rva: word(b, 0), destination_rva: word(b, 4) })
            .collect();
    let redirection_terminator = redirect_rva != 0
        && redirection.len() == redirect_count as usize
        && redirect_rva
            .checked_add(redirect_count.wrapping_mul(8))
            .and_then(|at| mem.read(at, 8))
            .is_some_and(|b| b.iter().all(|&x| x == 0));
    Some(Chpe {
        rva,
        version,
        code_map,
        code_ranges_to_entry_points,
        redirection,
        redirection_terminator,
        aux_iat_rva: get("AuxiliaryIAT"),
        aux_iat_copy_rva: get("AuxiliaryIATCopy"),
        aux_delayload_iat_rva: get("AuxDelayloadIAT"),
        aux_delayload_iat_copy_rva: get("AuxDelayloadIATCopy"),
        extra_rfe_table: (get("ExtraRFETable"), get("ExtraRFETableSize")),
        fields,
    })
}

fn word(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The `count` entries of `size` bytes at `rva`; when they do not all fit in the file
/// data, a problem and the entries that do.
fn table<'a>(
    mem: Mem<'a>,
    what: &str,
    rva: u32,
    count: u32,
    size: u32,
    problems: &mut Vec<Problem>,
) -> impl Iterator<Item = &'a [u8]> + use<'a> {
    let mut data: &'a [u8] = &[];
    if count != 0 {
        if rva == 0 {
            problems.push(Problem::new(format!("CHPE {what} is 0 but its count is {count}"), None));
        } else {
            let bytes = u64::from(count) * u64::from(size);
            let available = mem.rest(rva).unwrap_or(&[]);
            if bytes > available.len() as u64 {
                problems.push(Problem::new(
                    format!(
                        "CHPE {what} at {rva:#x} ({count} entries of {size} bytes) runs past the \
                         file data ({} entries fit)",
                        available.len() as u64 / u64::from(size)
                    ),
                    Some(rva),
                ));
            }
            let whole = (bytes.min(available.len() as u64) / u64::from(size)) * u64::from(size);
            data = &available[..whole as usize];
        }
    }
    data.chunks_exact(size as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat buffer (RVA = offset) with version-2 metadata at 0x10 and its tables.
    fn sample() -> Vec<u8> {
        let mut b = vec![0u8; 0x100];
        let mut put = |at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        let m = 0x10;
        let values: [(&str, u32); 23] = [
            ("Version", 2),
            ("CodeMap", 0x80),
            ("CodeMapCount", 3),
            ("CodeRangesToEntryPoints", 0x98),
            ("RedirectionMetadata", 0xB0),
            ("__os_arm64x_dispatch_call_no_redirect", 0x1000),
            ("__os_arm64x_dispatch_ret", 0x1008),
            ("__os_arm64x_dispatch_call", 0x1010),
            ("__os_arm64x_dispatch_icall", 0x1018),
            ("__os_arm64x_dispatch_icall_cfg", 0x1020),
            ("AlternateEntryPoint", 0),
            ("AuxiliaryIAT", 0x2000),
            ("CodeRangesToEntryPointsCount", 2),
            ("RedirectionMetadataCount", 1),
            ("GetX64InformationFunctionPointer", 0x1028),
            ("SetX64InformationFunctionPointer", 0x1030),
            ("ExtraRFETable", 0x3000),
            ("ExtraRFETableSize", 0x38),
            ("__os_arm64x_dispatch_fptr", 0x1038),
            ("AuxiliaryIATCopy", 0x2100),
            ("AuxDelayloadIAT", 0x2200),
            ("AuxDelayloadIATCopy", 0x2300),
            ("HybridImageInfoBitfield", 0),
        ];
        for (i, (name, v)) in values.iter().enumerate() {
            assert_eq!(field_offset(name), Some(i as u32 * 4));
            put(m + i * 4, *v);
        }
        for (i, (s, l)) in [(0x1001, 0x13C), (0x2002, 0x20), (0x3000, 0x78)].iter().enumerate() {
            put(0x80 + i * 8, *s);
            put(0x84 + i * 8, *l);
        }
        for (i, s) in [0x2000u32, 0x2010].iter().enumerate() {
            put(0x98 + i * 12, *s);
            put(0x9C + i * 12, s + 0x10);
            put(0xA0 + i * 12, *s);
        }
        put(0xB0, 0x2000);
        put(0xB4, 0x1004);
        b
    }

    #[test]
    fn decodes_version_2() {
        let b = sample();
        let mut problems = Vec::new();
        let c = decode(Mem::flat(&b), 0x10, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.version, 2);
        assert_eq!(c.fields.len(), 23);
        assert_eq!(c.field("HybridImageInfoBitfield"), Some(0));
        let kinds: Vec<_> = c.code_map.iter().map(|r| (r.start, r.length, r.kind)).collect();
        assert_eq!(
            kinds,
            [
                (0x1000, 0x13C, CodeKind::Arm64Ec),
                (0x2000, 0x20, CodeKind::Amd64),
                (0x3000, 0x78, CodeKind::Arm64)
            ]
        );
        assert_eq!(c.code_kind_at(0x2010), Some(CodeKind::Amd64));
        assert_eq!(c.code_kind_at(0x2020), None);
        assert_eq!(
            c.code_ranges_to_entry_points[1],
            EntryRange { start_rva: 0x2010, end_rva: 0x2020, entry_rva: 0x2010 }
        );
        assert_eq!(c.redirection, [Redirection { source_rva: 0x2000, destination_rva: 0x1004 }]);
        assert!(c.redirection_terminator);
        assert_eq!(c.aux_iat_rva, 0x2000);
        assert_eq!(c.aux_iat_copy_rva, 0x2100);
        assert_eq!(c.aux_delayload_iat_rva, 0x2200);
        assert_eq!(c.extra_rfe_table, (0x3000, 0x38));
    }

    #[test]
    fn version_1_has_twenty_fields() {
        let mut b = sample();
        b[0x10] = 1;
        let mut problems = Vec::new();
        let c = decode(Mem::flat(&b), 0x10, &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.fields.len(), 20);
        assert_eq!(c.aux_delayload_iat_rva, 0);
    }

    #[test]
    fn huge_counts_and_bad_pointers_are_problems() {
        let mut b = sample();
        b[0x18..0x1C].copy_from_slice(&u32::MAX.to_le_bytes()); // CodeMapCount
        b[0x1C..0x20].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes()); // CodeRangesToEntryPoints
        let mut problems = Vec::new();
        let c = decode(Mem::flat(&b), 0x10, &mut problems).unwrap();
        // Only what the buffer holds: (0x100 - 0x80) / 8 entries.
        assert_eq!(c.code_map.len(), 16);
        assert!(c.code_ranges_to_entry_points.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].what.contains("CodeMap at 0x80"), "{problems:?}");

        let mut b = sample();
        b[0x44..0x48].copy_from_slice(&5u32.to_le_bytes()); // RedirectionMetadataCount
        b[0xD8] = 1; // no all-zero entry after the fifth
        let mut problems = Vec::new();
        let c = decode(Mem::flat(&b), 0x10, &mut problems).unwrap();
        assert_eq!(c.redirection.len(), 5);
        assert!(!c.redirection_terminator);
        assert!(problems.is_empty());

        let mut problems = Vec::new();
        assert!(decode(Mem::flat(&b), 0xFFFF_FFFE, &mut problems).is_none());
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn every_truncation_decodes_without_panicking() {
        let b = sample();
        for len in 0..=b.len() {
            let mut problems = Vec::new();
            let c = decode(Mem::flat(&b[..len]), 0x10, &mut problems);
            if len < 0xB8 {
                assert!(!problems.is_empty(), "cut at {len:#x} went unnoticed");
            }
            if let Some(c) = c {
                assert!(c.fields.len() <= 23);
                assert!(c.code_map.len() <= 3);
            }
        }
    }

    #[test]
    fn random_bytes_decode_without_panicking() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..20_000 {
            let len = (next() % 0x140) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Small plausible pointers and counts half of the time.
            if i % 2 == 0 {
                for w in b.chunks_exact_mut(4) {
                    let v = (u32::from_le_bytes([w[0], w[1], w[2], w[3]]) % 0x180) & !3
                        | (w[0] as u32 & 3);
                    w.copy_from_slice(&v.to_le_bytes());
                }
            }
            let rva = (next() % 0x150) as u32;
            let mut problems = Vec::new();
            let _ = decode(Mem::flat(&b), rva, &mut problems);
        }
    }
}
