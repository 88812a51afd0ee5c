//! Check stage: turn inspected facts and run results into findings, each with a stable
//! rule id. A finding is a violation; an empty list means the case conforms.

use crate::inspect::ObjectFacts;
use crate::model::{Machine, Target};
use crate::process::{CmdRecord, Exit};
use serde::{Deserialize, Serialize};

/// One violation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    /// Stable rule id, such as `coff.machine`.
    pub rule: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Finding {
    pub fn new(rule: &str, message: String) -> Self {
        Finding {
            rule: rule.into(),
            message,
            file: None,
            symbol: None,
            section: None,
            offset: None,
        }
    }
}

/// `coff.machine`: an object built for `target` must carry that target's machine type
/// (ARM64EC 0xA641 for Arm64EC, AMD64 for x64, ARM64 for AArch64).
pub fn object_machine(facts: &ObjectFacts, target: Target) -> Option<Finding> {
    let expected = target.object_machine()?;
    let found = facts.machine();
    (found != expected).then(|| Finding {
        file: Some(facts.file.clone()),
        ..Finding::new(
            "coff.machine",
            format!("machine is {found}; an object built for {target} must be {expected}"),
        )
    })
}

/// `run.exit-code`: a run must end with the exit code the fixture declares (default 0).
pub fn exit_code(run: &CmdRecord, expected: i32) -> Option<Finding> {
    match &run.exit {
        Exit::Code { code } if *code == expected => None,
        Exit::Code { code } => Some(Finding::new(
            "run.exit-code",
            format!("exited with code {code}, expected {expected}"),
        )),
        Exit::Signal { signal } => Some(Finding::new(
            "run.exit-code",
            format!("killed by signal {signal}, expected exit code {expected}"),
        )),
        Exit::Timeout { .. } | Exit::SpawnFailed { .. } => None, // reported as timeout / error
    }
}

/// Machine constant for reports and tests.
pub fn machine_name(m: u16) -> &'static str {
    Machine(m).name()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(machine: u16) -> ObjectFacts {
        ObjectFacts {
            file: "a.o".into(),
            format: "coff".into(),
            machine,
            machine_name: machine_name(machine).into(),
            sections: vec![],
            symbols: 0,
        }
    }

    #[test]
    fn machine_rule_flags_a_flipped_machine() {
        assert!(object_machine(&facts(0xA641), Target::Arm64ec).is_none());
        let f =
            object_machine(&facts(0xAA64), Target::Arm64ec).expect("must flag ARM64 for arm64ec");
        assert_eq!(f.rule, "coff.machine");
        assert!(
            f.message.contains("ARM64 (0xAA64)") && f.message.contains("ARM64EC (0xA641)"),
            "{}",
            f.message
        );
        assert!(object_machine(&facts(0x8664), Target::Arm64ec).is_some());
        assert!(object_machine(&facts(0xA641), Target::X64).is_some());
        assert!(object_machine(&facts(0x8664), Target::X64).is_none());
    }

    #[test]
    fn exit_code_rule() {
        let rec = |exit| CmdRecord {
            argv: vec![],
            cwd: None,
            exit,
            duration_ms: 0,
            stdout: String::new(),
            stderr: String::new(),
        };
        assert!(exit_code(&rec(Exit::Code { code: 0 }), 0).is_none());
        assert!(exit_code(&rec(Exit::Code { code: 101 }), 0).is_some());
        assert!(exit_code(&rec(Exit::Code { code: 3 }), 3).is_none());
        assert!(exit_code(&rec(Exit::Signal { signal: 9 }), 0).is_some());
    }
}
