#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole `make bench` job once the release preset is built:
#   bench/run.sh BUILD_DIR [--quick]
# runs the C harness (every case, every native ISA, peers interleaved), the
# google-benchmark shim, hyperfine over `synk sim` per ISA, the callgrind
# instruction counts, draws the plots and writes
#   perf-reports/<cpu-slug>/{report.md,results.json,gbench.json,hyperfine.md,
#                            hyperfine.json,icount.md,bindings.md,headline.md,*.png}
# --quick (make bench QUICK=1, about a minute) writes the same files to
# BUILD_DIR/perf-reports/<cpu-slug>/ instead, so a quick look never replaces
# the committed report. SYNK_BENCH_OUT=DIR overrides the destination.
# SYNK_BENCH_BASE=<commit> adds a "Before/after" section: the key cases of
# this build against that commit's, alternated (bench/compare.sh;
# SYNK_BENCH_BASE_ROUNDS runs each, default 5).
set -euo pipefail

usage() { echo "usage: bench/run.sh BUILD_DIR [--quick]" >&2; exit 2; }
[ $# -ge 1 ] || usage
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd) || usage
quick=0
[ "${2:-}" = --quick ] && quick=1
[ $# -le 2 ] || usage

bin=$build/bench
bench=$bin/synk_bench
gbench=$bin/synk_gbench
sim=$bin/synk_sim
for x in "$bench" "$sim"; do
  [ -x "$x" ] || { echo "bench/run.sh: $x missing; build first: cmake --preset release && cmake --build build/release" >&2; exit 1; }
done

t_start=$(date +%s)
slug=$("$bench" --slug)
config=$("$bench" --config)
if [ -n "${SYNK_BENCH_OUT:-}" ]; then out=$SYNK_BENCH_OUT
elif [ $quick = 1 ]; then out=$build/perf-reports/$slug
else out=$root/perf-reports/$slug
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then
  commit="$commit-dirty"
fi
mode=full
[ $quick = 1 ] && mode=quick
isas=$("$bench" --list-isas | paste -sd, -)
echo "== synk bench ($mode) on $slug, backends $isas, commit $commit -> $out"

# ---------------------------------------------------------------- 1. C harness
echo
echo "== 1/5 C harness (synk_bench: bench/runner.c)"
hargs=(--commit "$commit" --json "$out/results.json" --md "$tmp/harness.md" --plots "$tmp")
[ $quick = 1 ] && hargs+=(--quick)
"$bench" "${hargs[@]}" | tee "$tmp/harness.log"

# ---------------------------------------------------------------- 2. google-benchmark
echo
echo "== 2/5 google-benchmark shim (bench/gbench.cc)"
gbench_note=""
if [ -x "$gbench" ]; then
  min_time=0.1
  [ $quick = 1 ] && min_time=0.005
  "$gbench" --benchmark_min_time=$min_time --benchmark_out="$out/gbench.json" --benchmark_out_format=json \
    > "$tmp/gbench.txt" 2>&1 || { tail -20 "$tmp/gbench.txt"; echo "bench/run.sh: synk_gbench failed" >&2; exit 1; }
  echo "$(grep -c '"run_type": "iteration"' "$out/gbench.json") benchmarks -> $out/gbench.json (min_time ${min_time}s)"
else
  gbench_note="synk_gbench was not built (libbenchmark-dev missing)."
  echo "$gbench_note"
fi

# ---------------------------------------------------------------- 3. hyperfine
echo
echo "== 3/5 hyperfine: whole-process synk sim per ISA"
ticks=2000 runs=10 warmup=2
[ $quick = 1 ] && { ticks=300; runs=3; warmup=1; }
sim_args="--seed 42 --ticks $ticks --entities 100000 --props 4"
# `synk sim` from the CLI when it has the subcommand, else the standalone build of it
if [ -x "$build/tools/synk" ] && "$build/tools/synk" sim --help >/dev/null 2>&1; then
  sim_dir=$build/tools sim_cmd="./synk sim"
else
  sim_dir=$bin sim_cmd="./synk_sim"
fi
det_ok=1
: > "$tmp/determinism.md"
first=""
for isa in ${isas//,/ }; do
  h=$(cd "$sim_dir" && $sim_cmd $sim_args --isa "$isa")
  echo "| $isa | \`$h\` |" >> "$tmp/determinism.md"
  [ -z "$first" ] && first=$h
  [ "$h" = "$first" ] || det_ok=0
done
if [ $det_ok = 1 ]; then det_line="identical final hash on every backend"; else det_line="**MISMATCH between backends**"; fi
echo "$sim_cmd $sim_args: $det_line"
hyper_note=""
if command -v hyperfine >/dev/null 2>&1; then
  (cd "$sim_dir" && hyperfine -N --style basic --warmup $warmup --runs $runs -L isa "$isas" \
     --export-markdown "$out/hyperfine.md" --export-json "$out/hyperfine.json" \
     "$sim_cmd --isa {isa} $sim_args") | tee "$tmp/hyperfine.log"
else
  hyper_note="hyperfine is not installed (apt-get install hyperfine): whole-process runs skipped."
  echo "$hyper_note"
  printf '%s\n' "$hyper_note" > "$out/hyperfine.md"
fi

# ---------------------------------------------------------------- 3b. sessions on the wire
echo
echo "== sessions: synk netsim, 2 players at 60 Hz, bytes per player per frame"
: > "$tmp/netsim.md"
netsim_frames=3600
[ $quick = 1 ] && netsim_frames=600
if [ -x "$build/tools/synk" ] && "$build/tools/synk" netsim --help >/dev/null 2>&1; then
  for loss in 0 0.2; do
    for lat in 0 30; do
      args="--players 2 --frames $netsim_frames --latency $lat --loss $loss --seed 1"
      o=$("$build/tools/synk" netsim $args) || { echo "$o"; echo "bench/run.sh: synk netsim $args failed" >&2; exit 1; }
      bpf=$(awk '$1 ~ /^[0-9]+$/ && NF >= 9 { s += $8; n++ } END { if (n) printf "%.2f", s / n }' <<<"$o")
      rb=$(awk '$1 ~ /^[0-9]+$/ && NF >= 9 { s += $3 } END { print s }' <<<"$o")
      echo "| $lat ms | $loss | $bpf | $rb | \`synk netsim $args\` |" >> "$tmp/netsim.md"
      echo "latency $lat ms, loss $loss: $bpf B/player/frame, $rb rollbacks"
    done
  done
else
  echo "| - | - | - | - | the synk CLI was not built |" >> "$tmp/netsim.md"
fi

# ---------------------------------------------------------------- 3c. server-authoritative sync
echo
echo "== server-authoritative sync: synk serve-sim, a server and its clients over the simulated transport"
: > "$tmp/servesim.md"
serve_ticks=600
[ $quick = 1 ] && serve_ticks=150
if [ -x "$build/tools/synk" ] && "$build/tools/synk" serve-sim --help >/dev/null 2>&1; then
  for extra in "" "--latency 30 --jitter 20 --drop-rate 0.05 --reconnect 200"; do
    args="--clients 200 --entities 20000 --ticks $serve_ticks --view-cells 1 --seed 1 $extra"
    o=$("$build/tools/synk" serve-sim $args) || { echo "$o"; echo "bench/run.sh: synk serve-sim $args failed" >&2; exit 1; }
    cpu=$(grep -o '[0-9.]* us per client per tick' <<<"$o" | head -1 | cut -d' ' -f1)
    bytes=$(sed -n 's/^bytes per client per tick (server to client, after the join): mean \([0-9.]*\), min \([0-9.]*\), max \([0-9.]*\);.*/\1 (\2..\3)/p' <<<"$o")
    ver=$(sed -n 's/^verification: //p' <<<"$o")
    echo "| $cpu µs | $bytes | $ver | \`synk serve-sim ${args% }\` |" >> "$tmp/servesim.md"
    echo "serve-sim $args: $cpu us/client/tick, $bytes B/client/tick; $ver"
  done
else
  echo "| - | - | the synk CLI was not built | - |" >> "$tmp/servesim.md"
fi

# ---------------------------------------------------------------- 4. instruction counts
echo
echo "== 4/5 instruction counts under callgrind (scalar, avx2)"
sh "$root/bench/icount.sh" --report "$bin/synk_icount" "$config" "$root/bench/icount-baseline.txt" "$out/icount.md" \
  | tail -3 || true
[ -s "$out/icount.md" ] || echo "Instruction counts not measured." > "$out/icount.md"

# ---------------------------------------------------------------- before/after (optional)
# SYNK_BENCH_BASE=<commit>: the key cases of this build against that commit's,
# runs alternated (bench/compare.sh; bench/README.md, "Before/after").
: > "$tmp/compare.md"
if [ -n "${SYNK_BENCH_BASE:-}" ]; then
  echo
  echo "== before/after against $SYNK_BENCH_BASE (bench/compare.sh)"
  sh "$root/bench/compare.sh" "$build" "$SYNK_BENCH_BASE" "${SYNK_BENCH_BASE_ROUNDS:-5}" > "$tmp/compare.md" ||
    echo "bench/compare.sh failed: no before/after section." > "$tmp/compare.md"
  cat "$tmp/compare.md"
fi

# ---------------------------------------------------------------- 5. plots
echo
echo "== 5/5 plots"
plot_note=""
if command -v gnuplot >/dev/null 2>&1; then
  gnuplot -e "datadir='$tmp'; outdir='$out'" "$root/bench/plots.gp" && ls "$out"/*.png | sed 's|.*/||'
else
  plot_note="gnuplot is not installed (apt-get install gnuplot-nox): no plots."
  echo "$plot_note"
fi

# ---------------------------------------------------------------- bindings
echo
echo "== bindings: Python call overhead, WebAssembly in Node.js vs native"
bq=""
[ $quick = 1 ] && bq=--quick
: > "$out/bindings.md"
if compgen -G "$build/python/_synk_bench*.so" >/dev/null; then
  { echo "### Python (bench/python_bench.py)"; echo
    PYTHONPATH=$build/python /usr/bin/python3 "$root/bench/python_bench.py" $bq; echo; } >> "$out/bindings.md"
else
  echo "Python bindings not built (SYNK_BUILD_PYTHON)." >> "$out/bindings.md"
fi
if [ -f "$build/js/synk/synk-simd.wasm" ] && command -v node >/dev/null; then
  { echo "### WebAssembly in Node.js (bench/js_bench.mjs)"; echo
    node "$root/bench/js_bench.mjs" "$build" $bq; echo; } >> "$out/bindings.md"
else
  echo "JavaScript package not built (SYNK_BUILD_JS)." >> "$out/bindings.md"
fi
cat "$out/bindings.md"

# ---------------------------------------------------------------- report
t_end=$(date +%s)
elapsed=$((t_end - t_start))
section() { # print the markdown section "## $1" of file $2 without its heading
  awk -v h="## $1" '$0 == h { on = 1; next } on && /^## / { exit } on' "$2"
}
# gbench vs harness ns/op, by name (case[/isa])
awk '
  FNR == NR {
    if (match($0, /"case": "[^"]*"/)) c = substr($0, RSTART + 9, RLENGTH - 10); else next
    match($0, /"isa": "[^"]*"/); i = substr($0, RSTART + 8, RLENGTH - 9)
    if (!match($0, /"ns_per_op": [0-9.e+-]*/)) next
    v = substr($0, RSTART + 13, RLENGTH - 13)
    k = (i == "-") ? c : c "/" i
    h[k] = v; order[++n] = k; next
  }
  /"name":/ { match($0, /"name": "[^"]*"/); name = substr($0, RSTART + 9, RLENGTH - 10); sub(/\/real_time$/, "", name) }
  /"ns_per_op":/ { match($0, /[0-9.e+-]+,?$/); g[name] = substr($0, RSTART) + 0 }
  function ns(v) { return v < 1 ? sprintf("%.3f", v) : sprintf("%.2f", v) } # sub-ns: per-byte cases
  END {
    for (j = 1; j <= n; j++) {
      k = order[j]
      if (!(k in g)) continue
      printf "| `%s` | %s | %s | %.2f |\n", k, ns(h[k]), ns(g[k]), g[k] / h[k]
    }
  }' "$out/results.json" "${out}/gbench.json" > "$tmp/gbench_vs.md" 2>/dev/null || true

img() { [ -f "$out/$1" ] && printf '![%s](%s)\n\n' "$2" "$1" || true; }
{
  echo "# synk performance report: $slug"
  echo
  echo "Generated by \`make bench\` (bench/run.sh, $mode run, ${elapsed} s) on commit \`$commit\`."
  echo "Every number below was measured in one run on the machine named in the provenance table;"
  echo "peers ran in the same process, interleaved with synk epoch by epoch, so ratios hold on a"
  echo "busy machine even when absolute times do not. Hardware counters: see provenance."
  echo
  echo "Files: [results.json](results.json) (C harness), [gbench.json](gbench.json) (google-benchmark),"
  echo "[hyperfine.md](hyperfine.md) / [hyperfine.json](hyperfine.json), [icount.md](icount.md)."
  echo
  # the harness's Server-authoritative sync section goes below, with the serve-sim runs
  awk '$0 == "## Server-authoritative sync" { skip = 1; next } skip && /^## / { skip = 0 } !skip' "$tmp/harness.md"
  echo
  echo "## Plots"
  echo
  [ -n "$plot_note" ] && { echo "$plot_note"; echo; }
  img rehash_ns_per_op.png "synk_rehash ns per entity vs size, per ISA"
  img motion_ns_per_op.png "batch motion ns per motion vs size, per ISA and peers"
  img speedup_over_scalar.png "speedup over scalar per kernel case"
  echo "## Whole-process runs (hyperfine)"
  echo
  echo "\`${sim_cmd#./} $sim_args\` per backend ($runs runs, $warmup warm-up; process start-up, world"
  echo "creation and a hash check every 100 ticks included). Determinism: $det_line."
  echo
  echo "| backend | final hash |"
  echo "|:--|:--|"
  cat "$tmp/determinism.md"
  echo
  cat "$out/hyperfine.md"
  echo
  echo "## Sessions on the wire (synk netsim)"
  echo
  echo "Two rollback peers at 60 Hz over the network simulator, 4-byte inputs of which a byte changes about"
  echo "every 6 frames; bytes each peer puts on the wire per frame for its player (datagram headers, CRC-32C"
  echo "checks, acks, pings and hash reports included), averaged over both peers. Target: <= 8 B at no loss."
  echo
  echo "| one-way latency | loss | bytes per player per frame | rollbacks (both peers) | command |"
  echo "|--:|--:|--:|--:|:--|"
  cat "$tmp/netsim.md"
  if [ -s "$tmp/compare.md" ]; then
    echo
    echo "## Before/after"
    echo
    echo "This build against commit \`$SYNK_BENCH_BASE\` on the same machine, runs alternated under the"
    echo "bench lock (bench/compare.sh, bench/README.md \"Before/after\")."
    echo
    cat "$tmp/compare.md"
  fi
  echo
  echo "## Server-authoritative sync"
  echo
  echo "The net/ layer (synk_net.h) measured by the harness's net/ cases (bench/cases_net.c): server CPU per"
  echo "client per tick, bytes per client per tick against the JSON-delta and snapshot-per-tick peers on the same"
  echo "changes, the join cost and the view bookkeeping, each with the issue's target beside it."
  echo
  section "Server-authoritative sync" "$tmp/harness.md" | cat -s | sed '1{/^$/d}'
  echo
  echo "### On the simulated transport (synk serve-sim)"
  echo
  echo "A server and 200 real clients in one process over support/msgnet (reliable ordered channels; the second"
  echo "row with 30 + 0..20 ms one-way delay and links dropping at 5% per second, reconnecting after 200 ms"
  echo "inside the grace period), a 20000-entity crowd (2 props, 10% moving per tick, churn, property changes),"
  echo "one-cell views that move now and then. CPU: the tool's monotonic clock around synk_server_apply +"
  echo "synk_server_tick (median tick / clients; the transport's pump, where the server's polls run, apart)."
  echo "Bytes: server to client per client per tick after its join, mean (lowest..highest client)."
  echo
  echo "| server CPU per client per tick | bytes per client per tick | verification | command |"
  echo "|--:|--:|:--|:--|"
  cat "$tmp/servesim.md"
  echo
  echo "## Instruction counts (callgrind)"
  echo
  echo "Deterministic; the gate of \`make test\` (ctest \`bench_icount\`). AVX-512 is not counted: valgrind"
  echo "cannot run it. Update the baseline on purpose as bench/README.md says."
  echo
  cat "$out/icount.md"
  echo
  echo "## google-benchmark cross-check"
  echo
  if [ -s "$tmp/gbench_vs.md" ]; then
    echo "The same registry under google-benchmark (wall clock, separate epochs, not interleaved):"
    echo "ns/op of both harnesses; ratios far from 1 mean noise or a harness problem."
    echo
    echo "| case | harness ns/op | gbench ns/op | gbench / harness |"
    echo "|:--|--:|--:|--:|"
    cat "$tmp/gbench_vs.md"
  else
    echo "${gbench_note:-No google-benchmark results.}"
  fi
  echo
  echo "## Bindings"
  echo
  echo "The same calls through the Python bindings (timed against the C calls in the same process,"
  echo "interleaved) and through the WebAssembly package in Node.js (against the C harness, rounds"
  echo "alternated). [bindings.md](bindings.md)."
  echo
  cat "$out/bindings.md"
} > "$out/report.md"

# the README's Performance section, ready to paste
cpu_line=$(section Provenance "$tmp/harness.md" | awk -F'|' '$2 ~ /^ CPU $/ { sub(/^ /, "", $3); sub(/ $/, "", $3); print $3 }')
rel=${out#"$root"/}
{
  echo "## Performance"
  echo
  echo "Measured by synk's own benchmark suite (\`make bench\`) on $cpu_line;"
  echo "$config build, commit \`$commit\`. Full report with provenance, every case, peers and plots:"
  echo "[$rel/report.md]($rel/report.md)."
  echo
  echo "### Against the best-known peer, ALICE-Sync (Rust)"
  echo
  section "The best-known peer" "$tmp/harness.md" | sed 's/^### /#### /' | cat -s | sed '1{/^$/d}'
  echo
  echo "### Targets"
  echo
  section Targets "$tmp/harness.md" | sed '/^Measured by this suite/d' | cat -s | sed '1{/^$/d}'
  echo
  echo '```sh'
  echo 'make bench          # full suite (<= 10 min on 2 cores): writes perf-reports/<cpu-slug>/'
  echo 'make bench QUICK=1  # about a minute, written under build/release/perf-reports/'
  echo 'make test           # every benchmark case runs once (smoke) + the instruction-count gate'
  echo '```'
} > "$out/headline.md"

echo
echo "== summary ($mode, ${elapsed} s): $out/report.md"
echo
section Targets "$tmp/harness.md" | sed '/^$/d; /^Measured by this suite/d'
echo
echo "synk sim: $det_line"
grep -E '^icount: ' "$out/icount.md" 2>/dev/null || head -1 "$out/icount.md"
grep -q ':warning:' "$tmp/harness.md" && echo "warning: some results are unstable (err% >= 5%); see the report"
[ $det_ok = 1 ] || { echo "bench/run.sh: backends disagree on the sim hash" >&2; exit 1; }
exit 0
