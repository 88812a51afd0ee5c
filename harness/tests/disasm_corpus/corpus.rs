//! Varied code for the decoder cross-check: floats, NEON, loops, indirect and extern calls.
#![no_std]
#![allow(clippy::all, improper_ctypes_definitions)]

use core::arch::aarch64::*;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

#[unsafe(no_mangle)]
pub extern "C" fn poly(x: f64, c: &[f64; 6]) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * x + k)
}

#[unsafe(no_mangle)]
pub extern "C" fn mixed(a: f32, b: f64, c: i32, d: u64, e: f32) -> f64 {
    (a as f64) * b + (c as f64) / (d as f64 + 1.0) - e.max(0.5) as f64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn neon_dot(a: *const f32, b: *const f32, n: usize) -> f32 {
    let mut acc = vdupq_n_f32(0.0);
    let mut i = 0;
    while i + 4 <= n {
        acc = vfmaq_f32(acc, vld1q_f32(a.add(i)), vld1q_f32(b.add(i)));
        i += 4;
    }
    let mut s = vaddvq_f32(acc);
    while i < n {
        s += *a.add(i) * *b.add(i);
        i += 1;
    }
    s
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn neon_mix(p: *const u8, out: *mut u8) -> u32 {
    let v = vld1q_u8(p);
    let t = vqtbl1q_u8(v, vld1q_u8(p.add(16)));
    let z = vzip1q_u8(v, t);
    let m = vmaxq_u8(z, vrev64q_u8(v));
    let w = vreinterpretq_u32_u8(m);
    let w = vsetq_lane_u32::<2>(vgetq_lane_u32::<0>(w) ^ 0xdead_beef, w);
    let f = vcvtq_f32_u32(w);
    let f = vsqrtq_f32(vabsq_f32(f));
    let back = vcvtq_u32_f32(f);
    let x2 = vld2q_u8(p.add(32));
    vst1q_u8(out, veorq_u8(vreinterpretq_u8_u32(back), x2.1));
    vaddvq_u32(vshrq_n_u32::<3>(back)) + vgetq_lane_u32::<1>(vreinterpretq_u32_u8(x2.0))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn neon_widen(a: *const i16, n: usize) -> i64 {
    let mut acc = vdupq_n_s64(0);
    let mut i = 0;
    while i + 8 <= n {
        let v = vld1q_s16(a.add(i));
        let lo = vmovl_s16(vget_low_s16(v));
        let hi = vmovl_high_s16(v);
        acc = vpadalq_s32(acc, vmulq_s32(lo, hi));
        i += 8;
    }
    vaddvq_s64(acc)
}

unsafe extern "C" {
    fn ext_fn(a: i32, b: f64, c: *const u8) -> i64;
    fn ext_many(
        a: u8,
        b: u16,
        c: f32,
        d: f64,
        e: u64,
        f: i64,
        g: f32,
        h: u32,
        i: u64,
        j: f64,
    ) -> f32;
    fn ext_struct(s: Pair) -> Pair;
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Pair {
    pub a: u64,
    pub b: f64,
    pub c: [u32; 5],
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn call_ext(x: i32) -> i64 {
    ext_fn(x, x as f64 * 0.25, b"hi\0".as_ptr()) + 1
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn call_many(x: u64) -> f32 {
    ext_many(x as u8, x as u16, x as f32, x as f64, x, -(x as i64), 1.0, 7, x * 3, 2.5) * 2.0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn call_struct(p: Pair) -> u64 {
    let q = ext_struct(p);
    q.a + q.c.iter().map(|&v| v as u64).sum::<u64>() + q.b as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ptr(f: extern "C" fn(u32) -> u32, g: fn(&mut [u32]), n: u32) -> u32 {
    let mut buf = [0u32; 16];
    for i in 0..n {
        buf[(i & 15) as usize] ^= f(i);
    }
    g(&mut buf);
    buf.iter().copied().fold(0, u32::wrapping_add)
}

#[unsafe(no_mangle)]
pub extern "C" fn sort_and_search(v: &mut [i64; 64], key: i64) -> usize {
    v.sort_unstable();
    match v.binary_search(&key) {
        Ok(i) | Err(i) => i,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn dispatch(op: u8, a: u64, b: u64) -> u64 {
    match op {
        0 => a.wrapping_add(b),
        1 => a.wrapping_sub(b),
        2 => a.wrapping_mul(b),
        3 => a.checked_div(b).unwrap_or(0),
        4 => a.rotate_left(b as u32),
        5 => a.leading_zeros() as u64 + b.trailing_zeros() as u64,
        6 => a.count_ones() as u64,
        7 => ((a as u128 * b as u128) >> 64) as u64,
        8 => a.swap_bytes() ^ b.reverse_bits(),
        _ => (a as i64 >> (b & 63)) as u64,
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
static FLAG: AtomicU32 = AtomicU32::new(0);

#[unsafe(no_mangle)]
pub extern "C" fn atomics(x: u64) -> u64 {
    let old = COUNTER.fetch_add(x, Ordering::SeqCst);
    let _ = FLAG.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed);
    FLAG.fetch_or(4, Ordering::Release);
    old + FLAG.load(Ordering::Acquire) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn text_stats(s: &[u8], counts: &mut [u32; 256]) -> u32 {
    let mut words = 0;
    let mut in_word = false;
    for &c in s {
        counts[c as usize] += 1;
        let w = c.is_ascii_alphanumeric();
        if w && !in_word {
            words += 1;
        }
        in_word = w;
    }
    words
}

#[unsafe(no_mangle)]
pub extern "C" fn floats(v: &mut [f32; 32], k: f64) -> f64 {
    let mut s = 0.0f64;
    for x in v.iter_mut() {
        *x = (*x * 1.5 + 0.25).clamp(-3.0, 3.0);
        s += (*x as f64).abs() * k;
        if x.is_nan() {
            s = f64::NAN;
        }
    }
    let r = unsafe {
        vgetq_lane_f64::<0>(vrndaq_f64(vdupq_n_f64(s)))
            + vgetq_lane_f64::<1>(vrndmq_f64(vdupq_n_f64(s)))
    };
    r + (s as i64) as f64 + s.copysign(k)
}

#[unsafe(no_mangle)]
pub extern "C" fn wide(a: u128, b: i128) -> i128 {
    (a / 10) as i128 * b.rem_euclid(7) + (a as i128).wrapping_shl(3)
}

pub fn format_into(buf: &mut [u8], x: u32, y: f64) -> usize {
    struct W<'a>(&'a mut [u8], usize);
    impl core::fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.1 + s.len();
            self.0.get_mut(self.1..end).ok_or(core::fmt::Error)?.copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
    let mut w = W(buf, 0);
    let _ = core::fmt::write(&mut w, format_args!("{x:>8} {y:.3} {:?}", (x, y)));
    w.1
}
