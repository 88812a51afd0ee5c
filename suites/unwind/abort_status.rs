//! With `panic = "abort"`, a panic ends the process at once: the run must fail (on Windows
//! with the fast-fail status 0xC0000409, on Linux with SIGABRT), after the panic hook ran
//! and before anything after the panic.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ wine-control
//@ compile-flags: -C panic=abort
//@ run-fail
//@ check-run-output
use std::io::Write;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<&str>().copied().unwrap_or("?");
        println!("hook: {msg}");
        let _ = std::io::stdout().flush();
    }));
    println!("before the panic");
    let _ = std::io::stdout().flush();
    if std::hint::black_box(true) {
        panic!("aborting");
    }
    println!("after the panic (must not print)");
}
