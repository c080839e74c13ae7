/* SPDX-License-Identifier: MIT */
// common/'s headers compiled as C++11 (-Wall -Wextra -Wpedantic): the same
// checks as the C test, from the same source.
#include "test_common.c"
