//! C layout of notation types on the 64-bit Windows targets, and the homogeneous
//! floating-point aggregate (HFA) test of the ARM64 procedure call standard.

use super::sig::{Scalar, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
}

/// Size and alignment under the C rules (members in order, each at its alignment, the
/// whole rounded up to the largest alignment).
pub fn layout(ty: &Ty) -> Layout {
    match ty {
        Ty::Scalar(s) => Layout { size: s.size(), align: s.size() },
        Ty::Array(t, n) => {
            let l = layout(t);
            Layout { size: l.size * n, align: l.align }
        }
        Ty::Struct(members) => {
            let mut size = 0u64;
            let mut align = 1u64;
            for m in members {
                let l = layout(m);
                size = size.next_multiple_of(l.align) + l.size;
                align = align.max(l.align);
            }
            Layout { size: size.next_multiple_of(align), align }
        }
    }
}

/// The element type of a homogeneous floating-point aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatKind {
    F32,
    F64,
}

impl FloatKind {
    pub fn size(self) -> u64 {
        match self {
            FloatKind::F32 => 4,
            FloatKind::F64 => 8,
        }
    }
}

/// An HFA: a struct of 1 to 4 members, after flattening nested structs and arrays, all of
/// one floating-point type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hfa {
    pub kind: FloatKind,
    pub count: u64,
}

pub fn hfa(ty: &Ty) -> Option<Hfa> {
    let Ty::Struct(_) = ty else { return None };
    let mut kind = None;
    let mut count = 0u64;
    if !flatten(ty, &mut kind, &mut count) || !(1..=4).contains(&count) {
        return None;
    }
    kind.map(|kind| Hfa { kind, count })
}

/// Walk the leaves; false as soon as a leaf is not the aggregate's float type.
fn flatten(ty: &Ty, kind: &mut Option<FloatKind>, count: &mut u64) -> bool {
    match ty {
        Ty::Scalar(s) => {
            let k = match s {
                Scalar::F32 => FloatKind::F32,
                Scalar::F64 => FloatKind::F64,
                _ => return false,
            };
            if kind.is_some_and(|have| have != k) {
                return false;
            }
            *kind = Some(k);
            *count += 1;
            *count <= 4
        }
        Ty::Array(t, n) => {
            (0..*n).all(|_| flatten(t, kind, count)) // bounded: stops past 4 leaves
        }
        Ty::Struct(ms) => ms.iter().all(|m| flatten(m, kind, count)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::sig::Signature;

    fn param(text: &str) -> Ty {
        Signature::parse(&format!("fn({text})")).unwrap().params.remove(0)
    }

    #[test]
    fn c_layout() {
        let l = |t| layout(&param(t));
        assert_eq!(l("{u8, u8, u8}"), Layout { size: 3, align: 1 });
        assert_eq!(l("{u8, u32}"), Layout { size: 8, align: 4 });
        assert_eq!(l("{u32, u8}"), Layout { size: 8, align: 4 });
        assert_eq!(l("{u64, u8}"), Layout { size: 16, align: 8 });
        assert_eq!(l("{[u8; 17]}"), Layout { size: 17, align: 1 });
        assert_eq!(l("{u8, i128}"), Layout { size: 32, align: 16 });
        assert_eq!(l("{{u8, u16}, u8}"), Layout { size: 6, align: 2 });
        assert_eq!(l("i128"), Layout { size: 16, align: 16 });
    }

    #[test]
    fn hfa_rules() {
        let h = |t| hfa(&param(t));
        assert_eq!(h("{f32}"), Some(Hfa { kind: FloatKind::F32, count: 1 }));
        assert_eq!(h("{[f32; 4]}"), Some(Hfa { kind: FloatKind::F32, count: 4 }));
        assert_eq!(h("{{f64, f64}, [f64; 2]}"), Some(Hfa { kind: FloatKind::F64, count: 4 }));
        assert_eq!(h("{[f32; 5]}"), None);
        assert_eq!(h("{f32, f64}"), None);
        assert_eq!(h("{f32, u32}"), None);
        assert_eq!(h("f32"), None, "a scalar is not an aggregate");
        assert_eq!(h("{[f32; 4096]}"), None);
    }
}
