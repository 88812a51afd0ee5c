//! One register file, two views. Arm64EC maps every x64 register a call can use onto an
//! ARM64 register ("Overview of ARM64EC ABI conventions", register mapping tables; the
//! `ARM64EC_NT_CONTEXT` overlay):
//!
//! | ARM64 | x64 | | ARM64 | x64 |
//! |---|---|---|---|---|
//! | x0, x1, x2, x3 | RCX, RDX, R8, R9 | | x19–x22 | R12–R15 |
//! | x4, x5 | R10, R11 | | x25, x26, x27 | RSI, RDI, RBX |
//! | x8 | RAX | | x29 (fp), sp | RBP, RSP |
//! | v0–v15 | XMM0–XMM15 | | | |
//!
//! At every switch the mapped registers are copied from the CPU that stops to the CPU that
//! continues. The rest keep their values: x6, x7, x9–x12, x15, x30 and x16/x17 overlay the
//! x87/MMX state, which x64 code here does not use; x13, x14, x23, x24, x28 and v16–v31 have
//! no x64 counterpart and are not to be used by Arm64EC code at all.

use crate::cpu::{Cpu, Q, XMM};
use unicorn_engine::{RegisterARM64 as A, RegisterX86 as X};

pub const GPR_MAP: [(A, X); 16] = [
    (A::X0, X::RCX),
    (A::X1, X::RDX),
    (A::X2, X::R8),
    (A::X3, X::R9),
    (A::X4, X::R10),
    (A::X5, X::R11),
    (A::X8, X::RAX),
    (A::X19, X::R12),
    (A::X20, X::R13),
    (A::X21, X::R14),
    (A::X22, X::R15),
    (A::X25, X::RSI),
    (A::X26, X::RDI),
    (A::X27, X::RBX),
    (A::X29, X::RBP),
    (A::SP, X::RSP),
];

/// Copy the mapped registers of the ARM64 CPU into the x64 CPU.
pub fn a64_to_x64(a: &Cpu, x: &mut Cpu) -> Result<(), String> {
    let mut ids: Vec<A> = GPR_MAP.iter().map(|p| p.0).collect();
    let n = ids.len() as i32;
    let vals = a.uc.reg_read_batch(&mut ids, n).map_err(|e| format!("{e:?}"))?;
    let xs: Vec<X> = GPR_MAP.iter().map(|p| p.1).collect();
    x.uc.reg_write_batch(&xs, &vals, xs.len() as i32).map_err(|e| format!("{e:?}"))?;
    for (q, xmm) in Q.iter().zip(XMM) {
        let v = a.uc.reg_read_long(*q).map_err(|e| format!("{e:?}"))?;
        x.uc.reg_write_long(xmm, &v).map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

/// Copy the x64 CPU's registers into the ARM64 CPU's mapped registers.
pub fn x64_to_a64(x: &Cpu, a: &mut Cpu) -> Result<(), String> {
    let mut ids: Vec<X> = GPR_MAP.iter().map(|p| p.1).collect();
    let n = ids.len() as i32;
    let vals = x.uc.reg_read_batch(&mut ids, n).map_err(|e| format!("{e:?}"))?;
    let aa: Vec<A> = GPR_MAP.iter().map(|p| p.0).collect();
    a.uc.reg_write_batch(&aa, &vals, aa.len() as i32).map_err(|e| format!("{e:?}"))?;
    for (xmm, q) in XMM.iter().zip(Q) {
        let v = x.uc.reg_read_long(*xmm).map_err(|e| format!("{e:?}"))?;
        a.uc.reg_write_long(q, &v).map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}
