//! Run a thunk on the symbolic machine and compare every value against its contract.

use super::Outcome;
use super::contract::{self, Contract, Loc, Place, Ret, RetArm64, RetX64};
use super::machine::{Base, Byte, Bytes, Machine, init_bytes, ptr_bytes, ptr_of};
use crate::abi::thunk_name::{Args, ThunkKind, ThunkName};
use crate::check::object::code::Line;
use crate::inspect::disasm::{Op, Reg};

const DISPATCH_RET: &str = "__os_arm64x_dispatch_ret";
const DISPATCH_CALL: &str = "__os_arm64x_dispatch_call_no_redirect";

/// One byte, in the form that makes equal values compare equal.
fn canon(b: &Byte) -> Byte {
    match b {
        Byte::Ptr { base: Base::X(n), off: 0, i } => Byte::Init { v: false, n: *n, i: *i },
        Byte::Ptr { base: Base::Deref(inner, o), off: 0, i } => {
            Byte::Mem { base: (**inner).clone(), off: o + i64::from(*i) }
        }
        other => other.clone(),
    }
}

fn same(a: &[Byte], b: &[Byte]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            canon(x) == canon(y) && !matches!(x, Byte::Unknown | Byte::AfterCall { .. })
        })
}

fn ret_bytes(n: u64) -> Bytes {
    (0..n).map(Byte::Ret).collect()
}

fn describe(b: &[Byte]) -> String {
    match b.first().map(canon) {
        Some(Byte::Init { v, n, i }) => {
            let reg = if v { format!("v{n}") } else { format!("x{n}") };
            if i == 0 { format!("holds {reg}") } else { format!("holds {reg} from byte {i}") }
        }
        Some(Byte::Mem { base, off }) => format!("holds memory at {base:?}{off:+#x}"),
        Some(Byte::Ptr { base, off, .. }) => format!("holds the address {base:?}{off:+#x}"),
        Some(Byte::Ret(i)) => format!("holds the result from byte {i}"),
        Some(Byte::AfterCall { v, n, .. }) => {
            let reg = if v { format!("v{n}") } else { format!("x{n}") };
            format!(
                "holds what the call left in {reg}, which the name does not make a result register"
            )
        }
        Some(Byte::Const(_)) => "holds a constant".into(),
        _ => "holds an unknown value".into(),
    }
}

/// The value bytes a place has on entry to the thunk (its source side).
fn source(place: &Place, n: u64, stack: &Base) -> Bytes {
    let mut out: Bytes = match place {
        Place::Direct { locs, piece } => locs
            .iter()
            .flat_map(|l| match l {
                Loc::X(k) => init_bytes(false, *k, *piece as u8),
                Loc::V(k) => init_bytes(true, *k, *piece as u8),
                Loc::Stack(o) => (0..*piece as i64)
                    .map(|i| Byte::Mem { base: stack.clone(), off: o + i })
                    .collect(),
            })
            .collect(),
        Place::Indirect { loc } => {
            let base = match loc {
                Loc::X(k) => Base::X(*k),
                Loc::Stack(o) => Base::Deref(Box::new(stack.clone()), *o),
                Loc::V(_) => return vec![Byte::Unknown; n as usize],
            };
            (0..n as i64).map(|i| Byte::Mem { base: base.clone(), off: i }).collect()
        }
    };
    out.truncate(n as usize);
    out
}

/// The bytes a place holds now (its destination side); stack places are from sp.
fn current(m: &Machine, place: &Place, n: u64) -> Result<Bytes, String> {
    let read = |l: &Loc, len: u64| match l {
        Loc::X(k) => m.x[*k as usize][..len.min(8) as usize].to_vec(),
        Loc::V(k) => m.v[*k as usize][..len.min(16) as usize].to_vec(),
        Loc::Stack(o) => m.load(&m.sp.0, m.sp.1 + o, len),
    };
    let mut out: Bytes = match place {
        Place::Direct { locs, piece } => locs.iter().flat_map(|l| read(l, *piece)).collect(),
        Place::Indirect { loc } => {
            let p = read(loc, 8);
            let (b, o) = ptr_of(&p).ok_or_else(|| {
                format!("{loc} should hold a pointer to the value; it {}", describe(&p))
            })?;
            m.load(&b, o, n)
        }
    };
    out.truncate(n as usize);
    Ok(out)
}

fn place_text(p: &Place) -> String {
    match p {
        Place::Direct { locs, .. } => {
            locs.iter().map(Loc::to_string).collect::<Vec<_>>().join(", ")
        }
        Place::Indirect { loc } => format!("the memory {loc} points at"),
    }
}

/// Compare every argument: `from` side on entry, `to` side now.
fn check_args(k: &Contract, m: &Machine, entry: bool, problems: &mut Vec<String>) {
    for a in &k.args {
        let (from, to) = if entry { (&a.x64, &a.arm64) } else { (&a.arm64, &a.x64) };
        let stack = if entry { Base::X(4) } else { Base::Sp0 };
        let want = source(from, a.bytes, &stack);
        match current(m, to, a.bytes) {
            Ok(have) if same(&want, &have) => {}
            Ok(have) => problems.push(format!(
                "parameter {} (`{}`, {} bytes): {} should receive it from {}; it {}",
                a.index + 1,
                a.code,
                a.bytes,
                place_text(to),
                place_text(from),
                describe(&have)
            )),
            Err(e) => problems.push(format!("parameter {} (`{}`): {e}", a.index + 1, a.code)),
        }
    }
}

fn ret_contract(name: &ThunkName) -> Result<Contract, String> {
    let mut probe = name.clone();
    probe.args = Args::Fixed(vec![]);
    contract::contract(&probe)
}

/// Results of the call just made: the callee (ARM64 for entry thunks, x64 for exit thunks)
/// left its result in its return places and clobbered its volatile registers.
fn after_call(
    m: &mut Machine,
    k: &Contract,
    entry: bool,
    call_x0: &Bytes,
    call_x8: &Bytes,
    problems: &mut Vec<String>,
) {
    let (volatile_x, volatile_v): (Vec<u8>, Vec<u8>) = if entry {
        ((0..=17).chain([30]).collect(), (0..=7).chain(16..=31).collect())
    } else {
        ((0..=17).chain([23, 24, 28, 30]).collect(), (0..=5).chain(16..=31).collect())
    };
    for r in &volatile_x {
        m.write(Reg::X(*r), (0..8).map(|i| Byte::AfterCall { v: false, n: *r, i }).collect());
    }
    for r in &volatile_v {
        m.write(Reg::V(*r), (0..16).map(|i| Byte::AfterCall { v: true, n: *r, i }).collect());
    }
    if entry {
        for r in 8..=15 {
            m.v[r].truncate(8);
            m.v[r].resize(16, Byte::Unknown);
        }
    }
    let Ret::Value { bytes, x64, arm64, .. } = &k.ret else { return };
    let n = *bytes;
    if entry {
        match arm64 {
            RetArm64::Regs { locs, piece } => {
                for (j, l) in locs.iter().enumerate() {
                    let b: Bytes = (0..*piece).map(|i| Byte::Ret(j as u64 * piece + i)).collect();
                    match l {
                        Loc::X(r) => m.write(Reg::X(*r), b),
                        Loc::V(r) => m.write(Reg::V(*r), b),
                        Loc::Stack(_) => {}
                    }
                }
            }
            RetArm64::Buffer => match ptr_of(call_x8) {
                Some((b, o)) => m.store(&b, o, &ret_bytes(n)),
                None => problems.push(format!(
                    "x8 should pass the result buffer at the call; it {}",
                    describe(call_x8)
                )),
            },
        }
    } else {
        match x64 {
            RetX64::Rax => m.write(Reg::X(8), ret_bytes(8)),
            RetX64::Xmm0 => m.write(Reg::V(0), ret_bytes(n)),
            RetX64::Buffer => match ptr_of(call_x0) {
                Some((b, o)) => {
                    m.store(&b, o, &ret_bytes(n));
                    m.write(Reg::X(8), call_x0.clone());
                }
                None => problems.push(format!(
                    "RCX (x0) should pass the result buffer at the call; it {}",
                    describe(call_x0)
                )),
            },
        }
    }
}

fn check_result(k: &Contract, m: &Machine, entry: bool, problems: &mut Vec<String>) {
    let Ret::Value { code, bytes: n, x64, arm64 } = &k.ret else { return };
    let want = ret_bytes(*n);
    let (have, place): (Bytes, String) = if entry {
        match x64 {
            RetX64::Rax => (m.x[8][..(*n).min(8) as usize].to_vec(), "RAX (x8)".into()),
            RetX64::Xmm0 => (m.v[0][..*n as usize].to_vec(), "XMM0 (v0)".into()),
            RetX64::Buffer => {
                if ptr_of(&m.x[8]) != Some((Base::X(0), 0)) {
                    problems.push(format!(
                        "the result goes through the buffer RCX points at, and RAX (x8) must return that pointer; x8 {}",
                        describe(&m.x[8])
                    ));
                }
                (m.load(&Base::X(0), 0, *n), "the buffer RCX (x0) points at".into())
            }
        }
    } else {
        match arm64 {
            RetArm64::Regs { locs, piece } => {
                let mut b: Bytes = locs
                    .iter()
                    .flat_map(|l| match l {
                        Loc::X(r) => m.x[*r as usize][..*piece as usize].to_vec(),
                        Loc::V(r) => m.v[*r as usize][..*piece as usize].to_vec(),
                        Loc::Stack(_) => vec![],
                    })
                    .collect();
                b.truncate(*n as usize);
                (b, locs.iter().map(Loc::to_string).collect::<Vec<_>>().join(", "))
            }
            RetArm64::Buffer => (m.load(&Base::X(8), 0, *n), "the buffer x8 pointed at".into()),
        }
    };
    let expected_len = if entry && *x64 == RetX64::Rax { (*n).min(8) } else { *n } as usize;
    if have.len() != expected_len || !same(&want[..expected_len.min(want.len())], &have) {
        problems.push(format!(
            "the result (`{code}`, {n} bytes) should be in {place}; it {}",
            describe(&have)
        ));
    }
}

fn check_preserved(m: &Machine, entry: bool, problems: &mut Vec<String>) {
    let xs: &[u8] = &[19, 20, 21, 22, 25, 26, 27, 29, 30];
    for r in xs {
        if !same(&m.x[*r as usize], &init_bytes(false, *r, 8)) {
            problems.push(format!(
                "x{r} is not restored before returning; it {}",
                describe(&m.x[*r as usize])
            ));
        }
    }
    let (vs, len) = if entry { (6..=15, 16) } else { (8..=15, 8) };
    for r in vs {
        if !same(&m.v[r as usize][..len], &init_bytes(true, r, len as u8)) {
            let what = if entry { "q" } else { "d" };
            problems.push(format!(
                "{what}{r} is not preserved for the caller; it {}",
                describe(&m.v[r as usize])
            ));
        }
    }
    if m.sp != (Base::Sp0, 0) {
        problems.push("sp is not restored before returning".into());
    }
}

/// Walk the code to the call and to the end, running the checks at each.
fn run(name: &ThunkName, lines: &[Line], entry: bool) -> Outcome {
    let variadic = matches!(name.args, Args::Varargs);
    let k = match if variadic { ret_contract(name) } else { contract::contract(name) } {
        Ok(k) => k,
        Err(e) => return Outcome::NoVerdict(e),
    };
    let mut m = Machine::new();
    let mut problems = Vec::new();
    let mut called = false;
    for l in lines {
        match l.insn.op {
            Op::Blr { reg } if !called => {
                let is_call = if entry {
                    reg == Reg::X(9)
                } else {
                    reg == Reg::X(16) && m.slot(Reg::X(16)) == Some(DISPATCH_CALL)
                };
                if !is_call {
                    return Outcome::NoVerdict(format!(
                        "calls through {reg} before its target call"
                    ));
                }
                if !same(&m.x[9], &init_bytes(false, 9, 8)) {
                    problems.push(format!(
                        "x9 must still hold the target at the call; it {}",
                        describe(&m.x[9])
                    ));
                }
                if variadic {
                    check_variadic(&m, entry, &mut problems);
                } else {
                    check_args(&k, &m, entry, &mut problems);
                }
                let (x0, x8) = (m.x[0].clone(), m.x[8].clone());
                after_call(&mut m, &k, entry, &x0, &x8, &mut problems);
                called = true;
            }
            Op::Br { reg } if entry && called => {
                if m.slot(reg) != Some(DISPATCH_RET) {
                    problems.push(format!(
                        "ends with `{}`, not a branch to `{DISPATCH_RET}`",
                        l.insn.text
                    ));
                }
                check_result(&k, &m, true, &mut problems);
                check_preserved(&m, true, &mut problems);
                return Outcome::Checked(problems);
            }
            Op::Ret { reg } if !entry && called => {
                if reg != Reg::X(30) {
                    return Outcome::NoVerdict(format!("returns through {reg}"));
                }
                check_result(&k, &m, false, &mut problems);
                check_preserved(&m, false, &mut problems);
                return Outcome::Checked(problems);
            }
            Op::Blr { .. } | Op::Br { .. } | Op::Ret { .. } => {
                return Outcome::NoVerdict(format!(
                    "`{}` before the thunk's call and end",
                    l.insn.text
                ));
            }
            _ => {
                if let Err(stop) = m.step(&l.insn, l.reloc.map(|(_, s)| s)) {
                    return Outcome::NoVerdict(stop);
                }
            }
        }
    }
    Outcome::NoVerdict("no call and end found".into())
}

/// Variadic calls: entry thunks hand the callee the x64 stack arguments in x4 (past the
/// home area) and x5 = 0; exit thunks must copy the stack arguments x4/x5 describe to the
/// x64 stack, not pass x4 and x5 as arguments 5 and 6.
fn check_variadic(m: &Machine, entry: bool, problems: &mut Vec<String>) {
    for r in 0..4u8 {
        if !same(&m.x[r as usize], &init_bytes(false, r, 8)) {
            problems.push(format!(
                "x{r} must pass through unchanged in a variadic thunk; it {}",
                describe(&m.x[r as usize])
            ));
        }
    }
    if entry {
        if !same(&m.x[4], &ptr_bytes(&Base::X(4), 0x20)) {
            problems.push(format!(
                "x4 must point past the x64 home area (x4 + 0x20); it {}",
                describe(&m.x[4])
            ));
        }
        if !same(&m.x[5], &vec![Byte::Const(0); 8]) {
            problems.push(format!("x5 must be 0 (the size is unknown); it {}", describe(&m.x[5])));
        }
    } else if same(&m.load(&m.sp.0, m.sp.1 + 0x20, 8), &init_bytes(false, 4, 8)) {
        problems.push(
            "the stack-argument pointer x4 is passed as x64 argument 5 instead of the arguments being copied to the x64 stack"
                .into(),
        );
    }
}

pub fn entry(name: &ThunkName, lines: &[Line]) -> Outcome {
    debug_assert_eq!(name.kind, ThunkKind::Entry);
    run(name, lines, true)
}

pub fn exit(name: &ThunkName, lines: &[Line]) -> Outcome {
    run(name, lines, false)
}
