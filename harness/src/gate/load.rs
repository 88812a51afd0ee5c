//! Reading a report back (`report.json`, or a `.jsonl` a run left behind) into what the
//! gate compares: each case's record, the findings that made it fail and its stable facts
//! ([`super::facts`]: normalized once, so build directories and addresses do not count as
//! differences).

use super::facts::{self, Fact, Found};
use crate::error::Error;
use crate::report::{CaseRecord, Header};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Clone, Debug)]
pub struct CaseView {
    /// The case record as the report has it (for repro bundles).
    pub record: CaseRecord,
    pub findings: BTreeSet<Found>,
    pub facts: BTreeSet<Fact>,
}

impl CaseView {
    pub fn of(record: CaseRecord) -> CaseView {
        let mut findings = BTreeSet::new();
        let mut facts = BTreeSet::new();
        for p in &record.phases {
            findings.extend(p.findings.iter().map(Found::from));
            for o in &p.objects {
                facts::object_facts(o, &mut facts);
            }
            for i in &p.images {
                facts::image_facts(i, &mut facts);
            }
        }
        if let Some(m) = &record.matrix {
            facts::matrix_facts(m, &mut findings, &mut facts);
        }
        CaseView { record, findings, facts }
    }

    pub fn key(&self) -> String {
        self.record.key.to_string()
    }
}

#[derive(Clone, Debug)]
pub struct LoadedReport {
    pub source: String,
    /// rustc release and LLVM of the run.
    pub toolchain: String,
    /// How to name the toolchain to rerun a case with: its rustup name or rustc path.
    pub rerun: String,
    pub cases: BTreeMap<String, CaseView>,
}

fn toolchain_of(header: Option<&Header>) -> String {
    let r = header.map(|h| &h.fingerprint.rustc);
    format!(
        "rustc {} (LLVM {})",
        r.map_or("", |r| r.release.as_str()),
        r.and_then(|r| r.llvm.as_deref()).unwrap_or("?")
    )
}

fn rerun_of(header: Option<&Header>) -> String {
    let r = header.map(|h| &h.fingerprint.rustc);
    r.and_then(|r| r.rustup_name.clone())
        .or_else(|| r.map(|r| r.path.clone()))
        .unwrap_or_else(|| "stable".to_string())
}

/// Read a report for comparing.
pub fn load(path: &Path) -> Result<LoadedReport, Error> {
    let records = crate::report::read_records(path)?;
    let cases = records.cases.into_iter().map(|c| (c.key.to_string(), CaseView::of(c)));
    Ok(LoadedReport {
        source: path.display().to_string(),
        toolchain: toolchain_of(records.header.as_ref()),
        rerun: rerun_of(records.header.as_ref()),
        cases: cases.collect(),
    })
}
