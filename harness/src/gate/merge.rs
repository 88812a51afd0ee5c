//! `harness merge`: the reports of shards (`cargo nextest run --partition hash:K/N`, one
//! report per test process) joined into one. With the suite root, the merged report is
//! completed: a case no shard reported is planned with the shards' toolchain and recorded
//! as ignored with its reason when it cannot run here (nextest skips ignored trials), or as
//! an error when it should have run (a shard that crashed or never started) — so nothing
//! is silently lost.

use crate::discover::{self, Discovered};
use crate::error::{Error, Result};
use crate::paths::Dirs;
use crate::plan::Decision;
use crate::report::{CaseRecord, Header, Report, Summary, read_records};
use crate::session::{Session, SessionOptions};
use crate::toolchain::Request;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What completing a merge needs: the suite root the shards ran, a harness directory.
pub struct Complete<'a> {
    pub suites: &'a Path,
    pub dirs: Dirs,
}

/// Join the reports of shards into one: cases from every shard (a key in two shards is an
/// error), the first shard's header, and a fresh summary.
pub fn merge(paths: &[PathBuf], complete: Option<&Complete>) -> Result<Report> {
    let mut header: Option<Header> = None;
    let mut cases: Vec<CaseRecord> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for p in paths {
        let records = read_records(p)?;
        match (&header, records.header) {
            (None, h) => header = h,
            (Some(first), Some(h)) if rustc_of(&h) != rustc_of(first) => {
                return Err(Error::at_file(
                    p,
                    format!(
                        "ran with {}, the first shard with {}: shards of one run share a toolchain",
                        rustc_of(&h),
                        rustc_of(first)
                    ),
                ));
            }
            _ => {}
        }
        for c in records.cases {
            let key = c.key.to_string();
            if let Some(first) = seen.get(&key) {
                return Err(Error::at_file(
                    p,
                    format!("case `{key}` is also in {}: shards overlap", first.display()),
                ));
            }
            seen.insert(key, p.clone());
            cases.push(c);
        }
    }
    let Some(header) = header else {
        let first = paths.first().map(PathBuf::as_path).unwrap_or(Path::new("-"));
        return Err(Error::at_file(first, "no shard has a header record: not a harness report"));
    };
    if let Some(c) = complete {
        cases.extend(missing_records(&header, &seen, c)?);
    }
    cases.sort_by_cached_key(|c| c.key.to_string());
    let duration = cases.iter().map(|c| c.duration_ms).sum();
    let summary = Summary::of(&cases, duration);
    Ok(Report { schema_version: crate::report::SCHEMA_VERSION, header, cases, summary })
}

fn rustc_of(header: &Header) -> String {
    let r = &header.fingerprint.rustc;
    format!("rustc {} at {}", r.release, r.path)
}

/// Records for the cases of the suite root that no shard reported.
fn missing_records(
    header: &Header,
    seen: &BTreeMap<String, PathBuf>,
    c: &Complete,
) -> Result<Vec<CaseRecord>> {
    let cases = discover::discover(c.suites)?;
    let missing: Vec<&Discovered> =
        cases.iter().filter(|d| !seen.contains_key(&d.key().to_string())).collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let rustc = &header.fingerprint.rustc.path;
    let request =
        if rustc.is_empty() { Request::Default } else { Request::Path(PathBuf::from(rustc)) };
    let mut opts = SessionOptions::new(request, c.dirs.clone());
    opts.provision = false;
    let session = Session::open(&opts)?;
    let mut out = Vec::new();
    for d in missing {
        let record = match session.plan(d) {
            Some(Decision::Ignore { reason }) => {
                session.execute_decided(d, Decision::Ignore { reason })
            }
            _ => {
                let mut r = session.execute_decided(d, Decision::Ignore { reason: String::new() });
                r.status = crate::model::Status::Error;
                r.reason = Some(
                    "no shard reported this case: a shard crashed, was cancelled or ran another suite root"
                        .into(),
                );
                r
            }
        };
        out.push(record);
    }
    Ok(out)
}
