//! `harness inspect FILE...`: the facts of COFF objects (and of each object in an archive)
//! and of linked PE images.

use clap::Args;
use harness::inspect::{self, dump};
use std::path::PathBuf;
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

pub fn run(args: InspectArgs) -> ExitCode {
    let mut objects = Vec::new();
    let mut images = Vec::new();
    let mut errors = Vec::new();
    let mut texts = Vec::new();
    let files: Vec<_> = args.files.iter().map(|p| (p, inspect::read_file(p))).collect();
    for (path, bytes) in &files {
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if bytes.starts_with(b"MZ") {
            match harness::inspect::image::ImageView::parse(&path.display().to_string(), bytes) {
                Ok(v) if args.json => images.push(v.to_json()),
                Ok(v) => texts.push(v.render()),
                Err(e) => errors.push(e.to_string()),
            }
            continue;
        }
        match inspect::object_views(path, bytes) {
            Err(e) => errors.push(e.to_string()),
            Ok((views, _skipped)) => {
                for v in views {
                    match v {
                        Ok(v) if args.json => {
                            objects.push(serde_json::to_value(dump::dump(&v)).unwrap_or_default())
                        }
                        Ok(v) if args.disasm => texts.push(dump::render_code(&v, &args.function)),
                        Ok(v) => texts.push(dump::render(&v)),
                        Err(e) => errors.push(e.to_string()),
                    }
                }
            }
        }
    }
    if args.json {
        let doc = serde_json::json!({ "objects": objects, "images": images, "errors": errors });
        harness::outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for t in &texts {
            harness::outln!("{t}");
        }
        for e in &errors {
            eprintln!("error: {e}");
        }
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
