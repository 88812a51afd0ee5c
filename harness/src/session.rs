//! A session: one toolchain opened, provisioned and probed, the tools around it found, ready
//! to execute trials. Shared by the CLI and the libtest-mimic driver.

use crate::discover::Discovered;
use crate::error::Result;
use crate::exec;
use crate::paths::Dirs;
use crate::plan::{self, Decision};
use crate::report::{CaseRecord, Fingerprint, RustcFingerprint};
use crate::run::Runner;
use crate::toolchain::tools::{self, ToolInfo};
use crate::toolchain::{self, Request, provision};

use std::sync::OnceLock;
use std::time::Duration;

/// The default per-case timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

pub use crate::env::Env;

#[derive(Clone, Debug)]
pub struct SessionOptions {
    pub toolchain: Request,
    pub dirs: Dirs,
    pub default_timeout: Duration,
    /// Install missing rustup targets.
    pub provision: bool,
    /// The runner; `None`: from `harness.toml` when there is one, else detected.
    pub runner: Option<Runner>,
    pub bless: bool,
}

impl SessionOptions {
    pub fn new(toolchain: Request, dirs: Dirs) -> Self {
        SessionOptions {
            toolchain,
            dirs,
            default_timeout: DEFAULT_TIMEOUT,
            provision: true,
            runner: None,
            bless: false,
        }
    }
}

pub struct Session {
    pub env: Env,
}

impl Session {
    pub fn open(opts: &SessionOptions) -> Result<Session> {
        let probe_dir = opts.dirs.probe();
        let tc = toolchain::open(&opts.toolchain, &probe_dir)?;
        if opts.provision {
            provision::ensure_targets(&tc)?;
        }
        let wine = crate::run::wine::find();
        let runner = match &opts.runner {
            Some(r) => r.clone(),
            None => match crate::run::config::locate(None) {
                Some(path) => {
                    let cfg = crate::run::config::load(&path)?;
                    match &cfg.runner {
                        Some(r) => Runner::configure(r, &path)?,
                        None => Runner::detect(),
                    }
                }
                None => Runner::detect(),
            },
        };
        let clang_cl = tools::find_clang_cl(&probe_dir);
        let rust_lld = tools::find_rust_lld(&tc, &probe_dir);
        let env = Env {
            linker: tools::find_linker(&rust_lld, &probe_dir),
            clang: tools::find_clang_driver(&clang_cl),
            clang_cl,
            rust_lld,
            msvc: tools::find_msvc(),
            runner,
            wine,
            wine_prepared: OnceLock::new(),
            emulator: OnceLock::new(),
            bless: opts.bless,
            toolchain: tc,
            dirs: opts.dirs.clone(),
            default_timeout: opts.default_timeout,
        };
        Ok(Session { env })
    }

    /// Execute one discovered trial into its record.
    pub fn execute(&self, d: &Discovered) -> CaseRecord {
        match d {
            Discovered::Variant(v) => exec::execute(v, &self.env),
            Discovered::Matrix(m) => crate::matrix::trial::execute(
                m,
                &self.env,
                crate::matrix::trial::plan(m, &self.env),
            ),
            Discovered::Broken(b) => exec::broken(b),
        }
    }

    /// The plan decision for a trial; `None` for a broken suite file (it always errors).
    pub fn plan(&self, d: &Discovered) -> Option<Decision> {
        match d {
            Discovered::Variant(v) => Some(plan::plan(v, &self.env)),
            Discovered::Matrix(m) => Some(crate::matrix::trial::plan(m, &self.env)),
            Discovered::Broken(_) => None,
        }
    }

    /// Execute a trial with a decision made earlier by [`Session::plan`].
    pub fn execute_decided(&self, d: &Discovered, decision: Decision) -> CaseRecord {
        match d {
            Discovered::Variant(v) => exec::execute_decided(v, &self.env, decision),
            Discovered::Matrix(m) => crate::matrix::trial::execute(m, &self.env, decision),
            Discovered::Broken(b) => exec::broken(b),
        }
    }

    pub fn fingerprint(&self) -> Fingerprint {
        let tc = &self.env.toolchain;
        Fingerprint {
            rustc: RustcFingerprint {
                label: tc.label.clone(),
                rustup_name: tc.rustup_name.clone(),
                path: tc.rustc.display().to_string(),
                release: tc.info.release.clone(),
                commit_hash: tc.info.commit_hash.clone(),
                commit_date: tc.info.commit_date.clone(),
                host: tc.info.host.clone(),
                llvm: tc.info.llvm_version.clone(),
            },
            clang_cl: self.env.clang_cl.found().cloned(),
            linker: self
                .env
                .linker
                .found()
                .map(|l| ToolInfo { path: l.path.clone(), version: l.version.clone() }),
            msvc: self.env.msvc.found().cloned(),
            runner: self.env.runner.info(),
            host: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}
