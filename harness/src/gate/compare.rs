//! Baseline against candidate: what got worse (new failures, cases that are missing or no
//! longer run, new findings in cases that already failed, an ABI-visible change where both
//! sides pass: a thunk name, a lost export), what got better, what only changed its
//! declaration (a failure the candidate now declares as expected, a stale declaration
//! dropped), and what else changed where both sides ran (thunk code, imports, the code map).

use super::facts::{Fact, Found};
use super::load::{CaseView, LoadedReport};
use super::status::{Change, change};
use crate::model::Status;
use serde::Serialize;
use std::collections::BTreeSet;

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
    /// A failure on the baseline that the candidate declares as expected (failed, timeout or
    /// error → expected-failure), or a pass on both where the candidate declares a failure
    /// that does not happen (passed → fixed). Not a regression, and not an improvement: the
    /// outcome is the same, only the declaration changed.
    pub newly_declared: Vec<Entry>,
    /// A pass on both where the baseline's stale declaration is gone (fixed → passed).
    /// Neither a regression nor an improvement.
    pub no_longer_declared: Vec<Entry>,
    pub newly_run: Vec<Entry>,
    pub new_cases: Vec<Entry>,
    /// ABI-visible facts that changed where both sides ran: the thunk a C-ABI function
    /// gets (its ABI classification), an export that is gone. Regressions even when both
    /// sides pass.
    pub abi_changed: Vec<Entry>,
    /// Cases where the candidate judged less than the baseline: more subjects of a rule
    /// left unjudged, or a rule that judged something now judging nothing. Regressions.
    #[serde(default)]
    pub judged_less: Vec<Entry>,
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
            .chain(&self.judged_less)
    }

    pub fn any(&self) -> bool {
        self.regressions().next().is_some()
    }
}

/// Which side has what a detail line shows: `+` the candidate only, `-` the baseline only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sign {
    Candidate,
    Baseline,
}

/// One detail of a difference, before it becomes a line of `regressions.json`.
#[derive(Clone, Debug)]
enum Detail<'a> {
    Fact(Sign, &'a Fact),
    Finding(Sign, &'a Found),
    /// The first line of a case's reason, when no finding explains the difference.
    Reason(String),
}

impl Detail<'_> {
    /// The rule family the detail is about.
    fn rule(&self) -> Option<&str> {
        match self {
            Detail::Fact(_, f) => Some(f.rule()),
            Detail::Finding(_, f) => Some(&f.rule),
            Detail::Reason(_) => None,
        }
    }

    fn line(&self) -> String {
        let sign = |s: &Sign| if *s == Sign::Candidate { '+' } else { '-' };
        match self {
            Detail::Fact(s, f) => format!("{} {f}", sign(s)),
            Detail::Finding(s, f) => format!("{} {f}", sign(s)),
            Detail::Reason(r) => r.clone(),
        }
    }
}

/// A function's thunk slot: the function, the kind of thunk and the object, without the
/// thunk it got.
fn slot(f: &Fact) -> Option<(&str, &str, &str)> {
    match f {
        Fact::ThunkName { function, kind, object, .. } => Some((function, kind, object)),
        _ => None,
    }
}

/// The facts only one side has, split into ABI-visible changes and the rest. ABI-visible:
/// a function that got a different thunk from each side (a different ABI classification),
/// an export the candidate lost. A thunk on one side only (a call inlined away) is not.
fn fact_changes<'a>(b: &'a CaseView, c: &'a CaseView) -> (Vec<Detail<'a>>, Vec<Detail<'a>>) {
    let slots = |v: &'a CaseView| -> BTreeSet<(&'a str, &'a str, &'a str)> {
        v.facts.iter().filter_map(slot).collect()
    };
    let (bs, cs) = (slots(b), slots(c));
    let changes = c
        .facts
        .difference(&b.facts)
        .map(|f| (Sign::Candidate, f))
        .chain(b.facts.difference(&c.facts).map(|f| (Sign::Baseline, f)));
    let (abi, other): (Vec<_>, Vec<_>) = changes.partition(|(sign, f)| {
        slot(f).is_some_and(|s| bs.contains(&s) && cs.contains(&s))
            || (*sign == Sign::Baseline && matches!(f, Fact::ImageExport { .. }))
    });
    let details =
        |v: Vec<(Sign, &'a Fact)>| v.into_iter().map(|(s, f)| Detail::Fact(s, f)).collect();
    (details(abi), details(other))
}

fn rules_of<'r>(rules: impl Iterator<Item = &'r str>) -> Vec<String> {
    let mut r: Vec<String> = rules.map(str::to_string).collect();
    r.sort();
    r.dedup();
    r
}

fn finding_rules(findings: &[&Found]) -> Vec<String> {
    rules_of(findings.iter().map(|f| f.rule.as_str()))
}

/// The fixture line behind a difference: the `//@ sig:` of a function a detail names (or
/// of a function that uses the thunk it names), else the directive the reason cites, else
/// the case's own line.
fn locate(v: &CaseView, details: &[Detail], what: &str) -> u64 {
    let text = std::fs::read_to_string(&v.record.fixture).unwrap_or_default();
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
        v.facts.iter().find_map(|fact| match fact {
            Fact::ThunkName { function, thunk: t, .. } if t == thunk => sig_of(function),
            _ => None,
        })
    };
    for d in details {
        let found = match d {
            Detail::Fact(_, Fact::ThunkName { function, .. }) => sig_of(function),
            Detail::Fact(_, Fact::ThunkCode { thunk, .. }) => user_of(thunk),
            Detail::Fact(..) => None,
            Detail::Finding(_, f) => f.subject().and_then(|s| sig_of(s).or_else(|| user_of(s))),
            Detail::Reason(r) => r.split('`').nth(1).and_then(|s| sig_of(s).or_else(|| user_of(s))),
        };
        if let Some(line) = found {
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
    v.record.line as u64
}

fn entry(
    b: Option<&CaseView>,
    c: Option<&CaseView>,
    what: String,
    rules: Vec<String>,
    details: Vec<Detail>,
) -> Entry {
    let any = c.or(b).expect("one side has the case");
    Entry {
        key: any.key(),
        fixture: any.record.fixture.clone(),
        line: locate(any, &details, &what),
        baseline: b.map(|v| v.record.status.name().to_string()),
        candidate: c.map(|v| v.record.status.name().to_string()),
        what,
        rules,
        details: details.iter().map(Detail::line).collect(),
    }
}

/// The first line of a case's reason.
fn reason(v: &CaseView) -> String {
    v.record.reason.as_deref().unwrap_or_default().lines().next().unwrap_or("").to_string()
}

pub fn compare(baseline: &LoadedReport, candidate: &LoadedReport) -> Regressions {
    let mut out = Regressions {
        baseline: format!("{} ({})", baseline.toolchain, baseline.source),
        candidate: format!("{} ({})", candidate.toolchain, candidate.source),
        ..Regressions::default()
    };
    for (key, b) in &baseline.cases {
        let Some(c) = candidate.cases.get(key) else {
            let what = "the case is missing from the candidate".into();
            out.missing.push(entry(Some(b), None, what, vec![], vec![]));
            continue;
        };
        compare_status(b, c, &mut out);
        compare_facts(b, c, &mut out);
        compare_coverage(b, c, &mut out);
    }
    for (key, c) in &candidate.cases {
        if !baseline.cases.contains_key(key) {
            let what = format!("only in the candidate ({})", c.record.status);
            out.new_cases.push(entry(None, Some(c), what, vec![], vec![]));
        }
    }
    out
}

/// What the statuses and findings of a case both sides have say.
fn compare_status(b: &CaseView, c: &CaseView, out: &mut Regressions) {
    let (bs, cs) = (b.record.status, c.record.status);
    let gained: Vec<&Found> = c.findings.difference(&b.findings).collect();
    let lost: Vec<&Found> = b.findings.difference(&c.findings).collect();
    // Findings gained and lost; the reason of `v` when there are none.
    let details = |v: &CaseView| -> Vec<Detail> {
        let mut d: Vec<Detail> =
            gained.iter().map(|f| Detail::Finding(Sign::Candidate, f)).collect();
        d.extend(lost.iter().map(|f| Detail::Finding(Sign::Baseline, f)));
        if d.is_empty() {
            d.push(Detail::Reason(reason(v)));
        }
        d
    };
    if bs == cs {
        // Same failing status on both sides: only new findings count.
        if (cs.is_failure() || cs == Status::ExpectedFailure) && !gained.is_empty() {
            let what = format!("{cs} on both, with new findings on the candidate");
            out.new_findings.push(entry(
                Some(b),
                Some(c),
                what,
                finding_rules(&gained),
                details(c),
            ));
        }
        return;
    }
    let what = super::status::what(bs, cs, &reason(c));
    match change(bs, cs) {
        Change::NoLongerRun => {
            out.no_longer_run.push(entry(Some(b), Some(c), what, vec![], vec![]))
        }
        Change::NewlyRun => out.newly_run.push(entry(Some(b), Some(c), what, vec![], vec![])),
        Change::Worse => {
            out.new_failures.push(entry(Some(b), Some(c), what, finding_rules(&gained), details(c)))
        }
        Change::Better => {
            out.fixed.push(entry(Some(b), Some(c), what, finding_rules(&lost), details(b)))
        }
        Change::NewlyDeclared => out.newly_declared.push(entry(
            Some(b),
            Some(c),
            what,
            finding_rules(&gained),
            details(c),
        )),
        Change::NoLongerDeclared => {
            out.no_longer_declared.push(entry(Some(b), Some(c), what, vec![], details(b)))
        }
    }
}

/// Facts that changed where both sides ran.
fn compare_facts(b: &CaseView, c: &CaseView, out: &mut Regressions) {
    let ran = |v: &CaseView| v.record.status != Status::Ignored;
    if !ran(b) || !ran(c) || b.facts == c.facts {
        return;
    }
    let (abi, other) = fact_changes(b, c);
    let rules = |d: &[Detail]| rules_of(d.iter().filter_map(Detail::rule));
    if !abi.is_empty() {
        let what = "the ABI the toolchain gives a C-ABI function or an export changed";
        out.abi_changed.push(entry(Some(b), Some(c), what.into(), rules(&abi), abi));
    }
    if !other.is_empty() {
        let what = "facts of the build changed";
        out.changed.push(entry(Some(b), Some(c), what.into(), rules(&other), other));
    }
}

/// A candidate that judges less than the baseline on a case both ran.
fn compare_coverage(b: &CaseView, c: &CaseView, out: &mut Regressions) {
    if b.record.status == Status::Ignored || c.record.status == Status::Ignored {
        return;
    }
    let less = super::coverage::judged_less(&b.record.coverage(), &c.record.coverage());
    if less.is_empty() {
        return;
    }
    let rules: Vec<String> = less.iter().map(|(r, _)| r.clone()).collect();
    let what = format!("the candidate judges less: {}", rules.join(", "));
    let details = less.into_iter().map(|(_, line)| Detail::Reason(line)).collect();
    out.judged_less.push(entry(Some(b), Some(c), what, rules, details));
}

/// The human summary printed after a gate.
pub fn summary(r: &Regressions) -> String {
    let mut o = format!("gate: baseline {}\n      candidate {}\n", r.baseline, r.candidate);
    let sections: [(&str, &Vec<Entry>); 12] = [
        ("NEW FAILURES", &r.new_failures),
        ("MISSING FROM THE CANDIDATE", &r.missing),
        ("NO LONGER RUN", &r.no_longer_run),
        ("NEW FINDINGS", &r.new_findings),
        ("ABI CHANGED", &r.abi_changed),
        ("JUDGES LESS", &r.judged_less),
        (
            "newly declared (same failure, now declared as expected; not a regression, not a fix)",
            &r.newly_declared,
        ),
        (
            "no longer declared (passes on both; the stale declaration is gone)",
            &r.no_longer_declared,
        ),
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
    use super::super::facts;
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// `rule `symbol`: message`.
    fn found(s: &str) -> Found {
        let (head, message) = s.split_once(": ").unwrap();
        let (rule, symbol) = match head.split_once(" `") {
            Some((r, sym)) => (r, Some(sym.trim_end_matches('`'))),
            None => (head, None),
        };
        Found::new(rule, symbol, message)
    }

    /// The few fact shapes the test below writes, in their text form.
    fn fact(s: &str) -> Fact {
        let (body, object) = s.split_once(" in ").unwrap_or((s, ""));
        let w: Vec<&str> = body.split(' ').collect();
        let object = object.to_string();
        match w[0] {
            "thunk.name" => Fact::ThunkName {
                function: w[1].into(),
                kind: w[2].into(),
                thunk: w[3].into(),
                object,
            },
            "thunk.code" => Fact::ThunkCode {
                thunk: w[1].into(),
                digest: w[2].into(),
                instructions: w[3].trim_start_matches('(').parse().unwrap(),
                object,
            },
            "image.chpe" => Fact::ImageChpe {
                image: facts::ImageAt { file: w[1].into(), view: "arm64_ec".into() },
                version: w[3].parse().ok(),
            },
            other => panic!("no fact shape {other}"),
        }
    }

    fn view(key: &str, status: &str, findings: &[&str], facts: &[&str]) -> CaseView {
        let record = serde_json::json!({
            "type": "case", "key": key, "status": status, "reason": format!("{status} because"),
            "fixture": "/nonexistent/f.rs", "line": 3,
        });
        CaseView {
            record: serde_json::from_value(record).unwrap(),
            findings: findings.iter().map(|s| found(s)).collect::<BTreeSet<_>>(),
            facts: facts.iter().map(|s| fact(s)).collect::<BTreeSet<_>>(),
        }
    }

    fn report(cases: Vec<CaseView>) -> LoadedReport {
        LoadedReport {
            source: "r.json".into(),
            toolchain: "rustc x".into(),
            rerun: "x".into(),
            cases: cases.into_iter().map(|c| (c.key(), c)).collect::<BTreeMap<_, _>>(),
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
