//! From a `yaxpeax-arm` instruction to the named registers, the [`Op`] summary and the
//! written/read register roles.

use super::{AddrMode, Op, Reg};
use yaxpeax_arm::armv8::a64::{
    Instruction, Opcode as O, Operand, SIMDSizeCode, ShiftStyle, SizeCode,
};

/// The summary and the named registers of one decoded instruction.
pub(super) fn lift(inst: &Instruction) -> (Op, Vec<Reg>) {
    let mut regs = Vec::new();
    for operand in operands(inst) {
        operand_regs(operand, &mut regs);
    }
    dedup(&mut regs);
    let op = lift_op(inst).unwrap_or_else(|| {
        let (defs, uses) = roles(inst);
        Op::Other { defs, uses }
    });
    (op, regs)
}

/// Correct what `yaxpeax-arm` 0.5 gets wrong; `None` if the word is not an instruction.
pub(super) fn repair(word: u32, inst: &mut Instruction) -> Option<()> {
    match (inst.opcode, &mut inst.operands) {
        // Reported as decoded without an opcode: e.g. `movn`/`movz`/`movk` with the
        // unallocated opc=01, some reserved SIMD encodings, and `stgp`/`ldtp`/`sttp`.
        (O::Invalid, _) => return None,
        // `msr <sysreg>, Xt` keeps only four bits of Rt: x21 would read as x5.
        (O::MSR, [Operand::SystemReg(_), Operand::Register(_, rt), ..]) => {
            *rt = (word & 0x1f) as u16
        }
        // 64-bit add/sub (extended register) of a zero-extended w register shows the
        // extension as `lsl`: `add x0, x1, w2, uxtw #2` would read `..., w2, lsl #2`.
        (
            O::ADD | O::ADDS | O::SUB | O::SUBS,
            [
                Operand::RegisterOrSP(SizeCode::X, _) | Operand::Register(SizeCode::X, _),
                _,
                Operand::RegShift(style @ ShiftStyle::LSL, _, SizeCode::W, _),
                _,
            ],
        ) => *style = ShiftStyle::UXTW,
        _ => {}
    }
    Some(())
}

/// The registers an instruction writes and reads, implicit ones included.
pub(super) fn roles(inst: &Instruction) -> (Vec<Reg>, Vec<Reg>) {
    let (mut defs, mut uses) = implicit_roles(inst.opcode);
    let shape = shape(inst);
    let mut regs = Vec::new();
    for (i, operand) in operands(inst).enumerate() {
        regs.clear();
        if let Some(mem) = memory(operand) {
            uses.push(mem.base);
            uses.extend(mem.index);
            if mem.writeback {
                defs.push(mem.base);
            }
            continue;
        }
        operand_regs(operand, &mut regs);
        let (def, used) = match shape {
            Shape::DefFirst => (i == 0, i != 0),
            Shape::DefUseFirst => (i == 0, true),
            Shape::NoDef => (false, true),
            Shape::AllDefs => (true, false),
            Shape::AllDefUse => (true, true),
            Shape::DefSecond => (i == 1, i != 1),
        };
        if def {
            defs.extend(&regs);
        }
        if used {
            uses.extend(&regs);
        }
    }
    (tidy(defs), tidy(uses))
}

/// Drop the zero register (reading it carries no dependency, writing it has no effect)
/// and repeated registers, keeping the first occurrence.
pub(super) fn tidy(mut regs: Vec<Reg>) -> Vec<Reg> {
    regs.retain(|r| *r != Reg::Zr);
    dedup(&mut regs);
    regs
}

fn dedup(regs: &mut Vec<Reg>) {
    let mut seen = 0;
    for i in 0..regs.len() {
        if !regs[..seen].contains(&regs[i]) {
            regs[seen] = regs[i];
            seen += 1;
        }
    }
    regs.truncate(seen);
}

fn operands(inst: &Instruction) -> impl Iterator<Item = &Operand> {
    inst.operands.iter().filter(|o| !matches!(o, Operand::Nothing))
}

/// Register 31 of a field where it means the zero register.
fn gpr(n: u16) -> Reg {
    if n >= 31 { Reg::Zr } else { Reg::X(n as u8) }
}

/// Register 31 of a field where it means the stack pointer.
fn gpr_sp(n: u16) -> Reg {
    if n >= 31 { Reg::Sp } else { Reg::X(n as u8) }
}

fn vreg(n: u16) -> Reg {
    Reg::V((n % 32) as u8)
}

fn operand_regs(operand: &Operand, out: &mut Vec<Reg>) {
    match *operand {
        Operand::Register(_, n) | Operand::RegShift(_, _, _, n) => out.push(gpr(n)),
        Operand::RegisterPair(_, n) => out.extend([gpr(n), gpr(n + 1)]),
        Operand::RegisterOrSP(_, n) => out.push(gpr_sp(n)),
        Operand::SIMDRegister(_, n)
        | Operand::SIMDRegisterElements(_, n, _)
        | Operand::SIMDRegisterElementsLane(_, n, _, _)
        | Operand::SIMDRegisterElementsMultipleLane(_, n, _, _, _) => out.push(vreg(n)),
        Operand::SIMDRegisterGroup(_, n, _, count)
        | Operand::SIMDRegisterGroupLane(n, _, count, _) => {
            out.extend((0..u16::from(count)).map(|i| vreg(n + i)))
        }
        Operand::RegRegOffset(base, index, ..) => out.extend([gpr_sp(base), gpr(index)]),
        Operand::RegPreIndex(base, ..) | Operand::RegPostIndex(base, _) => out.push(gpr_sp(base)),
        Operand::RegPostIndexReg(base, index) => out.extend([gpr_sp(base), gpr(index)]),
        _ => {}
    }
}

/// A memory operand's registers.
struct Mem {
    base: Reg,
    /// Immediate offset and addressing mode; `None` for register offsets.
    imm: Option<(i64, AddrMode)>,
    index: Option<Reg>,
    writeback: bool,
}

fn memory(operand: &Operand) -> Option<Mem> {
    Some(match *operand {
        Operand::RegPreIndex(base, offset, writeback) => Mem {
            base: gpr_sp(base),
            imm: Some((
                offset.into(),
                if writeback { AddrMode::PreIndex } else { AddrMode::Offset },
            )),
            index: None,
            writeback,
        },
        Operand::RegPostIndex(base, offset) => Mem {
            base: gpr_sp(base),
            imm: Some((offset.into(), AddrMode::PostIndex)),
            index: None,
            writeback: true,
        },
        Operand::RegRegOffset(base, index, ..) => {
            Mem { base: gpr_sp(base), imm: None, index: Some(gpr(index)), writeback: false }
        }
        Operand::RegPostIndexReg(base, index) => {
            Mem { base: gpr_sp(base), imm: None, index: Some(gpr(index)), writeback: true }
        }
        _ => return None,
    })
}

fn simd_bytes(size: SIMDSizeCode) -> u8 {
    match size {
        SIMDSizeCode::B => 1,
        SIMDSizeCode::H => 2,
        SIMDSizeCode::S => 4,
        SIMDSizeCode::D => 8,
        SIMDSizeCode::Q => 16,
    }
}

fn gpr_bytes(size: SizeCode) -> u8 {
    match size {
        SizeCode::W => 4,
        SizeCode::X => 8,
    }
}

fn pc_offset(inst: &Instruction) -> Option<i64> {
    operands(inst).find_map(|o| match *o {
        Operand::PCOffset(delta) => Some(delta),
        _ => None,
    })
}

/// The summary when it is not [`Op::Other`].
fn lift_op(inst: &Instruction) -> Option<Op> {
    let [a, b, c, d] = inst.operands;
    Some(match inst.opcode {
        O::ORR => match (a, b, c, d) {
            (
                Operand::Register(size, dst),
                Operand::Register(_, 31),
                Operand::RegShift(ShiftStyle::LSL, 0, _, src),
                Operand::Nothing,
            ) if dst != 31 => Op::Mov { dst: gpr(dst), src: gpr(src), bits: gpr_bytes(size) * 8 },
            (Operand::RegisterOrSP(size, dst), Operand::Register(_, 31), imm, Operand::Nothing) => {
                let imm = match imm {
                    Operand::Imm64(v) => v,
                    Operand::Immediate(v) => v.into(),
                    _ => return None,
                };
                let imm = if size == SizeCode::W { imm & 0xffff_ffff } else { imm };
                Op::MovImm { dst: gpr_sp(dst), imm }
            }
            (
                Operand::SIMDRegisterElements(width, dst, _),
                Operand::SIMDRegisterElements(_, n, _),
                Operand::SIMDRegisterElements(_, m, _),
                Operand::Nothing,
            ) if n == m => Op::Mov { dst: vreg(dst), src: vreg(n), bits: simd_bytes(width) * 8 },
            _ => return None,
        },
        O::MOVZ | O::MOVN => match (a, b) {
            (Operand::Register(size, dst), Operand::ImmShift(imm, shift)) if dst != 31 => {
                let mut imm = u64::from(imm).checked_shl(shift.into()).unwrap_or(0);
                if inst.opcode == O::MOVN {
                    imm = !imm;
                }
                if size == SizeCode::W {
                    imm &= 0xffff_ffff;
                }
                Op::MovImm { dst: gpr(dst), imm }
            }
            _ => return None,
        },
        O::ADD | O::SUB | O::ADDS | O::SUBS => {
            let dst = match a {
                Operand::RegisterOrSP(SizeCode::X, n) => gpr_sp(n),
                Operand::Register(SizeCode::X, n) if n != 31 => gpr(n),
                _ => return None,
            };
            let Operand::RegisterOrSP(SizeCode::X, src) = b else { return None };
            let imm: i64 = match c {
                Operand::Immediate(v) => v.into(),
                Operand::ImmShift(v, shift) => i64::from(v) << (shift & 31),
                _ => return None,
            };
            let src = gpr_sp(src);
            let sp_move = dst == Reg::Sp || src == Reg::Sp;
            match inst.opcode {
                O::ADD if imm == 0 && sp_move => Op::Mov { dst, src, bits: 64 },
                O::SUB | O::SUBS => Op::AddImm { dst, src, imm: -imm },
                _ => Op::AddImm { dst, src, imm },
            }
        }
        O::ADRP | O::ADR => match (a, b) {
            (Operand::Register(_, dst), Operand::PCOffset(delta)) if dst != 31 => {
                if inst.opcode == O::ADRP {
                    Op::Adrp { dst: gpr(dst), page_delta: delta }
                } else {
                    Op::Adr { dst: gpr(dst), delta }
                }
            }
            _ => return None,
        },
        O::FMOV => {
            let (dst, dst_bits) = plain_reg(a)?;
            let (src, src_bits) = plain_reg(b)?;
            if dst == Reg::Zr || c != Operand::Nothing {
                return None;
            }
            Op::Mov { dst, src, bits: dst_bits.min(src_bits) }
        }
        O::DUP => match (a, b) {
            (
                Operand::SIMDRegister(size, dst),
                Operand::SIMDRegisterElementsLane(_, src, elem, 0),
            ) if size == elem => {
                Op::Mov { dst: vreg(dst), src: vreg(src), bits: simd_bytes(size) * 8 }
            }
            _ => return None,
        },
        O::UMOV => match (a, b) {
            (Operand::Register(size, dst), Operand::SIMDRegisterElementsLane(_, src, elem, 0))
                if dst != 31 && simd_bytes(elem) == gpr_bytes(size) =>
            {
                Op::Mov { dst: gpr(dst), src: vreg(src), bits: gpr_bytes(size) * 8 }
            }
            _ => return None,
        },
        O::B => Op::B { delta: pc_offset(inst)? },
        O::BL => Op::Bl { delta: pc_offset(inst)? },
        O::Bcc(_) | O::BCcc(_) | O::CBZ | O::CBNZ | O::TBZ | O::TBNZ => {
            Op::CondBranch { delta: pc_offset(inst)? }
        }
        O::BLR | O::BLRAA | O::BLRAAZ | O::BLRAB | O::BLRABZ => Op::Blr { reg: target(a)? },
        O::BR | O::BRAA | O::BRAAZ | O::BRAB | O::BRABZ => Op::Br { reg: target(a)? },
        O::RET => Op::Ret { reg: target(a)? },
        O::RETAA | O::RETAB | O::RETAASPPC | O::RETABSPPC | O::RETAASPPCR | O::RETABSPPCR => {
            Op::Ret { reg: Reg::X(30) }
        }
        _ => return lift_memory(inst),
    })
}

/// A whole GPR or scalar FP/SIMD register and its width in bits.
fn plain_reg(operand: Operand) -> Option<(Reg, u8)> {
    match operand {
        Operand::Register(size, n) => Some((gpr(n), gpr_bytes(size) * 8)),
        Operand::SIMDRegister(size, n) => Some((vreg(n), simd_bytes(size) * 8)),
        _ => None,
    }
}

fn target(operand: Operand) -> Option<Reg> {
    match operand {
        Operand::Register(_, n) => Some(gpr(n)),
        _ => None,
    }
}

/// How an opcode's memory access is summarized.
enum Access {
    /// Loads `bytes` per register (`None`: the register's width), sign-extending if `signed`.
    Load {
        bytes: Option<u8>,
        signed: bool,
    },
    Store {
        bytes: Option<u8>,
    },
    /// `ld1`/`st1` of whole registers: summarized when one or two registers.
    Ld1,
    St1,
    /// Never an immediate-offset summary.
    LoadOther,
    StoreOther,
}

fn access(opcode: O) -> Option<Access> {
    let load = |bytes, signed| Some(Access::Load { bytes, signed });
    let store = |bytes| Some(Access::Store { bytes });
    match opcode {
        O::LDR
        | O::LDUR
        | O::LDTR
        | O::LDAR
        | O::LDAXR
        | O::LDXR
        | O::LDLAR
        | O::LDAPR
        | O::LDAPUR
        | O::LDP
        | O::LDNP
        | O::LDXP
        | O::LDAXP => load(None, false),
        O::LDRB
        | O::LDURB
        | O::LDTRB
        | O::LDARB
        | O::LDAXRB
        | O::LDXRB
        | O::LDLARB
        | O::LDAPRB
        | O::LDAPURB => load(Some(1), false),
        O::LDRH
        | O::LDURH
        | O::LDTRH
        | O::LDARH
        | O::LDAXRH
        | O::LDXRH
        | O::LDLARH
        | O::LDAPRH
        | O::LDAPURH => load(Some(2), false),
        O::LDRSB | O::LDURSB | O::LDTRSB | O::LDAPURSB => load(Some(1), true),
        O::LDRSH | O::LDURSH | O::LDTRSH | O::LDAPURSH => load(Some(2), true),
        O::LDRSW | O::LDURSW | O::LDTRSW | O::LDAPURSW | O::LDPSW => load(Some(4), true),
        O::STR | O::STUR | O::STTR | O::STLR | O::STLLR | O::STLUR | O::STP | O::STNP | O::STRW => {
            store(None)
        }
        O::STRB | O::STURB | O::STTRB | O::STLRB | O::STLLRB | O::STLURB => store(Some(1)),
        O::STRH | O::STURH | O::STTRH | O::STLRH | O::STLLRH | O::STLURH => store(Some(2)),
        O::LD1 => Some(Access::Ld1),
        O::ST1 => Some(Access::St1),
        O::LD2 | O::LD3 | O::LD4 | O::LD1R | O::LD2R | O::LD3R | O::LD4R | O::LDRAA | O::LDRAB => {
            Some(Access::LoadOther)
        }
        O::ST2 | O::ST3 | O::ST4 => Some(Access::StoreOther),
        _ => None,
    }
}

fn lift_memory(inst: &Instruction) -> Option<Op> {
    let access = access(inst.opcode)?;
    let mut data: Vec<(Reg, u8, bool)> = Vec::new(); // register, width in bytes, 32-bit GPR
    let mut mem = None;
    let mut literal = None;
    let mut whole_group = false;
    // Lanes, and anything unexpected: no summary beyond "some access".
    let mut partial = false;
    for operand in operands(inst) {
        match *operand {
            Operand::Register(size, n) => data.push((gpr(n), gpr_bytes(size), size == SizeCode::W)),
            Operand::SIMDRegister(size, n) => data.push((vreg(n), simd_bytes(size), false)),
            Operand::SIMDRegisterGroup(width, n, _, count) => {
                whole_group = true;
                let w = simd_bytes(width);
                data.extend((0..u16::from(count)).map(|i| (vreg(n + i), w, false)));
            }
            Operand::SIMDRegisterGroupLane(n, elem, count, _) => {
                partial = true;
                let w = simd_bytes(elem);
                data.extend((0..u16::from(count)).map(|i| (vreg(n + i), w, false)));
            }
            Operand::PCOffset(delta) => literal = Some(delta),
            ref other => match memory(other) {
                Some(m) => mem = Some(m),
                None => partial = true,
            },
        }
    }
    let is_load = matches!(access, Access::Load { .. } | Access::Ld1 | Access::LoadOther);
    if let Some(delta) = literal {
        return match (access, data.as_slice()) {
            (Access::Load { bytes: None, .. }, &[(dst, size, _)]) => {
                Some(Op::LoadLiteral { dst, delta, size })
            }
            _ => None,
        };
    }
    let mem = mem?;
    let summary = match access {
        _ if partial => None,
        Access::Load { bytes, signed } => {
            let to_w = data.iter().any(|&(_, _, w)| w);
            (!(signed && to_w)).then_some((bytes, signed))
        }
        Access::Store { bytes } => Some((bytes, false)),
        Access::Ld1 | Access::St1 => {
            (whole_group && (1..=2).contains(&data.len())).then_some((None, false))
        }
        Access::LoadOther | Access::StoreOther => None,
    };
    let regs: Vec<Reg> = data.iter().map(|&(r, _, _)| r).collect();
    match (summary, mem.imm) {
        (Some((bytes, signed)), Some((offset, mode))) if !data.is_empty() => {
            let size = bytes.unwrap_or(data[0].1);
            Some(if is_load {
                Op::Load { dsts: regs, size, base: mem.base, offset, mode, signed }
            } else {
                Op::Store { srcs: regs, size, base: mem.base, offset, mode }
            })
        }
        _ if mem.writeback => None,
        _ if is_load => Some(Op::LoadOther { dsts: regs, base: mem.base }),
        _ => Some(Op::StoreOther { base: mem.base }),
    }
}

/// Which plain operands an instruction writes and reads (memory operands aside).
#[derive(Clone, Copy)]
enum Shape {
    /// The first operand is written, the others are read: most data processing.
    DefFirst,
    /// The first operand is read and written (accumulate, insert, `movk`), others read.
    DefUseFirst,
    /// Every operand is read: compares, stores, branches, `msr`, `sys`.
    NoDef,
    /// Every plain operand is written: loads, `sysl`.
    AllDefs,
    /// Every plain operand is read and written: lane loads, which merge.
    AllDefUse,
    /// The second operand is written, the others read: `swp` and `ld<op>` atomics.
    DefSecond,
}

/// Every operand is read: compares, system instructions, branches, stores, and the
/// pointer authentication of `lr`.
fn reads_only(op: O) -> bool {
    matches!(
        op,
        O::FCMP
            | O::FCMPE
            | O::CCMP
            | O::CCMN
            | O::FCCMP
            | O::FCCMPE
            | O::MSR
            | O::SYS(_)
            | O::SETF8
            | O::SETF16
            | O::RMIF
            | O::HINT
            | O::PRFM
            | O::PRFUM
            | O::B
            | O::BL
            | O::BR
            | O::BLR
            | O::RET
            | O::Bcc(_)
            | O::BCcc(_)
            | O::CBZ
            | O::CBNZ
            | O::TBZ
            | O::TBNZ
            | O::BLRAA
            | O::BLRAAZ
            | O::BLRAB
            | O::BLRABZ
            | O::BRAA
            | O::BRAAZ
            | O::BRAB
            | O::BRABZ
            | O::RETAA
            | O::RETAB
            | O::RETAASPPC
            | O::RETABSPPC
            | O::RETAASPPCR
            | O::RETABSPPCR
            | O::STLR
            | O::STLLR
            | O::STLRB
            | O::STLLRB
            | O::STLRH
            | O::STLLRH
            | O::STP
            | O::STR
            | O::STTR
            | O::STTRB
            | O::STTRH
            | O::STRB
            | O::STRH
            | O::STRW
            | O::STUR
            | O::STURB
            | O::STURH
            | O::STNP
            | O::ST1
            | O::ST2
            | O::ST3
            | O::ST4
            | O::STLUR
            | O::STLURB
            | O::STLURH
            | O::STG
            | O::STZG
            | O::ST2G
            | O::STZ2G
            | O::STGM
            | O::STZGM
            | O::PACIASP
            | O::PACIBSP
            | O::AUTIASP
            | O::AUTIBSP
            | O::PACIASPPC
            | O::PACIBSPPC
            | O::PACNBIASPPC
            | O::PACNBIBSPPC
            | O::AUTIASPPC
            | O::AUTIBSPPC
            | O::AUTIASPPCR
            | O::AUTIBSPPCR
    )
}

/// Every plain operand is written: loads and `sysl`.
fn writes_all(op: O) -> bool {
    matches!(
        op,
        O::LDAR
            | O::LDLAR
            | O::LDARB
            | O::LDLARB
            | O::LDAXRB
            | O::LDARH
            | O::LDLARH
            | O::LDAXP
            | O::LDAXR
            | O::LDAXRH
            | O::LDP
            | O::LDPSW
            | O::LDR
            | O::LDRB
            | O::LDRSB
            | O::LDRSW
            | O::LDRSH
            | O::LDRH
            | O::LDTR
            | O::LDTRB
            | O::LDTRH
            | O::LDTRSB
            | O::LDTRSH
            | O::LDTRSW
            | O::LDUR
            | O::LDURB
            | O::LDURSB
            | O::LDURSW
            | O::LDURSH
            | O::LDURH
            | O::LDXP
            | O::LDXR
            | O::LDXRB
            | O::LDXRH
            | O::LDNP
            | O::LD1
            | O::LD2
            | O::LD3
            | O::LD4
            | O::LD1R
            | O::LD2R
            | O::LD3R
            | O::LD4R
            | O::LDRAA
            | O::LDRAB
            | O::LDAPR
            | O::LDAPRH
            | O::LDAPRB
            | O::LDAPUR
            | O::LDAPURB
            | O::LDAPURH
            | O::LDAPURSB
            | O::LDAPURSH
            | O::LDAPURSW
            | O::LDGM
            | O::SYSL(_)
    )
}

/// The second operand is written: `swp` and the `ld<op>` atomics.
fn writes_second(op: O) -> bool {
    matches!(
        op,
        O::SWP(_)
            | O::SWPB(_)
            | O::SWPH(_)
            | O::LDADDB(_)
            | O::LDCLRB(_)
            | O::LDEORB(_)
            | O::LDSETB(_)
            | O::LDSMAXB(_)
            | O::LDSMINB(_)
            | O::LDUMAXB(_)
            | O::LDUMINB(_)
            | O::LDADDH(_)
            | O::LDCLRH(_)
            | O::LDEORH(_)
            | O::LDSETH(_)
            | O::LDSMAXH(_)
            | O::LDSMINH(_)
            | O::LDUMAXH(_)
            | O::LDUMINH(_)
            | O::LDADD(_)
            | O::LDCLR(_)
            | O::LDEOR(_)
            | O::LDSET(_)
            | O::LDSMAX(_)
            | O::LDSMIN(_)
            | O::LDUMAX(_)
            | O::LDUMIN(_)
    )
}

/// The first operand is read and written: compare-and-swap, `movk`, accumulating,
/// narrowing-high, crypto rounds and pointer authentication.
fn updates_first(op: O) -> bool {
    matches!(
        op,
        O::CAS(_)
            | O::CASH(_)
            | O::CASB(_)
            | O::CASP(_)
            | O::LDG
            | O::MOVK
            | O::BFM
            | O::INS
            | O::FMLA
            | O::FMLS
            | O::MLA
            | O::MLS
            | O::SABA
            | O::UABA
            | O::SABAL
            | O::SABAL2
            | O::UABAL
            | O::UABAL2
            | O::SMLAL
            | O::SMLAL2
            | O::SMLSL
            | O::SMLSL2
            | O::UMLAL
            | O::UMLAL2
            | O::UMLSL
            | O::UMLSL2
            | O::SQDMLAL
            | O::SQDMLAL2
            | O::SQDMLSL
            | O::SQDMLSL2
            | O::SQRDMLAH
            | O::SQRDMLSH
            | O::BSL
            | O::BIT
            | O::BIF
            | O::SDOT
            | O::UDOT
            | O::FMLAL
            | O::FMLAL2
            | O::FMLSL
            | O::FMLSL2
            | O::FCMLA
            | O::SSRA
            | O::USRA
            | O::SRSRA
            | O::URSRA
            | O::SRI
            | O::SLI
            | O::SADALP
            | O::UADALP
            | O::SUQADD
            | O::USQADD
            | O::TBX
            | O::XTN2
            | O::SQXTN2
            | O::UQXTN2
            | O::SQXTUN2
            | O::FCVTN2
            | O::FCVTXN2
            | O::SHRN2
            | O::RSHRN2
            | O::SQSHRN2
            | O::SQRSHRN2
            | O::SQSHRUN2
            | O::SQRSHRUN2
            | O::UQSHRN2
            | O::UQRSHRN2
            | O::ADDHN2
            | O::SUBHN2
            | O::RADDHN2
            | O::RSUBHN2
            | O::AESE
            | O::AESD
            | O::SHA1C
            | O::SHA1P
            | O::SHA1M
            | O::SHA1SU0
            | O::SHA1SU1
            | O::SHA256H
            | O::SHA256H2
            | O::SHA256SU0
            | O::SHA256SU1
            | O::SHA512H
            | O::SHA512H2
            | O::SHA512SU0
            | O::SHA512SU1
            | O::SM3TT1A
            | O::SM3TT1B
            | O::SM3TT2A
            | O::SM3TT2B
            | O::SM3PARTW1
            | O::SM3PARTW2
            | O::SM4E
            | O::PACIA
            | O::PACIB
            | O::PACDA
            | O::PACDB
            | O::AUTIA
            | O::AUTIB
            | O::AUTDA
            | O::AUTDB
            | O::PACIZA
            | O::PACIZB
            | O::PACDZA
            | O::PACDZB
            | O::AUTIZA
            | O::AUTIZB
            | O::AUTDZA
            | O::AUTDZB
            | O::XPACI
            | O::XPACD
    )
}

fn shape(inst: &Instruction) -> Shape {
    let first = inst.operands[0];
    let second = inst.operands[1];
    let op = inst.opcode;
    match op {
        _ if reads_only(op) => Shape::NoDef,
        O::LD1 | O::LD2 | O::LD3 | O::LD4
            if matches!(first, Operand::SIMDRegisterGroupLane(..)) =>
        {
            Shape::AllDefUse
        }
        _ if writes_all(op) => Shape::AllDefs,
        _ if writes_second(op) => Shape::DefSecond,
        _ if updates_first(op) => Shape::DefUseFirst,
        // Vector `orr`/`bic` with an immediate modify their destination in place.
        O::ORR | O::BIC
            if matches!(first, Operand::SIMDRegisterElements(..))
                && !matches!(second, Operand::SIMDRegisterElements(..)) =>
        {
            Shape::DefUseFirst
        }
        // Writing one lane keeps the others.
        O::FMOV if matches!(first, Operand::SIMDRegisterElementsLane(..)) => Shape::DefUseFirst,
        _ => Shape::DefFirst,
    }
}

/// Registers an instruction writes and reads without naming them.
fn implicit_roles(opcode: O) -> (Vec<Reg>, Vec<Reg>) {
    const LR: Reg = Reg::X(30);
    match opcode {
        O::BL | O::BLR | O::BLRAA | O::BLRAAZ | O::BLRAB | O::BLRABZ => (vec![LR], vec![]),
        O::PACIASP
        | O::PACIBSP
        | O::AUTIASP
        | O::AUTIBSP
        | O::PACIASPPC
        | O::PACIBSPPC
        | O::PACNBIASPPC
        | O::PACNBIBSPPC
        | O::AUTIASPPC
        | O::AUTIBSPPC
        | O::AUTIASPPCR
        | O::AUTIBSPPCR => (vec![LR], vec![LR, Reg::Sp]),
        O::PACIAZ | O::PACIBZ | O::AUTIAZ | O::AUTIBZ | O::XPACLRI => (vec![LR], vec![LR]),
        O::PACIA1716 | O::PACIB1716 | O::AUTIA1716 | O::AUTIB1716 => {
            (vec![Reg::X(17)], vec![Reg::X(17), Reg::X(16)])
        }
        O::PACIA171615 | O::PACIB171615 | O::AUTIA171615 | O::AUTIB171615 => {
            (vec![Reg::X(17)], vec![Reg::X(17), Reg::X(16), Reg::X(15)])
        }
        O::RETAA | O::RETAB | O::RETAASPPC | O::RETABSPPC | O::RETAASPPCR | O::RETABSPPCR => {
            (vec![], vec![LR, Reg::Sp])
        }
        O::ERETAA | O::ERETAB => (vec![], vec![Reg::Sp]),
        _ => (vec![], vec![]),
    }
}
