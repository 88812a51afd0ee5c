//! An Arm64EC staticlib built by rustc, linked with its aarch64 twin into an Arm64X DLL by
//! lld directly: what a C++ project on Windows does with a Rust library.
//@ tier: link
//@ crate-type: staticlib
//@ link: dll
//@ link-machine: arm64x
//@ also-target: aarch64-pc-windows-msvc
//@ link-args: /def:{dir}/ec.def /defarm64native:{dir}/native.def
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn lib_checksum(p: *const u8, n: usize) -> u32 {
    let s = unsafe { core::slice::from_raw_parts(p, n) };
    s.iter().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

#[unsafe(no_mangle)]
pub extern "C" fn lib_view() -> u32 {
    if cfg!(target_arch = "arm64ec") { 0xEC } else { 64 }
}
