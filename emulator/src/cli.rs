//! The command line.
//!
//! ```text
//! arm64ec-emu run-matrix --image matrix.exe --map matrix.map --pairing NAME --count N --caller ec|x64
//! arm64ec-emu call --image I --map M --function NAME --cpu ec|x64 [ARG...]
//! arm64ec-emu info --image I --map M
//! ```
//!
//! Exit status: 0 when the work got to its end (`run-matrix` at `done`, `call` returned),
//! 1 when `run-matrix` had to stop early or the called function faulted, 2 when the image
//! or map could not be loaded or the arguments are wrong, 3 when the called function
//! reached something this emulator does not model.

use crate::cpu::Isa;
use crate::machine::{DEFAULT_LIMIT, Machine, Outcome};
use crate::matrix;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "arm64ec-emu", version, about = "Run functions of a linked Arm64EC image")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum CpuArg {
    /// ARM64EC code on the AArch64 CPU.
    Ec,
    /// x64 code on the x86-64 CPU.
    X64,
}

impl From<CpuArg> for Isa {
    fn from(c: CpuArg) -> Isa {
        match c {
            CpuArg::Ec => Isa::A64,
            CpuArg::X64 => Isa::X64,
        }
    }
}

#[derive(Args)]
struct Load {
    /// The linked image (PE32+ with Arm64EC metadata).
    #[arg(long)]
    image: PathBuf,
    /// The linker map written next to it (lld-link /map).
    #[arg(long)]
    map: PathBuf,
    /// Map the image here instead of at its preferred base (hex; base relocations applied).
    #[arg(long, value_parser = parse_u64)]
    base: Option<u64>,
    /// Instructions one CPU may run between two transitions before the call is stopped.
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    max_insns: usize,
}

#[derive(Subcommand)]
enum Cmd {
    /// Call abi_run(i) of an ABI-matrix image for i in 0..count and print the protocol.
    RunMatrix {
        #[command(flatten)]
        load: Load,
        #[arg(long)]
        pairing: String,
        #[arg(long)]
        count: u32,
        /// The CPU abi_run runs on: `ec` calls `#abi_run`, `x64` calls `abi_run`.
        #[arg(long, value_enum)]
        caller: CpuArg,
        /// Print the calls, CPU switches and time taken to stderr.
        #[arg(long)]
        stats: bool,
    },
    /// Call one function with integer arguments and print how it ended.
    #[command(after_help = CALL_EXIT)]
    Call {
        #[command(flatten)]
        load: Load,
        /// The map symbol to call.
        #[arg(long)]
        function: String,
        #[arg(long, value_enum)]
        cpu: CpuArg,
        /// Up to four integer arguments (decimal or 0x hex).
        #[arg(value_parser = parse_u64)]
        args: Vec<u64>,
        /// Call it this many times and print the time per call and per CPU switch to stderr.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
    /// Print how the image is loaded: code map, OS slots, imports.
    Info {
        #[command(flatten)]
        load: Load,
    },
}

const CALL_EXIT: &str = "Exit status: 0 when the function returned (`returned VALUE`), \
1 when it faulted (`fault: ...`), 3 when it reached something the emulator does not model \
(`not-emulated: ...`), 2 when the image, the map or the arguments are unusable.";

/// `call`'s exit status for how the call ended (see [`CALL_EXIT`]).
pub fn call_exit(o: &Outcome) -> i32 {
    match o {
        Outcome::Returned { .. } => 0,
        Outcome::Fault(_) => 1,
        Outcome::NotEmulated(_) => 3,
    }
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("`{s}`: {e}"))
}

fn load(l: &Load) -> Result<Machine, String> {
    let image = std::fs::read(&l.image).map_err(|e| format!("{}: {e}", l.image.display()))?;
    let map = std::fs::read_to_string(&l.map).map_err(|e| format!("{}: {e}", l.map.display()))?;
    let mut m =
        Machine::load(&image, &map, l.base).map_err(|e| format!("{}: {e}", l.image.display()))?;
    m.limit = l.max_insns;
    Ok(m)
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("arm64ec-emu: {e}");
            2
        }
    }
}

fn run(cli: Cli) -> Result<i32, String> {
    match cli.cmd {
        Cmd::RunMatrix { load: l, pairing, count, caller, stats } => {
            let start = std::time::Instant::now();
            let mut m = load(&l)?;
            let loaded = start.elapsed();
            let caller = Isa::from(caller);
            let d = matrix::Driver::find(&m, caller)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let done = matrix::run(&mut m, &d, &pairing, count, caller, &mut out)
                .map_err(|e| format!("writing the transcript: {e}"))?;
            if stats {
                let run = (start.elapsed() - loaded).as_secs_f64();
                eprintln!(
                    "arm64ec-emu: loaded in {:.3} s; {count} calls with {} CPU switches in {run:.3} s, {:.1} us per call",
                    loaded.as_secs_f64(),
                    m.switches,
                    run * 1e6 / f64::from(count.max(1)),
                );
            }
            Ok(if done { 0 } else { 1 })
        }
        Cmd::Call { load: l, function, cpu, args, repeat } => {
            if args.len() > 4 {
                return Err("at most four arguments".into());
            }
            let mut m = load(&l)?;
            let at = m.symbol(&function).ok_or_else(|| format!("no symbol `{function}`"))?;
            let mut outcome = m.call(cpu.into(), at, &args);
            if repeat > 1 {
                let (start, switches) = (std::time::Instant::now(), m.switches);
                for _ in 1..repeat {
                    outcome = m.call(cpu.into(), at, &args);
                }
                let us = start.elapsed().as_secs_f64() * 1e6;
                let n = repeat - 1;
                let sw = m.switches - switches;
                eprintln!(
                    "arm64ec-emu: {n} more calls in {:.3} s: {:.2} us per call, {} CPU switches per call, {:.2} us per switch",
                    us / 1e6,
                    us / f64::from(n),
                    sw / u64::from(n),
                    if sw > 0 { us / sw as f64 } else { 0.0 },
                );
            }
            let line = match &outcome {
                Outcome::Returned { value } => format!("returned {value:#x} ({value})"),
                Outcome::NotEmulated(why) => format!("not-emulated: {why}"),
                Outcome::Fault(what) => format!("fault: {what}"),
            };
            println!("{line}");
            Ok(call_exit(&outcome))
        }
        Cmd::Info { load: l } => {
            let m = load(&l)?;
            let mut out = String::new();
            out += &format!("base {:#x} (preferred {:#x})\n", m.base, m.image.preferred_base);
            for r in &m.image.code_map {
                out += &format!(
                    "code {:#x}..{:#x} {:?}\n",
                    m.base + u64::from(r.start),
                    m.base + u64::from(r.end),
                    r.kind
                );
            }
            for (rva, r) in &m.image.slots {
                out += &format!("slot {:#x} {}\n", m.base + u64::from(*rva), r.slot_name());
            }
            for i in &m.image.imports {
                out += &format!(
                    "import {}!{} (IAT {:#x})\n",
                    i.dll,
                    i.name,
                    m.base + u64::from(i.iat_rva)
                );
            }
            let _ = std::io::stdout().write_all(out.as_bytes());
            Ok(0)
        }
    }
}
