//! Images to run: a small hand-written fixture (tests/fixtures, compiled with clang-cl and
//! linked with lld-link here) and the harness's ABI-matrix pairings (built through the
//! harness library, once per test binary). Both need LLVM 22's clang-cl and lld-link;
//! without them the trials that need them are *ignored* with the reason (never passed),
//! and under CI, where `.ci/run` installs them, they fail.

#![allow(dead_code)]

use arm64ec_emu::{Isa, Machine};
use harness::matrix::FnSpec;
use harness::matrix::expect::{self, Expectations};
use harness::model::Version;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn tool(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|n| harness::process::which(n))
}

/// The LLVM tools the fixture and the pairings are built with that are not here.
fn missing_tools() -> Vec<&'static str> {
    let wanted: [&[&'static str]; 4] = [
        &["clang-cl-22", "clang-cl"],
        &["lld-link-22", "lld-link"],
        &["clang-22", "clang"],
        &["llvm-lib-22", "llvm-lib"],
    ];
    wanted
        .into_iter()
        .filter(|names| tool(names).is_none())
        .map(|names| names[names.len() - 1])
        .collect()
}

/// Run this test binary's tests as trials: where an LLVM tool is missing each is ignored
/// with the missing tools as its kind (`[needs clang-cl, …]`); on CI it fails naming them.
pub fn run_trials(tests: &[(&'static str, fn())]) -> ! {
    let missing = missing_tools();
    let on_ci = std::env::var_os("CI").is_some();
    let ignore = !missing.is_empty() && !on_ci;
    let kind = if ignore { format!("needs {}", missing.join(", ")) } else { String::new() };
    let trials = tests
        .iter()
        .map(|&(name, body)| {
            let missing = missing.clone();
            libtest_mimic::Trial::test(name, move || {
                if !missing.is_empty() {
                    let hint = if on_ci { " (on CI: .ci/run installs them)" } else { "" };
                    return Err(
                        format!("cannot run: {} not on PATH{hint}", missing.join(", ")).into()
                    );
                }
                body();
                Ok(())
            })
            .with_kind(kind.clone())
            .with_ignored_flag(ignore)
        })
        .collect();
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An image and its map, as bytes.
pub struct Linked {
    pub dir: PathBuf,
    pub image: Vec<u8>,
    pub map: String,
}

impl Linked {
    pub fn machine(&self) -> Machine {
        Machine::load(&self.image, &self.map, None).expect("the image loads")
    }
}

/// tests/fixtures/{ec,x64}.c linked into one Arm64EC image with the workspace's support
/// object and an import library for kernel32.
pub fn fixture() -> &'static Linked {
    static F: OnceLock<Linked> = OnceLock::new();
    F.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emu-fixture");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let clang_cl = tool(&["clang-cl-22", "clang-cl"]).unwrap();
        run(Command::new(tool(&["clang-22", "clang"]).unwrap())
            .current_dir(&dir)
            .args(["--target=arm64ec-pc-windows-msvc", "-c", "-o", "support.o"])
            .arg(workspace().join("fixtures/support/arm64ec_support.S")));
        run(Command::new(&clang_cl)
            .current_dir(&dir)
            .args(["/nologo", "/c", "/O2", "/arm64EC", "/Foec.obj", "--"])
            .arg(src.join("ec.c")));
        run(Command::new(&clang_cl)
            .current_dir(&dir)
            .args(["/nologo", "/c", "/O2", "--target=x86_64-pc-windows-msvc", "/GS-"])
            .args(["/Fox64.obj", "--"])
            .arg(src.join("x64.c")));
        run(Command::new(tool(&["llvm-lib-22", "llvm-lib"]).unwrap())
            .current_dir(&dir)
            .args(["/nologo", "/machine:arm64ec", "/out:kernel32.lib"])
            .arg(format!("/def:{}", src.join("kernel32.def").display())));
        run(Command::new(tool(&["lld-link-22", "lld-link"]).unwrap()).current_dir(&dir).args([
            "/machine:arm64ec",
            "/nodefaultlib",
            "/opt:noref",
            "/entry:ec_entry",
            "/subsystem:console",
            "/map:t.map",
            "/out:t.exe",
            "support.o",
            "ec.obj",
            "x64.obj",
            "kernel32.lib",
        ]));
        Linked {
            image: std::fs::read(dir.join("t.exe")).unwrap(),
            map: std::fs::read_to_string(dir.join("t.map")).unwrap(),
            dir,
        }
    })
}

/// One ABI-matrix pairing, built.
pub struct Pairing {
    pub name: String,
    pub linked: Linked,
    /// The functions in run order: `abi_run(i)` calls `fns[i]`.
    pub fns: Vec<FnSpec>,
    pub caller: Isa,
    /// The functions a rule of suites/abi/expectations.toml applies to (at any phase).
    pub declared: Vec<String>,
    /// `abi::<pairing>`: what the rules' globs are matched against.
    pub key: String,
    /// suites/abi/expectations.toml, as the harness reads it.
    pub rules: Arc<Expectations>,
    /// The toolchain and target the rules are matched against.
    pub target: expect::RuleTarget,
    pub release: String,
    pub llvm: Option<Version>,
}

impl Pairing {
    pub fn context(&self) -> expect::Context<'_> {
        expect::Context { target: self.target, release: &self.release, llvm: self.llvm }
    }

    /// `abi::<pairing>::<function>`.
    pub fn function_id(&self, function: &str) -> String {
        format!("{}::{function}", self.key)
    }
}

/// The pairings of suites/abi that link an Arm64EC image (all but the host controls),
/// built by the harness.
pub fn pairings() -> &'static [Pairing] {
    static P: OnceLock<Vec<Pairing>> = OnceLock::new();
    P.get_or_init(|| {
        use harness::matrix::{Arch, suite};
        let cases = suite::load("abi", &workspace().join("suites/abi")).expect("suites/abi loads");
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emu-matrix");
        let dirs = harness::paths::Dirs::new(root);
        let session = harness::session::Session::open(&harness::session::SessionOptions::new(
            harness::toolchain::Request::Default,
            dirs,
        ))
        .expect("a Rust toolchain");
        let env = &session.env;
        let release = env.toolchain.info.release.clone();
        let mut out = Vec::new();
        for case in cases.iter().filter(|c| !c.pairing.is_control()) {
            let cx = expect::Context {
                target: case.pairing.rule_target(),
                release: &release,
                llvm: env.toolchain.llvm(),
            };
            let decision = harness::matrix::trial::plan(case, env);
            let rec = harness::matrix::trial::execute(case, env, decision);
            let dir = PathBuf::from(rec.phases[0].dir.clone().expect("a build directory"));
            assert!(
                dir.join("matrix.exe").is_file(),
                "{} did not link: {:?}",
                case.key,
                rec.reason
            );
            let (fns, _) = harness::matrix::select(&case.pairing, &case.functions, true);
            let declared = fns
                .iter()
                .filter(|f| !case.rules.applying(&case.function_id(&f.name), &cx).is_empty())
                .map(|f| f.name.clone())
                .collect();
            out.push(Pairing {
                name: case.pairing.name(),
                linked: Linked {
                    image: std::fs::read(dir.join("matrix.exe")).unwrap(),
                    map: std::fs::read_to_string(dir.join("matrix.map")).unwrap(),
                    dir,
                },
                fns: fns.into_iter().cloned().collect(),
                caller: if case.pairing.caller.arch == Arch::X64 { Isa::X64 } else { Isa::A64 },
                declared,
                key: case.key.to_string(),
                rules: case.rules.clone(),
                target: case.pairing.rule_target(),
                release: release.clone(),
                llvm: env.toolchain.llvm(),
            });
        }
        out
    })
}

pub fn pairing(name: &str) -> &'static Pairing {
    pairings().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no pairing {name}"))
}

/// The transcript of a whole pairing, run in this process.
pub fn transcript(p: &Pairing, m: &mut Machine) -> String {
    let d = arm64ec_emu::matrix::Driver::find(m, p.caller).expect("the driver's symbols");
    let mut out = Vec::new();
    let done =
        arm64ec_emu::matrix::run(m, &d, &p.name, p.fns.len() as u32, p.caller, &mut out).unwrap();
    assert!(done);
    String::from_utf8(out).unwrap()
}
