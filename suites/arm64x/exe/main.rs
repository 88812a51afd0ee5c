//! An Arm64X EXE: the entry point `hybrid_start` exists in both views (the native header
//! entry, and in the EC view an x64 entry point redirected to the EC body).
//@ tier: link
//@ crate-type: bin
//@ entry: hybrid_start
//@ link-machine: arm64x
//@ also-target: aarch64-pc-windows-msvc
#![no_std]
#![no_main]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn hybrid_start() -> u32 {
    if cfg!(target_arch = "arm64ec") { 0xEC } else { 64 }
}
