#!/usr/bin/env bash
# The main job for CI: `harness run` with its report, JUnit XML and a repro bundle per
# failing case under target/ci/ (what workflows upload). Under GitHub Actions the harness
# also prints annotations and a step summary. Arguments go to `harness run`.
#   ci/conformance.sh [--tier static --tier link] [--toolchain T]
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/ci
mkdir -p "$out"
exec cargo run --locked -p harness -- run --harness-dir "$out" --junit "$out/junit.xml" "$@"
