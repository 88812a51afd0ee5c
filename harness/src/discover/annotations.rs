//! Expected-diagnostic annotations, in the ui_test manner: `//~ ERROR text` expects an
//! error whose message contains `text` on this line; `//~^ ERROR` one line up (one `^`
//! per line); `//~| ERROR` the same line as the previous annotation. Kinds: ERROR, WARN
//! (or WARNING), NOTE, HELP.

use crate::error::Error;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiagKind {
    Error,
    Warn,
    Note,
    Help,
}

impl DiagKind {
    pub fn name(self) -> &'static str {
        match self {
            DiagKind::Error => "ERROR",
            DiagKind::Warn => "WARN",
            DiagKind::Note => "NOTE",
            DiagKind::Help => "HELP",
        }
    }

    /// The kind of a rustc JSON diagnostic `level`.
    pub fn from_level(level: &str) -> Option<DiagKind> {
        match level {
            "error" | "error: internal compiler error" => Some(DiagKind::Error),
            "warning" => Some(DiagKind::Warn),
            "note" | "failure-note" => Some(DiagKind::Note),
            "help" => Some(DiagKind::Help),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The line the diagnostic is expected on.
    pub line: usize,
    pub kind: DiagKind,
    pub text: String,
    /// Where the annotation is written.
    pub written_line: usize,
    pub column: usize,
}

pub fn parse(path: &Path, text: &str) -> (Vec<Annotation>, Vec<Error>) {
    let mut out: Vec<Annotation> = Vec::new();
    let mut errors = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let Some(at) = raw.find("//~") else { continue };
        let column = raw[..at].chars().count() + 1;
        let rest = &raw[at + 3..];
        let (target, rest) = if let Some(r) = rest.strip_prefix('|') {
            match out.last() {
                Some(prev) => (Some(prev.line), r),
                None => {
                    errors.push(Error::at(
                        path,
                        line_no,
                        column,
                        "`//~|` needs an annotation before it",
                    ));
                    continue;
                }
            }
        } else {
            let ups = rest.chars().take_while(|c| *c == '^').count();
            (line_no.checked_sub(ups).filter(|l| *l >= 1), &rest[ups..])
        };
        let Some(target) = target else {
            errors.push(Error::at(path, line_no, column, "`//~^` points above the first line"));
            continue;
        };
        if rest.starts_with('[') {
            errors.push(Error::at(
                path,
                line_no,
                column,
                "per-revision annotations (`//~[rev]`) are not supported",
            ));
            continue;
        }
        let rest = rest.trim_start();
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let kind = match word.as_str() {
            "ERROR" => DiagKind::Error,
            "WARN" | "WARNING" => DiagKind::Warn,
            "NOTE" => DiagKind::Note,
            "HELP" => DiagKind::Help,
            _ => {
                errors.push(Error::at(
                    path,
                    line_no,
                    column,
                    format!("unknown annotation kind `{word}`: expected `//~ ERROR text` (or WARN, NOTE, HELP)"),
                ));
                continue;
            }
        };
        let message = rest[word.len()..].trim().to_string();
        if message.is_empty() {
            errors.push(Error::at(
                path,
                line_no,
                column,
                format!("`//~ {word}` needs the text the message must contain"),
            ));
            continue;
        }
        out.push(Annotation { line: target, kind, text: message, written_line: line_no, column });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_and_their_errors() {
        let text = "fn f() {} //~ ERROR cannot use register\n//~^ WARN unused\n//~| NOTE here\n  //~^^ HELP x\n";
        let (a, e) = parse(Path::new("a.rs"), text);
        assert!(e.is_empty(), "{e:?}");
        let got: Vec<_> = a.iter().map(|a| (a.line, a.kind, a.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, DiagKind::Error, "cannot use register"),
                (1, DiagKind::Warn, "unused"),
                (1, DiagKind::Note, "here"),
                (2, DiagKind::Help, "x")
            ]
        );
        let (_, e) = parse(Path::new("a.rs"), "//~^ ERROR up\nx //~ BOOM y\n//~| \nz //~ ERROR\n");
        let msgs: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        assert!(msgs[0].starts_with("a.rs:1:1: `//~^` points above"), "{msgs:?}");
        assert!(msgs[1].contains("a.rs:2:3: unknown annotation kind `BOOM`"), "{msgs:?}");
        assert!(msgs[2].contains("a.rs:3:1: `//~|` needs an annotation"), "{msgs:?}");
        assert!(msgs[3].contains("a.rs:4:3: `//~ ERROR` needs the text"), "{msgs:?}");
    }
}
