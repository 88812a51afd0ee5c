//! What a finished run leaves for CI: GitHub Actions annotations and summary when running
//! there, JUnit XML when asked, and a repro bundle per failing case next to the report.

use harness::output::repro;
use harness::report::Report;
use std::path::{Path, PathBuf};

/// Annotations, groups and the step summary (on GitHub) and the repro bundles of one
/// toolchain's run.
pub fn emit(report: &Report, report_path: &Path, rerun: &[String]) {
    write_repros(report, report_path, rerun);
    harness::output::github::emit(report, &[], "");
}

/// JUnit XML of every toolchain's run, when asked for.
pub fn junit(reports: &[Report], path: Option<&Path>) {
    if let Some(p) = path
        && let Err(e) = harness::output::junit::write(reports, p)
    {
        eprintln!("error: cannot write JUnit XML to {}: {e}", p.display());
    }
}

/// `report.json` → `repros/`, `report-nightly.json` → `report-nightly-repros/`.
pub fn repro_dir(report_path: &Path) -> PathBuf {
    let stem = report_path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = match stem.as_deref() {
        Some("report") | None => "repros".to_string(),
        Some(s) => format!("{s}-repros"),
    };
    report_path.with_file_name(name)
}

/// `rerun`: the `harness run` options that rerun a case as this run ran it.
fn write_repros(report: &Report, report_path: &Path, rerun: &[String]) {
    let root = repro_dir(report_path);
    // A previous run's bundles would describe failures this run may not have.
    if root.is_dir()
        && let Err(e) = std::fs::remove_dir_all(&root)
    {
        eprintln!("warning: cannot clear {}: {e}", root.display());
    }
    let mut written = 0;
    for r in report.cases.iter().filter(|r| r.status.is_failure()) {
        let details: Vec<String> = r
            .phases
            .iter()
            .flat_map(|p| p.findings.iter())
            .map(|f| {
                let sym = f.symbol.as_deref().map(|s| format!(" `{s}`")).unwrap_or_default();
                format!("[{}]{sym}: {}", f.rule, f.message)
            })
            .collect();
        let reason = r.reason.as_deref().and_then(|s| s.lines().next()).unwrap_or("");
        let why = format!("{}: {reason}", r.status.name());
        let req = repro::Request { case: r, rerun, why: &why, details: &details };
        match repro::write(&root, &req) {
            Ok(_) => written += 1,
            Err(e) => eprintln!("warning: no repro for {}: {e}", r.key),
        }
    }
    if written > 0 {
        harness::outln!("repros: {} ({written} case(s))", root.display());
    }
}
