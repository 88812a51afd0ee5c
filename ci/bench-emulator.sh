#!/usr/bin/env bash
# Time the Arm64EC emulator (release build) on one ABI-matrix pairing: builds the binary,
# builds the pairing with the harness unless its build directory is given, runs it and
# prints the total time and the cost per call. Needs what the pairing needs (LLVM 22's
# clang-cl and lld-link) and cmake for unicorn.
#   ci/bench-emulator.sh [PAIRING] [BUILD_DIR]      (default pairing: rust-x64-to-rust-ec)
set -euo pipefail
cd "$(dirname "$0")/.."
pairing="${1:-rust-x64-to-rust-ec}"
dir="${2:-}"
cargo build --release --locked -p arm64ec-emu
emu=target/release/arm64ec-emu
if [ -z "$dir" ]; then
  h=target/bench-emulator
  # Expected failures are fine here; only the linked image matters.
  cargo run --release --locked -q -p harness -- run --exact --harness-dir "$h" "abi::$pairing" >/dev/null || true
  dir="$(sed -n 's/.*"dir": *"\([^"]*\)".*/\1/p' "$h/report.json" | head -n 1)"
fi
if [ ! -f "$dir/matrix.exe" ] || [ ! -f "$dir/matrix.map" ]; then
  echo "bench-emulator: no matrix.exe and matrix.map in '$dir'" >&2
  exit 1
fi
# The functions in run order are the arms of abi_run, in whichever source defines it.
count="$(cat "$dir"/driver.rs "$dir"/other.* 2>/dev/null | grep -cE '^ +([0-9]+ =>|case [0-9]+u:) call_')"
caller=ec
case "$pairing" in *-x64-to-*) caller=x64 ;; esac
echo "pairing $pairing: $count functions, caller on the $caller CPU, image $dir/matrix.exe"
start="$(date +%s%N)"
"$emu" run-matrix --image "$dir/matrix.exe" --map "$dir/matrix.map" --pairing "$pairing" \
  --count "$count" --caller "$caller" --stats >/dev/null
end="$(date +%s%N)"
total_us=$(((end - start) / 1000))
echo "total $((total_us / 1000)) ms for $count calls (process start to exit): $((total_us / count)) us per call"
