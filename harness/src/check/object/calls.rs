//! Direct calls out of EC code.
//!
//! - `ec.exit-thunk`: a direct call to a function defined elsewhere goes to `#f`, an
//!   anti-dependency that falls back to the guest exit thunk `#f$exit_thunk` defined here,
//!   which the hybrid map records (guest-exit record) together with the exit thunk for `f`
//!   (exit record). Then an x64 `f` is reached through its exit thunk, an EC `#f` directly.
//!   A direct call to a plain undefined `#f` (no fallback) is fine: only EC code defines
//!   `#`-names, so it can only ever reach EC code (LLVM calls its runtime routines this way).
//! - `ec.stack-probe`: EC code probes the stack with `__chkstk_arm64ec` and checks cookies
//!   with `__security_check_cookie_arm64ec`; the plain names belong to x64 code in an EC image.

use super::at;
use crate::check::Finding;
use crate::inspect::ObjectView;
use crate::inspect::coff::{Place, arm64_reloc};
use crate::inspect::hybmp::Kind;
use crate::inspect::roles::{self, Role};

/// Names EC code must not reference: the x64 (and classic ARM64) probe and cookie check.
pub const X64_ONLY_HELPERS: &[&str] =
    &["__chkstk", "#__chkstk", "__security_check_cookie", "#__security_check_cookie"];

pub fn direct_calls(view: &ObjectView) -> Vec<Finding> {
    let coff = &view.coff;
    let mut out = Vec::new();
    for sec in coff.sections.iter().filter(|s| s.is_code()) {
        for r in &sec.relocations {
            let Some(t) = coff.symbol(r.symbol) else { continue };
            if X64_ONLY_HELPERS.contains(&t.name.as_str()) {
                let good = if t.name.contains("chkstk") {
                    "#__chkstk_arm64ec"
                } else {
                    "#__security_check_cookie_arm64ec"
                };
                out.push(
                    at(view, "ec.stack-probe", sec.index, r.offset, format!(
                        "EC code references `{}`, which is x64 code in an Arm64EC image; EC code uses `{good}`",
                        t.name
                    ))
                    .symbol(&t.name),
                );
                continue;
            }
            let is_branch = matches!(
                r.kind,
                arm64_reloc::BRANCH26 | arm64_reloc::BRANCH19 | arm64_reloc::BRANCH14
            );
            if !is_branch
                || matches!(t.place, Place::Section(_) | Place::Absolute) && t.weak.is_none()
            {
                continue;
            }
            if let Some(msg) = check_external_call(view, &t.name, r.symbol) {
                out.push(at(view, "ec.exit-thunk", sec.index, r.offset, msg).symbol(&t.name));
            }
        }
    }
    out
}

/// Why a branch to the external symbol `name` does not go through an exit thunk.
fn check_external_call(view: &ObjectView, name: &str, index: u32) -> Option<String> {
    let coff = &view.coff;
    let Some(plain) = roles::plain_name(name) else {
        return Some(format!(
            "direct call to `{name}`, a plain (non-EC) name defined elsewhere: if it is x64 code, ARM64 code jumps into it without an exit thunk (call `#{name}` with a guest exit thunk)"
        ));
    };
    let sym = coff.symbol(index)?;
    match view.role(index) {
        Some(Role::EcRedirect) => {}
        Some(Role::WeakExternal) => {
            return Some(format!(
                "`{name}` is a weak external that is not an anti-dependency: it does not fall back to an exit thunk"
            ));
        }
        _ => return None, // `#f` with no fallback can only resolve to EC code
    }
    let target = sym.weak.as_ref().and_then(|w| coff.symbol(w.target))?;
    let records = &view.hybrid.records;
    let exit_recorded = |callee: &str| {
        records.iter().any(|r| {
            r.kind == Kind::Exit
                && r.source_name
                    .as_deref()
                    .is_some_and(|s| s == callee || s.strip_prefix("__imp_") == Some(callee))
        })
    };
    // MSVC's form: `#f` falls back to the plain `f` (resolved to the import library's EC
    // import thunk, which checks the target), with the exit thunk for `f` recorded.
    if target.name == plain {
        if exit_recorded(&plain) {
            return None;
        }
        return Some(format!(
            "`{name}` is called and falls back to `{plain}`, but no exit thunk is recorded in .hybmp$x for `{plain}`"
        ));
    }
    let is_thunk = roles::role(coff, target) == Role::GuestExitThunk
        && matches!(target.place, Place::Section(_))
        && roles::guest_exit_callee(&target.name).as_deref() == Some(plain.as_str());
    if !is_thunk {
        return Some(format!(
            "`{name}` is called, but its fallback is `{}`, not a guest exit thunk `{name}$exit_thunk` defined here",
            target.name
        ));
    }
    let guest = records
        .iter()
        .any(|r| r.kind == Kind::GuestExit && r.source_name.as_deref() == Some(&target.name));
    if !guest {
        return Some(format!(
            "guest exit thunk `{}` has no guest-exit record in .hybmp$x",
            target.name
        ));
    }
    if !exit_recorded(&plain) {
        return Some(format!(
            "no exit thunk is recorded in .hybmp$x for `{plain}`, which `{name}` may reach"
        ));
    }
    None
}
