//! Build stage: run a case's compiler steps inside a content-addressed directory under
//! `target/harness/build/`, so an unchanged case does no compiler work on re-run and
//! concurrent trials never write into each other's outputs.

pub mod diagnose;
pub mod link;
pub mod recipe;

pub use link::LinkTools;
pub use recipe::{ArtifactKind, CCompiler, Producer, Step};

use crate::discover::Variant;
use crate::error::Error;
use crate::model::Target;
use crate::paths;
use crate::process::{self, CmdRecord, Exit};
use crate::report::{PhaseName, PhaseRecord, PhaseStatus};
use crate::toolchain::Toolchain;
use crate::toolchain::probe_cache::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Bumped whenever the recipes change in a way the argv does not show.
const RECIPE_VERSION: &str = "3";

/// A file the build produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Artifact {
    pub path: PathBuf,
    pub kind: ArtifactKind,
    pub target: Target,
    pub source: PathBuf,
    /// The tool that made it, as the step that made it recorded.
    pub producer: Producer,
}

/// One file a build published: its name in the build directory and what made it.
#[derive(Clone, Serialize, Deserialize)]
struct Output {
    file: String,
    kind: ArtifactKind,
    target: Target,
    source: PathBuf,
    producer: Producer,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    commands: Vec<CmdRecord>,
    outputs: Vec<Output>,
}

pub struct BuildOutput {
    pub phase: PhaseRecord,
    pub artifacts: Vec<Artifact>,
}

/// What to build: the steps, files written into the build directory first (generated
/// sources), every input file the steps read, and the identities of the tools beyond the
/// toolchain (C compiler, linker). All of it goes into the cache key.
pub struct StepPlan {
    pub steps: Vec<Step>,
    pub files: Vec<(String, Vec<u8>)>,
    pub inputs: Vec<PathBuf>,
    pub identity: String,
}

/// The cache key: recipe version, every argv, the tool identities and every input byte.
fn cache_key(tc: &Toolchain, plan: &StepPlan) -> Result<String, Error> {
    let (steps, files, cc_identity) = (&plan.steps, &plan.files, &plan.identity);
    let mut h = Sha256::new();
    let mut put = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    put(RECIPE_VERSION.as_bytes());
    put(tc.info.release.as_bytes());
    put(tc.info.commit_hash.as_deref().unwrap_or("").as_bytes());
    put(tc.info.llvm_version.as_deref().unwrap_or("").as_bytes());
    put(tc.info.host.as_bytes());
    put(tc.info.sysroot.to_string_lossy().as_bytes());
    put(cc_identity.as_bytes());
    for s in steps {
        for a in s.cmd.argv_strings() {
            put(a.as_bytes());
        }
        put(s.output.as_bytes());
    }
    for (name, bytes) in files {
        put(name.as_bytes());
        put(bytes);
    }
    for file in &plan.inputs {
        let bytes = std::fs::read(file).map_err(|e| Error::io(file, "read the fixture", &e))?;
        put(file.to_string_lossy().as_bytes());
        put(&bytes);
    }
    Ok(hex(&h.finalize()[..16]))
}

/// Every file that can influence the build: the fixture, or all files of a directory case.
fn input_files(v: &Variant) -> Vec<PathBuf> {
    let p = &v.spec.path;
    if p.is_dir() { crate::paths::files_under(p) } else { vec![p.clone()] }
}

/// Build `v`, or reuse the cached outputs of an identical earlier build. `link` is given
/// for cases that link an image.
#[allow(clippy::too_many_arguments)]
pub fn build(
    v: &Variant,
    tc: &Toolchain,
    cc: Option<&CCompiler>,
    link: Option<&LinkTools>,
    mingw: Option<&Path>,
    build_root: &Path,
    deadline: Instant,
) -> BuildOutput {
    let start = Instant::now();
    let (steps, files, extra_inputs) = match link {
        _ if v.is_wine_control() => (recipe::wine_steps(v, tc, mingw), vec![], vec![]),
        Some(t) => {
            let support = link::SUPPORT_FILES.iter().map(|f| t.support_dir.join(f)).collect();
            (link::steps(v, tc, t), link::files(), support)
        }
        None => (recipe::steps(v, tc, cc), vec![], vec![]),
    };
    let linker_identity = link
        .and_then(|t| t.linker)
        .map(|l| format!("{} {}", l.path.display(), l.version))
        .unwrap_or_default();
    let mingw_identity = mingw.map(|m| format!("mingw {};", m.display())).unwrap_or_default();
    let cc_identity = linker_identity
        + &mingw_identity
        + &match cc {
            Some(CCompiler::ClangCl(t)) => format!("clang-cl {} {}", t.path.display(), t.version),
            Some(CCompiler::Msvc(m)) => format!("msvc {} {}", m.cl.display(), m.sdk_version),
            None => String::new(),
        };
    let mut inputs = input_files(v);
    inputs.extend(extra_inputs);
    let plan = StepPlan { steps, files, inputs, identity: cc_identity };
    run_steps(tc, &plan, build_root, deadline, start)
}

/// Run a plan's steps in a fresh directory and publish it under its cache key, or reuse
/// the outputs an identical earlier plan published.
pub fn run_steps(
    tc: &Toolchain,
    plan: &StepPlan,
    build_root: &Path,
    deadline: Instant,
    start: Instant,
) -> BuildOutput {
    let mut phase = PhaseRecord::new(PhaseName::Build);
    let failed = |phase: PhaseRecord, why: String| BuildOutput {
        phase: phase.error(why, start),
        artifacts: vec![],
    };
    let key = match cache_key(tc, plan) {
        Ok(k) => k,
        Err(e) => return failed(phase, e.to_string()),
    };
    let dir = build_root.join(&key);
    phase.dir = Some(dir.display().to_string());
    phase.generated = plan.files.iter().map(|(rel, _)| rel.clone()).collect();
    if let Some(m) = read_manifest(&dir) {
        phase.cached = true;
        phase.commands = m.commands;
        let artifacts = artifacts_of(&dir, &m.outputs);
        return BuildOutput { phase: phase.finish(PhaseStatus::Passed, start), artifacts };
    }
    let tmp = build_root.join(format!("{key}.tmp-{}-{}", std::process::id(), paths::unique()));
    if let Err(e) = prepare(&tmp, &plan.files) {
        return failed(phase, Error::io(&tmp, "create the build directory", &e).to_string());
    }
    for step in &plan.steps {
        if let Some(status) = run_step(step, &tmp, &dir, deadline, &mut phase) {
            keep_failed(&tmp, &build_root.join(format!("{key}.failed")), &mut phase);
            return BuildOutput { phase: phase.finish(status, start), artifacts: vec![] };
        }
    }
    let outputs = outputs_of(&plan.steps);
    let manifest = Manifest { commands: phase.commands.clone(), outputs: outputs.clone() };
    if let Err(e) = publish(&tmp, &dir, &manifest) {
        return failed(phase, e.to_string());
    }
    let _ = std::fs::remove_dir_all(build_root.join(format!("{key}.failed")));
    let artifacts = artifacts_of(&dir, &outputs);
    BuildOutput { phase: phase.finish(PhaseStatus::Passed, start), artifacts }
}

/// A fresh build directory with the plan's generated files in it.
fn prepare(tmp: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    std::fs::create_dir_all(tmp)?;
    for (rel, bytes) in files {
        let p = tmp.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(p, bytes)?;
    }
    Ok(())
}

/// Run one step in `tmp`, recording its command with `dir` (where the outputs end up) as
/// its directory; `Some(status)` when it failed, timed out or left no output.
fn run_step(
    step: &Step,
    tmp: &Path,
    dir: &Path,
    deadline: Instant,
    phase: &mut PhaseRecord,
) -> Option<PhaseStatus> {
    let mut rec = process::run(&step.cmd.clone().cwd(tmp), deadline);
    rec.cwd = Some(dir.display().to_string());
    let exit = rec.exit.clone();
    let summary = failure_summary(&rec, phase);
    phase.commands.push(rec);
    let left_outputs =
        tmp.join(&step.output).is_file() && step.also.iter().all(|(f, _)| tmp.join(f).is_file());
    let status = match exit {
        Exit::Code { code: 0 } if left_outputs => return None,
        Exit::Code { code: 0 } => {
            let tool = step.cmd.argv_strings()[0].clone();
            phase.message = Some(format!("{tool} succeeded but left no {}", step.output));
            PhaseStatus::Error
        }
        Exit::Timeout { .. } => PhaseStatus::Timeout,
        Exit::SpawnFailed { .. } => PhaseStatus::Error,
        _ => PhaseStatus::Failed,
    };
    phase.message.get_or_insert(summary);
    Some(status)
}

/// Every file the steps leave, with what made it.
fn outputs_of(steps: &[Step]) -> Vec<Output> {
    steps
        .iter()
        .flat_map(|s| {
            let out = |file: &String, kind: ArtifactKind| Output {
                file: file.clone(),
                kind,
                target: s.target,
                source: s.source.clone(),
                producer: s.producer.clone(),
            };
            std::iter::once(out(&s.output, s.kind))
                .chain(s.also.iter().map(move |(f, k)| out(f, *k)))
        })
        .collect()
}

/// Write the manifest and move the build directory into place atomically; if another
/// process won the race, its identical outputs are used.
fn publish(tmp: &Path, dir: &Path, manifest: &Manifest) -> Result<(), Error> {
    let written = serde_json::to_vec_pretty(manifest)
        .map_err(std::io::Error::other)
        .and_then(|b| std::fs::write(tmp.join("manifest.json"), b));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(tmp);
        return Err(Error::io(tmp, "write the build manifest", &e));
    }
    if std::fs::rename(tmp, dir).is_err() {
        let _ = std::fs::remove_dir_all(tmp);
        if read_manifest(dir).is_none() {
            return Err(Error::at_file(dir, "cannot publish the build outputs here"));
        }
    }
    Ok(())
}

/// A failed build's directory stays as `<key>.failed` (the last failure of that key), so
/// its generated sources can go into a repro bundle; the phase and its commands name it.
fn keep_failed(tmp: &Path, failed: &Path, phase: &mut PhaseRecord) {
    let _ = std::fs::remove_dir_all(failed);
    if std::fs::rename(tmp, failed).is_err() {
        let _ = std::fs::remove_dir_all(tmp);
        return;
    }
    let shown = failed.display().to_string();
    for c in &mut phase.commands {
        c.cwd = Some(shown.clone());
    }
    phase.dir = Some(shown);
}

/// Why a step failed: its first error and the lines printed for it, then how it ended;
/// without a recognizable error, how it ended and the end of its output.
fn failure_summary(rec: &CmdRecord, phase: &mut PhaseRecord) -> String {
    if matches!(rec.exit, Exit::Code { code } if code != 0) {
        let found =
            diagnose::first_error(&rec.stderr).or_else(|| diagnose::first_error(&rec.stdout));
        if let Some(f) = found {
            phase.first_error = Some(f.error);
            return format!(
                "{}\n{} (its whole output is in the report)",
                f.block.join("\n"),
                rec.summary()
            );
        }
    }
    format!("{}\n{}", rec.summary(), rec.tail(20))
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
    m.outputs.iter().all(|o| dir.join(&o.file).is_file()).then_some(m)
}

fn artifacts_of(dir: &Path, outputs: &[Output]) -> Vec<Artifact> {
    outputs
        .iter()
        .map(|o| Artifact {
            path: dir.join(&o.file),
            kind: o.kind,
            target: o.target,
            source: o.source.clone(),
            producer: o.producer.clone(),
        })
        .collect()
}
