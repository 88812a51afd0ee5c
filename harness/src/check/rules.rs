//! The rule registry: every rule id a check emits, what it checks and what it judges. The
//! checks, `expect-finding` validation and the README's rule tables all read this table (a
//! test keeps the README equal to [`markdown`]).

use super::coverage::Subject;

/// Where a rule runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `verify` on a COFF object.
    Object,
    /// `verify` on a linked image.
    Image,
    /// The build of a case (diagnostics).
    Build,
    /// A run of a case.
    Run,
}

/// One rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub id: &'static str,
    pub scope: Scope,
    /// What one judgement is about.
    pub subject: Subject,
    /// What it checks, in the README's words.
    pub checks: &'static str,
}

const fn rule(id: &'static str, scope: Scope, subject: Subject, checks: &'static str) -> Rule {
    Rule { id, scope, subject, checks }
}

use Scope::{Build, Image, Object, Run};
use Subject as S;

/// Every rule, in the order the README lists them.
pub const RULES: &[Rule] = &[
    rule(
        "coff.machine",
        Object,
        S::Object,
        "the object's machine is its target's (ARM64EC 0xA641 for Arm64EC; import-library descriptor objects are native ARM64)",
    ),
    rule(
        "ec.mangling",
        Object,
        S::Function,
        "a function defined in EC code has an EC name (`#f`, `?f@@$$h…`)",
    ),
    rule(
        "ec.orphan-code",
        Object,
        S::Object,
        "no code sits in a section without a symbol (it could have no entry thunk)",
    ),
    rule(
        "ec.alias",
        Object,
        S::Function,
        "an external EC function `#f` has its plain name `f` as an anti-dependency alias",
    ),
    rule(
        "ec.entry-thunk",
        Object,
        S::Function,
        "an external EC function has an entry thunk recorded in `.hybmp$x`",
    ),
    rule("hybmp.malformed", Object, S::Symbol, "hybrid-map records are 12 bytes and name symbols"),
    rule("hybmp.record", Object, S::Symbol, "hybrid-map records pair the right kinds of symbols"),
    rule(
        "ec.exit-thunk",
        Object,
        S::CallSite,
        "a direct call to a function defined elsewhere reaches it through a guest exit thunk `#f$exit_thunk` (or MSVC's `#f` → `f` form) with its exit thunk recorded",
    ),
    rule(
        "ec.stack-probe",
        Object,
        S::CallSite,
        "EC code probes the stack with `__chkstk_arm64ec`, not x64's `__chkstk`",
    ),
    rule(
        "ec.indirect-call",
        Object,
        S::CallSite,
        "every `blr`/`br` goes through the call checker (`__os_arm64x_check_icall[_cfg]`, `__os_arm64x_dispatch_icall`), an import slot with its exit thunk recorded, a thunk's own dispatch routine, an address in its own function, or a jump table every entry of which leads into the function (LLVM's in `.rdata`, MSVC's after the code) — tracked by data flow over every instruction: a `br` through a decoded table leads to its targets, code no path reaches is entered with nothing known, a value loaded from data is unknown unless it is a table entry, and MSVC's hoisted and spilled checker pointers pass; a branch through a table that does not decode, and every branch of a function whose flow overruns its work budget, is listed as not judged",
    ),
    rule(
        "reg.reserved",
        Object,
        S::Object,
        "no instruction names x13, x14, x23, x24, x28, v16–v31 or SVE state (decoded with `yaxpeax-arm`, literal pools skipped)",
    ),
    rule("unwind.decode", Object, S::UnwindEntry, "`.pdata` entries resolve and decode"),
    rule("unwind.range", Object, S::UnwindEntry, "a `.pdata` entry stays inside its section"),
    rule(
        "unwind.coverage",
        Object,
        S::Function,
        "`.pdata` covers every instruction that moves sp, saves a register or calls (frameless leaves need none)",
    ),
    rule("thunk.name.grammar", Object, S::Symbol, "every thunk name is well-formed"),
    rule(
        "thunk.name.oracle",
        Object,
        S::Thunk,
        "where a function's signature is known, its entry thunk (and the exit thunk of calls to it) moves every value as the oracle's does",
    ),
    rule(
        "thunk.name.producers",
        Object,
        S::Signature,
        "for a signature several producers of one case define, all of them and the oracle agree (the finding lists all three)",
    ),
    rule(
        "thunk.code",
        Object,
        S::Thunk,
        "the thunk's code does what its name promises: run on a byte-level symbolic machine, every value reaches its place at the call, a hidden result pointer comes back in RAX (x8), q6–q15 survive for an x64 caller, and the thunk ends in `__os_arm64x_dispatch_ret` (entry) or returns after `blr x16` to `__os_arm64x_dispatch_call_no_redirect` (exit)",
    ),
    rule("image.unreadable", Image, S::Image, "a linked image reads and parses"),
    rule(
        "image.problem",
        Image,
        S::ImageTable,
        "every RVA and count of the load config, CHPE metadata, code map, entry ranges, redirection table, auxiliary IAT, `.pdata` and dynamic relocations lies inside the image",
    ),
    rule(
        "image.machine",
        Image,
        S::Image,
        "AMD64 header with CHPE metadata for an Arm64EC image, ARM64 for Arm64X; ARM64 code under an AMD64 header without CHPE metadata (what lld links silently without a load config) is flagged",
    ),
    rule(
        "image.chpe",
        Image,
        S::ImageTable,
        "metadata version 1 or 2, a code map, dispatch slots inside the image",
    ),
    rule(
        "image.code-map",
        Image,
        S::ImageTable,
        "ranges sorted, disjoint, inside executable sections, covering all code, each of the kind its bytes decode as",
    ),
    rule(
        "image.export",
        Image,
        S::Symbol,
        "no export points into ARM64EC code; each EC export is an x64 entry point jumping to EC code, with its redirection and entry-range entries",
    ),
    rule(
        "image.redirection",
        Image,
        S::ImageTable,
        "redirections go from x64 code to ARM64EC code and end with a terminator",
    ),
    rule(
        "image.entry-thunk",
        Image,
        S::Function,
        "the offset word in front of each EC function an x64 caller can reach names its entry thunk (with the map: the very thunk the object recorded), and the thunk ends through `__os_arm64x_dispatch_ret`",
    ),
    rule(
        "image.aux-iat",
        Image,
        S::Symbol,
        "one auxiliary IAT slot per import, equal to its copy, holding the import's EC call thunk, which loads the import's IAT slot",
    ),
    rule(
        "image.pdata",
        Image,
        S::UnwindEntry,
        "the ARM64 `.pdata` is sorted, decodes, stays in ARM64 code and covers every function's frame work, thunks included",
    ),
    rule(
        "image.dvrt",
        Image,
        S::ImageTable,
        "an Arm64X image's ARM64X relocations give an EC view with an AMD64 header, on which every rule runs again",
    ),
    rule(
        "diag.missing",
        Build,
        S::Diagnostic,
        "every `//~` annotation of a case has its diagnostic",
    ),
    rule(
        "diag.unexpected",
        Build,
        S::Diagnostic,
        "a `build-fail` case reports no error its annotations do not name",
    ),
    rule("build.unexpected-success", Build, S::Diagnostic, "a `build-fail` case's build fails"),
    rule(
        "build.ice",
        Build,
        S::Diagnostic,
        "a `build-fail` case's compiler reports errors instead of crashing",
    ),
    rule("run.exit-code", Run, S::Run, "a run ends with the declared exit code"),
    rule(
        "run.output",
        Run,
        S::Run,
        "a `check-run-output` case's normalized stdout and stderr equal its expectation files",
    ),
];

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The closest registered id to a misspelled one, for error messages.
pub fn closest(id: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|r| (strsim_distance(id, r.id), r.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, id)| id)
}

fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The README table of the rules of `scope`: `| rule | judges | what it checks |`.
pub fn markdown(scope: Scope) -> String {
    let mut s = String::from("| rule | judges | what it checks |\n|---|---|---|\n");
    for r in RULES.iter().filter(|r| r.scope == scope) {
        s.push_str(&format!("| `{}` | {} | {} |\n", r.id, r.subject.as_str(), r.checks));
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::check::rules::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        assert_eq!(closest("thunk.cod"), Some("thunk.code"));
        assert_eq!(closest("nothing.like.it"), None);
        assert!(markdown(Scope::Image).contains("| `image.pdata` | unwind-entry |"));
    }
}
