//! Intercepted addresses. The loader writes one into every place where the OS would put
//! the address of one of its routines (the `__os_arm64x_*` slots, the import address
//! table) and uses them as the return addresses of the calls it makes. Nothing is mapped
//! there, so a CPU that branches to one stops with a fetch fault, and the emulator looks
//! up what it stands for.

use crate::cpu::Isa;
use crate::image::{Import, OsRoutine};
use crate::memory::layout::{TRAP_BASE, TRAP_SPAN};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trap {
    /// An OS routine named by the Arm64EC metadata or a slot's name.
    Os(OsRoutine),
    /// An `__os_arm64x_*` slot this emulator does not model (`helper3`, ...).
    OsSlot(String),
    /// An imported function (its regular IAT slot).
    Import(Import),
    /// Where a top-level call on this CPU returns to.
    Return(Isa),
}

#[derive(Debug, Default)]
pub struct Traps {
    list: Vec<Trap>,
}

const STRIDE: u64 = 16;

impl Traps {
    /// A fresh trap address for `t`.
    pub fn add(&mut self, t: Trap) -> u64 {
        let addr = TRAP_BASE + STRIDE * self.list.len() as u64;
        assert!(addr < TRAP_BASE + TRAP_SPAN, "too many intercepted addresses");
        self.list.push(t);
        addr
    }

    /// The address of the first trap equal to `t`.
    pub fn address_of(&self, t: &Trap) -> Option<u64> {
        self.list.iter().position(|x| x == t).map(|i| TRAP_BASE + STRIDE * i as u64)
    }

    pub fn get(&self, addr: u64) -> Option<&Trap> {
        let off = addr.checked_sub(TRAP_BASE)?;
        if off % STRIDE != 0 {
            return None;
        }
        self.list.get((off / STRIDE) as usize)
    }

    pub fn contains(addr: u64) -> bool {
        (TRAP_BASE..TRAP_BASE + TRAP_SPAN).contains(&addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traps_are_found_by_address() {
        let mut t = Traps::default();
        let a = t.add(Trap::Return(Isa::A64));
        let b = t.add(Trap::Os(OsRoutine::DispatchRet));
        assert_eq!(t.get(a), Some(&Trap::Return(Isa::A64)));
        assert_eq!(t.get(b), Some(&Trap::Os(OsRoutine::DispatchRet)));
        assert_eq!(t.get(b + 4), None);
        assert_eq!(t.address_of(&Trap::Os(OsRoutine::DispatchRet)), Some(b));
        assert!(Traps::contains(b) && !Traps::contains(0x1000));
    }
}
