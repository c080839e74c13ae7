#!/bin/sh
# SPDX-License-Identifier: MIT
# The instruction-count gate's own paths (ctest bench_icount_selftest):
#   1. valgrind dies of SIGILL / an unrecognised instruction while the same run
#      succeeds natively (a CPU this valgrind cannot execute): SKIP, exit 77,
#      the reason printed;
#   2. valgrind dies of anything else: FAIL, exit 1;
#   3. SIGILL under valgrind but the run also fails natively: FAIL, exit 1;
#   4. a counted binary that loads a peer library (synk_bench links libhwy,
#      libstdc++, ...): FAIL, exit 1;
#   5. a real regression -- the real valgrind against a baseline 10% lower than
#      the committed one: FAIL, exit 1, a REGRESSION row.
# 1-4 substitute a fake valgrind (SYNK_ICOUNT_VALGRIND); 5 needs valgrind and
# a build of the baseline's config, else it is left out with a note.
#
# usage: icount_selftest.sh ICOUNT_SH SYNK_ICOUNT SYNK_BENCH CONFIG BASELINE
set -u
icount=$1 exe=$2 bench=$3 config=$4 baseline=$5
case "$config" in *-sanitize) echo "SKIP: sanitizer build (the gate itself skips it)"; exit 77 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
check() { # name expected-exit pattern command...
  name=$1 want=$2 pat=$3
  shift 3
  "$@" > "$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq "$want" ] && grep -q -e "$pat" "$tmp/out"; then
    echo "ok   $name (exit $rc)"
  else
    echo "FAIL $name: exit $rc (expected $want), output:"
    sed 's/^/     /' "$tmp/out"
    fails=$((fails + 1))
  fi
}

# a baseline of this build's config, so the config check lets every path run
{ echo "# config: $config"; grep -v '^#' "$baseline"; } > "$tmp/baseline.txt"

cat > "$tmp/valgrind-sigill" <<'EOF'
#!/bin/sh
[ "${1:-}" = --version ] && { echo valgrind-3.19.0; exit 0; }
echo "vex amd64->IR: unhandled instruction bytes: 0x62 0xF2 0xFD 0x48 0x7C 0xC0 0x48 0x8B" >&2
echo "==4242== valgrind: Unrecognised instruction at address 0x4a3b2c0." >&2
echo "==4242== Process terminating with default action of signal 4 (SIGILL)" >&2
kill -ILL $$
EOF
cat > "$tmp/valgrind-segv" <<'EOF'
#!/bin/sh
[ "${1:-}" = --version ] && { echo valgrind-3.19.0; exit 0; }
echo "==4242== Process terminating with default action of signal 11 (SIGSEGV)" >&2
exit 139
EOF
cat > "$tmp/broken-exe" <<'EOF'
#!/bin/sh
[ "${1:-}" = --list-isas ] && { echo avx2; echo scalar; exit 0; }
echo "synk_icount: motion/single/1e4: unexpected status" >&2
exit 1
EOF
chmod +x "$tmp/valgrind-sigill" "$tmp/valgrind-segv" "$tmp/broken-exe"

check "unsupported CPU under valgrind: skipped with the reason" 77 "SKIP: .*cannot execute the counted code" \
  env SYNK_ICOUNT_VALGRIND="$tmp/valgrind-sigill" sh "$icount" --check "$exe" "$config" "$tmp/baseline.txt"
check "valgrind dies of SIGSEGV: fails" 1 "FAIL: synk_icount" \
  env SYNK_ICOUNT_VALGRIND="$tmp/valgrind-segv" sh "$icount" --check "$exe" "$config" "$tmp/baseline.txt"
check "SIGILL under valgrind and a failing native run: fails" 1 "FAIL: synk_icount" \
  env SYNK_ICOUNT_VALGRIND="$tmp/valgrind-sigill" sh "$icount" --check "$tmp/broken-exe" "$config" "$tmp/baseline.txt"
if command -v readelf > /dev/null 2>&1 &&
   readelf -d "$bench" | grep NEEDED | grep -q -v -e 'libc\.so' -e 'libm\.so' -e 'ld-linux' -e 'libsynk\.so'; then
  check "a counted binary that loads a peer library: fails" 1 "must link libsynk, libc and libm only" \
    env SYNK_ICOUNT_VALGRIND="$tmp/valgrind-sigill" sh "$icount" --check "$bench" "$config" "$tmp/baseline.txt"
else
  echo "note: readelf missing or synk_bench links no peer library: the dynamic-section check is not exercised"
fi

base_config=$(sed -n 's/^# config: //p' "$baseline" | head -1)
if command -v valgrind > /dev/null 2>&1 && [ "$base_config" = "$config" ]; then
  { echo "# config: $config"
    grep -v '^#' "$baseline" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 * 0.9 }'; } > "$tmp/lower.txt"
  check "a real regression (baseline 10% lower): fails" 1 "REGRESSION" \
    sh "$icount" --check "$exe" "$config" "$tmp/lower.txt"
else
  echo "note: valgrind missing or this build ($config) is not the baseline's ($base_config): regression path not run"
fi

[ "$fails" -eq 0 ] && echo "icount selftest: all paths behave" && exit 0
echo "icount selftest: $fails path(s) misbehave"
exit 1
