//! Machine, EC function symbols and the hybrid map.
//!
//! - `coff.machine`: an object carries its target's machine (ARM64EC 0xA641 for Arm64EC).
//! - `ec.mangling`: a function defined in EC code has an EC name (`#f`, `?f@@$$h…`); code no
//!   symbol names (`ec.orphan-code`) cannot have an entry thunk either.
//! - `ec.alias`: an external EC function `#f` has its plain name `f` as an anti-dependency
//!   alias (or a definition at the same place), so `f` resolves to it. The runtime helpers
//!   only EC code calls ([`EC_ONLY_HELPERS`]) are exempt from this and the next rule.
//! - `ec.entry-thunk`: an external EC function has a hybrid-map entry record pointing at an
//!   entry thunk defined in the object.
//! - `hybmp.malformed` / `hybmp.record`: the map's records are well-formed and each kind
//!   pairs the right kinds of symbols.

use super::at;
use crate::check::Finding;
use crate::inspect::ObjectView;
use crate::inspect::coff::{CLASS_EXTERNAL, Place};
use crate::inspect::hybmp::Kind;
use crate::inspect::roles::{self, Role};
use crate::model::Target;

pub fn machine(view: &ObjectView, target: Target) -> Option<Finding> {
    let expected = target.object_machine()?;
    let found = view.coff.machine();
    // Import-library descriptor objects (only `.idata$N` sections, no code) of Arm64EC import
    // libraries carry the native ARM64 machine; they hold no code for either view.
    let import_descriptor = !view.coff.sections.is_empty()
        && view.coff.sections.iter().all(|s| s.name.starts_with(".idata$") && !s.is_code());
    if import_descriptor && target == Target::Arm64ec && found == crate::model::Machine::ARM64 {
        return None;
    }
    (found != expected).then(|| {
        Finding::new(
            "coff.machine",
            format!("machine is {found}; an object built for {target} must be {expected}"),
        )
        .in_file(&view.name)
    })
}

pub fn hybrid_map(view: &ObjectView) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &view.hybrid.problems {
        out.push(at(
            view,
            "hybmp.malformed",
            p.section,
            p.offset,
            format!(".hybmp$x {}", p.message),
        ));
    }
    for r in &view.hybrid.records {
        let (Some(src), Some(dst)) = (view.coff.symbol(r.source), view.coff.symbol(r.target))
        else {
            continue; // reported as malformed
        };
        let (src_role, dst_role) = (roles::role(&view.coff, src), roles::role(&view.coff, dst));
        let defined = |s: &crate::inspect::coff::Symbol| matches!(s.place, Place::Section(_));
        let problem = match r.kind {
            Kind::Entry if !matches!(src_role, Role::EcFunction | Role::HybridPatch) => {
                Some(format!(
                    "an entry record's source must be an EC function; `{}` is {src_role:?}",
                    src.name
                ))
            }
            Kind::Entry if dst_role != Role::EntryThunk || !defined(dst) => Some(format!(
                "entry record for `{}` points at `{}`, which is not an entry thunk defined here",
                src.name, dst.name
            )),
            Kind::Exit if dst_role != Role::ExitThunk || !defined(dst) => Some(format!(
                "exit record for `{}` points at `{}`, which is not an exit thunk defined here",
                src.name, dst.name
            )),
            Kind::Exit if roles::is_ec_mangled(&src.name) => Some(format!(
                "exit record's source `{}` is an EC name; it must be the callee's plain name or its __imp_ slot",
                src.name
            )),
            Kind::GuestExit if src_role != Role::GuestExitThunk => Some(format!(
                "guest-exit record's source `{}` is not a guest exit thunk (`#f$exit_thunk`) defined here",
                src.name
            )),
            Kind::GuestExit
                if roles::guest_exit_callee(&src.name).as_deref() != Some(dst.name.as_str()) =>
            {
                Some(format!(
                    "guest exit thunk `{}` is recorded for `{}`, not for its own callee",
                    src.name, dst.name
                ))
            }
            _ => None,
        };
        if let Some(msg) = problem {
            out.push(at(view, "hybmp.record", r.section, r.offset, msg).symbol(&src.name));
        }
    }
    out
}

/// Runtime helpers that only EC code calls, by contract: the compiler's stack probe and
/// cookie check, and the linker's import-call adjustor. They need no x64 entry (no plain
/// alias, no entry thunk), and the adjustor keeps the plain name the linker references.
pub const EC_ONLY_HELPERS: &[&str] = &[
    "#__chkstk_arm64ec",
    "#__security_check_cookie_arm64ec",
    "__icall_helper_arm64ec",
    "#__icall_helper_arm64ec",
];

pub fn ec_functions(view: &ObjectView) -> Vec<Finding> {
    let coff = &view.coff;
    let mut out = Vec::new();
    for f in &view.functions {
        let Some(s) = coff.symbol(f.symbol) else { continue };
        let external = s.storage_class == CLASS_EXTERNAL;
        if EC_ONLY_HELPERS.contains(&s.name.as_str()) {
            continue;
        }
        match f.role {
            Role::CodeSymbol if external => out.push(
                at(view, "ec.mangling", f.section, f.start, format!(
                    "`{}` is defined in EC code under a plain name: x64 callers would enter ARM64 code with no entry thunk (EC functions are named `#{}`)",
                    s.name, s.name
                ))
                .symbol(&s.name),
            ),
            Role::EcFunction if external => {
                let plain = roles::plain_name(&s.name).unwrap_or_default();
                let aliased = coff.symbols_named(&plain).any(|a| {
                    a.weak.as_ref().is_some_and(|w| coff.symbol_name(w.target) == Some(&s.name))
                        || (a.place == s.place && a.value == s.value)
                });
                if !aliased {
                    out.push(
                        at(view, "ec.alias", f.section, f.start, format!(
                            "EC function `{}` has no plain-name alias `{plain}` (an anti-dependency weak external to it): callers of `{plain}` cannot reach it",
                            s.name
                        ))
                        .symbol(&s.name),
                    );
                }
                let has_entry = view.hybrid.records.iter().any(|r| {
                    r.kind == Kind::Entry && (r.source == s.index || r.source_name.as_deref() == Some(&s.name))
                });
                if !has_entry {
                    out.push(
                        at(view, "ec.entry-thunk", f.section, f.start, format!(
                            "externally visible EC function `{}` has no entry thunk recorded in .hybmp$x: an x64 caller could not call it",
                            s.name
                        ))
                        .symbol(&s.name),
                    );
                }
            }
            _ => {}
        }
    }
    for sec in coff.sections.iter().filter(|s| s.is_code() && s.size > 0) {
        let first = view.functions.iter().filter(|f| f.section == sec.index).map(|f| f.start).min();
        if first.is_none_or(|start| start > 0) {
            let len = first.unwrap_or(sec.size);
            out.push(at(view, "ec.orphan-code", sec.index, 0, format!(
                "{len} bytes of code that no symbol names: nothing can carry its entry thunk (seen for naked functions)"
            )));
        }
    }
    out
}
