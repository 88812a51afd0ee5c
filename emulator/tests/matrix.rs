//! The ABI matrix run under the emulator, judged by the harness's own protocol checker:
//! EC→EC pairings pass everything no thunk is involved in, signatures every producer
//! agrees on pass across the boundary, every failure by value is one a rule of
//! suites/abi/expectations.toml declares at `run` (printed per pairing and rule), a deliberately broken entry thunk is caught, and the binary
//! speaks the protocol the harness reads.

mod common;

use arm64ec_emu::Machine;
use arm64ec_emu::image::Image;
use common::*;
use harness::abi::layout::layout;
use harness::abi::sig::{Scalar, Ty};
use harness::matrix::FnSpec;
use harness::matrix::expect::Phase;
use harness::matrix::protocol::{self, RunVerdict};
use std::collections::BTreeMap;

fn verdicts(p: &Pairing, text: &str) -> Vec<RunVerdict> {
    let t = protocol::parse(text);
    assert_eq!(t.pairing.as_deref(), Some(p.name.as_str()));
    assert!(t.done, "{}: no `done`", p.name);
    // Every line the harness's parser does not know is one of the emulator's own, or a
    // record cut short by the fault or stop on the next line.
    let lines: Vec<&str> = text.lines().collect();
    let ours = |s: &str| s.starts_with("stop ") || s.starts_with("fault ");
    for (line, s) in &t.stray {
        let cut = s.starts_with("v ") && lines.get(*line).is_some_and(|next| ours(next));
        assert!(ours(s) || cut, "{}:{line}: {s}", p.name);
    }
    let fns: Vec<&FnSpec> = p.fns.iter().collect();
    protocol::compare(&fns, &t)
}

fn run_pairing(p: &Pairing) -> (String, Vec<RunVerdict>) {
    let mut m = p.linked.machine();
    let text = transcript(p, &mut m);
    let v = verdicts(p, &text);
    (text, v)
}

/// The types every producer passes the same way across the boundary: integers and
/// pointers of at most 8 bytes, doubles, and 16-byte structs of integers.
fn agreed_ty(ty: &Ty) -> bool {
    fn integers(ty: &Ty) -> bool {
        match ty {
            Ty::Scalar(s) => !s.is_float() && !matches!(s, Scalar::I128 | Scalar::U128),
            Ty::Array(t, _) => integers(t),
            Ty::Struct(ms) => ms.iter().all(integers),
        }
    }
    match ty {
        Ty::Scalar(Scalar::F64) => true,
        Ty::Scalar(s) => integers(&Ty::Scalar(*s)),
        Ty::Struct(_) => layout(ty).size == 16 && integers(ty),
        Ty::Array(..) => false,
    }
}

fn agreed(f: &FnSpec) -> bool {
    f.tail.is_none()
        && f.params.iter().all(|p| p.by_ref || agreed_ty(&p.ty))
        && f.ret.as_ref().is_none_or(agreed_ty)
}

fn short(v: &RunVerdict) -> String {
    match v {
        RunVerdict::Mismatched { mismatches } => format!(
            "{} value(s) differ, first {}: sent {} received {}",
            mismatches.len(),
            mismatches[0].value,
            mismatches[0].sent,
            mismatches[0].received
        ),
        RunVerdict::Crashed { last } => format!("stopped {last}"),
        other => format!("{other:?}"),
    }
}

fn arm64ec_to_arm64ec_pairings_pass_all_but_variadic_struct_calls() {
    for name in ["rust-ec-to-c-ec", "c-ec-to-rust-ec"] {
        let p = pairing(name);
        let (_, v) = run_pairing(p);
        for (f, v) in p.fns.iter().zip(&v) {
            if *v != RunVerdict::Passed {
                // No thunk is involved: only a disagreement between the two compilers
                // themselves can fail, and the one they have is structs passed to a
                // variadic function (llvm/llvm-project#89615).
                assert!(f.tail.is_some(), "{name}::{} {}: {}", f.name, f.display(), short(v));
            }
        }
        let passed = v.iter().filter(|v| **v == RunVerdict::Passed).count();
        assert!(passed + 1 >= p.fns.len(), "{name}: {passed} of {}", p.fns.len());
        println!("{name}: {passed} of {} functions pass by value", p.fns.len());
    }
}

fn signatures_every_producer_agrees_on_pass_across_the_boundary() {
    for name in
        ["rust-ec-to-rust-x64", "rust-x64-to-rust-ec", "rust-ec-to-c-x64", "c-x64-to-rust-ec"]
    {
        let p = pairing(name);
        let (_, v) = run_pairing(p);
        let mut checked = 0;
        for (f, v) in p.fns.iter().zip(&v) {
            if agreed(f) && !p.declared.contains(&f.name) {
                checked += 1;
                assert_eq!(
                    *v,
                    RunVerdict::Passed,
                    "{name}::{} {}: {}",
                    f.name,
                    f.display(),
                    short(v)
                );
            }
        }
        assert!(checked > 100, "{name}: only {checked} agreed signatures");
        println!("{name}: all {checked} functions of agreed signatures pass by value");
    }
}

fn every_failure_is_a_known_deviation() {
    // What the harness judges a pairing by: a function that fails by value is declared
    // only by a rule of suites/abi/expectations.toml that covers `run`; one a rule says
    // fails at run that passes is stale; the functions not emulated stay within the
    // pairing's floor (`[[not-emulated]]`, default 0 %).
    let (mut unexplained, mut stale, mut over) = (Vec::new(), Vec::new(), Vec::new());
    for p in pairings() {
        let (_, v) = run_pairing(p);
        let cx = p.context();
        let passed = v.iter().filter(|v| **v == RunVerdict::Passed).count();
        println!("\n{}: {passed} of {} pass by value", p.name, p.fns.len());
        let mut by_rule: BTreeMap<usize, (String, Vec<String>)> = BTreeMap::new();
        let mut not_emulated = 0;
        for (f, v) in p.fns.iter().zip(&v) {
            let id = p.function_id(&f.name);
            let rule = p.rules.declaring(&id, &cx, Phase::Run);
            match (v, rule) {
                (RunVerdict::NotEmulated { .. }, _) => not_emulated += 1,
                (RunVerdict::Passed, Some(r)) if !r.flaky => {
                    stale.push(format!("{id}: passes, {}", r.cite()))
                }
                (RunVerdict::Passed, _) => {}
                (_, Some(r)) => by_rule
                    .entry(r.line)
                    .or_insert_with(|| (r.cite(), Vec::new()))
                    .1
                    .push(f.name.clone()),
                (_, None) => unexplained.push(format!("{id} {}: {}", f.display(), short(v))),
            }
        }
        for (cite, failed) in by_rule.values() {
            println!("  {cite}: {} differ: {}", failed.len(), failed.join(" "));
        }
        let floor = p.rules.floor(&p.key);
        if floor.map_or(not_emulated > 0, |f| f.exceeded(not_emulated, p.fns.len())) {
            over.push(format!("{}: {not_emulated} not emulated, floor {floor:?}", p.name));
        }
    }
    assert!(
        unexplained.is_empty() && stale.is_empty() && over.is_empty(),
        "failures no rule covering `run` declares:\n{}\nrules covering `run` that pass:\n{}\nmore not emulated than declared:\n{}",
        unexplained.join("\n"),
        stale.join("\n"),
        over.join("\n")
    );
}

/// `add x29, sp, #imm`: the frame set-up every LLVM entry thunk has.
fn is_add_fp_sp(w: u32) -> bool {
    w & 0xffc0_03ff == 0x9100_03fd
}

fn a_broken_entry_thunk_is_caught() {
    let p = pairing("rust-x64-to-rust-ec");
    let (before, was) = run_pairing(p);
    // The entry thunk of the functions that take nine integer arguments: replace its
    // frame set-up with `mov x1, x0`, so the Arm64EC callee gets argument 1 as argument 2.
    let thunk = "$ientry_thunk$cdecl$i8$i8i8i8i8i8i8i8i8i8";
    let image = Image::parse(&p.linked.image).unwrap();
    let m = p.linked.machine();
    let rva = (m.symbol(thunk).expect("the thunk is in the map") - m.base) as u32;
    let at = (0..16)
        .map(|k| rva + 4 * k)
        .find(|&r| m.read_u32(m.base + u64::from(r)).is_some_and(is_add_fp_sp))
        .expect("add x29, sp, #imm in the thunk");
    let off = image.file_offset(at).unwrap();
    let mut broken = p.linked.image.clone();
    broken[off..off + 4].copy_from_slice(&0xaa00_03e1u32.to_le_bytes());
    let mut m = Machine::load(&broken, &p.linked.map, None).unwrap();
    let after = transcript(p, &mut m);
    let now = verdicts(p, &after);
    let (b, a) = (protocol::parse(&before), protocol::parse(&after));
    let (mut caught, mut changed) = (Vec::new(), 0);
    for (i, f) in p.fns.iter().enumerate() {
        let id = i as u32;
        let rec = |t: &protocol::Transcript| {
            t.records
                .iter()
                .filter(|(k, _)| k.0 == id)
                .map(|(k, v)| (*k, v.clone()))
                .collect::<Vec<_>>()
        };
        if rec(&b) == rec(&a) {
            assert_eq!(was[i], now[i], "{}", f.name);
            continue;
        }
        changed += 1;
        if was[i] != RunVerdict::Passed {
            continue;
        }
        // A function that passed now differs only in the callee's argument 2 (each of its
        // leaves), which holds argument 1's bytes.
        let RunVerdict::Mismatched { mismatches } = &now[i] else {
            panic!("{}: {:?}", f.name, now[i])
        };
        for m in mismatches {
            assert!(m.value.starts_with("argument 2"), "{}: {mismatches:?}", f.name);
            assert!(m.moved.iter().all(|w| w.contains("of argument 1")), "{}: {m:?}", f.name);
        }
        caught.push(f.name.clone());
    }
    assert!(caught.len() >= 10, "only {} functions caught: {caught:?}", caught.len());
    println!(
        "{thunk} patched: {} passing functions now differ in argument 2 ({changed} transcripts changed): {}",
        caught.len(),
        caught.join(" ")
    );
}

fn a_rebased_matrix_image_runs_the_same() {
    let p = pairing("rust-ec-to-c-x64");
    let (before, was) = run_pairing(p);
    let mut m = Machine::load(&p.linked.image, &p.linked.map, Some(0x3_0000_0000)).unwrap();
    let after = transcript(p, &mut m);
    let now = verdicts(p, &after);
    // The same functions pass (those that fail may have read image addresses), and the
    // same calls fault or stop.
    let passed = |v: &[RunVerdict]| -> Vec<usize> {
        (0..v.len()).filter(|&i| v[i] == RunVerdict::Passed).collect()
    };
    assert_eq!(passed(&was), passed(&now));
    let ends = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("fault ") || l.starts_with("stop "))
            .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(ends(&before), ends(&after));
}

fn the_caller_may_start_on_either_cpu() {
    // `#abi_run` of an x64 caller is its guest exit thunk (check_icall, then the exit
    // thunk); `abi_run` of an Arm64EC caller, called on the x64 CPU, enters through its
    // entry thunk. Either way the same functions pass.
    for name in ["c-x64-to-rust-ec", "rust-ec-to-c-x64"] {
        let p = pairing(name);
        let (_, direct) = run_pairing(p);
        let other = Pairing {
            caller: match p.caller {
                arm64ec_emu::Isa::A64 => arm64ec_emu::Isa::X64,
                arm64ec_emu::Isa::X64 => arm64ec_emu::Isa::A64,
            },
            name: p.name.clone(),
            linked: Linked {
                dir: p.linked.dir.clone(),
                image: p.linked.image.clone(),
                map: p.linked.map.clone(),
            },
            fns: p.fns.clone(),
            declared: p.declared.clone(),
            key: p.key.clone(),
            rules: p.rules.clone(),
            target: p.target,
            release: p.release.clone(),
            llvm: p.llvm,
        };
        let (_, crossed) = run_pairing(&other);
        let passed = |v: &[RunVerdict]| -> Vec<usize> {
            (0..v.len()).filter(|&i| v[i] == RunVerdict::Passed).collect()
        };
        assert_eq!(passed(&direct), passed(&crossed), "{name}");
    }
}

fn the_binary_speaks_the_protocol() {
    let p = pairing("c-x64-to-rust-ec");
    let (text, v) = run_pairing(p);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arm64ec-emu"))
        .args(["run-matrix", "--image"])
        .arg(p.linked.dir.join("matrix.exe"))
        .arg("--map")
        .arg(p.linked.dir.join("matrix.map"))
        .args(["--pairing", &p.name, "--count", &p.fns.len().to_string(), "--caller", "x64"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A full pairing (its speed is measured by ci/bench-emulator.sh, not here).
    assert!(p.fns.len() >= 500, "{} functions", p.fns.len());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("abi-protocol 1 {} {}\ncall 0\n", p.name, p.fns.len())));
    assert!(stdout.ends_with("\ndone\n"));
    assert_eq!(stdout, text);
    assert_eq!(verdicts(p, &stdout), v);
    // A wrong argument is a usage error (2), not a transcript.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arm64ec-emu"))
        .args(["run-matrix", "--image", "/nonexistent.exe", "--map", "x", "--pairing", "p"])
        .args(["--count", "1", "--caller", "ec"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.exe"));
}

fn main() {
    run_trials(&[
        (
            "arm64ec_to_arm64ec_pairings_pass_all_but_variadic_struct_calls",
            arm64ec_to_arm64ec_pairings_pass_all_but_variadic_struct_calls,
        ),
        (
            "signatures_every_producer_agrees_on_pass_across_the_boundary",
            signatures_every_producer_agrees_on_pass_across_the_boundary,
        ),
        ("every_failure_is_a_known_deviation", every_failure_is_a_known_deviation),
        ("a_broken_entry_thunk_is_caught", a_broken_entry_thunk_is_caught),
        ("a_rebased_matrix_image_runs_the_same", a_rebased_matrix_image_runs_the_same),
        ("the_caller_may_start_on_either_cpu", the_caller_may_start_on_either_cpu),
        ("the_binary_speaks_the_protocol", the_binary_speaks_the_protocol),
    ])
}
