//! The image verifier on real linked images (an Arm64EC DLL with x64 code, an import and a
//! delay import; an Arm64X DLL; plain x64 and ARM64 DLLs, built by `tests/image_support/`):
//! they verify clean, and every image rule flags its mutation of them.

mod common;
mod image_support;

use harness::check::image::{self, Expect, Options};
use harness::inspect::image::ImageView;
use harness::inspect::image::chpe::field_offset;

fn rules(bytes: &[u8], expect: Expect) -> Vec<String> {
    let v = ImageView::parse("m.dll", bytes).expect("still a PE image");
    let mut r: Vec<String> =
        image::verify(&v, &Options::new(expect)).findings.into_iter().map(|f| f.rule).collect();
    r.dedup();
    r
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn put(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// File offset of an RVA.
fn off(b: &[u8], rva: u32) -> usize {
    ImageView::parse("m.dll", b).unwrap().file_offset(rva, 4).expect("file-backed")
}

fn chpe_field_at(b: &[u8], name: &str) -> usize {
    let v = ImageView::parse("m.dll", b).unwrap();
    let chpe = v.chpe.as_ref().unwrap();
    off(b, chpe.rva + field_offset(name).unwrap())
}

/// File offset of the export address table entry of the first export.
fn first_eat_entry(b: &[u8]) -> usize {
    let pe = u32_at(b, 0x3C) as usize;
    let export_dir = u32_at(b, pe + 24 + 112);
    let eat = u32_at(b, off(b, export_dir) + 28);
    off(b, eat)
}

fn real_images_verify_clean() {
    let imgs = image_support::images();
    for (img, expect) in [
        (&imgs.ec, Expect::Arm64ec),
        (&imgs.ec, Expect::Arm64ecCode),
        (&imgs.x, Expect::Arm64x),
        (&imgs.x64, Expect::X64),
        (&imgs.arm64, Expect::Arm64),
    ] {
        let v = ImageView::parse(img.name, &img.bytes).unwrap();
        let verdict = image::verify(&v, &Options::new(expect));
        assert_eq!(verdict.findings, vec![], "{} as {expect:?}", img.name);
        if v.chpe.is_some() {
            for rule in ["image.code-map", "image.export", "image.entry-thunk", "image.pdata"] {
                assert!(
                    verdict.checked.get(rule).copied().unwrap_or(0) > 0,
                    "{}: {rule} checked nothing",
                    img.name
                );
            }
        }
    }
    let v = ImageView::parse("ec", &imgs.ec.bytes).unwrap();
    assert!(image::verify(&v, &Options::new(Expect::Arm64ec)).checked["image.aux-iat"] >= 2);
    let v = ImageView::parse("x", &imgs.x.bytes).unwrap();
    assert!(image::verify(&v, &Options::new(Expect::Arm64x)).checked["image.dvrt"] > 1);
}

fn every_image_rule_flags_its_mutation() {
    let imgs = image_support::images();
    let ec = &imgs.ec.bytes;
    type Mutation = (&'static str, &'static str, fn(&mut Vec<u8>));
    let cases: &[Mutation] = &[
        ("header machine flipped to ARM64", "image.machine", |b| {
            let pe = u32_at(b, 0x3C) as usize;
            b[pe + 4..pe + 6].copy_from_slice(&0xAA64u16.to_le_bytes());
        }),
        ("CHPE pointer zeroed: an AMD64 image over ARM64 code", "image.machine", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let lc = v.load_config.as_ref().unwrap().rva;
            let at = off(b, lc + 0xC8);
            b[at..at + 8].fill(0);
        }),
        ("CHPE version 7", "image.chpe", |b| {
            let at = chpe_field_at(b, "Version");
            put(b, at, 7);
        }),
        ("dispatch-return slot zeroed", "image.chpe", |b| {
            let at = chpe_field_at(b, "__os_arm64x_dispatch_ret");
            put(b, at, 0);
        }),
        ("code map count past the image", "image.problem", |b| {
            let at = chpe_field_at(b, "CodeMapCount");
            put(b, at, 0x00ff_ffff);
        }),
        ("ARM64EC range marked x64", "image.code-map", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let map = v.chpe.as_ref().unwrap().field("CodeMap").unwrap();
            let at = off(b, map);
            let w = u32_at(b, at);
            put(b, at, (w & !3) | 2);
        }),
        ("an export aimed straight at ARM64EC code", "image.export", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let target = v.chpe.as_ref().unwrap().redirection[0].destination_rva;
            let at = first_eat_entry(b);
            put(b, at, target);
        }),
        ("a redirection aimed at x64 code", "image.redirection", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let table = v.chpe.as_ref().unwrap().field("RedirectionMetadata").unwrap();
            let at = off(b, table);
            let src = u32_at(b, at);
            put(b, at + 4, src);
        }),
        ("an entry-thunk offset word erased", "image.entry-thunk", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let f = v.chpe.as_ref().unwrap().redirection[0].destination_rva;
            let at = off(b, f - 4);
            put(b, at, 0xd503_201f);
        }),
        ("an auxiliary IAT slot differing from its copy", "image.aux-iat", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let slot = v.aux_iat[0].aux_rva;
            let at = off(b, slot);
            let old = u32_at(b, at);
            put(b, at, old + 4);
        }),
        ("a .pdata entry deleted", "image.pdata", |b| {
            let v = ImageView::parse("m.dll", b).unwrap();
            let (table, _) = v.chpe.as_ref().unwrap().extra_rfe_table;
            let at = off(b, table);
            let n = v.pdata_arm64.len();
            let rest: Vec<u8> = b[at + 8..at + 8 * n].to_vec();
            b[at..at + 8 * (n - 1)].copy_from_slice(&rest);
            b[at + 8 * (n - 1)..at + 8 * n].fill(0);
            let size = chpe_field_at(b, "ExtraRFETableSize");
            put(b, size, 8 * (n as u32 - 1));
        }),
    ];
    for (what, rule, mutate) in cases {
        let mut b = ec.clone();
        mutate(&mut b);
        let found = rules(&b, Expect::Arm64ec);
        assert!(found.iter().any(|r| r == rule), "{what}: expected `{rule}`, found {found:?}");
    }
    // Arm64X: an ARM64X relocation that leaves the EC view's header ARM64.
    let mut b = imgs.x.bytes.clone();
    let v = ImageView::parse("x.dll", &b).unwrap();
    let pe = u32_at(&b, 0x3C);
    assert!(v.arm64x_fixups().any(|f| f.rva == pe + 4), "a fixup patches the machine");
    let dvrt = v.dvrt.as_ref().unwrap();
    let base = off(&b, dvrt.rva);
    let needle = 0x8664u16.to_le_bytes();
    let at = (base..base + dvrt.size as usize + 16)
        .find(|i| b[*i..*i + 2] == needle)
        .expect("the machine value");
    b[at..at + 2].copy_from_slice(&0xAA64u16.to_le_bytes());
    let found = rules(&b, Expect::Arm64x);
    assert!(found.iter().any(|r| r == "image.dvrt"), "{found:?}");
}

fn a_code_map_range_off_its_page_is_flagged() {
    let imgs = image_support::images();
    let mut b = imgs.ec.bytes.clone();
    let v = ImageView::parse("m.dll", &b).unwrap();
    let map = v.chpe.as_ref().unwrap().field("CodeMap").unwrap();
    let at = off(&b, map);
    let (w, len) = (u32_at(&b, at), u32_at(&b, at + 4));
    // Start 4 bytes into the page, as LLD before 22 wrote it; keep the kind bits and end.
    put(&mut b, at, w + 4);
    put(&mut b, at + 4, len - 4);
    let v = ImageView::parse("m.dll", &b).unwrap();
    let found = image::verify(&v, &Options::new(Expect::Arm64ec)).findings;
    assert!(
        found.iter().any(|f| f.rule == "image.code-map" && f.message.contains("page boundary")),
        "{found:?}"
    );
}

fn corrupt_images_never_panic() {
    let imgs = image_support::images();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for img in [&imgs.ec, &imgs.x] {
        for _ in 0..300 {
            let mut b = img.bytes.clone();
            for _ in 0..1 + seed % 8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % b.len() as u64) as usize;
                b[at] = (seed >> 32) as u8;
            }
            if let Ok(v) = ImageView::parse("fuzz.dll", &b) {
                let _ = image::verify(&v, &Options::new(Expect::Arm64ecCode));
            }
        }
    }
}

crate::self_tests! {
    real_images_verify_clean [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    every_image_rule_flags_its_mutation [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    a_code_map_range_off_its_page_is_flagged [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    corrupt_images_never_panic [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
}
