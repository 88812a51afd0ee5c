//! The build of one pairing: generated sources written into the build directory, then at
//! most four tool invocations however many functions the pairing holds — the support
//! object (Arm64EC only), the sides built apart (C, Rust x64), and the driver crate, which
//! rustc compiles and links into one image with everything else.

use super::emit_rust::{self, Driver};
use super::{Arch, FnSpec, Lang, Pairing, Side, emit_c};
use crate::compile::link::EMPTY_LIB;
use crate::compile::{ArtifactKind, CCompiler, Producer, Step, StepPlan};
use crate::model::Target;
use crate::process::Cmd;
use crate::toolchain::Toolchain;
use crate::toolchain::tools::{Linker, ToolInfo};
use std::path::PathBuf;

pub const DRIVER_OBJ: &str = "driver.o";
pub const OTHER_C_OBJ: &str = "other.obj";
pub const OTHER_RUST_OBJ: &str = "other.o";
pub const IMAGE: &str = "matrix.exe";
pub const MAP: &str = "matrix.map";
pub const SUPPORT_OBJ: &str = "arm64ec_support.o";

/// The object a side's code is compiled into: the driver crate's, or the one built apart
/// for it (a host C side's too is `other.o`).
pub fn object_of(pairing: &Pairing, side: Side) -> &'static str {
    if Some(side) == pairing.driver_side() {
        DRIVER_OBJ
    } else if side.lang == Lang::C && !pairing.is_control() {
        OTHER_C_OBJ
    } else {
        OTHER_RUST_OBJ
    }
}

/// The pairing's support assembly: the shared runtime support, and the driver's protocol
/// buffer as plain data symbols (a function-level runner finds them in the map).
const SUPPORT_SRC: &str = "support.S";
const SUPPORT_DATA: &str = r#"// generated; do not edit
#include "arm64ec_support.S"

// The driver's protocol text (`abi_out[..abi_out_len]`) and whether each line is written
// out at once (`abi_direct`, set when the image runs as a process).
        .bss
        .globl  abi_out
        .p2align 4
abi_out:
        .zero   65536
        .globl  abi_out_len
        .p2align 2
abi_out_len:
        .zero   4
        .globl  abi_direct
        .p2align 2
abi_direct:
        .zero   4
"#;

/// The tools a pairing may need; which it does depends on the pairing.
pub struct Tools<'a> {
    /// LLD 20+ (Arm64EC pairings).
    pub linker: Option<&'a Linker>,
    /// The clang driver: assembles the support object.
    pub clang: Option<&'a ToolInfo>,
    /// The C compiler for Arm64EC C code (MSVC or clang-cl).
    pub c_ec: Option<&'a CCompiler>,
    /// clang-cl, for x64 C code inside the image.
    pub clang_cl: Option<&'a ToolInfo>,
    /// A C compiler for the host (controls).
    pub host_cc: Option<PathBuf>,
    pub support_dir: PathBuf,
}

impl Tools<'_> {
    /// Every tool identity that can change the outputs.
    pub fn identity(&self) -> String {
        let mut s = String::new();
        if let Some(l) = self.linker {
            s += &format!("linker {} {};", l.path.display(), l.version);
        }
        if let Some(c) = self.clang {
            s += &format!("clang {} {};", c.path.display(), c.version);
        }
        match self.c_ec {
            Some(CCompiler::ClangCl(t)) => {
                s += &format!("clang-cl {} {};", t.path.display(), t.version)
            }
            Some(CCompiler::Msvc(m)) => s += &format!("msvc {} {};", m.cl.display(), m.sdk_version),
            None => {}
        }
        if let Some(c) = self.clang_cl {
            s += &format!("x64 clang-cl {} {};", c.path.display(), c.version);
        }
        if let Some(c) = &self.host_cc {
            s += &format!("host cc {};", c.display());
        }
        s
    }

    /// Why this pairing cannot be built here, if it cannot.
    pub fn missing(&self, p: &Pairing) -> Option<String> {
        if p.is_control() {
            return self
                .host_cc
                .is_none()
                .then(|| "no host C compiler (clang or cc on PATH)".to_string());
        }
        if self.linker.is_none() {
            return Some("linking needs LLD 20 or later".into());
        }
        if self.clang.is_none() {
            return Some("the Arm64EC support object is assembled with clang".into());
        }
        p.apart().into_iter().find_map(|other| match (other.lang, other.arch) {
            (Lang::C, Arch::Ec) if self.c_ec.is_none() => {
                Some("Arm64EC C code needs clang-cl or MSVC".to_string())
            }
            (Lang::C, Arch::X64) if self.clang_cl.is_none() => {
                Some("x64 C code inside the image is compiled with clang-cl".into())
            }
            _ => None,
        })
    }
}

/// What compiles `other.c` for `arch`: the host C compiler, MSVC's cl or clang-cl.
fn c_producer(arch: Arch, tools: &Tools) -> Producer {
    match (arch, tools.c_ec) {
        (Arch::Host, _) => Producer::HostCc,
        (Arch::Ec, Some(cc)) => Producer::of_c(cc),
        _ => Producer::ClangCl(tools.clang_cl.map(|t| t.version.clone()).unwrap_or_default()),
    }
}

/// The command that compiles `other.c` for `arch` into `out`.
fn c_command(arch: Arch, out: &str, tools: &Tools) -> Cmd {
    match (arch, tools.c_ec) {
        (Arch::Host, _) => Cmd::new(tools.host_cc.clone().unwrap_or_else(|| "cc".into()))
            .args(["-c", "-O0", "-o", out, "other.c"]),
        (Arch::Ec, Some(CCompiler::Msvc(m))) => Cmd::new(&m.cl)
            .args(["/nologo", "/c", "/O2", "/arm64EC"])
            .arg(format!("/Fo{out}"))
            .arg("other.c"),
        (arch, _) => {
            let cl = match (arch, tools.c_ec) {
                (Arch::Ec, Some(CCompiler::ClangCl(t))) => t.path.clone(),
                _ => tools.clang_cl.map(|t| t.path.clone()).unwrap_or_else(|| "clang-cl".into()),
            };
            let mut c = Cmd::new(cl).args(["/nologo", "/c", "/O2"]);
            c = c.args(arch.target().clang_cl_args());
            if arch == Arch::X64 {
                c = c.arg("/GS-"); // no x64 C runtime for the cookie check
            }
            c.arg(format!("/Fo{out}")).args(["--", "other.c"])
        }
    }
}

/// The generated sources and the steps of a pairing. `fns` are in run order.
pub fn plan(pairing: &Pairing, fns: &[&FnSpec], tc: &Toolchain, tools: &Tools) -> StepPlan {
    let g = Gen { pairing, fns, tc, tools, name: pairing.name() };
    let mut files = vec![("driver.rs".to_string(), g.driver_source().into_bytes())];
    let mut steps = Vec::new();
    let mut link_inputs: Vec<String> = Vec::new();
    for other in pairing.apart() {
        let (file, source, step) = g.other_side(other);
        files.push((file.into(), source.into_bytes()));
        link_inputs.push(step.output.clone());
        steps.push(step);
    }
    if pairing.is_control() {
        steps.push(g.host_program(&link_inputs));
        return StepPlan { steps, files, inputs: vec![], identity: tools.identity() };
    }
    // Arm64EC: the support object, then rustc compiles the driver and links the image.
    files.push(("lib/softintrin.lib".into(), EMPTY_LIB.to_vec()));
    files.push((SUPPORT_SRC.into(), SUPPORT_DATA.as_bytes().to_vec()));
    if let Some(clang) = tools.clang {
        steps.insert(0, g.support_object(clang));
        link_inputs.insert(0, SUPPORT_OBJ.into());
    }
    steps.push(g.ec_image(&link_inputs));
    let support = tools.support_dir.join("arm64ec_support.S");
    StepPlan { steps, files, inputs: vec![support], identity: tools.identity() }
}

/// What generating and building one pairing needs.
struct Gen<'a> {
    pairing: &'a Pairing,
    fns: &'a [&'a FnSpec],
    tc: &'a Toolchain,
    tools: &'a Tools<'a>,
    name: String,
}

impl Gen<'_> {
    fn indexed(&self) -> Vec<(usize, &FnSpec)> {
        self.fns.iter().copied().enumerate().collect()
    }

    fn title(&self, side: super::Side, callee: bool) -> String {
        format!("{}: the {} side ({side})", self.name, if callee { "callee" } else { "caller" })
    }

    /// The driver's crate. It holds one side's functions too, unless neither side is
    /// Arm64EC (or host) Rust: then it holds only the driver, and calls the caller side's
    /// `abi_run`.
    fn driver_source(&self) -> String {
        let p = self.pairing;
        let side = p.driver_side().map(|d| (d, d == p.callee));
        let run_is_extern = side.is_none_or(|(_, callee)| callee);
        let driver = Driver {
            pairing: &self.name,
            count: self.fns.len(),
            run_is_extern,
            host: p.is_control(),
        };
        match side {
            Some((d, callee)) => emit_rust::crate_source(
                &self.title(d, callee),
                &self.indexed(),
                callee,
                Some(&driver),
            ),
            None => emit_rust::crate_source(
                &format!("{}: the driver", self.name),
                &[],
                true,
                Some(&driver),
            ),
        }
    }

    /// Arm64EC and x64 code is built as releases are (its thunks are what is checked); the
    /// host controls only prove the generator and the protocol, and build fastest unoptimized.
    fn rustc(&self, target: Target) -> Cmd {
        let opt = if target == Target::Host { "opt-level=0" } else { "opt-level=2" };
        let c = Cmd::new(&self.tc.rustc)
            .args(["--edition=2021", "-C", opt, "-C", "codegen-units=1"])
            .args(["-C", "debuginfo=0", "-C", "debug-assertions=no", "-C", "overflow-checks=no"]);
        match target.triple() {
            Some(t) => c.args(["--target", t, "-C", "panic=abort"]),
            None => c,
        }
    }

    /// The side apart from the driver's crate: its source file, the source, and its step.
    fn other_side(&self, other: super::Side) -> (&'static str, String, Step) {
        let callee = other == self.pairing.callee;
        let (indexed, title) = (self.indexed(), self.title(other, callee));
        let out = object_of(self.pairing, other);
        let (file, source, cmd, producer) = match other.lang {
            Lang::C => {
                let src = if callee {
                    emit_c::callees(&title, &indexed)
                } else {
                    emit_c::callers(&title, &indexed)
                };
                let producer = c_producer(other.arch, self.tools);
                ("other.c", src, c_command(other.arch, out, self.tools), producer)
            }
            Lang::Rust => {
                let src = emit_rust::crate_source(&title, &indexed, callee, None);
                let cmd = self
                    .rustc(other.arch.target())
                    .args(["--crate-type", "lib", "--crate-name", "abi_other", "--emit=obj"])
                    .args(["-o", out, "other.rs"]);
                ("other.rs", src, cmd, Producer::rustc(self.tc))
            }
        };
        let step = Step {
            cmd,
            output: out.into(),
            kind: ArtifactKind::Object,
            target: other.arch.target(),
            source: file.into(),
            producer,
            also: vec![],
        };
        (file, source, step)
    }

    /// A host control: one program, the driver with the other side's object.
    fn host_program(&self, link_inputs: &[String]) -> Step {
        let exe = if cfg!(windows) { "matrix.exe" } else { "matrix" };
        let mut cmd =
            self.rustc(Target::Host).args(["--crate-type", "bin", "--crate-name", "abi_matrix"]);
        for i in link_inputs {
            cmd = cmd.arg("-C").arg(format!("link-arg={i}"));
        }
        Step {
            cmd: cmd.args(["-o", exe, "driver.rs"]),
            output: exe.into(),
            kind: ArtifactKind::Executable,
            target: Target::Host,
            source: "driver.rs".into(),
            producer: Producer::rustc(self.tc),
            also: vec![],
        }
    }

    /// The pairing's support object (the load config, the protocol buffer), by clang.
    fn support_object(&self, clang: &ToolInfo) -> Step {
        Step {
            cmd: Cmd::new(&clang.path)
                .args(["--target=arm64ec-pc-windows-msvc", "-c", "-I"])
                .arg(&self.tools.support_dir)
                .args([SUPPORT_SRC, "-o", SUPPORT_OBJ]),
            output: SUPPORT_OBJ.into(),
            kind: ArtifactKind::Object,
            target: Target::Arm64ec,
            source: SUPPORT_SRC.into(),
            producer: Producer::Clang(clang.version.clone()),
            also: vec![],
        }
    }

    /// The Arm64EC image: rustc compiles the driver and links it with LLD.
    fn ec_image(&self, link_inputs: &[String]) -> Step {
        let mut cmd = self
            .rustc(Target::Arm64ec)
            .args(["--crate-type", "bin", "--crate-name", "abi_matrix"])
            .arg(format!("--emit=obj={DRIVER_OBJ},link={IMAGE}"));
        if let Some(l) = self.tools.linker {
            cmd = cmd
                .arg("-C")
                .arg(format!("linker={}", l.path.display()))
                .args(["-L", "native=lib"]);
        }
        let args = [
            format!("/map:{MAP}"),
            "/nodefaultlib".into(),
            "/entry:abi_start".into(),
            "/subsystem:console".into(),
        ];
        for a in args.iter().chain(link_inputs) {
            cmd = cmd.arg("-C").arg(format!("link-arg={a}"));
        }
        Step {
            cmd: cmd.arg("driver.rs"),
            output: IMAGE.into(),
            kind: ArtifactKind::Image,
            target: Target::Arm64ec,
            source: "driver.rs".into(),
            producer: Producer::rustc(self.tc),
            also: vec![(DRIVER_OBJ.into(), ArtifactKind::Object), (MAP.into(), ArtifactKind::Map)],
        }
    }
}
