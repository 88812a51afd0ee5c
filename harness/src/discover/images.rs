//! What a case that builds an image must declare: a `tier: run` case runs an executable, so
//! it must not be built as a library; a Rust program that uses std links only with MSVC's
//! `link.exe` and CRT (off Windows the images link with `#![no_std]` fixtures and the
//! project's support objects), so it declares `needs-msvc` and is ignored, with that reason,
//! where MSVC is absent instead of being linked the no_std way and failing.

use super::CaseSpec;
use super::config::CaseConfig;
use super::directives::{CrateType, ImageKind, Need};
use crate::model::Tier;

/// `(directive the finding points at, message)` for every rule the case breaks.
pub(super) fn rules(spec: &CaseSpec, cfg: &CaseConfig) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if cfg.tier == Tier::Run {
        if cfg.image == Some(ImageKind::Dll) {
            out.push((
                "link",
                "a `tier: run` case runs an executable: `link: dll` would build a library".into(),
            ));
        }
        if let Some(ct @ (CrateType::Rlib | CrateType::Staticlib | CrateType::Cdylib)) =
            cfg.crate_type
        {
            out.push((
                "crate-type",
                format!(
                    "a `tier: run` case runs an executable: `crate-type: {}` would build a \
                     library (use `crate-type: bin`, or leave it out)",
                    ct.name()
                ),
            ));
        }
    }
    let linking = matches!(cfg.tier, Tier::Link | Tier::Run);
    if linking && !cfg.needs.contains(&Need::Msvc) && uses_std(spec) {
        out.push((
            "tier",
            "this Rust program uses std (no `#![no_std]`), which links only with MSVC's link.exe \
             and CRT: declare `//@ needs-msvc` (off Windows, images link `#![no_std]` fixtures \
             with the project's support objects)"
                .into(),
        ));
    }
    out
}

/// Whether the case's Rust crate root lacks `#![no_std]`. An unreadable root counts as no
/// std: reading it fails later with its own error.
fn uses_std(spec: &CaseSpec) -> bool {
    let Some(root) = spec.rust_root() else { return false };
    let Ok(text) = std::fs::read_to_string(&root.path) else { return false };
    !text.lines().any(|l| {
        let compact: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        compact.starts_with("#![no_std]")
    })
}
