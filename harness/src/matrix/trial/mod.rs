//! One pairing's trial: generate and build (one image, however many functions), inspect
//! the objects, check every edge statically, run where code can run (host controls here;
//! Arm64EC images on a Windows on ARM64 host) and compare the values, then judge each
//! function against `expectations.toml` ([`judge`]).

use super::edges;
use super::expect::Phase;
use super::protocol::{self, RunVerdict};
use super::steps::{self, Tools};
use super::suite::MatrixCase;
pub use super::summary::{Edge, Failure, RunOutcome, Summary};
use super::{FnSpec, select};
use crate::check;
use crate::compile::{self, ArtifactKind, CCompiler};
use crate::env::Env;
use crate::model::{Status, Target, Tier};
use crate::pipeline;
use crate::plan::{self, Decision};
use crate::report::{CaseRecord, PhaseName, PhaseRecord, PhaseStatus};
use std::collections::BTreeMap;
use std::time::Instant;

mod judge;

/// What each function came to before judging: every phase it failed at with the problems
/// there, its edge, and which phases judged it at all.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub failed: BTreeMap<Phase, Vec<String>>,
    pub edge: Option<Edge>,
    /// Its edge was checked statically (there were thunks to check).
    pub check_judged: bool,
    /// Its values were compared at run time.
    pub run_checked: bool,
}

impl Outcome {
    /// Whether `phase` judged this function (passed or failed): build and link always do,
    /// check where its edge had thunks to check, run where its values were compared.
    pub fn judged(&self, phase: Phase) -> bool {
        match phase {
            Phase::Build | Phase::Link => true,
            Phase::Check => self.check_judged,
            Phase::Run => self.run_checked,
        }
    }
}

fn c_has_i128(env: &Env) -> bool {
    !matches!(plan::c_compiler(env, Target::Arm64ec), Some(CCompiler::Msvc(_)))
}

/// The tools this machine offers the matrix, and the Arm64EC C compiler they borrow.
pub fn tools(env: &Env) -> (Tools<'_>, Option<CCompiler>) {
    let c_ec = plan::c_compiler(env, Target::Arm64ec);
    let host_cc = env.clang.found().map(|c| c.path.clone()).or_else(|| crate::process::which("cc"));
    let t = Tools {
        linker: env.linker.found(),
        clang: env.clang.found(),
        c_ec: None,
        clang_cl: env.clang_cl.found(),
        host_cc,
        support_dir: crate::paths::workspace_root().join("fixtures/support"),
    };
    (t, c_ec)
}

/// Whether the pairing can be built here, and if not why.
pub fn plan(case: &MatrixCase, env: &Env) -> Decision {
    let (mut t, c_ec) = tools(env);
    t.c_ec = c_ec.as_ref();
    match t.missing(&case.pairing) {
        Some(why) => Decision::Ignore { reason: why },
        None => Decision::Execute { expected_failure: None },
    }
}

/// A trial in progress.
pub struct Trial<'a> {
    pub case: &'a MatrixCase,
    pub env: &'a Env,
    pub fns: Vec<&'a FnSpec>,
    pub deadline: Instant,
    pub rec: CaseRecord,
    pub summary: Summary,
    pub outcomes: Vec<Outcome>,
}

pub fn execute(case: &MatrixCase, env: &Env, decision: Decision) -> CaseRecord {
    let start = Instant::now();
    let p = case.pairing;
    let control = p.is_control();
    let mut rec = crate::pipeline::base_record(&case.key, case.config.display().to_string(), 1);
    rec.tier = Some(if control { Tier::Run } else { Tier::Link });
    rec.target = Some(if control { Target::Host } else { Target::Arm64ec });
    rec.control = control;
    if let Decision::Ignore { reason } = decision {
        rec.status = Status::Ignored;
        rec.reason = Some(reason);
        return rec;
    }
    let (mut tools, c_ec) = tools(env);
    tools.c_ec = c_ec.as_ref();
    let (fns, skipped) = select(&p, &case.functions, c_has_i128(env));
    let summary = Summary {
        pairing: p.name(),
        caller: p.caller.to_string(),
        callee: p.callee.to_string(),
        functions: fns.len(),
        skipped,
        ..Summary::default()
    };
    let outcomes = vec![Outcome::default(); fns.len()];
    let deadline = Instant::now() + case.timeout;
    let mut t = Trial { case, env, fns, deadline, rec, summary, outcomes };
    let plan = steps::plan(&p, &t.fns, &env.toolchain, &tools);
    let built = compile::run_steps(&env.toolchain, &plan, &env.dirs.build(), deadline, start);
    let ok = built.phase.status == PhaseStatus::Passed;
    let linking =
        built.phase.commands.last().is_some_and(|c| c.argv.iter().any(|a| a.contains("link=")));
    let message = built.phase.message.clone().unwrap_or_default();
    t.rec.phases.push(built.phase);
    if !ok {
        let phase = if linking { Phase::Link } else { Phase::Build };
        let why = format!("the pairing did not build: {}", message.lines().next().unwrap_or(""));
        for o in &mut t.outcomes {
            *o = Outcome {
                failed: BTreeMap::from([(phase, vec![why.clone()])]),
                ..Outcome::default()
            };
        }
        t.summary.run = RunOutcome::not_run("the build failed");
    } else if control {
        // Host objects are not COFF and have no thunks: the control proves the generator
        // and the protocol by running.
        t.run(&built.artifacts);
    } else if t.inspect_and_check(&built.artifacts) {
        t.run(&built.artifacts);
    }
    let mut rec = judge::judge(t, &tools);
    rec.duration_ms = start.elapsed().as_millis() as u64;
    rec
}

impl Trial<'_> {
    /// The inspect and check phases; false when the objects could not be read.
    fn inspect_and_check(&mut self, artifacts: &[compile::Artifact]) -> bool {
        let p = self.case.pairing;
        let objects = pipeline::load_objects(artifacts, |a| !a.path.ends_with(steps::SUPPORT_OBJ));
        let (inspect, views) = objects.inspect();
        self.rec.phases.push(inspect);
        let Some(views) = views else { return false };
        let start = Instant::now();
        let mut check = PhaseRecord::new(PhaseName::Check);
        let view = |side: super::Side| {
            let object = steps::object_of(&p, side);
            views.iter().find(|(a, _)| a.path.ends_with(object)).map(|(_, v)| v)
        };
        let (caller, callee) = (view(p.caller), view(p.callee));
        let mut sigs: BTreeMap<String, crate::abi::Signature> =
            self.fns.iter().map(|f| (f.name.clone(), f.signature())).collect();
        for (name, sig) in
            [("abi_rec", "fn(u32, ptr, u32)"), ("abi_run", "fn(u32)"), ("abi_start", "fn() -> u32")]
        {
            if let Ok(s) = crate::abi::Signature::parse(sig) {
                sigs.insert(name.into(), s);
            }
        }
        let mut findings = Vec::new();
        for (name, verdict) in pipeline::verify_objects(&views, &sigs) {
            check.coverage.merge(verdict.coverage);
            findings.push((name, verdict.findings));
        }
        let (edges, unclaimed) = edges::check(&p, &self.fns, caller, callee, &findings);
        // Between two x64 sides there is no thunk to check: the run is the check.
        self.summary.static_checked = if p.has_ec_side() { edges.len() } else { 0 };
        for (o, mut e) in self.outcomes.iter_mut().zip(edges) {
            o.check_judged = p.has_ec_side();
            if !e.problems.is_empty() {
                o.failed.insert(Phase::Check, std::mem::take(&mut e.problems));
            }
            o.edge = Some(e);
        }
        self.summary.general.extend(unclaimed.iter().map(|f| f.to_string()));
        check.findings.extend(unclaimed);
        let entries = pipeline::entry_thunks(&views);
        let images = pipeline::verify_images(artifacts, check::image::Expect::Arm64ec, &entries);
        check.images = images.facts;
        check.coverage.merge(images.coverage);
        self.summary.general.extend(images.findings.iter().map(|f| f.to_string()));
        check.findings.extend(images.findings);
        let failed = self.outcomes.iter().filter(|o| o.failed.contains_key(&Phase::Check)).count();
        check.message = Some(format!(
            "{} edge(s) checked, {failed} with problems, {} general finding(s)",
            self.summary.static_checked,
            self.summary.general.len()
        ));
        let status =
            if check.findings.is_empty() { PhaseStatus::Passed } else { PhaseStatus::Failed };
        self.rec.phases.push(check.finish(status, start));
        true
    }

    /// The run phase, where the image can run: compare every value of the transcript.
    /// Host controls run directly; an Arm64EC image runs as a program on a process runner,
    /// or function by function on the emulated runner.
    fn run(&mut self, artifacts: &[compile::Artifact]) {
        let p = self.case.pairing;
        let exe = artifacts
            .iter()
            .find(|a| matches!(a.kind, ArtifactKind::Executable | ArtifactKind::Image));
        let Some(exe) = exe else { return };
        let runner = &self.env.runner;
        let emulated = !p.is_control() && matches!(runner, crate::run::Runner::Emulated { .. });
        let map = artifacts.iter().find(|a| a.kind == ArtifactKind::Map);
        let emulator = if emulated {
            match (self.env.emulator(), map) {
                (Ok(bin), Some(map)) => Some((bin, map)),
                (Err(e), _) => {
                    self.summary.run =
                        RunOutcome::not_run(format!("the emulated runner is unusable: {e}"));
                    return;
                }
                (_, None) => {
                    self.summary.run =
                        RunOutcome::not_run("the emulated runner needs the linker map");
                    return;
                }
            }
        } else {
            None
        };
        if !p.is_control()
            && !emulated
            && let Some(why) = runner.program_gap()
        {
            self.summary.run = RunOutcome::not_run(why);
            return;
        }
        self.summary.runner = if p.is_control() { "host".into() } else { runner.kind().into() };
        let start = Instant::now();
        let mut phase = PhaseRecord::new(PhaseName::Run);
        let (out, stdout) = if p.is_control() {
            crate::run::run_host_control(&exe.path, self.deadline)
        } else if let Some((bin, map)) = emulator {
            let cmd =
                crate::run::emulated::matrix_command(bin, &exe.path, &map.path, &p, self.fns.len());
            crate::process::run_capture(&cmd, self.deadline)
        } else {
            self.env.runner.run(&exe.path, &[], &[], self.deadline)
        };
        let transcript = protocol::parse(&String::from_utf8_lossy(&stdout));
        let verdicts = protocol::compare(&self.fns, &transcript);
        self.summary.run = RunOutcome::Performed;
        for ((o, v), f) in self.outcomes.iter_mut().zip(&verdicts).zip(&self.fns) {
            o.run_checked = !matches!(v, RunVerdict::NotReached | RunVerdict::NotEmulated { .. });
            match v {
                RunVerdict::Passed => self.summary.run_checked += 1,
                RunVerdict::NotReached => self.summary.not_reached += 1,
                RunVerdict::NotEmulated { why } => {
                    if self.summary.not_emulated.len() < 20 {
                        self.summary.not_emulated.push(format!("{}: {why}", f.name));
                    }
                    self.summary.not_emulated_count += 1;
                }
                other => {
                    self.summary.run_checked += 1;
                    o.failed.entry(Phase::Run).or_default().extend(describe_run(other));
                }
            }
        }
        let mut problems = Vec::new();
        if !transcript.done && !verdicts.iter().any(|v| matches!(v, RunVerdict::Crashed { .. })) {
            let said = out.stderr.lines().rev().find(|l| !l.trim().is_empty());
            let said = said.map(|l| format!(": {}", l.trim())).unwrap_or_default();
            problems.push(format!("the run ended without `done` ({}){said}", out.summary()));
        }
        if transcript.pairing.as_deref() != Some(p.name().as_str()) {
            problems.push(format!(
                "the program says it is pairing {:?}, not {}",
                transcript.pairing,
                p.name()
            ));
        }
        if let Some((line, text)) = transcript.stray.first() {
            problems.push(format!(
                "{} line(s) outside the protocol, first at line {line}: {text}",
                transcript.stray.len()
            ));
        }
        self.summary.general.extend(problems.iter().cloned());
        let status = match out.exit {
            crate::process::Exit::Timeout { .. } => PhaseStatus::Timeout,
            crate::process::Exit::SpawnFailed { .. } => PhaseStatus::Error,
            _ if problems.is_empty() => PhaseStatus::Passed,
            _ => PhaseStatus::Failed,
        };
        phase.message = Some(if problems.is_empty() {
            format!("{} function(s) compared", self.summary.run_checked)
        } else {
            problems.join("\n")
        });
        phase.commands.push(out);
        self.rec.phases.push(phase.finish(status, start));
    }
}

fn describe_run(v: &RunVerdict) -> Vec<String> {
    match v {
        RunVerdict::Mismatched { mismatches } => mismatches
            .iter()
            .map(|m| {
                let moved = if m.moved.is_empty() {
                    String::new()
                } else {
                    format!(": {}", m.moved.join("; "))
                };
                format!("{} arrived as {}, sent as {}{moved}", m.value, m.received, m.sent)
            })
            .collect(),
        RunVerdict::Crashed { last } => {
            vec![format!("the program stopped during this call, {last}")]
        }
        RunVerdict::Incomplete { missing } => missing.clone(),
        RunVerdict::Passed | RunVerdict::NotReached | RunVerdict::NotEmulated { .. } => vec![],
    }
}
