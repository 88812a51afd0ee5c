//! What the program knows about itself at compile time: Rust says the architecture is
//! `arm64ec` (not `aarch64`, not `x86_64`) and the OS Windows. The controls print their own
//! values (consts.host.stdout, consts.wine.stdout).
//@ tier: run
//@ needs-msvc
//@ host-control
//@ wine-control
//@ check-run-output

fn main() {
    println!("ARCH={}", std::env::consts::ARCH);
    println!("OS={}", std::env::consts::OS);
    println!("FAMILY={}", std::env::consts::FAMILY);
    println!("cfg(target_arch = \"arm64ec\")={}", cfg!(target_arch = "arm64ec"));
    println!("cfg(target_arch = \"aarch64\")={}", cfg!(target_arch = "aarch64"));
    println!("cfg(target_arch = \"x86_64\")={}", cfg!(target_arch = "x86_64"));
    println!("pointer bytes={}", std::mem::size_of::<usize>());
}
