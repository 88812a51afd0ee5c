//! Judging a pairing: every function's outcome against `expectations.toml`. A failure a
//! rule declares (at its phase) is expected; one no rule declares is not, and gets a
//! stand-alone repro and a suggested rule (a declared one gets a repro for the first
//! function of each rule); a function a rule declares that passed is fixed. The case's status and reason follow.

use super::super::expect::{self, Context, Phase, RuleTarget};
use super::super::minimize;
use super::super::steps::Tools;
use super::{Failure, Outcome, RunOutcome, Trial};
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

pub fn judge(t: Trial, tools: &Tools) -> CaseRecord {
    let Trial { case, env, fns, mut rec, mut summary, outcomes, .. } = t;
    let p = case.pairing;
    let release = env.toolchain.info.release.clone();
    let cx = Context {
        target: if p.is_control() {
            RuleTarget::Host
        } else if p.has_ec_side() {
            RuleTarget::Arm64ec
        } else {
            RuleTarget::X64
        },
        release: &release,
        llvm: env.toolchain.llvm(),
    };
    let ran = summary.run == RunOutcome::Performed;
    let mut unexpected = 0usize;
    let mut expected_rules = Vec::new();
    let repro_root = env.dirs.root.join("abi-repros");
    for (f, Outcome { failed_at, problems, edge, run_checked }) in fns.iter().zip(outcomes) {
        let id = case.function_id(&f.name);
        let rule = expect::lookup(&case.rules, &id, &cx);
        let Some(phase) = failed_at else {
            summary.passed += 1;
            if let Some(r) = rule.filter(|r| !r.flaky && (r.busted != Phase::Run || run_checked)) {
                summary.fixed.push(format!("{}: {}", f.name, r.cite()));
            }
            continue;
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
            if !expected_rules.iter().any(|e: &expect::Rule| e.line == r.line)
                && phase != Phase::Build
                && let Ok(dir) =
                    minimize::write(&repro_root, &p, f, &problems, &env.toolchain, tools)
            {
                failure.repro = Some(dir.display().to_string());
            }
            expected_rules.push(r.clone());
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
            summary.suggestions.push(expect::suggestion(&id, phase, &cx, first));
            if unexpected < MAX_REPROS
                && phase != Phase::Build
                && let Ok(dir) =
                    minimize::write(&repro_root, &p, f, &problems, &env.toolchain, tools)
            {
                failure.repro = Some(dir.display().to_string());
            }
            unexpected += 1;
        }
        cap(&mut failure.problems, 12);
        summary.failures.push(failure);
    }
    let values = if !ran {
        summary.run.to_string()
    } else {
        let mut v = format!("{} compared ({})", summary.run_checked, summary.runner);
        if summary.not_emulated_count > 0 {
            v.push_str(&format!(", {} not emulated", summary.not_emulated_count));
        }
        if summary.not_reached > 0 {
            v.push_str(&format!(", {} not reached", summary.not_reached));
        }
        v
    };
    let mut reason = format!(
        "{} function(s): {} passed, {} expected failure(s), {unexpected} unexpected, {} fixed; static check of {} edge(s); values: {values}",
        fns.len(),
        summary.passed,
        expected_rules.len(),
        summary.fixed.len(),
        summary.static_checked,
    );
    let broken =
        rec.phases.iter().find(|ph| matches!(ph.status, PhaseStatus::Timeout | PhaseStatus::Error));
    (rec.status, rec.reason) = if let Some(ph) = broken {
        let st = if ph.status == PhaseStatus::Timeout { Status::Timeout } else { Status::Error };
        let msg = ph.message.clone().unwrap_or_default();
        (st, Some(format!("{} phase: {msg}", format!("{:?}", ph.name).to_lowercase())))
    } else if unexpected > 0 || !summary.general.is_empty() {
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
        (Status::Failed, Some(reason))
    } else if !summary.fixed.is_empty() {
        reason.push_str(&format!(
            "\npassed although a rule expects a failure (remove or narrow the rule): {}",
            summary.fixed.join(", ")
        ));
        (Status::Fixed, Some(reason))
    } else if let Some(first) = expected_rules.first() {
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
    } else {
        (Status::Passed, None)
    };
    rec.matrix = Some(summary);
    rec
}
