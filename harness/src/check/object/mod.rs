//! `harness verify` for COFF objects: every rule of the Arm64EC ABI the object can be
//! checked against without linking it. Each submodule owns one concern and emits findings
//! with a stable rule id:
//!
//! | module | rules |
//! |---|---|
//! | [`symbols`] | `coff.machine`, `ec.mangling`, `ec.alias`, `ec.entry-thunk`, `hybmp.malformed`, `hybmp.record` |
//! | [`calls`] | `ec.exit-thunk`, `ec.stack-probe` |
//! | [`names`] | `thunk.name.grammar`, `thunk.name.oracle` |
//! | [`unwind`] | `unwind.decode`, `unwind.range`, `unwind.coverage` |
//! | [`registers`] | `reg.reserved` |
//! | [`indirect`] | `ec.indirect-call` |
//! | [`crate::check::thunk`] | `thunk.code` |

pub mod calls;
pub mod code;
pub mod indirect;
pub mod names;
pub mod registers;
pub mod symbols;
pub mod unwind;

use super::Finding;
use crate::abi::Signature;
use crate::inspect::ObjectView;
use crate::model::{Machine, Target};
use std::collections::BTreeMap;

/// What the verifier is told besides the object.
#[derive(Clone, Debug)]
pub struct Options {
    /// The target the object was built for.
    pub target: Target,
    /// Known C signatures by plain function name (`--sig`, fixture directives).
    pub sigs: BTreeMap<String, Signature>,
}

impl Default for Options {
    fn default() -> Self {
        Options { target: Target::Arm64ec, sigs: BTreeMap::new() }
    }
}

/// Every violation in one object, ordered by rule, then place.
pub fn verify(view: &ObjectView, opts: &Options) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(symbols::machine(view, opts.target));
    if view.coff.machine() == Machine::ARM64EC {
        out.extend(symbols::hybrid_map(view));
        out.extend(symbols::ec_functions(view));
        out.extend(calls::direct_calls(view));
        out.extend(names::grammar(view));
        out.extend(names::oracle(view, &opts.sigs));
        out.extend(unwind::rules(view));
        out.extend(registers::reserved(view));
        out.extend(indirect::rules(view));
        out.extend(crate::check::thunk::rules(view));
    }
    out.sort_by(|a, b| {
        (&a.rule, &a.section, a.offset, &a.symbol).cmp(&(&b.rule, &b.section, b.offset, &b.symbol))
    });
    out.dedup();
    out
}

/// The function containing `offset` of `section`.
pub(crate) fn function_at<'a>(
    view: &'a ObjectView,
    section: u32,
    offset: u32,
) -> Option<&'a crate::inspect::roles::Function> {
    view.functions
        .iter()
        .find(|f| f.section == section && f.start <= offset && offset < f.end.max(f.start + 1))
}

/// A finding about `view`, located at a section and offset.
pub fn at(view: &ObjectView, rule: &str, section: u32, offset: u32, message: String) -> Finding {
    let f = Finding::new(rule, message).in_file(&view.name).offset(offset as u64);
    match view.coff.section(section) {
        Some(s) => f.section(&format!("{} ({})", s.name, s.index)),
        None => f,
    }
}
