//! A structured exception raised with `RaiseException` and caught by a C `__except`
//! handler in the same Arm64EC process: the OS's exception dispatch walks Arm64EC frames.
//@ tier: run
//@ needs-msvc
//@ check-run-output

unsafe extern "C" {
    fn raise_and_catch(code: u32) -> u32;
}

fn main() {
    let got = unsafe { raise_and_catch(0xE000_0042) };
    println!("caught exception code {got:#010x}");
    if got != 0xE000_0042 {
        std::process::exit(1);
    }
}
