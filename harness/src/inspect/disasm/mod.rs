//! AArch64 instruction decoding for the static checks, on top of `yaxpeax-arm`.
//!
//! [`decode`] turns a code section into one [`Insn`] per 4-byte word. Each instruction
//! carries two views:
//!
//! * [`Insn::regs`]: every register the instruction names, whatever its role or view
//!   (`w5` and `x5` are both [`Reg::X`]`(5)`, `s3`/`d3`/`q3`/`v3.4s` are all [`Reg::V`]`(3)`),
//!   for the checks that flag registers Arm64EC reserves ([`Reg::is_arm64ec_reserved`]);
//! * [`Insn::op`]: a small semantic summary ([`Op`]) for def-use tracking and symbolic
//!   execution of short straight-line code, with [`Insn::defs`] and [`Insn::uses`] giving
//!   the registers written and read.
//!
//! Decoding never panics: words the decoder rejects (including the SVE and SME encoding
//! spaces, which `yaxpeax-arm` 0.5 does not decode) become [`Op::Undefined`]. Slips of
//! `yaxpeax-arm` 0.5 corrected here: `msr <sysreg>, Xt` losing bit 4 of Rt, words reported
//! as decoded without an opcode, and `uxtw` shown as `lsl` in 64-bit add/sub (extended
//! register). It also accepts some unallocated encodings
//! (e.g. 32-bit shifted-register forms with a shift of 32 or more), which are reported as
//! decoded; data that happens to look like code is for the caller to skip anyway.

mod ops;
#[cfg(test)]
mod tests;

use serde::{Serialize, Serializer};
use std::fmt;
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction};

/// A register, independent of the view through which an instruction names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reg {
    /// General-purpose register 0..=30, named as `xN` or `wN` (`fp` is 29, `lr` is 30).
    X(u8),
    /// The stack pointer (`sp`, `wsp`).
    Sp,
    /// The zero register (`xzr`, `wzr`): reads as zero, writes are discarded.
    Zr,
    /// FP/SIMD register 0..=31 in any view: `bN hN sN dN qN vN.T zN`.
    V(u8),
    /// SVE predicate register 0..=15. Like [`Reg::Ffr`], not produced by [`decode`] today
    /// (SVE is not decoded) but part of what the checks reason about.
    P(u8),
    /// SVE first-fault register.
    Ffr,
}

impl Reg {
    /// Whether Arm64EC code must not touch this register: x13, x14, x23, x24 and x28,
    /// v16..v31, and all SVE state (the predicate registers and FFR).
    pub fn is_arm64ec_reserved(self) -> bool {
        match self {
            Reg::X(n) => matches!(n, 13 | 14 | 23 | 24 | 28),
            Reg::V(n) => n >= 16,
            Reg::P(_) | Reg::Ffr => true,
            Reg::Sp | Reg::Zr => false,
        }
    }
}

impl fmt::Display for Reg {
    /// The 64-bit (or full-width vector) name: `x13`, `sp`, `xzr`, `v16`, `p0`, `ffr`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reg::X(n) => write!(f, "x{n}"),
            Reg::Sp => f.write_str("sp"),
            Reg::Zr => f.write_str("xzr"),
            Reg::V(n) => write!(f, "v{n}"),
            Reg::P(n) => write!(f, "p{n}"),
            Reg::Ffr => f.write_str("ffr"),
        }
    }
}

impl Serialize for Reg {
    /// Serialized as its [`Display`](fmt::Display) name, e.g. `"x13"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Addressing mode of an immediate-offset memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AddrMode {
    /// `[base, #offset]`: the base register is unchanged.
    Offset,
    /// `[base, #offset]!`: accesses base+offset, then writes base+offset back to base.
    PreIndex,
    /// `[base], #offset`: accesses base, then writes base+offset back to base.
    PostIndex,
}

/// What an instruction does, as far as the checks model it.
///
/// Offsets and deltas are in bytes. A variant is chosen only when it describes the
/// instruction's whole register effect (flags aside, which are not modelled); anything
/// else is [`Op::Other`] with its written and read registers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// Copy the low `bits` bits of `src` into `dst` and zero the rest of `dst` (a 32-bit
    /// GPR write clears the upper half; a write to a V register clears up to bit 127).
    /// Covers `mov` (the `orr` alias), `mov` to/from `sp` (the `add #0` alias), `fmov`
    /// between registers (also GPR<->FP), `mov vD.16b, vN.16b`, and lane-0 `dup`/`umov`
    /// of a 32- or 64-bit element. `bits` is 32/64 for GPRs and 16/32/64/128 (h/s/d/q) for
    /// V registers.
    Mov { dst: Reg, src: Reg, bits: u8 },
    /// `dst` = `imm` (already zero-extended for a 32-bit destination): `movz`, `movn`,
    /// `mov #imm` (also the `orr` bitmask-immediate alias).
    MovImm { dst: Reg, imm: u64 },
    /// 64-bit `dst` = `src` + `imm`: `add`/`sub` (and `adds`/`subs` with a register
    /// destination) with an immediate, the `lsl #12` shift applied and `sub` negated.
    /// The 32-bit forms are [`Op::Other`], as their result is truncated.
    AddImm { dst: Reg, src: Reg, imm: i64 },
    /// `adrp`: `dst` = (page of this instruction) + `page_delta`.
    Adrp { dst: Reg, page_delta: i64 },
    /// `adr`: `dst` = (address of this instruction) + `delta`.
    Adr { dst: Reg, delta: i64 },
    /// Load with an immediate offset (`ldr ldur ldp ldnp ldpsw ldrb ldrh ldrs* ldar ldapr
    /// ldxr ldtr ldapur`, GPR and FP/SIMD, and `ld1` of one or two whole registers). Each
    /// register gets `size` bytes from consecutive addresses, zero-extended, or sign-extended
    /// to 64 bits when `signed` (a sign-extending load into a `w` register is
    /// [`Op::LoadOther`], as it extends to 32 bits only).
    Load { dsts: Vec<Reg>, size: u8, base: Reg, offset: i64, mode: AddrMode, signed: bool },
    /// Store with an immediate offset, the counterpart of [`Op::Load`].
    Store { srcs: Vec<Reg>, size: u8, base: Reg, offset: i64, mode: AddrMode },
    /// Any other load without base writeback: register-offset addressing, structure and
    /// lane loads, pointer-authenticated loads.
    LoadOther { dsts: Vec<Reg>, base: Reg },
    /// Any other store without base writeback or status result.
    StoreOther { base: Reg },
    /// `ldr` (literal): `size` bytes at (address of this instruction) + `delta`.
    LoadLiteral { dst: Reg, delta: i64, size: u8 },
    /// `bl`: call (address of this instruction) + `delta`; writes x30.
    Bl { delta: i64 },
    /// `b`.
    B { delta: i64 },
    /// `b.cond`, `bc.cond`, `cbz`, `cbnz`, `tbz`, `tbnz`.
    CondBranch { delta: i64 },
    /// `blr` and `blraa`/`blrab`/`blraaz`/`blrabz`: call through `reg`; writes x30.
    Blr { reg: Reg },
    /// `br` and `braa`/`brab`/`braaz`/`brabz`.
    Br { reg: Reg },
    /// `ret` (x30 unless named) and `retaa`/`retab` (x30).
    Ret { reg: Reg },
    /// Anything else, with the registers it writes and reads (implicit ones included, e.g.
    /// `pacibsp` writes x30 and reads x30 and sp).
    Other { defs: Vec<Reg>, uses: Vec<Reg> },
    /// A word the decoder does not accept.
    Undefined,
}

/// One decoded 4-byte word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Insn {
    /// Offset of the word: `base_offset` of [`decode`] plus its position in the code.
    pub offset: u32,
    /// The little-endian instruction word.
    pub word: u32,
    /// Readable disassembly, e.g. `ldr x8, [x9, #0x10]`; PC-relative targets are shown
    /// relative to this instruction (`b $+0x10`); an undecodable word is `.inst 0x...`
    /// (with a note when it lies in the SVE or SME encoding space).
    pub text: String,
    pub op: Op,
    /// Every register the instruction names as an operand, in operand order, each once.
    /// Implicit operands (x30 of `pacibsp`, sp of `retaa`, ...) are not named and not here.
    pub regs: Vec<Reg>,
}

/// Decode `code` as little-endian A64 words, one [`Insn`] per word; a trailing partial
/// word is ignored. Offsets start at `base_offset` (and wrap rather than overflow).
pub fn decode(code: &[u8], base_offset: u32) -> Vec<Insn> {
    let decoder = InstDecoder::default();
    let mut inst = Instruction::default();
    code.chunks_exact(4)
        .enumerate()
        .map(|(i, bytes)| {
            let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            let offset = base_offset.wrapping_add((i as u32).wrapping_mul(4));
            decode_word(&decoder, &mut inst, word, offset)
        })
        .collect()
}

fn decode_word(decoder: &InstDecoder, inst: &mut Instruction, word: u32, offset: u32) -> Insn {
    match yaxpeax_decode(decoder, inst, word) {
        Some(inst) => {
            let (op, regs) = ops::lift(inst);
            Insn { offset, word, text: inst.to_string(), op, regs }
        }
        None => {
            Insn { offset, word, text: undefined_text(word), op: Op::Undefined, regs: Vec::new() }
        }
    }
}

/// `.inst 0x...`, naming the encoding spaces the decoder leaves out.
fn undefined_text(word: u32) -> String {
    let space = match (word >> 31, (word >> 25) & 0xf) {
        (_, 0b0010) => " // SVE encoding space, not decoded",
        (1, 0b0000) => " // SME encoding space, not decoded",
        _ => "",
    };
    format!(".inst {word:#010x}{space}")
}

/// `yaxpeax-arm`'s decoding of one word, with its known slips corrected.
fn yaxpeax_decode<'i>(
    decoder: &InstDecoder,
    inst: &'i mut Instruction,
    word: u32,
) -> Option<&'i Instruction> {
    let bytes = word.to_le_bytes();
    let mut reader = U8Reader::new(&bytes);
    // Some words decode "successfully" without setting an opcode: start from `Invalid`
    // rather than whatever the previous word left behind.
    *inst = Instruction::default();
    decoder.decode_into(inst, &mut reader).ok()?;
    ops::repair(word, inst)?;
    Some(inst)
}

impl Insn {
    /// Registers this instruction writes: derived from [`Insn::op`] ([`Op::Other`] lists
    /// them). Writeback loads and stores write their base; calls write x30; the zero
    /// register is never written.
    pub fn defs(&self) -> Vec<Reg> {
        let mut out = Vec::new();
        match &self.op {
            Op::Mov { dst, .. }
            | Op::MovImm { dst, .. }
            | Op::AddImm { dst, .. }
            | Op::Adrp { dst, .. }
            | Op::Adr { dst, .. }
            | Op::LoadLiteral { dst, .. } => out.push(*dst),
            Op::Load { dsts, base, mode, .. } => {
                out.extend(dsts);
                if *mode != AddrMode::Offset {
                    out.push(*base);
                }
            }
            Op::Store { base, mode, .. } if *mode != AddrMode::Offset => out.push(*base),
            Op::LoadOther { dsts, .. } => out.extend(dsts),
            Op::Bl { .. } | Op::Blr { .. } => out.push(Reg::X(30)),
            Op::Other { defs, .. } => out.extend(defs),
            Op::Store { .. }
            | Op::StoreOther { .. }
            | Op::B { .. }
            | Op::CondBranch { .. }
            | Op::Br { .. }
            | Op::Ret { .. }
            | Op::Undefined => {}
        }
        ops::tidy(out)
    }

    /// Registers this instruction reads: derived from [`Insn::op`] and, where the op does
    /// not carry its operands (conditional and register branches, [`Op::LoadOther`],
    /// [`Op::StoreOther`]), from [`Insn::regs`]. The zero register is never listed.
    pub fn uses(&self) -> Vec<Reg> {
        let mut out = Vec::new();
        match &self.op {
            Op::Mov { src, .. } | Op::AddImm { src, .. } => out.push(*src),
            Op::Load { base, .. } => out.push(*base),
            Op::Store { srcs, base, .. } => {
                out.extend(srcs);
                out.push(*base);
            }
            Op::LoadOther { dsts, base } => match self.exact_roles() {
                Some((_, uses)) => out = uses,
                // Without the word, assume no loaded register is read as well.
                None => {
                    out.push(*base);
                    out.extend(self.regs.iter().filter(|r| !dsts.contains(r)));
                }
            },
            Op::StoreOther { base } => {
                out.push(*base);
                out.extend(&self.regs);
            }
            Op::CondBranch { .. } => out.extend(&self.regs),
            Op::Blr { reg } | Op::Br { reg } => {
                out.push(*reg);
                out.extend(&self.regs);
            }
            Op::Ret { reg } => match self.exact_roles() {
                Some((_, uses)) => out = uses,
                None => {
                    out.push(*reg);
                    out.extend(&self.regs);
                }
            },
            Op::Other { uses, .. } => out.extend(uses),
            Op::MovImm { .. }
            | Op::Adrp { .. }
            | Op::Adr { .. }
            | Op::LoadLiteral { .. }
            | Op::Bl { .. }
            | Op::B { .. }
            | Op::Undefined => {}
        }
        ops::tidy(out)
    }

    /// The full register roles of [`Insn::word`], when it decodes to this very op (it
    /// always does for an `Insn` from [`decode`]; a hand-made one may differ).
    fn exact_roles(&self) -> Option<(Vec<Reg>, Vec<Reg>)> {
        let mut inst = Instruction::default();
        let inst = yaxpeax_decode(&InstDecoder::default(), &mut inst, self.word)?;
        let (op, _) = ops::lift(inst);
        (op == self.op).then(|| ops::roles(inst))
    }
}
