//! The load config directory (`IMAGE_LOAD_CONFIG_DIRECTORY64`), read through the
//! `object` crate's struct, with every field inside the struct's Size listed by name.

use super::{Mem, Problem};
use object::LittleEndian as LE;
use object::pe;
use serde::Serialize;

/// One field of `IMAGE_LOAD_CONFIG_DIRECTORY64` inside the struct's Size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadConfigField {
    pub name: &'static str,
    pub offset: u32,
    pub size: u8,
    pub value: u64,
}

/// Offsets in `IMAGE_LOAD_CONFIG_DIRECTORY64` the image checks rely on.
pub const LC_DYNAMIC_VALUE_RELOC_TABLE: u32 = 0xC0;
pub const LC_CHPE_METADATA_POINTER: u32 = 0xC8;
pub const LC_DYNAMIC_VALUE_RELOC_TABLE_OFFSET: u32 = 0xE0;
pub const LC_DYNAMIC_VALUE_RELOC_TABLE_SECTION: u32 = 0xE4;

/// `IMAGE_LOAD_CONFIG_DIRECTORY64` (0x140 bytes): name, offset, size.
const LOAD_CONFIG_FIELDS: [(&str, u32, u8); 47] = [
    ("Size", 0x00, 4),
    ("TimeDateStamp", 0x04, 4),
    ("MajorVersion", 0x08, 2),
    ("MinorVersion", 0x0A, 2),
    ("GlobalFlagsClear", 0x0C, 4),
    ("GlobalFlagsSet", 0x10, 4),
    ("CriticalSectionDefaultTimeout", 0x14, 4),
    ("DeCommitFreeBlockThreshold", 0x18, 8),
    ("DeCommitTotalFreeThreshold", 0x20, 8),
    ("LockPrefixTable", 0x28, 8),
    ("MaximumAllocationSize", 0x30, 8),
    ("VirtualMemoryThreshold", 0x38, 8),
    ("ProcessAffinityMask", 0x40, 8),
    ("ProcessHeapFlags", 0x48, 4),
    ("CSDVersion", 0x4C, 2),
    ("DependentLoadFlags", 0x4E, 2),
    ("EditList", 0x50, 8),
    ("SecurityCookie", 0x58, 8),
    ("SEHandlerTable", 0x60, 8),
    ("SEHandlerCount", 0x68, 8),
    ("GuardCFCheckFunctionPointer", 0x70, 8),
    ("GuardCFDispatchFunctionPointer", 0x78, 8),
    ("GuardCFFunctionTable", 0x80, 8),
    ("GuardCFFunctionCount", 0x88, 8),
    ("GuardFlags", 0x90, 4),
    ("CodeIntegrity.Flags", 0x94, 2),
    ("CodeIntegrity.Catalog", 0x96, 2),
    ("CodeIntegrity.CatalogOffset", 0x98, 4),
    ("CodeIntegrity.Reserved", 0x9C, 4),
    ("GuardAddressTakenIatEntryTable", 0xA0, 8),
    ("GuardAddressTakenIatEntryCount", 0xA8, 8),
    ("GuardLongJumpTargetTable", 0xB0, 8),
    ("GuardLongJumpTargetCount", 0xB8, 8),
    ("DynamicValueRelocTable", LC_DYNAMIC_VALUE_RELOC_TABLE, 8),
    ("CHPEMetadataPointer", LC_CHPE_METADATA_POINTER, 8),
    ("GuardRFFailureRoutine", 0xD0, 8),
    ("GuardRFFailureRoutineFunctionPointer", 0xD8, 8),
    ("DynamicValueRelocTableOffset", LC_DYNAMIC_VALUE_RELOC_TABLE_OFFSET, 4),
    ("DynamicValueRelocTableSection", LC_DYNAMIC_VALUE_RELOC_TABLE_SECTION, 2),
    ("Reserved2", 0xE6, 2),
    ("GuardRFVerifyStackPointerFunctionPointer", 0xE8, 8),
    ("HotPatchTableOffset", 0xF0, 4),
    ("Reserved3", 0xF4, 4),
    ("EnclaveConfigurationPointer", 0xF8, 8),
    ("VolatileMetadataPointer", 0x100, 8),
    ("GuardEHContinuationTable", 0x108, 8),
    ("GuardEHContinuationCount", 0x110, 8),
];

/// The load config directory. Fields past the struct's Size read as 0, as for the loader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadConfig {
    pub rva: u32,
    /// The data directory's size.
    pub directory_size: u32,
    /// The struct's own Size field.
    pub size: u32,
    pub security_cookie: u64,
    pub guard_cf_check_function_pointer: u64,
    pub guard_cf_dispatch_function_pointer: u64,
    pub guard_cf_function_table: u64,
    pub guard_cf_function_count: u64,
    pub guard_flags: u32,
    pub dynamic_value_reloc_table_va: u64,
    /// `CHPEMetadataPointer` (offset 0xC8): a VA, 0 when absent.
    pub chpe_metadata_va: u64,
    pub dvrt_offset: u32,
    /// 1-based section index of the DVRT, 0 when none.
    pub dvrt_section: u16,
    /// Every field inside Size (and the file data), in struct order.
    pub fields: Vec<LoadConfigField>,
}

impl LoadConfig {
    pub fn field(&self, name: &str) -> Option<u64> {
        self.fields.iter().find(|f| f.name == name).map(|f| f.value)
    }
}

pub(crate) fn load_config(
    mem: Mem,
    (rva, directory_size): (u32, u32),
    problems: &mut Vec<Problem>,
) -> Option<LoadConfig> {
    if rva == 0 {
        return None;
    }
    let Some(size) = mem.u32(rva) else {
        problems.push(Problem::new(
            format!("load config at {rva:#x} is not in the file data"),
            Some(rva),
        ));
        return None;
    };
    let available = mem.rest(rva).map_or(0, |b| b.len());
    if size as usize > available {
        problems.push(Problem::new(
            format!("load config Size {size:#x} runs past the file data ({available:#x} bytes)"),
            Some(rva),
        ));
    }
    let inside = (size as usize).min(available);
    let raw = mem.read(rva, inside as u32).unwrap_or(&[]);
    let mut fields = Vec::new();
    for &(name, offset, width) in &LOAD_CONFIG_FIELDS {
        let end = offset as usize + usize::from(width);
        let Some(b) = raw.get(offset as usize..end) else { break };
        let mut le = [0u8; 8];
        le[..b.len()].copy_from_slice(b);
        fields.push(LoadConfigField { name, offset, size: width, value: u64::from_le_bytes(le) });
    }
    // The typed view through object's struct, zero past Size.
    let mut padded = vec![0u8; std::mem::size_of::<pe::ImageLoadConfigDirectory64>()];
    let n = raw.len().min(padded.len());
    padded[..n].copy_from_slice(&raw[..n]);
    let (lc, _) = object::pod::from_bytes::<pe::ImageLoadConfigDirectory64>(&padded).ok()?;
    let end_of_chpe = LC_CHPE_METADATA_POINTER + 8;
    if size < end_of_chpe {
        problems.push(Problem::new(
            format!(
                "load config Size {size:#x} is smaller than its CHPE field (needs {end_of_chpe:#x}): \
                 no CHPE metadata"
            ),
            Some(rva),
        ));
    }
    Some(LoadConfig {
        rva,
        directory_size,
        size,
        security_cookie: lc.security_cookie.get(LE),
        guard_cf_check_function_pointer: lc.guard_cf_check_function_pointer.get(LE),
        guard_cf_dispatch_function_pointer: lc.guard_cf_dispatch_function_pointer.get(LE),
        guard_cf_function_table: lc.guard_cf_function_table.get(LE),
        guard_cf_function_count: lc.guard_cf_function_count.get(LE),
        guard_flags: lc.guard_flags.get(LE).0,
        dynamic_value_reloc_table_va: lc.dynamic_value_reloc_table.get(LE),
        chpe_metadata_va: lc.chpe_metadata_pointer.get(LE),
        dvrt_offset: lc.dynamic_value_reloc_table_offset.get(LE),
        dvrt_section: lc.dynamic_value_reloc_table_section.get(LE),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn load_config_offsets_match_the_object_struct() {
        type L = pe::ImageLoadConfigDirectory64;
        let at = |name: &str| LOAD_CONFIG_FIELDS.iter().find(|f| f.0 == name).unwrap().1 as usize;
        assert_eq!(at("SecurityCookie"), offset_of!(L, security_cookie));
        assert_eq!(at("GuardFlags"), offset_of!(L, guard_flags));
        assert_eq!(at("DynamicValueRelocTable"), offset_of!(L, dynamic_value_reloc_table));
        assert_eq!(at("CHPEMetadataPointer"), offset_of!(L, chpe_metadata_pointer));
        assert_eq!(
            at("DynamicValueRelocTableOffset"),
            offset_of!(L, dynamic_value_reloc_table_offset)
        );
        assert_eq!(
            at("DynamicValueRelocTableSection"),
            offset_of!(L, dynamic_value_reloc_table_section)
        );
        assert_eq!(at("VolatileMetadataPointer"), offset_of!(L, volatile_metadata_pointer));
        for w in LOAD_CONFIG_FIELDS.windows(2) {
            assert_eq!(
                w[0].1 + u32::from(w[0].2),
                w[1].1,
                "{} is not followed by {}",
                w[0].0,
                w[1].0
            );
        }
        let last = LOAD_CONFIG_FIELDS[LOAD_CONFIG_FIELDS.len() - 1];
        assert_eq!(last.1 + u32::from(last.2), 0x118);
    }

    fn lc_bytes(size: u32) -> Vec<u8> {
        let mut b = vec![0u8; 0x140];
        b[..4].copy_from_slice(&size.to_le_bytes());
        b[0xC8..0xD0].copy_from_slice(&0x1_8000_5000u64.to_le_bytes());
        b[0xE0..0xE4].copy_from_slice(&0x1Cu32.to_le_bytes());
        b[0xE4..0xE6].copy_from_slice(&6u16.to_le_bytes());
        b
    }

    #[test]
    fn load_config_reads_inside_its_size_only() {
        let b = lc_bytes(0x140);
        let mut problems = Vec::new();
        let lc = load_config(Mem::flat(&b), (0, 0x140), &mut problems);
        assert!(lc.is_none(), "RVA 0 means no load config");
        let mut padded = vec![0u8; 0x10];
        padded.extend(&b);
        let lc = load_config(Mem::flat(&padded), (0x10, 0x140), &mut problems).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lc.chpe_metadata_va, 0x1_8000_5000);
        assert_eq!((lc.dvrt_offset, lc.dvrt_section), (0x1C, 6));
        assert_eq!(lc.field("CHPEMetadataPointer"), Some(0x1_8000_5000));

        let mut small = vec![0u8; 0x10];
        small.extend(lc_bytes(0xC8));
        let lc = load_config(Mem::flat(&small), (0x10, 0xC8), &mut problems).unwrap();
        assert_eq!(lc.chpe_metadata_va, 0, "the pointer is past Size");
        assert!(lc.field("CHPEMetadataPointer").is_none());
        assert!(problems[0].what.contains("smaller than its CHPE field"), "{problems:?}");
    }

    #[test]
    fn load_config_truncated_at_every_length() {
        let mut b = vec![0u8; 0x10];
        b.extend(lc_bytes(0x140));
        for len in 0..=b.len() {
            let mut problems = Vec::new();
            let lc = load_config(Mem::flat(&b[..len]), (0x10, 0x140), &mut problems);
            if len < b.len() {
                assert!(!problems.is_empty(), "cut at {len:#x} went unnoticed");
            }
            if let Some(lc) = lc {
                assert!(lc.fields.len() <= LOAD_CONFIG_FIELDS.len());
            }
        }
    }
}
