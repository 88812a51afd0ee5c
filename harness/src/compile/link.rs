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

/// The steps that build and link `v`: support objects, auxiliary DLLs, C objects, the
/// crate for its other targets, then the image.
pub fn steps(v: &Variant, tc: &Toolchain, t: &LinkTools) -> Vec<Step> {
    let name = crate_name(&v.spec.name);
    let kind = image_kind(v);
    let mut l = Link {
        v,
        tc,
        t,
        machine: machine(v),
        kind,
        image: format!("{name}.{}", kind.name()),
        map: format!("{name}.map"),
        name,
        out: Vec::new(),
        inputs: Vec::new(),
    };
    l.support_objects();
    l.out.extend(aux_dll_steps(v, t));
    l.c_objects();
    l.other_targets();
    l.image();
    l.out
}

/// A link being planned: what it makes, and the steps and linker inputs so far.
struct Link<'a> {
    v: &'a Variant,
    tc: &'a Toolchain,
    t: &'a LinkTools<'a>,
    machine: Machine,
    kind: ImageKind,
    name: String,
    image: String,
    map: String,
    out: Vec<Step>,
    inputs: Vec<String>,
}

impl Link<'_> {
    /// The project's support objects off MSVC: the EC one for EC code, the native one for
    /// native ARM64 code.
    fn support_objects(&mut self) {
        if self.t.msvc.is_some() {
            return;
        }
        if self.machine.has_ec_code() {
            self.assemble("arm64ec-pc-windows-msvc", "arm64ec_support.S", "arm64ec_support.o");
        }
        if self.machine.has_native_code() {
            self.assemble("aarch64-pc-windows-msvc", "arm64_support.S", "arm64_support.o");
        }
    }

    /// Assemble one support file with clang, or with rustc where there is no clang.
    fn assemble(&mut self, target: &str, file: &str, obj: &str) {
        let (t, tc) = (self.t, self.tc);
        let src = t.support_dir.join(file);
        let (cmd, producer) = match t.clang {
            Some(clang) => (
                Cmd::new(&clang.path)
                    .arg(format!("--target={target}"))
                    .args(["-c"])
                    .arg(&src)
                    .args(["-o", obj]),
                Producer::Clang(clang.version.clone()),
            ),
            // No clang (Windows without LLVM): rustc assembles the same file.
            None => (
                Cmd::new(&tc.rustc)
                    .args(["--edition=2021", "--target", target, "--crate-type", "lib"])
                    .args(["--emit=obj", "-C", "panic=abort", "-o", obj])
                    .arg(t.support_dir.join(ASM_SUPPORT)),
                Producer::rustc(tc),
            ),
        };
        let target = if target.starts_with("arm64ec") { Target::Arm64ec } else { Target::Aarch64 };
        self.out.push(Step {
            cmd,
            output: obj.into(),
            kind: ArtifactKind::Object,
            target,
            source: src,
            producer,
            also: vec![],
        });
        self.inputs.push(obj.into());
    }

    /// The case's C sources (not its auxiliary DLLs'), each for its target.
    fn c_objects(&mut self) {
        let (v, cfg) = (self.v, &self.v.config);
        let Some(cc) = self.t.cc else { return };
        let is_aux = |s: &crate::discover::Source| {
            cfg.aux_dlls.contains_key(&s.rel.to_string_lossy().replace('\\', "/"))
        };
        for src in
            v.spec.sources.iter().filter(|s| matches!(s.lang, Lang::C | Lang::Cpp) && !is_aux(s))
        {
            let mut flags = cfg.cflags.clone();
            if c_target(v, src) == Target::X64 {
                flags.push("/GS-".into()); // no x64 CRT here for the cookie check
            }
            let step = c_step(src, c_target(v, src), cc, &flags);
            self.inputs.push(step.output.clone());
            self.out.push(step);
        }
    }

    /// The Rust crate compiled for each `also-target`: objects, or a static library of the
    /// native half of an Arm64X image.
    fn other_targets(&mut self) {
        let (v, tc, name) = (self.v, self.tc, self.name.clone());
        let Some(root) = v.spec.rust_root() else { return };
        for extra in &v.config.also_targets {
            let rustc = rust_base(tc, v, &name, *extra).arg(&root.path);
            let (cmd, file, kind) = match extra {
                Target::Aarch64 => {
                    let file = format!("{name}.arm64.lib");
                    let cmd = rustc.args(["--crate-type", "staticlib", "-o", &file]);
                    (cmd, file, ArtifactKind::Library)
                }
                _ => {
                    let file = format!("{name}.{}.o", short(*extra));
                    let cmd = rustc.args(["--crate-type", "lib", "--emit=obj", "-o", &file]);
                    (cmd, file, ArtifactKind::Object)
                }
            };
            self.inputs.push(file.clone());
            self.out.push(Step {
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

    /// The linker arguments of the harness: the map, and off MSVC no default libraries and
    /// the entry point.
    fn link_args(&self) -> Vec<String> {
        let cfg = &self.v.config;
        let mut args: Vec<String> = vec![format!("/map:{}", self.map)];
        if self.t.msvc.is_none() {
            args.push("/nodefaultlib".into());
            match (self.kind, &cfg.entry) {
                (ImageKind::Dll, None) => args.push("/noentry".into()),
                (ImageKind::Dll, Some(e)) => args.push(format!("/entry:{e}")),
                (ImageKind::Exe, e) => {
                    args.push(format!("/entry:{}", e.as_deref().unwrap_or("mainCRTStartup")));
                    args.push("/subsystem:console".into());
                }
            }
        }
        if self.machine == Machine::Arm64x {
            args.push("/machine:arm64x".into());
        }
        args
    }

    /// The case's own `link-args`, with `{dir}` as the case's directory.
    fn user_args(&self) -> Vec<String> {
        let spec = &self.v.spec;
        let dir = if spec.path.is_dir() {
            spec.path.clone()
        } else {
            spec.path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let dir = dir.display().to_string();
        self.v.config.link_args.iter().map(|a| a.replace("{dir}", &dir)).collect()
    }

    /// The image: rustc links a `bin`/`cdylib` crate itself; otherwise the crate becomes a
    /// static library and the linker links everything.
    fn image(&mut self) {
        let (v, tc, t) = (self.v, self.tc, self.t);
        let cfg = &v.config;
        let (link_args, user_args) = (self.link_args(), self.user_args());
        let default = if self.kind == ImageKind::Exe { CrateType::Bin } else { CrateType::Cdylib };
        let ct = cfg.crate_type.unwrap_or(default);
        let root = v.spec.rust_root();
        if let (Some(root), CrateType::Cdylib | CrateType::Bin) = (root, ct) {
            let obj = format!("{}.o", self.name);
            let mut cmd = rust_base(tc, v, &self.name, cfg.target)
                .args(["--crate-type", ct.name()])
                .arg(format!("--emit=obj={obj},link={}", self.image));
            if let (None, Some(l)) = (&t.msvc, t.linker) {
                cmd = cmd
                    .arg("-C")
                    .arg(format!("linker={}", l.path.display()))
                    .args(["-L", "native=lib"]);
            }
            for a in link_args.iter().chain(&self.inputs).chain(&user_args) {
                cmd = cmd.arg("-C").arg(format!("link-arg={a}"));
            }
            self.out.push(Step {
                cmd: cmd.arg(&root.path),
                output: self.image.clone(),
                kind: ArtifactKind::Image,
                target: cfg.target,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![(obj, ArtifactKind::Object), (self.map.clone(), ArtifactKind::Map)],
            });
            return;
        }
        if let Some(root) = root {
            // Not `<name>.lib`: a DLL's import library takes that name and would overwrite it.
            let lib = format!("{}.rust.lib", self.name);
            let cmd = rust_base(tc, v, &self.name, cfg.target)
                .args(["--crate-type", "staticlib", "-o", &lib])
                .arg(&root.path);
            self.out.push(Step {
                cmd,
                output: lib.clone(),
                kind: ArtifactKind::Library,
                target: cfg.target,
                source: root.path.clone(),
                producer: Producer::rustc(tc),
                also: vec![],
            });
            self.inputs.push(lib);
        }
        let linker = match (&t.msvc, t.linker) {
            (Some(link), _) => Cmd::new(link),
            (None, Some(l)) => Cmd::new(&l.path).args(&l.prefix),
            (None, None) => Cmd::new("lld-link"),
        };
        let cmd = linker
            .arg(format!("/machine:{}", self.machine.flag()))
            .arg(if self.kind == ImageKind::Dll { "/dll" } else { "/nologo" })
            .args(link_args.iter().filter(|a| !a.starts_with("/machine:")))
            .arg(format!("/out:{}", self.image))
            .args(&self.inputs)
            .args(&user_args);
        self.out.push(Step {
            cmd,
            output: self.image.clone(),
            kind: ArtifactKind::Image,
            target: cfg.target,
            source: v.spec.primary.clone(),
            producer: Producer::Linker,
            also: vec![(self.map.clone(), ArtifactKind::Map)],
        });
    }
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
