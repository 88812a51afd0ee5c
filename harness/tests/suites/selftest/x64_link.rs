//! An x64 `#![no_std]` DLL that rustc links with the toolchain's rust-lld: a link-tier case
//! that needs neither clang-cl nor the support objects assembled with clang, so the Windows
//! build of the harness links it for real under Wine (ci/rehearse-windows.sh): rustc.exe
//! starting rust-lld.exe, the `/map:` file, the image checks over the linked DLL.
//@ tier: link
//@ target: x86_64-pc-windows-msvc
//@ crate-type: cdylib
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}
