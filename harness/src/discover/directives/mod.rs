//! Strict parsing of `//@ name: value` directive lines, in the compiletest / ui_test manner:
//! an unknown name, a malformed value, a duplicate, or a `//@[rev]` for an undeclared
//! revision is an error naming file, line and column.

use super::conditions::{CfgPred, Condition, KNOWN_BARE, Polarity};
pub use super::kinds::{CrateType, ImageKind, LinkMachine, Need};
use crate::abi::Signature;
use crate::error::Error;
use crate::model::{Target, Tier, Version};
use std::path::Path;
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
    /// `expect-finding: rule ...`: the check must report exactly these rules.
    ExpectFinding(Vec<String>),
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

impl Item {
    /// Single-valued items may be given once per scope (common, or one revision).
    pub fn single_name(&self) -> Option<&'static str> {
        Some(match self {
            Item::CrateType(_) => "crate-type",
            Item::Edition(_) => "edition",
            Item::Tier(_) => "tier",
            Item::Target(_) => "target",
            Item::MinLlvm(_) => "min-llvm-version",
            Item::MinRust(_) => "min-rust-version",
            Item::KnownBug(_) => "known-bug",
            Item::Timeout(_) => "timeout",
            Item::HostControl => "host-control",
            Item::ExitCode(_) => "exit-code",
            Item::RunPass => "run-pass",
            Item::RunFail => "run-fail",
            Item::CheckRunOutput => "check-run-output",
            Item::WineControl => "wine-control",
            Item::BuildFail => "build-fail",
            Item::KnownDeviation(_) => "known-deviation",
            Item::Link(_) => "link",
            Item::LinkMachine(_) => "link-machine",
            Item::Entry(_) => "entry",
            _ => return None,
        })
    }
}

/// A parsed directive with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// Revisions it applies to; empty means every revision.
    pub revisions: Vec<String>,
    /// Column of each revision name, for errors about undeclared revisions.
    pub revision_columns: Vec<usize>,
    pub item: Item,
    pub line: usize,
    pub column: usize,
}

/// Directive names that take a fixed form, for the "known names" list in errors.
pub const KNOWN_NAMES: &[&str] = &[
    "revisions",
    "compile-flags",
    "cflags",
    "link-args",
    "crate-type",
    "edition",
    "tier",
    "target",
    "min-llvm-version",
    "min-rust-version",
    "known-bug",
    "timeout",
    "host-control",
    "wine-control",
    "exit-code",
    "run-pass",
    "run-fail",
    "check-run-output",
    "sig",
    "build-fail",
    "expect-finding",
    "known-deviation",
    "link",
    "link-machine",
    "also-target",
    "c-target",
    "entry",
    "aux-dll",
    "only-<cond>",
    "ignore-<cond>",
    "only-cfg",
    "ignore-cfg",
    "needs-<capability>",
];

fn known_names_list() -> String {
    let needs: Vec<_> = Need::ALL.iter().map(|n| format!("needs-{}", n.name())).collect();
    format!("known directives: {}; capabilities: {}", KNOWN_NAMES.join(", "), needs.join(", "))
}

fn is_rev_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parse every directive in `text` (the contents of `path`). Errors are collected, not
/// fatal: the caller gets all of them at once.
pub fn parse(path: &Path, text: &str) -> (Vec<Directive>, Vec<Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let indent = raw.len() - raw.trim_start().len();
        let Some(rest) = raw.trim_start().strip_prefix("//@") else {
            continue;
        };
        let mut col = indent + 4; // 1-based column right after "//@"
        match parse_line(rest, &mut col) {
            Ok(Some(mut d)) => {
                d.line = line_no;
                if let Item::Condition(c) = &mut d.item {
                    c.line = line_no;
                }
                out.push(d);
            }
            Ok(None) => {}
            Err((c, msg)) => errors.push(Error::at(path, line_no, c, msg)),
        }
    }
    super::validate::validate(path, &out, &mut errors);
    (out, errors)
}

/// Parse the text after `//@`. `col` is the 1-based column of its first character.
fn parse_line(rest: &str, col: &mut usize) -> Result<Option<Directive>, (usize, String)> {
    let mut s = rest;
    let mut revisions = Vec::new();
    let mut revision_columns = Vec::new();
    if let Some(after) = s.strip_prefix('[') {
        let Some(end) = after.find(']') else {
            return Err((*col, "unclosed `[` in revision list: expected `//@[rev] name`".into()));
        };
        let mut c = *col + 1;
        for part in after[..end].split(',') {
            let lead = part.len() - part.trim_start().len();
            let name = part.trim();
            if !is_rev_name(name) {
                return Err((c + lead, format!("malformed revision name `{name}` in `[...]`")));
            }
            revisions.push(name.to_string());
            revision_columns.push(c + lead);
            c += part.len() + 1;
        }
        *col += end + 2;
        s = &after[end + 1..];
    }
    let lead = s.len() - s.trim_start().len();
    *col += lead;
    let s = s.trim();
    if s.is_empty() {
        return Err((
            *col,
            format!("empty directive: expected `//@ name: value`; {}", known_names_list()),
        ));
    }
    let (name, value, value_col) = match s.split_once(':') {
        Some((n, v)) => {
            let v_lead = v.len() - v.trim_start().len();
            (n.trim_end(), Some(v.trim()), *col + n.len() + 1 + v_lead)
        }
        None => (s, None, *col + s.len()),
    };
    let item = parse_item(name, value).map_err(|e| match e {
        ItemError::Name(msg) => (*col, msg),
        ItemError::Value(msg) => (value_col, msg),
        ItemError::ValueAt(at, msg) => (value_col + at, msg),
    })?;
    Ok(Some(Directive { revisions, revision_columns, item, line: 0, column: *col }))
}

enum ItemError {
    Name(String),
    Value(String),
    /// An error at a byte offset inside the value.
    ValueAt(usize, String),
}

fn parse_item(name: &str, value: Option<&str>) -> Result<Item, ItemError> {
    use ItemError::{Name, Value, ValueAt};
    let need_value = |what: &str| -> Result<&str, ItemError> {
        match value {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Value(format!("`{name}` needs a value: `//@ {name}: {what}`"))),
        }
    };
    let no_value = || -> Result<(), ItemError> {
        match value {
            None => Ok(()),
            Some(v) => Err(Value(format!("`{name}` takes no value, found `{v}`"))),
        }
    };
    let words = |what: &str| -> Result<Vec<String>, ItemError> {
        Ok(need_value(what)?.split_whitespace().map(String::from).collect())
    };
    let one_of = |what: &str, options: &[&str]| -> Result<String, ItemError> {
        let v = need_value(what)?;
        if options.contains(&v) {
            Ok(v.to_string())
        } else {
            Err(Value(format!("unknown {name} `{v}`; expected one of: {}", options.join(", "))))
        }
    };
    Ok(match name {
        "revisions" => {
            let revs = words("a b c")?;
            for r in &revs {
                if !is_rev_name(r) {
                    return Err(Value(format!(
                        "malformed revision name `{r}`: use letters, digits, `_` and `-`"
                    )));
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            for r in &revs {
                if !seen.insert(r) {
                    return Err(Value(format!("revision `{r}` is declared twice")));
                }
            }
            Item::Revisions(revs)
        }
        "compile-flags" => Item::CompileFlags(words("-C opt-level=1")?),
        "cflags" => Item::CFlags(words("/O1")?),
        "link-args" => Item::LinkArgs(words("/noentry")?),
        "crate-type" => {
            let names: Vec<_> = CrateType::ALL.iter().map(|c| c.name()).collect();
            let v = one_of("rlib", &names)?;
            Item::CrateType(
                CrateType::ALL.into_iter().find(|c| c.name() == v).unwrap_or(CrateType::Rlib),
            )
        }
        "edition" => Item::Edition(one_of("2021", &["2015", "2018", "2021", "2024"])?),
        "tier" => {
            let v = one_of("static", &["static", "link", "run"])?;
            Item::Tier(Tier::parse(&v).unwrap_or(Tier::Static))
        }
        "target" => {
            let triples: Vec<_> = Target::WINDOWS.iter().filter_map(|t| t.triple()).collect();
            let v = one_of("arm64ec-pc-windows-msvc", &triples)?;
            Item::Target(Target::parse(&v).unwrap_or(Target::Arm64ec))
        }
        "min-llvm-version" => {
            let v = need_value("18.1.2")?;
            Item::MinLlvm(Version::parse(v).ok_or_else(|| {
                Value(format!("malformed version `{v}`: expected `MAJOR[.MINOR[.PATCH]]`"))
            })?)
        }
        "min-rust-version" => {
            let v = need_value("1.88")?;
            Item::MinRust(Version::parse(v).ok_or_else(|| {
                Value(format!("malformed version `{v}`: expected `MAJOR[.MINOR[.PATCH]]`"))
            })?)
        }
        "known-bug" => {
            let v = need_value("https://github.com/rust-lang/rust/issues/NNNNN")?;
            let ok = (v.starts_with("https://") || v.starts_with("http://"))
                && !v.contains(char::is_whitespace)
                && v.split_once("://").is_some_and(|(_, rest)| rest.contains('.'));
            if !ok {
                return Err(Value(format!("`known-bug` needs an upstream URL, found `{v}`")));
            }
            Item::KnownBug(v.to_string())
        }
        "timeout" => {
            let v = need_value("30s")?;
            Item::Timeout(parse_duration(v).ok_or_else(|| {
                Value(format!(
                    "malformed timeout `{v}`: expected seconds such as `30`, `30s` or `2m`"
                ))
            })?)
        }
        "host-control" => {
            no_value()?;
            Item::HostControl
        }
        "exit-code" => {
            let v = need_value("0")?;
            let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok().map(|u| u as i32),
                None => v.parse().ok(),
            };
            Item::ExitCode(parsed.ok_or_else(|| {
                Value(format!("malformed exit code `{v}`: a decimal number or `0x` and hex digits"))
            })?)
        }
        "run-pass" | "run-fail" | "check-run-output" | "wine-control" => {
            no_value()?;
            match name {
                "run-pass" => Item::RunPass,
                "run-fail" => Item::RunFail,
                "check-run-output" => Item::CheckRunOutput,
                _ => Item::WineControl,
            }
        }
        "sig" => {
            let v = need_value("name = fn(i32) -> i32")?;
            let Some((fname, text)) = v.split_once('=') else {
                return Err(Value(format!("`sig` is `name = fn(...)`, found `{v}`")));
            };
            let fname = fname.trim();
            if fname.is_empty() || fname.contains(char::is_whitespace) {
                return Err(Value(format!(
                    "`sig` needs a function name before `=`, found `{fname}`"
                )));
            }
            let sig_text = text.trim();
            let base = v.len() - text.len() + (text.len() - text.trim_start().len());
            let sig = Signature::parse(sig_text).map_err(|e| {
                let at =
                    sig_text.char_indices().nth(e.column - 1).map_or(sig_text.len(), |(i, _)| i);
                ValueAt(base + at, format!("malformed signature for `{fname}`: {}", e.message))
            })?;
            Item::Sig(fname.to_string(), sig)
        }
        "build-fail" => {
            no_value()?;
            Item::BuildFail
        }
        "expect-finding" => {
            let rules = words("ec.entry-thunk")?;
            for r in &rules {
                let ok = r.contains('.')
                    && r.split('.').all(|p| {
                        !p.is_empty()
                            && p.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    });
                if !ok {
                    return Err(Value(format!(
                        "`{r}` is not a rule id (such as `thunk.name.oracle`)"
                    )));
                }
            }
            Item::ExpectFinding(rules)
        }
        "known-deviation" => {
            let v = need_value("what deviates from the ABI, and why no issue is linked")?;
            if v.len() < 20 {
                return Err(Value(
                    "`known-deviation` needs a sentence saying what deviates".into(),
                ));
            }
            Item::KnownDeviation(v.to_string())
        }
        "link" => {
            let v = one_of("dll", &["dll", "exe"])?;
            Item::Link(if v == "exe" { ImageKind::Exe } else { ImageKind::Dll })
        }
        "link-machine" => {
            let v = one_of("arm64ec", &["arm64ec", "arm64x"])?;
            Item::LinkMachine(if v == "arm64x" {
                LinkMachine::Arm64x
            } else {
                LinkMachine::Arm64ec
            })
        }
        "also-target" => {
            let mut targets = Vec::new();
            for w in words("x86_64-pc-windows-msvc")? {
                targets.push(Target::parse(&w).ok_or_else(|| {
                    let known: Vec<_> = Target::WINDOWS.iter().filter_map(|t| t.triple()).collect();
                    Value(format!("unknown target `{w}`; expected one of: {}", known.join(", ")))
                })?);
            }
            Item::AlsoTarget(targets)
        }
        "c-target" => {
            let v = need_value("helper.c = x86_64-pc-windows-msvc")?;
            let Some((file, triple)) = v.split_once('=') else {
                return Err(Value(format!("`c-target` is `file.c = triple`, found `{v}`")));
            };
            let (file, triple) = (file.trim(), triple.trim());
            let target = Target::parse(triple).ok_or_else(|| {
                let known: Vec<_> = Target::WINDOWS.iter().filter_map(|t| t.triple()).collect();
                Value(format!("unknown target `{triple}`; expected one of: {}", known.join(", ")))
            })?;
            if file.is_empty() || !(file.ends_with(".c") || file.ends_with(".cpp")) {
                return Err(Value(format!(
                    "`c-target` names a C or C++ source of the case, found `{file}`"
                )));
            }
            Item::CTarget(file.to_string(), target)
        }
        "aux-dll" => {
            let v = need_value("plugin.c = x86_64-pc-windows-msvc")?;
            let Some((file, triple)) = v.split_once('=') else {
                return Err(Value(format!("`aux-dll` is `file.c = triple`, found `{v}`")));
            };
            let (file, triple) = (file.trim(), triple.trim());
            let target = match Target::parse(triple) {
                Some(t @ (Target::X64 | Target::Aarch64)) => t,
                _ => {
                    return Err(Value(format!(
                        "an auxiliary DLL is x64 or ARM64 code: `x86_64-pc-windows-msvc` or `aarch64-pc-windows-msvc`, found `{triple}`"
                    )));
                }
            };
            if !file.ends_with(".c") {
                return Err(Value(format!(
                    "`aux-dll` names a C source of the case, found `{file}`"
                )));
            }
            Item::AuxDll(file.to_string(), target)
        }
        "entry" => {
            let v = need_value("mainCRTStartup")?;
            if v.contains(char::is_whitespace) {
                return Err(Value(format!("an entry point is one symbol name, found `{v}`")));
            }
            Item::Entry(v.to_string())
        }
        "only-cfg" | "ignore-cfg" => {
            let pred =
                CfgPred::parse_cfg(need_value("target_feature = \"neon\"")?).map_err(Value)?;
            let polarity = if name == "only-cfg" { Polarity::Only } else { Polarity::Ignore };
            Item::Condition(Condition { polarity, pred, reason: None, line: 0 })
        }
        _ => {
            if let Some(cond) = name.strip_prefix("only-").or_else(|| name.strip_prefix("ignore-"))
            {
                if !KNOWN_BARE.contains(&cond) {
                    return Err(Name(format!(
                        "unknown condition `{cond}` in `{name}`; known conditions: {} \
                         (or `only-cfg: name = \"value\"` for any cfg)",
                        KNOWN_BARE.join(", ")
                    )));
                }
                let polarity =
                    if name.starts_with("only-") { Polarity::Only } else { Polarity::Ignore };
                let reason = value.filter(|v| !v.is_empty()).map(String::from);
                Item::Condition(Condition {
                    polarity,
                    pred: CfgPred::Bare(cond.into()),
                    reason,
                    line: 0,
                })
            } else if let Some(cap) = name.strip_prefix("needs-") {
                no_value()?;
                match Need::ALL.into_iter().find(|n| n.name() == cap) {
                    Some(n) => Item::Needs(n),
                    None => {
                        let known: Vec<_> =
                            Need::ALL.iter().map(|n| format!("needs-{}", n.name())).collect();
                        return Err(Name(format!(
                            "unknown capability `{name}`; known: {}",
                            known.join(", ")
                        )));
                    }
                }
            } else {
                return Err(Name(format!("unknown directive `{name}`; {}", known_names_list())));
            }
        }
    })
}

fn parse_duration(v: &str) -> Option<Duration> {
    let (num, mult) = if let Some(n) = v.strip_suffix('m') {
        (n, 60)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1)
    } else {
        (v, 1)
    };
    let secs: u64 = num.trim().parse().ok()?;
    (secs > 0 && secs <= 24 * 3600 / mult).then(|| Duration::from_secs(secs * mult))
}
