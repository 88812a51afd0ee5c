//! `hang.rs` with room for a slow build, for the Windows rehearsal under Wine
//! (ci/rehearse-windows.sh): a cold build under Wine can outlast hang.rs's 3 s, and the
//! rehearsal needs the timeout to fall in the run phase, with the child process started, so
//! that the process-tree kill is what it checks. Hangs with a child holding its stdout open.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ timeout: 10
use std::time::{Duration, Instant};

fn main() {
    // Bounded, so a harness that failed to kill the tree leaks nothing for long.
    let end = Instant::now() + Duration::from_secs(60);
    if std::env::args().nth(1).as_deref() != Some("child") {
        let exe = std::env::current_exe().expect("current_exe");
        let child = std::process::Command::new(exe).arg("child").spawn().expect("spawn child");
        println!("child pid {}", child.id());
    }
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
}
