//! `harness matrix-export --kdl DIR`: the ABI matrix suite's signatures as abi-cafe
//! KDLScript tests, so both tools can check the same functions.

use clap::Args;
use harness::Error;
use harness::matrix::kdl::{self, Split};
use harness::matrix::{FnSpec, suite};
use harness::paths;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The matrix suite exported: `<suites>/abi`.
const SUITE: &str = "abi";

#[derive(Args, Debug)]
pub struct MatrixExportArgs {
    /// Directory to write the `.kdl` files into (created if missing). `matrix_*.kdl` files
    /// already there are replaced, so a smaller export leaves no stale tests behind.
    #[arg(long, value_name = "DIR")]
    kdl: PathBuf,
    /// Suite root holding the matrix suite `abi/`.
    #[arg(long, value_name = "PATH", default_value_os_t = paths::default_suites())]
    suites: PathBuf,
    /// At most N functions per file (each file is one abi-cafe test, built and linked on
    /// its own for each pairing). Default: 128.
    #[arg(long, value_name = "N", value_parser = positive, conflicts_with = "files")]
    per_file: Option<usize>,
    /// Split into N files of balanced size instead (abi-cafe builds tests in parallel, so
    /// about one file per core keeps every core busy with the least per-test overhead).
    #[arg(long, value_name = "N", value_parser = positive)]
    files: Option<usize>,
}

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{s}` is not a positive number")),
    }
}

impl MatrixExportArgs {
    fn split(&self) -> Split {
        match (self.files, self.per_file) {
            (Some(k), _) => Split::Files(k),
            (None, per) => Split::PerFile(per.unwrap_or(kdl::DEFAULT_PER_FILE)),
        }
    }
}

/// The matrix suite's functions, or every error found in its files.
fn load(suites: &Path) -> Result<Vec<FnSpec>, Vec<Error>> {
    let dir = suites.join(SUITE);
    if !suite::is_matrix_suite(&dir) {
        return Err(vec![Error::at_file(
            &dir.join(suite::CONFIG),
            "no ABI matrix suite here (the file is missing)",
        )]);
    }
    let cases = suite::load(SUITE, &dir)?;
    match cases.first() {
        Some(c) => Ok(c.functions.as_ref().clone()),
        None => Err(vec![Error::at_file(
            &dir.join(suite::CONFIG),
            "the suite runs no pairing, so it yields no functions",
        )]),
    }
}

/// Remove earlier exports (`matrix_*.kdl`) from `dir`.
fn remove_stale(dir: &Path) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list the directory", &e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, "list the directory", &e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(kdl::STEM) && name.ends_with(".kdl") && path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, "remove the file", &e))?;
        }
    }
    Ok(())
}

fn export(args: &MatrixExportArgs, functions: &[FnSpec]) -> Result<(usize, usize), Error> {
    let origin = args.suites.join(SUITE);
    let (files, skipped) = kdl::files(functions, args.split(), &origin.display().to_string());
    std::fs::create_dir_all(&args.kdl)
        .map_err(|e| Error::io(&args.kdl, "create the directory", &e))?;
    remove_stale(&args.kdl)?;
    for f in &files {
        let path = args.kdl.join(&f.name);
        paths::write_atomic(&path, f.text.as_bytes())
            .map_err(|e| Error::io(&path, "write the file", &e))?;
    }
    for s in &skipped {
        eprintln!("skipped {}: {}", s.function, s.reason);
    }
    Ok((files.iter().map(|f| f.functions).sum(), files.len()))
}

pub fn run(args: MatrixExportArgs) -> ExitCode {
    let functions = match load(&args.suites) {
        Ok(f) => f,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    match export(&args, &functions) {
        Ok((written, files)) => {
            harness::outln!(
                "wrote {written} of {} functions in {files} file(s) to {}",
                functions.len(),
                args.kdl.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
