//! Callbacks and indirect calls: every call through a function pointer goes through the
//! call checker (`__os_arm64x_check_icall`) with the exit thunk for the pointer's type in
//! x10, and a function whose address escapes still gets its entry thunk.
//@ sig: apply = fn(ptr, i32, f64) -> i32
//@ sig: apply_pair = fn(ptr, {i64, f64}) -> f64
//@ sig: pick = fn(bool) -> ptr
#![no_std]

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Pair {
    pub a: i64,
    pub b: f64,
}

#[unsafe(no_mangle)]
pub extern "C" fn apply(f: extern "C" fn(i32, f64) -> i32, x: i32, y: f64) -> i32 {
    f(x, y) + 1
}

#[unsafe(no_mangle)]
pub extern "C" fn apply_pair(f: extern "C" fn(Pair) -> f64, p: Pair) -> f64 {
    f(p) * 2.0
}

extern "C" fn twice(x: i32) -> i32 {
    x * 2
}

extern "C" fn thrice(x: i32) -> i32 {
    x * 3
}

/// Hands out the address of a local function: x64 code may call it, so it needs its thunk.
#[unsafe(no_mangle)]
pub extern "C" fn pick(second: bool) -> extern "C" fn(i32) -> i32 {
    if second { thrice } else { twice }
}

/// Calls through a table of pointers (loaded, then checked).
#[unsafe(no_mangle)]
pub extern "C" fn call_all(fs: &[extern "C" fn(u64) -> u64; 4], x: u64) -> u64 {
    fs.iter().fold(x, |acc, f| f(acc))
}
