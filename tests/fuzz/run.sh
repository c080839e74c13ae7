#!/bin/sh
# SPDX-License-Identifier: MIT
# Sync-layer fuzzing: builds the libFuzzer targets (clang, ASan + UBSan) in
# build/fuzz, replays the checked-in corpus and the reproducers of fixed
# bugs (tests/fuzz/repro/<target>: a regression fails here), then fuzzes
# each target.
#
#   tests/fuzz/run.sh SECONDS_PER_TARGET [--replay-only]
#
# `make fuzz` runs it with FUZZ_SECONDS (default 300); `make test` with 20.
# Exits non-zero on any crash, leak, hang (-timeout), or an input that makes
# a target exceed -rss_limit_mb. New inputs go to build/fuzz/corpus/<target>
# (never into the repository); crashes to build/fuzz/artifacts/.
# Needs clang and libclang-rt-dev (Debian: clang libclang-rt-14-dev).
set -eu
secs=${1:-300}
replay_only=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build/fuzz
CC=${CC:-clang}
command -v "$CC" >/dev/null || { echo "run.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$CC" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" >/dev/null

mkdir -p "$build/artifacts"
# 64 KiB inputs, 2 GiB of memory, 10 s per input, and no single allocation of
# 16 MiB or more: the targets' receivers accept worlds of at most 2^16 ids
# (FZ_MAX_ENTITIES in fuzz_common.h: <= 7.4 MB each), so a decoder that
# allocates beyond the caller's limit, or loops on hostile bytes, fails here.
opts="-max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=16 -timeout=10 -artifact_prefix=$build/artifacts/"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets="stream snapshot delta session session_seq net net_client net_seq net_client_seq"
for t in $targets; do
  seeds=$here/corpus/$t
  echo "== fuzz_$t: replaying $(ls "$seeds" | wc -l) checked-in inputs"
  "$build/fuzz_$t" $opts -runs=0 "$seeds" 2>"$build/replay_$t.log" || { cat "$build/replay_$t.log" >&2; exit 1; }
  repro=$here/repro/$t
  [ -d "$repro" ] || continue
  # every invariant on (SYNK_FUZZ_SKIP unset); SYNK_FUZZ_ZERO_KEY=1: fuzz_net_seq's
  # server takes the zero resume key if the library lets it (it must not:
  # bug 6's reproducer then forges a token that resumes)
  echo "== fuzz_$t: replaying $(ls "$repro" | wc -l) reproducers (tests/fuzz/repro/$t)"
  env -u SYNK_FUZZ_SKIP SYNK_FUZZ_ZERO_KEY=1 "$build/fuzz_$t" $opts -runs=0 "$repro" 2>"$build/repro_$t.log" ||
    { cat "$build/repro_$t.log" >&2; echo "run.sh: a reproducer of a fixed bug fails again (tests/fuzz/repro/README.md)" >&2; exit 1; }
done
[ "$replay_only" = "--replay-only" ] && { echo "run.sh: corpus and reproducer replay passed"; exit 0; }

for t in $targets; do
  work=$build/corpus/$t
  mkdir -p "$work"
  echo "== fuzz_$t: ${secs}s"
  "$build/fuzz_$t" $opts -max_total_time="$secs" -print_final_stats=1 "$work" "$here/corpus/$t" \
    2>"$build/fuzz_$t.log" || { tail -n 60 "$build/fuzz_$t.log" >&2; exit 1; }
  grep -E "stat::number_of_executed_units|cov:" "$build/fuzz_$t.log" | tail -n 2
done
echo "run.sh: all fuzz targets passed (${secs}s each)"
