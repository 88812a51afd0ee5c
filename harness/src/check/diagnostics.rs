//! Compiler diagnostics against a fixture's `//~` annotations.
//!
//! - `diag.missing`: an annotated diagnostic was not reported on its line;
//! - `diag.unexpected`: an error was reported that no annotation expects (warnings, notes
//!   and help are only checked where annotated);
//! - `build.unexpected-success`: a `build-fail` case built;
//! - `build.ice`: the compiler crashed instead of reporting an error.

use super::Finding;
use crate::discover::annotations::{Annotation, DiagKind};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: DiagKind,
    pub message: String,
    /// Line of the primary span, when it has one.
    pub line: Option<usize>,
    pub file: Option<String>,
}

/// The diagnostics in rustc's `--error-format=json` output; other lines are ignored.
pub fn parse_rustc_json(stderr: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for line in stderr.lines().filter(|l| l.starts_with('{')) {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        if v.get("$message_type").and_then(Value::as_str) != Some("diagnostic") {
            continue;
        }
        collect(&v, None, &mut out);
    }
    out
}

/// The primary span of one rustc JSON diagnostic (the first span where none is marked).
pub fn primary_span(v: &Value) -> Option<&Value> {
    let spans = v.get("spans")?.as_array()?;
    spans
        .iter()
        .find(|s| s.get("is_primary").and_then(Value::as_bool) == Some(true))
        .or(spans.first())
}

fn collect(v: &Value, parent: Option<(usize, String)>, out: &mut Vec<Diagnostic>) {
    let Some(kind) = v.get("level").and_then(Value::as_str).and_then(DiagKind::from_level) else {
        return;
    };
    let message = v.get("message").and_then(Value::as_str).unwrap_or("").to_string();
    let place = primary_span(v)
        .and_then(|s| {
            let line = s.get("line_start").and_then(Value::as_u64)? as usize;
            let file = s.get("file_name").and_then(Value::as_str)?.to_string();
            Some((line, file))
        })
        .or(parent);
    out.push(Diagnostic {
        kind,
        message,
        line: place.as_ref().map(|p| p.0),
        file: place.as_ref().map(|p| p.1.clone()),
    });
    for child in v.get("children").and_then(Value::as_array).into_iter().flatten() {
        collect(child, place.clone(), out);
    }
}

/// Match diagnostics of the fixture `file_name` against its annotations.
pub fn check(annotations: &[Annotation], diags: &[Diagnostic], file_name: &str) -> Vec<Finding> {
    let mut used = vec![false; diags.len()];
    let mut out = Vec::new();
    let in_fixture = |d: &Diagnostic| d.file.as_deref().is_none_or(|f| f.ends_with(file_name));
    for a in annotations {
        let hit = diags.iter().enumerate().position(|(i, d)| {
            !used[i]
                && d.kind == a.kind
                && d.line == Some(a.line)
                && in_fixture(d)
                && d.message.contains(&a.text)
        });
        match hit {
            Some(i) => used[i] = true,
            None => {
                let near: Vec<String> = diags
                    .iter()
                    .filter(|d| d.kind == a.kind && d.line == Some(a.line))
                    .map(|d| format!("`{}`", d.message))
                    .collect();
                let seen = if near.is_empty() {
                    String::new()
                } else {
                    format!("; that line has {}", near.join(", "))
                };
                out.push(
                    Finding::new(
                        "diag.missing",
                        format!(
                            "expected {} containing `{}` on line {}{seen}",
                            a.kind.name(),
                            a.text,
                            a.line
                        ),
                    )
                    .in_file(file_name)
                    .offset(a.line as u64),
                );
            }
        }
    }
    for (i, d) in diags.iter().enumerate() {
        let noise = d.line.is_none()
            && (d.message.starts_with("aborting due to") || d.message.contains("previous error"));
        if !used[i] && d.kind == DiagKind::Error && !noise {
            let at = d.line.map(|l| format!(" on line {l}")).unwrap_or_default();
            out.push(
                Finding::new("diag.unexpected", format!("unannotated error{at}: {}", d.message))
                    .in_file(file_name),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"$message_type":"diagnostic","message":"cannot use register `x13`: x13, x14, x23, x24, x28, v16-v31, p*, ffr cannot be used for Arm64EC","code":null,"level":"error","spans":[{"file_name":"asm.rs","line_start":7,"is_primary":true}],"children":[],"rendered":"error"}
{"$message_type":"diagnostic","message":"aborting due to 1 previous error","code":null,"level":"error","spans":[],"children":[],"rendered":"x"}
not json"#;

    fn ann(line: usize, kind: DiagKind, text: &str) -> Annotation {
        Annotation { line, kind, text: text.into(), written_line: line, column: 1 }
    }

    #[test]
    fn matches_by_line_kind_and_text() {
        let d = parse_rustc_json(JSON);
        assert_eq!(d.len(), 2);
        assert!(
            check(&[ann(7, DiagKind::Error, "cannot use register `x13`")], &d, "asm.rs").is_empty()
        );
        let f = check(&[ann(8, DiagKind::Error, "cannot use register `x13`")], &d, "asm.rs");
        let rules: Vec<_> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["diag.missing", "diag.unexpected"], "{f:?}");
        let f = check(&[], &d, "asm.rs");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("on line 7"), "{}", f[0].message);
    }
}
