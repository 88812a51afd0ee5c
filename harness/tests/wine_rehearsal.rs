//! The Windows rehearsal under Wine: the harness built for x86_64-pc-windows-gnu runs under
//! Wine, driving the Windows-hosted toolchain (`rustc.exe`), over the cases listed in
//! `ci/wine-rehearsal.cases`; the Linux build runs the same cases with the Linux toolchain
//! of the same release, and every case must end with the same status on both sides (for an
//! ignored case, also the same kind of reason; and the same findings and facts, normalized as
//! `harness gate` compares them). So drive letters, backslashes, `.exe`
//! suffixes, process spawning, timeouts and the process-tree kill on Windows run for real.
//!
//! The rehearsal itself is `#[ignore]`d: it needs `harness.exe`, which `ci/rehearse-windows.sh`
//! builds and passes in `HARNESS_WINDOWS_EXE` (with `HARNESS_WINDOWS_RUSTC`, the Windows
//! toolchain's `rustc.exe`). The comparison and the list are tested here on every run.
#![cfg(target_os = "linux")]

mod common;

use common::harness_bin;
use harness::process::{self, Cmd, Exit};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One listed case: its suite root (relative to the repository) and exact key.
#[derive(Clone, Debug, PartialEq)]
struct Listed {
    root: String,
    key: String,
}

/// Parse `ci/wine-rehearsal.cases`: `ROOT KEY` per line, `#` comments, blank lines.
fn parse_list(text: &str, file: &str) -> Result<Vec<Listed>, String> {
    let mut out: Vec<Listed> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [root, key] = fields[..] else {
            return Err(format!("{file}:{}: expected `ROOT KEY`, found `{line}`", i + 1));
        };
        let entry = Listed { root: root.into(), key: key.into() };
        if out.contains(&entry) {
            return Err(format!("{file}:{}: `{key}` is listed twice", i + 1));
        }
        out.push(entry);
    }
    if out.is_empty() {
        return Err(format!("{file}: lists no case"));
    }
    Ok(out)
}

/// What is compared of a case: its status and, when ignored, the reason's leading tag
/// (`needs-msvc`, `only-cfg(...) (line 6)`): the same cause, worded per host.
#[derive(Clone, Debug, PartialEq)]
struct Outcome {
    status: String,
    ignored_because: Option<String>,
}

fn outcomes(report: &Value) -> BTreeMap<String, Outcome> {
    let cases = report["cases"].as_array().cloned().unwrap_or_default();
    cases
        .iter()
        .filter_map(|c| {
            let status = c["status"].as_str()?.to_string();
            let ignored_because = (status == "ignored").then(|| {
                let reason = c["reason"].as_str().unwrap_or("");
                reason.split(':').next().unwrap_or("").trim().to_string()
            });
            Some((c["key"].as_str()?.to_string(), Outcome { status, ignored_because }))
        })
        .collect()
}

/// Every listed key's outcome on both sides: a line per difference (a case missing from a
/// side is one).
fn compare(
    keys: &[String],
    linux: &BTreeMap<String, Outcome>,
    wine: &BTreeMap<String, Outcome>,
) -> Vec<String> {
    let show = |o: Option<&Outcome>| match o {
        None => "absent".to_string(),
        Some(Outcome { status, ignored_because: Some(tag) }) => format!("{status} ({tag})"),
        Some(Outcome { status, .. }) => status.clone(),
    };
    keys.iter()
        .filter_map(|k| {
            let (l, w) = (linux.get(k), wine.get(k));
            (l.is_none() || l != w)
                .then(|| format!("{k}: linux {}, windows under wine {}", show(l), show(w)))
        })
        .collect()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn read_list() -> Vec<Listed> {
    let path = workspace().join("ci/wine-rehearsal.cases");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_list(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// The list grouped by suite root, in order.
fn by_root(list: &[Listed]) -> Vec<(String, Vec<String>)> {
    let mut roots: Vec<(String, Vec<String>)> = Vec::new();
    for l in list {
        match roots.iter_mut().find(|(r, _)| *r == l.root) {
            Some((_, keys)) => keys.push(l.key.clone()),
            None => roots.push((l.root.clone(), vec![l.key.clone()])),
        }
    }
    roots
}

fn report(keys: &[(&str, &str, Option<&str>)]) -> Value {
    let cases: Vec<Value> = keys
        .iter()
        .map(|(k, s, r)| serde_json::json!({"key": k, "status": s, "reason": r}))
        .collect();
    serde_json::json!({ "cases": cases })
}

#[test]
fn the_comparison_flags_a_changed_status_and_a_missing_case() {
    let keys: Vec<String> = ["a::x", "a::y", "a::z"].map(String::from).to_vec();
    let linux =
        report(&[("a::x", "passed", None), ("a::y", "timeout", None), ("a::z", "passed", None)]);
    let same = compare(&keys, &outcomes(&linux), &outcomes(&linux));
    assert!(same.is_empty(), "{same:?}");
    let wine = report(&[("a::x", "passed", None), ("a::y", "failed", None)]);
    let diff = compare(&keys, &outcomes(&linux), &outcomes(&wine));
    assert_eq!(
        diff,
        [
            "a::y: linux timeout, windows under wine failed",
            "a::z: linux passed, windows under wine absent"
        ]
    );
    // A case absent from both sides is no agreement either.
    let gone = compare(&["a::gone".to_string()], &outcomes(&linux), &outcomes(&wine));
    assert_eq!(gone, ["a::gone: linux absent, windows under wine absent"]);
}

#[test]
fn ignored_cases_must_be_ignored_for_the_same_cause() {
    let keys = vec!["a::m".to_string()];
    let linux = report(&[("a::m", "ignored", Some("needs-msvc: MSVC exists only on Windows"))]);
    let wine = report(&[("a::m", "ignored", Some("needs-msvc: MSVC cl/link/lib not found"))]);
    assert!(compare(&keys, &outcomes(&linux), &outcomes(&wine)).is_empty());
    let other = report(&[("a::m", "ignored", Some("C sources need clang-cl or MSVC: none"))]);
    let diff = compare(&keys, &outcomes(&linux), &outcomes(&other));
    assert_eq!(
        diff,
        [
            "a::m: linux ignored (needs-msvc), windows under wine ignored (C sources need clang-cl or MSVC)"
        ]
    );
}

#[test]
fn a_malformed_case_list_is_an_error_naming_the_line() {
    let e = parse_list("# c\nsuites a::b\nsuites\n", "x.cases").unwrap_err();
    assert_eq!(e, "x.cases:3: expected `ROOT KEY`, found `suites`");
    let e = parse_list("suites a::b\nsuites a::b\n", "x.cases").unwrap_err();
    assert!(e.starts_with("x.cases:2:"), "{e}");
    assert!(parse_list("# nothing\n", "x.cases").is_err());
}

#[test]
fn every_listed_case_exists_in_its_suite_root() {
    for (root, keys) in by_root(&read_list()) {
        let out = common::harness_cmd()
            .args(["list", "--suites"])
            .arg(workspace().join(&root))
            .output()
            .expect("harness list");
        assert!(out.status.success(), "harness list --suites {root}: {out:?}");
        let listed = String::from_utf8_lossy(&out.stdout);
        for k in keys {
            assert!(listed.lines().any(|l| l.trim() == k), "{k} is not a case under {root}");
        }
    }
}

/// A Linux path as the Windows program sees it under Wine (drive Z: is the root).
fn wine_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

/// What the rehearsal needs from its caller (ci/rehearse-windows.sh).
struct Setup {
    exe: PathBuf,
    rustc_exe: PathBuf,
    linux_toolchain: String,
    work: PathBuf,
}

fn setup() -> Setup {
    let var = |name: &str| {
        std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| {
            panic!("{name} is not set: run ci/rehearse-windows.sh, which builds harness.exe")
        })
    };
    let (exe, rustc_exe) = (var("HARNESS_WINDOWS_EXE"), var("HARNESS_WINDOWS_RUSTC"));
    for f in [&exe, &rustc_exe] {
        assert!(f.is_file(), "{} does not exist", f.display());
    }
    let linux_toolchain =
        std::env::var("HARNESS_LINUX_TOOLCHAIN").unwrap_or_else(|_| "1.95.0".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    Setup { exe, rustc_exe, linux_toolchain, work: target.join("wine-rehearsal") }
}

/// A Wine prefix with a lingering wineserver and the project's `bcryptprimitives.dll`
/// (ProcessPrng, which Wine 8 lacks and every Rust std program imports) in its system32,
/// where harness.exe, rustc.exe and what they start all find it. The prefix and the DLL come
/// from the harness's own Wine support, built with the Linux toolchain.
fn prepare_wine(s: &Setup) -> (harness::run::wine::WineTools, PathBuf) {
    use harness::toolchain::{self, Request, tools};
    let tools = match harness::run::wine::find() {
        tools::Avail::Found(t) => t,
        missing => panic!("the rehearsal needs Wine: {}", missing.why_missing().unwrap()),
    };
    let tc = toolchain::open(&Request::Name(s.linux_toolchain.clone()), &s.work.join("probe"))
        .unwrap_or_else(|e| panic!("{e}"));
    let lld = tools::find_rust_lld(&tc, &s.work.join("probe"));
    let lld = lld.found().unwrap_or_else(|| panic!("{:?}", lld.why_missing())).path.clone();
    let support = tools.prepare(&tc, &lld, &s.work).unwrap_or_else(|e| panic!("{e}"));
    let system32 = support.prefix.join("drive_c/windows/system32");
    let dll = system32.join("bcryptprimitives.dll");
    std::fs::copy(&support.bcryptprimitives, &dll).unwrap_or_else(|e| {
        panic!("{} -> {}: {e}", support.bcryptprimitives.display(), dll.display())
    });
    (tools, support.prefix)
}

/// The outcome of one side's run over one suite root.
struct Side {
    exit: Exit,
    report: Value,
    path: PathBuf,
    stderr: String,
}

const SIDE_LIMIT: Duration = Duration::from_secs(600);

fn run_args(cmd: Cmd, suites: String, dir: String, toolchain: String, keys: &[String]) -> Cmd {
    cmd.args(["run", "--runner", "none", "--exact", "--suites"])
        .arg(suites)
        .arg("--harness-dir")
        .arg(dir)
        .arg("--toolchain")
        .arg(toolchain)
        .args(keys)
}

fn finish(rec: process::CmdRecord, path: PathBuf) -> Side {
    let report = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Side { exit: rec.exit, report, path, stderr: rec.stderr }
}

fn run_linux(s: &Setup, root: &str, keys: &[String]) -> Side {
    let dir = s.work.join("linux").join(root.replace('/', "_"));
    let cmd = run_args(
        common::scrubbed(Cmd::new(harness_bin())),
        workspace().join(root).display().to_string(),
        dir.display().to_string(),
        s.linux_toolchain.clone(),
        keys,
    );
    let rec = process::run(&cmd, Instant::now() + SIDE_LIMIT);
    finish(rec, dir.join("report.json"))
}

fn run_wine(
    s: &Setup,
    wine: &harness::run::wine::WineTools,
    prefix: &Path,
    root: &str,
    keys: &[String],
) -> Side {
    let dir = s.work.join("windows").join(root.replace('/', "_"));
    let cmd = common::scrubbed(Cmd::new(&wine.wine))
        .arg(wine_path(&s.exe))
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("DISPLAY", "")
        .cwd(workspace());
    let cmd = run_args(
        cmd,
        wine_path(&workspace().join(root)),
        wine_path(&dir),
        wine_path(&s.rustc_exe),
        keys,
    );
    // Output to files: the wineserver Wine starts must not hold our pipes open.
    let (rec, _) = process::run_capture_via_files(&cmd, Instant::now() + SIDE_LIMIT, &dir);
    finish(rec, dir.join("report.json"))
}

/// Processes still running whose command line names `dir` (the Wine side's build
/// directories): what a timeout's tree kill must not leave behind.
fn leftovers(dir: &str) -> Vec<String> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return vec![] };
    procs
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
            (cmdline.contains(dir) && common::alive(pid)).then(|| format!("{pid}: {cmdline}"))
        })
        .collect()
}

/// Paths in the Windows side's report must be Windows paths: no `/`, no verbatim `\\?\`.
fn unix_looking_paths(report: &Value) -> Vec<String> {
    let fp = &report["header"]["fingerprint"];
    let mut paths = vec![fp["rustc"]["path"].clone(), fp["linker"]["path"].clone()];
    for c in report["cases"].as_array().into_iter().flatten() {
        paths.push(c["fixture"].clone());
        paths.extend(c["phases"].as_array().into_iter().flatten().map(|p| p["dir"].clone()));
    }
    paths
        .iter()
        .filter_map(Value::as_str)
        .filter(|p| p.contains('/') || p.starts_with(r"\\?\"))
        .map(String::from)
        .collect()
}

/// Per listed case, the findings and facts (normalized as `harness gate` compares them: no
/// build directories, addresses or hashes) that only one side has.
fn evidence_differences(keys: &[String], linux: &Path, windows: &Path) -> Vec<String> {
    use harness::gate::load::load;
    let (l, w) = match (load(linux), load(windows)) {
        (Ok(l), Ok(w)) => (l, w),
        (l, w) => return vec![format!("reports unreadable: {:?} {:?}", l.err(), w.err())],
    };
    let mut out = Vec::new();
    for k in keys {
        let (Some(a), Some(b)) = (l.cases.get(k), w.cases.get(k)) else { continue };
        let (fa, fb) = (&a.findings, &b.findings);
        out.extend(fa.difference(fb).map(|d| format!("{k}: only on linux: {d}")));
        out.extend(fb.difference(fa).map(|d| format!("{k}: only under wine: {d}")));
        let (xa, xb) = (&a.facts, &b.facts);
        out.extend(xa.difference(xb).map(|d| format!("{k}: only on linux: {d}")));
        out.extend(xb.difference(xa).map(|d| format!("{k}: only under wine: {d}")));
    }
    out
}

#[test]
fn findings_and_facts_are_compared_without_build_directories() {
    // A real report (tests/reports) with one case whose check phase holds the image.
    let real: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("harness/tests/reports/before-typed.json"))
            .unwrap(),
    )
    .unwrap();
    let image = |file: &str, export: &str| {
        let mut r = real.clone();
        let mut case = r["cases"][0].clone();
        let mut phase = case["phases"][0].clone();
        phase["name"] = "check".into();
        phase["status"] = "failed".into();
        phase["images"] = serde_json::json!([{"file": file, "machine": 34404, "view": "plain",
            "export_names": [export]}]);
        phase["findings"] =
            serde_json::json!([{"rule": "image.export", "message": format!("at {file}")}]);
        case["key"] = "s::dll".into();
        case["phases"] = serde_json::json!([phase]);
        r["cases"] = serde_json::json!([case]);
        r
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let hash = "0123456789abcdef0123456789abcdef";
    let linux = write("l.json", image(&format!("/t/build/{hash}/x.dll"), "add"));
    let wine = write("w.json", image(&format!(r"Z:\t\build\{hash}\x.dll"), "add"));
    let keys = vec!["s::dll".to_string()];
    assert_eq!(evidence_differences(&keys, &linux, &wine), Vec::<String>::new());
    let other = write("o.json", image(&format!(r"Z:\t\build\{hash}\x.dll"), "sub"));
    assert_eq!(
        evidence_differences(&keys, &linux, &other),
        [
            "s::dll: only on linux: image.export x.dll (plain) add",
            "s::dll: only under wine: image.export x.dll (plain) sub"
        ]
    );
}

/// Every timeout in the Windows side's report must have struck the run phase of a program
/// that had started its child (`child pid` printed): a timeout while building proves no
/// process-tree kill.
fn timeouts_without_a_tree(report: &Value) -> Vec<String> {
    let cases = report["cases"].as_array().into_iter().flatten();
    cases
        .filter(|c| c["status"] == "timeout")
        .filter_map(|c| {
            let phases = c["phases"].as_array()?;
            let hit = phases.iter().find(|p| p["status"] == "timeout")?;
            let stdout = hit["commands"][0]["stdout"].as_str().unwrap_or("");
            let proven = hit["name"] == "run" && stdout.contains("child pid");
            (!proven).then(|| {
                format!(
                    "{}: the timeout struck the {} phase before the child process ran",
                    c["key"].as_str().unwrap_or("?"),
                    hit["name"].as_str().unwrap_or("?")
                )
            })
        })
        .collect()
}

#[test]
fn a_timeout_while_building_does_not_count_as_a_tree_kill() {
    let case = |phase: &str, stdout: &str| {
        serde_json::json!({"key": "s::h::host", "status": "timeout", "phases": [
            {"name": phase, "status": "timeout", "commands": [{"stdout": stdout}]}]})
    };
    let run = serde_json::json!({"cases": [case("run", "child pid 12\n")]});
    assert!(timeouts_without_a_tree(&run).is_empty());
    let build = serde_json::json!({"cases": [case("build", "")]});
    assert_eq!(
        timeouts_without_a_tree(&build),
        ["s::h::host: the timeout struck the build phase before the child process ran"]
    );
}

#[test]
#[ignore = "needs harness.exe for x86_64-pc-windows-gnu and Wine: run ci/rehearse-windows.sh"]
fn the_windows_build_under_wine_gives_the_linux_statuses() {
    let s = setup();
    // Empty harness directories on both sides (no build or probe cache): every compiler and
    // probe runs, under Wine too. The prefix and the Wine support build are kept.
    for side in ["linux", "windows"] {
        let dir = s.work.join(side);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
    }
    let (wine, prefix) = prepare_wine(&s);
    let mut problems = Vec::new();
    let (mut compared, mut differing) = (0, 0);
    for (root, keys) in by_root(&read_list()) {
        let started = Instant::now();
        let linux = run_linux(&s, &root, &keys);
        let linux_time = started.elapsed();
        let started = Instant::now();
        let windows = run_wine(&s, &wine, &prefix, &root, &keys);
        eprintln!(
            "rehearsal: {root}: {} case(s), linux {:.1} s, windows under wine {:.1} s",
            keys.len(),
            linux_time.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        for (side, run) in [("linux", &linux), ("windows under wine", &windows)] {
            if !matches!(run.exit, Exit::Code { code: 0 | 1 }) || run.report.is_null() {
                problems.push(format!(
                    "{root}: the {side} harness ended with {:?} and no report:\n{}",
                    run.exit, run.stderr
                ));
            }
        }
        if linux.exit != windows.exit {
            problems.push(format!(
                "{root}: exit {:?} on linux, {:?} under wine",
                linux.exit, windows.exit
            ));
        }
        let differences = compare(&keys, &outcomes(&linux.report), &outcomes(&windows.report));
        differing += differences.len();
        problems.extend(differences);
        problems.extend(
            unix_looking_paths(&windows.report)
                .into_iter()
                .map(|p| format!("{root}: not a Windows path: {p}")),
        );
        problems.extend(timeouts_without_a_tree(&windows.report));
        problems.extend(evidence_differences(&keys, &linux.path, &windows.path));
        let build = wine_path(&s.work.join("windows"));
        problems.extend(leftovers(&build).into_iter().map(|p| format!("left running: {p}")));
        compared += keys.len();
    }
    for p in &problems {
        eprintln!("rehearsal: {p}");
    }
    eprintln!("rehearsal: {compared} cases compared, {} equal", compared - differing);
    assert!(problems.is_empty(), "{} problem(s) in the Windows rehearsal (above)", problems.len());
}
