//! The run and check phases of a run-tier trial: execute what the build produced — an
//! Arm64EC image on the configured runner, a host control directly, a Wine control under
//! Wine — then check how it ended (`run-pass`, `run-fail`, `exit-code`) and, with
//! `check-run-output`, what it printed against the expectation files (`--bless` writes them).

use super::output;
use crate::check::{self, Finding};
use crate::compile::{Artifact, ArtifactKind};
use crate::discover::Variant;
use crate::env::Env;
use crate::process::{CmdRecord, Exit};
use crate::report::{CaseRecord, PhaseName, PhaseRecord, PhaseStatus};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Run the built program of `v` and check the run; phases go into `rec`.
pub fn run_and_check(
    v: &Variant,
    env: &Env,
    artifacts: &[Artifact],
    deadline: Instant,
    rec: &mut CaseRecord,
) {
    let start = Instant::now();
    let mut phase = PhaseRecord::new(PhaseName::Run);
    let exe = artifacts.iter().find(|a| {
        a.kind == ArtifactKind::Executable
            || (a.kind == ArtifactKind::Image && a.path.extension().is_some_and(|e| e == "exe"))
    });
    let Some(exe) = exe else {
        rec.phases.push(phase.error("the build produced no executable".into(), start));
        return;
    };
    let (out, _) = match v.control() {
        Some(crate::discover::Control::Host) => super::run_host_control(&exe.path, deadline),
        Some(_) => match env.wine_support() {
            Ok((tools, support)) => tools.run(support, &exe.path, deadline),
            Err(e) => {
                rec.phases.push(phase.error(e.to_string(), start));
                return;
            }
        },
        None => {
            let dlls: Vec<PathBuf> = artifacts
                .iter()
                .filter(|a| {
                    a.kind == ArtifactKind::Image && a.path.extension().is_some_and(|e| e == "dll")
                })
                .map(|a| a.path.clone())
                .collect();
            env.runner.run(&exe.path, &dlls, &[], deadline)
        }
    };
    let status = match out.exit {
        Exit::Timeout { .. } => PhaseStatus::Timeout,
        Exit::SpawnFailed { .. } => PhaseStatus::Error,
        _ => PhaseStatus::Passed,
    };
    if status == PhaseStatus::Error {
        phase.message = Some(out.summary());
    }
    let findings = check_run(v, env, &exe.path, &out);
    phase.commands.push(out);
    rec.phases.push(phase.finish(status, start));
    if status != PhaseStatus::Passed {
        return;
    }
    let start = Instant::now();
    let mut check = PhaseRecord::new(PhaseName::Check);
    check.findings = findings;
    let status = if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
    rec.phases.push(check.finish(status, start));
}

/// How the run ended, and what it printed when the case compares output.
fn check_run(v: &Variant, env: &Env, exe: &Path, out: &CmdRecord) -> Vec<Finding> {
    let mut findings: Vec<Finding> = check::exit_code(out, v.config.exit).into_iter().collect();
    if !v.config.check_run_output {
        return findings;
    }
    let build_dir = exe.parent().unwrap_or(Path::new(""));
    let case_dir = v.spec.primary.parent().unwrap_or(Path::new(""));
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let actual = output::normalize(text, build_dir, case_dir);
        if env.bless {
            if let Err(e) =
                output::bless(&v.spec.primary, v.control().map(|c| c.name()), stream, &actual)
            {
                let f = format!(
                    "cannot bless the {stream} expectation of {}: {e}",
                    v.spec.primary.display()
                );
                findings.push(Finding::new("run.output", f));
            }
        } else {
            let path =
                output::expected_file(&v.spec.primary, v.control().map(|c| c.name()), stream);
            findings.extend(output::compare(&path, stream, &actual));
        }
    }
    findings
}
