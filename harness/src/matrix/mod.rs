//! The ABI matrix: signatures described once (hand-written `.sigs` files and a procedural
//! battery), generated into a caller and a callee in Rust and in C, built for each pairing
//! of language and architecture, and linked into one image so every call crosses the
//! Arm64EC thunks. Stages, one module each:
//!
//! | module | job |
//! |---|---|
//! | [`suite`] | reading `suites/abi/` (`abi.toml`, `*.sigs`, `expectations.toml`) into cases |
//! | [`sigfile`] | the `.sigs` format |
//! | [`battery`] | the procedural signatures |
//! | [`values`] | leaves of a type and the graffiti bytes each one carries |
//! | [`emit_rust`], [`emit_c`] | source generation (callers, callees, the driver) |
//! | [`steps`] | the compiler and linker invocations of a pairing (at most 8) |
//! | [`edges`] | the static check: caller exit thunk, callee entry thunk and oracle agree |
//! | [`protocol`] | the value protocol both sides report through, and comparing it |
//! | [`expect`] | `expectations.toml`: rules (per phase) and not-emulated floors |
//! | [`trial`] | one pairing's trial through its phases, and its judge: each function's phases against the expectations, the case's status |
//! | [`summary`] | the matrix part of a case record |
//! | [`minimize`] | stand-alone caller/callee pairs for failing functions |
//! | [`kdl`] | the signatures as abi-cafe KDLScript tests (`harness matrix-export`) |

pub mod battery;
pub mod edges;
pub mod emit_c;
pub mod emit_rust;
pub mod expect;
pub mod kdl;
pub mod minimize;
pub mod protocol;
pub mod sigfile;
pub mod steps;
pub mod suite;
pub mod summary;
pub mod trial;
pub mod values;

pub use summary::Skip;

use crate::abi::sig::{Scalar, Signature, Ty};
use crate::model::Target;
use serde::Serialize;
use std::fmt;

/// One generated function: its name (a C identifier, unique in the matrix), where it was
/// described, its parameters and return type.
#[derive(Clone, Debug, PartialEq)]
pub struct FnSpec {
    pub name: String,
    /// `file.sigs:12` or `battery:<group>`.
    pub origin: String,
    pub params: Vec<Param>,
    pub ret: Option<Ty>,
    /// For a variadic function, the types passed in its variadic tail.
    pub tail: Option<Vec<Scalar>>,
}

/// A parameter: a value, or a pointer to one (`&T` in `.sigs` files).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub ty: Ty,
    pub by_ref: bool,
}

/// The scalars a variadic tail may carry: those C passes unchanged (no promotion).
pub const TAIL_SCALARS: [Scalar; 4] = [Scalar::I32, Scalar::I64, Scalar::F64, Scalar::Ptr];

impl FnSpec {
    /// The C signature the oracle sees: a by-reference parameter is a `ptr`.
    pub fn signature(&self) -> Signature {
        Signature {
            params: self
                .params
                .iter()
                .map(|p| if p.by_ref { Ty::Scalar(Scalar::Ptr) } else { p.ty.clone() })
                .collect(),
            variadic: self.tail.is_some(),
            ret: self.ret.clone(),
        }
    }

    pub fn uses(&self, pred: &dyn Fn(&Ty) -> bool) -> bool {
        self.params.iter().any(|p| pred(&p.ty)) || self.ret.as_ref().is_some_and(pred)
    }

    /// The notation with `&` for by-reference parameters and the tail after `with`.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .params
            .iter()
            .map(|p| if p.by_ref { format!("&{}", p.ty) } else { p.ty.to_string() })
            .collect();
        if self.tail.is_some() {
            parts.push("...".into());
        }
        let mut s = format!("fn({})", parts.join(", "));
        if let Some(r) = &self.ret {
            s.push_str(&format!(" -> {r}"));
        }
        if let Some(t) = &self.tail {
            let names: Vec<&str> = t.iter().map(|s| s.name()).collect();
            s.push_str(&format!(" with ({})", names.join(", ")));
        }
        s
    }
}

/// Whether a type contains a 128-bit integer anywhere.
pub fn has_i128(ty: &Ty) -> bool {
    match ty {
        Ty::Scalar(s) => matches!(s, Scalar::I128 | Scalar::U128),
        Ty::Array(t, _) => has_i128(t),
        Ty::Struct(ms) => ms.iter().any(has_i128),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Rust,
    C,
}

/// Where a side's code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// Arm64EC code.
    Ec,
    /// x64 code inside the Arm64EC image.
    X64,
    /// The machine the harness runs on (controls).
    Host,
}

impl Arch {
    pub fn target(self) -> Target {
        match self {
            Arch::Ec => Target::Arm64ec,
            Arch::X64 => Target::X64,
            Arch::Host => Target::Host,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Arch::Ec => "ec",
            Arch::X64 => "x64",
            Arch::Host => "host",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Side {
    pub lang: Lang,
    pub arch: Arch,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = match self.lang {
            Lang::Rust => "rust",
            Lang::C => "c",
        };
        write!(f, "{l}-{}", self.arch.name())
    }
}

/// A caller side and a callee side, linked into one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Pairing {
    pub caller: Side,
    pub callee: Side,
}

const fn side(lang: Lang, arch: Arch) -> Side {
    Side { lang, arch }
}

/// Every pairing: Rust EC with C EC, Rust x64 and C x64 in both directions; Rust x64 with
/// C x64 (no thunk between them: a control of the x64 side and of the runner); and the
/// host controls (Rust and C on the host, both directions).
pub const PAIRINGS: [Pairing; 9] = [
    Pairing { caller: side(Lang::Rust, Arch::Ec), callee: side(Lang::C, Arch::Ec) },
    Pairing { caller: side(Lang::C, Arch::Ec), callee: side(Lang::Rust, Arch::Ec) },
    Pairing { caller: side(Lang::Rust, Arch::Ec), callee: side(Lang::Rust, Arch::X64) },
    Pairing { caller: side(Lang::Rust, Arch::X64), callee: side(Lang::Rust, Arch::Ec) },
    Pairing { caller: side(Lang::Rust, Arch::Ec), callee: side(Lang::C, Arch::X64) },
    Pairing { caller: side(Lang::C, Arch::X64), callee: side(Lang::Rust, Arch::Ec) },
    Pairing { caller: side(Lang::Rust, Arch::X64), callee: side(Lang::C, Arch::X64) },
    Pairing { caller: side(Lang::Rust, Arch::Host), callee: side(Lang::C, Arch::Host) },
    Pairing { caller: side(Lang::C, Arch::Host), callee: side(Lang::Rust, Arch::Host) },
];

impl Pairing {
    /// `rust-ec-to-c-x64`: the case name.
    pub fn name(&self) -> String {
        format!("{}-to-{}", self.caller, self.callee)
    }

    pub fn parse(name: &str) -> Option<Pairing> {
        PAIRINGS.iter().copied().find(|p| p.name() == name)
    }

    pub fn is_control(&self) -> bool {
        self.caller.arch == Arch::Host
    }

    /// The side whose crate also holds the driver: the Arm64EC (or host) Rust side. `None`
    /// when neither side is one (x64 with x64): the driver is a crate of its own then.
    pub fn driver_side(&self) -> Option<Side> {
        self.sides().into_iter().find(|s| s.lang == Lang::Rust && s.arch != Arch::X64)
    }

    /// The sides built apart from the driver and linked in.
    pub fn apart(&self) -> Vec<Side> {
        self.sides().into_iter().filter(|s| Some(*s) != self.driver_side()).collect()
    }

    /// Whether a call crosses between Arm64EC and x64 code, or stays in Arm64EC code:
    /// whether there are thunks to check.
    pub fn has_ec_side(&self) -> bool {
        self.sides().iter().any(|s| s.arch == Arch::Ec)
    }

    pub fn sides(&self) -> [Side; 2] {
        [self.caller, self.callee]
    }

    /// What `target` of an expectation rule means this pairing: host controls, pairings
    /// with Arm64EC code, x64 with x64.
    pub fn rule_target(&self) -> expect::RuleTarget {
        if self.is_control() {
            expect::RuleTarget::Host
        } else if self.has_ec_side() {
            expect::RuleTarget::Arm64ec
        } else {
            expect::RuleTarget::X64
        }
    }
}

/// The functions a pairing can express, and the rest with the reason.
pub fn select<'a>(
    pairing: &Pairing,
    all: &'a [FnSpec],
    c_has_i128: bool,
) -> (Vec<&'a FnSpec>, Vec<Skip>) {
    let mut keep = Vec::new();
    let mut skipped = Vec::new();
    for f in all {
        let reason = if f.tail.is_some() && pairing.callee.lang == Lang::Rust {
            Some("a variadic callee cannot be defined in stable Rust (c_variadic)")
        } else if f.tail.is_some() && pairing.caller.lang == Lang::C {
            Some("variadic calls are generated from Rust callers only")
        } else if !c_has_i128
            && pairing.sides().iter().any(|s| s.lang == Lang::C)
            && f.uses(&has_i128)
        {
            Some("the C compiler has no 128-bit integer type (MSVC)")
        } else {
            None
        };
        match reason {
            Some(r) => skipped.push(Skip { function: f.name.clone(), reason: r.into() }),
            None => keep.push(f),
        }
    }
    (keep, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_names_round_trip() {
        for p in PAIRINGS {
            assert_eq!(Pairing::parse(&p.name()), Some(p));
        }
        assert_eq!(PAIRINGS[0].name(), "rust-ec-to-c-ec");
        assert_eq!(PAIRINGS[5].driver_side(), Some(side(Lang::Rust, Arch::Ec)));
        assert_eq!(PAIRINGS[5].apart(), [side(Lang::C, Arch::X64)]);
        let x64 = Pairing::parse("rust-x64-to-c-x64").unwrap();
        assert_eq!(x64.driver_side(), None);
        assert_eq!(x64.apart().len(), 2);
        assert!(!x64.has_ec_side() && PAIRINGS[0].has_ec_side());
        assert!(PAIRINGS[7].is_control() && !PAIRINGS[0].is_control());
    }
}
