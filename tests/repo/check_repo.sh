#!/bin/sh
# SPDX-License-Identifier: MIT
# Source-tree checks (ctest repo_checks), run once in the release preset:
#   1. synk is MIT-licensed: LICENSE is the MIT text, and every tracked source
#      file (C, C++, headers, Python, JavaScript, TypeScript, shell, CMake,
#      Makefile, gnuplot, templates, linker map, HTML) carries
#      "SPDX-License-Identifier: MIT" in its first lines;
#   2. every status the public headers name (SYNK_E_*, SYNK_SESSION_STALL, SYNK_EMPTY) is
#      in the enumerating status test (tests/test_api.c, test_status_version);
#   3. the include arrows point down (README, "Layout"): common/ includes only
#      <stddef.h>, <stdint.h>, <string.h> and itself; kernel/ nothing of sync/;
#      kernel/, sync/, arch/ and common/ include by path from the project root,
#      never "../"; tools/, bench/ and support/ no internal header of any layer.
# usage: check_repo.sh SOURCE_DIR
set -u
src=$1
cd "$src" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

grep -q '^MIT License$' LICENSE 2>/dev/null || fail "LICENSE is missing or not the MIT license"
if [ -d .git ] && command -v git > /dev/null 2>&1; then
  files=$(git ls-files)
else # a source tree without git (a tarball): every file but the build trees
  files=$(find . -path ./build -prune -o -path '*/node_modules' -prune -o -path ./.git -prune -o -type f -print |
          sed 's#^\./##')
fi
n=0
for f in $files; do
  base=${f##*/}
  case "$base" in
    *.c|*.h|*.cc|*.cpp|*.py|*.pyi|*.js|*.mjs|*.ts|*.sh|*.cmake|*.gp|*.in|*.map|*.html|CMakeLists.txt|Makefile|.gitignore) ;;
    run) [ "$f" = .ci/run ] || continue ;;
    *) continue ;;
  esac
  [ -f "$f" ] || continue
  n=$((n + 1))
  head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || fail "$f: no 'SPDX-License-Identifier: MIT' in its first 3 lines"
done
[ "$n" -gt 100 ] || fail "only $n source files found: is $src the source tree?"

for st in $(grep -ohE '\bSYNK_(E_[A-Z]+|SESSION_STALL|EMPTY)\b' kernel/include/synk.h session/include/*.h net/include/*.h netsim/include/*.h |
            sort -u); do
  [ "$st" = SYNK_E_UNKNOWN ] && continue # the name of unknown values, not a status
  grep -q "{$st, [0-9]*, \"$st\"}" tests/test_api.c || fail "status $st is not in tests/test_api.c's status table"
done

# 3. include arrows (quoted includes; a file named here is read whole)
incl() { grep -HnE '^[[:space:]]*#[[:space:]]*include' "$@" 2>/dev/null; }
bad=$(incl common/*.h | grep -vE '#[[:space:]]*include[[:space:]]*(<(stddef|stdint|string)\.h>|"common/[a-z_]+\.h")')
[ -z "$bad" ] || fail "common/ includes more than <stddef.h>/<stdint.h>/<string.h> and common/: $bad"
bad=$(incl kernel/*.c kernel/*.h | grep -E '"sync/|sync_internal\.h|codec\.h"')
[ -z "$bad" ] || fail "kernel/ includes the sync layer (arrows point down): $bad"
bad=$(incl kernel/*.c kernel/*.h sync/*.c sync/*.h arch/*.h arch/*/*.c arch/*/*.h arch/*.c common/*.h | grep '"\.\./')
[ -z "$bad" ] || fail "include by path from the project root, not ../: $bad"
bad=$(incl tools/*.c tools/*.h bench/*.c bench/*.h bench/*.cc support/*.c support/*.h |
      grep -E '"(kernel/|sync/|net/|session/)?(internal|sync_internal|codec|net_internal|session_wire)\.h"')
[ -z "$bad" ] || fail "tools/, bench/ and support/ use the public headers (and common/) only: $bad"

[ "$fails" -eq 0 ] && echo "ok: LICENSE (MIT), SPDX lines in $n source files, every public status enumerated, include arrows" && exit 0
exit 1
