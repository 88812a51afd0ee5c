//! Code that pulls compiler_builtins intrinsics — 128-bit division and multiplication,
//! float/integer conversions, the memcpy family, a stack probe for a big frame — links with
//! no unresolved symbol (LLVM 18.1.4 fixed linking some of these for Arm64EC).
//@ tier: link
//@ crate-type: cdylib
//@ min-llvm-version: 18.1.4
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn div128(a: u128, b: u64) -> u64 {
    if b == 0 { 0 } else { (a / u128::from(b)) as u64 ^ (a % u128::from(b)) as u64 }
}

#[unsafe(no_mangle)]
pub extern "C" fn mul128(a: i128, b: i64) -> i64 {
    a.wrapping_mul(i128::from(b)).checked_mul(3).map_or(-1, |v| v as i64)
}

#[unsafe(no_mangle)]
pub extern "C" fn conversions(x: f64) -> u64 {
    let a = x as u128;
    let b = x as i128;
    let c = x as i64;
    (a as f64 + b as f64 + c as f64) as u64
}

/// # Safety
/// `dst` and `src` point at `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mem_family(dst: *mut u8, src: *const u8, n: usize) -> i32 {
    unsafe {
        core::ptr::copy_nonoverlapping(src, dst, n);
        core::ptr::copy(dst, dst.add(1), n.saturating_sub(1));
        core::ptr::write_bytes(dst, 0x5a, n / 2);
        let a = core::slice::from_raw_parts(dst, n);
        let b = core::slice::from_raw_parts(src, n);
        a.cmp(b) as i32
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn big_frame(i: usize) -> u8 {
    let mut buf = [0u8; 70_000];
    for (k, b) in buf.iter_mut().enumerate() {
        *b = (k as u8).wrapping_mul(7);
    }
    core::hint::black_box(&mut buf);
    buf[i % buf.len()]
}
