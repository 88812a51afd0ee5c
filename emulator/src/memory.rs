//! The address space both CPUs share: host memory mapped into each engine at the same
//! guest addresses, with per-CPU permissions. Each CPU may execute only its own code —
//! the ARM64 CPU the ARM64EC (and ARM64) ranges of the code map, the x64 CPU the x64
//! ranges — so a branch into the other kind of code stops the CPU and becomes a
//! transition (or a fault), as the code-map bitmap does on Windows.

use crate::cpu::{Cpu, Isa};
use crate::image::{CodeKind, Image, PAGE};
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::ptr::NonNull;
use unicorn_engine::Prot;

/// Page-aligned, zeroed host memory that engines map.
pub struct HostMem {
    ptr: NonNull<u8>,
    len: usize,
}

impl HostMem {
    pub fn zeroed(len: usize) -> HostMem {
        assert!(len > 0 && len.is_multiple_of(PAGE as usize));
        let layout = Layout::from_size_align(len, PAGE as usize).expect("a page-aligned layout");
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        HostMem { ptr, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` owns `len` initialized bytes; the engines write them only while
        // one of them runs, never while a slice from here is alive.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and `&mut self` makes this the only slice.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Map `len` bytes from `offset` of this memory at `guest` in `cpu`.
    ///
    /// The memory must outlive the engine: the machine drops its CPUs before its memory.
    pub fn map_into(
        &self,
        cpu: &mut Cpu,
        guest: u64,
        offset: usize,
        len: usize,
        perms: Prot,
    ) -> Result<(), String> {
        assert!(offset + len <= self.len);
        // SAFETY: the range lies inside this allocation, which outlives the engine.
        unsafe {
            cpu.uc.mem_map_ptr(guest, len as u64, perms, self.ptr.as_ptr().add(offset).cast())
        }
        .map_err(|e| {
            format!(
                "unicorn: map {len:#x} bytes at {guest:#x} for the {} CPU: {e:?}",
                cpu.isa.name()
            )
        })
    }
}

impl Drop for HostMem {
    fn drop(&mut self) {
        let layout = Layout::from_size_align(self.len, PAGE as usize).expect("the same layout");
        // SAFETY: allocated in `zeroed` with this layout.
        unsafe { dealloc(self.ptr.as_ptr(), layout) }
    }
}

/// Where things live besides the image.
pub mod layout {
    /// Stack for both CPUs (they share one, as Arm64EC threads do).
    pub const STACK_BASE: u64 = 0x6000_0000;
    pub const STACK_SIZE: u64 = 0x10_0000;
    /// The TEB: x18 on ARM64 and GS on x64 point at it ([`super::teb_read`]).
    pub const TEB: u64 = 0x6100_0000;
    /// `KUSER_SHARED_DATA`, at the fixed address Windows maps it; not mapped here.
    pub const KUSER_SHARED_DATA: u64 = 0x7ffe_0000;
    /// Unmapped addresses the emulator intercepts (16 bytes apart): OS routines, import
    /// slots, the return addresses of top-level calls.
    pub const TRAP_BASE: u64 = 0x7f00_0000;
    pub const TRAP_SPAN: u64 = 0x10_0000;
}

/// A read of `size` bytes at `off` in the TEB. Only what a function-level runner can
/// answer truthfully is modelled — `NT_TIB` `StackBase` (+0x8), `StackLimit` (+0x10) and
/// `Self` (+0x30); anything else (the PEB pointer, TLS, LastErrorValue, ...) stops the
/// call instead of reading as zero.
pub fn teb_read(off: u64, size: usize) -> Result<u64, String> {
    let fields = [
        (0x08, layout::STACK_BASE + layout::STACK_SIZE),
        (0x10, layout::STACK_BASE),
        (0x30, layout::TEB),
    ];
    let (base, value) = fields
        .iter()
        .find(|(at, _)| (*at..*at + 8).contains(&off) && off + size as u64 <= at + 8)
        .ok_or_else(|| format!("read of {}, which is not modelled", teb_field(off)))?;
    let shift = 8 * (off - base);
    let mask = if size >= 8 { u64::MAX } else { (1u64 << (8 * size)) - 1 };
    Ok((value >> shift) & mask)
}

/// `TEB+0x60 (ProcessEnvironmentBlock)`.
pub fn teb_field(off: u64) -> String {
    let name = match off {
        0x00 => " (ExceptionList)",
        0x58 => " (ThreadLocalStoragePointer)",
        0x60 => " (ProcessEnvironmentBlock)",
        0x68 => " (LastErrorValue)",
        _ => "",
    };
    format!("TEB+{off:#x}{name}")
}

/// The image's pages for `isa`: runs of `(rva, len, perms)`. Readable everywhere within
/// `SizeOfImage`, writable where the section is, executable where the section is and the
/// code map gives the range to this CPU.
pub fn image_runs(image: &Image, isa: Isa) -> Vec<(u32, u32, Prot)> {
    let mut runs: Vec<(u32, u32, Prot)> = Vec::new();
    for page in (0..image.size).step_by(PAGE as usize) {
        let mut p = Prot::READ;
        if let Some(s) = image.section_at(page) {
            if s.writable() {
                p |= Prot::WRITE;
            }
            let mine = match image.code_kind(u64::from(page)) {
                Some(CodeKind::Arm64ec | CodeKind::Arm64) => isa == Isa::A64,
                Some(CodeKind::X64) => isa == Isa::X64,
                None => false,
            };
            if s.executable() && mine {
                p |= Prot::EXEC;
            }
        }
        match runs.last_mut() {
            Some((start, len, q)) if *q == p && *start + *len == page => *len += PAGE,
            _ => runs.push((page, PAGE, p)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_teb_answers_only_what_is_modelled() {
        assert_eq!(teb_read(0x30, 8), Ok(layout::TEB));
        assert_eq!(teb_read(0x8, 8), Ok(layout::STACK_BASE + layout::STACK_SIZE));
        assert_eq!(teb_read(0x12, 2), Ok((layout::STACK_BASE >> 16) & 0xffff));
        let e = teb_read(0x60, 8).unwrap_err();
        assert!(e.contains("TEB+0x60 (ProcessEnvironmentBlock)"), "{e}");
        assert!(teb_read(0x2c, 8).is_err(), "straddles Self");
    }

    #[test]
    fn host_memory_is_zeroed_and_writable() {
        let mut m = HostMem::zeroed(2 * PAGE as usize);
        assert!(m.bytes().iter().all(|&b| b == 0));
        m.bytes_mut()[5] = 7;
        assert_eq!(m.bytes()[5], 7);
        assert_eq!(m.len(), 0x2000);
        assert!(!m.is_empty());
    }
}
