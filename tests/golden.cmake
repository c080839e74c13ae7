# SPDX-License-Identifier: MIT
# Golden vectors: every scenario of support/scenarios.c on every runnable
# backend must end with the hash pinned in support/golden.h (regenerate only
# for a deliberate format change: support/golden.md). Both come with
# synk_support, so the test does not need SYNK_BUILD_TOOLS.
synk_test(test_golden SOURCES test_golden.c)
