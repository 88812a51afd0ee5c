//! Directives that contradict the case's sources or each other, as a table: each rule names
//! the directive the error points at, when it is broken, and what the error says. Rules whose
//! message depends on the case follow the table.

use super::annotations::DiagKind;
use super::config::CaseConfig;
use super::directives::{ImageKind, LinkMachine};
use super::{CaseSpec, Lang, images};
use crate::error::Error;
use crate::model::{Target, Tier};
use std::path::Path;

/// What the rules look at.
struct Facts<'a> {
    cfg: &'a CaseConfig,
    rust: bool,
    c: bool,
    errors_annotated: bool,
    linking: bool,
}

/// `(directive, broken when, message)`.
type Rule = (&'static str, fn(&Facts) -> bool, &'static str);

static RULES: &[Rule] = &[
    (
        "compile-flags",
        |f| !f.rust && !f.cfg.compile_flags.is_empty(),
        "`compile-flags` applies to Rust sources and this case has none; use `cflags`",
    ),
    (
        "crate-type",
        |f| !f.rust && f.cfg.crate_type.is_some(),
        "`crate-type` applies to Rust sources and this case has none",
    ),
    (
        "cflags",
        |f| !f.c && !f.cfg.cflags.is_empty(),
        "`cflags` applies to C/C++ sources and this case has none; use `compile-flags`",
    ),
    (
        "host-control",
        |f| f.cfg.host_control && f.cfg.tier != Tier::Run,
        "`host-control` runs the fixture on the host, so the case needs `tier: run`",
    ),
    (
        "build-fail",
        |f| f.cfg.build_fail && !f.rust,
        "`build-fail` checks rustc's diagnostics: the case needs a Rust source",
    ),
    (
        "build-fail",
        |f| f.cfg.build_fail && !f.errors_annotated,
        "a `build-fail` case names the errors it expects with `//~ ERROR text`",
    ),
    (
        "build-fail",
        |f| f.errors_annotated && !f.cfg.build_fail,
        "`//~ ERROR` annotations need `//@ build-fail` (an error fails the build)",
    ),
    (
        "build-fail",
        |f| f.cfg.build_fail && (f.cfg.tier != Tier::Static || f.cfg.host_control),
        "a `build-fail` case stops at the build: it is a `tier: static` case",
    ),
    (
        "expect-finding",
        |f| !f.cfg.expect_findings.is_empty() && f.cfg.build_fail,
        "`expect-finding` needs objects to check; a `build-fail` case has none",
    ),
    (
        "known-bug",
        |f| f.cfg.known_bug.is_some() && f.cfg.expect_findings.is_empty(),
        "a known bug says what fails: add `expect-finding: rule[subject]` (or `rule*N`) naming the findings it causes",
    ),
    (
        "known-deviation",
        |f| f.cfg.known_deviation.is_some() && f.cfg.expect_findings.is_empty(),
        "a known deviation says what fails: add `expect-finding: rule[subject]` (or `rule*N`) naming the findings it causes",
    ),
    (
        "known-deviation",
        |f| f.cfg.known_deviation.is_some() && f.cfg.known_bug.is_some(),
        "give either `known-bug` (an upstream link) or `known-deviation`, not both",
    ),
    (
        "link",
        |f| f.cfg.image.is_some() && !f.linking,
        "`link` describes an image: the case needs `tier: link` (or `run`)",
    ),
    (
        "link-machine",
        |f| f.cfg.link_machine.is_some() && !f.linking,
        "`link-machine` describes an image: the case needs `tier: link` (or `run`)",
    ),
    (
        "entry",
        |f| f.cfg.entry.is_some() && !f.linking,
        "`entry` describes an image: the case needs `tier: link` (or `run`)",
    ),
    (
        "also-target",
        |f| !f.cfg.also_targets.is_empty() && !f.linking,
        "`also-target` describes an image: the case needs `tier: link` (or `run`)",
    ),
    (
        "also-target",
        |f| !f.cfg.also_targets.is_empty() && !f.rust,
        "`also-target` compiles the Rust crate again: the case has no Rust source",
    ),
    (
        "entry",
        |f| f.cfg.entry.is_some() && f.cfg.image == Some(ImageKind::Dll),
        "`entry` names an EXE's entry point; this case links a DLL",
    ),
    (
        "link-machine",
        |f| f.cfg.link_machine == Some(LinkMachine::Arm64x) && !has_native_code(f.cfg),
        "an Arm64X image needs native ARM64 code: `also-target: aarch64-pc-windows-msvc` or a `c-target` for it",
    ),
    (
        "host-control",
        |f| f.cfg.host_control && !f.rust,
        "host controls are built with rustc: the case needs a Rust source",
    ),
    (
        "wine-control",
        |f| f.cfg.wine_control && (f.cfg.tier != Tier::Run || !f.rust),
        "a Wine control runs the fixture's Rust program: the case needs `tier: run` and a Rust source",
    ),
    (
        "check-run-output",
        |f| f.cfg.check_run_output && f.cfg.tier != Tier::Run,
        "`check-run-output` compares what a run prints: the case needs `tier: run`",
    ),
];

fn has_native_code(cfg: &CaseConfig) -> bool {
    cfg.also_targets.contains(&Target::Aarch64)
        || cfg.c_targets.values().any(|t| *t == Target::Aarch64)
}

/// The rules whose message names something of the case.
fn case_rules(spec: &CaseSpec, cfg: &CaseConfig) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if cfg.also_targets.contains(&cfg.target) {
        out.push((
            "also-target",
            format!("`also-target` repeats the case's own target {}", cfg.target),
        ));
    }
    for file in cfg.c_targets.keys() {
        let known = spec
            .sources
            .iter()
            .any(|s| s.rel == Path::new(file) && matches!(s.lang, Lang::C | Lang::Cpp));
        if !known {
            out.push((
                "c-target",
                format!("`c-target` names `{file}`, which is not a C source of this case"),
            ));
        }
    }
    out.extend(images::rules(spec, cfg));
    out
}

/// Every contradiction of the case (of revision `rev`), each at the line of the directive
/// it names.
pub(super) fn check(spec: &CaseSpec, cfg: &CaseConfig, rev: Option<&str>) -> Vec<Error> {
    let facts = Facts {
        cfg,
        rust: spec.has(Lang::Rust),
        c: spec.has(Lang::C) || spec.has(Lang::Cpp),
        errors_annotated: spec.annotations.iter().any(|a| a.kind == DiagKind::Error),
        linking: matches!(cfg.tier, Tier::Link | Tier::Run),
    };
    let broken = RULES
        .iter()
        .filter(|(_, applies, _)| applies(&facts))
        .map(|(name, _, msg)| (*name, msg.to_string()))
        .chain(case_rules(spec, cfg));
    let scope = rev.map(|r| format!(" (revision `{r}`)")).unwrap_or_default();
    broken
        .map(|(name, msg)| {
            let d = spec.directives.iter().find(|d| d.name == name);
            let (line, col) = d.map(|d| (d.line, d.column)).unwrap_or((1, 1));
            Error::at(&spec.primary, line, col, format!("{msg}{scope}"))
        })
        .collect()
}
