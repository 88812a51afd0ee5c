//! The project's one type notation for C signatures:
//!
//! ```text
//! fn(i32, {u8, u8, u8}, {[f32; 4]}, ...) -> f64
//! ```
//!
//! Scalars `i8`..`i128`, `u8`..`u128`, `f32`, `f64`, `bool`, `ptr`; structs `{...}` whose
//! members may be arrays `[T; N]`; a variadic tail `...`; `-> ()` or no arrow for void.
//! Parse errors name the 1-based column.

use std::fmt;

/// A scalar C type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    F32,
    F64,
    Bool,
    Ptr,
}

impl Scalar {
    pub const ALL: [Scalar; 14] = [
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::I128,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::U128,
        Scalar::F32,
        Scalar::F64,
        Scalar::Bool,
        Scalar::Ptr,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::I128 => "i128",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::U128 => "u128",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::Bool => "bool",
            Scalar::Ptr => "ptr",
        }
    }

    /// Size in bytes (also the alignment) on the 64-bit Windows targets.
    pub fn size(self) -> u64 {
        match self {
            Scalar::I8 | Scalar::U8 | Scalar::Bool => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::I64 | Scalar::U64 | Scalar::F64 | Scalar::Ptr => 8,
            Scalar::I128 | Scalar::U128 => 16,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }
}

/// A type of the notation. Arrays only occur as struct members.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Scalar(Scalar),
    Struct(Vec<Ty>),
    Array(Box<Ty>, u64),
}

/// A parsed signature. `ret == None` is void.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    pub params: Vec<Ty>,
    pub variadic: bool,
    pub ret: Option<Ty>,
}

/// A parse error: what was expected and the 1-based column where parsing stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for SigError {}

/// The largest array length and nesting the notation accepts (keeps layouts small and
/// parsing of hostile input bounded).
const MAX_ARRAY_LEN: u64 = 4096;
const MAX_DEPTH: usize = 16;

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, SigError> {
        let column = self.src[..self.pos.min(self.src.len())].chars().count() + 1;
        Err(SigError { column, message: message.into() })
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.src[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.src[self.pos..].chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.src[self.pos..].starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str, what: &str) -> Result<(), SigError> {
        if self.eat(s) { Ok(()) } else { self.err(format!("expected `{s}` {what}")) }
    }

    fn word(&mut self) -> &'a str {
        self.skip_ws();
        let rest = &self.src[self.pos..];
        let len =
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        &rest[..len]
    }

    fn signature(&mut self) -> Result<Signature, SigError> {
        if self.word() != "fn" {
            return self.err("a signature starts with `fn(`");
        }
        self.pos += 2;
        self.expect("(", "after `fn`")?;
        let mut params = Vec::new();
        let mut variadic = false;
        if !self.eat(")") {
            loop {
                if self.eat("...") {
                    variadic = true;
                    self.expect(")", "after `...` (the variadic tail comes last)")?;
                    break;
                }
                params.push(self.ty()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",", "or `)` after a parameter")?;
            }
        }
        let ret = if self.eat("->") {
            if self.eat("(") {
                self.expect(")", "in the unit return type `()`")?;
                None
            } else {
                Some(self.ty()?)
            }
        } else {
            None
        };
        if self.peek().is_some() {
            return self.err("unexpected text after the signature");
        }
        Ok(Signature { params, variadic, ret })
    }

    fn ty(&mut self) -> Result<Ty, SigError> {
        match self.peek() {
            Some('{') => self.structure(),
            Some('[') => self.err("arrays `[T; N]` are only allowed as struct members"),
            Some(_) => {
                let w = self.word();
                match Scalar::ALL.iter().find(|s| s.name() == w) {
                    Some(s) => {
                        self.pos += w.len();
                        Ok(Ty::Scalar(*s))
                    }
                    None if w.is_empty() => self.err("expected a type"),
                    None => self.err(format!(
                        "unknown type `{w}`; known: {}, structs {{...}}",
                        Scalar::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            None => self.err("expected a type, found the end"),
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, SigError>,
    ) -> Result<T, SigError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("types nest deeper than {MAX_DEPTH} levels"));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn structure(&mut self) -> Result<Ty, SigError> {
        self.nested(|p| {
            let open = {
                p.skip_ws();
                p.pos
            };
            p.expect("{", "to open a struct")?;
            let mut members = Vec::new();
            loop {
                if p.eat("}") {
                    break;
                }
                members.push(p.member()?);
                if p.eat("}") {
                    break;
                }
                p.expect(",", "or `}` after a struct member")?;
            }
            if members.is_empty() {
                p.pos = open;
                return p.err("empty structs have no C equivalent");
            }
            Ok(Ty::Struct(members))
        })
    }

    fn member(&mut self) -> Result<Ty, SigError> {
        if self.peek() != Some('[') {
            return self.ty();
        }
        self.nested(|p| {
            p.expect("[", "")?;
            let elem = p.member()?;
            p.expect(";", "between an array's element type and its length")?;
            let w = p.word();
            let n: u64 = match w.parse() {
                Ok(n) if (1..=MAX_ARRAY_LEN).contains(&n) => n,
                _ => {
                    return p.err(format!("an array length is a number from 1 to {MAX_ARRAY_LEN}"));
                }
            };
            p.pos += w.len();
            p.expect("]", "to close the array")?;
            Ok(Ty::Array(Box::new(elem), n))
        })
    }
}

impl Signature {
    /// Parse the notation; errors carry the column.
    pub fn parse(src: &str) -> Result<Signature, SigError> {
        Parser { src, pos: 0, depth: 0 }.signature()
    }
}

impl std::str::FromStr for Signature {
    type Err = SigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signature::parse(s)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Scalar(s) => f.write_str(s.name()),
            Ty::Array(t, n) => write!(f, "[{t}; {n}]"),
            Ty::Struct(m) => {
                f.write_str("{")?;
                for (i, t) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fn(")?;
        for (i, t) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{t}")?;
        }
        if self.variadic {
            f.write_str(if self.params.is_empty() { "..." } else { ", ..." })?;
        }
        f.write_str(")")?;
        if let Some(r) = &self.ret {
            write!(f, " -> {r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example_and_prints_it_back() {
        let s = Signature::parse("fn(i32, {u8, u8, u8}, {[f32; 4]}, ...) -> f64").unwrap();
        assert_eq!(s.params.len(), 3);
        assert!(s.variadic);
        assert_eq!(s.ret, Some(Ty::Scalar(Scalar::F64)));
        assert_eq!(s.to_string(), "fn(i32, {u8, u8, u8}, {[f32; 4]}, ...) -> f64");
        for text in ["fn()", "fn() -> ()", "fn(ptr,bool)->u128", "fn({{i8,[[u16;2];3]},f32})"] {
            let s = Signature::parse(text).unwrap();
            assert_eq!(Signature::parse(&s.to_string()).unwrap(), s, "{text}");
        }
        assert_eq!(Signature::parse("fn() -> ()").unwrap().ret, None);
    }

    #[test]
    fn errors_name_the_column() {
        let cases = [
            ("fn(i33)", 4, "unknown type `i33`"),
            ("fn(i32", 7, "expected `,` or `)`"),
            ("fn([u8; 2])", 4, "only allowed as struct members"),
            ("fn({})", 4, "empty structs"),
            ("fn(..., i32)", 7, "after `...`"),
            ("fn({[u8; 0]})", 10, "array length"),
            ("f(i32)", 1, "starts with `fn(`"),
            ("fn() -> i32 x", 13, "unexpected text"),
            ("fn() ->", 8, "found the end"),
        ];
        for (text, col, msg) in cases {
            let e = Signature::parse(text).unwrap_err();
            assert_eq!(e.column, col, "{text}: {e}");
            assert!(e.message.contains(msg), "{text}: {e}");
        }
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("fn({}i8{})", "{".repeat(100), "}".repeat(100));
        assert!(Signature::parse(&deep).unwrap_err().message.contains("nest deeper"));
        assert!(Signature::parse("fn(é)").is_err());
        assert!(Signature::parse("").is_err());
    }
}
