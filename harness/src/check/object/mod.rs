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
use super::coverage::Coverage;
use crate::abi::Signature;
use crate::abi::thunk_name::is_thunk_name;
use crate::inspect::ObjectView;
use crate::inspect::coff::CLASS_EXTERNAL;
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

/// What [`verify`] found in one object and what each rule judged.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// Every violation, ordered by rule, then place.
    pub findings: Vec<Finding>,
    pub coverage: Coverage,
}

/// Every violation in one object, and what each rule judged and could not.
pub fn verify(view: &ObjectView, opts: &Options) -> Verdict {
    let mut cov = Coverage::default();
    let mut out = Vec::new();
    cov.judged("coff.machine", 1);
    out.extend(symbols::machine(view, opts.target));
    if view.coff.machine() == Machine::ARM64EC {
        counted(view, &mut cov);
        out.extend(symbols::hybrid_map(view));
        out.extend(symbols::ec_functions(view));
        out.extend(calls::direct_calls(view));
        out.extend(names::grammar(view));
        out.extend(names::oracle(view, &opts.sigs, &mut cov));
        out.extend(unwind::rules(view));
        out.extend(registers::reserved(view));
        out.extend(indirect::rules(view, &mut cov));
        out.extend(crate::check::thunk::rules(view, &mut cov));
    }
    out.sort_by(|a, b| {
        (&a.rule, &a.section, a.offset, &a.symbol).cmp(&(&b.rule, &b.section, b.offset, &b.symbol))
    });
    out.dedup();
    Verdict { findings: out, coverage: cov.in_file(&view.name) }
}

/// The subjects of the rules that judge every one of them: how many each looked at.
fn counted(view: &ObjectView, cov: &mut Coverage) {
    use crate::inspect::roles::Role;
    let coff = &view.coff;
    let code = || coff.sections.iter().filter(|s| s.is_code());
    let with_code = || view.functions.iter().filter(|f| f.end > f.start);
    let external_ec = view
        .functions
        .iter()
        .filter(|f| f.role == Role::EcFunction)
        .filter(|f| coff.symbol(f.symbol).is_some_and(|s| s.storage_class == CLASS_EXTERNAL))
        .count();
    let relocs: usize = code().map(|s| s.relocations.len()).sum();
    let thunk_names = coff.symbols.iter().filter(|s| is_thunk_name(&s.name)).count();
    let records = view.hybrid.records.len() + view.hybrid.problems.len();
    let table: [(&str, usize); 12] = [
        ("hybmp.malformed", records),
        ("hybmp.record", view.hybrid.records.len()),
        ("ec.mangling", view.functions.len()),
        ("ec.alias", external_ec),
        ("ec.entry-thunk", external_ec),
        ("ec.orphan-code", code().filter(|s| s.size > 0).count()),
        ("ec.exit-thunk", relocs),
        ("ec.stack-probe", relocs),
        ("thunk.name.grammar", thunk_names),
        ("unwind.decode", view.pdata.len()),
        ("unwind.range", view.pdata.len()),
        ("unwind.coverage", with_code().count()),
    ];
    for (rule, n) in table {
        cov.judged(rule, n);
    }
    cov.judged("reg.reserved", code().count());
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
