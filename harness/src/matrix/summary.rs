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

/// A function that did not pass, at one phase: a function failing at several phases has
/// one entry for each, each with its own problems and the rule (if any) that declares it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    pub function: String,
    pub signature: String,
    pub origin: String,
    pub phase: Phase,
    /// The expectation rule that declares it, when one covering this phase does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What went wrong at this phase: capped (with `(+N more)`) when declared, all of it
    /// when not.
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
    /// Whether the values were compared here, or why not (`performed` / `not run: …` in
    /// the report).
    pub run: RunOutcome,
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
    /// Phases a rule declares failing that passed: `function: passed at <phase>: rule`.
    pub fixed: Vec<String>,
    /// Findings no single function explains (driver code, the image).
    pub general: Vec<String>,
    /// Rules that would declare the unexpected failures, to paste into expectations.toml.
    pub suggestions: Vec<String>,
}

/// Whether a pairing's values were compared at run time, or why they were not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RunOutcome {
    /// The image ran and its transcript was compared.
    Performed,
    /// The values were not compared, for this reason.
    NotRun(String),
    /// Not decided yet (a trial in progress; never in a finished record).
    #[default]
    Pending,
}

impl RunOutcome {
    pub fn not_run(why: impl Into<String>) -> RunOutcome {
        RunOutcome::NotRun(why.into())
    }
}

impl std::fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunOutcome::Performed => f.write_str("performed"),
            RunOutcome::NotRun(why) => write!(f, "not run: {why}"),
            RunOutcome::Pending => f.write_str(""),
        }
    }
}

/// In the report it stays the string it always was: `performed`, or `not run: <why>`.
impl Serialize for RunOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for RunOutcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.as_str() {
            "performed" => RunOutcome::Performed,
            "" => RunOutcome::Pending,
            other => RunOutcome::NotRun(other.strip_prefix("not run: ").unwrap_or(other).into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RunOutcome;

    #[test]
    fn the_run_outcome_reads_back_as_it_was_written() {
        for r in [RunOutcome::Performed, RunOutcome::not_run("the build failed")] {
            let text = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<RunOutcome>(&text).unwrap(), r, "{text}");
        }
        assert_eq!(serde_json::to_string(&RunOutcome::Performed).unwrap(), "\"performed\"");
        let old: RunOutcome = serde_json::from_str("\"not run: no runner\"").unwrap();
        assert_eq!(old, RunOutcome::not_run("no runner"));
    }
}
