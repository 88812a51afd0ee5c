//! `harness preflight`: what was found, versions, what each tier can do here, and what is
//! missing with how to get it. Changes nothing on the machine.

use crate::model::{Target, Tier};
use crate::session::{Session, SessionOptions};
use crate::toolchain::provision;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct TargetStatus {
    pub triple: String,
    pub installed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TierStatus {
    pub tier: Tier,
    pub available: bool,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Preflight {
    pub toolchain: Option<crate::report::Fingerprint>,
    pub toolchain_error: Option<String>,
    pub targets: Vec<TargetStatus>,
    pub tools: Vec<ToolStatus>,
    pub tiers: Vec<TierStatus>,
    pub host_controls: bool,
    /// What is missing here that makes some Arm64EC cases of a tier ignored (a tier can be
    /// available with gaps: its C or std cases are then ignored). `--strict` fails on them.
    pub gaps: Vec<Gap>,
}

/// A tool a tier's cases need that this machine lacks, and what it would take.
#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    pub tier: Tier,
    /// Which cases go unrun: `C fixtures`, `std programs`, …
    pub cases: String,
    pub missing: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ToolStatus {
    pub name: String,
    pub found: Option<String>,
    pub missing: Option<String>,
}

pub fn preflight(opts: &SessionOptions) -> Preflight {
    let mut opts = opts.clone();
    opts.provision = false;
    let session = match Session::open(&opts) {
        Ok(s) => s,
        Err(e) => return unusable(e.to_string()),
    };
    let env = &session.env;
    let missing = provision::missing_targets(&env.toolchain);
    Preflight {
        toolchain: Some(session.fingerprint()),
        toolchain_error: None,
        targets: targets(env, &missing),
        tools: tools(env),
        tiers: vec![static_tier(env, &missing), link_tier(env), run_tier(env)],
        host_controls: true,
        gaps: gaps(env),
    }
}

/// No toolchain to judge with: every tier is unavailable, for that reason.
fn unusable(why: String) -> Preflight {
    let tier =
        |t: &Tier| TierStatus { tier: *t, available: false, detail: "no usable toolchain".into() };
    Preflight {
        toolchain: None,
        toolchain_error: Some(why),
        targets: vec![],
        tools: vec![],
        tiers: Tier::ALL.iter().map(tier).collect(),
        host_controls: false,
        gaps: vec![],
    }
}

/// Each Windows target's std, with how to add a missing one.
fn targets(env: &crate::env::Env, missing: &[Target]) -> Vec<TargetStatus> {
    Target::WINDOWS
        .iter()
        .map(|t| {
            let installed = !missing.contains(t);
            TargetStatus {
                triple: t.to_string(),
                installed,
                hint: (!installed).then(|| {
                    format!(
                        "`harness run` installs it; by hand: {}",
                        provision::install_hint(&env.toolchain, &[*t])
                    )
                }),
            }
        })
        .collect()
}

/// The tools around the toolchain: where each was found, or why not.
fn tools(env: &crate::env::Env) -> Vec<ToolStatus> {
    let tool = |name: &str, found: Option<String>, missing: Option<String>| ToolStatus {
        name: name.into(),
        found,
        missing,
    };
    vec![
        tool(
            "clang-cl",
            env.clang_cl.found().map(|t| format!("{} ({})", t.path.display(), t.version)),
            env.clang_cl.why_missing(),
        ),
        tool(
            "rust-lld",
            env.rust_lld.found().map(|t| format!("{} ({})", t.path.display(), t.version)),
            env.rust_lld.why_missing(),
        ),
        tool(
            "msvc",
            env.msvc.found().map(|m| format!("{} (SDK {})", m.cl.display(), m.sdk_version)),
            env.msvc.why_missing(),
        ),
        tool(
            "wine",
            env.wine.found().map(|w| format!("{} with {}", w.wine.display(), w.mingw.display())),
            env.wine.why_missing(),
        ),
    ]
}

fn static_tier(env: &crate::env::Env, missing: &[Target]) -> TierStatus {
    let ec_std = !missing.contains(&Target::Arm64ec);
    let c_note = match env.clang_cl.why_missing() {
        Some(why) if env.msvc.found().is_none() => format!("; C fixtures are ignored: {why}"),
        _ => String::new(),
    };
    TierStatus {
        tier: Tier::Static,
        available: ec_std || env.toolchain.rustup_name.is_some(),
        detail: if ec_std {
            format!("Rust fixtures compile for arm64ec-pc-windows-msvc{c_note}")
        } else if env.toolchain.rustup_name.is_some() {
            format!("arm64ec std will be installed by `harness run`{c_note}")
        } else {
            "arm64ec std is missing and the toolchain is not managed by rustup".into()
        },
    }
}

fn link_tier(env: &crate::env::Env) -> TierStatus {
    // Without clang the support objects are assembled by rustc: only the linker is needed.
    let link_missing = env.linker.why_missing();
    let assembler = if env.clang.found().is_some() { "clang" } else { "rustc (no clang)" };
    TierStatus {
        tier: Tier::Link,
        available: link_missing.is_none(),
        detail: match (&link_missing, env.linker.found()) {
            (None, Some(l)) => format!(
                "images are linked with {} ({}); support objects assembled by {assembler}",
                l.path.display(),
                l.version
            ),
            (Some(why), _) => format!("cannot link here: {why}"),
            (None, None) => String::new(),
        },
    }
}

fn run_tier(env: &crate::env::Env) -> TierStatus {
    TierStatus {
        tier: Tier::Run,
        available: env.runner.available(),
        detail: match env.runner.program_gap() {
            None => {
                let info = env.runner.info();
                format!("Arm64EC images run on the {} runner ({})", info.kind, info.detail)
            }
            Some(why) => format!(
                "{why}; portable fixtures run as host controls{}{}",
                if env.wine.found().is_some() { " and Wine controls" } else { "" },
                if matches!(env.runner, crate::run::Runner::Emulated { .. }) {
                    "; ABI-matrix functions run on the emulated runner"
                } else {
                    ""
                }
            ),
        },
    }
}

/// Every tool whose absence leaves some Arm64EC case of a tier ignored here.
fn gaps(env: &crate::env::Env) -> Vec<Gap> {
    let msvc = env.msvc.why_missing();
    let mut out = Vec::new();
    let mut gap = |tier: Tier, cases: &str, missing: String| {
        out.push(Gap { tier, cases: cases.into(), missing })
    };
    if let (Some(why), Some(_)) = (env.clang_cl.why_missing(), &msvc) {
        for tier in Tier::ALL {
            gap(tier, "C and C++ fixtures (clang-cl or MSVC)", why.clone());
        }
    }
    // The support objects need no clang (rustc assembles them without it): only LLD.
    if let Some(why) = env.linker.why_missing() {
        gap(Tier::Link, "`#![no_std]` images (LLD)", why.clone());
        gap(Tier::Run, "`#![no_std]` images (LLD)", why);
    }
    if let Some(why) = env.clang_cl.why_missing().or_else(|| env.linker.why_missing()) {
        gap(Tier::Run, "cases with `aux-dll` (clang-cl and LLD)", why);
    }
    if let Some(why) = &msvc {
        for tier in [Tier::Link, Tier::Run] {
            gap(tier, "std programs and `needs-msvc` cases (MSVC link.exe, CRT, SDK)", why.clone());
        }
    }
    if let Some(why) = env.runner.program_gap() {
        gap(Tier::Run, "Arm64EC programs (a runner that executes them)", why);
    }
    out
}

impl Preflight {
    /// Human-readable rendering.
    pub fn render(&self) -> String {
        let mut s = String::new();
        match (&self.toolchain, &self.toolchain_error) {
            (Some(fp), _) => {
                let r = &fp.rustc;
                s.push_str(&format!(
                    "toolchain  {} (rustc {} {} {}, LLVM {})\n           {}\n",
                    r.label,
                    r.release,
                    r.commit_hash.as_deref().map(|h| &h[..h.len().min(9)]).unwrap_or("?"),
                    r.commit_date.as_deref().unwrap_or("?"),
                    r.llvm.as_deref().unwrap_or("?"),
                    r.path
                ));
            }
            (None, Some(e)) => s.push_str(&format!("toolchain  UNUSABLE: {e}\n")),
            (None, None) => {}
        }
        for t in &self.targets {
            let state = if t.installed {
                "installed".to_string()
            } else {
                format!("missing ({})", t.hint.as_deref().unwrap_or(""))
            };
            s.push_str(&format!("target     {:<26} {state}\n", t.triple));
        }
        for t in &self.tools {
            match (&t.found, &t.missing) {
                (Some(f), _) => s.push_str(&format!("{:<10} found {f}\n", t.name)),
                (None, Some(m)) => s.push_str(&format!("{:<10} missing: {m}\n", t.name)),
                _ => {}
            }
        }
        if let Some(fp) = &self.toolchain {
            s.push_str(&format!("runner     {}: {}\n", fp.runner.kind, fp.runner.detail));
        }
        s.push_str("tiers\n");
        for t in &self.tiers {
            s.push_str(&format!(
                "  {:<7} {:<4} {}\n",
                t.tier.name(),
                if t.available { "yes" } else { "no" },
                t.detail
            ));
        }
        s.push_str(&format!(
            "  host controls: {}\n",
            if self.host_controls { "yes" } else { "no" }
        ));
        for g in &self.gaps {
            s.push_str(&format!(
                "gap        {}: {} ignored: {}\n",
                g.tier.name(),
                g.cases,
                g.missing
            ));
        }
        s
    }

    /// Whether every requested tier can run here.
    pub fn satisfies(&self, requested: &[Tier]) -> bool {
        requested.iter().all(|r| self.tiers.iter().any(|t| t.tier == *r && t.available))
    }

    /// The gaps that leave cases of the requested tiers ignored.
    pub fn gaps_in(&self, requested: &[Tier]) -> Vec<&Gap> {
        self.gaps.iter().filter(|g| requested.contains(&g.tier)).collect()
    }
}
