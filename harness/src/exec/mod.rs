//! Execute one planned trial through its phases: build → inspect → check for static cases,
//! build → run → check for host controls. Produces the case's report record; never panics
//! on bad input, every failure is a status with its reason.

use crate::check;
use crate::compile;
use crate::discover::{BrokenCase, Variant};
use crate::env::Env;
use crate::inspect;
use crate::model::Status;
use crate::pipeline::{self, base_record};
use crate::plan::{self, Decision};
use crate::report::{CaseRecord, PhaseName, PhaseRecord, PhaseStatus};
use crate::run;
use std::time::Instant;

mod conclude;
use conclude::conclude;

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
    rec.tier = Some(if v.control().is_some() { crate::model::Tier::Run } else { v.config.tier });
    rec.target = Some(match v.control() {
        Some(crate::discover::Control::Host) => crate::model::Target::Host,
        Some(_) => crate::model::Target::X64,
        None => v.config.target,
    });
    rec.control = v.control().is_some();
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
    // Run-tier cases for their own target are linked like link-tier ones (an EXE).
    let linking = v.control().is_none()
        && matches!(v.config.tier, crate::model::Tier::Link | crate::model::Tier::Run);
    let msvc_link =
        env.msvc.found().filter(|_| v.config.needs.contains(&crate::discover::Need::Msvc));
    let link_tools = linking.then(|| compile::LinkTools {
        linker: env.linker.found(),
        clang: env.clang.found(),
        cc: cc.as_ref(),
        support_dir: crate::paths::workspace_root().join("fixtures/support"),
        msvc: msvc_link.map(|m| m.link.clone()),
        clang_cl: env.clang_cl.found(),
    });
    if v.is_wine_control()
        && let Err(e) = env.wine_support()
    {
        rec.status = Status::Error;
        rec.reason = Some(format!("the Wine control cannot be prepared: {e}"));
        return rec;
    }
    let mingw = env.wine.found().map(|w| w.mingw.as_path());
    let built = compile::build(
        v,
        &env.toolchain,
        cc.as_ref(),
        link_tools.as_ref(),
        mingw,
        &env.dirs.build(),
        deadline,
    );
    let mut build_phase = built.phase;
    if v.config.build_fail && v.control().is_none() {
        let check = expect_build_failure(v, &mut build_phase);
        rec.phases.push(build_phase);
        rec.phases.extend(check);
    } else {
        let build_ok = build_phase.status == PhaseStatus::Passed;
        let diag_findings =
            if build_ok { annotated_diagnostics(v, &build_phase) } else { Vec::new() };
        rec.phases.push(build_phase);
        if build_ok {
            if v.control().is_some() {
                run::phase::run_and_check(v, env, &built.artifacts, deadline, &mut rec);
            } else if v.config.tier == crate::model::Tier::Run {
                inspect_and_check(v, &built.artifacts, diag_findings, &mut rec);
                let checked_ok = rec.phases.iter().all(|p| p.status == PhaseStatus::Passed);
                if checked_ok {
                    run::phase::run_and_check(v, env, &built.artifacts, deadline, &mut rec);
                }
            } else {
                inspect_and_check(v, &built.artifacts, diag_findings, &mut rec);
            }
        }
    }
    conclude(&mut rec, expected, &v.config.expect_findings, timeout);
    rec.duration_ms = start.elapsed().as_millis() as u64;
    rec
}

/// The diagnostics a build printed, from every command's JSON stderr.
fn diagnostics_of(phase: &PhaseRecord) -> Vec<check::diagnostics::Diagnostic> {
    phase.commands.iter().flat_map(|c| check::diagnostics::parse_rustc_json(&c.stderr)).collect()
}

fn fixture_name(v: &Variant) -> String {
    v.spec.primary.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `//~ WARN` (and other) annotations of a case whose build succeeded.
fn annotated_diagnostics(v: &Variant, phase: &PhaseRecord) -> Vec<check::Finding> {
    if v.spec.annotations.is_empty() || v.control().is_some() {
        return Vec::new();
    }
    check::diagnostics::check(&v.spec.annotations, &diagnostics_of(phase), &fixture_name(v))
}

/// A `build-fail` case: the build must fail with exactly the annotated errors. A build that
/// failed as expected is a passed build phase; the check phase holds the comparison.
fn expect_build_failure(v: &Variant, build: &mut PhaseRecord) -> Option<PhaseRecord> {
    let start = Instant::now();
    let mut check = PhaseRecord::new(PhaseName::Check);
    match build.status {
        PhaseStatus::Passed => check.findings.push(
            check::Finding::new(
                "build.unexpected-success",
                "the build succeeded; the case expects it to fail".into(),
            )
            .in_file(&fixture_name(v)),
        ),
        PhaseStatus::Failed => {
            let crashed =
                build.commands.iter().any(|c| c.exit == crate::process::Exit::Code { code: 101 });
            if crashed {
                check.findings.push(
                    check::Finding::new(
                        "build.ice",
                        "the compiler crashed (exit code 101) instead of reporting errors".into(),
                    )
                    .in_file(&fixture_name(v)),
                );
            }
            check.findings.extend(check::diagnostics::check(
                &v.spec.annotations,
                &diagnostics_of(build),
                &fixture_name(v),
            ));
            build.status = PhaseStatus::Passed;
            build.message = Some("failed as the case expects".into());
        }
        PhaseStatus::Timeout | PhaseStatus::Error => return None,
    }
    let status = if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
    Some(check.finish(status, start))
}

fn inspect_and_check(
    v: &Variant,
    artifacts: &[compile::Artifact],
    diag_findings: Vec<check::Finding>,
    rec: &mut CaseRecord,
) {
    let objects = pipeline::load_objects(artifacts, |_| true);
    let (inspect, views) = objects.inspect();
    rec.phases.push(inspect);
    let Some(views) = views else { return };
    let start = Instant::now();
    let mut check = PhaseRecord::new(PhaseName::Check);
    check.findings = diag_findings;
    if let Some(unnamed) = signatures_naming_nothing(v, &views) {
        rec.phases.push(check.error(unnamed, start));
        return;
    }
    for (_, verdict) in pipeline::verify_objects(&views, &v.config.sigs) {
        check.findings.extend(verdict.findings);
        check.coverage.merge(verdict.coverage);
    }
    let producers: Vec<(String, &inspect::ObjectView)> =
        views.iter().map(|(a, view)| (a.producer.to_string(), view)).collect();
    check.findings.extend(check::producers::compare(&producers, &v.config.sigs));
    let entries = pipeline::entry_thunks(&views);
    let images = pipeline::verify_images(artifacts, image_expect(v), &entries);
    check.images = images.facts;
    check.findings.extend(images.findings);
    check.coverage.merge(images.coverage);
    let status = if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
    rec.phases.push(check.finish(status, start));
}

/// `sig:` directives whose function no object defines or references: a misspelled name
/// would switch its checks off, so each is an error of the case at its line.
fn signatures_naming_nothing(v: &Variant, views: &pipeline::Views) -> Option<String> {
    let named = |name: &str| {
        views.iter().any(|(_, view)| {
            view.coff.symbols.iter().any(|s| {
                inspect::roles::plain_name(&s.name).as_deref().unwrap_or(&s.name) == name
                    || s.name.strip_prefix("__imp_") == Some(name)
            })
        })
    };
    let lines: Vec<String> = v
        .config
        .sigs
        .keys()
        .filter(|n| !named(n))
        .map(|n| {
            let line = v.config.sig_lines.get(n).copied().unwrap_or(1);
            format!(
                "{}:{line}: `sig: {n} = …` names no function the case's objects define or reference (misspelled?): its checks would not run",
                v.spec.primary.display()
            )
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// What a case's linked image must be, by the machine it is linked for.
fn image_expect(v: &Variant) -> check::image::Expect {
    use check::image::Expect;
    use compile::link::Machine;
    match compile::link::machine(v) {
        Machine::Arm64x => Expect::Arm64x,
        Machine::X64 => Expect::X64,
        Machine::Arm64 => Expect::Arm64,
        Machine::Arm64ec => Expect::Arm64ec,
    }
}
