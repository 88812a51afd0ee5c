//! Building the test images of `tests/image.rs` from the sources here (`ec.rs`, `x64.rs`,
//! `native.rs` and the two support assembly files), and reading llvm-readobj's output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/image_support").join(name)
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One linked image and what llvm-readobj says about it.
pub struct Linked {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub readobj: String,
    /// `llvm-readobj -u` output up to wherever it stopped (it aborts on some inputs).
    pub unwind: String,
}

pub struct Images {
    pub ec: Linked,
    pub x: Linked,
    pub x64: Linked,
    pub arm64: Linked,
}

/// The images, built once (for trials that require [`crate::common::trials`]'s
/// `CLANG_22`, `LLD_LINK_22`, `LLVM_LIB_22` and `READOBJ_22`).
pub fn images() -> &'static Images {
    static IMAGES: OnceLock<Images> = OnceLock::new();
    IMAGES.get_or_init(build)
}

fn build() -> Images {
    use crate::common::trials::{CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22};
    let (clang, lld) = (CLANG_22.path(), LLD_LINK_22.path());
    let (lib, readobj) = (LLVM_LIB_22.path(), READOBJ_22.path());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = |n: &str| d.join(n);

    for (target, src) in [("arm64ec", "ec"), ("x86_64", "x64"), ("aarch64", "native")] {
        run(Command::new("rustc")
            .args(["--crate-type=lib", "--emit=obj", "-O", "-C", "panic=abort"])
            .args(["--target", &format!("{target}-pc-windows-msvc"), "-o"])
            .arg(o(&format!("{src}.obj")))
            .arg(support(&format!("{src}.rs"))));
    }
    for (target, src) in [("arm64ec", "ec_support"), ("aarch64", "native_support")] {
        run(Command::new(&clang)
            .arg(format!("--target={target}-pc-windows-msvc"))
            .arg("-c")
            .arg(support(&format!("{src}.s")))
            .arg("-o")
            .arg(o(&format!("{src}.obj"))));
    }
    let write = |n: &str, text: &str| std::fs::write(o(n), text).unwrap();
    write("other.def", "LIBRARY other.dll\nEXPORTS\n    imported_add\n");
    write("lazy.def", "LIBRARY lazy.dll\nEXPORTS\n    lazy_sub\n");
    write(
        "ec.def",
        "EXPORTS\n add_one\n mix\n call_x64\n call_ptr\n call_lazy\n x64_mul\n x64_frame\n",
    );
    write("native.def", "EXPORTS\n add_one\n native_only\n");
    for l in ["other", "lazy"] {
        run(Command::new(&lib)
            .arg("/machine:arm64ec")
            .arg(format!("/def:{}", o(&format!("{l}.def")).display()))
            .arg(format!("/out:{}", o(&format!("{l}.lib")).display())));
    }
    let link = |out: &str, machine: &str, inputs: &[&str], extra: &[String]| {
        let mut cmd = Command::new(&lld);
        cmd.args(["/dll", "/noentry", "/nodefaultlib"])
            .arg(format!("/machine:{machine}"))
            .arg(format!("/out:{}", o(out).display()));
        cmd.args(inputs.iter().map(|i| o(i))).args(extra);
        run(&mut cmd);
    };
    let def = |n: &str| o(n).display().to_string();
    let ec_inputs = ["ec.obj", "x64.obj", "ec_support.obj", "other.lib", "lazy.lib"];
    link(
        "ec.dll",
        "arm64ec",
        &ec_inputs,
        &[format!("/def:{}", def("ec.def")), "/delayload:lazy.dll".into()],
    );
    let x_inputs = [&ec_inputs[..], &["native.obj", "native_support.obj"]].concat();
    link(
        "x.dll",
        "arm64x",
        &x_inputs,
        &[
            format!("/def:{}", def("ec.def")),
            format!("/defarm64native:{}", def("native.def")),
            "/delayload:lazy.dll".into(),
        ],
    );
    link("x64.dll", "x64", &["x64.obj"], &["/export:x64_mul".into(), "/export:x64_frame".into()]);
    link(
        "arm64.dll",
        "arm64",
        &["native.obj", "native_support.obj"],
        &[format!("/def:{}", def("native.def"))],
    );

    let linked = |name: &'static str| {
        let path = o(name);
        let readobj_out = run(Command::new(&readobj)
            .args(["--coff-load-config", "--coff-exports", "--coff-imports", "--file-headers"])
            .arg(&path));
        let unwind = Command::new(&readobj).arg("-u").arg(&path).output().unwrap();
        Linked {
            name,
            bytes: std::fs::read(&path).unwrap(),
            readobj: readobj_out,
            unwind: String::from_utf8_lossy(&unwind.stdout).into_owned(),
        }
    };
    Images {
        ec: linked("ec.dll"),
        x: linked("x.dll"),
        x64: linked("x64.dll"),
        arm64: linked("arm64.dll"),
    }
}

/// llvm-readobj's nested `Name { ... }` / `Name [ ... ]` output.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    pub fields: Vec<(String, String)>,
    pub lines: Vec<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn parse(text: &str) -> Node {
        let mut stack = vec![Node::default()];
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let opener =
                line.strip_suffix(" {").or_else(|| line.strip_suffix(" [")).or_else(|| {
                    line.split_once(" [ (").filter(|_| line.ends_with(')')).map(|(n, _)| n)
                });
            if line == "}" || line == "]" {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            } else if let Some(name) = opener {
                stack.push(Node { name: name.to_string(), ..Node::default() });
            } else if let Some((k, v)) = line.split_once(": ") {
                stack.last_mut().unwrap().fields.push((k.to_string(), v.to_string()));
            } else {
                stack.last_mut().unwrap().lines.push(line.to_string());
            }
        }
        while stack.len() > 1 {
            let n = stack.pop().unwrap();
            stack.last_mut().unwrap().children.push(n);
        }
        stack.pop().unwrap()
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn num(&self, key: &str) -> u64 {
        let v = self.get(key).unwrap_or_else(|| panic!("no {key} in {}", self.name));
        num(v.split_whitespace().next().unwrap())
    }
}

pub fn num(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse::<i64>().map(|v| v as u64).unwrap_or_else(|_| panic!("not a number: {s}")),
    }
}
