//! raw-dylib imports: rustc writes the import library itself (LLVM 18.1.2 fixed import
//! library generation for Arm64EC). The image imports from kernel32.dll, with an
//! auxiliary IAT slot per import holding its EC call thunk, which loads the real IAT slot.
//@ tier: link
//@ crate-type: cdylib
//@ min-llvm-version: 18.1.2
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[link(name = "kernel32", kind = "raw-dylib")]
unsafe extern "system" {
    fn GetTickCount() -> u32;
    fn GetCurrentProcessId() -> u32;
}

#[unsafe(no_mangle)]
pub extern "C" fn ticks_plus_pid() -> u32 {
    unsafe { GetTickCount().wrapping_add(GetCurrentProcessId()) }
}

#[unsafe(no_mangle)]
pub extern "C" fn tick_fn() -> usize {
    GetTickCount as *const () as usize
}
