//! What a pairing's trial reports: the matrix part of a case record, each function that did
//! not pass, each one left out, and each call edge. Plain data, below the stages that fill it
//! (the trial in [`super::trial`] and its judge) and the report that carries it.

use super::expect::Phase;
use serde::{Deserialize, Serialize};

/// Why a function is left out of a pairing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Skip {
    pub function: String,
    pub reason: String,
}

/// One call edge: the names each party has and every way they disagree.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Edge {
    pub function: String,
    pub signature: String,
    pub oracle_exit: String,
    pub oracle_entry: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_exit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callee_entry: Option<String>,
    /// Disagreements and the verifier's findings about this function's thunks or code
    /// (moved to the function's failure in a report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A function that did not pass.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    pub function: String,
    pub signature: String,
    pub origin: String,
    pub phase: Phase,
    /// The expectation rule that declares it, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    pub problems: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge: Option<Edge>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repro: Option<String>,
}

/// The matrix part of a case record: what was checked and what did not pass.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub pairing: String,
    pub caller: String,
    pub callee: String,
    pub functions: usize,
    pub skipped: Vec<Skip>,
    /// Functions whose edges were checked statically (0 for host controls).
    pub static_checked: usize,
    /// Functions whose values were compared at run time.
    pub run_checked: usize,
    /// `performed`, or why the values were not compared here.
    pub run: String,
    /// Where the values were compared: `host` (controls), or the runner's kind
    /// (`native`, `wrapper`, `ssh`, `emulated`); empty when they were not.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub runner: String,
    pub not_reached: usize,
    /// Functions the emulated runner stopped because they left what it models (at most
    /// 20, `function: why`); `not_emulated_count` counts them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_emulated: Vec<String>,
    pub not_emulated_count: usize,
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// Functions a rule declares failing that passed: `function: rule`.
    pub fixed: Vec<String>,
    /// Findings no single function explains (driver code, the image).
    pub general: Vec<String>,
    /// Rules that would declare the unexpected failures, to paste into expectations.toml.
    pub suggestions: Vec<String>,
}
