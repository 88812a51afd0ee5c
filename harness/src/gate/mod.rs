//! The toolchain-bump gate: did anything Arm64EC get worse between a baseline and a
//! candidate? Each side is a toolchain (run here) or an existing report ([`load`]); the
//! comparison ([`compare`]) of their findings and facts ([`facts`]) writes
//! `regressions.json`. [`bisect`] walks the releases
//! between two toolchains to the first one where cases change; [`merge`] joins the reports
//! of sharded runs; [`status`] files a case whose status changed; [`coverage`] finds a
//! candidate that judges less.

pub mod bisect;
pub mod compare;
pub mod coverage;
pub mod facts;
pub mod load;
pub mod merge;
pub mod status;

use crate::discover::Discovered;
use crate::error::{Error, Result};
use crate::model::Tier;
use crate::paths::Dirs;
use crate::session::{Session, SessionOptions};
use crate::toolchain::Request;
use std::path::{Path, PathBuf};

/// One side of a gate.
#[derive(Clone, Debug, PartialEq)]
pub enum Side {
    Toolchain(Request),
    Report(PathBuf),
}

impl Side {
    /// A path to an existing `.json` / `.jsonl` file is a report; anything else names a
    /// toolchain (rustup name or rustc path).
    pub fn parse(s: &str) -> Side {
        let p = Path::new(s);
        let report_ext = p.extension().is_some_and(|e| e == "json" || e == "jsonl");
        if report_ext && p.is_file() {
            Side::Report(p.to_path_buf())
        } else {
            Side::Toolchain(Request::parse(s))
        }
    }

    pub fn label(&self) -> String {
        match self {
            Side::Report(p) => p.display().to_string(),
            Side::Toolchain(Request::Default) => "default".into(),
            Side::Toolchain(Request::Name(n)) => n.clone(),
            Side::Toolchain(Request::Path(p)) => p.display().to_string(),
        }
    }
}

/// A repro bundle per regression under `root` (emptied first): the candidate's case, or
/// for a case missing from the candidate, the baseline's. `rerun` gives the `harness run`
/// options for a side's toolchain. Returns how many were written.
pub fn write_repros(
    r: &compare::Regressions,
    baseline: &load::LoadedReport,
    candidate: &load::LoadedReport,
    root: &Path,
    rerun: &dyn Fn(&str) -> Vec<String>,
) -> Result<usize> {
    if root.is_dir() {
        std::fs::remove_dir_all(root).map_err(|e| Error::io(root, "clear old repros", &e))?;
    }
    let mut n = 0;
    for e in r.regressions() {
        let (side, view) = match candidate.cases.get(&e.key) {
            Some(v) => (candidate, v),
            None => match baseline.cases.get(&e.key) {
                Some(v) => (baseline, v),
                None => continue,
            },
        };
        let why = format!(
            "{} (baseline {}, candidate {})",
            e.what, baseline.toolchain, candidate.toolchain
        );
        let options = rerun(&side.rerun);
        let req = crate::output::repro::Request {
            case: &view.record,
            rerun: &options,
            why: &why,
            details: &e.details,
        };
        crate::output::repro::write(root, &req)?;
        n += 1;
    }
    Ok(n)
}

/// A file-name-safe form of a label.
pub fn safe(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect()
}

/// What running a side needs.
pub struct RunSpec<'a> {
    pub cases: &'a [Discovered],
    pub suites: &'a Path,
    pub tiers: Vec<Tier>,
    pub dirs: Dirs,
    pub jobs: usize,
}

/// Run `cases` with a toolchain into `report` (progress on stderr).
pub fn run_toolchain(req: &Request, spec: &RunSpec, report: &Path) -> Result<PathBuf> {
    let session = Session::open(&SessionOptions::new(req.clone(), spec.dirs.clone()))?;
    let fp = session.fingerprint();
    eprintln!(
        "harness: running {} trial(s) with {} (rustc {}, LLVM {})",
        spec.cases.len(),
        fp.rustc.label,
        fp.rustc.release,
        fp.rustc.llvm.as_deref().unwrap_or("?")
    );
    let mut done = 0;
    crate::drive::run_cases(
        &session,
        spec.cases,
        spec.suites,
        spec.tiers.clone(),
        spec.jobs,
        report,
        |r| {
            done += 1;
            if r.status.is_failure() {
                eprintln!("  [{done}/{}] {} {}", spec.cases.len(), r.status, r.key);
            }
        },
    )?;
    Ok(report.to_path_buf())
}

/// The report of a side: the file itself, or a fresh run under `<dirs>/gate/`.
pub fn side_report(side: &Side, spec: &RunSpec) -> Result<load::LoadedReport> {
    match side {
        Side::Report(p) => load::load(p),
        Side::Toolchain(req) => {
            let path =
                spec.dirs.root.join("gate").join(format!("report-{}.json", safe(&side.label())));
            run_toolchain(req, spec, &path)?;
            load::load(&path)
        }
    }
}
