//! Reading a report back (`report.json`, or a `.jsonl` a run left behind) into what the
//! gate compares: each case's status, the findings that made it fail (normalized, so build
//! directories and addresses do not count as differences) and its stable facts — the thunk
//! each function got, what kind of image was linked.

use crate::error::Error;
use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub key: String,
    pub status: String,
    pub reason: Option<String>,
    pub fixture: String,
    pub line: u64,
    /// `rule [symbol]: message`, normalized.
    pub findings: BTreeSet<String>,
    /// Stable facts, each led by the rule family that looks at it (see [`object_facts`],
    /// [`image_facts`]).
    pub facts: BTreeSet<String>,
    /// The case record as the report has it (for repro bundles).
    #[serde(skip)]
    pub record: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoadedReport {
    pub source: String,
    /// rustc release and LLVM of the run.
    pub toolchain: String,
    /// How to name the toolchain to rerun a case with: its rustup name or rustc path.
    pub rerun: String,
    pub cases: BTreeMap<String, CaseView>,
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            // Either separator: a report written on Windows has `C:\…\build\<hash>\`.
            (r"\S*[/\\]build[/\\][0-9a-f]{32}[/\\]", ""),
            (r"rustc \d+\.\d+\.\d+(-[\w.]+)?", "rustc"),
            (r"0x[0-9a-fA-F]+", "0x_"),
            (r"\((\d+)\)", "(_)"),
        ]
        .into_iter()
        .filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, r)))
        .collect()
    })
}

/// A finding or message with run-specific parts (build directories, addresses, section
/// numbers) taken out.
pub fn normalize(s: &str) -> String {
    patterns()
        .iter()
        .fold(s.to_string(), |acc, (re, with)| re.replace_all(&acc, *with).into_owned())
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn case_view(c: &Value) -> CaseView {
    let mut findings = BTreeSet::new();
    let mut facts = BTreeSet::new();
    for p in c.get("phases").and_then(Value::as_array).into_iter().flatten() {
        for f in p.get("findings").and_then(Value::as_array).into_iter().flatten() {
            let sym = f
                .get("symbol")
                .and_then(Value::as_str)
                .map(|s| format!(" `{s}`"))
                .unwrap_or_default();
            findings.insert(normalize(&format!(
                "{}{sym}: {}",
                str_of(f, "rule"),
                str_of(f, "message")
            )));
        }
        for o in p.get("objects").and_then(Value::as_array).into_iter().flatten() {
            object_facts(o, &mut facts);
        }
        for i in p.get("images").and_then(Value::as_array).into_iter().flatten() {
            image_facts(i, &mut facts);
        }
    }
    if let Some(m) = c.get("matrix") {
        matrix_facts(m, &mut findings, &mut facts);
    }
    CaseView {
        key: str_of(c, "key"),
        status: str_of(c, "status"),
        reason: c.get("reason").and_then(Value::as_str).map(str::to_string),
        fixture: str_of(c, "fixture"),
        line: c.get("line").and_then(Value::as_u64).unwrap_or(1),
        findings,
        facts,
        record: c.clone(),
    }
}

fn strings<'v>(v: &'v Value, k: &str) -> impl Iterator<Item = &'v str> {
    v.get(k).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

/// Facts of one object, each led by the rule family that looks at it: the thunk each C-ABI
/// function got (`thunk.name`), each thunk's code fingerprint (`thunk.code`) and the
/// external symbols the object imports (`object.import`).
fn object_facts(o: &Value, facts: &mut BTreeSet<String>) {
    let at = object_label(&str_of(o, "file"));
    for t in o.get("thunks").and_then(Value::as_array).into_iter().flatten() {
        // C-ABI functions only: Rust symbols carry per-build hashes, and their thunks
        // follow the Rust convention the names do not describe.
        let symbol = str_of(t, "symbol");
        if crate::inspect::roles::is_rust_mangled(&symbol)
            || symbol.trim_start_matches('#') == "rust_begin_unwind"
        {
            continue;
        }
        let (kind, thunk) = (str_of(t, "kind"), str_of(t, "thunk"));
        facts.insert(format!("thunk.name {symbol} {kind} {thunk} in {at}"));
    }
    for t in o.get("thunk_code").and_then(Value::as_array).into_iter().flatten() {
        facts.insert(format!(
            "thunk.code {} {} ({} instructions) in {at}",
            str_of(t, "thunk"),
            str_of(t, "digest"),
            t.get("instructions").and_then(Value::as_u64).unwrap_or(0)
        ));
    }
    for s in strings(o, "imports") {
        facts.insert(format!("object.import {s} in {at}"));
    }
}

/// An object's name without what differs between builds: the build directory and the
/// hashes in codegen-unit and crate file names (`foo.a1b2c3d4e5f6a7b8-cgu.0.rcgu.o`).
fn object_label(file: &str) -> String {
    static HASH: OnceLock<Option<Regex>> = OnceLock::new();
    let name = match file.rfind(['/', '\\']) {
        // An archive member keeps its archive's name: `lib.rlib(member.o)`.
        Some(i) if !file[i..].contains('(') && file.contains('(') => {
            let open = file.find('(').unwrap_or(0);
            let archive = file[..open].rsplit(['/', '\\']).next().unwrap_or("");
            format!("{archive}{}", &file[open..])
        }
        Some(i) => file[i + 1..].to_string(),
        None => file.to_string(),
    };
    match HASH.get_or_init(|| Regex::new(r"[0-9a-f]{8,}").ok()) {
        Some(re) => re.replace_all(&name, "_").into_owned(),
        None => name,
    }
}

/// An ABI matrix pairing: each unexpected failure is a finding (`matrix.<phase>`), each
/// expected failure and each skipped function a fact.
fn matrix_facts(m: &Value, findings: &mut BTreeSet<String>, facts: &mut BTreeSet<String>) {
    for f in m.get("failures").and_then(Value::as_array).into_iter().flatten() {
        let (func, phase) = (str_of(f, "function"), str_of(f, "phase"));
        if f.get("expected").is_some() {
            facts.insert(format!("matrix.expected {func} fails at {phase}"));
        } else {
            let first = f.get("problems").and_then(|p| p.get(0)).and_then(Value::as_str);
            findings
                .insert(normalize(&format!("matrix.{phase} `{func}`: {}", first.unwrap_or(""))));
        }
    }
    for s in m.get("skipped").and_then(Value::as_array).into_iter().flatten() {
        facts.insert(format!("matrix.skipped {}", str_of(s, "function")));
    }
}

/// Facts of one linked image: its view, CHPE version, the kinds of code its code map
/// holds, what it exports and imports.
fn image_facts(i: &Value, facts: &mut BTreeSet<String>) {
    let kinds: Vec<&str> =
        strings(i, "code_map").filter_map(|r| r.split_whitespace().next()).collect();
    let file = str_of(i, "file");
    // By either separator: the report may come from a host of the other kind (a Windows
    // job's report read on Linux).
    let file = file.rsplit(['/', '\\']).next().unwrap_or(&file).to_string();
    let view = str_of(i, "view");
    let at = format!("{file} ({view})");
    let chpe = i.get("chpe_version").cloned().unwrap_or(Value::Null);
    facts.insert(format!("image.chpe {at} version {chpe}"));
    facts.insert(format!("image.code-map {at} kinds {}", kinds.join(",")));
    for e in strings(i, "export_names") {
        facts.insert(format!("image.export {at} {e}"));
    }
    for e in strings(i, "import_names") {
        facts.insert(format!("image.import {at} {e}"));
    }
}

fn toolchain_of(header: &Value) -> String {
    let r = &header["fingerprint"]["rustc"];
    format!(
        "rustc {} (LLVM {})",
        str_of(r, "release"),
        r.get("llvm").and_then(Value::as_str).unwrap_or("?")
    )
}

fn rerun_of(header: &Value) -> String {
    let r = &header["fingerprint"]["rustc"];
    r.get("rustup_name")
        .and_then(Value::as_str)
        .or_else(|| r.get("path").and_then(Value::as_str))
        .unwrap_or("stable")
        .to_string()
}

/// The header and case records of `report.json` or a `.jsonl` report, as JSON; errors name
/// the file and what is wrong.
pub fn read_records(path: &Path) -> Result<(Value, Vec<Value>), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "read the report", &e))?;
    if path.extension().is_some_and(|e| e == "jsonl") {
        let mut header = Value::Null;
        let mut cases = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).map_err(|e| {
                Error::at(path, i + 1, e.column(), format!("not a JSON record: {e}"))
            })?;
            match v.get("type").and_then(Value::as_str) {
                Some("header") => header = v,
                Some("case") => cases.push(v),
                _ => return Err(Error::at(path, i + 1, 1, "a record of unknown type")),
            }
        }
        return Ok((header, cases));
    }
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Error::at(path, e.line(), e.column(), format!("not a JSON report: {e}")))?;
    let cases = v.get("cases").and_then(Value::as_array).cloned().ok_or_else(|| {
        Error::at_file(
            path,
            "not a harness report: no `cases` array (expected report.json of `harness run`)",
        )
    })?;
    Ok((v.get("header").cloned().unwrap_or(Value::Null), cases))
}

/// Read a report for comparing.
pub fn load(path: &Path) -> Result<LoadedReport, Error> {
    let (header, cases) = read_records(path)?;
    let mut out = BTreeMap::new();
    for c in &cases {
        let view = case_view(c);
        if view.key.is_empty() {
            return Err(Error::at_file(path, "a case record without a key"));
        }
        out.insert(view.key.clone(), view);
    }
    Ok(LoadedReport {
        source: path.display().to_string(),
        toolchain: toolchain_of(&header),
        rerun: rerun_of(&header),
        cases: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_labels_leave_out_build_specific_parts() {
        assert_eq!(object_label("/h/build/0123456789abcdef0123456789abcdef/sig.o"), "sig.o");
        assert_eq!(
            object_label(
                "/h/build/00ff00ff00ff00ff00ff00ff00ff00ff/libx.rlib(x.x.4f2a9c1d77e0b3a1-cgu.0.rcgu.o)"
            ),
            "libx.rlib(x.x._-cgu.0.rcgu.o)"
        );
    }

    #[test]
    fn image_facts_name_the_image_alone_whichever_host_wrote_the_report() {
        for file in [r"Z:\h\build\0123\x.dll", "/h/build/0123/x.dll"] {
            let mut facts = BTreeSet::new();
            let image = serde_json::json!({"file": file, "view": "plain", "export_names": ["add"]});
            image_facts(&image, &mut facts);
            assert!(facts.contains("image.export x.dll (plain) add"), "{facts:?}");
        }
    }

    #[test]
    fn normalizing_hides_run_specific_parts() {
        let a =
            "[image.pdata] /h/build/0123456789abcdef0123456789abcdef/x.dll .text (4)+0x1c: at 0x1c";
        assert_eq!(normalize(a), "[image.pdata] x.dll .text (_)+0x_: at 0x_");
        let windows =
            r"[ec.mangling] Z:\h\build\0123456789abcdef0123456789abcdef\naked.o .text (5)+0x0";
        assert_eq!(normalize(windows), "[ec.mangling] naked.o .text (_)+0x_");
    }
}
