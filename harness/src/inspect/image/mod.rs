//! Linked PE32+ images: plain x64 and ARM64, Arm64EC (AMD64 header plus CHPE metadata) and
//! Arm64X (ARM64 header, CHPE metadata and ARM64X dynamic relocations that turn the file
//! into its EC view).
//!
//! The `object` crate reads the headers, sections, export, import and base-relocation
//! tables; this module adds what it lacks: the CHPE metadata and its tables ([`chpe`]), the
//! dynamic value relocation table with its ARM64X fixups ([`dvrt`]) and the exception
//! tables of both architectures ([`tables`]).
//!
//! Every RVA, size and count is checked against the file. Inconsistencies become
//! [`Problem`]s and decoding goes on with what can be read; only a file that is not a
//! PE32+ image at all is an error.
//!
//! One [`ImageView`] is one view of the file: what its headers say. For an Arm64X image
//! that is the native (ARM64) view; [`ImageView::ec_view_bytes`] applies the ARM64X fixups
//! to a copy of the file, and parsing that copy gives the EC view (AMD64 header, EC load
//! config, EC exports and imports, x64 exception directory; [`ViewKind::Arm64xEc`]).
//!
//! In both views the exception directory holds the runtime functions of the header's
//! architecture and the CHPE `ExtraRFETable` those of the other one: an Arm64EC view
//! (AMD64 header) keeps its ARM64 `.pdata` in `ExtraRFETable`, the native view of an
//! Arm64X image keeps its x64 `.pdata` there.

pub mod chpe;
pub mod dvrt;
pub mod load_config;
mod render;
pub mod tables;

pub use chpe::{Chpe, CodeKind, CodeRange, EntryRange, Redirection};
pub use dvrt::{Arm64xFixup, Dvrt, DynamicRelocation, FixupKind};
pub use load_config::{LoadConfig, LoadConfigField};
pub use tables::{
    Arm64RuntimeFunction, AuxIatSlot, BaseReloc, Export, Import, ImportDescriptor,
    X64RuntimeFunction,
};

use crate::error::Error;
use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile64};
use serde::Serialize;
use std::path::Path;

/// Header machine values an image can carry.
pub const MACHINE_AMD64: u16 = 0x8664;
pub const MACHINE_ARM64: u16 = 0xAA64;
pub const MACHINE_ARM64EC: u16 = 0xA641;
pub const MACHINE_ARM64X: u16 = 0xA64E;

/// `IMAGE_SCN_CNT_CODE` and `IMAGE_SCN_MEM_EXECUTE`.
const SCN_CNT_CODE: u32 = 0x20;
const SCN_MEM_EXECUTE: u32 = 0x2000_0000;
/// `IMAGE_FILE_DLL`.
const FILE_DLL: u16 = 0x2000;

/// Which view of which kind of image the bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewKind {
    /// No CHPE metadata: a plain x64 or ARM64 image (or one whose CHPE pointer is 0).
    Plain,
    /// CHPE metadata and no ARM64X fixups: an Arm64EC image.
    Arm64Ec,
    /// An Arm64X image as linked: the native (ARM64) view.
    Arm64xNative,
    /// An Arm64X image with its ARM64X fixups already applied (the bytes of
    /// [`ImageView::ec_view_bytes`]): the EC view.
    Arm64xEc,
}

/// Something structurally wrong that decoding stepped around.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rva: Option<u32>,
}

impl Problem {
    pub fn new(what: impl Into<String>, rva: Option<u32>) -> Self {
        Problem { what: what.into(), rva }
    }
}

/// A section header of the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageSection {
    pub name: String,
    pub rva: u32,
    pub virtual_size: u32,
    pub file_offset: u32,
    pub raw_size: u32,
    pub characteristics: u32,
}

impl ImageSection {
    pub fn is_code(&self) -> bool {
        self.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE) != 0
    }

    /// Bytes the section spans in memory (the raw size when the virtual size is 0).
    pub fn extent(&self) -> u32 {
        if self.virtual_size == 0 { self.raw_size } else { self.virtual_size }
    }

    pub fn contains(&self, rva: u32) -> bool {
        rva.checked_sub(self.rva).is_some_and(|off| off < self.extent())
    }
}

/// The file-backed memory of an image: the headers (identity-mapped up to
/// `SizeOfHeaders`) and each section's raw data. Bytes a section only has in memory (its
/// zero-filled tail) are not readable here.
#[derive(Clone, Copy)]
pub(crate) struct Mem<'a> {
    pub bytes: &'a [u8],
    pub headers: u32,
    pub sections: &'a [ImageSection],
}

impl<'a> Mem<'a> {
    /// Memory where every RVA is its file offset (for decoding hand-built buffers).
    #[cfg(test)]
    pub fn flat(bytes: &'a [u8]) -> Self {
        Mem { bytes, headers: u32::try_from(bytes.len()).unwrap_or(u32::MAX), sections: &[] }
    }

    /// The file offset of `len` bytes at `rva`, when all of them are file-backed.
    pub fn offset(&self, rva: u32, len: u32) -> Option<usize> {
        let end = u64::from(rva) + u64::from(len);
        let file_end = |off: u64| (off + u64::from(len) <= self.bytes.len() as u64).then_some(off);
        match self.sections.iter().find(|s| s.contains(rva)) {
            Some(s) => {
                let within = rva - s.rva;
                let backed = s.raw_size.min(s.extent());
                if u64::from(within) + u64::from(len) > u64::from(backed) {
                    return None;
                }
                file_end(u64::from(s.file_offset) + u64::from(within)).map(|o| o as usize)
            }
            None if end <= u64::from(self.headers) => file_end(u64::from(rva)).map(|o| o as usize),
            None => None,
        }
    }

    pub fn read(&self, rva: u32, len: u32) -> Option<&'a [u8]> {
        let at = self.offset(rva, len)?;
        self.bytes.get(at..at + len as usize)
    }

    pub fn u32(&self, rva: u32) -> Option<u32> {
        self.read(rva, 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64(&self, rva: u32) -> Option<u64> {
        self.read(rva, 8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }

    /// The file-backed bytes from `rva` to the end of its section (or of the headers).
    pub fn rest(&self, rva: u32) -> Option<&'a [u8]> {
        let len = match self.sections.iter().find(|s| s.contains(rva)) {
            Some(s) => s.raw_size.min(s.extent()).checked_sub(rva - s.rva)?,
            None => self.headers.checked_sub(rva)?,
        };
        let at = self.offset(rva, 0)?;
        let len = (len as usize).min(self.bytes.len().saturating_sub(at));
        self.bytes.get(at..at + len)
    }
}

/// Everything the image checks know about one linked image, over the caller's bytes.
#[derive(Clone, Debug, Serialize)]
pub struct ImageView<'d> {
    pub name: String,
    #[serde(skip)]
    pub bytes: &'d [u8],
    /// The header's machine: 0x8664 for Arm64EC images, 0xAA64 for Arm64X images.
    pub machine: u16,
    pub view: ViewKind,
    pub image_base: u64,
    pub entry_rva: u32,
    pub is_dll: bool,
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub sections: Vec<ImageSection>,
    pub exports: Vec<Export>,
    /// The import and delay-import descriptors, including DLLs whose lists are empty.
    pub import_descriptors: Vec<ImportDescriptor>,
    pub imports: Vec<Import>,
    pub delay_imports: Vec<Import>,
    pub load_config: Option<LoadConfig>,
    pub chpe: Option<Chpe>,
    /// The auxiliary IAT slots paired with each import and delay import: Arm64EC images
    /// and the EC view of Arm64X images (the native view's imports have none).
    pub aux_iat: Vec<AuxIatSlot>,
    /// x64 `RUNTIME_FUNCTION`s: the exception directory of an AMD64 header, or the CHPE
    /// `ExtraRFETable` of an ARM64 header (the native view of an Arm64X image).
    pub pdata_x64: Vec<X64RuntimeFunction>,
    /// ARM64 `.pdata` entries: the exception directory of an ARM64 header, or the CHPE
    /// `ExtraRFETable` of an AMD64 header (an Arm64EC image).
    pub pdata_arm64: Vec<Arm64RuntimeFunction>,
    pub base_relocs: Vec<BaseReloc>,
    pub dvrt: Option<Dvrt>,
    pub problems: Vec<Problem>,
}

impl<'d> ImageView<'d> {
    /// Read a PE32+ image. The error (naming the file) is only for bytes that are not a
    /// PE32+ image; every later inconsistency is a [`Problem`].
    pub fn parse(name: &str, bytes: &'d [u8]) -> Result<ImageView<'d>, Error> {
        let path = Path::new(name);
        if !bytes.starts_with(b"MZ") {
            return Err(Error::at_file(path, "not a PE image (no MZ header)"));
        }
        let file = PeFile64::parse(bytes)
            .map_err(|e| Error::at_file(path, format!("not a PE32+ image: {e}")))?;
        let nt = file.nt_headers();
        let header = nt.file_header();
        let opt = nt.optional_header();
        let sections: Vec<ImageSection> = file
            .section_table()
            .iter()
            .map(|s| {
                let raw = &s.name;
                let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
                ImageSection {
                    name: String::from_utf8_lossy(&raw[..end]).into_owned(),
                    rva: s.virtual_address.get(LE),
                    virtual_size: s.virtual_size.get(LE),
                    file_offset: s.pointer_to_raw_data.get(LE),
                    raw_size: s.size_of_raw_data.get(LE),
                    characteristics: s.characteristics.get(LE).0,
                }
            })
            .collect();
        let machine = header.machine.get(LE).0;
        let image_base = opt.image_base();
        let size_of_image = opt.size_of_image();
        let size_of_headers = opt.size_of_headers();
        let mem = Mem { bytes, headers: size_of_headers, sections: &sections };
        let mut problems = Vec::new();
        let dirs = file.data_directories();
        let dir = |i: usize| dirs.get(i).map(|d| d.address_range()).unwrap_or((0, 0));

        let exports = tables::exports(&file, &mut problems);
        let (mut import_descriptors, imports) =
            tables::imports(&file, dir(pe::IMAGE_DIRECTORY_ENTRY_IMPORT).0, &mut problems);
        let (delay_descriptors, delay_imports) = tables::delay_imports(
            &file,
            dir(pe::IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT).0,
            &mut problems,
        );
        import_descriptors.extend(delay_descriptors);
        let base_relocs = tables::base_relocs(&file, &mut problems);
        let load_config = load_config::load_config(
            mem,
            dir(pe::IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG),
            &mut problems,
        );

        let va_to_rva = |va: u64| {
            va.checked_sub(image_base).filter(|&r| r < u64::from(size_of_image)).map(|r| r as u32)
        };
        let mut chpe = None;
        let mut dvrt = None;
        if let Some(lc) = &load_config {
            if lc.chpe_metadata_va != 0 {
                match va_to_rva(lc.chpe_metadata_va) {
                    Some(rva) => chpe = chpe::decode(mem, rva, &mut problems),
                    None => problems.push(Problem::new(
                        format!(
                            "CHPE metadata pointer {:#x} is not inside the image \
                             (base {image_base:#x}, size {size_of_image:#x})",
                            lc.chpe_metadata_va
                        ),
                        None,
                    )),
                }
            }
            dvrt = locate_dvrt(mem, lc, va_to_rva, &mut problems);
        }
        let view =
            match (&chpe, &dvrt) {
                (None, _) => ViewKind::Plain,
                (Some(_), Some(d)) if d.arm64x_fixups().next().is_some() => {
                    if fixups_applied(mem, d) { ViewKind::Arm64xEc } else { ViewKind::Arm64xNative }
                }
                (Some(_), _) => ViewKind::Arm64Ec,
            };
        let aux_iat = match (&chpe, view) {
            (Some(c), ViewKind::Arm64Ec | ViewKind::Arm64xEc) => {
                // In the EC view, undo the DELTA fixups lld uses to move delay descriptors
                // from the native lists to the EC ones.
                let linked = |d: &ImportDescriptor| match &dvrt {
                    Some(t) if view == ViewKind::Arm64xEc => t
                        .arm64x_fixups()
                        .find(|f| f.rva == d.iat_field_rva())
                        .map_or(d.iat_rva, |f| match f.kind {
                            FixupKind::Delta { delta } => d.iat_rva.wrapping_sub(delta as u32),
                            _ => d.iat_rva,
                        }),
                    _ => d.iat_rva,
                };
                tables::aux_iat_slots(mem, c, &import_descriptors, &imports, &delay_imports, linked)
            }
            _ => Vec::new(),
        };

        let exception = dir(pe::IMAGE_DIRECTORY_ENTRY_EXCEPTION);
        let extra = chpe.as_ref().map(|c| c.extra_rfe_table).unwrap_or((0, 0));
        let (x64_table, arm64_table) = match machine {
            MACHINE_AMD64 | MACHINE_ARM64EC => {
                ((exception, "exception directory"), (extra, "CHPE ExtraRFETable"))
            }
            MACHINE_ARM64 | MACHINE_ARM64X => {
                ((extra, "CHPE ExtraRFETable"), (exception, "exception directory"))
            }
            _ => (((0, 0), ""), ((0, 0), "")),
        };
        let pdata_x64 = tables::x64_pdata(mem, x64_table.0, x64_table.1, &mut problems);
        let pdata_arm64 = tables::arm64_pdata(mem, arm64_table.0, arm64_table.1, &mut problems);

        if let Some(d) = &dvrt {
            problems.extend(fixup_offsets(mem, d).1);
        }
        Ok(ImageView {
            name: name.to_string(),
            bytes,
            machine,
            view,
            image_base,
            entry_rva: opt.address_of_entry_point(),
            is_dll: header.characteristics.get(LE).0 & FILE_DLL != 0,
            size_of_image,
            size_of_headers,
            sections,
            exports,
            import_descriptors,
            imports,
            delay_imports,
            load_config,
            chpe,
            aux_iat,
            pdata_x64,
            pdata_arm64,
            base_relocs,
            dvrt,
            problems,
        })
    }

    pub(crate) fn mem(&self) -> Mem<'_> {
        Mem { bytes: self.bytes, headers: self.size_of_headers, sections: &self.sections }
    }

    /// Bytes of the mapped image at `rva`, when every one of them comes from the file
    /// (the headers or a section's raw data). `None` for a range that reaches a section's
    /// zero-filled tail, a gap between sections, or past the end of the file.
    pub fn read_rva(&self, rva: u32, len: u32) -> Option<&'d [u8]> {
        let at = self.mem().offset(rva, len)?;
        self.bytes.get(at..at + len as usize)
    }

    /// The file offset of `len` bytes at `rva`, when all of them are file-backed.
    pub fn file_offset(&self, rva: u32, len: u32) -> Option<usize> {
        self.mem().offset(rva, len)
    }

    pub fn u32_at(&self, rva: u32) -> Option<u32> {
        self.read_rva(rva, 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn section_of(&self, rva: u32) -> Option<&ImageSection> {
        self.sections.iter().find(|s| s.contains(rva))
    }

    /// The image has CHPE metadata (a non-zero `CHPEMetadataPointer`): Arm64EC or Arm64X.
    pub fn is_arm64ec(&self) -> bool {
        self.load_config.as_ref().is_some_and(|l| l.chpe_metadata_va != 0)
    }

    /// Either view of an Arm64X image.
    pub fn is_arm64x(&self) -> bool {
        matches!(self.view, ViewKind::Arm64xNative | ViewKind::Arm64xEc)
    }

    /// The RVA of a virtual address, when it falls inside the image.
    pub fn va_to_rva(&self, va: u64) -> Option<u32> {
        let rva = va.checked_sub(self.image_base)?;
        (rva < u64::from(self.size_of_image)).then_some(rva as u32)
    }

    /// The ARM64X fixups of the dynamic relocation table, in table order.
    pub fn arm64x_fixups(&self) -> impl Iterator<Item = &Arm64xFixup> {
        self.dvrt.iter().flat_map(|d| d.arm64x_fixups())
    }

    /// A copy of the whole file with every ARM64X fixup applied at its file offset: the
    /// EC view of an Arm64X image (parse it with [`ImageView::parse`]). `None` when the
    /// image is not the native view of an Arm64X image (no ARM64X dynamic relocations, or
    /// bytes that already are the EC view: DELTA fixups must not be applied twice).
    /// Fixups that land outside the file-backed image are skipped (parsing reports them
    /// as problems).
    pub fn ec_view_bytes(&self) -> Option<Vec<u8>> {
        if self.view != ViewKind::Arm64xNative {
            return None;
        }
        let mut copy = self.bytes.to_vec();
        if let Some(d) = &self.dvrt {
            for (at, f) in fixup_offsets(self.mem(), d).0 {
                if let Some(target) = copy.get_mut(at..at + f.kind.size() as usize) {
                    f.kind.apply(target);
                }
            }
        }
        Some(copy)
    }

    /// Where the export thunk at `rva` jumps (the EC function a redirection entry names),
    /// when the bytes there are lld's export thunk: `mov rax,rsp; mov [rax+20h],rbx;
    /// push rbp; pop rbp; jmp rel32`.
    pub fn export_thunk_target(&self, rva: u32) -> Option<u32> {
        const HEAD: [u8; 10] = [0x48, 0x8B, 0xC4, 0x48, 0x89, 0x58, 0x20, 0x55, 0x5D, 0xE9];
        let b = self.read_rva(rva, 14)?;
        if b[..10] != HEAD {
            return None;
        }
        let rel = i32::from_le_bytes([b[10], b[11], b[12], b[13]]);
        Some(rva.wrapping_add(14).wrapping_add_signed(rel))
    }

    /// The entry-thunk offset word in front of an EC function: the raw word at
    /// `fn_rva - 4` and the thunk it names (`fn_rva + (word & !3)`, sign-extended), when
    /// the word's low two bits are `01`.
    pub fn entry_thunk_word(&self, fn_rva: u32) -> Option<(u32, Option<u32>)> {
        let word = self.u32_at(fn_rva.checked_sub(4)?)?;
        let thunk = (word & 3 == 1).then(|| fn_rva.wrapping_add_signed((word & !3) as i32));
        Some((word, thunk))
    }

    /// A human rendering for `harness inspect`; for an Arm64X image the EC view follows.
    pub fn render(&self) -> String {
        render::render(self)
    }

    /// The JSON facts; for an Arm64X image `ec_view` holds the facts of its EC view.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let (Some(bytes), Some(obj)) = (self.ec_view_bytes(), v.as_object_mut()) {
            let ec = ImageView::parse(&format!("{} (EC view)", self.name), &bytes)
                .map(|e| serde_json::to_value(&e).unwrap_or_default())
                .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
            obj.insert("ec_view".into(), ec);
        }
        v
    }
}

/// The dynamic value relocation table the load config names: by section and offset
/// (what lld writes), else by its virtual address.
fn locate_dvrt(
    mem: Mem,
    lc: &LoadConfig,
    va_to_rva: impl Fn(u64) -> Option<u32>,
    problems: &mut Vec<Problem>,
) -> Option<Dvrt> {
    let rva = if lc.dvrt_section != 0 {
        let Some(s) = mem.sections.get(usize::from(lc.dvrt_section) - 1) else {
            problems.push(Problem::new(
                format!(
                    "load config names DVRT section {}, but the image has {} sections",
                    lc.dvrt_section,
                    mem.sections.len()
                ),
                None,
            ));
            return None;
        };
        s.rva.checked_add(lc.dvrt_offset)
    } else if lc.dynamic_value_reloc_table_va != 0 {
        va_to_rva(lc.dynamic_value_reloc_table_va)
    } else {
        return None;
    };
    let Some(data) = rva.and_then(|r| mem.rest(r)) else {
        problems.push(Problem::new(
            format!(
                "DVRT (section {}, offset {:#x}, VA {:#x}) is not in the file",
                lc.dvrt_section, lc.dvrt_offset, lc.dynamic_value_reloc_table_va
            ),
            rva,
        ));
        return None;
    };
    dvrt::decode(data, rva.unwrap_or(0), problems)
}

/// The bytes already hold every VALUE and ZEROFILL fixup (and there is at least one):
/// they are an EC view.
fn fixups_applied(mem: Mem, dvrt: &Dvrt) -> bool {
    let mut checked = 0;
    for f in dvrt.arm64x_fixups() {
        let want = match f.kind {
            FixupKind::ZeroFill { .. } => 0,
            FixupKind::Value { value, .. } => value,
            FixupKind::Delta { .. } => continue,
        };
        let Some(have) = mem.read(f.rva, f.kind.size()) else { return false };
        let mut le = [0u8; 8];
        le[..have.len().min(8)].copy_from_slice(&have[..have.len().min(8)]);
        if u64::from_le_bytes(le) != want {
            return false;
        }
        checked += 1;
    }
    checked > 0
}

/// The file offset each ARM64X fixup of `dvrt` patches, and a problem for each fixup that
/// lands outside the file-backed image.
fn fixup_offsets<'f>(mem: Mem, dvrt: &'f Dvrt) -> (Vec<(usize, &'f Arm64xFixup)>, Vec<Problem>) {
    let mut offsets = Vec::new();
    let mut problems = Vec::new();
    for f in dvrt.arm64x_fixups() {
        match mem.offset(f.rva, f.kind.size()) {
            Some(at) => offsets.push((at, f)),
            None => problems.push(Problem::new(
                format!(
                    "ARM64X fixup ({}) at {:#x} is outside the file-backed image",
                    f.kind, f.rva
                ),
                Some(f.rva),
            )),
        }
    }
    (offsets, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_the_headers_and_the_raw_part_of_each_section() {
        let bytes = vec![7u8; 0x500];
        let sections = [ImageSection {
            name: ".text".into(),
            rva: 0x1000,
            virtual_size: 0x200,
            file_offset: 0x400,
            raw_size: 0x100,
            characteristics: SCN_CNT_CODE,
        }];
        let mem = Mem { bytes: &bytes, headers: 0x400, sections: &sections };
        assert_eq!(mem.offset(0, 2), Some(0));
        assert_eq!(mem.offset(0x3FE, 2), Some(0x3FE));
        assert_eq!(mem.offset(0x3FF, 2), None, "past the headers");
        assert_eq!(mem.offset(0x1000, 0x100), Some(0x400));
        assert_eq!(mem.offset(0x10FF, 2), None, "into the zero-filled tail");
        assert_eq!(mem.offset(0x1100, 1), None);
        assert_eq!(mem.offset(0x1200, 1), None, "past the section");
        assert_eq!(mem.offset(u32::MAX, 8), None);
        assert_eq!(mem.rest(0x1080).map(<[u8]>::len), Some(0x80));
        assert_eq!(mem.rest(0x3F0).map(<[u8]>::len), Some(0x10));
        assert_eq!(mem.rest(0x1100).map_or(0, <[u8]>::len), 0, "the raw data ends there");
        // A section whose raw data runs past the end of the file.
        let short = &bytes[..0x480];
        let mem = Mem { bytes: short, headers: 0x400, sections: &sections };
        assert_eq!(mem.offset(0x1000, 0x80), Some(0x400));
        assert_eq!(mem.offset(0x1000, 0x81), None);
        assert_eq!(mem.rest(0x1000).map(<[u8]>::len), Some(0x80));
        assert!(
            sections[0].is_code() && sections[0].contains(0x11FF) && !sections[0].contains(0x1200)
        );
    }
}
