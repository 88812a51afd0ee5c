//! A reserved register written into the `asm!` template itself is not an operand: rustc (and
//! LLVM's assembler) only warn and emit the code. The object verifier must catch it.
//@ expect-finding: reg.reserved[#uses_x13]
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn uses_x13(a: u64) -> u64 {
    let r: u64;
    unsafe { core::arch::asm!("mov x13, {a}", "mov {r}, x13", a = in(reg) a, r = out(reg) r) } //~ WARN register X13 is disallowed on ARM64EC
    r
}
