//! Probe results (`rustc -vV`, `--print cfg`, tool versions) cached on disk, keyed by the
//! binary's path, size and modification time, so an unchanged re-run starts no compiler.

use crate::error::{Error, Result};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Return the cached value for (`tag`, `binary`), or compute and store it.
pub fn cached<T, F>(dir: &Path, tag: &str, binary: &Path, compute: F) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Result<T>,
{
    let Some(key) = key(tag, binary) else {
        return compute();
    };
    let file = dir.join(format!("{tag}-{key}.json"));
    if let Ok(bytes) = std::fs::read(&file)
        && let Ok(v) = serde_json::from_slice(&bytes)
    {
        return Ok(v);
    }
    let value = compute()?;
    let bytes = serde_json::to_vec_pretty(&value)
        .map_err(|e| Error::msg(format!("serialize probe: {e}")))?;
    // A failed write only costs a re-probe next time.
    let _ = crate::paths::write_atomic(&file, &bytes);
    Ok(value)
}

fn key(tag: &str, binary: &Path) -> Option<String> {
    let canonical = std::fs::canonicalize(binary).ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    h.update([0]);
    h.update(canonical.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(meta.len().to_le_bytes());
    h.update(mtime.as_nanos().to_le_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    Some(hex(&h.finalize()[..12]))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
