//! The first error a failed build step printed, and the place it names: rustc's
//! `error[E0277]: …` with its `--> file:line:col` (or the JSON diagnostic of
//! `--error-format=json`), clang-cl's and cl's `file(line,col): error …`, clang's
//! `file:line:col: error: …`, and a tool's own `lld-link: error: …` (no place).

use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// Lines of the first error's block kept for a reason (the rest is in the report).
const MAX_BLOCK_LINES: usize = 9;

pub use crate::report::FirstError;

/// A first error with the lines the tool printed for it (its location, snippet, notes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub error: FirstError,
    pub block: Vec<String>,
}

struct Patterns {
    /// `file(line[,col]): [fatal ]error[ C1234]: …` (cl, clang-cl).
    paren: Regex,
    /// `file:line:col: [fatal ]error: …` (clang, gcc).
    colon: Regex,
    /// `error[E0277]: …`, `tool: error: …`, `LINK : fatal error LNK1181: …`.
    plain: Regex,
    /// rustc's `  --> file:line:col`.
    arrow: Regex,
    /// Any diagnostic's first line (ends the block of the one before).
    header: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("a valid pattern");
        Patterns {
            paren: re(r"^(.+?)\((\d+)(?:,(\d+))?\)\s?: (?:fatal )?error\b"),
            colon: re(r"^(.+?):(\d+):(\d+): (?:fatal )?error\b"),
            plain: re(r"^(?:[^\s:][^:]*?\s?: )?(?:fatal )?error(?:\[E\d+\]| [A-Z]+\d+)?: "),
            arrow: re(r"^\s*--> (.+):(\d+):(\d+)\s*$"),
            header: re(r"^(?:\S.*?: )?(?:fatal )?(?:error|warning)(?:\[\w+\]| [A-Z]+\d+)?: "),
        }
    })
}

/// What rustc says after the errors, which are never the first error.
fn is_epilogue(line: &str) -> bool {
    ["aborting due to", "could not compile"].iter().any(|s| line.contains(s))
}

/// The first error in a step's output (stderr, or stdout where cl writes them).
pub fn first_error(text: &str) -> Option<Found> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('{') {
            if let Some(found) = json_error(line) {
                return Some(found);
            }
            continue;
        }
        if is_epilogue(line) {
            continue;
        }
        if let Some(found) = text_error(&lines, i) {
            return Some(found);
        }
    }
    None
}

fn text_error(lines: &[&str], i: usize) -> Option<Found> {
    let p = patterns();
    let line = lines[i];
    let num = |m: Option<regex::Match>| m.and_then(|m| m.as_str().parse().ok());
    let placed = p.paren.captures(line).or_else(|| p.colon.captures(line));
    let mut error = match placed {
        Some(c) => FirstError {
            message: line.to_string(),
            file: c.get(1).map(|m| m.as_str().to_string()),
            line: num(c.get(2)),
            column: num(c.get(3)),
        },
        None if p.plain.is_match(line) => {
            FirstError { message: line.to_string(), file: None, line: None, column: None }
        }
        None => return None,
    };
    let block = block(lines, i);
    if error.file.is_none()
        && let Some(c) = block.iter().skip(1).take(3).find_map(|l| p.arrow.captures(l))
    {
        error.file = c.get(1).map(|m| m.as_str().to_string());
        error.line = num(c.get(2));
        error.column = num(c.get(3));
    }
    Some(Found { error, block })
}

/// The lines of the diagnostic starting at `i`: up to a blank line or the next diagnostic.
fn block(lines: &[&str], i: usize) -> Vec<String> {
    let mut out = vec![lines[i].to_string()];
    for l in lines.iter().skip(i + 1) {
        if l.trim().is_empty() || patterns().header.is_match(l) || out.len() >= MAX_BLOCK_LINES {
            break;
        }
        out.push(l.to_string());
    }
    out
}

/// One line of rustc's `--error-format=json`: an error, with its primary span.
fn json_error(line: &str) -> Option<Found> {
    let v: Value = serde_json::from_str(line).ok()?;
    let level = v.get("level").and_then(Value::as_str)?;
    let message = v.get("message").and_then(Value::as_str)?;
    if !level.starts_with("error") || is_epilogue(message) {
        return None;
    }
    let code = v.pointer("/code/code").and_then(Value::as_str);
    let head = match code {
        Some(c) => format!("{level}[{c}]: {message}"),
        None => format!("{level}: {message}"),
    };
    let primary = crate::check::diagnostics::primary_span(&v);
    let at = |k: &str| primary.and_then(|s| s.get(k)).and_then(Value::as_u64).map(|n| n as usize);
    let error = FirstError {
        message: head.clone(),
        file: primary.and_then(|s| s.get("file_name")).and_then(Value::as_str).map(String::from),
        line: at("line_start"),
        column: at("column_start"),
    };
    let rendered = v.get("rendered").and_then(Value::as_str).unwrap_or("");
    let mut block: Vec<String> =
        rendered.lines().map(|l| l.trim_end().to_string()).take(MAX_BLOCK_LINES).collect();
    if block.is_empty() {
        block.push(head);
    }
    Some(Found { error, block })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, Option<String>, Option<usize>, Option<usize>) {
        let f = first_error(text).expect("an error").error;
        (f.message, f.file, f.line, f.column)
    }

    #[test]
    fn each_form_gives_its_line_and_place() {
        let (m, f, l, c) =
            at("warning: unused\n\nerror[E0308]: mismatched types\n --> C:\\s\\lib.rs:3:40\n  |\n");
        assert_eq!(
            (m.as_str(), f.as_deref(), l, c),
            ("error[E0308]: mismatched types", Some("C:\\s\\lib.rs"), Some(3), Some(40))
        );
        let (_, f, l, c) = at("x.c(7,5): error: use of undeclared identifier 'y'\n");
        assert_eq!((f.as_deref(), l, c), (Some("x.c"), Some(7), Some(5)));
        let (_, f, l, c) = at("C:\\w\\x.c(12): error C2065: 'y': undeclared identifier\n");
        assert_eq!((f.as_deref(), l, c), (Some("C:\\w\\x.c"), Some(12), None));
        let (_, f, l, c) = at("/w/x.S:4:9: error: unknown instruction\n");
        assert_eq!((f.as_deref(), l, c), (Some("/w/x.S"), Some(4), Some(9)));
        let (m, f, ..) = at("rust-lld: error: undefined symbol: foo\n>>> referenced by a.o\n");
        assert_eq!((m.as_str(), f), ("rust-lld: error: undefined symbol: foo", None));
        let (m, ..) = at("LINK : fatal error LNK1181: cannot open input file 'a.obj'\n");
        assert!(m.starts_with("LINK : fatal error LNK1181"));
        assert!(first_error("error: aborting due to 1 previous error\n").is_none());
        assert!(first_error("warning: unused variable\n1 warning emitted\n").is_none());
    }
}
