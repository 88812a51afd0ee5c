//! Integers, pointers, bool and floating-point scalars, alone and mixed, and enough
//! parameters to run out of registers on both sides: rustc and clang-cl must name every
//! entry and exit thunk as the oracle does, and each thunk must move every value to its place.
//@ needs-clang-cl
//@ sig: sc_void = fn()
//@ sig: sc_ints = fn(i8, u16, i32, u64, bool, ptr) -> i32
//@ sig: sc_floats = fn(f32, f64, f32, f64) -> f64
//@ sig: sc_mixed = fn(f64, i32, f32, u64, f64, i16, f32) -> f32
//@ sig: sc_many_ints = fn(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> i64
//@ sig: sc_many_floats = fn(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64
//@ sig: sc_many_mixed = fn(u8, f32, u16, f64, u32, f32, u64, f64, ptr, f32, bool, f64) -> u8
//@ sig: sc_bool = fn(bool) -> bool
//@ sig: sc_ptr = fn(ptr, ptr) -> ptr
//@ sig: ext_sc_mixed = fn(f64, i32, f32, u64, f64, i16, f32) -> f32
//@ sig: call_ext_sc_mixed = fn(f64, i32, f32, u64, f64, i16, f32) -> f32
//@ sig: ext_sc_many = fn(i64, f64, i64, f64, i64, f64, i64, f64) -> u32
//@ sig: call_ext_sc_many = fn(i64, f64, i64, f64, i64, f64, i64, f64) -> u32
#![no_std]

unsafe extern "C" {
    fn ext_sc_mixed(_a0: f64, _a1: i32, _a2: f32, _a3: u64, _a4: f64, _a5: i16, _a6: f32) -> f32;
    fn ext_sc_many(_a0: i64, _a1: f64, _a2: i64, _a3: f64, _a4: i64, _a5: f64, _a6: i64, _a7: f64) -> u32;
}

#[unsafe(no_mangle)]
pub extern "C" fn sc_void() {}

#[unsafe(no_mangle)]
pub extern "C" fn sc_ints(_a0: i8, _a1: u16, _a2: i32, _a3: u64, _a4: bool, _a5: *const u8) -> i32 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_floats(_a0: f32, _a1: f64, _a2: f32, _a3: f64) -> f64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_mixed(_a0: f64, _a1: i32, _a2: f32, _a3: u64, _a4: f64, _a5: i16, _a6: f32) -> f32 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_many_ints(_a0: i64, _a1: i64, _a2: i64, _a3: i64, _a4: i64, _a5: i64, _a6: i64, _a7: i64, _a8: i64, _a9: i64) -> i64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_many_floats(_a0: f64, _a1: f64, _a2: f64, _a3: f64, _a4: f64, _a5: f64, _a6: f64, _a7: f64, _a8: f64, _a9: f64) -> f64 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_many_mixed(_a0: u8, _a1: f32, _a2: u16, _a3: f64, _a4: u32, _a5: f32, _a6: u64, _a7: f64, _a8: *const u8, _a9: f32, _a10: bool, _a11: f64) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_bool(_a0: bool) -> bool { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn sc_ptr(_a0: *const u8, _a1: *const u8) -> *const u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_sc_mixed(_a0: f64, _a1: i32, _a2: f32, _a3: u64, _a4: f64, _a5: i16, _a6: f32) -> f32 {
    unsafe { ext_sc_mixed(_a0, _a1, _a2, _a3, _a4, _a5, _a6) }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_sc_many(_a0: i64, _a1: f64, _a2: i64, _a3: f64, _a4: i64, _a5: f64, _a6: i64, _a7: f64) -> u32 {
    unsafe { ext_sc_many(_a0, _a1, _a2, _a3, _a4, _a5, _a6, _a7) }
}
