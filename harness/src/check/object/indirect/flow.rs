//! The values registers and frame slots hold along a function's code: a forward data flow
//! over its branches, jump tables included. Every instruction gets a state: one no path
//! from the entry reaches starts a new pass with nothing known.

use super::table::{self, Shape};
use crate::check::object::code;
use crate::inspect::ObjectView;
use crate::inspect::coff::{Place, arm64_reloc};
use crate::inspect::disasm::{AddrMode, Op, Reg};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Unknown,
    /// The page of a symbol (`adrp`).
    Page(String),
    /// The address of a symbol, and where that is when the object defines it (section,
    /// offset with the addend).
    Addr(String, Option<table::Loc>),
    /// The contents of a symbol's slot.
    Loaded(String),
    /// x11 after a checker call.
    Checked,
    /// x9 on entry to an entry thunk: the EC function to call.
    EntryTarget,
    /// An address in the function's own section (`adr`), by offset.
    Code(i64),
    /// An entry of a table, loaded with a register offset.
    Entry {
        table: table::Loc,
        size: u8,
        signed: bool,
    },
    /// A jump-table target: a code address plus a scaled table entry.
    Target(Shape),
    /// One of these, depending on the path taken.
    Several(Vec<Val>),
    /// An address in the function's own stack frame: entry sp plus the offset.
    Frame(i64),
}

pub const CHECKERS: &[&str] = &[
    "__os_arm64x_check_icall",
    "__os_arm64x_check_icall_cfg",
    "__os_arm64x_dispatch_icall",
    "__os_arm64x_dispatch_icall_cfg",
    "__os_arm64x_check_call",
    "__os_arm64x_dispatch_call",
];

pub fn is_checker(v: &Val) -> bool {
    matches!(v, Val::Loaded(s) if CHECKERS.contains(&s.as_str()))
}

/// The slot of a general-purpose register (none for sp, the zero register, and the
/// number 31 the word decoders give either).
pub fn reg_index(r: Reg) -> Option<usize> {
    match r {
        Reg::X(n) if n < 31 => Some(n as usize),
        _ => None,
    }
}

#[derive(Clone, PartialEq)]
pub struct State {
    x: Vec<Val>,
    /// sp relative to its value on entry, while known.
    sp: Option<i64>,
    /// Values spilled to the frame, by entry-sp-relative offset.
    slots: BTreeMap<i64, Val>,
}

impl State {
    /// The state at a function's entry.
    pub fn entry() -> State {
        State { x: vec![Val::Unknown; 31], sp: Some(0), slots: BTreeMap::new() }
    }
    /// Nothing known, not even sp: a block entered from where the flow cannot tell.
    fn unknown() -> State {
        State { sp: None, ..State::entry() }
    }
    pub fn get(&self, r: Reg) -> Val {
        match r {
            Reg::Sp => self.sp.map(Val::Frame).unwrap_or(Val::Unknown),
            _ => reg_index(r).map(|i| self.x[i].clone()).unwrap_or(Val::Unknown),
        }
    }
    pub fn set(&mut self, r: Reg, v: Val) {
        match r {
            Reg::Sp => self.sp = if let Val::Frame(o) = v { Some(o) } else { None },
            _ => {
                if let Some(i) = reg_index(r) {
                    self.x[i] = v;
                }
            }
        }
    }
}

/// What the flow reads besides the code: the object, and the symbols the function's
/// section relocates by offset.
pub struct Ctx<'a> {
    pub view: &'a ObjectView<'a>,
    /// The function's section.
    pub section: u32,
    relocs: BTreeMap<u32, u32>,
}

impl<'a> Ctx<'a> {
    pub fn new(view: &'a ObjectView<'a>, section: u32) -> Ctx<'a> {
        let relocs = view
            .coff
            .section(section)
            .map(|s| s.relocations.iter().map(|r| (r.offset, r.symbol)).collect())
            .unwrap_or_default();
        Ctx { view, section, relocs }
    }

    /// Where the symbol relocated at `offset` is defined, plus `addend`.
    fn place(&self, offset: u32, addend: i64) -> Option<table::Loc> {
        let s = self.view.coff.symbol(*self.relocs.get(&offset)?)?;
        match s.place {
            Place::Section(i) => Some((i, i64::from(s.value) + addend)),
            _ => None,
        }
    }
}

/// The value an instruction writes into its (single) destination, given the state before.
pub fn value_of(ctx: &Ctx, line: &code::Line, st: &State) -> Option<(Reg, Val)> {
    let reloc = line.reloc;
    let sym = |kind: u16| reloc.filter(|(k, _)| *k == kind).map(|(_, s)| s.to_string());
    let insn = &line.insn;
    Some(match &insn.op {
        Op::Adrp { dst, .. } => {
            (*dst, sym(arm64_reloc::PAGEBASE_REL21).map(Val::Page).unwrap_or(Val::Unknown))
        }
        Op::Adr { dst, delta } => (*dst, Val::Code(i64::from(insn.offset) + delta)),
        Op::AddImm { dst, src, imm } => {
            // The relocation names the symbol whatever register holds its page.
            let v = match (st.get(*src), sym(arm64_reloc::PAGEOFFSET_12A)) {
                (_, Some(s)) => Val::Addr(s, ctx.place(insn.offset, *imm)),
                (Val::Frame(o), None) => Val::Frame(o + imm),
                (Val::Code(o), None) => Val::Code(o + imm),
                (Val::Addr(a, p), None) => Val::Addr(a, p.map(|(s, o)| (s, o + imm))),
                _ => Val::Unknown,
            };
            (*dst, v)
        }
        Op::Load { dsts, base, offset, mode, size: 8, .. }
            if dsts.len() == 1 && *mode == AddrMode::Offset =>
        {
            let v = match (st.get(*base), sym(arm64_reloc::PAGEOFFSET_12L)) {
                (_, Some(s)) => Val::Loaded(s),
                (Val::Frame(o), None) => {
                    st.slots.get(&(o + offset)).cloned().unwrap_or(Val::Unknown)
                }
                (Val::Addr(a, _), None) => Val::Loaded(a),
                _ => Val::Unknown,
            };
            (dsts[0], v)
        }
        Op::LoadOther { .. } => {
            let l = table::entry_load(insn.word)?;
            let table = match st.get(Reg::X(l.base)) {
                Val::Addr(_, Some(loc)) => loc,
                Val::Code(o) => (ctx.section, o),
                _ => return None,
            };
            (Reg::X(l.dst), Val::Entry { table, size: l.size, signed: l.signed })
        }
        Op::Mov { dst, src, bits: 64 } => (*dst, st.get(*src)),
        Op::Other { defs, uses } if defs.len() == 1 => {
            let t = &insn.text;
            if uses.iter().any(|u| st.get(*u) == Val::Checked)
                && (t.starts_with("eor") || t.starts_with("xpac"))
            {
                (defs[0], Val::Checked)
            } else {
                (defs[0], jump_target(insn.word, st)?)
            }
        }
        _ => return None,
    })
}

/// `add xD, xBase, xEntry, lsl #s` over an `adr` base and a table entry.
fn jump_target(word: u32, st: &State) -> Option<Val> {
    let a = table::scaled_add(word)?;
    match (st.get(Reg::X(a.n)), st.get(Reg::X(a.m))) {
        (Val::Code(base), Val::Entry { table, size, signed }) => {
            Some(Val::Target(Shape { table, size, signed, base, shift: a.shift }))
        }
        _ => None,
    }
}

/// The state after `l` given the state before it.
fn transfer(ctx: &Ctx, l: &code::Line, st: &State) -> State {
    let mut next = st.clone();
    match l.insn.op {
        Op::Blr { reg } => {
            let checker = match st.get(reg) {
                Val::Several(vs) => vs.iter().all(is_checker),
                v => is_checker(&v),
            };
            for i in [9usize, 10, 11, 12, 13, 14, 15, 16, 17, 30] {
                next.x[i] = Val::Unknown;
            }
            if checker {
                next.x[11] = Val::Checked;
            } else {
                next.x[..9].iter_mut().for_each(|v| *v = Val::Unknown);
            }
        }
        Op::Bl { .. } => {
            next.x[..18].iter_mut().for_each(|v| *v = Val::Unknown);
            next.x[30] = Val::Unknown;
        }
        Op::Store { ref srcs, size, base, offset, mode } => {
            if let Val::Frame(o) = st.get(base) {
                let at = if mode == AddrMode::PostIndex { o } else { o + offset };
                for (k, src) in srcs.iter().enumerate() {
                    let slot = at + k as i64 * i64::from(size);
                    if size == 8 {
                        next.slots.insert(slot, st.get(*src));
                    } else {
                        next.slots.remove(&slot);
                    }
                }
                if mode != AddrMode::Offset {
                    next.set(base, Val::Frame(o + offset));
                }
            } else if mode != AddrMode::Offset {
                next.set(base, Val::Unknown);
            }
        }
        Op::Load { ref dsts, base, offset, mode, .. } if mode != AddrMode::Offset => {
            let b = st.get(base);
            dsts.iter().for_each(|d| next.set(*d, Val::Unknown));
            next.set(
                base,
                if let Val::Frame(o) = b { Val::Frame(o + offset) } else { Val::Unknown },
            );
        }
        _ => match value_of(ctx, l, st) {
            Some((r, v)) => {
                l.insn.defs().into_iter().for_each(|d| next.set(d, Val::Unknown));
                next.set(r, v)
            }
            None => l.insn.defs().into_iter().for_each(|d| next.set(d, Val::Unknown)),
        },
    }
    next
}

fn meet_val(x: &Val, y: &Val) -> Val {
    let parts = |v: &Val| match v {
        Val::Several(vs) => vs.clone(),
        v => vec![v.clone()],
    };
    if x == y {
        return x.clone();
    }
    if matches!(x, Val::Unknown | Val::Frame(_)) || matches!(y, Val::Unknown | Val::Frame(_)) {
        return Val::Unknown;
    }
    let mut all = parts(x);
    for v in parts(y) {
        if !all.contains(&v) {
            all.push(v);
        }
    }
    if all.len() > 8 { Val::Unknown } else { Val::Several(all) }
}

fn meet(a: &State, b: &State) -> State {
    let slots = a
        .slots
        .iter()
        .filter_map(|(k, v)| b.slots.get(k).map(|w| (*k, meet_val(v, w))))
        .filter(|(_, v)| *v != Val::Unknown)
        .collect();
    State {
        x: a.x.iter().zip(&b.x).map(|(x, y)| meet_val(x, y)).collect(),
        sp: if a.sp == b.sp { a.sp } else { None },
        slots,
    }
}

/// The jump-table shapes a register branch's value stands for (none unless every value it
/// may hold is a table target).
pub fn shapes(v: &Val) -> Vec<&Shape> {
    match v {
        Val::Target(s) => vec![s],
        Val::Several(vs) if vs.iter().all(|v| matches!(v, Val::Target(_))) => {
            vs.iter().flat_map(shapes).collect()
        }
        _ => vec![],
    }
}

/// The state on entry to every instruction, by forward data flow over the function's
/// branches, `br` through a decoded jump table leading to its targets. An instruction no
/// path reaches is entered with nothing known, and the flow goes on from there. `None`
/// when the flow takes more than `budget` steps.
pub fn states(
    ctx: &Ctx,
    lines: &[code::Line],
    entry: State,
    tables: &mut table::Tables,
    mut budget: usize,
) -> Option<Vec<State>> {
    let index: BTreeMap<i64, usize> =
        lines.iter().enumerate().map(|(i, l)| (i64::from(l.insn.offset), i)).collect();
    let mut at: Vec<Option<State>> = vec![None; lines.len()];
    let mut unreached = 0;
    let mut work = Vec::new();
    if !lines.is_empty() {
        at[0] = Some(entry);
        work.push(0usize);
    }
    loop {
        while let Some(i) = work.pop() {
            budget = budget.checked_sub(1)?;
            let Some(st) = at[i].clone() else { continue };
            let out = transfer(ctx, &lines[i], &st);
            for j in successors(lines, &index, i, &st, tables) {
                let merged = match &at[j] {
                    None => out.clone(),
                    Some(old) => meet(old, &out),
                };
                if at[j].as_ref() != Some(&merged) {
                    at[j] = Some(merged);
                    work.push(j);
                }
            }
        }
        while unreached < at.len() && at[unreached].is_some() {
            unreached += 1;
        }
        if unreached == at.len() {
            return Some(at.into_iter().flatten().collect());
        }
        at[unreached] = Some(State::unknown());
        work.push(unreached);
    }
}

/// Where control goes after `lines[i]`, run in state `st`.
fn successors(
    lines: &[code::Line],
    index: &BTreeMap<i64, usize>,
    i: usize,
    st: &State,
    tables: &mut table::Tables,
) -> Vec<usize> {
    let l = &lines[i];
    let target = |d: i64| index.get(&(i64::from(l.insn.offset) + d)).copied();
    let out: Vec<usize> = match l.insn.op {
        Op::B { delta } => target(delta).into_iter().collect(),
        Op::CondBranch { delta } => target(delta).into_iter().chain(Some(i + 1)).collect(),
        Op::Br { reg } => {
            let v = st.get(reg);
            let mut out = Vec::new();
            for s in shapes(&v) {
                if let Ok(d) = tables.get(s) {
                    out.extend(d.targets.iter().filter_map(|t| index.get(&i64::from(*t)).copied()));
                }
            }
            out
        }
        Op::Ret { .. } | Op::Undefined => vec![],
        _ => vec![i + 1],
    };
    out.into_iter().filter(|j| *j < lines.len()).collect()
}
