//! `thunk.name.producers`: for a function signature that several compilers' objects of one
//! case define, each producer's entry thunk and the oracle's must move every value the same
//! way. A disagreement names all of them, so it shows at once who deviates.

use super::Finding;
use crate::abi::Signature;
use crate::abi::oracle;
use crate::abi::thunk_name::{ThunkKind, ThunkName};
use crate::inspect::ObjectView;
use crate::inspect::hybmp::Kind;
use crate::inspect::roles;
use std::collections::BTreeMap;

/// `views` pairs each object with the compiler that produced it (`rustc 1.95.0`, `clang-cl 22.1.8`).
pub fn compare(
    views: &[(String, &ObjectView)],
    sigs: &BTreeMap<String, Signature>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (function, sig) in sigs {
        let expected = oracle::thunk_name(sig, ThunkKind::Entry);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (producer, v) in views {
            for r in v.hybrid.records.iter().filter(|r| r.kind == Kind::Entry) {
                let src = r.source_name.as_deref().unwrap_or("");
                if roles::plain_name(src).as_deref() == Some(function.as_str())
                    && let Some(t) = &r.target_name
                {
                    seen.push((producer.clone(), t.clone()));
                }
            }
        }
        if seen.is_empty() {
            continue;
        }
        let agrees = |t: &str| ThunkName::parse(t).is_ok_and(|n| n.same_class(&expected));
        if seen.iter().all(|(_, t)| agrees(t)) {
            continue;
        }
        let list: Vec<String> = seen
            .iter()
            .map(|(p, t)| format!("{p}: `{t}`{}", if agrees(t) { "" } else { " (deviates)" }))
            .collect();
        out.push(
            Finding::new(
                "thunk.name.producers",
                format!(
                    "entry thunks for `{function}` {sig}: {}; the ABI: `{}`",
                    list.join(", "),
                    expected.render()
                ),
            )
            .symbol(function),
        );
    }
    out
}
