//! Check stage: turn inspected facts and run results into findings, each with a stable
//! rule id. A finding is a violation; an empty list means the case conforms.
//! Object rules live in [`object`], one module per concern.

pub mod coverage;
pub mod diagnostics;
pub mod image;
pub mod object;
pub mod producers;
pub mod rules;
pub mod thunk;

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

    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn symbol(mut self, symbol: &str) -> Self {
        self.symbol = Some(symbol.into());
        self
    }

    pub fn section(mut self, section: &str) -> Self {
        self.section = Some(section.into());
        self
    }

    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}]", self.rule)?;
        if let Some(file) = &self.file {
            write!(f, " {file}")?;
        }
        match (&self.section, self.offset) {
            (Some(s), Some(o)) => write!(f, " {s}+{o:#x}")?,
            (Some(s), None) => write!(f, " {s}")?,
            (None, Some(o)) => write!(f, " +{o:#x}")?,
            (None, None) => {}
        }
        if let Some(sym) = &self.symbol {
            write!(f, " `{sym}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// `run.exit-code`: a run must end as the fixture declares (exit code 0 by default).
pub fn exit_code(run: &CmdRecord, expected: crate::discover::ExitExpect) -> Option<Finding> {
    use crate::discover::ExitExpect;
    let code = match &run.exit {
        Exit::Code { code } => *code,
        Exit::Signal { signal } if expected == ExitExpect::Failure => {
            let _ = signal;
            return None;
        }
        Exit::Signal { signal } => {
            return Some(Finding::new(
                "run.exit-code",
                format!("killed by signal {signal}, expected {expected}"),
            ));
        }
        Exit::Timeout { .. } | Exit::SpawnFailed { .. } => return None, // timeout / error
    };
    let ok = match expected {
        ExitExpect::Code(c) => c == code,
        ExitExpect::Failure => code != 0,
    };
    let shown = if !(0..=0xffff).contains(&code) {
        format!("{:#x}", code as u32)
    } else {
        code.to_string()
    };
    (!ok).then(|| {
        Finding::new("run.exit-code", format!("exited with code {shown}, expected {expected}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        use crate::discover::ExitExpect::{Code, Failure};
        assert!(exit_code(&rec(Exit::Code { code: 0 }), Code(0)).is_none());
        assert!(exit_code(&rec(Exit::Code { code: 101 }), Code(0)).is_some());
        assert!(exit_code(&rec(Exit::Code { code: 3 }), Code(3)).is_none());
        assert!(exit_code(&rec(Exit::Signal { signal: 9 }), Code(0)).is_some());
        assert!(exit_code(&rec(Exit::Signal { signal: 6 }), Failure).is_none());
        assert!(exit_code(&rec(Exit::Code { code: 0 }), Failure).is_some());
        let f = exit_code(&rec(Exit::Code { code: 9 }), Code(0xC0000409u32 as i32)).unwrap();
        assert!(f.message.ends_with("expected exit code 0xc0000409"), "{}", f.message);
    }
}
