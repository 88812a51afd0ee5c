//! `harness run`: discover → open a session per toolchain → execute trials in parallel →
//! append each record to the JSONL report as it finishes → write report.json.

use super::RunArgs;
use harness::discover::Discovered;
use harness::model::{Status, Tier};
use harness::report::{CaseRecord, Report};
use harness::session::Session;
use harness::toolchain::Request;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: RunArgs) -> ExitCode {
    let cases = match args.selection.discover() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if cases.is_empty() {
        return no_tests(&args);
    }
    let requests = args.toolchains.requests();
    let many = requests.len() > 1;
    let mut worst = ExitCode::SUCCESS;
    let mut reports = Vec::new();
    for req in requests {
        let (code, report) = run_toolchain(&args, &req, many, &cases);
        reports.extend(report);
        if code != ExitCode::SUCCESS {
            worst = code;
        }
    }
    super::output::junit(&reports, args.junit.as_deref());
    worst
}

/// `--timeout` when not given.
pub const DEFAULT_TIMEOUT: u64 = 120;

/// `--no-tests`: what a selection that matches no case does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NoTests {
    Fail,
    Warn,
    Pass,
}

/// An empty selection: earlier reports stay as they are; the run fails unless told not to.
fn no_tests(args: &RunArgs) -> ExitCode {
    let what = describe(&args.selection);
    match args.no_tests {
        NoTests::Fail => {
            eprintln!(
                "error: no case matches {what}; nothing was run and no report was written \
                 (--no-tests=warn or --no-tests=pass to allow this)"
            );
            ExitCode::from(2)
        }
        NoTests::Warn => {
            eprintln!("warning: no case matches {what}; nothing was run and no report was written");
            ExitCode::SUCCESS
        }
        NoTests::Pass => ExitCode::SUCCESS,
    }
}

/// The selection in words: its filters, how they match, its tiers and the suite root.
fn describe(sel: &super::Selection) -> String {
    let mut o = match sel.filters.as_slice() {
        [] => "any key".to_string(),
        fs => {
            let list: Vec<String> = fs.iter().map(|f| format!("`{f}`")).collect();
            let how = if sel.exact { "as a whole key" } else { "as a substring of a key" };
            format!("the filter {} ({how})", list.join(", "))
        }
    };
    if !sel.tier.is_empty() {
        let tiers: Vec<&str> = sel.tier.iter().map(|t| t.name()).collect();
        o.push_str(&format!(" in tier {}", tiers.join(",")));
    }
    format!("{o} under {}", sel.suites.display())
}

fn report_path(args: &RunArgs, req: &Request, many: bool) -> PathBuf {
    let base =
        args.report.clone().unwrap_or_else(|| args.toolchains.harness_dir.join("report.json"));
    if !many {
        return base;
    }
    let label = match req {
        Request::Default => "default".to_string(),
        Request::Name(n) => n.clone(),
        Request::Path(p) => p.display().to_string(),
    };
    let safe: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    base.with_file_name(format!("{stem}-{safe}.json"))
}

/// One toolchain's run: its exit code, and its report (for JUnit XML).
fn run_toolchain(
    args: &RunArgs,
    req: &Request,
    many: bool,
    cases: &[Discovered],
) -> (ExitCode, Option<Report>) {
    let started = Instant::now();
    let mut opts = match args.toolchains.options(req.clone()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return (ExitCode::from(2), None);
        }
    };
    opts.bless = args.bless;
    opts.default_timeout = Duration::from_secs(args.timeout.max(1));
    opts.provision = !args.no_provision;
    let session = match Session::open(&opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return (ExitCode::from(2), None);
        }
    };
    let fp = session.fingerprint();
    eprintln!(
        "harness: toolchain {} (rustc {}, LLVM {}), {} trial(s) from {}",
        fp.rustc.label,
        fp.rustc.release,
        fp.rustc.llvm.as_deref().unwrap_or("?"),
        cases.len(),
        args.selection.suites.display()
    );
    let tiers = if args.selection.tier.is_empty() {
        Tier::ALL.to_vec()
    } else {
        args.selection.tier.clone()
    };
    let path = report_path(args, req, many);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
        .max(1);
    let mut progress = Progress::new(cases.len());
    let mut failed = false;
    let result = harness::drive::run_cases(
        &session,
        cases,
        &args.selection.suites,
        tiers,
        jobs,
        &path,
        |record| {
            failed |= record.status.is_failure();
            progress.finished(record);
        },
    );
    progress.clear();
    let report = match result {
        Ok((report, jsonl)) => {
            let counts: Vec<String> =
                report.summary.by_status.iter().map(|(k, v)| format!("{v} {k}")).collect();
            harness::outln!(
                "\n{} trial(s): {} in {:.1} s",
                report.summary.total,
                if counts.is_empty() { "nothing run".to_string() } else { counts.join(", ") },
                started.elapsed().as_secs_f64()
            );
            print_coverage(&report.summary);
            harness::outln!("report: {} (per case: {})", path.display(), jsonl.display());
            super::output::emit(&report, &path, &rerun_options(args, &report));
            report
        }
        Err(e) => {
            eprintln!(
                "error: {e} (every finished case is in {})",
                harness::report::writer::jsonl_path_for(&path).display()
            );
            return (ExitCode::from(2), None);
        }
    };
    (if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }, Some(report))
}

/// The run's judged / not-judged totals, and each rule that left something unjudged.
fn print_coverage(summary: &harness::report::Summary) {
    let (judged, not): (usize, usize) =
        summary.coverage.values().fold((0, 0), |(j, n), t| (j + t.judged, n + t.not_judged));
    harness::outln!("checks: {judged} judgement(s), {not} subject(s) not judged");
    for (rule, t) in summary.coverage.iter().filter(|(_, t)| t.not_judged > 0) {
        harness::outln!("  {rule}: {} judged, {} not judged", t.judged, t.not_judged);
    }
}

/// The options of this run that matter to rerun one of its cases the same way.
fn rerun_options(args: &RunArgs, report: &harness::report::Report) -> Vec<String> {
    let rustc = &report.header.fingerprint.rustc;
    // As the run was given it: a path stays a path (where rustup may not exist), a rustup
    // name stays that name.
    let given_as_path = rustc.label.contains(['/', '\\']);
    let toolchain = match &rustc.rustup_name {
        Some(name) if !given_as_path => name.clone(),
        _ if given_as_path => rustc.label.clone(),
        _ => rustc.path.clone(),
    };
    let dir = &args.toolchains.harness_dir;
    let config = args.toolchains.config.clone().or_else(|| {
        std::env::var_os("HARNESS_CONFIG").filter(|v| !v.is_empty()).map(PathBuf::from)
    });
    harness::output::repro::rerun_options(&harness::output::repro::RerunOptions {
        toolchain: &toolchain,
        suites: &args.selection.suites,
        harness_dir: (*dir != harness::paths::default_harness_dir()).then_some(dir.as_path()),
        config: config.as_deref(),
        runner: args.toolchains.runner.as_deref(),
        timeout: (args.timeout != DEFAULT_TIMEOUT).then_some(args.timeout),
    })
}

/// One line per finished trial; on a terminal, a running counter as well.
struct Progress {
    total: usize,
    done: usize,
    tty: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress { total, done: 0, tty: std::io::stdout().is_terminal() }
    }

    fn finished(&mut self, r: &CaseRecord) {
        self.done += 1;
        let mut out = std::io::stdout().lock();
        if self.tty {
            let _ = write!(out, "\r\x1b[2K");
        }
        let label = match r.status {
            Status::Passed => "ok",
            Status::Ignored => "ignored",
            Status::ExpectedFailure => "xfail",
            Status::Fixed => "FIXED",
            Status::Failed => "FAILED",
            Status::Timeout => "TIMEOUT",
            Status::Error => "ERROR",
        };
        let control = match (r.control, r.key.pairing.as_deref()) {
            (false, _) => "",
            (true, Some("wine")) => " [Wine control]",
            (true, _) => " [host control]",
        };
        let _ = writeln!(out, "{label:<8} {}{control} ({} ms)", r.key, r.duration_ms);
        if let Some(reason) = &r.reason
            && r.status != Status::Passed
        {
            let keep = if r.status == Status::ExpectedFailure { 2 } else { 12 };
            let lines: Vec<&str> = reason.lines().collect();
            for line in lines.iter().take(keep) {
                let _ = writeln!(out, "         {line}");
            }
            if lines.len() > keep {
                let _ =
                    writeln!(out, "         (+{} more lines in the report)", lines.len() - keep);
            }
        }
        let gaps = r.coverage().gaps();
        for line in gaps.iter().take(3) {
            let _ = writeln!(out, "         not judged: {line}");
        }
        if gaps.len() > 3 {
            let _ =
                writeln!(out, "         (+{} more rules with gaps in the report)", gaps.len() - 3);
        }
        if self.tty {
            let _ = write!(out, "[{}/{}] running...", self.done, self.total);
        }
        let _ = out.flush();
    }

    fn clear(&self) {
        if self.tty {
            harness::out!("\r\x1b[2K");
        }
    }
}
