//! One error type that always carries its context: which file, which tool, which toolchain.

use std::fmt;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A harness error. The message is complete and user-facing; `location` names the
/// file (and line/column) when the error is about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub location: Option<Location>,
    pub message: String,
}

/// A place in a file, 1-based line and column when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Error {
    pub fn msg(message: impl Into<String>) -> Self {
        Error { location: None, message: message.into() }
    }

    pub fn at_file(path: &Path, message: impl Into<String>) -> Self {
        Error {
            location: Some(Location { path: path.to_path_buf(), line: None, column: None }),
            message: message.into(),
        }
    }

    pub fn at(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Error {
            location: Some(Location {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(column),
            }),
            message: message.into(),
        }
    }

    /// An I/O error on `path`, saying what was being done.
    pub fn io(path: &Path, doing: &str, err: &std::io::Error) -> Self {
        Error::at_file(path, format!("cannot {doing}: {err}"))
    }

    /// Prefix the message with more context, keeping the location.
    pub fn context(mut self, ctx: impl fmt::Display) -> Self {
        self.message = format!("{ctx}: {}", self.message);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
