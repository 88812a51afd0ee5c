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
use super::coverage::{Coverage, Subject};
use super::object::{at, code};
use crate::abi::thunk_name::{ThunkKind, ThunkName};
use crate::inspect::ObjectView;
use crate::inspect::roles::{self, Role};

/// The outcome for one thunk: its problems, or why it could not be followed.
pub enum Outcome {
    Checked(Vec<String>),
    NoVerdict(String),
}

pub fn rules(view: &ObjectView, cov: &mut Coverage) -> Vec<Finding> {
    let mut out = Vec::new();
    for (f, outcome) in check_all(view) {
        match outcome {
            Outcome::Checked(problems) => {
                cov.judged("thunk.code", 1);
                for p in problems {
                    out.push(at(view, "thunk.code", f.section, f.start, p).symbol(&f.name));
                }
            }
            Outcome::NoVerdict(why) => cov.not_judged("thunk.code", Subject::Thunk, &f.name, &why),
        }
    }
    out
}

/// Every defined thunk with a well-formed name, and its outcome.
///
/// Every thunk is judged by the C convention its name promises. In a Rust object a thunk
/// whose users are all Rust-ABI functions (or indirect call sites, whose pointer's ABI the
/// object does not say) may follow the Rust convention on its ARM64 side instead; the two
/// agree on scalars (integers, pointers, floating-point values) and on aggregates over 16
/// bytes (memory the caller owns, in both), not on smaller aggregates and homogeneous
/// float aggregates (`m…` up to 16 bytes, `F…`, `D…`), which the Rust convention passes in
/// general registers where C uses memory or vector registers. Such a thunk that moves every
/// value as C would is judged (and conforms); one that does not is not judged, with the
/// difference: the object does not say whether it is a defect or the Rust convention.
pub fn check_all<'a>(view: &'a ObjectView) -> Vec<(&'a crate::inspect::roles::Function, Outcome)> {
    let rust_object = view.coff.symbols.iter().any(|s| roles::is_rust_mangled(&s.name));
    view.functions
        .iter()
        .filter(|f| matches!(f.role, Role::EntryThunk | Role::ExitThunk) && f.end > f.start)
        .map(|f| {
            let name = match ThunkName::parse(&f.name) {
                Ok(n) => n,
                Err(_) => {
                    let why = "its name is malformed (`thunk.name.grammar`): it promises nothing";
                    return (f, Outcome::NoVerdict(why.into()));
                }
            };
            let lines = code::function(view, f);
            let outcome = match name.kind {
                ThunkKind::Entry => verdict::entry(&name, &lines),
                ThunkKind::Exit => verdict::exit(&name, &lines),
            };
            let aggregates = aggregate_codes(&name);
            let rust_only = rust_object && !aggregates.is_empty() && !has_c_user(view, &f.name);
            let outcome = match outcome {
                Outcome::Checked(problems) if rust_only && !problems.is_empty() => {
                    Outcome::NoVerdict(format!(
                        "serves only Rust-ABI functions or indirect call sites here and moves small or float aggregates ({}), which the Rust convention passes otherwise than C: by the C convention its name promises, {}",
                        aggregates.join(", "),
                        problems[0]
                    ))
                }
                o => o,
            };
            (f, outcome)
        })
        .collect()
}

/// Whether a function that is not Rust-mangled uses the thunk (its hybrid-map record).
fn has_c_user(view: &ObjectView, thunk: &str) -> bool {
    view.hybrid.records.iter().any(|r| {
        r.target_name.as_deref() == Some(thunk)
            && r.source_name.as_deref().is_some_and(|s| !roles::is_rust_mangled(s))
    })
}

/// The aggregate codes of a name, as written (`m16 result`, `F8 parameter 2`).
fn aggregate_codes(name: &ThunkName) -> Vec<String> {
    use crate::abi::thunk_name::{Args, Code};
    // Over 16 bytes both conventions go through memory the caller owns: a pointer in a
    // general register for a parameter, x8 for a result.
    let aggregate = |c: &Code| match c {
        Code::M { size, .. } => *size <= 16,
        Code::FArr { .. } | Code::DArr { .. } | Code::HalfArr { .. } => true,
        _ => false,
    };
    let mut out: Vec<String> =
        name.ret.iter().filter(|c| aggregate(c)).map(|c| format!("`{c}` result")).collect();
    if let Args::Fixed(args) = &name.args {
        for (i, c) in args.iter().enumerate().filter(|(_, c)| aggregate(c)) {
            out.push(format!("`{c}` parameter {}", i + 1));
        }
    }
    out
}
