//! The value parsers the directive table points at: one function per directive, each
//! turning `//@ name: value` into an [`Item`] or an error placed at the name or the value.

use super::super::conditions::{CfgPred, Condition, KNOWN_BARE, Polarity};
use super::super::kinds::{CrateType, ImageKind, LinkMachine, Need};
use super::item::Item;
use super::suggest;
use crate::abi::Signature;
use crate::discover::config::{ExpectedFinding, FindingSubjects};
use crate::model::{Target, Tier, Version};
use std::time::Duration;

/// Where a value error points.
pub enum ItemError {
    /// At the directive's name.
    Name(String),
    /// At the start of the value.
    Value(String),
    /// At a byte offset inside the value.
    ValueAt(usize, String),
}

pub type Parsed = Result<Item, ItemError>;

/// The directive being parsed: its name as written and its value, if any.
pub struct Ctx<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
}

impl Ctx<'_> {
    fn need(&self, example: &str) -> Result<&str, ItemError> {
        match self.value {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ItemError::Value(format!(
                "`{n}` needs a value: `//@ {n}: {example}`",
                n = self.name
            ))),
        }
    }

    fn none(&self, item: Item) -> Parsed {
        match self.value {
            None => Ok(item),
            Some(v) => {
                Err(ItemError::Value(format!("`{}` takes no value, found `{v}`", self.name)))
            }
        }
    }

    fn words(&self, example: &str) -> Result<Vec<String>, ItemError> {
        Ok(self.need(example)?.split_whitespace().map(String::from).collect())
    }

    fn one_of(&self, example: &str, options: &[&str]) -> Result<String, ItemError> {
        let v = self.need(example)?;
        if options.contains(&v) {
            return Ok(v.to_string());
        }
        Err(ItemError::Value(format!(
            "unknown {} `{v}`; expected one of: {}",
            self.name,
            options.join(", ")
        )))
    }

    fn version(&self, example: &str) -> Result<Version, ItemError> {
        let v = self.need(example)?;
        Version::parse(v).ok_or_else(|| {
            ItemError::Value(format!("malformed version `{v}`: expected `MAJOR[.MINOR[.PATCH]]`"))
        })
    }

    /// `file.c = triple`.
    fn file_and_target(&self, example: &str) -> Result<(String, String), ItemError> {
        let v = self.need(example)?;
        let Some((file, triple)) = v.split_once('=') else {
            return Err(ItemError::Value(format!(
                "`{}` is `file.c = triple`, found `{v}`",
                self.name
            )));
        };
        Ok((file.trim().to_string(), triple.trim().to_string()))
    }
}

fn windows_triples() -> Vec<&'static str> {
    Target::WINDOWS.iter().filter_map(|t| t.triple()).collect()
}

fn target(triple: &str) -> Result<Target, ItemError> {
    Target::parse(triple).ok_or_else(|| {
        ItemError::Value(format!(
            "unknown target `{triple}`; expected one of: {}",
            windows_triples().join(", ")
        ))
    })
}

fn is_rev_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn revisions(c: &Ctx) -> Parsed {
    let revs = c.words("a b c")?;
    let mut seen = std::collections::BTreeSet::new();
    for r in &revs {
        if !is_rev_name(r) {
            return Err(ItemError::Value(format!(
                "malformed revision name `{r}`: use letters, digits, `_` and `-`"
            )));
        }
        if !seen.insert(r) {
            return Err(ItemError::Value(format!("revision `{r}` is declared twice")));
        }
    }
    Ok(Item::Revisions(revs))
}

pub fn compile_flags(c: &Ctx) -> Parsed {
    Ok(Item::CompileFlags(c.words("-C opt-level=1")?))
}

pub fn cflags(c: &Ctx) -> Parsed {
    Ok(Item::CFlags(c.words("/O1")?))
}

pub fn link_args(c: &Ctx) -> Parsed {
    Ok(Item::LinkArgs(c.words("/noentry")?))
}

pub fn crate_type(c: &Ctx) -> Parsed {
    let names: Vec<_> = CrateType::ALL.iter().map(|t| t.name()).collect();
    let v = c.one_of("rlib", &names)?;
    Ok(Item::CrateType(
        CrateType::ALL.into_iter().find(|t| t.name() == v).unwrap_or(CrateType::Rlib),
    ))
}

pub fn edition(c: &Ctx) -> Parsed {
    Ok(Item::Edition(c.one_of("2021", &["2015", "2018", "2021", "2024"])?))
}

pub fn tier(c: &Ctx) -> Parsed {
    let v = c.one_of("static", &["static", "link", "run"])?;
    Ok(Item::Tier(Tier::parse(&v).unwrap_or(Tier::Static)))
}

pub fn target_triple(c: &Ctx) -> Parsed {
    let v = c.one_of("arm64ec-pc-windows-msvc", &windows_triples())?;
    Ok(Item::Target(Target::parse(&v).unwrap_or(Target::Arm64ec)))
}

pub fn min_llvm(c: &Ctx) -> Parsed {
    Ok(Item::MinLlvm(c.version("18.1.2")?))
}

pub fn min_rust(c: &Ctx) -> Parsed {
    Ok(Item::MinRust(c.version("1.88")?))
}

pub fn known_bug(c: &Ctx) -> Parsed {
    let v = c.need("https://github.com/rust-lang/rust/issues/NNNNN")?;
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && !v.contains(char::is_whitespace)
        && v.split_once("://").is_some_and(|(_, rest)| rest.contains('.'));
    if !ok {
        return Err(ItemError::Value(format!("`known-bug` needs an upstream URL, found `{v}`")));
    }
    Ok(Item::KnownBug(v.to_string()))
}

pub fn timeout(c: &Ctx) -> Parsed {
    let v = c.need("30s")?;
    parse_duration(v).map(Item::Timeout).ok_or_else(|| {
        ItemError::Value(format!(
            "malformed timeout `{v}`: expected seconds such as `30`, `30s` or `2m`"
        ))
    })
}

fn parse_duration(v: &str) -> Option<Duration> {
    let (num, mult) = if let Some(n) = v.strip_suffix('m') {
        (n, 60)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1)
    } else {
        (v, 1)
    };
    let secs: u64 = num.trim().parse().ok()?;
    (secs > 0 && secs <= 24 * 3600 / mult).then(|| Duration::from_secs(secs * mult))
}

pub fn exit_code(c: &Ctx) -> Parsed {
    let v = c.need("0")?;
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok().map(|u| u as i32),
        None => v.parse().ok(),
    };
    parsed.map(Item::ExitCode).ok_or_else(|| {
        ItemError::Value(format!(
            "malformed exit code `{v}`: a decimal number or `0x` and hex digits"
        ))
    })
}

pub fn host_control(c: &Ctx) -> Parsed {
    c.none(Item::HostControl)
}

pub fn wine_control(c: &Ctx) -> Parsed {
    c.none(Item::WineControl)
}

pub fn run_pass(c: &Ctx) -> Parsed {
    c.none(Item::RunPass)
}

pub fn run_fail(c: &Ctx) -> Parsed {
    c.none(Item::RunFail)
}

pub fn check_run_output(c: &Ctx) -> Parsed {
    c.none(Item::CheckRunOutput)
}

pub fn build_fail(c: &Ctx) -> Parsed {
    c.none(Item::BuildFail)
}

pub fn sig(c: &Ctx) -> Parsed {
    let v = c.need("name = fn(i32) -> i32")?;
    let Some((fname, text)) = v.split_once('=') else {
        return Err(ItemError::Value(format!("`sig` is `name = fn(...)`, found `{v}`")));
    };
    let fname = fname.trim();
    if fname.is_empty() || fname.contains(char::is_whitespace) {
        return Err(ItemError::Value(format!(
            "`sig` needs a function name before `=`, found `{fname}`"
        )));
    }
    let sig_text = text.trim();
    let base = v.len() - text.len() + (text.len() - text.trim_start().len());
    let parsed = Signature::parse(sig_text).map_err(|e| {
        let at = sig_text.char_indices().nth(e.column - 1).map_or(sig_text.len(), |(i, _)| i);
        ItemError::ValueAt(base + at, format!("malformed signature for `{fname}`: {}", e.message))
    })?;
    Ok(Item::Sig(fname.to_string(), parsed))
}

pub fn expect_finding(c: &Ctx) -> Parsed {
    let text = c.need("thunk.code[$ientry_thunk$cdecl$m3$v] ec.mangling*2")?;
    let mut items = Vec::new();
    for (at, word) in words_at(text) {
        let item = expected_finding(word).map_err(|m| ItemError::ValueAt(at, m))?;
        if items.iter().any(|e: &ExpectedFinding| e.rule == item.rule) {
            return Err(ItemError::ValueAt(at, format!("`{}` is declared twice", item.rule)));
        }
        items.push(item);
    }
    Ok(Item::ExpectFinding(items))
}

/// Each whitespace-separated word of `text` with its byte offset.
fn words_at(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace().map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// `rule`, `rule*N` or `rule[subject,…]`, the rule a registered one.
fn expected_finding(word: &str) -> Result<ExpectedFinding, String> {
    let cut = word.find(['[', '*']).unwrap_or(word.len());
    let (rule, rest) = word.split_at(cut);
    if crate::check::rules::get(rule).is_none() {
        let hint = crate::check::rules::closest(rule)
            .map(|r| format!("; did you mean `{r}`?"))
            .unwrap_or_else(|| "; `harness rules` lists them".into());
        return Err(format!("`{rule}` is not a rule id{hint}"));
    }
    let subjects = if rest.is_empty() {
        FindingSubjects::Count(1)
    } else if let Some(n) = rest.strip_prefix('*') {
        match n.parse::<usize>() {
            Ok(n) if n > 0 => FindingSubjects::Count(n),
            _ => return Err(format!("`{word}`: after `*` comes a count of findings (1 or more)")),
        }
    } else {
        let inner = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
        let names: Vec<String> =
            inner.map(|i| i.split(',').map(|s| s.trim().to_string()).collect()).unwrap_or_default();
        if names.is_empty() || names.iter().any(String::is_empty) {
            return Err(format!(
                "`{word}`: subjects are written `{rule}[symbol,symbol]`, none empty"
            ));
        }
        FindingSubjects::Named(names)
    };
    Ok(ExpectedFinding { rule: rule.to_string(), subjects })
}

pub fn known_deviation(c: &Ctx) -> Parsed {
    let v = c.need("what deviates from the ABI, and why no issue is linked")?;
    if v.len() < 20 {
        return Err(ItemError::Value(
            "`known-deviation` needs a sentence saying what deviates".into(),
        ));
    }
    Ok(Item::KnownDeviation(v.to_string()))
}

pub fn link(c: &Ctx) -> Parsed {
    let v = c.one_of("dll", &["dll", "exe"])?;
    Ok(Item::Link(if v == "exe" { ImageKind::Exe } else { ImageKind::Dll }))
}

pub fn link_machine(c: &Ctx) -> Parsed {
    let v = c.one_of("arm64ec", &["arm64ec", "arm64x"])?;
    Ok(Item::LinkMachine(if v == "arm64x" { LinkMachine::Arm64x } else { LinkMachine::Arm64ec }))
}

pub fn also_target(c: &Ctx) -> Parsed {
    let targets: Result<Vec<_>, _> =
        c.words("x86_64-pc-windows-msvc")?.iter().map(|w| target(w)).collect();
    Ok(Item::AlsoTarget(targets?))
}

pub fn c_target(c: &Ctx) -> Parsed {
    let (file, triple) = c.file_and_target("helper.c = x86_64-pc-windows-msvc")?;
    let t = target(&triple)?;
    if file.is_empty() || !(file.ends_with(".c") || file.ends_with(".cpp")) {
        return Err(ItemError::Value(format!(
            "`c-target` names a C or C++ source of the case, found `{file}`"
        )));
    }
    Ok(Item::CTarget(file, t))
}

pub fn aux_dll(c: &Ctx) -> Parsed {
    let (file, triple) = c.file_and_target("plugin.c = x86_64-pc-windows-msvc")?;
    let t = match Target::parse(&triple) {
        Some(t @ (Target::X64 | Target::Aarch64)) => t,
        _ => {
            return Err(ItemError::Value(format!(
                "an auxiliary DLL is x64 or ARM64 code: `x86_64-pc-windows-msvc` or \
                 `aarch64-pc-windows-msvc`, found `{triple}`"
            )));
        }
    };
    if !file.ends_with(".c") {
        return Err(ItemError::Value(format!(
            "`aux-dll` names a C source of the case, found `{file}`"
        )));
    }
    Ok(Item::AuxDll(file, t))
}

pub fn entry(c: &Ctx) -> Parsed {
    let v = c.need("mainCRTStartup")?;
    if v.contains(char::is_whitespace) {
        return Err(ItemError::Value(format!("an entry point is one symbol name, found `{v}`")));
    }
    Ok(Item::Entry(v.to_string()))
}

fn cfg_condition(c: &Ctx, polarity: Polarity) -> Parsed {
    let pred =
        CfgPred::parse_cfg(c.need("target_feature = \"neon\"")?).map_err(ItemError::Value)?;
    Ok(Item::Condition(Condition { polarity, pred, reason: None, line: 0 }))
}

pub fn only_cfg(c: &Ctx) -> Parsed {
    cfg_condition(c, Polarity::Only)
}

pub fn ignore_cfg(c: &Ctx) -> Parsed {
    cfg_condition(c, Polarity::Ignore)
}

/// `only-<cond>` / `ignore-<cond>`: `cond` is a bare cfg value of the target.
fn bare_condition(c: &Ctx, prefix: &str, polarity: Polarity) -> Parsed {
    let cond = c.name.strip_prefix(prefix).unwrap_or_default();
    if !KNOWN_BARE.contains(&cond) {
        return Err(ItemError::Name(format!(
            "unknown condition `{cond}` in `{}`; known conditions: {} (or `only-cfg: name = \
             \"value\"` for any cfg){}",
            c.name,
            KNOWN_BARE.join(", "),
            suggest::did_you_mean(cond, KNOWN_BARE.iter().copied())
                .map(|s| format!("; did you mean `{prefix}{s}`?"))
                .unwrap_or_default()
        )));
    }
    let reason = c.value.filter(|v| !v.is_empty()).map(String::from);
    Ok(Item::Condition(Condition { polarity, pred: CfgPred::Bare(cond.into()), reason, line: 0 }))
}

pub fn only_bare(c: &Ctx) -> Parsed {
    bare_condition(c, "only-", Polarity::Only)
}

pub fn ignore_bare(c: &Ctx) -> Parsed {
    bare_condition(c, "ignore-", Polarity::Ignore)
}

pub fn needs(c: &Ctx) -> Parsed {
    let cap = c.name.strip_prefix("needs-").unwrap_or_default();
    let Some(n) = Need::ALL.into_iter().find(|n| n.name() == cap) else {
        let known: Vec<_> = Need::ALL.iter().map(|n| format!("needs-{}", n.name())).collect();
        return Err(ItemError::Name(format!(
            "unknown capability `{}`; known: {}{}",
            c.name,
            known.join(", "),
            suggest::did_you_mean(c.name, known.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default()
        )));
    };
    c.none(Item::Needs(n))
}
