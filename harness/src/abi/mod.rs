//! The Arm64EC calling-convention model shared by the checks, the oracle and the ABI
//! suite: the project's type notation ([`sig`]), C layout ([`layout`]), the thunk-name
//! grammar and ABI classes ([`thunk_name`]), and the thunk names the ABI requires
//! ([`oracle`]).

pub mod layout;
pub mod oracle;
pub mod sig;
pub mod thunk_name;

pub use sig::{Signature, Ty};
pub use thunk_name::{ThunkKind, ThunkName};
