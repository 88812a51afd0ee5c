//! Symbols from the linker's map file (lld-link `/map`, link.exe `/MAP`).
//!
//! The lines that matter look like
//!
//! ```text
//!  Preferred load address is 0000000140000000
//!  0001:0002889c       #abi_run                   000000014002989c     obj.o
//! ```
//!
//! `section:offset`, the name, the absolute address at the preferred base (`Rva+Base`) and
//! the object (link.exe puts an `f` or `i` flag before it). Absolute symbols
//! (`<absolute>`) are values, not addresses, and are left out.

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The address at the image's preferred base.
    pub addr: u64,
    pub object: String,
}

#[derive(Debug, Default)]
pub struct LinkMap {
    pub preferred_base: Option<u64>,
    symbols: Vec<Symbol>,
    by_name: HashMap<String, usize>,
    /// Indices into `symbols`, ordered by address (for symbolizing).
    by_addr: Vec<usize>,
}

fn section_offset(s: &str) -> bool {
    let Some((sec, off)) = s.split_once(':') else { return false };
    sec.len() == 4
        && off.len() == 8
        && sec.chars().all(|c| c.is_ascii_hexdigit())
        && off.chars().all(|c| c.is_ascii_hexdigit())
}

impl LinkMap {
    pub fn parse(text: &str) -> Result<LinkMap, String> {
        let mut map = LinkMap::default();
        for line in text.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("Preferred load address is ") {
                map.preferred_base = u64::from_str_radix(rest.trim(), 16).ok();
                continue;
            }
            let w: Vec<&str> = line.split_whitespace().collect();
            if w.len() < 3 || !section_offset(w[0]) || w[2].len() != 16 {
                continue;
            }
            let Ok(addr) = u64::from_str_radix(w[2], 16) else { continue };
            let mut object: Vec<&str> = w[3..].to_vec();
            if matches!(object.first(), Some(&"f") | Some(&"i")) {
                object.remove(0);
            }
            let object = object.join(" ");
            if object == "<absolute>" {
                continue;
            }
            let idx = map.symbols.len();
            map.by_name.entry(w[1].to_string()).or_insert(idx);
            map.symbols.push(Symbol { name: w[1].to_string(), addr, object });
        }
        if map.symbols.is_empty() {
            return Err(
                "no symbols found: not a linker map (lld-link /map or link.exe /MAP)".into()
            );
        }
        let mut by_addr: Vec<usize> = (0..map.symbols.len()).collect();
        by_addr.sort_by_key(|&i| (map.symbols[i].addr, i));
        map.by_addr = by_addr;
        Ok(map)
    }

    /// The address of `name` at the preferred base.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.by_name.get(name).map(|&i| self.symbols[i].addr)
    }

    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    /// Every symbol whose name starts with `prefix`.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Symbol> + 'a {
        self.symbols.iter().filter(move |s| s.name.starts_with(prefix))
    }

    /// The symbol at or below `addr` (preferred-base address) and the offset into it. At one
    /// address, a `#`-mangled or plain name is preferred to a thunk alias.
    pub fn symbolize(&self, addr: u64) -> Option<(&str, u64)> {
        let pos = self.by_addr.partition_point(|&i| self.symbols[i].addr <= addr);
        let last = *self.by_addr.get(pos.checked_sub(1)?)?;
        let at = self.symbols[last].addr;
        let first = self.by_addr.partition_point(|&i| self.symbols[i].addr < at);
        let candidates = &self.by_addr[first..pos];
        let best = candidates
            .iter()
            .map(|&i| &self.symbols[i])
            .min_by_key(|s| (s.name.contains("$exit_thunk"), !s.name.starts_with('#')))?;
        Some((best.name.as_str(), addr - at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = " matrix\n\n Preferred load address is 0000000140000000\n\n  Address         Publics by Value              Rva+Base               Lib:Object\n\n 0000:00000002       __hybrid_code_map_count    0000000000000002     <absolute>\n 0001:00027f98       #abi_run                   0000000140028f98     abi_matrix.o\n 0001:00027f98       abi_run                    0000000140028f98     abi_matrix.o\n 0001:00027fa0       #f$exit_thunk              0000000140028fa0     abi_matrix.o\n 0001:00027fa0       #f                         0000000140028fa0     abi_matrix.o\n 0003:00001a40       __os_arm64x_dispatch_ret   0000000140050a40     arm64ec_support.o\n 0001:00000010       main                       0000000140001010 f   main.obj\n";

    #[test]
    fn reads_addresses_and_skips_absolute_values() {
        let m = LinkMap::parse(MAP).unwrap();
        assert_eq!(m.preferred_base, Some(0x1_4000_0000));
        assert_eq!(m.get("#abi_run"), Some(0x1_4002_8f98));
        assert_eq!(m.get("__os_arm64x_dispatch_ret"), Some(0x1_4005_0a40));
        assert_eq!(m.get("__hybrid_code_map_count"), None);
        assert_eq!(m.symbols().iter().find(|s| s.name == "main").unwrap().object, "main.obj");
        assert_eq!(m.with_prefix("__os_arm64x_").count(), 1);
    }

    #[test]
    fn symbolizes_with_the_function_name() {
        let m = LinkMap::parse(MAP).unwrap();
        assert_eq!(m.symbolize(0x1_4002_8f9c), Some(("#abi_run", 4)));
        assert_eq!(m.symbolize(0x1_4002_8fa4), Some(("#f", 4)));
        assert_eq!(m.symbolize(0x1_4000_0000), None);
        assert!(LinkMap::parse("nothing here\n").is_err());
    }
}
