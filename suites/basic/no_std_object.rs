//! A `#![no_std]` Rust fixture compiled to an Arm64EC object: the object's COFF machine
//! must be ARM64EC (0xA641), not AMD64 or ARM64.
//@ tier: static
//@ crate-type: rlib
#![no_std]

#[repr(C)]
pub struct Pair {
    pub a: i64,
    pub b: f64,
}

#[unsafe(no_mangle)]
pub extern "C" fn add_pair(p: Pair, c: i32) -> f64 {
    p.a as f64 + p.b + c as f64
}

#[unsafe(no_mangle)]
pub extern "C" fn call_back(f: extern "C" fn(u8, i64) -> i8, x: u8) -> i8 {
    f(x, 7)
}
