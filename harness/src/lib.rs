//! arm64ec-conformance: a conformance suite and CI harness for Rust's
//! `arm64ec-pc-windows-msvc` target.
//!
//! Data flows one way, each stage in its own module:
//! [`discover`] (suite files → cases) → [`plan`] (cases + environment → trials) →
//! [`build`] → [`inspect`] / [`run`] → [`check`] → [`report`].
//! [`session`] ties the stages together for the CLI and the libtest-mimic driver.
//! [`matrix`] is the generated ABI matrix: the same stages for caller/callee pairings.

pub mod abi;
pub mod check;
pub mod compile;
pub mod console;
pub mod discover;
pub mod drive;
pub mod env;
pub mod error;
pub mod exec;
pub mod gate;
pub mod inspect;
pub mod matrix;
pub mod model;
pub mod output;
pub mod paths;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod process;
pub mod proctree;
pub mod report;
pub mod run;
pub mod session;
pub mod toolchain;

pub use error::{Error, Result};
