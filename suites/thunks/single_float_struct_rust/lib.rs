//! A struct holding one f32 or f64: x64 passes and returns it in a general register (RCX /
//! RAX), as any 4- or 8-byte struct. rustc lowers it to a bare float and names the thunks
//! `f$f` / `d$d`, which move XMM registers: an x64 caller and the Arm64EC callee disagree
//! on where the value is.
//@ known-deviation: rustc names one-float structs f/d (the ABI: F4/D8, a general register on x64); no upstream issue found
//@ expect-finding: thunk.name.oracle[#call_ext_sf_f1,#sf_d1,#sf_f1,ext_sf_f1] thunk.name.producers[call_ext_sf_f1,sf_d1,sf_f1]
//@ sig: sf_f1 = fn({f32}) -> {f32}
//@ sig: sf_d1 = fn({f64}, {f32}) -> {f64}
//@ sig: ext_sf_f1 = fn({f32}) -> {f32}
//@ sig: call_ext_sf_f1 = fn({f32}) -> {f32}
#![no_std]

/// `{f32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S1 {
    pub f0: f32,
}

/// `{f64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S2 {
    pub f0: f64,
}

unsafe extern "C" {
    fn ext_sf_f1(_a0: S1) -> S1;
}

#[unsafe(no_mangle)]
pub extern "C" fn sf_f1(_a0: S1) -> S1 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sf_d1(_a0: S2, _a1: S1) -> S2 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_sf_f1(_a0: S1) -> S1 {
    unsafe { ext_sf_f1(_a0) }
}
