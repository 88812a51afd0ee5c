//! Run stage: where built programs execute.
//!
//! | module | job |
//! |---|---|
//! | [`runner`] | runners for Arm64EC images: native, wrapper (argv template), ssh, none |
//! | [`config`] | `harness.toml`, which chooses and configures the runner |
//! | [`emulated`] | the emulated runner: the `arm64ec-emu` binary, found or built, and its command |
//! | [`wine`] | Wine controls: x64 Windows builds of portable fixtures, run under Wine |
//! | [`output`] | normalizing a run's output and comparing it with the expectation files |
//! | [`phase`] | a run-tier trial's run and check phases |
//!
//! Host controls (a portable fixture built for the host) run directly.

pub mod config;
pub mod emulated;
pub mod output;
pub mod phase;
pub mod runner;
pub mod wine;

pub use runner::Runner;

use crate::process::{self, Cmd, CmdRecord};
use std::path::Path;
use std::time::Instant;

/// Run a host-built control executable with its case's deadline, from its build directory.
pub fn run_host_control(exe: &Path, deadline: Instant) -> (CmdRecord, Vec<u8>) {
    let mut cmd = Cmd::new(exe);
    if let Some(dir) = exe.parent() {
        cmd = cmd.cwd(dir);
    }
    process::run_capture(&cmd, deadline)
}
