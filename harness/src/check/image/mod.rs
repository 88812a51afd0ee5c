//! `harness verify` for linked PE images: what the linker made of Arm64EC code. Each
//! submodule owns one concern:
//!
//! | module | rules |
//! |---|---|
//! | [`layout`] | `image.problem`, `image.machine`, `image.chpe`, `image.code-map` |
//! | [`entry`] | `image.export`, `image.redirection`, `image.entry-thunk`, `image.aux-iat` |
//! | [`unwind`] | `image.pdata` |
//! | [`arm64x`] | `image.dvrt` (and every rule again on the EC view of an Arm64X image) |
//!
//! A link map (`/map`) makes the checks see every function the objects defined; without
//! one they start from what the image itself names (exports, redirections, entry-thunk
//! words, branch targets).

pub mod arm64x;
pub mod entry;
pub mod layout;
pub mod unwind;

use super::Finding;
use crate::inspect::image::{CodeKind, ImageView};
use crate::inspect::linkmap::LinkMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of image the caller expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// Arm64EC code, in an Arm64EC image or an Arm64X image.
    Arm64ecCode,
    /// An Arm64EC image (header AMD64).
    Arm64ec,
    /// An Arm64X image (header ARM64, ARM64X dynamic relocations).
    Arm64x,
    X64,
    Arm64,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub expect: Expect,
    pub map: Option<LinkMap>,
    /// EC functions and the entry thunk their object recorded for them (link tier): with
    /// the map, each function's offset word must name that thunk.
    pub entries: Vec<(String, String)>,
}

impl Options {
    pub fn new(expect: Expect) -> Options {
        Options { expect, map: None, entries: Vec::new() }
    }
}

/// Findings, and how many things each rule looked at (so a report shows what was checked).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verdict {
    pub findings: Vec<Finding>,
    pub checked: BTreeMap<String, usize>,
}

impl Verdict {
    pub fn count(&mut self, rule: &str, n: usize) {
        *self.checked.entry(rule.to_string()).or_default() += n;
    }

    pub fn flag(&mut self, v: &ImageView, rule: &str, rva: Option<u32>, message: String) {
        let mut f = Finding::new(rule, message).in_file(&v.name);
        if let Some(rva) = rva {
            f = f.offset(u64::from(rva));
            if let Some(s) = v.section_of(rva) {
                f = f.section(&s.name);
            }
        }
        self.findings.push(f);
    }
}

/// Every violation in one image (and, for Arm64X, in its EC view).
pub fn verify(v: &ImageView, opts: &Options) -> Verdict {
    let mut out = Verdict::default();
    view_rules(v, opts, &mut out);
    arm64x::rules(v, opts, &mut out);
    out.findings
        .sort_by(|a, b| (&a.rule, a.offset, &a.message).cmp(&(&b.rule, b.offset, &b.message)));
    out.findings.dedup();
    out
}

/// The rules of one view as its headers describe it. The EC view of an Arm64X image gets
/// these and nothing more: deriving a view from a derived view is never done, so a table
/// whose fixups change nothing (the EC view is the native view again) costs one pass.
fn view_rules(v: &ImageView, opts: &Options, out: &mut Verdict) {
    layout::rules(v, opts, out);
    if v.chpe.is_some() {
        entry::rules(v, opts, out);
        unwind::rules(v, opts, out);
    }
}

/// The kind of code at `rva` per the code map (`None` outside every range).
pub fn kind_at(v: &ImageView, rva: u32) -> Option<CodeKind> {
    v.chpe
        .as_ref()?
        .code_map
        .iter()
        .find(|r| r.start <= rva && rva < r.start.saturating_add(r.length))
        .map(|r| r.kind)
}

/// Whether `rva` is in Arm64EC code.
pub fn in_ec_code(v: &ImageView, rva: u32) -> bool {
    kind_at(v, rva) == Some(CodeKind::Arm64Ec)
}

/// An RVA with the names the link map gives it, for messages.
pub fn describe(v: &ImageView, map: Option<&LinkMap>, rva: u32) -> String {
    let names: Vec<&str> = map.map(|m| m.names_at(rva).take(2).collect()).unwrap_or_default();
    let section = v.section_of(rva).map(|s| s.name.as_str()).unwrap_or("?");
    if names.is_empty() {
        format!("{rva:#x} ({section})")
    } else {
        format!("`{}` at {rva:#x}", names.join("` / `"))
    }
}
