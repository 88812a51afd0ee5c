//! A backtrace taken in the program resolves its own function names and source lines: on
//! Arm64EC through the PDB and the x64-facing unwinder the OS provides. The program checks
//! the frames itself and fails otherwise.
//@ tier: run
//@ needs-msvc
//@ host-control
//@ wine-control
//@ compile-flags: -C debuginfo=2
//@ check-run-output

#[inline(never)]
fn level_two() -> String {
    std::hint::black_box(std::backtrace::Backtrace::force_capture().to_string())
}

#[inline(never)]
fn level_one() -> String {
    std::hint::black_box(level_two())
}

fn main() {
    let bt = level_one();
    let mut missing = Vec::new();
    for want in ["level_two", "level_one", "backtrace::main", "backtrace.rs:13", "backtrace.rs:18"] {
        if !bt.contains(want) {
            missing.push(want);
        }
    }
    if missing.is_empty() {
        println!("resolved: level_two, level_one, main with their source lines");
    } else {
        println!("unresolved: {}", missing.join(", "));
        eprintln!("{bt}");
        std::process::exit(1);
    }
}
