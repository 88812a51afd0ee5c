//! A std `cdylib` linked as Arm64X with MSVC (`/MACHINE:ARM64X`): the crate compiled for
//! arm64ec and for aarch64, both with std and the MSVC CRT. Ignored off Windows.
//@ tier: link
//@ needs-msvc
//@ crate-type: cdylib
//@ link-machine: arm64x
//@ also-target: aarch64-pc-windows-msvc
//@ link-args: /defarm64native:{dir}/native.def

#[unsafe(no_mangle)]
pub extern "C" fn describe(buf: *mut u8, len: usize) -> usize {
    let text = format!("{} {}", std::env::consts::ARCH, std::process::id());
    let n = text.len().min(len);
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buf, n) };
    n
}
