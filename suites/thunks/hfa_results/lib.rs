//! Homogeneous float aggregates of 2 to 4 members as results, from Rust: the thunk names
//! say `F<N>` / `D<N>`, like MSVC, and the thunks move s0..s3 / d0..d3 to RAX or to the
//! x64 caller's buffer.
//! Entry thunks that return through a hidden pointer hand it back in RAX since LLVM 22.1.2
//! (llvm/llvm-project#185390, fixed by #185452); older LLVM leaves RAX undefined.
//@ min-llvm-version: 22.1.2
//@ sig: hr_f2 = fn(f32) -> {f32, f32}
//@ sig: hr_f3 = fn() -> {f32, f32, f32}
//@ sig: hr_f4 = fn(i32) -> {[f32; 4]}
//@ sig: hr_d2 = fn(f64) -> {f64, f64}
//@ sig: hr_d4 = fn() -> {[f64; 4]}
//@ sig: ext_hr_f2 = fn(f32) -> {f32, f32}
//@ sig: call_ext_hr_f2 = fn(f32) -> {f32, f32}
//@ sig: ext_hr_d2 = fn() -> {f64, f64}
//@ sig: call_ext_hr_d2 = fn() -> {f64, f64}
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

/// `{[f64; 4]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S5 {
    pub f0: [f64; 4],
}

unsafe extern "C" {
    fn ext_hr_f2(_a0: f32) -> S1;
    fn ext_hr_d2() -> S4;
}

#[unsafe(no_mangle)]
pub extern "C" fn hr_f2(_a0: f32) -> S1 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hr_f3() -> S2 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hr_f4(_a0: i32) -> S3 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hr_d2(_a0: f64) -> S4 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn hr_d4() -> S5 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_hr_f2(_a0: f32) -> S1 {
    unsafe { ext_hr_f2(_a0) }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_hr_d2() -> S4 {
    unsafe { ext_hr_d2() }
}
