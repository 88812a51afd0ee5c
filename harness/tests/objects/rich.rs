// A Rust object with every shape the verifier looks at: exported functions (entry thunks),
// calls to functions defined elsewhere (guest exit thunks), indirect calls (the call
// checker), a frame big enough for a stack probe, and results through a hidden pointer.
#![no_std]

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Pair {
    pub a: i64,
    pub b: f64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Big {
    pub v: [u64; 3],
}

unsafe extern "C" {
    fn ext_pair(p: Pair, k: i32) -> f64;
    fn ext_big(x: u64) -> Big;
    fn fill(buf: *mut u8, len: usize);
}

#[unsafe(no_mangle)]
pub extern "C" fn add_pair(p: Pair, c: i32) -> f64 {
    p.a as f64 + p.b + c as f64
}

#[unsafe(no_mangle)]
pub extern "C" fn call_back(f: extern "C" fn(u8, i64) -> i8, x: u8) -> i8 {
    f(x, 7)
}

#[unsafe(no_mangle)]
pub extern "C" fn make_big(x: u64) -> Big {
    Big { v: [x, x + 1, x + 2] }
}

#[unsafe(no_mangle)]
pub extern "C" fn use_externs(x: u64) -> f64 {
    let b = unsafe { ext_big(x) };
    unsafe { ext_pair(Pair { a: b.v[1] as i64, b: 0.5 }, 3) }
}

#[unsafe(no_mangle)]
pub extern "C" fn big_frame(x: usize) -> u8 {
    let mut buf = [0u8; 70000];
    unsafe { fill(buf.as_mut_ptr(), buf.len()) };
    buf[x % buf.len()]
}
