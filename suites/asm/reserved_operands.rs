//! Registers Arm64EC reserves cannot be `asm!` operands or clobbers: x13, x14, x23, x24,
//! x28 and v16–v31 have no slot in the x64 context the OS saves, so rustc rejects them for
//! arm64ec (in any view: w13, q16, d31, ...), as it does the SVE predicate registers and FFR.
//@ build-fail
#![no_std]
use core::arch::asm;

pub fn operands() {
    unsafe {
        asm!("", out("x13") _); //~ ERROR cannot use register `x13`: x13, x14, x23, x24, x28, v16-v31, p*, ffr cannot be used for Arm64EC
        asm!("", out("x14") _); //~ ERROR cannot use register `x14`
        asm!("", out("x23") _); //~ ERROR cannot use register `x23`
        asm!("", out("x24") _); //~ ERROR cannot use register `x24`
        asm!("", out("x28") _); //~ ERROR cannot use register `x28`
        asm!("", out("w13") _); //~ ERROR cannot use register `x13`
        asm!("", in("x23") 1u64); //~ ERROR cannot use register `x23`
        asm!("", out("v16") _); //~ ERROR cannot use register `v16`
        asm!("", out("q20") _); //~ ERROR cannot use register `v20`
        asm!("", out("d31") _); //~ ERROR cannot use register `v31`
        asm!("", out("p0") _); //~ ERROR cannot use register `p0`
        asm!("", out("ffr") _); //~ ERROR cannot use register `ffr`
    }
}
