//! A Rust `staticlib` for arm64ec (it carries its own core and compiler_builtins), linked
//! into a DLL by lld directly: the exports named on the link line become x64 entry points.
//@ tier: link
//@ crate-type: staticlib
//@ link: dll
//@ link-args: /export:sl_mul /export:sl_sum
//@ sig: sl_mul = fn(u64, u64) -> u64
//@ sig: sl_sum = fn(ptr, u64) -> u64
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn sl_mul(a: u64, b: u64) -> u64 {
    a.wrapping_mul(b)
}

/// # Safety
/// `p` points at `n` readable `u64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_sum(p: *const u64, n: u64) -> u64 {
    let s = unsafe { core::slice::from_raw_parts(p, n as usize) };
    s.iter().fold(0u64, |a, b| a.wrapping_add(*b))
}
