//! `i128` / `u128`: 16 bytes with 16-byte alignment. The ABI names such a parameter `m16a16`:
//! on ARM64 it starts at an even register (x2:x3 after an i64). LLVM drops the alignment and
//! names it `m16`, the name of an 8-byte-aligned 16-byte struct that sits in x1:x2 — two
//! thunks with one name and different code, of which the linker keeps one.
//@ needs-clang-cl
//@ known-deviation: LLVM names 16-byte-aligned parameters m16 (the ABI: m16a16), so i128 and {u64, u64} thunks collide; no upstream issue found
//@ expect-finding: thunk.name.oracle[#call_ext_wide,#wide_arg,ext_wide] thunk.name.producers[call_ext_wide,wide_arg]
//@ expect-finding: thunk.code[$ientry_thunk$cdecl$i8$i8m16,$iexit_thunk$cdecl$i8$i8m16]
//@ sig: wide_arg = fn(u64, i128) -> u64
//@ sig: wide_ret = fn(u64) -> u128
//@ sig: ext_wide = fn(u64, i128) -> u64
//@ sig: call_ext_wide = fn(u64, i128) -> u64
#![no_std]

unsafe extern "C" {
    fn ext_wide(_a0: u64, _a1: i128) -> u64;
}

#[unsafe(no_mangle)]
pub extern "C" fn wide_arg(_a0: u64, _a1: i128) -> u64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn wide_ret(_a0: u64) -> u128 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_wide(_a0: u64, _a1: i128) -> u64 {
    unsafe { ext_wide(_a0, _a1) }
}
