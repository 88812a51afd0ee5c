//! Reading an ABI matrix suite: a suite directory with `abi.toml` holds `*.sigs` files and
//! `expectations.toml`; each pairing it runs becomes one case, `<suite>::<pairing>`.
//!
//! ```toml
//! battery = true                          # include the procedural battery (default true)
//! pairings = ["rust-ec-to-c-ec"]          # a subset (default: every pairing)
//! timeout = 600                           # seconds per pairing (default 600)
//! ```

use super::expect::{self, Expectations};
use super::{FnSpec, PAIRINGS, Pairing, battery, sigfile};
use crate::error::Error;
use crate::model::CaseKey;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const CONFIG: &str = "abi.toml";
pub const EXPECTATIONS: &str = "expectations.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default = "yes")]
    battery: bool,
    pairings: Option<Vec<String>>,
    timeout: Option<u64>,
}

fn yes() -> bool {
    true
}

/// One pairing of a matrix suite: a trial.
#[derive(Clone, Debug)]
pub struct MatrixCase {
    pub key: CaseKey,
    pub pairing: Pairing,
    /// `abi.toml`: the case's fixture in reports.
    pub config: PathBuf,
    pub functions: Arc<Vec<FnSpec>>,
    /// `expectations.toml`.
    pub rules: Arc<Expectations>,
    pub timeout: Duration,
}

impl MatrixCase {
    /// `abi::<pairing>::<function>`: what expectation globs match.
    pub fn function_id(&self, function: &str) -> String {
        format!("{}::{function}", self.key)
    }
}

pub fn is_matrix_suite(dir: &Path) -> bool {
    dir.join(CONFIG).is_file()
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, "read the file", &e))
}

/// The cases of a matrix suite, or every error found in its files.
pub fn load(suite: &str, dir: &Path) -> Result<Vec<MatrixCase>, Vec<Error>> {
    let config_path = dir.join(CONFIG);
    let text = read(&config_path).map_err(|e| vec![e])?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        vec![Error::at(&config_path, line.unwrap_or(1), 1, e.message().trim().to_string())]
    })?;
    let mut errors = Vec::new();
    let mut functions: Vec<FnSpec> = if config.battery { battery::battery() } else { Vec::new() };
    let mut sig_files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| vec![Error::io(dir, "list the directory", &e)])?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sigs"))
        .collect();
    sig_files.sort();
    for p in &sig_files {
        match read(p).map_err(|e| vec![e]).and_then(|t| sigfile::parse(p, &t)) {
            Ok(fs) => functions.extend(fs),
            Err(es) => errors.extend(es),
        }
    }
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for f in &functions {
        if let Some(other) = first.get(&f.name) {
            let (file, line) = f.origin.split_once(':').unwrap_or((&f.origin, "1"));
            errors.push(Error::at(
                &dir.join(file),
                line.parse().unwrap_or(1),
                1,
                format!("`{}` is already defined by {other}", f.name),
            ));
        } else {
            first.insert(f.name.clone(), f.origin.clone());
        }
    }
    if functions.len() > u16::MAX as usize {
        errors.push(Error::at_file(
            &config_path,
            "more than 65535 functions: the protocol cannot number them",
        ));
    }
    let expectations = dir.join(EXPECTATIONS);
    let rules = if expectations.is_file() {
        match read(&expectations).and_then(|t| expect::parse(&expectations, suite, &t)) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                Expectations::default()
            }
        }
    } else {
        Expectations::default()
    };
    let pairings: Vec<Pairing> = match &config.pairings {
        None => PAIRINGS.to_vec(),
        Some(names) => names
            .iter()
            .filter_map(|n| {
                let p = Pairing::parse(n);
                if p.is_none() {
                    let known: Vec<String> = PAIRINGS.iter().map(Pairing::name).collect();
                    errors.push(Error::at_file(
                        &config_path,
                        format!("unknown pairing `{n}`; known: {}", known.join(", ")),
                    ));
                }
                p
            })
            .collect(),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let functions = Arc::new(functions);
    let rules = Arc::new(rules);
    Ok(pairings
        .into_iter()
        .map(|pairing| MatrixCase {
            key: CaseKey::new(suite, &pairing.name()),
            pairing,
            config: config_path.clone(),
            functions: functions.clone(),
            rules: rules.clone(),
            timeout: Duration::from_secs(config.timeout.unwrap_or(600).max(1)),
        })
        .collect())
}
