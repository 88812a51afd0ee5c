//! The image reader on real linked images: an Arm64EC DLL (Arm64EC and x64 code, an
//! import, a delay import), an Arm64X DLL (ARM64 native view plus the same EC code), and
//! plain x64 and ARM64 DLLs, all built here from `tests/image_support/` with rustc,
//! clang-22 and lld-link-22. Every decoded fact is compared with
//! `llvm-readobj-22 --coff-load-config --coff-exports --coff-imports --file-headers`; the
//! EC view of the Arm64X image (its ARM64X fixups applied) is compared with the
//! `HybridObject` llvm-readobj prints for it. Then the images are mutated.

mod common;
mod image_support;

use harness::inspect::image::{
    CodeKind, FixupKind, ImageView, MACHINE_AMD64, MACHINE_ARM64, ViewKind,
};
use image_support::{Node, images, num};

/// Compare one view with llvm-readobj's output for it (the file, or its HybridObject).
fn compare(v: &ImageView, n: &Node) {
    let what = &v.name;
    // llvm-readobj reports the machine of CHPE images as ARM64EC / ARM64X, not the header's.
    let header = n.child("ImageFileHeader").expect("ImageFileHeader");
    let machine = header.get("Machine").unwrap();
    let machine = num(machine.rsplit_once('(').unwrap().1.trim_end_matches(')'));
    let expect = match v.view {
        ViewKind::Plain => u64::from(v.machine),
        ViewKind::Arm64Ec | ViewKind::Arm64xEc => 0xA641,
        ViewKind::Arm64xNative => 0xA64E,
    };
    assert_eq!(machine, expect, "{what}: machine");

    let exports: Vec<_> = n
        .all("Export")
        .map(|e| (e.num("Ordinal") as u32, e.get("Name").map(String::from), e.num("RVA") as u32))
        .collect();
    let ours: Vec<_> = v.exports.iter().map(|e| (e.ordinal, e.name.clone(), e.rva)).collect();
    assert_eq!(ours, exports, "{what}: exports");

    for (kind, delay, iat_key, int_key) in [
        ("Import", false, "ImportAddressTableRVA", "ImportLookupTableRVA"),
        ("DelayImport", true, "ImportAddressTable", "ImportNameTable"),
    ] {
        let theirs: Vec<_> = n
            .all(kind)
            .map(|i| {
                let symbols: Vec<String> = if delay {
                    i.all("Import").map(|s| s.get("Symbol").unwrap().to_string()).collect()
                } else {
                    i.fields.iter().filter(|(k, _)| k == "Symbol").map(|(_, s)| s.clone()).collect()
                };
                (
                    i.get("Name").unwrap().to_string(),
                    i.num(iat_key) as u32,
                    i.num(int_key) as u32,
                    symbols,
                )
            })
            .collect();
        let list = if delay { &v.delay_imports } else { &v.imports };
        let ours: Vec<_> = v
            .import_descriptors
            .iter()
            .filter(|d| d.delay == delay)
            .map(|d| {
                let symbols = list
                    .iter()
                    .filter(|i| {
                        i.dll == d.dll
                            && i.int_rva >= d.int_rva
                            && i.int_rva < d.int_rva + 8 * d.count
                    })
                    .map(|i| {
                        format!("{} ({})", i.name.as_deref().unwrap_or("?"), i.hint.unwrap_or(0))
                    })
                    .collect();
                (d.dll.clone(), d.iat_rva, d.int_rva, symbols)
            })
            .collect();
        assert_eq!(ours, theirs, "{what}: {kind}s");
    }

    let lc = n.child("LoadConfig");
    assert_eq!(lc.is_some(), v.load_config.is_some(), "{what}: load config present");
    if let (Some(lc), Some(ours)) = (lc, &v.load_config) {
        assert_eq!(ours.size as u64, lc.num("Size"), "{what}: load config Size");
        assert_eq!(ours.chpe_metadata_va, lc.num("CHPEMetadataPointer"), "{what}");
        assert_eq!(u64::from(ours.dvrt_offset), lc.num("DynamicValueRelocTableOffset"), "{what}");
        assert_eq!(u64::from(ours.dvrt_section), lc.num("DynamicValueRelocTableSection"), "{what}");
        assert_eq!(ours.dynamic_value_reloc_table_va, lc.num("DynamicValueRelocTable"), "{what}");
        assert_eq!(ours.security_cookie, lc.num("SecurityCookie"), "{what}");
    }

    let chpe = n.child("CHPEMetadata");
    assert_eq!(chpe.is_some(), v.chpe.is_some(), "{what}: CHPE present");
    if let (Some(c), Some(ours)) = (chpe, &v.chpe) {
        compare_chpe(what, ours, c);
    }

    let relocs = n.child("DynamicRelocations");
    let fixups: Vec<_> = v.arm64x_fixups().copied().collect();
    match relocs {
        None => assert!(fixups.is_empty(), "{what}: fixups llvm-readobj does not show"),
        Some(r) => {
            assert_eq!(v.dvrt.as_ref().map(|d| u64::from(d.version)), Some(r.num("Version")));
            let theirs: Vec<_> = r.child("Arm64X").expect("Arm64X").all("Entry").collect();
            assert_eq!(fixups.len(), theirs.len(), "{what}: ARM64X fixup count");
            for (f, e) in fixups.iter().zip(theirs) {
                assert_eq!(u64::from(f.rva), e.num("RVA"), "{what}: fixup {f:?}");
                match f.kind {
                    FixupKind::ZeroFill { size } => {
                        assert_eq!(e.get("Type"), Some("ZEROFILL"));
                        assert_eq!(e.num("Size"), u64::from(size));
                    }
                    FixupKind::Value { size, value } => {
                        assert_eq!(e.get("Type"), Some("VALUE"));
                        assert_eq!(e.num("Size"), u64::from(size));
                        assert_eq!(e.num("Value"), value, "{what}: fixup at {:#x}", f.rva);
                    }
                    FixupKind::Delta { delta } => {
                        assert_eq!(e.get("Type"), Some("DELTA"));
                        assert_eq!(e.num("Value") as i64, delta, "{what}: fixup at {:#x}", f.rva);
                    }
                }
            }
        }
    }
}

fn compare_chpe(what: &str, ours: &harness::inspect::image::Chpe, c: &Node) {
    assert_eq!(u64::from(ours.version), c.num("Version"), "{what}: CHPE version");
    let mut named = 0;
    for (key, value) in c.fields.iter().filter(|(k, _)| k != "Version") {
        let name = match key.as_str() {
            "AuxiliaryDelayloadIAT" => "AuxDelayloadIAT",
            "AuxiliaryDelayloadIATCopy" => "AuxDelayloadIATCopy",
            k => k,
        };
        let mine = ours.field(name).unwrap_or_else(|| panic!("{what}: no CHPE field {name}"));
        assert_eq!(u64::from(mine), num(value), "{what}: CHPE {key}");
        named += 1;
    }
    assert!(named >= 16, "{what}: only {named} CHPE fields printed");

    let map: Vec<_> = c
        .child("CodeMap")
        .unwrap()
        .lines
        .iter()
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            (num(t[0]), num(t[2]), t[3].to_string())
        })
        .collect();
    let mine: Vec<_> = ours
        .code_map
        .iter()
        .map(|r| (u64::from(r.start), r.end(), r.kind.name().to_string()))
        .collect();
    assert_eq!(mine, map, "{what}: code map");

    let entries: Vec<_> = c
        .child("CodeRangesToEntryPoints")
        .map(|n| &n.lines[..])
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            (num(t[0]) as u32, num(t[2]) as u32, num(t[4]) as u32)
        })
        .collect();
    let mine: Vec<_> = ours
        .code_ranges_to_entry_points
        .iter()
        .map(|e| (e.start_rva, e.end_rva, e.entry_rva))
        .collect();
    assert_eq!(mine, entries, "{what}: code ranges to entry points");

    let redirects: Vec<_> = c
        .child("RedirectionMetadata")
        .map(|n| &n.lines[..])
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            (num(t[0]) as u32, num(t[2]) as u32)
        })
        .collect();
    let mine: Vec<_> = ours.redirection.iter().map(|r| (r.source_rva, r.destination_rva)).collect();
    assert_eq!(mine, redirects, "{what}: redirection metadata");
}

/// The `Function:` addresses llvm-readobj -u printed, as RVAs. It reads the whole `.pdata`
/// section with the file's virtual machine, so only a prefix is comparable.
fn unwind_functions(text: &str, base: u64) -> Vec<u32> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Function: "))
        .map(|f| (num(f.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap()) - base) as u32)
        .collect()
}

/// Facts that hold for any sound Arm64EC view, whatever llvm-readobj says.
fn check_ec_view(v: &ImageView) {
    let what = &v.name;
    let c = v.chpe.as_ref().expect("CHPE");
    assert_eq!(v.machine, MACHINE_AMD64, "{what}");
    assert!(c.redirection_terminator, "{what}: lld writes a terminator");
    assert!(!c.redirection.is_empty());
    for r in &c.redirection {
        assert_eq!(v.export_thunk_target(r.source_rva), Some(r.destination_rva), "{what}: {r:?}");
        assert_eq!(c.code_kind_at(r.source_rva), Some(CodeKind::Amd64), "{what}: {r:?}");
        assert_eq!(c.code_kind_at(r.destination_rva), Some(CodeKind::Arm64Ec), "{what}: {r:?}");
        let (word, thunk) = v.entry_thunk_word(r.destination_rva).expect("entry thunk word");
        let thunk = thunk.unwrap_or_else(|| panic!("{what}: word {word:#x} before {r:?}"));
        assert_eq!(c.code_kind_at(thunk), Some(CodeKind::Arm64Ec), "{what}: thunk of {r:?}");
        assert!(c.code_ranges_to_entry_points.iter().any(|e| e.entry_rva == r.source_rva));
    }
    for e in v.exports.iter().filter(|e| e.name.as_deref().is_some_and(|n| !n.starts_with("x64_")))
    {
        assert!(c.redirection.iter().any(|r| r.source_rva == e.rva), "{what}: export {e:?}");
    }
    // Every import and delay import has auxiliary slots holding the VA of EC code.
    assert_eq!(v.aux_iat.len(), v.imports.len() + v.delay_imports.len(), "{what}");
    assert!(v.aux_iat.iter().any(|s| s.delay) && v.aux_iat.iter().any(|s| !s.delay));
    for s in &v.aux_iat {
        let va = s.aux_value.unwrap_or_else(|| panic!("{what}: {s:?}"));
        assert_eq!(s.copy_value, Some(va), "{what}: {s:?}");
        let rva = v.va_to_rva(va).expect("aux slot VA inside the image");
        assert_eq!(c.code_kind_at(rva), Some(CodeKind::Arm64Ec), "{what}: {s:?}");
    }
    // ARM64 .pdata (ExtraRFETable) covers EC code, x64 .pdata (exception directory) x64 code.
    assert!(!v.pdata_arm64.is_empty() && !v.pdata_x64.is_empty(), "{what}");
    for f in &v.pdata_arm64 {
        assert!(f.unwind().is_ok(), "{what}: {f:?}");
        assert!(
            matches!(c.code_kind_at(f.begin), Some(CodeKind::Arm64Ec | CodeKind::Arm64)),
            "{what}: {f:?}"
        );
    }
    for f in &v.pdata_x64 {
        assert_eq!(c.code_kind_at(f.begin), Some(CodeKind::Amd64), "{what}: {f:?}");
        assert!(f.end > f.begin);
    }
    assert!(v.problems.is_empty(), "{what}: {:#?}", v.problems);
}

fn arm64ec_dll_matches_llvm_readobj() {
    let im = images();
    let v = ImageView::parse(im.ec.name, &im.ec.bytes).unwrap();
    assert_eq!(v.view, ViewKind::Arm64Ec);
    assert!(v.is_arm64ec() && !v.is_arm64x() && v.is_dll);
    assert!(v.ec_view_bytes().is_none() && v.dvrt.is_none());
    compare(&v, &Node::parse(&im.ec.readobj));
    check_ec_view(&v);
    let c = v.chpe.as_ref().unwrap();
    assert_eq!(c.version, 2);
    let kinds: Vec<_> = c.code_map.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [CodeKind::Arm64Ec, CodeKind::Amd64]);
    // llvm-readobj -u decodes the ARM64 .pdata of an Arm64EC image from ExtraRFETable.
    let llvm = unwind_functions(&im.ec.unwind, v.image_base);
    let ours: Vec<_> = v.pdata_arm64.iter().map(|f| f.begin).collect();
    assert!(llvm.len() >= ours.len(), "{llvm:x?}");
    assert_eq!(ours, llvm[..ours.len()]);
}

fn arm64x_dll_matches_llvm_readobj_in_both_views() {
    let im = images();
    let native = ImageView::parse(im.x.name, &im.x.bytes).unwrap();
    assert_eq!(native.view, ViewKind::Arm64xNative);
    assert_eq!(native.machine, MACHINE_ARM64);
    assert!(native.is_arm64ec() && native.is_arm64x());
    assert!(native.problems.is_empty(), "{:#?}", native.problems);
    let top = Node::parse(&im.x.readobj);
    compare(&native, &top);
    let kinds: Vec<_> = native.chpe.as_ref().unwrap().code_map.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [CodeKind::Arm64, CodeKind::Arm64Ec, CodeKind::Amd64]);
    // The native view's exports are ARM64 code and it pairs no auxiliary IAT slots.
    assert!(
        native
            .exports
            .iter()
            .all(|e| native.chpe.as_ref().unwrap().code_kind_at(e.rva) == Some(CodeKind::Arm64))
    );
    assert!(native.aux_iat.is_empty());

    // The patches reach the header machine, export, exception and load config directories.
    let fixed: Vec<u32> = native.arm64x_fixups().map(|f| f.rva).collect();
    let e_lfanew = u32::from_le_bytes(im.x.bytes[0x3C..0x40].try_into().unwrap());
    for rva in [
        e_lfanew + 4,
        e_lfanew + 0x88,
        e_lfanew + 0x8C,
        e_lfanew + 0xA0,
        e_lfanew + 0xA4,
        e_lfanew + 0xD8,
    ] {
        assert!(fixed.contains(&rva), "no fixup at {rva:#x}: {fixed:x?}");
    }
    assert!(native.arm64x_fixups().any(|f| matches!(f.kind, FixupKind::Delta { .. })));

    let bytes = native.ec_view_bytes().expect("EC view");
    let ec = ImageView::parse("x.dll (EC view)", &bytes).unwrap();
    assert_eq!(ec.view, ViewKind::Arm64xEc);
    assert!(ec.ec_view_bytes().is_none(), "fixups are applied once");
    compare(&ec, top.child("HybridObject").expect("HybridObject"));
    check_ec_view(&ec);
    // The two views swap the exception tables: ARM64 .pdata is the native exception
    // directory and the EC view's ExtraRFETable, x64 the other way round.
    assert_eq!(ec.pdata_arm64, native.pdata_arm64);
    assert_eq!(ec.pdata_x64, native.pdata_x64);
    let (n_chpe, e_chpe) = (native.chpe.as_ref().unwrap(), ec.chpe.as_ref().unwrap());
    assert_ne!(n_chpe.extra_rfe_table, e_chpe.extra_rfe_table);

    let llvm = unwind_functions(&im.x.unwind, native.image_base);
    let ours: Vec<_> = native.pdata_arm64.iter().map(|f| f.begin).collect();
    assert!(llvm.len() >= ours.len(), "{llvm:x?}");
    assert_eq!(ours, llvm[..ours.len()]);

    // JSON and the rendering carry both views.
    let json = native.to_json();
    assert_eq!(json["view"], "arm64x_native");
    assert_eq!(json["ec_view"]["view"], "arm64x_ec");
    assert_eq!(json["ec_view"]["machine"], MACHINE_AMD64);
    let text = native.render();
    assert!(text.contains("EC view (ARM64X fixups applied)"), "{text}");
    assert!(text.contains("0x7c: value 0x8664 (2 bytes)"), "{text}");
}

fn plain_images_match_llvm_readobj() {
    let im = images();
    for l in [&im.x64, &im.arm64] {
        let v = ImageView::parse(l.name, &l.bytes).unwrap();
        assert_eq!(v.view, ViewKind::Plain, "{}", l.name);
        assert!(!v.is_arm64ec() && v.chpe.is_none() && v.aux_iat.is_empty());
        assert!(v.problems.is_empty(), "{}: {:#?}", l.name, v.problems);
        compare(&v, &Node::parse(&l.readobj));
        let llvm = unwind_functions(&l.unwind, v.image_base);
        if v.machine == MACHINE_AMD64 {
            assert!(v.pdata_arm64.is_empty() && !v.pdata_x64.is_empty());
            let starts: Vec<u32> = l
                .unwind
                .lines()
                .filter_map(|x| x.trim().strip_prefix("StartAddress: ("))
                .map(|a| (num(a.trim_end_matches(')')) - v.image_base) as u32)
                .collect();
            assert_eq!(v.pdata_x64.iter().map(|f| f.begin).collect::<Vec<_>>(), starts);
        } else {
            assert!(v.pdata_x64.is_empty() && !v.pdata_arm64.is_empty());
            // llvm-readobj stops at this DLL's packed CR=1, RegI=0 entry after its address.
            assert!(!llvm.is_empty());
            let ours: Vec<_> = v.pdata_arm64.iter().map(|f| f.begin).collect();
            assert_eq!(ours[..llvm.len()], llvm[..]);
        }
    }
}

fn images_read_at_their_rvas() {
    let im = images();
    let v = ImageView::parse(im.ec.name, &im.ec.bytes).unwrap();
    let text = v.sections.iter().find(|s| s.name == ".text").unwrap();
    assert!(text.is_code());
    assert_eq!(v.section_of(text.rva + 4).map(|s| s.name.as_str()), Some(".text"));
    assert!(v.section_of(v.size_of_image).is_none());
    // The headers are file-backed at RVA 0; a section's zero-filled tail is not.
    assert_eq!(v.read_rva(0, 2), Some(&b"MZ"[..]));
    assert!(v.read_rva(text.rva, text.raw_size.min(text.virtual_size)).is_some());
    assert!(v.read_rva(text.rva + text.raw_size, 4).is_none() || text.virtual_size > text.raw_size);
    assert!(v.read_rva(u32::MAX - 2, 8).is_none());
    assert!(v.read_rva(v.size_of_image, 1).is_none());
}

fn not_a_pe32_plus_image_is_an_error_naming_the_file() {
    let e = ImageView::parse("junk.dll", b"MZ but nothing else").unwrap_err();
    assert!(e.to_string().starts_with("junk.dll: not a PE32+ image"), "{e}");
    let e = ImageView::parse("text.dll", b"hello").unwrap_err();
    assert!(e.to_string().contains("text.dll"), "{e}");
    let im = images();
    // PE32 (a 32-bit optional header) is not PE32+.
    let mut pe32 = im.x64.bytes.clone();
    let opt = u32::from_le_bytes(pe32[0x3C..0x40].try_into().unwrap()) as usize + 24;
    pe32[opt..opt + 2].copy_from_slice(&0x10Bu16.to_le_bytes());
    assert!(ImageView::parse("pe32.dll", &pe32).is_err());
}

/// `bytes` with `f` applied, parsed; every rendering of the result is exercised too.
fn mutated(
    name: &str,
    bytes: &[u8],
    f: impl FnOnce(&mut Vec<u8>),
) -> Option<Vec<harness::inspect::image::Problem>> {
    let mut b = bytes.to_vec();
    f(&mut b);
    let v = ImageView::parse(name, &b).ok()?;
    let _ = (v.render(), v.to_json());
    let mut problems = v.problems.clone();
    if let Some(ec) = v.ec_view_bytes() {
        let ec = ImageView::parse(name, &ec).ok()?;
        let _ = (ec.render(), ec.to_json());
        problems.extend(ec.problems);
    }
    Some(problems)
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn mutated_images_report_problems() {
    let im = images();
    let bytes = &im.ec.bytes;
    let v = ImageView::parse("ec.dll", bytes).unwrap();
    let lc = v.load_config.clone().unwrap();
    let c = v.chpe.clone().unwrap();
    let e_lfanew = u32::from_le_bytes(bytes[0x3C..0x40].try_into().unwrap()) as usize;
    let lc_at = v.file_offset(lc.rva, 0x140).unwrap();
    let chpe_at = v.file_offset(c.rva, 0x5C).unwrap();
    let has =
        |p: &[harness::inspect::image::Problem], s: &str| p.iter().any(|p| p.what.contains(s));

    // An ARM64 header swaps the roles of the exception tables: the ARM64 ExtraRFETable
    // (0x38 bytes) read as x64 RUNTIME_FUNCTIONs does not divide into 12-byte entries.
    let p = mutated("arm64-header.dll", bytes, |b| {
        b[e_lfanew + 4..e_lfanew + 6].copy_from_slice(&0xAA64u16.to_le_bytes())
    });
    assert!(has(&p.unwrap(), "not a multiple of 12"));
    let mut b = bytes.clone();
    b[e_lfanew + 4..e_lfanew + 6].copy_from_slice(&0x014Cu16.to_le_bytes());
    let i386 = ImageView::parse("i386-header.dll", &b).unwrap();
    assert!(i386.pdata_arm64.is_empty() && i386.pdata_x64.is_empty() && i386.chpe.is_some());

    // No CHPE pointer: a plain AMD64 image over ARM64 code, consistently.
    let mut b = bytes.clone();
    b[lc_at + 0xC8..lc_at + 0xD0].fill(0);
    let plain = ImageView::parse("no-chpe.dll", &b).unwrap();
    assert_eq!(plain.view, ViewKind::Plain);
    assert!(!plain.is_arm64ec() && plain.chpe.is_none() && plain.pdata_arm64.is_empty());
    assert!(plain.aux_iat.is_empty() && plain.problems.is_empty(), "{:#?}", plain.problems);
    assert_eq!(plain.pdata_x64, v.pdata_x64);

    // A huge CodeMapCount decodes what the file holds and says so.
    let mut b = bytes.clone();
    put32(&mut b, chpe_at + 8, u32::MAX);
    let huge = ImageView::parse("huge-count.dll", &b).unwrap();
    assert!(
        has(&huge.problems, &format!("CodeMap at {:#x}", c.field("CodeMap").unwrap())),
        "{:#?}",
        huge.problems
    );
    let map = &huge.chpe.as_ref().unwrap().code_map;
    assert!(map.len() > c.code_map.len() && map.len() < bytes.len() / 8);
    assert_eq!(map[..c.code_map.len()], c.code_map[..]);

    // Tables pointing past the image.
    for (field, offset) in
        [("CodeMap", 4), ("CodeRangesToEntryPoints", 0xC), ("RedirectionMetadata", 0x10)]
    {
        let p =
            mutated("past.dll", bytes, |b| put32(b, chpe_at + offset, v.size_of_image + 0x1000))
                .unwrap();
        assert!(
            has(&p, &format!("CHPE {field} at {:#x}", v.size_of_image + 0x1000)),
            "{field}: {p:#?}"
        );
    }
    let p = mutated("chpe-outside.dll", bytes, |b| {
        b[lc_at + 0xC8..lc_at + 0xD0].copy_from_slice(&(v.image_base + 0x1_0000_0000).to_le_bytes())
    });
    assert!(has(&p.unwrap(), "is not inside the image"));
    let p = mutated("small-lc.dll", bytes, |b| put32(b, lc_at, 0x40)).unwrap();
    assert!(has(&p, "smaller than its CHPE field"), "{p:#?}");
    let p = mutated("version-9.dll", bytes, |b| put32(b, chpe_at, 9)).unwrap();
    assert!(has(&p, "version 9 is unknown"), "{p:#?}");
    let p = mutated("extra-rfe.dll", bytes, |b| put32(b, chpe_at + 0x44, 0x7FFF_FFF8)).unwrap();
    assert!(has(&p, "ARM64 .pdata (CHPE ExtraRFETable)"), "{p:#?}");

    // The Arm64X DVRT: a bad section index, a huge size, a block moved past the file.
    let x = ImageView::parse("x.dll", &im.x.bytes).unwrap();
    let xlc = x.load_config.clone().unwrap();
    let xlc_at = x.file_offset(xlc.rva, 0x140).unwrap();
    let dvrt_at = x.file_offset(x.dvrt.as_ref().unwrap().rva, 8).unwrap();
    let p = mutated("x-section.dll", &im.x.bytes, |b| {
        b[xlc_at + 0xE4..xlc_at + 0xE6].copy_from_slice(&99u16.to_le_bytes())
    });
    assert!(has(&p.unwrap(), "names DVRT section 99"));
    let p = mutated("x-size.dll", &im.x.bytes, |b| put32(b, dvrt_at + 4, 0x00FF_FFFF)).unwrap();
    assert!(has(&p, "DVRT Size 0xffffff runs past"), "{p:#?}");
    let p = mutated("x-page.dll", &im.x.bytes, |b| put32(b, dvrt_at + 20, 0x7FFF_0000)).unwrap();
    assert!(has(&p, "outside the file-backed image"), "{p:#?}");
    let p = mutated("x-block.dll", &im.x.bytes, |b| put32(b, dvrt_at + 24, 3)).unwrap();
    assert!(has(&p, "bad size 0x3"), "{p:#?}");
}

fn truncated_and_scrambled_images_never_panic() {
    let im = images();
    for l in [&im.ec, &im.x, &im.x64] {
        for len in (0..l.bytes.len()).step_by(61).chain([0x40, 0x3FF, 0x400, l.bytes.len() - 1]) {
            let _ = mutated(l.name, &l.bytes[..len], |_| ());
        }
    }
    // Random byte changes, most of them where the headers and the Arm64EC metadata are.
    let mut x = 0x853C_49E6_748F_EA9Bu64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for l in [&im.ec, &im.x] {
        let v = ImageView::parse(l.name, &l.bytes).unwrap();
        let lc = v.load_config.as_ref().unwrap();
        let c = v.chpe.as_ref().unwrap();
        let mut hot: Vec<(usize, usize)> = vec![(0, 0x400)];
        for (rva, len) in [(lc.rva, 0x140), (c.rva, 0x5C), (c.field("CodeMap").unwrap(), 0x20)] {
            hot.push((v.file_offset(rva, len).unwrap(), len as usize));
        }
        if let Some(d) = &v.dvrt {
            hot.push((v.file_offset(d.rva, 8).unwrap(), 8 + d.size as usize));
        }
        for _ in 0..1500 {
            let _ = mutated(l.name, &l.bytes, |b| {
                for _ in 0..1 + next() % 8 {
                    let (start, len) = hot[(next() as usize) % hot.len()];
                    let at = if next() % 4 == 0 {
                        next() as usize % b.len()
                    } else {
                        start + next() as usize % len
                    };
                    if let Some(byte) = b.get_mut(at) {
                        *byte = match next() % 3 {
                            0 => 0,
                            1 => 0xFF,
                            _ => next() as u8,
                        };
                    }
                }
            });
        }
    }
}

crate::self_tests! {
    arm64ec_dll_matches_llvm_readobj [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    arm64x_dll_matches_llvm_readobj_in_both_views [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    plain_images_match_llvm_readobj [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    images_read_at_their_rvas [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    not_a_pe32_plus_image_is_an_error_naming_the_file [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    mutated_images_report_problems [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
    truncated_and_scrambled_images_never_panic [CLANG_22, LLD_LINK_22, LLVM_LIB_22, READOBJ_22],
}
