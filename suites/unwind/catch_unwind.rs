//! A panic unwinds through Rust frames, running their destructors on the way, and
//! `catch_unwind` stops it: the process carries on and exits 0. Portable, so it also runs as
//! a host control and, as the x64 program an Arm64EC process looks like, a Wine control.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ wine-control
//@ check-run-output
use std::panic;

struct Guard(&'static str, u32);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("dropped {} {}", self.0, self.1);
    }
}

#[inline(never)]
fn descend(depth: u32) -> u32 {
    let _guard = Guard("frame", depth);
    if depth == 3 {
        panic!("boom at depth {depth}");
    }
    std::hint::black_box(descend(depth + 1)) + 1
}

fn main() {
    panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<String>().cloned().unwrap_or_default();
        println!("hook: {msg}");
    }));
    let caught = panic::catch_unwind(|| {
        let _guard = Guard("closure", 0);
        descend(0)
    });
    match caught {
        Err(payload) => {
            let msg = payload.downcast_ref::<String>().map(String::as_str).unwrap_or("?");
            println!("caught: {msg}");
        }
        Ok(v) => println!("no panic: {v}"),
    }
    println!("still running");
}
