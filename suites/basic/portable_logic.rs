//! A portable run-tier fixture. On Windows 11 on ARM64 it runs as Arm64EC; everywhere it
//! also runs for the host as a control (the `::host` pairing), proving its own logic.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ wine-control
//@ exit-code: 0

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Mixed {
    a: u8,
    b: f32,
    c: u64,
}

#[inline(never)]
extern "C" fn roundtrip(m: Mixed, k: u64) -> Mixed {
    Mixed { a: m.a.wrapping_add(1), b: m.b * 2.0, c: m.c ^ k }
}

fn main() {
    let f: extern "C" fn(Mixed, u64) -> Mixed = std::hint::black_box(roundtrip);
    let out = f(Mixed { a: 41, b: 1.5, c: 0xF0F0 }, 0x0F0F);
    let want = Mixed { a: 42, b: 3.0, c: 0xFFFF };
    if out != want {
        eprintln!("roundtrip gave {out:?}, expected {want:?}");
        std::process::exit(1);
    }
    println!("arch={} ok", std::env::consts::ARCH);
}
