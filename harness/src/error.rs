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

/// Run `f` over the contents of `path`: a panic inside (a reader bug no fuzzer has found
/// yet) becomes an error naming the file, so one bad file does not end a whole command.
pub fn guard<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Error::at_file(path, format!("internal error while reading it ({what}); please report it"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_over_a_file_becomes_an_error_naming_it() {
        let e =
            guard(Path::new("bad.dll"), || -> u32 { panic!("index out of bounds") }).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("bad.dll: internal error"), "{text}");
        assert!(text.contains("index out of bounds"), "{text}");
        assert_eq!(guard(Path::new("ok.dll"), || 7).unwrap(), 7);
    }
}
