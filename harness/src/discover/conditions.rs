//! `only-*` / `ignore-*` conditions, evaluated against the real cfg set that
//! `rustc --print cfg --target T` reports (never against substrings of the triple).

pub use crate::toolchain::CfgEntry;
use std::fmt;

/// The cfg keys whose values a bare condition name (`only-arm64ec`) may match.
const VALUE_KEYS: &[&str] =
    &["target_arch", "target_os", "target_env", "target_family", "target_vendor", "target_abi"];

/// Known values for bare condition names, so that a typo is an error rather than a
/// condition that silently never matches.
pub const KNOWN_BARE: &[&str] = &[
    // target_arch
    "aarch64",
    "arm",
    "arm64ec",
    "x86",
    "x86_64",
    "riscv64",
    "riscv32",
    "powerpc",
    "powerpc64",
    "s390x",
    "sparc64",
    "mips",
    "mips64",
    "loongarch64",
    "wasm32",
    "wasm64",
    "nvptx64",
    // target_os
    "windows",
    "linux",
    "macos",
    "ios",
    "android",
    "freebsd",
    "netbsd",
    "openbsd",
    "illumos",
    "solaris",
    "fuchsia",
    "uefi",
    "wasi",
    "none",
    // target_env / target_abi
    "msvc",
    "gnu",
    "musl",
    "sgx",
    "uwp",
    "gnullvm",
    "llvm",
    "macabi",
    "sim",
    // target_family (windows already listed)
    "unix",
    "wasm",
    // target_vendor
    "pc",
    "unknown",
    "apple",
    "uwp",
    // target_pointer_width, target_endian
    "16bit",
    "32bit",
    "64bit",
    "little-endian",
    "big-endian",
];

/// What an `only-`/`ignore-` condition tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CfgPred {
    /// `only-windows`: a known value of one of the target cfg keys, a bare cfg flag,
    /// a pointer width (`64bit`) or an endianness (`little-endian`).
    Bare(String),
    /// `only-cfg: target_feature = "neon"` or `only-cfg: windows`.
    Cfg { name: String, value: Option<String> },
}

impl CfgPred {
    /// Parse the value of `only-cfg:` / `ignore-cfg:`.
    pub fn parse_cfg(value: &str) -> Result<CfgPred, String> {
        let bad = || {
            format!(
                "malformed cfg predicate `{value}`: expected `name` or `name = \"value\"` \
                 (for example `target_feature = \"neon\"`)"
            )
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        };
        match value.split_once('=') {
            Some((name, v)) => {
                let name = name.trim();
                let v = v.trim().strip_prefix('"').and_then(|v| v.strip_suffix('"'));
                match v {
                    Some(v) if ident(name) && !v.contains('"') => {
                        Ok(CfgPred::Cfg { name: name.into(), value: Some(v.into()) })
                    }
                    _ => Err(bad()),
                }
            }
            None if ident(value.trim()) => {
                Ok(CfgPred::Cfg { name: value.trim().into(), value: None })
            }
            None => Err(bad()),
        }
    }

    /// Whether the predicate holds for a target with this cfg set.
    pub fn holds(&self, cfg: &[CfgEntry]) -> bool {
        match self {
            CfgPred::Cfg { name, value } => {
                cfg.iter().any(|e| &e.name == name && &e.value == value)
            }
            CfgPred::Bare(v) => cfg.iter().any(|e| match &e.value {
                None => &e.name == v,
                Some(val) if VALUE_KEYS.contains(&e.name.as_str()) => val == v,
                Some(val) if e.name == "target_pointer_width" => format!("{val}bit") == *v,
                Some(val) if e.name == "target_endian" => format!("{val}-endian") == *v,
                Some(_) => false,
            }),
        }
    }
}

impl fmt::Display for CfgPred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfgPred::Bare(v) => f.write_str(v),
            CfgPred::Cfg { name, value: None } => write!(f, "cfg({name})"),
            CfgPred::Cfg { name, value: Some(v) } => write!(f, "cfg({name} = \"{v}\")"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    Only,
    Ignore,
}

/// A gating condition as declared in a fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub polarity: Polarity,
    pub pred: CfgPred,
    /// The free-text reason after the colon, if the fixture gave one.
    pub reason: Option<String>,
    pub line: usize,
}

impl Condition {
    /// `None` when the case may run on a target with this cfg set, otherwise why not.
    pub fn blocks(&self, cfg: &[CfgEntry], triple: &str) -> Option<String> {
        let holds = self.pred.holds(cfg);
        let why = |verb: &str| {
            let mut s = format!("{verb}-{} (line {}): {triple} ", self.pred, self.line);
            s.push_str(if holds { "matches" } else { "does not match" });
            if let Some(r) = &self.reason {
                s.push_str(&format!(" ({r})"));
            }
            s
        };
        match (self.polarity, holds) {
            (Polarity::Only, false) => Some(why("only")),
            (Polarity::Ignore, true) => Some(why("ignore")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(lines: &str) -> Vec<CfgEntry> {
        lines.lines().filter_map(CfgEntry::parse).collect()
    }

    #[test]
    fn bare_names_match_cfg_values_not_substrings() {
        let ec = cfg("target_arch=\"arm64ec\"\ntarget_os=\"windows\"\ntarget_env=\"msvc\"\n\
                      target_pointer_width=\"64\"\ntarget_endian=\"little\"\nwindows");
        assert!(CfgPred::Bare("arm64ec".into()).holds(&ec));
        assert!(CfgPred::Bare("windows".into()).holds(&ec));
        assert!(CfgPred::Bare("64bit".into()).holds(&ec));
        assert!(CfgPred::Bare("little-endian".into()).holds(&ec));
        // "arm" and "aarch64" are substrings/relatives of the triple but not its arch.
        assert!(!CfgPred::Bare("arm".into()).holds(&ec));
        assert!(!CfgPred::Bare("aarch64".into()).holds(&ec));
        assert!(!CfgPred::Bare("32bit".into()).holds(&ec));
    }

    #[test]
    fn explicit_cfg_predicates() {
        let ec = cfg("target_feature=\"neon\"\nwindows");
        assert!(CfgPred::parse_cfg("target_feature = \"neon\"").unwrap().holds(&ec));
        assert!(!CfgPred::parse_cfg("target_feature=\"sse2\"").unwrap().holds(&ec));
        assert!(CfgPred::parse_cfg("windows").unwrap().holds(&ec));
        assert!(CfgPred::parse_cfg("target_feature = neon").is_err());
        assert!(CfgPred::parse_cfg("9lives").is_err());
        assert!(CfgPred::parse_cfg("").is_err());
    }
}
