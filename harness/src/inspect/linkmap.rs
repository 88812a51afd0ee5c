//! The link map a linker writes with `/map` (lld-link and link.exe share the layout): the
//! image's preferred base and every public (and static) symbol's address. The link tier
//! uses it to find in an image the functions, thunks and slots its objects define.

use crate::error::Error;
use serde::Serialize;
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct MapSymbol {
    pub name: String,
    /// Relative to the image base; `None` for absolute symbols.
    pub rva: Option<u32>,
    /// `lib:object`, `object`, `<absolute>` or `<linker-defined>`.
    pub origin: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LinkMap {
    pub image_base: u64,
    pub symbols: Vec<MapSymbol>,
}

impl LinkMap {
    /// Every address a name has (ICF can give one address many names, and a name defined
    /// in several views of an Arm64X image can have several addresses).
    pub fn rvas_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.symbols.iter().filter(move |s| s.name == name).filter_map(|s| s.rva)
    }

    pub fn rva_of(&self, name: &str) -> Option<u32> {
        self.rvas_of(name).next()
    }

    /// The names defined at `rva`.
    pub fn names_at(&self, rva: u32) -> impl Iterator<Item = &str> {
        self.symbols.iter().filter(move |s| s.rva == Some(rva)).map(|s| s.name.as_str())
    }
}

/// Parse the map file at `path` (its text); an error names the file and the line that is
/// not understood.
pub fn parse(path: &Path, text: &str) -> Result<LinkMap, Error> {
    let at = |i: usize, msg: String| Error::at(path, i + 1, 1, msg);
    let mut map = LinkMap::default();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Preferred load address is ") {
            map.image_base = u64::from_str_radix(rest.trim(), 16)
                .map_err(|_| at(i, format!("unreadable load address `{rest}`")))?;
            continue;
        }
        if t.starts_with("Address") && t.contains("Publics by Value") {
            in_table = true;
            continue;
        }
        if t == "Static symbols" {
            in_table = true;
            continue;
        }
        if !in_table || t.is_empty() || t.starts_with("entry point at") {
            continue;
        }
        // `SSSS:OOOOOOOO  name  VVVVVVVVVVVVVVVV  origin` — names contain no spaces.
        let mut parts = t.split_whitespace();
        let (Some(addr), Some(name), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(at(i, "expected `section:offset name address origin`".into()));
        };
        if !addr.contains(':') {
            return Err(at(i, format!("`{addr}` is not a section:offset address")));
        }
        let origin = parts.collect::<Vec<_>>().join(" ");
        let value = u64::from_str_radix(value, 16)
            .map_err(|_| at(i, format!("unreadable address `{value}`")))?;
        let rva = if origin == "<absolute>" {
            None
        } else {
            value.checked_sub(map.image_base).and_then(|r| u32::try_from(r).ok())
        };
        map.symbols.push(MapSymbol { name: name.to_string(), rva, origin });
    }
    if map.image_base == 0 && map.symbols.is_empty() {
        return Err(Error::at_file(path, "not a link map: no load address and no symbols"));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = " a\n\n Preferred load address is 0000000180000000\n\n  Address         Publics by Value              Rva+Base               Lib:Object\n\n 0000:00000002       __hybrid_code_map_count    0000000000000002     <absolute>\n 0001:0000000c       #add                       000000018000100c     a.o\n 0001:0000000c       add                        000000018000100c     a.o\n 0001:00000e90       $iexit_thunk$cdecl$i8$i8   0000000180001e90     libcore-1:core.o\n\n entry point at         0000:00000000\n\n Static symbols\n\n 0001:00000100       local_fn                   0000000180001100     a.o\n";

    #[test]
    fn reads_publics_and_statics() {
        let m = parse(Path::new("x.map"), MAP).unwrap();
        assert_eq!(m.image_base, 0x1_8000_0000);
        assert_eq!(m.rva_of("#add"), Some(0x100c));
        assert_eq!(m.rva_of("__hybrid_code_map_count"), None);
        assert_eq!(m.rva_of("local_fn"), Some(0x1100));
        assert_eq!(m.names_at(0x100c).collect::<Vec<_>>(), ["#add", "add"]);
        assert_eq!(m.symbols[3].origin, "libcore-1:core.o");
        let e = parse(Path::new("x.map"), "garbage").unwrap_err();
        assert!(e.to_string().starts_with("x.map: not a link map"), "{e}");
        let e = parse(
            Path::new("x.map"),
            " Preferred load address is 0000000180000000\n  Address  Publics by Value\n 0001 x\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("x.map:3:1: expected"), "{e}");
    }
}
