#!/usr/bin/env bash
# Throughput of `harness inspect`'s object reader (release build): parses every COFF member
# of the arm64ec sysroot's rlibs, or the files given as arguments, and prints MB/s.
#   ci/bench-inspect.sh [FILE.o|LIB.rlib ...]
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add arm64ec-pc-windows-msvc >/dev/null 2>&1 || true
exec cargo bench -p harness --bench inspect -- "$@"
