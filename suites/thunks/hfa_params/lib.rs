//! Homogeneous float aggregates of 2 to 4 members as parameters: ARM64 passes them in FP
//! registers, x64 in a general register (8 bytes) or by reference (12, 16, 24, 32 bytes).
//@ needs-clang-cl
//@ sig: hp_f2 = fn({f32, f32}, f32) -> f32
//@ sig: hp_f3 = fn({f32, f32, f32}) -> f64
//@ sig: hp_f4 = fn({[f32; 4]}, i32) -> i32
//@ sig: hp_d2 = fn({f64, f64}, f64)
//@ sig: hp_d3 = fn({[f64; 3]}) -> f64
//@ sig: hp_d4 = fn({f64, f64, f64, f64}, {f32, f32}) -> f32
//@ sig: ext_hp = fn({f32, f32}, {[f64; 3]}, f64) -> f64
//@ sig: call_ext_hp = fn({f32, f32}, {[f64; 3]}, f64) -> f64
#![no_std]

/// `{f32, f32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S1 {
    pub f0: f32,
    pub f1: f32,
}

/// `{f32, f32, f32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S2 {
    pub f0: f32,
    pub f1: f32,
    pub f2: f32,
}

/// `{[f32; 4]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S3 {
    pub f0: [f32; 4],
}

/// `{f64, f64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S4 {
    pub f0: f64,
    pub f1: f64,
}

/// `{[f64; 3]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S5 {
    pub f0: [f64; 3],
}

/// `{f64, f64, f64, f64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S6 {
    pub f0: f64,
    pub f1: f64,
    pub f2: f64,
    pub f3: f64,
}

unsafe extern "C" {
    fn ext_hp(_a0: S1, _a1: S5, _a2: f64) -> f64;
}

#[unsafe(no_mangle)]
pub extern "C" fn hp_f2(_a0: S1, _a1: f32) -> f32 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hp_f3(_a0: S2) -> f64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hp_f4(_a0: S3, _a1: i32) -> i32 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hp_d2(_a0: S4, _a1: f64) {}

#[unsafe(no_mangle)]
pub extern "C" fn hp_d3(_a0: S5) -> f64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hp_d4(_a0: S6, _a1: S1) -> f32 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_hp(_a0: S1, _a1: S5, _a2: f64) -> f64 {
    unsafe { ext_hp(_a0, _a1, _a2) }
}
