# SPDX-License-Identifier: MIT
# The network simulator (netsim/include/synk_netsim.h). Included by
# tests/CMakeLists.txt (which defines synk_test).
synk_test(test_netsim SOURCES netsim/test_netsim.c)
