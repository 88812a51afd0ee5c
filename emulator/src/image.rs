//! The PE image, laid out as the loader lays it out: headers and sections at their RVAs in
//! one buffer of `SizeOfImage` bytes, base relocations applied for the chosen base, and the
//! Arm64EC metadata the loader reads — the code map (which ranges hold ARM64EC, ARM64 or
//! x64 code) and the RVAs of the `__os_arm64x_*` pointer slots it fills.
//!
//! The layout of `IMAGE_ARM64EC_METADATA` follows LLVM's `chpe_metadata`
//! (`llvm/include/llvm/Object/COFF.h`) and Microsoft's "Understanding Arm64EC ABI and
//! assembly code"; the load config's `CHPEMetadataPointer` is the VA at offset 0xC8.

use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile64};

/// Which instruction set a code-map range holds (the low two bits of `StartOffset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    Arm64,
    Arm64ec,
    X64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeRange {
    pub start: u32,
    pub end: u32,
    pub kind: CodeKind,
}

#[derive(Clone, Debug)]
pub struct Section {
    pub name: String,
    pub rva: u32,
    pub size: u32,
    pub characteristics: u32,
    /// Where its initialized bytes are in the file, and how many there are.
    pub file_offset: u32,
    pub file_size: u32,
}

impl Section {
    pub fn writable(&self) -> bool {
        self.characteristics & pe::IMAGE_SCN_MEM_WRITE.0 != 0
    }
    pub fn executable(&self) -> bool {
        self.characteristics & pe::IMAGE_SCN_MEM_EXECUTE.0 != 0
    }
}

/// The OS routines whose pointer slots `IMAGE_ARM64EC_METADATA` names, with the field
/// offset that holds each slot's RVA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OsRoutine {
    DispatchCallNoRedirect,
    DispatchRet,
    DispatchCall,
    DispatchIcall,
    DispatchIcallCfg,
    GetX64Information,
    SetX64Information,
    DispatchFptr,
}

pub const METADATA_SLOTS: [(u32, OsRoutine); 8] = [
    (0x14, OsRoutine::DispatchCallNoRedirect),
    (0x18, OsRoutine::DispatchRet),
    (0x1C, OsRoutine::DispatchCall),
    (0x20, OsRoutine::DispatchIcall),
    (0x24, OsRoutine::DispatchIcallCfg),
    (0x38, OsRoutine::GetX64Information),
    (0x3C, OsRoutine::SetX64Information),
    (0x48, OsRoutine::DispatchFptr),
];

impl OsRoutine {
    /// The slot's name as the metadata and compilers spell it.
    pub fn slot_name(self) -> &'static str {
        match self {
            OsRoutine::DispatchCallNoRedirect => "__os_arm64x_dispatch_call_no_redirect",
            OsRoutine::DispatchRet => "__os_arm64x_dispatch_ret",
            OsRoutine::DispatchCall => "__os_arm64x_dispatch_call",
            OsRoutine::DispatchIcall => "__os_arm64x_dispatch_icall",
            OsRoutine::DispatchIcallCfg => "__os_arm64x_dispatch_icall_cfg",
            OsRoutine::GetX64Information => "__os_arm64x_get_x64_information",
            OsRoutine::SetX64Information => "__os_arm64x_set_x64_information",
            OsRoutine::DispatchFptr => "__os_arm64x_dispatch_fptr",
        }
    }

    /// The routine a slot of this name holds (LLVM's `check_*` names alias MSVC's
    /// `dispatch_*` names; mingw's `x64_jump` is `dispatch_fptr`).
    pub fn from_slot_name(name: &str) -> Option<OsRoutine> {
        Some(match name {
            "__os_arm64x_dispatch_call_no_redirect" => OsRoutine::DispatchCallNoRedirect,
            "__os_arm64x_dispatch_ret" => OsRoutine::DispatchRet,
            "__os_arm64x_dispatch_call" | "__os_arm64x_check_call" => OsRoutine::DispatchCall,
            "__os_arm64x_dispatch_icall" | "__os_arm64x_check_icall" => OsRoutine::DispatchIcall,
            "__os_arm64x_dispatch_icall_cfg" | "__os_arm64x_check_icall_cfg" => {
                OsRoutine::DispatchIcallCfg
            }
            "__os_arm64x_get_x64_information" => OsRoutine::GetX64Information,
            "__os_arm64x_set_x64_information" => OsRoutine::SetX64Information,
            "__os_arm64x_dispatch_fptr" | "__os_arm64x_x64_jump" => OsRoutine::DispatchFptr,
            _ => return None,
        })
    }
}

/// One imported function and its slot in the regular IAT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub dll: String,
    pub name: String,
    pub iat_rva: u32,
}

pub struct Image {
    pub preferred_base: u64,
    /// `SizeOfImage`, rounded up to the page.
    pub size: u32,
    pub sections: Vec<Section>,
    /// The image as mapped at the preferred base (no relocations applied).
    pub mapped: Vec<u8>,
    pub code_map: Vec<CodeRange>,
    /// `(slot RVA, routine)` from the Arm64EC metadata.
    pub slots: Vec<(u32, OsRoutine)>,
    pub imports: Vec<Import>,
    /// RVAs of 64-bit (`DIR64`) and 32-bit (`HIGHLOW`) absolute addresses.
    pub relocs: Vec<(u32, Reloc)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reloc {
    Dir64,
    HighLow,
}

pub const PAGE: u32 = 0x1000;

fn page_up(x: u64) -> u64 {
    (x + u64::from(PAGE) - 1) & !(u64::from(PAGE) - 1)
}

fn u32_at(b: &[u8], at: u32) -> Option<u32> {
    let at = at as usize;
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: u32) -> Option<u64> {
    let at = at as usize;
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn c_string(b: &[u8], at: u32) -> Option<String> {
    let rest = b.get(at as usize..)?;
    let end = rest.iter().position(|&c| c == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

impl Image {
    pub fn parse(bytes: &[u8]) -> Result<Image, String> {
        if !bytes.starts_with(b"MZ") {
            return Err("not a PE image (no MZ header)".into());
        }
        let file = PeFile64::parse(bytes).map_err(|e| format!("not a PE32+ image: {e}"))?;
        let opt = file.nt_headers().optional_header();
        let preferred_base = opt.image_base();
        let size = page_up(u64::from(opt.size_of_image()));
        if size == 0 || size > 1 << 31 {
            return Err(format!("SizeOfImage {:#x} is not a size this loader maps", size));
        }
        let mut mapped = vec![0u8; size as usize];
        let headers = (opt.size_of_headers() as usize).min(bytes.len()).min(mapped.len());
        mapped[..headers].copy_from_slice(&bytes[..headers]);
        let mut sections = Vec::new();
        for s in file.section_table().iter() {
            let raw = &s.name;
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            let sec = Section {
                name: String::from_utf8_lossy(&raw[..end]).into_owned(),
                rva: s.virtual_address.get(LE),
                size: s.virtual_size.get(LE),
                characteristics: s.characteristics.get(LE).0,
                file_offset: s.pointer_to_raw_data.get(LE),
                file_size: s.size_of_raw_data.get(LE).min(s.virtual_size.get(LE)),
            };
            let (off, n) = (sec.file_offset as usize, sec.file_size as usize);
            let src = bytes.get(off..off + n).ok_or_else(|| {
                format!("section {} holds bytes past the end of the file", sec.name)
            })?;
            let dst = mapped
                .get_mut(sec.rva as usize..sec.rva as usize + n)
                .ok_or_else(|| format!("section {} lies outside SizeOfImage", sec.name))?;
            dst.copy_from_slice(src);
            sections.push(sec);
        }
        let dirs = file.data_directories();
        let dir = |i: usize| dirs.get(i).map(|d| d.address_range()).unwrap_or((0, 0));
        let mut image = Image {
            preferred_base,
            size: size as u32,
            sections,
            mapped,
            code_map: Vec::new(),
            slots: Vec::new(),
            imports: Vec::new(),
            relocs: Vec::new(),
        };
        image.relocs = image.read_relocs(dir(pe::IMAGE_DIRECTORY_ENTRY_BASERELOC))?;
        image.imports = image.read_imports(dir(pe::IMAGE_DIRECTORY_ENTRY_IMPORT).0)?;
        image.read_metadata(dir(pe::IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG))?;
        Ok(image)
    }

    /// The base relocation blocks: `{PageRVA, BlockSize, u16 entries (type << 12 | offset)}`.
    fn read_relocs(&self, (rva, size): (u32, u32)) -> Result<Vec<(u32, Reloc)>, String> {
        let mut out = Vec::new();
        let mut at = rva;
        let end = rva.saturating_add(size);
        while at + 8 <= end {
            let page = u32_at(&self.mapped, at).ok_or("base relocations past the image")?;
            let block = u32_at(&self.mapped, at + 4).ok_or("base relocations past the image")?;
            if block < 8 || at + block > end {
                return Err(format!("a base relocation block at RVA {at:#x} has size {block:#x}"));
            }
            for k in 0..(block - 8) / 2 {
                let e = u16::from_le_bytes([
                    self.mapped[(at + 8 + 2 * k) as usize],
                    self.mapped[(at + 9 + 2 * k) as usize],
                ]);
                let target = page + u32::from(e & 0xfff);
                match e >> 12 {
                    0 => {}
                    3 => out.push((target, Reloc::HighLow)),
                    10 => out.push((target, Reloc::Dir64)),
                    t => {
                        return Err(format!(
                            "base relocation type {t} at RVA {target:#x} is not one this loader applies"
                        ));
                    }
                }
            }
            at += block;
        }
        Ok(out)
    }

    /// Import descriptors (20 bytes each, a zero one ends the table) and their lookup tables.
    fn read_imports(&self, rva: u32) -> Result<Vec<Import>, String> {
        let mut out = Vec::new();
        if rva == 0 {
            return Ok(out);
        }
        let bad = || format!("the import table at RVA {rva:#x} runs past the image");
        for d in 0.. {
            let at = rva + 20 * d;
            let lookup = u32_at(&self.mapped, at).ok_or_else(bad)?;
            let name = u32_at(&self.mapped, at + 12).ok_or_else(bad)?;
            let iat = u32_at(&self.mapped, at + 16).ok_or_else(bad)?;
            if lookup == 0 && name == 0 && iat == 0 {
                break;
            }
            let dll = c_string(&self.mapped, name).unwrap_or_else(|| "?".into());
            let table = if lookup != 0 { lookup } else { iat };
            for k in 0.. {
                let entry = u64_at(&self.mapped, table + 8 * k).ok_or_else(bad)?;
                if entry == 0 {
                    break;
                }
                let func = if entry >> 63 == 1 {
                    format!("#{}", entry & 0xffff)
                } else {
                    c_string(&self.mapped, (entry as u32).wrapping_add(2))
                        .unwrap_or_else(|| "?".into())
                };
                out.push(Import { dll: dll.clone(), name: func, iat_rva: iat + 8 * k });
            }
        }
        Ok(out)
    }

    /// The load config's `CHPEMetadataPointer` and the metadata it points at.
    fn read_metadata(&mut self, (rva, _): (u32, u32)) -> Result<(), String> {
        if rva == 0 {
            return Ok(());
        }
        let lc_size = u32_at(&self.mapped, rva).unwrap_or(0);
        if lc_size < 0xD0 {
            return Ok(());
        }
        let va = u64_at(&self.mapped, rva + 0xC8).unwrap_or(0);
        if va == 0 {
            return Ok(());
        }
        let meta = va
            .checked_sub(self.preferred_base)
            .filter(|r| *r < u64::from(self.size))
            .ok_or_else(|| format!("CHPEMetadataPointer {va:#x} lies outside the image"))?
            as u32;
        let field = |off: u32| {
            u32_at(&self.mapped, meta + off)
                .ok_or_else(|| format!("the Arm64EC metadata at RVA {meta:#x} is cut off"))
        };
        let version = field(0)?;
        if version == 0 {
            return Err("Arm64EC metadata version 0".into());
        }
        let (map, count) = (field(4)?, field(8)?);
        for k in 0..count {
            let (start, len) = (
                u32_at(&self.mapped, map + 8 * k).ok_or("the code map runs past the image")?,
                u32_at(&self.mapped, map + 8 * k + 4).ok_or("the code map runs past the image")?,
            );
            let kind = match start & 3 {
                0 => CodeKind::Arm64,
                1 => CodeKind::Arm64ec,
                2 => CodeKind::X64,
                _ => return Err(format!("code map entry {k} has kind 3")),
            };
            let start = start & !3;
            self.code_map.push(CodeRange { start, end: start.saturating_add(len), kind });
        }
        for (off, routine) in METADATA_SLOTS {
            let slot = field(off)?;
            if slot != 0 {
                self.slots.push((slot, routine));
            }
        }
        Ok(())
    }

    /// The code-map kind of `rva`, if it lies in a code range.
    pub fn code_kind(&self, rva: u64) -> Option<CodeKind> {
        self.code_map
            .iter()
            .find(|r| u64::from(r.start) <= rva && rva < u64::from(r.end))
            .map(|r| r.kind)
    }

    /// Rebase `mem` (a copy of [`Image::mapped`]) from the preferred base to `base`.
    pub fn relocate(&self, mem: &mut [u8], base: u64) -> Result<(), String> {
        let delta = base.wrapping_sub(self.preferred_base);
        if delta == 0 {
            return Ok(());
        }
        for &(rva, kind) in &self.relocs {
            let at = rva as usize;
            match kind {
                Reloc::Dir64 => {
                    let b = mem.get_mut(at..at + 8).ok_or("a relocation lies past the image")?;
                    let v = u64::from_le_bytes(b.try_into().unwrap()).wrapping_add(delta);
                    b.copy_from_slice(&v.to_le_bytes());
                }
                Reloc::HighLow => {
                    let b = mem.get_mut(at..at + 4).ok_or("a relocation lies past the image")?;
                    let v = u32::from_le_bytes(b.try_into().unwrap()).wrapping_add(delta as u32);
                    b.copy_from_slice(&v.to_le_bytes());
                }
            }
        }
        Ok(())
    }

    /// Where the byte at `rva` is in the file (for patching a copy of it).
    pub fn file_offset(&self, rva: u32) -> Option<usize> {
        let s = self.section_at(rva)?;
        (rva - s.rva < s.file_size).then(|| (s.file_offset + (rva - s.rva)) as usize)
    }

    pub fn section_at(&self, rva: u32) -> Option<&Section> {
        self.sections.iter().find(|s| s.rva <= rva && rva < s.rva + s.size.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_names_round_trip() {
        for (_, r) in METADATA_SLOTS {
            assert_eq!(OsRoutine::from_slot_name(r.slot_name()), Some(r));
        }
        assert_eq!(
            OsRoutine::from_slot_name("__os_arm64x_check_icall"),
            Some(OsRoutine::DispatchIcall)
        );
        assert_eq!(OsRoutine::from_slot_name("__os_arm64x_helper3"), None);
    }

    #[test]
    fn rejects_what_is_not_a_pe_image() {
        assert!(Image::parse(b"hello").err().unwrap().contains("no MZ"));
        let mut b = vec![0u8; 256];
        b[..2].copy_from_slice(b"MZ");
        assert!(Image::parse(&b).err().unwrap().contains("PE32+"));
    }
}
