//! Wine controls: a portable fixture built as an x64 Windows program (Rust's
//! x86_64-pc-windows-gnu with MinGW-w64) and run under Wine — what an Arm64EC process looks
//! like to the OS, proven here. Three things make that reliable:
//! - one Wine prefix under the harness directory, created once (under a lock), and a
//!   wineserver kept alive between cases (`-p`), so a control costs a fraction of a second;
//! - `wine_launcher.exe` runs the control and reports its whole exit status, because Wine
//!   truncates exit codes to 8 bits;
//! - a `bcryptprimitives.dll` beside the control (Wine 8 has none; std imports `ProcessPrng`).
//!
//! The launcher and the DLL are `#![no_std]` sources in `fixtures/support/`, built once
//! with the toolchain's rustc and rust-lld (through the build cache).

use crate::compile::{self, ArtifactKind, Producer, Step, StepPlan};
use crate::error::Error;
use crate::model::Target;
use crate::process::{self, Cmd, CmdRecord, Exit};
use crate::toolchain::Toolchain;
use crate::toolchain::tools::Avail;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The tools a Wine control needs.
#[derive(Clone, Debug)]
pub struct WineTools {
    /// `wine64` (Wine 8: `/usr/lib/wine/wine64` on Debian) or `wine`.
    pub wine: PathBuf,
    pub wineserver: Option<PathBuf>,
    /// The MinGW-w64 C compiler rustc links x86_64-pc-windows-gnu programs with.
    pub mingw: PathBuf,
}

/// The built support files.
#[derive(Clone, Debug)]
pub struct Support {
    pub launcher: PathBuf,
    pub bcryptprimitives: PathBuf,
    pub prefix: PathBuf,
}

pub use crate::model::GNU_TRIPLE;

fn first(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().find_map(|c| {
        if c.contains('/') {
            Path::new(c).is_file().then(|| PathBuf::from(c))
        } else {
            process::which(c)
        }
    })
}

pub fn find() -> Avail<WineTools> {
    let hint = "Debian/Ubuntu: apt-get install wine64 wine gcc-mingw-w64-x86-64".to_string();
    let Some(wine) = first(&["wine64", "/usr/lib/wine/wine64", "wine"]) else {
        return Avail::Missing { reason: "Wine not found (wine64 or wine)".into(), hint };
    };
    let Some(mingw) = first(&["x86_64-w64-mingw32-gcc"]) else {
        return Avail::Missing {
            reason: "MinGW-w64 (x86_64-w64-mingw32-gcc) not found".into(),
            hint,
        };
    };
    let wineserver =
        first(&["wineserver", "/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver"]);
    Avail::Found(WineTools { wine, wineserver, mingw })
}

impl WineTools {
    fn env(&self, cmd: Cmd, prefix: &Path) -> Cmd {
        cmd.env("WINEPREFIX", prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("DISPLAY", "")
    }

    /// Build the launcher and the DLL, create the prefix once, start a lingering
    /// wineserver. Errors say which step failed.
    pub fn prepare(&self, tc: &Toolchain, rust_lld: &Path, root: &Path) -> Result<Support, Error> {
        let support_dir = crate::paths::workspace_root().join("fixtures/support");
        let rustc = |src: &str, out: &str, crate_type: &str, entry: &str| {
            let src_path = support_dir.join(src);
            let cmd = Cmd::new(&tc.rustc)
                .args([
                    "--edition=2021",
                    "--target",
                    "x86_64-pc-windows-msvc",
                    "--crate-type",
                    crate_type,
                ])
                .args(["-C", "panic=abort", "-C", "opt-level=2", "-C", "debuginfo=0"])
                .arg("-C")
                .arg(format!("linker={}", rust_lld.display()))
                .args(["-L", "native=lib", "-C", "link-arg=/nodefaultlib"])
                .arg("-C")
                .arg(format!("link-arg=/entry:{entry}"))
                .args(if crate_type == "bin" {
                    vec!["-C", "link-arg=/subsystem:console"]
                } else {
                    vec![]
                })
                .args(["-o", out])
                .arg(&src_path);
            Step {
                cmd,
                output: out.into(),
                kind: ArtifactKind::Image,
                target: Target::X64,
                source: src_path,
                producer: Producer::rustc(tc),
                also: vec![],
            }
        };
        let empty = compile::link::EMPTY_LIB.to_vec();
        let plan = StepPlan {
            steps: vec![
                rustc("wine_launcher.rs", "wine_launcher.exe", "bin", "start"),
                rustc(
                    "wine_bcryptprimitives.rs",
                    "bcryptprimitives.dll",
                    "cdylib",
                    "_DllMainCRTStartup",
                ),
            ],
            files: vec![
                ("lib/msvcrt.lib".into(), empty.clone()),
                ("lib/softintrin.lib".into(), empty),
            ],
            inputs: vec![
                support_dir.join("wine_launcher.rs"),
                support_dir.join("wine_bcryptprimitives.rs"),
            ],
            identity: format!("wine support; rust-lld {}", rust_lld.display()),
        };
        let deadline = Instant::now() + Duration::from_secs(300);
        let built = compile::run_steps(tc, &plan, &root.join("build"), deadline, Instant::now());
        if built.phase.status != crate::report::PhaseStatus::Passed {
            return Err(Error::msg(format!(
                "building the Wine launcher failed: {}",
                built.phase.message.unwrap_or_default()
            )));
        }
        let path = |name: &str| {
            built.artifacts.iter().find(|a| a.path.ends_with(name)).map(|a| a.path.clone())
        };
        let (Some(launcher), Some(bcryptprimitives)) =
            (path("wine_launcher.exe"), path("bcryptprimitives.dll"))
        else {
            return Err(Error::msg("the Wine support build left no launcher"));
        };
        let prefix = root.join("wine/prefix");
        self.init_prefix(root, &prefix)?;
        Ok(Support { launcher, bcryptprimitives, prefix })
    }

    fn init_prefix(&self, root: &Path, prefix: &Path) -> Result<(), Error> {
        let dir = root.join("wine");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create", &e))?;
        let lock_path = dir.join("prefix.lock");
        let lock =
            std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, "create", &e))?;
        lock.lock().map_err(|e| Error::io(&lock_path, "lock", &e))?;
        let deadline = Instant::now() + Duration::from_secs(300);
        let ready = prefix.join(".harness-ready");
        if !ready.is_file() {
            eprintln!("harness: creating the Wine prefix {} (once) ...", prefix.display());
            let boot = self.env(Cmd::new(&self.wine).args(["wineboot", "--init"]), prefix);
            let (r, _) = process::run_capture_via_files(&boot, deadline, &dir);
            if !r.exit.success() || !prefix.join("drive_c").is_dir() {
                return Err(Error::at_file(
                    prefix,
                    format!("creating the Wine prefix failed: {}\n{}", r.summary(), r.tail(10)),
                ));
            }
            std::fs::write(&ready, b"").map_err(|e| Error::io(&ready, "write", &e))?;
        }
        // A wineserver that outlives single runs (it exits after 60 idle seconds). It
        // daemonizes: started with its output to /dev/null, so no pipe of ours stays open.
        if let Some(server) = &self.wineserver {
            let mut c = std::process::Command::new(server);
            c.arg("-p60")
                .env("WINEPREFIX", prefix)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            let _ = c.status();
        }
        Ok(())
    }

    /// Run a control: the DLL copied beside it, the launcher in front of it. The record's
    /// exit is the control's own status as the launcher reported it; that report line is
    /// taken out of stderr.
    pub fn run(&self, support: &Support, exe: &Path, deadline: Instant) -> (CmdRecord, Vec<u8>) {
        let dir = exe.parent().unwrap_or(Path::new("."));
        let _ = std::fs::copy(&support.bcryptprimitives, dir.join("bcryptprimitives.dll"));
        let cmd = self
            .env(Cmd::new(&self.wine).arg(&support.launcher).arg(exe), &support.prefix)
            .cwd(dir);
        // Output to files: a wineserver the run starts must not hold our pipes open.
        let scratch = dir.join("wine-run");
        let (mut rec, out) = process::run_capture_via_files(&cmd, deadline, &scratch);
        if let Exit::Code { .. } = rec.exit {
            let mut kept = Vec::new();
            let mut status = None;
            for line in rec.stderr.lines() {
                match line.trim().strip_prefix("harness-exit-code: 0x") {
                    Some(hex) => status = u32::from_str_radix(hex.trim(), 16).ok(),
                    None => kept.push(line),
                }
            }
            match status {
                Some(code) => {
                    rec.exit = Exit::Code { code: code as i32 };
                    rec.stderr = kept.join("\n");
                    if !rec.stderr.is_empty() {
                        rec.stderr.push('\n');
                    }
                }
                None => {
                    rec.exit = Exit::SpawnFailed {
                        message: format!(
                            "the Wine launcher reported no exit status ({})",
                            rec.stderr.lines().last().unwrap_or("").trim()
                        ),
                    };
                }
            }
        }
        (rec, out)
    }
}
