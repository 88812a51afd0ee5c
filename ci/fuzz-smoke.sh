#!/usr/bin/env bash
# The CI's bounded fuzz run: both fuzz targets for FUZZ_SECONDS (default 60) each, only
# where a nightly toolchain is installed (cargo-fuzz is installed when missing). Elsewhere
# it says why it did nothing. Long runs: ci/fuzz.sh SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz smoke run skipped: no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
exec ci/fuzz.sh "${FUZZ_SECONDS:-60}" object_reader image_reader
