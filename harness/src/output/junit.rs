//! JUnit XML: one `<testsuite>` per suite, one `<testcase>` per trial; failures, errors and
//! ignored trials as `<failure>`, `<error>` and `<skipped>` with their reasons. An expected
//! failure is not a plain pass: it is `<skipped type="expected-failure" message="expected
//! failure: <declared reason>">` with what failed as its text (JUnit has no expected-failure
//! element; JUnit readers count `<skipped>` apart from passes and show its message), and a
//! `fixed` case (declared to fail, but passed) is `<failure type="fixed" message="fixed: …">`.
//! Each testcase that is not a plain pass carries its harness status in
//! `<properties><property name="status" …/></properties>`, after the result element. A run of
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
            Status::Ignored | Status::ExpectedFailure => skipped += 1,
            Status::Passed => {}
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
    if c.status == Status::Passed {
        let _ = writeln!(o, "/>");
        return;
    }
    let _ = writeln!(o, ">");
    let _ = match c.status {
        Status::Passed => Ok(()),
        Status::Ignored => writeln!(o, "      <skipped message=\"{first}\"/>"),
        Status::ExpectedFailure => {
            // The declared reason (the known bug, the deviation) when the record has it.
            let declared = c.expected_failure.as_ref().map(|e| esc(&e.reason));
            let why = declared.as_deref().and_then(|d| d.lines().next()).unwrap_or(&first);
            writeln!(
                o,
                "      <skipped type=\"expected-failure\" message=\"expected failure: {why}\">{reason}</skipped>"
            )
        }
        Status::Failed | Status::Fixed => writeln!(
            o,
            "      <failure message=\"{}{first}\" type=\"{}\">{reason}</failure>",
            if c.status == Status::Fixed { "fixed: " } else { "" },
            c.status
        ),
        Status::Error | Status::Timeout => {
            writeln!(o, "      <error message=\"{first}\" type=\"{}\">{reason}</error>", c.status)
        }
    };
    let _ = writeln!(
        o,
        "      <properties><property name=\"status\" value=\"{}\"/></properties>",
        c.status
    );
    let _ = writeln!(o, "    </testcase>");
}

pub fn write(reports: &[Report], path: &std::path::Path) -> std::io::Result<()> {
    crate::paths::write_atomic(path, render(reports).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str, status: &str, reason: &str) -> CaseRecord {
        let v = serde_json::json!({
            "type": "case", "key": key, "status": status, "reason": reason,
            "fixture": "/nonexistent/f.rs", "line": 3,
        });
        serde_json::from_value(v).unwrap()
    }

    fn xml(c: &CaseRecord) -> String {
        let mut o = String::new();
        testcase(&mut o, "s", c);
        o
    }

    #[test]
    fn expected_failures_and_fixed_cases_are_not_plain_passes() {
        let pass = xml(&record("s::ok", "passed", ""));
        assert!(pass.trim_end().ends_with("/>") && !pass.contains("<skipped"), "{pass}");

        let mut bug = record("s::bug", "expected-failure", "thunk.code `f`: wrong\ndetail");
        let declared = serde_json::json!({"kind": "known-bug", "reason": "known bug: https://x/1"});
        bug.expected_failure = Some(serde_json::from_value(declared).unwrap());
        let x = xml(&bug);
        assert!(x.contains(">thunk.code `f`: wrong\ndetail</skipped>"), "{x}");
        assert!(
            x.contains(
                "<skipped type=\"expected-failure\" message=\"expected failure: known bug: https://x/1\">"
            ),
            "{x}"
        );
        assert!(x.contains("<property name=\"status\" value=\"expected-failure\"/>"), "{x}");
        assert!(!x.contains("<failure"), "{x}");

        let fixed = xml(&record("s::f", "fixed", "passed, but the case expects a failure"));
        assert!(fixed.contains("<failure message=\"fixed: passed, but"), "{fixed}");
        assert!(fixed.contains("type=\"fixed\""), "{fixed}");

        let ignored = xml(&record("s::i", "ignored", "needs clang-cl"));
        assert!(ignored.contains("<skipped message=\"needs clang-cl\"/>"), "{ignored}");

        let all = [record("s::ok", "passed", ""), bug, record("s::f", "fixed", "")];
        let n = counts(all.iter());
        assert_eq!(n, "tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\"");
    }
}
