//! The crate's stages run one way. Every `crate::…` and `super::…` path in `harness/src` is
//! read, each module is placed in a layer by the table below, and the test fails on an import
//! from a lower layer up to a higher one and on any circle between units (a unit is the
//! table's entry: a module and everything below it that no longer entry names).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Units from the top of the stack down: `(module path, layer)`. A higher layer may use a
/// lower one, never the reverse; units of one layer may use each other without a circle.
const LAYERS: &[(&str, u8)] = &[
    // The entry points.
    ("main", 14),
    ("cli", 14),
    // Commands over whole runs and reports.
    ("gate", 13),
    ("preflight", 13),
    ("output", 12),
    // Many trials in parallel, one session each.
    ("drive", 11),
    ("session", 10),
    // Trials: a file case, a matrix pairing.
    ("exec", 9),
    ("matrix::trial", 9),
    // What a trial's phases share: the machine, the plan, the run phase, Wine controls.
    ("env", 8),
    ("pipeline", 8),
    ("plan", 8),
    ("run::phase", 8),
    ("run::wine", 8),
    // The stages: compile, run, the matrix's generated code and its edge check.
    ("compile", 7),
    ("run", 7),
    ("matrix::steps", 7),
    ("matrix::edges", 7),
    ("matrix::minimize", 7),
    // The report: records of what the stages found.
    ("report", 6),
    ("check", 5),
    // Reading inputs: objects and images, suites, the matrix's definitions.
    ("inspect", 4),
    ("discover", 4),
    ("matrix", 4),
    ("toolchain", 3),
    ("abi", 1),
    // The rule registry and coverage records: what checks and suites name.
    ("check::rules", 1),
    ("check::coverage", 1),
    ("model", 0),
    ("process", 0),
    ("proctree", 0),
    ("console", 0),
    ("paths", 0),
    ("error", 0),
    ("lib", 0),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `check/thunk/mod.rs` → `check::thunk`; `exec.rs` → `exec`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> =
        rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The table entry a module belongs to: the longest entry that prefixes it.
fn unit_of(module: &[String]) -> Option<(&'static str, u8)> {
    LAYERS
        .iter()
        .filter(|(name, _)| {
            let p: Vec<&str> = name.split("::").collect();
            p.len() <= module.len() && p.iter().zip(module).all(|(a, b)| a == b)
        })
        .max_by_key(|(name, _)| name.split("::").count())
        .copied()
}

/// Module paths a file names: `crate::a::b`, `super::c` (resolved against `module`), with
/// `use` groups (`crate::{a, b::c}`) spelled out. Comments are skipped.
fn references(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (i, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path = path_at(&code[i..]);
            let mut base: Vec<String> = if path[0] == "crate" {
                vec![]
            } else {
                // `super` in `a/b.rs` (module a::b) is `a`; in `a/b/mod.rs` it is also `a`.
                let mut m = module.to_vec();
                m.pop();
                m
            };
            let mut rest = &path[1..];
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            for group in expand(rest) {
                let mut full = base.clone();
                full.extend(group);
                if !full.is_empty() {
                    out.push(full);
                }
            }
        }
    }
    out
}

/// The path segments at the start of `s` (`crate::a::b::{c, d}` → crate, a, b, `{c, d}`).
fn path_at(s: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut rest = s;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            segs.push(format!("{{{}}}", &group[..end]));
            break;
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        segs.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    segs
}

/// Spell out a trailing `{a, b::c}` group into one path per member.
fn expand(path: &[String]) -> Vec<Vec<String>> {
    match path.last() {
        Some(g) if g.starts_with('{') => {
            let prefix = &path[..path.len() - 1];
            g.trim_matches(|c| c == '{' || c == '}')
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(|m| {
                    let mut p = prefix.to_vec();
                    p.extend(m.split("::").map(|s| s.trim().to_string()));
                    p
                })
                .collect()
        }
        _ => vec![path.to_vec()],
    }
}

/// `(from unit, to unit) → the files that make the arrow`.
fn arrows() -> BTreeMap<(&'static str, &'static str), BTreeSet<String>> {
    let mut out: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    for e in walk(&src()) {
        let rel = e.strip_prefix(src()).unwrap().to_path_buf();
        let module = module_of(&rel);
        let from = unit_of(&module).unwrap_or_else(|| panic!("{}: in no layer", rel.display()));
        let text = std::fs::read_to_string(&e).unwrap();
        for r in references(&text, &module) {
            let Some(to) = unit_of(&r) else { continue };
            if to.0 != from.0 {
                out.entry((from.0, to.0)).or_default().insert(rel.display().to_string());
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn layer(unit: &str) -> u8 {
    LAYERS.iter().find(|(n, _)| *n == unit).map(|(_, l)| *l).unwrap()
}

type Arrows = BTreeMap<(&'static str, &'static str), BTreeSet<String>>;

/// Arrows from a lower layer up to a higher one.
fn upward(arrows: &Arrows) -> Vec<String> {
    arrows
        .iter()
        .filter(|((from, to), _)| layer(to) > layer(from))
        .map(|((from, to), files)| format!("{from} -> {to} (up) in {files:?}"))
        .collect()
}

/// Every circle of units, each as `a -> b -> a` with the files behind each arrow.
fn circles(arrows: &Arrows) -> Vec<String> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in arrows.keys() {
        next.entry(from).or_default().push(to);
    }
    let mut found = BTreeSet::new();
    for start in next.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![(*start, vec![*start])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for to in next.get(at).into_iter().flatten() {
                if to == start {
                    let mut c = path.clone();
                    c.push(start);
                    found.insert(c);
                } else if seen.insert(*to) {
                    let mut p = path.clone();
                    p.push(to);
                    stack.push((to, p));
                }
            }
        }
    }
    found
        .iter()
        .map(|c| {
            let files: Vec<String> = c
                .windows(2)
                .map(|w| format!("  {} -> {}: {:?}", w[0], w[1], arrows[&(w[0], w[1])]))
                .collect();
            format!("{}\n{}", c.join(" -> "), files.join("\n"))
        })
        .collect()
}

#[test]
fn no_module_imports_a_higher_layer() {
    let up = upward(&arrows());
    assert!(up.is_empty(), "imports that run up the stack:\n{}", up.join("\n"));
}

#[test]
fn no_circles_between_units() {
    let c = circles(&arrows());
    assert!(c.is_empty(), "import circles:\n{}", c.join("\n"));
}

/// The checker itself: a made-up upward import and a made-up circle are seen.
#[test]
fn the_checker_sees_upward_imports_and_circles() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let refs = references(
        "use crate::exec::{run_case, base::record};\nuse super::super::super::cli;\n// crate::x\n",
        &m("check::thunk::verdict"),
    );
    assert!(refs.contains(&m("exec::run_case")) && refs.contains(&m("exec::base::record")));
    assert!(refs.contains(&m("cli")), "{refs:?}");
    assert!(!refs.contains(&m("x")));
    assert_eq!(unit_of(&m("check::thunk::verdict")).map(|u| u.0), Some("check"));
    assert_eq!(unit_of(&m("matrix::trial::judge")).map(|u| u.0), Some("matrix::trial"));
    assert_eq!(unit_of(&m("matrix::battery")).map(|u| u.0), Some("matrix"));
    let mut made_up = Arrows::new();
    made_up.insert(("check", "exec"), ["check/x.rs".to_string()].into());
    made_up.insert(("exec", "plan"), ["exec.rs".to_string()].into());
    made_up.insert(("plan", "check"), ["plan.rs".to_string()].into());
    let up = upward(&made_up);
    assert!(up.len() == 1 && up[0].starts_with("check -> exec (up)"), "{up:?}");
    let c = circles(&made_up);
    assert!(!c.is_empty() && c[0].contains("check/x.rs"), "{c:?}");
    made_up.remove(&("check", "exec"));
    assert!(circles(&made_up).is_empty() && upward(&made_up).is_empty());
}

/// The phase work trials share (reading and parsing objects, verifying images) is written
/// once, in `pipeline.rs`: neither trial does it itself.
#[test]
fn phase_work_is_written_once_in_the_pipeline() {
    let shared =
        ["ObjectView::parse(", "ImageView::parse(", "inspect::read_file(", "check::image::verify("];
    let trials =
        ["exec/mod.rs", "exec/conclude.rs", "matrix/trial/mod.rs", "matrix/trial/judge.rs"];
    for t in trials {
        let text = std::fs::read_to_string(src().join(t)).unwrap();
        for call in shared {
            assert!(
                !text.contains(call),
                "{t} does phase work of its own ({call}); use pipeline::"
            );
        }
    }
    let pipeline = std::fs::read_to_string(src().join("pipeline.rs")).unwrap();
    assert!(shared.iter().all(|c| pipeline.contains(c)), "the pipeline lost a phase");
}

/// README's Architecture section draws the same stack: every unit on the line of its layer.
#[test]
fn the_readme_draws_the_layer_table() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let block = readme
        .split("## Architecture")
        .nth(1)
        .and_then(|s| s.split("```text\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README.md has an Architecture section with a text block");
    // Columns 0-3 hold a layer's number (on its first line), 4-29 its units, the rest what
    // they do; a unit written `::edges` continues the module before it (`matrix::edges`).
    let mut layer_of: BTreeMap<String, u8> = BTreeMap::new();
    let mut current = u8::MAX;
    for line in block.lines() {
        let chars: Vec<char> = line.chars().collect();
        let col = |a: usize, b: usize| {
            chars[a.min(chars.len())..b.min(chars.len())].iter().collect::<String>()
        };
        if let Ok(n) = col(0, 4).trim().parse::<u8>() {
            current = n;
        }
        let mut prefix = String::new();
        for u in col(4, 30).split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let name = match u.strip_prefix("::") {
                Some(rest) => format!("{prefix}::{rest}"),
                None => u.to_string(),
            };
            if let Some((p, _)) = name.split_once("::") {
                prefix = p.to_string();
            }
            layer_of.insert(name, current);
        }
    }
    for (unit, layer) in LAYERS {
        assert_eq!(
            layer_of.get(*unit),
            Some(layer),
            "README's Architecture misplaces `{unit}`: {layer_of:?}"
        );
    }
    assert_eq!(
        layer_of.len(),
        LAYERS.len(),
        "README's Architecture names units the table lacks: {layer_of:?}"
    );
}

/// README's Layout table names every module of `harness/src`.
#[test]
fn the_readme_layout_names_every_module() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let layout = readme.split("## Layout").nth(1).and_then(|s| s.split("\n## ").next()).unwrap();
    for e in std::fs::read_dir(src()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "lib.rs" {
            continue;
        }
        let shown = if e.path().is_dir() { format!("{name}/") } else { name.clone() };
        assert!(
            layout.contains(&format!("`{shown}`")) || layout.contains(&format!("/{shown}`")),
            "README's Layout does not name harness/src/{shown}"
        );
    }
}
