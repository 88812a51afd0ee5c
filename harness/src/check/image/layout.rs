//! The image as a whole.
//!
//! - `image.problem`: every structural problem the reader stepped around (an RVA or count
//!   pointing outside the image, a truncated table, an unknown version).
//! - `image.machine`: an Arm64EC image says AMD64 in its header, an Arm64X image ARM64; an
//!   image whose code is ARM64 but whose header says AMD64 with no CHPE metadata (what lld
//!   links silently without a load config) is not an Arm64EC image at all.
//! - `image.chpe`: the metadata's version is 1 or 2, its code map is present, and the
//!   dispatch slots the code calls through are inside the image.
//! - `image.code-map`: ranges sorted and disjoint, each starting on a page boundary (the
//!   OS classifies code by page), inside executable sections, covering all executable
//!   code, each of the kind the code in it decodes as.

use super::{Expect, Options, Verdict};
use crate::inspect::disasm::{self, Op};
use crate::inspect::image::{CodeKind, ImageView, MACHINE_AMD64, MACHINE_ARM64, ViewKind};

pub fn rules(v: &ImageView, opts: &Options, out: &mut Verdict) {
    out.count("image.problem", 1);
    for p in &v.problems {
        out.flag(v, "image.problem", p.rva, p.what.clone());
    }
    machine(v, opts, out);
    if let Some(chpe) = &v.chpe {
        out.count("image.chpe", 1);
        if !matches!(chpe.version, 1 | 2) {
            out.flag(
                v,
                "image.chpe",
                Some(chpe.rva),
                format!("CHPE metadata version {} (known: 1, 2)", chpe.version),
            );
        }
        if chpe.code_map.is_empty() {
            out.flag(
                v,
                "image.chpe",
                Some(chpe.rva),
                "the CHPE metadata has no code map: the OS cannot tell ARM64EC code from x64"
                    .into(),
            );
        }
        for slot in [
            "__os_arm64x_dispatch_call_no_redirect",
            "__os_arm64x_dispatch_ret",
            "__os_arm64x_dispatch_icall",
        ] {
            let rva = chpe.field(slot).unwrap_or(0);
            if rva == 0 || v.section_of(rva).is_none() {
                out.flag(v, "image.chpe", Some(chpe.rva), format!(
                    "CHPE field {slot} is {rva:#x}: the loader has no slot to fill, and EC code calls through it"
                ));
            }
        }
        code_map(v, out);
    }
}

fn machine(v: &ImageView, opts: &Options, out: &mut Verdict) {
    out.count("image.machine", 1);
    let name = |m: u16| crate::model::Machine(m).to_string();
    let want: Option<(&str, bool)> = match opts.expect {
        Expect::Arm64ecCode => Some((
            "an Arm64EC image (AMD64 header, CHPE metadata) or an Arm64X image (ARM64 header, CHPE metadata)",
            matches!(v.view, ViewKind::Arm64Ec | ViewKind::Arm64xNative | ViewKind::Arm64xEc),
        )),
        Expect::Arm64ec => Some((
            "an Arm64EC image: AMD64 header with CHPE metadata",
            v.view == ViewKind::Arm64Ec && v.machine == MACHINE_AMD64,
        )),
        Expect::Arm64x => Some((
            "an Arm64X image: ARM64 header, CHPE metadata and ARM64X dynamic relocations",
            v.view == ViewKind::Arm64xNative && v.machine == MACHINE_ARM64,
        )),
        Expect::X64 => {
            Some(("a plain x64 image", v.view == ViewKind::Plain && v.machine == MACHINE_AMD64))
        }
        Expect::Arm64 => {
            Some(("a plain ARM64 image", v.view == ViewKind::Plain && v.machine == MACHINE_ARM64))
        }
    };
    if let Some((what, ok)) = want
        && !ok
    {
        let chpe = if v.chpe.is_some() { "with" } else { "without" };
        out.flag(
            v,
            "image.machine",
            None,
            format!(
                "header machine {} {chpe} CHPE metadata ({:?}); expected {what}",
                name(v.machine),
                v.view
            ),
        );
    }
    if v.machine == MACHINE_AMD64 && v.chpe.is_none() {
        for s in v.sections.iter().filter(|s| s.is_code()) {
            let bytes = v.read_rva(s.rva, s.virtual_size.min(s.raw_size)).unwrap_or(&[]);
            if looks_arm64(bytes) {
                out.flag(v, "image.machine", Some(s.rva), format!(
                    "{} holds ARM64 code, but the AMD64 header has no CHPE metadata: Windows would run it as x64 (a load config pointing at __chpe_metadata is missing)",
                    s.name
                ));
            }
        }
    }
}

fn code_map(v: &ImageView, out: &mut Verdict) {
    let Some(chpe) = &v.chpe else { return };
    let ranges = &chpe.code_map;
    out.count("image.code-map", ranges.len());
    for w in ranges.windows(2) {
        if w[1].start < w[0].start.saturating_add(w[0].length) {
            out.flag(
                v,
                "image.code-map",
                Some(w[1].start),
                format!(
                    "code map ranges {:#x}+{:#x} and {:#x}+{:#x} are out of order or overlap",
                    w[0].start, w[0].length, w[1].start, w[1].length
                ),
            );
        }
    }
    for r in ranges {
        let end = r.start.saturating_add(r.length);
        if r.start & 0xfff != 0 {
            out.flag(v, "image.code-map", Some(r.start), format!(
                "{} range {:#x}..{end:#x} does not start on a page boundary: Windows tells x64 from Arm64EC code a page at a time, so the page's first {:#x} bytes are taken for the previous range's kind (LLD before 22 wrote unaligned starts: https://github.com/llvm/llvm-project/issues/168119)",
                r.kind.name(),
                r.start,
                r.start & 0xfff
            ));
        }
        let inside = v
            .sections
            .iter()
            .any(|s| s.is_code() && s.rva <= r.start && end <= s.rva.saturating_add(s.extent()))
            || v.sections.iter().filter(|s| s.is_code()).any(|s| r.start <= s.rva && s.rva < end);
        if !inside {
            out.flag(
                v,
                "image.code-map",
                Some(r.start),
                format!(
                    "{} range {:#x}..{end:#x} covers no executable section",
                    r.kind.name(),
                    r.start
                ),
            );
            continue;
        }
        let bytes = v.read_rva(r.start, r.length).unwrap_or(&[]);
        if bytes.len() < 64 {
            continue;
        }
        let (a, x) = (arm64_score(bytes), x64_score(bytes));
        let wrong = match r.kind {
            CodeKind::Arm64 | CodeKind::Arm64Ec => a < 0.6,
            CodeKind::Amd64 => looks_arm64(bytes),
            CodeKind::Unknown(k) => {
                out.flag(
                    v,
                    "image.code-map",
                    Some(r.start),
                    format!("code map range of unknown kind {k}"),
                );
                false
            }
        };
        if wrong {
            out.flag(v, "image.code-map", Some(r.start), format!(
                "range {:#x}..{end:#x} is marked {}, but its bytes decode as {} ({:.0}% of words are AArch64, {:.0}% of bytes valid x64)",
                r.start,
                r.kind.name(),
                if a > x { "AArch64" } else { "x64" },
                a * 100.0,
                x * 100.0
            ));
        }
    }
    for s in v.sections.iter().filter(|s| s.is_code()) {
        let mut at = s.rva;
        let end = s.rva.saturating_add(s.virtual_size);
        while at < end {
            match ranges.iter().find(|r| r.start <= at && at < r.start.saturating_add(r.length)) {
                Some(r) => at = r.start.saturating_add(r.length),
                None => {
                    let next = ranges
                        .iter()
                        .map(|r| r.start)
                        .filter(|st| *st > at)
                        .min()
                        .unwrap_or(end)
                        .min(end);
                    let gap = v.read_rva(at, next - at).unwrap_or(&[]);
                    if gap.iter().any(|b| *b != 0 && *b != 0xCC) {
                        out.flag(v, "image.code-map", Some(at), format!(
                            "code at {at:#x}..{next:#x} of {} is in no code map range: the OS cannot tell which CPU runs it",
                            s.name
                        ));
                    }
                    at = next;
                }
            }
        }
    }
}

/// AArch64 code, not x64: nearly every word decodes as AArch64 and `ret` is among them
/// (x64 code decodes as AArch64 about a third of the time).
pub fn looks_arm64(bytes: &[u8]) -> bool {
    let has_ret = bytes.chunks_exact(4).any(|w| w == [0xc0, 0x03, 0x5f, 0xd6]);
    has_ret && arm64_score(bytes) > 0.9
}

/// The share of non-zero 4-byte words that decode as AArch64 instructions.
pub fn arm64_score(bytes: &[u8]) -> f64 {
    let insns = disasm::decode(bytes, 0);
    let counted: Vec<_> = insns.iter().filter(|i| i.word != 0 && i.word != 0xCCCC_CCCC).collect();
    if counted.is_empty() {
        return 0.0;
    }
    let good = counted
        .iter()
        .filter(|i| !matches!(i.op, Op::Undefined) && !i.text.starts_with("udf"))
        .count();
    good as f64 / counted.len() as f64
}

/// The share of bytes a linear x64 decode covers with valid instructions.
pub fn x64_score(bytes: &[u8]) -> f64 {
    use iced_x86::{Decoder, DecoderOptions, Mnemonic};
    if bytes.is_empty() {
        return 0.0;
    }
    let mut d = Decoder::new(64, bytes, DecoderOptions::NONE);
    let mut good = 0usize;
    while d.can_decode() {
        let i = d.decode();
        if !i.is_invalid() && i.mnemonic() != Mnemonic::INVALID {
            good += i.len();
        }
    }
    good as f64 / bytes.len() as f64
}
