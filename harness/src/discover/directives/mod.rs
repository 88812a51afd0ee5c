//! Strict parsing of `//@ name: value` directive lines, in the compiletest / ui_test manner:
//! an unknown name, a malformed value, a duplicate, or a `//@[rev]` for an undeclared
//! revision is an error naming file, line and column. What each directive is — its name,
//! value, scope, parser and doc — is one row of [`table::TABLE`].

mod item;
mod suggest;
pub mod table;
mod validate;
mod values;

pub use super::kinds::{CrateType, ImageKind, LinkMachine, Need};
use crate::error::Error;
pub use item::{Directive, Item};
use std::path::Path;
use values::{Ctx, ItemError};

fn known_names_list() -> String {
    let names: Vec<_> = table::TABLE.iter().map(|s| s.name).collect();
    format!("known directives: {} (`harness directives` explains each)", names.join(", "))
}

fn unknown_directive(name: &str) -> String {
    let names = table::concrete_names();
    match suggest::did_you_mean(name, names.iter().map(String::as_str)) {
        Some(near) => format!(
            "unknown directive `{name}`; did you mean `{near}`? (`harness directives` lists \
             them all)"
        ),
        None => format!("unknown directive `{name}`; {}", known_names_list()),
    }
}

fn is_rev_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parse every directive in `text` (the contents of `path`). Errors are collected, not
/// fatal: the caller gets all of them at once.
pub fn parse(path: &Path, text: &str) -> (Vec<Directive>, Vec<Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let indent = raw.len() - raw.trim_start().len();
        let Some(rest) = raw.trim_start().strip_prefix("//@") else {
            continue;
        };
        let mut col = indent + 4; // 1-based column right after "//@"
        match parse_line(rest, &mut col) {
            Ok(mut d) => {
                d.line = line_no;
                if let Item::Condition(c) = &mut d.item {
                    c.line = line_no;
                }
                out.push(d);
            }
            Err((c, msg)) => errors.push(Error::at(path, line_no, c, msg)),
        }
    }
    validate::validate(path, &out, &mut errors);
    (out, errors)
}

/// Parse the text after `//@`. `col` is the 1-based column of its first character.
fn parse_line(rest: &str, col: &mut usize) -> Result<Directive, (usize, String)> {
    let mut s = rest;
    let mut revisions = Vec::new();
    let mut revision_columns = Vec::new();
    if let Some(after) = s.strip_prefix('[') {
        let Some(end) = after.find(']') else {
            return Err((*col, "unclosed `[` in revision list: expected `//@[rev] name`".into()));
        };
        let mut c = *col + 1;
        for part in after[..end].split(',') {
            let lead = part.len() - part.trim_start().len();
            let name = part.trim();
            if !is_rev_name(name) {
                return Err((c + lead, format!("malformed revision name `{name}` in `[...]`")));
            }
            revisions.push(name.to_string());
            revision_columns.push(c + lead);
            c += part.len() + 1;
        }
        *col += end + 2;
        s = &after[end + 1..];
    }
    let lead = s.len() - s.trim_start().len();
    *col += lead;
    let s = s.trim();
    if s.is_empty() {
        return Err((
            *col,
            format!("empty directive: expected `//@ name: value`; {}", known_names_list()),
        ));
    }
    let (name, value, value_col) = match s.split_once(':') {
        Some((n, v)) => {
            let v_lead = v.len() - v.trim_start().len();
            (n.trim_end(), Some(v.trim()), *col + n.len() + 1 + v_lead)
        }
        None => (s, None, *col + s.len()),
    };
    let Some(spec) = table::lookup(name) else {
        return Err((*col, unknown_directive(name)));
    };
    let item = (spec.parse)(&Ctx { name, value }).map_err(|e| match e {
        ItemError::Name(msg) => (*col, msg),
        ItemError::Value(msg) => (value_col, msg),
        ItemError::ValueAt(at, msg) => (value_col + at, msg),
    })?;
    Ok(Directive {
        name: spec.name,
        revisions,
        revision_columns,
        item,
        line: 0,
        column: *col,
        value_column: value_col,
        once_per_scope: spec.scope == table::Scope::Once,
    })
}
