//! Discovery: walk a suite root deterministically and turn fixture files into cases.
//!
//! Layout: `<root>/<suite>/<case>.{rs,c,cpp}` is a single-file case;
//! `<root>/<suite>/<case>/` holding sources is a directory case whose directives live in its
//! primary source (`main.rs`, `lib.rs`, the only `.rs`, `main.c`/`main.cpp`, or the only C
//! file). Directories named `auxiliary` and hidden entries are skipped. A suite directory
//! with an `abi.toml` is an ABI matrix suite: one case per pairing ([`crate::matrix`]).

pub mod annotations;
pub mod conditions;
pub mod config;
mod consistency;
pub mod directives;
mod images;
pub mod kinds;

pub use config::{CaseConfig, ExitExpect, ExpectedFinding, FindingSubjects};
pub use directives::{CrateType, Directive, ImageKind, LinkMachine, Need};
pub use kinds::Control;

use crate::error::{Error, Result};
use crate::model::{CaseKey, Tier};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Source language of a fixture file, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Rust,
    C,
    Cpp,
}

impl Lang {
    pub fn from_path(p: &Path) -> Option<Lang> {
        match p.extension()?.to_str()? {
            "rs" => Some(Lang::Rust),
            "c" => Some(Lang::C),
            "cpp" | "cc" | "cxx" => Some(Lang::Cpp),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Source {
    pub path: PathBuf,
    /// Path relative to the case directory (or the file name for a single-file case).
    pub rel: PathBuf,
    pub lang: Lang,
}

/// A case as written: its files and directives.
#[derive(Debug)]
pub struct CaseSpec {
    pub suite: String,
    pub name: String,
    /// The fixture file, or the directory of a directory case.
    pub path: PathBuf,
    /// The file whose directives define the case.
    pub primary: PathBuf,
    pub sources: Vec<Source>,
    pub directives: Vec<Directive>,
    /// Expected diagnostics (`//~ ERROR ...`) of the primary source.
    pub annotations: Vec<annotations::Annotation>,
}

impl CaseSpec {
    pub fn has(&self, lang: Lang) -> bool {
        self.sources.iter().any(|s| s.lang == lang)
    }

    /// The Rust crate root, if the case has Rust sources.
    pub fn rust_root(&self) -> Option<&Source> {
        let rust: Vec<_> = self.sources.iter().filter(|s| s.lang == Lang::Rust).collect();
        ["main.rs", "lib.rs"]
            .iter()
            .find_map(|n| rust.iter().find(|s| s.rel == Path::new(n)).copied())
            .or_else(|| rust.first().copied())
    }
}

/// One trial's worth of a case: a revision, and optionally a pairing (`host` for controls).
#[derive(Clone, Debug)]
pub struct Variant {
    pub key: CaseKey,
    pub spec: Arc<CaseSpec>,
    pub revision: Option<String>,
    pub config: CaseConfig,
    /// For a control pairing (`::host`, `::wine`), which one; `None` for the case itself.
    pub control: Option<Control>,
}

impl Variant {
    /// Which control this is, `None` for the case itself.
    pub fn control(&self) -> Option<Control> {
        self.control
    }

    /// Whether this is the `::host` control.
    pub fn is_host_control(&self) -> bool {
        self.control == Some(Control::Host)
    }

    /// Whether this is the `::wine` control.
    pub fn is_wine_control(&self) -> bool {
        self.control == Some(Control::Wine)
    }
}

/// A suite file that could not be turned into a case; still one trial, which fails.
#[derive(Clone, Debug)]
pub struct BrokenCase {
    pub key: CaseKey,
    pub path: PathBuf,
    pub errors: Vec<Error>,
}

#[derive(Clone, Debug)]
pub enum Discovered {
    Variant(Box<Variant>),
    /// A pairing of the ABI matrix.
    Matrix(Box<crate::matrix::suite::MatrixCase>),
    Broken(BrokenCase),
}

impl Discovered {
    pub fn key(&self) -> &CaseKey {
        match self {
            Discovered::Variant(v) => &v.key,
            Discovered::Matrix(m) => &m.key,
            Discovered::Broken(b) => &b.key,
        }
    }

    /// The file that defines the case (the fixture, `abi.toml`, or the broken file).
    pub fn path(&self) -> &Path {
        match self {
            Discovered::Variant(v) => &v.spec.primary,
            Discovered::Matrix(m) => &m.config,
            Discovered::Broken(b) => &b.path,
        }
    }

    pub fn tier(&self) -> Option<Tier> {
        match self {
            Discovered::Variant(v) => {
                Some(if v.control().is_some() { Tier::Run } else { v.config.tier })
            }
            Discovered::Matrix(m) => {
                Some(if m.pairing.is_control() { Tier::Run } else { Tier::Link })
            }
            Discovered::Broken(_) => None,
        }
    }
}

fn is_hidden(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Discover every case under `root`, in a deterministic order (sorted by path).
pub fn discover(root: &Path) -> Result<Vec<Discovered>> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, "read the suite root", &e))?;
    if !meta.is_dir() {
        return Err(Error::at_file(root, "the suite root is not a directory"));
    }
    let mut out = Vec::new();
    let mut seen: Vec<(CaseKey, PathBuf)> = Vec::new();
    for suite in sorted_entries(root)? {
        if !suite.is_dir() || is_hidden(&suite) {
            continue;
        }
        let suite_name = file_name(&suite);
        if !valid_name(&suite_name) {
            let key = CaseKey::new(&suite_name, "-");
            out.push(Discovered::Broken(BrokenCase {
                key,
                path: suite.clone(),
                errors: vec![Error::at_file(
                    &suite,
                    "a suite name uses letters, digits, `_`, `-` and `.`",
                )],
            }));
            continue;
        }
        if crate::matrix::suite::is_matrix_suite(&suite) {
            match crate::matrix::suite::load(&suite_name, &suite) {
                Ok(cases) => out.extend(cases.into_iter().map(|c| Discovered::Matrix(Box::new(c)))),
                Err(errors) => out.push(Discovered::Broken(BrokenCase {
                    key: CaseKey::new(&suite_name, "abi.toml"),
                    path: suite.join(crate::matrix::suite::CONFIG),
                    errors,
                })),
            }
            continue;
        }
        for entry in sorted_entries(&suite)? {
            if is_hidden(&entry) || file_name(&entry) == "auxiliary" {
                continue;
            }
            let is_dir = entry.is_dir();
            if !is_dir && Lang::from_path(&entry).is_none() {
                continue; // expectation files, READMEs, data
            }
            let case_name = if is_dir {
                file_name(&entry)
            } else {
                entry.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string()
            };
            let key = CaseKey::new(&suite_name, &case_name);
            let result = if !valid_name(&case_name) {
                Err(vec![Error::at_file(
                    &entry,
                    "a case name uses letters, digits, `_`, `-` and `.` (it becomes part of the case key)",
                )])
            } else if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                Err(vec![Error::at_file(
                    &entry,
                    format!("case key `{key}` is already taken by {}", first.display()),
                )])
            } else if is_dir {
                load_dir_case(&suite_name, &case_name, &entry)
            } else {
                load_file_case(&suite_name, &case_name, &entry).map(Some)
            };
            match result {
                Ok(None) => continue, // a directory without sources is not a case
                Ok(Some(spec)) => {
                    seen.push((key.clone(), entry.clone()));
                    match variants(spec) {
                        Ok(vs) => {
                            out.extend(vs.into_iter().map(|v| Discovered::Variant(Box::new(v))))
                        }
                        Err(errors) => {
                            out.push(Discovered::Broken(BrokenCase { key, path: entry, errors }))
                        }
                    }
                }
                Err(errors) => {
                    seen.push((key.clone(), entry.clone()));
                    out.push(Discovered::Broken(BrokenCase { key, path: entry, errors }));
                }
            }
        }
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list the directory", &e))?;
    let mut v = Vec::new();
    for e in rd {
        v.push(e.map_err(|e| Error::io(dir, "list the directory", &e))?.path());
    }
    v.sort();
    Ok(v)
}

fn read_source(path: &Path) -> std::result::Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read the fixture", &e))?;
    String::from_utf8(bytes).map_err(|e| {
        Error::at_file(
            path,
            format!("the fixture is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

fn load_file_case(
    suite: &str,
    name: &str,
    path: &Path,
) -> std::result::Result<CaseSpec, Vec<Error>> {
    let text = read_source(path).map_err(|e| vec![e])?;
    let (directives, mut errors) = directives::parse(path, &text);
    let (annotations, ann_errors) = annotations::parse(path, &text);
    errors.extend(ann_errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let lang = Lang::from_path(path).unwrap_or(Lang::Rust);
    let rel = PathBuf::from(path.file_name().unwrap_or_default());
    Ok(CaseSpec {
        suite: suite.into(),
        name: name.into(),
        path: path.into(),
        primary: path.into(),
        sources: vec![Source { path: path.into(), rel, lang }],
        directives,
        annotations,
    })
}

fn load_dir_case(
    suite: &str,
    name: &str,
    dir: &Path,
) -> std::result::Result<Option<CaseSpec>, Vec<Error>> {
    let mut sources = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let p = e.path().unwrap_or(dir).to_path_buf();
            vec![Error::at_file(&p, format!("cannot walk the case directory: {e}"))]
        })?;
        let p = entry.path();
        if !entry.file_type().is_file() || is_hidden(p) {
            continue;
        }
        if let Some(lang) = Lang::from_path(p) {
            let rel = p.strip_prefix(dir).unwrap_or(p).to_path_buf();
            sources.push(Source { path: p.into(), rel, lang });
        }
    }
    if sources.is_empty() {
        return Ok(None);
    }
    let top: Vec<&Source> = sources.iter().filter(|s| s.rel.components().count() == 1).collect();
    let by_name = |n: &str| top.iter().find(|s| s.rel == Path::new(n)).copied();
    let only = |lang: &[Lang]| {
        let v: Vec<_> = top.iter().filter(|s| lang.contains(&s.lang)).collect();
        (v.len() == 1).then(|| *v[0])
    };
    let primary = by_name("main.rs")
        .or_else(|| by_name("lib.rs"))
        .or_else(|| only(&[Lang::Rust]))
        .or_else(|| by_name("main.c"))
        .or_else(|| by_name("main.cpp"))
        .or_else(|| only(&[Lang::C, Lang::Cpp]))
        .map(|s| s.path.clone())
        .ok_or_else(|| {
            vec![Error::at_file(
                dir,
                "cannot tell the primary source of this directory case: add a main.rs, lib.rs or main.c",
            )]
        })?;
    let mut all_errors = Vec::new();
    let mut primary_directives = Vec::new();
    let mut primary_annotations = Vec::new();
    for s in &sources {
        let text = match read_source(&s.path) {
            Ok(t) => t,
            Err(e) => {
                all_errors.push(e);
                continue;
            }
        };
        let (dirs, errors) = directives::parse(&s.path, &text);
        let (anns, ann_errors) = annotations::parse(&s.path, &text);
        if s.path == primary {
            all_errors.extend(errors);
            all_errors.extend(ann_errors);
            primary_directives = dirs;
            primary_annotations = anns;
        } else if let Some(a) = anns.first() {
            all_errors.push(Error::at(
                &s.path,
                a.written_line,
                a.column,
                format!(
                    "`//~` annotations belong in the case's primary source {}",
                    primary.display()
                ),
            ));
        } else if let Some(d) = dirs.first() {
            all_errors.push(Error::at(
                &s.path,
                d.line,
                d.column,
                format!("directives belong in the case's primary source {}", primary.display()),
            ));
        }
    }
    if !all_errors.is_empty() {
        return Err(all_errors);
    }
    Ok(Some(CaseSpec {
        suite: suite.into(),
        name: name.into(),
        path: dir.into(),
        primary,
        sources,
        directives: primary_directives,
        annotations: primary_annotations,
    }))
}

/// Expand a case into its trials: one per revision, plus a `::host` pairing for portable
/// run-tier fixtures that declare `host-control`.
fn variants(spec: CaseSpec) -> std::result::Result<Vec<Variant>, Vec<Error>> {
    let spec = Arc::new(spec);
    let revisions = config::declared_revisions(&spec.directives);
    let revs: Vec<Option<String>> =
        if revisions.is_empty() { vec![None] } else { revisions.into_iter().map(Some).collect() };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for rev in revs {
        let config = CaseConfig::resolve(&spec.directives, rev.as_deref());
        errors.extend(consistency::check(&spec, &config, rev.as_deref()));
        let key = CaseKey {
            suite: spec.suite.clone(),
            case: spec.name.clone(),
            revision: rev.clone(),
            pairing: None,
        };
        let controls: Vec<Control> =
            [(config.host_control, Control::Host), (config.wine_control, Control::Wine)]
                .into_iter()
                .filter_map(|(wanted, pairing)| wanted.then_some(pairing))
                .collect();
        out.push(Variant {
            key: key.clone(),
            spec: spec.clone(),
            revision: rev.clone(),
            config: config.clone(),
            control: None,
        });
        for control in controls {
            let mut k = key.clone();
            k.pairing = Some(control.name().into());
            out.push(Variant {
                key: k,
                spec: spec.clone(),
                revision: rev.clone(),
                config: config.clone(),
                control: Some(control),
            });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
