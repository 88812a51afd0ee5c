//! `.pdata` entries of an object, resolved through their `ADDR32NB` relocations: which
//! function each covers, and its unwind data (packed, or an `.xdata` record decoded with
//! [`super::unwind`]).

use super::coff::{CoffObject, Place, arm64_reloc};
use super::unwind::{self, Packed, UnwindKind, Xdata};
use serde::Serialize;

/// A place in a section of the object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub section: u32,
    pub offset: u32,
    /// The symbol the relocation names.
    pub symbol: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "form", rename_all = "kebab-case")]
pub enum Unwind {
    Packed(Packed),
    Xdata {
        at: Target,
        #[serde(skip_serializing_if = "Option::is_none")]
        record: Option<Box<Xdata>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    Invalid {
        error: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Where the entry itself is: the `.pdata` section and offset.
    pub section: u32,
    pub offset: u32,
    /// The function start it covers (`None` when the relocation is missing or bad).
    pub begin: Option<Target>,
    pub unwind: Unwind,
}

impl Entry {
    /// Bytes of code covered, when the unwind data says.
    pub fn function_length(&self) -> Option<u32> {
        match &self.unwind {
            Unwind::Packed(p) => Some(p.function_length),
            Unwind::Xdata { record: Some(x), .. } => Some(x.function_length),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match &self.unwind {
            Unwind::Invalid { error } | Unwind::Xdata { error: Some(error), .. } => Some(error),
            _ => None,
        }
    }
}

fn word(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Resolve the ADDR32NB relocation at `at` in a `.pdata` section to a section place.
fn resolve(
    obj: &CoffObject,
    sec: &super::coff::Section,
    data: &[u8],
    at: u32,
) -> Result<Target, String> {
    let r = sec
        .relocations
        .iter()
        .find(|r| r.offset == at)
        .ok_or_else(|| format!("no relocation at +{at:#x}"))?;
    if r.kind != arm64_reloc::ADDR32NB {
        return Err(format!("relocation at +{at:#x} is {}, not ADDR32NB", r.type_name));
    }
    let s =
        obj.symbol(r.symbol).ok_or_else(|| format!("relocation at +{at:#x} names no symbol"))?;
    let Place::Section(section) = s.place else {
        return Err(format!(
            "relocation at +{at:#x} names `{}`, which is not defined in this object",
            s.name
        ));
    };
    let addend = word(data, at as usize).unwrap_or(0);
    Ok(Target { section, offset: s.value.wrapping_add(addend), symbol: s.name.clone() })
}

/// Every entry of every `.pdata` section.
pub fn entries(obj: &CoffObject, bytes: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    for sec in obj.sections.iter().filter(|s| s.name == ".pdata") {
        let data = obj.section_data(bytes, sec);
        for at in (0..data.len() / 8).map(|i| (i * 8) as u32) {
            let begin = resolve(obj, sec, data, at).ok();
            let unwind = if sec.relocations.iter().any(|r| r.offset == at + 4) {
                match resolve(obj, sec, data, at + 4) {
                    Ok(t) => xdata(obj, bytes, t),
                    Err(e) => Unwind::Invalid { error: e },
                }
            } else {
                match unwind::decode_unwind_data(word(data, at as usize + 4).unwrap_or(0)) {
                    Ok(UnwindKind::Packed(p)) => Unwind::Packed(p),
                    Ok(UnwindKind::Xdata { offset }) => Unwind::Invalid {
                        error: format!(
                            "the unwind word names .xdata at {offset:#x} but has no relocation"
                        ),
                    },
                    Err(e) => Unwind::Invalid { error: e.to_string() },
                }
            };
            let unwind = match (&begin, unwind) {
                (None, _) => Unwind::Invalid {
                    error: resolve(obj, sec, data, at)
                        .err()
                        .unwrap_or_else(|| "unresolved function start".into()),
                },
                (_, u) => u,
            };
            out.push(Entry { section: sec.index, offset: at, begin, unwind });
        }
    }
    out
}

fn xdata(obj: &CoffObject, bytes: &[u8], at: Target) -> Unwind {
    let Some(sec) = obj.section(at.section) else {
        return Unwind::Xdata { at, record: None, error: Some("no such section".into()) };
    };
    let data = obj.section_data(bytes, sec);
    match data.get(at.offset as usize..) {
        None | Some([]) => {
            let error = Some(format!(
                "offset {:#x} is past the end of {} ({:#x} bytes)",
                at.offset,
                sec.name,
                data.len()
            ));
            Unwind::Xdata { at, record: None, error }
        }
        Some(rest) => match unwind::decode_xdata(rest) {
            Ok(x) => Unwind::Xdata { at, record: Some(Box::new(x)), error: None },
            Err(e) => Unwind::Xdata { at, record: None, error: Some(e.to_string()) },
        },
    }
}
