//! Runners: where a built image executes. `native` on a Windows 11 on ARM64 host; `wrapper`
//! through an argv template (an emulator, a VM agent); `ssh` on a Windows 11 on ARM64
//! machine the image and its DLLs are copied to; `emulated` runs functions of ABI-matrix
//! images on emulated CPUs ([`super::emulated`]), not whole programs; `none` where nothing
//! can run Arm64EC code. Every run has the case's deadline with process-tree kill, and its
//! exit code, stdout and stderr captured.

use super::config::RunnerConfig;
use crate::error::Error;
use crate::process::{self, Cmd, CmdRecord};
use crate::toolchain::tools::RunnerInfo;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Clone, Debug, PartialEq)]
pub enum Runner {
    None {
        why: String,
    },
    Native,
    Wrapper {
        argv: Vec<String>,
    },
    Ssh {
        host: String,
        dir: String,
        ssh: Vec<String>,
        scp: Vec<String>,
    },
    /// The function-level emulator; `binary`: a built `arm64ec-emu` to use instead of
    /// building the workspace's.
    Emulated {
        binary: Option<PathBuf>,
    },
}

impl Runner {
    /// Without configuration: native on Windows on ARM64, the emulator elsewhere (whole
    /// programs then do not run; ABI-matrix functions do).
    pub fn detect() -> Runner {
        if cfg!(all(windows, any(target_arch = "aarch64", target_arch = "arm64ec"))) {
            Runner::Native
        } else {
            Runner::Emulated { binary: None }
        }
    }

    /// A runner from the `[runner]` table; `origin` names the file in errors.
    pub fn configure(c: &RunnerConfig, origin: &Path) -> Result<Runner, Error> {
        let bad = |m: String| Error::at_file(origin, m);
        match c.kind.as_str() {
            "native" => Ok(Runner::Native),
            "none" => {
                Ok(Runner::None { why: format!("runner kind `none` in {}", origin.display()) })
            }
            "wrapper" => {
                if c.argv.is_empty() || !c.argv.iter().any(|a| a.contains("{exe}")) {
                    return Err(bad(
                        "a wrapper runner needs `argv` with an `{exe}` placeholder".into()
                    ));
                }
                Ok(Runner::Wrapper { argv: c.argv.clone() })
            }
            "ssh" => {
                let (Some(host), Some(dir)) = (&c.host, &c.dir) else {
                    return Err(bad("an ssh runner needs `host` and `dir`".into()));
                };
                let or = |v: &Vec<String>, d: &str| {
                    if v.is_empty() { vec![d.to_string()] } else { v.clone() }
                };
                Ok(Runner::Ssh {
                    host: host.clone(),
                    dir: dir.trim_end_matches(['/', '\\']).to_string(),
                    ssh: or(&c.ssh, "ssh"),
                    scp: or(&c.scp, "scp"),
                })
            }
            "emulated" => Ok(Runner::Emulated {
                binary: c.emulator.as_ref().map(|b| {
                    let b = PathBuf::from(b);
                    match origin.parent() {
                        Some(dir) if b.is_relative() && b.components().count() > 1 => dir.join(b),
                        _ => b,
                    }
                }),
            }),
            k => Err(bad(format!(
                "unknown runner kind `{k}`; known: native, wrapper, ssh, emulated, none"
            ))),
        }
    }

    /// Whether whole Arm64EC programs run here.
    pub fn available(&self) -> bool {
        !matches!(self, Runner::None { .. } | Runner::Emulated { .. })
    }

    /// Why whole Arm64EC programs do not run here (`None`: they do).
    pub fn program_gap(&self) -> Option<String> {
        let host = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
        let hint =
            "run on Windows 11 on ARM64, or configure a wrapper or ssh runner in harness.toml";
        match self {
            Runner::None { why } => Some(format!("no Arm64EC runner ({why}); {hint}")),
            Runner::Emulated { .. } => Some(format!(
                "the {host} host has only the emulated runner, which runs functions of ABI-matrix images, not whole programs; {hint}"
            )),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Runner::None { .. } => "none",
            Runner::Native => "native",
            Runner::Wrapper { .. } => "wrapper",
            Runner::Ssh { .. } => "ssh",
            Runner::Emulated { .. } => "emulated",
        }
    }

    /// For the report's fingerprint.
    pub fn info(&self) -> RunnerInfo {
        let detail = match self {
            Runner::None { why } => why.clone(),
            Runner::Native => "Windows on ARM64 host".into(),
            Runner::Wrapper { argv } => argv.join(" "),
            Runner::Ssh { host, dir, .. } => format!("{host}:{dir}"),
            Runner::Emulated { binary: Some(b) } => format!("{} (functions only)", b.display()),
            Runner::Emulated { binary: None } => {
                "arm64ec-emu, built from the workspace's emulator/ crate (functions only)".into()
            }
        };
        RunnerInfo { kind: self.kind().into(), detail }
    }

    /// The command lines that run `exe` with `args` (after copying `exe` and `files` for
    /// ssh); pure, for tests and reports.
    pub fn commands(&self, exe: &Path, files: &[PathBuf], args: &[String]) -> Vec<Cmd> {
        let dir = exe.parent().unwrap_or(Path::new("."));
        match self {
            Runner::None { .. } | Runner::Emulated { .. } => vec![],
            Runner::Native => vec![Cmd::new(exe).args(args).cwd(dir)],
            Runner::Wrapper { argv } => {
                let mut out: Vec<String> = Vec::new();
                for a in argv {
                    if a == "{args}" {
                        out.extend(args.iter().cloned());
                    } else {
                        out.push(
                            a.replace("{exe}", &exe.display().to_string())
                                .replace("{dir}", &dir.display().to_string()),
                        );
                    }
                }
                let (prog, rest) =
                    out.split_first().map(|(p, r)| (p.clone(), r.to_vec())).unwrap_or_default();
                vec![Cmd::new(prog).args(rest).cwd(dir)]
            }
            Runner::Ssh { host, dir: remote, ssh, scp } => {
                let name =
                    exe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let (s0, s_rest) =
                    ssh.split_first().map(|(p, r)| (p.clone(), r.to_vec())).unwrap_or_default();
                let (c0, c_rest) =
                    scp.split_first().map(|(p, r)| (p.clone(), r.to_vec())).unwrap_or_default();
                let mkdir = Cmd::new(&s0)
                    .args(&s_rest)
                    .arg(host)
                    .arg(format!("if not exist \"{remote}\" mkdir \"{remote}\""));
                let copy = Cmd::new(&c0)
                    .args(&c_rest)
                    .arg(exe)
                    .args(files)
                    .arg(format!("{host}:{remote}/"));
                // OpenSSH on Windows runs the command through cmd.exe: quote every argument.
                let mut line = format!("cd /d \"{remote}\" && \"{remote}\\{name}\"");
                for a in args {
                    line.push_str(&format!(" \"{}\"", a.replace('"', "\\\"")));
                }
                let run = Cmd::new(&s0).args(&s_rest).arg(host).arg(line);
                vec![mkdir, copy, run]
            }
        }
    }

    /// Run `exe` (with `files`, the DLLs it needs, beside it) until `deadline`. The record
    /// is the run itself; a failed copy step is returned instead, as the record.
    pub fn run(
        &self,
        exe: &Path,
        files: &[PathBuf],
        args: &[String],
        deadline: Instant,
    ) -> (CmdRecord, Vec<u8>) {
        let cmds = self.commands(exe, files, args);
        let Some((last, setup)) = cmds.split_last() else {
            let rec = CmdRecord {
                argv: vec![exe.display().to_string()],
                cwd: None,
                exit: process::Exit::SpawnFailed { message: "no runner".into() },
                duration_ms: 0,
                stdout: String::new(),
                stderr: String::new(),
            };
            return (rec, Vec::new());
        };
        for c in setup {
            let (rec, out) = process::run_capture(c, deadline);
            if rec.exit != (process::Exit::Code { code: 0 }) {
                return (rec, out);
            }
        }
        process::run_capture(last, deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kind: &str) -> RunnerConfig {
        RunnerConfig { kind: kind.into(), ..RunnerConfig::default() }
    }

    #[test]
    fn wrapper_templates_splice_arguments() {
        let mut c = cfg("wrapper");
        c.argv = vec!["emu".into(), "--dir={dir}".into(), "{exe}".into(), "{args}".into()];
        let r = Runner::configure(&c, Path::new("h.toml")).unwrap();
        let cmd = &r.commands(Path::new("/b/x.exe"), &[], &["a b".into(), "c".into()])[0];
        assert_eq!(cmd.argv_strings(), ["emu", "--dir=/b", "/b/x.exe", "a b", "c"]);
        assert_eq!(r.info().detail, "emu --dir={dir} {exe} {args}");
    }

    #[test]
    fn ssh_copies_then_runs() {
        let mut c = cfg("ssh");
        c.host = Some("me@arm".into());
        c.dir = Some("C:/h/".into());
        let r = Runner::configure(&c, Path::new("h.toml")).unwrap();
        let cmds = r.commands(Path::new("/b/x.exe"), &[PathBuf::from("/b/p.dll")], &["q".into()]);
        assert_eq!(cmds[1].argv_strings(), ["scp", "/b/x.exe", "/b/p.dll", "me@arm:C:/h/"]);
        assert_eq!(
            cmds[2].argv_strings(),
            ["ssh", "me@arm", "cd /d \"C:/h\" && \"C:/h\\x.exe\" \"q\""]
        );
    }

    #[test]
    fn bad_configs_are_errors_naming_the_file() {
        let e = Runner::configure(&cfg("wrapper"), Path::new("h.toml")).unwrap_err().to_string();
        assert!(e.starts_with("h.toml: a wrapper runner needs"), "{e}");
        let e = Runner::configure(&cfg("qemu"), Path::new("h.toml")).unwrap_err().to_string();
        assert!(e.contains("unknown runner kind `qemu`"), "{e}");
        assert!(Runner::configure(&cfg("ssh"), Path::new("h.toml")).is_err());
    }

    #[test]
    fn the_emulated_runner_runs_functions_not_programs() {
        let mut c = cfg("emulated");
        c.emulator = Some("tools/arm64ec-emu".into());
        let r = Runner::configure(&c, Path::new("/repo/harness.toml")).unwrap();
        assert_eq!(r, Runner::Emulated { binary: Some(PathBuf::from("/repo/tools/arm64ec-emu")) });
        assert!(!r.available());
        assert!(r.program_gap().unwrap().contains("not whole programs"));
        assert!(r.commands(Path::new("/b/x.exe"), &[], &[]).is_empty());
        assert_eq!(r.kind(), "emulated");
        assert!(Runner::Native.program_gap().is_none());
    }
}
