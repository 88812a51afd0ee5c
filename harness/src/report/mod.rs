//! Report stage: the schema-versioned records. One JSONL line per finished case (so a killed
//! run keeps every finished case) and a final `report.json`. The JSON Schema is committed at
//! `harness/schema/report.schema.json`. Every record reads back as it was written
//! ([`read`]): fields added over time default when an older report lacks them, and fields
//! this version does not know are passed over.

pub mod read;
pub mod writer;

pub use read::{Records, read_records};
pub use writer::ReportWriter;

use crate::check::Finding;
use crate::check::coverage::Coverage;
use crate::inspect::ObjectFacts;
use crate::model::{CaseKey, Status, Target, Tier};
use crate::process::CmdRecord;
use crate::toolchain::tools::{Msvc, RunnerInfo, ToolInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseName {
    Build,
    Link,
    Inspect,
    Run,
    Check,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseStatus {
    Passed,
    Failed,
    Timeout,
    Error,
}

/// One phase of one case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PhaseRecord {
    pub name: PhaseName,
    pub status: PhaseStatus,
    #[serde(default)]
    pub duration_ms: u64,
    /// True when the outputs came from the build cache (no tool was started).
    #[serde(default)]
    pub cached: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Files the harness wrote into `dir` before the commands ran (generated sources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<String>,
    #[serde(default)]
    pub commands: Vec<CmdRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectFacts>,
    /// Linked images and what was checked in each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageFacts>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// What each rule judged and what it could not, with the reason (check phases).
    #[serde(default, skip_serializing_if = "Coverage::is_empty")]
    pub coverage: Coverage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A failed build step's first error and the place it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<FirstError>,
}

impl PhaseRecord {
    pub fn new(name: PhaseName) -> Self {
        PhaseRecord {
            name,
            status: PhaseStatus::Passed,
            duration_ms: 0,
            cached: false,
            dir: None,
            generated: Vec::new(),
            commands: Vec::new(),
            objects: Vec::new(),
            images: Vec::new(),
            findings: Vec::new(),
            coverage: Coverage::default(),
            message: None,
            first_error: None,
        }
    }

    pub fn finish(mut self, status: PhaseStatus, start: Instant) -> Self {
        self.status = status;
        self.duration_ms = start.elapsed().as_millis() as u64;
        self
    }

    pub fn error(mut self, message: String, start: Instant) -> Self {
        self.message = Some(message);
        self.finish(PhaseStatus::Error, start)
    }
}

/// What the report says about one linked image.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageFacts {
    pub file: String,
    pub machine: u16,
    /// `plain`, `arm64_ec`, `arm64x_native`.
    pub view: crate::inspect::image::ViewKind,
    #[serde(default)]
    pub chpe_version: Option<u32>,
    /// `kind start+length` per code-map range.
    #[serde(default)]
    pub code_map: Vec<String>,
    #[serde(default)]
    pub exports: usize,
    #[serde(default)]
    pub imports: usize,
    /// Exported names (`#ordinal` for nameless exports), and where forwarded, `-> target`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub export_names: Vec<String>,
    /// `dll!name` of each import; delay-loaded ones marked `(delay)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_names: Vec<String>,
    #[serde(default)]
    pub arm64_pdata: usize,
    #[serde(default)]
    pub x64_pdata: usize,
    #[serde(default)]
    pub arm64x_fixups: usize,
    /// How many things each image rule looked at.
    #[serde(default)]
    pub checked: BTreeMap<String, usize>,
}

impl ImageFacts {
    pub fn of(
        v: &crate::inspect::image::ImageView,
        verdict: &crate::check::image::Verdict,
    ) -> ImageFacts {
        ImageFacts {
            file: v.name.clone(),
            machine: v.machine,
            view: v.view,
            chpe_version: v.chpe.as_ref().map(|c| c.version),
            code_map: v
                .chpe
                .iter()
                .flat_map(|c| c.code_map.iter())
                .map(|r| format!("{} {:#x}+{:#x}", r.kind.name(), r.start, r.length))
                .collect(),
            exports: v.exports.len(),
            imports: v.imports.len() + v.delay_imports.len(),
            export_names: v
                .exports
                .iter()
                .map(|e| {
                    let name = e.name.clone().unwrap_or_else(|| format!("#{}", e.ordinal));
                    match &e.forwarder {
                        Some(f) => format!("{name} -> {f}"),
                        None => name,
                    }
                })
                .collect(),
            import_names: v
                .imports
                .iter()
                .map(|i| i.label())
                .chain(v.delay_imports.iter().map(|i| format!("{} (delay)", i.label())))
                .collect(),
            arm64_pdata: v.pdata_arm64.len(),
            x64_pdata: v.pdata_x64.len(),
            arm64x_fixups: v.arm64x_fixups().count(),
            checked: verdict.checked.clone(),
        }
    }
}

/// Why a case was expected to fail.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Expected {
    /// Reports from before kinds were recorded read as the least specific kind.
    #[serde(default)]
    pub kind: ExpectedKind,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What makes a case expected to fail.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedKind {
    /// The toolchain's LLVM is older than the case needs: any failure is expected.
    MinLlvm,
    /// An upstream bug, linked.
    KnownBug,
    /// A deviation with no upstream issue yet.
    #[default]
    KnownDeviation,
}

/// The `type` of a case record: `case`, and nothing else reads as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseType {
    Case,
}

/// The `type` of a header record: `header`, and nothing else reads as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderType {
    Header,
}

/// One finished case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseRecord {
    #[serde(rename = "type")]
    pub record_type: CaseType,
    pub key: CaseKey,
    #[serde(default)]
    pub suite: String,
    #[serde(default)]
    pub case: String,
    #[serde(default)]
    pub revision: Option<String>,
    #[serde(default)]
    pub pairing: Option<String>,
    /// The fixture file (the primary source of a directory case).
    #[serde(default)]
    pub fixture: String,
    /// The line CI annotations point at.
    #[serde(default = "first_line")]
    pub line: usize,
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub target: Option<Target>,
    /// True for host controls: they prove the fixture, they are not Arm64EC results.
    #[serde(default)]
    pub control: bool,
    pub status: Status,
    /// Why it was ignored, why it failed, or what went wrong.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub expected_failure: Option<Expected>,
    #[serde(default)]
    pub duration_ms: u64,
    #[serde(default)]
    pub phases: Vec<PhaseRecord>,
    /// For an ABI matrix pairing: what was checked per function and what did not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<crate::matrix::summary::Summary>,
}

fn first_line() -> usize {
    1
}

/// Identity of everything that produced the results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fingerprint {
    pub rustc: RustcFingerprint,
    #[serde(default)]
    pub clang_cl: Option<ToolInfo>,
    #[serde(default)]
    pub linker: Option<ToolInfo>,
    #[serde(default)]
    pub msvc: Option<Msvc>,
    pub runner: RunnerInfo,
    /// The machine the harness ran on (`os-arch`).
    #[serde(default)]
    pub host: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RustcFingerprint {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub rustup_name: Option<String>,
    #[serde(default)]
    pub path: String,
    pub release: String,
    #[serde(default)]
    pub commit_hash: Option<String>,
    #[serde(default)]
    pub commit_date: Option<String>,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub llvm: Option<String>,
}

/// First line of the JSONL file, and the head of `report.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    #[serde(rename = "type")]
    pub record_type: HeaderType,
    pub schema_version: u32,
    #[serde(default)]
    pub harness_version: String,
    #[serde(default)]
    pub run_id: String,
    #[serde(default)]
    pub started_unix_ms: u64,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub suites_root: String,
    #[serde(default)]
    pub tiers: Vec<Tier>,
    pub fingerprint: Fingerprint,
}

impl Header {
    /// A header for a run now, with this process's command line.
    pub fn new(
        run_id: String,
        suites_root: &std::path::Path,
        tiers: Vec<Tier>,
        fingerprint: Fingerprint,
    ) -> Header {
        Header {
            record_type: HeaderType::Header,
            schema_version: SCHEMA_VERSION,
            harness_version: env!("CARGO_PKG_VERSION").to_string(),
            run_id,
            started_unix_ms: now_unix_ms(),
            command: std::env::args().collect(),
            suites_root: suites_root.display().to_string(),
            tiers,
            fingerprint,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
pub struct Summary {
    #[serde(default)]
    pub total: usize,
    #[serde(default)]
    pub by_status: BTreeMap<String, usize>,
    #[serde(default)]
    pub duration_ms: u64,
    /// Over every case: how many subjects each rule judged and did not, by rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub coverage: BTreeMap<String, RuleTotals>,
}

/// One rule's totals over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTotals {
    pub judged: usize,
    pub not_judged: usize,
}

impl Summary {
    pub fn of(cases: &[CaseRecord], duration_ms: u64) -> Summary {
        let mut by_status = BTreeMap::new();
        let mut coverage: BTreeMap<String, RuleTotals> = BTreeMap::new();
        for c in cases {
            *by_status.entry(c.status.name().to_string()).or_insert(0) += 1;
            for (rule, r) in c.coverage().0 {
                let t = coverage.entry(rule).or_default();
                t.judged += r.judged;
                t.not_judged += r.not_judged.len();
            }
        }
        Summary { total: cases.len(), by_status, duration_ms, coverage }
    }
}

impl CaseRecord {
    /// What the case's checks judged and did not, over all its phases.
    pub fn coverage(&self) -> Coverage {
        let mut c = Coverage::default();
        for p in &self.phases {
            c.merge(p.coverage.clone());
        }
        c
    }
}

/// The final `report.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub header: Header,
    pub cases: Vec<CaseRecord>,
    pub summary: Summary,
}

impl Report {
    /// Whether any case failed, errored, timed out or unexpectedly passed.
    pub fn failed(&self) -> bool {
        self.cases.iter().any(|c| c.status.is_failure())
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The first error of a failed step, as the report keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstError {
    /// The error's line as the tool printed it.
    pub message: String,
    /// The file the tool names, as it names it (relative to the command's directory, or
    /// absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}
