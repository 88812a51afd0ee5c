//! `reg.reserved`: EC code never names the registers Arm64EC reserves — x13, x14, x23, x24,
//! x28, v16–v31 (and SVE state). They have no place in the x64 context the OS saves, so an
//! exception, APC or thread suspension can change them under the code's feet. Every code
//! section is decoded (literal pools skipped), not just named functions.

use super::{at, code};
use crate::check::Finding;
use crate::inspect::ObjectView;

pub fn reserved(view: &ObjectView) -> Vec<Finding> {
    let mut out = Vec::new();
    for sec in view.coff.sections.iter().filter(|s| s.is_code()) {
        for line in code::decode_range(view, sec, 0, sec.size) {
            let bad: Vec<String> = line
                .insn
                .regs
                .iter()
                .filter(|r| r.is_arm64ec_reserved())
                .map(|r| r.to_string())
                .collect();
            if bad.is_empty() {
                continue;
            }
            let f = at(
                view,
                "reg.reserved",
                sec.index,
                line.insn.offset,
                format!(
                    "`{}` uses {}, which Arm64EC reserves (not preserved across exceptions and context switches of the emulated x64 context)",
                    line.insn.text,
                    bad.join(", ")
                ),
            );
            out.push(match super::function_at(view, sec.index, line.insn.offset) {
                Some(func) => f.symbol(&func.name),
                None => f,
            });
        }
    }
    out
}
