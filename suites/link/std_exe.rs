//! A std program for arm64ec linked the MSVC way (`link /MACHINE:ARM64EC` with the CRT and
//! the Windows SDK): rustc's own link, with `std`. Off Windows there is no MSVC CRT, so it
//! is ignored with that reason.
//@ tier: link
//@ needs-msvc
//@ crate-type: bin

use std::collections::BTreeMap;

fn main() {
    let mut words = BTreeMap::new();
    for w in "the quick brown fox jumps over the lazy dog the end".split(' ') {
        *words.entry(w).or_insert(0u32) += 1;
    }
    println!("{:?} on {}", words.get("the"), std::env::consts::ARCH);
}
