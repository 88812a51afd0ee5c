//! The cfg set of a target, as `rustc --print cfg` prints it.

use serde::Serialize;

/// One line of `rustc --print cfg`: `name` or `name="value"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct CfgEntry {
    pub name: String,
    pub value: Option<String>,
}

impl CfgEntry {
    /// Parse one line of `rustc --print cfg` output.
    pub fn parse(line: &str) -> Option<CfgEntry> {
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        match line.split_once('=') {
            Some((name, value)) => {
                let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
                Some(CfgEntry { name: name.trim().into(), value: Some(value.into()) })
            }
            None => Some(CfgEntry { name: line.into(), value: None }),
        }
    }
}
