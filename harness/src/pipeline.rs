//! The phase work every kind of trial shares, written once: a case record to start from,
//! the inspect phase (read and parse the built objects), object verification, the entry
//! thunks the objects record, and the verification of linked images. File cases
//! ([`crate::exec`]) and ABI-matrix pairings ([`crate::matrix::trial`]) both run through it.

use crate::check::coverage::Coverage;
use crate::check::{self, Finding};
use crate::compile::{Artifact, ArtifactKind};
use crate::error::Error;
use crate::inspect::{self, ObjectView};
use crate::model::{CaseKey, Status};
use crate::report::{CaseRecord, ImageFacts, PhaseName, PhaseRecord, PhaseStatus};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// A case record before any phase ran: status `error` until a phase says otherwise.
pub fn base_record(key: &CaseKey, fixture: String, line: usize) -> CaseRecord {
    CaseRecord {
        record_type: crate::report::CaseType::Case,
        key: key.clone(),
        suite: key.suite.clone(),
        case: key.case.clone(),
        revision: key.revision.clone(),
        pairing: key.pairing.clone(),
        fixture,
        line,
        tier: None,
        target: None,
        control: false,
        status: Status::Error,
        reason: None,
        expected_failure: None,
        duration_ms: 0,
        phases: Vec::new(),
        matrix: None,
    }
}

/// The bytes of the objects a build made, read once; views borrow them.
pub struct Objects<'a> {
    loaded: Vec<(&'a Artifact, Vec<u8>)>,
    errors: Vec<String>,
}

/// Read every object among `artifacts` that `keep` selects.
pub fn load_objects<'a>(
    artifacts: &'a [Artifact],
    keep: impl Fn(&Artifact) -> bool,
) -> Objects<'a> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    let objects = |a: &&Artifact| matches!(a.kind, ArtifactKind::Object | ArtifactKind::Library);
    for a in artifacts.iter().filter(objects).filter(|a| keep(a)) {
        match inspect::read_file(&a.path) {
            Ok(b) => loaded.push((a, b)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Objects { loaded, errors }
}

/// The parsed objects, each with the artifact it came from.
pub type Views<'a, 'b> = Vec<(&'a Artifact, ObjectView<'b>)>;

impl<'a> Objects<'a> {
    /// The inspect phase: parse every object. `Err` holds the phase record when an object
    /// could not be read or parsed (the phase is an error, nothing is checked).
    pub fn inspect(&self) -> (PhaseRecord, Option<Views<'a, '_>>) {
        let start = Instant::now();
        let mut phase = PhaseRecord::new(PhaseName::Inspect);
        let mut errors = self.errors.clone();
        let mut views = Vec::new();
        for (a, bytes) in &self.loaded {
            for view in parse_artifact(a, bytes) {
                match view {
                    Ok(view) => {
                        phase.objects.push(view.summary());
                        views.push((*a, view));
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            (phase.finish(PhaseStatus::Passed, start), Some(views))
        } else {
            (phase.error(errors.join("\n"), start), None)
        }
    }
}

/// The objects of one artifact: an object file, or the members of a static library its
/// case's crate compiled (named `<crate>.<hash>-cgu.N.rcgu.o`; the sysroot crates a Rust
/// `staticlib` carries along are the sysroot's, verified on their own).
fn parse_artifact<'b>(a: &Artifact, bytes: &'b [u8]) -> Vec<Result<ObjectView<'b>, String>> {
    if a.kind != ArtifactKind::Library {
        return vec![
            ObjectView::parse(&a.path.display().to_string(), bytes).map_err(|e| e.to_string()),
        ];
    }
    let file = a.path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let krate = file.split('.').next().unwrap_or_default().to_string();
    let own = |name: &str| {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        base.starts_with(&format!("{krate}.")) || base.starts_with(&format!("{krate}-"))
    };
    match inspect::archive::object_members(&a.path, bytes) {
        Ok((members, _)) => members
            .into_iter()
            .filter(|m| own(&m.name))
            .map(|m| {
                ObjectView::parse(&format!("{}({})", a.path.display(), m.name), m.data)
                    .map_err(|e| e.to_string())
            })
            .collect(),
        Err(e) => vec![Err(e.to_string())],
    }
}

/// Verify every object against the ABI, with the signatures the case knows: the verdict
/// (findings and coverage) of each object, by its name.
pub fn verify_objects(
    views: &Views,
    sigs: &BTreeMap<String, crate::abi::Signature>,
) -> Vec<(String, check::object::Verdict)> {
    views
        .iter()
        .map(|(a, view)| {
            let opts = check::object::Options { target: a.target, sigs: sigs.clone() };
            (view.name.clone(), check::object::verify(view, &opts))
        })
        .collect()
}

/// The entry thunks the objects record, `(function, thunk)`, for the image checks.
pub fn entry_thunks(views: &Views) -> Vec<(String, String)> {
    views
        .iter()
        .flat_map(|(_, view)| view.hybrid.records.iter())
        .filter(|r| r.kind == inspect::hybmp::Kind::Entry)
        .filter_map(|r| Some((r.source_name.clone()?, r.target_name.clone()?)))
        .collect()
}

/// What the images of a build gave: the facts of each, every finding, and what each
/// image rule judged.
#[derive(Default)]
pub struct ImagesVerdict {
    pub facts: Vec<ImageFacts>,
    pub findings: Vec<Finding>,
    pub coverage: Coverage,
}

/// Verify each linked image among `artifacts` (with the build's map, when there is one);
/// an image that cannot be read is an `image.unreadable` finding.
pub fn verify_images(
    artifacts: &[Artifact],
    expect: check::image::Expect,
    entries: &[(String, String)],
) -> ImagesVerdict {
    let map = artifacts.iter().find(|m| m.kind == ArtifactKind::Map).map(|m| m.path.as_path());
    let mut out = ImagesVerdict::default();
    for a in artifacts.iter().filter(|a| a.kind == ArtifactKind::Image) {
        out.coverage.judged("image.unreadable", 1);
        match verify_image(&a.path, expect, entries, map) {
            Ok((f, verdict)) => {
                for (rule, n) in &verdict.checked {
                    out.coverage.judged(rule, *n);
                }
                out.facts.push(f);
                out.findings.extend(verdict.findings);
            }
            Err(e) => out.findings.push(Finding::new("image.unreadable", e.to_string())),
        }
    }
    out
}

/// Read and verify one linked image against what it should be, with the entry thunks its
/// objects recorded and, when there is one, the linker's map.
pub fn verify_image(
    image: &Path,
    expect: check::image::Expect,
    entries: &[(String, String)],
    map: Option<&Path>,
) -> Result<(ImageFacts, check::image::Verdict), Error> {
    let bytes = inspect::read_file(image)?;
    let view = inspect::image::ImageView::parse(&image.display().to_string(), &bytes)?;
    let mut opts = check::image::Options::new(expect);
    opts.entries = entries.to_vec();
    if let Some(m) = map {
        let text = std::fs::read_to_string(m).map_err(|e| Error::io(m, "read the map", &e))?;
        opts.map = Some(inspect::linkmap::parse(m, &text)?);
    }
    let verdict = check::image::verify(&view, &opts);
    Ok((ImageFacts::of(&view, &verdict), verdict))
}
