//! The process faces the OS as x64: asked for its machine type, Windows answers AMD64
//! (`GetProcessInformation(ProcessMachineTypeInfo)`), while the system underneath is ARM64
//! (`IsWow64Process2`'s native machine). The run fails when the process machine is not
//! AMD64; the values it prints are compared too. (No Wine control: Wine 8 stubs
//! GetProcessInformation out and aborts the caller.)
//@ tier: run
//@ needs-msvc
//@ check-run-output

const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;
/// `PROCESS_INFORMATION_CLASS::ProcessMachineTypeInfo`.
const PROCESS_MACHINE_TYPE_INFO: i32 = 9;

#[repr(C)]
#[derive(Default)]
struct ProcessMachineInformation {
    process_machine: u16,
    reserved: u16,
    machine_attributes: u32,
}

#[link(name = "kernel32")]
unsafe extern "system" {
    fn GetCurrentProcess() -> isize;
    fn IsWow64Process2(process: isize, process_machine: *mut u16, native_machine: *mut u16) -> i32;
    fn GetProcessInformation(process: isize, class: i32, info: *mut u8, size: u32) -> i32;
}

fn main() {
    let (mut wow_process, mut native) = (0u16, 0u16);
    let ok = unsafe { IsWow64Process2(GetCurrentProcess(), &mut wow_process, &mut native) };
    println!("IsWow64Process2: ok={} process={wow_process:#06x} native={native:#06x}", ok != 0);
    let mut info = ProcessMachineInformation::default();
    let size = std::mem::size_of::<ProcessMachineInformation>() as u32;
    let ok = unsafe {
        GetProcessInformation(GetCurrentProcess(), PROCESS_MACHINE_TYPE_INFO, &mut info as *mut _ as *mut u8, size)
    };
    println!("ProcessMachineTypeInfo: ok={} machine={:#06x}", ok != 0, info.process_machine);
    if ok == 0 || info.process_machine != IMAGE_FILE_MACHINE_AMD64 {
        std::process::exit(1);
    }
}
