//! What makes a repro bundle run on its own: the case's sources (`src/`), the files the
//! harness generated into the build directory (`work/`, where the commands run) and the
//! support files the commands name (`support/`) are copied into it, and every path of the
//! original run in the commands is rewritten to its copy, relative to `work/`. Tools (the
//! compilers, the linker, the emulator) stay where they are.

use crate::error::Error;
use crate::paths::write_atomic;
use crate::process::{CmdRecord, Exit};
use crate::report::{CaseRecord, PhaseName};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The bundle's directory the commands run in.
pub const WORK: &str = "work";

/// One command of the case as the run ran it, and the phase that ran it.
pub struct RunCommand {
    pub phase: PhaseName,
    pub record: CmdRecord,
}

/// One command as it runs from the bundle: an entry of `commands.json`.
#[derive(Clone, Debug, Serialize)]
pub struct BundleCommand {
    pub argv: Vec<String>,
    /// Relative to the bundle.
    pub cwd: String,
    /// How it ended in the run.
    pub exit: Exit,
    pub phase: PhaseName,
}

/// Path prefixes of the original run and what they are from `work/`, longest first.
pub struct Roots(Vec<(String, String)>);

impl Roots {
    fn new(mut pairs: Vec<(String, String)>) -> Roots {
        pairs.retain(|(from, _)| !from.is_empty());
        pairs.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        Roots(pairs)
    }

    /// `arg` with each original path replaced by its place in the bundle.
    pub fn rewrite(&self, arg: &str) -> String {
        let mut out = arg.to_string();
        for (from, to) in &self.0 {
            if out == *from {
                return to.clone();
            }
            for sep in ['/', '\\'] {
                out = out.replace(&format!("{from}{sep}"), &format!("{to}{sep}"));
            }
            if let Some(head) = out.strip_suffix(from.as_str())
                && (head.ends_with('=') || head.ends_with(':'))
            {
                out = format!("{head}{to}");
            }
        }
        out
    }
}

fn io(p: &Path, e: std::io::Error) -> Error {
    Error::io(p, "write the repro", &e)
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(from).map_err(|e| Error::io(from, "read a repro source", &e))?;
    write_atomic(to, &bytes).map_err(|e| io(to, e))
}

/// The directory of the case's sources and which of its files belong to the case: a
/// directory case's whole tree, the ABI matrix's description files, or a single-file
/// case's fixture and the files named after it (`<stem>.stdout`, …).
fn case_files(case: &CaseRecord) -> Option<(PathBuf, Vec<PathBuf>)> {
    let fixture = PathBuf::from(&case.fixture);
    let dir = fixture.parent()?.to_path_buf();
    let name = case.case.as_str();
    let files: Vec<PathBuf> = if dir.file_name().is_some_and(|n| n == name) {
        crate::paths::files_under(&dir)
    } else {
        let stem = fixture.file_stem()?.to_string_lossy().into_owned();
        let matrix = case.matrix.is_some();
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                matrix
                    || p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}.")))
            })
            .collect();
        v.sort();
        v
    };
    Some((dir, files))
}

/// What went into a bundle: how the commands' paths change, the case's sources (relative
/// to `src/`) and the generated files (relative to `work/`).
pub struct Gathered {
    pub roots: Roots,
    pub sources: Vec<String>,
    pub generated: Vec<String>,
}

/// Copy what the commands need into `bundle`.
pub fn gather(
    bundle: &Path,
    case: &CaseRecord,
    commands: &[RunCommand],
) -> Result<Gathered, Error> {
    let mut roots = Vec::new();
    let (mut sources, mut generated) = (Vec::new(), Vec::new());
    if let Some((dir, files)) = case_files(case) {
        for f in files {
            let rel = f.strip_prefix(&dir).unwrap_or(&f);
            copy(&f, &bundle.join("src").join(rel))?;
            sources.push(rel.display().to_string());
        }
        roots.push((dir.display().to_string(), "../src".to_string()));
    }
    for p in &case.phases {
        let Some(dir) = p.dir.as_deref() else { continue };
        for g in &p.generated {
            let from = Path::new(dir).join(g);
            if from.is_file() {
                copy(&from, &bundle.join(WORK).join(g))?;
                generated.push(g.clone());
            }
        }
        roots.push((dir.to_string(), ".".to_string()));
    }
    let support = crate::paths::workspace_root().join("fixtures/support");
    let support_s = support.display().to_string();
    let named = commands.iter().flat_map(|c| &c.record.argv).any(|a| a.contains(&support_s));
    if named {
        for e in std::fs::read_dir(&support).map_err(|e| Error::io(&support, "read", &e))? {
            let p = e.map_err(|e| Error::io(&support, "read", &e))?.path();
            if p.is_file() {
                copy(&p, &bundle.join("support").join(p.file_name().unwrap_or_default()))?;
            }
        }
        roots.push((support_s, "../support".to_string()));
    }
    std::fs::create_dir_all(bundle.join(WORK)).map_err(|e| io(&bundle.join(WORK), e))?;
    Ok(Gathered { roots: Roots::new(roots), sources, generated })
}

/// The commands as they run from the bundle: paths rewritten, working directory `work`
/// (relative to the bundle) where they ran in the build directory.
pub fn relocate(commands: &[RunCommand], roots: &Roots) -> Vec<BundleCommand> {
    commands
        .iter()
        .map(|c| {
            let argv = c.record.argv.iter().map(|a| roots.rewrite(a)).collect();
            let cwd = match c.record.cwd.as_deref().map(|d| roots.rewrite(d)) {
                Some(d) if d == "." => WORK.to_string(),
                Some(d) => d,
                None => WORK.to_string(),
            };
            BundleCommand { argv, cwd, exit: c.record.exit.clone(), phase: c.phase }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_the_run_become_paths_in_the_bundle() {
        let r = Roots::new(vec![
            ("/s/link/case".into(), "../src".into()),
            ("/h/build/0123".into(), ".".into()),
            ("/w/fixtures/support".into(), "../support".into()),
        ]);
        assert_eq!(r.rewrite("/s/link/case/lib.rs"), "../src/lib.rs");
        assert_eq!(r.rewrite("/h/build/0123"), ".");
        assert_eq!(r.rewrite("/h/build/0123/matrix.exe"), "./matrix.exe");
        assert_eq!(r.rewrite("link-arg=/s/link/case/native.def"), "link-arg=../src/native.def");
        assert_eq!(r.rewrite("/w/fixtures/support"), "../support");
        assert_eq!(r.rewrite("/nodefaultlib"), "/nodefaultlib");
        assert_eq!(r.rewrite("/usr/bin/clang-cl-22"), "/usr/bin/clang-cl-22");
        // A longer sibling is not a path below a root.
        assert_eq!(r.rewrite("/h/build/01234/x"), "/h/build/01234/x");
    }
}
