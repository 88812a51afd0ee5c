//! Execute one planned trial through its phases: build → inspect → check for static cases,
//! build → run → check for host controls. Produces the case's report record; never panics
//! on bad input, every failure is a status with its reason.

use crate::build::{self, ArtifactKind};
use crate::check;
use crate::discover::{BrokenCase, Variant};
use crate::inspect;
use crate::model::{CaseKey, Status};
use crate::plan::{self, Decision};
use crate::report::{CaseRecord, Expected, PhaseName, PhaseRecord, PhaseStatus};
use crate::run;
use crate::session::Env;
use std::time::Instant;

fn base_record(key: &CaseKey, fixture: String, line: usize) -> CaseRecord {
    CaseRecord {
        record_type: "case",
        key: key.clone(),
        suite: key.suite.clone(),
        case: key.case.clone(),
        revision: key.revision.clone(),
        pairing: key.pairing.clone(),
        fixture,
        line,
        tier: None,
        target: None,
        control: false,
        status: Status::Error,
        reason: None,
        expected_failure: None,
        duration_ms: 0,
        phases: Vec::new(),
    }
}

/// The record of a suite file that could not be parsed.
pub fn broken(b: &BrokenCase) -> CaseRecord {
    let first = b.errors.first().and_then(|e| e.location.clone());
    let fixture = first
        .as_ref()
        .map(|l| l.path.display().to_string())
        .unwrap_or_else(|| b.path.display().to_string());
    let line = first.and_then(|l| l.line).unwrap_or(1);
    let mut r = base_record(&b.key, fixture, line);
    r.reason = Some(b.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"));
    r
}

/// Plan and execute one variant.
pub fn execute(v: &Variant, env: &Env) -> CaseRecord {
    execute_decided(v, env, plan::plan(v, env))
}

/// Execute one variant whose plan decision was already made.
pub fn execute_decided(v: &Variant, env: &Env, decision: Decision) -> CaseRecord {
    let start = Instant::now();
    let mut rec = base_record(&v.key, v.spec.primary.display().to_string(), v.config.tier_line);
    rec.tier = Some(if v.host_control { crate::model::Tier::Run } else { v.config.tier });
    rec.target = Some(if v.host_control { crate::model::Target::Host } else { v.config.target });
    rec.control = v.host_control;
    let expected = match decision {
        Decision::Ignore { reason } => {
            rec.status = Status::Ignored;
            rec.reason = Some(reason);
            return rec;
        }
        Decision::Execute { expected_failure } => expected_failure,
    };
    rec.expected_failure = expected.clone();
    let timeout = v.config.timeout.unwrap_or(env.default_timeout);
    let deadline = Instant::now() + timeout;
    let cc = plan::c_compiler(env, v.config.target);
    let built = build::build(v, &env.toolchain, cc.as_ref(), &env.dirs.build(), deadline);
    let build_ok = built.phase.status == PhaseStatus::Passed;
    rec.phases.push(built.phase);
    if build_ok {
        if v.host_control {
            run_control(v, &built.artifacts, deadline, &mut rec);
        } else {
            inspect_and_check(v, &built.artifacts, &mut rec);
        }
    }
    conclude(&mut rec, expected, timeout);
    rec.duration_ms = start.elapsed().as_millis() as u64;
    rec
}

fn inspect_and_check(v: &Variant, artifacts: &[build::Artifact], rec: &mut CaseRecord) {
    let start = Instant::now();
    let mut inspect = PhaseRecord::new(PhaseName::Inspect);
    let mut errors = Vec::new();
    let mut findings = Vec::new();
    let mut check_ms = 0u128;
    for a in artifacts.iter().filter(|a| a.kind == ArtifactKind::Object) {
        let bytes = match inspect::read_file(&a.path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        match inspect::ObjectView::parse(&a.path.display().to_string(), &bytes) {
            Ok(view) => {
                inspect.objects.push(view.summary());
                let t = Instant::now();
                let opts = check::object::Options { target: a.target, sigs: v.config.sigs.clone() };
                findings.extend(check::object::verify(&view, &opts));
                check_ms += t.elapsed().as_millis();
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    let inspect = if errors.is_empty() {
        inspect.finish(PhaseStatus::Passed, start)
    } else {
        inspect.error(errors.join("\n"), start)
    };
    let ok = inspect.status == PhaseStatus::Passed;
    rec.phases.push(inspect);
    if !ok {
        return;
    }
    let mut check = PhaseRecord::new(PhaseName::Check);
    check.findings = findings;
    let status = if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
    let mut check = check.finish(status, Instant::now());
    check.duration_ms = check_ms as u64;
    rec.phases.push(check);
}

fn run_control(
    v: &Variant,
    artifacts: &[build::Artifact],
    deadline: Instant,
    rec: &mut CaseRecord,
) {
    let start = Instant::now();
    let mut phase = PhaseRecord::new(PhaseName::Run);
    let Some(exe) = artifacts.iter().find(|a| a.kind == ArtifactKind::Executable) else {
        rec.phases.push(phase.error("the build produced no executable".into(), start));
        return;
    };
    let out = run::run_host_control(&exe.path, deadline);
    let status = match out.exit {
        crate::process::Exit::Timeout { .. } => PhaseStatus::Timeout,
        crate::process::Exit::SpawnFailed { .. } => PhaseStatus::Error,
        _ => PhaseStatus::Passed,
    };
    let finding = check::exit_code(&out, v.config.exit_code);
    if status == PhaseStatus::Error {
        phase.message = Some(out.summary());
    }
    phase.commands.push(out);
    rec.phases.push(phase.finish(status, start));
    if status != PhaseStatus::Passed {
        return;
    }
    let start = Instant::now();
    let mut check = PhaseRecord::new(PhaseName::Check);
    check.findings.extend(finding);
    let status = if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
    rec.phases.push(check.finish(status, start));
}

/// Derive the case status from its phases and expectation.
fn conclude(rec: &mut CaseRecord, expected: Option<Expected>, timeout: std::time::Duration) {
    let worst = |s: PhaseStatus| rec.phases.iter().find(|p| p.status == s);
    if let Some(p) = worst(PhaseStatus::Timeout) {
        rec.status = Status::Timeout;
        rec.reason = Some(
            format!("{:?} phase exceeded the case timeout of {} s", p.name, timeout.as_secs())
                .to_lowercase(),
        );
        return;
    }
    if let Some(p) = worst(PhaseStatus::Error) {
        rec.status = Status::Error;
        rec.reason = p.message.clone();
        return;
    }
    let failure = rec.phases.iter().find(|p| p.status == PhaseStatus::Failed).map(|p| {
        if p.findings.is_empty() {
            p.message.clone().unwrap_or_else(|| format!("{:?} failed", p.name))
        } else {
            p.findings
                .iter()
                .map(|f| format!("[{}] {}", f.rule, f.message))
                .collect::<Vec<_>>()
                .join("\n")
        }
    });
    (rec.status, rec.reason) = match (failure, expected) {
        (None, None) => (Status::Passed, None),
        (None, Some(e)) => {
            (Status::Fixed, Some(format!("passed, but the case expects a failure ({})", e.reason)))
        }
        (Some(why), None) => (Status::Failed, Some(why)),
        (Some(why), Some(e)) => (Status::ExpectedFailure, Some(format!("{} — {why}", e.reason))),
    };
}
