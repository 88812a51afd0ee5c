//! The OS side of the Arm64EC transitions: what Windows' `__os_arm64x_*` routines and the
//! x64 emulator's branch checks do, each against its documented contract. Sources:
//!
//! - MS-ABI: Microsoft, "Understanding Arm64EC ABI and assembly code"
//!   (learn.microsoft.com/windows/arm/arm64ec-abi): entry and exit thunks, call checkers.
//! - MS-CONV: Microsoft, "Overview of ARM64EC ABI conventions": the register mapping, the
//!   loader-filled slots, `__os_arm64x_dispatch_call_no_redirect` called with `blr x16`.
//! - corsix: Peter Cawley, "Windows Arm64EC notes" (corsix.org): how the x64 emulator tells
//!   a return into ARM64EC code from a call into it, and what it does before an entry thunk.
//! - LLVM PR #167782: the checker also returns the x64 target in x9.
//!
//! Nothing here runs guest code: each function moves state between the CPUs and says where
//! execution continues.

use crate::cpu::Isa;
use crate::image::{CodeKind, OsRoutine};
use crate::machine::{Machine, Next, Outcome};
use crate::regs;
use crate::traps::Trap;
use unicorn_engine::{RegisterARM64 as A, RegisterX86 as X};

/// `blr x16`: the instruction an exit thunk calls `__os_arm64x_dispatch_call_no_redirect`
/// with. An x64 `ret` to the address after it is a return into ARM64EC code (corsix).
pub const BLR_X16: u32 = 0xd63f_0200;

impl Machine {
    fn stop(&self, isa: Isa, outcome: fn(String) -> Outcome, what: &str, addr: u64) -> Next {
        Next::Stop(outcome(self.at(isa, what, addr)))
    }

    fn switch_failed(&self, isa: Isa, e: String) -> Next {
        let pc = match isa {
            Isa::A64 => self.a64.pc(),
            Isa::X64 => self.x64.pc(),
        };
        Next::Stop(Outcome::Fault(self.at(isa, &format!("register transfer failed: {e}"), pc)))
    }

    /// The ARM64 CPU branched to the routine a slot holds.
    pub(crate) fn os_routine(&mut self, r: OsRoutine) -> Next {
        match r {
            OsRoutine::DispatchRet => self.dispatch_ret(),
            OsRoutine::DispatchCallNoRedirect => self.dispatch_call_no_redirect(),
            OsRoutine::DispatchIcall | OsRoutine::DispatchIcallCfg => self.check_icall(),
            other => Next::Stop(Outcome::NotEmulated(self.called(
                Isa::A64,
                &format!(
                    "call to {}, an OS routine this emulator does not model",
                    other.slot_name()
                ),
            ))),
        }
    }

    /// `__os_arm64x_dispatch_ret`: the tail of every entry thunk. MS-ABI: the entry thunk
    /// has called the Arm64EC function, put the result where x64 code expects it (x8 = RAX,
    /// v0 = XMM0), restored the x64 callee-saved state (q6–q15), and branches here with
    /// lr = the x64 return address it was entered with and sp = the x64 RSP after the
    /// return. The emulator resumes x64 execution at lr.
    fn dispatch_ret(&mut self) -> Next {
        if let Err(e) = regs::a64_to_x64(&self.a64, &mut self.x64) {
            return self.switch_failed(Isa::A64, e);
        }
        let lr = self.a64.read(A::LR);
        self.x64.set_pc(lr);
        Next::Run(Isa::X64, lr)
    }

    /// `__os_arm64x_dispatch_call_no_redirect`: called by exit thunks with `blr x16`
    /// (MS-CONV). The exit thunk has laid out the x64 call — arguments in the mapped
    /// registers, stack arguments above 32 bytes of shadow space at sp — and x9 holds the
    /// x64 target (MS-ABI). The emulator pushes lr, the address after the `blr x16`, as the
    /// x64 return address and runs x9 on the x64 CPU; the callee's `ret` then lands after
    /// the `blr x16`, which [`Machine::x64_reaches_ec`] recognizes as a return.
    fn dispatch_call_no_redirect(&mut self) -> Next {
        let target = self.a64.read(A::X9);
        let lr = self.a64.read(A::LR);
        let sp = self.a64.read(A::SP);
        if let Err(e) = regs::a64_to_x64(&self.a64, &mut self.x64) {
            return self.switch_failed(Isa::A64, e);
        }
        let rsp = sp.wrapping_sub(8);
        if self.write_bytes(rsp, &lr.to_le_bytes()).is_none() {
            return self.stop(
                Isa::A64,
                Outcome::Fault,
                "the x64 return address cannot be pushed: the stack pointer is not in the stack",
                sp,
            );
        }
        self.x64.write(X::RSP, rsp);
        self.x64.set_pc(target);
        Next::Run(Isa::X64, target)
    }

    /// `__os_arm64x_check_icall` (= `dispatch_icall`; `_cfg` is the same routine when CFG
    /// is off, MS-ABI). MS-ABI contract: x11 = the target, x10 = the exit thunk for the
    /// call's signature; on return x11 = what to branch to — the target itself when it is
    /// Arm64EC code, else the exit thunk — and x9 = the x64 target (LLVM PR #167782);
    /// x0–x8, x15 and q0–q7 are preserved. Code is x64 unless the code map says it is
    /// ARM64EC or ARM64 (the OS's EC bitmap: a clear bit means x64), so a target that is
    /// no code at all goes to the x64 CPU and faults there, as it would on Windows.
    fn check_icall(&mut self) -> Next {
        let target = self.a64.read(A::X11);
        let thunk = self.a64.read(A::X10);
        let lr = self.a64.read(A::LR);
        if let Some(t) = self.traps.get(target).cloned() {
            let what = match t {
                Trap::Import(i) => format!("call to the import {}!{}", i.dll, i.name),
                t => format!("indirect call to {}", crate::machine::trap_name(&t)),
            };
            return Next::Stop(Outcome::NotEmulated(self.called(Isa::A64, &what)));
        }
        match self.code_kind(target) {
            Some(CodeKind::Arm64ec | CodeKind::Arm64) => {}
            // Windows has nothing to call x64 code with: a defect of the caller.
            _ if thunk == 0 => {
                return self.stop(
                    Isa::A64,
                    Outcome::Fault,
                    "indirect call to x64 code with no exit thunk (x10 = 0)",
                    target,
                );
            }
            _ => {
                self.a64.write(A::X9, target);
                self.a64.write(A::X11, thunk);
            }
        }
        self.a64.set_pc(lr);
        Next::Run(Isa::A64, lr)
    }

    /// The x64 CPU reached ARM64EC code at `rip` (a call, jump or return crossed into a
    /// range the code map gives to ARM64EC). corsix: if the four bytes before rip are
    /// `blr x16`, it is a return into an exit thunk — continue there on the ARM64 CPU.
    /// Otherwise it is a call: the word before the function is the entry-thunk offset
    /// (low two bits 01, masked, sign-extended, added to rip; lld writes
    /// `thunk − fn + 1`); the emulator pops the x64 return address into lr and enters the
    /// entry thunk with x9 = rip, x4 = sp (the x64 stack arguments, shadow space first:
    /// entry thunks load stack arguments from `[x4, #0x20]` on and a variadic one adds 0x20
    /// to x4) and the x64 registers in their ARM64 homes (MS-ABI, MS-CONV, corsix).
    pub(crate) fn x64_reaches_ec(&mut self, rip: u64) -> Next {
        let Some(word) = self.read_u32(rip.wrapping_sub(4)) else {
            return self.stop(Isa::X64, Outcome::Fault, "jump to the first word of the image", rip);
        };
        if let Err(e) = regs::x64_to_a64(&self.x64, &mut self.a64) {
            return self.switch_failed(Isa::X64, e);
        }
        if word == BLR_X16 {
            self.a64.set_pc(rip);
            return Next::Run(Isa::A64, rip);
        }
        let thunk = rip.wrapping_add(i64::from((word & !3) as i32) as u64);
        // Windows could not enter such code from x64 either: a defect of the image.
        if word & 3 != 1 || thunk == rip || self.code_kind(thunk) != Some(CodeKind::Arm64ec) {
            return self.stop(
                Isa::X64,
                Outcome::Fault,
                &format!(
                    "x64 code entered Arm64EC code that has no entry thunk (the word before it is {word:#010x})"
                ),
                rip,
            );
        }
        let rsp = self.x64.read(X::RSP);
        let Some(ret) = self.read_u64(rsp) else {
            return self.stop(Isa::X64, Outcome::Fault, "RSP is not in the stack", rsp);
        };
        self.a64.write(A::LR, ret);
        self.a64.write(A::SP, rsp + 8);
        self.a64.write(A::X4, rsp + 8);
        self.a64.write(A::X9, rip);
        self.a64.set_pc(thunk);
        Next::Run(Isa::A64, thunk)
    }
}
