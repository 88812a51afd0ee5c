//! Registers every Windows AArch64 target restricts: x18 holds the TEB, x19 is LLVM's base
//! pointer, x29 the frame pointer; sp and xzr are not general operands.
//@ build-fail
#![no_std]
use core::arch::asm;

pub fn restricted() {
    unsafe {
        asm!("", out("x18") _); //~ ERROR cannot use register `x18`: x18 is a reserved register on this target
        asm!("", out("x19") _); //~ ERROR invalid register `x19`: x19 is used internally by LLVM
        asm!("", out("x29") _); //~ ERROR invalid register `x29`: the frame pointer cannot be used
        asm!("", out("sp") _); //~ ERROR invalid register `sp`: the stack pointer cannot be used
        asm!("", out("xzr") _); //~ ERROR invalid register `xzr`: the zero register cannot be used
    }
}
