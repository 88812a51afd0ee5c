#!/usr/bin/env bash
# Fuzz the object reader and verifier for a bounded time (default 120 s), seeded with real
# Arm64EC objects from the sysroot and the test fixtures. Needs the nightly toolchain and
# cargo-fuzz (installed here when missing). A crash leaves its input under
# harness/fuzz/artifacts/object_reader/ and fails the script.
#   ci/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../harness/fuzz"
secs="${1:-120}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
corpus=corpus/object_reader
mkdir -p "$corpus"
if [ -z "$(ls -A "$corpus")" ]; then
  # Seed: the test fixture compiled for the three targets, and the sysroot's
  # compiler_builtins objects (LLVM- and MSVC-built) when an llvm-ar can split them out.
  for t in arm64ec-pc-windows-msvc x86_64-pc-windows-msvc aarch64-pc-windows-msvc; do
    rustc --crate-type=rlib --emit=obj -O --target "$t" -o "$corpus/seed-$t.o" ../tests/objects/rich.rs || true
  done
  ar_tool="$(command -v llvm-ar-22 || command -v llvm-ar || true)"
  sysroot="$(rustc --print sysroot)/lib/rustlib/arm64ec-pc-windows-msvc/lib"
  if [ -n "$ar_tool" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && "$ar_tool" x "$sysroot"/libcompiler_builtins-*.rlib) || true
    i=0
    while IFS= read -r -d '' f; do
      [ "$(stat -c %s "$f")" -le 262144 ] || continue
      cp "$f" "$corpus/seed-$i"; i=$((i + 1))
      [ "$i" -lt 200 ] || break
    done < <(find "$tmp" -type f -print0)
    rm -rf "$tmp"
  fi
fi
exec cargo +nightly fuzz run object_reader "$corpus" -- -max_total_time="$secs" -max_len=262144 -rss_limit_mb=4096
