//! Rust source for one side of a pairing: `#[repr(C)]` types, the callees or the callers
//! (with `abi_run`), and — in the crate that holds it — the driver: `abi_rec`, which
//! writes each recorded value as a protocol line the moment it is recorded, and the entry
//! point that calls every function in turn. The Arm64EC driver is `#![no_std]` and writes
//! through kernel32 (raw-dylib), so the image needs no C runtime; the host driver uses std.
//! The Arm64EC driver also keeps the protocol text in `abi_out` / `abi_out_len` for a
//! function-level runner, which calls `abi_run(i)` itself and reads them after each call.

use super::values::{self, Expected};
use super::{FnSpec, battery::mangle};
use crate::abi::sig::{Scalar, Ty};
use std::fmt::Write;

/// The Rust spelling of a scalar: the notation's name, but a raw pointer for `ptr`.
pub fn scalar_type(s: Scalar) -> &'static str {
    match s {
        Scalar::Ptr => "*const u8",
        s => s.name(),
    }
}

pub fn type_name(ty: &Ty) -> String {
    match ty {
        Ty::Scalar(s) => scalar_type(*s).to_string(),
        Ty::Struct(_) => format!("T_{}", mangle(ty)),
        Ty::Array(t, n) => format!("[{}; {n}]", type_name(t)),
    }
}

fn define(ty: &Ty, out: &mut String) {
    let Ty::Struct(ms) = ty else { return };
    let fields: Vec<String> =
        ms.iter().enumerate().map(|(i, m)| format!("pub f{i}: {}", type_name(m))).collect();
    let _ = writeln!(
        out,
        "#[repr(C)]\n#[derive(Clone, Copy)]\npub struct {} {{ {} }}",
        type_name(ty),
        fields.join(", ")
    );
}

/// The little-endian `bytes` as one hexadecimal integer (at most 16 bytes).
fn hex_le(bytes: &[u8]) -> String {
    let v = bytes.iter().rev().fold(0u128, |acc, b| (acc << 8) | *b as u128);
    format!("0x{v:x}")
}

/// An expression of scalar type `s` whose bytes are `bytes`: a typed hexadecimal literal
/// (unsigned, then cast for signed types), the bits of a float, a pointer from an address.
fn literal(s: Scalar, bytes: &[u8]) -> String {
    let h = hex_le(bytes);
    match s {
        Scalar::F32 => format!("f32::from_bits({h}u32)"),
        Scalar::F64 => format!("f64::from_bits({h}u64)"),
        Scalar::Bool => (bytes[0] != 0).to_string(),
        Scalar::Ptr => format!("({h}usize as *const u8)"),
        Scalar::I8 => format!("({h}u8 as i8)"),
        Scalar::I16 => format!("({h}u16 as i16)"),
        Scalar::I32 => format!("({h}u32 as i32)"),
        Scalar::I64 => format!("({h}u64 as i64)"),
        Scalar::I128 => format!("({h}u128 as i128)"),
        _ => format!("{h}{}", scalar_type(s)),
    }
}

fn fill(var: &str, plan: &[&Expected], out: &mut String) {
    out.push_str(&values::assignments(var, plan, &literal));
}

fn tag(fn_id: usize, callee: bool, e: &Expected) -> u32 {
    ((fn_id as u32) << 16) | ((callee as u32) << 15) | (e.slot << 9) | e.leaf
}

fn record(var: &str, deref: bool, fn_id: usize, callee: bool, e: &Expected, out: &mut String) {
    let place = match (deref, e.path.is_empty()) {
        (true, true) => format!("{var} as *const u8"),
        (true, false) => format!("core::ptr::addr_of!((*{var}){}) as *const u8", e.path),
        (false, _) => format!("core::ptr::addr_of!({var}{}) as *const u8", e.path),
    };
    let _ = writeln!(
        out,
        "    unsafe {{ abi_rec(0x{:x}, {place}, {}) }};",
        tag(fn_id, callee, e),
        e.bytes.len()
    );
}

/// Crate attributes, types, and the `abi_rec` declaration unless this crate defines it.
fn prelude(title: &str, fns: &[(usize, &FnSpec)], std: bool, defines_rec: bool) -> String {
    let mut out = format!("//! {title} (generated; do not edit)\n");
    if !std {
        out.push_str("#![no_std]\n");
    }
    out.push_str(
        "#![allow(non_camel_case_types, non_snake_case, improper_ctypes, \
         improper_ctypes_definitions, dead_code, unused_mut, unused_unsafe, unused_variables, \
         clippy::all)]\n",
    );
    if !defines_rec {
        out.push_str(
            "unsafe extern \"C\" {\n    fn abi_rec(tag: u32, p: *const u8, len: u32);\n}\n",
        );
    }
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
            if p.by_ref { format!("a{}: *const {t}", i + 1) } else { format!("a{}: {t}", i + 1) }
        })
        .collect();
    if f.tail.is_some() {
        ps.push("...".into());
    }
    ps.join(", ")
}

fn ret_decl(f: &FnSpec) -> String {
    f.ret.as_ref().map(|r| format!(" -> {}", type_name(r))).unwrap_or_default()
}

/// A local of type `ty` named `var`, every leaf filled.
fn local(var: &str, ty: &Ty, leaves: &[&Expected], out: &mut String) {
    match ty {
        Ty::Scalar(s) => {
            let e = leaves.first().map(|e| literal(*s, &e.bytes)).unwrap_or_default();
            let _ = writeln!(out, "    let {var}: {} = {e};", scalar_type(*s));
        }
        _ => {
            let _ = writeln!(
                out,
                "    let mut {var}: {} = unsafe {{ core::mem::zeroed() }};",
                type_name(ty)
            );
            fill(var, leaves, out);
        }
    }
}

/// The callee functions of a side.
pub fn callees(fns: &[(usize, &FnSpec)]) -> String {
    let mut out = String::new();
    for (id, f) in fns {
        let plan = values::plan(f);
        let _ = writeln!(out, "\n/// {}", f.display());
        let _ = writeln!(
            out,
            "#[unsafe(no_mangle)]\npub extern \"C\" fn {}({}){} {{",
            f.name,
            params_decl(f),
            ret_decl(f)
        );
        for e in plan.iter().filter(|e| e.slot != 0) {
            let by_ref = f.params.get(e.slot as usize - 1).is_some_and(|p| p.by_ref);
            record(&format!("a{}", e.slot), by_ref, *id, true, e, &mut out);
        }
        if let Some(r) = &f.ret {
            let rets: Vec<&Expected> = plan.iter().filter(|e| e.slot == 0).collect();
            local("r", r, &rets, &mut out);
            for e in &rets {
                record("r", false, *id, true, e, &mut out);
            }
            out.push_str("    r\n");
        }
        out.push_str("}\n");
    }
    out
}

/// The callers of a side and `abi_run(i)`.
pub fn callers(fns: &[(usize, &FnSpec)]) -> String {
    let mut out = String::from("unsafe extern \"C\" {\n");
    for (_, f) in fns {
        let _ = writeln!(out, "    fn {}({}){};", f.name, params_decl(f), ret_decl(f));
    }
    out.push_str("}\n");
    for (id, f) in fns {
        let plan = values::plan(f);
        let _ = writeln!(out, "\n/// {}\n#[inline(never)]\nfn call_{}() {{", f.display(), f.name);
        let mut args = Vec::new();
        for (i, p) in f.params.iter().enumerate() {
            let slot = i as u32 + 1;
            let leaves: Vec<&Expected> = plan.iter().filter(|e| e.slot == slot).collect();
            local(&format!("a{slot}"), &p.ty, &leaves, &mut out);
            for e in &leaves {
                record(&format!("a{slot}"), false, *id, false, e, &mut out);
            }
            args.push(if p.by_ref {
                format!("core::ptr::addr_of!(a{slot})")
            } else {
                format!("a{slot}")
            });
        }
        for (j, s) in f.tail.iter().flatten().enumerate() {
            let slot = (f.params.len() + 1 + j) as u32;
            let leaves: Vec<&Expected> = plan.iter().filter(|e| e.slot == slot).collect();
            local(&format!("a{slot}"), &Ty::Scalar(*s), &leaves, &mut out);
            for e in &leaves {
                record(&format!("a{slot}"), false, *id, false, e, &mut out);
            }
            args.push(format!("a{slot}"));
        }
        let _ = writeln!(out, "    let r = unsafe {{ {}({}) }};", f.name, args.join(", "));
        for e in plan.iter().filter(|e| e.slot == 0) {
            record("r", false, *id, false, e, &mut out);
        }
        out.push_str("}\n");
    }
    // Never inlined: a function-level runner calls `abi_run` itself, so the image must
    // keep it as a function of its own.
    out.push_str(
        "\n#[unsafe(no_mangle)]\n#[inline(never)]\npub extern \"C\" fn abi_run(i: u32) {\n    match i {\n",
    );
    for (i, (_, f)) in fns.iter().enumerate() {
        let _ = writeln!(out, "        {i} => call_{}(),", f.name);
    }
    out.push_str("        _ => {}\n    }\n}\n");
    out
}

/// What the crate that holds the driver needs to know.
pub struct Driver<'a> {
    pub pairing: &'a str,
    pub count: usize,
    /// `abi_run` comes from the other side (this crate holds the callees).
    pub run_is_extern: bool,
    pub host: bool,
}

const PROTOCOL: &str = r#"
fn abi_num(buf: &mut [u8; 64], n: &mut usize, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut k = 0;
    loop {
        digits[k] = b'0' + (v % 10) as u8;
        k += 1;
        v /= 10;
        if v == 0 { break; }
    }
    while k > 0 { k -= 1; buf[*n] = digits[k]; *n += 1; }
}

fn abi_line(parts: &[&[u8]], num: Option<u32>) {
    let mut buf = [0u8; 64];
    let mut n = 0;
    for p in parts { buf[n..n + p.len()].copy_from_slice(p); n += p.len(); }
    if let Some(v) = num { abi_num(&mut buf, &mut n, v); }
    buf[n] = b'\n';
    abi_write(&buf[..n + 1]);
}

/// Every recorded leaf becomes `v <function> <c|e> <slot> <leaf> <hex>` at once.
#[unsafe(no_mangle)]
pub extern "C" fn abi_rec(tag: u32, p: *const u8, len: u32) {
    let mut buf = [0u8; 64];
    let mut n = 0;
    buf[..2].copy_from_slice(b"v ");
    n += 2;
    abi_num(&mut buf, &mut n, tag >> 16);
    buf[n] = b' ';
    buf[n + 1] = if (tag >> 15) & 1 == 1 { b'e' } else { b'c' };
    buf[n + 2] = b' ';
    n += 3;
    abi_num(&mut buf, &mut n, (tag >> 9) & 63);
    buf[n] = b' ';
    n += 1;
    abi_num(&mut buf, &mut n, tag & 511);
    buf[n] = b' ';
    n += 1;
    abi_write(&buf[..n]);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut chunk = [0u8; 64];
    let mut k = 0;
    for i in 0..len as usize {
        let b = unsafe { *p.add(i) };
        chunk[k] = HEX[(b >> 4) as usize];
        chunk[k + 1] = HEX[(b & 15) as usize];
        k += 2;
        if k == chunk.len() { abi_write(&chunk); k = 0; }
    }
    chunk[k] = b'\n';
    abi_write(&chunk[..k + 1]);
}

fn abi_main() {
    abi_line(&[b"abi-protocol 1 ", PAIRING.as_bytes(), b" "], Some(COUNT));
    for i in 0..COUNT {
        abi_line(&[b"call "], Some(i));
        unsafe { abi_run(i) };
        abi_line(&[b"ret "], Some(i));
    }
    abi_line(&[b"done"], None);
}
"#;

const EC_IO: &str = r#"
#[link(name = "kernel32", kind = "raw-dylib")]
unsafe extern "system" {
    fn GetStdHandle(which: u32) -> *mut u8;
    fn WriteFile(h: *mut u8, buf: *const u8, len: u32, written: *mut u32, overlapped: *mut u8) -> i32;
    fn ExitProcess(code: u32) -> !;
}

/// Protocol text waiting to be written. A process writes it out at once (`abi_direct`,
/// set by `abi_start`), so a crash loses nothing; a function-level runner that calls
/// `abi_run(i)` itself leaves `abi_direct` at 0 and reads `abi_out[..abi_out_len]` after
/// each call. Defined in the pairing's support assembly (plain data symbols, whatever
/// rustc's export of `#[no_mangle]` statics does on Arm64EC).
unsafe extern "C" {
    static mut abi_out: [u8; 65536];
    static mut abi_out_len: u32;
    static mut abi_direct: u32;
}

fn abi_flush() {
    unsafe {
        let len = abi_out_len;
        let mut written = 0u32;
        let h = GetStdHandle(-11i32 as u32);
        WriteFile(h, core::ptr::addr_of!(abi_out) as *const u8, len, &mut written, core::ptr::null_mut());
        abi_out_len = 0;
    }
}

fn abi_write(b: &[u8]) {
    unsafe {
        let out = core::ptr::addr_of_mut!(abi_out) as *mut u8;
        for &byte in b {
            if abi_out_len as usize == 65536 {
                abi_flush();
            }
            *out.add(abi_out_len as usize) = byte;
            abi_out_len += 1;
        }
        if abi_direct != 0 {
            abi_flush();
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { ExitProcess(101) }
}

#[unsafe(no_mangle)]
pub extern "C" fn abi_start() -> u32 {
    unsafe { abi_direct = 1 };
    abi_main();
    unsafe { ExitProcess(0) }
}
"#;

const HOST_IO: &str = r#"
fn abi_write(b: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(b);
    if b.last() == Some(&b'\n') { let _ = out.flush(); }
}

fn main() {
    abi_main();
}
"#;

/// The whole crate of one Rust side; `driver` when this crate holds the driver.
pub fn crate_source(
    title: &str,
    fns: &[(usize, &FnSpec)],
    role_callee: bool,
    driver: Option<&Driver>,
) -> String {
    let std = driver.is_some_and(|d| d.host);
    let mut out = prelude(title, fns, std, driver.is_some());
    if let Some(d) = driver {
        if !d.host {
            out.insert_str(out.find("#![allow").unwrap_or(0), "#![no_main]\n");
        }
        let _ = writeln!(
            out,
            "const PAIRING: &str = \"{}\";\nconst COUNT: u32 = {};",
            d.pairing, d.count
        );
        if d.run_is_extern {
            out.push_str("unsafe extern \"C\" {\n    fn abi_run(i: u32);\n}\n");
        }
        out.push_str(PROTOCOL);
        out.push_str(if d.host { HOST_IO } else { EC_IO });
    }
    out.push_str(&if role_callee { callees(fns) } else { callers(fns) });
    out
}
