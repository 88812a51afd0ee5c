//! CI-native output of a finished run: GitHub Actions annotations, groups and a step
//! summary ([`github`]), JUnit XML for other CI systems ([`junit`]), and a repro bundle per
//! failure ([`repro`]). Annotations and JUnit point each failure at the fixture line that
//! declares the failing check ([`locate`]).

pub mod bundle;
pub mod github;
pub mod junit;
pub mod repro;

use crate::matrix::summary::Summary as Matrix;
use crate::report::{CaseRecord, PhaseName, PhaseStatus};
use std::path::Path;

/// Where to point a failing case: the file and line the compiler's first error names
/// when it is a source of the case, else the fixture and the line declaring what failed —
/// the `//@ sig:` of the function a thunk finding names, the annotation of a diagnostic,
/// the `exit-code` or `expect-finding` directive, else the case's `tier` line.
pub fn locate(r: &CaseRecord) -> (String, usize) {
    if let Some(m) = &r.matrix {
        return locate_matrix(r, m);
    }
    if let Some(at) = compiler_place(r) {
        return at;
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
fn locate_matrix(r: &CaseRecord, m: &Matrix) -> (String, usize) {
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

/// The place a build's first error names, when it is a file of the case (the fixture's
/// directory holds it): generated sources and the toolchain's own files are no place to
/// point a CI annotation at.
fn compiler_place(r: &CaseRecord) -> Option<(String, usize)> {
    // A `build-fail` case's build failed as it should: its findings say where to look.
    let mut failed =
        r.phases.iter().filter(|p| p.name == PhaseName::Build && p.status == PhaseStatus::Failed);
    let e = failed.find_map(|p| p.first_error.as_ref())?;
    let (file, line) = (e.file.as_deref()?, e.line?);
    let dir = Path::new(&r.fixture).parent()?;
    let norm = |p: &str| p.replace('\\', "/");
    let (file_n, dir_n) = (norm(file), norm(&dir.display().to_string()));
    let inside = if cfg!(windows) {
        file_n.to_lowercase().starts_with(&format!("{}/", dir_n.to_lowercase()))
    } else {
        file_n.starts_with(&format!("{dir_n}/"))
    };
    inside.then(|| (relative(file), line.max(1)))
}

/// A path relative to the current directory (the workspace on CI), when it is below it.
pub fn relative(path: &str) -> String {
    let p = Path::new(path);
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| path.to_string())
}
