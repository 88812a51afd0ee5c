//! The two CPUs: a unicorn AArch64 engine for ARM64EC code and a unicorn x86-64 engine for
//! x64 code, over the same host memory. Each runs until something the emulator must
//! handle: a fetch from memory its CPU may not execute (an intercepted routine, a return
//! address it planted, the other CPU's code), a bad data access, an exception, or the
//! instruction limit. That stop is an [`Event`]; the machine decides what it means.

use unicorn_engine::{
    Arch, Arm64CpuModel, HookType, MemType, Mode, RegisterARM64, RegisterX86, Unicorn,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// ARM64EC (and ARM64) code.
    A64,
    X64,
}

impl Isa {
    pub fn name(self) -> &'static str {
        match self {
            Isa::A64 => "arm64",
            Isa::X64 => "x64",
        }
    }
}

/// Why a CPU stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An instruction fetch from `addr`, which this CPU may not execute (`unmapped`: nothing
    /// is mapped there).
    Fetch { addr: u64, unmapped: bool },
    /// A data access it may not make.
    Access { write: bool, addr: u64, size: usize, unmapped: bool },
    /// A CPU exception: the unicorn interrupt number (AArch64 `EXCP_*`, x86 vector).
    Exception(u32),
    /// An x86 instruction unicorn does not decode.
    InvalidInstruction,
    /// `limit` instructions ran without any other event.
    Limit,
    /// The code touched something of the OS this emulator does not model (the TEB's
    /// other fields).
    NotModelled(String),
    /// The engine failed in a way no hook saw.
    Engine(String),
}

type Engine = Unicorn<'static, Option<Event>>;

/// The address unicorn is told to stop at: inside the emulator's own unmapped trap range and
/// between two intercepted addresses (they are 16 bytes apart), so no code, no trap and no
/// image can be there; a branch to it is a fetch from unmapped memory like any other.
pub const STOP: u64 = crate::memory::layout::TRAP_BASE + crate::memory::layout::TRAP_SPAN - 4;

pub struct Cpu {
    pub isa: Isa,
    pub uc: Engine,
}

fn err(what: &str, e: unicorn_engine::uc_error) -> String {
    format!("unicorn: {what}: {e:?}")
}

impl Cpu {
    pub fn new(isa: Isa) -> Result<Cpu, String> {
        let mut uc = match isa {
            Isa::A64 => {
                let mut uc = Unicorn::new_with_data(Arch::ARM64, Mode::ARM, None)
                    .map_err(|e| err("open the AArch64 engine", e))?;
                // The newest architecture unicorn models, so compiled code's optional
                // instructions (LSE atomics, ...) decode.
                uc.ctl_set_cpu_model(Arm64CpuModel::MAX as i32)
                    .map_err(|e| err("select the AArch64 CPU model", e))?;
                uc
            }
            Isa::X64 => Unicorn::new_with_data(Arch::X86, Mode::MODE_64, None)
                .map_err(|e| err("open the x86-64 engine", e))?,
        };
        let faults = HookType::MEM_UNMAPPED | HookType::MEM_PROT;
        uc.add_mem_hook(faults, 1, 0, |uc, kind, addr, size, _| {
            let unmapped = matches!(
                kind,
                MemType::FETCH_UNMAPPED | MemType::READ_UNMAPPED | MemType::WRITE_UNMAPPED
            );
            let ev = match kind {
                MemType::FETCH_UNMAPPED | MemType::FETCH_PROT => Event::Fetch { addr, unmapped },
                MemType::WRITE_UNMAPPED | MemType::WRITE_PROT => {
                    Event::Access { write: true, addr, size, unmapped }
                }
                _ => Event::Access { write: false, addr, size, unmapped },
            };
            uc.get_data_mut().get_or_insert(ev);
            false
        })
        .map_err(|e| err("add the memory hook", e))?;
        uc.add_intr_hook(|uc, intno| {
            uc.get_data_mut().get_or_insert(Event::Exception(intno));
            let _ = uc.emu_stop();
        })
        .map_err(|e| err("add the exception hook", e))?;
        if isa == Isa::X64 {
            uc.add_insn_invalid_hook(|uc| {
                uc.get_data_mut().get_or_insert(Event::InvalidInstruction);
                false
            })
            .map_err(|e| err("add the invalid-instruction hook", e))?;
        }
        Ok(Cpu { isa, uc })
    }

    /// Run from `pc` until an event; `limit` instructions at most (0: no limit).
    pub fn run(&mut self, pc: u64, limit: usize) -> Event {
        *self.uc.get_data_mut() = None;
        // Unicorn also ends a run at its `until` address; 0 would turn a call through a null
        // pointer into an instruction limit, so it is an address no code can be at.
        let r = self.uc.emu_start(pc, STOP, 0, limit);
        match (self.uc.get_data_mut().take(), r) {
            (Some(ev), _) => ev,
            (None, Ok(())) if self.pc() == STOP => Event::Fetch { addr: STOP, unmapped: true },
            (None, Ok(())) => Event::Limit,
            (None, Err(e)) => Event::Engine(format!("{e:?}")),
        }
    }

    pub fn pc(&self) -> u64 {
        self.uc.pc_read().unwrap_or(0)
    }

    pub fn set_pc(&mut self, pc: u64) {
        let _ = self.uc.set_pc(pc);
    }

    pub fn read(&self, reg: impl Into<i32>) -> u64 {
        self.uc.reg_read(reg).unwrap_or(0)
    }

    pub fn write(&mut self, reg: impl Into<i32>, v: u64) {
        let _ = self.uc.reg_write(reg, v);
    }
}

/// AArch64 general registers by number (x0..x30).
pub fn xreg(n: u8) -> RegisterARM64 {
    use RegisterARM64::*;
    const X: [RegisterARM64; 31] = [
        X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15, X16, X17, X18, X19,
        X20, X21, X22, X23, X24, X25, X26, X27, X28, X29, X30,
    ];
    X[n as usize]
}

/// AArch64 vector registers (q0..q15).
pub const Q: [RegisterARM64; 16] = {
    use RegisterARM64::*;
    [Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9, Q10, Q11, Q12, Q13, Q14, Q15]
};

/// x86-64 vector registers (xmm0..xmm15).
pub const XMM: [RegisterX86; 16] = {
    use RegisterX86::*;
    [
        XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7, XMM8, XMM9, XMM10, XMM11, XMM12, XMM13,
        XMM14, XMM15,
    ]
};
