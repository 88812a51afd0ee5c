//! Structs of 1, 2, 4 and 8 bytes (a general register on both sides), 16 bytes (a
//! reference on x64, a register pair on ARM64) and over 16 bytes (a reference on both
//! sides), as parameters and results: every producer agrees with the oracle.
//! Entry thunks that return through a hidden pointer hand it back in RAX since LLVM 22.1.2
//! (llvm/llvm-project#185390, fixed by #185452); older LLVM leaves RAX undefined.
//@ needs-clang-cl
//@ min-llvm-version: 22.1.2
//@ sig: st_1 = fn({u8}) -> {u8}
//@ sig: st_2 = fn({u8, u8}) -> {u16}
//@ sig: st_4 = fn({u16, u16}, {u32}) -> {u8, u8, u16}
//@ sig: st_8 = fn({u32, u32}, {f32, u32}) -> {u64}
//@ sig: st_16 = fn({u64, u64}, u8) -> {u64, u64}
//@ sig: st_17 = fn({[u8; 17]}, u8) -> {[u8; 17]}
//@ sig: st_24 = fn({u64, u64, u64}) -> {u64, u64, u64}
//@ sig: st_32 = fn(i32, {[u64; 4]}) -> {[u64; 4]}
//@ sig: ext_st_16 = fn({u64, u64}, {u32, u32}) -> {u64, u64}
//@ sig: call_ext_st_16 = fn({u64, u64}, {u32, u32}) -> {u64, u64}
//@ sig: ext_st_24 = fn({u64, u64, u64}, f64) -> {u64, u64, u64}
//@ sig: call_ext_st_24 = fn({u64, u64, u64}, f64) -> {u64, u64, u64}
#![no_std]

/// `{u8}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S1 {
    pub f0: u8,
}

/// `{u8, u8}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S2 {
    pub f0: u8,
    pub f1: u8,
}

/// `{u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S3 {
    pub f0: u16,
}

/// `{u16, u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S4 {
    pub f0: u16,
    pub f1: u16,
}

/// `{u32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S5 {
    pub f0: u32,
}

/// `{u8, u8, u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S6 {
    pub f0: u8,
    pub f1: u8,
    pub f2: u16,
}

/// `{u32, u32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S7 {
    pub f0: u32,
    pub f1: u32,
}

/// `{f32, u32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S8 {
    pub f0: f32,
    pub f1: u32,
}

/// `{u64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S9 {
    pub f0: u64,
}

/// `{u64, u64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S10 {
    pub f0: u64,
    pub f1: u64,
}

/// `{[u8; 17]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S11 {
    pub f0: [u8; 17],
}

/// `{u64, u64, u64}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S12 {
    pub f0: u64,
    pub f1: u64,
    pub f2: u64,
}

/// `{[u64; 4]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S13 {
    pub f0: [u64; 4],
}

unsafe extern "C" {
    fn ext_st_16(_a0: S10, _a1: S7) -> S10;
    fn ext_st_24(_a0: S12, _a1: f64) -> S12;
}

#[unsafe(no_mangle)]
pub extern "C" fn st_1(_a0: S1) -> S1 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_2(_a0: S2) -> S3 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_4(_a0: S4, _a1: S5) -> S6 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_8(_a0: S7, _a1: S8) -> S9 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_16(_a0: S10, _a1: u8) -> S10 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_17(_a0: S11, _a1: u8) -> S11 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_24(_a0: S12) -> S12 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn st_32(_a0: i32, _a1: S13) -> S13 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_st_16(_a0: S10, _a1: S7) -> S10 {
    unsafe { ext_st_16(_a0, _a1) }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_st_24(_a0: S12, _a1: f64) -> S12 {
    unsafe { ext_st_24(_a0, _a1) }
}
