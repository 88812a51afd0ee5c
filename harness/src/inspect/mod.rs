//! Inspect stage: read what the build produced. COFF objects are parsed with the `object`
//! crate ([`coff`]); this stage adds what it lacks for Arm64EC: symbol roles ([`roles`]),
//! the `.hybmp$x` hybrid map ([`hybmp`]), ARM64 unwind data ([`unwind`], [`pdata`]) and
//! instruction decoding ([`disasm`]). Archives (`.rlib`, `.lib`) are read member by member
//! ([`archive`]). Linked PE images (x64, ARM64, Arm64EC, Arm64X) are read by [`image`].
//! A file that cannot be read is an error naming the file, never a panic.

pub mod archive;
pub mod coff;
pub mod disasm;
pub mod dump;
pub mod facts;
pub mod hybmp;
pub mod image;
pub mod linkmap;
pub mod pdata;
pub mod roles;
pub mod unwind;

use crate::error::Error;
use crate::model::Machine;
use coff::CoffObject;
use hybmp::HybridMap;
use roles::{Function, Role};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Everything the checks know about one object, over the caller's bytes.
pub struct ObjectView<'d> {
    /// The object's name in messages: the file, or `archive(member)`.
    pub name: String,
    pub bytes: &'d [u8],
    pub coff: CoffObject,
    pub hybrid: HybridMap,
    pub functions: Vec<Function>,
    /// `.pdata` entries (ARM64 form; empty for x64 objects).
    pub pdata: Vec<pdata::Entry>,
}

impl<'d> ObjectView<'d> {
    pub fn parse(name: &str, bytes: &'d [u8]) -> Result<ObjectView<'d>, Error> {
        let coff = coff::parse(Path::new(name), bytes)?;
        let hybrid = hybmp::decode(&coff, bytes);
        let functions = roles::functions(&coff);
        let arm64 = matches!(coff.machine(), Machine::ARM64 | Machine::ARM64EC | Machine::ARM64X);
        let pdata = if arm64 { pdata::entries(&coff, bytes) } else { Vec::new() };
        Ok(ObjectView { name: name.to_string(), bytes, coff, hybrid, functions, pdata })
    }

    pub fn role(&self, symbol: u32) -> Option<Role> {
        self.coff.symbol(symbol).map(|s| roles::role(&self.coff, s))
    }

    /// The report summary of this object.
    pub fn summary(&self) -> ObjectFacts {
        let count =
            |r: Role| self.coff.symbols.iter().filter(|s| roles::role(&self.coff, s) == r).count();
        let thunks = self
            .hybrid
            .records
            .iter()
            .filter(|r| matches!(r.kind, hybmp::Kind::Entry | hybmp::Kind::Exit))
            .map(|r| ThunkUse {
                symbol: r.source_name.clone().unwrap_or_default(),
                kind: if r.kind == hybmp::Kind::Entry { "entry" } else { "exit" }.into(),
                thunk: r.target_name.clone().unwrap_or_default(),
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        ObjectFacts {
            file: self.name.clone(),
            format: match self.coff.format {
                coff::Format::Coff => "coff",
                coff::Format::CoffBigobj => "coff-bigobj",
            }
            .into(),
            machine: self.coff.machine,
            machine_name: self.coff.machine_name.into(),
            sections: self.coff.sections.iter().map(|s| s.name.clone()).collect(),
            symbols: self.coff.symbol_slots as usize,
            ec_functions: count(Role::EcFunction),
            entry_thunks: count(Role::EntryThunk),
            exit_thunks: count(Role::ExitThunk),
            hybrid_map_records: self.hybrid.records.len(),
            thunks,
            imports: facts::imports(self),
            thunk_code: facts::thunk_code(self),
        }
    }
}

/// Read a file the inspector accepts, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::io(path, "read the file", &e))
}

/// The objects in a file: the file itself, or each COFF member of an archive. A member
/// that fails to parse is an error of its own; the others are still returned. The count is
/// of archive members that are not objects (metadata, import descriptors).
#[allow(clippy::type_complexity)]
pub fn object_views<'d>(
    path: &Path,
    bytes: &'d [u8],
) -> Result<(Vec<Result<ObjectView<'d>, Error>>, usize), Error> {
    let name = path.display().to_string();
    if archive::is_archive(bytes) {
        let (members, skipped) = archive::object_members(path, bytes)?;
        let views = members
            .into_iter()
            .map(|m| ObjectView::parse(&format!("{name}({})", m.name), m.data))
            .collect();
        return Ok((views, skipped));
    }
    if bytes.starts_with(b"MZ") {
        return Err(Error::at_file(
            path,
            "is a PE image; this command reads COFF objects and archives",
        ));
    }
    if !coff::looks_like_object(bytes) {
        return Err(Error::at_file(
            path,
            "not a COFF object or archive (unknown machine type in the first two bytes)",
        ));
    }
    Ok((vec![ObjectView::parse(&name, bytes)], 0))
}

/// A function and the thunk the hybrid map pairs it with.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ThunkUse {
    pub symbol: String,
    pub kind: String,
    pub thunk: String,
}

/// The facts of one COFF object that the report carries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ObjectFacts {
    pub file: String,
    /// `coff` or `coff-bigobj`.
    pub format: String,
    pub machine: u16,
    pub machine_name: String,
    pub sections: Vec<String>,
    /// Symbol-table slots, auxiliary records included.
    pub symbols: usize,
    pub ec_functions: usize,
    pub entry_thunks: usize,
    pub exit_thunks: usize,
    pub hybrid_map_records: usize,
    /// Entry and exit thunks recorded in the hybrid map, by function.
    pub thunks: Vec<ThunkUse>,
    /// External symbols referred to and not defined (Rust items left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<String>,
    /// A fingerprint of each entry and exit thunk's code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thunk_code: Vec<facts::ThunkCode>,
}

impl ObjectFacts {
    pub fn machine(&self) -> Machine {
        Machine(self.machine)
    }
}

/// Parse a COFF object from disk into its report summary.
pub fn inspect_object(path: &Path) -> Result<ObjectFacts, Error> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, "read the object", &e))?;
    inspect_bytes(path, &data)
}

/// Parse a COFF object from memory; `path` only names it in errors and facts.
pub fn inspect_bytes(path: &Path, data: &[u8]) -> Result<ObjectFacts, Error> {
    Ok(ObjectView::parse(&path.display().to_string(), data)?.summary())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid COFF object: a header with no sections and an empty string table.
    fn tiny_object(machine: u16) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(machine.to_le_bytes());
        v.extend(0u16.to_le_bytes()); // sections
        v.extend(0u32.to_le_bytes()); // timestamp
        v.extend(20u32.to_le_bytes()); // symbol table right after the header
        v.extend(0u32.to_le_bytes()); // symbols
        v.extend(0u16.to_le_bytes()); // optional header size
        v.extend(0u16.to_le_bytes()); // characteristics
        v.extend(4u32.to_le_bytes()); // string table size (just the size field)
        v
    }

    #[test]
    fn reads_machine() {
        let f = inspect_bytes(Path::new("x.o"), &tiny_object(0xA641)).unwrap();
        assert_eq!(f.machine(), Machine::ARM64EC);
        assert_eq!(f.machine_name, "ARM64EC");
    }

    #[test]
    fn garbage_is_an_error_naming_the_file() {
        let e = inspect_bytes(Path::new("junk.o"), b"not an object").unwrap_err();
        assert!(e.to_string().starts_with("junk.o: not a valid COFF"), "{e}");
        let e = inspect_bytes(Path::new("empty.o"), b"").unwrap_err();
        assert!(e.to_string().contains("empty.o"), "{e}");
    }
}
