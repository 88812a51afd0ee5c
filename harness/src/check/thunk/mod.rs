//! `thunk.code`: each thunk's code does what its name promises. The name fixes, for every
//! value, where x64 has it and where ARM64 wants it ([`contract`]); the thunk's code is run
//! on a symbolic machine ([`machine`]) and, at the call it makes, every value must have
//! been moved to its place. Then the result must reach the caller's return place (a value
//! returned through a hidden pointer is written there and the pointer handed back in RAX,
//! x8), the registers the caller's convention preserves must be intact (q6–q15 in full for
//! an x64 caller), and the thunk must end in the right dispatch routine.
//!
//! Entry thunks start with the x64 argument registers in x0–x3 / v0–v3, the x64 stack
//! (past the return address) in x4 and the EC target in x9, and call `blr x9`; they end in
//! a branch to `__os_arm64x_dispatch_ret`. Exit thunks start with AAPCS64 arguments and the
//! x64 target in x9, call `__os_arm64x_dispatch_call_no_redirect` as `blr x16` with the x64
//! home area at sp and stack arguments from sp+0x20, and return with `ret`.
//! Thunks the machine cannot follow (calls to helpers, branches) get no verdict.

pub mod contract;
pub mod machine;
mod verdict;

use super::Finding;
use super::object::{at, code};
use crate::abi::thunk_name::{ThunkKind, ThunkName};
use crate::inspect::ObjectView;
use crate::inspect::roles::{self, Role};

/// The outcome for one thunk: its problems, or why it could not be followed.
pub enum Outcome {
    Checked(Vec<String>),
    NoVerdict(String),
}

pub fn rules(view: &ObjectView) -> Vec<Finding> {
    let mut out = Vec::new();
    for (f, outcome) in check_all(view) {
        if let Outcome::Checked(problems) = outcome {
            for p in problems {
                out.push(at(view, "thunk.code", f.section, f.start, p).symbol(&f.name));
            }
        }
    }
    out
}

/// Every defined thunk with a well-formed name, and its outcome.
pub fn check_all<'a>(view: &'a ObjectView) -> Vec<(&'a crate::inspect::roles::Function, Outcome)> {
    let rust_object = view.coff.symbols.iter().any(|s| roles::is_rust_mangled(&s.name));
    view.functions
        .iter()
        .filter(|f| matches!(f.role, Role::EntryThunk | Role::ExitThunk) && f.end > f.start)
        .filter_map(|f| {
            let name = ThunkName::parse(&f.name).ok()?;
            let c_user = view.hybrid.records.iter().any(|r| {
                r.target_name.as_deref() == Some(f.name.as_str())
                    && r.source_name.as_deref().is_some_and(|s| !roles::is_rust_mangled(s))
            });
            if rust_object && !c_user {
                let why = "serves only Rust-ABI functions or indirect call sites here; their ARM64 side follows the Rust calling convention, which thunk names do not describe";
                return Some((f, Outcome::NoVerdict(why.into())));
            }
            let lines = code::function(view, f);
            let outcome = match name.kind {
                ThunkKind::Entry => verdict::entry(&name, &lines),
                ThunkKind::Exit => verdict::exit(&name, &lines),
            };
            Some((f, outcome))
        })
        .collect()
}
