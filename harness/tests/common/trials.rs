//! Self-tests as libtest-mimic trials, so a test whose tool is missing here is reported as
//! *ignored* with the reason, never as passed. Each test names what it needs; the needs are
//! evaluated when the trial list is made (cheap: a PATH look-up, `rustc +T -V`), so every
//! runner (`cargo test`, `cargo nextest`) lists the trial as ignored, with the kind
//! `[needs …]` naming what is missing. On CI (`CI` set) nothing is ignored: `.ci/run`
//! installs every tool, so a missing one fails the trial. A trial run with `--ignored`
//! while its tool is still missing fails with the reason.
//!
//! A test file with `harness = false` in `Cargo.toml` ends with
//! `self_tests! { plain_test, clang_test [CLANG_CL], ... }`.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::process::Command;

/// What a test needs from this machine.
#[derive(Clone, Copy, Debug)]
pub enum Need {
    /// A program on PATH, by any of these names.
    Tool(&'static [&'static str]),
    /// A rustup toolchain that answers `rustc +NAME -V`.
    Toolchain(&'static str),
}

pub const CLANG: Need = Need::Tool(&["clang-22", "clang"]);
pub const CLANG_CL: Need = Need::Tool(&["clang-cl-22", "clang-cl"]);
pub const READOBJ: Need = Need::Tool(&["llvm-readobj-22", "llvm-readobj"]);
pub const LLD_LINK: Need = Need::Tool(&["lld-link-22", "lld-link"]);
pub const AR: Need = Need::Tool(&["llvm-ar-22", "llvm-ar"]);
pub const OBJDUMP: Need = Need::Tool(&["llvm-objdump-22"]);
/// What building the emulator (unicorn's C core) needs besides a C compiler.
pub const CMAKE: Need = Need::Tool(&["cmake"]);
/// What `image_support` links its test images with, and `disasm` compares against.
pub const CLANG_22: Need = Need::Tool(&["clang-22"]);
pub const CLANG_CL_22: Need = Need::Tool(&["clang-cl-22"]);
pub const LLD_LINK_22: Need = Need::Tool(&["lld-link-22"]);
pub const LLVM_LIB_22: Need = Need::Tool(&["llvm-lib-22"]);
pub const READOBJ_22: Need = Need::Tool(&["llvm-readobj-22"]);

/// The first file named one of `names` in a directory of PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|d| names.iter().map(|n| d.join(n)).find(|p| p.is_file()))
}

impl Need {
    /// Why the need is unmet here, or `None`.
    pub fn missing(&self) -> Option<String> {
        match self {
            Need::Tool(names) => {
                on_path(names).is_none().then(|| format!("{} not on PATH", names.join(" or ")))
            }
            Need::Toolchain(t) => {
                let ok = Command::new("rustc")
                    .arg(format!("+{t}"))
                    .arg("-V")
                    .output()
                    .is_ok_and(|o| o.status.success());
                (!ok).then(|| format!("toolchain {t} not installed"))
            }
        }
    }

    /// The short name the trial's kind shows.
    fn label(&self) -> String {
        match self {
            Need::Tool(names) => names[names.len() - 1].to_string(),
            Need::Toolchain(t) => t.to_string(),
        }
    }

    /// The tool's path, for a test whose trial required it.
    pub fn path(&self) -> PathBuf {
        match self {
            Need::Tool(names) => {
                on_path(names).unwrap_or_else(|| panic!("{} not on PATH", names.join(" or ")))
            }
            Need::Toolchain(t) => panic!("toolchain {t} is not a program"),
        }
    }
}

/// The reasons `needs` are unmet here, one per unmet need.
pub fn unmet(needs: &[Need]) -> Vec<(Need, String)> {
    needs.iter().filter_map(|n| n.missing().map(|why| (*n, why))).collect()
}

/// One trial: `body` runs when every need is met; otherwise the trial is ignored with the
/// unmet needs as its kind (or, on CI, fails naming them).
pub fn trial(name: &str, needs: &'static [Need], body: fn()) -> Trial {
    let gaps = unmet(needs);
    let on_ci = std::env::var_os("CI").is_some();
    let ignore = !gaps.is_empty() && !on_ci;
    let kind = if ignore {
        let labels: Vec<String> = gaps.iter().map(|(n, _)| n.label()).collect();
        format!("needs {}", labels.join(", "))
    } else {
        String::new()
    };
    Trial::test(name, move || {
        let gaps = unmet(needs);
        if !gaps.is_empty() {
            let why: Vec<String> = gaps.into_iter().map(|(_, w)| w).collect();
            let hint = if on_ci { " (on CI: .ci/run installs it)" } else { "" };
            return Err(Failed::from(format!("cannot run: {}{hint}", why.join("; "))));
        }
        body();
        Ok(())
    })
    .with_kind(kind)
    .with_ignored_flag(ignore)
}

/// Run the trials of this test binary and exit.
pub fn run(trials: Vec<Trial>) -> ! {
    libtest_mimic::run(&Arguments::from_args(), trials).exit()
}

/// `fn main` of a test file: each test function, with `[NEED, ...]` after the ones that
/// need something, and its `#[cfg(...)]` before it when it has one.
#[macro_export]
macro_rules! self_tests {
    ($($(#[$m:meta])* $name:ident $([$($need:expr),* $(,)?])?),* $(,)?) => {
        // One push per entry, so an entry can carry its own `#[cfg]`.
        #[allow(clippy::vec_init_then_push)]
        fn main() {
            use $crate::common::trials::*;
            let mut trials = Vec::new();
            $( $(#[$m])* trials.push(trial(stringify!($name), &[$($($need),*)?], $name)); )*
            run(trials)
        }
    };
}
