//! Baseline against candidate: what got worse (new failures, cases that are missing or no
//! longer run, new findings in cases that already failed, an ABI-visible change where both
//! sides pass: a thunk name, a lost export), what got better, and what else changed where
//! both sides ran (thunk code, imports, the code map).

use super::load::{CaseView, LoadedReport};
use serde::Serialize;

/// One difference, traceable to its case, fixture line and rules.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Entry {
    pub key: String,
    pub fixture: String,
    pub line: u64,
    pub baseline: Option<String>,
    pub candidate: Option<String>,
    /// What differs, in a sentence.
    pub what: String,
    /// The rules whose findings the difference is about.
    pub rules: Vec<String>,
    /// Detail lines (findings gained or lost, facts before and after).
    pub details: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct Regressions {
    pub baseline: String,
    pub candidate: String,
    pub new_failures: Vec<Entry>,
    pub missing: Vec<Entry>,
    pub no_longer_run: Vec<Entry>,
    pub new_findings: Vec<Entry>,
    pub fixed: Vec<Entry>,
    pub newly_run: Vec<Entry>,
    pub new_cases: Vec<Entry>,
    /// ABI-visible facts that changed where both sides ran: the thunk a C-ABI function
    /// gets (its ABI classification), an export that is gone. Regressions even when both
    /// sides pass.
    pub abi_changed: Vec<Entry>,
    /// Other facts that changed where both sides ran (thunk code, imports, the code map):
    /// not regressions, but worth a look.
    pub changed: Vec<Entry>,
}

impl Regressions {
    /// Everything that counts as getting worse.
    pub fn regressions(&self) -> impl Iterator<Item = &Entry> {
        self.new_failures
            .iter()
            .chain(&self.missing)
            .chain(&self.no_longer_run)
            .chain(&self.new_findings)
            .chain(&self.abi_changed)
    }

    pub fn any(&self) -> bool {
        self.regressions().next().is_some()
    }
}

fn is_failure(s: &str) -> bool {
    matches!(s, "failed" | "error" | "timeout" | "fixed")
}

/// The facts only one side has, as `+ fact` (candidate) and `- fact` (baseline) lines,
/// split into ABI-visible changes and the rest. ABI-visible: a function that got a
/// different thunk from each side (a different ABI classification), an export the
/// candidate lost. A thunk on one side only (a call inlined away) is not.
fn fact_changes(b: &CaseView, c: &CaseView) -> (Vec<String>, Vec<String>) {
    // `thunk.name <function> <kind> <thunk> in <object>` without its thunk.
    let slot = |f: &str| {
        let w: Vec<&str> = f.split(' ').collect();
        (w.first() == Some(&"thunk.name") && w.len() >= 4)
            .then(|| format!("{} {} {}", w[1], w[2], w[4..].join(" ")))
    };
    let slots = |v: &CaseView| -> std::collections::BTreeSet<String> {
        v.facts.iter().filter_map(|f| slot(f)).collect()
    };
    let (bs, cs) = (slots(b), slots(c));
    let lines = c
        .facts
        .difference(&b.facts)
        .map(|f| format!("+ {f}"))
        .chain(b.facts.difference(&c.facts).map(|f| format!("- {f}")));
    lines.partition(|d| {
        slot(&d[2..]).is_some_and(|s| bs.contains(&s) && cs.contains(&s))
            || d.starts_with("- image.export ")
    })
}

fn rules_of<S: AsRef<str>>(findings: &[S]) -> Vec<String> {
    let mut r: Vec<String> = findings
        .iter()
        .filter_map(|f| f.as_ref().split([' ', ':']).next().map(str::to_string))
        .collect();
    r.sort();
    r.dedup();
    r
}

/// The fixture line behind a difference: the `//@ sig:` of a function a finding names (or
/// of a function that uses the thunk it names), else the directive the reason cites, else
/// the case's own line.
fn locate(v: &CaseView, details: &[String], what: &str) -> u64 {
    let text = std::fs::read_to_string(&v.fixture).unwrap_or_default();
    let directive = |pred: &dyn Fn(&str) -> bool| {
        text.lines()
            .position(|l| l.trim_start().starts_with("//@") && pred(l))
            .map(|i| i as u64 + 1)
    };
    let sig_of = |f: &str| {
        let plain = crate::inspect::roles::plain_name(f).unwrap_or_else(|| f.to_string());
        directive(&|l: &str| l.contains("sig:") && l.contains(&format!(" {plain} ")))
    };
    // The function a thunk serves, from the case's facts.
    let user_of = |thunk: &str| {
        v.facts.iter().find_map(|fact| {
            let mut w = fact.split(' ');
            match (w.next(), w.next(), w.next(), w.next()) {
                (Some("thunk.name"), Some(func), Some(_), Some(t)) if t == thunk => sig_of(func),
                _ => None,
            }
        })
    };
    for d in details {
        // A fact line: `± thunk.name <function> …` or `± thunk.code <thunk> …`.
        let mut w = d.split(' ').skip(1);
        let found = match (w.next(), w.next()) {
            (Some("thunk.name"), Some(func)) => sig_of(func),
            (Some("thunk.code"), Some(thunk)) => user_of(thunk),
            _ => None,
        };
        if let Some(line) = found {
            return line;
        }
        // A finding line: the symbol is between backquotes.
        let Some(sym) = d.split('`').nth(1) else { continue };
        if let Some(line) = sig_of(sym).or_else(|| user_of(sym)) {
            return line;
        }
    }
    for name in [
        "min-rust-version",
        "min-llvm-version",
        "known-bug",
        "known-deviation",
        "expect-finding",
        "needs-",
    ] {
        if what.contains(name.trim_end_matches('-'))
            && let Some(line) = directive(&|l: &str| l.contains(name))
        {
            return line;
        }
    }
    v.line
}

fn entry(
    b: Option<&CaseView>,
    c: Option<&CaseView>,
    what: String,
    rules: Vec<String>,
    details: Vec<String>,
) -> Entry {
    let any = c.or(b).expect("one side has the case");
    Entry {
        key: any.key.clone(),
        fixture: any.fixture.clone(),
        line: locate(any, &details, &what),
        baseline: b.map(|v| v.status.clone()),
        candidate: c.map(|v| v.status.clone()),
        what,
        rules,
        details,
    }
}

pub fn compare(baseline: &LoadedReport, candidate: &LoadedReport) -> Regressions {
    let mut out = Regressions {
        baseline: format!("{} ({})", baseline.toolchain, baseline.source),
        candidate: format!("{} ({})", candidate.toolchain, candidate.source),
        ..Regressions::default()
    };
    for (key, b) in &baseline.cases {
        let Some(c) = candidate.cases.get(key) else {
            out.missing.push(entry(
                Some(b),
                None,
                "the case is missing from the candidate".into(),
                vec![],
                vec![],
            ));
            continue;
        };
        let gained: Vec<&String> = c.findings.difference(&b.findings).collect();
        let lost: Vec<&String> = b.findings.difference(&c.findings).collect();
        let reason = |v: &CaseView| {
            v.reason.clone().unwrap_or_default().lines().next().unwrap_or("").to_string()
        };
        let details = |v: &CaseView| -> Vec<String> {
            let mut d: Vec<String> = gained.iter().map(|f| format!("+ {f}")).collect();
            d.extend(lost.iter().map(|f| format!("- {f}")));
            if d.is_empty() {
                d.push(reason(v));
            }
            d
        };
        match (b.status.as_str(), c.status.as_str()) {
            (bs, "ignored") if bs != "ignored" => out.no_longer_run.push(entry(
                Some(b),
                Some(c),
                format!("ran on the baseline ({bs}), ignored on the candidate: {}", reason(c)),
                vec![],
                vec![],
            )),
            ("ignored", cs) if cs != "ignored" => out.newly_run.push(entry(
                Some(b),
                Some(c),
                format!("ignored on the baseline, {cs} on the candidate"),
                vec![],
                vec![],
            )),
            ("ignored", _) => {}
            // Same failing status on both sides: only new findings count (same status with no
            // new finding falls through to the final arm and is not a regression).
            (bs, cs)
                if bs == cs
                    && (is_failure(cs) || cs == "expected-failure")
                    && !gained.is_empty() =>
            {
                out.new_findings.push(entry(
                    Some(b),
                    Some(c),
                    format!("{cs} on both, with new findings on the candidate"),
                    rules_of(&gained),
                    details(c),
                ))
            }
            ("passed", cs) if cs != "passed" => out.new_failures.push(entry(
                Some(b),
                Some(c),
                format!("passed on the baseline, {cs} on the candidate: {}", reason(c)),
                rules_of(&gained),
                details(c),
            )),
            ("expected-failure", cs) if is_failure(cs) => out.new_failures.push(entry(
                Some(b),
                Some(c),
                format!(
                    "an expected failure on the baseline, {cs} on the candidate: {}",
                    reason(c)
                ),
                rules_of(&gained),
                details(c),
            )),
            (bs, "passed") if bs != "passed" => out.fixed.push(entry(
                Some(b),
                Some(c),
                format!("{bs} on the baseline, passed on the candidate"),
                rules_of(&lost),
                details(b),
            )),
            ("expected-failure", "fixed") => out.fixed.push(entry(
                Some(b),
                Some(c),
                "the declared failure is gone on the candidate".into(),
                rules_of(&lost),
                details(b),
            )),
            (bs, cs) if is_failure(bs) && !is_failure(cs) => out.fixed.push(entry(
                Some(b),
                Some(c),
                format!("{bs} on the baseline, {cs} on the candidate"),
                rules_of(&lost),
                details(b),
            )),
            (bs, cs) if bs != cs => out.new_failures.push(entry(
                Some(b),
                Some(c),
                format!("{bs} on the baseline, {cs} on the candidate: {}", reason(c)),
                rules_of(&gained),
                details(c),
            )),
            _ => {}
        }
        if b.status != "ignored" && c.status != "ignored" && b.facts != c.facts {
            let (abi, other) = fact_changes(b, c);
            if !abi.is_empty() {
                let rules = rules_of(&abi.iter().map(|d| &d[2..]).collect::<Vec<_>>());
                let what = "the ABI the toolchain gives a C-ABI function or an export changed";
                out.abi_changed.push(entry(Some(b), Some(c), what.into(), rules, abi));
            }
            if !other.is_empty() {
                let rules = rules_of(&other.iter().map(|d| &d[2..]).collect::<Vec<_>>());
                let what = "facts of the build changed";
                out.changed.push(entry(Some(b), Some(c), what.into(), rules, other));
            }
        }
    }
    for (key, c) in &candidate.cases {
        if !baseline.cases.contains_key(key) {
            out.new_cases.push(entry(
                None,
                Some(c),
                format!("only in the candidate ({})", c.status),
                vec![],
                vec![],
            ));
        }
    }
    out
}

/// The human summary printed after a gate.
pub fn summary(r: &Regressions) -> String {
    let mut o = format!("gate: baseline {}\n      candidate {}\n", r.baseline, r.candidate);
    let sections: [(&str, &Vec<Entry>); 9] = [
        ("NEW FAILURES", &r.new_failures),
        ("MISSING FROM THE CANDIDATE", &r.missing),
        ("NO LONGER RUN", &r.no_longer_run),
        ("NEW FINDINGS", &r.new_findings),
        ("ABI CHANGED", &r.abi_changed),
        ("fixed", &r.fixed),
        ("newly run", &r.newly_run),
        ("new cases", &r.new_cases),
        ("changed facts", &r.changed),
    ];
    for (title, list) in sections {
        if list.is_empty() {
            continue;
        }
        o.push_str(&format!("{title} ({}):\n", list.len()));
        for e in list {
            o.push_str(&format!("  {}  {}:{}  {}\n", e.key, e.fixture, e.line, e.what));
            for d in e.details.iter().take(4) {
                o.push_str(&format!("      {d}\n"));
            }
        }
    }
    let n = r.regressions().count();
    o.push_str(&if n == 0 {
        "no regression\n".to_string()
    } else {
        format!("{n} regression(s)\n")
    });
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn view(key: &str, status: &str, findings: &[&str], facts: &[&str]) -> CaseView {
        CaseView {
            key: key.into(),
            status: status.into(),
            reason: Some(format!("{status} because")),
            fixture: "/nonexistent/f.rs".into(),
            line: 3,
            findings: findings.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
            facts: facts.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
            record: serde_json::Value::Null,
        }
    }

    fn report(cases: Vec<CaseView>) -> LoadedReport {
        LoadedReport {
            source: "r.json".into(),
            toolchain: "rustc x".into(),
            rerun: "x".into(),
            cases: cases.into_iter().map(|c| (c.key.clone(), c)).collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn every_kind_of_difference() {
        let b = report(vec![
            view("s::newfail", "passed", &[], &[]),
            view("s::gone", "passed", &[], &[]),
            view("s::skipped", "passed", &[], &[]),
            view("s::morefindings", "expected-failure", &["thunk.code `t`: a"], &[]),
            view("s::fixed", "failed", &["reg.reserved `f`: x13"], &[]),
            view("s::facts", "passed", &[], &["thunk.name #f entry $ientry_thunk$cdecl$i8$i8"]),
            view(
                "s::code",
                "passed",
                &[],
                &[
                    "thunk.code $t 00 (3 instructions)",
                    "thunk.name g exit $iexit_thunk$cdecl$v$v in o",
                ],
            ),
            view(
                "s::same",
                "expected-failure",
                &["thunk.code `t`: a"],
                &["image.chpe x version 2"],
            ),
        ]);
        let c = report(vec![
            view("s::newfail", "failed", &["thunk.code `t`: b"], &[]),
            view("s::skipped", "ignored", &[], &[]),
            view(
                "s::morefindings",
                "expected-failure",
                &["thunk.code `t`: a", "thunk.name.oracle `f`: c"],
                &[],
            ),
            view("s::fixed", "passed", &[], &[]),
            view("s::facts", "passed", &[], &["thunk.name #f entry $ientry_thunk$cdecl$m8$i8"]),
            view("s::code", "passed", &[], &["thunk.code $t 01 (4 instructions)"]),
            view(
                "s::same",
                "expected-failure",
                &["thunk.code `t`: a"],
                &["image.chpe x version 2"],
            ),
            view("s::brandnew", "passed", &[], &[]),
        ]);
        let r = compare(&b, &c);
        let keys = |v: &Vec<Entry>| v.iter().map(|e| e.key.clone()).collect::<Vec<String>>();
        assert_eq!(keys(&r.new_failures), ["s::newfail"]);
        assert_eq!(r.new_failures[0].rules, ["thunk.code"]);
        assert_eq!(keys(&r.missing), ["s::gone"]);
        assert_eq!(keys(&r.no_longer_run), ["s::skipped"]);
        assert_eq!(keys(&r.new_findings), ["s::morefindings"]);
        assert_eq!(r.new_findings[0].rules, ["thunk.name.oracle"]);
        assert_eq!(keys(&r.fixed), ["s::fixed"]);
        assert_eq!(keys(&r.abi_changed), ["s::facts"]);
        assert_eq!(r.abi_changed[0].rules, ["thunk.name"]);
        assert_eq!(keys(&r.changed), ["s::code"]);
        assert_eq!(r.changed[0].rules, ["thunk.code", "thunk.name"]);
        assert_eq!(keys(&r.new_cases), ["s::brandnew"]);
        assert!(r.any());
        assert_eq!(r.regressions().count(), 5);
        let s = summary(&r);
        assert!(s.contains("NEW FAILURES (1)") && s.contains("5 regression(s)"), "{s}");
        let same = compare(&b, &b);
        assert!(
            !same.any() && same.changed.is_empty() && same.fixed.is_empty(),
            "{}",
            summary(&same)
        );
    }
}
