//! The values a generated call carries. Every parameter and the return value break down
//! into leaves — a scalar, or an array of scalars (contiguous, no padding) — and each leaf
//! gets graffiti bytes: byte `b` of element `j` of the leaf with tag `k` is
//! `((k + j) % 15 + 1) << 4 | (b % 15 + 1)`. No byte is zero, every leaf of a function has
//! its own high nibble (up to 15 leaves), and the low nibble tells the byte's position, so
//! a mismatch shows which bytes moved where. Floats never get a NaN pattern (the low
//! nibble of a float's top byte is never 15); a `bool` is 0 or 1.

use crate::abi::sig::{Scalar, Ty};

/// A scalar or an array of scalars inside a value, and how to name it in C and Rust
/// (`.f0[2].f1`; empty for the value itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub path: String,
    pub scalar: Scalar,
    /// 1 for a scalar, N for `[scalar; N]`.
    pub count: u64,
    /// An array of scalars (even of one element): its elements are indexed.
    pub array: bool,
}

impl Leaf {
    pub fn size(&self) -> u64 {
        self.scalar.size() * self.count
    }
}

/// The leaves of a type, in memory order.
pub fn leaves(ty: &Ty) -> Vec<Leaf> {
    let mut out = Vec::new();
    walk(ty, String::new(), &mut out);
    out
}

fn walk(ty: &Ty, path: String, out: &mut Vec<Leaf>) {
    match ty {
        Ty::Scalar(s) => out.push(Leaf { path, scalar: *s, count: 1, array: false }),
        Ty::Array(t, n) => match t.as_ref() {
            Ty::Scalar(s) => out.push(Leaf { path, scalar: *s, count: *n, array: true }),
            inner => (0..*n).for_each(|i| walk(inner, format!("{path}[{i}]"), out)),
        },
        Ty::Struct(ms) => {
            for (i, m) in ms.iter().enumerate() {
                walk(m, format!("{path}.f{i}"), out);
            }
        }
    }
}

/// The bytes of one element with tag `tag`.
pub fn element_bytes(tag: u64, scalar: Scalar) -> Vec<u8> {
    if scalar == Scalar::Bool {
        return vec![(tag & 1) as u8];
    }
    let hi = ((tag % 15) as u8 + 1) << 4;
    (0..scalar.size()).map(|b| hi | ((b % 15) as u8 + 1)).collect()
}

/// The bytes of a leaf whose first element has tag `tag`.
pub fn leaf_bytes(tag: u64, leaf: &Leaf) -> Vec<u8> {
    (0..leaf.count).flat_map(|j| element_bytes(tag + j, leaf.scalar)).collect()
}

/// A slot of a call: `0` is the return value, `1..` the parameters, then the variadic tail.
pub type Slot = u32;

/// One leaf of one slot and the bytes it must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub slot: Slot,
    pub leaf: u32,
    pub path: String,
    pub scalar: Scalar,
    /// For an array leaf, its length: elements are assigned one by one.
    pub array: Option<u64>,
    pub bytes: Vec<u8>,
}

/// Every leaf of a call, with its bytes: parameters (slots 1..), tail, then the return
/// value (slot 0). Tags run on across the whole call.
pub fn plan(f: &super::FnSpec) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut tag = 0u64;
    let mut add = |slot: Slot, ty: &Ty, out: &mut Vec<Expected>| {
        for (i, leaf) in leaves(ty).into_iter().enumerate() {
            let bytes = leaf_bytes(tag, &leaf);
            tag += leaf.count;
            out.push(Expected {
                slot,
                leaf: i as u32,
                array: leaf.array.then_some(leaf.count),
                path: leaf.path,
                scalar: leaf.scalar,
                bytes,
            });
        }
    };
    for (i, p) in f.params.iter().enumerate() {
        add(i as Slot + 1, &p.ty, &mut out);
    }
    let first_tail = f.params.len() as Slot + 1;
    for (j, s) in f.tail.iter().flatten().enumerate() {
        add(first_tail + j as Slot, &Ty::Scalar(*s), &mut out);
    }
    if let Some(r) = &f.ret {
        add(0, r, &mut out);
    }
    out
}

/// `var<path> = <literal>;` for every leaf (element by element for arrays): the same
/// statement in C and in Rust, with `literal` spelling a scalar's bytes in the language.
pub fn assignments(
    var: &str,
    plan: &[&Expected],
    literal: &dyn Fn(Scalar, &[u8]) -> String,
) -> String {
    let mut out = String::new();
    for e in plan {
        match e.array {
            None => {
                out.push_str(&format!("    {var}{} = {};\n", e.path, literal(e.scalar, &e.bytes)))
            }
            Some(n) => {
                let size = e.scalar.size() as usize;
                for j in 0..n as usize {
                    let b = &e.bytes[j * size..(j + 1) * size];
                    out.push_str(&format!(
                        "    {var}{}[{j}] = {};\n",
                        e.path,
                        literal(e.scalar, b)
                    ));
                }
            }
        }
    }
    out
}

/// Every struct type the functions use, each once, the members' before the structs that
/// hold them (the order both languages need their definitions in).
pub fn struct_types<'a>(fns: impl IntoIterator<Item = &'a super::FnSpec>) -> Vec<Ty> {
    fn visit(ty: &Ty, out: &mut Vec<Ty>) {
        match ty {
            Ty::Scalar(_) => {}
            Ty::Array(t, _) => visit(t, out),
            Ty::Struct(ms) => {
                if out.contains(ty) {
                    return;
                }
                ms.iter().for_each(|m| visit(m, out));
                out.push(ty.clone());
            }
        }
    }
    let mut out = Vec::new();
    for f in fns {
        f.params.iter().for_each(|p| visit(&p.ty, &mut out));
        if let Some(r) = &f.ret {
            visit(r, &mut out);
        }
    }
    out
}

/// Where the bytes a slot received came from: for each received byte, the expected leaf
/// (slot, path, byte index) that carries that byte value, if any.
pub fn provenance(all: &[Expected], received: &[u8]) -> Vec<Option<(Slot, String, usize)>> {
    received
        .iter()
        .map(|b| {
            all.iter().find_map(|e| {
                e.bytes.iter().position(|x| x == b).map(|i| (e.slot, e.path.clone(), i))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::sig::Signature;

    fn ty(t: &str) -> Ty {
        Signature::parse(&format!("fn({t})")).unwrap().params.remove(0)
    }

    #[test]
    fn leaves_name_paths_in_memory_order() {
        let l = leaves(&ty("{u8, [f32; 3], {u16, [{u8, u8}; 2]}}"));
        let paths: Vec<(&str, u64)> = l.iter().map(|l| (l.path.as_str(), l.count)).collect();
        assert_eq!(
            paths,
            [
                (".f0", 1),
                (".f1", 3),
                (".f2.f0", 1),
                (".f2.f1[0].f0", 1),
                (".f2.f1[0].f1", 1),
                (".f2.f1[1].f0", 1),
                (".f2.f1[1].f1", 1)
            ]
        );
        assert_eq!(leaves(&ty("i32"))[0].path, "");
    }

    #[test]
    fn graffiti_is_never_zero_and_never_nan() {
        for tag in 0..64 {
            let b = element_bytes(tag, Scalar::U64);
            assert!(b.iter().all(|x| *x != 0));
            assert_eq!(b[0] & 0xf, 1);
            assert_eq!(b[7] & 0xf, 8);
            let f = f32::from_le_bytes(element_bytes(tag, Scalar::F32).try_into().unwrap());
            let d = f64::from_le_bytes(element_bytes(tag, Scalar::F64).try_into().unwrap());
            assert!(!f.is_nan() && !d.is_nan(), "tag {tag}");
            assert!(element_bytes(tag, Scalar::Bool)[0] <= 1);
        }
    }

    #[test]
    fn a_call_plan_tags_every_leaf_and_traces_moved_bytes() {
        let f = crate::matrix::FnSpec {
            name: "f".into(),
            origin: "t".into(),
            params: vec![
                crate::matrix::Param { ty: ty("u32"), by_ref: false },
                crate::matrix::Param { ty: ty("{u8, u16}"), by_ref: false },
            ],
            ret: Some(ty("f64")),
            tail: None,
        };
        let p = plan(&f);
        let slots: Vec<(Slot, u32)> = p.iter().map(|e| (e.slot, e.leaf)).collect();
        assert_eq!(slots, [(1, 0), (2, 0), (2, 1), (0, 0)]);
        assert_eq!(p[0].bytes, [0x11, 0x12, 0x13, 0x14]);
        assert_eq!(p[2].bytes, [0x31, 0x32]);
        // The callee got arg 2's u16 where arg 1 should be: provenance says so.
        let got = [0x31, 0x32, 0x13, 0x14];
        let from = provenance(&p, &got);
        assert_eq!(from[0], Some((2, ".f1".to_string(), 0)));
        assert_eq!(from[2], Some((1, String::new(), 2)));
    }
}
