//! `harness merge`: the reports of shards (`cargo nextest run --partition hash:K/N`, one
//! report per test process) joined into one. With the suite root, the merged report is
//! completed: a case no shard reported is planned with the shards' toolchain and recorded
//! as ignored with its reason when it cannot run here (nextest skips ignored trials), or as
//! an error when it should have run (a shard that crashed or never started) — so nothing
//! is silently lost.

use super::load;
use crate::discover::{self, Discovered};
use crate::error::{Error, Result};
use crate::paths::Dirs;
use crate::plan::Decision;
use crate::session::{Session, SessionOptions};
use crate::toolchain::Request;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What completing a merge needs: the suite root the shards ran, a harness directory.
pub struct Complete<'a> {
    pub suites: &'a Path,
    pub dirs: Dirs,
}

/// Join the reports of shards into one: cases from every shard (a key in two shards is an
/// error), the first shard's header, and a fresh summary.
pub fn merge(paths: &[PathBuf], complete: Option<&Complete>) -> Result<Value> {
    let mut header = Value::Null;
    let mut cases: Vec<Value> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for p in paths {
        let (h, cs) = load::read_records(p)?;
        if header.is_null() {
            header = h;
        } else if !h.is_null() && rustc_of(&h) != rustc_of(&header) {
            return Err(Error::at_file(
                p,
                format!(
                    "ran with {}, the first shard with {}: shards of one run share a toolchain",
                    rustc_of(&h),
                    rustc_of(&header)
                ),
            ));
        }
        for c in cs {
            let key = c["key"].as_str().unwrap_or("").to_string();
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
    if let Some(c) = complete {
        cases.extend(missing_records(&header, &seen, c)?);
    }
    cases.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    let mut by_status = serde_json::Map::new();
    let mut duration = 0u64;
    for c in &cases {
        let s = c["status"].as_str().unwrap_or("error").to_string();
        let n = by_status.get(&s).and_then(Value::as_u64).unwrap_or(0) + 1;
        by_status.insert(s, Value::from(n));
        duration += c["duration_ms"].as_u64().unwrap_or(0);
    }
    Ok(serde_json::json!({
        "schema_version": crate::report::SCHEMA_VERSION,
        "header": header,
        "cases": cases,
        "summary": { "total": cases.len(), "by_status": by_status, "duration_ms": duration },
    }))
}

fn rustc_of(header: &Value) -> String {
    let r = &header["fingerprint"]["rustc"];
    format!(
        "rustc {} at {}",
        r["release"].as_str().unwrap_or("?"),
        r["path"].as_str().unwrap_or("?")
    )
}

/// Records for the cases of the suite root that no shard reported.
fn missing_records(
    header: &Value,
    seen: &BTreeMap<String, PathBuf>,
    c: &Complete,
) -> Result<Vec<Value>> {
    let cases = discover::discover(c.suites)?;
    let missing: Vec<&Discovered> =
        cases.iter().filter(|d| !seen.contains_key(&d.key().to_string())).collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let rustc = header["fingerprint"]["rustc"]["path"].as_str().map(PathBuf::from);
    let request = rustc.map(Request::Path).unwrap_or(Request::Default);
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
        out.push(serde_json::to_value(&record).map_err(|e| Error::msg(format!("{e}")))?);
    }
    Ok(out)
}
