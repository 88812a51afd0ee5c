//! x64 code linked into the Arm64EC and Arm64X test images.
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn x64_mul(a: u32, b: u32) -> u32 {
    a.wrapping_mul(b)
}

/// Big enough a frame to get an x64 RUNTIME_FUNCTION.
#[unsafe(no_mangle)]
pub extern "C" fn x64_frame(n: usize) -> u8 {
    let mut buf = [0u8; 256];
    core::hint::black_box(&mut buf);
    buf[n & 255]
}
