//! Judging a pairing: every function's outcome, phase by phase, against
//! `expectations.toml`. A failure at a phase a rule covers is expected; one at a phase no
//! applying rule covers is not, and gets a stand-alone repro and a suggested rule (a
//! declared one gets a repro for the first function of each rule); a phase a rule covers
//! that was judged and passed is fixed. The case's status and reason follow, and the
//! pairing fails when more of its functions were not emulated than the file allows.

use super::super::FnSpec;
use super::super::expect::{self, Context, Phase};
use super::super::minimize;
use super::super::steps::Tools;
use super::{Failure, Outcome, RunOutcome, Summary, Trial};
use crate::model::Status;
use crate::report::{CaseRecord, Expected, ExpectedKind, PhaseStatus};

/// How many stand-alone repros one pairing writes at most.
const MAX_REPROS: usize = 25;

/// Problem lines a declared failure keeps (an undeclared one keeps all).
const DECLARED_LINES: usize = 2;

/// Keep the first `n` problems and say how many more there were (the report stays small
/// when a declared deviation repeats across hundreds of functions).
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
    let cx = Context {
        target: case.pairing.rule_target(),
        release: &release,
        llvm: env.toolchain.llvm(),
    };
    let mut tally = Tally::default();
    let judge = Judge { case, env, tools, cx: &cx, repro_root: env.dirs.root.join("abi-repros") };
    for (f, outcome) in fns.iter().zip(outcomes) {
        judge.function(f, outcome, &mut summary, &mut tally);
    }
    let reason = format!(
        "{} function(s): {} passed, {} expected failure(s), {} unexpected, {} fixed; static check of {} edge(s); values: {}",
        fns.len(),
        summary.passed,
        tally.expected,
        tally.unexpected,
        summary.fixed.len(),
        summary.static_checked,
        values(&summary),
    );
    tally.not_emulated = not_emulated(case, &summary);
    (rec.status, rec.reason) = verdict(&mut rec, &summary, &tally, reason);
    rec.matrix = Some(summary);
    rec
}

/// More functions not emulated than `expectations.toml` allows: why, or `None`.
fn not_emulated(case: &super::super::suite::MatrixCase, summary: &Summary) -> Option<String> {
    let (count, of) = (summary.not_emulated_count, summary.functions);
    let floor = case.rules.floor(&case.key.to_string());
    let (max, by) = match floor {
        Some(f) => (f.max_percent, format!("expectations.toml:{} ({})", f.line, f.reason)),
        None => (0.0, "no `[[not-emulated]]` table of expectations.toml matches".into()),
    };
    let over = floor.map_or(count > 0, |f| f.exceeded(count, of));
    over.then(|| {
        let first = summary.not_emulated.first().map(|w| format!("; first: {w}")).unwrap_or_default();
        format!(
            "{count} of {of} function(s) not emulated ({:.1} %), more than the {max} % allowed by {by}{first}",
            count as f64 * 100.0 / of.max(1) as f64
        )
    })
}

/// What the functions came to: how many failed unexpectedly or as declared, the rules that
/// declared them, and a pairing-level failure (too many not emulated).
#[derive(Default)]
struct Tally {
    unexpected: usize,
    expected: usize,
    expected_rules: Vec<expect::Rule>,
    not_emulated: Option<String>,
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
    /// Each phase of a function: a failure, declared or not (one entry per failing phase,
    /// with a repro where one helps), or a pass where a rule expected a failure (fixed).
    fn function(&self, f: &FnSpec, o: Outcome, summary: &mut Summary, tally: &mut Tally) {
        let id = self.case.function_id(&f.name);
        let rules = &self.case.rules;
        for r in rules.applying(&id, self.cx).into_iter().filter(|r| !r.flaky) {
            for p in r.busted.iter().filter(|p| o.judged(**p) && !o.failed.contains_key(p)) {
                summary.fixed.push(format!("{}: passed at {}: {}", f.name, p.name(), r.cite()));
            }
        }
        if o.failed.is_empty() {
            summary.passed += 1;
            return;
        }
        let mut repro_written = false;
        let mut unexpected = false;
        for (phase, problems) in &o.failed {
            let declared = rules.declaring(&id, self.cx, *phase);
            let mut failure = Failure {
                function: f.name.clone(),
                signature: f.display(),
                origin: f.origin.clone(),
                phase: *phase,
                expected: declared.map(|r| r.cite()),
                problems: problems.clone(),
                edge: o.edge.clone(),
                repro: None,
            };
            let wants_repro = match declared {
                // One stand-alone repro per deviation: the first function each rule declares.
                Some(r) => !tally.expected_rules.iter().any(|e| e.line == r.line),
                None => tally.unexpected < MAX_REPROS,
            };
            if wants_repro && !repro_written {
                failure.repro = self.repro(f, *phase, problems);
                repro_written = failure.repro.is_some();
            }
            match declared {
                Some(r) => {
                    tally.expected_rules.push(r.clone());
                    cap(&mut failure.problems, DECLARED_LINES);
                }
                None => {
                    unexpected = true;
                    for other in rules.applying(&id, self.cx) {
                        failure.problems.push(format!(
                            "{} expects it to fail at {}, not {}",
                            other.cite(),
                            other.phases(),
                            phase.name()
                        ));
                    }
                    let first = problems.first().map(String::as_str).unwrap_or("");
                    summary.suggestions.push(expect::suggestion(&id, *phase, self.cx, first));
                }
            }
            summary.failures.push(failure);
        }
        if unexpected {
            tally.unexpected += 1;
        } else {
            tally.expected += 1;
        }
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
    if tally.unexpected > 0 || !summary.general.is_empty() || tally.not_emulated.is_some() {
        if let Some(why) = &tally.not_emulated {
            reason.push_str(&format!("\n{why}"));
        }
        for f in summary.failures.iter().filter(|f| f.expected.is_none()).take(10) {
            let first = f.problems.first().cloned().unwrap_or_default();
            let at = f.phase.name();
            reason.push_str(&format!("\n{} ({}) at {at}: {first}", f.function, f.signature));
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
    if summary.static_checked == 0 && summary.run_checked == 0 && summary.failures.is_empty() {
        let why = match &summary.run {
            RunOutcome::Performed => "no function's values were compared".to_string(),
            other => format!("the values were not compared ({other})"),
        };
        return (
            Status::Ignored,
            Some(format!(
                "nothing was judged: no edge has thunks to check statically (x64 with x64) and {why}"
            )),
        );
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
