//! Gated on the target's real cfg set (`rustc --print cfg --target T`): it needs the `neon`
//! target feature, which arm64ec-pc-windows-msvc has and x86_64-pc-windows-msvc lacks, so the
//! `x64` revision is ignored with that reason.
//@ revisions: arm64ec x64
//@[x64] target: x86_64-pc-windows-msvc
//@ only-cfg: target_feature = "neon"
//@ ignore-32bit: the suite covers 64-bit Windows targets only
#![no_std]

#[cfg(target_feature = "neon")]
#[unsafe(no_mangle)]
pub extern "C" fn lane_sum(v: [u32; 4]) -> u32 {
    v[0].wrapping_add(v[1]).wrapping_add(v[2]).wrapping_add(v[3])
}
