//! The compiler commands for a case: pure functions from a variant and the environment's
//! tools to argv arrays, with output names relative to the build directory.

use crate::discover::{CrateType, Lang, Variant};
use crate::model::Target;
use crate::process::Cmd;
use crate::toolchain::Toolchain;
use crate::toolchain::tools::{Msvc, ToolInfo};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What a build step produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactKind {
    Object,
    Executable,
    /// A static library (`.lib`) the link uses.
    Library,
    /// A linked PE image (`.dll`, `.exe`).
    Image,
    /// The linker's map of an image.
    Map,
}

/// The C compiler a case's C/C++ sources are compiled with.
#[derive(Clone, Debug)]
pub enum CCompiler {
    ClangCl(ToolInfo),
    Msvc(Msvc),
}

/// The tool that made an artifact, recorded when the step is planned: messages that compare
/// producers name it, nothing asks for it again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "version", rename_all = "kebab-case")]
pub enum Producer {
    /// rustc, with its release.
    Rustc(String),
    /// clang-cl, with its version line.
    ClangCl(String),
    /// MSVC's cl.exe.
    Msvc,
    /// The clang driver assembling support files, with its version line.
    Clang(String),
    /// The linker (LLD or link.exe).
    Linker,
    /// MinGW-w64's gcc (Wine controls).
    MinGw,
    /// The host's C compiler (the ABI matrix's host controls).
    HostCc,
    /// Not recorded (a manifest written before producers were).
    #[default]
    Unknown,
}

impl Producer {
    pub fn rustc(tc: &Toolchain) -> Producer {
        Producer::Rustc(tc.info.release.clone())
    }

    pub fn of_c(cc: &CCompiler) -> Producer {
        match cc {
            CCompiler::ClangCl(t) => Producer::ClangCl(t.version.clone()),
            CCompiler::Msvc(_) => Producer::Msvc,
        }
    }
}

impl std::fmt::Display for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Producer::Rustc(v) => write!(f, "rustc {v}"),
            Producer::ClangCl(v) => write!(f, "clang-cl {v}"),
            Producer::Msvc => f.write_str("cl (MSVC)"),
            Producer::Clang(v) => write!(f, "clang {v}"),
            Producer::Linker => f.write_str("the linker"),
            Producer::MinGw => f.write_str("MinGW-w64 gcc"),
            Producer::HostCc => f.write_str("the host C compiler"),
            Producer::Unknown => f.write_str("an unrecorded producer"),
        }
    }
}

/// One compiler invocation and the file it leaves in the build directory.
#[derive(Clone, Debug)]
pub struct Step {
    pub cmd: Cmd,
    pub output: String,
    pub kind: ArtifactKind,
    pub target: Target,
    pub source: PathBuf,
    /// What makes the output (and the `also` files).
    pub producer: Producer,
    /// More files the same command leaves (an object beside a linked image, its map).
    pub also: Vec<(String, ArtifactKind)>,
}

/// Turn a case name into a valid crate name.
pub fn crate_name(case: &str) -> String {
    let mut s: String =
        case.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// The steps that build `v`. `cc` is required when the case has C/C++ sources.
pub fn steps(v: &Variant, tc: &Toolchain, cc: Option<&CCompiler>) -> Vec<Step> {
    let cfg = &v.config;
    let spec = &v.spec;
    let name = crate_name(&spec.name);
    let mut out = Vec::new();
    if let Some(root) = spec.rust_root() {
        let mut cmd = Cmd::new(&tc.rustc).arg(format!("--edition={}", cfg.edition));
        cmd = cmd.args(["--crate-name", &name]);
        if v.is_host_control() {
            let exe = if cfg!(windows) { format!("{name}.exe") } else { name.clone() };
            cmd = cmd
                .args(["--crate-type", "bin", "-C", "opt-level=1", "-C", "debuginfo=0"])
                .args(&cfg.compile_flags)
                .args(["-o", &exe])
                .arg(&root.path);
            out.push(Step {
                cmd,
                output: exe,
                kind: ArtifactKind::Executable,
                target: Target::Host,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![],
            });
        } else {
            let ct = cfg.crate_type.unwrap_or(CrateType::Rlib);
            let obj = format!("{name}.o");
            cmd = cmd
                .args(["--crate-type", ct.name()])
                .args(["--target", cfg.target.triple().unwrap_or_default()])
                .args([
                    "--emit=obj",
                    "-C",
                    "opt-level=2",
                    "-C",
                    "codegen-units=1",
                    "-C",
                    "debuginfo=0",
                ])
                .args(&cfg.compile_flags)
                .args(["-o", &obj])
                .arg(&root.path);
            if cfg.build_fail || !spec.annotations.is_empty() {
                cmd = cmd.arg("--error-format=json");
            }
            out.push(Step {
                cmd,
                output: obj,
                kind: ArtifactKind::Object,
                target: cfg.target,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![],
            });
        }
    }
    if v.is_host_control() {
        return out;
    }
    for src in spec.sources.iter().filter(|s| matches!(s.lang, Lang::C | Lang::Cpp)) {
        let Some(cc) = cc else { continue };
        out.push(c_step(src, c_target(v, src), cc, &cfg.cflags));
    }
    out
}

/// A Wine control: the Rust crate as an x64 Windows program (x86_64-pc-windows-gnu,
/// linked by MinGW-w64), its C sources compiled by the same MinGW-w64 compiler.
pub fn wine_steps(v: &Variant, tc: &Toolchain, mingw: Option<&std::path::Path>) -> Vec<Step> {
    let spec = &v.spec;
    let name = crate_name(&spec.name);
    let gcc = mingw.map(|m| m.to_path_buf()).unwrap_or_else(|| "x86_64-w64-mingw32-gcc".into());
    let mut out = Vec::new();
    let mut objects = Vec::new();
    for src in spec.sources.iter().filter(|s| s.lang == Lang::C) {
        let rel = src.rel.to_string_lossy().replace('\\', "/");
        if let Some(target) = v.config.aux_dlls.get(&rel) {
            // An x64 plugin as a MinGW DLL beside the program; ARM64 ones do not exist here.
            if *target == Target::X64 {
                let stem = std::path::Path::new(&rel)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let dll = format!("{stem}.dll");
                out.push(Step {
                    cmd: Cmd::new(&gcc).args(["-shared", "-O1", "-o", &dll]).arg(&src.path),
                    output: dll,
                    kind: ArtifactKind::Image,
                    target: Target::X64,
                    source: src.path.clone(),
                    producer: Producer::MinGw,
                    also: vec![],
                });
            }
            continue;
        }
        let obj = format!("{}.o", rel.replace(['/', '.'], "_"));
        out.push(Step {
            cmd: Cmd::new(&gcc).args(["-c", "-O1", "-o", &obj]).arg(&src.path),
            output: obj.clone(),
            kind: ArtifactKind::Object,
            target: Target::X64,
            source: src.path.clone(),
            producer: Producer::MinGw,
            also: vec![],
        });
        objects.push(obj);
    }
    if let Some(root) = spec.rust_root() {
        let exe = format!("{name}.exe");
        let mut cmd = Cmd::new(&tc.rustc)
            .arg(format!("--edition={}", v.config.edition))
            .args(["--crate-name", &name, "--crate-type", "bin"])
            .args(["--target", crate::model::GNU_TRIPLE])
            .args(["-C", "opt-level=1", "-C", "debuginfo=1"])
            .arg("-C")
            .arg(format!("linker={}", gcc.display()));
        for o in &objects {
            cmd = cmd.arg("-C").arg(format!("link-arg={o}"));
        }
        out.push(Step {
            cmd: cmd.args(&v.config.compile_flags).args(["-o", &exe]).arg(&root.path),
            output: exe,
            kind: ArtifactKind::Executable,
            target: Target::X64,
            source: root.path.clone(),
            producer: Producer::rustc(tc),
            also: vec![],
        });
    }
    out
}

/// The target a C source of the case is compiled for (`c-target`, or the case's).
pub fn c_target(v: &Variant, src: &crate::discover::Source) -> Target {
    let rel = src.rel.to_string_lossy().replace('\\', "/");
    v.config.c_targets.get(&rel).copied().unwrap_or(v.config.target)
}

/// Compile one C/C++ source to an object named after its path in the case.
pub fn c_step(
    src: &crate::discover::Source,
    target: Target,
    cc: &CCompiler,
    cflags: &[String],
) -> Step {
    let stem: String = src
        .rel
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect();
    let obj = format!("{stem}.obj");
    let cmd = match cc {
        CCompiler::ClangCl(t) => {
            Cmd::new(&t.path).args(["/nologo", "/c", "/O2"]).args(target.clang_cl_args())
        }
        CCompiler::Msvc(m) => Cmd::new(&m.cl).args(["/nologo", "/c", "/O2", "/arm64EC"]),
    };
    let cmd = cmd.args(cflags).arg(format!("/Fo{obj}"));
    // clang-cl reads an absolute Unix path such as `/work/x.c` as an option: end options first.
    let cmd = match cc {
        CCompiler::ClangCl(_) => cmd.arg("--").arg(&src.path),
        CCompiler::Msvc(_) => cmd.arg(&src.path),
    };
    Step {
        cmd,
        output: obj,
        kind: ArtifactKind::Object,
        target,
        source: src.path.clone(),
        producer: Producer::of_c(cc),
        also: vec![],
    }
}
