#!/usr/bin/env bash
# Provision the Windows rehearsal under Wine (ci/rehearse-windows.sh): the Windows-hosted
# toolchain the rehearsal's harness.exe drives (1.95.0-x86_64-pc-windows-gnu, minimal profile,
# with the three Windows targets the harness needs of every toolchain), the Linux toolchain
# of the same release the Linux side runs with, and the x86_64-pc-windows-gnu target of the
# host toolchain that builds harness.exe. Wine and MinGW-w64 come from ci/setup-linux.sh.
# Idempotent: what is there is not installed again.
#   ci/setup-wine-rehearsal.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with WINDOWS_TOOLCHAIN and LINUX_TOOLCHAIN in ci/rehearse-windows.sh.
windows_toolchain=1.95.0-x86_64-pc-windows-gnu
linux_toolchain="1.95.0-$(rustc -vV | sed -n 's/^host: //p')"
targets=(arm64ec-pc-windows-msvc x86_64-pc-windows-msvc aarch64-pc-windows-msvc)

# Install toolchain $1 (its full name; minimal profile, the other arguments go to rustup)
# if missing, then add whichever of the targets it lacks.
provision() {
  local toolchain="$1"
  shift
  if ! rustup toolchain list | cut -d' ' -f1 | grep -qxF "$toolchain"; then
    echo "installing toolchain $toolchain (minimal profile, for the Wine rehearsal)"
    rustup toolchain install "$toolchain" --profile minimal "$@" >/dev/null
  fi
  local installed missing=()
  installed="$(rustup target list --installed --toolchain "$toolchain")"
  for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("$t")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "adding ${missing[*]} to $toolchain"
    rustup target add --toolchain "$toolchain" "${missing[@]}" >/dev/null
  fi
}
provision "$windows_toolchain" --force-non-host
provision "$linux_toolchain"

# harness.exe itself is built by the host toolchain for windows-gnu (MinGW-w64 links it).
if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  echo "adding x86_64-pc-windows-gnu to the host toolchain"
  rustup target add x86_64-pc-windows-gnu >/dev/null
fi
echo "wine rehearsal: $windows_toolchain and $linux_toolchain with ${targets[*]}; x86_64-pc-windows-gnu for the host toolchain"
