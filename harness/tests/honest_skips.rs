//! A self-test that cannot run here is ignored with its reason, never passed: no test
//! function in `harness/tests/` returns early, prints that it skipped, or runs part of
//! itself only when a tool probe finds something. What a test needs goes into its
//! `common::trials` needs (`[CLANG_CL]` in the file's `self_tests!`), which make the trial
//! ignored, with the reason, where the need is unmet.

use std::path::{Path, PathBuf};

/// The test functions of a source: the `fn` after each `#[test]`, and each name a
/// `self_tests!` or `trial(...)` list registers.
fn test_names(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_test = false;
    for line in src.lines().map(str::trim) {
        if line == "#[test]" {
            after_test = true;
        } else if after_test && let Some(rest) = line.strip_prefix("fn ") {
            names.extend(rest.split('(').next().map(str::to_string));
            after_test = false;
        }
    }
    if let Some(at) = src.find("self_tests! {") {
        let list = &src[at..src[at..].find("\n}").map_or(src.len(), |e| at + e)];
        for entry in list.lines().skip(1) {
            let entry = entry.trim();
            let entry =
                entry.rsplit(']').next().filter(|_| entry.starts_with("#[")).unwrap_or(entry);
            let name: String =
                entry.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    for (i, _) in src.match_indices("trial(") {
        let args = &src[i + "trial(".len()..];
        if let Some(body) = args.split(',').nth(2) {
            let name: String =
                body.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The body of `fn name(` in `src`, up to its closing brace at column 0.
fn body<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    let start = src.find(&format!("fn {name}("))?;
    let end = src[start..].find("\n}").map_or(src.len(), |e| start + e);
    Some(&src[start..end])
}

/// A line's code: string and char literals emptied, a `//` comment dropped.
fn code(line: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut escaped) = (false, false);
    let mut chars = line.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    quoted = false;
                    out.push('"');
                }
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
            out.push('"');
        } else if c == '/' && chars.peek() == Some(&'/') {
            break;
        } else {
            out.push(c);
        }
    }
    out
}

/// What makes a test body pass without running: an early return, a "skipped" message, a
/// part that runs only when a probe finds a tool or a toolchain.
fn silent_skips(src: &str) -> Vec<String> {
    let probes = ["tool(", "installed(", "which", "on_path(", "missing()", "is_file()"];
    let mut found = Vec::new();
    for name in test_names(src) {
        let Some(b) = body(src, &name) else { continue };
        for (n, line) in b.lines().enumerate() {
            let l = code(line);
            let early = l.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "return");
            let skip_note = l.contains("eprintln!") && line.to_lowercase().contains("skip");
            let probed = (l.starts_with("if ") || l.contains("else {"))
                && probes.iter().any(|p| l.contains(p));
            if early || skip_note || probed {
                found.push(format!("{name}, line {} of the test: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_test_passes_when_its_tool_is_missing() {
    // The harness's tests and the emulator's.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("tests"), &mut files);
    sources(&root.join("../emulator/tests"), &mut files);
    let mut bad = Vec::new();
    let mut tests = 0;
    for p in files {
        let src = std::fs::read_to_string(&p).unwrap();
        tests += test_names(&src).len();
        bad.extend(silent_skips(&src).into_iter().map(|s| format!("{}: {s}", p.display())));
    }
    assert!(tests > 100, "only {tests} test functions found: the scan reads nothing");
    assert!(
        bad.is_empty(),
        "tests that pass without running (give the trial its needs instead):\n{}",
        bad.join("\n")
    );
}

/// A `#[test]` in a `harness = false` file is never compiled into its binary, so it would
/// never run: every test of such a file is in its trial list.
#[test]
fn libtest_mimic_files_hold_no_libtest_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table =
        std::fs::read_to_string(root.join("Cargo.toml")).unwrap().parse().unwrap();
    let targets = manifest["test"].as_array().expect("[[test]] targets");
    let mut files = 0;
    for t in targets.iter().filter(|t| t.get("harness").and_then(|h| h.as_bool()) == Some(false)) {
        let path = root.join(t["path"].as_str().unwrap());
        let src = std::fs::read_to_string(&path).unwrap();
        files += 1;
        let stray = src.lines().any(|l| code(l) == "#[test]");
        assert!(!stray, "{}: a #[test] in a harness = false file never runs", path.display());
    }
    assert!(files > 10, "only {files} harness = false test files");
}

/// The idioms the test files used before their trials had needs are each flagged.
#[test]
fn the_early_return_idioms_are_flagged() {
    let cases = [
        "#[test]\nfn a() {\n    let Some(x) = tool(&[\"clang-cl\"]) else { return };\n}\n",
        "#[test]\nfn a() {\n    if common::tool(&[\"clang\"]).is_none() {\n        return;\n    }\n}\n",
        "#[test]\nfn a() {\n    if let Some(c) = tool(&[\"clang-cl\"]) {\n        go(c);\n    }\n}\n",
        "#[test]\nfn a() {\n    if !installed(\"1.85.0\") {\n        panic!()\n    }\n}\n",
        "#[test]\nfn a() {\n    eprintln!(\"no older toolchain installed; skipped\");\n}\n",
        "fn a() {\n    let Some(c) = load_corpus() else { return };\n}\n\ncrate::self_tests! {\n    a [OBJDUMP],\n}\n",
        "fn a() {\n    return;\n}\n\nfn main() {\n    run(vec![trial(\"a\", CORPUS, a)])\n}\n",
    ];
    for src in cases {
        assert!(!silent_skips(src).is_empty(), "not flagged:\n{src}");
    }
    let clean = "fn helper() -> Option<u8> {\n    return None;\n}\n\n#[test]\nfn a() {\n    assert!(true);\n}\n";
    assert!(silent_skips(clean).is_empty(), "{:?}", silent_skips(clean));
}
