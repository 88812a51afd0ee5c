//! `core::arch::aarch64` NEON intrinsics give the expected values at run time in an
//! Arm64EC process (they are AArch64 instructions in x64-compatible code).
//@ tier: run
//@ needs-msvc
//@ only-cfg: target_feature = "neon"
//@ check-run-output
use core::arch::aarch64::*;

fn main() {
    let a = [1.5f32, -2.0, 3.25, 4.0];
    let b = [2.0f32, 0.5, -1.0, 8.0];
    let (sum, lanes) = unsafe {
        let va = vld1q_f32(a.as_ptr());
        let vb = vld1q_f32(b.as_ptr());
        let prod = vmulq_f32(va, vb);
        let mut out = [0f32; 4];
        vst1q_f32(out.as_mut_ptr(), vaddq_f32(prod, vdupq_n_f32(1.0)));
        (vaddvq_f32(prod), out)
    };
    println!("dot = {sum}");
    println!("prod + 1 = {lanes:?}");
    let max = unsafe { vmaxvq_u32(vld1q_u32([7u32, 99, 3, 42].as_ptr())) };
    println!("max = {max}");
    if sum != 30.75 || max != 99 {
        std::process::exit(1);
    }
}
