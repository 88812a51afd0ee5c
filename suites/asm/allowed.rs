//! Every register Arm64EC leaves to code can be an `asm!` operand: x0–x12, x15–x17,
//! x20–x22, x25–x27, x30 and v0–v15. The object must verify clean: no reserved register
//! appears in the generated code.
#![no_std]
use core::arch::asm;

#[unsafe(no_mangle)]
pub extern "C" fn allowed_gprs(a: u64) -> u64 {
    let r: u64;
    unsafe {
        asm!(
            "add {r}, x0, x1",
            "add {r}, {r}, x12",
            "add {r}, {r}, x15",
            "add {r}, {r}, x22",
            "add {r}, {r}, x27",
            r = out(reg) r,
            in("x0") a, in("x1") 1u64, in("x12") 2u64, in("x15") 3u64,
            in("x22") 4u64, in("x27") 5u64,
            out("x16") _, out("x17") _, out("x20") _, out("x21") _, out("x25") _, out("x26") _,
            out("x30") _,
        );
    }
    r
}

#[unsafe(no_mangle)]
pub extern "C" fn allowed_vectors(a: f64) -> f64 {
    let r: f64;
    unsafe {
        asm!(
            "fadd {r:d}, d0, d15",
            r = out(vreg) r,
            in("v0") a, in("v15") 1.0f64,
            out("v1") _, out("v7") _, out("v8") _, out("v14") _,
        );
    }
    r
}

/// `clobber_abi("C")` clobbers only what the Arm64EC convention lets a call clobber.
#[unsafe(no_mangle)]
pub extern "C" fn clobber_c_abi(a: u64) -> u64 {
    unsafe { asm!("", clobber_abi("C")) };
    a + 1
}
