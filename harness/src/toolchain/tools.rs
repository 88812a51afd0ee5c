//! The other tools a case may need: clang-cl, the toolchain's rust-lld, MSVC, a runner.

use super::probe_cache;
use super::{Toolchain, leading_version};
use crate::model::Version;
use crate::process::{self, Cmd};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lowest clang-cl that supports `/arm64EC`.
pub const MIN_CLANG: Version = Version::new(18, 0, 0);

/// Whether a tool is here, and if not, why and how to get it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Avail<T> {
    Found(T),
    Missing { reason: String, hint: String },
}

impl<T> Avail<T> {
    pub fn found(&self) -> Option<&T> {
        match self {
            Avail::Found(t) => Some(t),
            Avail::Missing { .. } => None,
        }
    }

    /// "reason (hint)" for a missing tool.
    pub fn why_missing(&self) -> Option<String> {
        match self {
            Avail::Found(_) => None,
            Avail::Missing { reason, hint } => Some(format!("{reason}; {hint}")),
        }
    }
}

/// A tool found at a path, with its version line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ToolInfo {
    pub path: PathBuf,
    pub version: String,
}

impl ToolInfo {
    pub fn version_number(&self) -> Option<Version> {
        let re = regex::Regex::new(r"(\d+\.\d+(?:\.\d+)?)").ok()?;
        re.captures(&self.version).and_then(|c| leading_version(&c[1]))
    }
}

fn version_line(path: &Path, args: &[&str]) -> Option<String> {
    let r = process::run(&Cmd::new(path).args(args), Instant::now() + Duration::from_secs(60));
    if !r.exit.success() {
        return None;
    }
    let text = if r.stdout.trim().is_empty() { r.stderr } else { r.stdout };
    text.lines().next().map(|l| l.trim().to_string())
}

fn probed(probe_dir: &Path, tag: &str, path: &Path, args: &[&str]) -> Option<ToolInfo> {
    probe_cache::cached(probe_dir, tag, path, || {
        Ok(version_line(path, args).map(|version| ToolInfo { path: path.to_path_buf(), version }))
    })
    .ok()
    .flatten()
}

/// Find clang-cl ≥ 18: `$HARNESS_CLANG_CL`, then `clang-cl`, then `clang-cl-NN` on PATH.
pub fn find_clang_cl(probe_dir: &Path) -> Avail<ToolInfo> {
    let hint =
        "install LLVM 18 or later (Debian/Ubuntu: `apt-get install clang-22`, which provides \
                clang-cl-22), or set HARNESS_CLANG_CL to a clang-cl binary"
            .to_string();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("HARNESS_CLANG_CL") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            return Avail::Missing {
                reason: format!("HARNESS_CLANG_CL={} is not a file", p.display()),
                hint,
            };
        }
        candidates.push(p);
    } else {
        candidates.extend(process::which("clang-cl"));
        candidates.extend(
            (MIN_CLANG.major..=40).rev().filter_map(|n| process::which(&format!("clang-cl-{n}"))),
        );
    }
    let mut too_old = Vec::new();
    for c in candidates {
        let Some(info) = probed(probe_dir, "clang-cl", &c, &["--version"]) else {
            continue;
        };
        match info.version_number() {
            Some(v) if v >= MIN_CLANG => return Avail::Found(info),
            _ => too_old.push(format!("{} ({})", c.display(), info.version)),
        }
    }
    let reason = if too_old.is_empty() {
        "clang-cl not found (looked for $HARNESS_CLANG_CL, clang-cl and clang-cl-NN on PATH)"
            .to_string()
    } else {
        format!("only clang-cl older than {MIN_CLANG} found: {}", too_old.join(", "))
    };
    Avail::Missing { reason, hint }
}

/// The toolchain's own `rust-lld` (used as `rust-lld -flavor link`, i.e. lld-link).
pub fn find_rust_lld(tc: &Toolchain, probe_dir: &Path) -> Avail<ToolInfo> {
    match tc.rust_lld() {
        Some(p) => match probed(probe_dir, "rust-lld", &p, &["-flavor", "link", "--version"]) {
            Some(info) => Avail::Found(info),
            None => Avail::Missing {
                reason: format!("{} does not run (`-flavor link --version` failed)", p.display()),
                hint: format!("reinstall the toolchain `{}`", tc.label),
            },
        },
        None => Avail::Missing {
            reason: format!("toolchain `{}` ships no rust-lld in its sysroot", tc.label),
            hint: "use a rustup toolchain (they ship rust-lld), or install lld-link".into(),
        },
    }
}

/// The lowest lld that links valid Arm64EC images: LLD 19 synthesizes only part of the
/// CHPE metadata (no export thunks, redirection metadata or auxiliary IAT).
pub const MIN_LLD: Version = Version::new(20, 0, 0);

/// An lld-link to link images with: the argv prefix (`rust-lld -flavor link` or
/// `lld-link-NN`) and its version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Linker {
    pub path: PathBuf,
    /// Arguments before the link arguments (`-flavor link` for rust-lld).
    pub prefix: Vec<String>,
    pub version: String,
}

/// The linker for the link tier: the toolchain's rust-lld when it is LLD 20 or later,
/// otherwise `lld-link` / `lld-link-NN` from PATH (or `$HARNESS_LLD_LINK`).
pub fn find_linker(rust_lld: &Avail<ToolInfo>, probe_dir: &Path) -> Avail<Linker> {
    let hint = "install LLD 20 or later (Debian/Ubuntu: `apt-get install lld-22`), or use a toolchain whose rust-lld is LLD 20+ (Rust 1.87 or later)".to_string();
    let mut seen = Vec::new();
    if let Some(info) = rust_lld.found() {
        if info.version_number().is_some_and(|v| v >= MIN_LLD) {
            return Avail::Found(Linker {
                path: info.path.clone(),
                prefix: vec!["-flavor".into(), "link".into()],
                version: info.version.clone(),
            });
        }
        seen.push(format!("the toolchain's rust-lld ({})", info.version));
    }
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("HARNESS_LLD_LINK") {
        candidates.push(PathBuf::from(p));
    }
    candidates.extend(process::which("lld-link"));
    candidates.extend(
        (MIN_LLD.major..=40).rev().filter_map(|n| process::which(&format!("lld-link-{n}"))),
    );
    for c in candidates {
        let Some(info) = probed(probe_dir, "lld-link", &c, &["--version"]) else { continue };
        if info.version_number().is_some_and(|v| v >= MIN_LLD) {
            return Avail::Found(Linker { path: c, prefix: vec![], version: info.version });
        }
        seen.push(format!("{} ({})", c.display(), info.version));
    }
    let reason = if seen.is_empty() {
        "no lld-link found (the toolchain ships no rust-lld, and none is on PATH)".to_string()
    } else {
        format!("only LLD older than {MIN_LLD} found: {}", seen.join(", "))
    };
    Avail::Missing { reason, hint }
}

/// The clang driver next to a clang-cl (`clang-cl-22` → `clang-22`), to assemble the
/// support files (`.S`).
pub fn find_clang_driver(clang_cl: &Avail<ToolInfo>) -> Avail<ToolInfo> {
    let hint = "install clang 18 or later (Debian/Ubuntu: `apt-get install clang-22`)".to_string();
    let Some(cl) = clang_cl.found() else {
        return Avail::Missing {
            reason: "no clang-cl, so no clang driver next to it".into(),
            hint,
        };
    };
    let name = cl
        .path
        .file_name()
        .map(|n| n.to_string_lossy().replace("clang-cl", "clang"))
        .unwrap_or_default();
    let sibling = cl.path.with_file_name(&name);
    if sibling.is_file() {
        return Avail::Found(ToolInfo { path: sibling, version: cl.version.clone() });
    }
    match process::which(&name).or_else(|| process::which("clang")) {
        Some(p) => Avail::Found(ToolInfo { path: p, version: cl.version.clone() }),
        None => Avail::Missing {
            reason: format!("`{name}` not found next to {}", cl.path.display()),
            hint,
        },
    }
}

/// MSVC for ARM64EC: `cl`, `link` and `lib`, their ARM64EC lib directory and a Windows 11 SDK.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Msvc {
    pub cl: PathBuf,
    pub link: PathBuf,
    pub lib: PathBuf,
    pub sdk_version: String,
}

#[cfg(windows)]
pub fn find_msvc() -> Avail<Msvc> {
    let component = "the Visual Studio component \"MSVC ARM64/ARM64EC build tools\" \
                     (Microsoft.VisualStudio.Component.VC.Tools.ARM64EC)";
    let missing = |reason: String, hint: &str| Avail::Missing { reason, hint: hint.to_string() };
    let tool = |name: &str| find_msvc_tools::find_tool("arm64ec", name);
    let (Some(cl), Some(link), Some(lib)) = (tool("cl.exe"), tool("link.exe"), tool("lib.exe"))
    else {
        return missing(
            "MSVC cl/link/lib for ARM64EC not found".to_string(),
            &format!("install {component}"),
        );
    };
    let has_ec_libdir = cl.env().into_iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("LIB")
            && std::env::split_paths(v).any(|p| p.ends_with("arm64ec") && p.is_dir())
    });
    if !has_ec_libdir {
        return missing(
            "the MSVC ARM64EC library directory (VC\\Tools\\MSVC\\<version>\\lib\\arm64ec) is missing".into(),
            &format!("install {component}"),
        );
    }
    let sdk = find_msvc_tools::find_windows_sdk("arm64ec");
    let sdk_version = sdk.as_ref().map(|s| s.sdk_version().to_string()).unwrap_or_default();
    let build: u32 = sdk_version.split('.').nth(2).and_then(|b| b.parse().ok()).unwrap_or(0);
    if build < 22000 {
        return missing(
            format!("no Windows 11 SDK (10.0.22000 or later) found (found: `{sdk_version}`)"),
            "install the Windows 11 SDK component in the Visual Studio Installer",
        );
    }
    Avail::Found(Msvc {
        cl: cl.path().to_path_buf(),
        link: link.path().to_path_buf(),
        lib: lib.path().to_path_buf(),
        sdk_version,
    })
}

#[cfg(not(windows))]
pub fn find_msvc() -> Avail<Msvc> {
    Avail::Missing {
        reason: "MSVC exists only on Windows hosts".into(),
        hint: "run on Windows with Visual Studio's \"MSVC ARM64/ARM64EC build tools\" and the Windows 11 SDK".into(),
    }
}

/// Where Arm64EC code can execute.
#[derive(Clone, Debug, Serialize, PartialEq, Deserialize)]
pub struct RunnerInfo {
    /// `native` on Windows 11 on ARM64, `none` otherwise.
    pub kind: String,
    pub detail: String,
}

impl RunnerInfo {
    pub fn detect() -> RunnerInfo {
        if cfg!(all(windows, any(target_arch = "aarch64", target_arch = "arm64ec"))) {
            RunnerInfo { kind: "native".into(), detail: "Windows on ARM64 host".into() }
        } else {
            RunnerInfo {
                kind: "none".into(),
                detail: format!(
                    "{}-{} host cannot execute Arm64EC code; run on Windows 11 on ARM64",
                    std::env::consts::OS,
                    std::env::consts::ARCH
                ),
            }
        }
    }

    pub fn available(&self) -> bool {
        self.kind != "none"
    }
}
