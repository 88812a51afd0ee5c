//! A panic unwinds through C frames: Rust calls C (`extern "C-unwind"`), the C function
//! calls back into Rust, the callback panics, and the panic crosses the C frames — compiled
//! with `/EHsc` for Arm64EC — to the `catch_unwind` in Rust. The C frames' own cleanup
//! (their unwind data) must be right for that to work.
//@ tier: run
//@ needs-msvc
//@ cflags: /EHsc
//@ check-run-output
use std::panic;

unsafe extern "C-unwind" {
    fn c_outer(cb: extern "C-unwind" fn(i32), v: i32) -> i32;
}

extern "C-unwind" fn callback(v: i32) {
    if v == 7 {
        panic!("panic from the callback with {v}");
    }
}

fn main() {
    panic::set_hook(Box::new(|_| {}));
    let ok = unsafe { c_outer(callback, 1) };
    println!("no panic: c_outer returned {ok}");
    let caught = panic::catch_unwind(|| unsafe { c_outer(callback, 7) });
    match caught {
        Err(p) => println!("caught through C: {}", p.downcast_ref::<String>().map(String::as_str).unwrap_or("?")),
        Ok(v) => println!("the panic did not unwind: {v}"),
    }
}
