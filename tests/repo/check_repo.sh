#!/bin/sh
# SPDX-License-Identifier: MIT
# Source-tree checks (ctest repo_checks), run once in the release preset:
#   1. synk is MIT-licensed: LICENSE is the MIT text, and every tracked source
#      file (C, C++, headers, Python, JavaScript, TypeScript, shell, CMake,
#      Makefile, gnuplot, templates, linker map, HTML) carries
#      "SPDX-License-Identifier: MIT" in its first lines;
#   2. every status the public headers name (SYNK_E_*, SYNK_SESSION_STALL) is
#      in the enumerating status test (tests/test_api.c, test_status_version).
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

for st in $(grep -ohE '\bSYNK_(E_[A-Z]+|SESSION_STALL)\b' kernel/include/synk.h session/include/*.h net/include/*.h |
            sort -u); do
  [ "$st" = SYNK_E_UNKNOWN ] && continue # the name of unknown values, not a status
  grep -q "{$st, [0-9]*, \"$st\"}" tests/test_api.c || fail "status $st is not in tests/test_api.c's status table"
done

[ "$fails" -eq 0 ] && echo "ok: LICENSE (MIT), SPDX lines in $n source files, every public status enumerated" && exit 0
exit 1
