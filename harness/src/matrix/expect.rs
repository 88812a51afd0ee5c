//! `suites/abi/expectations.toml`: the failures the matrix expects, each with its reason
//! and, where one exists, the upstream issue.
//!
//! ```toml
//! [[expect]]
//! case = "abi::*::{arg,id}_i128"    # glob over abi::<pairing>::<function>: * ? {a,b}
//! target = "arm64ec"                # optional: arm64ec (pairings with Arm64EC code), x64
//!                                   # (x64 calling x64 inside the image) or host
//! toolchain = "1.9*"                # optional glob over the rustc release
//! llvm-below = "22"                 # optional: only toolchains with an older LLVM
//! llvm-from = "21"                  # optional: only toolchains with this LLVM or newer
//! rustc-from = "1.86"               # optional: only rustc releases from this one on
//! rustc-below = "1.87"              # optional: only rustc releases before this one
//! busted = "check"                  # the phase that fails (build, link, check, run), or
//!                                   # the phases: busted = ["check", "run"]
//! flaky = false                     # true: failing and passing are both accepted
//! url = "https://github.com/llvm/llvm-project/issues/..."
//! reason = "why"
//!
//! [[not-emulated]]
//! case = "abi::rust-ec-to-c-x64"    # glob over abi::<pairing>
//! max-percent = 2.5                 # the share of its functions the emulator may stop
//! reason = "why"                    # required
//! ```
//!
//! A function's failure at a phase is expected when a rule that applies to it covers that
//! phase; a failure at any other phase is not. A phase a rule covers that was judged and
//! passed (unless flaky) is reported as fixed. A pairing whose functions the emulated
//! runner stops as "not emulated" fails when they are more than the share the first
//! matching `[[not-emulated]]` table allows (none: 0 %). Errors name the file and line.

use crate::error::Error;
use crate::model::Version;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The phase a rule expects to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Build,
    Link,
    Check,
    Run,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Build, Phase::Link, Phase::Check, Phase::Run];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Build => "build",
            Phase::Link => "link",
            Phase::Check => "check",
            Phase::Run => "run",
        }
    }
}

/// Which pairings a rule covers: those with Arm64EC code, x64 with x64, or host controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleTarget {
    Arm64ec,
    X64,
    Host,
}

impl RuleTarget {
    pub const ALL: [RuleTarget; 3] = [RuleTarget::Arm64ec, RuleTarget::X64, RuleTarget::Host];

    pub fn name(self) -> &'static str {
        match self {
            RuleTarget::Arm64ec => "arm64ec",
            RuleTarget::X64 => "x64",
            RuleTarget::Host => "host",
        }
    }
}

/// `busted`: one phase, or a non-empty list of them.
#[derive(Clone, Debug)]
struct Phases(Vec<Phase>);

impl<'de> Deserialize<'de> for Phases {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        fn phase<E: serde::de::Error>(s: &str) -> Result<Phase, E> {
            Phase::ALL
                .into_iter()
                .find(|p| p.name() == s)
                .ok_or_else(|| E::custom(format!("unknown phase `{s}` (build, link, check, run)")))
        }
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Phases;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a phase (build, link, check, run) or a list of phases")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Phases, E> {
                phase(s).map(|p| Phases(vec![p]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Phases, A::Error> {
                let mut out: Vec<Phase> = Vec::new();
                while let Some(s) = a.next_element::<String>()? {
                    let p = phase(&s)?;
                    if out.contains(&p) {
                        return Err(serde::de::Error::custom(format!("phase `{s}` twice")));
                    }
                    out.push(p);
                }
                if out.is_empty() {
                    return Err(serde::de::Error::custom("`busted = []` names no phase"));
                }
                out.sort();
                Ok(Phases(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    case: String,
    target: Option<String>,
    toolchain: Option<String>,
    llvm_below: Option<String>,
    llvm_from: Option<String>,
    rustc_from: Option<String>,
    rustc_below: Option<String>,
    busted: Phases,
    #[serde(default)]
    flaky: bool,
    url: Option<String>,
    reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFloor {
    case: String,
    max_percent: f64,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFile {
    #[serde(default)]
    expect: Vec<RawRule>,
    #[serde(default)]
    not_emulated: Vec<RawFloor>,
}

/// How many of a pairing's functions the emulated runner may stop as "not emulated".
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Floor {
    pub line: usize,
    /// A glob over `<suite>::<pairing>`.
    pub case: String,
    pub max_percent: f64,
    pub reason: String,
}

impl Floor {
    /// Whether `count` of `functions` stopped is more than this floor allows.
    pub fn exceeded(&self, count: usize, functions: usize) -> bool {
        count as f64 * 100.0 > self.max_percent * functions as f64
    }
}

/// A suite's `expectations.toml`: the rules and the not-emulated floors.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Expectations {
    pub rules: Vec<Rule>,
    pub floors: Vec<Floor>,
}

impl Expectations {
    /// Every rule that applies to a function, in file order.
    pub fn applying<'r>(&'r self, id: &str, cx: &Context) -> Vec<&'r Rule> {
        self.rules.iter().filter(|r| r.applies(id, cx)).collect()
    }

    /// The first rule that applies to a function and covers `phase`: what declares a
    /// failure there.
    pub fn declaring<'r>(&'r self, id: &str, cx: &Context, phase: Phase) -> Option<&'r Rule> {
        self.rules.iter().find(|r| r.covers(phase) && r.applies(id, cx))
    }

    /// The floor of a pairing (`<suite>::<pairing>`): the first that matches, if any.
    pub fn floor(&self, pairing: &str) -> Option<&Floor> {
        self.floors.iter().find(|f| glob(&f.case, pairing))
    }
}

/// One rule, with the line it starts on.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rule {
    pub line: usize,
    pub case: String,
    pub target: Option<RuleTarget>,
    pub toolchain: Option<String>,
    pub llvm_below: Option<Version>,
    pub llvm_from: Option<Version>,
    pub rustc_from: Option<Version>,
    pub rustc_below: Option<Version>,
    /// The phases it expects to fail, in phase order.
    pub busted: Vec<Phase>,
    pub flaky: bool,
    pub url: Option<String>,
    pub reason: Option<String>,
}

/// What a rule is matched against.
pub struct Context<'a> {
    pub target: RuleTarget,
    pub release: &'a str,
    pub llvm: Option<Version>,
}

/// `*` (any run, `::` included), `?` (one character) and `{a,b,c}` (any of the
/// alternatives; groups do not nest).
pub fn glob(pattern: &str, text: &str) -> bool {
    if let Some(open) = pattern.find('{')
        && let Some(len) = pattern[open..].find('}')
    {
        let (head, body, tail) =
            (&pattern[..open], &pattern[open + 1..open + len], &pattern[open + len + 1..]);
        return body.split(',').any(|alt| glob(&format!("{head}{alt}{tail}"), text));
    }
    simple_glob(pattern, text)
}

fn simple_glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl Rule {
    pub fn covers(&self, phase: Phase) -> bool {
        self.busted.contains(&phase)
    }

    /// `check` or `check, run`.
    pub fn phases(&self) -> String {
        self.busted.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
    }

    pub fn applies(&self, id: &str, cx: &Context) -> bool {
        glob(&self.case, id)
            && self.target.is_none_or(|t| t == cx.target)
            && self.toolchain.as_deref().is_none_or(|g| glob(g, cx.release))
            && self.llvm_below.is_none_or(|below| cx.llvm.is_some_and(|have| have < below))
            && self.llvm_from.is_none_or(|from| cx.llvm.is_some_and(|have| have >= from))
            && self.rustc_in_range(cx.release)
    }

    /// Whether a rustc release is in `rustc-from..rustc-below`; a nightly or beta counts as
    /// the release it leads to.
    fn rustc_in_range(&self, release: &str) -> bool {
        let have = Version::parse(release.split('-').next().unwrap_or(release));
        self.rustc_from.is_none_or(|from| have.is_some_and(|h| h >= from))
            && self.rustc_below.is_none_or(|below| have.is_some_and(|h| h < below))
    }

    /// `expectations.toml:12`, with the link when there is one.
    pub fn cite(&self) -> String {
        let mut s = format!("expectations.toml:{}", self.line);
        if let Some(r) = &self.reason {
            s.push_str(&format!(" ({r})"));
        }
        if let Some(u) = &self.url {
            s.push_str(&format!(" {u}"));
        }
        s
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line each `[[<table>]]` starts on, in order.
fn table_starts(text: &str, table: &str) -> Vec<usize> {
    let header = format!("[[{table}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(&header))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Read the expectations of suite `suite`; a malformed file is an error naming its line.
pub fn parse(path: &Path, suite: &str, text: &str) -> Result<Expectations, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        Error::at(path, line, 1, e.message().trim().to_string())
    })?;
    let starts = table_starts(text, "expect");
    let floors = floors(path, suite, text, raw.not_emulated)?;
    let mut out = Vec::new();
    for (i, r) in raw.expect.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        if !r.case.starts_with(&format!("{suite}::")) && !r.case.starts_with('*') {
            return Err(Error::at(
                path,
                line,
                1,
                format!("`case` is a glob over {suite}::<pairing>::<function>"),
            ));
        }
        let target = match &r.target {
            None => None,
            Some(t) => {
                Some(RuleTarget::ALL.into_iter().find(|k| k.name() == t).ok_or_else(|| {
                    Error::at(path, line, 1, format!("unknown target `{t}` (arm64ec, x64, host)"))
                })?)
            }
        };
        let llvm_below = match &r.llvm_below {
            None => None,
            Some(v) => Some(Version::parse(v).ok_or_else(|| {
                Error::at(path, line, 1, format!("`llvm-below = \"{v}\"` is not a version"))
            })?),
        };
        let version = |key: &str, v: &Option<String>| match v {
            None => Ok(None),
            Some(v) => Version::parse(v).map(Some).ok_or_else(|| {
                Error::at(path, line, 1, format!("`{key} = \"{v}\"` is not a version"))
            }),
        };
        let llvm_from = version("llvm-from", &r.llvm_from)?;
        let rustc_from = version("rustc-from", &r.rustc_from)?;
        let rustc_below = version("rustc-below", &r.rustc_below)?;
        out.push(Rule {
            line,
            case: r.case,
            target,
            toolchain: r.toolchain,
            llvm_below,
            llvm_from,
            rustc_from,
            rustc_below,
            busted: r.busted.0,
            flaky: r.flaky,
            url: r.url,
            reason: r.reason,
        });
    }
    Ok(Expectations { rules: out, floors })
}

fn floors(path: &Path, suite: &str, text: &str, raw: Vec<RawFloor>) -> Result<Vec<Floor>, Error> {
    let starts = table_starts(text, "not-emulated");
    let mut out = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        let fail = |why: String| Err(Error::at(path, line, 1, why));
        if !f.case.starts_with(&format!("{suite}::")) && !f.case.starts_with('*') {
            return fail(format!("`case` is a glob over {suite}::<pairing>"));
        }
        if !(0.0..=100.0).contains(&f.max_percent) {
            return fail(format!("`max-percent = {}` is not a share (0 to 100)", f.max_percent));
        }
        if f.reason.trim().is_empty() {
            return fail("`reason` says why these functions cannot be emulated".into());
        }
        out.push(Floor { line, case: f.case, max_percent: f.max_percent, reason: f.reason });
    }
    Ok(out)
}

/// The rule that would declare an unexpected failure: printed so a maintainer can paste it.
pub fn suggestion(id: &str, phase: Phase, cx: &Context, why: &str) -> String {
    let first_line = why.lines().next().unwrap_or("").replace('"', "'");
    format!(
        "[[expect]]\ncase = \"{id}\"\ntarget = \"{}\"\ntoolchain = \"{}\"\nbusted = \"{}\"\nreason = \"{}\"\nurl = \"<the upstream issue>\"\n",
        cx.target.name(),
        cx.release,
        phase.name(),
        first_line.chars().take(160).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("abi::*::*i128*", "abi::rust-ec-to-c-ec::id_i128"));
        assert!(glob("abi::rust-ec-to-*::arg_?8", "abi::rust-ec-to-c-x64::arg_u8"));
        assert!(!glob("abi::*::arg_u8", "abi::p::arg_u16"));
        assert!(glob("*", ""));
        assert!(glob("abi::*::{arg,id}_{Su8x3E,i128}", "abi::p::id_i128"));
        assert!(!glob("abi::*::{arg,id}_{Su8x3E,i128}", "abi::p::ref_i128"));
        assert!(glob("{a,b", "{a,b"), "an unclosed brace is literal");
    }

    #[test]
    fn rules_parse_and_apply() {
        let text = "# x\n[[expect]]\ncase = \"abi::*::*i128*\"\nbusted = \"check\"\nllvm-below = \"22\"\n\n[[expect]]\ncase = \"abi::*\"\ntarget = \"host\"\nbusted = \"run\"\nflaky = true\n";
        let r = parse(Path::new("e.toml"), "abi", text).unwrap().rules;
        assert_eq!((r[0].line, r[1].line), (2, 7));
        let old = Context {
            target: RuleTarget::Arm64ec,
            release: "1.85.0",
            llvm: Version::parse("19.1.7"),
        };
        let new = Context {
            target: RuleTarget::Arm64ec,
            release: "1.95.0",
            llvm: Version::parse("22.1.2"),
        };
        assert!(r[0].applies("abi::p::id_i128", &old));
        assert!(!r[0].applies("abi::p::id_i128", &new));
        assert!(!r[1].applies("abi::p::f", &new));
        let from = text.replace("llvm-below", "llvm-from");
        let r = parse(Path::new("e.toml"), "abi", &from).unwrap().rules;
        assert!(!r[0].applies("abi::p::id_i128", &old) && r[0].applies("abi::p::id_i128", &new));
        assert!(
            suggestion("abi::p::f", Phase::Check, &new, "x \"y\"").contains("busted = \"check\"")
        );
        let text = "[[expect]]\ncase = \"abi::*\"\nbusted = \"run\"\nrustc-from = \"1.86\"\n";
        let r = parse(Path::new("e.toml"), "abi", text).unwrap().rules;
        assert!(!r[0].applies("abi::p::f", &old) && r[0].applies("abi::p::f", &new));
        let nightly = Context { release: "1.86.0-nightly", ..new };
        assert!(r[0].applies("abi::p::f", &nightly));
        let below = text.replace("rustc-from", "rustc-below");
        let r = parse(Path::new("e.toml"), "abi", &below).unwrap().rules;
        assert!(r[0].applies("abi::p::f", &old) && !r[0].applies("abi::p::f", &nightly));
        let e = parse(Path::new("e.toml"), "abi", &text.replace("1.86", "soon")).unwrap_err();
        assert!(e.to_string().starts_with("e.toml:1:") && e.to_string().contains("soon"), "{e}");
    }

    #[test]
    fn malformed_files_name_the_line() {
        let e = parse(
            Path::new("e.toml"),
            "abi",
            "[[expect]]\ncase = \"abi::x\"\nbusted = \"later\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("e.toml:3:"), "{e}");
        let e = parse(
            Path::new("e.toml"),
            "abi",
            "[[expect]]\ncase = \"abi::x\"\nbusted = \"run\"\ncolour = 1\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = parse(Path::new("e.toml"), "abi", "[[expect]]\ncase = \"x\"\nbusted = \"run\"\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("e.toml:1:"), "{e}");
    }

    #[test]
    fn a_rule_covers_the_phases_it_lists() {
        let cx = Context { target: RuleTarget::Arm64ec, release: "1.95.0", llvm: None };
        let text = "[[expect]]\ncase = \"abi::*::f\"\nbusted = [\"run\", \"check\"]\n\n[[expect]]\ncase = \"abi::*::g\"\nbusted = \"check\"\n";
        let e = parse(Path::new("e.toml"), "abi", text).unwrap();
        assert_eq!(e.rules[0].busted, [Phase::Check, Phase::Run]);
        assert_eq!(e.rules[0].phases(), "check, run");
        assert_eq!(e.declaring("abi::p::f", &cx, Phase::Run).map(|r| r.line), Some(1));
        assert!(e.declaring("abi::p::g", &cx, Phase::Run).is_none(), "check only");
        assert_eq!(e.declaring("abi::p::g", &cx, Phase::Check).map(|r| r.line), Some(5));
        assert_eq!(e.applying("abi::p::g", &cx).len(), 1);
        for (bad, want) in [
            ("[]", "names no phase"),
            ("[\"run\", \"run\"]", "phase `run` twice"),
            ("[\"run\", \"later\"]", "unknown phase `later`"),
            ("3", "a phase (build, link, check, run) or a list"),
        ] {
            let t = format!("[[expect]]\ncase = \"abi::x\"\nbusted = {bad}\n");
            let err = parse(Path::new("e.toml"), "abi", &t).unwrap_err().to_string();
            assert!(err.starts_with("e.toml:3:") && err.contains(want), "{bad}: {err}");
        }
    }

    #[test]
    fn not_emulated_floors_parse_and_apply() {
        let text = "[[expect]]\ncase = \"abi::*\"\nbusted = \"run\"\n\n[[not-emulated]]\ncase = \"abi::rust-ec-*\"\nmax-percent = 10\nreason = \"imports\"\n";
        let e = parse(Path::new("e.toml"), "abi", text).unwrap();
        let f = e.floor("abi::rust-ec-to-c-x64").unwrap();
        assert_eq!((f.line, f.max_percent, f.reason.as_str()), (5, 10.0, "imports"));
        assert!(!f.exceeded(10, 100) && f.exceeded(11, 100));
        assert!(e.floor("abi::c-x64-to-rust-ec").is_none());
        for (bad, want) in [
            ("max-percent = 120\nreason = \"x\"", "not a share"),
            ("max-percent = 1\nreason = \" \"", "`reason` says why"),
            ("max-percent = 1", "missing field `reason`"),
        ] {
            let t = format!("[[not-emulated]]\ncase = \"abi::*\"\n{bad}\n");
            let err = parse(Path::new("e.toml"), "abi", &t).unwrap_err().to_string();
            assert!(err.starts_with("e.toml:1:") && err.contains(want), "{bad}: {err}");
        }
    }
}
