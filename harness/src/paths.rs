//! Where things live: the default suite root and the harness's own directory under
//! `target/harness/` (build cache, probe cache, reports).

use std::path::{Path, PathBuf};

/// The workspace root this harness was built from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ".".into())
}

/// The default suite root: `<workspace>/suites`.
pub fn default_suites() -> PathBuf {
    workspace_root().join("suites")
}

/// `$CARGO_TARGET_DIR/harness`, or `<workspace>/target/harness`.
pub fn default_harness_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("harness")
}

/// The directories below the harness directory.
#[derive(Clone, Debug)]
pub struct Dirs {
    pub root: PathBuf,
}

impl Dirs {
    pub fn new(root: PathBuf) -> Self {
        Dirs { root }
    }
    pub fn build(&self) -> PathBuf {
        self.root.join("build")
    }
    pub fn probe(&self) -> PathBuf {
        self.root.join("probe")
    }
    pub fn default_report(&self) -> PathBuf {
        self.root.join("report.json")
    }
}

/// An absolute path as `std::fs::canonicalize` makes it, in the form other programs take:
/// on Windows `canonicalize` returns a verbatim path (`\\?\C:\x`, `\\?\UNC\server\share`),
/// which some programs mishandle (`cmd.exe` refuses it as a working directory) and which
/// would reach argv lines and reports; the plain form is returned instead.
pub fn canonical(p: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(p).map(|c| strip_verbatim(&c))
}

/// `\\?\C:\x` → `C:\x`, `\\?\UNC\server\share` → `\\server\share`; anything else
/// (including verbatim forms with no plain equivalent, such as `\\?\Volume{…}`) unchanged.
pub fn strip_verbatim(p: &Path) -> PathBuf {
    let Some(s) = p.to_str() else { return p.to_path_buf() };
    if let Some(rest) = s.strip_prefix(r"\\?\UNC\") {
        return PathBuf::from(format!(r"\\{rest}"));
    }
    match s.strip_prefix(r"\\?\") {
        Some(rest)
            if rest.as_bytes().get(1) == Some(&b':')
                && rest.as_bytes()[0].is_ascii_alphabetic() =>
        {
            PathBuf::from(rest)
        }
        _ => p.to_path_buf(),
    }
}

/// Write `bytes` to `path` atomically (write a sibling temp file, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp.{}.{}", std::process::id(), unique()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// A process-unique counter mixed with the time, for temporary names.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    (N.fetch_add(1, Ordering::Relaxed) << 32) ^ t
}

/// Every file below `dir`, in a stable order (by name, depth first); unreadable entries are
/// passed over.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_windows_paths_lose_their_prefix() {
        let strip = |s: &str| strip_verbatim(Path::new(s)).to_string_lossy().into_owned();
        assert_eq!(strip(r"\\?\Z:\root\bin\rustc.exe"), r"Z:\root\bin\rustc.exe");
        assert_eq!(strip(r"\\?\UNC\host\share\rustc.exe"), r"\\host\share\rustc.exe");
        assert_eq!(strip(r"\\?\Volume{1234}\x"), r"\\?\Volume{1234}\x");
        assert_eq!(strip("/usr/bin/rustc"), "/usr/bin/rustc");
        assert_eq!(strip(r"C:\x"), r"C:\x");
    }
}
