#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-architecture determinism: build and test every target, then print the
# determinism matrix (perf-reports/determinism.md).
#
#   tests/cross/all.sh [PRESET...]
#
# Presets (CMakePresets.json), default all of them:
#   release       x86-64 native: scalar, avx2, avx512 + neon, wasm (SIMDe-emulated)
#   x86-nonative  x86-64, arch/ built with SIMDE_NO_NATIVE (SIMDe's portable code)
#   aarch64       aarch64-linux-gnu under qemu-aarch64: scalar, neon
#   s390x         s390x-linux-gnu (big-endian) under qemu-s390x: scalar
#   wasm32        wasm32-wasi under Node.js WASI: scalar, wasm (SIMD128)
#
# For each preset: configure, build, run ctest once with the automatic backend,
# then once more per other runnable backend with SYNK_ISA=<backend> (tests that
# iterate over every backend themselves, and the session tests, whose mesh
# runs exercise the session layer rather than the kernels the backends
# differ in, are excluded from the reruns: SYNK_CROSS_ISA_EXCLUDE, a ctest -E
# regex). Finally tests/cross/matrix.sh.
# Every preset runs even when one fails; the exit status is 1 if anything
# failed. Environment: JOBS (parallel jobs, default nproc); SYNK_CROSS_RERUN=0
# skips the per-backend reruns (checkasm and the golden scenarios still cover
# every backend).
#
# Debian packages: cmake gcc libsimde-dev gcc-aarch64-linux-gnu gcc-s390x-linux-gnu
# qemu-user clang lld llvm wasi-libc libclang-rt-14-dev-wasm32 nodejs.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
exclude=${SYNK_CROSS_ISA_EXCLUDE:-checkasm|golden|objects_isa|^synk_|^bench_|header_|test_cxx|test_jobs|^session_|^net_crowd}

declare -A label=([release]=x86-64 [x86-nonative]=x86-64-nonative [aarch64]=aarch64 [s390x]=s390x [wasm32]=wasm32)
presets=("$@")
((${#presets[@]})) || presets=(release x86-nonative aarch64 s390x wasm32)
# the release preset's packaging and bindings tests cover their backends themselves
[[ -n ${SYNK_CROSS_ISA_EXCLUDE:-} ]] || exclude+='|^packaging_|^python_|^js_|^web_|^docs_'

# what each preset needs, as commands -> Debian packages
need() {
  case $1 in
    aarch64) echo "aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu qemu-aarch64:qemu-user" ;;
    s390x) echo "s390x-linux-gnu-gcc:gcc-s390x-linux-gnu qemu-s390x:qemu-user" ;;
    wasm32) echo "clang-14|clang:clang wasm-ld:lld llvm-ar-14|llvm-ar:llvm node:nodejs" ;;
    *) echo "cc:gcc" ;;
  esac
}
missing_pkgs() {
  local p req cmds pkg c ok miss=()
  for req in $(need "$1") "cmake:cmake" "llvm-objdump-14|llvm-objdump:llvm"; do
    cmds=${req%%:*} pkg=${req#*:} ok=0
    IFS='|' read -r -a alts <<<"$cmds"
    for c in "${alts[@]}"; do command -v "$c" >/dev/null && ok=1; done
    ((ok)) || miss+=("$pkg")
  done
  [[ $1 == wasm32 && ! -d /usr/include/wasm32-wasi ]] && miss+=(wasi-libc)
  [[ $1 == wasm32 ]] && ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a" >/dev/null &&
    miss+=(libclang-rt-14-dev-wasm32)
  [[ -f /usr/include/simde/simde-common.h ]] || miss+=(libsimde-dev)
  echo "${miss[*]}"
}

# the synk tool of a build, with the build's emulator in front
synk_cmd() {
  local dir=$1 emu
  emu=$(sed -n 's/^SYNK_TARGET_EMULATOR:[A-Z]*=//p' "$dir/CMakeCache.txt" | head -n1)
  local -a cmd=()
  [[ -n $emu ]] && IFS=';' read -r -a cmd <<<"$emu"
  if [[ -f $dir/tools/synk.wasm ]]; then cmd+=("$dir/tools/synk.wasm"); else cmd+=("$dir/tools/synk"); fi
  printf '%s\n' "${cmd[@]}"
}

failed=()
built=()
for p in "${presets[@]}"; do
  [[ -n ${label[$p]:-} ]] || { echo "all.sh: unknown preset '$p' (known: ${!label[*]})" >&2; exit 2; }
  echo "=== $p"
  miss=$(missing_pkgs "$p")
  if [[ -n $miss ]]; then
    echo "all.sh: $p: missing Debian packages: $miss (apt-get install $miss)" >&2
    failed+=("$p: missing packages ($miss)")
    continue
  fi
  dir=build/$p
  if ! cmake --preset "$p" >/dev/null || ! cmake --build --preset "$p" -j "$jobs"; then
    failed+=("$p: build")
    continue
  fi
  built+=("${label[$p]}=$dir")
  mapfile -t synk < <(synk_cmd "$dir")
  info=$(env -u SYNK_ISA "${synk[@]}" info) || { failed+=("$p: synk info"); continue; }
  mapfile -t isas < <(awk '/^backends/ {on=1; next} /^active backend/ {on=0} on && NF {print $1}' <<<"$info")
  auto=$(sed -n 's/^active backend: \([^ ]*\).*/\1/p' <<<"$info")
  echo "--- $p: backends: ${isas[*]} (automatic: $auto)"
  echo "--- $p: ctest, automatic backend ($auto)"
  env -u SYNK_ISA ctest --preset "$p" -j "$jobs" || failed+=("$p: ctest ($auto)")
  for isa in "${isas[@]}"; do
    [[ $isa == "$auto" || ${SYNK_CROSS_RERUN:-1} == 0 ]] && continue
    # SYNK_ISA falls back silently when a name is not runnable: make sure it took
    got=$(SYNK_ISA=$isa "${synk[@]}" info | sed -n 's/^active backend: \([^ ]*\).*/\1/p')
    if [[ $got != "$isa" ]]; then
      failed+=("$p: SYNK_ISA=$isa selected '$got'")
      continue
    fi
    echo "--- $p: ctest, SYNK_ISA=$isa (excluding /$exclude/)"
    SYNK_ISA=$isa ctest --preset "$p" -j "$jobs" -E "$exclude" || failed+=("$p: ctest (SYNK_ISA=$isa)")
  done
done

echo "=== determinism matrix"
if ((${#built[@]})); then
  "$here/matrix.sh" "${built[@]}" || failed+=("determinism matrix")
else
  failed+=("determinism matrix: nothing built")
fi

if ((${#failed[@]})); then
  echo "all.sh: FAILED:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "all.sh: ok: ${presets[*]}"
