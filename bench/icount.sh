#!/bin/sh
# SPDX-License-Identifier: MIT
# Deterministic instruction counts of the key benchmark cases (SYNK_BENCH_KEY
# in bench/cases.c) under valgrind's callgrind, per operation, for the scalar
# and avx2 backends. (valgrind cannot run AVX-512 code: the backend is forced
# with SYNK_ISA and --isa, and valgrind's virtual CPU reports no AVX-512.)
#
# The counted binary is synk_icount (bench/icount_main.c): the case registry
# built without any peer library, linked with libsynk, libc and libm only (this
# script checks its dynamic section), so no peer's load-time code runs under
# valgrind. It wraps N runs of each key case -- exactly the harness's timed
# region -- in CALLGRIND_TOGGLE_COLLECT and dumps the counts with the case name.
#
# usage: icount.sh --check  SYNK_ICOUNT CONFIG BASELINE [REPORT.md]
#        icount.sh --update SYNK_ICOUNT CONFIG BASELINE
#        icount.sh --report SYNK_ICOUNT CONFIG BASELINE REPORT.md   (never fails on a regression)
#   CONFIG   compiler-version-buildtype of this build, e.g. GNU-12.2.0-Release
#            (instruction counts depend on the compiler: a build whose config
#            differs from the baseline's is skipped, not compared)
# --check exits 1 when a key case needs more than 3% more instructions per
# operation than the baseline, or when a case fails; 77 (ctest
# SKIP_RETURN_CODE), with the reason on stdout, when valgrind is missing, the
# build uses sanitizers, the baseline is for another config, or valgrind
# cannot execute the counted code on this CPU (the run dies of SIGILL or an
# unrecognised instruction under valgrind while the same run succeeds natively).
# SYNK_ICOUNT_VALGRIND names the valgrind to run (default: valgrind; the tests
# substitute one that fails as an unsupported CPU does).
#
# Updating the baseline on purpose (a change that legitimately costs or saves
# instructions): build the release preset with the baseline's compiler, run
#   bench/icount.sh --update build/release/bench/synk_icount GNU-12.2.0-Release bench/icount-baseline.txt
# (or `make bench`, which prints the same comparison), review the diff of
# bench/icount-baseline.txt and commit it with the change, saying why.
set -eu
THRESHOLD_PCT=3

mode=${1:-}
exe=${2:-}
config=${3:-}
baseline=${4:-}
report=${5:-}
case "$mode" in --check|--update|--report) ;; *)
  sed -n '3,33p' "$0" >&2; exit 2 ;;
esac
[ -n "$exe" ] && [ -n "$config" ] && [ -n "$baseline" ] || { echo "icount.sh: missing arguments" >&2; exit 2; }
valgrind=${SYNK_ICOUNT_VALGRIND:-valgrind}

skip() {
  echo "SKIP: $*"
  if [ -n "$report" ]; then printf 'Instruction counts not measured: %s.\n' "$*" > "$report"; fi
  exit 77
}

command -v "$valgrind" >/dev/null 2>&1 || skip "valgrind is not installed (apt-get install valgrind)"
case "$config" in *-sanitize) skip "sanitizer build (valgrind and ASan do not mix)" ;; esac
base_config=""
[ -f "$baseline" ] && base_config=$(sed -n 's/^# config: //p' "$baseline" | head -1)
if [ "$mode" != --update ] && [ "$base_config" != "$config" ]; then
  skip "the baseline is for ${base_config:-nothing}, this build is $config"
fi

# The counted binary must load nothing but libsynk and the C library: a peer
# library's static initializer must not decide whether the gate runs.
if command -v readelf >/dev/null 2>&1; then
  needed=$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  for lib in $needed; do
    case "$lib" in libc.so.*|libm.so.*|ld-linux*|libsynk.so*) ;; *)
      echo "FAIL: $exe loads $lib: the counted binary must link libsynk, libc and libm only"
      exit 1 ;;
    esac
  done
fi

# A run that valgrind could not execute on this CPU, as opposed to a failing case.
unsupported() {
  grep -q -e 'unhandled instruction bytes' -e 'Unrecognised instruction' -e 'signal 4 (SIGILL)' "$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
native=$("$exe" --list-isas)
: > "$tmp/current.txt"
for isa in scalar avx2; do
  echo "$native" | grep -qx "$isa" || { echo "note: backend $isa not runnable here, not counted"; continue; }
  if ! SYNK_ISA=$isa "$valgrind" --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/$isa.out" \
      "$exe" --isa "$isa" > "$tmp/$isa.list" 2> "$tmp/$isa.err"; then
    if unsupported "$tmp/$isa.err" && SYNK_ISA=$isa "$exe" --isa "$isa" > /dev/null 2> "$tmp/$isa.native"; then
      cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
      what=$(grep -m1 -e 'unhandled instruction bytes' -e 'Unrecognised instruction' -e 'SIGILL' "$tmp/$isa.err" \
             | sed 's/^==[0-9]*== //')
      skip "$("$valgrind" --version 2>/dev/null || echo valgrind) cannot execute the counted code ($isa backend) on this CPU (${cpu:-unknown}): $what; the same run succeeds natively, so the gate is not applicable on this host"
    fi
    echo "FAIL: synk_icount --isa $isa under callgrind:"
    tail -20 "$tmp/$isa.err"
    exit 1
  fi
  k=1
  while [ -f "$tmp/$isa.out.$k" ]; do
    f="$tmp/$isa.out.$k"
    k=$((k + 1))
    label=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
    ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f")
    [ -n "$label" ] && [ -n "$ir" ] || continue
    name=${label%@*}
    ops=$(awk -v n="$name" '$1 == "icount" && $2 == n { print $4 }' "$tmp/$isa.list")
    [ -n "$ops" ] || continue
    awk -v n="$name" -v i="$isa" -v ir="$ir" -v ops="$ops" 'BEGIN { printf "%s %s %.2f\n", n, i, ir / ops }' \
      >> "$tmp/current.txt"
  done
done
[ -s "$tmp/current.txt" ] || { echo "FAIL: no instruction counts collected"; exit 1; }

if [ "$mode" = --update ]; then
  {
    echo "# synk instruction-count baseline: instructions per operation of the key benchmark cases,"
    echo "# counted by callgrind around the timed region (bench/icount.sh). make test fails when a"
    echo "# case exceeds its value by more than ${THRESHOLD_PCT}%. Regenerate on purpose only:"
    echo "#   bench/icount.sh --update build/release/bench/synk_icount $config bench/icount-baseline.txt"
    echo "# config: $config"
    echo "# case isa instructions_per_op"
    cat "$tmp/current.txt"
  } > "$baseline"
  echo "icount: baseline written to $baseline ($(wc -l < "$tmp/current.txt") entries, config $config)"
  cat "$tmp/current.txt"
  exit 0
fi

# compare: markdown table on stdout (and in the report), exit 1 on a regression
out="$tmp/table.md"
grep -v '^#' "$baseline" | awk -v thr="$THRESHOLD_PCT" -v mode="$mode" '
  NR == FNR { base[$1 " " $2] = $3; next }
  {
    key = $1 " " $2; cur = $3
    if (!(key in base)) { printf "| `%s` | %s | - | %.2f | - | new: no baseline yet |\n", $1, $2, cur; next }
    b = base[key]; ch = b > 0 ? 100 * (cur - b) / b : 0
    st = "ok"
    if (ch > thr) { st = "**REGRESSION** (> " thr "%)"; bad++ }
    else if (ch < -thr) st = "improved: update the baseline"
    printf "| `%s` | %s | %.2f | %.2f | %+.2f%% | %s |\n", $1, $2, b, cur, ch, st
    seen[key] = 1
  }
  END {
    for (k in base) if (!(k in seen)) { split(k, p, " "); printf "| `%s` | %s | %.2f | - | - | not measured |\n", p[1], p[2], base[k] }
    exit bad > 0 ? 1 : 0
  }' /dev/stdin "$tmp/current.txt" > "$tmp/rows.md" && rc=0 || rc=$?
{
  echo "Instructions per operation under callgrind (deterministic; config $config; gate: +${THRESHOLD_PCT}%)."
  echo
  echo "| case | isa | baseline | this build | change | status |"
  echo "|:--|:--|--:|--:|--:|:--|"
  cat "$tmp/rows.md"
} > "$out"
n=$(wc -l < "$tmp/rows.md")
nbad=$(grep -c REGRESSION "$tmp/rows.md" || true)
status="icount: $((n - nbad)) passed, $nbad failed"
echo >> "$out"
echo "$status" >> "$out"
cat "$out"
if [ -n "$report" ]; then cp "$out" "$report"; fi
if [ "$rc" -ne 0 ] && [ "$mode" = --check ]; then
  echo "icount: $nbad of $n key cases need more than ${THRESHOLD_PCT}% more instructions than the baseline."
  echo "If that is intended, update the baseline on purpose (see the header of bench/icount.sh)."
  exit 1
fi
exit 0
