//! DLL loading as an x64 process: an x64 DLL built by the suite is found through the search
//! path (the application directory), loads into the Arm64EC process, and its export is
//! called through a function pointer (the call checker and an exit thunk take the call to
//! x64 code); a native ARM64 DLL is refused with ERROR_BAD_EXE_FORMAT (193).
//@ tier: run
//@ needs-msvc
//@ wine-control
//@ aux-dll: plugin_x64.c = x86_64-pc-windows-msvc
//@ aux-dll: plugin_arm64.c = aarch64-pc-windows-msvc
//@ check-run-output

#[link(name = "kernel32")]
unsafe extern "system" {
    fn LoadLibraryW(name: *const u16) -> isize;
    fn GetProcAddress(module: isize, name: *const u8) -> *const u8;
    fn GetLastError() -> u32;
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

fn main() {
    let x64 = unsafe { LoadLibraryW(wide("plugin_x64.dll").as_ptr()) };
    if x64 == 0 {
        println!("plugin_x64.dll did not load: error {}", unsafe { GetLastError() });
        std::process::exit(1);
    }
    let f = unsafe { GetProcAddress(x64, c"plugin_add".as_ptr().cast()) };
    if f.is_null() {
        println!("plugin_add not found");
        std::process::exit(1);
    }
    let add: extern "C" fn(i32, i32) -> i32 = unsafe { std::mem::transmute(f) };
    println!("plugin_x64.dll: plugin_add(20, 22) = {}", add(20, 22));
    if cfg!(target_arch = "arm64ec") {
        let arm64 = unsafe { LoadLibraryW(wide("plugin_arm64.dll").as_ptr()) };
        let err = unsafe { GetLastError() };
        println!("plugin_arm64.dll: loaded={} error={err}", arm64 != 0);
        if arm64 != 0 || err != 193 {
            std::process::exit(1);
        }
    } else {
        println!("plugin_arm64.dll: not tried (not an Arm64EC process)");
    }
}
