//! The cfg facts of the target, checked at compile time: Arm64EC is its own architecture to
//! Rust (`target_arch = "arm64ec"`, not `aarch64` nor `x86_64`), 64-bit little-endian
//! Windows with the MSVC environment, and NEON is always there.
#![no_std]

const _: () = assert!(cfg!(target_arch = "arm64ec"));
const _: () = assert!(!cfg!(target_arch = "aarch64") && !cfg!(target_arch = "x86_64"));
const _: () = assert!(cfg!(target_os = "windows") && cfg!(target_env = "msvc"));
const _: () = assert!(cfg!(target_pointer_width = "64") && cfg!(target_endian = "little"));
const _: () = assert!(cfg!(target_feature = "neon"));
const _: () = assert!(cfg!(target_family = "windows"));

/// `core::arch::aarch64` is the intrinsics module Arm64EC code uses.
#[unsafe(no_mangle)]
pub extern "C" fn neon_is_there(x: u64) -> u64 {
    unsafe { core::arch::aarch64::vget_lane_u64::<0>(core::arch::aarch64::vcreate_u64(x)) }
}
