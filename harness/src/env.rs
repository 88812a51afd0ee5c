//! What the plan and the phases know about this machine: the toolchain, the tools found
//! around it, the runner, Wine, and the resources prepared on first use. Opened by the
//! session above; read by the plan, the phases and the trials below it.

use crate::error::{Error, Result};
use crate::paths::Dirs;
use crate::run::Runner;
use crate::run::wine::{Support, WineTools};
use crate::toolchain::Toolchain;
use crate::toolchain::tools::{Avail, Linker, Msvc, ToolInfo};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Everything the plan and the phases need to know about this machine.
pub struct Env {
    pub toolchain: Toolchain,
    pub clang_cl: Avail<ToolInfo>,
    pub rust_lld: Avail<ToolInfo>,
    /// LLD 20+ for the link tier (the toolchain's rust-lld, or lld-link from PATH).
    pub linker: Avail<Linker>,
    /// The clang driver that assembles the link tier's support files.
    pub clang: Avail<ToolInfo>,
    pub msvc: Avail<Msvc>,
    /// Where Arm64EC images run (`harness.toml`, `--runner`; default: native or none).
    pub runner: Runner,
    /// Wine and MinGW-w64, for Wine controls.
    pub wine: Avail<WineTools>,
    /// The Wine launcher and prefix, prepared at the first Wine control.
    pub wine_prepared: OnceLock<Result<Support>>,
    /// The emulator binary for the `emulated` runner, found or built at first use.
    pub emulator: OnceLock<Result<PathBuf>>,
    /// Write run expectations instead of comparing with them (`--bless`).
    pub bless: bool,
    pub dirs: Dirs,
    pub default_timeout: Duration,
}

impl Env {
    /// The Wine tools and their prepared support files, or why there are none.
    pub fn wine_support(&self) -> Result<(&WineTools, &Support)> {
        let tools = self
            .wine
            .found()
            .ok_or_else(|| Error::msg(self.wine.why_missing().unwrap_or_default()))?;
        let lld = self.rust_lld.found().map(|t| t.path.clone());
        let prepared = self.wine_prepared.get_or_init(|| {
            // Wine controls are built for windows-gnu: its std is installed at the first one.
            crate::toolchain::provision::ensure(&self.toolchain, &[crate::run::wine::GNU_TRIPLE])?;
            let lld = lld.ok_or_else(|| {
                Error::msg(
                    "the Wine launcher is linked with the toolchain's rust-lld, which is missing",
                )
            })?;
            tools.prepare(&self.toolchain, &lld, &self.dirs.root)
        });
        prepared.as_ref().map(|s| (tools, s)).map_err(Clone::clone)
    }

    /// The `arm64ec-emu` binary of the emulated runner (built at the first call), or why
    /// there is none.
    pub fn emulator(&self) -> Result<&Path> {
        let Runner::Emulated { binary } = &self.runner else {
            return Err(Error::msg(format!(
                "the runner is `{}`, not `emulated`",
                self.runner.kind()
            )));
        };
        let log = self.dirs.root.join("emulator-build.log");
        let found =
            self.emulator.get_or_init(|| crate::run::emulated::locate(binary.as_deref(), &log));
        found.as_deref().map_err(Clone::clone)
    }
}
