//! What CI output reads of a report: the cases' keys, statuses, reasons, where they point,
//! and the toolchain. Read back from the report's JSON, so a fresh run and a merged report
//! (`harness merge`) give the same annotations, summary and JUnit XML.

use crate::error::Error;
use crate::model::Status;
use crate::report::Report;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize)]
pub struct CiReport {
    pub header: CiHeader,
    #[serde(default)]
    pub cases: Vec<CiCase>,
    #[serde(default)]
    pub summary: CiSummary,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CiHeader {
    #[serde(default)]
    pub fingerprint: CiFingerprint,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CiFingerprint {
    #[serde(default)]
    pub rustc: CiRustc,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CiRustc {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub release: String,
    pub llvm: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CiSummary {
    #[serde(default)]
    pub by_status: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CiCase {
    pub key: String,
    #[serde(default)]
    pub suite: String,
    #[serde(default)]
    pub fixture: String,
    #[serde(default)]
    pub line: usize,
    pub status: Status,
    pub reason: Option<String>,
    #[serde(default)]
    pub duration_ms: u64,
    #[serde(default)]
    pub phases: Vec<CiPhase>,
    pub matrix: Option<CiMatrix>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CiPhase {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: String,
    pub message: Option<String>,
    #[serde(default)]
    pub findings: Vec<CiFinding>,
    /// The first error the compiler printed (build phases).
    pub first_error: Option<crate::report::FirstError>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CiFinding {
    pub rule: String,
    pub symbol: Option<String>,
    pub offset: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CiMatrix {
    #[serde(default)]
    pub failures: Vec<CiMatrixFailure>,
    #[serde(default)]
    pub fixed: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CiMatrixFailure {
    #[serde(default)]
    pub origin: String,
    pub expected: Option<String>,
}

impl CiReport {
    /// The view of a run's report.
    pub fn of(report: &Report) -> Result<CiReport, Error> {
        serde_json::to_value(report)
            .map_err(|e| Error::msg(e.to_string()))
            .and_then(Self::from_value)
    }

    /// The view of a report's JSON (`report.json` as written, or a merged report).
    pub fn from_value(v: Value) -> Result<CiReport, Error> {
        serde_json::from_value(v).map_err(|e| Error::msg(format!("not a harness report: {e}")))
    }

    /// Whether any case failed, errored, timed out or unexpectedly passed.
    pub fn failed(&self) -> bool {
        self.cases.iter().any(|c| c.status.is_failure())
    }
}
