//! A `#![no_std]` Rust `cdylib` for arm64ec, linked by rustc (with LLD): the image's header
//! says AMD64, its CHPE metadata maps the ARM64EC code, every export is an x64 entry point
//! that jumps to EC code with a redirection entry, and each EC export has its entry thunk.
//@ tier: link
//@ crate-type: cdylib
//@ sig: add = fn(u64, u64) -> u64
//@ sig: call_fp = fn(ptr, i32) -> i32
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[unsafe(no_mangle)]
pub extern "C" fn call_fp(f: extern "C" fn(i32) -> i32, x: i32) -> i32 {
    f(x) + 1
}

#[unsafe(no_mangle)]
pub extern "C" fn pick(v: &[u32; 8], i: usize) -> u32 {
    v[i % 8]
}
