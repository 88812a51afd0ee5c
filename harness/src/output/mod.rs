//! CI-native output of a finished run: GitHub Actions annotations, groups and a step
//! summary ([`github`]), JUnit XML for other CI systems ([`junit`]), and a repro bundle per
//! failure ([`repro`]). Annotations and JUnit point each failure at the fixture line that
//! declares the failing check ([`locate`]).

pub mod github;
pub mod junit;
pub mod repro;

use crate::report::CaseRecord;
use std::path::Path;

/// Where to point a failing case: the fixture and the line declaring what failed — the
/// `//@ sig:` of the function a thunk finding names, the annotation of a diagnostic, the
/// `exit-code` or `expect-finding` directive, else the case's `tier` line.
pub fn locate(r: &CaseRecord) -> (String, usize) {
    if let Some(m) = &r.matrix {
        return locate_matrix(r, m);
    }
    let text = std::fs::read_to_string(&r.fixture).unwrap_or_default();
    let line_of = |pred: &dyn Fn(&str) -> bool| {
        text.lines().position(|l| l.trim_start().starts_with("//@") && pred(l)).map(|i| i + 1)
    };
    let findings = r.phases.iter().flat_map(|p| p.findings.iter());
    let mut line = None;
    for f in findings {
        line = match f.rule.as_str() {
            "diag.missing" => f.offset.map(|o| o as usize),
            rule if rule.starts_with("thunk.name") => f.symbol.as_deref().and_then(|s| {
                let plain = crate::inspect::roles::plain_name(s).unwrap_or_else(|| s.to_string());
                line_of(&|l: &str| l.contains("sig:") && l.contains(&format!(" {plain} ")))
            }),
            "run.exit-code" => line_of(&|l: &str| l.contains("exit-code")),
            _ => None,
        };
        if line.is_some() {
            break;
        }
    }
    let line = line
        .or_else(|| {
            r.phases
                .iter()
                .any(|p| p.message.as_deref().is_some_and(|m| m.starts_with("expected findings")))
                .then(|| line_of(&|l: &str| l.contains("expect-finding")))
                .flatten()
        })
        .unwrap_or(r.line.max(1));
    (relative(&r.fixture), line)
}

/// An ABI matrix pairing: the `.sigs` line of the first unexpected failure described by
/// hand, or the `expectations.toml` rule of a fixed function, else `abi.toml`.
fn locate_matrix(r: &CaseRecord, m: &crate::matrix::summary::Summary) -> (String, usize) {
    let dir = Path::new(&r.fixture).parent().unwrap_or(Path::new(""));
    let at = |file: &str, line: &str| {
        (relative(&dir.join(file).display().to_string()), line.parse().unwrap_or(1))
    };
    let unexpected = m.failures.iter().filter(|f| f.expected.is_none());
    for f in unexpected {
        if let Some((file, line)) = f.origin.split_once(':')
            && file.ends_with(".sigs")
        {
            return at(file, line);
        }
    }
    if let Some(fixed) = m.fixed.first()
        && let Some(rest) = fixed.split("expectations.toml:").nth(1)
    {
        let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return at("expectations.toml", &line);
    }
    (relative(&r.fixture), r.line.max(1))
}

/// A path relative to the current directory (the workspace on CI), when it is below it.
pub fn relative(path: &str) -> String {
    let p = Path::new(path);
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| path.to_string())
}
