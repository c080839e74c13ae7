#!/bin/sh
# SPDX-License-Identifier: MIT
# `synk sim` determinism: every native backend must print the same final hash
# for the same scenario, and the same backend twice the same hash.
# usage: sim_check.sh SYNK_SIM SYNK_BENCH
set -eu
sim=$1
bench=$2
args="--seed 7 --ticks 60 --entities 20000 --props 3 --verify-every 20"
first=""
for isa in $("$bench" --list-isas); do
  h=$("$sim" $args --isa "$isa")
  h2=$("$sim" $args --isa "$isa")
  echo "sim $isa: $h"
  [ "$h" = "$h2" ] || { echo "FAIL: $isa is not repeatable ($h vs $h2)"; exit 1; }
  [ -z "$first" ] && first=$h
  [ "$h" = "$first" ] || { echo "FAIL: $isa hash $h differs from $first"; exit 1; }
done
[ -n "$first" ] || { echo "FAIL: no backend listed"; exit 1; }
echo "sim determinism: 1 passed, 0 failed"
