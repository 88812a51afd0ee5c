//! A directory case: a Rust crate and a C file built for Arm64EC side by side; every object
//! must be ARM64EC.
//@ tier: static
//@ cflags: /O1
#![no_std]

unsafe extern "C" {
    fn c_mul(a: i32, b: i32) -> i32;
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_mul_add(a: i32, b: i32, c: i32) -> i32 {
    unsafe { c_mul(a, b) + c }
}
