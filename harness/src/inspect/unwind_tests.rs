use super::*;
use UnwindCode::*;

/// Header word 0 from its fields (`function_words` in 4-byte units).
fn header(function_words: u32, vers: u32, x: bool, e: bool, epilogs: u32, code_words: u32) -> u32 {
    function_words
        | vers << 18
        | u32::from(x) << 20
        | u32::from(e) << 21
        | epilogs << 22
        | code_words << 27
}

fn scope(start_words: u32, reserved: u32, start_index: u32) -> u32 {
    start_words | reserved << 18 | start_index << 22
}

fn record(words: &[u32], codes: &[u8], handler: Option<u32>) -> Vec<u8> {
    let mut v: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    v.extend(codes);
    if let Some(h) = handler {
        v.extend(h.to_le_bytes());
    }
    v
}

/// Every code kind: encoding, decoded value, prolog and epilog spelling.
const CODES: &[(&[u8], UnwindCode, &str, &str)] = &[
    (&[0x02], AllocS { size: 32 }, "sub sp, #32", "add sp, #32"),
    (&[0x26], SaveR19r20X { offset: 48 }, "stp x19, x20, [sp, #-48]!", "ldp x19, x20, [sp], #48"),
    (&[0x42], SaveFplr { offset: 16 }, "stp x29, x30, [sp, #16]", "ldp x29, x30, [sp, #16]"),
    (&[0x81], SaveFplrX { offset: 16 }, "stp x29, x30, [sp, #-16]!", "ldp x29, x30, [sp], #16"),
    (&[0xc7, 0xff], AllocM { size: 32752 }, "sub sp, #32752", "add sp, #32752"),
    (
        &[0xc8, 0x42],
        SaveRegp { reg: 20, offset: 16 },
        "stp x20, x21, [sp, #16]",
        "ldp x20, x21, [sp, #16]",
    ),
    (
        &[0xcf, 0xc1],
        SaveRegpX { reg: 34, offset: 16 },
        "stp x34, x35, [sp, #-16]!",
        "ldp x34, x35, [sp], #16",
    ),
    (&[0xd2, 0x01], SaveReg { reg: 27, offset: 8 }, "str x27, [sp, #8]", "ldr x27, [sp, #8]"),
    (&[0xd4, 0x03], SaveRegX { reg: 19, offset: 32 }, "str x19, [sp, #-32]!", "ldr x19, [sp], #32"),
    (&[0xd5, 0x23], SaveRegX { reg: 28, offset: 32 }, "str x28, [sp, #-32]!", "ldr x28, [sp], #32"),
    (
        &[0xd6, 0x42],
        SaveLrpair { reg: 21, offset: 16 },
        "stp x21, lr, [sp, #16]",
        "ldp x21, lr, [sp, #16]",
    ),
    (
        &[0xd8, 0x84],
        SaveFregp { reg: 10, offset: 32 },
        "stp d10, d11, [sp, #32]",
        "ldp d10, d11, [sp, #32]",
    ),
    (
        &[0xda, 0x05],
        SaveFregpX { reg: 8, offset: 48 },
        "stp d8, d9, [sp, #-48]!",
        "ldp d8, d9, [sp], #48",
    ),
    (&[0xdd, 0x06], SaveFreg { reg: 12, offset: 48 }, "str d12, [sp, #48]", "ldr d12, [sp, #48]"),
    (
        &[0xde, 0xe1],
        SaveFregX { reg: 15, offset: 16 },
        "str d15, [sp, #-16]!",
        "ldr d15, [sp], #16",
    ),
    (&[0xdf, 0x03], AllocZ { vector_lengths: 3 }, "addvl sp, #-3", "addvl sp, #3"),
    (&[0xdf, 0x00], AllocZ { vector_lengths: 0 }, "addvl sp, #0", "addvl sp, #0"),
    (&[0xe0, 0x00, 0x11, 0x00], AllocL { size: 69632 }, "sub sp, #69632", "add sp, #69632"),
    (
        &[0xe0, 0xff, 0xff, 0xff],
        AllocL { size: 0xffffff * 16 },
        "sub sp, #268435440",
        "add sp, #268435440",
    ),
    (&[0xe1], SetFp, "mov fp, sp", "mov sp, fp"),
    (&[0xe2, 0x04], AddFp { offset: 32 }, "add fp, sp, #32", "sub sp, fp, #32"),
    (&[0xe3], Nop, "nop", "nop"),
    (&[0xe4], End, "end", "end"),
    (&[0xe5], EndC, "end_c", "end_c"),
    (&[0xe6], SaveNext, "save next", "restore next"),
    (
        &[0xe7, 0x66, 0x8a],
        SaveAnyReg { kind: RegKind::Q, reg: 6, paired: true, writeback: true, offset: 176 },
        "stp q6, q7, [sp, #-176]!",
        "ldp q6, q7, [sp], #176",
    ),
    (
        &[0xe7, 0x48, 0x82],
        SaveAnyReg { kind: RegKind::Q, reg: 8, paired: true, writeback: false, offset: 32 },
        "stp q8, q9, [sp, #32]",
        "ldp q8, q9, [sp, #32]",
    ),
    (
        &[0xe7, 0x4a, 0x84],
        SaveAnyReg { kind: RegKind::Q, reg: 10, paired: true, writeback: false, offset: 64 },
        "stp q10, q11, [sp, #64]",
        "ldp q10, q11, [sp, #64]",
    ),
    (
        &[0xe7, 0x00, 0x03],
        SaveAnyReg { kind: RegKind::X, reg: 0, paired: false, writeback: false, offset: 24 },
        "str x0, [sp, #24]",
        "ldr x0, [sp, #24]",
    ),
    (
        &[0xe7, 0x25, 0x41],
        SaveAnyReg { kind: RegKind::D, reg: 5, paired: false, writeback: true, offset: 32 },
        "str d5, [sp, #-32]!",
        "ldr d5, [sp], #32",
    ),
    (
        &[0xe7, 0x1f, 0x82],
        SaveAnyReg { kind: RegKind::Q, reg: 31, paired: false, writeback: false, offset: 32 },
        "str q31, [sp, #32]",
        "ldr q31, [sp, #32]",
    ),
    (&[0xe8], TrapFrame, "trap frame", "trap frame"),
    (&[0xe9], MachineFrame, "machine frame", "machine frame"),
    (&[0xea], Context, "context", "context"),
    (&[0xeb], EcContext, "EC context", "EC context"),
    (&[0xec], ClearUnwoundToCall, "clear unwound to call", "clear unwound to call"),
    (&[0xfc], PacSignLr, "pacibsp", "autibsp"),
];

#[test]
fn every_code_kind_decodes_and_prints() {
    for &(bytes, code, prolog, epilog) in CODES {
        let mut area = bytes.to_vec();
        area.push(0xe4);
        let got = decode_codes(&area, 0).unwrap_or_else(|e| panic!("{bytes:02x?}: {e}"));
        let want_len = if code == End { 1 } else { 2 };
        assert_eq!(got.len(), want_len, "{bytes:02x?}");
        assert_eq!(got[0], CodeAt { index: 0, code }, "{bytes:02x?}");
        assert_eq!(code.encoded_len(), bytes.len(), "{code:?}");
        assert_eq!(code.to_string(), prolog);
        assert_eq!(code.epilog().to_string(), epilog);
        if code != End {
            assert_eq!(got[1], CodeAt { index: bytes.len(), code: End });
        }
    }
}

#[test]
fn reserved_codes_are_errors_naming_byte_and_offset() {
    let reserved = (0xedu8..=0xfb).chain(0xfd..=0xff);
    for op in reserved {
        let area = [0xe3, 0xe3, op, 0xe4];
        let err = decode_codes(&area, 0).unwrap_err();
        assert_eq!(err.offset, 2, "{op:#x}");
        assert!(err.message.contains(&format!("{op:#04x}")), "{err}");
    }
    // Inside a record the offset is the byte in the record.
    let rec = record(&[header(4, 0, false, false, 0, 1)], &[0xf0, 0xe4, 0, 0], None);
    let err = decode_xdata(&rec).unwrap_err();
    assert_eq!(err.offset, 4);
    assert!(err.to_string().contains("0xf0"), "{err}");
}

#[test]
fn save_any_reg_reserved_encodings_are_errors() {
    for (b1, b2, at) in [
        (0x80, 0x00, 1), // reserved bit 7
        (0x00, 0xc0, 2), // kind 3
        (0x1f, 0x00, 1), // x31
        (0x5e, 0x00, 1), // x30 paired with x31
        (0x5f, 0x40, 1), // d31 paired with d32
    ] {
        let err = decode_codes(&[0xe7, b1, b2, 0xe4], 0).unwrap_err();
        assert_eq!(err.offset, at, "{b1:#x} {b2:#x}: {err}");
        assert!(err.message.contains("save_any_reg"), "{err}");
    }
    let ok = decode_codes(&[0xe7, 0x5d, 0x00, 0xe4], 0).unwrap();
    assert_eq!(ok[0].code.to_string(), "stp x29, x30, [sp, #0]");
}

#[test]
fn unwind_data_words() {
    // Flag 1, FunctionLength 44/4, RegF 0, RegI 0, H 0, CR 2, FrameSize 16/16.
    let w = 1 | 11 << 2 | 2 << 21 | 1 << 23;
    let want = Packed {
        flag: PackedFlag::Packed,
        function_length: 44,
        reg_f: 0,
        reg_i: 0,
        h: false,
        cr: 2,
        frame_size: 16,
    };
    assert_eq!(decode_unwind_data(w), Ok(UnwindKind::Packed(want)));
    let w = 2 | 0x7ff << 2 | 7 << 13 | 15 << 16 | 1 << 20 | 3 << 21 | 0x1ff << 23;
    let UnwindKind::Packed(p) = decode_unwind_data(w).unwrap() else { panic!() };
    assert_eq!(
        p,
        Packed {
            flag: PackedFlag::Fragment,
            function_length: 0x7ff * 4,
            reg_f: 7,
            reg_i: 15,
            h: true,
            cr: 3,
            frame_size: 0x1ff * 16,
        }
    );
    assert_eq!(decode_unwind_data(0x1234), Ok(UnwindKind::Xdata { offset: 0x1234 }));
    let err = decode_unwind_data(0xffff_ffff).unwrap_err();
    assert!(err.message.contains("reserved flag 3"), "{err}");
    assert!(err.to_string().contains("0xffffffff"), "{err}");
}

#[test]
fn simple_record_with_scopes() {
    let codes = [0xe2, 0x02, 0x42, 0xd4, 0x03, 0xe4, 0x42, 0xd4, 0x03, 0xe4, 0xe3, 0xe3];
    let words = [header(22, 0, false, false, 2, 3), scope(18, 0, 6), scope(20, 0, 2)];
    let rec = record(&words, &codes, None);
    let x = decode_xdata(&rec).unwrap();
    assert_eq!((x.function_length, x.version, x.x, x.e), (88, 0, false, false));
    assert_eq!((x.epilog_count, x.code_words, x.extended), (2, 3, false));
    assert_eq!(
        x.epilog_scopes,
        [
            EpilogScope { start_offset: 72, start_index: 6 },
            EpilogScope { start_offset: 80, start_index: 2 }
        ]
    );
    assert_eq!((x.code_offset, x.size, x.handler_rva), (12, 24, None));
    let text: Vec<String> = x.codes.iter().map(|c| c.code.to_string()).collect();
    assert_eq!(text, ["add fp, sp, #16", "stp x29, x30, [sp, #16]", "str x19, [sp, #-32]!", "end"]);
    assert_eq!(x.codes.iter().map(|c| c.index).collect::<Vec<_>>(), [0, 2, 3, 5]);
    let epilogs = x.epilog_codes().unwrap();
    assert_eq!(epilogs[0].len(), 3);
    assert_eq!(epilogs[1][0], CodeAt { index: 2, code: SaveFplr { offset: 16 } });
    assert_eq!(epilogs[1][1].code.epilog().to_string(), "ldr x19, [sp], #32");
    // Trailing bytes after the record (rest of the section) are ignored.
    let mut longer = rec.clone();
    longer.extend([0xaa; 9]);
    assert_eq!(decode_xdata(&longer), Ok(x));
}

#[test]
fn packed_epilog_record() {
    let codes = [0x81, 0xfc, 0xe4, 0x81, 0xfc, 0xe3, 0xe3, 0xe4];
    let rec = record(&[header(15, 0, false, true, 3, 2)], &codes, None);
    let x = decode_xdata(&rec).unwrap();
    assert!(x.e && x.epilog_scopes.is_empty());
    assert_eq!((x.epilog_count, x.size), (3, 12));
    let epi = x.epilog_codes().unwrap();
    let text: Vec<String> = epi[0].iter().map(|c| c.code.epilog().to_string()).collect();
    assert_eq!(text, ["ldp x29, x30, [sp], #16", "autibsp", "nop", "nop", "end"]);
    // An epilog index outside the code area.
    let bad = record(&[header(15, 0, false, true, 8, 2)], &codes, None);
    let err = decode_xdata(&bad).unwrap_err();
    assert_eq!(err.offset, 0);
    assert!(err.message.contains("code index 8"), "{err}");
}

#[test]
fn extension_word_record() {
    // EpilogCount and CodeWords both 0 in word 0: the counts come from word 1.
    let ext = 40 | 1 << 16;
    let mut words = vec![header(100, 0, false, false, 0, 0), ext];
    words.extend((0..40).map(|k| scope(10 + k, 0, 1)));
    let rec = record(&words, &[0xe1, 0x81, 0xe4, 0xe3], None);
    let x = decode_xdata(&rec).unwrap();
    assert!(x.extended);
    assert_eq!((x.epilog_count, x.code_words, x.epilog_scopes.len()), (40, 1, 40));
    assert_eq!(x.epilog_scopes[39], EpilogScope { start_offset: 196, start_index: 1 });
    assert_eq!((x.code_offset, x.size), (8 + 160, 8 + 160 + 4));
    assert_eq!(x.codes.len(), 3);
    // E=1 with the extension word: the epilog index is ExtEpilogCount.
    let rec = record(&[header(4, 0, false, true, 0, 0), 1 | 1 << 16], &[0xe1, 0xe4, 0, 0], None);
    let x = decode_xdata(&rec).unwrap();
    assert_eq!((x.epilog_count, x.size), (1, 12));
    let err =
        decode_xdata(&record(&[header(4, 0, false, true, 0, 0), 4 | 1 << 16], &[0xe4; 4], None))
            .unwrap_err();
    assert_eq!(err.offset, 4, "{err}");
}

#[test]
fn handler_record() {
    let rec =
        record(&[header(8, 0, true, true, 0, 1)], &[0x02, 0xe4, 0xe3, 0xe3], Some(0xdead_beef));
    let mut with_data = rec.clone();
    with_data.extend([1, 2, 3, 4, 5]); // handler data, not decoded
    let x = decode_xdata(&with_data).unwrap();
    assert!(x.x);
    assert_eq!(x.handler_rva, Some(0xdead_beef));
    assert_eq!(x.size, 12);
    assert_eq!(x.size, rec.len());
}

#[test]
fn header_and_scope_validation() {
    for vers in 1..4 {
        let rec = record(&[header(1, vers, false, false, 0, 1)], &[0xe4, 0, 0, 0], None);
        let err = decode_xdata(&rec).unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(err.message.contains(&format!("version is {vers}")), "{err}");
    }
    let rec = record(
        &[header(9, 0, false, false, 2, 1), scope(1, 0, 0), scope(2, 5, 0)],
        &[0xe4; 4],
        None,
    );
    let err = decode_xdata(&rec).unwrap_err();
    assert_eq!(err.offset, 8);
    assert!(err.message.contains("scope 1 has reserved bits 0x5"), "{err}");
    let rec = record(&[header(9, 0, false, false, 1, 1), scope(1, 0, 4)], &[0xe4; 4], None);
    let err = decode_xdata(&rec).unwrap_err();
    assert_eq!(err.offset, 4);
    assert!(err.message.contains("code index 4"), "{err}");
}

#[test]
fn prolog_must_terminate() {
    let rec = record(&[header(9, 0, false, false, 0, 1)], &[0x02, 0x02, 0xe3, 0xe3], None);
    let err = decode_xdata(&rec).unwrap_err();
    assert_eq!(err.offset, 8);
    assert!(err.message.starts_with("prolog codes: "), "{err}");
    // A code that straddles the end of the code area.
    let rec = record(&[header(9, 0, false, false, 0, 1)], &[0xe3, 0xe3, 0xe3, 0xe0], None);
    let err = decode_xdata(&rec).unwrap_err();
    assert_eq!(err.offset, 7);
    assert!(err.message.contains("needs 4 bytes"), "{err}");
    // No code area at all.
    let rec = record(&[header(9, 0, false, false, 0, 0), 0], &[], None);
    assert!(decode_xdata(&rec).is_err());
    assert!(decode_codes(&[], 0).is_err());
    assert!(decode_codes(&[0xe4], 1).is_err());
    assert!(decode_codes(&[0xe4], usize::MAX).is_err());
}

#[test]
fn end_c_closes_a_scope_not_the_stream() {
    // A fragment's own codes, end_c, then the parent's prolog codes, end.
    let area = [0xd0, 0x06, 0xe5, 0x03, 0xd8, 0x02, 0xe4, 0xe3];
    let codes = decode_codes(&area, 0).unwrap();
    let ops: Vec<_> = codes.iter().map(|c| c.code).collect();
    assert_eq!(
        ops,
        [
            SaveReg { reg: 19, offset: 48 },
            EndC,
            AllocS { size: 48 },
            SaveFregp { reg: 8, offset: 16 },
            End
        ]
    );
    // With no end before the area runs out, the stream stops at the last end_c.
    let codes = decode_codes(&[0x02, 0xe5, 0xe3, 0xe3], 0).unwrap();
    assert_eq!(codes.last().map(|c| c.code), Some(EndC));
    assert_eq!(codes.len(), 2);
}

fn sample_records() -> Vec<Vec<u8>> {
    vec![
        record(
            &[header(22, 0, false, false, 2, 3), scope(18, 0, 6), scope(20, 0, 2)],
            &[0xe4; 12],
            None,
        ),
        record(&[header(8, 0, true, true, 0, 1)], &[0x02, 0xe4, 0xe3, 0xe3], Some(7)),
        record(
            &[header(8, 0, true, false, 0, 0), 1 | 2 << 16, scope(3, 0, 4)],
            &[0xe1, 0xe7, 0x66, 0x8a, 0xe4, 0, 0, 0],
            Some(1),
        ),
    ]
}

#[test]
fn every_truncation_is_an_error() {
    for rec in sample_records() {
        let full = decode_xdata(&rec).unwrap_or_else(|e| panic!("{rec:02x?}: {e}"));
        assert_eq!(full.size, rec.len());
        for n in 0..rec.len() {
            let err = decode_xdata(&rec[..n]).expect_err("truncated record must not decode");
            assert!(err.offset <= n, "{n}: {err}");
        }
    }
}

/// xorshift64: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for round in 0..20_000 {
        let n = (rng.next() % 96) as usize;
        let mut bytes = rng.bytes(n);
        // Half the time, make word 0 plausible so the deeper paths run.
        if round % 2 == 0 && bytes.len() >= 4 {
            let w = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) & !(3 << 18);
            let w = w & !(0x1f << 22) | ((rng.next() % 3) as u32) << 22;
            let w = w & !(0x1f << 27) | ((rng.next() % 6) as u32) << 27;
            bytes[..4].copy_from_slice(&w.to_le_bytes());
        }
        if let Ok(x) = decode_xdata(&bytes) {
            decoded += 1;
            assert!(x.size <= bytes.len());
            for c in &x.codes {
                let _ = (c.code.to_string(), c.code.epilog().to_string());
            }
            let _ = x.epilog_codes();
        }
        let start = (rng.next() % 8) as usize;
        if let Ok(codes) = decode_codes(&bytes, start) {
            let last = codes.last().map(|c| c.code);
            assert!(matches!(last, Some(End | EndC)), "{bytes:02x?}");
        }
        let _ = decode_unwind_data(rng.next() as u32);
    }
    assert!(decoded > 100, "only {decoded} random records decoded");
}

#[test]
fn serializes_with_op_tags() {
    let x = decode_xdata(&sample_records()[2]).unwrap();
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["codes"][0]["code"], serde_json::json!({ "op": "set_fp" }));
    assert_eq!(
        json["codes"][1]["code"],
        serde_json::json!({
            "op": "save_any_reg", "kind": "q", "reg": 6, "paired": true, "writeback": true,
            "offset": 176
        })
    );
    assert_eq!(json["handler_rva"], 1);
    let names: Vec<String> = CODES
        .iter()
        .map(|(_, c, _, _)| serde_json::to_value(c).unwrap()["op"].as_str().unwrap().to_string())
        .collect();
    for n in ["save_r19r20_x", "save_fplr_x", "save_regp", "save_lrpair", "save_fregp_x", "alloc_z"]
    {
        assert!(names.iter().any(|m| m == n), "{n} not in {names:?}");
    }
    let kind = decode_unwind_data(0x1000).unwrap();
    assert_eq!(
        serde_json::to_value(kind).unwrap(),
        serde_json::json!({ "xdata": { "offset": 4096 } })
    );
    let err = decode_unwind_data(3).unwrap_err();
    assert_eq!(serde_json::to_value(err).unwrap()["offset"], 0);
}
