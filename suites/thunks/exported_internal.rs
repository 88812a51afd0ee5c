//! Exported versus internal functions: every externally visible function has its `#name`
//! body, the plain-name alias and an entry thunk; internal functions need none unless their
//! address escapes. Calls to another crate's function go through a guest exit thunk.
//@ sig: exported = fn(u32, u32) -> u32
//@ sig: exported_calls_internal = fn(u32) -> u32
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn exported(a: u32, b: u32) -> u32 {
    a.wrapping_mul(b)
}

#[inline(never)]
fn internal(x: u32) -> u32 {
    x.rotate_left(3) ^ 0x5a5a
}

#[unsafe(no_mangle)]
pub extern "C" fn exported_calls_internal(x: u32) -> u32 {
    internal(x).wrapping_add(internal(x + 1))
}

/// A Rust-ABI function visible to other crates: rustc gives it an entry thunk too.
#[inline(never)]
pub fn rust_abi(x: &[u8]) -> usize {
    x.iter().filter(|b| **b != 0).count()
}
