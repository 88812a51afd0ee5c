//! Hand-assembled words (encodings checked with `llvm-mc --show-encoding`).

use super::*;
use Reg::{Sp, V, X, Zr};

fn one(word: u32) -> Insn {
    let mut v = decode(&word.to_le_bytes(), 0);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn op(word: u32) -> Op {
    one(word).op
}

fn other(defs: &[Reg], uses: &[Reg]) -> Op {
    Op::Other { defs: defs.to_vec(), uses: uses.to_vec() }
}

/// (defs, uses) of a word.
fn roles(word: u32) -> (Vec<Reg>, Vec<Reg>) {
    let i = one(word);
    (i.defs(), i.uses())
}

fn load(dsts: &[Reg], size: u8, base: Reg, offset: i64, mode: AddrMode, signed: bool) -> Op {
    Op::Load { dsts: dsts.to_vec(), size, base, offset, mode, signed }
}

fn store(srcs: &[Reg], size: u8, base: Reg, offset: i64, mode: AddrMode) -> Op {
    Op::Store { srcs: srcs.to_vec(), size, base, offset, mode }
}

#[test]
fn decode_walks_words_and_offsets() {
    let code =
        [0xaa0003ed_u32, 0xd65f03c0].iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<_>>();
    let mut with_tail = code.clone();
    with_tail.extend([0x1f, 0x20]); // a partial word is ignored
    let v = decode(&with_tail, 0x100);
    assert_eq!(v.len(), 2);
    assert_eq!((v[0].offset, v[0].word, v[0].text.as_str()), (0x100, 0xaa0003ed, "mov x13, x0"));
    assert_eq!((v[1].offset, v[1].text.as_str()), (0x104, "ret"));
    assert!(decode(&[1, 2, 3], 0).is_empty());
    // Offsets wrap instead of overflowing.
    assert_eq!(decode(&code, u32::MAX - 3)[1].offset, 0);
}

#[test]
fn register_moves() {
    assert_eq!(op(0xaa0003ed), Op::Mov { dst: X(13), src: X(0), bits: 64 }); // mov x13, x0
    assert_eq!(op(0x2a0703e5), Op::Mov { dst: X(5), src: X(7), bits: 32 }); // mov w5, w7
    assert_eq!(op(0x910003e1), Op::Mov { dst: X(1), src: Sp, bits: 64 }); // mov x1, sp
    assert_eq!(op(0x9100003f), Op::Mov { dst: Sp, src: X(1), bits: 64 }); // mov sp, x1
    // The zero register is named (it is the `orr` operand) but neither read nor written.
    let i = one(0xaa0003ed);
    assert_eq!(i.regs, [X(13), Zr, X(0)]);
    assert_eq!((i.defs(), i.uses()), (vec![X(13)], vec![X(0)]));
}

#[test]
fn fp_and_simd_moves() {
    assert_eq!(op(0x9e670020), Op::Mov { dst: V(0), src: X(1), bits: 64 }); // fmov d0, x1
    assert_eq!(one(0x9e670020).text, "fmov d0, x1");
    assert_eq!(op(0x9e660001), Op::Mov { dst: X(1), src: V(0), bits: 64 }); // fmov x1, d0
    assert_eq!(op(0x1e270020), Op::Mov { dst: V(0), src: X(1), bits: 32 }); // fmov s0, w1
    assert_eq!(op(0x1e260001), Op::Mov { dst: X(1), src: V(0), bits: 32 }); // fmov w1, s0
    assert_eq!(op(0x1e604020), Op::Mov { dst: V(0), src: V(1), bits: 64 }); // fmov d0, d1
    assert_eq!(op(0x1ee04062), Op::Mov { dst: V(2), src: V(3), bits: 16 }); // fmov h2, h3
    assert_eq!(op(0x9e6703e0), Op::Mov { dst: V(0), src: Zr, bits: 64 }); // fmov d0, xzr
    assert_eq!(op(0x4ea11c20), Op::Mov { dst: V(0), src: V(1), bits: 128 }); // mov v0.16b, v1.16b
    assert_eq!(op(0x0ea11c20), Op::Mov { dst: V(0), src: V(1), bits: 64 }); // mov v0.8b, v1.8b
    assert_eq!(op(0x0e043c20), Op::Mov { dst: X(0), src: V(1), bits: 32 }); // mov w0, v1.s[0]
    assert_eq!(op(0x4e083c20), Op::Mov { dst: X(0), src: V(1), bits: 64 }); // mov x0, v1.d[0]
    assert_eq!(op(0x5e040420), Op::Mov { dst: V(0), src: V(1), bits: 32 }); // mov s0, v1.s[0]
    // Lanes other than 0, and inserts, are not plain moves; an insert keeps the other lanes.
    assert_eq!(op(0x4e183c20), other(&[X(0)], &[V(1)])); // mov x0, v1.d[1]
    assert_eq!(op(0x9eaf0000), other(&[V(0)], &[V(0), X(0)])); // fmov v0.d[1], x0
    assert_eq!(op(0x4e0c1c40), other(&[V(0)], &[V(0), X(2)])); // mov v0.s[1], w2
    assert_eq!(op(0x4e040c00), other(&[V(0)], &[X(0)])); // dup v0.4s, w0
}

#[test]
fn immediate_moves() {
    assert_eq!(op(0xd2824680), Op::MovImm { dst: X(0), imm: 0x1234 }); // mov x0, #0x1234
    assert_eq!(op(0x12800000), Op::MovImm { dst: X(0), imm: 0xffff_ffff }); // mov w0, #-1
    assert_eq!(op(0x92800020), Op::MovImm { dst: X(0), imm: (-2i64) as u64 }); // mov x0, #-2
    assert_eq!(op(0x12a000a1), Op::MovImm { dst: X(1), imm: 0xfffa_ffff }); // movn w1, #5, lsl #16
    assert_eq!(op(0xd2d7dde2), Op::MovImm { dst: X(2), imm: 0xbeef_0000_0000 }); // movz, lsl #32
    // mov x4, #0xff00ff00ff00ff00 and mov w4, #0xf0f0f0f0 (orr bitmask immediates)
    assert_eq!(op(0xb2089fe4), Op::MovImm { dst: X(4), imm: 0xff00_ff00_ff00_ff00 });
    assert_eq!(op(0x3204cfe4), Op::MovImm { dst: X(4), imm: 0xf0f0_f0f0 });
    // movk merges into its destination.
    assert_eq!(op(0xf2e00023), other(&[X(3)], &[X(3)])); // movk x3, #1, lsl #48
    assert_eq!(op(0x72a00241), other(&[X(1)], &[X(1)])); // movk w1, #0x12, lsl #16
}

#[test]
fn add_sub_immediate() {
    assert_eq!(op(0x910083ff), Op::AddImm { dst: Sp, src: Sp, imm: 0x20 }); // add sp, sp, #0x20
    assert_eq!(op(0xd14007ff), Op::AddImm { dst: Sp, src: Sp, imm: -0x1000 }); // sub sp, sp, #1, lsl #12
    assert_eq!(op(0x91004020), Op::AddImm { dst: X(0), src: X(1), imm: 0x10 }); // add x0, x1, #0x10
    assert_eq!(op(0xd13ffc20), Op::AddImm { dst: X(0), src: X(1), imm: -4095 }); // sub x0, x1, #4095
    assert_eq!(op(0x910006f8), Op::AddImm { dst: X(24), src: X(23), imm: 1 }); // add x24, x23, #1
    assert_eq!(op(0xb1000420), Op::AddImm { dst: X(0), src: X(1), imm: 1 }); // adds x0, x1, #1
    // 32-bit results are truncated: not an AddImm.
    assert_eq!(op(0x11004020), other(&[X(0)], &[X(1)])); // add w0, w1, #0x10
    // Compares write flags only.
    assert_eq!(op(0xb100041f), other(&[], &[X(0)])); // cmn x0, #1
    assert_eq!(op(0xf100615f), other(&[], &[X(10)])); // cmp x10, #0x18
}

#[test]
fn pc_relative() {
    assert_eq!(op(0xf0000008), Op::Adrp { dst: X(8), page_delta: 0x3000 }); // adrp x8, +0x3000
    assert_eq!(op(0xd0ffffe0), Op::Adrp { dst: X(0), page_delta: -0x2000 }); // adrp x0, -0x2000
    assert_eq!(op(0x10000109), Op::Adr { dst: X(9), delta: 0x20 }); // adr x9, +0x20
    assert_eq!(op(0x10ffffe1), Op::Adr { dst: X(1), delta: -4 }); // adr x1, -4
    assert_eq!(op(0x58000200), Op::LoadLiteral { dst: X(0), delta: 0x40, size: 8 }); // ldr x0, lit
    assert_eq!(op(0x18fffe00), Op::LoadLiteral { dst: X(0), delta: -0x40, size: 4 }); // ldr w0, lit
    assert_eq!(op(0x9c000800), Op::LoadLiteral { dst: V(0), delta: 0x100, size: 16 }); // ldr q0, lit
    // ldrsw (literal) sign-extends, which LoadLiteral cannot say.
    assert_eq!(op(0x98000040), other(&[X(0)], &[]));
}

#[test]
fn loads_with_immediate_offsets() {
    use AddrMode::*;
    let i = one(0xf9400928);
    assert_eq!(i.text, "ldr x8, [x9, #0x10]");
    assert_eq!(i.op, load(&[X(8)], 8, X(9), 0x10, Offset, false));
    assert_eq!(op(0xb9401128), load(&[X(8)], 4, X(9), 0x10, Offset, false)); // ldr w8
    assert_eq!(op(0xf85f8128), load(&[X(8)], 8, X(9), -8, Offset, false)); // ldur x8, [x9, #-8]
    assert_eq!(op(0xf8410fe8), load(&[X(8)], 8, Sp, 0x10, PreIndex, false)); // [sp, #0x10]!
    assert_eq!(op(0xf84107e8), load(&[X(8)], 8, Sp, 0x10, PostIndex, false)); // [sp], #0x10
    assert_eq!(op(0x39400c20), load(&[X(0)], 1, X(1), 3, Offset, false)); // ldrb w0
    assert_eq!(op(0x79400420), load(&[X(0)], 2, X(1), 2, Offset, false)); // ldrh w0
    assert_eq!(op(0x39800c20), load(&[X(0)], 1, X(1), 3, Offset, true)); // ldrsb x0
    assert_eq!(op(0xb9800420), load(&[X(0)], 4, X(1), 4, Offset, true)); // ldrsw x0
    assert_eq!(op(0x789fe020), load(&[X(0)], 2, X(1), -2, Offset, true)); // ldursh x0
    assert_eq!(op(0x69400440), load(&[X(0), X(1)], 4, X(2), 0, Offset, true)); // ldpsw
    assert_eq!(op(0xad4107e0), load(&[V(0), V(1)], 16, Sp, 0x20, Offset, false)); // ldp q0, q1
    assert_eq!(op(0xadff7ffe), load(&[V(30), V(31)], 16, Sp, -32, PreIndex, false)); // ldp q30, q31
    assert_eq!(op(0x3dc003f4), load(&[V(20)], 16, Sp, 0, Offset, false)); // ldr q20, [sp]
    assert_eq!(op(0x3cdf0083), load(&[V(3)], 16, X(4), -16, Offset, false)); // ldur q3
    assert_eq!(op(0x3d400000), load(&[V(0)], 1, X(0), 0, Offset, false)); // ldr b0, [x0]
    assert_eq!(op(0x6c410440), load(&[V(0), V(1)], 8, X(2), 0x10, Offset, false)); // ldnp d0, d1
    assert_eq!(op(0xc8dffc20), load(&[X(0)], 8, X(1), 0, Offset, false)); // ldar x0, [x1]
    assert_eq!(op(0x4cdf7000), load(&[V(0)], 16, X(0), 16, PostIndex, false)); // ld1 {v0.16b}, [x0], #16
    assert_eq!(op(0x4c40a000), load(&[V(0), V(1)], 16, X(0), 0, Offset, false)); // ld1 two regs
    // Writeback defines the base as well.
    assert_eq!(roles(0xa8c153f3), (vec![X(19), X(20), Sp], vec![Sp])); // ldp x19, x20, [sp], #0x10
    assert_eq!(roles(0xf84107ed), (vec![X(13), Sp], vec![Sp])); // ldr x13, [sp], #16
}

#[test]
fn other_loads() {
    // Register offsets: the index is read, even when it is also the destination.
    assert_eq!(op(0xf8627820), Op::LoadOther { dsts: vec![X(0)], base: X(1) }); // ldr x0, [x1, x2, lsl #3]
    assert_eq!(roles(0xf8627820), (vec![X(0)], vec![X(1), X(2)]));
    assert_eq!(op(0xf8616801), Op::LoadOther { dsts: vec![X(1)], base: X(0) }); // ldr x1, [x0, x1]
    assert_eq!(roles(0xf8616801), (vec![X(1)], vec![X(0), X(1)]));
    assert_eq!(roles(0xb86a7928), (vec![X(8)], vec![X(9), X(10)])); // ldr w8, [x9, x10, lsl #2]
    // Sign extension into a w register stops at bit 31.
    assert_eq!(op(0x39c00c20), Op::LoadOther { dsts: vec![X(0)], base: X(1) }); // ldrsb w0
    assert_eq!(op(0x79c00420), Op::LoadOther { dsts: vec![X(0)], base: X(1) }); // ldrsh w0
    // A lane load merges into its register.
    assert_eq!(op(0x0d409000), Op::LoadOther { dsts: vec![V(0)], base: X(0) }); // ld1 {v0.s}[1], [x0]
    assert_eq!(roles(0x0d409000), (vec![V(0)], vec![V(0), X(0)]));
    assert_eq!(op(0x4c408800), Op::LoadOther { dsts: vec![V(0), V(1)], base: X(0) }); // ld2
    assert_eq!(op(0xf8201420), Op::LoadOther { dsts: vec![X(0)], base: X(1) }); // ldraa x0, [x1, #8]
    // With writeback they are Other, which lists the base among the defs.
    assert_eq!(op(0x4cc3a800), other(&[V(0), V(1), X(0)], &[X(0), X(3)])); // ld1 ..., [x0], x3
    assert_eq!(op(0xf8a01c20), other(&[X(0), X(1)], &[X(1)])); // ldrab x0, [x1, #8]!
    // A hand-made Insn whose word does not match falls back to its regs.
    let i = Insn {
        offset: 0,
        word: 0,
        text: String::new(),
        op: Op::LoadOther { dsts: vec![X(0)], base: X(1) },
        regs: vec![X(0), X(1), X(2)],
    };
    assert_eq!((i.defs(), i.uses()), (vec![X(0)], vec![X(1), X(2)]));
}

#[test]
fn stores() {
    use AddrMode::*;
    assert_eq!(op(0xadbe47f0), store(&[V(16), V(17)], 16, Sp, -0x40, PreIndex)); // stp q16, q17
    assert_eq!(roles(0xadbe47f0), (vec![Sp], vec![V(16), V(17), Sp]));
    assert_eq!(op(0x3d800ff4), store(&[V(20)], 16, Sp, 0x30, Offset)); // str q20, [sp, #0x30]
    assert_eq!(op(0xf90007ff), store(&[Zr], 8, Sp, 8, Offset)); // str xzr, [sp, #8]
    assert_eq!(roles(0xf90007ff), (vec![], vec![Sp]));
    assert_eq!(op(0x38001441), store(&[X(1)], 1, X(2), 1, PostIndex)); // strb w1, [x2], #1
    assert_eq!(op(0x7c1ffc41), store(&[V(1)], 2, X(2), -1, PreIndex)); // str h1, [x2, #-1]!
    assert_eq!(op(0x6dbf27e8), store(&[V(8), V(9)], 8, Sp, -16, PreIndex)); // stp d8, d9
    assert_eq!(op(0x29010440), store(&[X(0), X(1)], 4, X(2), 8, Offset)); // stp w0, w1
    assert_eq!(op(0xc89ffc20), store(&[X(0)], 8, X(1), 0, Offset)); // stlr x0, [x1]
    assert_eq!(op(0x4c9fac1e), store(&[V(30), V(31)], 16, X(0), 32, PostIndex)); // st1 {v30.2d, v31.2d}
    assert_eq!(op(0xf822c820), Op::StoreOther { base: X(1) }); // str x0, [x1, w2, sxtw]
    assert_eq!(roles(0xf822c820), (vec![], vec![X(1), X(0), X(2)]));
    // Exclusive stores write their status register.
    assert_eq!(op(0xc802fc20), other(&[X(2)], &[X(0), X(1)])); // stlxr w2, x0, [x1]
    assert_eq!(op(0xc8210c40), other(&[X(1)], &[X(0), X(3), X(2)])); // stxp w1, x0, x3, [x2]
}

#[test]
fn atomics() {
    assert_eq!(op(0xf8200041), other(&[X(1)], &[X(0), X(2)])); // ldadd x0, x1, [x2]
    assert_eq!(op(0xb8e003e1), other(&[X(1)], &[X(0), Sp])); // ldaddal w0, w1, [sp]
    assert_eq!(op(0xf820005f), other(&[], &[X(0), X(2)])); // stadd x0, [x2]
    assert_eq!(op(0xf8208041), other(&[X(1)], &[X(0), X(2)])); // swp x0, x1, [x2]
    assert_eq!(op(0xc8a07c41), other(&[X(0)], &[X(0), X(1), X(2)])); // cas x0, x1, [x2]
    let casp = [X(0), X(1), X(2), X(3), X(4)];
    assert_eq!(op(0x48207c82), other(&[X(0), X(1)], &casp)); // casp x0, x1, x2, x3, [x4]
}

#[test]
fn branches() {
    assert_eq!(op(0x14000040), Op::B { delta: 0x100 });
    assert_eq!(op(0x97ffffc0), Op::Bl { delta: -0x100 });
    assert_eq!(roles(0x97ffffc0), (vec![X(30)], vec![]));
    assert_eq!(op(0x54000081), Op::CondBranch { delta: 0x10 }); // b.ne
    assert_eq!(op(0xb4000040), Op::CondBranch { delta: 8 }); // cbz x0
    assert_eq!(roles(0x35000040), (vec![], vec![X(0)])); // cbnz w0
    assert_eq!(op(0x36180060), Op::CondBranch { delta: 12 }); // tbz w0, #3
    assert_eq!(op(0xb7ffffe0), Op::CondBranch { delta: -4 }); // tbnz x0, #63
    assert_eq!(op(0xd63f0120), Op::Blr { reg: X(9) });
    assert_eq!(roles(0xd63f0120), (vec![X(30)], vec![X(9)]));
    assert_eq!(op(0xd61f0200), Op::Br { reg: X(16) });
    assert_eq!(op(0xd65f03c0), Op::Ret { reg: X(30) });
    assert_eq!(roles(0xd65f03c0), (vec![], vec![X(30)]));
    assert_eq!(op(0xd65f0020), Op::Ret { reg: X(1) });
}

#[test]
fn pointer_authentication() {
    // blraa x0, x1 / blraaz x16 / braa x11, sp / retaa / retab
    assert_eq!(op(0xd73f0801), Op::Blr { reg: X(0) });
    assert_eq!(roles(0xd73f0801), (vec![X(30)], vec![X(0), X(1)]));
    assert_eq!(op(0xd63f0a1f), Op::Blr { reg: X(16) });
    assert_eq!(one(0xd63f0a1f).text, "blraaz x16");
    assert_eq!(roles(0xd63f0a1f), (vec![X(30)], vec![X(16)]));
    assert_eq!(op(0xd71f097f), Op::Br { reg: X(11) });
    assert_eq!(roles(0xd71f097f), (vec![], vec![X(11), Sp]));
    for retaa in [0xd65f0bff, 0xd65f0fff] {
        assert_eq!(op(retaa), Op::Ret { reg: X(30) });
        assert_eq!(roles(retaa), (vec![], vec![X(30), Sp]));
    }
    // pacibsp / autibsp / paciasp sign or authenticate x30 with sp; xpaclri strips x30.
    for (word, text) in [(0xd503237f, "pacibsp"), (0xd50323ff, "autibsp"), (0xd503233f, "paciasp")]
    {
        let i = one(word);
        assert_eq!((i.text.as_str(), &i.op), (text, &other(&[X(30)], &[X(30), Sp])));
        assert!(i.regs.is_empty());
    }
    assert_eq!(op(0xd50320ff), other(&[X(30)], &[X(30)])); // xpaclri
    assert_eq!(op(0xd503211f), other(&[X(17)], &[X(17), X(16)])); // pacia1716
    assert_eq!(op(0xdac10020), other(&[X(0)], &[X(0), X(1)])); // pacia x0, x1
    assert_eq!(op(0xdac11be2), other(&[X(2)], &[X(2), Sp])); // autda x2, sp
    assert_eq!(op(0xdac143e3), other(&[X(3)], &[X(3)])); // xpaci x3
}

#[test]
fn data_processing_roles() {
    assert_eq!(op(0xeb01001f), other(&[], &[X(0), X(1)])); // cmp x0, x1
    assert_eq!(op(0xeb2063ff), other(&[], &[Sp, X(0)])); // cmp sp, x0
    assert_eq!(op(0x7200001f), other(&[], &[X(0)])); // tst w0, #1
    assert_eq!(op(0x1e612000), other(&[], &[V(0), V(1)])); // fcmp d0, d1
    assert_eq!(op(0x1e202008), other(&[], &[V(0)])); // fcmp s0, #0.0
    assert_eq!(op(0xfa431804), other(&[], &[X(0)])); // ccmp x0, #3, #4, ne
    assert_eq!(op(0x9a820020), other(&[X(0)], &[X(1), X(2)])); // csel x0, x1, x2, eq
    assert_eq!(op(0x1a9f17e0), other(&[X(0)], &[])); // cset w0, eq
    assert_eq!(op(0x9b020c20), other(&[X(0)], &[X(1), X(2), X(3)])); // madd
    assert_eq!(op(0x9b027c20), other(&[X(0)], &[X(1), X(2)])); // mul x0, x1, x2
    assert_eq!(op(0x1ac20c20), other(&[X(0)], &[X(1), X(2)])); // sdiv w0, w1, w2
    assert_eq!(op(0x8b2163e0), other(&[X(0)], &[Sp, X(1)])); // add x0, sp, x1
    assert_eq!(op(0xcb2163ff), other(&[Sp], &[Sp, X(1)])); // sub sp, sp, x1
    assert_eq!(op(0xb37c1c20), other(&[X(0)], &[X(0), X(1)])); // bfi x0, x1, #4, #8
    assert_eq!(op(0xd3442c20), other(&[X(0)], &[X(1)])); // ubfx x0, x1, #4, #8
    assert_eq!(op(0x93407c20), other(&[X(0)], &[X(1)])); // sxtw x0, w1
    assert_eq!(op(0x1f420c20), other(&[V(0)], &[V(1), V(2), V(3)])); // fmadd d0, d1, d2, d3
    assert_eq!(op(0x4e22cc20), other(&[V(0)], &[V(0), V(1), V(2)])); // fmla v0.4s, v1.4s, v2.4s
    assert_eq!(op(0x6e621c20), other(&[V(0)], &[V(0), V(1), V(2)])); // bsl
    assert_eq!(op(0x4f001420), other(&[V(0)], &[V(0)])); // orr v0.4s, #1
    assert_eq!(op(0x4e612820), other(&[V(0)], &[V(0), V(1)])); // xtn2 v0.8h, v1.4s
    assert_eq!(op(0x4e032020), other(&[V(0)], &[V(1), V(2), V(3)])); // tbl (two table regs)
    assert_eq!(op(0x4e031020), other(&[V(0)], &[V(0), V(1), V(3)])); // tbx
    assert_eq!(op(0x1e780000), other(&[X(0)], &[V(0)])); // fcvtzs w0, d0
    assert_eq!(op(0x9e620000), other(&[V(0)], &[X(0)])); // scvtf d0, x0
    assert_eq!(op(0xd53bd05c), other(&[X(28)], &[])); // mrs x28, tpidr_el0
    assert_eq!(op(0xd51bd040), other(&[], &[X(0)])); // msr tpidr_el0, x0
    assert_eq!(op(0xd50b7e20), other(&[], &[X(0)])); // dc civac, x0
    assert_eq!(op(0xf9800000), other(&[], &[X(0)])); // prfm pldl1keep, [x0]
    for word in [0xd503201f, 0xd503245f, 0xd43e0000, 0xd5033bbf, 0x00000000] {
        assert_eq!(op(word), other(&[], &[]), "{word:08x}"); // nop, bti c, brk, dmb ish, udf
    }
}

#[test]
fn w_views_and_reserved_registers() {
    // w registers map to X(n), whatever the role.
    assert_eq!(one(0x35000040).regs, [X(0)]); // cbnz w0
    assert_eq!(one(0x93407c20).regs, [X(0), X(1)]); // sxtw x0, w1
    let reserved = |word: u32| -> Vec<Reg> {
        one(word).regs.into_iter().filter(|r| r.is_arm64ec_reserved()).collect()
    };
    assert_eq!(reserved(0xaa0003ed), [X(13)]); // mov x13, x0
    assert_eq!(reserved(0x4ea18410), [V(16)]); // add v16.4s, v0.4s, v1.4s
    assert_eq!(reserved(0x3dc003f4), [V(20)]); // ldr q20, [sp]
    assert_eq!(reserved(0xadff7ffe), [V(30), V(31)]); // ldp q30, q31, [sp, #-32]!
    assert_eq!(reserved(0x910006f8), [X(24), X(23)]); // add x24, x23, #1
    assert_eq!(reserved(0xd53bd05c), [X(28)]); // mrs x28, tpidr_el0
    assert_eq!(reserved(0x4c40201c), [V(28), V(29), V(30), V(31)]); // ld1 {v28.16b-v31.16b}
    assert_eq!(reserved(0x4c40a01f), [V(31)]); // ld1 {v31.16b, v0.16b}: the list wraps
    assert!(reserved(0xa9bf7bfd).is_empty()); // stp x29, x30, [sp, #-0x10]!
    assert!(reserved(0x4ea11c20).is_empty()); // mov v0.16b, v1.16b
}

#[test]
fn reserved_register_table() {
    for n in 0..=30u8 {
        assert_eq!(X(n).is_arm64ec_reserved(), [13, 14, 23, 24, 28].contains(&n), "x{n}");
    }
    for n in 0..=31u8 {
        assert_eq!(V(n).is_arm64ec_reserved(), n >= 16, "v{n}");
    }
    assert!(Reg::P(0).is_arm64ec_reserved() && Reg::Ffr.is_arm64ec_reserved());
    assert!(!Sp.is_arm64ec_reserved() && !Zr.is_arm64ec_reserved());
}

#[test]
fn decoder_slips_are_corrected() {
    // `msr tpidr_el0, x23`: yaxpeax-arm 0.5 keeps four bits of Rt and would say x7.
    let i = one(0xd51bd057);
    assert_eq!((i.text.as_str(), &i.regs), ("msr tpidr_el0, x23", &vec![X(23)]));
    assert_eq!(one(0xd51b1815).regs, [X(21)]); // msr s3_3_c1_c8_0, x21
    // The zero-extension of w2 in a 64-bit add is `uxtw`, not `lsl`.
    assert_eq!(one(0x8b224820).text, "add x0, x1, w2, uxtw #2");
    assert_eq!(one(0x8b224be0).text, "add x0, sp, w2, uxtw #2");
    assert_eq!(one(0x0b224820).text, "add w0, w1, w2, lsl #2"); // 32-bit: same value either way
    // movk with the unallocated opc=01 comes back as a decoded `invalid` instruction.
    assert_eq!(op(0xb2f14c94), Op::Undefined);
}

#[test]
fn undefined_words() {
    let i = one(0x0406b06e); // SVE abs z14.b, p4/z, z3.b: not decoded
    assert_eq!((&i.op, i.regs.len()), (&Op::Undefined, 0));
    assert_eq!(i.text, ".inst 0x0406b06e // SVE encoding space, not decoded");
    assert_eq!((i.defs(), i.uses()), (vec![], vec![]));
    assert_eq!(one(0xffffffff).text, ".inst 0xffffffff");
}

#[test]
fn serializes_registers_by_name() {
    let v = serde_json::to_value(one(0x910006f8)).unwrap();
    assert_eq!(v["regs"], serde_json::json!(["x24", "x23"]));
    assert_eq!(v["op"], serde_json::json!({"AddImm": {"dst": "x24", "src": "x23", "imm": 1}}));
    assert_eq!(v["text"], "add x24, x23, #0x1");
    let v = serde_json::to_value(one(0xadff7ffe).op).unwrap();
    assert_eq!(v["Load"]["mode"], "PreIndex");
    assert_eq!(
        [Reg::Zr, Reg::Sp, Reg::P(3), Reg::Ffr].map(|r| r.to_string()),
        ["xzr", "sp", "p3", "ffr"]
    );
}

/// What every decoded word must satisfy: registers in range, every named register
/// (other than zr) written or read, every written or read register named or implicit.
fn check_consistent(i: &Insn) {
    let (defs, uses) = (i.defs(), i.uses());
    if i.op == Op::Undefined {
        assert!(i.regs.is_empty() && defs.is_empty() && uses.is_empty(), "{i:?}");
        return;
    }
    assert!(!i.text.is_empty());
    for r in &i.regs {
        assert!(matches!(r, X(0..=30) | V(0..=31) | Sp | Zr), "{r:?} in {i:?}");
        assert!(*r == Zr || defs.contains(r) || uses.contains(r), "{r} has no role in {i:?}");
    }
    let implicit = [X(30), Sp, X(15), X(16), X(17)];
    for r in defs.iter().chain(&uses) {
        assert!(i.regs.contains(r) || implicit.contains(r), "{r} not named in {i:?}");
        assert_ne!(*r, Zr);
    }
}

#[test]
fn random_words_decode_without_panicking() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let code: Vec<u8> = (0..100_000).flat_map(|_| (next() as u32).to_le_bytes()).collect();
    let decoded = decode(&code, 0);
    assert_eq!(decoded.len(), 100_000);
    let defined = decoded.iter().filter(|i| i.op != Op::Undefined).count();
    assert!(defined > 30_000, "only {defined} of 100000 random words decoded");
    decoded.iter().for_each(check_consistent);
    // Odd lengths and unaligned starts.
    for len in 0..12 {
        assert_eq!(decode(&code[1..1 + len], 7).len(), len / 4);
    }
}

/// Every 32-bit word, in release: `cargo test --release -p harness --lib every_word -- --ignored`
/// (about ten minutes on two cores).
#[test]
#[ignore = "takes minutes"]
fn every_word_decodes_consistently() {
    let chunks: Vec<u64> = (0..16).collect();
    std::thread::scope(|s| {
        for half in chunks.chunks(8) {
            s.spawn(move || {
                for &chunk in half {
                    let mut code = Vec::with_capacity(1 << 16);
                    for hi in 0..(1u64 << 14) {
                        code.clear();
                        let base = (chunk << 28) | (hi << 14);
                        code.extend(
                            (0..1u64 << 14).flat_map(|lo| ((base | lo) as u32).to_le_bytes()),
                        );
                        decode(&code, 0).iter().for_each(check_consistent);
                    }
                }
            });
        }
    });
}
