//! `cargo test -p harness`: one libtest-mimic trial per case key of the suite root.
//!
//! Environment: `HARNESS_SUITES` (suite root, default the repository's `suites/`),
//! `HARNESS_TOOLCHAIN` (rustup name or rustc path, default: what rustup resolves).
//!
//! Trials that cannot run here are planned when the trial list is made and carry the
//! ignored flag, so every runner (libtest-mimic, nextest) reports them as ignored, never as
//! passed; their reasons are printed after the run. A trial planned as an expected failure
//! (a `known-bug`, `known-deviation` or `expect-finding` case, a toolchain older than its
//! `min-llvm-version`) has the kind `xfail`, so libtest and nextest show it as
//! `[xfail] suite::case`; every trial that ended as an expected failure (an ABI-matrix
//! pairing learns it only when it runs) is listed with its reason after the run, as ignored
//! ones are. Every trial's record goes to
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
    /// The trials that ended as expected failures, with their reasons.
    expected: Mutex<Vec<(String, String)>>,
}

impl Context {
    fn record(&self, record: CaseRecord) {
        if record.status == Status::ExpectedFailure
            && let Ok(mut x) = self.expected.lock()
        {
            let why = record.expected_failure.as_ref().map(|e| e.reason.clone());
            x.push((record.key.to_string(), why.or(record.reason.clone()).unwrap_or_default()));
        }
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
    Ok(Context { session, dirs, writer: Mutex::new(None), expected: Mutex::new(Vec::new()) })
}

fn outcome(r: &CaseRecord) -> Result<Completion, Failed> {
    let reason = r.reason.clone().unwrap_or_default();
    match r.status {
        Status::Passed | Status::ExpectedFailure => Ok(Completion::Completed),
        Status::Ignored => Ok(Completion::ignored_with(reason)),
        s => Err(format!("{s}: {}:{}\n{reason}", r.fixture, r.line).into()),
    }
}

/// The trial kind of a planned case: `xfail` when it is planned as an expected failure.
fn kind_of(decision: Option<&Decision>) -> &'static str {
    match decision {
        Some(Decision::Execute { expected_failure: Some(_) }) => "xfail",
        _ => "",
    }
}

/// This binary, listing a suite of one case planned as an expected failure and one plain
/// case, shows `[xfail]` on the first only.
fn self_test_xfail_kind() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cases =
        [("old.rs", "//@ min-llvm-version: 99.0\n#![no_std]\n"), ("plain.rs", "#![no_std]\n")];
    for (name, text) in cases {
        std::fs::create_dir_all(dir.path().join("s")).map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join("s").join(name), text).map_err(|e| e.to_string())?;
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(&me)
        .arg("--list")
        .env("HARNESS_SUITES", dir.path())
        .output()
        .map_err(|e| format!("{}: {e}", me.display()))?;
    let list = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = list.lines().collect();
    if !lines.contains(&"[xfail] s::old: test") || !lines.contains(&"s::plain: test") {
        return Err(format!("want `[xfail] s::old` and a plain `s::plain` in:\n{list}").into());
    }
    Ok(())
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
        let kind = kind_of(decision.as_ref());
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
        trials.push(trial.with_ignored_flag(is_ignored).with_kind(kind));
    }
    trials.push(Trial::test("conformance-self-test::xfail-kind", self_test_xfail_kind));
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
        let expected = ctx.expected.lock().map(|x| x.clone()).unwrap_or_default();
        if !expected.is_empty() {
            println!("expected failures, with their declared reasons:");
        }
        for (key, why) in &expected {
            println!("  {key}: {}", why.lines().next().unwrap_or(""));
        }
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
