//! Plan stage: decide, from a case's directives and what this machine has, whether a trial
//! executes (and whether it is expected to pass) or is ignored with its reason.

use crate::compile::CCompiler;
use crate::discover::{Lang, Need, Variant};
use crate::env::Env;
use crate::model::{Target, Tier};
use crate::report::{Expected, ExpectedKind};
use crate::toolchain::LLVM_FIRST_ARM64EC;

/// What to do with a trial.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Execute { expected_failure: Option<Expected> },
    Ignore { reason: String },
}

/// The C compiler this machine offers for `target`: MSVC for Arm64EC when present,
/// otherwise clang-cl.
pub fn c_compiler(env: &Env, target: Target) -> Option<CCompiler> {
    if target == Target::Arm64ec
        && let Some(m) = env.msvc.found()
    {
        return Some(CCompiler::Msvc(m.clone()));
    }
    env.clang_cl.found().cloned().map(CCompiler::ClangCl)
}

/// Why a capability is unmet here, or `None` when it is met.
fn unmet(need: Need, env: &Env) -> Option<String> {
    match need {
        Need::ClangCl => env.clang_cl.why_missing(),
        Need::Msvc => env.msvc.why_missing(),
        Need::RustLld => env.rust_lld.why_missing(),
        Need::Runner | Need::X64Emulation => env.runner.program_gap(),
        Need::Wine => env.wine.why_missing(),
    }
}

/// Why the LLD link (and its support objects) cannot happen here, if it cannot; cases that
/// link with MSVC need neither.
fn link_tools_missing(v: &Variant, env: &Env) -> Option<String> {
    if !v.config.aux_dlls.is_empty() {
        let why = env.clang_cl.why_missing().or_else(|| env.linker.why_missing());
        if let Some(why) = why {
            return Some(format!("auxiliary DLLs are built with clang-cl and LLD: {why}"));
        }
    }
    if v.config.needs.contains(&Need::Msvc) {
        return None;
    }
    // The support objects need no clang: without it, rustc assembles them.
    env.linker.why_missing().map(|why| format!("linking needs LLD 20 or later: {why}"))
}

pub fn plan(v: &Variant, env: &Env) -> Decision {
    let cfg = &v.config;
    let tc = &env.toolchain;
    let triple = cfg.target.triple().unwrap_or("host");
    for c in &cfg.conditions {
        if let Some(reason) = c.blocks(tc.cfg(cfg.target), triple) {
            return Decision::Ignore { reason };
        }
    }
    if let Some(need) = cfg.min_rust {
        let have = tc.info.release.split(['-', ' ']).next().and_then(crate::model::Version::parse);
        if have.is_some_and(|h| h < need) {
            return Decision::Ignore {
                reason: format!(
                    "needs rustc {need} or later (min-rust-version); toolchain `{}` is {}",
                    tc.label, tc.info.release
                ),
            };
        }
    }
    // A control builds with the host's or MinGW's tools and runs here: what the case needs
    // for its Arm64EC build and run does not apply to it.
    let for_arm64ec =
        |n: &Need| matches!(n, Need::Msvc | Need::Runner | Need::X64Emulation | Need::ClangCl);
    for need in cfg.needs.iter().filter(|n| v.control().is_none() || !for_arm64ec(n)) {
        if let Some(why) = unmet(*need, env) {
            return Decision::Ignore { reason: format!("needs-{}: {why}", need.name()) };
        }
    }
    if v.is_wine_control()
        && let Some(why) = env.wine.why_missing()
    {
        return Decision::Ignore {
            reason: format!("the Wine control needs Wine and MinGW-w64: {why}"),
        };
    }
    let has_c = v.spec.has(Lang::C) || v.spec.has(Lang::Cpp);
    if has_c && v.control().is_none() && c_compiler(env, cfg.target).is_none() {
        let why = env.clang_cl.why_missing().unwrap_or_default();
        return Decision::Ignore { reason: format!("C sources need clang-cl or MSVC: {why}") };
    }
    if v.control().is_none() {
        match cfg.tier {
            Tier::Static => {}
            Tier::Link if cfg.needs.contains(&Need::Msvc) => {} // MSVC's link.exe, checked above
            Tier::Link => {
                if let Some(why) = link_tools_missing(v, env) {
                    return Decision::Ignore { reason: why };
                }
            }
            Tier::Run => {
                if let Some(why) = env.runner.program_gap() {
                    return Decision::Ignore { reason: why };
                }
                if let Some(why) = link_tools_missing(v, env) {
                    return Decision::Ignore { reason: why };
                }
            }
        }
    }
    let mut expected = None;
    if let Some(url) = &cfg.known_bug {
        expected = Some(Expected {
            kind: ExpectedKind::KnownBug,
            reason: format!("known bug: {url}"),
            url: Some(url.clone()),
        });
    }
    if let Some(text) = &cfg.known_deviation {
        expected = Some(Expected {
            kind: ExpectedKind::KnownDeviation,
            reason: format!("known deviation, no upstream issue linked yet: {text}"),
            url: None,
        });
    }
    // A toolchain too old for the case outranks any other expectation.
    if let Some(need) = cfg.min_llvm {
        let have = tc.llvm().unwrap_or(LLVM_FIRST_ARM64EC);
        if have < need {
            expected = Some(Expected {
                kind: ExpectedKind::MinLlvm,
                reason: format!(
                    "needs LLVM {need} (min-llvm-version), toolchain `{}` has LLVM {have}",
                    tc.label
                ),
                url: None,
            });
        }
    }
    Decision::Execute { expected_failure: expected }
}
