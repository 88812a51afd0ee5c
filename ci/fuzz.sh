#!/usr/bin/env bash
# Fuzz the readers and verifiers with cargo-fuzz for a bounded time: SECONDS (default 120)
# for each target named (default both). Needs the nightly toolchain and cargo-fuzz
# (installed here when missing).
#   object_reader  COFF objects and archives; seeded with objects rustc compiles from the
#                  test fixture and the sysroot's compiler_builtins members
#   image_reader   linked PE images (Arm64EC, Arm64X); seeded with the suites' linked
#                  images checked in under harness/fuzz/seeds/image_reader/
# A crash (or an input that takes over 20 s) leaves its input under
# harness/fuzz/artifacts/TARGET/ and fails the script; the corpus grows under
# harness/fuzz/corpus/TARGET/ and is reused by the next run.
# FUZZ_SANITIZER (default none: the readers are safe Rust, and without AddressSanitizer
# several times more inputs run per second) is passed to `cargo fuzz -s`, e.g. address.
#   ci/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../harness/fuzz"
secs="${1:-120}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(object_reader image_reader)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

seed_objects() {
  local corpus="$1"
  # The test fixture compiled for the three targets, and the sysroot's compiler_builtins
  # objects (LLVM- and MSVC-built) when an llvm-ar can split them out.
  for t in arm64ec-pc-windows-msvc x86_64-pc-windows-msvc aarch64-pc-windows-msvc; do
    rustc --crate-type=rlib --emit=obj -O --target "$t" -o "$corpus/seed-$t.o" ../tests/objects/rich.rs || true
  done
  local ar_tool sysroot tmp i=0
  ar_tool="$(command -v llvm-ar-22 || command -v llvm-ar || true)"
  sysroot="$(rustc --print sysroot)/lib/rustlib/arm64ec-pc-windows-msvc/lib"
  [ -n "$ar_tool" ] || return 0
  tmp="$(mktemp -d)"
  (cd "$tmp" && "$ar_tool" x "$sysroot"/libcompiler_builtins-*.rlib) || true
  while IFS= read -r -d '' f; do
    [ "$(stat -c %s "$f")" -le 262144 ] || continue
    cp "$f" "$corpus/seed-$i"; i=$((i + 1))
    [ "$i" -lt 200 ] || break
  done < <(find "$tmp" -type f -print0)
  rm -rf "$tmp"
}

seed_images() {
  cp seeds/image_reader/* "$1/"
}

for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  if [ -z "$(ls -A "$corpus")" ]; then
    case "$target" in
      object_reader) seed_objects "$corpus" ;;
      image_reader) seed_images "$corpus" ;;
      *) echo "ci/fuzz.sh: unknown target \`$target\` (object_reader, image_reader)" >&2; exit 2 ;;
    esac
  fi
  echo "fuzzing $target for ${secs}s (corpus $corpus)"
  cargo +nightly fuzz run -s "${FUZZ_SANITIZER:-none}" "$target" "$corpus" -- \
    -max_total_time="$secs" -max_len=262144 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
done
