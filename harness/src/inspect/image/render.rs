//! The human rendering of an image for `harness inspect`.

use super::{ImageView, MACHINE_AMD64, MACHINE_ARM64, MACHINE_ARM64EC, MACHINE_ARM64X};
use crate::inspect::unwind::UnwindKind;
use std::fmt::Write;

fn machine_name(m: u16) -> &'static str {
    match m {
        MACHINE_AMD64 => "AMD64",
        MACHINE_ARM64 => "ARM64",
        MACHINE_ARM64EC => "ARM64EC",
        MACHINE_ARM64X => "ARM64X",
        0x014C => "I386",
        _ => "other",
    }
}

pub(super) fn render(v: &ImageView) -> String {
    let mut o = String::new();
    render_view(v, &mut o);
    if let Some(bytes) = v.ec_view_bytes() {
        let _ = writeln!(o, "\nEC view (ARM64X fixups applied):");
        match ImageView::parse(&format!("{} (EC view)", v.name), &bytes) {
            Ok(ec) => render_view(&ec, &mut o),
            Err(e) => {
                let _ = writeln!(o, "  cannot read: {e}");
            }
        }
    }
    o
}

/// The parts of an image's rendering, in order.
const PARTS: &[fn(&ImageView, &mut String)] =
    &[header, sections, exports, imports, load_config, chpe, aux_iat, exceptions, dvrt, problems];

fn render_view(v: &ImageView, o: &mut String) {
    for part in PARTS {
        part(v, o);
    }
}

/// The first lines: the file, its kind and header fields.
fn header(v: &ImageView, o: &mut String) {
    let kind = match v.view {
        super::ViewKind::Plain => "plain",
        super::ViewKind::Arm64Ec => "Arm64EC",
        super::ViewKind::Arm64xNative => "Arm64X, native view",
        super::ViewKind::Arm64xEc => "Arm64X, EC view",
    };
    let _ = writeln!(o, "{}", v.name);
    let _ = writeln!(
        o,
        "  PE32+ {} image ({kind}), machine {} (0x{:04X}), base {:#x}, entry {:#x}, size {:#x}",
        if v.is_dll { "DLL" } else { "EXE" },
        machine_name(v.machine),
        v.machine,
        v.image_base,
        v.entry_rva,
        v.size_of_image
    );
}

/// The section table.
fn sections(v: &ImageView, o: &mut String) {
    let _ = writeln!(o, "sections:");
    for (i, s) in v.sections.iter().enumerate() {
        let _ = writeln!(
            o,
            "  [{:>2}] {:<8} rva {:#7x} vsize {:#7x} file {:#7x} raw {:#7x} flags {:#010x}{}",
            i + 1,
            s.name,
            s.rva,
            s.virtual_size,
            s.file_offset,
            s.raw_size,
            s.characteristics,
            if s.is_code() { " code" } else { "" }
        );
    }
}

/// Exports, with the kind of code each lands in.
fn exports(v: &ImageView, o: &mut String) {
    let _ = writeln!(o, "exports: {}", v.exports.len());
    for e in &v.exports {
        let kind = v.chpe.as_ref().and_then(|c| c.code_kind_at(e.rva)).map(|k| k.name());
        let _ = writeln!(
            o,
            "  {:>4} {:<32} {:#x}{}{}",
            e.ordinal,
            e.name.as_deref().unwrap_or("(no name)"),
            e.rva,
            kind.map(|k| format!(" {k}")).unwrap_or_default(),
            e.forwarder.as_deref().map(|f| format!(" -> {f}")).unwrap_or_default()
        );
    }
}

/// Imports and delay imports, by DLL.
fn imports(v: &ImageView, o: &mut String) {
    for (title, list, delay) in
        [("imports", &v.imports, false), ("delay imports", &v.delay_imports, true)]
    {
        let _ = writeln!(o, "{title}: {}", list.len());
        for d in v.import_descriptors.iter().filter(|d| d.delay == delay) {
            let _ = writeln!(
                o,
                "  {} ({} imports) IAT {:#x}  INT {:#x}",
                d.dll, d.count, d.iat_rva, d.int_rva
            );
        }
        for i in list {
            let _ = writeln!(o, "    {:<38} IAT {:#x}  INT {:#x}", i.label(), i.iat_rva, i.int_rva);
        }
    }
}

/// The load config directory.
fn load_config(v: &ImageView, o: &mut String) {
    match &v.load_config {
        None => {
            let _ = writeln!(o, "load config: none");
        }
        Some(lc) => {
            let _ = writeln!(
                o,
                "load config at {:#x}: Size {:#x} (directory {:#x}), CHPEMetadataPointer {:#x}, \
                 DVRT section {} offset {:#x}, GuardFlags {:#x}",
                lc.rva,
                lc.size,
                lc.directory_size,
                lc.chpe_metadata_va,
                lc.dvrt_section,
                lc.dvrt_offset,
                lc.guard_flags
            );
        }
    }
}

/// The CHPE metadata: its fields, code map, entry ranges and redirections.
fn chpe(v: &ImageView, o: &mut String) {
    if let Some(c) = &v.chpe {
        let _ = writeln!(o, "CHPE metadata at {:#x}, version {}:", c.rva, c.version);
        for (name, value) in &c.fields {
            let _ = writeln!(o, "  {name:<40} {value:#x}");
        }
        let _ = writeln!(o, "code map: {} ranges", c.code_map.len());
        for r in &c.code_map {
            let _ = writeln!(o, "  {:#x} - {:#x}  {}", r.start, r.end(), r.kind.name());
        }
        let _ = writeln!(o, "code ranges to entry points: {}", c.code_ranges_to_entry_points.len());
        for r in &c.code_ranges_to_entry_points {
            let _ = writeln!(o, "  {:#x} - {:#x} -> {:#x}", r.start_rva, r.end_rva, r.entry_rva);
        }
        let _ = writeln!(
            o,
            "redirections: {}{}",
            c.redirection.len(),
            if c.redirection_terminator { " (+ terminator)" } else { "" }
        );
        for r in &c.redirection {
            let thunk = match v.export_thunk_target(r.source_rva) {
                Some(t) => format!("  (export thunk jumps to {t:#x})"),
                None => String::new(),
            };
            let entry = match v.entry_thunk_word(r.destination_rva) {
                Some((w, Some(t))) => format!("  entry thunk {t:#x} (word {w:#010x})"),
                Some((w, None)) => format!("  no entry thunk (word {w:#010x})"),
                None => String::new(),
            };
            let _ = writeln!(o, "  {:#x} -> {:#x}{thunk}{entry}", r.source_rva, r.destination_rva);
        }
    }
}

/// The auxiliary IAT.
fn aux_iat(v: &ImageView, o: &mut String) {
    if !v.aux_iat.is_empty() {
        let _ = writeln!(o, "auxiliary IAT slots:");
        let show = |x: Option<u64>| x.map_or("?".into(), |x| format!("{x:#x}"));
        for s in &v.aux_iat {
            let _ = writeln!(
                o,
                "  {:<32}{} IAT {:#x}  aux {:#x} = {}  copy {:#x} = {}",
                s.import,
                if s.delay { " (delay)" } else { "" },
                s.iat_rva,
                s.aux_rva,
                show(s.aux_value),
                s.copy_rva,
                show(s.copy_value)
            );
        }
    }
}

/// Exception data and base relocations.
fn exceptions(v: &ImageView, o: &mut String) {
    let packed =
        v.pdata_arm64.iter().filter(|f| matches!(f.unwind(), Ok(UnwindKind::Packed(_)))).count();
    let _ = writeln!(
        o,
        "exception data: {} x64 RUNTIME_FUNCTIONs, {} ARM64 .pdata entries ({} packed)",
        v.pdata_x64.len(),
        v.pdata_arm64.len(),
        packed
    );
    let _ = writeln!(o, "base relocations: {}", v.base_relocs.len());
}

/// Dynamic relocations (Arm64X fixups).
fn dvrt(v: &ImageView, o: &mut String) {
    if let Some(d) = &v.dvrt {
        let _ = writeln!(o, "dynamic relocations at {:#x}, version {}:", d.rva, d.version);
        for r in &d.relocations {
            if r.symbol == super::dvrt::IMAGE_DYNAMIC_RELOCATION_ARM64X {
                let _ = writeln!(o, "  ARM64X: {} fixups", r.fixups.len());
                for f in &r.fixups {
                    let _ = writeln!(o, "    {:#x}: {}", f.rva, f.kind);
                }
            } else {
                let _ = writeln!(o, "  symbol {}: {} bytes, not decoded", r.symbol, r.raw.len());
            }
        }
    }
}

/// What could not be read.
fn problems(v: &ImageView, o: &mut String) {
    if !v.problems.is_empty() {
        let _ = writeln!(o, "problems:");
        for p in &v.problems {
            match p.rva {
                Some(r) => writeln!(o, "  at {r:#x}: {}", p.what),
                None => writeln!(o, "  {}", p.what),
            }
            .ok();
        }
    }
}
