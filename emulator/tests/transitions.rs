//! Each transition and each way a call can stop, on a small image of known functions
//! (tests/fixtures/ec.c and x64.c): values computed across the boundary must be exact,
//! and what is not modelled must say so.

mod common;

use arm64ec_emu::{Isa, Machine, Outcome};
use common::*;

fn call(m: &mut Machine, name: &str, isa: Isa, args: &[u64]) -> Outcome {
    let at = m.symbol(name).unwrap_or_else(|| panic!("no symbol {name}"));
    m.call(isa, at, args)
}

fn returned(o: Outcome) -> u64 {
    match o {
        Outcome::Returned { value } => value,
        other => panic!("{other:?}"),
    }
}

fn x64_code_calls_x64_code() {
    let mut m = fixture().machine();
    // x64_fib recurses on the x64 CPU only.
    assert_eq!(returned(call(&mut m, "x64_fib", Isa::X64, &[20])), 6765);
}

fn arm64ec_calls_x64_through_its_exit_thunk_and_back() {
    let mut m = fixture().machine();
    assert_eq!(returned(call(&mut m, "#ec_fib_via_x64", Isa::A64, &[10])), 1055);
    // Doubles in XMM/v registers and a fifth argument on the stack.
    assert_eq!(returned(call(&mut m, "#ec_mix", Isa::A64, &[])), 63);
    // EC -> x64 -> EC: the x64 code calls an Arm64EC function through a pointer, which
    // enters through that function's entry thunk, and returns into the exit thunk.
    assert_eq!(returned(call(&mut m, "#ec_callback", Isa::A64, &[21])), 43);
}

fn x64_calls_arm64ec_through_its_entry_thunk() {
    let mut m = fixture().machine();
    // Six arguments: the last two on the x64 stack, read by the entry thunk through x4.
    assert_eq!(returned(call(&mut m, "x64_calls_ec", Isa::X64, &[3])), 7_354_321);
    // An x64 caller reaching an Arm64EC function directly.
    assert_eq!(returned(call(&mut m, "#ec_twice", Isa::X64, &[4])), 8);
}

fn what_is_not_modelled_stops_the_call_with_the_reason() {
    let mut m = fixture().machine();
    for (name, isa) in [("#ec_import", Isa::A64), ("x64_import", Isa::X64)] {
        let Outcome::NotEmulated(why) = call(&mut m, name, isa, &[]) else { panic!("{name}") };
        assert!(why.contains("call to the import kernel32.dll!GetTickCount"), "{why}");
    }
    m.limit = 100_000;
    let Outcome::NotEmulated(why) = call(&mut m, "#ec_spin", Isa::A64, &[]) else { panic!() };
    assert!(why.starts_with("arm64: instruction limit: 100000 instructions"), "{why}");
    assert!(why.contains("#ec_spin+0x"), "{why}");
    // An OS routine no thunk of these compilers calls.
    let slot = m.symbol("__os_arm64x_get_x64_information").unwrap();
    let routine = m.read_u64(slot).unwrap();
    let Outcome::NotEmulated(why) = m.call(Isa::A64, routine, &[]) else { panic!() };
    assert!(why.contains("__os_arm64x_get_x64_information, an OS routine"), "{why}");
}

fn the_os_memory_answers_only_what_is_modelled() {
    let mut m = fixture().machine();
    assert_eq!(returned(call(&mut m, "#ec_teb_self", Isa::A64, &[])), 0x6100_0000);
    assert_eq!(returned(call(&mut m, "x64_stack_limit", Isa::X64, &[])), 0x6000_0000);
    let Outcome::NotEmulated(why) = call(&mut m, "#ec_peb", Isa::A64, &[]) else { panic!() };
    assert!(why.contains("read of TEB+0x60 (ProcessEnvironmentBlock)"), "{why}");
    let Outcome::NotEmulated(why) = call(&mut m, "x64_tick_count", Isa::X64, &[]) else { panic!() };
    assert!(why.contains("read of KUSER_SHARED_DATA+0x320, which is not modelled"), "{why}");
}

fn faults_name_the_cpu_the_address_and_the_function() {
    let mut m = fixture().machine();
    let Outcome::Fault(what) = call(&mut m, "#ec_null", Isa::A64, &[]) else { panic!() };
    assert!(what.starts_with("arm64: read of 8 bytes from unmapped memory at 0x10"), "{what}");
    assert!(what.contains("(#ec_null+0x"), "{what}");
    let Outcome::Fault(what) = call(&mut m, "#ec_x64_trap", Isa::A64, &[]) else { panic!() };
    assert!(what.starts_with("x64: invalid instruction at"), "{what}");
    assert!(what.contains("(x64_trap"), "{what}");
    // The ARM64 CPU may not run x64 code: a branch there without the dispatcher is a fault.
    let Outcome::Fault(what) = call(&mut m, "x64_fib", Isa::A64, &[3]) else { panic!() };
    assert!(what.starts_with("arm64: branch into x64 code without the dispatcher"), "{what}");
    let Outcome::Fault(what) = call(&mut m, "#ec_recurse", Isa::A64, &[0]) else { panic!() };
    assert!(what.contains("(below the stack: stack overflow)"), "{what}");
    assert!(what.contains("(#ec_recurse"), "{what}");
    // The machine still works after faults.
    m.reset();
    assert_eq!(returned(call(&mut m, "x64_fib", Isa::X64, &[10])), 55);
}

fn calls_windows_could_not_make_are_faults_not_gaps_of_the_model() {
    let mut m = fixture().machine();
    // An x64 call four bytes into a function: the word before it is an instruction, not
    // an entry-thunk offset.
    let inside = m.symbol("#ec_six").unwrap() + 4;
    let Outcome::Fault(why) = m.call(Isa::X64, inside, &[]) else { panic!() };
    assert!(why.starts_with("x64: x64 code entered Arm64EC code that has no entry thunk"), "{why}");
    // An indirect call to x64 code with no exit thunk (x10 = 0).
    let target = m.symbol("x64_fib").unwrap();
    let Outcome::Fault(why) = call(&mut m, "#ec_icall_no_thunk", Isa::A64, &[target]) else {
        panic!()
    };
    assert!(why.contains("indirect call to x64 code with no exit thunk (x10 = 0)"), "{why}");
    assert!(why.contains("(x64_fib)"), "{why}");
    // A call through a null pointer, from x64 code and on either CPU directly.
    let Outcome::Fault(why) = call(&mut m, "x64_apply", Isa::X64, &[0, 5]) else { panic!() };
    assert_eq!(why, "x64: execution of unmapped memory at 0x0");
    for isa in [Isa::A64, Isa::X64] {
        let o = m.call(isa, 0, &[]);
        assert!(matches!(&o, Outcome::Fault(w) if w.contains("unmapped memory at 0x0")), "{o:?}");
    }
    // The machine still works.
    m.reset();
    assert_eq!(returned(call(&mut m, "x64_fib", Isa::X64, &[10])), 55);
}

fn call_exits_non_zero_when_the_call_did_not_return() {
    let f = fixture();
    let exit = |function: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_arm64ec-emu"))
            .arg("call")
            .arg("--image")
            .arg(f.dir.join("t.exe"))
            .arg("--map")
            .arg(f.dir.join("t.map"))
            .args(["--function", function, "--cpu"])
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code(), stdout)
    };
    let (code, out) = exit("x64_fib", &["x64", "10"]);
    assert_eq!((code, out.as_str()), (Some(0), "returned 0x37 (55)\n"));
    let (code, out) = exit("#ec_null", &["ec"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("fault: arm64: read of 8 bytes"), "{out}");
    let (code, out) = exit("#ec_import", &["ec"]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.starts_with("not-emulated: "), "{out}");
    let (code, _) = exit("no_such_function", &["ec"]);
    assert_eq!(code, Some(2));
    // --help says so.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_arm64ec-emu"))
        .args(["call", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Exit status: 0 when the function returned"), "{help}");
    assert!(help.contains("3 when it reached something the emulator does not model"), "{help}");
}

fn the_image_runs_at_another_base() {
    let f = fixture();
    let mut m = Machine::load(&f.image, &f.map, Some(0x2_4000_0000)).unwrap();
    assert_eq!(m.base, 0x2_4000_0000);
    assert_eq!(m.symbol("x64_fib").unwrap() >> 32, 2);
    // The pointer to ec_twice that x64 code calls is taken with relocated code, and the
    // support object's load config holds rebased pointers.
    assert_eq!(returned(call(&mut m, "#ec_callback", Isa::A64, &[5])), 11);
    assert_eq!(returned(call(&mut m, "x64_calls_ec", Isa::X64, &[1])), 7_154_321);
    assert!(Machine::load(&f.image, &f.map, Some(0x6000_0000)).is_err(), "overlaps the stack");
}

fn main() {
    run_trials(&[
        ("x64_code_calls_x64_code", x64_code_calls_x64_code),
        (
            "arm64ec_calls_x64_through_its_exit_thunk_and_back",
            arm64ec_calls_x64_through_its_exit_thunk_and_back,
        ),
        ("x64_calls_arm64ec_through_its_entry_thunk", x64_calls_arm64ec_through_its_entry_thunk),
        (
            "what_is_not_modelled_stops_the_call_with_the_reason",
            what_is_not_modelled_stops_the_call_with_the_reason,
        ),
        (
            "the_os_memory_answers_only_what_is_modelled",
            the_os_memory_answers_only_what_is_modelled,
        ),
        (
            "faults_name_the_cpu_the_address_and_the_function",
            faults_name_the_cpu_the_address_and_the_function,
        ),
        (
            "calls_windows_could_not_make_are_faults_not_gaps_of_the_model",
            calls_windows_could_not_make_are_faults_not_gaps_of_the_model,
        ),
        (
            "call_exits_non_zero_when_the_call_did_not_return",
            call_exits_non_zero_when_the_call_did_not_return,
        ),
        ("the_image_runs_at_another_base", the_image_runs_at_another_base),
    ])
}
