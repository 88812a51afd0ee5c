#!/usr/bin/env bash
# The Windows rehearsal under Wine: build the harness for x86_64-pc-windows-gnu (MinGW-w64
# links it), run it under Wine with the Windows-hosted toolchain over the cases listed in
# ci/wine-rehearsal.cases, run the Linux build over the same cases, and fail on any status
# that differs, on a harness that crashes under Wine, on a process a timeout left running
# and on a Unix path in the Windows report (harness/tests/wine_rehearsal.rs). Provisioning
# is ci/setup-wine-rehearsal.sh (and ci/setup-linux.sh for Wine and MinGW-w64).
#   ci/rehearse-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with ci/setup-wine-rehearsal.sh.
WINDOWS_TOOLCHAIN=1.95.0-x86_64-pc-windows-gnu
LINUX_TOOLCHAIN=1.95.0

rustc_exe="$(rustup show home)/toolchains/$WINDOWS_TOOLCHAIN/bin/rustc.exe"
if [ ! -f "$rustc_exe" ]; then
  echo "ci/rehearse-windows.sh: $rustc_exe is missing; run ci/setup-wine-rehearsal.sh" >&2
  exit 2
fi
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked -p harness --bin harness --target x86_64-pc-windows-gnu
export HARNESS_WINDOWS_EXE="$target_dir/x86_64-pc-windows-gnu/debug/harness.exe"
export HARNESS_WINDOWS_RUSTC="$rustc_exe"
export HARNESS_LINUX_TOOLCHAIN="$LINUX_TOOLCHAIN"
# Bounded: each side's run has its own limit in the test; this bounds the whole.
timeout 1200 cargo test --locked -p harness --test wine_rehearsal -- --include-ignored --nocapture --test-threads 1
