//! The one table of directives: name, value form, scope, parser and one-line doc. Parsing,
//! validation (once per scope), `harness directives`, the README's directive list and the
//! "did you mean …?" suggestions all read it.

use super::super::conditions::KNOWN_BARE;
use super::super::kinds::Need;
use super::values::{self as v, Ctx, Parsed};

/// How often a directive may be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Once per scope (the common directives, or one revision's).
    Once,
    /// Any number of times; list values append.
    Many,
}

/// One directive the parser knows.
pub struct Spec {
    /// Its name; a family ends in `<…>` (`only-<cond>`): any name with that prefix.
    pub name: &'static str,
    /// The value it takes, as written in docs (`static|link|run`); empty when it takes none,
    /// in brackets when optional.
    pub form: &'static str,
    pub scope: Scope,
    pub parse: fn(&Ctx) -> Parsed,
    pub doc: &'static str,
}

impl Spec {
    /// For a family (`needs-<capability>`), the prefix before `<`.
    pub fn family_prefix(&self) -> Option<&'static str> {
        self.name.find('<').map(|i| &self.name[..i])
    }

    /// `name: form` (or `name`) as the docs show it.
    pub fn usage(&self) -> String {
        if self.form.is_empty() {
            self.name.to_string()
        } else if self.form.starts_with('[') {
            format!("{}{}", self.name, self.form)
        } else {
            format!("{}: {}", self.name, self.form)
        }
    }
}

use Scope::{Many, Once};

macro_rules! spec {
    ($name:literal, $form:literal, $scope:ident, $parse:path, $doc:literal) => {
        Spec { name: $name, form: $form, scope: $scope, parse: $parse, doc: $doc }
    };
}

pub static TABLE: &[Spec] = &[
    spec!(
        "revisions",
        "a b",
        Once,
        v::revisions,
        "one trial per revision; `//@[a] name: value` (or `//@[a,b]`) applies to those revisions"
    ),
    spec!(
        "tier",
        "static|link|run",
        Once,
        v::tier,
        "how far the case goes (default `static`). A `run` case builds an EXE: `link: dll` or a library `crate-type` is an error. A `link` or `run` case whose Rust program uses std (no `#![no_std]`) must declare `needs-msvc`"
    ),
    spec!(
        "target",
        "<triple>",
        Once,
        v::target_triple,
        "`arm64ec-pc-windows-msvc` (default), `x86_64-pc-windows-msvc`, `aarch64-pc-windows-msvc`"
    ),
    spec!(
        "crate-type",
        "rlib|staticlib|cdylib|bin",
        Once,
        v::crate_type,
        "Rust crate type (default `rlib`)"
    ),
    spec!("edition", "2021", Once, v::edition, "Rust edition (default 2021)"),
    spec!(
        "compile-flags",
        "...",
        Many,
        v::compile_flags,
        "extra rustc flags (whitespace-separated)"
    ),
    spec!("cflags", "...", Many, v::cflags, "extra C compiler flags"),
    spec!(
        "link-args",
        "...",
        Many,
        v::link_args,
        "extra linker arguments; files of the case directory as `{dir}/native.def`"
    ),
    spec!(
        "only-cfg",
        "name = \"value\"",
        Many,
        v::only_cfg,
        "run only where the target has that cfg, e.g. `target_feature = \"neon\"`"
    ),
    spec!(
        "ignore-cfg",
        "name = \"value\"",
        Many,
        v::ignore_cfg,
        "never run where the target has that cfg"
    ),
    spec!(
        "only-<cond>",
        "[: reason]",
        Many,
        v::only_bare,
        "run only where `<cond>` holds; `<cond>` is a value of the target's real cfg set (`rustc --print cfg --target T`): `arm64ec`, `x86_64`, `windows`, `msvc`, `64bit`, `little-endian`, …"
    ),
    spec!(
        "ignore-<cond>",
        "[: reason]",
        Many,
        v::ignore_bare,
        "never run where `<cond>` holds (the same conditions as `only-<cond>`)"
    ),
    spec!(
        "needs-<capability>",
        "",
        Many,
        v::needs,
        "`clang-cl`, `msvc`, `rust-lld`, `runner`, `x64-emulation`, `wine`: ignored with the reason where missing"
    ),
    spec!(
        "min-llvm-version",
        "18.1.2",
        Once,
        v::min_llvm,
        "with an older LLVM the case is expected to fail, with that reason"
    ),
    spec!(
        "min-rust-version",
        "1.88",
        Once,
        v::min_rust,
        "older toolchains ignore the case (a language feature it needs)"
    ),
    spec!(
        "known-bug",
        "<url>",
        Once,
        v::known_bug,
        "the case is expected to fail because of the linked upstream bug, as its `expect-finding` says"
    ),
    spec!(
        "known-deviation",
        "text",
        Once,
        v::known_deviation,
        "an expected failure with no upstream issue yet, as its `expect-finding` says; the text says what deviates"
    ),
    spec!(
        "timeout",
        "30s",
        Once,
        v::timeout,
        "the case's time limit (`30`, `30s`, `2m`; default 120 s, or `run --timeout`)"
    ),
    spec!(
        "host-control",
        "",
        Once,
        v::host_control,
        "also build and run the fixture for the host as a control (`tier: run`)"
    ),
    spec!(
        "wine-control",
        "",
        Once,
        v::wine_control,
        "also build the fixture as an x64 Windows program and run it under Wine as a control (`tier: run`)"
    ),
    spec!("run-pass", "", Once, v::run_pass, "the run must exit 0 (the default)"),
    spec!("run-fail", "", Once, v::run_fail, "the run must fail (a non-zero exit or a signal)"),
    spec!(
        "exit-code",
        "N",
        Once,
        v::exit_code,
        "the exit code a run must end with (decimal, or `0xC0000409` for Windows statuses)"
    ),
    spec!(
        "check-run-output",
        "",
        Once,
        v::check_run_output,
        "the run's normalized stdout and stderr must match `<stem>.stdout` / `<stem>.stderr` (`--bless` writes them)"
    ),
    spec!(
        "aux-dll",
        "file.c = triple",
        Many,
        v::aux_dll,
        "build that C source into a DLL of its own beside the image (x64 or ARM64; a plugin the program loads)"
    ),
    spec!(
        "sig",
        "name = fn(...)",
        Many,
        v::sig,
        "a function's C signature: its thunks are checked against the oracle and across producers"
    ),
    spec!(
        "build-fail",
        "",
        Once,
        v::build_fail,
        "the build must fail with exactly the errors the `//~ ERROR` annotations name"
    ),
    spec!(
        "expect-finding",
        "rule[subject,…] rule*N …",
        Many,
        v::expect_finding,
        "the checks must report exactly these findings: `rule` (one), `rule*N` (N), `rule[sym,…]` (on exactly these symbols); other rules, more findings and other phases fail the case"
    ),
    spec!(
        "link",
        "dll|exe",
        Once,
        v::link,
        "link tier: the image to produce (default from the crate type and tier: `bin` or `tier: run` → EXE, else DLL)"
    ),
    spec!(
        "link-machine",
        "arm64ec|arm64x",
        Once,
        v::link_machine,
        "the image's `/machine:` (an Arm64X image needs native code: `also-target: aarch64-pc-windows-msvc`)"
    ),
    spec!(
        "also-target",
        "triple ...",
        Many,
        v::also_target,
        "compile the Rust crate for these targets too, into the same image (x64 objects in an EC image; the native half of Arm64X)"
    ),
    spec!(
        "c-target",
        "file.c = triple",
        Many,
        v::c_target,
        "compile one C source for another target (x64 C in an EC image)"
    ),
    spec!("entry", "symbol", Once, v::entry, "an EXE's entry point (`#![no_main]` fixtures)"),
];

/// The entry that parses `name`: an exact name first, then a family by its prefix.
pub fn lookup(name: &str) -> Option<&'static Spec> {
    TABLE
        .iter()
        .find(|s| s.name == name)
        .or_else(|| TABLE.iter().find(|s| s.family_prefix().is_some_and(|p| name.starts_with(p))))
}

/// The entry named exactly `name` (`tier`, `only-<cond>`).
pub fn spec(name: &str) -> Option<&'static Spec> {
    TABLE.iter().find(|s| s.name == name)
}

/// Every name a directive can be written with, families spelled out.
pub fn concrete_names() -> Vec<String> {
    let mut out = Vec::new();
    for s in TABLE {
        match s.family_prefix() {
            Some("needs-") => out.extend(Need::ALL.iter().map(|n| format!("needs-{}", n.name()))),
            Some(p) => out.extend(KNOWN_BARE.iter().map(|c| format!("{p}{c}"))),
            None => out.push(s.name.to_string()),
        }
    }
    out
}

/// The table as the README's Markdown rows.
pub fn markdown() -> String {
    let mut s = String::from("| directive | meaning |\n|---|---|\n");
    for spec in TABLE {
        s.push_str(&format!("| `{}` | {} |\n", spec.usage().replace('|', "\\|"), spec.doc));
    }
    s
}

/// The table as `harness directives` prints it.
pub fn text() -> String {
    let width = TABLE.iter().map(|s| s.usage().len()).max().unwrap_or(0);
    let mut s = String::new();
    for spec in TABLE {
        let scope = if spec.scope == Scope::Once { "once" } else { "many" };
        s.push_str(&format!("{:<width$}  {scope}  {}\n", spec.usage(), spec.doc));
    }
    s
}
