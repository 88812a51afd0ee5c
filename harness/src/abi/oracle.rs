//! The thunk names the Arm64EC ABI requires for a C signature, computed from the x64 and
//! ARM64 calling conventions, never by asking a compiler.
//!
//! Each parameter and the return value get one code, chosen by how the value travels:
//! - integers up to 8 bytes, `bool` and `ptr`: `i8` (a general register on both sides);
//! - `f32` / `f64`: `f` / `d` (XMM on x64, an FP register on ARM64);
//! - a homogeneous float aggregate of N bytes: `F<N>` (`D<N>` for doubles): FP registers
//!   on ARM64, and on x64 a general register when N is 1, 2, 4 or 8, otherwise a
//!   reference (a hidden result pointer for a return);
//! - any other aggregate, and `i128`/`u128`: `m<N>` (`m` for 4 bytes), with `a<A>` on a
//!   parameter whose alignment is 16 or more (it moves the ARM64 register pair);
//! - a variadic function's parameters: `varargs`; a void return or no parameters: `v`.
//!
//! This is the convention MSVC's names follow (`m3`, `F8`, `D16`, alignment on
//! parameters). Where a compiler names a shape differently the case records the deviation;
//! the oracle is never taught a compiler's answer.

use super::layout::{FloatKind, hfa, layout};
use super::sig::{Scalar, Signature, Ty};
use super::thunk_name::{Args, Class, Code, Position, ThunkKind, ThunkName};
use serde::Serialize;

/// The code for one value.
pub fn code_of(ty: &Ty, pos: Position) -> Code {
    match ty {
        Ty::Scalar(Scalar::F32) => Code::F,
        Ty::Scalar(Scalar::F64) => Code::D,
        Ty::Scalar(s) if s.size() <= 8 => Code::I8,
        _ => {
            let l = layout(ty);
            let align = (pos == Position::Arg && l.align >= 16).then_some(l.align);
            match hfa(ty) {
                Some(h) if h.kind == FloatKind::F32 => Code::FArr { size: l.size, align },
                Some(_) => Code::DArr { size: l.size, align },
                None => Code::M { size: l.size, align },
            }
        }
    }
}

/// The thunk name of `kind` the ABI requires for `sig`.
pub fn thunk_name(sig: &Signature, kind: ThunkKind) -> ThunkName {
    let ret = sig.ret.as_ref().map(|t| code_of(t, Position::Return));
    let args = if sig.variadic {
        Args::Varargs
    } else {
        Args::Fixed(sig.params.iter().map(|t| code_of(t, Position::Arg)).collect())
    };
    ThunkName { kind, ret, args }
}

/// The oracle's full answer for a signature: both names and why.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub signature: String,
    pub entry_thunk: String,
    pub exit_thunk: String,
    #[serde(rename = "return")]
    pub ret: Option<Value>,
    pub params: Vec<Value>,
    pub variadic: bool,
}

/// One value of the signature and how it travels.
#[derive(Clone, Debug, Serialize)]
pub struct Value {
    #[serde(rename = "type")]
    pub ty: String,
    pub size: u64,
    pub align: u64,
    pub code: String,
    pub class: Class,
}

fn value(ty: &Ty, pos: Position) -> Value {
    let l = layout(ty);
    let code = code_of(ty, pos);
    Value {
        ty: ty.to_string(),
        size: l.size,
        align: l.align,
        code: code.to_string(),
        class: code.class(pos),
    }
}

pub fn answer(sig: &Signature) -> Answer {
    Answer {
        signature: sig.to_string(),
        entry_thunk: thunk_name(sig, ThunkKind::Entry).render(),
        exit_thunk: thunk_name(sig, ThunkKind::Exit).render(),
        ret: sig.ret.as_ref().map(|t| value(t, Position::Return)),
        params: sig.params.iter().map(|t| value(t, Position::Arg)).collect(),
        variadic: sig.variadic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sig: &str) -> String {
        thunk_name(&Signature::parse(sig).unwrap(), ThunkKind::Entry).render()
    }

    #[test]
    fn scalars_and_void() {
        assert_eq!(entry("fn()"), "$ientry_thunk$cdecl$v$v");
        assert_eq!(
            entry("fn(u8, i16, u32, i64, bool, ptr) -> u64"),
            "$ientry_thunk$cdecl$i8$i8i8i8i8i8i8"
        );
        assert_eq!(entry("fn(f32) -> f64"), "$ientry_thunk$cdecl$d$f");
        assert_eq!(entry("fn(i32, ...) -> i32"), "$ientry_thunk$cdecl$i8$varargs");
        assert_eq!(entry("fn(...)"), "$ientry_thunk$cdecl$v$varargs");
    }

    #[test]
    fn aggregates_follow_the_x64_size_rules() {
        // Microsoft's documented example: an i64, a double, a 3-byte struct and three ints.
        assert_eq!(
            entry("fn(i64, f64, {u8, u8, u8}, i32, i32, i32) -> i64"),
            "$ientry_thunk$cdecl$i8$i8dm3i8i8i8"
        );
        assert_eq!(entry("fn({u8}) -> {u16}"), "$ientry_thunk$cdecl$m2$m1");
        assert_eq!(entry("fn({u32}) -> {u8, u8, u8, u8}"), "$ientry_thunk$cdecl$m$m");
        assert_eq!(entry("fn({u32, u8, u8, u8}) -> {[u8; 7]}"), "$ientry_thunk$cdecl$m7$m8");
        assert_eq!(entry("fn({u64, u32}) -> {[u8; 17]}"), "$ientry_thunk$cdecl$m17$m16");
        assert_eq!(entry("fn({i64, f64}, i32) -> f64"), "$ientry_thunk$cdecl$d$m16i8");
    }

    #[test]
    fn float_aggregates_and_i128() {
        assert_eq!(entry("fn({f32}) -> {f32}"), "$ientry_thunk$cdecl$F4$F4");
        assert_eq!(entry("fn({f64}) -> {f64, f64}"), "$ientry_thunk$cdecl$D16$D8");
        assert_eq!(entry("fn({[f32; 3]}) -> {f32, f32}"), "$ientry_thunk$cdecl$F8$F12");
        assert_eq!(entry("fn({[f64; 4]})"), "$ientry_thunk$cdecl$v$D32");
        assert_eq!(entry("fn(u64, i128) -> u128"), "$ientry_thunk$cdecl$m16$i8m16a16");
        assert_eq!(entry("fn({u8, i128})"), "$ientry_thunk$cdecl$v$m32a16");
        assert_eq!(entry("fn({f32, u32})"), "$ientry_thunk$cdecl$v$m8");
    }

    #[test]
    fn the_answer_explains_each_value() {
        let a = answer(&Signature::parse("fn({u8, u8, u8}) -> {f32, f32}").unwrap());
        assert_eq!(a.exit_thunk, "$iexit_thunk$cdecl$F8$m3");
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["params"][0]["class"]["x64"]["by-reference"]["bytes"], 3);
        assert_eq!(v["return"]["class"]["arm64"]["fp"]["count"], 2);
        assert_eq!(v["return"]["class"]["x64"], "gpr");
    }
}
