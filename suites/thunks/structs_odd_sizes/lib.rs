//! Structs of 3, 5, 6, 7 and 9 to 15 bytes. The x64 convention passes them by reference and
//! returns them through a hidden pointer (only 1, 2, 4 and 8 bytes travel in registers),
//! so their thunks are `m3`, `m12`, ...; LLVM left these sizes out of its Arm64EC lowering
//! and names them `i8` / `m16`, both for rustc and clang-cl: the thunks read 8 or 16 bytes
//! of a reference as if it were the struct. (Hidden-pointer results need LLVM 22.1.2 too:
//! llvm/llvm-project#185390.)
//@ needs-clang-cl
//@ known-bug: https://github.com/llvm/llvm-project/pull/79067
//@ min-llvm-version: 22.1.2
//@ expect-finding: thunk.name.oracle[#call_ext_so_12,#call_ext_so_3,#so_10,#so_11,#so_12,#so_13,#so_15]
//@ expect-finding: thunk.name.oracle[#so_3,#so_5,#so_6,#so_7,ext_so_12,ext_so_3]
//@ expect-finding: thunk.name.producers[call_ext_so_12,call_ext_so_3,so_10,so_11,so_12,so_13,so_15,so_3,so_5,so_6,so_7]
//@ sig: so_3 = fn({u8, u8, u8}) -> {u8, u8, u8}
//@ sig: so_5 = fn({[u8; 5]}) -> u8
//@ sig: so_6 = fn({u16, u16, u16}) -> u8
//@ sig: so_7 = fn({[u8; 7]}) -> {[u8; 7]}
//@ sig: so_9 = fn({u64, u8}) -> u8
//@ sig: so_10 = fn({u16, u16, u16, u16, u16}) -> u8
//@ sig: so_11 = fn({[u8; 11]}) -> {[u8; 11]}
//@ sig: so_12 = fn({u32, u32, u32}) -> {u32, u32, u32}
//@ sig: so_13 = fn({[u8; 13]}) -> u8
//@ sig: so_14 = fn({u32, u32, u16, u16, u16}) -> u8
//@ sig: so_15 = fn({[u8; 15]}) -> u8
//@ sig: ext_so_3 = fn({u8, u8, u8}) -> {u8, u8, u8}
//@ sig: call_ext_so_3 = fn({u8, u8, u8}) -> {u8, u8, u8}
//@ sig: ext_so_12 = fn({u32, u32, u32}, i32) -> i32
//@ sig: call_ext_so_12 = fn({u32, u32, u32}, i32) -> i32
#![no_std]

/// `{u8, u8, u8}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S1 {
    pub f0: u8,
    pub f1: u8,
    pub f2: u8,
}

/// `{[u8; 5]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S2 {
    pub f0: [u8; 5],
}

/// `{u16, u16, u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S3 {
    pub f0: u16,
    pub f1: u16,
    pub f2: u16,
}

/// `{[u8; 7]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S4 {
    pub f0: [u8; 7],
}

/// `{u64, u8}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S5 {
    pub f0: u64,
    pub f1: u8,
}

/// `{u16, u16, u16, u16, u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S6 {
    pub f0: u16,
    pub f1: u16,
    pub f2: u16,
    pub f3: u16,
    pub f4: u16,
}

/// `{[u8; 11]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S7 {
    pub f0: [u8; 11],
}

/// `{u32, u32, u32}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S8 {
    pub f0: u32,
    pub f1: u32,
    pub f2: u32,
}

/// `{[u8; 13]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S9 {
    pub f0: [u8; 13],
}

/// `{u32, u32, u16, u16, u16}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S10 {
    pub f0: u32,
    pub f1: u32,
    pub f2: u16,
    pub f3: u16,
    pub f4: u16,
}

/// `{[u8; 15]}`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct S11 {
    pub f0: [u8; 15],
}

unsafe extern "C" {
    fn ext_so_3(_a0: S1) -> S1;
    fn ext_so_12(_a0: S8, _a1: i32) -> i32;
}

#[unsafe(no_mangle)]
pub extern "C" fn so_3(_a0: S1) -> S1 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_5(_a0: S2) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_6(_a0: S3) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_7(_a0: S4) -> S4 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_9(_a0: S5) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_10(_a0: S6) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_11(_a0: S7) -> S7 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_12(_a0: S8) -> S8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_13(_a0: S9) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_14(_a0: S10) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn so_15(_a0: S11) -> u8 { unsafe { core::mem::zeroed() } }

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_so_3(_a0: S1) -> S1 {
    unsafe { ext_so_3(_a0) }
}

#[unsafe(no_mangle)]
pub extern "C" fn call_ext_so_12(_a0: S8, _a1: i32) -> i32 {
    unsafe { ext_so_12(_a0, _a1) }
}
