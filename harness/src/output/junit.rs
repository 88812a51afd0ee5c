//! JUnit XML: one `<testsuite>` per suite, one `<testcase>` per trial; failures, errors and
//! ignored trials as `<failure>`, `<error>` and `<skipped>` with their reasons. A run of
//! several toolchains gives one `<testsuite>` per toolchain and suite, named
//! `<toolchain>/<suite>`, with the toolchain in each testcase's `classname` too.

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

/// `tests`, `failures`, `errors`, `skipped` of some cases.
fn counts<'a>(cases: impl Iterator<Item = &'a CaseRecord>) -> String {
    let (mut n, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for c in cases {
        n += 1;
        match c.status {
            Status::Failed | Status::Fixed => failures += 1,
            Status::Error | Status::Timeout => errors += 1,
            Status::Ignored => skipped += 1,
            Status::Passed | Status::ExpectedFailure => {}
        }
    }
    format!("tests=\"{n}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\"")
}

/// The XML of one or more reports (one per toolchain).
pub fn render(reports: &[Report]) -> String {
    let many = reports.len() > 1;
    let mut suites: BTreeMap<String, Vec<&CaseRecord>> = BTreeMap::new();
    for r in reports {
        for c in &r.cases {
            let name =
                if many { format!("{}/{}", toolchain_label(r), c.suite) } else { c.suite.clone() };
            suites.entry(name).or_default().push(c);
        }
    }
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all = reports.iter().flat_map(|r| r.cases.iter());
    let _ = writeln!(o, "<testsuites name=\"arm64ec-conformance\" {}>", counts(all));
    for (suite, cases) in &suites {
        let _ =
            writeln!(o, "  <testsuite name=\"{}\" {}>", esc(suite), counts(cases.iter().copied()));
        for c in cases {
            testcase(&mut o, suite, c);
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    o.push_str("</testsuites>\n");
    o
}

/// How a report names its toolchain: the rustup name (or label), else the release.
fn toolchain_label(r: &Report) -> String {
    let rustc = &r.header.fingerprint.rustc;
    if rustc.label.is_empty() { rustc.release.clone() } else { rustc.label.clone() }
}

fn testcase(o: &mut String, suite: &str, c: &CaseRecord) {
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
    let _ = match c.status {
        Status::Passed | Status::ExpectedFailure => writeln!(o, "/>"),
        Status::Ignored => {
            writeln!(o, ">\n      <skipped message=\"{first}\"/>\n    </testcase>")
        }
        Status::Failed | Status::Fixed => writeln!(
            o,
            ">\n      <failure message=\"{first}\" type=\"{}\">{reason}</failure>\n    </testcase>",
            c.status
        ),
        Status::Error | Status::Timeout => writeln!(
            o,
            ">\n      <error message=\"{first}\" type=\"{}\">{reason}</error>\n    </testcase>",
            c.status
        ),
    };
}

pub fn write(reports: &[Report], path: &std::path::Path) -> std::io::Result<()> {
    crate::paths::write_atomic(path, render(reports).as_bytes())
}
