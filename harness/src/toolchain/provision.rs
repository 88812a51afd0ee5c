//! Install the Windows targets' std into a rustup toolchain when they are missing, with a
//! visible progress line. Under the rustup lock, so concurrent trials, tests and harness
//! processes install once and never run rustup at the same time.

use super::{Toolchain, rustup};
use crate::error::{Error, Result};
use crate::model::Target;
use std::time::Duration;

/// Targets whose std is not in the toolchain's sysroot.
pub fn missing_targets(tc: &Toolchain) -> Vec<Target> {
    Target::WINDOWS.into_iter().filter(|t| !has_std(tc, *t)).collect()
}

fn has_std(tc: &Toolchain, t: Target) -> bool {
    t.triple().is_none_or(|triple| has_std_for(tc, triple))
}

/// Whether the toolchain's sysroot has std for `triple`.
pub fn has_std_for(tc: &Toolchain, triple: &str) -> bool {
    let lib = tc.info.sysroot.join("lib").join("rustlib").join(triple).join("lib");
    std::fs::read_dir(&lib)
        .map(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libcore")))
        })
        .unwrap_or(false)
}

/// The command a user would run to add the targets themselves.
pub fn install_hint(tc: &Toolchain, missing: &[Target]) -> String {
    let triples: Vec<_> = missing.iter().filter_map(|t| t.triple()).collect();
    hint(tc, &triples)
}

/// The command that adds `triples`, or what to do where rustup does not manage `tc`.
fn hint(tc: &Toolchain, triples: &[&str]) -> String {
    match &tc.rustup_name {
        Some(n) => format!("rustup target add --toolchain {n} {}", triples.join(" ")),
        None => format!(
            "the toolchain at {} is not managed by rustup: install the rust-std component for {} \
             into its sysroot",
            tc.rustc.display(),
            triples.join(", ")
        ),
    }
}

/// Make sure every Windows target's std is installed, installing through rustup if needed.
pub fn ensure_targets(tc: &Toolchain) -> Result<()> {
    let triples: Vec<&str> = Target::WINDOWS.iter().filter_map(|t| t.triple()).collect();
    ensure(tc, &triples)
}

/// Make sure std for each of `triples` is installed (the Wine controls' windows-gnu too).
/// The check is repeated under the rustup lock: another process may have installed them
/// while this one waited (the lock is rustup's own, see [`super::rustup`]).
pub fn ensure(tc: &Toolchain, triples: &[&str]) -> Result<()> {
    let missing = |tc: &Toolchain| -> Vec<&str> {
        triples.iter().copied().filter(|t| !has_std_for(tc, t)).collect()
    };
    let first = missing(tc);
    if first.is_empty() {
        return Ok(());
    }
    let hint = hint(tc, &first);
    let Some(name) = &tc.rustup_name else {
        return Err(Error::msg(format!(
            "toolchain `{}` lacks std for {}: {hint}",
            tc.label,
            first.join(", ")
        )));
    };
    if rustup::find().is_none() {
        return Err(Error::msg(format!("rustup is not on PATH; run: {hint}")));
    }
    let guard = rustup::lock()?;
    let todo = missing(tc);
    if todo.is_empty() {
        return Ok(());
    }
    eprintln!(
        "harness: installing rust-std for {} into toolchain `{name}` (rustup target add) ...",
        todo.join(", ")
    );
    let mut args = vec!["target", "add", "--toolchain", name.as_str()];
    args.extend(&todo);
    guard
        .run_ok(&args, Duration::from_secs(900))
        .map_err(|e| e.context(format!("installing targets for toolchain `{name}`")))?;
    let still = missing(tc);
    if !still.is_empty() {
        return Err(Error::msg(format!(
            "rustup reported success but std is still missing for {} in {}",
            still.join(", "),
            tc.info.sysroot.display()
        )));
    }
    eprintln!("harness: installed rust-std for {}", todo.join(", "));
    Ok(())
}
