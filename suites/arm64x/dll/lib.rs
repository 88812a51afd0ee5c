//! An Arm64X DLL: the crate compiled for arm64ec (the EC view, linked by rustc) and, with
//! `also-target`, for aarch64 (a static library: the native view), linked with
//! `/machine:arm64x`. The header says ARM64; ARM64X dynamic relocations turn it into the EC
//! view, whose every check must hold too. `hybrid_id` exists in both views.
//@ tier: link
//@ crate-type: cdylib
//@ link-machine: arm64x
//@ also-target: aarch64-pc-windows-msvc
//@ link-args: /defarm64native:{dir}/native.def
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// 0xEC in the EC view, 64 in the native view.
#[unsafe(no_mangle)]
pub extern "C" fn hybrid_id() -> u32 {
    if cfg!(target_arch = "arm64ec") { 0xEC } else { 64 }
}

#[cfg(target_arch = "arm64ec")]
#[unsafe(no_mangle)]
pub extern "C" fn ec_add(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}

#[cfg(target_arch = "aarch64")]
#[unsafe(no_mangle)]
pub extern "C" fn native_add(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}
