//! `harness gate`, `harness bisect` and `harness merge`.

use super::Selection;
use clap::Args;
use harness::gate::{self, Side, bisect, compare};
use harness::model::Tier;
use harness::paths::{self, Dirs};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct GateArgs {
    /// The baseline: a toolchain (rustup name or rustc path) or an existing report.json.
    #[arg(long, value_name = "A")]
    baseline: String,
    /// The candidate: a toolchain or a report.json.
    #[arg(long, value_name = "B")]
    candidate: String,
    #[command(flatten)]
    selection: Selection,
    /// Where to write the differences (default: <harness-dir>/regressions.json).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Harness working directory (build cache, the sides' reports).
    #[arg(long, value_name = "DIR", default_value_os_t = paths::default_harness_dir())]
    harness_dir: PathBuf,
    /// Cases run in parallel (default: available cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Args, Debug)]
pub struct BisectArgs {
    /// A toolchain where the cases behave as expected (e.g. 1.85.0, nightly-2026-01-01).
    #[arg(long, value_name = "A")]
    good: String,
    /// A toolchain where they do not.
    #[arg(long, value_name = "B")]
    bad: String,
    #[command(flatten)]
    selection: Selection,
    /// Only probe toolchains rustup already has (never install).
    #[arg(long)]
    installed_only: bool,
    #[arg(long, value_name = "DIR", default_value_os_t = paths::default_harness_dir())]
    harness_dir: PathBuf,
    /// Write the result (and every probe's outcome) as JSON here.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Also write the merged results as JUnit XML.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Reports of shards (report.json or .jsonl), e.g. from `cargo nextest run --partition`.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,
    /// The merged report.json to write.
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// The suite root the shards ran: every case of it that no shard reported is added,
    /// as ignored with its reason (nextest skips ignored trials) or as an error (a shard
    /// that crashed). Without it, only the shards' cases are merged.
    #[arg(long, value_name = "DIR")]
    suites: Option<PathBuf>,
    #[arg(long, value_name = "DIR", default_value_os_t = paths::default_harness_dir())]
    harness_dir: PathBuf,
}

fn jobs(j: Option<usize>) -> usize {
    j.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)).max(1)
}

fn tiers(sel: &Selection) -> Vec<Tier> {
    if sel.tier.is_empty() { Tier::ALL.to_vec() } else { sel.tier.clone() }
}

pub fn gate(args: GateArgs) -> ExitCode {
    let cases = match args.selection.discover() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let spec = gate::RunSpec {
        cases: &cases,
        suites: &args.selection.suites,
        tiers: tiers(&args.selection),
        dirs: Dirs::new(args.harness_dir.clone()),
        jobs: jobs(args.jobs),
    };
    let (a, b) = (Side::parse(&args.baseline), Side::parse(&args.candidate));
    let loaded =
        gate::side_report(&a, &spec).and_then(|ra| Ok((ra, gate::side_report(&b, &spec)?)));
    let (ra, rb) = match loaded {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let r = compare::compare(&ra, &rb);
    let out = args.out.unwrap_or_else(|| args.harness_dir.join("regressions.json"));
    let written = serde_json::to_vec_pretty(&r)
        .map_err(std::io::Error::other)
        .and_then(|b| paths::write_atomic(&out, &b));
    if let Err(e) = written {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(2);
    }
    harness::out!("{}", compare::summary(&r));
    harness::outln!("regressions: {}", out.display());
    let repros = out.with_file_name("repros");
    let harness_dir =
        (args.harness_dir != paths::default_harness_dir()).then_some(&args.harness_dir);
    let rerun = |toolchain: &str| {
        harness::output::repro::rerun_options(&harness::output::repro::RerunOptions {
            toolchain,
            suites: &args.selection.suites,
            harness_dir: harness_dir.map(|p| p.as_path()),
            config: None,
            runner: None,
            timeout: None,
        })
    };
    match gate::write_repros(&r, &ra, &rb, &repros, &rerun) {
        Ok(0) => {}
        Ok(n) => harness::outln!("repros: {} ({n} case(s))", repros.display()),
        Err(e) => eprintln!("warning: repros not written: {e}"),
    }
    if harness::output::github::active() {
        use harness::output::github::{MAX_ANNOTATIONS, error_line, warning_line};
        // Regressions as errors; a failure the candidate now declares as expected as a
        // warning (not blocking, but shown).
        let errors = r.regressions().map(|e| (true, e));
        let warnings = r.newly_declared.iter().map(|e| (false, e));
        for (blocking, e) in errors.chain(warnings).take(MAX_ANNOTATIONS) {
            let (file, line) = (harness::output::relative(&e.fixture), e.line as usize);
            harness::outln!(
                "{}",
                if blocking {
                    error_line(&file, line, &format!("regression: {}", e.key), &e.what)
                } else {
                    warning_line(&file, line, &format!("newly declared: {}", e.key), &e.what)
                }
            );
        }
        if let Some(p) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            let text = format!(
                "## Gate\n\n```\n{}```\n",
                compare::summary(&r).chars().take(900_000).collect::<String>()
            );
            let _ = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        }
    }
    if r.any() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

pub fn bisect(args: BisectArgs) -> ExitCode {
    let cases = match args.selection.discover() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (good, bad) = (bisect::resolve(&args.good), bisect::resolve(&args.bad));
    let mut candidates = match bisect::candidates(&good, &bad) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.installed_only {
        candidates.retain(|t| bisect::installed(t));
    }
    eprintln!(
        "harness: bisecting {} case(s) over {} toolchain(s) between {} and {}",
        cases.len(),
        candidates.len(),
        args.good,
        args.bad
    );
    let spec = gate::RunSpec {
        cases: &cases,
        suites: &args.selection.suites,
        tiers: tiers(&args.selection),
        dirs: Dirs::new(args.harness_dir.clone()),
        jobs: jobs(None),
    };
    let probe = |t: &str| -> harness::Result<bisect::Outcome> {
        if !bisect::installed(t) && !args.installed_only {
            bisect::install(t)?;
        }
        let path = spec.dirs.root.join("bisect").join(format!("report-{}.json", gate::safe(t)));
        gate::run_toolchain(&harness::toolchain::Request::Name(t.to_string()), &spec, &path)?;
        let r = gate::load::load(&path)?;
        let out: bisect::Outcome =
            r.cases.into_iter().map(|(k, v)| (k, v.record.status.name().to_string())).collect();
        eprintln!(
            "  {t}: {}",
            out.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
        );
        Ok(out)
    };
    match bisect::search(&args.good, &args.bad, &candidates, probe) {
        Ok(found) => {
            let scope =
                if args.installed_only { " (among the installed toolchains probed)" } else { "" };
            harness::outln!(
                "last good: {}\nfirst bad: {}{scope}",
                found.last_good,
                found.first_bad
            );
            for c in &found.changes {
                harness::outln!("  {c}");
            }
            if let Some(p) = &args.out {
                let written = serde_json::to_vec_pretty(&found)
                    .map_err(std::io::Error::other)
                    .and_then(|b| paths::write_atomic(p, &b));
                if let Err(e) = written {
                    eprintln!("error: cannot write {}: {e}", p.display());
                    return ExitCode::from(2);
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn merge(args: MergeArgs) -> ExitCode {
    let complete = args
        .suites
        .as_deref()
        .map(|suites| gate::merge::Complete { suites, dirs: Dirs::new(args.harness_dir.clone()) });
    match gate::merge::merge(&args.reports, complete.as_ref()) {
        Ok(merged) => {
            let bytes = serde_json::to_vec_pretty(&merged).unwrap_or_default();
            if let Err(e) = paths::write_atomic(&args.out, &bytes) {
                eprintln!("error: cannot write {}: {e}", args.out.display());
                return ExitCode::from(2);
            }
            harness::outln!(
                "{} case(s) from {} report(s) in {}",
                merged.cases.len(),
                args.reports.len(),
                args.out.display()
            );
            merged_outputs(&merged, &args)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// What `run` leaves for CI, from the merged report: annotations and the step summary on
/// GitHub, JUnit XML when asked; exit 1 when a case failed, errored, timed out or was fixed.
fn merged_outputs(view: &harness::report::Report, args: &MergeArgs) -> ExitCode {
    let counts: Vec<String> =
        view.summary.by_status.iter().map(|(k, n)| format!("{n} {k}")).collect();
    harness::outln!(
        "merged: {}",
        if counts.is_empty() { "no cases".into() } else { counts.join(", ") }
    );
    harness::output::github::emit(view, &[], "");
    if let Some(p) = &args.junit
        && let Err(e) = harness::output::junit::write(std::slice::from_ref(view), p)
    {
        eprintln!("error: cannot write JUnit XML to {}: {e}", p.display());
        return ExitCode::from(2);
    }
    if view.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
