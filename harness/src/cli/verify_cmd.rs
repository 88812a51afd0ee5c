//! `harness verify FILE...`: every Arm64EC ABI violation in COFF objects and archives.
//! Exit 0 when clean, 1 when violations were found, 2 when a file cannot be read.

use clap::Args;
use harness::abi::Signature;
use harness::check::object::{self, Options};
use harness::inspect;
use harness::model::Target;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// COFF objects (.o, .obj) or archives (.rlib, .lib; every object member is verified).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// A function's C signature, `NAME=SIGNATURE` (repeatable): its entry and exit thunks
    /// must then match the oracle's, e.g. --sig 'add_pair=fn({i64, f64}, i32) -> f64'.
    #[arg(long = "sig", value_name = "NAME=SIGNATURE", value_parser = parse_sig)]
    sigs: Vec<(String, Signature)>,
    /// The target the objects were built for (decides the expected COFF machine).
    #[arg(long, value_name = "TRIPLE", default_value = "arm64ec-pc-windows-msvc", value_parser = parse_target)]
    target: Target,
    /// Print one JSON document: {"objects": [{"file", "findings"}], "errors", "violations"}.
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

pub fn run(args: VerifyArgs) -> ExitCode {
    let opts = Options {
        target: args.target,
        sigs: args.sigs.iter().cloned().collect::<BTreeMap<_, _>>(),
    };
    let mut results = Vec::new();
    let mut errors = Vec::new();
    let mut violations = 0usize;
    let mut seen_functions = std::collections::BTreeSet::new();
    let (mut thunks_followed, mut thunks_not_followed) = (0usize, 0usize);
    for path in &args.files {
        let bytes = match inspect::read_file(path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let views = match inspect::object_views(path, &bytes) {
            Ok((v, _)) => v,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        for v in views {
            let v = match v {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            for s in &v.coff.symbols {
                seen_functions.insert(
                    harness::inspect::roles::plain_name(&s.name).unwrap_or_else(|| s.name.clone()),
                );
            }
            let findings = object::verify(&v, &opts);
            let mut followed = 0usize;
            let mut not_followed = Vec::new();
            if v.coff.machine() == harness::model::Machine::ARM64EC {
                for (f, outcome) in harness::check::thunk::check_all(&v) {
                    match outcome {
                        harness::check::thunk::Outcome::Checked(_) => followed += 1,
                        harness::check::thunk::Outcome::NoVerdict(why) => {
                            not_followed.push(serde_json::json!({ "thunk": f.name, "reason": why }))
                        }
                    }
                }
            }
            thunks_followed += followed;
            thunks_not_followed += not_followed.len();
            violations += findings.len();
            if !args.json {
                for f in &findings {
                    println!("{f}");
                }
            }
            results.push(serde_json::json!({
                "file": v.name,
                "findings": findings,
                "thunks_checked": followed,
                "thunks_not_followed": not_followed,
            }));
        }
    }
    let unused: Vec<_> =
        opts.sigs.keys().filter(|n| !seen_functions.contains(*n)).cloned().collect();
    if args.json {
        let doc = serde_json::json!({
            "objects": results, "errors": errors, "violations": violations, "unused_signatures": unused,
            "thunks_checked": thunks_followed, "thunks_not_followed": thunks_not_followed,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for n in &unused {
            eprintln!("warning: --sig `{n}`: no object defines or references `{n}`");
        }
        for e in &errors {
            eprintln!("error: {e}");
        }
        println!(
            "{} object(s), {violations} violation(s), {} error(s); thunk code followed for {thunks_followed} thunk(s), not for {thunks_not_followed} (--json says why)",
            results.len(),
            errors.len()
        );
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if violations > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
