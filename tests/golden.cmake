# SPDX-License-Identifier: MIT
# Golden vectors: every scenario of tools/scenarios.c on every runnable backend
# must end with the hash pinned in tests/golden/golden.h (regenerate only for a
# deliberate format change: tests/golden/README.md). scenarios.c is compiled in
# directly so the test does not need SYNK_BUILD_TOOLS.
synk_test(test_golden SOURCES test_golden.c ${PROJECT_SOURCE_DIR}/tools/scenarios.c)
