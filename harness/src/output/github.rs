//! GitHub Actions: `::error` annotations (at most ten, regressions first, each at the
//! fixture line of the failing check), a `::group::` per failing case with its findings,
//! and a Markdown step summary kept under 1 MiB.

use super::locate;
use crate::model::Status;
use crate::report::{CaseRecord, Report};
use std::fmt::Write;

pub const MAX_ANNOTATIONS: usize = 10;
pub const MAX_SUMMARY_BYTES: usize = 1 << 20;

/// Whether this process runs in a GitHub Actions job.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Escape a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow-command property (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error` line.
pub fn error_line(file: &str, line: usize, title: &str, message: &str) -> String {
    format!(
        "::error file={},line={line},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

/// One `::warning` line: what the reader should see that does not fail the job.
pub fn warning_line(file: &str, line: usize, title: &str, message: &str) -> String {
    format!(
        "::warning file={},line={line},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

fn failing(report: &Report) -> Vec<&CaseRecord> {
    report.cases.iter().filter(|c| c.status.is_failure()).collect()
}

/// The annotations for a run: `first` (regressions, already formatted) come first; the
/// run's failing cases fill the rest, up to [`MAX_ANNOTATIONS`].
pub fn annotations(report: &Report, first: &[String]) -> Vec<String> {
    let mut out: Vec<String> = first.iter().take(MAX_ANNOTATIONS).cloned().collect();
    for c in failing(report) {
        if out.len() >= MAX_ANNOTATIONS {
            break;
        }
        let (file, line) = locate(c);
        let reason = c.reason.clone().unwrap_or_default();
        let first_line = reason.lines().next().unwrap_or("").to_string();
        out.push(error_line(&file, line, &format!("{} {}", c.key, c.status), &first_line));
    }
    out
}

/// `::group::` blocks, one per failing case, with every reason line.
pub fn groups(report: &Report) -> String {
    let mut o = String::new();
    for c in failing(report) {
        let _ = writeln!(o, "::group::{} {}", c.status, escape_data(&c.key.to_string()));
        for line in c.reason.as_deref().unwrap_or("").lines() {
            let _ = writeln!(o, "{line}");
        }
        let _ = writeln!(o, "::endgroup::");
    }
    o
}

/// The Markdown step summary: counts, then failing cases, then the rest by status; cut
/// (with a note) before [`MAX_SUMMARY_BYTES`].
pub fn step_summary(report: &Report, preface: &str) -> String {
    let mut o = String::new();
    let fp = &report.header.fingerprint.rustc;
    let _ = writeln!(
        o,
        "## arm64ec-conformance: rustc {} (LLVM {})\n",
        fp.release,
        fp.llvm.as_deref().unwrap_or("?")
    );
    o.push_str(preface);
    let _ = writeln!(o, "| status | trials |\n|---|---|");
    for (k, v) in &report.summary.by_status {
        let _ = writeln!(o, "| {k} | {v} |");
    }
    coverage_table(&mut o, report);
    let _ = writeln!(o, "\n| case | status | reason |\n|---|---|---|");
    let mut rows: Vec<&CaseRecord> = report.cases.iter().collect();
    rows.sort_by_key(|c| {
        (!c.status.is_failure(), c.status != Status::ExpectedFailure, c.key.to_string())
    });
    for c in rows {
        let reason =
            c.reason.as_deref().unwrap_or("").lines().next().unwrap_or("").replace('|', "\\|");
        let row = format!(
            "| `{}` | {} | {} |\n",
            c.key,
            c.status,
            reason.chars().take(300).collect::<String>()
        );
        if o.len() + row.len() > MAX_SUMMARY_BYTES - 256 {
            let _ =
                writeln!(o, "\n_(cut to stay under 1 MiB; the report artifact has every case)_");
            break;
        }
        o.push_str(&row);
    }
    o
}

/// What the checks judged and did not, per rule that left something unjudged: "passed"
/// reads with what it covers.
fn coverage_table(o: &mut String, report: &Report) {
    let cov = &report.summary.coverage;
    let judged: usize = cov.values().map(|t| t.judged).sum();
    let not: usize = cov.values().map(|t| t.not_judged).sum();
    let _ = writeln!(o, "\nChecks: {judged} judgement(s), {not} subject(s) not judged.");
    if not == 0 {
        return;
    }
    let _ = writeln!(o, "\n| rule | judged | not judged |\n|---|---|---|");
    for (rule, t) in cov.iter().filter(|(_, t)| t.not_judged > 0) {
        let _ = writeln!(o, "| `{rule}` | {} | {} |", t.judged, t.not_judged);
    }
}

/// Print annotations and groups, and append the step summary, when running on GitHub.
pub fn emit(report: &Report, first: &[String], preface: &str) {
    if !active() {
        return;
    }
    for a in annotations(report, first) {
        crate::outln!("{a}");
    }
    crate::out!("{}", groups(report));
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        let text = step_summary(report, preface);
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("x::y,z"), "x%3A%3Ay%2Cz");
        assert_eq!(
            error_line("suites/a.rs", 7, "thunks::a failed", "line one\nline two"),
            "::error file=suites/a.rs,line=7,title=thunks%3A%3Aa failed::line one%0Aline two"
        );
    }
}
