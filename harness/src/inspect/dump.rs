//! The full facts of an object for `harness inspect`: JSON and a human rendering.

use super::ObjectView;
use super::coff::{Comdat, Place, Weak};
use super::hybmp::{Problem, Record};
use super::roles::{self, Function, Role};
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
pub struct Dump<'a> {
    pub file: &'a str,
    pub format: super::coff::Format,
    pub machine: u16,
    pub machine_name: &'a str,
    pub sections: Vec<SectionDump<'a>>,
    pub symbols: Vec<SymbolDump<'a>>,
    pub hybrid_map: &'a [Record],
    pub hybrid_map_problems: &'a [Problem],
    pub functions: &'a [Function],
    pub pdata: &'a [super::pdata::Entry],
}

#[derive(Serialize)]
pub struct SectionDump<'a> {
    pub index: u32,
    pub name: &'a str,
    pub characteristics: u32,
    pub size: u32,
    pub code: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comdat: Option<Comdat>,
    pub relocations: Vec<RelocDump<'a>>,
}

#[derive(Serialize)]
pub struct RelocDump<'a> {
    pub offset: u32,
    #[serde(rename = "type")]
    pub type_name: &'a str,
    pub symbol: u32,
    pub symbol_name: &'a str,
}

#[derive(Serialize)]
pub struct SymbolDump<'a> {
    pub index: u32,
    pub name: &'a str,
    pub role: Role,
    pub value: u32,
    pub place: Place,
    pub storage_class: u8,
    pub function: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weak: Option<&'a Weak>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weak_target: Option<&'a str>,
}

pub fn dump<'a>(v: &'a ObjectView) -> Dump<'a> {
    let c = &v.coff;
    let name_of = |i: u32| c.symbol_name(i).unwrap_or("<not a symbol>");
    Dump {
        file: &v.name,
        format: c.format,
        machine: c.machine,
        machine_name: c.machine_name,
        sections: c
            .sections
            .iter()
            .map(|s| SectionDump {
                index: s.index,
                name: &s.name,
                characteristics: s.characteristics,
                size: s.size,
                code: s.is_code(),
                comdat: s.comdat,
                relocations: s
                    .relocations
                    .iter()
                    .map(|r| RelocDump {
                        offset: r.offset,
                        type_name: r.type_name,
                        symbol: r.symbol,
                        symbol_name: name_of(r.symbol),
                    })
                    .collect(),
            })
            .collect(),
        symbols: c
            .symbols
            .iter()
            .map(|s| SymbolDump {
                index: s.index,
                name: &s.name,
                role: roles::role(c, s),
                value: s.value,
                place: s.place,
                storage_class: s.storage_class,
                function: s.function,
                weak: s.weak.as_ref(),
                weak_target: s.weak.as_ref().map(|w| name_of(w.target)),
            })
            .collect(),
        hybrid_map: &v.hybrid.records,
        hybrid_map_problems: &v.hybrid.problems,
        functions: &v.functions,
        pdata: &v.pdata,
    }
}

fn place(v: &ObjectView, p: Place, value: u32) -> String {
    match p {
        Place::Undefined => "undefined".into(),
        Place::Absolute => format!("absolute {value:#x}"),
        Place::Debug => "debug".into(),
        Place::Section(i) => {
            let name = v.coff.section(i).map(|s| s.name.as_str()).unwrap_or("?");
            format!("{name}({i})+{value:#x}")
        }
    }
}

/// A human rendering; section/label/file symbols are left out.
pub fn render(v: &ObjectView) -> String {
    let c = &v.coff;
    let mut o = String::new();
    let _ = writeln!(o, "{}", v.name);
    let _ = writeln!(
        o,
        "  {:?}, machine {} (0x{:04X}), {} sections, {} symbol slots",
        c.format,
        c.machine_name,
        c.machine,
        c.sections.len(),
        c.symbol_slots
    );
    let _ = writeln!(o, "sections:");
    for s in &c.sections {
        let comdat = s.comdat.map(|d| format!(" comdat {}", d.selection)).unwrap_or_default();
        let _ = writeln!(
            o,
            "  [{:>3}] {:<16} size {:#7x}  flags {:#010x}{}{comdat}",
            s.index,
            s.name,
            s.size,
            s.characteristics,
            if s.is_code() { " code" } else { "" }
        );
    }
    let _ = writeln!(o, "symbols:");
    for s in &c.symbols {
        let role = roles::role(c, s);
        if matches!(role, Role::Section | Role::Label) || s.storage_class == 0x67 {
            continue;
        }
        let weak = match &s.weak {
            Some(w) => format!(
                " -> {}{}",
                c.symbol_name(w.target).unwrap_or("?"),
                if w.search == 4 { " (anti-dependency)" } else { "" }
            ),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "  {:<18} {}  {}{weak}",
            format!("{role:?}"),
            s.name,
            place(v, s.place, s.value)
        );
    }
    let _ = writeln!(o, "hybrid map (.hybmp$x): {} records", v.hybrid.records.len());
    for r in &v.hybrid.records {
        let _ = writeln!(
            o,
            "  {:<10} {} -> {}",
            format!("{:?}", r.kind),
            r.source_name.as_deref().unwrap_or("?"),
            r.target_name.as_deref().unwrap_or("?")
        );
    }
    for p in &v.hybrid.problems {
        let _ = writeln!(o, "  problem at +{:#x}: {}", p.offset, p.message);
    }
    let _ = writeln!(o, "unwind (.pdata): {} entries", v.pdata.len());
    for e in &v.pdata {
        let begin = match &e.begin {
            Some(t) => place(v, Place::Section(t.section), t.offset),
            None => "?".into(),
        };
        let what = match &e.unwind {
            super::pdata::Unwind::Packed(p) => format!(
                "packed {:?}: length {:#x}, frame {:#x}, RegI {}, RegF {}, H {}, CR {}",
                p.flag, p.function_length, p.frame_size, p.reg_i, p.reg_f, p.h, p.cr
            ),
            super::pdata::Unwind::Xdata { at, record: Some(x), .. } => {
                let codes: Vec<String> = x.codes.iter().map(|c| c.code.to_string()).collect();
                format!(
                    "xdata {}: length {:#x}, {} epilog(s){}{}; prolog: {}",
                    place(v, Place::Section(at.section), at.offset),
                    x.function_length,
                    if x.e { 1 } else { x.epilog_count },
                    if x.e { " (packed in the header)" } else { "" },
                    if x.x { ", handler" } else { "" },
                    codes.join("; ")
                )
            }
            _ => format!("INVALID: {}", e.error().unwrap_or("?")),
        };
        let _ = writeln!(o, "  {begin}: {what}");
    }
    let _ = writeln!(o, "relocations:");
    for s in c.sections.iter().filter(|s| s.is_code()) {
        for r in &s.relocations {
            let target = c.symbol_name(r.symbol).unwrap_or("?");
            let _ =
                writeln!(o, "  {}({})+{:#x} {} {target}", s.name, s.index, r.offset, r.type_name);
        }
    }
    o
}

/// The decoded code of the functions whose name contains `filter` (all when empty), with
/// relocations, for `harness inspect --disasm`.
pub fn render_code(v: &ObjectView, filter: &str) -> String {
    render_functions(v, |name| name.contains(filter))
}

/// The decoded code, with relocations, of the functions whose name `pick` accepts.
pub fn render_functions(v: &ObjectView, pick: impl Fn(&str) -> bool) -> String {
    let mut o = String::new();
    for f in v.functions.iter().filter(|f| pick(&f.name)) {
        let Some(sec) = v.coff.section(f.section) else { continue };
        let data = v.coff.section_data(v.bytes, sec);
        let Some(code) = data.get(f.start as usize..(f.end as usize).min(data.len())) else {
            continue;
        };
        let _ = writeln!(
            o,
            "{} ({:?}) {}({})+{:#x}..{:#x}:",
            f.name, f.role, sec.name, sec.index, f.start, f.end
        );
        for i in super::disasm::decode(code, f.start) {
            let reloc = sec
                .relocations
                .iter()
                .find(|r| r.offset == i.offset)
                .map(|r| {
                    format!("    ; {} {}", r.type_name, v.coff.symbol_name(r.symbol).unwrap_or("?"))
                })
                .unwrap_or_default();
            let _ = writeln!(o, "  {:6x}: {:08x}  {}{reloc}", i.offset, i.word, i.text);
        }
    }
    o
}
