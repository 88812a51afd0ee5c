#!/usr/bin/env bash
# Per-function cost of the ABI matrix against abi-cafe on the same signatures, on this host,
# in one run: the abi suite's signatures are exported as KDLScript (`harness matrix-export`),
# then each round times, cold (fresh directories, no build cache), abi-cafe on those tests
# and `harness run` on the matrix's host pairings, one after the other. Prints every round,
# then for both: functions checked, wall seconds, wall and CPU (user + system, every process
# waited for) milliseconds per function checked, min and median over the rounds; and the
# ratio of the per-function wall costs.
#   ci/bench-matrix.sh [ROUNDS]              (default 5 timed rounds, after 1 untimed)
#
# Environment:
#   ABI_CAFE      the abi-cafe binary. Unset: target/bench-tools/bin/abi-cafe, installed
#                 there first with `cargo install --git` at the pinned revision below.
#   ABI_CAFE_CC   the C compiler abi-cafe's `cc` toolchain runs (as CC). Default: the one the
#                 harness ran for its C side in the untimed round, so both use one compiler.
#   BENCH_FILES   KDL files the functions are split into (default: the number of cores).
#                 abi-cafe builds each file as a test of its own (caller, then callee, then
#                 the link), tests in parallel: on a 2-core host the 518 functions took
#                 3.5 s in 1 file, 2.0 s in 2, 2.9 s in 5, 5.6 s in 17, 9.6 s in 33.
#   BENCH_DIR     working directory (default target/bench-matrix), emptied first if this
#                 script made it; every round's logs and reports stay there (the builds
#                 are removed after each run).
#
# What each side does:
#   harness   `run --exact abi::rust-host-to-c-host abi::c-host-to-rust-host
#             --harness-dir <fresh> --no-provision` (release build): both host pairings,
#             every function of the battery and the .sigs files, values compared byte by
#             byte. Functions checked: `matrix.run_checked` of both cases in report.json.
#   abi-cafe  `--disable-builtin-tests --add-tests <kdl> --disable-builtin-rules
#             --toolchains rustc,cc --pairs rustc_calls_cc,cc_calls_rustc --conventions c
#             --reprs c --gen-vals graffiti --write-vals harness --output-format json`, from a
#             fresh working directory (abi-cafe builds under ./target). Why these flags:
#             only the exported tests and no expectation rules; Rust calling C and C calling
#             Rust, the two pairings the harness runs (not rustc_calls_rustc, cc_calls_cc);
#             extern "C" and repr(C), which is what the matrix generates (abi-cafe's default
#             also tries the Rust convention and repr(Rust), which C cannot express, and the
#             Windows-only conventions); one set of graffiti values like the matrix's; the
#             harness writer, the only one abi-cafe checks. Functions checked: the subtests
#             of every test that reached abi-cafe's check phase.
#   Each tool keeps its own optimisation levels (harness: rustc -C opt-level=2, C at -O2;
#   abi-cafe: rustc and C at -O0). Variadic functions are not exported (KDLScript has
#   none), so the harness checks a few functions more (the variadic ones, Rust calling C);
#   costs are per function checked.
set -euo pipefail
cd "$(dirname "$0")/.."

# abi-cafe's revision the numbers were taken with (its release 1.1.0 plus documentation).
readonly ABI_CAFE_REV=94d38030419eb00a1ba80e5e2b4d763dcee58db4
readonly ABI_CAFE_GIT=https://github.com/Gankra/abi-cafe

rounds=${1:-5}
case $rounds in '' | *[!0-9]* | 0) echo "usage: ci/bench-matrix.sh [ROUNDS>0]" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "bench-matrix: python3 is needed to read the JSON reports" >&2; exit 2; }

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
work=${BENCH_DIR:-$target_dir/bench-matrix}
files=${BENCH_FILES:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}

# --- abi-cafe ------------------------------------------------------------------------------
if [ -n "${ABI_CAFE:-}" ]; then
  abi_cafe=$ABI_CAFE
  case $abi_cafe in */*) ;; *) abi_cafe=$(command -v "$abi_cafe" || echo "$abi_cafe") ;; esac
else
  abi_cafe=$target_dir/bench-tools/bin/abi-cafe
  if [ ! -x "$abi_cafe" ]; then
    echo "bench-matrix: installing abi-cafe $ABI_CAFE_REV into $target_dir/bench-tools" >&2
    if ! cargo install --locked --git "$ABI_CAFE_GIT" --rev "$ABI_CAFE_REV" \
      --root "$target_dir/bench-tools" abi-cafe; then
      echo "bench-matrix: cannot install abi-cafe from $ABI_CAFE_GIT (rev $ABI_CAFE_REV)." >&2
      echo "  Build it from a copy of that revision (cargo build --release) and set" >&2
      echo "  ABI_CAFE=/path/to/abi-cafe." >&2
      exit 1
    fi
  fi
fi
[ -x "$abi_cafe" ] || { echo "bench-matrix: abi-cafe not executable: $abi_cafe" >&2; exit 1; }
abi_cafe=$(cd "$(dirname "$abi_cafe")" && pwd)/$(basename "$abi_cafe")

# --- harness and the export ----------------------------------------------------------------
cargo build --release --locked -p harness --bin harness >&2
harness=$target_dir/release/harness
[ -x "$harness" ] || harness=$harness.exe

# Only a directory this script made (it holds the marker) is emptied.
if [ -e "$work" ] && [ ! -e "$work/.bench-matrix" ] && [ -n "$(ls -A "$work")" ]; then
  echo "bench-matrix: $work exists and was not made by this script; set BENCH_DIR" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
: >"$work/.bench-matrix"
export_line=$("$harness" matrix-export --kdl "$work/kdl" --files "$files" 2>"$work/export.log")
echo "bench-matrix: $export_line ($(grep -c '^skipped ' "$work/export.log" || true) left out: variadic)"

# --- one cold run of each tool ---------------------------------------------------------------
# run_harness DIR: prints "WALL CPU CHECKED PASSED EXIT" (seconds; CPU: user + system of
# every process waited for).
run_harness() {
  local dir=$1 code=0 TIMEFORMAT='%3R %3U %3S'
  mkdir -p "$dir"
  { time "$harness" run --exact abi::rust-host-to-c-host abi::c-host-to-rust-host \
    --harness-dir "$dir" --no-provision >"$dir/stdout.log" 2>&1; } 2>"$dir/time.txt" || code=$?
  python3 - "$dir/report.json" "$dir/time.txt" "$code" <<'PY'
import json, sys
path, times, code = sys.argv[1:]
wall, user, system = map(float, open(times).read().split()[-3:])
try:
    cases = json.load(open(path))["cases"]
except (OSError, ValueError, KeyError):
    cases = []
m = [c.get("matrix") or {} for c in cases]
checked = sum(x.get("run_checked", 0) for x in m)
passed = sum(x.get("passed", 0) for x in m)
print(f"{wall:.3f} {user + system:.3f} {checked} {passed} {code}")
PY
  rm -rf "$dir/build" "$dir/probe"
}

# run_abi_cafe DIR: prints "WALL CPU CHECKED PASSED EXIT", as run_harness.
run_abi_cafe() {
  local dir=$1 code=0 TIMEFORMAT='%3R %3U %3S'
  mkdir -p "$dir"
  { time (cd "$dir" && CC=$cc "$abi_cafe" --disable-builtin-tests --add-tests "$work/kdl" \
    --disable-builtin-rules --toolchains rustc,cc --pairs rustc_calls_cc,cc_calls_rustc \
    --conventions c --reprs c --gen-vals graffiti --write-vals harness \
    --output-format json >out.json 2>stderr.log); } 2>"$dir/time.txt" || code=$?
  python3 - "$dir/out.json" "$dir/time.txt" "$code" <<'PY'
import json, sys
path, times, code = sys.argv[1:]
wall, user, system = map(float, open(times).read().split()[-3:])
try:
    tests = json.load(open(path))["tests"]
except (OSError, ValueError, KeyError):
    tests = []
checked = passed = 0
for t in tests:
    check = (t.get("results") or {}).get("check") or {}
    subs = check.get("subtest_checks") or []
    checked += len(subs)
    passed += sum(1 for s in subs if "Ok" in (s.get("result") or {}))
print(f"{wall:.3f} {user + system:.3f} {checked} {passed} {code}")
PY
  rm -rf "$dir/target"
}

# The untimed round: warms the file cache for both, and names the harness's C compiler.
read -r _ _ h_checked _ h_code < <(run_harness "$work/warmup/harness")
if [ -n "${ABI_CAFE_CC:-}" ]; then
  cc=$ABI_CAFE_CC
else
  cc=$(python3 - "$work/warmup/harness/report.json" <<'PY'
import json, sys
for case in json.load(open(sys.argv[1]))["cases"]:
    for phase in case.get("phases", []):
        for cmd in phase.get("commands", []):
            argv = cmd.get("argv", [])
            if argv and argv[-1] == "other.c":
                print(argv[0])
                sys.exit(0)
print("cc")
PY
)
fi
if [ "${h_checked:-0}" = 0 ]; then
  echo "bench-matrix: the harness checked no function (exit $h_code); see $work/warmup/harness/stdout.log" >&2
  exit 1
fi
read -r _ _ a_checked _ a_code < <(run_abi_cafe "$work/warmup/abi-cafe")
if [ "${a_checked:-0}" = 0 ]; then
  echo "bench-matrix: abi-cafe checked no function (exit $a_code); see $work/warmup/abi-cafe/stderr.log" >&2
  exit 1
fi
echo "bench-matrix: C compiler for both: $cc; $files KDL file(s); $rounds timed round(s) after 1 untimed"

# --- timed rounds, the tools in turn ----------------------------------------------------------
: >"$work/rounds.txt"
for i in $(seq 1 "$rounds"); do
  read -r a_s a_cpu a_checked a_passed a_code < <(run_abi_cafe "$work/round-$i/abi-cafe")
  read -r h_s h_cpu h_checked h_passed h_code < <(run_harness "$work/round-$i/harness")
  echo "$a_s $a_cpu $a_checked $a_passed $a_code $h_s $h_cpu $h_checked $h_passed $h_code" >>"$work/rounds.txt"
  printf 'round %d: abi-cafe %.2f s (cpu %.2f s), %d checked, %d passed, exit %d; harness %.2f s (cpu %.2f s), %d checked, %d passed, exit %d\n' \
    "$i" "$a_s" "$a_cpu" "$a_checked" "$a_passed" "$a_code" "$h_s" "$h_cpu" "$h_checked" "$h_passed" "$h_code"
done

python3 - "$work/rounds.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
tools = {"abi-cafe": [r[0:5] for r in rows], "harness": [r[5:10] for r in rows]}
def per_fn(s, n):
    return 1000 * s / n if n else float("inf")
def mm(xs):
    return f"{min(xs):8.2f} {statistics.median(xs):8.2f}"
print()
print(f"{'':9} {'functions':>9} | {'wall s':>17} | {'ms per function':>17} | {'cpu ms per function':>19}")
print(f"{'':9} {'checked':>9} | {'min':>8} {'median':>8} | {'min':>8} {'median':>8} | {'min':>9} {'median':>9}")
fn = {}
for name, rs in tools.items():
    checked = "/".join(str(int(x)) for x in sorted({r[2] for r in rs}))
    fn[name] = [per_fn(r[0], r[2]) for r in rs]
    cpu = [per_fn(r[1], r[2]) for r in rs]
    print(f"{name:9} {checked:>9} | {mm([r[0] for r in rs])} | {mm(fn[name])} | "
          f"{min(cpu):9.2f} {statistics.median(cpu):9.2f}")
ratios = [a / h for a, h in zip(fn["abi-cafe"], fn["harness"])]
print(f"wall per function, abi-cafe / harness: median {statistics.median(ratios):.2f}x "
      f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x; each round's pair, {len(rows)} round(s))")
bad = [i + 1 for i, r in enumerate(rows) if r[4] or r[9] or r[3] != r[2] or r[8] != r[7]]
if bad:
    print(f"note: round(s) {bad} had a failed check or a non-zero exit: see the logs in their directories")
PY
