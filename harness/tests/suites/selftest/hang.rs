//! Hangs on purpose with a child process that holds its stdout open: the harness must end the
//! case as `timeout` within its limit and kill the whole process tree. It prints the child's
//! pid so the test can check the child is gone.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ timeout: 3
use std::time::{Duration, Instant};

fn main() {
    // Bounded, so a harness that failed to kill the tree leaks nothing for long.
    let end = Instant::now() + Duration::from_secs(60);
    if std::env::args().nth(1).as_deref() != Some("child") {
        let exe = std::env::current_exe().expect("current_exe");
        let child = std::process::Command::new(exe).arg("child").spawn().expect("spawn child");
        println!("child pid {}", child.id());
        println!("parent pid {}", std::process::id());
    }
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
}
