//! The loaded process: the image mapped and rebased, the OS slots and the import table
//! filled with intercepted addresses, a stack and a TEB, and both CPUs. [`Machine::call`]
//! runs one function to its return, switching CPUs at every transition
//! ([`crate::transitions`]), and says how the call ended.

use crate::cpu::{Cpu, Event, Isa};
use crate::image::{CodeKind, Image, OsRoutine};
use crate::map::LinkMap;
use crate::memory::{HostMem, image_runs, layout, teb_field, teb_read};
use crate::traps::{Trap, Traps};
use unicorn_engine::{Prot, RegisterARM64 as A, RegisterX86 as X};

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It returned to the caller's return address; `value` is x0 (ARM64) or RAX (x64).
    Returned { value: u64 },
    /// It reached something this emulator does not model.
    NotEmulated(String),
    /// The emulated code faulted.
    Fault(String),
}

/// What the event handlers decide.
pub(crate) enum Next {
    Run(Isa, u64),
    Done,
    Stop(Outcome),
}

/// Instructions one CPU may run between two events before the call is stopped.
pub const DEFAULT_LIMIT: usize = 50_000_000;
/// CPU switches one call may make.
pub const MAX_SWITCHES: u32 = 1_000_000;

pub struct Machine {
    // The CPUs come first: they are dropped before the memory they map.
    pub(crate) a64: Cpu,
    pub(crate) x64: Cpu,
    image_mem: HostMem,
    stack: HostMem,
    /// The image memory as loaded, for resetting it after a failed call.
    pristine: Vec<u8>,
    pub image: Image,
    pub map: LinkMap,
    /// Where the image is mapped.
    pub base: u64,
    pub(crate) traps: Traps,
    /// Instructions per run between events (0: unlimited).
    pub limit: usize,
    /// CPU switches so far (x64 -> ARM64 or back), for statistics.
    pub switches: u64,
}

fn stack_top() -> u64 {
    layout::STACK_BASE + layout::STACK_SIZE
}

impl Machine {
    /// Load `image` (PE bytes) with the symbols of `map` at `base` (default: the preferred
    /// base).
    pub fn load(image: &[u8], map: &str, base: Option<u64>) -> Result<Machine, String> {
        let image = Image::parse(image)?;
        let map = LinkMap::parse(map)?;
        if let Some(p) = map.preferred_base.filter(|p| *p != image.preferred_base) {
            return Err(format!(
                "the map's preferred base {p:#x} is not the image's {:#x}: another link?",
                image.preferred_base
            ));
        }
        if image.code_map.is_empty() {
            return Err("the image has no Arm64EC metadata (no CHPE code map): not Arm64EC".into());
        }
        let base = base.unwrap_or(image.preferred_base);
        let end = base.checked_add(u64::from(image.size)).ok_or("the image does not fit")?;
        if !base.is_multiple_of(0x1_0000) || end > 1 << 47 {
            return Err(format!("cannot map the image at {base:#x}"));
        }
        let reserved = [
            (layout::STACK_BASE, layout::STACK_SIZE),
            (layout::TEB, 0x1000),
            (layout::TRAP_BASE, layout::TRAP_SPAN),
            (layout::KUSER_SHARED_DATA, 0x1000),
        ];
        if reserved.iter().any(|&(a, n)| a < end && base < a + n) {
            return Err(format!("the image at {base:#x} overlaps the emulator's own memory"));
        }
        let mut image_mem = HostMem::zeroed(image.size as usize);
        image_mem.bytes_mut().copy_from_slice(&image.mapped);
        image.relocate(image_mem.bytes_mut(), base)?;
        let mut m = Machine {
            a64: Cpu::new(Isa::A64)?,
            x64: Cpu::new(Isa::X64)?,
            image_mem,
            stack: HostMem::zeroed(layout::STACK_SIZE as usize),
            pristine: Vec::new(),
            image,
            map,
            base,
            traps: Traps::default(),
            limit: DEFAULT_LIMIT,
            switches: 0,
        };
        m.fill_slots()?;
        m.fill_imports()?;
        m.traps.add(Trap::Return(Isa::A64));
        m.traps.add(Trap::Return(Isa::X64));
        m.pristine = m.image_mem.bytes().to_vec();
        m.map_all()?;
        Ok(m)
    }

    /// The Windows loader fills the `__os_arm64x_*` pointer slots with the addresses of its
    /// routines ("Overview of ARM64EC ABI conventions": the slots are null on disk and set
    /// by the loader); here each gets an intercepted address. The slots are those the
    /// Arm64EC metadata names, and every `__os_arm64x_*` data symbol of the map (helpers
    /// and aliases the metadata has no field for).
    fn fill_slots(&mut self) -> Result<(), String> {
        let mut filled: Vec<u32> = Vec::new();
        for (rva, routine) in self.image.slots.clone() {
            let addr = self.traps.add(Trap::Os(routine));
            self.write_slot(rva, addr, routine.slot_name())?;
            filled.push(rva);
        }
        let named: Vec<(String, u64)> =
            self.map.with_prefix("__os_arm64x_").map(|s| (s.name.clone(), s.addr)).collect();
        for (name, addr) in named {
            let rva = addr
                .checked_sub(self.image.preferred_base)
                .filter(|r| *r < u64::from(self.image.size))
                .ok_or_else(|| format!("{name} at {addr:#x} lies outside the image"))?
                as u32;
            if filled.contains(&rva) {
                continue;
            }
            let trap = match OsRoutine::from_slot_name(&name) {
                Some(r) => Trap::Os(r),
                None => Trap::OsSlot(name.clone()),
            };
            let t = self.traps.add(trap);
            self.write_slot(rva, t, &name)?;
            filled.push(rva);
        }
        Ok(())
    }

    fn write_slot(&mut self, rva: u32, value: u64, name: &str) -> Result<(), String> {
        if self.image.code_kind(u64::from(rva)).is_some() {
            return Err(format!("the slot {name} at RVA {rva:#x} lies in code"));
        }
        let b = self
            .image_mem
            .bytes_mut()
            .get_mut(rva as usize..rva as usize + 8)
            .ok_or_else(|| format!("the slot {name} at RVA {rva:#x} lies outside the image"))?;
        b.copy_from_slice(&value.to_le_bytes());
        Ok(())
    }

    /// Imports are not loaded: each IAT slot gets an intercepted address that names it.
    fn fill_imports(&mut self) -> Result<(), String> {
        for imp in self.image.imports.clone() {
            let name = format!("the IAT slot of {}!{}", imp.dll, imp.name);
            let rva = imp.iat_rva;
            let addr = self.traps.add(Trap::Import(imp));
            self.write_slot(rva, addr, &name)?;
        }
        Ok(())
    }

    fn map_all(&mut self) -> Result<(), String> {
        let rw = Prot::READ | Prot::WRITE;
        for cpu in [&mut self.a64, &mut self.x64] {
            for (rva, len, perms) in image_runs(&self.image, cpu.isa) {
                self.image_mem.map_into(
                    cpu,
                    self.base + u64::from(rva),
                    rva as usize,
                    len as usize,
                    perms,
                )?;
            }
            self.stack.map_into(cpu, layout::STACK_BASE, 0, self.stack.len(), rw)?;
            // The TEB answers through callbacks, so that what is not modelled stops the
            // call rather than reading as zero.
            let read = |uc: &mut unicorn_engine::Unicorn<'_, Option<Event>>, off: u64, size| {
                teb_read(off, size).unwrap_or_else(|why| {
                    uc.get_data_mut().get_or_insert(Event::NotModelled(why));
                    let _ = uc.emu_stop();
                    0
                })
            };
            let write = |uc: &mut unicorn_engine::Unicorn<'_, Option<Event>>, off: u64, _, _| {
                let why = format!("write to {}, which is not modelled", teb_field(off));
                uc.get_data_mut().get_or_insert(Event::NotModelled(why));
                let _ = uc.emu_stop();
            };
            cpu.uc
                .mmio_map(layout::TEB, 0x1000, Some(read), Some(write))
                .map_err(|e| format!("unicorn: map the TEB: {e:?}"))?;
        }
        self.a64.write(A::X18, layout::TEB);
        self.x64.write(X::GS_BASE, layout::TEB);
        Ok(())
    }

    /// The address of a map symbol where the image is mapped.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.map
            .get(name)
            .map(|a| a.wrapping_sub(self.image.preferred_base).wrapping_add(self.base))
    }

    /// `name+0x10` for an address in the image, empty elsewhere.
    pub fn describe(&self, addr: u64) -> String {
        if let Some(t) = self.traps.get(addr) {
            return format!(" ({})", trap_name(t));
        }
        if (layout::STACK_BASE..stack_top()).contains(&addr) {
            return " (stack)".into();
        }
        if (layout::STACK_BASE - 0x10_0000..layout::STACK_BASE).contains(&addr) {
            return " (below the stack: stack overflow)".into();
        }
        let preferred = addr.wrapping_sub(self.base).wrapping_add(self.image.preferred_base);
        if addr < self.base || addr - self.base >= u64::from(self.image.size) {
            return String::new();
        }
        match self.map.symbolize(preferred) {
            Some((name, 0)) => format!(" ({name})"),
            Some((name, off)) => format!(" ({name}+{off:#x})"),
            None => String::new(),
        }
    }

    /// The code-map kind of a guest address.
    pub fn code_kind(&self, addr: u64) -> Option<CodeKind> {
        let rva = addr.checked_sub(self.base)?;
        self.image.code_kind(rva)
    }

    fn region(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let regions = [(self.base, &self.image_mem), (layout::STACK_BASE, &self.stack)];
        regions.into_iter().find_map(|(start, mem)| {
            let off = addr.checked_sub(start)? as usize;
            mem.bytes().get(off..off.checked_add(len)?)
        })
    }

    fn region_mut(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        let regions = [(self.base, &mut self.image_mem), (layout::STACK_BASE, &mut self.stack)];
        regions.into_iter().find_map(|(start, mem)| {
            let off = addr.checked_sub(start)? as usize;
            mem.bytes_mut().get_mut(off..off.checked_add(len)?)
        })
    }

    pub fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        self.region(addr, len).map(<[u8]>::to_vec)
    }

    pub fn read_u32(&self, addr: u64) -> Option<u32> {
        self.region(addr, 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    }

    pub fn read_u64(&self, addr: u64) -> Option<u64> {
        self.region(addr, 8).map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    }

    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Option<()> {
        self.region_mut(addr, bytes.len())?.copy_from_slice(bytes);
        Some(())
    }

    /// Put the image's memory back as loaded (data, slots, IAT) and clear the stack: what
    /// a failed call may have left behind. Code is not writable, so it is as loaded anyway.
    pub fn reset(&mut self) {
        self.image_mem.bytes_mut().copy_from_slice(&self.pristine);
        self.stack.bytes_mut().fill(0);
    }

    /// Call `target` on `isa` with integer arguments (at most four: x0–x3 / RCX, RDX, R8,
    /// R9) on a fresh stack, returning to an intercepted address.
    pub fn call(&mut self, isa: Isa, target: u64, args: &[u64]) -> Outcome {
        assert!(args.len() <= 4);
        match isa {
            Isa::A64 => {
                for n in 0..=30 {
                    if n != 18 {
                        self.a64.write(crate::cpu::xreg(n), 0);
                    }
                }
                for (n, v) in args.iter().enumerate() {
                    self.a64.write(crate::cpu::xreg(n as u8), *v);
                }
                let ret = self.traps.address_of(&Trap::Return(Isa::A64)).expect("return trap");
                self.a64.write(A::LR, ret);
                self.a64.write(A::SP, stack_top());
            }
            Isa::X64 => {
                use X::*;
                for r in [RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14, R15] {
                    self.x64.write(r, 0);
                }
                for (r, v) in [RCX, RDX, R8, R9].into_iter().zip(args) {
                    self.x64.write(r, *v);
                }
                // Shadow space for the callee above the return address, RSP 16-aligned
                // before the call pushes it.
                let rsp = stack_top() - 0x40 - 8;
                let ret = self.traps.address_of(&Trap::Return(Isa::X64)).expect("return trap");
                self.write_bytes(rsp, &ret.to_le_bytes()).expect("the stack");
                self.x64.write(RSP, rsp);
            }
        }
        let (mut cpu, mut pc) = (isa, target);
        for _ in 0..MAX_SWITCHES {
            let ev = match cpu {
                Isa::A64 => self.a64.run(pc, self.limit),
                Isa::X64 => self.x64.run(pc, self.limit),
            };
            match self.on_event(cpu, ev) {
                Next::Run(next, at) => {
                    self.switches += u64::from(next != cpu);
                    (cpu, pc) = (next, at);
                }
                Next::Done => {
                    let value = match cpu {
                        Isa::A64 => self.a64.read(A::X0),
                        Isa::X64 => self.x64.read(X::RAX),
                    };
                    return Outcome::Returned { value };
                }
                Next::Stop(o) => return o,
            }
        }
        Outcome::NotEmulated(format!("more than {MAX_SWITCHES} switches between the CPUs"))
    }

    fn cpu(&self, isa: Isa) -> &Cpu {
        match isa {
            Isa::A64 => &self.a64,
            Isa::X64 => &self.x64,
        }
    }

    /// `what at 0x... (sym), pc 0x... (sym)` for a stop on `isa`.
    pub(crate) fn at(&self, isa: Isa, what: &str, addr: u64) -> String {
        let pc = self.cpu(isa).pc();
        let mut s = format!("{}: {what} at {addr:#x}{}", isa.name(), self.describe(addr));
        if pc != addr {
            s += &format!(", pc {pc:#x}{}", self.describe(pc));
        }
        s
    }

    /// `what, returning to 0x... (sym)` for a call that reached an intercepted address:
    /// where it came from is the useful part (lr on ARM64, the pushed address on x64).
    pub(crate) fn called(&self, isa: Isa, what: &str) -> String {
        let ret = match isa {
            Isa::A64 => Some(self.a64.read(A::LR)),
            Isa::X64 => self.read_u64(self.x64.read(X::RSP)),
        };
        match ret {
            Some(r) => format!("{}: {what}, returning to {r:#x}{}", isa.name(), self.describe(r)),
            None => format!("{}: {what}", isa.name()),
        }
    }

    fn on_event(&mut self, isa: Isa, ev: Event) -> Next {
        match ev {
            Event::Fetch { addr, unmapped } => self.on_fetch(isa, addr, unmapped),
            Event::Access { write, addr, .. }
                if (layout::KUSER_SHARED_DATA..layout::KUSER_SHARED_DATA + 0x1000)
                    .contains(&addr) =>
            {
                let what = format!(
                    "{} KUSER_SHARED_DATA+{:#x}, which is not modelled",
                    if write { "write to" } else { "read of" },
                    addr - layout::KUSER_SHARED_DATA
                );
                let pc = self.cpu(isa).pc();
                Next::Stop(Outcome::NotEmulated(self.at(isa, &what, pc)))
            }
            Event::NotModelled(what) => {
                let pc = self.cpu(isa).pc();
                Next::Stop(Outcome::NotEmulated(self.at(isa, &what, pc)))
            }
            Event::Access { write, addr, size, unmapped } => {
                let what = format!(
                    "{} of {size} bytes {} {} memory",
                    if write { "write" } else { "read" },
                    if write { "to" } else { "from" },
                    if unmapped { "unmapped" } else { "protected" }
                );
                Next::Stop(Outcome::Fault(self.at(isa, &what, addr)))
            }
            Event::Exception(n) => {
                let pc = self.cpu(isa).pc();
                Next::Stop(Outcome::Fault(self.at(isa, &self.exception(isa, n, pc), pc)))
            }
            Event::InvalidInstruction => {
                let pc = self.cpu(isa).pc();
                Next::Stop(Outcome::Fault(self.at(isa, "invalid instruction", pc)))
            }
            Event::Limit => {
                let pc = self.cpu(isa).pc();
                let what =
                    format!("instruction limit: {} instructions without a transition", self.limit);
                Next::Stop(Outcome::NotEmulated(self.at(isa, &what, pc)))
            }
            Event::Engine(e) => {
                let pc = self.cpu(isa).pc();
                Next::Stop(Outcome::Fault(self.at(isa, &format!("emulator error {e}"), pc)))
            }
        }
    }

    fn exception(&self, isa: Isa, n: u32, pc: u64) -> String {
        match (isa, n) {
            (Isa::A64, 1) => "undefined instruction".into(),
            (Isa::A64, 2) => "svc (system call)".into(),
            (Isa::A64, 7) => {
                // brk #imm: imm16 in bits 5..21. `brk #0xf003` is __fastfail(x0).
                let imm = self.read_u32(pc).map(|w| (w >> 5) & 0xffff).unwrap_or(0);
                if imm == 0xf003 {
                    format!("__fastfail({})", self.a64.read(A::X0))
                } else {
                    format!("breakpoint (brk #{imm:#x})")
                }
            }
            (Isa::X64, 0) => "divide error".into(),
            (Isa::X64, 3) => "breakpoint (int3)".into(),
            (Isa::X64, 6) => "invalid opcode".into(),
            (Isa::X64, 13) => "general protection fault".into(),
            (Isa::X64, 0x29) => format!("__fastfail({})", self.x64.read(X::RCX)),
            (_, n) => format!("CPU exception {n}"),
        }
    }

    fn on_fetch(&mut self, isa: Isa, addr: u64, unmapped: bool) -> Next {
        if let Some(t) = self.traps.get(addr).cloned() {
            return match (t, isa) {
                (Trap::Return(_), _) => Next::Done,
                (Trap::Os(r), Isa::A64) => self.os_routine(r),
                (Trap::Import(i), _) => Next::Stop(Outcome::NotEmulated(
                    self.called(isa, &format!("call to the import {}!{}", i.dll, i.name)),
                )),
                (Trap::OsSlot(name), Isa::A64) => Next::Stop(Outcome::NotEmulated(self.called(
                    isa,
                    &format!("call to {name}, an OS routine this emulator does not model"),
                ))),
                (t, Isa::X64) => Next::Stop(Outcome::NotEmulated(self.at(
                    isa,
                    &format!("x64 code jumped to the ARM64 routine {}", trap_name(&t)),
                    addr,
                ))),
            };
        }
        match (isa, self.code_kind(addr)) {
            (Isa::X64, Some(CodeKind::Arm64ec)) => self.x64_reaches_ec(addr),
            (Isa::A64, Some(CodeKind::X64)) => Next::Stop(Outcome::Fault(self.at(
                isa,
                "branch into x64 code without the dispatcher",
                addr,
            ))),
            (_, kind) => {
                let what = match (kind, unmapped) {
                    (Some(k), _) => format!("execution of {k:?} code"),
                    (None, true) => "execution of unmapped memory".into(),
                    (None, false) => "execution of data (not code)".into(),
                };
                Next::Stop(Outcome::Fault(self.at(isa, &what, addr)))
            }
        }
    }
}

pub fn trap_name(t: &Trap) -> String {
    match t {
        Trap::Os(r) => r.slot_name().into(),
        Trap::OsSlot(n) => n.clone(),
        Trap::Import(i) => format!("import {}!{}", i.dll, i.name),
        Trap::Return(isa) => format!("the emulator's return address for {} calls", isa.name()),
    }
}
