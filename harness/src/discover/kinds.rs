//! The small closed sets directives choose from: crate types, capabilities, image kinds
//! and link machines.

/// The crate types a Rust fixture may declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrateType {
    Rlib,
    Staticlib,
    Cdylib,
    Bin,
}

impl CrateType {
    pub const ALL: [CrateType; 4] =
        [CrateType::Rlib, CrateType::Staticlib, CrateType::Cdylib, CrateType::Bin];

    pub fn name(self) -> &'static str {
        match self {
            CrateType::Rlib => "rlib",
            CrateType::Staticlib => "staticlib",
            CrateType::Cdylib => "cdylib",
            CrateType::Bin => "bin",
        }
    }
}

/// Capabilities a case may need from the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    ClangCl,
    Msvc,
    RustLld,
    Runner,
    X64Emulation,
    Wine,
}

impl Need {
    pub const ALL: [Need; 6] =
        [Need::ClangCl, Need::Msvc, Need::RustLld, Need::Runner, Need::X64Emulation, Need::Wine];

    pub fn name(self) -> &'static str {
        match self {
            Need::ClangCl => "clang-cl",
            Need::Msvc => "msvc",
            Need::RustLld => "rust-lld",
            Need::Runner => "runner",
            Need::X64Emulation => "x64-emulation",
            Need::Wine => "wine",
        }
    }
}

/// A control of a case: the fixture built for another platform to prove its own logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// `::host`: built for and run on this host.
    Host,
    /// `::wine`: built as an x64 Windows program and run under Wine.
    Wine,
}

impl Control {
    /// The pairing name in the trial's key (`suite::case::host`) and expectation files.
    pub fn name(self) -> &'static str {
        match self {
            Control::Host => "host",
            Control::Wine => "wine",
        }
    }
}

/// What a link-tier case links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Dll,
    Exe,
}

impl ImageKind {
    pub fn name(self) -> &'static str {
        match self {
            ImageKind::Dll => "dll",
            ImageKind::Exe => "exe",
        }
    }
}

/// The `/machine:` of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkMachine {
    Arm64ec,
    Arm64x,
}

impl LinkMachine {
    pub fn name(self) -> &'static str {
        match self {
            LinkMachine::Arm64ec => "arm64ec",
            LinkMachine::Arm64x => "arm64x",
        }
    }
}
