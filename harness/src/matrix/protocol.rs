//! The value protocol. The driver writes, as they happen:
//!
//! ```text
//! abi-protocol 1 <pairing> <count>
//! call <i>
//! v <i> <c|e> <slot> <leaf> <hex bytes>      (c: the caller's record, e: the callee's)
//! ret <i>
//! done
//! ```
//!
//! A function-level runner (the emulator) adds, in place of `ret <i>`:
//!
//! ```text
//! stop <i> not-emulated: <why>                the call left what the runner models
//! fault <i> <what and where>                  the call crashed
//! ```
//!
//! The caller records each argument leaf it sends and each return leaf it receives; the
//! callee records each argument leaf it receives and each return leaf it sends. Comparing
//! them byte by byte says, per function, whether every value arrived — and where a wrong
//! byte came from. A transcript that stops inside `call <i>` localizes a crash.

use super::FnSpec;
use super::values::{self, Expected, Slot};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Who recorded a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Caller,
    Callee,
}

/// A parsed transcript.
#[derive(Debug, Default)]
pub struct Transcript {
    pub pairing: Option<String>,
    pub count: Option<u32>,
    pub records: BTreeMap<(u32, Who, Slot, u32), Vec<u8>>,
    /// Records in order, for localizing a crash: (function, who, slot, leaf).
    pub order: Vec<(u32, Who, Slot, u32)>,
    pub started: BTreeSet<u32>,
    pub returned: BTreeSet<u32>,
    /// Calls a function-level runner stopped because they left what it models.
    pub not_emulated: BTreeMap<u32, String>,
    /// Calls that faulted, with the runner's description.
    pub faults: BTreeMap<u32, String>,
    pub done: bool,
    /// Lines that are not protocol (1-based line number and text).
    pub stray: Vec<(usize, String)>,
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

pub fn parse(text: &str) -> Transcript {
    let mut t = Transcript::default();
    for (i, line) in text.lines().enumerate() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let num = |k: usize| w.get(k).and_then(|s| s.parse::<u32>().ok());
        let ok = match w.as_slice() {
            ["abi-protocol", "1", pairing, _] => {
                t.pairing = Some(pairing.to_string());
                t.count = num(3);
                t.count.is_some()
            }
            ["call", _] => num(1).map(|n| t.started.insert(n)).is_some(),
            ["ret", _] => num(1).map(|n| t.returned.insert(n)).is_some(),
            ["stop", _, "not-emulated:", ..] => match num(1) {
                Some(n) => {
                    let why = line.split_once("not-emulated:").map(|(_, w)| w.trim());
                    t.not_emulated.insert(n, why.unwrap_or("").to_string());
                    true
                }
                None => false,
            },
            ["fault", _, _, ..] => match num(1) {
                Some(n) => {
                    let what = line.trim_start()["fault".len()..].trim_start();
                    let what = what.split_once(char::is_whitespace).map_or("", |(_, w)| w.trim());
                    t.faults.insert(n, what.to_string());
                    true
                }
                None => false,
            },
            ["done"] => {
                t.done = true;
                true
            }
            ["v", _, who, _, _, _] => {
                let who = match *who {
                    "c" => Some(Who::Caller),
                    "e" => Some(Who::Callee),
                    _ => None,
                };
                match (num(1), who, num(3), num(4), hex(w[5])) {
                    (Some(f), Some(who), Some(slot), Some(leaf), Some(b)) => {
                        t.records.insert((f, who, slot, leaf), b);
                        t.order.push((f, who, slot, leaf));
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if !ok && !line.trim().is_empty() {
            t.stray.push((i + 1, line.chars().take(200).collect()));
        } else if ok && matches!(w.first(), Some(&"stop" | &"fault")) {
            // A record the call was writing when it stopped is cut short: not stray.
            if t.stray.last().is_some_and(|(n, text)| *n == i && text.starts_with("v ")) {
                t.stray.pop();
            }
        }
    }
    t
}

/// One value that did not arrive as sent.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Mismatch {
    /// `argument 2` or `return value`, with the leaf path.
    pub value: String,
    pub sent: String,
    pub received: String,
    /// Where each wrong byte came from, when the graffiti says.
    pub moved: Vec<String>,
}

/// The run verdict of one function.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum RunVerdict {
    Passed,
    Mismatched {
        mismatches: Vec<Mismatch>,
    },
    /// The transcript stops inside this function's call.
    Crashed {
        last: String,
    },
    /// Never called: the run ended (crashed or was cut) earlier.
    NotReached,
    /// A function-level runner stopped the call: it left what the runner models (an OS
    /// call, an import). Not compared, not a failure.
    NotEmulated {
        why: String,
    },
    /// Called and returned, but values are missing or the generator's bytes are wrong.
    Incomplete {
        missing: Vec<String>,
    },
}

fn describe(slot: Slot, path: &str) -> String {
    let what = if slot == 0 { "return value".to_string() } else { format!("argument {slot}") };
    if path.is_empty() { what } else { format!("{what} ({path})") }
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn mismatch(e: &Expected, all: &[Expected], sent: &[u8], received: &[u8]) -> Mismatch {
    let from = values::provenance(all, received);
    let mut moved = Vec::new();
    for (i, (r, f)) in received.iter().zip(&from).enumerate() {
        if sent.get(i) == Some(r) {
            continue;
        }
        moved.push(match f {
            Some((slot, path, b))
                if (*slot, path.as_str()) != (e.slot, e.path.as_str()) || *b != i =>
            {
                format!("byte {i} holds byte {b} of {}", describe(*slot, path))
            }
            _ => format!("byte {i} is {r:02x}, from no value of the call"),
        });
    }
    if received.len() != sent.len() {
        moved.push(format!("{} bytes arrived, {} were sent", received.len(), sent.len()));
    }
    Mismatch { value: describe(e.slot, &e.path), sent: hexs(sent), received: hexs(received), moved }
}

/// The last thing a transcript recorded for function `id`, in words.
fn last_seen(t: &Transcript, id: u32) -> String {
    match t.order.iter().rev().find(|(f, ..)| *f == id) {
        None => "before any value was recorded: the caller did not get to record its arguments".into(),
        Some((_, Who::Caller, slot, _)) if *slot != 0 => {
            "after the caller recorded its arguments, before the callee recorded any: in the call, the exit thunk, the entry thunk or the callee's prologue".into()
        }
        Some((_, Who::Callee, slot, leaf)) if *slot != 0 => format!(
            "inside the callee, after it recorded argument {slot} leaf {leaf}"
        ),
        Some((_, Who::Callee, _, _)) => {
            "after the callee recorded its return value: in the return path (thunks, epilogue) or the caller's use of the result".into()
        }
        Some((_, Who::Caller, _, _)) => {
            "after the caller recorded the result: in the caller's epilogue".into()
        }
    }
}

/// Compare a transcript against the functions in their run order (`fns[i]` is `call i`).
pub fn compare(fns: &[&FnSpec], t: &Transcript) -> Vec<RunVerdict> {
    fns.iter()
        .enumerate()
        .map(|(i, f)| {
            let id = i as u32;
            if !t.started.contains(&id) {
                return RunVerdict::NotReached;
            }
            if let Some(why) = t.not_emulated.get(&id) {
                return RunVerdict::NotEmulated { why: why.clone() };
            }
            if let Some(what) = t.faults.get(&id) {
                return RunVerdict::Crashed {
                    last: format!("{}; it faulted: {what}", last_seen(t, id)),
                };
            }
            if !t.returned.contains(&id) {
                return RunVerdict::Crashed { last: last_seen(t, id) };
            }
            let plan = values::plan(f);
            let mut mismatches = Vec::new();
            let mut missing = Vec::new();
            for e in &plan {
                let (sender, receiver) = if e.slot == 0 {
                    (Who::Callee, Who::Caller)
                } else {
                    (Who::Caller, Who::Callee)
                };
                let sent = t.records.get(&(id, sender, e.slot, e.leaf));
                let got = t.records.get(&(id, receiver, e.slot, e.leaf));
                match (sent, got) {
                    (Some(s), Some(g)) => {
                        if s != &e.bytes {
                            missing.push(format!(
                                "{}: the sender recorded {} where the generator wrote {}",
                                describe(e.slot, &e.path),
                                hexs(s),
                                hexs(&e.bytes)
                            ));
                        } else if g != s {
                            mismatches.push(mismatch(e, &plan, s, g));
                        }
                    }
                    _ => missing.push(format!(
                        "{}: no record from the {}",
                        describe(e.slot, &e.path),
                        if sent.is_none() { "sender" } else { "receiver" }
                    )),
                }
            }
            if !missing.is_empty() {
                RunVerdict::Incomplete { missing }
            } else if !mismatches.is_empty() {
                RunVerdict::Mismatched { mismatches }
            } else {
                RunVerdict::Passed
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::sig::Signature;
    use crate::matrix::Param;

    fn spec(sig: &str) -> FnSpec {
        let s = Signature::parse(sig).unwrap();
        FnSpec {
            name: "f".into(),
            origin: "t".into(),
            params: s.params.into_iter().map(|ty| Param { ty, by_ref: false }).collect(),
            ret: s.ret,
            tail: None,
        }
    }

    /// The transcript a correct run writes for `f`, as function 0.
    fn transcript(f: &FnSpec, corrupt: Option<(Slot, Vec<u8>)>) -> String {
        let mut out = String::from("abi-protocol 1 p 1\ncall 0\n");
        for e in values::plan(f) {
            let (send, recv) = if e.slot == 0 { ("e", "c") } else { ("c", "e") };
            out.push_str(&format!("v 0 {send} {} {} {}\n", e.slot, e.leaf, hexs(&e.bytes)));
            let got = match &corrupt {
                Some((s, b)) if *s == e.slot => b.clone(),
                _ => e.bytes.clone(),
            };
            out.push_str(&format!("v 0 {recv} {} {} {}\n", e.slot, e.leaf, hexs(&got)));
        }
        out.push_str("ret 0\ndone\n");
        out
    }

    #[test]
    fn a_faithful_run_passes() {
        let f = spec("fn(u32, {u8, u16}) -> f64");
        let t = parse(&transcript(&f, None));
        assert!(t.done && t.stray.is_empty());
        assert_eq!(compare(&[&f], &t), [RunVerdict::Passed]);
    }

    #[test]
    fn a_moved_value_is_traced_to_its_source() {
        let f = spec("fn(u32, u32) -> u32");
        // The callee got argument 2's bytes in argument 1.
        let t = parse(&transcript(&f, Some((1, vec![0x21, 0x22, 0x23, 0x24]))));
        let RunVerdict::Mismatched { mismatches } = &compare(&[&f], &t)[0] else { panic!() };
        assert_eq!(mismatches[0].value, "argument 1");
        assert_eq!(mismatches[0].moved[0], "byte 0 holds byte 0 of argument 2");
    }

    #[test]
    fn a_cut_transcript_localizes_the_crash() {
        let f = spec("fn(u32) -> u32");
        let text = "abi-protocol 1 p 2\ncall 0\nv 0 c 1 0 11121314\n";
        let t = parse(text);
        let v = compare(&[&f, &f], &t);
        assert!(
            matches!(&v[0], RunVerdict::Crashed { last } if last.contains("before the callee")),
            "{v:?}"
        );
        assert_eq!(v[1], RunVerdict::NotReached);
        let t = parse("garbage\nv 0 x 1 0 zz\n");
        assert_eq!(t.stray.len(), 2);
    }

    #[test]
    fn an_emulator_stop_is_not_a_failure_and_a_fault_is_a_crash() {
        let f = spec("fn(u32) -> u32");
        let mut text = transcript(&f, None).replace("done\n", "");
        text = text.replace("abi-protocol 1 p 1", "abi-protocol 1 p 3");
        // Call 1 stopped at an import, in the middle of writing a record; call 2 faulted.
        text.push_str(
            "call 1\nv 1 c 1 0 111\nstop 1 not-emulated: call to kernel32!GetTickCount\n",
        );
        text.push_str("call 2\nv 2 c 1 0 11121314\nfault 2 arm64: read of 4 bytes from unmapped memory at 0x10\ndone\n");
        let t = parse(&text);
        assert!(t.stray.is_empty(), "{:?}", t.stray);
        let v = compare(&[&f, &f, &f], &t);
        assert_eq!(v[0], RunVerdict::Passed);
        assert_eq!(v[1], RunVerdict::NotEmulated { why: "call to kernel32!GetTickCount".into() });
        let RunVerdict::Crashed { last } = &v[2] else { panic!("{v:?}") };
        assert!(
            last.contains("before the callee") && last.ends_with("unmapped memory at 0x10"),
            "{last}"
        );
        // A malformed stop or fault line is not protocol.
        assert_eq!(parse("stop x not-emulated: y\nfault\n").stray.len(), 2);
    }
}
