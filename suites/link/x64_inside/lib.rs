//! x64 code inside an Arm64EC DLL: the crate is compiled for arm64ec and, with
//! `also-target`, for x86_64 (its x64 half goes in as an object), and a C file is compiled
//! for x64 by clang-cl. EC code calls the x64 functions through guest exit thunks and the
//! call checker; x64 code calls EC code directly (the OS switches through the entry thunk
//! the offset word names); x64 exports stay x64 code, EC exports get x64 entry points.
//@ tier: link
//@ crate-type: cdylib
//@ also-target: x86_64-pc-windows-msvc
//@ c-target: x64.c = x86_64-pc-windows-msvc
//@ link-args: /export:x64_rust_add3 /export:x64_rust_calls_ec
//@ sig: ec_square = fn(u64) -> u64
//@ sig: ec_calls_x64 = fn(u64) -> u64
//@ sig: x64_rust_add3 = fn(u64, u64, u64) -> u64
//@ sig: x64_c_mul = fn(u64, u64) -> u64
#![no_std]

#[cfg(target_arch = "arm64ec")]
mod ec {
    unsafe extern "C" {
        fn x64_rust_add3(a: u64, b: u64, c: u64) -> u64;
        fn x64_c_mul(a: u64, b: u64) -> u64;
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn ec_square(x: u64) -> u64 {
        x.wrapping_mul(x)
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn ec_calls_x64(x: u64) -> u64 {
        unsafe { x64_rust_add3(x, 1, 2).wrapping_add(x64_c_mul(x, 3)) }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        loop {}
    }
}

#[cfg(target_arch = "x86_64")]
mod x64 {
    unsafe extern "C" {
        fn ec_square(x: u64) -> u64;
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn x64_rust_add3(a: u64, b: u64, c: u64) -> u64 {
        a.wrapping_add(b).wrapping_add(c)
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn x64_rust_calls_ec(x: u64) -> u64 {
        unsafe { ec_square(x) }.wrapping_add(1)
    }
}
