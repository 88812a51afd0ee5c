//! JUnit XML: one `<testsuite>` per suite, one `<testcase>` per trial; failures, errors and
//! ignored trials as `<failure>`, `<error>` and `<skipped>` with their reasons.

use super::locate;
use crate::model::Status;
use crate::report::{CaseRecord, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(report: &Report) -> String {
    let mut suites: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for c in &report.cases {
        suites.entry(c.suite.as_str()).or_default().push(c);
    }
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count =
        |cs: &[&CaseRecord], f: &dyn Fn(Status) -> bool| cs.iter().filter(|c| f(c.status)).count();
    let _ = writeln!(
        o,
        "<testsuites name=\"arm64ec-conformance\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        report.cases.len(),
        count(&report.cases.iter().collect::<Vec<_>>(), &|s| matches!(
            s,
            Status::Failed | Status::Fixed
        )),
        count(&report.cases.iter().collect::<Vec<_>>(), &|s| matches!(
            s,
            Status::Error | Status::Timeout
        )),
        count(&report.cases.iter().collect::<Vec<_>>(), &|s| s == Status::Ignored),
    );
    for (suite, cases) in &suites {
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            esc(suite),
            cases.len(),
            count(cases, &|s| matches!(s, Status::Failed | Status::Fixed)),
            count(cases, &|s| matches!(s, Status::Error | Status::Timeout)),
            count(cases, &|s| s == Status::Ignored),
        );
        for c in cases {
            let (file, line) = locate(c);
            let _ = write!(
                o,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\" file=\"{}\" line=\"{line}\"",
                esc(&c.key.to_string()),
                esc(suite),
                c.duration_ms as f64 / 1000.0,
                esc(&file)
            );
            let reason = esc(c.reason.as_deref().unwrap_or(""));
            let first = reason.lines().next().unwrap_or("").to_string();
            match c.status {
                Status::Passed | Status::ExpectedFailure => {
                    let _ = writeln!(o, "/>");
                }
                Status::Ignored => {
                    let _ = writeln!(o, ">\n      <skipped message=\"{first}\"/>\n    </testcase>");
                }
                Status::Failed | Status::Fixed => {
                    let _ = writeln!(
                        o,
                        ">\n      <failure message=\"{first}\" type=\"{}\">{reason}</failure>\n    </testcase>",
                        c.status
                    );
                }
                Status::Error | Status::Timeout => {
                    let _ = writeln!(
                        o,
                        ">\n      <error message=\"{first}\" type=\"{}\">{reason}</error>\n    </testcase>",
                        c.status
                    );
                }
            }
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    o.push_str("</testsuites>\n");
    o
}

pub fn write(report: &Report, path: &std::path::Path) -> std::io::Result<()> {
    crate::paths::write_atomic(path, render(report).as_bytes())
}
