//! `cargo test -p harness`: one libtest-mimic trial per case key of the suite root.
//!
//! Environment: `HARNESS_SUITES` (suite root, default the repository's `suites/`),
//! `HARNESS_TOOLCHAIN` (rustup name or rustc path, default: what rustup resolves).
//!
//! Trials that cannot run here are planned when the trial list is made and carry the
//! ignored flag, so every runner (libtest-mimic, nextest) reports them as ignored, never as
//! passed; their reasons are printed after the run. Every trial's record goes to
//! `target/harness/conformance/report.jsonl` (under nextest, one file per test process below
//! `conformance/nextest-<run id>/`).

use harness::discover;
use harness::model::Status;
use harness::paths::{self, Dirs};
use harness::plan::Decision;
use harness::report::{CaseRecord, Header, ReportWriter, now_unix_ms};
use harness::session::{Session, SessionOptions};
use harness::toolchain::Request;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

struct Context {
    session: Session,
    dirs: Dirs,
    /// Created on the first record, so `--list` writes nothing.
    writer: Mutex<Option<ReportWriter>>,
}

impl Context {
    fn record(&self, record: CaseRecord) {
        let Ok(mut w) = self.writer.lock() else { return };
        if w.is_none() {
            match ReportWriter::create(&report_path(&self.dirs), self.header()) {
                Ok(new) => *w = Some(new),
                Err(e) => eprintln!("warning: no conformance report: {e}"),
            }
        }
        if let Some(w) = w.as_mut()
            && let Err(e) = w.append(record)
        {
            eprintln!("warning: {e}");
        }
    }

    fn header(&self) -> Header {
        let run_id = std::env::var("NEXTEST_RUN_ID")
            .unwrap_or_else(|_| format!("{}-{}", now_unix_ms(), std::process::id()));
        Header::new(
            run_id,
            &suites_root(),
            harness::model::Tier::ALL.to_vec(),
            self.session.fingerprint(),
        )
    }
}

fn suites_root() -> PathBuf {
    std::env::var_os("HARNESS_SUITES").map(PathBuf::from).unwrap_or_else(paths::default_suites)
}

fn report_path(dirs: &Dirs) -> PathBuf {
    let base = dirs.root.join("conformance");
    match std::env::var("NEXTEST_RUN_ID") {
        Ok(id) => base.join(format!("nextest-{id}")).join(format!("{}.json", std::process::id())),
        Err(_) => base.join("report.json"),
    }
}

fn open_context() -> Result<Context, String> {
    let request =
        std::env::var("HARNESS_TOOLCHAIN").map(|t| Request::parse(&t)).unwrap_or(Request::Default);
    let dirs = Dirs::new(paths::default_harness_dir());
    let session =
        Session::open(&SessionOptions::new(request, dirs.clone())).map_err(|e| e.to_string())?;
    Ok(Context { session, dirs, writer: Mutex::new(None) })
}

fn outcome(r: &CaseRecord) -> Result<Completion, Failed> {
    let reason = r.reason.clone().unwrap_or_default();
    match r.status {
        Status::Passed | Status::ExpectedFailure => Ok(Completion::Completed),
        Status::Ignored => Ok(Completion::ignored_with(reason)),
        s => Err(format!("{s}: {}:{}\n{reason}", r.fixture, r.line).into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let cases = match discover::discover(&suites_root()) {
        Ok(cases) => cases,
        Err(e) => {
            let msg = e.to_string();
            libtest_mimic::run(&args, vec![Trial::test("discovery", move || Err(msg.into()))])
                .exit();
        }
    };
    let context = open_context().map(Arc::new);
    let mut ignored = Vec::new();
    let mut trials = Vec::new();
    for d in cases {
        let key = d.key().to_string();
        let decision = context.as_ref().ok().and_then(|c| c.session.plan(&d));
        let is_ignored = matches!(decision, Some(Decision::Ignore { .. }));
        if let Some(Decision::Ignore { reason }) = &decision {
            ignored.push((key.clone(), reason.clone(), d.clone()));
        }
        let ctx = context.clone();
        let trial = Trial::ignorable_test(key, move || {
            let ctx = ctx.map_err(|e| Failed::from(e.as_str()))?;
            let record = match decision {
                Some(decision) => ctx.session.execute_decided(&d, decision),
                None => ctx.session.execute(&d),
            };
            let result = outcome(&record);
            ctx.record(record);
            result
        });
        trials.push(trial.with_ignored_flag(is_ignored));
    }
    // Which flagged trials libtest-mimic will skip (not run) in this invocation.
    let skipped: Vec<_> = ignored
        .into_iter()
        .filter(|(key, ..)| {
            let probe = Trial::test(key.clone(), || Ok(())).with_ignored_flag(true);
            !args.list && !args.is_filtered_out(&probe) && args.is_ignored(&probe)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if let Ok(ctx) = &context {
        if !skipped.is_empty() {
            println!("ignored here, with reasons:");
        }
        for (key, reason, d) in &skipped {
            println!("  {key}: {reason}");
            ctx.record(ctx.session.execute_decided(d, Decision::Ignore { reason: reason.clone() }));
        }
        if let Ok(mut w) = ctx.writer.lock()
            && let Some(w) = w.take()
            && let Err(e) = w.finish(0)
        {
            eprintln!("warning: {e}");
        }
    }
    conclusion.exit();
}
