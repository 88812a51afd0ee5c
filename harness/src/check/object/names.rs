//! Thunk names.
//!
//! - `thunk.name.grammar`: every `$ientry_thunk$cdecl$…` / `$iexit_thunk$cdecl$…` symbol is
//!   well-formed under the mangling grammar.
//! - `thunk.name.oracle`: where a function's C signature is known, the entry thunk of its
//!   definition and the exit thunk of its calls move every value the way the oracle's name
//!   does (compared by ABI class, not by string).

use super::at;
use crate::abi::oracle;
use crate::abi::thunk_name::{self, Args, Code, Position, ThunkKind, ThunkName};
use crate::abi::{Signature, Ty};
use crate::check::Finding;
use crate::check::coverage::{Coverage, Subject};
use crate::inspect::ObjectView;
use crate::inspect::hybmp::Kind;
use crate::inspect::roles;
use std::collections::{BTreeMap, BTreeSet};

pub fn grammar(view: &ObjectView) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for s in &view.coff.symbols {
        if !thunk_name::is_thunk_name(&s.name) || !seen.insert(s.name.as_str()) {
            continue;
        }
        if let Err(e) = ThunkName::parse(&s.name) {
            let f = Finding::new(
                "thunk.name.grammar",
                format!("thunk name `{}` is malformed {e}", s.name),
            )
            .in_file(&view.name)
            .symbol(&s.name);
            out.push(match s.section() {
                Some(sec) => {
                    at(view, "thunk.name.grammar", sec, s.value, f.message.clone()).symbol(&s.name)
                }
                None => f,
            });
        }
    }
    out
}

pub fn oracle(
    view: &ObjectView,
    sigs: &BTreeMap<String, Signature>,
    cov: &mut Coverage,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &view.hybrid.records {
        let (Some(src), Some(dst)) = (&r.source_name, &r.target_name) else { continue };
        let (kind, function) = match r.kind {
            Kind::Entry => {
                (ThunkKind::Entry, roles::plain_name(src).unwrap_or_else(|| src.clone()))
            }
            Kind::Exit => (ThunkKind::Exit, src.strip_prefix("__imp_").unwrap_or(src).to_string()),
            _ => continue,
        };
        let Some(sig) = sigs.get(&function) else {
            let why = "no C signature is known for its function (give one with `sig:` or `--sig`)";
            cov.not_judged("thunk.name.oracle", Subject::Thunk, dst, why);
            continue;
        };
        let Ok(actual) = ThunkName::parse(dst) else {
            let why = "its name is malformed (`thunk.name.grammar`)";
            cov.not_judged("thunk.name.oracle", Subject::Thunk, dst, why);
            continue;
        };
        cov.judged("thunk.name.oracle", 1);
        let expected = oracle::thunk_name(sig, kind);
        if actual.kind != kind || !actual.same_class(&expected) {
            let what = if kind == ThunkKind::Entry { "entry" } else { "exit" };
            let msg = format!(
                "{what} thunk for `{function}` is `{dst}`; the ABI requires `{}` for {sig}: {}",
                expected.render(),
                differences(&actual, &expected, sig).join("; ")
            );
            out.push(at(view, "thunk.name.oracle", r.section, r.offset, msg).symbol(src));
        }
    }
    out
}

/// Which values two names move differently, in words.
pub fn differences(actual: &ThunkName, expected: &ThunkName, sig: &Signature) -> Vec<String> {
    let mut out = Vec::new();
    let describe = |c: Option<&Code>, pos| match c {
        None => "nothing".to_string(),
        Some(c) => {
            let cl = c.class(pos);
            format!("`{c}` (x64: {}; ARM64: {})", cl.x64, cl.arm64)
        }
    };
    if actual.ret.map(|c| c.class(Position::Return))
        != expected.ret.map(|c| c.class(Position::Return))
    {
        let ty = sig.ret.as_ref().map(Ty::to_string).unwrap_or_else(|| "()".into());
        out.push(format!(
            "return {ty}: {} where the ABI has {}",
            describe(actual.ret.as_ref(), Position::Return),
            describe(expected.ret.as_ref(), Position::Return)
        ));
    }
    match (&actual.args, &expected.args) {
        (Args::Fixed(a), Args::Fixed(e)) => {
            for i in 0..a.len().max(e.len()) {
                let (ca, ce) = (a.get(i), e.get(i));
                if ca.map(|c| c.class(Position::Arg)) != ce.map(|c| c.class(Position::Arg)) {
                    let ty = sig.params.get(i).map(Ty::to_string).unwrap_or_else(|| "-".into());
                    out.push(format!(
                        "parameter {} {ty}: {} where the ABI has {}",
                        i + 1,
                        describe(ca, Position::Arg),
                        describe(ce, Position::Arg)
                    ));
                }
            }
        }
        (a, e) if a != e => out.push(format!("parameters {a:?} where the ABI has {e:?}")),
        _ => {}
    }
    if actual.kind != expected.kind {
        out.push(format!(
            "a {:?} thunk where the ABI needs a {:?} thunk",
            actual.kind, expected.kind
        ));
    }
    out
}
