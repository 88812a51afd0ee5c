//! What a parsed directive says ([`Item`]) and where it was written ([`Directive`]).

use super::super::conditions::Condition;
use super::super::kinds::{CrateType, ImageKind, LinkMachine, Need};
use crate::abi::Signature;
use crate::model::{Target, Tier, Version};
use std::time::Duration;

/// What one directive says.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Revisions(Vec<String>),
    CompileFlags(Vec<String>),
    CFlags(Vec<String>),
    LinkArgs(Vec<String>),
    CrateType(CrateType),
    Edition(String),
    Tier(Tier),
    Target(Target),
    MinLlvm(Version),
    /// `min-rust-version`: older toolchains ignore the case (a language feature it needs).
    MinRust(Version),
    KnownBug(String),
    Timeout(Duration),
    HostControl,
    /// `exit-code: N` (decimal, or `0x…` for Windows status codes).
    ExitCode(i32),
    /// `run-pass`: the run must exit 0 (the default of run cases).
    RunPass,
    /// `run-fail`: the run must fail (a non-zero exit, or a signal).
    RunFail,
    /// `check-run-output`: stdout and stderr, normalized, must match the expectation files.
    CheckRunOutput,
    /// `wine-control`: also build the fixture as an x64 Windows program and run it under
    /// Wine as a control (what an Arm64EC process looks like to the OS).
    WineControl,
    Condition(Condition),
    Needs(Need),
    /// `sig: name = fn(...)`: a function's C signature in the project's notation.
    Sig(String, Signature),
    /// `build-fail`: the build must fail with the diagnostics the `//~` annotations name.
    BuildFail,
    /// `expect-finding: rule[subject,…] rule*N ...`: the checks must report exactly these
    /// findings.
    ExpectFinding(Vec<super::super::config::ExpectedFinding>),
    /// `known-deviation: text`: an expected failure with no upstream issue yet.
    KnownDeviation(String),
    /// `link: dll|exe`: the image a link-tier case produces.
    Link(ImageKind),
    /// `link-machine: arm64ec|arm64x`: the image's machine (`/machine:`).
    LinkMachine(LinkMachine),
    /// `also-target: triple ...`: the Rust crate is also compiled for these targets and the
    /// objects go into the same image (x64 code in an EC image, the native half of Arm64X).
    AlsoTarget(Vec<Target>),
    /// `c-target: file.c = triple`: compile one C source for another target.
    CTarget(String, Target),
    /// `entry: symbol`: the entry point of an EXE.
    Entry(String),
    /// `aux-dll: file.c = triple`: a C source built into a DLL of its own, beside the image
    /// (a plugin the program loads).
    AuxDll(String, Target),
}

/// A parsed directive with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// The table entry it was parsed by: `tier`, `compile-flags`, or a family such as
    /// `only-<cond>` and `needs-<capability>`.
    pub name: &'static str,
    /// Revisions it applies to; empty means every revision.
    pub revisions: Vec<String>,
    /// Column of each revision name, for errors about undeclared revisions.
    pub revision_columns: Vec<usize>,
    pub item: Item,
    pub line: usize,
    /// 1-based column of the directive's name.
    pub column: usize,
    /// 1-based column of its value (just past the name when it has none).
    pub value_column: usize,
    /// Whether its table entry allows it once per scope (common, or one revision).
    pub once_per_scope: bool,
}
