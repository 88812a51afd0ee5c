//! `harness inspect FILE...`: the facts of COFF objects (and of each object in an archive)
//! and of linked PE images.

use clap::Args;
use harness::inspect::{self, dump};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// COFF objects (.o, .obj), archives (.rlib, .lib) or linked PE images (.dll, .exe).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document: {"objects": [...], "images": [...], "errors": [...]}.
    #[arg(long)]
    json: bool,
    /// Also print the decoded code of each function (AArch64), with its relocations.
    #[arg(long)]
    disasm: bool,
    /// With --disasm: only functions whose name contains this text.
    #[arg(long, value_name = "TEXT", default_value = "")]
    function: String,
}

/// What the files gave, in order.
#[derive(Default)]
struct Collected {
    objects: Vec<serde_json::Value>,
    images: Vec<serde_json::Value>,
    texts: Vec<String>,
    errors: Vec<String>,
}

/// The facts of one file: a linked image, or each object of an object file or archive.
fn show(path: &Path, bytes: &[u8], args: &InspectArgs, c: &mut Collected) {
    if bytes.starts_with(b"MZ") {
        match harness::inspect::image::ImageView::parse(&path.display().to_string(), bytes) {
            Ok(v) if args.json => c.images.push(v.to_json()),
            Ok(v) => c.texts.push(v.render()),
            Err(e) => c.errors.push(e.to_string()),
        }
        return;
    }
    match inspect::object_views(path, bytes) {
        Err(e) => c.errors.push(e.to_string()),
        Ok((views, _skipped)) => {
            for v in views {
                match v {
                    Ok(v) if args.json => {
                        c.objects.push(serde_json::to_value(dump::dump(&v)).unwrap_or_default())
                    }
                    Ok(v) if args.disasm => c.texts.push(dump::render_code(&v, &args.function)),
                    Ok(v) => c.texts.push(dump::render(&v)),
                    Err(e) => c.errors.push(e.to_string()),
                }
            }
        }
    }
}

pub fn run(args: InspectArgs) -> ExitCode {
    let mut c = Collected::default();
    for path in &args.files {
        match inspect::read_file(path) {
            Ok(bytes) => {
                if let Err(e) = harness::error::guard(path, || show(path, &bytes, &args, &mut c)) {
                    c.errors.push(e.to_string());
                }
            }
            Err(e) => c.errors.push(e.to_string()),
        }
    }
    if args.json {
        let doc =
            serde_json::json!({ "objects": c.objects, "images": c.images, "errors": c.errors });
        harness::outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for t in &c.texts {
            harness::outln!("{t}");
        }
        for e in &c.errors {
            eprintln!("error: {e}");
        }
    }
    if c.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
