#!/usr/bin/env bash
# Prepare a Windows on ARM64 machine (the GitHub `windows-11-arm` runner, under Git Bash):
# rustup with the stable toolchain if the image lacks it, and the Windows targets' std.
# MSVC comes from Visual Studio: the harness finds it itself and reports cases that need
# it as ignored, with the component to install, when the ARM64EC build tools are absent.
#   ci/setup-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rustup >/dev/null 2>&1; then
  init="${RUNNER_TEMP:-$TEMP}/rustup-init.exe"
  curl -fsSL --proto '=https' --tlsv1.2 -o "$init" \
    https://static.rust-lang.org/rustup/dist/aarch64-pc-windows-msvc/rustup-init.exe
  "$init" -y --profile minimal --default-toolchain stable
  cargo_bin="$USERPROFILE\\.cargo\\bin"
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$cargo_bin" >>"$GITHUB_PATH"; fi
  PATH="$(cygpath -u "$cargo_bin"):$PATH"
fi

rustup target add arm64ec-pc-windows-msvc x86_64-pc-windows-msvc aarch64-pc-windows-msvc
rustc -vV
