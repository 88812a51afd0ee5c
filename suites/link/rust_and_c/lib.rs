//! Rust and C (`clang-cl /arm64EC`, or `cl /arm64EC` with MSVC) in one Arm64EC DLL, each
//! calling the other directly (both are EC code) and through a function pointer (checked).
//@ tier: link
//@ crate-type: cdylib
//@ sig: rust_square = fn(u64) -> u64
//@ sig: rust_calls_c = fn(u64) -> u64
//@ sig: c_twice_square = fn(u64) -> u64
//@ sig: c_apply = fn(ptr, i32) -> i32
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

unsafe extern "C" {
    fn c_twice_square(x: u64) -> u64;
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_square(x: u64) -> u64 {
    x.wrapping_mul(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_calls_c(x: u64) -> u64 {
    unsafe { c_twice_square(x) }.wrapping_add(1)
}
