//! Run stage. On this foundation: host controls (a portable fixture built for the host and
//! executed here, to prove the fixture's own logic). Arm64EC runners plug in here.

use crate::process::{self, Cmd, CmdRecord};
use std::path::Path;
use std::time::Instant;

/// Run a host-built control executable with its case's deadline, from its build directory.
pub fn run_host_control(exe: &Path, deadline: Instant) -> CmdRecord {
    let mut cmd = Cmd::new(exe);
    if let Some(dir) = exe.parent() {
        cmd = cmd.cwd(dir);
    }
    process::run(&cmd, deadline)
}
