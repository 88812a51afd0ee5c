//! arm64ec-emu: runs functions of a linked Arm64EC image on this machine, whatever it is,
//! with an AArch64 CPU for ARM64EC code and an x86-64 CPU for x64 code (both unicorn),
//! switching between them where Windows would — through the image's own entry and exit
//! thunks and the `__os_arm64x_*` routines the loader provides.
//!
//! One job per module:
//!
//! | module | job |
//! |---|---|
//! | [`image`] | the PE image: sections at their RVAs, base relocations, imports, the Arm64EC metadata (code map, OS slots) |
//! | [`map`] | symbols from the linker map |
//! | [`memory`] | host memory shared by both CPUs, per-CPU page permissions, the address layout |
//! | [`cpu`] | the two unicorn CPUs and why they stop |
//! | [`regs`] | the x64 ↔ ARM64 register mapping |
//! | [`traps`] | the addresses the emulator intercepts |
//! | [`machine`] | loading, one call from start to return, faults |
//! | [`transitions`] | the OS routines and the x64 emulator's checks at each transition |
//! | [`matrix`] | the ABI-matrix runner loop and its protocol |
//! | [`cli`] | the command line |
//!
//! It is a function-level runner, not a process runner: no OS, no imports, no exceptions.
//! What it does not model stops the call with a reason instead of guessing.

pub mod cli;
pub mod cpu;
pub mod image;
pub mod machine;
pub mod map;
pub mod matrix;
pub mod memory;
pub mod regs;
pub mod transitions;
pub mod traps;

pub use cpu::Isa;
pub use machine::{Machine, Outcome};
