//! Toolchains: resolve `--toolchain` (a rustup name or a path to rustc), probe it into a
//! fingerprint, refuse LLVM below 18, and provision the Windows targets' std.

pub mod cfg;
pub mod probe_cache;
pub mod provision;
pub mod rustup;
pub mod tools;

use crate::error::{Error, Result};
use crate::model::{Target, Version};
use crate::process::{self, Cmd};
pub use cfg::CfgEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_secs(120);

/// LLVM releases whose fixes gate Arm64EC features (from the target's platform page).
pub const LLVM_FIRST_ARM64EC: Version = Version::new(18, 1, 0);
/// Import-library generation fixed: needed by raw-dylib.
pub const LLVM_IMPORT_LIBS: Version = Version::new(18, 1, 2);
/// Linking of some compiler_builtins intrinsics fixed.
pub const LLVM_BUILTINS_LINK: Version = Version::new(18, 1, 4);

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Whatever `rustc` rustup (or PATH) resolves to here.
    Default,
    /// A rustup toolchain name such as `stable`, `1.85.0` or `nightly-2026-01-01`.
    Name(String),
    /// A path to a `rustc` binary.
    Path(PathBuf),
}

impl Request {
    pub fn parse(s: &str) -> Request {
        if s.contains('/') || s.contains('\\') || Path::new(s).is_file() {
            Request::Path(PathBuf::from(s))
        } else {
            Request::Name(s.to_string())
        }
    }
}

/// The facts `rustc` reports about itself, plus its sysroot, cfg sets and linker.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RustcInfo {
    pub release: String,
    pub commit_hash: Option<String>,
    pub commit_date: Option<String>,
    pub host: String,
    pub llvm_version: Option<String>,
    pub sysroot: PathBuf,
    /// `rustc --print cfg --target T` per triple (and `host`).
    pub cfg: BTreeMap<String, Vec<CfgEntry>>,
}

/// A resolved, probed toolchain.
#[derive(Clone, Debug)]
pub struct Toolchain {
    /// How the user named it (`stable`, a path, or `default`).
    pub label: String,
    /// The rustup toolchain it belongs to, when known (needed to install targets).
    pub rustup_name: Option<String>,
    pub rustc: PathBuf,
    pub info: RustcInfo,
}

impl Toolchain {
    pub fn llvm(&self) -> Option<Version> {
        self.info.llvm_version.as_deref().and_then(leading_version)
    }

    pub fn cfg(&self, target: Target) -> &[CfgEntry] {
        let key = target.triple().unwrap_or("host");
        self.info.cfg.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `<sysroot>/lib/rustlib/<host>/bin/rust-lld`, if the toolchain ships it.
    pub fn rust_lld(&self) -> Option<PathBuf> {
        let exe = if cfg!(windows) { "rust-lld.exe" } else { "rust-lld" };
        let p = self
            .info
            .sysroot
            .join("lib")
            .join("rustlib")
            .join(&self.info.host)
            .join("bin")
            .join(exe);
        p.is_file().then_some(p)
    }
}

/// Parse the numeric prefix of a version string: `22.1.2` from `22.1.2-rust-1.95.0-stable`.
pub fn leading_version(s: &str) -> Option<Version> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    Version::parse(s[..end].trim_end_matches('.'))
}

/// Resolve and probe a toolchain. `probe_dir` caches probe results.
pub fn open(req: &Request, probe_dir: &Path) -> Result<Toolchain> {
    let (label, rustup_name, rustc) = resolve(req)?;
    let info = probe_cache::cached(probe_dir, "rustc", &rustc, || probe(&rustc))
        .map_err(|e| e.context(format!("toolchain `{label}`")))?;
    let tc = Toolchain { label, rustup_name, rustc, info };
    check_llvm(&tc)?;
    Ok(tc)
}

/// Refuse toolchains whose LLVM predates Arm64EC support.
pub fn check_llvm(tc: &Toolchain) -> Result<()> {
    match tc.llvm() {
        Some(v) if v >= LLVM_FIRST_ARM64EC => Ok(()),
        Some(v) => Err(Error::msg(format!(
            "toolchain `{}` (rustc {}) uses LLVM {v}; Arm64EC needs LLVM {LLVM_FIRST_ARM64EC} or \
             later (the first LLVM release with Arm64EC support), so it cannot be tested",
            tc.label, tc.info.release
        ))),
        None => Err(Error::msg(format!(
            "toolchain `{}` (rustc {}) does not report an LLVM version in `rustc -vV`; \
             Arm64EC needs LLVM {LLVM_FIRST_ARM64EC} or later",
            tc.label, tc.info.release
        ))),
    }
}

/// Name of the rustup toolchain a rustc binary lives in (`.../toolchains/<name>/bin/rustc`).
fn rustup_name_of(rustc: &Path) -> Option<String> {
    let bin = rustc.parent()?;
    let tc_dir = bin.parent()?;
    let toolchains = tc_dir.parent()?;
    (bin.file_name()? == "bin" && toolchains.file_name()? == "toolchains")
        .then(|| tc_dir.file_name()?.to_str().map(String::from))
        .flatten()
}

fn resolve(req: &Request) -> Result<(String, Option<String>, PathBuf)> {
    match req {
        Request::Path(p) => {
            if !p.is_file() {
                return Err(Error::at_file(p, "no rustc at this path (given with --toolchain)"));
            }
            let abs = crate::paths::canonical(p).unwrap_or_else(|_| p.clone());
            Ok((p.display().to_string(), rustup_name_of(&abs), abs))
        }
        Request::Name(name) => {
            if rustup::find().is_none() {
                return Err(Error::msg(format!(
                    "toolchain `{name}` is a rustup name, but rustup is not on PATH; pass a path to \
                     a rustc binary instead (--toolchain /path/to/rustc)"
                )));
            }
            let guard = rustup::lock()?;
            let r = guard.run(&["which", "rustc", "--toolchain", name], PROBE_TIMEOUT);
            let path = PathBuf::from(r.stdout.trim());
            if !r.exit.success() || !path.is_file() {
                let list = guard.run(&["toolchain", "list"], PROBE_TIMEOUT);
                let installed: Vec<&str> =
                    list.stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
                return Err(Error::msg(format!(
                    "unknown toolchain `{name}`: rustup has no such toolchain installed \
                     (installed: {}). Install it with `rustup toolchain install {name} --profile \
                     minimal --target arm64ec-pc-windows-msvc`",
                    if installed.is_empty() { "none".to_string() } else { installed.join(", ") }
                )));
            }
            Ok((name.clone(), Some(name.clone()), path))
        }
        Request::Default => {
            if rustup::find().is_some() {
                let r = rustup::run(&["which", "rustc"], PROBE_TIMEOUT)?;
                let path = PathBuf::from(r.stdout.trim());
                if r.exit.success() && path.is_file() {
                    let name = rustup_name_of(&path);
                    return Ok((name.clone().unwrap_or_else(|| "default".into()), name, path));
                }
            }
            match process::which("rustc") {
                Some(p) => Ok(("default".into(), rustup_name_of(&p), p)),
                None => Err(Error::msg(
                    "no Rust toolchain found: neither rustup nor rustc is on PATH (install rustup \
                     from the Rust project, or pass --toolchain /path/to/rustc)",
                )),
            }
        }
    }
}

fn run_rustc(rustc: &Path, args: &[&str]) -> Result<String> {
    let r = process::run(&Cmd::new(rustc).args(args), Instant::now() + PROBE_TIMEOUT);
    if !r.exit.success() {
        return Err(Error::msg(format!(
            "`{} {}` failed: {}\n{}",
            rustc.display(),
            args.join(" "),
            r.summary(),
            r.tail(5)
        )));
    }
    Ok(r.stdout)
}

/// Run `rustc -vV`, `--print sysroot` and `--print cfg` for each target.
pub fn probe(rustc: &Path) -> Result<RustcInfo> {
    let vv = run_rustc(rustc, &["-vV"])?;
    let field = |name: &str| {
        vv.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(|v| v.trim().to_string()))
    };
    let release = field("release").ok_or_else(|| {
        Error::msg(format!("`{} -vV` printed no `release:` line", rustc.display()))
    })?;
    let host = field("host")
        .ok_or_else(|| Error::msg(format!("`{} -vV` printed no `host:` line", rustc.display())))?;
    let sysroot = PathBuf::from(run_rustc(rustc, &["--print", "sysroot"])?.trim());
    let mut cfg = BTreeMap::new();
    cfg.insert("host".to_string(), parse_cfg(&run_rustc(rustc, &["--print", "cfg"])?));
    for t in Target::WINDOWS {
        let triple = t.triple().unwrap_or_default();
        let out = run_rustc(rustc, &["--print", "cfg", "--target", triple])?;
        cfg.insert(triple.to_string(), parse_cfg(&out));
    }
    Ok(RustcInfo {
        release,
        commit_hash: field("commit-hash").filter(|s| s != "unknown"),
        commit_date: field("commit-date").filter(|s| s != "unknown"),
        host,
        llvm_version: field("LLVM version"),
        sysroot,
        cfg,
    })
}

fn parse_cfg(out: &str) -> Vec<CfgEntry> {
    let mut v: Vec<CfgEntry> = out.lines().filter_map(CfgEntry::parse).collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_version_ignores_suffixes() {
        assert_eq!(leading_version("22.1.2"), Some(Version::new(22, 1, 2)));
        assert_eq!(leading_version("17.0.6-rust-1.77.0-stable"), Some(Version::new(17, 0, 6)));
        assert_eq!(leading_version("18"), Some(Version::new(18, 0, 0)));
        assert_eq!(leading_version("x"), None);
    }

    #[test]
    fn rustup_names_come_from_the_toolchain_directory() {
        let p = Path::new("/root/.rustup/toolchains/1.85.0-x86_64-unknown-linux-gnu/bin/rustc");
        assert_eq!(rustup_name_of(p).as_deref(), Some("1.85.0-x86_64-unknown-linux-gnu"));
        assert_eq!(rustup_name_of(Path::new("/usr/bin/rustc")), None);
    }

    #[test]
    fn old_llvm_is_refused_with_the_reason() {
        let mut info = RustcInfo {
            release: "1.77.0".into(),
            commit_hash: None,
            commit_date: None,
            host: "x86_64-unknown-linux-gnu".into(),
            llvm_version: Some("17.0.6".into()),
            sysroot: "/nonexistent".into(),
            cfg: BTreeMap::new(),
        };
        let tc = |info: RustcInfo| Toolchain {
            label: "old".into(),
            rustup_name: None,
            rustc: "rustc".into(),
            info,
        };
        let e = check_llvm(&tc(info.clone())).unwrap_err();
        assert!(e.message.contains("LLVM 17.0.6") && e.message.contains("18.1.0"), "{e}");
        info.llvm_version = None;
        assert!(check_llvm(&tc(info.clone())).is_err());
        info.llvm_version = Some("18.1.0".into());
        assert!(check_llvm(&tc(info)).is_ok());
    }
}
