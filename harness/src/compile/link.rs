//! Link-tier recipes: a case's sources compiled for every target it names and linked into
//! one PE image by LLD 20+ (the toolchain's rust-lld, or lld-link from PATH).
//!
//! Off Windows there is no MSVC CRT, so every Arm64EC (and Arm64X) image also gets the
//! project's support objects (`fixtures/support/*.S`, assembled with clang, or by rustc
//! through `fixtures/support/asm_support.rs` where there is no clang): the load config
//! with the CHPE metadata, the `__os_arm64x_*` slots, `__icall_helper_arm64ec`, the stack
//! probe and mem* routines. rustc's own links also want an (empty) `softintrin.lib`.
//!
//! - Rust `cdylib` / `bin`: rustc drives the link (`-C linker=...`), so its own link
//!   arguments, export list and raw-dylib import libraries are what gets tested; it also
//!   writes the crate's object for the static checks.
//! - Rust `staticlib` (and C-only cases): the library is built, then linked by lld.
//! - `also-target`: the crate again for x64 (an object: x64 code in the EC image) or for
//!   ARM64 (a static library: the native half of an Arm64X image).
//! - The linker writes a map (`/map:`), which the image checks use.

use super::recipe::{ArtifactKind, CCompiler, Producer, Step, c_step, c_target, crate_name};
use crate::discover::{CrateType, ImageKind, Lang, LinkMachine, Variant};
use crate::model::{Target, Tier};
use crate::process::Cmd;
use crate::toolchain::Toolchain;
use crate::toolchain::tools::{Linker, ToolInfo};
use std::path::{Path, PathBuf};

/// What the link tier needs besides the toolchain.
pub struct LinkTools<'a> {
    /// LLD 20+ (unused when linking the MSVC way).
    pub linker: Option<&'a Linker>,
    /// The clang driver, to assemble the support files for Arm64EC/ARM64 images (without
    /// it, the toolchain's rustc assembles them).
    pub clang: Option<&'a ToolInfo>,
    pub cc: Option<&'a CCompiler>,
    /// `fixtures/support/` of the harness's repository.
    pub support_dir: PathBuf,
    /// Link the MSVC way with this link.exe: rustc's default linker with the CRT and SDK
    /// libraries, no support objects (std programs; cases that declare `needs-msvc`).
    pub msvc: Option<PathBuf>,
    /// clang-cl, for auxiliary DLLs (`aux-dll`), which are x64 or ARM64 code.
    pub clang_cl: Option<&'a ToolInfo>,
}

/// The support files' assembly, and the crate through which rustc assembles them where
/// there is no clang (`global_asm!`); all of them are inputs of every link.
pub const SUPPORT_FILES: [&str; 3] = ["arm64ec_support.S", "arm64_support.S", ASM_SUPPORT];
const ASM_SUPPORT: &str = "asm_support.rs";

/// An empty archive: what an empty `softintrin.lib` is.
pub const EMPTY_LIB: &[u8] = b"!<arch>\n";

/// The machine an image is linked for (`/machine:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Machine {
    Arm64ec,
    Arm64x,
    X64,
    Arm64,
}

impl Machine {
    /// The value of `/machine:`.
    pub fn flag(self) -> &'static str {
        match self {
            Machine::Arm64ec => "arm64ec",
            Machine::Arm64x => "arm64x",
            Machine::X64 => "x64",
            Machine::Arm64 => "arm64",
        }
    }

    /// Whether the image holds Arm64EC code (it needs the EC support object off MSVC).
    pub fn has_ec_code(self) -> bool {
        matches!(self, Machine::Arm64ec | Machine::Arm64x)
    }

    /// Whether the image holds native ARM64 code (it needs the native support object).
    pub fn has_native_code(self) -> bool {
        matches!(self, Machine::Arm64x | Machine::Arm64)
    }
}

/// The machine of the image a case links, from its target and `link-machine`.
pub fn machine(v: &Variant) -> Machine {
    match (v.config.link_machine, v.config.target) {
        (Some(LinkMachine::Arm64x), _) => Machine::Arm64x,
        (_, Target::X64) => Machine::X64,
        (_, Target::Aarch64) => Machine::Arm64,
        _ => Machine::Arm64ec,
    }
}

/// The image a case links: as declared (`link:`), else an EXE for a `bin` crate or a
/// `tier: run` case (a run executes a program), else a DLL.
pub fn image_kind(v: &Variant) -> ImageKind {
    match (v.config.image, v.config.crate_type) {
        (Some(k), _) => k,
        (None, Some(CrateType::Bin)) => ImageKind::Exe,
        (None, _) if v.config.tier == Tier::Run => ImageKind::Exe,
        _ => ImageKind::Dll,
    }
}

fn triple(t: Target) -> &'static str {
    t.triple().unwrap_or_default()
}

/// Files the recipe needs in its directory before the steps run.
pub fn files() -> Vec<(String, Vec<u8>)> {
    vec![("lib/softintrin.lib".into(), EMPTY_LIB.to_vec())]
}

/// The steps that build and link `v`.
pub fn steps(v: &Variant, tc: &Toolchain, t: &LinkTools) -> Vec<Step> {
    let cfg = &v.config;
    let name = crate_name(&v.spec.name);
    let m = machine(v);
    let kind = image_kind(v);
    let image = format!("{name}.{}", kind.name());
    let map = format!("{name}.map");
    let mut out: Vec<Step> = Vec::new();
    let mut inputs: Vec<String> = Vec::new();
    let assemble = |target: &str, file: &str, obj: &str, out: &mut Vec<Step>| {
        let src = t.support_dir.join(file);
        let cmd = match t.clang {
            Some(clang) => Cmd::new(&clang.path)
                .arg(format!("--target={target}"))
                .args(["-c"])
                .arg(&src)
                .args(["-o", obj]),
            // No clang (Windows without LLVM): rustc assembles the same file.
            None => Cmd::new(&tc.rustc)
                .args(["--edition=2021", "--target", target, "--crate-type", "lib"])
                .args(["--emit=obj", "-C", "panic=abort", "-o", obj])
                .arg(t.support_dir.join(ASM_SUPPORT)),
        };
        let producer = match t.clang {
            Some(clang) => Producer::Clang(clang.version.clone()),
            None => Producer::rustc(tc),
        };
        let target = if target.starts_with("arm64ec") { Target::Arm64ec } else { Target::Aarch64 };
        out.push(Step {
            cmd,
            output: obj.into(),
            kind: ArtifactKind::Object,
            target,
            source: src,
            producer,
            also: vec![],
        });
    };
    if m.has_ec_code() && t.msvc.is_none() {
        assemble("arm64ec-pc-windows-msvc", "arm64ec_support.S", "arm64ec_support.o", &mut out);
        inputs.push("arm64ec_support.o".into());
    }
    if m.has_native_code() && t.msvc.is_none() {
        assemble("aarch64-pc-windows-msvc", "arm64_support.S", "arm64_support.o", &mut out);
        inputs.push("arm64_support.o".into());
    }
    out.extend(aux_dll_steps(v, t));
    let is_aux = |s: &crate::discover::Source| {
        cfg.aux_dlls.contains_key(&s.rel.to_string_lossy().replace('\\', "/"))
    };
    if let Some(cc) = t.cc {
        for src in
            v.spec.sources.iter().filter(|s| matches!(s.lang, Lang::C | Lang::Cpp) && !is_aux(s))
        {
            let mut flags = cfg.cflags.clone();
            if c_target(v, src) == Target::X64 {
                flags.push("/GS-".into()); // no x64 CRT here for the cookie check
            }
            let step = c_step(src, c_target(v, src), cc, &flags);
            inputs.push(step.output.clone());
            out.push(step);
        }
    }
    let rust = v.spec.rust_root();
    if let Some(root) = rust {
        for extra in &cfg.also_targets {
            let rustc = rust_base(tc, v, &name, *extra).arg(&root.path);
            let (ct, file, kind) = match extra {
                Target::Aarch64 => {
                    ("staticlib", format!("{name}.arm64.lib"), ArtifactKind::Library)
                }
                _ => ("lib", format!("{name}.{}.o", short(*extra)), ArtifactKind::Object),
            };
            let cmd = if ct == "lib" {
                rustc.args(["--crate-type", "lib", "--emit=obj", "-o", &file])
            } else {
                rustc.args(["--crate-type", ct, "-o", &file])
            };
            inputs.push(file.clone());
            out.push(Step {
                cmd,
                output: file,
                kind,
                target: *extra,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![],
            });
        }
    }
    let mut link_args: Vec<String> = vec![format!("/map:{map}")];
    if t.msvc.is_none() {
        link_args.push("/nodefaultlib".into());
        match kind {
            ImageKind::Dll if cfg.entry.is_none() => link_args.push("/noentry".into()),
            ImageKind::Dll => {
                link_args.push(format!("/entry:{}", cfg.entry.clone().unwrap_or_default()))
            }
            ImageKind::Exe => {
                link_args.push(format!(
                    "/entry:{}",
                    cfg.entry.clone().unwrap_or_else(|| "mainCRTStartup".into())
                ));
                link_args.push("/subsystem:console".into());
            }
        }
    }
    if m == Machine::Arm64x {
        link_args.push("/machine:arm64x".into());
    }
    let case_dir = if v.spec.path.is_dir() {
        v.spec.path.clone()
    } else {
        v.spec.path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let user_args: Vec<String> =
        cfg.link_args.iter().map(|a| a.replace("{dir}", &case_dir.display().to_string())).collect();
    let ct = cfg.crate_type.unwrap_or(if kind == ImageKind::Exe {
        CrateType::Bin
    } else {
        CrateType::Cdylib
    });
    match (rust, ct) {
        (Some(root), CrateType::Cdylib | CrateType::Bin) => {
            let obj = format!("{name}.o");
            let mut cmd = rust_base(tc, v, &name, cfg.target)
                .args(["--crate-type", ct.name()])
                .arg(format!("--emit=obj={obj},link={image}"));
            if let (None, Some(l)) = (&t.msvc, t.linker) {
                cmd = cmd
                    .arg("-C")
                    .arg(format!("linker={}", l.path.display()))
                    .args(["-L", "native=lib"]);
            }
            for a in link_args.iter().chain(&inputs).chain(&user_args) {
                cmd = cmd.arg("-C").arg(format!("link-arg={a}"));
            }
            out.push(Step {
                cmd: cmd.arg(&root.path),
                output: image,
                kind: ArtifactKind::Image,
                target: cfg.target,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![(obj, ArtifactKind::Object), (map, ArtifactKind::Map)],
            });
        }
        (rust_root, _) => {
            if let Some(root) = rust_root {
                let lib = format!("{name}.lib");
                let cmd = rust_base(tc, v, &name, cfg.target)
                    .args(["--crate-type", "staticlib", "-o", &lib])
                    .arg(&root.path);
                out.push(Step {
                    cmd,
                    output: lib.clone(),
                    kind: ArtifactKind::Library,
                    target: cfg.target,
                    source: root.path.clone(),
                    producer: Producer::rustc(tc),
                    also: vec![],
                });
                inputs.push(lib);
            }
            let linker = match (&t.msvc, t.linker) {
                (Some(link), _) => Cmd::new(link),
                (None, Some(l)) => Cmd::new(&l.path).args(&l.prefix),
                (None, None) => Cmd::new("lld-link"),
            };
            let cmd = linker
                .arg(format!("/machine:{}", m.flag()))
                .arg(if kind == ImageKind::Dll { "/dll" } else { "/nologo" })
                .args(link_args.iter().filter(|a| !a.starts_with("/machine:")))
                .arg(format!("/out:{image}"))
                .args(&inputs)
                .args(&user_args);
            out.push(Step {
                cmd,
                output: image,
                kind: ArtifactKind::Image,
                target: cfg.target,
                source: v.spec.primary.clone(),
                producer: Producer::Linker,
                also: vec![(map, ArtifactKind::Map)],
            });
        }
    }
    out
}

/// Each `aux-dll` source compiled by clang-cl for its target and linked by LLD into
/// `<stem>.dll` beside the image (its exports are its `__declspec(dllexport)` functions).
fn aux_dll_steps(v: &Variant, t: &LinkTools) -> Vec<Step> {
    let mut out = Vec::new();
    for (rel, target) in &v.config.aux_dlls {
        let Some(src) =
            v.spec.sources.iter().find(|s| s.rel.to_string_lossy().replace('\\', "/") == *rel)
        else {
            continue;
        };
        let stem = Path::new(rel)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let obj = format!("{stem}.aux.obj");
        let dll = format!("{stem}.dll");
        let cl = t.clang_cl.map(|c| c.path.clone()).unwrap_or_else(|| "clang-cl".into());
        let compile = Cmd::new(cl)
            .args(["/nologo", "/c", "/O2", "/GS-"])
            .args(target.clang_cl_args())
            .arg(format!("/Fo{obj}"))
            .arg("--")
            .arg(&src.path);
        out.push(Step {
            cmd: compile,
            output: obj.clone(),
            kind: ArtifactKind::Object,
            target: *target,
            source: src.path.clone(),
            producer: Producer::ClangCl(t.clang_cl.map(|c| c.version.clone()).unwrap_or_default()),
            also: vec![],
        });
        let linker = match t.linker {
            Some(l) => Cmd::new(&l.path).args(&l.prefix),
            None => Cmd::new("lld-link"),
        };
        let machine = if *target == Target::Aarch64 { "arm64" } else { "x64" };
        let link = linker
            .arg(format!("/machine:{machine}"))
            .args(["/dll", "/noentry", "/nodefaultlib", "/nologo"])
            .arg(format!("/out:{dll}"))
            .arg(&obj);
        out.push(Step {
            cmd: link,
            output: dll,
            kind: ArtifactKind::Image,
            target: *target,
            source: src.path.clone(),
            producer: Producer::Linker,
            also: vec![],
        });
    }
    out
}

fn short(t: Target) -> &'static str {
    match t {
        Target::Arm64ec => "arm64ec",
        Target::X64 => "x64",
        Target::Aarch64 => "arm64",
        Target::Host => "host",
    }
}

/// rustc for one target with the case's flags; panic=abort unless the case links with
/// MSVC (no unwinding runtime without its CRT).
fn rust_base(tc: &Toolchain, v: &Variant, name: &str, target: Target) -> Cmd {
    let msvc = v.config.needs.contains(&crate::discover::Need::Msvc);
    let cmd = Cmd::new(&tc.rustc)
        .arg(format!("--edition={}", v.config.edition))
        .args(["--crate-name", name, "--target", triple(target)])
        .args(["-C", "opt-level=2", "-C", "codegen-units=1", "-C", "debuginfo=0"]);
    let cmd = if msvc { cmd } else { cmd.args(["-C", "panic=abort"]) };
    cmd.args(&v.config.compile_flags)
}
