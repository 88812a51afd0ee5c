//! ARM64 Windows unwind data, as used by ARM64 and Arm64EC code: the `UnwindData`
//! word of a `.pdata` entry and the `.xdata` record it may point to.
//!
//! Layouts follow Microsoft's "ARM64 exception handling" document. Every function
//! here is pure and total: any byte string yields a value or an [`UnwindError`]
//! saying what is wrong and at which byte.
//!
//! One deliberate reading of the document: `end_c` closes the codes of the current
//! (chained) scope but not the byte stream. MSVC emits fragments whose prolog codes
//! are `... end_c <parent prolog codes> end`, and an unwinder needs the parent codes,
//! so decoding continues after `end_c` and stops at `end`. A stream whose last
//! terminator is `end_c` (no `end` before the code area runs out) is still accepted
//! and is cut right after that `end_c`.

use serde::Serialize;
use std::fmt;

/// What is wrong with the unwind data and where: `offset` is a byte offset into the
/// input (the record for [`decode_xdata`], the code area for [`decode_codes`], 0 for
/// a lone `UnwindData` word).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnwindError {
    pub offset: usize,
    pub message: String,
}

impl UnwindError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        UnwindError { offset, message: message.into() }
    }

    /// A code index outside the code area.
    fn bad_index(offset: usize, what: &str, index: usize, area_len: usize) -> Self {
        let message =
            format!("{what}: code index {index} is outside the {area_len}-byte code area");
        UnwindError::new(offset, message)
    }
}

impl fmt::Display for UnwindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for UnwindError {}

/// The two packed forms of `.pdata` unwind data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackedFlag {
    /// Flag 1: one prolog and one epilog, described by the fields.
    Packed,
    /// Flag 2: a fragment with no prolog and no epilog.
    Fragment,
}

/// Packed unwind data (Flag 1 or 2), with lengths and sizes in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Packed {
    pub flag: PackedFlag,
    pub function_length: u32,
    pub reg_f: u8,
    pub reg_i: u8,
    pub h: bool,
    /// 0 unchained, 1 unchained with LR saved, 2 chained with `pacibsp`, 3 chained.
    pub cr: u8,
    pub frame_size: u32,
}

/// What a `.pdata` `UnwindData` word describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnwindKind {
    Packed(Packed),
    /// Flag 0: the word is the RVA of an `.xdata` record (in an object file, the
    /// addend of the relocation that points at it).
    Xdata {
        offset: u32,
    },
}

/// Decode the second word of a `.pdata` entry.
pub fn decode_unwind_data(word: u32) -> Result<UnwindKind, UnwindError> {
    let flag = match word & 3 {
        0 => return Ok(UnwindKind::Xdata { offset: word }),
        1 => PackedFlag::Packed,
        2 => PackedFlag::Fragment,
        _ => {
            return Err(UnwindError::new(
                0,
                format!("unwind data word {word:#010x} has the reserved flag 3"),
            ));
        }
    };
    Ok(UnwindKind::Packed(Packed {
        flag,
        function_length: ((word >> 2) & 0x7ff) * 4,
        reg_f: ((word >> 13) & 0x7) as u8,
        reg_i: ((word >> 16) & 0xf) as u8,
        h: word & (1 << 20) != 0,
        cr: ((word >> 21) & 0x3) as u8,
        frame_size: ((word >> 23) & 0x1ff) * 16,
    }))
}

/// One epilog scope of an `.xdata` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EpilogScope {
    /// Offset of the epilog from the start of the function, in bytes.
    pub start_offset: u32,
    /// Byte index of the epilog's first unwind code in the code area.
    pub start_index: u32,
}

/// A decoded `.xdata` record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Xdata {
    /// In bytes.
    pub function_length: u32,
    pub version: u8,
    /// An exception handler RVA follows the codes.
    pub x: bool,
    /// The single epilog is packed into the header.
    pub e: bool,
    /// The number of epilog scopes; when `e` is set, the code index of the epilog.
    pub epilog_count: u32,
    /// Size of the code area in 4-byte words.
    pub code_words: u32,
    /// The header has the extension word (counts too large for the first word).
    pub extended: bool,
    pub epilog_scopes: Vec<EpilogScope>,
    /// Offset of the code area from the start of the record.
    pub code_offset: usize,
    /// The raw code area, `code_words * 4` bytes, padding included.
    pub code_bytes: Vec<u8>,
    /// The prolog codes: the stream starting at index 0.
    pub codes: Vec<CodeAt>,
    pub handler_rva: Option<u32>,
    /// Bytes of header, scopes, codes and handler RVA (handler data not included).
    pub size: usize,
}

impl Xdata {
    /// The codes of every epilog: one entry per scope, or the single packed epilog
    /// when `e` is set.
    pub fn epilog_codes(&self) -> Result<Vec<Vec<CodeAt>>, UnwindError> {
        if self.e {
            return Ok(vec![decode_codes(&self.code_bytes, self.epilog_count as usize)?]);
        }
        let from = |s: &EpilogScope| decode_codes(&self.code_bytes, s.start_index as usize);
        self.epilog_scopes.iter().map(from).collect()
    }
}

fn word_at(bytes: &[u8], at: usize, what: &str) -> Result<u32, UnwindError> {
    let b = at.checked_add(4).and_then(|end| bytes.get(at..end)).ok_or_else(|| {
        UnwindError::new(
            at,
            format!("{what} needs bytes {at}..{}, input has {}", at + 4, bytes.len()),
        )
    })?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Decode the `.xdata` record at the start of `bytes` (which may run on to the end
/// of the section). The prolog code stream must decode and terminate; epilog
/// streams are checked only for their start index (see [`Xdata::epilog_codes`]).
pub fn decode_xdata(bytes: &[u8]) -> Result<Xdata, UnwindError> {
    let w0 = word_at(bytes, 0, "xdata header word")?;
    let version = ((w0 >> 18) & 0x3) as u8;
    if version != 0 {
        return Err(UnwindError::new(0, format!("xdata version is {version}, must be 0")));
    }
    let x = w0 & (1 << 20) != 0;
    let e = w0 & (1 << 21) != 0;
    let mut epilog_count = (w0 >> 22) & 0x1f;
    let mut code_words = (w0 >> 27) & 0x1f;
    let extended = epilog_count == 0 && code_words == 0;
    let mut pos = 4;
    if extended {
        let w1 = word_at(bytes, 4, "xdata extension word")?;
        epilog_count = w1 & 0xffff;
        code_words = (w1 >> 16) & 0xff;
        pos = 8;
    }
    let scope_count = if e { 0 } else { epilog_count as usize };
    let code_len = code_words as usize * 4;
    let code_offset = pos + scope_count * 4;
    let size = code_offset + code_len + if x { 4 } else { 0 };
    if bytes.len() < size {
        return Err(UnwindError::new(
            bytes.len(),
            format!(
                "xdata record needs {size} bytes ({scope_count} epilog scopes, {code_len} code \
                 bytes{}), input has {}",
                if x { ", handler RVA" } else { "" },
                bytes.len()
            ),
        ));
    }
    let mut epilog_scopes = Vec::with_capacity(scope_count);
    for k in 0..scope_count {
        let at = pos + k * 4;
        let w = word_at(bytes, at, "epilog scope")?;
        let reserved = (w >> 18) & 0xf;
        if reserved != 0 {
            return Err(UnwindError::new(
                at,
                format!("epilog scope {k} has reserved bits {reserved:#x}, must be 0"),
            ));
        }
        let start_index = w >> 22;
        if start_index as usize >= code_len {
            let what = format!("epilog scope {k} start");
            return Err(UnwindError::bad_index(at, &what, start_index as usize, code_len));
        }
        epilog_scopes.push(EpilogScope { start_offset: (w & 0x3ffff) * 4, start_index });
    }
    if e && epilog_count as usize >= code_len {
        let what = "packed epilog start";
        return Err(UnwindError::bad_index(pos - 4, what, epilog_count as usize, code_len));
    }
    let code_bytes = bytes
        .get(code_offset..code_offset + code_len)
        .ok_or_else(|| UnwindError::new(code_offset, "code area is outside the input"))?;
    let codes = decode_codes(code_bytes, 0).map_err(|err| {
        UnwindError::new(code_offset + err.offset, format!("prolog codes: {}", err.message))
    })?;
    let handler_rva = if x {
        Some(word_at(bytes, code_offset + code_len, "exception handler RVA")?)
    } else {
        None
    };
    Ok(Xdata {
        function_length: (w0 & 0x3ffff) * 4,
        version,
        x,
        e,
        epilog_count,
        code_words,
        extended,
        epilog_scopes,
        code_offset,
        code_bytes: code_bytes.to_vec(),
        codes,
        handler_rva,
        size,
    })
}

/// An unwind code and its byte index in the code area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CodeAt {
    pub index: usize,
    pub code: UnwindCode,
}

/// The register file a `save_any_reg` code saves from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegKind {
    X,
    D,
    Q,
}

/// One unwind code. Registers are architectural numbers (`reg: 19` is x19, d8 is
/// `reg: 8`); offsets and sizes are in bytes. For the pre-indexed (`_x`) forms the
/// offset is the amount the prolog subtracts from sp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum UnwindCode {
    AllocS {
        size: u32,
    },
    SaveR19r20X {
        offset: u32,
    },
    SaveFplr {
        offset: u32,
    },
    SaveFplrX {
        offset: u32,
    },
    AllocM {
        size: u32,
    },
    SaveRegp {
        reg: u8,
        offset: u32,
    },
    SaveRegpX {
        reg: u8,
        offset: u32,
    },
    SaveReg {
        reg: u8,
        offset: u32,
    },
    SaveRegX {
        reg: u8,
        offset: u32,
    },
    /// Saves x`reg` and lr.
    SaveLrpair {
        reg: u8,
        offset: u32,
    },
    SaveFregp {
        reg: u8,
        offset: u32,
    },
    SaveFregpX {
        reg: u8,
        offset: u32,
    },
    SaveFreg {
        reg: u8,
        offset: u32,
    },
    SaveFregX {
        reg: u8,
        offset: u32,
    },
    /// SVE: allocate `vector_lengths` times the SVE vector length.
    AllocZ {
        vector_lengths: u8,
    },
    AllocL {
        size: u32,
    },
    SetFp,
    AddFp {
        offset: u32,
    },
    Nop,
    End,
    EndC,
    SaveNext,
    SaveAnyReg {
        kind: RegKind,
        reg: u8,
        paired: bool,
        writeback: bool,
        offset: u32,
    },
    TrapFrame,
    MachineFrame,
    Context,
    EcContext,
    ClearUnwoundToCall,
    PacSignLr,
}

/// Encoded length of the code starting with `op`, or `None` for a reserved byte.
fn code_len(op: u8) -> Option<usize> {
    match op {
        0x00..=0xbf | 0xe1 | 0xe3..=0xe6 | 0xe8..=0xec | 0xfc => Some(1),
        0xc0..=0xdf | 0xe2 => Some(2),
        0xe7 => Some(3),
        0xe0 => Some(4),
        _ => None,
    }
}

impl UnwindCode {
    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        use UnwindCode::*;
        match self {
            AllocL { .. } => 4,
            SaveAnyReg { .. } => 3,
            AllocM { .. }
            | SaveRegp { .. }
            | SaveRegpX { .. }
            | SaveReg { .. }
            | SaveRegX { .. } => 2,
            SaveLrpair { .. } | SaveFregp { .. } | SaveFregpX { .. } | SaveFreg { .. } => 2,
            SaveFregX { .. } | AllocZ { .. } | AddFp { .. } => 2,
            _ => 1,
        }
    }

    /// Decode the one code at `at` in `area`.
    pub fn decode(area: &[u8], at: usize) -> Result<UnwindCode, UnwindError> {
        use UnwindCode::*;
        let op = *area
            .get(at)
            .ok_or_else(|| UnwindError::bad_index(at, "unwind code", at, area.len()))?;
        let len = code_len(op).ok_or_else(|| {
            UnwindError::new(at, format!("reserved unwind code {op:#04x} at code index {at}"))
        })?;
        let b = area.get(at..at + len).ok_or_else(|| {
            UnwindError::new(
                at,
                format!(
                    "unwind code {op:#04x} at code index {at} needs {len} bytes, the code area \
                     ends at {}",
                    area.len()
                ),
            )
        })?;
        let arg = |i: usize| b.get(i).copied().unwrap_or(0);
        let (b1, b2, b3) = (arg(1), arg(2), arg(3));
        let z6 = u32::from(b1 & 0x3f) * 8;
        let z6x = (u32::from(b1 & 0x3f) + 1) * 8;
        let z5x = (u32::from(b1 & 0x1f) + 1) * 8;
        let x4 = ((op & 0x3) << 2) | (b1 >> 6);
        let x3 = ((op & 0x1) << 2) | (b1 >> 6);
        Ok(match op {
            0x00..=0x1f => AllocS { size: u32::from(op & 0x1f) * 16 },
            0x20..=0x3f => SaveR19r20X { offset: u32::from(op & 0x1f) * 8 },
            0x40..=0x7f => SaveFplr { offset: u32::from(op & 0x3f) * 8 },
            0x80..=0xbf => SaveFplrX { offset: (u32::from(op & 0x3f) + 1) * 8 },
            0xc0..=0xc7 => AllocM { size: ((u32::from(op & 0x7) << 8) | u32::from(b1)) * 16 },
            0xc8..=0xcb => SaveRegp { reg: 19 + x4, offset: z6 },
            0xcc..=0xcf => SaveRegpX { reg: 19 + x4, offset: z6x },
            0xd0..=0xd3 => SaveReg { reg: 19 + x4, offset: z6 },
            0xd4 | 0xd5 => SaveRegX { reg: 19 + (((op & 0x1) << 3) | (b1 >> 5)), offset: z5x },
            0xd6 | 0xd7 => SaveLrpair { reg: 19 + 2 * x3, offset: z6 },
            0xd8 | 0xd9 => SaveFregp { reg: 8 + x3, offset: z6 },
            0xda | 0xdb => SaveFregpX { reg: 8 + x3, offset: z6x },
            0xdc | 0xdd => SaveFreg { reg: 8 + x3, offset: z6 },
            0xde => SaveFregX { reg: 8 + (b1 >> 5), offset: z5x },
            0xdf => AllocZ { vector_lengths: b1 },
            0xe0 => {
                AllocL { size: ((u32::from(b1) << 16) | (u32::from(b2) << 8) | u32::from(b3)) * 16 }
            }
            0xe1 => SetFp,
            0xe2 => AddFp { offset: u32::from(b1) * 8 },
            0xe3 => Nop,
            0xe4 => End,
            0xe5 => EndC,
            0xe6 => SaveNext,
            0xe7 => decode_save_any_reg(at, b1, b2)?,
            0xe8 => TrapFrame,
            0xe9 => MachineFrame,
            0xea => Context,
            0xeb => EcContext,
            0xec => ClearUnwoundToCall,
            0xfc => PacSignLr,
            _ => return Err(UnwindError::new(at, format!("reserved unwind code {op:#04x}"))),
        })
    }

    /// The equivalent instruction as an epilog executes it (`ldp`, `add sp`, ...);
    /// `Display` gives the prolog form (`stp`, `sub sp`, ...).
    pub fn epilog(&self) -> EpilogForm<'_> {
        EpilogForm(self)
    }
}

fn decode_save_any_reg(at: usize, b1: u8, b2: u8) -> Result<UnwindCode, UnwindError> {
    if b1 & 0x80 != 0 {
        return Err(UnwindError::new(
            at + 1,
            format!("save_any_reg at code index {at}: reserved bit 7 is set in {b1:#04x}"),
        ));
    }
    let kind = match b2 >> 6 {
        0 => RegKind::X,
        1 => RegKind::D,
        2 => RegKind::Q,
        _ => {
            return Err(UnwindError::new(
                at + 2,
                format!("save_any_reg at code index {at}: register kind 3 is reserved"),
            ));
        }
    };
    let reg = b1 & 0x1f;
    let writeback = b1 & 0x20 != 0;
    let paired = b1 & 0x40 != 0;
    // x31 is not a general register; a pair needs its second register to exist.
    let last = 31 - u8::from(paired) - u8::from(kind == RegKind::X);
    if reg > last {
        return Err(UnwindError::new(
            at + 1,
            format!(
                "save_any_reg at code index {at}: register {reg} is out of range for \
                 {}{kind:?} registers",
                if paired { "paired " } else { "" }
            ),
        ));
    }
    let mut units = u32::from(b2 & 0x3f);
    if writeback {
        units += 1;
    }
    if writeback || paired || kind == RegKind::Q {
        units *= 2;
    }
    Ok(UnwindCode::SaveAnyReg { kind, reg, paired, writeback, offset: units * 8 })
}

/// Decode the code stream starting at byte index `start` of a code area, up to and
/// including its `end` (see the module notes on `end_c`).
pub fn decode_codes(area: &[u8], start: usize) -> Result<Vec<CodeAt>, UnwindError> {
    if start >= area.len() {
        return Err(UnwindError::bad_index(start, "code stream start", start, area.len()));
    }
    let mut codes = Vec::new();
    let mut after_end_c = None;
    let mut i = start;
    while i < area.len() {
        let code = UnwindCode::decode(area, i)?;
        codes.push(CodeAt { index: i, code });
        i += code.encoded_len();
        match code {
            UnwindCode::End => return Ok(codes),
            UnwindCode::EndC => after_end_c = Some(codes.len()),
            _ => {}
        }
    }
    match after_end_c {
        Some(n) => {
            codes.truncate(n);
            Ok(codes)
        }
        None => Err(UnwindError::new(
            area.len(),
            format!("code stream from index {start} has no end before the code area ends"),
        )),
    }
}

/// An [`UnwindCode`] displayed as the epilog instruction; see [`UnwindCode::epilog`].
#[derive(Clone, Copy, Debug, Serialize)]
pub struct EpilogForm<'a>(pub &'a UnwindCode);

impl fmt::Display for EpilogForm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_code(self.0, f, false)
    }
}

impl fmt::Display for UnwindCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_code(self, f, true)
    }
}

/// Writes the instruction in llvm-readobj's spelling.
fn write_code(code: &UnwindCode, f: &mut fmt::Formatter<'_>, prolog: bool) -> fmt::Result {
    use UnwindCode::*;
    let (one, two) = if prolog { ("str", "stp") } else { ("ldr", "ldp") };
    let pair = |c: char, r: u8| format!("{c}{r}, {c}{}", r + 1);
    let (op, regs, offset, writeback) = match *code {
        AllocS { size } | AllocM { size } | AllocL { size } => {
            return write!(f, "{} sp, #{size}", if prolog { "sub" } else { "add" });
        }
        SaveR19r20X { offset } => (two, pair('x', 19), offset, true),
        SaveFplr { offset } => (two, pair('x', 29), offset, false),
        SaveFplrX { offset } => (two, pair('x', 29), offset, true),
        SaveRegp { reg, offset } => (two, pair('x', reg), offset, false),
        SaveRegpX { reg, offset } => (two, pair('x', reg), offset, true),
        SaveReg { reg, offset } => (one, format!("x{reg}"), offset, false),
        SaveRegX { reg, offset } => (one, format!("x{reg}"), offset, true),
        SaveLrpair { reg, offset } => (two, format!("x{reg}, lr"), offset, false),
        SaveFregp { reg, offset } => (two, pair('d', reg), offset, false),
        SaveFregpX { reg, offset } => (two, pair('d', reg), offset, true),
        SaveFreg { reg, offset } => (one, format!("d{reg}"), offset, false),
        SaveFregX { reg, offset } => (one, format!("d{reg}"), offset, true),
        SaveAnyReg { kind, reg, paired, writeback, offset } => {
            let c = match kind {
                RegKind::X => 'x',
                RegKind::D => 'd',
                RegKind::Q => 'q',
            };
            let regs = if paired { pair(c, reg) } else { format!("{c}{reg}") };
            (if paired { two } else { one }, regs, offset, writeback)
        }
        AllocZ { vector_lengths: n } => {
            let sign = if prolog && n != 0 { "-" } else { "" };
            return write!(f, "addvl sp, #{sign}{n}");
        }
        AddFp { offset } if prolog => return write!(f, "add fp, sp, #{offset}"),
        AddFp { offset } => return write!(f, "sub sp, fp, #{offset}"),
        SetFp => return f.write_str(if prolog { "mov fp, sp" } else { "mov sp, fp" }),
        SaveNext => return f.write_str(if prolog { "save next" } else { "restore next" }),
        PacSignLr => return f.write_str(if prolog { "pacibsp" } else { "autibsp" }),
        Nop => return f.write_str("nop"),
        End => return f.write_str("end"),
        EndC => return f.write_str("end_c"),
        TrapFrame => return f.write_str("trap frame"),
        MachineFrame => return f.write_str("machine frame"),
        Context => return f.write_str("context"),
        EcContext => return f.write_str("EC context"),
        ClearUnwoundToCall => return f.write_str("clear unwound to call"),
    };
    write!(f, "{op} {regs}, ")?;
    match (writeback, prolog) {
        (false, _) => write!(f, "[sp, #{offset}]"),
        (true, true) => write!(f, "[sp, #-{offset}]!"),
        (true, false) => write!(f, "[sp], #{offset}"),
    }
}

#[cfg(test)]
#[path = "unwind_tests.rs"]
mod tests;
