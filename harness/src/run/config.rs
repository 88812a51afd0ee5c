//! `harness.toml`: where runs go. The repository root's `harness.toml` is read when it
//! exists (`--config PATH` or `$HARNESS_CONFIG` names another); `--runner KIND` overrides
//! the kind.
//!
//! ```toml
//! [runner]
//! kind = "wrapper"                      # native | wrapper | ssh | emulated | none
//! argv = ["my-emulator", "--", "{exe}", "{args}"]
//!
//! # kind = "ssh"
//! # host = "me@winarm"                 # a Windows 11 on ARM64 machine with OpenSSH
//! # dir = "C:/harness"                 # where images are copied (created if missing)
//! # ssh = ["ssh", "-o", "BatchMode=yes"]  # optional: the ssh and scp commands
//! # scp = ["scp", "-q"]
//!
//! # kind = "emulated"                  # ABI-matrix functions on emulated CPUs
//! # emulator = "path/to/arm64ec-emu"   # optional: a built emulator (default: build the
//! #                                    # workspace's with cargo on first use)
//! ```

use crate::error::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub runner: Option<RunnerConfig>,
}

/// The `[runner]` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunnerConfig {
    pub kind: String,
    /// `wrapper`: the argv template; `{exe}` is the image, `{args}` its arguments (spliced),
    /// `{dir}` the image's directory.
    #[serde(default)]
    pub argv: Vec<String>,
    /// `ssh`: the machine (`user@host`) and the directory images go to.
    pub host: Option<String>,
    pub dir: Option<String>,
    #[serde(default)]
    pub ssh: Vec<String>,
    #[serde(default)]
    pub scp: Vec<String>,
    /// `emulated`: a built `arm64ec-emu` (relative paths from the config file's directory).
    pub emulator: Option<String>,
}

/// The config file to read: `--config`, else `$HARNESS_CONFIG`, else the repository's
/// `harness.toml` when it exists.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("HARNESS_CONFIG").map(PathBuf::from))
        .or_else(|| {
            let p = crate::paths::workspace_root().join("harness.toml");
            p.is_file().then_some(p)
        })
}

/// Read a config file; errors name the file and line.
pub fn load(path: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(path, "read the harness config", &e))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        Error::at(path, line.unwrap_or(1), 1, e.message().trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_parse_and_errors_name_the_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("harness.toml");
        std::fs::write(&p, "[runner]\nkind = \"wrapper\"\nargv = [\"emu\", \"{exe}\"]\n").unwrap();
        let c = load(&p).unwrap();
        assert_eq!(c.runner.unwrap().argv, ["emu", "{exe}"]);
        std::fs::write(&p, "[runner]\nkind = \"ssh\"\nhots = \"x\"\n").unwrap();
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("harness.toml:3:") && e.contains("hots"), "{e}");
    }
}
