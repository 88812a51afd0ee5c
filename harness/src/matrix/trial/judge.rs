//! Judging a pairing: every function's outcome against `expectations.toml`. A failure a
//! rule declares (at its phase) is expected; one no rule declares is not, and gets a
//! stand-alone repro and a suggested rule (a declared one gets a repro for the first
//! function of each rule); a function a rule declares that passed is fixed. The case's status and reason follow.

use super::super::FnSpec;
use super::super::expect::{self, Context, Phase, RuleTarget};
use super::super::minimize;
use super::super::steps::Tools;
use super::{Failure, Outcome, RunOutcome, Summary, Trial};
use crate::model::Status;
use crate::report::{CaseRecord, Expected, ExpectedKind, PhaseStatus};

/// How many stand-alone repros one pairing writes at most.
const MAX_REPROS: usize = 25;

/// Keep the first `n` problems and say how many more there were (the report stays small
/// when a deviation repeats across hundreds of functions).
fn cap(problems: &mut Vec<String>, n: usize) {
    if problems.len() > n {
        let more = problems.len() - n;
        problems.truncate(n);
        problems.push(format!("(+{more} more)"));
    }
}

/// Judge every function of a finished trial against the expectation rules, and the
/// pairing from its functions and phases.
pub fn judge(t: Trial, tools: &Tools) -> CaseRecord {
    let Trial { case, env, fns, mut rec, mut summary, outcomes, .. } = t;
    let release = env.toolchain.info.release.clone();
    let cx =
        Context { target: target_of(case.pairing), release: &release, llvm: env.toolchain.llvm() };
    let mut tally = Tally { unexpected: 0, expected_rules: Vec::new() };
    let judge = Judge { case, env, tools, cx: &cx, repro_root: env.dirs.root.join("abi-repros") };
    for (f, outcome) in fns.iter().zip(outcomes) {
        judge.function(f, outcome, &mut summary, &mut tally);
    }
    let reason = format!(
        "{} function(s): {} passed, {} expected failure(s), {} unexpected, {} fixed; static check of {} edge(s); values: {}",
        fns.len(),
        summary.passed,
        tally.expected_rules.len(),
        tally.unexpected,
        summary.fixed.len(),
        summary.static_checked,
        values(&summary),
    );
    (rec.status, rec.reason) = verdict(&mut rec, &summary, &tally, reason);
    rec.matrix = Some(summary);
    rec
}

/// The rules' target for a pairing: host controls, pairings with Arm64EC code, x64 only.
fn target_of(p: super::super::Pairing) -> RuleTarget {
    if p.is_control() {
        RuleTarget::Host
    } else if p.has_ec_side() {
        RuleTarget::Arm64ec
    } else {
        RuleTarget::X64
    }
}

/// What the functions came to: how many failed unexpectedly, the rules that declared the rest.
struct Tally {
    unexpected: usize,
    expected_rules: Vec<expect::Rule>,
}

/// What judging one function needs.
struct Judge<'a> {
    case: &'a super::super::suite::MatrixCase,
    env: &'a crate::env::Env,
    tools: &'a Tools<'a>,
    cx: &'a Context<'a>,
    repro_root: std::path::PathBuf,
}

impl Judge<'_> {
    /// A passed function (fixed, where a rule expected it to fail), or a failure, declared
    /// or not, with a repro where one helps.
    fn function(&self, f: &FnSpec, o: Outcome, summary: &mut Summary, tally: &mut Tally) {
        let Outcome { failed_at, problems, edge, run_checked } = o;
        let id = self.case.function_id(&f.name);
        let rule = expect::lookup(&self.case.rules, &id, self.cx);
        let Some(phase) = failed_at else {
            summary.passed += 1;
            if let Some(r) = rule.filter(|r| !r.flaky && (r.busted != Phase::Run || run_checked)) {
                summary.fixed.push(format!("{}: {}", f.name, r.cite()));
            }
            return;
        };
        let declared = rule.filter(|r| r.busted == phase || r.flaky);
        let mut failure = Failure {
            function: f.name.clone(),
            signature: f.display(),
            origin: f.origin.clone(),
            phase,
            expected: declared.map(|r| r.cite()),
            problems: problems.clone(),
            edge,
            repro: None,
        };
        if let Some(r) = declared {
            // One stand-alone repro per deviation: the first function each rule declares.
            if !tally.expected_rules.iter().any(|e| e.line == r.line) {
                failure.repro = self.repro(f, phase, &problems);
            }
            tally.expected_rules.push(r.clone());
            cap(&mut failure.problems, 2);
        } else {
            if let Some(other) = rule {
                failure.problems.push(format!(
                    "{} expects it to fail at {}, not {}",
                    other.cite(),
                    other.busted.name(),
                    phase.name()
                ));
            }
            let first = problems.first().map(String::as_str).unwrap_or("");
            summary.suggestions.push(expect::suggestion(&id, phase, self.cx, first));
            if tally.unexpected < MAX_REPROS {
                failure.repro = self.repro(f, phase, &problems);
            }
            tally.unexpected += 1;
        }
        cap(&mut failure.problems, 12);
        summary.failures.push(failure);
    }

    /// A stand-alone repro of one function (none for a build failure: nothing was built).
    fn repro(&self, f: &FnSpec, phase: Phase, problems: &[String]) -> Option<String> {
        if phase == Phase::Build {
            return None;
        }
        let (p, tc) = (&self.case.pairing, &self.env.toolchain);
        minimize::write(&self.repro_root, p, f, problems, tc, self.tools)
            .ok()
            .map(|dir| dir.display().to_string())
    }
}

/// How the values went: compared (where, how many not emulated or not reached), or why not.
fn values(summary: &Summary) -> String {
    if summary.run != RunOutcome::Performed {
        return summary.run.to_string();
    }
    let mut v = format!("{} compared ({})", summary.run_checked, summary.runner);
    if summary.not_emulated_count > 0 {
        v.push_str(&format!(", {} not emulated", summary.not_emulated_count));
    }
    if summary.not_reached > 0 {
        v.push_str(&format!(", {} not reached", summary.not_reached));
    }
    v
}

/// The pairing's status and reason: a broken phase, unexpected failures, fixed functions,
/// the declared deviations, or a pass.
fn verdict(
    rec: &mut CaseRecord,
    summary: &Summary,
    tally: &Tally,
    mut reason: String,
) -> (Status, Option<String>) {
    let broken =
        rec.phases.iter().find(|ph| matches!(ph.status, PhaseStatus::Timeout | PhaseStatus::Error));
    if let Some(ph) = broken {
        let st = if ph.status == PhaseStatus::Timeout { Status::Timeout } else { Status::Error };
        let msg = ph.message.clone().unwrap_or_default();
        return (st, Some(format!("{} phase: {msg}", format!("{:?}", ph.name).to_lowercase())));
    }
    if tally.unexpected > 0 || !summary.general.is_empty() {
        for f in summary.failures.iter().filter(|f| f.expected.is_none()).take(10) {
            let first = f.problems.first().cloned().unwrap_or_default();
            reason.push_str(&format!("\n{} ({}): {first}", f.function, f.signature));
        }
        for g in summary.general.iter().take(5) {
            reason.push_str(&format!("\n{g}"));
        }
        if !summary.suggestions.is_empty() {
            reason.push_str("\nrules that would declare these failures (expectations.toml):\n");
            for s in summary.suggestions.iter().take(5) {
                reason.push_str(s);
            }
        }
        return (Status::Failed, Some(reason));
    }
    if !summary.fixed.is_empty() {
        reason.push_str(&format!(
            "\npassed although a rule expects a failure (remove or narrow the rule): {}",
            summary.fixed.join(", ")
        ));
        return (Status::Fixed, Some(reason));
    }
    let Some(first) = tally.expected_rules.first() else { return (Status::Passed, None) };
    rec.expected_failure = Some(Expected {
        kind: if first.url.is_some() {
            ExpectedKind::KnownBug
        } else {
            ExpectedKind::KnownDeviation
        },
        reason: first.cite(),
        url: first.url.clone(),
    });
    (Status::ExpectedFailure, Some(reason))
}
