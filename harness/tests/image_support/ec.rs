//! The Arm64EC part of the test images: exports with entry thunks, a call into x64 code
//! (exit thunk), an import, a delay import and an indirect call (call checker).
#![no_std]

unsafe extern "C" {
    fn x64_mul(a: u32, b: u32) -> u32;
    fn imported_add(a: u64, b: u64) -> u64;
    fn lazy_sub(a: u64, b: u64) -> u64;
}

#[unsafe(no_mangle)]
pub extern "C" fn add_one(x: u32) -> u32 {
    x.wrapping_add(1)
}

#[unsafe(no_mangle)]
pub extern "C" fn mix(a: u64, b: f64) -> f64 {
    (a as f64) * b + unsafe { imported_add(a, 3) } as f64
}

#[unsafe(no_mangle)]
pub extern "C" fn call_x64(a: u32) -> u32 {
    unsafe { x64_mul(a, 7) }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ptr(f: extern "C" fn(u32) -> u32, a: u32) -> u32 {
    f(a).wrapping_add(1)
}

#[unsafe(no_mangle)]
pub extern "C" fn call_lazy(a: u64) -> u64 {
    unsafe { lazy_sub(a, 1) }
}
