//! A file case's status from its phases and what it declares. A declared deviation
//! (`known-bug`, `known-deviation`) names the findings it causes (`expect-finding`): the
//! case is the expected failure it declares only when its phases report exactly those
//! findings — the same rules, on the same subjects or in the same number, in the phase each
//! rule belongs to. Another rule, another subject, one more finding or a failure of another
//! phase fails the case; a declared deviation that is gone makes it `fixed`.

use crate::check::Finding;
use crate::check::rules::{self, Scope};
use crate::discover::{ExpectedFinding, FindingSubjects};
use crate::model::Status;
use crate::report::{CaseRecord, Expected, ExpectedKind, PhaseName, PhaseRecord, PhaseStatus};
use std::time::Duration;

/// The phase a rule's findings belong to.
fn phase_of(rule: &str) -> PhaseName {
    match rules::get(rule).map(|r| r.scope) {
        Some(Scope::Run) => PhaseName::Run,
        _ => PhaseName::Check,
    }
}

/// How one phase's findings differ from what is declared for it: one line per difference.
pub fn differences(findings: &[Finding], declared: &[&ExpectedFinding]) -> Vec<String> {
    let mut out = Vec::new();
    for d in declared {
        let of_rule: Vec<&Finding> = findings.iter().filter(|f| f.rule == d.rule).collect();
        match &d.subjects {
            FindingSubjects::Count(n) if of_rule.len() != *n => {
                out.push(format!("`{}`: {} finding(s), {n} declared", d.rule, of_rule.len()))
            }
            FindingSubjects::Count(_) => {}
            FindingSubjects::Named(names) => {
                for n in names.iter().filter(|n| !of_rule.iter().any(|f| sym(f) == *n)) {
                    out.push(format!("`{}` on `{n}`: declared, not reported", d.rule));
                }
                for f in of_rule.iter().filter(|f| !names.iter().any(|n| n == sym(f))) {
                    out.push(format!("`{}` on `{}` is not declared: {f}", d.rule, sym(f)));
                }
            }
        }
    }
    for f in findings.iter().filter(|f| !declared.iter().any(|d| d.rule == f.rule)) {
        out.push(format!("undeclared rule: {f}"));
    }
    out
}

fn sym(f: &Finding) -> &str {
    f.symbol.as_deref().unwrap_or("")
}

/// What comparing the declared findings with the phases gave.
struct Declared {
    /// Some finding of a declared rule was reported.
    seen: bool,
    /// Every phase reported exactly what is declared for it.
    exact: bool,
}

/// Compare each phase that reports findings with what is declared for it, and set its
/// status and message accordingly.
fn compare_declared(rec: &mut CaseRecord, declared: &[ExpectedFinding]) -> Declared {
    let text = declared.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" ");
    let mut out = Declared { seen: false, exact: true };
    for name in [PhaseName::Check, PhaseName::Run] {
        let mine: Vec<&ExpectedFinding> =
            declared.iter().filter(|d| phase_of(&d.rule) == name).collect();
        let Some(p) = rec.phases.iter_mut().find(|p| p.name == name) else {
            if !mine.is_empty() {
                out.exact = false;
            }
            continue;
        };
        if p.status != PhaseStatus::Passed && p.status != PhaseStatus::Failed {
            continue;
        }
        out.seen |= p.findings.iter().any(|f| mine.iter().any(|d| d.rule == f.rule));
        let diffs = differences(&p.findings, &mine);
        if diffs.is_empty() {
            if !mine.is_empty() {
                p.status = PhaseStatus::Passed;
                p.message = Some(format!("reported exactly the declared findings: {text}"));
            }
        } else {
            out.exact = false;
            p.status = PhaseStatus::Failed;
            p.message = Some(format!("declared findings: {text}; {}", diffs.join("; ")));
        }
    }
    out
}

/// The first failed phase, in words: its message and findings.
fn failure(rec: &CaseRecord) -> Option<String> {
    rec.phases.iter().find(|p| p.status == PhaseStatus::Failed).map(|p| {
        let mut lines: Vec<String> = p.message.iter().cloned().collect();
        if p.message.as_deref().is_none_or(|m| !m.starts_with("declared findings")) {
            lines.extend(p.findings.iter().map(|f| f.to_string()));
        }
        if lines.is_empty() { format!("{:?} failed", p.name) } else { lines.join("\n") }
    })
}

fn findings_text(rec: &CaseRecord) -> String {
    rec.phases
        .iter()
        .flat_map(|p| p.findings.iter())
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A timed-out or broken phase decides the case before any expectation does.
fn broken_phase(rec: &mut CaseRecord, timeout: Duration) -> bool {
    let worst = |s: PhaseStatus| rec.phases.iter().find(|p| p.status == s);
    if let Some(p) = worst(PhaseStatus::Timeout) {
        let reason =
            format!("{:?} phase exceeded the case timeout of {} s", p.name, timeout.as_secs());
        (rec.status, rec.reason) = (Status::Timeout, Some(reason.to_lowercase()));
        return true;
    }
    if let Some(p) = worst(PhaseStatus::Error) {
        (rec.status, rec.reason) = (Status::Error, p.message.clone());
        return true;
    }
    false
}

/// Derive the case status from its phases and expectation.
pub fn conclude(
    rec: &mut CaseRecord,
    expected: Option<Expected>,
    declared: &[ExpectedFinding],
    timeout: Duration,
) {
    if broken_phase(rec, timeout) {
        return;
    }
    // An older LLVM than the case needs fails it in any way: that is what it declares.
    let too_old = expected.as_ref().is_some_and(|e| e.kind == ExpectedKind::MinLlvm);
    let checked = (!declared.is_empty() && !too_old).then(|| compare_declared(rec, declared));
    let mut why = failure(rec);
    if why.is_none() && checked.as_ref().is_some_and(|d| !d.exact) {
        let text: Vec<String> = declared.iter().map(|d| d.to_string()).collect();
        why = Some(format!("declared findings of a phase that did not run: {}", text.join(" ")));
    }
    (rec.status, rec.reason) = match (why, expected, checked) {
        (None, None, None) => (Status::Passed, None),
        (None, None, Some(_)) => (Status::Passed, Some(declared_text(declared))),
        (None, Some(e), Some(_)) => {
            (Status::ExpectedFailure, Some(format!("{} — {}", e.reason, findings_text(rec))))
        }
        (None, Some(e), None) => {
            (Status::Fixed, Some(format!("passed, but the case expects a failure ({})", e.reason)))
        }
        (Some(why), None, _) => (Status::Failed, Some(why)),
        (Some(why), Some(e), Some(d)) if !d.seen && only_declared_missing(rec) => {
            (Status::Fixed, Some(format!("the declared deviation is gone ({why}): {}", e.reason)))
        }
        (Some(why), Some(e), Some(_)) => (
            Status::Failed,
            Some(format!("failed otherwise than the declared deviation ({}): {why}", e.reason)),
        ),
        (Some(why), Some(e), None) => {
            (Status::ExpectedFailure, Some(format!("{} — {why}", e.reason)))
        }
    };
}

fn declared_text(declared: &[ExpectedFinding]) -> String {
    let text: Vec<String> = declared.iter().map(|d| d.to_string()).collect();
    format!("reported exactly the declared findings: {}", text.join(" "))
}

/// Whether every failed phase is one the declared findings belong to and failed only
/// because they are missing (it reported no finding at all).
fn only_declared_missing(rec: &CaseRecord) -> bool {
    rec.phases.iter().filter(|p| p.status == PhaseStatus::Failed).all(|p: &PhaseRecord| {
        matches!(p.name, PhaseName::Check | PhaseName::Run) && p.findings.is_empty()
    })
}
