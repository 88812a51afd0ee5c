//! A case's directives resolved for one revision into a typed configuration.

use super::conditions::Condition;
use super::directives::{CrateType, Directive, ImageKind, Item, LinkMachine, Need};
use crate::abi::Signature;
use crate::model::{Target, Tier, Version};
use std::collections::BTreeMap;
use std::time::Duration;

/// How a run must end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitExpect {
    /// Exactly this code (`exit-code`; 0 by default and with `run-pass`).
    Code(i32),
    /// Any failure: a non-zero code or a signal (`run-fail`).
    Failure,
}

impl std::fmt::Display for ExitExpect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitExpect::Code(c) if *c < 0 || *c > 0xffff => write!(f, "exit code {:#x}", *c as u32),
            ExitExpect::Code(c) => write!(f, "exit code {c}"),
            ExitExpect::Failure => f.write_str("a failing exit"),
        }
    }
}

/// Which findings of one rule an `expect-finding` item declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingSubjects {
    /// `rule` or `rule*N`: exactly this many findings of the rule (1 when not written).
    Count(usize),
    /// `rule[a,b]`: findings of the rule on exactly these subjects (symbols), one or more
    /// each, and on no other.
    Named(Vec<String>),
}

/// One `expect-finding` item: a rule and which of its findings the case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedFinding {
    pub rule: String,
    pub subjects: FindingSubjects,
}

impl std::fmt::Display for ExpectedFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.subjects {
            FindingSubjects::Count(1) => write!(f, "{}", self.rule),
            FindingSubjects::Count(n) => write!(f, "{}*{n}", self.rule),
            FindingSubjects::Named(s) => write!(f, "{}[{}]", self.rule, s.join(",")),
        }
    }
}

/// Everything the later stages need to know about one revision of a case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseConfig {
    pub tier: Tier,
    pub target: Target,
    /// `None`: the default for the case's sources.
    pub crate_type: Option<CrateType>,
    pub edition: String,
    pub compile_flags: Vec<String>,
    pub cflags: Vec<String>,
    pub link_args: Vec<String>,
    pub conditions: Vec<Condition>,
    pub needs: Vec<Need>,
    pub min_llvm: Option<Version>,
    /// Older rustc releases ignore the case (`min-rust-version`).
    pub min_rust: Option<Version>,
    pub known_bug: Option<String>,
    pub timeout: Option<Duration>,
    pub host_control: bool,
    /// `wine-control`: an x64 Windows build of the fixture runs under Wine as a control.
    pub wine_control: bool,
    /// How the run must end.
    pub exit: ExitExpect,
    /// `check-run-output`: compare normalized stdout/stderr with the expectation files.
    pub check_run_output: bool,
    /// Line of the `tier` directive (or 1): where CI annotations point for the case.
    pub tier_line: usize,
    /// Known C signatures of the fixture's functions (`//@ sig: name = fn(...)`).
    pub sigs: BTreeMap<String, Signature>,
    /// The line of each `sig` directive, by function name.
    pub sig_lines: BTreeMap<String, usize>,
    /// The build must fail with the annotated diagnostics.
    pub build_fail: bool,
    /// The findings the checks must report, exactly.
    pub expect_findings: Vec<ExpectedFinding>,
    /// An expected failure with no upstream issue yet.
    pub known_deviation: Option<String>,
    /// Link tier: the image to produce (`None`: from the crate type).
    pub image: Option<ImageKind>,
    pub link_machine: Option<LinkMachine>,
    /// More targets the Rust crate is compiled for, into the same image.
    pub also_targets: Vec<Target>,
    /// C sources compiled for another target than the case's, by relative path.
    pub c_targets: BTreeMap<String, Target>,
    pub entry: Option<String>,
    /// C sources built into DLLs of their own (not into the image), by relative path.
    pub aux_dlls: BTreeMap<String, Target>,
}

impl Default for CaseConfig {
    fn default() -> Self {
        CaseConfig {
            tier: Tier::Static,
            target: Target::Arm64ec,
            crate_type: None,
            edition: "2021".into(),
            compile_flags: Vec::new(),
            cflags: Vec::new(),
            link_args: Vec::new(),
            conditions: Vec::new(),
            needs: Vec::new(),
            min_llvm: None,
            min_rust: None,
            known_bug: None,
            timeout: None,
            host_control: false,
            wine_control: false,
            exit: ExitExpect::Code(0),
            check_run_output: false,
            tier_line: 1,
            sigs: BTreeMap::new(),
            sig_lines: BTreeMap::new(),
            build_fail: false,
            expect_findings: Vec::new(),
            known_deviation: None,
            image: None,
            link_machine: None,
            also_targets: Vec::new(),
            c_targets: BTreeMap::new(),
            entry: None,
            aux_dlls: BTreeMap::new(),
        }
    }
}

impl CaseConfig {
    /// Apply the common directives, then those of `revision`; per-revision single values
    /// override common ones, list values are appended.
    pub fn resolve(directives: &[Directive], revision: Option<&str>) -> CaseConfig {
        let mut cfg = CaseConfig::default();
        let common = directives.iter().filter(|d| d.revisions.is_empty());
        let own = directives
            .iter()
            .filter(|d| revision.is_some_and(|r| d.revisions.iter().any(|x| x == r)));
        for d in common.chain(own) {
            cfg.apply(d);
        }
        cfg
    }

    /// A rule's subjects written over several lines add up; a count replaces.
    fn add_expected(&mut self, e: ExpectedFinding) {
        let same = self.expect_findings.iter_mut().find(|x| x.rule == e.rule);
        match (same, e.subjects) {
            (Some(x), FindingSubjects::Named(more)) => match &mut x.subjects {
                FindingSubjects::Named(names) => {
                    for m in more {
                        if !names.contains(&m) {
                            names.push(m);
                        }
                    }
                }
                s => *s = FindingSubjects::Named(more),
            },
            (Some(x), count) => x.subjects = count,
            (None, subjects) => {
                self.expect_findings.push(ExpectedFinding { rule: e.rule, subjects })
            }
        }
    }

    fn apply(&mut self, d: &Directive) {
        match &d.item {
            Item::Revisions(_) => {}
            Item::CompileFlags(f) => self.compile_flags.extend(f.iter().cloned()),
            Item::CFlags(f) => self.cflags.extend(f.iter().cloned()),
            Item::LinkArgs(f) => self.link_args.extend(f.iter().cloned()),
            Item::CrateType(c) => self.crate_type = Some(*c),
            Item::Edition(e) => self.edition = e.clone(),
            Item::Tier(t) => {
                self.tier = *t;
                self.tier_line = d.line;
            }
            Item::Target(t) => self.target = *t,
            Item::MinLlvm(v) => self.min_llvm = Some(*v),
            Item::MinRust(v) => self.min_rust = Some(*v),
            Item::KnownBug(u) => self.known_bug = Some(u.clone()),
            Item::Timeout(t) => self.timeout = Some(*t),
            Item::HostControl => self.host_control = true,
            Item::ExitCode(c) => self.exit = ExitExpect::Code(*c),
            Item::RunPass => self.exit = ExitExpect::Code(0),
            // `run-fail` with an `exit-code` keeps the code (either order).
            Item::RunFail => {
                if self.exit == ExitExpect::Code(0) {
                    self.exit = ExitExpect::Failure;
                }
            }
            Item::CheckRunOutput => self.check_run_output = true,
            Item::WineControl => self.wine_control = true,
            Item::Condition(c) => self.conditions.push(c.clone()),
            Item::Sig(name, sig) => {
                self.sigs.insert(name.clone(), sig.clone());
                self.sig_lines.insert(name.clone(), d.line);
            }
            Item::BuildFail => self.build_fail = true,
            Item::ExpectFinding(items) => {
                for e in items {
                    self.add_expected(e.clone());
                }
            }
            Item::KnownDeviation(t) => self.known_deviation = Some(t.clone()),
            Item::Link(k) => self.image = Some(*k),
            Item::LinkMachine(m) => self.link_machine = Some(*m),
            Item::AlsoTarget(ts) => {
                for t in ts {
                    if !self.also_targets.contains(t) {
                        self.also_targets.push(*t);
                    }
                }
            }
            Item::CTarget(f, t) => {
                self.c_targets.insert(f.clone(), *t);
            }
            Item::Entry(e) => self.entry = Some(e.clone()),
            Item::AuxDll(f, t) => {
                self.aux_dlls.insert(f.clone(), *t);
            }
            Item::Needs(n) => {
                if !self.needs.contains(n) {
                    self.needs.push(*n);
                }
            }
        }
    }
}

/// The declared revisions, in declaration order.
pub fn declared_revisions(directives: &[Directive]) -> Vec<String> {
    directives
        .iter()
        .find_map(|d| match &d.item {
            Item::Revisions(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_default()
}
