#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The determinism matrix: every golden scenario (support/scenarios.c) on every
# target and every backend runnable there, one final world hash per cell.
#
#   tests/cross/matrix.sh [-o FILE] LABEL=BUILD_DIR...
#   e.g. tests/cross/matrix.sh x86-64=build/release aarch64=build/aarch64 \
#          s390x=build/s390x wasm32=build/wasm32
#
# For each build it runs that build's `synk` tool (tools/synk, or synk.wasm)
# through the build's emulator (qemu-user, Node.js WASI; none for a native
# build): `synk info` lists the runnable backends, `synk verify --isa=NAME`
# gives each scenario's hash on that backend. The matrix (scenario rows x
# target/backend columns) is printed and written to FILE (default
# perf-reports/determinism.md). Exit status 0 when every cell equals the
# golden hash (or, for a scenario without one, the first column); 1 otherwise,
# naming the first differing scenario; 2 on a usage or setup error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/perf-reports/determinism.md"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
builds=()
while (($#)); do
  case $1 in
    -o) out=$2; shift 2 ;;
    -o*) out=${1#-o}; shift ;;
    -h | --help) usage; exit 0 ;;
    *=*) builds+=("$1"); shift ;;
    *) echo "matrix.sh: bad argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
((${#builds[@]})) || { usage >&2; exit 2; }

# cache_get DIR VAR: a value from DIR/CMakeCache.txt ("" when absent)
cache_get() {
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" 2>/dev/null | head -n1
}

declare -a columns=()        # "label/isa"
declare -A colnote=()        # column -> "native" | "emulated"
declare -A cell=()           # "column|scenario" -> hash or FAIL
declare -A golden=()         # scenario -> golden hash
declare -a scenarios=()      # in the tool's order
declare -A seen=()
declare -a targets_md=()     # provenance rows
declare -a errors=()

for spec in "${builds[@]}"; do
  label=${spec%%=*}
  dir=${spec#*=}
  if [[ ! -f $dir/CMakeCache.txt ]]; then
    echo "matrix.sh: $dir is not a CMake build directory" >&2
    exit 2
  fi
  dir=$(cd "$dir" && pwd)
  synk=""
  for cand in "$dir/tools/synk" "$dir/tools/synk.wasm"; do
    [[ -f $cand ]] && { synk=$cand; break; }
  done
  if [[ -z $synk ]]; then
    echo "matrix.sh: no synk tool in $dir/tools (build target synk_cli)" >&2
    exit 2
  fi
  emu_str=$(cache_get "$dir" SYNK_TARGET_EMULATOR)
  emu=()
  [[ -n $emu_str ]] && IFS=';' read -r -a emu <<<"$emu_str"
  run=("${emu[@]}" "$synk")

  # runnable backends, best first (lines between "backends" and "active backend")
  info=$(env -u SYNK_ISA "${run[@]}" info) || { echo "matrix.sh: $label: synk info failed" >&2; exit 2; }
  mapfile -t isas < <(awk '/^backends/ {on=1; next} /^active backend/ {on=0} on && NF {print $1}' <<<"$info")
  ((${#isas[@]})) || { echo "matrix.sh: $label: no backends in 'synk info' output:"$'\n'"$info" >&2; exit 2; }

  # the compiler CMake detected (a toolchain file's compiler is not cached)
  ccfile=$(ls "$dir"/CMakeFiles/*/CMakeCCompiler.cmake 2>/dev/null | head -n1)
  ccget() { sed -n "s/^set($1 \"\(.*\)\")$/\1/p" "$ccfile" 2>/dev/null | head -n1; }
  cc="$(ccget CMAKE_C_COMPILER_ID) $(ccget CMAKE_C_COMPILER_VERSION) ($(basename "$(ccget CMAKE_C_COMPILER)"))"
  target=$(ccget CMAKE_C_COMPILER_TARGET)
  [[ -n $target ]] && cc+=" --target=$target"
  nonative=$(cache_get "$dir" SYNK_SIMDE_NO_NATIVE)
  runner=${emu_str//;/ }
  runner=$(sed 's#[^ ]*/\(cmake/wasi-run\.mjs\)#\1#' <<<"$runner")
  targets_md+=("| $label | $cc | ${runner:-native} | $([[ $nonative == ON ]] && echo "SIMDE_NO_NATIVE" || echo "-") | ${isas[*]} |")

  for isa in "${isas[@]}"; do
    col="$label/$isa"
    emulated=$(awk -v i="$isa" '$1 == i && /emulated/ {print "emulated"}' <<<"$info")
    colnote[$col]=${emulated:-native}
    columns+=("$col")
    echo "matrix.sh: $col (${colnote[$col]}) ..." >&2
    rc=0
    res=$(env -u SYNK_ISA "${run[@]}" verify "--isa=$isa" 2>&1) || rc=$?
    ((rc <= 1)) || { echo "matrix.sh: $col: synk verify failed (exit $rc):"$'\n'"$res" >&2; exit 2; }
    got=0 marked=0
    # rows: NAME GOLDEN|(none) HASH[mark]   (mark ' ' ok, '!' mismatch, '?' failed check)
    while read -r name g h _; do
      [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ && $h =~ ^([0-9a-f]{16})([!?]?)$ ]] || continue
      [[ $name == scenario ]] && continue
      hash=${BASH_REMATCH[1]} mark=${BASH_REMATCH[2]}
      if [[ -z ${seen[$name]:-} ]]; then
        seen[$name]=1
        scenarios+=("$name")
      fi
      [[ $g =~ ^[0-9a-f]{16}$ ]] && golden[$name]=$g
      [[ -n $mark ]] && marked=1
      if [[ $mark == '?' ]]; then
        cell["$col|$name"]="FAIL"
        errors+=("$col: scenario $name failed a check: $(grep -m1 "  $name on $isa:" <<<"$res" | sed 's/^ *//')")
      else
        cell["$col|$name"]=$hash
      fi
      got=$((got + 1))
    done <<<"$res"
    ((got)) || { echo "matrix.sh: $col: no scenario rows in 'synk verify' output:"$'\n'"$res" >&2; exit 2; }
    # a failure verify reports outside the rows (e.g. a golden entry whose scenario vanished)
    if ((rc == 1 && !marked)); then
      errors+=("$col: synk verify failed: $(grep -v '^verify:' <<<"$res" | tail -n 3 | tr '\n' ' ')")
      verify_failed="${verify_failed:-$col}"
    fi
  done
done

# ---- compare: golden hash when there is one, else the first column
first_diff=""
declare -A rowbad=()
for s in "${scenarios[@]}"; do
  ref=${golden[$s]:-${cell["${columns[0]}|$s"]:-}}
  for col in "${columns[@]}"; do
    v=${cell["$col|$s"]:-missing}
    if [[ $v != "$ref" ]]; then
      rowbad[$s]=1
      [[ -n $first_diff ]] || first_diff="$s: $col gives $v, expected $ref"
    fi
  done
done

[[ -n $first_diff || -z ${verify_failed:-} ]] || first_diff="(no cell differs) synk verify failed on $verify_failed"

# ---- markdown
mkdir -p "$(dirname "$out")"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | head -c1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
{
  echo "# Determinism matrix"
  echo
  echo "Final \`synk_hash\` of every golden scenario (support/scenarios.c, pinned in"
  echo "support/golden.h) on every target and every backend runnable there."
  echo "Every cell must equal the golden hash; \`(emu)\` marks a SIMDe emulation of"
  echo "the ISA on that host (a correctness check, never a performance claim)."
  echo
  echo "Generated by \`tests/cross/matrix.sh\` (\`make test\`, or \`tests/cross/all.sh\`)"
  echo "on $(date -u +%Y-%m-%d), commit \`$commit\`${dirty:+ (with uncommitted changes)}, host ${cpu:-unknown} ($(uname -m))."
  echo
  echo "| target | compiler | runner | build | backends |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${targets_md[@]}"
  echo
  printf '| scenario | golden |'
  for col in "${columns[@]}"; do
    printf ' %s%s |' "$col" "$([[ ${colnote[$col]} == emulated ]] && echo ' (emu)')"
  done
  printf '\n|---|---|'
  for _ in "${columns[@]}"; do printf -- '---|'; done
  printf '\n'
  for s in "${scenarios[@]}"; do
    printf '| %s%s | `%s` |' "$s" "$([[ -n ${rowbad[$s]:-} ]] && echo ' **DIFFERS**')" "${golden[$s]:-none}"
    ref=${golden[$s]:-${cell["${columns[0]}|$s"]:-}}
    for col in "${columns[@]}"; do
      v=${cell["$col|$s"]:-missing}
      if [[ $v == "$ref" ]]; then printf ' `%s` |' "$v"; else printf ' **`%s`** |' "$v"; fi
    done
    printf '\n'
  done
  echo
  if [[ -n $first_diff ]]; then
    echo "**FAILED**: first differing scenario: $first_diff"
  else
    echo "All ${#scenarios[@]} scenarios x ${#columns[@]} target/backend columns agree."
  fi
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
echo
echo "matrix.sh: wrote $out" >&2
for e in "${errors[@]}"; do echo "matrix.sh: $e" >&2; done
if [[ -n $first_diff ]]; then
  echo "matrix.sh: FAILED: first differing scenario: $first_diff" >&2
  exit 1
fi
echo "matrix.sh: ok: ${#scenarios[@]} scenarios x ${#columns[@]} columns, all hashes equal" >&2
