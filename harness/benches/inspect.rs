//! Throughput of the object inspector: every COFF member of the arm64ec sysroot's rlibs
//! (or the files given on the command line) parsed into an `ObjectView` — sections,
//! symbols, roles, hybrid map and `.pdata` — several times; the best pass is reported in
//! MB/s; then one pass of the whole verifier over the same objects, for comparison. Run with
//! `ci/bench-inspect.sh` (a release build).

use harness::inspect::{self, ObjectView};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn default_corpus() -> Vec<PathBuf> {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().expect("rustc");
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = PathBuf::from(root).join("lib/rustlib/arm64ec-pc-windows-msvc/lib");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("{}: {e} (rustup target add arm64ec-pc-windows-msvc)", dir.display())
        })
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rlib"))
        .collect();
    v.sort();
    v
}

fn main() {
    let args: Vec<PathBuf> =
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).map(PathBuf::from).collect();
    let files = if args.is_empty() { default_corpus() } else { args };
    let blobs: Vec<(PathBuf, Vec<u8>)> =
        files.iter().map(|p| (p.clone(), inspect::read_file(p).unwrap())).collect();
    let mut best = f64::MAX;
    let mut bytes = 0usize;
    let mut objects = 0usize;
    for _ in 0..5 {
        let start = Instant::now();
        bytes = 0;
        objects = 0;
        for (path, data) in &blobs {
            let (views, _) = inspect::object_views(path, data).expect("readable");
            for v in views {
                let v: ObjectView = v.expect("parses");
                bytes += v.bytes.len();
                objects += 1;
                std::hint::black_box(&v);
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "inspect: {objects} objects, {mb:.1} MB of COFF, best of 5: {:.3} s = {:.0} MB/s",
        best,
        mb / best
    );
    // For comparison: the whole verifier (decoding, data flow, thunk machine) over the same.
    let start = Instant::now();
    let opts = harness::check::object::Options::default();
    let mut findings = 0;
    for (path, data) in &blobs {
        for v in inspect::object_views(path, data).expect("readable").0.into_iter().flatten() {
            findings += harness::check::object::verify(&v, &opts).findings.len();
        }
    }
    let t = start.elapsed().as_secs_f64();
    println!(
        "verify:  same objects, one pass: {t:.3} s = {:.0} MB/s ({findings} findings)",
        mb / t
    );
}
