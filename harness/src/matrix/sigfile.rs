//! `.sigs` files: hand-written signatures for the ABI matrix, one per line.
//!
//! ```text
//! # a comment
//! mixed_regs = fn(i64, f64, {u8, u8, u8}, i32, i32, i32) -> i64
//! by_ref     = fn(&{f32, f32, f32}, u8) -> ()
//! printf_ish = fn(ptr, ...) -> i32 with (f64, i64, i32, f64)
//! ```
//!
//! The signature is the project's notation (`harness oracle` reads it); `&T` passes a
//! pointer to a `T` the callee reads; a variadic function names the types of its tail after
//! `with` (`i32`, `i64`, `f64`, `ptr`: the types C passes unpromoted). Names are C
//! identifiers, unique across the matrix. Errors name the file, line and column.

use super::{FnSpec, Param, TAIL_SCALARS};
use crate::abi::sig::{Scalar, Signature};
use crate::error::Error;
use std::path::Path;

/// The byte offsets of `&` that lead a top-level parameter of `fn(...)`.
fn by_ref_marks(sig: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(open) = sig.find('(') else { return out };
    let mut depth = 0i32;
    let mut at_param_start = true;
    for (i, c) in sig.char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            '(' | '{' | '[' => {
                depth += 1;
                at_param_start = false;
            }
            ')' | '}' | ']' if depth == 0 => break,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => at_param_start = true,
            '&' if depth == 0 && at_param_start => {
                out.push(i);
                at_param_start = false;
            }
            c if c.is_whitespace() => {}
            _ => at_param_start = false,
        }
    }
    out
}

/// Split `sig with (tail)` at a top-level ` with `.
fn split_tail(text: &str) -> (&str, Option<(usize, &str)>) {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(" with ") => {
                return (&text[..i], Some((i + 6, &text[i + 6..])));
            }
            _ => {}
        }
    }
    (text, None)
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_tail(path: &Path, line: usize, col: usize, text: &str) -> Result<Vec<Scalar>, Error> {
    let t = text.trim();
    let inner = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| Error::at(path, line, col, "the tail is written `with (T, T, ...)`"))?;
    let mut out = Vec::new();
    for name in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match TAIL_SCALARS.iter().find(|s| s.name() == name) {
            Some(s) => out.push(*s),
            None => {
                return Err(Error::at(
                    path,
                    line,
                    col,
                    format!(
                        "`{name}` cannot be passed in a variadic tail here; use {}",
                        TAIL_SCALARS.map(|s| s.name()).join(", ")
                    ),
                ));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::at(path, line, col, "an empty variadic tail tests nothing"));
    }
    Ok(out)
}

/// One line `name = signature [with (tail)]`; `offset` is the column of the line's start.
fn parse_line(path: &Path, line: usize, text: &str) -> Result<FnSpec, Error> {
    let Some((name, rest)) = text.split_once('=') else {
        return Err(Error::at(path, line, 1, "expected `name = fn(...)`"));
    };
    let name = name.trim();
    if !is_ident(name) {
        return Err(Error::at(path, line, 1, format!("`{name}` is not a C identifier")));
    }
    if name.starts_with("abi_") || name.starts_with("call_") {
        return Err(Error::at(path, line, 1, "names starting `abi_` or `call_` are reserved"));
    }
    let sig_col = text.len() - rest.len() + 1;
    let (sig_text, tail) = split_tail(rest);
    let mut cleaned = sig_text.to_string();
    let marks = by_ref_marks(sig_text);
    for &i in &marks {
        cleaned.replace_range(i..i + 1, " ");
    }
    let sig = Signature::parse(&cleaned)
        .map_err(|e| Error::at(path, line, sig_col + e.column - 1, e.message))?;
    let tail = match (sig.variadic, tail) {
        (true, Some((col, t))) => Some(parse_tail(path, line, sig_col + col, t)?),
        (true, None) => {
            return Err(Error::at(
                path,
                line,
                sig_col,
                "a variadic signature names its tail's types: `... with (f64, i32)`",
            ));
        }
        (false, Some((col, _))) => {
            return Err(Error::at(path, line, sig_col + col, "`with` is for variadic tails"));
        }
        (false, None) => None,
    };
    if sig.variadic && sig.params.is_empty() {
        return Err(Error::at(path, line, sig_col, "a variadic function needs a fixed parameter"));
    }
    // The n-th top-level parameter is by reference when a mark precedes it.
    let params_start = sig_text.find('(').unwrap_or(0);
    let mut starts = Vec::new();
    let mut depth = 0i32;
    for (i, c) in sig_text.char_indices().skip_while(|(i, _)| *i <= params_start) {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' if depth == 0 => break,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => starts.push(i),
            _ => {}
        }
    }
    let param_of = |mark: usize| starts.iter().filter(|s| **s < mark).count();
    let refs: Vec<usize> = marks.iter().map(|m| param_of(*m)).collect();
    let params = sig
        .params
        .into_iter()
        .enumerate()
        .map(|(i, ty)| Param { ty, by_ref: refs.contains(&i) })
        .collect();
    Ok(FnSpec {
        name: name.to_string(),
        origin: format!(
            "{}:{line}",
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ),
        params,
        ret: sig.ret,
        tail,
    })
}

/// Every signature of a `.sigs` file, or every error in it.
pub fn parse(path: &Path, text: &str) -> Result<Vec<FnSpec>, Vec<Error>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let content = raw.split('#').next().unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        match parse_line(path, i + 1, content) {
            Ok(f) => out.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<FnSpec, String> {
        parse(Path::new("t.sigs"), line).map(|mut v| v.remove(0)).map_err(|e| e[0].to_string())
    }

    #[test]
    fn lines_parse_with_refs_and_tails() {
        let f = one("by_ref = fn(&{f32, f32}, u8, & i64) -> ()").unwrap();
        assert!(f.params[0].by_ref && !f.params[1].by_ref && f.params[2].by_ref);
        assert_eq!(f.display(), "fn(&{f32, f32}, u8, &i64)");
        assert_eq!(f.signature().to_string(), "fn(ptr, u8, ptr)");
        let v = one("pf = fn(ptr, ...) -> i32 with (f64, i64)  # comment").unwrap();
        assert_eq!(v.tail, Some(vec![Scalar::F64, Scalar::I64]));
        assert_eq!(v.origin, "t.sigs:1");
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            one("x = fn(u8, q16)").unwrap_err(),
            "t.sigs:1:12: unknown type `q16`; known: i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, f32, f64, bool, ptr, structs {...}"
        );
        assert!(one("1x = fn()").unwrap_err().contains("not a C identifier"));
        assert!(one("v = fn(i32, ...)").unwrap_err().contains("names its tail"));
        assert!(one("v = fn(i32, ...) with (f32)").unwrap_err().contains("`f32` cannot be passed"));
        assert!(one("v = fn(i32) with (i32)").unwrap_err().contains("for variadic tails"));
        assert!(one("abi_x = fn()").unwrap_err().contains("reserved"));
        let errs = parse(Path::new("t.sigs"), "a = fn(\n\nb = fn(u8) -> {}\n").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[1].to_string().starts_with("t.sigs:3:"), "{}", errs[1]);
    }
}
