//! The typed values that flow between stages: tiers, targets, case keys, statuses.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How far a case goes: objects inspected, images linked and inspected, or executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Static,
    Link,
    Run,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Static, Tier::Link, Tier::Run];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Static => "static",
            Tier::Link => "link",
            Tier::Run => "run",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == s)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A COFF machine type (IMAGE_FILE_MACHINE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Machine(pub u16);

impl Machine {
    pub const AMD64: Machine = Machine(0x8664);
    pub const ARM64: Machine = Machine(0xAA64);
    pub const ARM64EC: Machine = Machine(0xA641);
    pub const ARM64X: Machine = Machine(0xA64E);
    pub const I386: Machine = Machine(0x014C);
    pub const UNKNOWN: Machine = Machine(0);

    pub fn name(self) -> &'static str {
        match self {
            Machine::AMD64 => "AMD64",
            Machine::ARM64 => "ARM64",
            Machine::ARM64EC => "ARM64EC",
            Machine::ARM64X => "ARM64X",
            Machine::I386 => "I386",
            Machine::UNKNOWN => "UNKNOWN",
            _ => "other",
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:04X})", self.name(), self.0)
    }
}

/// The Windows targets the suite builds for, plus the toolchain's host (for controls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    #[serde(rename = "arm64ec-pc-windows-msvc")]
    Arm64ec,
    #[serde(rename = "x86_64-pc-windows-msvc")]
    X64,
    #[serde(rename = "aarch64-pc-windows-msvc")]
    Aarch64,
    /// The toolchain's host triple: used only for portable host controls.
    #[serde(rename = "host")]
    Host,
}

impl Target {
    /// The targets whose std the harness provisions.
    pub const WINDOWS: [Target; 3] = [Target::Arm64ec, Target::X64, Target::Aarch64];

    /// The rustc target triple; `None` for the host (rustc's default).
    pub fn triple(self) -> Option<&'static str> {
        match self {
            Target::Arm64ec => Some("arm64ec-pc-windows-msvc"),
            Target::X64 => Some("x86_64-pc-windows-msvc"),
            Target::Aarch64 => Some("aarch64-pc-windows-msvc"),
            Target::Host => None,
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::WINDOWS.into_iter().find(|t| t.triple() == Some(s))
    }

    /// The machine an object compiled for this target must carry.
    pub fn object_machine(self) -> Option<Machine> {
        match self {
            Target::Arm64ec => Some(Machine::ARM64EC),
            Target::X64 => Some(Machine::AMD64),
            Target::Aarch64 => Some(Machine::ARM64),
            Target::Host => None,
        }
    }

    /// Target argument for clang-cl.
    pub fn clang_cl_args(self) -> &'static [&'static str] {
        match self {
            Target::Arm64ec => &["/arm64EC"],
            Target::X64 => &["--target=x86_64-pc-windows-msvc"],
            Target::Aarch64 => &["--target=aarch64-pc-windows-msvc"],
            Target::Host => &[],
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.triple().unwrap_or("host"))
    }
}

/// The canonical identity of a trial: `suite::case[::revision][::pairing]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseKey {
    pub suite: String,
    pub case: String,
    pub revision: Option<String>,
    pub pairing: Option<String>,
}

impl CaseKey {
    pub fn new(suite: &str, case: &str) -> Self {
        CaseKey { suite: suite.into(), case: case.into(), revision: None, pairing: None }
    }
}

impl fmt::Display for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.suite, self.case)?;
        if let Some(r) = &self.revision {
            write!(f, "::{r}")?;
        }
        if let Some(p) = &self.pairing {
            write!(f, "::{p}")?;
        }
        Ok(())
    }
}

impl Serialize for CaseKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl CaseKey {
    /// Read `suite::case[::revision][::pairing]` back. A key of three parts does not say
    /// whether its last part is a revision or a pairing: it is read as a revision, and a
    /// report record's own `revision`/`pairing` fields settle it.
    pub fn parse(s: &str) -> Option<CaseKey> {
        let parts: Vec<&str> = s.split("::").collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let owned = |i: usize| parts.get(i).map(|p| p.to_string());
        match parts.len() {
            2..=4 => Some(CaseKey {
                suite: parts[0].into(),
                case: parts[1].into(),
                revision: owned(2),
                pairing: owned(3),
            }),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for CaseKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CaseKey::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a case key (`suite::case[::revision][::pairing]`)"
            ))
        })
    }
}

/// A dotted version such as an LLVM or clang release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch }
    }

    /// Parse `X`, `X.Y` or `X.Y.Z` (trailing text after the numbers such as `-rust-1.95` is
    /// not accepted here; callers extract the numeric part first).
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        let patch = parts.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        if parts.next().is_some() {
            return None;
        }
        Some(Version { major, minor, patch })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The final status of a trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// Could not run here; the record carries the reason.
    Ignored,
    /// Failed as the case declared it would (known bug, or a toolchain too old).
    ExpectedFailure,
    /// Declared to fail, but passed: the expectation is stale.
    Fixed,
    Timeout,
    /// The case could not be evaluated: bad suite file, corrupt output, missing tool.
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Ignored => "ignored",
            Status::ExpectedFailure => "expected-failure",
            Status::Fixed => "fixed",
            Status::Timeout => "timeout",
            Status::Error => "error",
        }
    }

    /// Whether this status makes the run (and the trial) fail.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Fixed | Status::Timeout | Status::Error)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The target Wine controls are built for: an x64 Windows program linked by MinGW-w64.
pub const GNU_TRIPLE: &str = "x86_64-pc-windows-gnu";
