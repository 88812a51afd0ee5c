//! Read a COFF object (regular or bigobj) into plain facts: sections with their
//! relocations and COMDAT selection, and symbols (by raw symbol-table slot, so that
//! `.hybmp$x` indices resolve) with their weak-external targets. The `object` crate parses;
//! this module only lays the facts out for the Arm64EC checks.

use crate::error::Error;
use crate::model::Machine;
use object::LittleEndian as LE;
use object::pe;
use object::read::coff::{CoffFile, CoffHeader, Symbol as _};
use serde::Serialize;
use std::path::Path;

pub const SCN_CNT_CODE: u32 = 0x0000_0020;
pub const SCN_MEM_EXECUTE: u32 = 0x2000_0000;
pub const SCN_LNK_COMDAT: u32 = 0x0000_1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Coff,
    CoffBigobj,
}

/// A COFF object's facts. Section data stays in the caller's buffer: use
/// [`CoffObject::section_data`].
#[derive(Clone, Debug, Serialize)]
pub struct CoffObject {
    pub format: Format,
    pub machine: u16,
    pub machine_name: &'static str,
    pub sections: Vec<Section>,
    pub symbols: Vec<Symbol>,
    /// Number of symbol-table slots, auxiliary records included.
    pub symbol_slots: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    /// 1-based, as symbols and relocations number sections.
    pub index: u32,
    pub name: String,
    pub characteristics: u32,
    pub size: u32,
    #[serde(skip)]
    pub file_range: Option<(u32, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comdat: Option<Comdat>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relocations: Vec<Reloc>,
}

impl Section {
    pub fn is_code(&self) -> bool {
        self.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE) != 0
    }

    /// The name without a `$` grouping suffix (`.text$mn` → `.text`).
    pub fn base_name(&self) -> &str {
        self.name.split('$').next().unwrap_or(&self.name)
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Comdat {
    pub selection: u8,
    /// For associative COMDATs: the section this one goes with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reloc {
    pub offset: u32,
    #[serde(rename = "type")]
    pub kind: u16,
    pub type_name: &'static str,
    /// Symbol-table slot of the target.
    pub symbol: u32,
}

/// Where a symbol is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Undefined,
    Absolute,
    Debug,
    Section(u32),
}

#[derive(Clone, Debug, Serialize)]
pub struct Symbol {
    /// Raw symbol-table slot.
    pub index: u32,
    pub name: String,
    pub value: u32,
    pub place: Place,
    pub storage_class: u8,
    /// The COFF type says "function".
    pub function: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weak: Option<Weak>,
}

/// A weak external's default (target) symbol and search kind (4 = anti-dependency).
#[derive(Clone, Debug, Serialize)]
pub struct Weak {
    pub target: u32,
    pub search: u32,
}

pub const SEARCH_ANTI_DEPENDENCY: u32 = 4;
pub const CLASS_EXTERNAL: u8 = 2;
pub const CLASS_STATIC: u8 = 3;
pub const CLASS_LABEL: u8 = 6;
pub const CLASS_WEAK_EXTERNAL: u8 = 0x69;

impl Symbol {
    pub fn is_external(&self) -> bool {
        self.storage_class == CLASS_EXTERNAL || self.storage_class == CLASS_WEAK_EXTERNAL
    }

    pub fn section(&self) -> Option<u32> {
        match self.place {
            Place::Section(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_anti_dependency(&self) -> bool {
        self.weak.as_ref().is_some_and(|w| w.search == SEARCH_ANTI_DEPENDENCY)
    }
}

impl CoffObject {
    pub fn machine(&self) -> Machine {
        Machine(self.machine)
    }

    /// The section with 1-based `index`.
    pub fn section(&self, index: u32) -> Option<&Section> {
        index.checked_sub(1).and_then(|i| self.sections.get(i as usize))
    }

    pub fn section_named(&self, name: &str) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.name == name)
    }

    /// The symbol at raw slot `index` (not an auxiliary record).
    pub fn symbol(&self, index: u32) -> Option<&Symbol> {
        let i = self.symbols.binary_search_by_key(&index, |s| s.index).ok()?;
        self.symbols.get(i)
    }

    pub fn symbol_name(&self, index: u32) -> Option<&str> {
        self.symbol(index).map(|s| s.name.as_str())
    }

    pub fn symbols_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Symbol> {
        self.symbols.iter().filter(move |s| s.name == name)
    }

    /// The raw bytes of a section (empty for uninitialized data or a bad range).
    pub fn section_data<'d>(&self, bytes: &'d [u8], section: &Section) -> &'d [u8] {
        section
            .file_range
            .and_then(|(off, len)| {
                bytes.get(off as usize..(off as usize).checked_add(len as usize)?)
            })
            .unwrap_or(&[])
    }
}

/// No two sections share file bytes (compilers never write that): every check that walks
/// each section's data then reads the file about once, not once per section over it.
fn disjoint(path: &Path, sections: &[Section]) -> Result<(), Error> {
    let mut ranges: Vec<(u64, u64, &Section)> = sections
        .iter()
        .filter_map(|s| {
            s.file_range
                .filter(|r| r.1 > 0)
                .map(|(o, l)| (o.into(), u64::from(o) + u64::from(l), s))
        })
        .collect();
    ranges.sort_by_key(|r| (r.0, r.1));
    // Sorted by start, any overlap shows between neighbours.
    for w in ranges.windows(2) {
        let ((a_start, a_end, a), (b_start, _, b)) = (w[0], w[1]);
        if b_start < a_end {
            return Err(Error::at_file(
                path,
                format!(
                    "sections {} `{}` and {} `{}` share file bytes ({a_start:#x}+{:#x} and {b_start:#x}+{:#x})",
                    a.index,
                    a.name,
                    b.index,
                    b.name,
                    a_end - a_start,
                    w[1].1 - b_start
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `data` starts like a COFF object this module reads (not an archive or image).
pub fn looks_like_object(data: &[u8]) -> bool {
    if is_bigobj(data) {
        return true;
    }
    let machine = data.get(0..2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    matches!(
        machine.map(Machine),
        Some(Machine::ARM64EC | Machine::ARM64 | Machine::AMD64 | Machine::ARM64X | Machine::I386)
    )
}

/// A bigobj header: signature 0 / 0xFFFF and version 2 or later (version 0 is a short
/// import object).
fn is_bigobj(data: &[u8]) -> bool {
    data.len() >= 6
        && data[0..2] == [0, 0]
        && data[2..4] == [0xff, 0xff]
        && u16::from_le_bytes([data[4], data[5]]) >= 2
}

/// Parse a COFF object from memory; `path` names it in errors.
pub fn parse(path: &Path, data: &[u8]) -> Result<CoffObject, Error> {
    if is_bigobj(data) {
        let f = CoffFile::<_, pe::AnonObjectHeaderBigobj>::parse(data)
            .map_err(|e| Error::at_file(path, format!("not a valid COFF bigobj: {e}")))?;
        read(path, Format::CoffBigobj, data, &f)
    } else {
        let f = CoffFile::<_, pe::ImageFileHeader>::parse(data)
            .map_err(|e| Error::at_file(path, format!("not a valid COFF object: {e}")))?;
        read(path, Format::Coff, data, &f)
    }
}

fn read<'d, H: CoffHeader>(
    path: &Path,
    format: Format,
    data: &'d [u8],
    f: &CoffFile<'d, &'d [u8], H>,
) -> Result<CoffObject, Error> {
    let machine = f.coff_header().machine().0;
    let table = f.coff_symbol_table();
    let strings = table.strings();
    let mut sections = Vec::with_capacity(f.coff_section_table().len());
    for (i, s) in f.coff_section_table().iter().enumerate() {
        let index = i as u32 + 1;
        let name = match s.name(strings) {
            Ok(n) => String::from_utf8_lossy(n).into_owned(),
            Err(_) => {
                return Err(Error::at_file(
                    path,
                    format!("section {index} has an unreadable name"),
                ));
            }
        };
        let characteristics = s.characteristics.get(LE).0;
        let raw = s.coff_relocations(data).map_err(|e| {
            Error::at_file(path, format!("section {index} `{name}`: unreadable relocations: {e}"))
        })?;
        let relocations = raw
            .iter()
            .map(|r| {
                let kind = r.typ.get(LE).0;
                Reloc {
                    offset: r.virtual_address.get(LE),
                    kind,
                    type_name: reloc_name(machine, kind),
                    symbol: r.symbol_table_index.get(LE),
                }
            })
            .collect();
        let file_range = s.coff_file_range();
        if let Some((off, len)) = file_range
            && (off as usize).checked_add(len as usize).is_none_or(|end| end > data.len())
        {
            return Err(Error::at_file(
                path,
                format!(
                    "section {index} `{name}`: data at {off:#x}+{len:#x} runs past the end of the file"
                ),
            ));
        }
        sections.push(Section {
            index,
            name,
            characteristics,
            size: s.size_of_raw_data.get(LE),
            file_range,
            comdat: None,
            relocations,
        });
    }
    disjoint(path, &sections)?;
    let mut symbols = Vec::with_capacity(table.len());
    let mut slot = 0usize;
    while slot < table.len() {
        let index = object::SymbolIndex(slot);
        let s =
            table.symbol(index).map_err(|e| Error::at_file(path, format!("symbol {slot}: {e}")))?;
        let aux = s.number_of_aux_symbols() as usize;
        let name = match s.name(strings) {
            Ok(n) => String::from_utf8_lossy(n).into_owned(),
            Err(_) => format!("<bad name at slot {slot}>"),
        };
        let place = match s.section_number().0 {
            0 => Place::Undefined,
            -1 => Place::Absolute,
            -2 => Place::Debug,
            n if n > 0 => Place::Section(n as u32),
            _ => Place::Undefined,
        };
        let storage_class = s.storage_class().0;
        let weak = if s.has_aux_weak_external() {
            table.aux_weak_external(index).ok().map(|w| Weak {
                target: w.weak_default_sym_index.get(LE),
                search: w.weak_search_type.get(LE).0,
            })
        } else {
            None
        };
        if s.has_aux_section()
            && let (Place::Section(n), Ok(a)) = (place, table.aux_section(index))
            && let Some(sec) = n.checked_sub(1).and_then(|i| sections.get_mut(i as usize))
            && sec.characteristics & SCN_LNK_COMDAT != 0
            && sec.comdat.is_none()
        {
            let selection = a.selection.0;
            let number = u32::from(a.number.get(LE)) | (u32::from(a.high_number.get(LE)) << 16);
            let associated = (selection == 5).then_some(number);
            sec.comdat = Some(Comdat { selection, associated });
        }
        symbols.push(Symbol {
            index: slot as u32,
            name,
            value: s.value(),
            place,
            storage_class,
            function: (s.typ().0 >> 4) & 0x3 == 2,
            weak,
        });
        slot += 1 + aux;
    }
    Ok(CoffObject {
        format,
        machine,
        machine_name: Machine(machine).name(),
        sections,
        symbols,
        symbol_slots: table.len() as u32,
    })
}

/// The `IMAGE_REL_*` name of a relocation type for the object's machine.
pub fn reloc_name(machine: u16, kind: u16) -> &'static str {
    const ARM64: [&str; 18] = [
        "ABSOLUTE",
        "ADDR32",
        "ADDR32NB",
        "BRANCH26",
        "PAGEBASE_REL21",
        "REL21",
        "PAGEOFFSET_12A",
        "PAGEOFFSET_12L",
        "SECREL",
        "SECREL_LOW12A",
        "SECREL_HIGH12A",
        "SECREL_LOW12L",
        "TOKEN",
        "SECTION",
        "ADDR64",
        "BRANCH19",
        "BRANCH14",
        "REL32",
    ];
    const AMD64: [&str; 17] = [
        "ABSOLUTE", "ADDR64", "ADDR32", "ADDR32NB", "REL32", "REL32_1", "REL32_2", "REL32_3",
        "REL32_4", "REL32_5", "SECTION", "SECREL", "SECREL7", "TOKEN", "SREL32", "PAIR", "SSPAN32",
    ];
    let table: &[&str] = match Machine(machine) {
        Machine::ARM64 | Machine::ARM64EC | Machine::ARM64X => &ARM64,
        Machine::AMD64 => &AMD64,
        _ => &[],
    };
    table.get(kind as usize).copied().unwrap_or("UNKNOWN")
}

/// ARM64 relocation types the checks look at.
pub mod arm64_reloc {
    pub const ADDR32NB: u16 = 2;
    pub const BRANCH26: u16 = 3;
    pub const PAGEBASE_REL21: u16 = 4;
    pub const PAGEOFFSET_12A: u16 = 6;
    pub const PAGEOFFSET_12L: u16 = 7;
    pub const BRANCH19: u16 = 15;
    pub const BRANCH14: u16 = 16;
}
