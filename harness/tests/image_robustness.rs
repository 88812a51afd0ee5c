//! Malformed linked images end in findings or an error, never a crash: thousands of
//! seeded random mutations of a clean Arm64X DLL and a clean Arm64EC DLL go through the
//! image reader, the verifier and both renderings; and the shapes that once overflowed the
//! stack are kept as regressions.

mod common;
mod image_support;

use harness::check::image::{self, Expect, Options};
use harness::inspect::image::{ImageView, ViewKind};

/// A small deterministic PRNG (xorshift64*), so a failing mutation can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Everything `harness verify` and `harness inspect` do with an image's bytes.
fn read_and_verify(bytes: &[u8], expect: Expect) -> Option<usize> {
    let v = ImageView::parse("m.dll", bytes).ok()?;
    let verdict = image::verify(&v, &Options::new(expect));
    let _ = v.render();
    let _ = v.to_json();
    Some(verdict.findings.len())
}

/// `count` mutations of `clean`, each of 1 to 16 random bytes: every one returns.
fn mutate(clean: &[u8], expect: Expect, seed: u64, count: usize) -> (usize, usize) {
    let mut rng = Rng(seed);
    let (mut parsed, mut flagged) = (0, 0);
    let mut bytes = clean.to_vec();
    for _ in 0..count {
        bytes.copy_from_slice(clean);
        for _ in 0..1 + rng.below(16) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        if let Some(n) = read_and_verify(&bytes, expect) {
            parsed += 1;
            flagged += usize::from(n > 0);
        }
    }
    (parsed, flagged)
}

fn thousands_of_mutated_images_end_in_findings_or_errors() {
    let imgs = image_support::images();
    // About 3.5 ms a mutation in a debug build (the verifier disassembles the code).
    for (img, expect, seed, count) in [
        (&imgs.x, Expect::Arm64x, 0x5EED_A64E, 1200),
        (&imgs.ec, Expect::Arm64ec, 0x5EED_8664, 800),
    ] {
        let (parsed, flagged) = mutate(&img.bytes, expect, seed, count);
        // Most mutations leave a PE image the verifier reads; many of those break a rule.
        assert!(parsed > count / 2, "{}: only {parsed} of {count} mutations parsed", img.name);
        assert!(flagged > count / 20, "{}: only {flagged} mutations flagged", img.name);
    }
}

/// File offset of an RVA of the clean image.
fn file_offset(bytes: &[u8], rva: u32) -> usize {
    ImageView::parse("x.dll", bytes).unwrap().file_offset(rva, 4).expect("file-backed")
}

/// The x image's first ARM64X block: the file offset of its PageRVA (after the 8-byte
/// table header and the 12-byte entry header).
fn first_block(bytes: &[u8]) -> usize {
    let v = ImageView::parse("x.dll", bytes).unwrap();
    let dvrt = v.dvrt.as_ref().expect("the Arm64X image has a DVRT");
    file_offset(bytes, dvrt.rva) + 8 + 12
}

fn fixups_that_change_nothing_give_the_native_view_once_not_forever() {
    let imgs = image_support::images();
    let mut bytes = imgs.x.bytes.clone();
    let at = first_block(&bytes);
    // The block's page moves past the image: no fixup applies, and the "EC view" is the
    // native view again, with the same table (this recursed until the stack overflowed).
    bytes[at..at + 4].copy_from_slice(&0x00F0_0000u32.to_le_bytes());
    let v = ImageView::parse("x.dll", &bytes).unwrap();
    assert_eq!(v.view, ViewKind::Arm64xNative);
    let ec_bytes = v.ec_view_bytes().unwrap();
    let ec = ImageView::parse("x.dll (EC view)", &ec_bytes).unwrap();
    assert_eq!(ec.view, ViewKind::Arm64xNative, "the fixups changed nothing");
    let verdict = image::verify(&v, &Options::new(Expect::Arm64x));
    assert!(
        verdict.findings.iter().any(|f| f.rule == "image.dvrt" && f.message.contains("not AMD64")),
        "{:#?}",
        verdict.findings
    );
}

fn the_binary_exits_with_a_finding_for_the_same_shape() {
    let imgs = image_support::images();
    let mut bytes = imgs.x.bytes.clone();
    let at = first_block(&bytes);
    bytes[at..at + 4].copy_from_slice(&0x00F0_0000u32.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moved-block.dll");
    std::fs::write(&path, &bytes).unwrap();
    let out = common::harness_cmd().arg("verify").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    assert!(common::text(&out).contains("moved-block.dll"), "{}", common::text(&out));
}

crate::self_tests! {
    thousands_of_mutated_images_end_in_findings_or_errors [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    fixups_that_change_nothing_give_the_native_view_once_not_forever [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    the_binary_exits_with_a_finding_for_the_same_shape [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
}
