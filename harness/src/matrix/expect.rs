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
//! rustc-from = "1.86"               # optional: only rustc releases from this one on
//! rustc-below = "1.87"              # optional: only rustc releases before this one
//! busted = "check"                  # the phase that fails: build, link, check or run
//! flaky = false                     # true: failing and passing are both accepted
//! url = "https://github.com/llvm/llvm-project/issues/..."
//! reason = "why"
//! ```
//!
//! A function that fails as a rule says is an expected failure; one a rule names that
//! passes (unless flaky) is reported as fixed. Errors name the file and line.

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

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    case: String,
    target: Option<String>,
    toolchain: Option<String>,
    llvm_below: Option<String>,
    rustc_from: Option<String>,
    rustc_below: Option<String>,
    busted: Phase,
    #[serde(default)]
    flaky: bool,
    url: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    expect: Vec<RawRule>,
}

/// One rule, with the line it starts on.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rule {
    pub line: usize,
    pub case: String,
    pub target: Option<RuleTarget>,
    pub toolchain: Option<String>,
    pub llvm_below: Option<Version>,
    pub rustc_from: Option<Version>,
    pub rustc_below: Option<Version>,
    pub busted: Phase,
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
    pub fn applies(&self, id: &str, cx: &Context) -> bool {
        glob(&self.case, id)
            && self.target.is_none_or(|t| t == cx.target)
            && self.toolchain.as_deref().is_none_or(|g| glob(g, cx.release))
            && self.llvm_below.is_none_or(|below| cx.llvm.is_some_and(|have| have < below))
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

/// Read the rules of suite `suite`; a malformed file is an error naming its line.
pub fn parse(path: &Path, suite: &str, text: &str) -> Result<Vec<Rule>, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        Error::at(path, line, 1, e.message().trim().to_string())
    })?;
    // The line each `[[expect]]` table starts on, in order.
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[expect]]"))
        .map(|(i, _)| i + 1)
        .collect();
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
        let rustc_from = version("rustc-from", &r.rustc_from)?;
        let rustc_below = version("rustc-below", &r.rustc_below)?;
        out.push(Rule {
            line,
            case: r.case,
            target,
            toolchain: r.toolchain,
            llvm_below,
            rustc_from,
            rustc_below,
            busted: r.busted,
            flaky: r.flaky,
            url: r.url,
            reason: r.reason,
        });
    }
    Ok(out)
}

/// The first rule that applies to a function.
pub fn lookup<'r>(rules: &'r [Rule], id: &str, cx: &Context) -> Option<&'r Rule> {
    rules.iter().find(|r| r.applies(id, cx))
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
        let r = parse(Path::new("e.toml"), "abi", text).unwrap();
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
        assert!(
            suggestion("abi::p::f", Phase::Check, &new, "x \"y\"").contains("busted = \"check\"")
        );
        let text = "[[expect]]\ncase = \"abi::*\"\nbusted = \"run\"\nrustc-from = \"1.86\"\n";
        let r = parse(Path::new("e.toml"), "abi", text).unwrap();
        assert!(!r[0].applies("abi::p::f", &old) && r[0].applies("abi::p::f", &new));
        let nightly = Context { release: "1.86.0-nightly", ..new };
        assert!(r[0].applies("abi::p::f", &nightly));
        let below = text.replace("rustc-from", "rustc-below");
        let r = parse(Path::new("e.toml"), "abi", &below).unwrap();
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
}
