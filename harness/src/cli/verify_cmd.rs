//! `harness verify FILE...`: every Arm64EC ABI violation in COFF objects, archives and
//! linked PE images. Exit 0 when clean, 1 when violations were found, 2 when a file cannot
//! be read.

use clap::Args;
use harness::abi::Signature;
use harness::check::coverage::Coverage;
use harness::check::image::{self, Expect};
use harness::check::object::{self, Options};
use harness::inspect::{self, ObjectView, image::ImageView, linkmap};
use harness::model::Target;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// COFF objects (.o, .obj), archives (.rlib, .lib; every object member is verified) or
    /// linked PE images (.dll, .exe).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// A function's C signature, `NAME=SIGNATURE` (repeatable): its entry and exit thunks
    /// must then match the oracle's, e.g. --sig 'add_pair=fn({i64, f64}, i32) -> f64'.
    #[arg(long = "sig", value_name = "NAME=SIGNATURE", value_parser = parse_sig)]
    sigs: Vec<(String, Signature)>,
    /// The target the files were built for: decides an object's expected COFF machine, and
    /// for images whether Arm64EC code (an Arm64EC or Arm64X image), x64 or ARM64 is expected.
    #[arg(long, value_name = "TRIPLE", default_value = "arm64ec-pc-windows-msvc", value_parser = parse_target)]
    target: Target,
    /// For arm64ec images: require this kind of image (`arm64ec`: AMD64 header; `arm64x`).
    #[arg(long, value_name = "KIND", value_parser = ["arm64ec", "arm64x"])]
    image: Option<String>,
    /// The link map (`/map`) of the image: the checks then see every function it names.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Print one JSON document: {"objects": [...], "images": [...], "errors", "violations"}.
    #[arg(long)]
    json: bool,
}

fn parse_sig(s: &str) -> Result<(String, Signature), String> {
    let (name, sig) = s.split_once('=').ok_or("expected NAME=SIGNATURE")?;
    let name = name.trim();
    if name.is_empty() {
        return Err("the function name before `=` is empty".into());
    }
    let sig = Signature::parse(sig.trim()).map_err(|e| format!("signature of `{name}`: {e}"))?;
    Ok((name.to_string(), sig))
}

fn parse_target(s: &str) -> Result<Target, String> {
    Target::parse(s).ok_or_else(|| {
        format!("unknown target `{s}`; expected arm64ec-pc-windows-msvc, x86_64-pc-windows-msvc or aarch64-pc-windows-msvc")
    })
}

#[derive(Default)]
struct Tally {
    objects: Vec<serde_json::Value>,
    images: Vec<serde_json::Value>,
    errors: Vec<String>,
    violations: usize,
    seen: BTreeSet<String>,
    coverage: Coverage,
}

fn object_result(v: &ObjectView, opts: &Options, json: bool, t: &mut Tally) {
    for s in &v.coff.symbols {
        t.seen.insert(inspect::roles::plain_name(&s.name).unwrap_or_else(|| s.name.clone()));
    }
    let verdict = object::verify(v, opts);
    t.violations += verdict.findings.len();
    if !json {
        verdict.findings.iter().for_each(|f| harness::outln!("{f}"));
    }
    t.objects.push(serde_json::json!({
        "file": v.name, "findings": verdict.findings, "coverage": verdict.coverage,
    }));
    t.coverage.merge(verdict.coverage);
}

fn image_options(args: &VerifyArgs) -> Result<image::Options, String> {
    let expect = match (args.target, args.image.as_deref()) {
        (Target::Arm64ec, Some("arm64x")) => Expect::Arm64x,
        (Target::Arm64ec, Some(_)) => Expect::Arm64ec,
        (Target::Arm64ec, None) => Expect::Arm64ecCode,
        (Target::X64, _) => Expect::X64,
        _ => Expect::Arm64,
    };
    let mut opts = image::Options::new(expect);
    if let Some(p) = &args.map {
        let text = std::fs::read_to_string(p)
            .map_err(|e| format!("{}: cannot read the map: {e}", p.display()))?;
        opts.map = Some(linkmap::parse(p, &text).map_err(|e| e.to_string())?);
    }
    Ok(opts)
}

fn image_result(path: &Path, bytes: &[u8], opts: &image::Options, json: bool, t: &mut Tally) {
    let v = match ImageView::parse(&path.display().to_string(), bytes) {
        Ok(v) => v,
        Err(e) => {
            t.errors.push(e.to_string());
            return;
        }
    };
    let verdict = image::verify(&v, opts);
    t.violations += verdict.findings.len();
    for (rule, n) in &verdict.checked {
        t.coverage.judged(rule, *n);
    }
    if !json {
        verdict.findings.iter().for_each(|f| harness::outln!("{f}"));
    }
    t.images.push(serde_json::json!({ "file": v.name, "findings": verdict.findings, "checked": verdict.checked }));
}

/// One file: a linked image, or each object of an object file or archive.
fn file_result(
    path: &Path,
    bytes: &[u8],
    opts: &Options,
    image_opts: &image::Options,
    args: &VerifyArgs,
    t: &mut Tally,
) {
    if bytes.starts_with(b"MZ") {
        return image_result(path, bytes, image_opts, args.json, t);
    }
    match inspect::object_views(path, bytes) {
        Ok((views, _)) => {
            for v in views {
                match v {
                    Ok(v) => object_result(&v, opts, args.json, t),
                    Err(e) => t.errors.push(e.to_string()),
                }
            }
        }
        Err(e) => t.errors.push(e.to_string()),
    }
}

pub fn run(args: VerifyArgs) -> ExitCode {
    let opts = Options {
        target: args.target,
        sigs: args.sigs.iter().cloned().collect::<BTreeMap<_, _>>(),
    };
    let image_opts = match image_options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut t = Tally::default();
    for path in &args.files {
        let bytes = match inspect::read_file(path) {
            Ok(b) => b,
            Err(e) => {
                t.errors.push(e.to_string());
                continue;
            }
        };
        let verified = harness::error::guard(path, || {
            file_result(path, &bytes, &opts, &image_opts, &args, &mut t)
        });
        if let Err(e) = verified {
            t.errors.push(e.to_string());
        }
    }
    for n in opts.sigs.keys().filter(|n| !t.seen.contains(*n)) {
        t.errors.push(format!(
            "--sig `{n}`: no object defines or references `{n}` (misspelled? its checks would not run)"
        ));
    }
    let (judged, not_judged) = t.coverage.totals();
    if args.json {
        let doc = serde_json::json!({
            "objects": t.objects, "images": t.images, "errors": t.errors, "violations": t.violations,
            "judged": judged, "not_judged": not_judged, "coverage": t.coverage,
        });
        harness::outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for e in &t.errors {
            eprintln!("error: {e}");
        }
        for line in t.coverage.gaps() {
            harness::outln!("not judged: {line}");
        }
        harness::outln!(
            "{} object(s), {} image(s), {} violation(s), {} error(s); {judged} judgement(s), {not_judged} subject(s) not judged (--json lists each with the reason)",
            t.objects.len(),
            t.images.len(),
            t.violations,
            t.errors.len(),
        );
    }
    if !t.errors.is_empty() {
        ExitCode::from(2)
    } else if t.violations > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
