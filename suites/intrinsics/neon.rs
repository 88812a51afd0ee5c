//! `core::arch::aarch64` NEON intrinsics are usable under `target_arch = "arm64ec"`. Vector
//! code tempts a register allocator to reach for v16–v31, which Arm64EC reserves: the
//! object must verify clean.
//@ only-cfg: target_feature = "neon"
#![no_std]
use core::arch::aarch64::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn dot4(a: *const f32, b: *const f32, n: usize) -> f32 {
    unsafe {
        let mut acc = [vdupq_n_f32(0.0); 8];
        let mut i = 0;
        while i + 32 <= n {
            for (k, lane) in acc.iter_mut().enumerate() {
                let x = vld1q_f32(a.add(i + 4 * k));
                let y = vld1q_f32(b.add(i + 4 * k));
                *lane = vfmaq_f32(*lane, x, y);
            }
            i += 32;
        }
        let mut sum = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
        sum = vaddq_f32(sum, vaddq_f32(vaddq_f32(acc[4], acc[5]), vaddq_f32(acc[6], acc[7])));
        vaddvq_f32(sum)
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn lanes(x: u32) -> u32 {
    unsafe {
        let v = vdupq_n_u32(x);
        let w = vaddq_u32(v, vld1q_u32([1u32, 2, 3, 4].as_ptr()));
        let m = vmulq_u32(w, w);
        vgetq_lane_u32::<0>(m) ^ vgetq_lane_u32::<3>(m) ^ vaddvq_u32(vshrq_n_u32::<1>(m))
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn table_lookup(idx: u64) -> u64 {
    unsafe {
        let table = vld1q_u8([9u8, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 11, 12, 13, 14, 15].as_ptr());
        let i = vcreate_u8(idx);
        vget_lane_u64::<0>(vreinterpret_u64_u8(vqtbl1_u8(table, i)))
    }
}
