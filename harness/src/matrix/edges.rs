//! The static check of a pairing, on every host: for every call edge, the caller's exit
//! thunk (when the caller is Arm64EC code), the callee's entry thunk (when the callee is)
//! and the oracle's names must move every value the same way; and whatever `harness
//! verify` finds in the objects is attributed to the functions whose thunks or code it is
//! about.

pub use super::summary::Edge;
use super::{Arch, FnSpec, Pairing};
use crate::abi::oracle;
use crate::abi::thunk_name::{ThunkKind, ThunkName};
use crate::check::Finding;
use crate::check::object::names::differences;
use crate::inspect::ObjectView;
use crate::inspect::hybmp::Kind;
use crate::inspect::roles;
use std::collections::BTreeMap;

/// The thunks an Arm64EC object records, by plain function name.
fn thunks(view: &ObjectView, kind: Kind) -> BTreeMap<String, String> {
    view.hybrid
        .records
        .iter()
        .filter(|r| r.kind == kind)
        .filter_map(|r| {
            let src = r.source_name.as_deref()?;
            let plain = match kind {
                Kind::Entry => roles::plain_name(src).unwrap_or_else(|| src.to_string()),
                _ => src.strip_prefix("__imp_").unwrap_or(src).to_string(),
            };
            Some((plain, r.target_name.clone()?))
        })
        .collect()
}

fn compare(
    party: &str,
    actual: Option<&String>,
    kind: ThunkKind,
    f: &FnSpec,
    problems: &mut Vec<String>,
) {
    let sig = f.signature();
    let expected = oracle::thunk_name(&sig, kind);
    let what = if kind == ThunkKind::Entry { "entry" } else { "exit" };
    match actual.map(|a| (a, ThunkName::parse(a))) {
        None => problems.push(format!(
            "the {party} has no {what} thunk for `{}`{}",
            f.name,
            if kind == ThunkKind::Entry {
                ": x64 code cannot call it"
            } else {
                ": a call to x64 code would not switch architectures"
            }
        )),
        Some((a, Err(e))) => {
            problems.push(format!("the {party}'s {what} thunk `{a}` is malformed {e}"))
        }
        Some((a, Ok(name))) if name.kind != kind || !name.same_class(&expected) => {
            problems.push(format!(
                "the {party}'s {what} thunk is `{a}`, the ABI's `{}`: {}",
                expected.render(),
                differences(&name, &expected, &sig).join("; ")
            ))
        }
        Some(_) => {}
    }
}

/// Rules whose findings the edges already express.
const COVERED: &[&str] = &["thunk.name.oracle", "thunk.name.producers"];

/// Check every edge. `caller` and `callee` are the sides' objects (the Arm64EC ones are
/// read for thunks); `findings` are the verifier's, per object, and are attributed to the
/// functions they name. Returns the edges and the findings no function claims.
pub fn check(
    pairing: &Pairing,
    fns: &[&FnSpec],
    caller: Option<&ObjectView>,
    callee: Option<&ObjectView>,
    findings: &[(String, Vec<Finding>)],
) -> (Vec<Edge>, Vec<Finding>) {
    let ec = |a: Arch| a == Arch::Ec;
    let exits = caller.filter(|_| ec(pairing.caller.arch)).map(|v| thunks(v, Kind::Exit));
    let entries = callee.filter(|_| ec(pairing.callee.arch)).map(|v| thunks(v, Kind::Entry));
    // A thunk symbol names every function that uses it, per object.
    let mut users: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for view in [caller, callee].into_iter().flatten() {
        for kind in [Kind::Entry, Kind::Exit] {
            for (func, thunk) in thunks(view, kind) {
                users.entry((view.name.clone(), thunk)).or_default().push(func);
            }
        }
    }
    let known: BTreeMap<&str, usize> =
        fns.iter().enumerate().map(|(i, f)| (f.name.as_str(), i)).collect();
    let mut edges: Vec<Edge> = fns
        .iter()
        .map(|f| {
            let sig = f.signature();
            let mut problems = Vec::new();
            let caller_exit = exits.as_ref().and_then(|m| m.get(&f.name).cloned());
            let callee_entry = entries.as_ref().and_then(|m| m.get(&f.name).cloned());
            if exits.is_some() {
                compare("caller", caller_exit.as_ref(), ThunkKind::Exit, f, &mut problems);
            }
            if entries.is_some() {
                compare("callee", callee_entry.as_ref(), ThunkKind::Entry, f, &mut problems);
            }
            Edge {
                function: f.name.clone(),
                signature: f.display(),
                oracle_exit: oracle::thunk_name(&sig, ThunkKind::Exit).render(),
                oracle_entry: oracle::thunk_name(&sig, ThunkKind::Entry).render(),
                caller_exit,
                callee_entry,
                problems,
            }
        })
        .collect();
    let mut unclaimed = Vec::new();
    for (object, list) in findings {
        for f in list.iter().filter(|f| !COVERED.contains(&f.rule.as_str())) {
            let sym = f.symbol.as_deref().unwrap_or("");
            let plain = roles::plain_name(sym).unwrap_or_else(|| sym.to_string());
            let mut claimed: Vec<usize> = users
                .get(&(object.clone(), sym.to_string()))
                .into_iter()
                .flatten()
                .filter_map(|u| known.get(u.as_str()).copied())
                .collect();
            if let Some(i) = known.get(plain.as_str()) {
                claimed.push(*i);
            }
            if claimed.is_empty() {
                unclaimed.push(f.clone());
            }
            for i in claimed {
                edges[i].problems.push(f.to_string());
            }
        }
    }
    (edges, unclaimed)
}
