//! `ec.indirect-call`: every `blr` / `br` in EC code goes somewhere the ABI allows. A
//! register branch target must be one of:
//! - a call checker (`__os_arm64x_check_icall[_cfg]`, `__os_arm64x_dispatch_icall[_cfg]`,
//!   `__os_arm64x_check_call`) loaded from its slot — the checker then leaves the target to
//!   branch to in x11;
//! - x11 after a checker call (or MSVC's PAC-stripped copy of it);
//! - an import address slot `__imp_f` (the OS dispatches; its exit thunk must be recorded);
//! - in exit thunks, `__os_arm64x_dispatch_call_no_redirect`, called as `blr x16`;
//! - in entry thunks, the target in x9, and the tail branch to `__os_arm64x_dispatch_ret`;
//! - a local jump-table target or a local function's address.
//!
//! Values are tracked along the code in address order (adrp/add/ldr with their
//! relocations, moves, checker calls). Where that order says nothing about a register,
//! a register every write of which in the function gives the same allowed value (a
//! pointer hoisted out of a loop) counts as that value.

use super::{at, code};
use crate::check::Finding;
use crate::check::coverage::{Coverage, Subject};
use crate::inspect::ObjectView;
use crate::inspect::coff::{Place, arm64_reloc};
use crate::inspect::disasm::{AddrMode, Insn, Op, Reg};
use crate::inspect::hybmp::Kind;
use crate::inspect::roles::{Function, Role};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Unknown,
    /// The page of a symbol (`adrp`).
    Page(String),
    /// The address of a symbol.
    Addr(String),
    /// The contents of a symbol's slot.
    Loaded(String),
    /// x11 after a checker call.
    Checked,
    /// x9 on entry to an entry thunk: the EC function to call.
    EntryTarget,
    /// An address computed from a local table (`adr` + load + `add`).
    Local,
    /// One of these, depending on the path taken.
    Several(Vec<Val>),
    /// An address in the function's own stack frame: entry sp plus the offset.
    Frame(i64),
}

const CHECKERS: &[&str] = &[
    "__os_arm64x_check_icall",
    "__os_arm64x_check_icall_cfg",
    "__os_arm64x_dispatch_icall",
    "__os_arm64x_dispatch_icall_cfg",
    "__os_arm64x_check_call",
    "__os_arm64x_dispatch_call",
];

fn is_checker(v: &Val) -> bool {
    matches!(v, Val::Loaded(s) if CHECKERS.contains(&s.as_str()))
}

fn reg_index(r: Reg) -> Option<usize> {
    match r {
        Reg::X(n) => Some(n as usize),
        _ => None,
    }
}

#[derive(Clone)]
struct State {
    x: Vec<Val>,
    /// sp relative to its value on entry, while known.
    sp: Option<i64>,
    /// Values spilled to the frame, by entry-sp-relative offset.
    slots: BTreeMap<i64, Val>,
}

impl State {
    fn new() -> State {
        State { x: vec![Val::Unknown; 31], sp: Some(0), slots: BTreeMap::new() }
    }
    fn get(&self, r: Reg) -> Val {
        match r {
            Reg::Sp => self.sp.map(Val::Frame).unwrap_or(Val::Unknown),
            _ => reg_index(r).map(|i| self.x[i].clone()).unwrap_or(Val::Unknown),
        }
    }
    fn set(&mut self, r: Reg, v: Val) {
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

/// The value an instruction writes into its (single) destination, given the state before.
fn value_of(line: &code::Line, st: &State) -> Option<(Reg, Val)> {
    let reloc = line.reloc;
    let sym = |kind: u16| reloc.filter(|(k, _)| *k == kind).map(|(_, s)| s.to_string());
    Some(match &line.insn.op {
        Op::Adrp { dst, .. } => {
            (*dst, sym(arm64_reloc::PAGEBASE_REL21).map(Val::Page).unwrap_or(Val::Unknown))
        }
        Op::Adr { dst, .. } => (*dst, Val::Local),
        Op::AddImm { dst, src, imm } => {
            // The relocation names the symbol whatever register holds its page.
            let v = match (st.get(*src), sym(arm64_reloc::PAGEOFFSET_12A)) {
                (_, Some(s)) => Val::Addr(s),
                (Val::Frame(o), None) => Val::Frame(o + imm),
                (Val::Local, _) => Val::Local,
                (Val::Addr(a), None) => Val::Addr(a),
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
                (Val::Addr(a), None) => Val::Loaded(a),
                (Val::Local, _) => Val::Local,
                _ => Val::Unknown,
            };
            (dsts[0], v)
        }
        Op::LoadOther { dsts, base } if dsts.len() == 1 && st.get(*base) == Val::Local => {
            (dsts[0], Val::Local)
        }
        Op::Mov { dst, src, bits: 64 } => (*dst, st.get(*src)),
        Op::Other { defs, uses } if defs.len() == 1 => {
            let checked = uses.iter().any(|u| st.get(*u) == Val::Checked);
            let local = !uses.is_empty() && uses.iter().any(|u| st.get(*u) == Val::Local);
            let t = &line.insn.text;
            if checked && (t.starts_with("eor") || t.starts_with("xpac")) {
                (defs[0], Val::Checked)
            } else if local && (t.starts_with("add") || t.starts_with("sub")) {
                (defs[0], Val::Local)
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// Why branching through `reg` holding `v` is not allowed, if it is not.
fn judge(
    view: &ObjectView,
    f: &Function,
    insn: &Insn,
    reg: Reg,
    v: &Val,
    call: bool,
) -> Option<String> {
    let r = insn.text.as_str();
    if let Val::Several(vs) = v {
        return vs.iter().find_map(|v| judge(view, f, insn, reg, v, call));
    }
    match v {
        _ if is_checker(v) => None,
        Val::Checked => None,
        Val::EntryTarget if call => None,
        Val::Loaded(s) if s == "__os_arm64x_dispatch_call_no_redirect" => {
            (call && reg != Reg::X(16)).then(|| format!("`{r}`: the dispatcher must be called as `blr x16` (the emulator reads it as a hint)"))
        }
        Val::Loaded(s) if s == "__os_arm64x_dispatch_ret" => (call || f.role != Role::EntryThunk)
            .then(|| format!("`{r}`: `__os_arm64x_dispatch_ret` is the tail branch of an entry thunk")),
        Val::Loaded(s) if s.starts_with("__imp_") => {
            let recorded =
                view.hybrid.records.iter().any(|rec| rec.kind == Kind::Exit && rec.source_name.as_deref() == Some(s));
            (!recorded).then(|| format!("`{r}` calls through `{s}` with no exit thunk recorded for it in .hybmp$x"))
        }
        Val::Local => None,
        Val::Addr(s) => {
            let local_code = view.coff.symbols_named(s).any(|sym| {
                matches!(sym.place, Place::Section(i) if view.coff.section(i).is_some_and(|c| c.is_code()))
            });
            (!local_code && !crate::inspect::roles::is_ec_mangled(s))
                .then(|| format!("`{r}` branches to `{s}` directly, without a call checker: it may be x64 code"))
        }
        _ => Some(format!(
            "`{r}` branches through {reg} without a call checker (`__os_arm64x_check_icall`): an x64 target would run as ARM64 code"
        )),
    }
}

/// The state after `l` given the state before it.
fn transfer(l: &code::Line, st: &State) -> State {
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
        _ => match value_of(l, st) {
            Some((r, v)) => next.set(r, v),
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

/// The state on entry to every instruction, by forward data flow over the function's
/// branches (a state is `None` where no path from the entry reaches).
fn states(lines: &[code::Line], entry: State) -> Vec<Option<State>> {
    let index: BTreeMap<i64, usize> =
        lines.iter().enumerate().map(|(i, l)| (i64::from(l.insn.offset), i)).collect();
    let succ = |i: usize| -> Vec<usize> {
        let l = &lines[i];
        let target = |d: i64| index.get(&(i64::from(l.insn.offset) + d)).copied();
        match l.insn.op {
            Op::B { delta } => target(delta).into_iter().collect(),
            Op::CondBranch { delta } => target(delta).into_iter().chain(Some(i + 1)).collect(),
            Op::Br { .. } | Op::Ret { .. } | Op::Undefined => vec![],
            _ => vec![i + 1],
        }
        .into_iter()
        .filter(|j| *j < lines.len())
        .collect()
    };
    let mut at: Vec<Option<State>> = vec![None; lines.len()];
    if lines.is_empty() {
        return at;
    }
    at[0] = Some(entry);
    let mut work = vec![0usize];
    let mut budget = lines.len() * 64;
    while let Some(i) = work.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        let Some(st) = at[i].clone() else { continue };
        let out = transfer(&lines[i], &st);
        for j in succ(i) {
            let merged = match &at[j] {
                None => out.clone(),
                Some(old) => meet(old, &out),
            };
            if at[j].as_ref().map(|o| (&o.x, o.sp, &o.slots))
                != Some((&merged.x, merged.sp, &merged.slots))
            {
                at[j] = Some(merged);
                work.push(j);
            }
        }
    }
    at
}

pub fn rules(view: &ObjectView, cov: &mut Coverage) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in view.functions.iter().filter(|f| f.end > f.start) {
        let lines = code::function(view, f);
        let mut entry = State::new();
        if f.role == Role::EntryThunk {
            entry.set(Reg::X(9), Val::EntryTarget);
        }
        // Every value each register is given anywhere in the function (for hoisted values).
        let mut all_writes: BTreeMap<usize, Vec<Val>> = BTreeMap::new();
        let probe = State::new();
        for l in &lines {
            let defs = l.insn.defs();
            let v = value_of(l, &probe);
            for d in defs.iter().filter_map(|d| reg_index(*d)) {
                let w = match &v {
                    Some((r, v)) if reg_index(*r) == Some(d) => v.clone(),
                    _ => Val::Unknown,
                };
                all_writes.entry(d).or_default().push(w);
            }
        }
        let sts = states(&lines, entry);
        for (l, st) in lines.iter().zip(&sts) {
            let (reg, call) = match l.insn.op {
                Op::Blr { reg } => (reg, true),
                Op::Br { reg } => (reg, false),
                _ => continue,
            };
            let Some(st) = st else {
                let name = format!("{}+{:#x}", f.name, l.insn.offset - f.start);
                let why = "not reached from the function's entry by the data flow";
                cov.not_judged("ec.indirect-call", Subject::CallSite, &name, why);
                continue;
            };
            cov.judged("ec.indirect-call", 1);
            let mut v = st.get(reg);
            if v == Val::Unknown
                && let Some(ws) = reg_index(reg).and_then(|i| all_writes.get(&i))
                && let Some(first) = ws.first()
                && ws.iter().all(|w| w == first)
            {
                v = first.clone();
            }
            if let Some(msg) = judge(view, f, &l.insn, reg, &v, call) {
                out.push(
                    at(view, "ec.indirect-call", f.section, l.insn.offset, msg).symbol(&f.name),
                );
            }
        }
    }
    out
}
