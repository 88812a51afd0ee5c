#!/usr/bin/env bash
# The toolchain-bump gate: install both toolchains (minimal, with the Windows targets),
# then `harness gate`. regressions.json, the sides' reports and repro bundles land under
# target/gate/. Exit 1 on any regression. Further arguments go to `harness gate`.
#   ci/gate.sh BASELINE CANDIDATE [--tier static ...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 2 ]; then
  echo "usage: ci/gate.sh BASELINE CANDIDATE [harness gate options]" >&2
  exit 2
fi
baseline="$1"
candidate="$2"
shift 2
for t in "$baseline" "$candidate"; do
  if ! [[ "$t" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
    echo "ci/gate.sh: \`$t\` is not a rustup toolchain name" >&2
    exit 2
  fi
  rustup toolchain install "$t" --profile minimal --no-self-update \
    --target arm64ec-pc-windows-msvc --target x86_64-pc-windows-msvc --target aarch64-pc-windows-msvc
done
exec cargo run --locked -p harness -- gate --baseline "$baseline" --candidate "$candidate" \
  --harness-dir target/gate "$@"
