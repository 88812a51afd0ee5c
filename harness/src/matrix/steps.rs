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
    let name = pairing.name();
    let indexed: Vec<(usize, &FnSpec)> = fns.iter().copied().enumerate().collect();
    let host = pairing.is_control();
    let title = |side: super::Side, callee: bool| {
        format!("{name}: the {} side ({side})", if callee { "callee" } else { "caller" })
    };
    // The driver's crate holds one side's functions too, unless neither side is Arm64EC (or
    // host) Rust: then it holds only the driver, and calls the caller side's `abi_run`.
    let (driver_src, run_is_extern) = match pairing.driver_side() {
        Some(d) => {
            let callee = d == pairing.callee;
            (Some((title(d, callee), callee)), callee)
        }
        None => (None, true),
    };
    let driver = Driver { pairing: &name, count: fns.len(), run_is_extern, host };
    let driver_rs = match &driver_src {
        Some((t, callee)) => emit_rust::crate_source(t, &indexed, *callee, Some(&driver)),
        None => emit_rust::crate_source(&format!("{name}: the driver"), &[], true, Some(&driver)),
    };
    let mut files = vec![("driver.rs".to_string(), driver_rs.into_bytes())];
    let mut steps = Vec::new();
    let mut link_inputs: Vec<String> = Vec::new();
    // Arm64EC and x64 code is built as releases are (its thunks are what is checked); the
    // host controls only prove the generator and the protocol, and build fastest unoptimized.
    let rustc = |target: Target| {
        let opt = if target == Target::Host { "opt-level=0" } else { "opt-level=2" };
        let c = Cmd::new(&tc.rustc)
            .args(["--edition=2021", "-C", opt, "-C", "codegen-units=1"])
            .args(["-C", "debuginfo=0", "-C", "debug-assertions=no", "-C", "overflow-checks=no"]);
        match target.triple() {
            Some(t) => c.args(["--target", t, "-C", "panic=abort"]),
            None => c,
        }
    };
    for other in pairing.apart() {
        let other_callee = other == pairing.callee;
        let (file, out, cmd) = match other.lang {
            Lang::C => {
                let src = if other_callee {
                    emit_c::callees(&title(other, true), &indexed)
                } else {
                    emit_c::callers(&title(other, false), &indexed)
                };
                files.push(("other.c".into(), src.into_bytes()));
                let out = object_of(pairing, other);
                ("other.c", out, c_command(other.arch, out, tools))
            }
            Lang::Rust => {
                let src = emit_rust::crate_source(
                    &title(other, other_callee),
                    &indexed,
                    other_callee,
                    None,
                );
                files.push(("other.rs".into(), src.into_bytes()));
                let out = object_of(pairing, other);
                let cmd = rustc(other.arch.target())
                    .args(["--crate-type", "lib", "--crate-name", "abi_other", "--emit=obj"])
                    .args(["-o", out, "other.rs"]);
                ("other.rs", out, cmd)
            }
        };
        steps.push(Step {
            cmd,
            output: out.into(),
            kind: ArtifactKind::Object,
            target: other.arch.target(),
            source: file.into(),
            producer: Producer::rustc(tc),
            also: vec![],
        });
        link_inputs.push(out.into());
    }
    if host {
        let exe = if cfg!(windows) { "matrix.exe" } else { "matrix" };
        let mut cmd =
            rustc(Target::Host).args(["--crate-type", "bin", "--crate-name", "abi_matrix"]);
        for i in &link_inputs {
            cmd = cmd.arg("-C").arg(format!("link-arg={i}"));
        }
        steps.push(Step {
            cmd: cmd.args(["-o", exe, "driver.rs"]),
            output: exe.into(),
            kind: ArtifactKind::Executable,
            target: Target::Host,
            source: "driver.rs".into(),
            producer: Producer::rustc(tc),
            also: vec![],
        });
        return StepPlan { steps, files, inputs: vec![], identity: tools.identity() };
    }
    // Arm64EC: the support object, then rustc compiles the driver and links the image.
    files.push(("lib/softintrin.lib".into(), EMPTY_LIB.to_vec()));
    let support = tools.support_dir.join("arm64ec_support.S");
    files.push((SUPPORT_SRC.into(), SUPPORT_DATA.as_bytes().to_vec()));
    if let Some(clang) = tools.clang {
        steps.insert(
            0,
            Step {
                cmd: Cmd::new(&clang.path)
                    .args(["--target=arm64ec-pc-windows-msvc", "-c", "-I"])
                    .arg(&tools.support_dir)
                    .args([SUPPORT_SRC, "-o", SUPPORT_OBJ]),
                output: SUPPORT_OBJ.into(),
                kind: ArtifactKind::Object,
                target: Target::Arm64ec,
                source: SUPPORT_SRC.into(),
                producer: Producer::Clang(clang.version.clone()),
                also: vec![],
            },
        );
        link_inputs.insert(0, SUPPORT_OBJ.into());
    }
    let mut cmd = rustc(Target::Arm64ec)
        .args(["--crate-type", "bin", "--crate-name", "abi_matrix"])
        .arg(format!("--emit=obj={DRIVER_OBJ},link={IMAGE}"));
    if let Some(l) = tools.linker {
        cmd = cmd.arg("-C").arg(format!("linker={}", l.path.display())).args(["-L", "native=lib"]);
    }
    let args = [
        format!("/map:{MAP}"),
        "/nodefaultlib".into(),
        "/entry:abi_start".into(),
        "/subsystem:console".into(),
    ];
    for a in args.iter().chain(&link_inputs) {
        cmd = cmd.arg("-C").arg(format!("link-arg={a}"));
    }
    steps.push(Step {
        cmd: cmd.arg("driver.rs"),
        output: IMAGE.into(),
        kind: ArtifactKind::Image,
        target: Target::Arm64ec,
        source: "driver.rs".into(),
        producer: Producer::rustc(tc),
        also: vec![(DRIVER_OBJ.into(), ArtifactKind::Object), (MAP.into(), ArtifactKind::Map)],
    });
    StepPlan { steps, files, inputs: vec![support], identity: tools.identity() }
}
