//! A run's output against the fixture's expectation files (`check-run-output`). stdout and
//! stderr are normalized — line endings, the build directory (`$DIR`), the case's own
//! directory (`$SRC`), long hexadecimal addresses (`0x$ADDR`), trailing blanks — and compared
//! with `<stem>.stdout` / `<stem>.stderr` next to the fixture. A control uses
//! `<stem>.host.stdout` / `<stem>.wine.stdout` where the control prints something else, and
//! the case's own file otherwise. A missing file expects nothing. `--bless` writes what the
//! run printed instead: the case's own file, or a control's file only where it differs.

use crate::check::Finding;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The expectation file `stream` (`stdout`/`stderr`) of a variant is compared with: its
/// own when it has one, else the case's.
pub fn expected_file(primary: &Path, variant: Option<&str>, stream: &str) -> PathBuf {
    let own = expectation_path(primary, variant, stream);
    if variant.is_some() && !own.is_file() {
        return expectation_path(primary, None, stream);
    }
    own
}

/// The expectation file of a variant (`None` for the case's own target, `host`, `wine`).
pub fn expectation_path(primary: &Path, variant: Option<&str>, stream: &str) -> PathBuf {
    let stem = primary.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match variant {
        Some(v) => format!("{stem}.{v}.{stream}"),
        None => format!("{stem}.{stream}"),
    };
    primary.with_file_name(name)
}

/// A path as the program may print it: as is, with backslashes, or as Wine's `Z:` drive.
fn spellings(p: &Path) -> Vec<String> {
    let s = p.display().to_string();
    let back = s.replace('/', "\\");
    let mut v = vec![format!("Z:{back}"), format!("z:{back}"), back, s];
    v.sort_by_key(|x| std::cmp::Reverse(x.len()));
    v.dedup();
    v
}

pub fn normalize(text: &str, build_dir: &Path, case_dir: &Path) -> String {
    static ADDR: OnceLock<Option<Regex>> = OnceLock::new();
    let mut t = text.replace("\r\n", "\n");
    for (dir, with) in [(build_dir, "$DIR"), (case_dir, "$SRC")] {
        if dir.as_os_str().is_empty() {
            continue;
        }
        for sp in spellings(dir) {
            t = t.replace(&sp, with);
        }
    }
    if let Some(re) = ADDR.get_or_init(|| Regex::new(r"0x[0-9a-fA-F]{8,16}").ok()) {
        t = re.replace_all(&t, "0x$$ADDR").into_owned();
    }
    let mut out: String = t.lines().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `run.output`: the normalized output must equal the expectation file's contents.
pub fn compare(path: &Path, stream: &str, actual: &str) -> Option<Finding> {
    let expected = std::fs::read_to_string(path).unwrap_or_default().replace("\r\n", "\n");
    if expected == actual {
        return None;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let show = |v: &[&str]| v.get(at).map(|l| format!("`{l}`")).unwrap_or_else(|| "the end".into());
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Some(
        Finding::new(
            "run.output",
            format!(
                "{stream} differs from {name} at line {}: expected {}, got {} ({} expected line(s), {} printed; `--bless` updates the file)",
                at + 1,
                show(&e),
                show(&a),
                e.len(),
                a.len()
            ),
        )
        .in_file(&name),
    )
}

/// Write the expectation: the case's own file (removed for empty output), or a control's
/// file only where its output differs from the case's (else the control's file is removed).
pub fn bless(
    primary: &Path,
    variant: Option<&str>,
    stream: &str,
    actual: &str,
) -> std::io::Result<()> {
    let own = expectation_path(primary, variant, stream);
    let remove = |p: &Path| match std::fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    };
    if variant.is_some() {
        let base =
            std::fs::read_to_string(expectation_path(primary, None, stream)).unwrap_or_default();
        if base == actual {
            return remove(&own);
        }
        return std::fs::write(&own, actual);
    }
    if actual.is_empty() { remove(&own) } else { std::fs::write(&own, actual) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_and_comparing() {
        let t = "at /b/x/out.exe\r\nZ:\\b\\x\\out.exe 0x00007ff6deadbeef  \nsrc /s/case.rs\n";
        let n = normalize(t, Path::new("/b/x"), Path::new("/s"));
        assert_eq!(n, "at $DIR/out.exe\n$DIR\\out.exe 0x$ADDR\nsrc $SRC/case.rs\n");
        let d = tempfile::tempdir().unwrap();
        let primary = d.path().join("arch.rs");
        let p = expected_file(&primary, Some("host"), "stdout");
        assert!(p.ends_with("arch.stdout"), "a control without its own file uses the case's");
        assert!(compare(&p, "stdout", "").is_none(), "a missing file expects nothing");
        let f = compare(&p, "stdout", "x86_64\n").unwrap();
        assert!(f.message.contains("at line 1: expected the end, got `x86_64`"), "{}", f.message);
        bless(&primary, None, "stdout", "arm64ec\n").unwrap();
        bless(&primary, Some("host"), "stdout", "x86_64\n").unwrap();
        bless(&primary, Some("wine"), "stdout", "arm64ec\n").unwrap();
        assert!(expected_file(&primary, Some("host"), "stdout").ends_with("arch.host.stdout"));
        assert!(expected_file(&primary, Some("wine"), "stdout").ends_with("arch.stdout"));
        assert!(
            compare(&expected_file(&primary, Some("host"), "stdout"), "stdout", "x86_64\n")
                .is_none()
        );
        bless(&primary, None, "stdout", "").unwrap();
        assert!(!primary.with_file_name("arch.stdout").exists());
    }
}
