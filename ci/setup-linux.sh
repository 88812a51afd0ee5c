#!/usr/bin/env bash
# Everything any test or tier needs on a Debian or Ubuntu machine that is missing, so that
# `.ci/run` and every workflow job see the same machine:
#   - LLVM 22 (clang-cl /arm64EC for C fixtures, lld-link, the llvm tools the tests
#     cross-check with), Wine and MinGW-w64 (Wine controls), cmake (the emulator crate builds
#     unicorn's C core; bindgen uses clang-22's libclang), shellcheck (the CI scripts' lint);
#   - for the default toolchain: the Windows targets' std, rustfmt and clippy;
#   - the older toolchains the gate, bisect and sysroot tests compare against (1.85.0,
#     1.93.0: minimal profile with the Windows MSVC targets);
#   - the Windows rehearsal's toolchains (ci/setup-wine-rehearsal.sh).
# Idempotent: nothing already there is installed again. rustup runs one call at a time.
#   ci/setup-linux.sh
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for tool in clang-cl-22 lld-link-22 llvm-readobj-22 llvm-objdump-22; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing clang-22 lld-22 llvm-22 (missing: ${missing[*]})"
  as_root apt-get update -qq
  if ! apt-cache show clang-22 >/dev/null 2>&1; then
    # Not in this distribution's archive (Ubuntu): LLVM's own apt repository.
    codename="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')"
    if [ -z "$codename" ]; then
      echo "ci/setup-linux.sh: no VERSION_CODENAME in /etc/os-release; install clang-22, lld-22 and llvm-22 by hand" >&2
      exit 1
    fi
    curl -fsSL https://apt.llvm.org/llvm-snapshot.gpg.key \
      | as_root gpg --dearmor --yes -o /usr/share/keyrings/apt.llvm.org.gpg
    echo "deb [signed-by=/usr/share/keyrings/apt.llvm.org.gpg] https://apt.llvm.org/${codename}/ llvm-toolchain-${codename}-22 main" \
      | as_root tee /etc/apt/sources.list.d/llvm-22.list >/dev/null
    as_root apt-get update -qq
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-22 lld-22 llvm-22 >/dev/null
fi

# Wine and MinGW-w64 for the Wine controls (x64 Windows builds of portable run fixtures).
wine_missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || wine_missing+=(gcc-mingw-w64-x86-64)
if ! command -v wine64 >/dev/null 2>&1 && [ ! -x /usr/lib/wine/wine64 ] && ! command -v wine >/dev/null 2>&1; then
  wine_missing+=(wine64 wine)
fi
if [ "${#wine_missing[@]}" -gt 0 ]; then
  echo "installing ${wine_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wine_missing[@]}" >/dev/null
fi

other_missing=()
command -v cmake >/dev/null 2>&1 || other_missing+=(cmake)
command -v shellcheck >/dev/null 2>&1 || other_missing+=(shellcheck)
if [ "${#other_missing[@]}" -gt 0 ]; then
  echo "installing ${other_missing[*]} (missing)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${other_missing[@]}" >/dev/null
fi

msvc_targets=(arm64ec-pc-windows-msvc x86_64-pc-windows-msvc aarch64-pc-windows-msvc)
# The default toolchain: every Windows target (windows-gnu for the Wine controls) and the
# components `.ci/run` lints with.
rustup target add "${msvc_targets[@]}" x86_64-pc-windows-gnu
rustup component add rustfmt clippy

# Older releases the tests gate and bisect against.
installed="$(rustup toolchain list)"
for old in 1.85.0 1.93.0; do
  if ! grep -q "^$old-" <<<"$installed"; then
    echo "installing toolchain $old (minimal, with the Windows MSVC targets)"
    rustup toolchain install "$old" --profile minimal --no-self-update
  fi
  rustup target add --toolchain "$old" "${msvc_targets[@]}"
done

# The Windows-hosted toolchain the Wine rehearsal's harness.exe drives (ci/rehearse-windows.sh).
ci/setup-wine-rehearsal.sh
