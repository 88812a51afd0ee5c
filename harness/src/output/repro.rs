//! Repro bundles: for each failing case (after `harness run`) or regression (after
//! `harness gate`), a directory with only what it takes to see the problem again — the
//! sources the build used, the exact commands (argv, working directory, how each ended)
//! runnable from the bundle ([`super::bundle`]), why the case is there, the command that
//! reruns it (`rerun.json`, and in the README) with the options the run was given, and
//! the code of every thunk the findings name. CI uploads them as artifacts next to the
//! report.

use super::bundle::{self, BundleCommand, RunCommand};
use crate::error::Error;
use crate::inspect::{self, ObjectView};
use crate::paths::write_atomic;
use crate::process::CmdRecord;
use crate::report::CaseRecord;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

const MAX_THUNK_TEXT: usize = 256 * 1024;

/// What a repro is for: the case record, the `harness run` options
/// that rerun it as it ran (`--toolchain`, `--suites`, …; see [`rerun_options`]), and why
/// it is in the bundle (findings or regression details).
pub struct Request<'a> {
    pub case: &'a CaseRecord,
    pub rerun: &'a [String],
    pub why: &'a str,
    pub details: &'a [String],
}

/// The options a run was given that decide how a case runs, as `harness run` arguments:
/// the toolchain always, the suite root as an absolute path, and the rest when given.
pub struct RerunOptions<'a> {
    pub toolchain: &'a str,
    pub suites: &'a Path,
    pub harness_dir: Option<&'a Path>,
    pub config: Option<&'a Path>,
    pub runner: Option<&'a str>,
    pub timeout: Option<u64>,
}

pub fn rerun_options(o: &RerunOptions) -> Vec<String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut v = vec!["--toolchain".to_string(), o.toolchain.to_string()];
    v.extend(["--suites".to_string(), abs(o.suites).display().to_string()]);
    if let Some(d) = o.harness_dir {
        v.extend(["--harness-dir".to_string(), abs(d).display().to_string()]);
    }
    if let Some(c) = o.config {
        v.extend(["--config".to_string(), abs(c).display().to_string()]);
    }
    if let Some(r) = o.runner {
        v.extend(["--runner".to_string(), r.to_string()]);
    }
    if let Some(t) = o.timeout {
        v.extend(["--timeout".to_string(), t.to_string()]);
    }
    v
}

/// The argv that reruns `key`: `cargo run` of this workspace's harness, from anywhere.
pub fn rerun_argv(key: &str, options: &[String]) -> Vec<String> {
    let manifest = crate::paths::workspace_root().join("Cargo.toml");
    let head = ["cargo", "run", "--manifest-path"].map(String::from);
    let mut v: Vec<String> = head.into();
    v.push(manifest.display().to_string());
    v.extend(["-p", "harness", "--", "run", "--exact", key].map(String::from));
    v.extend(options.iter().cloned());
    v
}

/// A directory name for a case key: `suite::case` → `suite--case`.
pub fn dir_name(key: &str) -> String {
    key.replace("::", "--")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect()
}

/// Write the bundle under `root`; returns its directory.
pub fn write(root: &Path, req: &Request) -> Result<PathBuf, Error> {
    let key = &req.case.key.to_string();
    let dir = root.join(dir_name(key));
    let io = |p: &Path, e: std::io::Error| Error::io(p, "write the repro", &e);
    let commands = commands(req.case);
    let gathered = bundle::gather(&dir, req.case, &commands)?;
    let commands = bundle::relocate(&commands, &gathered.roots);
    let json_file = |name: &str, v: &serde_json::Value| {
        let f = dir.join(name);
        let text = serde_json::to_vec_pretty(v).map_err(std::io::Error::other);
        text.and_then(|t| write_atomic(&f, &t)).map_err(|e| io(&f, e))
    };
    json_file("commands.json", &json!(commands))?;
    // The rerun's report goes into the bundle: the run's own report stays as it is.
    let own = std::path::absolute(dir.join("rerun/report.json")).unwrap_or_default();
    let mut options = req.rerun.to_vec();
    options.extend(["--report".to_string(), own.display().to_string()]);
    let rerun = rerun_argv(key, &options);
    json_file("rerun.json", &json!({ "argv": rerun }))?;
    let thunks = thunk_code(req.case, req.details);
    if !thunks.is_empty() {
        let f = dir.join("thunks.txt");
        write_atomic(&f, thunks.as_bytes()).map_err(|e| io(&f, e))?;
    }
    let readme = readme(req, key, &rerun, &gathered, &commands, !thunks.is_empty());
    let f = dir.join("README.md");
    write_atomic(&f, readme.as_bytes()).map_err(|e| io(&f, e))?;
    Ok(dir)
}

/// The commands a build directory's manifest records (what a cached phase ran).
#[derive(Deserialize)]
struct Manifest {
    commands: Vec<CmdRecord>,
}

/// The build commands of the case: as run, or from the build directory's manifest when
/// the outputs came from the cache.
fn commands(case: &CaseRecord) -> Vec<RunCommand> {
    let mut out = Vec::new();
    for p in &case.phases {
        let mut cmds = p.commands.clone();
        if cmds.is_empty()
            && let Some(dir) = p.dir.as_deref()
            && let Ok(bytes) = std::fs::read(Path::new(dir).join("manifest.json"))
            && let Ok(m) = serde_json::from_slice::<Manifest>(&bytes)
        {
            cmds = m.commands;
        }
        out.extend(cmds.into_iter().map(|record| RunCommand { phase: p.name, record }));
    }
    out
}

/// Thunk names the details mention: between backquotes or after `thunk.code `.
fn named_thunks(details: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for d in details {
        for (i, part) in d.split('`').enumerate() {
            if i % 2 == 1 && part.starts_with("$i") {
                out.insert(part.to_string());
            }
        }
        for w in d.split_whitespace() {
            if w.starts_with("$ientry_thunk$") || w.starts_with("$iexit_thunk$") {
                out.insert(w.trim_end_matches([',', ';', ':']).to_string());
            }
        }
    }
    out
}

/// The decoded code of each named thunk in the case's objects that still exist.
fn thunk_code(case: &CaseRecord, details: &[String]) -> String {
    let names = named_thunks(details);
    let mut o = String::new();
    if names.is_empty() {
        return o;
    }
    let objects = case.phases.iter().flat_map(|p| &p.objects).map(|obj| obj.file.as_str());
    for file in objects {
        // Archive members are named `lib.rlib(member.o)`; read the archive.
        let path = Path::new(file.split_once('(').map(|(a, _)| a).unwrap_or(file));
        let Ok(bytes) = std::fs::read(path) else { continue };
        let Ok((views, _)) = inspect::object_views(path, &bytes) else { continue };
        for v in views.iter().flatten().filter(|v| v.name == file) {
            let text = render(v, &names);
            if !text.is_empty() {
                let _ = writeln!(o, "## {}\n{text}", v.name);
            }
        }
        if o.len() > MAX_THUNK_TEXT {
            o.truncate(MAX_THUNK_TEXT);
            o.push_str("\n… (cut)\n");
            break;
        }
    }
    o
}

fn render(v: &ObjectView, names: &BTreeSet<String>) -> String {
    inspect::dump::render_functions(v, |f| names.contains(f))
}

/// An argv as one line to paste into a shell (arguments with spaces or quotes quoted).
fn shell_line(argv: &[String]) -> String {
    let quote = |a: &String| {
        if a.is_empty() || a.contains([' ', '"', '\'', '$', '`', '&', '|', ';', '*']) {
            format!("'{}'", a.replace('\'', "'\\''"))
        } else {
            a.clone()
        }
    };
    argv.iter().map(quote).collect::<Vec<_>>().join(" ")
}

fn readme(
    req: &Request,
    key: &str,
    rerun: &[String],
    files: &bundle::Gathered,
    commands: &[BundleCommand],
    thunks: bool,
) -> String {
    let mut o = format!("# {key}\n\n{}\n\n", req.why);
    if !req.details.is_empty() {
        o.push_str("```\n");
        for d in req.details.iter().take(200) {
            let _ = writeln!(o, "{d}");
        }
        o.push_str("```\n\n");
    }
    let line = shell_line(rerun);
    let _ = writeln!(
        o,
        "Rerun with the options of the run, from anywhere (`rerun.json` has the argv; its \
         report goes to `rerun/` here):\n\n```\n{line}\n```\n"
    );
    let list = |v: &[String]| v.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    if !files.sources.is_empty() {
        let _ = writeln!(o, "Sources (in `src/`): {}\n", list(&files.sources));
    }
    if !files.generated.is_empty() {
        let _ = writeln!(o, "Generated by the harness (in `work/`): {}\n", list(&files.generated));
    }
    o.push_str(
        "Commands, to run in this order from the bundle's `work/` directory \
         (`commands.json` has each argv, working directory and how it ended):\n\n",
    );
    for c in commands {
        let _ = writeln!(o, "- `{}`", shell_line(&c.argv));
    }
    if thunks {
        o.push_str("\nThe code of each thunk named above is in `thunks.txt`.\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_thunks() {
        assert_eq!(dir_name("thunks::i128@rev"), "thunks--i128_rev");
        let d = vec![
            "+ thunk.code $ientry_thunk$cdecl$m16$i8 00 (3 instructions) in a.o".to_string(),
            "[thunk.code] a.o `$iexit_thunk$cdecl$v$v`: x".to_string(),
        ];
        let n: Vec<String> = named_thunks(&d).into_iter().collect();
        assert_eq!(n, ["$ientry_thunk$cdecl$m16$i8", "$iexit_thunk$cdecl$v$v"]);
    }
}
