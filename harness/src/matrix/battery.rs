//! The procedural battery: for every base type — each scalar, structs of 1 to 17 bytes
//! (non-power-of-two sizes and mixed members), homogeneous float and double aggregates of
//! 1 to 4 members, near-misses of those (a `u8` or an `f32` wedged in), 128-bit integers
//! alone and inside structs — the same set of shapes: passed by value, by reference, as
//! the return value, both, after the registers are used up (integer and floating-point),
//! spilled to the stack among copies of itself, and in a perturbed mix; plus variadic
//! tails long enough to spill. Names say what a function tests: `spill_Su8x3E`.

use super::{FnSpec, Param, TAIL_SCALARS};
use crate::abi::sig::{Scalar, Signature, Ty};

/// A compact, injective name for a type: scalars by name, `[T; N]` as `TxN`, a struct
/// as `S` + members joined by `_` + `E`.
pub fn mangle(ty: &Ty) -> String {
    match ty {
        Ty::Scalar(s) => s.name().to_string(),
        Ty::Array(t, n) => format!("{}x{n}", mangle(t)),
        Ty::Struct(ms) => format!("S{}E", ms.iter().map(mangle).collect::<Vec<_>>().join("_")),
    }
}

/// The struct base types, in the notation.
const STRUCTS: &[&str] = &[
    // 1 to 17 bytes, power-of-two and not.
    "{u8}",
    "{u16}",
    "{[u8; 3]}",
    "{u32}",
    "{u8, u16}",
    "{[u8; 5]}",
    "{u16, [u8; 3]}",
    "{[u16; 3]}",
    "{[u8; 7]}",
    "{u64}",
    "{u32, u8}",
    "{[u8; 9]}",
    "{u16, u64}",
    "{[u8; 10]}",
    "{[u8; 11]}",
    "{[u32; 3]}",
    "{[u8; 13]}",
    "{[u16; 7]}",
    "{u32, u16, u8, u8, u16}",
    "{[u8; 15]}",
    "{u64, u64}",
    "{[u8; 17]}",
    "{u8, u32, u8}",
    "{bool, i16, ptr}",
    "{i8, {u8, i16}}",
    "{u64, u64, u64}",
    // Homogeneous float aggregates, 1 to 4 members, flat, nested and as arrays.
    "{f32}",
    "{f32, f32}",
    "{f32, f32, f32}",
    "{f32, f32, f32, f32}",
    "{f64}",
    "{f64, f64}",
    "{f64, f64, f64}",
    "{f64, f64, f64, f64}",
    "{[f32; 3]}",
    "{[f64; 2]}",
    "{{f32, f32}, f32}",
    "{f64, [f64; 2]}",
    "{{f64}, {f64}, {f64}, {f64}}",
    // Near-misses: not homogeneous, or too many members.
    "{f32, u8}",
    "{u8, f32}",
    "{f32, f32, u8}",
    "{f64, u8}",
    "{f64, f32}",
    "{f32, f32, f32, f32, f32}",
    "{[f64; 5]}",
    "{f32, i32, f32}",
    // 128-bit integers inside structs (16-byte alignment).
    "{i128}",
    "{u8, i128}",
    "{u64, u128}",
];

fn scalar(s: Scalar) -> Ty {
    Ty::Scalar(s)
}

fn parse_ty(text: &str) -> Ty {
    Signature::parse(&format!("fn({text})"))
        .ok()
        .and_then(|mut s| s.params.pop())
        .unwrap_or(Ty::Scalar(Scalar::U8))
}

/// Every base type of the battery.
pub fn base_types() -> Vec<Ty> {
    let mut out: Vec<Ty> = Scalar::ALL.iter().map(|s| scalar(*s)).collect();
    out.extend(STRUCTS.iter().map(|t| parse_ty(t)));
    out
}

fn by_value(ty: &Ty) -> Param {
    Param { ty: ty.clone(), by_ref: false }
}

fn f(name: String, group: &str, params: Vec<Param>, ret: Option<Ty>) -> FnSpec {
    FnSpec { name, origin: format!("battery:{group}"), params, ret, tail: None }
}

/// The shapes, for one base type.
fn shapes(t: &Ty) -> Vec<FnSpec> {
    let m = mangle(t);
    let v = || by_value(t);
    let i64p = || by_value(&scalar(Scalar::I64));
    let f64p = || by_value(&scalar(Scalar::F64));
    let mut out = vec![
        f(format!("arg_{m}"), "argument", vec![v()], None),
        f(format!("ret_{m}"), "return", vec![], Some(t.clone())),
        f(format!("id_{m}"), "argument and return", vec![v()], Some(t.clone())),
        f(format!("ref_{m}"), "by reference", vec![Param { ty: t.clone(), by_ref: true }], None),
    ];
    // After every integer register (x64 has 4, ARM64 8) and every FP register.
    let mut after_int: Vec<Param> = (0..8).map(|_| i64p()).collect();
    after_int.push(v());
    out.push(f(
        format!("after_int_{m}"),
        "after the integer registers",
        after_int,
        Some(t.clone()),
    ));
    let mut after_fp: Vec<Param> = (0..8).map(|_| f64p()).collect();
    after_fp.push(v());
    out.push(f(format!("after_fp_{m}"), "after the FP registers", after_fp, Some(t.clone())));
    // Nine copies: whatever the class, some go to the stack.
    out.push(f(format!("spill_{m}"), "spilled", (0..9).map(|_| v()).collect(), Some(t.clone())));
    // A u8 and an f32 wedged between copies.
    let mix =
        vec![by_value(&scalar(Scalar::U8)), v(), by_value(&scalar(Scalar::F32)), v(), i64p(), v()];
    out.push(f(format!("mix_{m}"), "perturbed mix", mix, Some(scalar(Scalar::F32))));
    out
}

/// Variadic calls: each tail type alone, mixed, and long enough to spill.
fn variadic() -> Vec<FnSpec> {
    let mut out = Vec::new();
    for t in TAIL_SCALARS {
        out.push(FnSpec {
            name: format!("va_{}", t.name()),
            origin: "battery:variadic".into(),
            params: vec![by_value(&scalar(Scalar::I32))],
            ret: Some(scalar(t)),
            tail: Some(vec![t, t, t]),
        });
    }
    let long: Vec<Scalar> = (0..12).map(|i| TAIL_SCALARS[i % 4]).collect();
    out.push(FnSpec {
        name: "va_long".into(),
        origin: "battery:variadic".into(),
        params: vec![by_value(&scalar(Scalar::Ptr)), by_value(&scalar(Scalar::F64))],
        ret: Some(scalar(Scalar::I64)),
        tail: Some(long),
    });
    out.push(FnSpec {
        name: "va_after_struct".into(),
        origin: "battery:variadic".into(),
        params: vec![by_value(&parse_ty("{[u8; 3]}")), by_value(&parse_ty("{f64, f64}"))],
        ret: Some(parse_ty("{u64, u64}")),
        tail: Some(vec![Scalar::F64, Scalar::I32, Scalar::F64]),
    });
    out
}

/// The whole battery.
pub fn battery() -> Vec<FnSpec> {
    let mut out: Vec<FnSpec> = base_types().iter().flat_map(shapes).collect();
    out.extend(variadic());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_battery_is_large_and_its_names_unique() {
        let b = battery();
        assert!(b.len() >= 500, "{}", b.len());
        let names: BTreeSet<&str> = b.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), b.len());
        assert_eq!(base_types().len(), Scalar::ALL.len() + STRUCTS.len());
        // Every struct text parses (no silent fallback to u8).
        for t in STRUCTS {
            assert!(Signature::parse(&format!("fn({t})")).is_ok(), "{t}");
        }
        let sizes: BTreeSet<u64> = base_types()
            .iter()
            .filter(|t| matches!(t, Ty::Struct(_)))
            .map(|t| crate::abi::layout::layout(t).size)
            .collect();
        for n in 1..=17 {
            assert!(sizes.contains(&n), "no struct of {n} bytes");
        }
    }

    #[test]
    fn mangled_names_are_injective() {
        assert_eq!(mangle(&parse_ty("{u8, {u8, u8}}")), "Su8_Su8_u8EE");
        assert_eq!(mangle(&parse_ty("{{u8, u8}, u8}")), "SSu8_u8E_u8E");
        assert_eq!(mangle(&parse_ty("{[f32; 3]}")), "Sf32x3E");
    }
}
