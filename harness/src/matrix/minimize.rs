//! A failing function cut out of its pairing: the same generator run on that one function
//! gives a stand-alone caller/callee pair and its driver, written with the exact commands
//! that build it, beside the report (`<harness-dir>/abi-repros/<pairing>/<function>/`).

use super::steps::{self, Tools};
use super::{FnSpec, Pairing};
use crate::error::Error;
use crate::paths::write_atomic;
use crate::toolchain::Toolchain;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Write the stand-alone pair for `f`; returns its directory.
pub fn write(
    root: &Path,
    pairing: &Pairing,
    f: &FnSpec,
    problems: &[String],
    tc: &Toolchain,
    tools: &Tools,
) -> Result<PathBuf, Error> {
    let dir = root.join(pairing.name()).join(&f.name);
    let plan = steps::plan(pairing, &[f], tc, tools);
    let io = |p: &Path, e: std::io::Error| Error::io(p, "write the repro", &e);
    for (name, bytes) in &plan.files {
        let p = dir.join(name);
        write_atomic(&p, bytes).map_err(|e| io(&p, e))?;
    }
    let mut readme =
        format!("# {} in {}\n\n`{}` ({})\n\n", f.name, pairing.name(), f.display(), f.origin);
    readme.push_str("What failed:\n\n");
    for p in problems.iter().take(50) {
        let _ = writeln!(readme, "- {p}");
    }
    readme.push_str("\nBuild here, in order (the caller and callee are the only function):\n\n");
    for s in &plan.steps {
        let _ = writeln!(readme, "    {}", s.cmd.argv_strings().join(" "));
    }
    if !pairing.is_control() {
        let caller = pairing.caller.arch.name();
        let _ = write!(
            readme,
            "\nRun it on Windows 11 on ARM64 (`{}`), or anywhere under the emulator:\n\n    arm64ec-emu run-matrix --image {} --map {} --pairing {} --count 1 --caller {caller}\n",
            steps::IMAGE,
            steps::IMAGE,
            steps::MAP,
            pairing.name(),
        );
    }
    let commands: Vec<Vec<String>> = plan.steps.iter().map(|s| s.cmd.argv_strings()).collect();
    let p = dir.join("commands.json");
    let json = serde_json::to_vec_pretty(&commands).map_err(std::io::Error::other);
    json.and_then(|b| write_atomic(&p, &b)).map_err(|e| io(&p, e))?;
    let p = dir.join("README.md");
    write_atomic(&p, readme.as_bytes()).map_err(|e| io(&p, e))?;
    Ok(dir)
}
