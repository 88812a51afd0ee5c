//! Crash-safe report output: the header and each finished case are appended to a JSONL
//! file with one `write` per line and flushed at once, so a SIGKILL loses nothing finished.
//! `finish` writes `report.json` atomically.

use super::{CaseRecord, Header, Report, SCHEMA_VERSION, Summary};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct ReportWriter {
    jsonl_path: PathBuf,
    json_path: PathBuf,
    jsonl: File,
    header: Header,
    cases: Vec<CaseRecord>,
}

/// `report.json` → `report.jsonl`.
pub fn jsonl_path_for(json: &Path) -> PathBuf {
    json.with_extension("jsonl")
}

impl ReportWriter {
    /// Create (truncate) the JSONL file beside `json_path` and write the header line.
    pub fn create(json_path: &Path, header: Header) -> Result<Self> {
        let jsonl_path = jsonl_path_for(json_path);
        if let Some(dir) = jsonl_path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(dir, "create the report directory", &e))?;
        }
        let jsonl = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&jsonl_path)
            .map_err(|e| Error::io(&jsonl_path, "create the report", &e))?;
        let mut w = ReportWriter {
            jsonl_path,
            json_path: json_path.to_path_buf(),
            jsonl,
            header,
            cases: Vec::new(),
        };
        let line = serde_json::to_value(&w.header)
            .map_err(|e| Error::msg(format!("serialize header: {e}")))?;
        w.write_line(&line)?;
        Ok(w)
    }

    pub fn jsonl_path(&self) -> &Path {
        &self.jsonl_path
    }

    fn write_line(&mut self, value: &serde_json::Value) -> Result<()> {
        let mut line =
            serde_json::to_vec(value).map_err(|e| Error::msg(format!("serialize record: {e}")))?;
        line.push(b'\n');
        self.jsonl
            .write_all(&line)
            .and_then(|()| self.jsonl.flush())
            .map_err(|e| Error::io(&self.jsonl_path, "append to the report", &e))
    }

    /// Append one finished case.
    pub fn append(&mut self, record: CaseRecord) -> Result<()> {
        let v = serde_json::to_value(&record)
            .map_err(|e| Error::msg(format!("serialize record: {e}")))?;
        self.write_line(&v)?;
        self.cases.push(record);
        Ok(())
    }

    /// Write `report.json` (cases sorted by key) and return it.
    pub fn finish(mut self, duration_ms: u64) -> Result<Report> {
        self.cases.sort_by(|a, b| a.key.cmp(&b.key));
        let summary = Summary::of(&self.cases, duration_ms);
        let report = Report {
            schema_version: SCHEMA_VERSION,
            header: self.header,
            cases: self.cases,
            summary,
        };
        let bytes = serde_json::to_vec_pretty(&report)
            .map_err(|e| Error::msg(format!("serialize report: {e}")))?;
        crate::paths::write_atomic(&self.json_path, &bytes)
            .map_err(|e| Error::io(&self.json_path, "write the report", &e))?;
        Ok(report)
    }
}
