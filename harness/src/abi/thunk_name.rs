//! The Arm64EC thunk-name grammar, and the ABI class each type code stands for.
//!
//! ```text
//! thunk := "$ientry_thunk$cdecl$" ret "$" args   ; x64 caller -> Arm64EC callee
//!        | "$iexit_thunk$cdecl$"  ret "$" args   ; Arm64EC caller -> x64 callee
//! ret   := "v" | code
//! args  := "v" | "varargs" | code+
//! code  := "i8" | "f" | "d"
//!        | "m" [N] ["a" A]          ; aggregate of N bytes; N is omitted exactly when it is 4
//!        | ("F" | "D") N ["a" A]    ; homogeneous float / double aggregate of N bytes
//!        | "__llvm_h__" | "__llvm_H__" N | "__llvm_bf16__" | "__llvm_q__"   ; LLVM-only
//! ```
//!
//! Two names are compared by ABI class, not by string: `i8` and `m8` travel the same way
//! (a general register on both sides), `m3` and `i8` do not (`m3` goes by reference on x64).

use serde::Serialize;
use std::fmt;

pub const ENTRY_PREFIX: &str = "$ientry_thunk$cdecl$";
pub const EXIT_PREFIX: &str = "$iexit_thunk$cdecl$";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThunkKind {
    Entry,
    Exit,
}

impl ThunkKind {
    pub fn prefix(self) -> &'static str {
        match self {
            ThunkKind::Entry => ENTRY_PREFIX,
            ThunkKind::Exit => EXIT_PREFIX,
        }
    }
}

/// One type code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// An integer or pointer of at most 8 bytes.
    I8,
    F,
    D,
    /// An aggregate (or i128) of `size` bytes.
    M {
        size: u64,
        align: Option<u64>,
    },
    /// A homogeneous float aggregate of `size` bytes.
    FArr {
        size: u64,
        align: Option<u64>,
    },
    /// A homogeneous double aggregate of `size` bytes.
    DArr {
        size: u64,
        align: Option<u64>,
    },
    Half,
    HalfArr {
        size: u64,
    },
    Bf16,
    Quad,
}

/// The parameter part of a name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Args {
    Fixed(Vec<Code>),
    Varargs,
}

/// A parsed thunk name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThunkName {
    pub kind: ThunkKind,
    /// `None` is `v` (void).
    pub ret: Option<Code>,
    pub args: Args,
}

/// Why a name is not well-formed, with the byte offset inside the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

/// Whether `name` claims to be a thunk name (and so must be well-formed).
pub fn is_thunk_name(name: &str) -> bool {
    thunk_kind(name).is_some()
}

pub fn thunk_kind(name: &str) -> Option<ThunkKind> {
    if name.starts_with(ENTRY_PREFIX) {
        Some(ThunkKind::Entry)
    } else if name.starts_with(EXIT_PREFIX) {
        Some(ThunkKind::Exit)
    } else {
        None
    }
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, NameError> {
        Err(NameError { offset: self.pos, message: message.into() })
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.s[self.pos..].starts_with(p) {
            self.pos += p.len();
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Option<u64> {
        let rest = &self.s[self.pos..];
        let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if len == 0 || len > 9 || rest.starts_with('0') {
            return None;
        }
        self.pos += len;
        rest[..len].parse().ok()
    }

    fn size(&mut self, what: &str) -> Result<u64, NameError> {
        match self.number() {
            Some(n) => Ok(n),
            None => self
                .err(format!("`{what}` needs a byte size (a decimal number without leading zero)")),
        }
    }

    fn align(&mut self) -> Result<Option<u64>, NameError> {
        if !self.eat("a") {
            return Ok(None);
        }
        match self.number() {
            Some(a) if a.is_power_of_two() => Ok(Some(a)),
            _ => self.err("an alignment `a<A>` is a power of two"),
        }
    }

    fn code(&mut self) -> Result<Code, NameError> {
        let start = self.pos;
        if self.eat("i8") {
            return Ok(Code::I8);
        }
        if self.eat("__llvm_h__") {
            return Ok(Code::Half);
        }
        if self.eat("__llvm_H__") {
            let size = self.size("__llvm_H__")?;
            return Ok(Code::HalfArr { size });
        }
        if self.eat("__llvm_bf16__") {
            return Ok(Code::Bf16);
        }
        if self.eat("__llvm_q__") {
            return Ok(Code::Quad);
        }
        let Some(c) = self.s[self.pos..].chars().next() else {
            return self.err("expected a type code, found the end");
        };
        self.pos += c.len_utf8();
        match c {
            'f' => Ok(Code::F),
            'd' => Ok(Code::D),
            'm' => {
                let size = self.number();
                if size == Some(4) {
                    self.pos = start;
                    return self.err("a 4-byte aggregate is written `m`, not `m4`");
                }
                let size = size.unwrap_or(4);
                Ok(Code::M { size, align: self.align()? })
            }
            'F' | 'D' => {
                let size = self.size(&c.to_string())?;
                let elem = if c == 'F' { 4 } else { 8 };
                if size % elem != 0 {
                    self.pos = start;
                    return self
                        .err(format!("`{c}{size}` is not a whole number of {elem}-byte elements"));
                }
                let align = self.align()?;
                Ok(if c == 'F' { Code::FArr { size, align } } else { Code::DArr { size, align } })
            }
            'i' => {
                self.pos = start;
                self.err("the only integer code is `i8` (any integer or pointer up to 8 bytes)")
            }
            _ => {
                self.pos = start;
                self.err(format!("unknown type code `{c}`"))
            }
        }
    }
}

impl ThunkName {
    pub fn parse(name: &str) -> Result<ThunkName, NameError> {
        let Some(kind) = thunk_kind(name) else {
            return Err(NameError {
                offset: 0,
                message: format!("a thunk name starts with `{ENTRY_PREFIX}` or `{EXIT_PREFIX}`"),
            });
        };
        let mut c = Cursor { s: name, pos: kind.prefix().len() };
        let ret = if c.eat("v$") {
            None
        } else {
            let code = c.code()?;
            if !c.eat("$") {
                return c.err("the return code is followed by `$`");
            }
            Some(code)
        };
        let args = if c.s[c.pos..] == *"v" {
            Args::Fixed(vec![])
        } else if c.s[c.pos..] == *"varargs" {
            Args::Varargs
        } else {
            let mut codes = Vec::new();
            while c.pos < c.s.len() {
                codes.push(c.code()?);
            }
            if codes.is_empty() {
                return c.err("the parameter part is `v`, `varargs` or one code per parameter");
            }
            Args::Fixed(codes)
        };
        Ok(ThunkName { kind, ret, args })
    }

    /// The canonical spelling.
    pub fn render(&self) -> String {
        let mut s = self.kind.prefix().to_string();
        match &self.ret {
            None => s.push('v'),
            Some(c) => s.push_str(&c.to_string()),
        }
        s.push('$');
        match &self.args {
            Args::Varargs => s.push_str("varargs"),
            Args::Fixed(v) if v.is_empty() => s.push('v'),
            Args::Fixed(v) => v.iter().for_each(|c| s.push_str(&c.to_string())),
        }
        s
    }

    /// Whether `other` moves every value the same way (see [`Class`]).
    pub fn same_class(&self, other: &ThunkName) -> bool {
        let ret = |n: &ThunkName| n.ret.map(|c| c.class(Position::Return));
        let args = |n: &ThunkName| match &n.args {
            Args::Varargs => None,
            Args::Fixed(v) => Some(v.iter().map(|c| c.class(Position::Arg)).collect::<Vec<_>>()),
        };
        self.kind == other.kind && ret(self) == ret(other) && args(self) == args(other)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_align = |f: &mut fmt::Formatter<'_>, a: &Option<u64>| match a {
            Some(a) => write!(f, "a{a}"),
            None => Ok(()),
        };
        match self {
            Code::I8 => f.write_str("i8"),
            Code::F => f.write_str("f"),
            Code::D => f.write_str("d"),
            Code::M { size: 4, align } => {
                f.write_str("m")?;
                with_align(f, align)
            }
            Code::M { size, align } => {
                write!(f, "m{size}")?;
                with_align(f, align)
            }
            Code::FArr { size, align } => {
                write!(f, "F{size}")?;
                with_align(f, align)
            }
            Code::DArr { size, align } => {
                write!(f, "D{size}")?;
                with_align(f, align)
            }
            Code::Half => f.write_str("__llvm_h__"),
            Code::HalfArr { size } => write!(f, "__llvm_H__{size}"),
            Code::Bf16 => f.write_str("__llvm_bf16__"),
            Code::Quad => f.write_str("__llvm_q__"),
        }
    }
}

/// Where a code sits: a parameter or the return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Arg,
    Return,
}

/// How a value travels on the x64 side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum X64Class {
    /// The value's bits in a general register (or its 8-byte stack slot).
    Gpr,
    /// In an XMM register (or its stack slot).
    Xmm { bytes: u64 },
    /// A pointer to a copy (arguments of other sizes than 1, 2, 4, 8).
    ByReference { bytes: u64 },
    /// Returned through a hidden result pointer (returns of other sizes than 1, 2, 4, 8).
    HiddenPointer { bytes: u64 },
    /// A type the x64 convention has no rule for (LLVM-only codes).
    Unspecified,
}

/// How a value travels on the Arm64EC (AArch64) side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arm64Class {
    /// In `regs` general registers (1 or 2); a 16-byte-aligned pair starts at an even one.
    Gpr {
        regs: u64,
        aligned_pair: bool,
    },
    /// In `count` consecutive FP/SIMD registers of `bytes` each.
    Fp {
        count: u64,
        bytes: u64,
    },
    /// A pointer to a copy (non-HFA composites over 16 bytes).
    ByReference {
        bytes: u64,
    },
    /// Returned into the buffer x8 points at.
    ResultBuffer {
        bytes: u64,
    },
    Unspecified,
}

impl fmt::Display for X64Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            X64Class::Gpr => f.write_str("a general register"),
            X64Class::Xmm { bytes } => write!(f, "an XMM register ({bytes} bytes)"),
            X64Class::ByReference { bytes } => write!(f, "a reference to a {bytes}-byte copy"),
            X64Class::HiddenPointer { bytes } => {
                write!(f, "a {bytes}-byte buffer behind a hidden pointer")
            }
            X64Class::Unspecified => f.write_str("no x64 rule"),
        }
    }
}

impl fmt::Display for Arm64Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arm64Class::Gpr { regs: 1, .. } => f.write_str("a general register"),
            Arm64Class::Gpr { regs, aligned_pair: true } => {
                write!(f, "{regs} general registers from an even one")
            }
            Arm64Class::Gpr { regs, .. } => write!(f, "{regs} general registers"),
            Arm64Class::Fp { count: 1, bytes } => write!(f, "an FP register ({bytes} bytes)"),
            Arm64Class::Fp { count, bytes } => write!(f, "{count} FP registers of {bytes} bytes"),
            Arm64Class::ByReference { bytes } => write!(f, "a reference to a {bytes}-byte copy"),
            Arm64Class::ResultBuffer { bytes } => write!(f, "a {bytes}-byte buffer x8 points at"),
            Arm64Class::Unspecified => f.write_str("no ARM64 rule"),
        }
    }
}

/// The ABI class of a code: what a thunk must do with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Class {
    pub x64: X64Class,
    pub arm64: Arm64Class,
}

impl Code {
    /// Size in bytes (`i8` counts as 8: a whole register).
    pub fn size(self) -> u64 {
        match self {
            Code::I8 | Code::D | Code::Quad => 8,
            Code::F => 4,
            Code::Half | Code::Bf16 => 2,
            Code::M { size, .. }
            | Code::FArr { size, .. }
            | Code::DArr { size, .. }
            | Code::HalfArr { size } => size,
        }
    }

    pub fn class(self, pos: Position) -> Class {
        let c = self.raw_class(pos);
        // A parameter both sides pass by reference travels as a pointer in a general
        // register on both sides: the thunk hands the pointer over, whatever the size.
        match (c.x64, c.arm64) {
            (X64Class::ByReference { .. }, Arm64Class::ByReference { .. }) => Class {
                x64: X64Class::Gpr,
                arm64: Arm64Class::Gpr { regs: 1, aligned_pair: false },
            },
            _ => c,
        }
    }

    fn raw_class(self, pos: Position) -> Class {
        let size = self.size();
        let x64_small = matches!(size, 1 | 2 | 4 | 8);
        let x64_aggregate = if x64_small {
            X64Class::Gpr
        } else if pos == Position::Arg {
            X64Class::ByReference { bytes: size }
        } else {
            X64Class::HiddenPointer { bytes: size }
        };
        let big = |bytes| match pos {
            Position::Arg => Arm64Class::ByReference { bytes },
            Position::Return => Arm64Class::ResultBuffer { bytes },
        };
        match self {
            Code::I8 => Class {
                x64: X64Class::Gpr,
                arm64: Arm64Class::Gpr { regs: 1, aligned_pair: false },
            },
            Code::F => Class {
                x64: X64Class::Xmm { bytes: 4 },
                arm64: Arm64Class::Fp { count: 1, bytes: 4 },
            },
            Code::D => Class {
                x64: X64Class::Xmm { bytes: 8 },
                arm64: Arm64Class::Fp { count: 1, bytes: 8 },
            },
            Code::M { size, align } => {
                let arm64 = if size > 16 {
                    big(size)
                } else {
                    let aligned_pair =
                        pos == Position::Arg && size > 8 && align.is_some_and(|a| a >= 16);
                    Arm64Class::Gpr { regs: size.div_ceil(8), aligned_pair }
                };
                Class { x64: x64_aggregate, arm64 }
            }
            Code::FArr { size, .. } => {
                Class { x64: x64_aggregate, arm64: Arm64Class::Fp { count: size / 4, bytes: 4 } }
            }
            Code::DArr { size, .. } => {
                Class { x64: x64_aggregate, arm64: Arm64Class::Fp { count: size / 8, bytes: 8 } }
            }
            Code::Half => Class {
                x64: X64Class::Xmm { bytes: 2 },
                arm64: Arm64Class::Fp { count: 1, bytes: 2 },
            },
            Code::HalfArr { .. } | Code::Bf16 | Code::Quad => {
                Class { x64: X64Class::Unspecified, arm64: Arm64Class::Unspecified }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_names_parse_and_render_back() {
        for n in [
            "$ientry_thunk$cdecl$d$m16i8",
            "$ientry_thunk$cdecl$i8$i8dm3i8i8i8",
            "$iexit_thunk$cdecl$i8$i8m3i8i8i8",
            "$iexit_thunk$cdecl$F8$F8d",
            "$ientry_thunk$cdecl$v$v",
            "$ientry_thunk$cdecl$i8$varargs",
            "$ientry_thunk$cdecl$m$F4",
            "$ientry_thunk$cdecl$m16$m16a16",
            "$ientry_thunk$cdecl$__llvm_H__6$__llvm_H__6__llvm_h__",
            "$ientry_thunk$cdecl$m24$m24D16m32",
            "$iexit_thunk$cdecl$m100$v",
        ] {
            let t = ThunkName::parse(n).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(t.render(), n);
        }
        let t = ThunkName::parse("$ientry_thunk$cdecl$i8$i8dm3i8i8i8").unwrap();
        assert_eq!(t.kind, ThunkKind::Entry);
        assert_eq!(
            t.args,
            Args::Fixed(vec![
                Code::I8,
                Code::D,
                Code::M { size: 3, align: None },
                Code::I8,
                Code::I8,
                Code::I8
            ])
        );
    }

    #[test]
    fn malformed_names_say_where() {
        for (n, at, msg) in [
            ("$ientry_thunk$cdecl$i4$v", 20, "only integer code"),
            ("$ientry_thunk$cdecl$m4$v", 20, "written `m`"),
            ("$ientry_thunk$cdecl$F6$v", 20, "whole number"),
            ("$ientry_thunk$cdecl$i8", 22, "followed by `$`"),
            ("$ientry_thunk$cdecl$i8$", 23, "parameter part"),
            ("$ientry_thunk$cdecl$i8$i8x", 25, "unknown type code `x`"),
            ("$ientry_thunk$cdecl$i8$m16a3", 28, "power of two"),
            ("$ientry_thunk$cdecl$i8$F", 24, "needs a byte size"),
            ("$ientry_thunk$cdecl$i8$m07", 24, "unknown"),
        ] {
            let e = ThunkName::parse(n).unwrap_err();
            assert_eq!(e.offset, at, "{n}: {e}");
            assert!(e.message.contains(msg), "{n}: {e}");
        }
        assert!(ThunkName::parse("#foo$exit_thunk").is_err());
    }

    #[test]
    fn classes_compare_how_values_travel() {
        let p = |n| ThunkName::parse(n).unwrap();
        let same = |a, b| p(a).same_class(&p(b));
        assert!(same("$ientry_thunk$cdecl$i8$m8", "$ientry_thunk$cdecl$i8$i8"));
        assert!(same("$ientry_thunk$cdecl$m1$m2", "$ientry_thunk$cdecl$i8$i8"));
        assert!(
            !same("$ientry_thunk$cdecl$i8$m3", "$ientry_thunk$cdecl$i8$i8"),
            "m3 is by reference on x64"
        );
        assert!(
            !same("$ientry_thunk$cdecl$i8$m12", "$ientry_thunk$cdecl$i8$m16"),
            "copy sizes differ"
        );
        assert!(!same("$ientry_thunk$cdecl$F8$v", "$ientry_thunk$cdecl$m8$v"), "s0:s1 is not x0");
        assert!(!same("$ientry_thunk$cdecl$v$F4", "$ientry_thunk$cdecl$v$f"), "RCX is not XMM0");
        assert!(
            !same("$ientry_thunk$cdecl$v$m16a16", "$ientry_thunk$cdecl$v$m16"),
            "pair alignment"
        );
        assert!(
            same("$ientry_thunk$cdecl$m16a16$v", "$ientry_thunk$cdecl$m16$v"),
            "returns ignore it"
        );
        assert!(!same("$ientry_thunk$cdecl$v$v", "$iexit_thunk$cdecl$v$v"));
    }
}
