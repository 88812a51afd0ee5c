//! Archives (`.rlib`, `.lib`): the COFF object members, each named `archive(member)`.
//! Other members (rustc metadata, import descriptors, linker members) are listed as skipped.

use crate::error::Error;
use object::read::archive::ArchiveFile;
use std::path::Path;

pub fn is_archive(data: &[u8]) -> bool {
    data.starts_with(b"!<arch>\n") || data.starts_with(b"!<thin>\n")
}

/// One member of an archive.
pub struct Member<'d> {
    pub name: String,
    pub data: &'d [u8],
}

/// The members of an archive whose data starts like a COFF object, and how many other
/// members were skipped.
pub fn object_members<'d>(path: &Path, data: &'d [u8]) -> Result<(Vec<Member<'d>>, usize), Error> {
    let archive = ArchiveFile::parse(data)
        .map_err(|e| Error::at_file(path, format!("not a valid archive: {e}")))?;
    let mut out = Vec::new();
    let mut skipped = 0;
    for m in archive.members() {
        let m = m.map_err(|e| Error::at_file(path, format!("unreadable archive member: {e}")))?;
        let name = String::from_utf8_lossy(m.name()).into_owned();
        let bytes = m
            .data(data)
            .map_err(|e| Error::at_file(path, format!("member `{name}`: unreadable data: {e}")))?;
        if super::coff::looks_like_object(bytes) && !is_short_import(bytes) {
            out.push(Member { name, data: bytes });
        } else {
            skipped += 1;
        }
    }
    Ok((out, skipped))
}

/// A short import object (`IMPORT_OBJECT_HEADER`): machine 0, 0xFFFF signature.
fn is_short_import(data: &[u8]) -> bool {
    data.len() >= 6 && data[0..2] == [0, 0] && data[2..4] == [0xff, 0xff] && data[4..6] == [0, 0]
}
