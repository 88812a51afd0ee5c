//! The native (ARM64) view of the Arm64X test image.
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn add_one(x: u32) -> u32 {
    x.wrapping_add(2)
}

#[unsafe(no_mangle)]
pub extern "C" fn native_only(a: u64, b: u64) -> u64 {
    let mut buf = [0u64; 64];
    core::hint::black_box(&mut buf);
    buf[(a & 63) as usize] ^ b
}
