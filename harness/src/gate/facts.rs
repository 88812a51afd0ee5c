//! What the gate compares of a case: its findings and its stable facts, each built once
//! from the typed report records with what differs between builds of the same source taken
//! out — build directories, hashes in object names, addresses, section numbers, the rustc
//! release — so that only real differences remain. Both order as their text, the order
//! `regressions.json` lists them in.

use crate::check;
use crate::inspect::ObjectFacts;
use crate::matrix::expect::Phase;
use crate::matrix::summary::Summary as Matrix;
use crate::report::ImageFacts;
use regex::Regex;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

/// A linked image as facts name it: its file name and its view (`a.dll (arm64_ec)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageAt {
    pub file: String,
    pub view: String,
}

impl fmt::Display for ImageAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.file, self.view)
    }
}

/// One stable fact of a case, named by the rule family that looks at it.
#[derive(Clone, Debug)]
pub enum Fact {
    /// `thunk.name`: the thunk a C-ABI function got in an object.
    ThunkName { function: String, kind: String, thunk: String, object: String },
    /// `thunk.code`: the fingerprint of a thunk's code in an object.
    ThunkCode { thunk: String, digest: String, instructions: usize, object: String },
    /// `object.import`: an external symbol an object refers to.
    ObjectImport { symbol: String, object: String },
    /// `image.chpe`: an image's CHPE version (none for a plain image).
    ImageChpe { image: ImageAt, version: Option<u32> },
    /// `image.code-map`: the kinds of code an image's code map holds, in map order.
    CodeMapKinds { image: ImageAt, kinds: Vec<String> },
    /// `image.export`: an exported name (`name -> target` when forwarded).
    ImageExport { image: ImageAt, export: String },
    /// `image.import`: an imported `dll!name` (`(delay)` when delay-loaded).
    ImageImport { image: ImageAt, import: String },
    /// `matrix.expected`: a function of an ABI matrix pairing declared to fail at a phase.
    MatrixExpected { function: String, phase: Phase },
    /// `matrix.skipped`: a function left out of a pairing.
    MatrixSkipped { function: String },
}

impl Fact {
    /// The rule family that looks at the fact.
    pub fn rule(&self) -> &'static str {
        match self {
            Fact::ThunkName { .. } => "thunk.name",
            Fact::ThunkCode { .. } => "thunk.code",
            Fact::ObjectImport { .. } => "object.import",
            Fact::ImageChpe { .. } => "image.chpe",
            Fact::CodeMapKinds { .. } => "image.code-map",
            Fact::ImageExport { .. } => "image.export",
            Fact::ImageImport { .. } => "image.import",
            Fact::MatrixExpected { .. } => "matrix.expected",
            Fact::MatrixSkipped { .. } => "matrix.skipped",
        }
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.rule();
        match self {
            Fact::ThunkName { function, kind, thunk, object } => {
                write!(f, "{rule} {function} {kind} {thunk} in {object}")
            }
            Fact::ThunkCode { thunk, digest, instructions, object } => {
                write!(f, "{rule} {thunk} {digest} ({instructions} instructions) in {object}")
            }
            Fact::ObjectImport { symbol, object } => write!(f, "{rule} {symbol} in {object}"),
            Fact::ImageChpe { image, version: Some(v) } => write!(f, "{rule} {image} version {v}"),
            Fact::ImageChpe { image, version: None } => write!(f, "{rule} {image} version null"),
            Fact::CodeMapKinds { image, kinds } => {
                write!(f, "{rule} {image} kinds {}", kinds.join(","))
            }
            Fact::ImageExport { image, export } => write!(f, "{rule} {image} {export}"),
            Fact::ImageImport { image, import } => write!(f, "{rule} {image} {import}"),
            Fact::MatrixExpected { function, phase } => {
                write!(f, "{rule} {function} fails at {}", phase.name())
            }
            Fact::MatrixSkipped { function } => write!(f, "{rule} {function}"),
        }
    }
}

/// Ordered (and so equal) as their text.
macro_rules! by_text {
    ($t:ty) => {
        impl Ord for $t {
            fn cmp(&self, other: &Self) -> Ordering {
                self.to_string().cmp(&other.to_string())
            }
        }
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }
        impl Eq for $t {}
    };
}

by_text!(Fact);
by_text!(Found);

/// A finding as the gate compares it: its rule, its symbol and its message, normalized.
#[derive(Clone, Debug)]
pub struct Found {
    pub rule: String,
    pub symbol: Option<String>,
    pub message: String,
}

impl Found {
    pub fn new(rule: &str, symbol: Option<&str>, message: &str) -> Found {
        Found { rule: normalize(rule), symbol: symbol.map(normalize), message: normalize(message) }
    }

    /// The name the finding is about: its symbol, else the first name its message quotes.
    pub fn subject(&self) -> Option<&str> {
        self.symbol.as_deref().or_else(|| self.message.split('`').nth(1))
    }
}

impl From<&check::Finding> for Found {
    fn from(f: &check::Finding) -> Found {
        Found::new(&f.rule, f.symbol.as_deref(), &f.message)
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.symbol {
            Some(s) => write!(f, "{} `{s}`: {}", self.rule, self.message),
            None => write!(f, "{}: {}", self.rule, self.message),
        }
    }
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

/// A finding's text with run-specific parts (build directories, the rustc release,
/// addresses, section numbers) taken out.
pub fn normalize(s: &str) -> String {
    patterns()
        .iter()
        .fold(s.to_string(), |acc, (re, with)| re.replace_all(&acc, *with).into_owned())
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

/// The facts of one object: the thunk each C-ABI function got, each thunk's code and the
/// external symbols it imports.
pub fn object_facts(o: &ObjectFacts, facts: &mut BTreeSet<Fact>) {
    let object = object_label(&o.file);
    for t in &o.thunks {
        // C-ABI functions only: Rust symbols carry per-build hashes, and their thunks
        // follow the Rust convention the names do not describe.
        if crate::inspect::roles::is_rust_mangled(&t.symbol)
            || t.symbol.trim_start_matches('#') == "rust_begin_unwind"
        {
            continue;
        }
        facts.insert(Fact::ThunkName {
            function: t.symbol.clone(),
            kind: t.kind.clone(),
            thunk: t.thunk.clone(),
            object: object.clone(),
        });
    }
    for t in &o.thunk_code {
        facts.insert(Fact::ThunkCode {
            thunk: t.thunk.clone(),
            digest: t.digest.clone(),
            instructions: t.instructions,
            object: object.clone(),
        });
    }
    for s in &o.imports {
        facts.insert(Fact::ObjectImport { symbol: s.clone(), object: object.clone() });
    }
}

/// The facts of one linked image: its CHPE version, the kinds of code its code map holds,
/// what it exports and imports.
pub fn image_facts(i: &ImageFacts, facts: &mut BTreeSet<Fact>) {
    // By either separator: the report may come from a host of the other kind (a Windows
    // job's report read on Linux).
    let file = i.file.rsplit(['/', '\\']).next().unwrap_or(&i.file).to_string();
    let view = serde_json::to_value(i.view)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let image = ImageAt { file, view };
    let kinds = i.code_map.iter().filter_map(|r| r.split_whitespace().next());
    facts.insert(Fact::ImageChpe { image: image.clone(), version: i.chpe_version });
    facts.insert(Fact::CodeMapKinds {
        image: image.clone(),
        kinds: kinds.map(str::to_string).collect(),
    });
    for e in &i.export_names {
        facts.insert(Fact::ImageExport { image: image.clone(), export: e.clone() });
    }
    for e in &i.import_names {
        facts.insert(Fact::ImageImport { image: image.clone(), import: e.clone() });
    }
}

/// An ABI matrix pairing: each unexpected failure is a finding (`matrix.<phase>`, with its
/// first problem), each expected failure and each skipped function a fact.
pub fn matrix_facts(m: &Matrix, findings: &mut BTreeSet<Found>, facts: &mut BTreeSet<Fact>) {
    for f in &m.failures {
        if f.expected.is_some() {
            facts.insert(Fact::MatrixExpected { function: f.function.clone(), phase: f.phase });
        } else {
            let rule = format!("matrix.{}", f.phase.name());
            let first = f.problems.first().map(String::as_str).unwrap_or("");
            findings.insert(Found::new(&rule, Some(&f.function), first));
        }
    }
    for s in &m.skipped {
        facts.insert(Fact::MatrixSkipped { function: s.function.clone() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_written_on_windows_normalizes_like_a_linux_one() {
        let windows =
            r"[ec.mangling] Z:\h\build\0123456789abcdef0123456789abcdef\naked.o .text (5)+0x0";
        assert_eq!(normalize(windows), "[ec.mangling] naked.o .text (_)+0x_");
    }

    #[test]
    fn what_differs_between_builds_is_taken_out_once() {
        let a = Found::new(
            "coff.section",
            Some("#f"),
            "/h/build/0123456789abcdef0123456789abcdef/a.o: section (3) at 0x1f0, rustc 1.95.0",
        );
        let b = Found::new(
            "coff.section",
            Some("#f"),
            "/x/build/fedcba9876543210fedcba9876543210/a.o: section (7) at 0x2a0, rustc 1.85.0",
        );
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "coff.section `#f`: a.o: section (_) at 0x_, rustc");
        let other = Found::new("coff.section", Some("#g"), "a.o: section (3)");
        assert_ne!(a, other);
        assert_eq!(object_label("/b/x/foo.0123abcd4567ef89-cgu.0.rcgu.o"), "foo._-cgu.0.rcgu.o");
        assert_eq!(object_label("/b/x/libm.rlib(m.o)"), "libm.rlib(m.o)");
        let fact = Fact::ThunkCode {
            thunk: "$ientry_thunk$cdecl$v$v".into(),
            digest: "00".into(),
            instructions: 3,
            object: "a.o".into(),
        };
        assert_eq!(
            fact.to_string(),
            "thunk.code $ientry_thunk$cdecl$v$v 00 (3 instructions) in a.o"
        );
        assert_eq!(fact.rule(), "thunk.code");
    }
}
