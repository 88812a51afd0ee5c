//! A byte-level symbolic machine for straight-line thunk code: every register byte and
//! every memory byte the code writes is a symbol saying where its value came from (a byte
//! of an input register, of memory behind an input pointer, of the callee's result, a
//! constant). Pointers are tracked as a base plus an offset, so stack slots, the x64
//! caller's stack (x4) and buffers behind argument pointers stay apart.

use crate::inspect::disasm::{AddrMode, Insn, Op, Reg};
use std::collections::BTreeMap;

/// What a pointer is relative to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Base {
    /// The value of `xN` when the thunk was entered.
    X(u8),
    /// sp when the thunk was entered.
    Sp0,
    /// The pointer stored at `base + off`.
    Deref(Box<Base>, i64),
}

/// Where one byte's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Byte {
    /// Byte `i` of register `xN` (`v: false`) or `vN` (`v: true`) on entry.
    Init {
        v: bool,
        n: u8,
        i: u8,
    },
    /// The byte at `base + off` as it was before the thunk ran.
    Mem {
        base: Base,
        off: i64,
    },
    /// Byte `i` of the pointer value `base + off`.
    Ptr {
        base: Base,
        off: i64,
        i: u8,
    },
    /// Byte `i` of the called function's result.
    Ret(u64),
    /// Byte `i` of a register the call left behind that is not a result register.
    AfterCall {
        v: bool,
        n: u8,
        i: u8,
    },
    Const(u8),
    Unknown,
}

pub type Bytes = Vec<Byte>;

pub fn init_bytes(v: bool, n: u8, len: u8) -> Bytes {
    (0..len).map(|i| Byte::Init { v, n, i }).collect()
}

pub fn ptr_bytes(base: &Base, off: i64) -> Bytes {
    (0..8).map(|i| Byte::Ptr { base: base.clone(), off, i }).collect()
}

/// The pointer an 8-byte value is, if it is one the machine can follow.
pub fn ptr_of(b: &[Byte]) -> Option<(Base, i64)> {
    if b.len() < 8 {
        return None;
    }
    let b = &b[..8];
    match &b[0] {
        Byte::Init { v: false, n, i: 0 } => (0..8)
            .all(|k| b[k] == Byte::Init { v: false, n: *n, i: k as u8 })
            .then_some((Base::X(*n), 0)),
        Byte::Ptr { base, off, i: 0 } => (0..8)
            .all(|k| b[k] == Byte::Ptr { base: base.clone(), off: *off, i: k as u8 })
            .then(|| (base.clone(), *off)),
        Byte::Mem { base, off } => (0..8)
            .all(|k| b[k] == Byte::Mem { base: base.clone(), off: off + k as i64 })
            .then(|| (Base::Deref(Box::new(base.clone()), *off), 0)),
        _ => None,
    }
}

/// A symbol a register holds besides its bytes: which data slot it was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tag {
    Page(String),
    Addr(String),
    Slot(String),
}

/// Why the machine stopped following the code.
pub type Stop = String;

pub struct Machine {
    pub x: Vec<Bytes>,
    pub v: Vec<Bytes>,
    pub sp: (Base, i64),
    pub mem: BTreeMap<(Base, i64), Byte>,
    pub tags: Vec<Option<Tag>>,
}

impl Machine {
    /// Every register holds its own entry value; sp is `Sp0`.
    pub fn new() -> Machine {
        Machine {
            x: (0..31).map(|n| init_bytes(false, n, 8)).collect(),
            v: (0..32).map(|n| init_bytes(true, n, 16)).collect(),
            sp: (Base::Sp0, 0),
            mem: BTreeMap::new(),
            tags: vec![None; 31],
        }
    }

    pub fn read(&self, r: Reg) -> Bytes {
        match r {
            Reg::X(n) => self.x[n as usize].clone(),
            Reg::V(n) => self.v[n as usize].clone(),
            Reg::Sp => ptr_bytes(&self.sp.0, self.sp.1),
            Reg::Zr => vec![Byte::Const(0); 8],
            _ => vec![Byte::Unknown; 8],
        }
    }

    /// Write `bytes` into `r`, zero-filling the rest of the register.
    pub fn write(&mut self, r: Reg, mut bytes: Bytes) {
        match r {
            Reg::X(n) => {
                bytes.resize(8, Byte::Const(0));
                self.x[n as usize] = bytes;
                self.tags[n as usize] = None;
            }
            Reg::V(n) => {
                bytes.resize(16, Byte::Const(0));
                self.v[n as usize] = bytes;
            }
            Reg::Sp => self.sp = ptr_of(&bytes).unwrap_or((Base::Sp0, i64::MIN / 2)),
            _ => {}
        }
    }

    pub fn clobber(&mut self, r: Reg) {
        let unknown = vec![Byte::Unknown; if matches!(r, Reg::V(_)) { 16 } else { 8 }];
        self.write(r, unknown);
    }

    pub fn load(&self, base: &Base, off: i64, len: u64) -> Bytes {
        (0..len as i64)
            .map(|k| {
                let at = (base.clone(), off + k);
                self.mem.get(&at).cloned().unwrap_or(Byte::Mem { base: base.clone(), off: off + k })
            })
            .collect()
    }

    pub fn store(&mut self, base: &Base, off: i64, bytes: &[Byte]) {
        for (k, b) in bytes.iter().enumerate() {
            self.mem.insert((base.clone(), off + k as i64), b.clone());
        }
    }

    fn address(&self, base: Reg) -> Result<(Base, i64), Stop> {
        ptr_of(&self.read(base)).ok_or_else(|| format!("lost track of the address in {base}"))
    }

    /// Execute one non-branch instruction; `reloc` names the symbol its relocation targets.
    pub fn step(&mut self, insn: &Insn, reloc: Option<&str>) -> Result<(), Stop> {
        match &insn.op {
            Op::Mov { dst, src, bits } => {
                let mut b = self.read(*src);
                b.truncate(usize::from(*bits / 8));
                let tag = match src {
                    Reg::X(n) => self.tags[*n as usize].clone(),
                    _ => None,
                };
                self.write(*dst, b);
                if let (Reg::X(n), Some(t)) = (dst, tag) {
                    self.tags[*n as usize] = Some(t);
                }
            }
            Op::MovImm { dst, imm } => {
                self.write(*dst, imm.to_le_bytes().iter().map(|b| Byte::Const(*b)).collect())
            }
            Op::AddImm { dst, src, imm } => {
                let tag = match (src, reloc) {
                    (Reg::X(n), Some(s))
                        if self.tags[*n as usize] == Some(Tag::Page(s.to_string())) =>
                    {
                        Some(Tag::Addr(s.to_string()))
                    }
                    _ => None,
                };
                match ptr_of(&self.read(*src)) {
                    Some((b, o)) => self.write(*dst, ptr_bytes(&b, o + imm)),
                    None => self.clobber(*dst),
                }
                if let (Reg::X(n), Some(t)) = (dst, tag) {
                    self.tags[*n as usize] = Some(t);
                }
            }
            Op::Adrp { dst, .. } | Op::Adr { dst, .. } => {
                self.clobber(*dst);
                if let (Reg::X(n), Some(s)) = (dst, reloc) {
                    self.tags[*n as usize] = Some(Tag::Page(s.to_string()));
                }
            }
            Op::Load { dsts, size, base, offset, mode, signed } => {
                let page_tag = match base {
                    Reg::X(n) => self.tags[*n as usize].clone(),
                    _ => None,
                };
                if let (Some(Tag::Page(p) | Tag::Addr(p)), [Reg::X(n)]) =
                    (&page_tag, dsts.as_slice())
                {
                    // A load from a data slot (`__os_arm64x_*`, `__imp_*`): its value is opaque.
                    let slot = p.clone();
                    self.clobber(Reg::X(*n));
                    self.tags[*n as usize] = Some(Tag::Slot(slot));
                    return Ok(());
                }
                let (b, o) = self.address(*base)?;
                let start = if *mode == AddrMode::PostIndex { o } else { o + offset };
                for (k, d) in dsts.iter().enumerate() {
                    let mut bytes =
                        self.load(&b, start + k as i64 * i64::from(*size), u64::from(*size));
                    if *signed {
                        bytes.resize(8, Byte::Unknown);
                    }
                    self.write(*d, bytes);
                }
                if *mode != AddrMode::Offset {
                    self.write(*base, ptr_bytes(&b, o + offset));
                }
            }
            Op::Store { srcs, size, base, offset, mode } => {
                let (b, o) = self.address(*base)?;
                let start = if *mode == AddrMode::PostIndex { o } else { o + offset };
                for (k, s) in srcs.iter().enumerate() {
                    let mut bytes = self.read(*s);
                    bytes.resize(usize::from(*size), Byte::Const(0));
                    self.store(&b, start + k as i64 * i64::from(*size), &bytes);
                }
                if *mode != AddrMode::Offset {
                    self.write(*base, ptr_bytes(&b, o + offset));
                }
            }
            Op::LoadOther { dsts, .. } => dsts.iter().for_each(|d| self.clobber(*d)),
            Op::StoreOther { .. } => {
                return Err(format!("`{}` stores where the machine cannot follow", insn.text));
            }
            Op::Other { defs, .. } => {
                let t = insn.text.as_str();
                let pac = ["pacibsp", "paciasp", "autibsp", "autiasp", "xpaclri", "hint"];
                if pac.iter().any(|p| t.starts_with(p)) || self.lane_move(t) {
                    return Ok(());
                }
                defs.iter().for_each(|d| self.clobber(*d));
            }
            Op::Undefined => return Err(format!("undecodable word {:#010x}", insn.word)),
            Op::Bl { .. } | Op::B { .. } | Op::CondBranch { .. } | Op::LoadLiteral { .. } => {
                return Err(format!("`{}` leaves straight-line code", insn.text));
            }
            Op::Blr { .. } | Op::Br { .. } | Op::Ret { .. } => {}
        }
        Ok(())
    }

    /// Element moves between vector lanes and general registers (`mov v7.d[1], v1.d[0]`,
    /// `mov v0.s[1], w8`, `mov x8, v0.d[1]`), which the decoder leaves as plain operations.
    fn lane_move(&mut self, text: &str) -> bool {
        use std::sync::OnceLock;
        static RE: OnceLock<[regex::Regex; 4]> = OnceLock::new();
        let [v_from_v, v_from_x, x_from_v, dup] = RE.get_or_init(|| {
            [
                regex::Regex::new(
                    r"^(?:mov|ins) v(\d+)\.([bhsd])\[(\d+)\], v(\d+)\.([bhsd])\[(\d+)\]$",
                )
                .unwrap(),
                regex::Regex::new(r"^(?:mov|ins) v(\d+)\.([bhsd])\[(\d+)\], [xw](\d+)$").unwrap(),
                regex::Regex::new(r"^(?:mov|umov) [xw](\d+), v(\d+)\.([bhsd])\[(\d+)\]$").unwrap(),
                regex::Regex::new(
                    r"^(?:mov|dup) v(\d+)\.(\d+)([bhsd]), v(\d+)\.([bhsd])\[(\d+)\]$",
                )
                .unwrap(),
            ]
        });
        let width = |t: &str| match t {
            "b" => 1usize,
            "h" => 2,
            "s" => 4,
            _ => 8,
        };
        let num = |c: &regex::Captures, i: usize| c[i].parse::<usize>().unwrap_or(usize::MAX);
        if let Some(c) = v_from_v.captures(text) {
            let (d, w, di, n, si) = (num(&c, 1), width(&c[2]), num(&c, 3), num(&c, 4), num(&c, 6));
            if d < 32 && n < 32 && (di + 1) * w <= 16 && (si + 1) * w <= 16 {
                let src = self.v[n][si * w..(si + 1) * w].to_vec();
                self.v[d].splice(di * w..(di + 1) * w, src);
                return true;
            }
        } else if let Some(c) = v_from_x.captures(text) {
            let (d, w, di, n) = (num(&c, 1), width(&c[2]), num(&c, 3), num(&c, 4));
            if d < 32 && n < 31 && (di + 1) * w <= 16 && w <= 8 {
                let src = self.x[n][..w].to_vec();
                self.v[d].splice(di * w..(di + 1) * w, src);
                return true;
            }
        } else if let Some(c) = dup.captures(text) {
            let (d, lanes, w, n, si) =
                (num(&c, 1), num(&c, 2), width(&c[3]), num(&c, 4), num(&c, 6));
            if d < 32 && n < 32 && lanes.saturating_mul(w) <= 16 && (si + 1) * w <= 16 {
                let elem = self.v[n][si * w..(si + 1) * w].to_vec();
                let mut out: Bytes = (0..lanes).flat_map(|_| elem.clone()).collect();
                out.resize(16, Byte::Const(0));
                self.v[d] = out;
                return true;
            }
        } else if let Some(c) = x_from_v.captures(text) {
            let (d, n, w, si) = (num(&c, 1), num(&c, 2), width(&c[3]), num(&c, 4));
            if d < 31 && n < 32 && (si + 1) * w <= 16 {
                let mut src = self.v[n][si * w..(si + 1) * w].to_vec();
                src.resize(8, Byte::Const(0));
                self.x[d] = src;
                self.tags[d] = None;
                return true;
            }
        }
        false
    }

    /// The data slot a register was loaded from.
    pub fn slot(&self, r: Reg) -> Option<&str> {
        match r {
            Reg::X(n) => match &self.tags[n as usize] {
                Some(Tag::Slot(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Default for Machine {
    fn default() -> Self {
        Machine::new()
    }
}
