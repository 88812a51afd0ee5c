//! C source for one side of a pairing: type definitions, then either the callees (each
//! records every leaf it received and of the value it returns) or the callers (each builds
//! its arguments, records them, calls, records the result) with the `abi_run` dispatcher.
//! No headers but `<stdarg.h>` (variadic callees), so it builds without a C library.

use super::values::{self, Expected};
use super::{FnSpec, battery::mangle};
use crate::abi::sig::{Scalar, Ty};
use std::fmt::Write;

pub fn scalar_type(s: Scalar) -> &'static str {
    match s {
        Scalar::I8 => "signed char",
        Scalar::I16 => "short",
        Scalar::I32 => "int",
        Scalar::I64 => "long long",
        Scalar::I128 => "__int128",
        Scalar::U8 => "unsigned char",
        Scalar::U16 => "unsigned short",
        Scalar::U32 => "unsigned int",
        Scalar::U64 => "unsigned long long",
        Scalar::U128 => "unsigned __int128",
        Scalar::F32 => "float",
        Scalar::F64 => "double",
        Scalar::Bool => "_Bool",
        Scalar::Ptr => "void *",
    }
}

/// The C spelling of a parameter or return type (structs by their typedef).
pub fn type_name(ty: &Ty) -> String {
    match ty {
        Ty::Scalar(s) => scalar_type(*s).to_string(),
        Ty::Struct(_) => format!("T_{}", mangle(ty)),
        Ty::Array(..) => unreachable!("arrays only occur inside structs"),
    }
}

/// `typedef struct T_x { ... } T_x;`
fn define(ty: &Ty, out: &mut String) {
    let Ty::Struct(ms) = ty else { return };
    let name = type_name(ty);
    let _ = writeln!(out, "typedef struct {name} {{");
    for (i, m) in ms.iter().enumerate() {
        let mut base = m;
        let mut dims = String::new();
        while let Ty::Array(inner, n) = base {
            dims.push_str(&format!("[{n}]"));
            base = inner;
        }
        let _ = writeln!(out, "    {} f{i}{dims};", type_name(base));
    }
    let _ = writeln!(out, "}} {name};");
}

fn hex_u64(bytes: &[u8]) -> String {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(8) {
        v |= (*b as u64) << (8 * i);
    }
    format!("0x{v:x}ull")
}

/// An expression of scalar type `s` whose bytes are `bytes` (little-endian).
fn literal(s: Scalar, bytes: &[u8]) -> String {
    match s {
        Scalar::F32 => format!("abi_f32({})", hex_u64(bytes)),
        Scalar::F64 => format!("abi_f64({})", hex_u64(bytes)),
        Scalar::Bool => format!("(_Bool){}", bytes[0]),
        Scalar::Ptr => format!("(void *)(unsigned long long){}", hex_u64(bytes)),
        Scalar::I128 | Scalar::U128 => format!(
            "({})(((unsigned __int128){} << 64) | {})",
            scalar_type(s),
            hex_u64(&bytes[8..]),
            hex_u64(&bytes[..8])
        ),
        _ => format!("({}){}", scalar_type(s), hex_u64(bytes)),
    }
}

fn fill(var: &str, plan: &[&Expected], out: &mut String) {
    out.push_str(&values::assignments(var, plan, &literal));
}

fn tag(fn_id: usize, callee: bool, e: &Expected) -> String {
    let t = ((fn_id as u32) << 16) | ((callee as u32) << 15) | (e.slot << 9) | e.leaf;
    format!("0x{t:x}u")
}

fn record(var: &str, deref: bool, fn_id: usize, callee: bool, e: &Expected, out: &mut String) {
    let place = if deref {
        if e.path.is_empty() { var.to_string() } else { format!("&{var}->{}", &e.path[1..]) }
    } else {
        format!("&{var}{}", e.path)
    };
    let _ = writeln!(
        out,
        "    abi_rec({}, (const void *){place}, {}u);",
        tag(fn_id, callee, e),
        e.bytes.len()
    );
}

fn header(title: &str, fns: &[(usize, &FnSpec)], variadic: bool) -> String {
    let mut out = format!("/* {title} (generated; do not edit) */\n");
    if variadic {
        out.push_str("#include <stdarg.h>\n");
    }
    out.push_str(
        "extern void abi_rec(unsigned int tag, const void *p, unsigned int len);\n\
         static float abi_f32(unsigned long long u) { union { unsigned int u; float f; } x; x.u = (unsigned int)u; return x.f; }\n\
         static double abi_f64(unsigned long long u) { union { unsigned long long u; double f; } x; x.u = u; return x.f; }\n",
    );
    for ty in values::struct_types(fns.iter().map(|(_, f)| *f)) {
        define(&ty, &mut out);
    }
    out
}

fn params_decl(f: &FnSpec) -> String {
    let mut ps: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let t = type_name(&p.ty);
            if p.by_ref { format!("const {t} *a{}", i + 1) } else { format!("{t} a{}", i + 1) }
        })
        .collect();
    if f.tail.is_some() {
        ps.push("...".into());
    }
    if ps.is_empty() { "void".into() } else { ps.join(", ") }
}

fn ret_type(f: &FnSpec) -> String {
    f.ret.as_ref().map(type_name).unwrap_or_else(|| "void".into())
}

/// The callee side: every function, defined.
pub fn callees(title: &str, fns: &[(usize, &FnSpec)]) -> String {
    let mut out = header(title, fns, fns.iter().any(|(_, f)| f.tail.is_some()));
    for (id, f) in fns {
        let plan = values::plan(f);
        let _ = writeln!(out, "\n/* {} */", f.display());
        let _ = writeln!(out, "{} {}({}) {{", ret_type(f), f.name, params_decl(f));
        if let Some(tail) = &f.tail {
            let last = f.params.len();
            let _ = writeln!(out, "    va_list ap;\n    va_start(ap, a{last});");
            for (j, s) in tail.iter().enumerate() {
                let slot = last + 1 + j;
                let _ = writeln!(
                    out,
                    "    {} a{slot} = va_arg(ap, {});",
                    scalar_type(*s),
                    scalar_type(*s)
                );
            }
            out.push_str("    va_end(ap);\n");
        }
        for e in plan.iter().filter(|e| e.slot != 0) {
            let by_ref = f.params.get(e.slot as usize - 1).is_some_and(|p| p.by_ref);
            record(&format!("a{}", e.slot), by_ref, *id, true, e, &mut out);
        }
        if let Some(r) = &f.ret {
            let _ = writeln!(out, "    {} r;", type_name(r));
            let rets: Vec<&Expected> = plan.iter().filter(|e| e.slot == 0).collect();
            fill("r", &rets, &mut out);
            for e in &rets {
                record("r", false, *id, true, e, &mut out);
            }
            out.push_str("    return r;\n");
        }
        out.push_str("}\n");
    }
    out
}

/// The caller side: a declaration and a caller per function, and `abi_run(i)`.
pub fn callers(title: &str, fns: &[(usize, &FnSpec)]) -> String {
    let mut out = header(title, fns, false);
    for (id, f) in fns {
        let plan = values::plan(f);
        let _ = writeln!(out, "\n/* {} */", f.display());
        let _ = writeln!(out, "extern {} {}({});", ret_type(f), f.name, params_decl(f));
        let _ = writeln!(out, "static void call_{}(void) {{", f.name);
        let mut args = Vec::new();
        for (i, p) in f.params.iter().enumerate() {
            let slot = i as u32 + 1;
            let _ = writeln!(out, "    {} a{slot};", type_name(&p.ty));
            let leaves: Vec<&Expected> = plan.iter().filter(|e| e.slot == slot).collect();
            fill(&format!("a{slot}"), &leaves, &mut out);
            for e in &leaves {
                record(&format!("a{slot}"), false, *id, false, e, &mut out);
            }
            args.push(if p.by_ref { format!("&a{slot}") } else { format!("a{slot}") });
        }
        for (j, s) in f.tail.iter().flatten().enumerate() {
            let slot = (f.params.len() + 1 + j) as u32;
            let _ = writeln!(out, "    {} a{slot};", scalar_type(*s));
            let leaves: Vec<&Expected> = plan.iter().filter(|e| e.slot == slot).collect();
            fill(&format!("a{slot}"), &leaves, &mut out);
            for e in &leaves {
                record(&format!("a{slot}"), false, *id, false, e, &mut out);
            }
            args.push(format!("a{slot}"));
        }
        let call = format!("{}({})", f.name, args.join(", "));
        match &f.ret {
            Some(r) => {
                let _ = writeln!(out, "    {} r = {call};", type_name(r));
                for e in plan.iter().filter(|e| e.slot == 0) {
                    record("r", false, *id, false, e, &mut out);
                }
            }
            None => {
                let _ = writeln!(out, "    {call};");
            }
        }
        out.push_str("}\n");
    }
    out.push_str("\nvoid abi_run(unsigned int i) {\n    switch (i) {\n");
    for (i, (_, f)) in fns.iter().enumerate() {
        let _ = writeln!(out, "    case {i}u: call_{}(); break;", f.name);
    }
    out.push_str("    default: break;\n    }\n}\n");
    out
}
