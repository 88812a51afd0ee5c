//! Naked functions get no Arm64EC treatment from rustc: one that the crate calls has its
//! body emitted under no symbol at all (no `#naked_add`, no entry thunk, no hybrid-map
//! record) while its callers reach `naked_add` through the usual anti-dependency aliases, so
//! the code is orphaned and `naked_add` stays undefined; one that is not called is defined
//! under its plain name, where x64 callers would enter ARM64 code without a thunk.
//@ min-rust-version: 1.88
//@ known-deviation: rustc emits naked functions on arm64ec without an EC symbol or entry thunk; no upstream issue found
//@ expect-finding: ec.orphan-code*1 ec.mangling[naked_uncalled]
#![no_std]

#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn naked_add(a: u64, b: u64) -> u64 {
    core::arch::naked_asm!("add x0, x0, x1", "ret")
}

#[unsafe(no_mangle)]
pub extern "C" fn uses_naked(a: u64) -> u64 {
    naked_add(a, 1)
}

#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn naked_uncalled(a: u64) -> u64 {
    core::arch::naked_asm!("lsl x0, x0, #1", "ret")
}
