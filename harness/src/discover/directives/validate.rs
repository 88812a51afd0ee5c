//! Cross-line checks of a fixture's directives: revisions declared once and not
//! per-revision, every `[rev]` declared, no single-valued directive twice in one scope, a
//! function's signature given once, and no contradictory run expectations.

use super::item::{Directive, Item};
use crate::error::Error;
use std::path::Path;

/// Cross-line checks: revisions declared once and not per-revision, every `[rev]` declared,
/// no single-valued directive twice in one scope.
pub(super) fn validate(path: &Path, dirs: &[Directive], errors: &mut Vec<Error>) {
    let mut declared: Option<(&Vec<String>, usize)> = None;
    for d in dirs {
        if let Item::Revisions(revs) = &d.item {
            if !d.revisions.is_empty() {
                errors.push(Error::at(
                    path,
                    d.line,
                    d.column,
                    "`revisions` cannot be per-revision",
                ));
            } else if let Some((_, first)) = declared {
                errors.push(Error::at(
                    path,
                    d.line,
                    d.column,
                    format!("`revisions` declared twice (first at line {first})"),
                ));
            } else {
                declared = Some((revs, d.line));
            }
        }
    }
    let declared_names: &[String] = declared.map(|(r, _)| r.as_slice()).unwrap_or(&[]);
    for d in dirs {
        for (rev, col) in d.revisions.iter().zip(&d.revision_columns) {
            if !declared_names.contains(rev) {
                let known = if declared_names.is_empty() {
                    "no revisions are declared (add `//@ revisions: ...`)".to_string()
                } else {
                    format!("declared revisions: {}", declared_names.join(", "))
                };
                errors.push(Error::at(
                    path,
                    d.line,
                    *col,
                    format!("undeclared revision `{rev}`; {known}"),
                ));
            }
        }
    }
    // A function's signature is declared once per scope.
    let mut sigs: Vec<(&str, Option<&str>, usize)> = Vec::new();
    for d in dirs {
        let Item::Sig(name, _) = &d.item else { continue };
        let scopes: Vec<Option<&str>> = if d.revisions.is_empty() {
            vec![None]
        } else {
            d.revisions.iter().map(|r| Some(r.as_str())).collect()
        };
        for scope in scopes {
            if let Some((_, _, first)) = sigs.iter().find(|(n, s, _)| n == name && *s == scope) {
                errors.push(Error::at(
                    path,
                    d.line,
                    d.column,
                    format!("the signature of `{name}` is given twice (first at line {first})"),
                ));
            } else {
                sigs.push((name, scope, d.line));
            }
        }
    }
    // Duplicate single-valued directives within one scope.
    let mut seen: Vec<(&'static str, Option<&str>, usize)> = Vec::new();
    for d in dirs {
        if !d.once_per_scope {
            continue;
        }
        let name = d.name;
        let scopes: Vec<Option<&str>> = if d.revisions.is_empty() {
            vec![None]
        } else {
            d.revisions.iter().map(|r| Some(r.as_str())).collect()
        };
        for scope in scopes {
            if let Some((_, _, first)) = seen.iter().find(|(n, s, _)| *n == name && *s == scope) {
                errors.push(Error::at(
                    path,
                    d.line,
                    d.column,
                    format!("`{name}` given twice for the same scope (first at line {first})"),
                ));
            } else {
                seen.push((name, scope, d.line));
            }
        }
    }
    // `run-pass` contradicts `run-fail` and a non-zero `exit-code`.
    let pass = dirs.iter().find(|d| d.item == Item::RunPass);
    let fail = dirs.iter().find(|d| match d.item {
        Item::RunFail => true,
        Item::ExitCode(c) => c != 0,
        _ => false,
    });
    if let (Some(p), Some(f)) = (pass, fail) {
        errors.push(Error::at(
            path,
            f.line,
            f.column,
            format!("contradicts `run-pass` at line {}: the run cannot both pass and fail", p.line),
        ));
    }
}
