//! Rust calling a variadic x64 function: the exit thunk (`$iexit_thunk$cdecl$i8$varargs`)
//! must copy the stack arguments that x4/x5 describe onto the x64 stack. LLVM up to 22
//! passes x4 and x5 as x64 arguments 5 and 6 instead (fixed for LLVM 23).
//@ known-bug: https://github.com/llvm/llvm-project/pull/208453
//@ expect-finding: thunk.code[$iexit_thunk$cdecl$i8$varargs]
//@ sig: ext_printf = fn(ptr, ...) -> i32
//@ sig: log_values = fn(ptr, i32, f64) -> i32
#![no_std]

unsafe extern "C" {
    fn ext_printf(fmt: *const u8, ...) -> i32;
}

#[unsafe(no_mangle)]
pub extern "C" fn log_values(fmt: *const u8, a: i32, b: f64) -> i32 {
    unsafe { ext_printf(fmt, a, b, a, b, a, b) }
}
