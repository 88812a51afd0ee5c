//! The image tables read through the `object` crate (exports, imports, delay imports, base
//! relocations) and those it does not decode (x64 and ARM64 exception tables, the
//! auxiliary IATs of Arm64EC images).

use super::chpe::Chpe;
use super::{Mem, Problem};
use crate::inspect::unwind::{self, UnwindError, UnwindKind};
use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ExportTarget, ImageThunkData, PeFile64};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Export {
    pub name: Option<String>,
    pub ordinal: u32,
    /// The export address: for an Arm64EC function, its x64 entry (an export thunk).
    pub rva: u32,
    /// `DLL.name` or `DLL.#ordinal` when the export forwards.
    pub forwarder: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Import {
    pub dll: String,
    pub name: Option<String>,
    pub ordinal: Option<u16>,
    pub hint: Option<u16>,
    /// The IAT slot this import fills.
    pub iat_rva: u32,
    /// Its import name table (lookup table) entry.
    pub int_rva: u32,
}

impl Import {
    /// `dll!name` or `dll!#ordinal`.
    pub fn label(&self) -> String {
        match (&self.name, self.ordinal) {
            (Some(n), _) => format!("{}!{n}", self.dll),
            (None, Some(o)) => format!("{}!#{o}", self.dll),
            (None, None) => format!("{}!?", self.dll),
        }
    }
}

/// One import descriptor (regular or delay-load): a DLL and its lists, even when empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportDescriptor {
    pub dll: String,
    pub delay: bool,
    /// Where the descriptor itself is.
    pub rva: u32,
    /// Its IAT (`FirstThunk`, or the delay descriptor's `ImportAddressTableRVA`).
    pub iat_rva: u32,
    /// Its lookup table (`OriginalFirstThunk`, or `ImportNameTableRVA`).
    pub int_rva: u32,
    /// Imports decoded from the lookup table.
    pub count: u32,
}

impl ImportDescriptor {
    /// The RVA of the descriptor's IAT field.
    pub fn iat_field_rva(&self) -> u32 {
        self.rva.wrapping_add(if self.delay { 12 } else { 16 })
    }
}

/// An auxiliary IAT slot of an Arm64EC image, found at the same offset from the
/// auxiliary table as the import's slot from the first IAT slot (lld lays the auxiliary
/// tables out parallel to the IATs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuxIatSlot {
    pub import: String,
    pub delay: bool,
    pub iat_rva: u32,
    pub aux_rva: u32,
    /// The slot's initial value (a VA), when file-backed.
    pub aux_value: Option<u64>,
    pub copy_rva: u32,
    pub copy_value: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BaseReloc {
    pub rva: u32,
    /// `IMAGE_REL_BASED_*` (10 = DIR64).
    #[serde(rename = "type")]
    pub kind: u16,
}

/// An x64 `RUNTIME_FUNCTION` (12 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct X64RuntimeFunction {
    pub begin: u32,
    pub end: u32,
    pub unwind_info: u32,
}

/// An ARM64 `.pdata` entry (8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Arm64RuntimeFunction {
    pub begin: u32,
    pub unwind_word: u32,
}

impl Arm64RuntimeFunction {
    /// Packed unwind data, or the RVA of an `.xdata` record.
    pub fn unwind(&self) -> Result<UnwindKind, UnwindError> {
        unwind::decode_unwind_data(self.unwind_word)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn exports(file: &PeFile64, problems: &mut Vec<Problem>) -> Vec<Export> {
    let table = match file.export_table() {
        Ok(Some(t)) => t,
        Ok(None) => return Vec::new(),
        Err(e) => {
            problems.push(Problem::new(format!("export table: {e}"), None));
            return Vec::new();
        }
    };
    let mut names: Vec<(u16, String)> = Vec::new();
    for (pointer, index) in table.name_iter() {
        match table.name_from_pointer(pointer) {
            Ok(n) => names.push((index.0, text(n))),
            Err(e) => problems.push(Problem::new(format!("export name: {e}"), Some(pointer))),
        }
    }
    let base = u32::from(table.ordinal_base());
    let mut out = Vec::new();
    for (i, addr) in table.addresses().iter().enumerate() {
        let rva = addr.get(LE);
        if rva == 0 {
            continue;
        }
        let forwarder = match table.target_from_address(rva) {
            Ok(ExportTarget::Address(_)) => None,
            Ok(ExportTarget::ForwardByName(dll, name)) => {
                Some(format!("{}.{}", text(dll), text(name)))
            }
            Ok(ExportTarget::ForwardByOrdinal(dll, ord)) => {
                Some(format!("{}.#{}", text(dll), ord.0))
            }
            Err(e) => {
                problems.push(Problem::new(format!("export {}: {e}", base + i as u32), Some(rva)));
                None
            }
        };
        let ordinal = base + i as u32;
        let mut named = names.iter().filter(|(idx, _)| usize::from(*idx) == i).peekable();
        if named.peek().is_none() {
            out.push(Export { name: None, ordinal, rva, forwarder: forwarder.clone() });
        }
        for (_, n) in named {
            out.push(Export { name: Some(n.clone()), ordinal, rva, forwarder: forwarder.clone() });
        }
    }
    out
}

/// The descriptors and imports of the import directory at `dir_rva`.
pub(crate) fn imports(
    file: &PeFile64,
    dir_rva: u32,
    problems: &mut Vec<Problem>,
) -> (Vec<ImportDescriptor>, Vec<Import>) {
    let mut out = (Vec::new(), Vec::new());
    let table = match file.import_table() {
        Ok(Some(t)) => t,
        Ok(None) => return out,
        Err(e) => {
            problems.push(Problem::new(format!("import table: {e}"), None));
            return out;
        }
    };
    let mut descriptors = match table.descriptors() {
        Ok(d) => d,
        Err(e) => {
            problems.push(Problem::new(format!("import table: {e}"), None));
            return out;
        }
    };
    for index in 0u32.. {
        let d = match descriptors.next() {
            Ok(Some(d)) => d,
            Ok(None) => break,
            Err(e) => {
                problems.push(Problem::new(format!("import descriptors: {e}"), None));
                break;
            }
        };
        let dll = match table.name(d.name.get(LE)) {
            Ok(n) => text(n),
            Err(e) => {
                problems.push(Problem::new(format!("import DLL name: {e}"), Some(d.name.get(LE))));
                "?".into()
            }
        };
        let iat = d.first_thunk.get(LE);
        let int = match d.original_first_thunk.get(LE) {
            0 => iat,
            x => x,
        };
        let resolve = |thunk| table.import::<pe::ImageNtHeaders64>(thunk);
        let before = out.1.len();
        thunk_list(table.thunks(int), &dll, iat, int, resolve, &mut out.1, problems);
        let rva = dir_rva.wrapping_add(index.wrapping_mul(20));
        let count = (out.1.len() - before) as u32;
        out.0.push(ImportDescriptor { dll, delay: false, rva, iat_rva: iat, int_rva: int, count });
    }
    out
}

/// The descriptors and imports of the delay-load import directory at `dir_rva`.
pub(crate) fn delay_imports(
    file: &PeFile64,
    dir_rva: u32,
    problems: &mut Vec<Problem>,
) -> (Vec<ImportDescriptor>, Vec<Import>) {
    let mut out = (Vec::new(), Vec::new());
    let table = match file.delay_load_import_table() {
        Ok(Some(t)) => t,
        Ok(None) => return out,
        Err(e) => {
            problems.push(Problem::new(format!("delay import table: {e}"), None));
            return out;
        }
    };
    let mut descriptors = match table.descriptors() {
        Ok(d) => d,
        Err(e) => {
            problems.push(Problem::new(format!("delay import table: {e}"), None));
            return out;
        }
    };
    for index in 0u32.. {
        let d = match descriptors.next() {
            Ok(Some(d)) => d,
            Ok(None) => break,
            Err(e) => {
                problems.push(Problem::new(format!("delay import descriptors: {e}"), None));
                break;
            }
        };
        if d.attributes.get(LE) & 1 == 0 {
            problems.push(Problem::new(
                "delay import descriptor uses VAs (Attributes bit 0 clear); not decoded",
                Some(d.dll_name_rva.get(LE)),
            ));
            continue;
        }
        let dll = match table.name(d.dll_name_rva.get(LE)) {
            Ok(n) => text(n),
            Err(e) => {
                problems.push(Problem::new(format!("delay import DLL name: {e}"), None));
                "?".into()
            }
        };
        let iat = d.import_address_table_rva.get(LE);
        let int = d.import_name_table_rva.get(LE);
        let resolve = |thunk| table.import::<pe::ImageNtHeaders64>(thunk);
        let before = out.1.len();
        thunk_list(table.thunks(int), &dll, iat, int, resolve, &mut out.1, problems);
        let rva = dir_rva.wrapping_add(index.wrapping_mul(32));
        let count = (out.1.len() - before) as u32;
        out.0.push(ImportDescriptor { dll, delay: true, rva, iat_rva: iat, int_rva: int, count });
    }
    out
}

/// The imports named by one lookup table.
fn thunk_list<'data>(
    list: object::read::Result<object::read::pe::ImportThunkList<'data>>,
    dll: &str,
    iat: u32,
    int: u32,
    resolve: impl Fn(pe::ImageThunkData64) -> object::read::Result<object::read::pe::Import<'data>>,
    out: &mut Vec<Import>,
    problems: &mut Vec<Problem>,
) {
    let mut list = match list {
        Ok(l) => l,
        Err(e) => {
            problems.push(Problem::new(format!("imports of {dll}: {e}"), Some(int)));
            return;
        }
    };
    for i in 0u32.. {
        let thunk = match list.next::<pe::ImageNtHeaders64>() {
            Ok(Some(t)) => t,
            Ok(None) => break,
            Err(e) => {
                problems.push(Problem::new(format!("imports of {dll}: {e}"), Some(int)));
                break;
            }
        };
        let (iat_rva, int_rva) = (iat.wrapping_add(i * 8), int.wrapping_add(i * 8));
        let mut import = Import {
            dll: dll.to_string(),
            name: None,
            ordinal: None,
            hint: None,
            iat_rva,
            int_rva,
        };
        match resolve(thunk) {
            Ok(object::read::pe::Import::Ordinal(o)) => import.ordinal = Some(o),
            Ok(object::read::pe::Import::Name(hint, name)) => {
                import.hint = Some(hint);
                import.name = Some(text(name));
            }
            Err(e) => problems.push(Problem::new(
                format!("import {i} of {dll} ({:#x}): {e}", thunk.raw()),
                Some(int_rva),
            )),
        }
        out.push(import);
    }
}

pub(crate) fn base_relocs(file: &PeFile64, problems: &mut Vec<Problem>) -> Vec<BaseReloc> {
    let blocks = match file.data_directories().relocation_blocks(file.data(), &file.section_table())
    {
        Ok(Some(b)) => b,
        Ok(None) => return Vec::new(),
        Err(e) => {
            problems.push(Problem::new(format!("base relocations: {e}"), None));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Ok(relocs) => out.extend(
                relocs
                    .filter(|r| r.typ.0 != 0)
                    .map(|r| BaseReloc { rva: r.virtual_address, kind: r.typ.0 }),
            ),
            Err(e) => {
                problems.push(Problem::new(format!("base relocations: {e}"), None));
                break;
            }
        }
    }
    out
}

/// The `size`-byte entries of the table at `(rva, bytes)`: the ones that fit in the file
/// data, with problems for a ragged or cut-short table.
fn entries<'a>(
    mem: Mem<'a>,
    (rva, bytes): (u32, u32),
    size: u32,
    source: &str,
    problems: &mut Vec<Problem>,
) -> std::slice::ChunksExact<'a, u8> {
    if rva == 0 || bytes == 0 {
        return [].chunks_exact(size as usize);
    }
    if bytes % size != 0 {
        problems.push(Problem::new(
            format!("{source} size {bytes:#x} is not a multiple of {size}"),
            Some(rva),
        ));
    }
    let available = mem.rest(rva).unwrap_or(&[]);
    if bytes as usize > available.len() {
        problems.push(Problem::new(
            format!("{source} at {rva:#x} ({bytes:#x} bytes) runs past the file data"),
            Some(rva),
        ));
    }
    available[..(bytes as usize).min(available.len())].chunks_exact(size as usize)
}

fn word(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(crate) fn x64_pdata(
    mem: Mem,
    table: (u32, u32),
    source: &str,
    problems: &mut Vec<Problem>,
) -> Vec<X64RuntimeFunction> {
    entries(mem, table, 12, &format!("x64 .pdata ({source})"), problems)
        .map(|b| X64RuntimeFunction { begin: word(b, 0), end: word(b, 4), unwind_info: word(b, 8) })
        .collect()
}

pub(crate) fn arm64_pdata(
    mem: Mem,
    table: (u32, u32),
    source: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Arm64RuntimeFunction> {
    entries(mem, table, 8, &format!("ARM64 .pdata ({source})"), problems)
        .map(|b| Arm64RuntimeFunction { begin: word(b, 0), unwind_word: word(b, 4) })
        .collect()
}

/// The auxiliary IAT (and copy) slot of each import and delay import. Each auxiliary
/// table parallels the IATs of its kind from the lowest IAT RVA of the descriptors as
/// linked (`linked_iat` gives a descriptor's IAT RVA in the file as linked: in an Arm64X
/// image the native view's, whose lists come first).
pub(crate) fn aux_iat_slots(
    mem: Mem,
    chpe: &Chpe,
    descriptors: &[ImportDescriptor],
    imports: &[Import],
    delay_imports: &[Import],
    linked_iat: impl Fn(&ImportDescriptor) -> u32,
) -> Vec<AuxIatSlot> {
    let mut out = Vec::new();
    let tables = [
        (imports, false, chpe.aux_iat_rva, chpe.aux_iat_copy_rva),
        (delay_imports, true, chpe.aux_delayload_iat_rva, chpe.aux_delayload_iat_copy_rva),
    ];
    for (list, delay, aux, copy) in tables {
        let linked = descriptors.iter().filter(|d| d.delay == delay).map(&linked_iat);
        let Some(first) = linked.chain(list.iter().map(|i| i.iat_rva)).min() else { continue };
        if aux == 0 && copy == 0 {
            continue;
        }
        for i in list {
            let offset = i.iat_rva - first;
            let aux_rva = if aux == 0 { 0 } else { aux.wrapping_add(offset) };
            let copy_rva = if copy == 0 { 0 } else { copy.wrapping_add(offset) };
            out.push(AuxIatSlot {
                import: i.label(),
                delay,
                iat_rva: i.iat_rva,
                aux_rva,
                aux_value: (aux != 0).then(|| mem.u64(aux_rva)).flatten(),
                copy_rva,
                copy_value: (copy != 0).then(|| mem.u64(copy_rva)).flatten(),
            });
        }
    }
    out
}
