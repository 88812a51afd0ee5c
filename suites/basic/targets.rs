//! One fixture, three targets as revisions: each object must carry its target's machine
//! (ARM64EC 0xA641, AMD64 0x8664, ARM64 0xAA64).
//@ revisions: arm64ec x64 aarch64
//@[x64] target: x86_64-pc-windows-msvc
//@[aarch64] target: aarch64-pc-windows-msvc
//@[arm64ec] compile-flags: -C opt-level=1
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn scale(x: f32, k: i32) -> f32 {
    x * k as f32
}
