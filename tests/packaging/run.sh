#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# C packaging tests (registered by tests/packaging.cmake; native builds only).
#
#   run.sh install BUILD_DIR WORK   cmake --install BUILD_DIR into WORK/prefix, then
#                                   build consumer.c with find_package and with pkg-config
#   run.sh shared  SOURCE_DIR WORK  a shared build of SOURCE_DIR, installed: exactly the
#                                   installed headers' SYNK_API functions exported (nm), an
#                                   SONAME, both consumers against it
#   run.sh vendor  SOURCE_DIR WORK  consumer.c in a project that add_subdirectory()s synk
#
# Environment: CC (the compiler of the build under test), JOBS.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=${1:?mode}
arg=$(cd "${2:?dir}" && pwd)
work=${3:?work dir}
jobs=${JOBS:-2}
cc=${CC:-cc}
rm -rf "$work" && mkdir -p "$work" && work=$(cd "$work" && pwd)
prefix=$work/prefix
fail() { echo "packaging $mode: FAIL: $*" >&2; exit 1; }
quiet() { "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; fail "$*"; }; }

# consumer built with find_package(synk CONFIG) against $prefix; prints its output
consume_cmake() {
  local b=$work/consumer-cmake
  quiet cmake -S "$here/find_package" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_RPATH="$prefix/lib"
  quiet cmake --build "$b" -j "$jobs"
  grep -q "synk_DIR:PATH=$prefix/" "$b/CMakeCache.txt" || fail "find_package found synk outside $prefix"
  # the version file: a later minor version than the one installed is refused
  if cmake -S "$here/find_package" -B "$work/consumer-v9" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
      -DSYNK_WANT_VERSION=0.9 >"$work/v9.log" 2>&1; then
    fail "find_package(synk 0.9) accepted version $(sed -n 's/^CMAKE_PROJECT_VERSION.*=//p' "$b/CMakeCache.txt")"
  fi
  grep -q 'requested version "0.9"' "$work/v9.log" || fail "find_package(synk 0.9) failed for another reason"
  "$b/consumer"
}

# consumer built with pkg-config's flags for synk.pc under $prefix
consume_pc() {
  local flags
  flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs synk) || fail "pkg-config synk"
  local inc=${flags#*-I}
  [[ $(readlink -f "${inc%% *}") == "$prefix/include" ]] || fail "pkg-config -I is not $prefix/include: $flags"
  # shellcheck disable=SC2086  # the flags are words
  quiet "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$here/consumer.c" -o "$work/consumer-pc" $flags \
    -Wl,-rpath,"$prefix/lib"
  [[ $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion synk) == "$1" ]] ||
    fail "pkg-config --modversion is not $1"
  "$work/consumer-pc"
}

# both consumers, which must print the same line
consume_both() {
  local a b version
  version=$(sed -n 's/^#define SYNK_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$prefix/include/synk.h" |
    paste -sd.)
  a=$(consume_cmake) || fail "find_package consumer"
  b=$(consume_pc "$version") || fail "pkg-config consumer"
  [[ $a == "synk $version hash "* ]] || fail "find_package consumer printed '$a'"
  [[ $a == "$b" ]] || fail "consumers differ: '$a' vs '$b'"
  echo "ok: find_package and pkg-config consumers: $a"
}

case $mode in
  install)
    quiet cmake --install "$arg" --prefix "$prefix"
    for f in include/synk.h lib/libsynk.a lib/pkgconfig/synk.pc share/doc/synk/LICENSE lib/cmake/synk/synkConfig.cmake \
             lib/cmake/synk/synkConfigVersion.cmake lib/cmake/synk/synkTargets.cmake; do
      [[ -f $prefix/$f ]] || fail "not installed: $f"
    done
    consume_both
    ;;
  shared)
    b=$work/build
    quiet cmake -S "$arg" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
      -DSYNK_BUILD_TESTS=OFF -DSYNK_BUILD_TOOLS=OFF -DSYNK_BUILD_EXAMPLES=OFF -DSYNK_BUILD_BENCH=OFF \
      -DSYNK_EMULATED_BACKENDS=OFF -DSYNK_WERROR=ON -DCMAKE_INSTALL_LIBDIR=lib
    quiet cmake --build "$b" -j "$jobs" --target synk
    quiet cmake --install "$b" --prefix "$prefix"
    so=$(readlink -f "$prefix/lib/libsynk.so")
    [[ -f $so && ! -e $prefix/lib/libsynk.a ]] || fail "no libsynk.so (or a static one too)"
    soname=$(objdump -p "$so" | awk '$1 == "SONAME" {print $2}')
    [[ $soname == libsynk.so.0 && -L $prefix/lib/$soname ]] || fail "SONAME '$soname' (want libsynk.so.0)"
    # exported = the functions the installed headers declare with SYNK_API, exactly
    nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$work/exported.txt"
    cat "$prefix"/include/synk*.h | grep '^SYNK_API ' | sed 's/(.*//; s/.*[ *]//' | sort -u >"$work/declared.txt"
    [[ -s $work/declared.txt ]] || fail "no SYNK_API declarations found in the installed headers"
    if ! diff -u "$work/declared.txt" "$work/exported.txt" >"$work/exports.diff"; then
      cat "$work/exports.diff" >&2
      fail "libsynk.so exports differ from the installed headers' SYNK_API functions (- declared only, + exported only)"
    fi
    echo "ok: $soname exports exactly the $(wc -l <"$work/declared.txt") SYNK_API functions of $(cd "$prefix/include" && echo synk*.h)"
    consume_both
    # grep reads all of ldd's output: with pipefail, grep -q's early exit could
    # kill ldd with SIGPIPE and fail a pipeline that matched
    ldd "$work/consumer-pc" | grep "libsynk.so.0 => $prefix/lib/" >/dev/null || fail "consumer not linked to $so"
    ;;
  vendor)
    b=$work/vendor
    quiet cmake -S "$here/vendor" -B "$b" -DCMAKE_C_COMPILER="$cc" -DSYNK_SOURCE_DIR="$arg" \
      -DCMAKE_BUILD_TYPE=Release -DSYNK_EMULATED_BACKENDS=OFF
    quiet cmake --build "$b" -j "$jobs"
    out=$("$b/consumer") || fail "vendored consumer"
    [[ $out == "synk "*" hash "* ]] || fail "vendored consumer printed '$out'"
    echo "ok: add_subdirectory consumer: $out"
    ;;
  *) fail "unknown mode" ;;
esac
