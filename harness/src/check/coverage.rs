//! What each rule judged and what it could not, per subject, with the reason. A check that
//! decides not to judge something records it here: "not judged" is never read as clean.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of thing a rule judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// A whole object file.
    Object,
    /// A symbol of an object.
    Symbol,
    /// A function (its code).
    Function,
    /// An entry or exit thunk.
    Thunk,
    /// A call instruction and its target.
    CallSite,
    /// A function signature given to the checks.
    Signature,
    /// A `.pdata` entry.
    UnwindEntry,
    /// A linked image.
    Image,
    /// A table of a linked image (code map, exports, redirections, …).
    ImageTable,
    /// A compiler diagnostic or annotation.
    Diagnostic,
    /// A program run.
    Run,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Object => "object",
            Subject::Symbol => "symbol",
            Subject::Function => "function",
            Subject::Thunk => "thunk",
            Subject::CallSite => "call-site",
            Subject::Signature => "signature",
            Subject::UnwindEntry => "unwind-entry",
            Subject::Image => "image",
            Subject::ImageTable => "image-table",
            Subject::Diagnostic => "diagnostic",
            Subject::Run => "run",
        }
    }
}

/// One subject a rule did not judge, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotJudged {
    pub subject: Subject,
    /// Its name: a symbol, `function+offset`, a table name.
    pub name: String,
    pub reason: String,
    /// The object or image it is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// One rule's coverage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCoverage {
    /// How many subjects the rule judged.
    pub judged: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<NotJudged>,
}

/// Coverage of every rule that ran, by rule id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Coverage(pub BTreeMap<String, RuleCoverage>);

impl Coverage {
    /// `rule` judged `n` more subjects (0 still records that the rule ran).
    pub fn judged(&mut self, rule: &str, n: usize) {
        self.entry(rule).judged += n;
    }

    /// `rule` could not judge `name`.
    pub fn not_judged(&mut self, rule: &str, subject: Subject, name: &str, reason: &str) {
        self.entry(rule).not_judged.push(NotJudged {
            subject,
            name: name.into(),
            reason: reason.into(),
            file: None,
        });
    }

    /// Every not-judged subject recorded from now on, and those recorded so far without a
    /// file, are in `file`.
    pub fn in_file(mut self, file: &str) -> Self {
        for r in self.0.values_mut() {
            for n in r.not_judged.iter_mut().filter(|n| n.file.is_none()) {
                n.file = Some(file.into());
            }
        }
        self
    }

    fn entry(&mut self, rule: &str) -> &mut RuleCoverage {
        self.0.entry(rule.to_string()).or_default()
    }

    /// Add another coverage to this one.
    pub fn merge(&mut self, other: Coverage) {
        for (rule, c) in other.0 {
            let e = self.entry(&rule);
            e.judged += c.judged;
            e.not_judged.extend(c.not_judged);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Subjects judged and not judged, over every rule.
    pub fn totals(&self) -> (usize, usize) {
        self.0.values().fold((0, 0), |(j, n), c| (j + c.judged, n + c.not_judged.len()))
    }

    /// Subjects `rule` judged and did not.
    pub fn of(&self, rule: &str) -> (usize, usize) {
        self.0.get(rule).map(|c| (c.judged, c.not_judged.len())).unwrap_or((0, 0))
    }

    /// One line per rule with something not judged: `rule: N judged, M not judged (K: why; …)`,
    /// the reasons counted and most frequent first.
    pub fn gaps(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, c)| !c.not_judged.is_empty())
            .map(|(rule, c)| {
                let mut why: BTreeMap<&str, usize> = BTreeMap::new();
                for n in &c.not_judged {
                    *why.entry(n.reason.as_str()).or_default() += 1;
                }
                let mut why: Vec<_> = why.into_iter().collect();
                why.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let why: Vec<String> = why.iter().map(|(r, n)| format!("{n}: {r}")).collect();
                format!(
                    "{rule}: {} judged, {} not judged ({})",
                    c.judged,
                    c.not_judged.len(),
                    why.join("; ")
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::check::coverage::*;

    #[test]
    fn counts_merge_and_gaps() {
        let mut a = Coverage::default();
        a.judged("thunk.code", 2);
        a.not_judged("thunk.code", Subject::Thunk, "$ientry_thunk$cdecl$v$m", "aggregate");
        let mut b = Coverage::default();
        b.judged("reg.reserved", 5);
        b.not_judged("thunk.code", Subject::Thunk, "$iexit_thunk$cdecl$v$m", "aggregate");
        b.not_judged("thunk.code", Subject::Thunk, "x", "helper call");
        a.merge(b.in_file("b.o"));
        assert_eq!(a.of("thunk.code"), (2, 3));
        assert_eq!(a.totals(), (7, 3));
        assert_eq!(a.gaps(), ["thunk.code: 2 judged, 3 not judged (2: aggregate; 1: helper call)"]);
        let files: Vec<_> = a.0["thunk.code"].not_judged.iter().map(|n| n.file.clone()).collect();
        assert_eq!(files, [None, Some("b.o".into()), Some("b.o".into())]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Coverage>(&json).unwrap(), a);
    }
}
