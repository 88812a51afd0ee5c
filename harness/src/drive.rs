//! Run many trials with one session: in parallel, each record appended to the JSONL report
//! as it finishes (so a killed run keeps every finished case), then `report.json`. Shared
//! by `harness run`, `harness gate` and `harness bisect`.

use crate::discover::{BrokenCase, Discovered};
use crate::error::Result;
use crate::model::Tier;
use crate::report::{CaseRecord, Header, Report, ReportWriter, now_unix_ms};
use crate::session::Session;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Execute a case; a panic inside the harness becomes an `error` record for that case
/// instead of ending the run.
pub fn execute_guarded(session: &Session, case: &Discovered) -> CaseRecord {
    let run = std::panic::AssertUnwindSafe(|| session.execute(case));
    std::panic::catch_unwind(run).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let path = case.path().to_path_buf();
        let mut r =
            crate::exec::broken(&BrokenCase { key: case.key().clone(), path, errors: vec![] });
        r.reason = Some(format!("internal harness error (please report it): {what}"));
        r
    })
}

/// Run `cases` with `jobs` threads, writing `report` (and its `.jsonl`); `on_record` sees
/// each record as it finishes (progress lines).
pub fn run_cases(
    session: &Session,
    cases: &[Discovered],
    suites_root: &Path,
    tiers: Vec<Tier>,
    jobs: usize,
    report: &Path,
    mut on_record: impl FnMut(&CaseRecord),
) -> Result<(Report, std::path::PathBuf)> {
    let started = Instant::now();
    let run_id = format!("{}-{}", now_unix_ms(), std::process::id());
    let header = Header::new(run_id, suites_root, tiers, session.fingerprint());
    let mut writer = ReportWriter::create(report, header)?;
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<CaseRecord>();
    let mut append_error = None;
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(cases.len().max(1)) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    if tx.send(execute_guarded(session, case)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for record in rx {
            on_record(&record);
            if let Err(e) = writer.append(record) {
                append_error.get_or_insert(e);
            }
        }
    });
    let jsonl = writer.jsonl_path().to_path_buf();
    if let Some(e) = append_error {
        return Err(e);
    }
    Ok((writer.finish(started.elapsed().as_millis() as u64)?, jsonl))
}
