//! Repro bundles reproduce: run failing cases, then execute each bundle's rerun line and its
//! `commands.json` from the bundle — the rerun finds the case and fails the same way, and
//! the commands succeed or fail as they did in the run.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const COMPILE_ERROR: &str =
    "//@ tier: static\n#![no_std]\npub fn f() -> u32 {\n    let x: u32 = 5;\n    x + \"no\"\n}\n";

/// A directory case, linked, with a module of its own and a C source; its `sig:` is wrong
/// on purpose (`thunk.name.oracle`).
const LINKED: &[(&str, &str)] = &[
    (
        "r/linked/lib.rs",
        "//@ tier: link\n//@ crate-type: cdylib\n//@ sig: s = fn(f64) -> u8\n#![no_std]\nmod more;\n\
         #[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n\
         #[unsafe(no_mangle)]\npub extern \"C\" fn s(x: u8) -> u8 { more::twice(x) }\n",
    ),
    ("r/linked/more.rs", "pub fn twice(x: u8) -> u8 { x.wrapping_mul(2) }\n"),
    ("r/linked/c.c", "int c_side(int x) { return x + 1; }\n"),
];

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

/// Execute the bundle's rerun line from the bundle directory. It is `cargo run
/// --manifest-path <workspace> -p harness -- ARGS`: this test runs the harness binary cargo
/// built for it with those ARGS (a nested cargo would wait for this test's build lock).
fn rerun(bundle: &Path) -> (Vec<String>, Output) {
    let argv = strings(&json(&bundle.join("rerun.json"))["argv"]);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("Cargo.toml");
    let head =
        ["cargo", "run", "--manifest-path", manifest.to_str().unwrap(), "-p", "harness", "--"];
    assert_eq!(argv[..head.len()], head, "{argv:?}");
    let args = &argv[head.len()..];
    let out = harness_cmd().args(args).current_dir(bundle).output().unwrap();
    (args.to_vec(), out)
}

/// Run every command of `commands.json` from the bundle, in order; each must end as it
/// did in the run. Returns their outputs.
fn replay(bundle: &Path) -> Vec<Output> {
    let commands = json(&bundle.join("commands.json"));
    let commands = commands.as_array().unwrap();
    assert!(!commands.is_empty(), "{}", bundle.display());
    let mut outs = Vec::new();
    for c in commands {
        let argv = strings(&c["argv"]);
        let cwd = bundle.join(c["cwd"].as_str().unwrap());
        assert!(cwd.starts_with(bundle), "{c:#}");
        let out = Command::new(&argv[0]).args(&argv[1..]).current_dir(&cwd).output().unwrap();
        let want = c["exit"]["code"].as_i64().unwrap();
        assert_eq!(out.status.code().map(i64::from), Some(want), "{argv:?}: {}", text(&out));
        outs.push(out);
    }
    outs
}

/// No argument of the bundle's commands names a file of the run's directories.
fn self_contained(bundle: &Path, run_dirs: &[&Path]) {
    let text = std::fs::read_to_string(bundle.join("commands.json")).unwrap();
    for d in run_dirs {
        assert!(!text.contains(&d.display().to_string()), "{} in {text}", d.display());
    }
}

fn bundle(h: &Path, key: &str) -> PathBuf {
    let b = h.join("repros").join(key.replace("::", "--"));
    assert!(b.is_dir(), "no bundle {}", b.display());
    b
}

fn bundles_of_a_build_error_and_a_linked_case_reproduce() {
    let mut files = vec![("r/bad.rs", COMPILE_ERROR)];
    files.extend(LINKED);
    let s = suite(&files);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--timeout", "100"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    let before = std::fs::read(h.path().join("report.json")).unwrap();

    let b = bundle(h.path(), "r::bad");
    assert!(b.join("src/bad.rs").is_file());
    self_contained(&b, &[s.path(), h.path()]);
    let outs = replay(&b);
    assert!(String::from_utf8_lossy(&outs[0].stderr).contains("error[E0277]"), "{outs:?}");
    let (args, out) = rerun(&b);
    for opt in ["--suites", "--harness-dir", "--toolchain", "--timeout"] {
        assert!(args.iter().any(|a| a == opt), "{opt} not in {args:?}");
    }
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let again = read_report(&b.join("rerun/report.json"));
    assert_eq!(again["cases"].as_array().unwrap().len(), 1, "{again:#}");
    let first_line = |c: &Value| c["reason"].as_str().unwrap().lines().next().unwrap().to_string();
    assert_eq!(first_line(case(&again, "r::bad")), first_line(case(&r, "r::bad")));
    assert_eq!(case(&again, "r::bad")["status"], "failed");
    // The run's own report is left alone.
    assert!(std::fs::read(h.path().join("report.json")).unwrap() == before);

    let b = bundle(h.path(), "r::linked");
    for f in [
        "src/lib.rs",
        "src/more.rs",
        "src/c.c",
        "support/arm64ec_support.S",
        "work/lib/softintrin.lib",
    ] {
        assert!(b.join(f).is_file(), "{f} missing in {}", b.display());
    }
    self_contained(
        &b,
        &[
            s.path(),
            h.path(),
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .canonicalize()
                .unwrap()
                .join("fixtures"),
        ],
    );
    replay(&b);
    assert!(b.join("work/linked.dll").is_file(), "the replayed link left no image");
    let (_, out) = rerun(&b);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let again = read_report(&b.join("rerun/report.json"));
    let c = case(&again, "r::linked");
    assert_eq!(c["status"], "failed", "{c:#}");
    assert!(c["reason"].as_str().unwrap().contains("thunk.name.oracle"), "{c:#}");
}

fn an_abi_matrix_bundle_has_its_generated_sources() {
    let s = suite(&[
        (
            "m/abi.toml",
            "battery = false\npairings = [\"rust-host-to-c-host\", \"rust-ec-to-c-x64\"]\n",
        ),
        // The variadic call meets LLVM's x4/x5 bug before LLVM 23: the EC pairing fails.
        (
            "m/t.sigs",
            "fine = fn(i64, f64) -> i32\nva = fn(&{f64, u8}, ...) -> f64 with (f64, i32)\n",
        ),
        ("m/expectations.toml", "[[expect]]\ncase = \"m::*::fine\"\nbusted = \"run\"\n"),
    ]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--runner", "none"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let b = bundle(h.path(), "m::rust-host-to-c-host");
    for f in
        ["work/driver.rs", "work/other.c", "src/abi.toml", "src/t.sigs", "src/expectations.toml"]
    {
        assert!(b.join(f).is_file(), "{f} missing in {}", b.display());
    }
    self_contained(&b, &[s.path(), h.path()]);
    replay(&b);
    let (args, out) = rerun(&b);
    assert!(args.windows(2).any(|w| w == ["--runner", "none"]), "{args:?}");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let again = read_report(&b.join("rerun/report.json"));
    assert_eq!(case(&again, "m::rust-host-to-c-host")["status"], "fixed");
    // An Arm64EC pairing: its support source, the support directory it includes, its image.
    let b = bundle(h.path(), "m::rust-ec-to-c-x64");
    for f in ["work/driver.rs", "work/other.c", "work/support.S", "support/arm64ec_support.S"] {
        assert!(b.join(f).is_file(), "{f} missing in {}", b.display());
    }
    self_contained(&b, &[s.path(), h.path()]);
    replay(&b);
    assert!(b.join("work/matrix.exe").is_file(), "the replayed link left no image");
    let (_, out) = rerun(&b);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let again = read_report(&b.join("rerun/report.json"));
    assert_eq!(case(&again, "m::rust-ec-to-c-x64")["status"], "failed");
}

fn a_relative_suite_root_builds() {
    let s = suite(&[("rel/ok.rs", NO_STD_OK)]);
    let h = tempfile::tempdir().unwrap();
    let out = harness_cmd()
        .args(["run", "--suites", "."])
        .arg("--harness-dir")
        .arg(h.path())
        .current_dir(s.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = read_report(&h.path().join("report.json"));
    assert_eq!(case(&r, "rel::ok")["status"], "passed", "{r:#}");
}

/// A run given a rustc by path reruns with that path, not the rustup name of the directory
/// it lives in (a machine with the bundle may have no rustup).
fn a_toolchain_given_by_path_reruns_by_path() {
    let sysroot =
        std::process::Command::new("rustc").args(["--print", "sysroot"]).output().unwrap();
    let rustc = Path::new(String::from_utf8_lossy(&sysroot.stdout).trim()).join("bin/rustc");
    let s = suite(&[("r/bad.rs", COMPILE_ERROR)]);
    let h = tempfile::tempdir().unwrap();
    let out = run(s.path(), h.path(), &["--toolchain", rustc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let argv = strings(&json(&bundle(h.path(), "r::bad").join("rerun.json"))["argv"]);
    let at = argv.iter().position(|a| a == "--toolchain").expect("--toolchain in the rerun");
    assert_eq!(argv[at + 1], rustc.display().to_string(), "{argv:?}");
}

crate::self_tests! {
    bundles_of_a_build_error_and_a_linked_case_reproduce [CLANG_CL],
    an_abi_matrix_bundle_has_its_generated_sources [CLANG_CL],
    a_relative_suite_root_builds,
    a_toolchain_given_by_path_reruns_by_path,
}
