//! Cross-line checks of a fixture's directives: revisions declared once and not
//! per-revision, every `[rev]` declared, no single-valued directive twice in one scope, a
//! function's signature given once, and no contradictory run expectations.

use super::item::{Directive, Item};
use crate::error::Error;
use std::path::Path;

/// Cross-line checks: revisions declared once and not per-revision, every `[rev]` declared,
/// no single-valued directive (nor a function's signature) twice in one scope, and no
/// contradictory run expectations.
pub(super) fn validate(path: &Path, dirs: &[Directive], errors: &mut Vec<Error>) {
    let declared = declared_revisions(path, dirs, errors);
    undeclared_revisions(path, dirs, declared, errors);
    // A function's signature is given once per scope.
    let sig = |d: &Directive| match &d.item {
        Item::Sig(name, _) => Some(format!("the signature of `{name}` is given twice")),
        _ => None,
    };
    once_per_scope(path, dirs, sig, errors);
    let single = |d: &Directive| {
        d.once_per_scope.then(|| format!("`{}` given twice for the same scope", d.name))
    };
    once_per_scope(path, dirs, single, errors);
    run_expectations(path, dirs, errors);
}

/// The revisions the one `revisions` directive declares; a second one, or a per-revision
/// one, is an error.
fn declared_revisions<'a>(
    path: &Path,
    dirs: &'a [Directive],
    errors: &mut Vec<Error>,
) -> &'a [String] {
    let mut declared: Option<(&Vec<String>, usize)> = None;
    for d in dirs {
        let Item::Revisions(revs) = &d.item else { continue };
        if !d.revisions.is_empty() {
            errors.push(Error::at(path, d.line, d.column, "`revisions` cannot be per-revision"));
        } else if let Some((_, first)) = declared {
            let msg = format!("`revisions` declared twice (first at line {first})");
            errors.push(Error::at(path, d.line, d.column, msg));
        } else {
            declared = Some((revs, d.line));
        }
    }
    declared.map(|(r, _)| r.as_slice()).unwrap_or(&[])
}

/// Every `//@[rev]` names a declared revision.
fn undeclared_revisions(
    path: &Path,
    dirs: &[Directive],
    declared: &[String],
    errors: &mut Vec<Error>,
) {
    let known = if declared.is_empty() {
        "no revisions are declared (add `//@ revisions: ...`)".to_string()
    } else {
        format!("declared revisions: {}", declared.join(", "))
    };
    for d in dirs {
        for (rev, col) in d.revisions.iter().zip(&d.revision_columns) {
            if !declared.contains(rev) {
                let msg = format!("undeclared revision `{rev}`; {known}");
                errors.push(Error::at(path, d.line, *col, msg));
            }
        }
    }
}

/// Directives `what` picks may appear once per scope (the common directives, or one
/// revision's); `what` says what a second one is (`X given twice`), which also tells them apart.
fn once_per_scope(
    path: &Path,
    dirs: &[Directive],
    what: impl Fn(&Directive) -> Option<String>,
    errors: &mut Vec<Error>,
) {
    let mut seen: Vec<(String, Option<&str>, usize)> = Vec::new();
    for d in dirs {
        let Some(name) = what(d) else { continue };
        let scopes: Vec<Option<&str>> = if d.revisions.is_empty() {
            vec![None]
        } else {
            d.revisions.iter().map(|r| Some(r.as_str())).collect()
        };
        for scope in scopes {
            match seen.iter().find(|(n, s, _)| *n == name && *s == scope) {
                Some((_, _, first)) => {
                    let msg = format!("{name} (first at line {first})");
                    errors.push(Error::at(path, d.line, d.column, msg));
                }
                None => seen.push((name.clone(), scope, d.line)),
            }
        }
    }
}

/// `run-pass` contradicts `run-fail` and a non-zero `exit-code`.
fn run_expectations(path: &Path, dirs: &[Directive], errors: &mut Vec<Error>) {
    let pass = dirs.iter().find(|d| d.item == Item::RunPass);
    let fail = dirs.iter().find(|d| match d.item {
        Item::RunFail => true,
        Item::ExitCode(c) => c != 0,
        _ => false,
    });
    if let (Some(p), Some(f)) = (pass, fail) {
        let msg =
            format!("contradicts `run-pass` at line {}: the run cannot both pass and fail", p.line);
        errors.push(Error::at(path, f.line, f.column, msg));
    }
}
