//! The ABI-matrix runner: calls `abi_run(i)` of a matrix image for every `i` and writes the
//! value protocol the harness reads (`harness/src/matrix/protocol.rs`), taking each call's
//! records from the driver's `abi_out` buffer:
//!
//! ```text
//! abi-protocol 1 <pairing> <count>
//! call <i>
//! v ...                                   (abi_out[..abi_out_len], verbatim)
//! ret <i>                                 or: stop <i> not-emulated: <why>
//!                                         or: fault <i> <what and where>
//! done
//! ```

use crate::cpu::Isa;
use crate::machine::{Machine, Outcome};
use std::io::{self, Write};

pub const OUT_CAPACITY: usize = 65536;

/// The driver's symbols, where the image is mapped.
pub struct Driver {
    pub run: u64,
    pub out: u64,
    pub out_len: u64,
}

impl Driver {
    /// `abi_run` on the caller's side (`#abi_run` for Arm64EC code, `abi_run` for x64
    /// code), `abi_out` and `abi_out_len`.
    pub fn find(m: &Machine, caller: Isa) -> Result<Driver, String> {
        let run_name = match caller {
            Isa::A64 => "#abi_run",
            Isa::X64 => "abi_run",
        };
        let get = |n: &str| m.symbol(n).ok_or_else(|| format!("the map has no symbol `{n}`"));
        Ok(Driver { run: get(run_name)?, out: get("abi_out")?, out_len: get("abi_out_len")? })
    }
}

/// Run `count` calls and write the transcript. Returns whether it got to the end (`done`).
pub fn run(
    m: &mut Machine,
    d: &Driver,
    pairing: &str,
    count: u32,
    caller: Isa,
    out: &mut impl Write,
) -> io::Result<bool> {
    writeln!(out, "abi-protocol 1 {pairing} {count}")?;
    for i in 0..count {
        writeln!(out, "call {i}")?;
        let outcome = m.call(caller, d.run, &[u64::from(i)]);
        let len = m.read_u32(d.out_len).unwrap_or(0) as usize;
        let text = m.read_bytes(d.out, len.min(OUT_CAPACITY)).unwrap_or_default();
        out.write_all(&text)?;
        let clean = text.last().is_none_or(|&b| b == b'\n');
        if m.write_bytes(d.out_len, &0u32.to_le_bytes()).is_none() {
            writeln!(out, "stop {i} not-emulated: abi_out_len is not in writable memory")?;
            out.flush()?;
            return Ok(false);
        }
        if !clean {
            writeln!(out)?;
        }
        match &outcome {
            Outcome::Returned { .. } => writeln!(out, "ret {i}")?,
            Outcome::NotEmulated(why) => writeln!(out, "stop {i} not-emulated: {why}")?,
            Outcome::Fault(what) => writeln!(out, "fault {i} {what}")?,
        }
        if !matches!(outcome, Outcome::Returned { .. }) {
            m.reset();
        }
        out.flush()?;
    }
    writeln!(out, "done")?;
    out.flush()?;
    Ok(true)
}
