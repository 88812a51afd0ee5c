//! The unwind decoder on real compiler output: every `.pdata` entry of objects from
//! rustc (arm64ec and aarch64), clang-cl (arm64ec) and the Rust sysroot's
//! compiler_builtins (whose C parts were built by MSVC) is decoded and compared,
//! header field by field and code by code, with `llvm-readobj -u`.

use harness::inspect::unwind::{self, CodeAt, UnwindKind, Xdata};
use object::pe;
use object::read::coff::{CoffFile, Symbol as _};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::trials::{AR, CLANG, CLANG_CL, READOBJ};

/// Functions chosen for varied prologs: big frames, many callee-saved general and
/// float registers, calls through pointers and to foreign functions (so Arm64EC
/// entry and exit thunks appear), early returns, and landing pads.
const RUST_SOURCE: &str = r#"
use std::hint::black_box;

unsafe extern "C" {
    fn ext_fill(p: *mut u8, n: usize) -> f64;
    fn ext_f(x: f64) -> f64;
    fn ext_i(a: u64, b: u64, c: u64) -> u64;
}
unsafe extern "C-unwind" {
    fn ext_may_unwind(x: u32) -> u32;
}

#[unsafe(no_mangle)]
pub fn huge_frame(n: usize) -> f64 {
    let mut buf = [0u8; 1 << 20];
    unsafe { ext_fill(buf.as_mut_ptr(), n) }
}

#[unsafe(no_mangle)]
pub fn medium_frame(n: usize) -> f64 {
    let mut buf = [0u8; 5000];
    unsafe { ext_fill(buf.as_mut_ptr(), n) }
}

#[unsafe(no_mangle)]
pub fn many_ints(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64) -> u64 {
    unsafe {
        let x1 = ext_i(a, b, c);
        let x2 = ext_i(x1, d, e);
        let x3 = ext_i(x2, f, a);
        let x4 = ext_i(x3, x1, b);
        let x5 = ext_i(x4, x2, c);
        let x6 = ext_i(x5, x3, d);
        let x7 = ext_i(x6, x4, e);
        let x8 = ext_i(x7, x5, f);
        x1 ^ x2 ^ x3 ^ x4 ^ x5 ^ x6 ^ x7 ^ x8 ^ a ^ b ^ c ^ d ^ e ^ f
    }
}

#[unsafe(no_mangle)]
pub fn many_floats(a: f64, b: f64, c: f64, d: f64, e: f64) -> f64 {
    unsafe {
        let x = ext_f(a);
        let y = ext_f(b * x);
        let z = ext_f(c + y);
        let w = ext_f(d - z);
        let v = ext_f(e * w);
        let u = ext_f(v + a);
        x * y * z * w * v * u + a * b * c * d * e
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_pointer(f: extern "C" fn(u64) -> u64, a: u64) -> u64 {
    f(a) + f(a + 1)
}

#[unsafe(no_mangle)]
pub fn early_returns(v: &[u64], k: u64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    let first = unsafe { ext_i(v[0], k, 1) };
    if first == k {
        return first;
    }
    let mut acc = first;
    for &x in v {
        acc = unsafe { ext_i(acc, x, k) };
        if acc == 0 {
            return unsafe { ext_i(k, k, k) };
        }
    }
    acc
}

pub struct Noisy(pub u32);

impl Drop for Noisy {
    fn drop(&mut self) {
        unsafe { ext_may_unwind(self.0) };
    }
}

#[unsafe(no_mangle)]
pub fn with_cleanup(x: u32) -> u32 {
    let a = Noisy(x);
    let b = Noisy(x + 1);
    let r = unsafe { ext_may_unwind(x) };
    black_box((&a, &b));
    r
}

#[unsafe(no_mangle)]
pub fn catches(x: u32) -> u32 {
    match std::panic::catch_unwind(|| unsafe { ext_may_unwind(x) }) {
        Ok(v) => v,
        Err(_) => 7,
    }
}

#[unsafe(no_mangle)]
pub fn formats(x: u32, y: f64) -> usize {
    let s = format!("{x} {y:.3} {:?}", black_box([x; 3]));
    s.len()
}
"#;

const C_SOURCE: &str = r#"
#include <stdarg.h>
#define EXCEPTION_EXECUTE_HANDLER 1

extern double ext_f(double);
extern long long ext_i(long long, long long, long long);
extern void ext_fill(char *, int);

long long sum(int n, ...) {
    va_list ap;
    long long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) s += va_arg(ap, long long);
    va_end(ap);
    return s;
}

double floats(double a, double b, double c, double d) {
    double x = ext_f(a), y = ext_f(b * x), z = ext_f(c + y), w = ext_f(d - z);
    return x * y * z * w + a * b * c * d;
}

long long ints(long long a, long long b, long long c, long long d, long long e) {
    long long x1 = ext_i(a, b, c), x2 = ext_i(x1, d, e), x3 = ext_i(x2, a, b);
    long long x4 = ext_i(x3, x1, c), x5 = ext_i(x4, x2, d), x6 = ext_i(x5, x3, e);
    return x1 ^ x2 ^ x3 ^ x4 ^ x5 ^ x6 ^ a ^ b ^ c ^ d ^ e;
}

int big(int n) {
    char buf[100000];
    ext_fill(buf, n);
    return buf[n];
}

int guarded(int n) {
    __try {
        ext_fill(0, n);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return -1;
    }
    return n;
}

int pointer(int (*f)(int), int a) { return f(a) + f(a + 1); }
"#;

/// Arm64EC assembly with an SEH directive for most unwind codes, an epilog scope and
/// a handler (with one word of handler data: llvm-readobj insists on it).
const ASM_ALL_CODES: &str = r#"
    .text
    .globl all_codes
    .p2align 2
all_codes:
    .seh_proc all_codes
    pacibsp
    .seh_pac_sign_lr
    stp x19, x20, [sp, #-64]!
    .seh_save_r19r20_x 64
    stp x21, x22, [sp, #-16]!
    .seh_save_regp_x x21, 16
    str x25, [sp, #-16]!
    .seh_save_reg_x x25, 16
    stp d8, d9, [sp, #-16]!
    .seh_save_fregp_x d8, 16
    str d10, [sp, #-16]!
    .seh_save_freg_x d10, 16
    stp x25, lr, [sp, #-32]!
    .seh_nop
    str x26, [sp, #8]
    .seh_save_reg x26, 8
    stp d12, d13, [sp, #16]
    .seh_save_fregp d12, 16
    str d14, [sp, #8]
    .seh_save_freg d14, 8
    stp x21, x22, [sp, #16]
    .seh_save_regp x21, 16
    stp x21, lr, [sp, #16]
    .seh_save_lrpair x21, 16
    stp q6, q7, [sp, #-32]!
    .seh_save_any_reg_px q6, 32
    str x0, [sp, #8]
    .seh_save_any_reg x0, 8
    str d3, [sp, #-16]!
    .seh_save_any_reg_x d3, 16
    stp d4, d5, [sp, #16]
    .seh_save_any_reg_p d4, 16
    stp x29, x30, [sp, #-16]!
    .seh_save_fplr_x 16
    stp x29, x30, [sp, #8]
    .seh_save_fplr 8
    sub sp, sp, #32
    .seh_stackalloc 32
    sub sp, sp, #4000
    .seh_stackalloc 4000
    sub sp, sp, #(1 << 20)
    .seh_stackalloc 1048576
    mov x29, sp
    .seh_set_fp
    add x29, sp, #16
    .seh_add_fp 16
    nop
    .seh_trap_frame
    nop
    .seh_pushframe
    nop
    .seh_context
    nop
    .seh_ec_context
    nop
    .seh_clear_unwound_to_call
    .seh_endprologue
    bl other
    .seh_startepilogue
    add sp, sp, #32
    .seh_stackalloc 32
    ldp x29, x30, [sp], #16
    .seh_save_fplr_x 16
    autibsp
    .seh_pac_sign_lr
    .seh_endepilogue
    ret
    .seh_endfunclet
    .seh_handler handler, @except
    .seh_handlerdata
    .long 0
    .text
    .seh_endproc
"#;

/// AArch64 assembly for the SVE allocation and `save_next`.
const ASM_SVE: &str = r#"
    .text
    .globl sve
    .p2align 2
sve:
    .seh_proc sve
    stp x19, x20, [sp, #-32]!
    .seh_save_r19r20_x 32
    stp x21, x22, [sp, #16]
    .seh_save_next
    addvl sp, sp, #-3
    .seh_allocz 3
    .seh_endprologue
    bl other
    .seh_startepilogue
    addvl sp, sp, #3
    .seh_allocz 3
    ldp x21, x22, [sp, #16]
    .seh_save_next
    ldp x19, x20, [sp], #32
    .seh_save_r19r20_x 32
    .seh_endepilogue
    ret
    .seh_endproc
"#;

fn assemble(dir: &Path, clang: &Path, name: &str, source: &str, args: &[&str]) -> PathBuf {
    let src = dir.join(format!("{name}.s"));
    std::fs::write(&src, source).unwrap();
    let out = dir.join(format!("{name}.o"));
    let st = Command::new(clang).args(args).arg("-c").arg(&src).arg("-o").arg(&out).status();
    assert!(st.unwrap().success(), "clang failed to assemble {name}");
    out
}

fn compile_rust(dir: &Path, target: &str) -> PathBuf {
    let src = dir.join("unwind_cases.rs");
    std::fs::write(&src, RUST_SOURCE).unwrap();
    let out = dir.join(format!("{target}.o"));
    let st = Command::new("rustc")
        .args(["--edition=2024", "--crate-type=rlib", "--emit=obj", "-O", "--target", target])
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .expect("rustc");
    assert!(st.success(), "rustc --target {target} failed");
    out
}

fn compile_c(dir: &Path, clang_cl: &Path) -> PathBuf {
    let src = dir.join("unwind_cases.c");
    std::fs::write(&src, C_SOURCE).unwrap();
    let out = dir.join("unwind_cases.obj");
    let st = Command::new(clang_cl)
        .args(["/nologo", "/c", "/O2", "/arm64EC"])
        .arg(format!("/Fo{}", out.display()))
        .arg("--")
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success(), "clang-cl failed");
    out
}

/// Every member of the target's compiler_builtins rlib that is a COFF object.
fn sysroot_members(dir: &Path, ar: &Path, target: &str) -> Vec<PathBuf> {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().expect("rustc");
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let lib = sysroot.join("lib/rustlib").join(target).join("lib");
    let Ok(entries) = std::fs::read_dir(&lib) else { return Vec::new() };
    let Some(rlib) = entries.flatten().map(|e| e.path()).find(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with("libcompiler_builtins-") && name.ends_with(".rlib")
    }) else {
        return Vec::new();
    };
    let into = dir.join(format!("builtins-{target}"));
    std::fs::create_dir_all(&into).unwrap();
    let st = Command::new(ar).arg("x").arg(&rlib).current_dir(&into).status().unwrap();
    assert!(st.success(), "llvm-ar x {}", rlib.display());
    let mut members: Vec<PathBuf> = std::fs::read_dir(&into)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "o" || e == "obj"))
        .collect();
    members.sort();
    members
}

/// A code list as (hex bytes, instruction) pairs.
type Codes = Vec<(String, String)>;

/// One `RuntimeFunction` as llvm-readobj prints it: `key: value` lines, and the
/// code lists; a scope is (StartOffset, EpilogueStartIndex, codes).
#[derive(Debug, Default)]
struct Printed {
    fields: Vec<(String, String)>,
    prologue: Codes,
    epilogue: Codes,
    scopes: Vec<(u32, u32, Codes)>,
    handler: bool,
}

impl Printed {
    fn field(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key} in {self:#?}"))
    }
}

fn readobj_unwind(readobj: &Path, obj: &Path) -> Vec<Printed> {
    let out = Command::new(readobj).arg("-u").arg(obj).output().unwrap();
    assert!(out.status.success(), "llvm-readobj -u {}", obj.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut funcs: Vec<Printed> = Vec::new();
    let mut list = "";
    for line in text.lines().map(str::trim) {
        if line == "RuntimeFunction {" {
            funcs.push(Printed::default());
            continue;
        }
        let Some(f) = funcs.last_mut() else { continue };
        if let Some(name) = line.strip_suffix(" [") {
            list = match name {
                "Prologue" | "Epilogue" | "Opcodes" => name,
                "ExceptionHandler" => {
                    f.handler = true;
                    ""
                }
                _ => "",
            };
        } else if line == "]" {
            list = "";
        } else if line == "EpilogueScope {" {
            f.scopes.push((u32::MAX, u32::MAX, Vec::new()));
        } else if let Some((hex, instr)) = line.split_once(';').filter(|_| line.starts_with("0x")) {
            let code = (hex.trim().to_string(), instr.trim().to_string());
            match list {
                "Prologue" => f.prologue.push(code),
                "Epilogue" => f.epilogue.push(code),
                "Opcodes" => f.scopes.last_mut().expect("scope").2.push(code),
                _ => panic!("code line outside a code list: {line}"),
            }
        } else if let Some((key, value)) = line.split_once(": ") {
            let value = value.to_string();
            match (key, f.scopes.last_mut()) {
                ("StartOffset", Some(s)) => s.0 = value.parse().unwrap(),
                ("EpilogueStartIndex", Some(s)) => s.1 = value.parse().unwrap(),
                _ => f.fields.push((key.to_string(), value)),
            }
        } else if !list.is_empty() && !line.is_empty() {
            // Packed entries get a synthesized prologue without code bytes.
            assert!(!line.starts_with("0x") && !line.contains("opcode"), "odd line: {line}");
        }
    }
    funcs
}

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// Our codes in llvm-readobj's form, prolog or epilog spelling.
fn ours(x: &Xdata, codes: &[CodeAt], prolog: bool) -> Codes {
    codes
        .iter()
        .map(|c| {
            let bytes = &x.code_bytes[c.index..c.index + c.code.encoded_len()];
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let text = if prolog { c.code.to_string() } else { c.code.epilog().to_string() };
            (format!("0x{hex}"), text)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    packed: usize,
    xdata: usize,
    ops: BTreeSet<String>,
}

fn compare_xdata(x: &Xdata, p: &Printed, what: &str, tally: &mut Tally) {
    assert_eq!(p.field("FunctionLength"), x.function_length.to_string(), "{what}");
    assert_eq!(p.field("Version"), x.version.to_string(), "{what}");
    assert_eq!(p.field("ExceptionData"), yes(x.x), "{what}");
    assert_eq!(p.field("EpiloguePacked"), yes(x.e), "{what}");
    let count_key = if x.e { "EpilogueOffset" } else { "EpilogueScopes" };
    assert_eq!(p.field(count_key), x.epilog_count.to_string(), "{what}");
    assert_eq!(p.field("ByteCodeLength"), (x.code_words * 4).to_string(), "{what}");
    assert_eq!(p.handler, x.x, "{what}");
    assert_eq!(ours(x, &x.codes, true), p.prologue, "{what}: prologue");
    let epilogs = x.epilog_codes().unwrap_or_else(|e| panic!("{what}: epilog codes: {e}"));
    if x.e {
        let want = if x.epilog_count == 0 { Vec::new() } else { ours(x, &epilogs[0], false) };
        assert_eq!(want, p.epilogue, "{what}: packed epilogue");
    } else {
        assert_eq!(x.epilog_scopes.len(), p.scopes.len(), "{what}");
        for ((s, codes), (start, index, printed)) in
            x.epilog_scopes.iter().zip(&epilogs).zip(&p.scopes)
        {
            // llvm-readobj prints the raw StartOffset field, in 4-byte units.
            assert_eq!((s.start_offset / 4, s.start_index), (*start, *index), "{what}");
            assert_eq!(&ours(x, codes, false), printed, "{what}: epilog at {start}");
        }
    }
    for c in x.codes.iter().chain(epilogs.iter().flatten()) {
        let json = serde_json::to_value(c.code).unwrap();
        tally.ops.insert(json["op"].as_str().unwrap().to_string());
    }
    tally.xdata += 1;
}

/// Decode every `.pdata` entry of `obj` and compare it with llvm-readobj.
fn cross_check(readobj: &Path, obj: &Path, tally: &mut Tally) {
    let data = std::fs::read(obj).unwrap();
    let file = CoffFile::<&[u8]>::parse(&data[..]).unwrap_or_else(|e| panic!("{obj:?}: {e}"));
    let sections = file.coff_section_table();
    let symbols = file.coff_symbol_table();
    let strings = symbols.strings();
    let printed = readobj_unwind(readobj, obj);
    let mut printed = printed.iter();
    for (index, section) in sections.enumerate() {
        let name = section.name(strings).unwrap_or_default();
        if !name.starts_with(b".pdata") {
            continue;
        }
        let pdata = section.coff_data(&data[..]).unwrap();
        let relocs = section.coff_relocations(&data[..]).unwrap();
        assert_eq!(pdata.len() % 8, 0, "{obj:?} .pdata #{}", index.0);
        for (k, entry) in pdata.chunks_exact(8).enumerate() {
            let what = format!("{} .pdata #{} entry {k}", obj.display(), index.0);
            let p = printed.next().unwrap_or_else(|| panic!("{what}: llvm-readobj printed less"));
            let word = u32::from_le_bytes(entry[4..8].try_into().unwrap());
            let kind = unwind::decode_unwind_data(word).unwrap_or_else(|e| panic!("{what}: {e}"));
            match kind {
                UnwindKind::Packed(pk) => {
                    let fragment = pk.flag == unwind::PackedFlag::Fragment;
                    assert_eq!(p.field("Fragment"), yes(fragment), "{what}");
                    assert_eq!(p.field("FunctionLength"), pk.function_length.to_string(), "{what}");
                    assert_eq!(p.field("RegF"), pk.reg_f.to_string(), "{what}");
                    assert_eq!(p.field("RegI"), pk.reg_i.to_string(), "{what}");
                    assert_eq!(p.field("HomedParameters"), yes(pk.h), "{what}");
                    assert_eq!(p.field("CR"), pk.cr.to_string(), "{what}");
                    assert_eq!(p.field("FrameSize"), pk.frame_size.to_string(), "{what}");
                    tally.packed += 1;
                }
                UnwindKind::Xdata { offset: addend } => {
                    // The word is the addend of an image-relative relocation.
                    let at = k as u32 * 8 + 4;
                    let rel = relocs
                        .iter()
                        .find(|r| r.virtual_address.get(object::LittleEndian) == at)
                        .unwrap_or_else(|| panic!("{what}: no relocation for the xdata RVA"));
                    assert_eq!(rel.typ.get(object::LittleEndian), pe::IMAGE_REL_ARM64_ADDR32NB);
                    let sym = symbols.symbol(rel.symbol()).unwrap();
                    let target = sym.section_number().index().expect("defined symbol");
                    let xsec = sections.section(object::SectionIndex(target as usize)).unwrap();
                    let xdata = xsec.coff_data(&data[..]).unwrap();
                    let start = (sym.value() + addend) as usize;
                    let x = unwind::decode_xdata(&xdata[start..])
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    compare_xdata(&x, p, &what, tally);
                }
            }
        }
    }
    assert!(printed.next().is_none(), "{obj:?}: llvm-readobj printed more entries");
}

fn decoded_unwind_data_agrees_with_llvm_readobj() {
    let readobj = READOBJ.path();
    let dir = tempfile::tempdir().unwrap();
    let mut objects = vec![
        compile_rust(dir.path(), "arm64ec-pc-windows-msvc"),
        compile_rust(dir.path(), "aarch64-pc-windows-msvc"),
    ];
    objects.push(compile_c(dir.path(), &CLANG_CL.path()));
    let clang = CLANG.path();
    let ec = ["--target=arm64ec-pc-windows-msvc"];
    objects.push(assemble(dir.path(), &clang, "all_codes", ASM_ALL_CODES, &ec));
    let sve = ["--target=aarch64-pc-windows-msvc", "-march=armv8-a+sve"];
    objects.push(assemble(dir.path(), &clang, "sve", ASM_SVE, &sve));
    let mut members = 0;
    let ar = AR.path();
    for target in ["arm64ec-pc-windows-msvc", "aarch64-pc-windows-msvc"] {
        let found = sysroot_members(dir.path(), &ar, target);
        members += found.len();
        objects.extend(found);
    }
    let mut tally = Tally::default();
    for obj in &objects {
        cross_check(&readobj, obj, &mut tally);
    }
    eprintln!(
        "{} objects ({members} from sysroot rlibs): {} packed and {} xdata records agree; ops {:?}",
        objects.len(),
        tally.packed,
        tally.xdata,
        tally.ops
    );
    assert!(tally.xdata >= 20, "too few xdata records compared: {}", tally.xdata);
    // rustc alone covers these; the assembly adds every other kind but reserved
    // ones, and MSVC's fragments in the sysroot add end_c.
    let mut expected =
        vec!["save_fplr_x", "save_regp", "save_fregp", "alloc_l", "add_fp", "save_any_reg"];
    expected.extend(["save_freg_x", "ec_context", "trap_frame", "alloc_z", "save_next"]);
    assert!(members > 0, "no objects in the sysroot's rlibs");
    expected.push("end_c");
    for op in expected {
        assert!(tally.ops.contains(op), "no {op} in real output: {:?}", tally.ops);
    }
}

crate::self_tests! {
    decoded_unwind_data_agrees_with_llvm_readobj [READOBJ, CLANG_CL, CLANG, AR],
}
