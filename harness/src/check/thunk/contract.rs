//! Where a thunk name says each value is on each side of the thunk: x64 slots (RCX, RDX,
//! R8, R9 / XMM0–3 by position, then stack slots after the 32-byte home area) and AAPCS64
//! registers (x0–x7, v0–v7, then the stack), per the ABI class of each code.

use crate::abi::thunk_name::{Args, Arm64Class, Code, Position, ThunkName, X64Class};

/// A register or stack place. Stack offsets are from the x64 stack base (entry thunks:
/// x4 on entry; exit thunks: sp at the dispatch call) or from sp at the ARM64 call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    X(u8),
    V(u8),
    Stack(i64),
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loc::X(n) => write!(f, "x{n}"),
            Loc::V(n) => write!(f, "v{n}"),
            Loc::Stack(o) => write!(f, "[stack+{o:#x}]"),
        }
    }
}

/// How a value sits on one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The value's bytes, in order, in these places (`piece` bytes from each).
    Direct { locs: Vec<Loc>, piece: u64 },
    /// A pointer (in `loc`) to the value's bytes.
    Indirect { loc: Loc },
}

/// One value of the thunk: its code, size and both places.
#[derive(Clone, Debug)]
pub struct Value {
    pub index: usize,
    pub code: Code,
    pub bytes: u64,
    pub x64: Place,
    pub arm64: Place,
}

/// The return value's places.
#[derive(Clone, Debug)]
pub enum Ret {
    Void,
    /// x64 returns in RAX (x8) or XMM0 (v0); ARM64 in registers or through x8.
    Value {
        code: Code,
        bytes: u64,
        x64: RetX64,
        arm64: RetArm64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetX64 {
    Rax,
    Xmm0,
    /// A buffer whose address the caller passes in RCX; RAX returns it.
    Buffer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetArm64 {
    /// `piece` bytes from each register in order (x0, x1 or v0..v3).
    Regs { locs: Vec<Loc>, piece: u64 },
    /// A buffer whose address the caller passes in x8.
    Buffer,
}

#[derive(Clone, Debug)]
pub struct Contract {
    pub ret: Ret,
    pub args: Vec<Value>,
    /// Bytes of ARM64 stack arguments.
    pub arm64_stack: i64,
}

/// Why a name has no contract this checker can follow.
pub type Unsupported = String;

fn x64_slot(slot: usize, float: bool) -> Loc {
    match slot {
        0..=3 if float => Loc::V(slot as u8),
        0..=3 => Loc::X(slot as u8),
        _ => Loc::Stack(0x20 + 8 * (slot as i64 - 4)),
    }
}

fn round_up(x: i64, align: i64) -> i64 {
    (x + align - 1) / align * align
}

pub fn contract(name: &ThunkName) -> Result<Contract, Unsupported> {
    let Args::Fixed(codes) = &name.args else {
        return Err("variadic thunk".into());
    };
    let ret = match name.ret {
        None => Ret::Void,
        Some(code) => {
            let class = code.class(Position::Return);
            let x64 = match class.x64 {
                X64Class::Gpr => RetX64::Rax,
                X64Class::Xmm { .. } => RetX64::Xmm0,
                X64Class::HiddenPointer { .. } => RetX64::Buffer,
                _ => return Err(format!("return code `{code}` has no x64 rule")),
            };
            let arm64 = match class.arm64 {
                Arm64Class::Gpr { regs, .. } => {
                    RetArm64::Regs { locs: (0..regs as u8).map(Loc::X).collect(), piece: 8 }
                }
                Arm64Class::Fp { count, bytes } => {
                    RetArm64::Regs { locs: (0..count as u8).map(Loc::V).collect(), piece: bytes }
                }
                Arm64Class::ResultBuffer { .. } => RetArm64::Buffer,
                _ => return Err(format!("return code `{code}` has no ARM64 rule")),
            };
            Ret::Value { code, bytes: code.size(), x64, arm64 }
        }
    };
    let first_slot = usize::from(matches!(ret, Ret::Value { x64: RetX64::Buffer, .. }));
    let (mut ngrn, mut nsrn, mut nsaa) = (0u8, 0u8, 0i64);
    let mut args = Vec::new();
    for (index, &code) in codes.iter().enumerate() {
        let slot = first_slot + index;
        let class = code.class(Position::Arg);
        let x64 = match class.x64 {
            X64Class::Gpr => Place::Direct { locs: vec![x64_slot(slot, false)], piece: 8 },
            X64Class::Xmm { .. } => Place::Direct { locs: vec![x64_slot(slot, true)], piece: 8 },
            X64Class::ByReference { .. } => Place::Indirect { loc: x64_slot(slot, false) },
            _ => return Err(format!("parameter code `{code}` has no x64 rule")),
        };
        let size = code.size();
        let arm64 = match class.arm64 {
            Arm64Class::Gpr { regs, aligned_pair } => {
                let regs = regs as u8;
                if aligned_pair && ngrn % 2 == 1 {
                    ngrn += 1;
                }
                if ngrn + regs <= 8 {
                    let locs = (ngrn..ngrn + regs).map(Loc::X).collect();
                    ngrn += regs;
                    Place::Direct { locs, piece: 8 }
                } else {
                    ngrn = 8;
                    nsaa = round_up(nsaa, if aligned_pair { 16 } else { 8 });
                    let at = nsaa;
                    nsaa += i64::from(regs) * 8;
                    Place::Direct { locs: vec![Loc::Stack(at)], piece: size }
                }
            }
            Arm64Class::Fp { count, bytes } => {
                let count = count as u8;
                if nsrn + count <= 8 {
                    let locs = (nsrn..nsrn + count).map(Loc::V).collect();
                    nsrn += count;
                    Place::Direct { locs, piece: bytes }
                } else {
                    nsrn = 8;
                    let at = nsaa;
                    nsaa += round_up(size as i64, 8);
                    Place::Direct { locs: vec![Loc::Stack(at)], piece: size }
                }
            }
            Arm64Class::ByReference { .. } => {
                if ngrn < 8 {
                    ngrn += 1;
                    Place::Indirect { loc: Loc::X(ngrn - 1) }
                } else {
                    let at = nsaa;
                    nsaa += 8;
                    Place::Indirect { loc: Loc::Stack(at) }
                }
            }
            _ => return Err(format!("parameter code `{code}` has no ARM64 rule")),
        };
        args.push(Value { index, code, bytes: size, x64, arm64 });
    }
    Ok(Contract { ret, args, arm64_stack: nsaa })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str) -> Contract {
        contract(&ThunkName::parse(name).unwrap()).unwrap()
    }

    #[test]
    fn positions_follow_both_conventions() {
        // fn(f64, i32, f32, u64, f64) -> f32
        let k = c("$ientry_thunk$cdecl$f$di8fi8d");
        let x64: Vec<_> = k.args.iter().map(|a| a.x64.clone()).collect();
        assert_eq!(x64[1], Place::Direct { locs: vec![Loc::X(1)], piece: 8 });
        assert_eq!(x64[2], Place::Direct { locs: vec![Loc::V(2)], piece: 8 });
        assert_eq!(x64[4], Place::Direct { locs: vec![Loc::Stack(0x20)], piece: 8 });
        let a: Vec<_> = k.args.iter().map(|a| a.arm64.clone()).collect();
        assert_eq!(a[0], Place::Direct { locs: vec![Loc::V(0)], piece: 8 });
        assert_eq!(a[1], Place::Direct { locs: vec![Loc::X(0)], piece: 8 });
        assert_eq!(a[4], Place::Direct { locs: vec![Loc::V(2)], piece: 8 });
    }

    #[test]
    fn hidden_pointers_shift_x64_slots_and_pairs_align() {
        let k = c("$ientry_thunk$cdecl$m17$i8m16a16");
        assert!(matches!(k.ret, Ret::Value { x64: RetX64::Buffer, arm64: RetArm64::Buffer, .. }));
        assert_eq!(k.args[0].x64, Place::Direct { locs: vec![Loc::X(1)], piece: 8 });
        assert_eq!(k.args[1].x64, Place::Indirect { loc: Loc::X(2) });
        assert_eq!(k.args[1].arm64, Place::Direct { locs: vec![Loc::X(2), Loc::X(3)], piece: 8 });
        let k = c("$ientry_thunk$cdecl$v$i8m16");
        assert_eq!(k.args[1].arm64, Place::Direct { locs: vec![Loc::X(1), Loc::X(2)], piece: 8 });
        let k = c("$iexit_thunk$cdecl$F8$F12");
        assert_eq!(
            k.args[0].arm64,
            Place::Direct { locs: vec![Loc::V(0), Loc::V(1), Loc::V(2)], piece: 4 }
        );
        assert!(matches!(
            &k.ret,
            Ret::Value { x64: RetX64::Rax, arm64: RetArm64::Regs { piece: 4, .. }, .. }
        ));
    }

    #[test]
    fn stack_overflow_of_registers() {
        let k = c("$ientry_thunk$cdecl$v$i8i8i8i8i8i8i8i8i8m16");
        assert_eq!(k.args[8].arm64, Place::Direct { locs: vec![Loc::Stack(0)], piece: 8 });
        assert_eq!(k.args[9].arm64, Place::Direct { locs: vec![Loc::Stack(8)], piece: 16 });
        assert_eq!(k.args[9].x64, Place::Indirect { loc: Loc::Stack(0x48) });
    }
}
