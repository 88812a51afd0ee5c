//! `ec.indirect-call`: every `blr` / `br` in EC code goes somewhere the ABI allows. A
//! register branch target must be one of:
//! - a call checker (`__os_arm64x_check_icall[_cfg]`, `__os_arm64x_dispatch_icall[_cfg]`,
//!   `__os_arm64x_check_call`) loaded from its slot — the checker then leaves the target to
//!   branch to in x11;
//! - x11 after a checker call (or MSVC's PAC-stripped copy of it);
//! - an import address slot `__imp_f` (the OS dispatches; its exit thunk must be recorded);
//! - in exit thunks, `__os_arm64x_dispatch_call_no_redirect`, called as `blr x16`;
//! - in entry thunks, the target in x9, and the tail branch to `__os_arm64x_dispatch_ret`;
//! - an address in the function's own code (`adr`), a local function's address, or a
//!   target of a jump table whose every entry leads to an instruction of the function.
//!
//! Values are tracked by a forward data flow over every instruction of the function
//! ([`flow`]): a `br` through a decoded jump table ([`table`]) leads to the table's
//! targets, and code no path from the entry reaches is entered with nothing known. A value
//! loaded from data is unknown unless it is a table entry. Where the flow says nothing
//! about a register, a register every write of which in the function gives the same
//! allowed value (a pointer hoisted out of a loop) counts as that value. A function whose
//! flow overruns its work budget has its register branches listed as not judged.

mod flow;
pub mod table;

use super::{at, code};
use crate::check::Finding;
use crate::check::coverage::{Coverage, Subject};
use crate::inspect::ObjectView;
use crate::inspect::coff::Place;
use crate::inspect::disasm::{Insn, Op, Reg};
use crate::inspect::hybmp::Kind;
use crate::inspect::roles::{Function, Role};
use flow::{Ctx, State, Val, is_checker, reg_index};
use std::collections::BTreeMap;

const RULE: &str = "ec.indirect-call";

/// Data-flow steps allowed per instruction of a function.
pub const BUDGET_PER_INSN: usize = 64;

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
        // A decoded table's targets are instructions of the function (see `rules`).
        Val::Target(_) => None,
        Val::Code(o) => (*o < i64::from(f.start) || *o >= i64::from(f.end)).then(|| {
            format!("`{r}` branches to {o:#x} of its section, outside its function, without a call checker")
        }),
        Val::Addr(s, _) => {
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

pub fn rules(view: &ObjectView, cov: &mut Coverage) -> Vec<Finding> {
    rules_with_budget(view, cov, BUDGET_PER_INSN)
}

/// [`rules`] with `per_insn` data-flow steps allowed per instruction of each function.
pub fn rules_with_budget(view: &ObjectView, cov: &mut Coverage, per_insn: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in view.functions.iter().filter(|f| f.end > f.start) {
        let lines = code::function(view, f);
        let ctx = Ctx::new(view, f.section);
        let mut tables = tables_of(view, f, &lines);
        let Some(sts) = states(&ctx, f, &lines, &mut tables, per_insn) else {
            let why = format!(
                "the data flow over its function ran out of its work budget ({per_insn} steps per instruction)"
            );
            for l in lines.iter().filter(|l| matches!(l.insn.op, Op::Blr { .. } | Op::Br { .. })) {
                cov.not_judged(RULE, Subject::CallSite, &site(f, &l.insn), &why);
            }
            continue;
        };
        let hoisted = hoisted_values(&ctx, &lines);
        for (l, st) in lines.iter().zip(&sts) {
            let (reg, call) = match l.insn.op {
                Op::Blr { reg } => (reg, true),
                Op::Br { reg } => (reg, false),
                _ => continue,
            };
            let mut v = st.get(reg);
            if v == Val::Unknown
                && let Some(ws) = reg_index(reg).and_then(|i| hoisted.get(&i))
                && let Some(first) = ws.first()
                && ws.iter().all(|w| w == first)
            {
                v = first.clone();
            }
            if let Some(why) = undecoded(&v, &mut tables) {
                cov.not_judged(RULE, Subject::CallSite, &site(f, &l.insn), &why);
                continue;
            }
            cov.judged(RULE, 1);
            if let Some(msg) = judge(view, f, &l.insn, reg, &v, call) {
                out.push(at(view, RULE, f.section, l.insn.offset, msg).symbol(&f.name));
            }
        }
    }
    out
}

/// `function+0xOFF`, the name of a call site.
fn site(f: &Function, insn: &Insn) -> String {
    format!("{}+{:#x}", f.name, insn.offset - f.start)
}

fn tables_of<'a>(view: &'a ObjectView, f: &Function, lines: &[code::Line]) -> table::Tables<'a> {
    let insns = lines.iter().map(|l| l.insn.offset).collect();
    table::Tables::new(view, insns, (f.start, f.end))
}

fn states(
    ctx: &Ctx,
    f: &Function,
    lines: &[code::Line],
    tables: &mut table::Tables,
    per_insn: usize,
) -> Option<Vec<State>> {
    let mut entry = State::entry();
    if f.role == Role::EntryThunk {
        entry.set(Reg::X(9), Val::EntryTarget);
    }
    flow::states(ctx, lines, entry, tables, lines.len().saturating_mul(per_insn))
}

/// Why a branch through `v`, a jump-table target, cannot be judged: its table was not
/// decoded.
fn undecoded(v: &Val, tables: &mut table::Tables) -> Option<String> {
    flow::shapes(v).into_iter().find_map(|s| {
        tables.get(s).as_ref().err().map(|e| format!("its jump table is not decoded: {e}"))
    })
}

/// Every value each register is given anywhere in the function (for hoisted values).
fn hoisted_values(ctx: &Ctx, lines: &[code::Line]) -> BTreeMap<usize, Vec<Val>> {
    let mut all_writes: BTreeMap<usize, Vec<Val>> = BTreeMap::new();
    let probe = State::entry();
    for l in lines {
        let v = flow::value_of(ctx, l, &probe);
        for d in l.insn.defs().iter().filter_map(|d| reg_index(*d)) {
            let w = match &v {
                Some((r, v)) if reg_index(*r) == Some(d) => v.clone(),
                _ => Val::Unknown,
            };
            all_writes.entry(d).or_default().push(w);
        }
    }
    all_writes
}

/// One jump table a function branches through, as the data flow found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JumpTable {
    pub function: String,
    /// The `br`'s offset from the function's start.
    pub branch: u32,
    /// The table's section index and offset in it.
    pub table: (u32, i64),
    /// Entry size in bytes.
    pub entry_size: u8,
    /// The address the entries count from (the `adr` base), as an offset from the
    /// function's start.
    pub base: i64,
    /// The targets' offsets from the function's start, ascending, or why the table could
    /// not be decoded.
    pub targets: Result<Vec<u32>, String>,
}

/// Every jump table the object's functions branch through.
pub fn jump_tables(view: &ObjectView) -> Vec<JumpTable> {
    let mut out = Vec::new();
    for f in view.functions.iter().filter(|f| f.end > f.start) {
        let lines = code::function(view, f);
        let ctx = Ctx::new(view, f.section);
        let mut tables = tables_of(view, f, &lines);
        let Some(sts) = states(&ctx, f, &lines, &mut tables, BUDGET_PER_INSN) else { continue };
        for (l, st) in lines.iter().zip(&sts) {
            let Op::Br { reg } = l.insn.op else { continue };
            for s in flow::shapes(&st.get(reg)) {
                let targets =
                    tables.get(s).clone().map(|d| d.targets.iter().map(|t| t - f.start).collect());
                out.push(JumpTable {
                    function: f.name.clone(),
                    branch: l.insn.offset - f.start,
                    table: s.table,
                    entry_size: s.size,
                    base: s.base - i64::from(f.start),
                    targets,
                });
            }
        }
    }
    out
}
