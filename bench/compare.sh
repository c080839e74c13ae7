#!/bin/sh
# SPDX-License-Identifier: MIT
# Before/after: this build's synk_bench against the one of an earlier commit,
# on the same machine in the same session, runs alternated.
#
# usage: bench/compare.sh BUILD_DIR BASE_COMMIT [ROUNDS] [FILTER] [ISA]
#   BUILD_DIR    a release build of the current tree (its bench/synk_bench is "after")
#   BASE_COMMIT  any commit of this repository ("before"); its tree is exported with
#                git archive into BUILD_DIR/compare-<commit>/ and its release preset
#                built there (once: kept for later runs), never touching the work tree
#   ROUNDS       runs of each binary, alternated before/after (default 5)
#   FILTER       synk_bench --filter (default: the issue-12 motion and single-event cases)
#   ISA          backend (default avx2)
# Writes a markdown table on stdout: the median ns/op of each side over its
# runs, and before/after (above 1: faster now). Every run is
#   synk_bench --isa ISA --no-peers --epochs 11 --filter FILTER
# under `flock /tmp/synk-bench.lock`, the lock the machine's benchmark users
# share, so two engineers' benchmarks never overlap.
#
# This is the suite's before/after method (issue 12 item 6): the old code path
# is not kept in the library behind a switch; the previous commit is measured
# instead, interleaved with the current one, so a noisy host hits both sides.
set -eu
build=${1:?usage: compare.sh BUILD_DIR BASE_COMMIT [ROUNDS] [FILTER] [ISA]}
base=${2:?usage: compare.sh BUILD_DIR BASE_COMMIT [ROUNDS] [FILTER] [ISA]}
rounds=${3:-5}
filter=${4:-motion/single,prop/single,hash/entity,event/respawn,motion/batch/peer-,motion/batch/rand-1e4,motion/batch/rand-1e6,motion/batch/crowd}
isa=${5:-avx2}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
after=$build/bench/synk_bench
[ -x "$after" ] || { echo "compare.sh: $after not built" >&2; exit 2; }
sha=$(git -C "$root" rev-parse --short=10 "$base^{commit}")
src=$build/compare-$sha
before=$src/build/release/bench/synk_bench
if [ ! -x "$before" ]; then
  echo "compare.sh: building $sha in $src" >&2
  rm -rf "$src"
  mkdir -p "$src"
  git -C "$root" archive "$sha" | tar -x -C "$src"
  (cd "$src" && cmake --preset release > /dev/null && cmake --build --preset release -j2 --target synk_bench > /dev/null)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
r=1
while [ "$r" -le "$rounds" ]; do
  for side in before after; do
    eval "exe=\$$side"
    flock /tmp/synk-bench.lock "$exe" --isa "$isa" --no-peers --epochs 11 --filter "$filter" > "$tmp/$side.$r" 2>&1
    # rows of the results table: | `case` | isa | ns/op | ...
    awk -v s="$side" '/^\| `/ { split($0, f, "|"); c = f[2]; gsub(/[ `]/, "", c); v = f[4]; gsub(/ /, "", v);
      if (v ~ /^[0-9.]+$/ && !(c in seen)) { seen[c] = 1; print s, c, v } }' "$tmp/$side.$r" >> "$tmp/all"
  done
  r=$((r + 1))
done
echo "Before/after ($isa, ns/op, median of $rounds alternated runs each; before = \`$sha\`, after = this build):"
echo
echo "| case | before | after | before/after |"
echo "|:--|--:|--:|--:|"
sort -k2,2 -k1,1 -k3,3g "$tmp/all" | awk '
  function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function flush() {
    if (cur == "") return
    b = nb ? med(B, nb) : 0; a = na ? med(A, na) : 0
    printf "| `%s` | %s | %s | %s |\n", cur, nb ? sprintf("%.3f", b) : "-", na ? sprintf("%.3f", a) : "-",
           (nb && na && a > 0) ? sprintf("%.2fx", b / a) : "-"
  }
  { if ($2 != cur) { flush(); cur = $2; nb = 0; na = 0 }
    if ($1 == "before") B[++nb] = $3; else A[++na] = $3 }
  END { flush() }'
