//! Facts of an object that a toolchain comparison looks at beyond the thunk names: the
//! symbols it imports (what it expects the linker and the OS to supply) and a fingerprint
//! of each thunk's code, so a change of code generation is seen even where every check
//! passes. Both leave out what differs between builds of the same source: Rust symbol hashes.

use super::ObjectView;
use super::roles::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One thunk's code, normalized: instructions with PC-relative targets relative to the
/// thunk and relocation targets by name.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ThunkCode {
    pub thunk: String,
    pub instructions: usize,
    /// The first 16 hex digits of the SHA-256 of the normalized code.
    pub digest: String,
}

/// A Rust legacy-mangled name without its per-build hash (`17h<16 hex>E` → `E`).
pub fn without_rust_hash(name: &str) -> String {
    let b = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < b.len() {
        let is_hash = b.len() >= i + 20
            && &b[i..i + 3] == b"17h"
            && b[i + 3..i + 19].iter().all(u8::is_ascii_hexdigit)
            && b[i + 19] == b'E';
        if is_hash {
            out.push('E');
            i += 20;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// External symbols the object refers to and does not define, other than Rust items.
pub fn imports(v: &ObjectView) -> Vec<String> {
    let mut out: Vec<String> = v
        .coff
        .symbols
        .iter()
        .filter(|s| s.is_external() && s.section().is_none() && s.weak.is_none())
        .filter(|s| s.place == super::coff::Place::Undefined && !s.name.is_empty())
        .filter(|s| !crate::inspect::roles::is_rust_mangled(&s.name))
        .map(|s| s.name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The normalized code of every entry and exit thunk the object defines.
pub fn thunk_code(v: &ObjectView) -> Vec<ThunkCode> {
    let mut out: Vec<ThunkCode> = v
        .functions
        .iter()
        .filter(|f| matches!(f.role, Role::EntryThunk | Role::ExitThunk) && f.end > f.start)
        .filter_map(|f| {
            let sec = v.coff.section(f.section)?;
            let data = v.coff.section_data(v.bytes, sec);
            let code = data.get(f.start as usize..(f.end as usize).min(data.len()))?;
            let insns = super::disasm::decode(code, 0);
            let mut h = Sha256::new();
            for i in &insns {
                h.update(i.text.as_bytes());
                let at = f.start + i.offset;
                if let Some(r) = sec.relocations.iter().find(|r| r.offset == at) {
                    let target = v.coff.symbol_name(r.symbol).unwrap_or("?");
                    h.update(format!(" ; {} {}", r.type_name, without_rust_hash(target)));
                }
                h.update(b"\n");
            }
            let digest: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
            Some(ThunkCode { thunk: f.name.clone(), instructions: insns.len(), digest })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_hashes_are_taken_out() {
        assert_eq!(
            without_rust_hash("_ZN4core9panicking5panic17h0123456789abcdefE"),
            "_ZN4core9panicking5panicE"
        );
        assert_eq!(without_rust_hash("memcpy"), "memcpy");
        assert_eq!(without_rust_hash("_ZN3a17hxyzE"), "_ZN3a17hxyzE");
    }
}
