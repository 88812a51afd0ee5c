//! A `#![no_std]` Rust `bin` for arm64ec with its own entry point (no CRT here): the EXE's
//! header entry is the x64 entry point the linker makes, redirected to the EC `start`.
//@ tier: link
//@ crate-type: bin
//@ entry: start
#![no_std]
#![no_main]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(no_mangle)]
pub extern "C" fn start() -> u32 {
    let v = [3u32, 1, 4, 1, 5, 9, 2, 6];
    v.iter().fold(0, |a, b| a.wrapping_mul(31).wrapping_add(*b))
}
