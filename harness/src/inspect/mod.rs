//! Inspect stage: read what the build produced. Objects are parsed as COFF with the
//! `object` crate; a file that is not COFF is an error naming the file.

pub mod disasm;

use crate::error::Error;
use crate::model::Machine;
use object::pe;
use object::read::coff::{CoffFile, CoffHeader};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The facts of one COFF object that the checks and the report use.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ObjectFacts {
    pub file: String,
    /// `coff` or `coff-bigobj`.
    pub format: String,
    pub machine: u16,
    pub machine_name: String,
    pub sections: Vec<String>,
    pub symbols: usize,
}

impl ObjectFacts {
    pub fn machine(&self) -> Machine {
        Machine(self.machine)
    }
}

/// Parse a COFF object (regular or bigobj) from disk.
pub fn inspect_object(path: &Path) -> Result<ObjectFacts, Error> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, "read the object", &e))?;
    inspect_bytes(path, &data)
}

/// Parse a COFF object from memory; `path` only names it in errors and facts.
pub fn inspect_bytes(path: &Path, data: &[u8]) -> Result<ObjectFacts, Error> {
    let file = path.display().to_string();
    let is_bigobj = data.len() >= 4 && data[0..2] == [0, 0] && data[2..4] == [0xff, 0xff];
    let facts = if is_bigobj {
        let f = CoffFile::<_, pe::AnonObjectHeaderBigobj>::parse(data)
            .map_err(|e| Error::at_file(path, format!("not a valid COFF bigobj: {e}")))?;
        facts_of(file, "coff-bigobj", &f)
    } else {
        let f = CoffFile::<_, pe::ImageFileHeader>::parse(data)
            .map_err(|e| Error::at_file(path, format!("not a valid COFF object: {e}")))?;
        facts_of(file, "coff", &f)
    };
    Ok(facts)
}

fn facts_of<'d, H: CoffHeader>(
    file: String,
    format: &str,
    f: &CoffFile<'d, &'d [u8], H>,
) -> ObjectFacts {
    let machine = f.coff_header().machine().0;
    let strings = f.coff_symbol_table().strings();
    let sections = f
        .coff_section_table()
        .iter()
        .map(|s| match s.name(strings) {
            Ok(n) => String::from_utf8_lossy(n).into_owned(),
            Err(_) => "<bad name>".into(),
        })
        .collect();
    ObjectFacts {
        file,
        format: format.into(),
        machine,
        machine_name: Machine(machine).name().into(),
        sections,
        symbols: f.coff_symbol_table().len(),
    }
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
