//! Repro bundles: for each failing case (after `harness run`) or regression (after
//! `harness gate`), a directory with only what it takes to see the problem again — the
//! sources the build used, the exact commands (argv and working directory), why the case is
//! there, the command that reruns it, and the code of every thunk the findings name.
//! CI uploads them as artifacts next to the report.

use crate::error::Error;
use crate::inspect::{self, ObjectView};
use crate::paths::write_atomic;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Source files a repro copies (anything else on a command line is an output or a tool).
const SOURCE_EXTENSIONS: &[&str] = &["rs", "c", "cc", "cpp", "h", "S", "s", "asm", "def"];
const MAX_THUNK_TEXT: usize = 256 * 1024;

/// What a repro is for: the case record (as in report.json), the toolchain to rerun it
/// with, and why it is in the bundle (findings or regression details).
pub struct Request<'a> {
    pub case: &'a Value,
    pub toolchain: &'a str,
    pub why: &'a str,
    pub details: &'a [String],
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
    let key = req.case["key"].as_str().unwrap_or("unknown");
    let dir = root.join(dir_name(key));
    let io = |p: &Path, e: std::io::Error| Error::io(p, "write the repro", &e);
    let commands = commands(req.case);
    let mut copied = BTreeSet::new();
    let fixture = req.case["fixture"].as_str().unwrap_or("");
    let sources = std::iter::once(fixture.to_string())
        .chain(commands.iter().flat_map(|c| strings(&c["argv"])))
        .filter(|a| is_source(Path::new(a)));
    for src in sources {
        let p = Path::new(&src);
        let Some(name) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if !copied.insert(name.clone()) {
            continue;
        }
        let bytes = std::fs::read(p).map_err(|e| Error::io(p, "read a repro source", &e))?;
        let to = dir.join("src").join(&name);
        write_atomic(&to, &bytes).map_err(|e| io(&to, e))?;
    }
    let cmd_file = dir.join("commands.json");
    let text = serde_json::to_vec_pretty(&json!(commands)).map_err(std::io::Error::other);
    text.and_then(|t| write_atomic(&cmd_file, &t)).map_err(|e| io(&cmd_file, e))?;
    let thunks = thunk_code(req.case, req.details);
    if !thunks.is_empty() {
        let f = dir.join("thunks.txt");
        write_atomic(&f, thunks.as_bytes()).map_err(|e| io(&f, e))?;
    }
    let readme = readme(req, key, &copied, &commands, !thunks.is_empty());
    let f = dir.join("README.md");
    write_atomic(&f, readme.as_bytes()).map_err(|e| io(&f, e))?;
    Ok(dir)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

fn is_source(p: &Path) -> bool {
    p.is_absolute()
        && p.extension().is_some_and(|e| SOURCE_EXTENSIONS.iter().any(|x| e == *x))
        && p.is_file()
}

/// The build commands of the case: as run, or from the build directory's manifest when
/// the outputs came from the cache.
fn commands(case: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for p in case["phases"].as_array().into_iter().flatten() {
        let mut cmds = p["commands"].as_array().cloned().unwrap_or_default();
        if cmds.is_empty()
            && let Some(dir) = p["dir"].as_str()
            && let Ok(bytes) = std::fs::read(Path::new(dir).join("manifest.json"))
            && let Ok(m) = serde_json::from_slice::<Value>(&bytes)
        {
            cmds = m["commands"].as_array().cloned().unwrap_or_default();
        }
        for c in cmds {
            out.push(json!({ "phase": p["name"], "argv": c["argv"], "cwd": c["cwd"] }));
        }
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
fn thunk_code(case: &Value, details: &[String]) -> String {
    let names = named_thunks(details);
    let mut o = String::new();
    if names.is_empty() {
        return o;
    }
    let objects = case["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["objects"].as_array().into_iter().flatten())
        .filter_map(|obj| obj["file"].as_str());
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

fn readme(
    req: &Request,
    key: &str,
    sources: &BTreeSet<String>,
    commands: &[Value],
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
    let _ = writeln!(
        o,
        "Rerun: `cargo run -p harness -- run --exact {key} --toolchain {}`\n",
        req.toolchain
    );
    if !sources.is_empty() {
        o.push_str("Sources (in `src/`): ");
        o.push_str(&sources.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "));
        o.push_str("\n\n");
    }
    o.push_str("Commands (`commands.json` has each argv and working directory):\n\n");
    for c in commands {
        let argv = strings(&c["argv"]);
        let _ = writeln!(o, "- {}", argv.join(" "));
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
