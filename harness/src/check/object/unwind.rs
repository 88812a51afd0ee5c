//! ARM64 unwind data of EC code.
//!
//! - `unwind.decode`: every `.pdata` entry resolves to a function and its unwind data
//!   decodes (packed form, or an `.xdata` record with valid header, scopes and codes).
//! - `unwind.range`: the range an entry covers stays inside its function's section.
//! - `unwind.coverage`: every function, thunks included, is covered by an entry — except
//!   frameless leaf functions, which need none (they never move sp, save registers or
//!   call): the decoded code decides which functions are such leaves.

use super::at;
use super::code;
use crate::check::Finding;
use crate::inspect::ObjectView;
use crate::inspect::disasm::{Op, Reg};
use crate::inspect::roles::Function;

pub fn rules(view: &ObjectView) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &view.pdata {
        if let Some(err) = e.error() {
            out.push(at(
                view,
                "unwind.decode",
                e.section,
                e.offset,
                format!(".pdata entry: {err}"),
            ));
            continue;
        }
        let (Some(begin), Some(len)) = (&e.begin, e.function_length()) else { continue };
        let Some(sec) = view.coff.section(begin.section) else { continue };
        let end = u64::from(begin.offset) + u64::from(len);
        if len == 0 || end > u64::from(sec.size) {
            out.push(
                at(view, "unwind.range", e.section, e.offset, format!(
                    ".pdata entry for `{}` covers {:#x}..{end:#x} of {}, which is {:#x} bytes long",
                    begin.symbol, begin.offset, sec.name, sec.size
                ))
                .symbol(&begin.symbol),
            );
        }
    }
    for f in view.functions.iter().filter(|f| f.end > f.start) {
        let ranges = covered_ranges(view, f.section);
        let uncovered = frame_work(view, f)
            .into_iter()
            .find(|(off, _)| !ranges.iter().any(|(b, e)| b <= off && off < e));
        if let Some((off, text)) = uncovered {
            out.push(
                at(view, "unwind.coverage", f.section, off, format!(
                    "`{}` runs `{text}` at +{:#x} outside every .pdata range: exceptions and stack walks cannot unwind through it",
                    f.name, off - f.start
                ))
                .symbol(&f.name),
            );
        }
    }
    out
}

/// The code ranges `.pdata` entries cover in a section.
fn covered_ranges(view: &ObjectView, section: u32) -> Vec<(u32, u32)> {
    view.pdata
        .iter()
        .filter_map(|e| {
            let (b, len) = (e.begin.as_ref()?, e.function_length()?);
            (b.section == section).then(|| (b.offset, b.offset.saturating_add(len)))
        })
        .collect()
}

/// The instructions of a function that an unwinder has to know about: those that move sp,
/// save the frame record or a callee-saved register, or call. A frameless leaf function
/// has none and needs no `.pdata` entry.
pub fn frame_work(view: &ObjectView, f: &Function) -> Vec<(u32, String)> {
    let callee_saved = |r: &Reg| matches!(r, Reg::X(19..=30) | Reg::V(8..=15));
    code::function(view, f)
        .into_iter()
        .filter(|l| {
            let i = &l.insn;
            matches!(i.op, Op::Bl { .. } | Op::Blr { .. })
                || i.defs().iter().any(|r| *r == Reg::Sp || callee_saved(r))
                || matches!(&i.op, Op::Store { srcs, .. } if srcs.iter().any(|r| matches!(r, Reg::X(29) | Reg::X(30))))
        })
        .map(|l| (l.insn.offset, l.insn.text))
        .collect()
}
